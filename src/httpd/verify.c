/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * verify.c - a token checked against its section: the core's verification
 * (src/core/jws.c) with the policy of the section's directives, one log
 * line per refusal under its reason's tag (reasons.c), and what identifies
 * a token without showing it: its fingerprint for the logs and its replay
 * key for the replay cache.
 *
 * What a verified token is then used for (a login, a bearer request) is
 * login.c's and bearer.c's.
 */
#include "glue.h"
#include "stats.h"

#include "apr_strings.h"

#include <openssl/evp.h>

const char *jwtsso_verify_fingerprint(request_rec *r, const char *token)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (!EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL)) {
        return "-";
    }
    return apr_psprintf(r->pool, "%02x%02x%02x%02x", md[0], md[1], md[2],
                        md[3]);
}

/* The core's policy for a token of this section: a login token, or a
 * bearer (an API token when JWTSSOBearerAudience declares them: its own
 * audience, alive until its exp). */
static void policy_for(const jwtsso_dir_cfg *cfg, int bearer,
                       jwtsso_policy_t *pol)
{
    memset(pol, 0, sizeof(*pol));
    pol->max_age = cfg->max_age;
    pol->skew = cfg->skew;
    pol->user_claim = cfg->user_claim;
    pol->max_size = (size_t)cfg->max_token_size;
    pol->algs = cfg->algs;
    pol->issuer = cfg->issuer;
    pol->audience = cfg->audience;
    pol->max_kidless = cfg->max_kidless;
    pol->api_audience = cfg->bearer_audience;
    pol->bearer = bearer;
    if (bearer && cfg->bearer_audience) {
        pol->audience = NULL;
        pol->max_age = -1;
    }
}

/* The one line of a refusal, with the tag of its row, at the row's level
 * or, for a login token a browser brought back from the IdP, at warn
 * (rate-limited): a broken login must show at LogLevel warn, with its
 * fix; a bearer or XHR request is anyone's to send (DESIGN §2.5). */
static void log_refusal(request_rec *r, jwtsso_reason_t why,
                        const char *token, const char *what, const char *fp,
                        const jwtsso_result_t *res, int remembered,
                        int bearer)
{
    const jwtsso_reasons_row_t *row = jwtsso_reasons_get(why);
    /* a bearer's refusal is its client's business, not the set-up's */
    const char *fix = bearer ? NULL : jwtsso_reasons_fix(why);
    int level;

    if (why == JWTSSO_R_INTERNAL) {
        ap_log_rerror(APLOG_MARK, row->level, 0, r, "%s: cannot verify a "
                      "%s: %s", row->tag, what, jwtsso_reason_text(why));
        return;
    }
    level = row->level == APLOG_INFO
          ? jwtsso_visible_level(why, !bearer && jwtsso_login_navigable(r))
          : row->level;
    ap_log_rerror(APLOG_MARK, level, 0, r, "%s: %s refused: %s: "
                  "%s (alg %s, kid '%s'%s%s, token %s%s)%s%s",
                  row->tag, what, row->name,
                  jwtsso_reason_text(why), jwtsso_alg_name(res->alg),
                  ap_escape_logitem(r->pool, res->kid),
                  res->claim ? ", claim " : "",
                  res->claim ? ap_escape_logitem(r->pool, res->claim)
                             : "",
                  fp ? fp : jwtsso_verify_fingerprint(r, token),
                  remembered ? "; refused here moments ago, not "
                               "verified again" : "",
                  fix ? "; fix: " : "", fix ? fix : "");
}

jwtsso_reason_t jwtsso_verify_token(request_rec *r,
                                    const jwtsso_dir_cfg *cfg,
                                    const char *token, int bearer,
                                    const char *what, const char *fp,
                                    jwtsso_result_t *res)
{
    jwtsso_policy_t pol;
    jwtsso_reason_t why;
    unsigned char nkey[JWTSSO_BCACHE_KEY_LEN];
    size_t len, slen;
    int keyed, remembered;

    policy_for(cfg, bearer, &pol);
    memset(res, 0, sizeof(*res));
    /* the same token refused at its signature moments ago (bcache.c):
     * refused again without a signature check, logged as the first time */
    keyed = jwtsso_bcache_key(r, cfg, token, nkey);
    remembered = keyed && jwtsso_bcache_refused(r, nkey, &why);
    if (!remembered) {
        len = strlen(token);
        /* decoded in the request pool: no malloc per verification; a
         * token over the size cap is refused before the scratch is
         * looked at */
        slen = len <= pol.max_size ? jwtsso_jws_scratch_len(len) : 0;
        why = jwtsso_jwksurl_verify(r, cfg, &pol, token, len, res,
                                    slen ? apr_palloc(r->pool, slen) : NULL,
                                    slen);
        if (why == JWTSSO_OK && bearer && !res->has_exp) {
            why = JWTSSO_R_NO_LIFETIME;     /* a bearer token needs an exp */
            res->claim = "exp";
        }
    }
    if (why == JWTSSO_OK) {
        return why;
    }
    log_refusal(r, why, token, what, fp, res, remembered, bearer);
    jwtsso_stats_fail(why);
    jwtsso_jws_result_clear(res);
    if (keyed && !remembered) {
        jwtsso_bcache_refuse(r, nkey, why);
    }
    return why;
}

void jwtsso_verify_replay_key(const jwtsso_result_t *res, const char *token,
                              unsigned char *key)
{
    unsigned int n = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        if (res->jti) {
            EVP_DigestUpdate(md, "jti\0", 4);
            if (res->iss) {
                EVP_DigestUpdate(md, res->iss, res->iss_len);
            }
            EVP_DigestUpdate(md, "\0", 1);
            EVP_DigestUpdate(md, res->jti, res->jti_len);
        }
        else {
            EVP_DigestUpdate(md, "jws\0", 4);
            EVP_DigestUpdate(md, token, strrchr(token, '.') - token);
        }
        EVP_DigestFinal_ex(md, key, &n);
    }
    if (n != JWTSSO_VERIFY_REPLAY_KEY_LEN) {
        memset(key, 0, JWTSSO_VERIFY_REPLAY_KEY_LEN);
    }
    EVP_MD_CTX_free(md);
}
