/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * policy.c - the digest of a section's verification policy, which every
 * session record it writes is bound to (DESIGN §4): a login proves a user
 * under the rules that admitted the token, so a record made where the rules
 * are lenient is no session where they are strict.
 *
 * The digest covers what decides who a token says the user is and whether
 * it is accepted: the key set's identity (a hash of the key material as
 * configured), the allowed algorithms, iss, aud, the user claim, the token
 * max age and clock skew, the API-token audience, and the session max age.
 * The realm (AuthName) and the public origin are bound beside it by the
 * record's MAC context (session.c).
 *
 * It is computed at start-up, not per request: check_config computes the
 * digest of every section's merged configuration into a table keyed by the
 * fields' values (pointers into the configuration, which lives as long as
 * the table), read-only once the children run. A request whose merged
 * configuration was not seen at start-up (.htaccess, <If>, a <Directory>
 * and a <Location> together) gets its digest computed then, in its pool.
 */
#include "glue.h"

#include "apr_hash.h"
#include "apr_strings.h"

#include <openssl/evp.h>

#define POLICY_TAG "jwtsso-policy-v1"

/* The fields the digest is made of, as they sit in the configuration:
 * equal fields, equal digest. Zero-filled before use (padding), so it can
 * be a hash key. */
typedef struct {
    const jwtsso_keys_t *keys;
    unsigned algs;
    const char *issuer, *audience, *user_claim, *bearer_audience;
    long long max_age, skew, session_max_age;
} policy_fields_t;

/* This generation's table: made in check_config on pconf, only read by
 * requests. */
static apr_hash_t *table;

static void fields_of(const jwtsso_dir_cfg *cfg, policy_fields_t *f)
{
    memset(f, 0, sizeof(*f));
    f->keys = cfg->keys;
    f->algs = cfg->algs;
    f->issuer = cfg->issuer;
    f->audience = cfg->audience;
    f->user_claim = cfg->user_claim;
    f->bearer_audience = cfg->bearer_audience;
    f->max_age = cfg->max_age;
    f->skew = cfg->skew;
    f->session_max_age = cfg->session_max_age;
}

/* A string and its NUL, or a lone 0xff for an unset one. */
static int put_str(EVP_MD_CTX *md, const char *s)
{
    static const unsigned char unset = 0xff;

    return s ? EVP_DigestUpdate(md, s, strlen(s) + 1)
             : EVP_DigestUpdate(md, &unset, 1);
}

/* The digest of f into out (JWTSSO_POLICY_LEN bytes); 0 or -1. */
static int digest(const policy_fields_t *f, unsigned char *out)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char nums[4 * 8];
    unsigned algs = f->algs;
    unsigned int n = 0;
    long long v[4];
    int i, j, ok;

    if (!algs && f->keys) {
        algs = jwtsso_keyset_algs(f->keys->keys);
    }
    v[0] = (long long)algs;
    v[1] = f->max_age;
    v[2] = f->skew;
    v[3] = f->session_max_age;
    for (i = 0; i < 4; i++) {             /* big-endian, host-independent */
        for (j = 0; j < 8; j++) {
            nums[i * 8 + j] = (unsigned char)((unsigned long long)v[i]
                                              >> (56 - 8 * j));
        }
    }
    ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL)
         && EVP_DigestUpdate(md, POLICY_TAG, sizeof(POLICY_TAG))
         && (f->keys ? EVP_DigestUpdate(md, f->keys->id, sizeof(f->keys->id))
                     : put_str(md, NULL))
         && EVP_DigestUpdate(md, nums, sizeof(nums))
         && put_str(md, f->issuer) && put_str(md, f->audience)
         && put_str(md, f->user_claim) && put_str(md, f->bearer_audience)
         && EVP_DigestFinal_ex(md, out, &n) && n == JWTSSO_POLICY_LEN;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}

void jwtsso_policy_reset(void)
{
    table = NULL;
}

int jwtsso_policy_note(apr_pool_t *pconf, const jwtsso_dir_cfg *cfg)
{
    policy_fields_t f, *key;
    unsigned char *d;

    fields_of(cfg, &f);
    if (!table) {
        table = apr_hash_make(pconf);
    }
    if (apr_hash_get(table, &f, sizeof(f))) {
        return 0;
    }
    key = apr_pmemdup(pconf, &f, sizeof(f));
    d = apr_palloc(pconf, JWTSSO_POLICY_LEN);
    if (digest(&f, d) != 0) {
        return -1;
    }
    apr_hash_set(table, key, sizeof(*key), d);
    return 0;
}

const unsigned char *jwtsso_policy_of(request_rec *r,
                                      const jwtsso_dir_cfg *cfg)
{
    policy_fields_t f;
    const unsigned char *d;
    unsigned char *made;

    fields_of(cfg, &f);
    d = table ? apr_hash_get(table, &f, sizeof(f)) : NULL;
    if (d) {
        return d;
    }
    made = apr_palloc(r->pool, JWTSSO_POLICY_LEN);
    if (digest(&f, made) != 0) {
        return NULL;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, JWTSSO_LOGNO(00306)
                  "policy digest of a configuration not seen at start-up "
                  "(.htaccess, <If>): computed for this request");
    return made;
}
