/*
 * bcache.c - the per-process cache of verified bearer tokens
 * (JWTSSOBearerCacheSize, JWTSSOBearerCache; DESIGN §8).
 *
 * A bearer token signed with a public key (RS*, PS*, ES*, EdDSA) costs a
 * public-key verification per request, and even an HMAC one costs its
 * JSON scan, claim checks and claims view again (scripts/bench's bearer
 * rows, with and without the cache, measure it); API clients send the
 * same token until it expires.
 * Each httpd child keeps the last verified ones
 * (src/core/vcache.c): keyed by SHA-256 over what decides the verdict (the
 * section's key set, algorithms, issuer, audience, user claim, skew and
 * size cap) and the whole token, holding what the app is given (user and
 * claims), valid until the token's own exp and never longer.
 *
 * Only a verified token is ever stored, and only under the exact bytes of
 * that token and that policy, so a cache hit grants nothing a verification
 * would not have. What it cannot see: a key removed from the configuration
 * (a restart starts new children with empty caches).
 *
 * Beside it, a second, smaller cache remembers recent refusals for
 * REFUSED_TTL seconds, under the same key: only a refusal at the
 * signature step (bad_signature, kid_required), which depends on nothing
 * but the token's bytes and the section's keys, algorithms, size cap and
 * JWTSSOMaxKeysWithoutKid, all in the key; never one that time could
 * change (expired, too_old, ...). A client repeating one forged RS256 or
 * ES256 token then costs a hash and a lookup per request instead of up to
 * JWTSSOMaxKeysWithoutKid signature checks. Its own cache, so a flood of
 * forged tokens never evicts a verified one.
 */
#include "glue.h"

#include "apr_strings.h"

#include <openssl/evp.h>

#include "vcache.h"

/* The largest blob kept: user, claims JSON and flat claims, all bounded
 * by JWTSSO_RECORD_CLAIMS_MAX, fit well inside. */
#define BLOB_MAX 8192

/* Refusals: entries per child and how long one is remembered (seconds). */
#define REFUSED_ENTRIES 512
#define REFUSED_TTL 10

/* JWTSSOBearerCacheSize: entries per child; -1 until a configuration sets it.
 * Reset by pre_config, as the configuration is read anew on a restart. */
static long configured = -1;
static jwtsso_vcache_t *cache;
static jwtsso_vcache_t *refusals;
/* SHA-256 for the keys, fetched once per child with the cache */
static EVP_MD *sha256;

const char *jwtsso_bcache_set(cmd_parms *cmd, void *dv, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    char *end;
    long n;

    (void)dv;
    if (err) {
        return err;
    }
    n = strtol(arg, &end, 10);
    if (*arg < '0' || *arg > '9' || *end || (n != 0 && n < 16)
        || n > 1048576) {
        return JWTSSO_D_BEARER_CACHE_SIZE " takes a number of tokens, 0 "
               "(no cache) or from 16 to 1048576; e.g. "
               JWTSSO_D_BEARER_CACHE_SIZE " 1024";
    }
    configured = n;
    return NULL;
}

int jwtsso_bcache_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    configured = -1;
    return OK;
}

static apr_status_t bcache_free(void *data)
{
    (void)data;
    jwtsso_vcache_free(cache);
    cache = NULL;
    jwtsso_vcache_free(refusals);
    refusals = NULL;
    EVP_MD_free(sha256);
    sha256 = NULL;
    return APR_SUCCESS;
}

void jwtsso_bcache_child_init(apr_pool_t *p, server_rec *s)
{
    long n = configured < 0 ? JWTSSO_BCACHE_DEFAULT : configured;

    if (n == 0) {
        return;
    }
    cache = jwtsso_vcache_new((size_t)n, BLOB_MAX);
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!cache || !sha256) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, JWTSSO_LOGNO(00801)
                     "cannot make the bearer token cache (%ld entries): "
                     "out of memory, or no SHA-256 from OpenSSL's "
                     "providers; bearer tokens are verified each time", n);
        bcache_free(NULL);
        return;
    }
    refusals = jwtsso_vcache_new(REFUSED_ENTRIES, 1);
    if (!refusals) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, JWTSSO_LOGNO(00803)
                     "cannot make the cache of recent token refusals: out "
                     "of memory; forged tokens are verified each time");
    }
    apr_pool_cleanup_register(p, NULL, bcache_free, apr_pool_cleanup_null);
}

/* Feed a string and its NUL (NULL as a lone 0xff) to the digest. */
static int put_str(EVP_MD_CTX *md, const char *s)
{
    static const unsigned char none = 0xff;

    return s ? EVP_DigestUpdate(md, s, strlen(s) + 1)
             : EVP_DigestUpdate(md, &none, 1);
}

