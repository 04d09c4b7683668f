/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * socache.c - the replay cache on a mod_socache provider (shmcb, or any
 * other but the memcache: spec, which memcache.c serves): the look-up and
 * the store of a consumed token, made one step by a global mutex, and that
 * mutex's life in the pattern of httpd's shared caches (registered in
 * pre_config, created in post_config, reattached in child_init).
 *
 * The provider instances themselves, and what a token's key and lifetime
 * are, belong to the replay guard (replay.c).
 */
#include "glue.h"
#include "replay.h"

#include "util_mutex.h"
#include "apr_global_mutex.h"
#include "apr_strings.h"

/* This configuration generation's mutex: reset in pre_config, created in
 * post_config, inherited by the children through fork. */
static apr_global_mutex_t *replay_mutex;

int jwtsso_socache_register_mutex(apr_pool_t *pconf, apr_pool_t *plog)
{
    apr_status_t rv;

    replay_mutex = NULL;
    rv = ap_mutex_register(pconf, JWTSSO_REPLAY_MUTEX, NULL,
                           APR_LOCK_DEFAULT, 0);
    if (rv != APR_SUCCESS) {
        ap_log_perror(APLOG_MARK, APLOG_CRIT, rv, plog, JWTSSO_LOGNO(00701)
                      "cannot register the %s mutex", JWTSSO_REPLAY_MUTEX);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static apr_status_t mutex_cleanup(void *data)
{
    (void)data;
    if (replay_mutex) {
        apr_global_mutex_destroy(replay_mutex);
        replay_mutex = NULL;
    }
    return APR_SUCCESS;
}

int jwtsso_socache_create_mutex(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv;

    rv = ap_global_mutex_create(&replay_mutex, NULL, JWTSSO_REPLAY_MUTEX,
                                NULL, s, pconf, 0);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, JWTSSO_LOGNO(00706)
                     "cannot create the %s mutex; see the Mutex directive",
                     JWTSSO_REPLAY_MUTEX);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, NULL, mutex_cleanup,
                              apr_pool_cleanup_null);
    return OK;
}

void jwtsso_socache_reattach(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv;

    if (!replay_mutex) {
        return;
    }
    rv = apr_global_mutex_child_init(&replay_mutex,
                                     apr_global_mutex_lockfile(replay_mutex),
                                     p);
    if (rv != APR_SUCCESS) {
        /* consuming then fails to lock and refuses tokens with 503 */
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, JWTSSO_LOGNO(00707)
                     "cannot reattach the %s mutex in the child",
                     JWTSSO_REPLAY_MUTEX);
    }
}

/* The global mutex, waited for at most timeout (a blocking wait where
 * this APR has no timed locks). */
static apr_status_t lock_bounded(apr_interval_time_t timeout)
{
    apr_status_t rv;

    if (!replay_mutex) {
        return APR_EINIT;
    }
    rv = apr_global_mutex_timedlock(replay_mutex, timeout);
    if (APR_STATUS_IS_ENOTIMPL(rv)) {
        rv = apr_global_mutex_lock(replay_mutex);
    }
    return rv;
}

/* The first bytes of the key in hex, to match log lines (not a secret: a
 * hash of the jti or of the signing input). */
static const char *key_hint(request_rec *r, const unsigned char *key,
                            size_t keylen)
{
    char *out = apr_palloc(r->pool, 9);

    ap_bin2hex(key, keylen < 4 ? keylen : 4, out);
    return out;
}

/* Under the mutex: SEEN when key is there, else FRESH once it is stored
 * until expiry, else UNAVAILABLE (logged). */
