/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * bcache.c - the per-process cache of verified bearer tokens
 * (JWTSSOBearerCacheSize, JWTSSOBearerCache; DESIGN §8).
 *
 * API clients send the same token until it expires, and each request
 * would cost a signature check (public-key for RS*, PS*, ES*, EdDSA), a
 * JSON parse, claim checks and a claims view (scripts/bench's bearer rows
 * with and without the cache). Each httpd child keeps the last verified
 * ones, keyed by SHA-256 over what decides the verdict (the section's key
 * set, algorithms, issuer, audience, user claim, skew and size cap) and
 * the whole token, holding what the app is given, valid until the token's
 * own exp (or the end the login rules give it) and never longer.
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
 *
 * Each is an APR hash from key to entry and a ring of the entries, most
 * recently used first, under one mutex (the event and worker MPMs run a
 * child's requests on many threads); per child, not shared through
 * mod_socache, so a hit takes no cross-process lock. Bounded: at most
 * `cap` entries (the least recently used makes room), blobs of at most
 * max_blob bytes.
 */
#include "glue.h"

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include <openssl/evp.h>

/* The largest blob kept: user, claims JSON and flat claims, all bounded
 * by JWTSSO_RECORD_CLAIMS_MAX, fit well inside. */
#define BLOB_MAX 8192

/* Refusals: entries per child and how long one is remembered (seconds). */
#define REFUSED_ENTRIES 512
#define REFUSED_TTL 10

#define KEY_LEN JWTSSO_BCACHE_KEY_LEN

typedef struct entry entry_t;
struct entry {
    unsigned char key[KEY_LEN];
    entry_t *prev, *next;       /* the ring; next alone on the free list */
    long long until;            /* valid while now < until */
    void *blob;                 /* malloc'd, len bytes */
    size_t len;
};

typedef struct {
    apr_thread_mutex_t *mu;
    apr_hash_t *index;          /* key -> entry_t * */
    entry_t ring;               /* ring.next most, ring.prev least recent */
    entry_t *slots;             /* cap entries, the first `used` ever used */
    size_t cap, used;
    entry_t *free;              /* dropped entries, through next */
    size_t max_blob;
} lru_t;

/* JWTSSOBearerCacheSize: entries per child; -1 until a configuration sets it.
 * Reset by pre_config, as the configuration is read anew on a restart. */
static long configured = -1;
static lru_t *cache;
static lru_t *refusals;
/* SHA-256 for the keys, fetched once per child with the cache */
static EVP_MD *sha256;

/* Keys are SHA-256 outputs: their first bytes are as good a hash as any. */
static unsigned int key_hash(const char *key, apr_ssize_t *klen)
{
    unsigned int h;

    (void)klen;
    memcpy(&h, key, sizeof(h));
    return h;
}

static lru_t *lru_make(apr_pool_t *p, size_t cap, size_t max_blob)
{
    lru_t *c = apr_pcalloc(p, sizeof(*c));

    if (apr_thread_mutex_create(&c->mu, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return NULL;
    }
    c->index = apr_hash_make_custom(p, key_hash);
    /* not zeroed: a slot is written when first used, so a large cache
     * costs memory only as it fills */
    c->slots = apr_palloc(p, cap * sizeof(*c->slots));
    c->cap = cap;
    c->max_blob = max_blob;
    c->ring.next = c->ring.prev = &c->ring;
    return c;
}

static void unlink_entry(entry_t *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
}

static void push_front(lru_t *c, entry_t *e)
{
    e->prev = &c->ring;
    e->next = c->ring.next;
    c->ring.next->prev = e;
    c->ring.next = e;
}

/* Out of the index and the ring, onto the free list; its blob is the
 * caller's to free (after the unlock). Under the lock. */
static void *drop(lru_t *c, entry_t *e)
{
    void *blob = e->blob;

    apr_hash_set(c->index, e->key, KEY_LEN, NULL);
    unlink_entry(e);
    e->blob = NULL;
    e->next = c->free;
    c->free = e;
    return blob;
}

/* A copy of key's blob in pool, valid at now; the entry becomes the most
 * recently used. An expired entry found is dropped. */
static void *lru_get(lru_t *c, const unsigned char *key, long long now,
                     apr_pool_t *pool, size_t *len)
{
    entry_t *e;
    void *out = NULL, *old = NULL;

    apr_thread_mutex_lock(c->mu);
    e = apr_hash_get(c->index, key, KEY_LEN);
    if (e && e->until <= now) {
        old = drop(c, e);
    }
    else if (e) {
        out = apr_pmemdup(pool, e->blob, e->len);
        *len = e->len;
        unlink_entry(e);
        push_front(c, e);
    }
    apr_thread_mutex_unlock(c->mu);
    free(old);
    return out;
}

/* Keep a copy of blob under key until `until`, replacing the key's entry
 * or taking a dropped one, an unused slot, else the least recently used.
 * Nothing when it is empty, too large, already expired or malloc fails. */
static void lru_put(lru_t *c, const unsigned char *key, long long now,
                    long long until, const void *blob, size_t len)
{
    entry_t *e;
    void *copy, *old = NULL;

    if (len == 0 || len > c->max_blob || until <= now
        || (copy = malloc(len)) == NULL) {
        return;
    }
    memcpy(copy, blob, len);
    apr_thread_mutex_lock(c->mu);
    e = apr_hash_get(c->index, key, KEY_LEN);
    if (e) {
        unlink_entry(e);
        old = e->blob;
    }
    else {
        if (!c->free && c->used == c->cap) {
            old = drop(c, c->ring.prev);
        }
        if (c->free) {
            e = c->free;
            c->free = e->next;
        }
        else {
            e = &c->slots[c->used++];
        }
        memcpy(e->key, key, KEY_LEN);
        apr_hash_set(c->index, e->key, KEY_LEN, e);
    }
    e->blob = copy;
    e->len = len;
    e->until = until;
    push_front(c, e);
    apr_thread_mutex_unlock(c->mu);
    free(old);
}

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

/* Registered after the mutexes were made: runs before their cleanups. */
static apr_status_t bcache_free(void *data)
{
    lru_t *c[2] = { cache, refusals };
    size_t i, k;

    (void)data;
    for (k = 0; k < 2; k++) {
        for (i = 0; c[k] && i < c[k]->used; i++) {
            free(c[k]->slots[i].blob);
        }
    }
    cache = refusals = NULL;
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
    cache = lru_make(p, (size_t)n, BLOB_MAX);
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!cache || !sha256) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, JWTSSO_LOGNO(00801)
                     "cannot make the bearer token cache (%ld entries): "
                     "no mutex, or no SHA-256 from OpenSSL's providers; "
                     "bearer tokens are verified each time", n);
        bcache_free(NULL);
        return;
    }
    refusals = lru_make(p, REFUSED_ENTRIES, 1);
    if (!refusals) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, JWTSSO_LOGNO(00803)
                     "cannot make the cache of recent token refusals: no "
                     "mutex; forged tokens are verified each time");
    }
    apr_pool_cleanup_register(p, NULL, bcache_free, apr_pool_cleanup_null);
}