int jwtsso_bcache_key(request_rec *r, const jwtsso_dir_cfg *cfg,
                      const char *token, unsigned char *key)
{
    struct {
        const void *keys;
        unsigned algs, max_kidless;
        long long skew, max_token_size, max_age;
    } id;
    EVP_MD_CTX *md;
    int ok;

    (void)r;
    if (!cache || !cfg->bearer_cache || !cfg->keys) {
        return 0;
    }
    memset(&id, 0, sizeof(id));
    id.keys = cfg->keys->keys;
    id.algs = cfg->algs;
    id.max_kidless = cfg->max_kidless;
    id.skew = cfg->skew;
    id.max_token_size = cfg->max_token_size;
    id.max_age = cfg->max_age;
    /* the digest fetched once; a context per call, as hmac.c */
    md = EVP_MD_CTX_new();
    ok = md && EVP_DigestInit_ex(md, sha256, NULL)
         && EVP_DigestUpdate(md, &id, sizeof(id))
         && put_str(md, cfg->issuer) && put_str(md, cfg->audience)
         && put_str(md, cfg->user_claim) && put_str(md, cfg->bearer_audience)
         && EVP_DigestUpdate(md, token, strlen(token))
         && EVP_DigestFinal_ex(md, key, NULL);
    EVP_MD_CTX_free(md);
    return ok;
}

static void *pool_alloc(void *ctx, size_t len)
{
    return apr_palloc(ctx, len);
}

/* blob: user NUL claims_json NUL { name NUL value NUL } */
int jwtsso_bcache_get(request_rec *r, const unsigned char *key,
                      jwtsso_record_t *rec)
{
    void *blob;
    size_t len, n = 0, i;
    const char *p, *end;

    if (!cache || !jwtsso_vcache_get(cache, key,
                                     (long long)apr_time_sec(r->request_time),
                                     pool_alloc, r->pool, &blob, &len)) {
        return 0;
    }
    p = blob;
    end = p + len;
    /* what we stored: the flags and sid, user, claims JSON, then names and
     * values; every one NUL-terminated */
    if (len < 4 || end[-1] != '\0' || (p[0] != 't' && p[0] != '-')) {
        return 0;
    }
    for (i = 0; p + i < end; i++) {
        n += p[i] == '\0';
    }
    if (n < 3 || (n - 1) % 2) {
        return 0;
    }
    memset(rec, 0, sizeof(*rec));
    rec->truncated = p[0] == 't';
    rec->sid = p + 1;
    p += strlen(p) + 1;
    n--;
    rec->user = p;
    p += strlen(p) + 1;
    rec->claims_json = p;
    p += strlen(p) + 1;
    rec->nclaims = (n - 2) / 2;
    rec->claims = apr_palloc(r->pool, (rec->nclaims + 1) * sizeof(*rec->claims));
    for (i = 0; i < rec->nclaims; i++) {
        rec->claims[i].name = p;
        p += strlen(p) + 1;
        rec->claims[i].value = p;
        p += strlen(p) + 1;
        rec->claims[i].json = NULL;     /* claims_json has it all */
        rec->claims[i].type = 0;
    }
    rec->auth_time = (long long)apr_time_sec(r->request_time);
    return 1;
}

void jwtsso_bcache_put(request_rec *r, const unsigned char *key,
                       long long until, const jwtsso_record_t *rec)
{
    size_t len, i, n;
    char *blob, *p;

    if (!cache) {
        return;
    }
    len = 1 + strlen(rec->sid) + 1 + strlen(rec->user) + 1
          + strlen(rec->claims_json) + 1;
    for (i = 0; i < rec->nclaims; i++) {
        len += strlen(rec->claims[i].name) + 1
               + strlen(rec->claims[i].value) + 1;
    }
    if (len > BLOB_MAX) {
        return;
    }
    blob = apr_palloc(r->pool, len);
    p = blob;
#define PUT(s) (n = strlen(s) + 1, memcpy(p, (s), n), p += n)
    *p++ = rec->truncated ? 't' : '-';
    PUT(rec->sid);
    PUT(rec->user);
    PUT(rec->claims_json);
    for (i = 0; i < rec->nclaims; i++) {
        PUT(rec->claims[i].name);
        PUT(rec->claims[i].value);
    }
#undef PUT
    jwtsso_vcache_put(cache, key, (long long)apr_time_sec(r->request_time),
                      until, blob, len);
}

/* Only refusals that depend on the token and the section alone. */
static int lasting(jwtsso_reason_t why)
{
    return why == JWTSSO_R_BAD_SIGNATURE || why == JWTSSO_R_KID_REQUIRED;
}

int jwtsso_bcache_refused(request_rec *r, const unsigned char *key,
                          jwtsso_reason_t *why)
{
    void *blob;
    size_t len;
    jwtsso_reason_t w;

    if (!refusals
        || !jwtsso_vcache_get(refusals, key,
                              (long long)apr_time_sec(r->request_time),
                              pool_alloc, r->pool, &blob, &len)
        || len != 1) {
        return 0;
    }
    w = (jwtsso_reason_t)*(unsigned char *)blob;
    if (!lasting(w)) {
        return 0;
    }
    *why = w;
    return 1;
}

void jwtsso_bcache_refuse(request_rec *r, const unsigned char *key,
                          jwtsso_reason_t why)
{
    unsigned char b = (unsigned char)why;
    long long now = (long long)apr_time_sec(r->request_time);

    if (refusals && lasting(why)) {
        jwtsso_vcache_put(refusals, key, now, now + REFUSED_TTL, &b, 1);
    }
}