static jwtsso_replay_t look_up_and_store(request_rec *r,
                                         const jwtsso_replay_store_t *st,
                                         const unsigned char *key,
                                         size_t keylen, apr_time_t expiry,
                                         apr_time_t ttl)
{
    unsigned char val[256];
    unsigned int vlen = sizeof(val);
    unsigned char mark[1] = { '1' };
    apr_status_t rv;

    rv = st->provider->retrieve(st->inst, r->server, key,
                                (unsigned int)keylen, val, &vlen, r->pool);
    if (rv == APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00711)
                      "replay cache %s: token %s... was consumed before",
                      st->spec, key_hint(r, key, keylen));
        return JWTSSO_REPLAY_SEEN;
    }
    if (!APR_STATUS_IS_NOTFOUND(rv)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00712)
                      "replay cache %s: cannot look the token up; refusing "
                      "it (is the store up?)", st->spec);
        return JWTSSO_REPLAY_UNAVAILABLE;
    }
    /* Not found: from mod_socache_memcache this also means "no live
     * server", so only a successful store makes the token fresh. */
    rv = st->provider->store(st->inst, r->server, key, (unsigned int)keylen,
                             expiry, mark, sizeof(mark), r->pool);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00714)
                      "replay cache %s: cannot record the token%s; "
                      "refusing it (is the store up?)", st->spec,
                      APR_STATUS_IS_NOTFOUND(rv)
                      ? " (no server of the store answers)" : "");
        return JWTSSO_REPLAY_UNAVAILABLE;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, JWTSSO_LOGNO(00713)
                  "replay cache %s: token %s... recorded for %"
                  APR_TIME_T_FMT " s", st->spec, key_hint(r, key, keylen),
                  ttl);
    return JWTSSO_REPLAY_FRESH;
}

jwtsso_replay_t jwtsso_socache_add(request_rec *r,
                                   const jwtsso_replay_store_t *st,
                                   const unsigned char *key, size_t keylen,
                                   apr_time_t now, apr_time_t ttl,
                                   apr_interval_time_t timeout)
{
    jwtsso_replay_t ret;
    apr_status_t rv;

    rv = lock_bounded(timeout);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00710)
                      "replay cache %s: cannot take the %s mutex within %"
                      APR_TIME_T_FMT " ms (%s); refusing the token",
                      st->spec, JWTSSO_REPLAY_MUTEX, timeout / 1000,
                      JWTSSO_D_REPLAY_TIMEOUT);
        return JWTSSO_REPLAY_UNAVAILABLE;
    }
    ret = look_up_and_store(r, st, key, keylen,
                            now + apr_time_from_sec(ttl), ttl);
    rv = apr_global_mutex_unlock(replay_mutex);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00715)
                      "replay cache %s: cannot release the %s mutex",
                      st->spec, JWTSSO_REPLAY_MUTEX);
    }
    return ret;
}

jwtsso_replay_t jwtsso_socache_get(request_rec *r,
                                   const jwtsso_replay_store_t *st,
                                   const unsigned char *key, size_t keylen,
                                   apr_interval_time_t timeout)
{
    unsigned char val[256];
    unsigned int vlen = sizeof(val);
    int locked = 0;
    apr_status_t rv;

    /* A provider that is not multi-process safe (shmcb) may not be read
     * while another child writes it. */
    if (st->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = lock_bounded(timeout);
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00727)
                          "replay cache %s: cannot take the %s mutex within %"
                          APR_TIME_T_FMT " ms (%s) to look a token up",
                          st->spec, JWTSSO_REPLAY_MUTEX, timeout / 1000,
                          JWTSSO_D_REPLAY_TIMEOUT);
            return JWTSSO_REPLAY_UNAVAILABLE;
        }
        locked = 1;
    }
    rv = st->provider->retrieve(st->inst, r->server, key,
                                (unsigned int)keylen, val, &vlen, r->pool);
    if (locked) {
        apr_global_mutex_unlock(replay_mutex);
    }
    if (rv == APR_SUCCESS) {
        return JWTSSO_REPLAY_SEEN;
    }
    if (APR_STATUS_IS_NOTFOUND(rv)) {
        return JWTSSO_REPLAY_FRESH;
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00728)
                  "replay cache %s: cannot look a token up (is the store "
                  "up?)", st->spec);
    return JWTSSO_REPLAY_UNAVAILABLE;
}