/* Append s and its NUL. */
static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s) + 1;

    memcpy(p, s, n);
    return p + n;
}

int jwtsso_bcache_key(request_rec *r, const jwtsso_dir_cfg *cfg,
                      const char *token, unsigned char *key)
{
    struct {
        const void *keys;
        apr_uint32_t gen;           /* of keys from a URL: a rotation */
        unsigned algs, max_kidless;
        long long skew, max_token_size, max_age;
    } id;
    const char *str[5];
    size_t len[5], total = sizeof(id), i;
    char *buf, *p;

    if (!cache || !cfg->bearer_cache || !cfg->keys) {
        return 0;
    }
    memset(&id, 0, sizeof(id));     /* the padding too: it is hashed */
    id.keys = cfg->keys->keys;
    id.gen = jwtsso_jwksurl_generation(r, cfg);
    id.algs = cfg->algs;
    id.max_kidless = cfg->max_kidless;
    id.skew = cfg->skew;
    id.max_token_size = cfg->max_token_size;
    id.max_age = cfg->max_age;
    str[0] = cfg->issuer;
    str[1] = cfg->audience;
    str[2] = cfg->user_claim;
    str[3] = cfg->bearer_audience;
    str[4] = token;
    for (i = 0; i < 5; i++) {
        len[i] = str[i] ? strlen(str[i]) + 1 : 1;
        total += len[i];
    }
    buf = p = apr_palloc(r->pool, total);
    memcpy(p, &id, sizeof(id));
    p += sizeof(id);
    for (i = 0; i < 5; i++) {
        /* each with its NUL; an unset one as a lone 0xff */
        memcpy(p, str[i] ? str[i] : "\xff", len[i]);
        p += len[i];
    }
    return EVP_Digest(buf, total, key, NULL, sha256, NULL);
}

/* blob: flag ('t' claims truncated, else '-'), then sid, user, claims
 * JSON and the names and values of the flat claims, each NUL-terminated */
int jwtsso_bcache_get(request_rec *r, const unsigned char *key,
                      jwtsso_record_t *rec)
{
    size_t len = 0, n = 0, i;
    const char *p, *end;

    if (!cache || !(p = lru_get(cache, key,
                                (long long)apr_time_sec(r->request_time),
                                r->pool, &len))) {
        return 0;
    }
    end = p + len;
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
    rec->user = p;
    p += strlen(p) + 1;
    rec->claims_json = p;
    p += strlen(p) + 1;
    rec->nclaims = (n - 3) / 2;
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
    size_t len, i;
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
    *p++ = rec->truncated ? 't' : '-';
    p = put_str(p, rec->sid);
    p = put_str(p, rec->user);
    p = put_str(p, rec->claims_json);
    for (i = 0; i < rec->nclaims; i++) {
        p = put_str(p, rec->claims[i].name);
        p = put_str(p, rec->claims[i].value);
    }
    lru_put(cache, key, (long long)apr_time_sec(r->request_time), until,
            blob, len);
}

/* Only refusals that depend on the token and the section alone. */
static int lasting(jwtsso_reason_t why)
{
    return why == JWTSSO_R_BAD_SIGNATURE || why == JWTSSO_R_KID_REQUIRED;
}

int jwtsso_bcache_refused(request_rec *r, const unsigned char *key,
                          jwtsso_reason_t *why)
{
    const unsigned char *blob;
    size_t len = 0;

    if (!refusals
        || !(blob = lru_get(refusals, key,
                            (long long)apr_time_sec(r->request_time),
                            r->pool, &len))
        || len != 1 || !lasting((jwtsso_reason_t)*blob)) {
        return 0;
    }
    *why = (jwtsso_reason_t)*blob;
    return 1;
}

void jwtsso_bcache_refuse(request_rec *r, const unsigned char *key,
                          jwtsso_reason_t why)
{
    unsigned char b = (unsigned char)why;
    long long now = (long long)apr_time_sec(r->request_time);

    if (refusals && lasting(why)) {
        lru_put(refusals, key, now, now + REFUSED_TTL, &b, 1);
    }
}
