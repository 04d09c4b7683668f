/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * replay.c - the replay guard (DESIGN §2 step 4): each login token is
 * consumed once, in a store per virtual host (JWTSSOReplayCache), kept
 * until the token could no longer be accepted anyway. Here: the
 * directives, the stores' life in the pattern of httpd's shared caches
 * (checked in check_config, created in post_config, a child's clients in
 * child_init), and the policy: the window a store can remember, the keys
 * it takes, and failing closed - a store that cannot be asked or written
 * never lets a token through.
 *
 * It only answers "was this key consumed before?" and records it; the key
 * (a hash of the jti or of the signing input, verify.c), the token's end
 * and what to do with the answer are the login's and the bearer path's
 * (login.c, bearer.c). The stores' operations: socache.c (mod_socache
 * providers, under a global mutex) and memcache.c (memcache:, through a
 * client of our own, every operation bounded by JWTSSOReplayTimeout).
 *
 * Caches are shared by every server that names the same PROVIDER[:ARGS],
 * and all use one namespace, so hosts pointing at the same memcached see
 * each other's tokens.
 */
#include "glue.h"
#include "replay.h"

#include "http_core.h"
#include "ap_provider.h"
#include "apr_hash.h"
#include "apr_strings.h"

#include <errno.h>
#include <limits.h>

#define REPLAY_KEY_MIN   4                  /* mod_socache_shmcb's minimum */
#define REPLAY_TTL_MIN   2                  /* seconds; memcache needs >= 1 */
#define REPLAY_TTL_MAX   JWTSSO_REPLAY_TTL_MAX /* memcached: longer = a date */
/* An `until` under this is seconds, not microseconds: 10^12 s is the year
 * 33658, 10^12 us is 1970-01-12. */
#define REPLAY_SECONDS_BELOW APR_INT64_C(1000000000000)

typedef struct {
    const char *name;       /* provider; NULL: unset, JWTSSO_REPLAY_DEFAULT */
    const char *args;       /* after the first ':', or NULL */
    const char *spec;       /* as written */
    const char *where;      /* "file:line" of the directive */
    int off;                /* JWTSSOReplayCache none */
    int set;
    jwtsso_replay_store_t *store;   /* post_config; NULL: off or unused */
    apr_interval_time_t timeout;    /* JWTSSOReplayTimeout, microseconds */
    int timeout_set;
} replay_srv_t;

/* This configuration generation's state: reset in pre_config, set in
 * check_config when some section uses the module (post_config then makes
 * the stores). */
static int replay_used;

static const struct ap_socache_hints replay_hints = {
    32,                             /* id: a SHA-256 */
    24,                             /* 1 byte of data; shmcb's index share */
    30 * APR_USEC_PER_SEC           /* expiry sweep */
};

static replay_srv_t *srv_cfg(server_rec *s)
{
    return ap_get_module_config(s->module_config, &auth_jwtsso_module);
}

void *jwtsso_replay_create_srv(apr_pool_t *p, server_rec *s)
{
    (void)s;
    return apr_pcalloc(p, sizeof(replay_srv_t));
}

void *jwtsso_replay_merge_srv(apr_pool_t *p, void *basev, void *addv)
{
    const replay_srv_t *b = basev, *a = addv;
    replay_srv_t *n = apr_pcalloc(p, sizeof(*n));

    *n = a->set ? *a : *b;
    n->store = NULL;
    n->timeout_set = a->timeout_set || b->timeout_set;
    n->timeout = a->timeout_set ? a->timeout : b->timeout;
    return n;
}

static apr_interval_time_t timeout_of(const replay_srv_t *c)
{
    return c && c->timeout_set
           ? c->timeout
           : (apr_interval_time_t)JWTSSO_REPLAY_TIMEOUT_DEFAULT * 1000;
}

/* The provider name, arguments and printable spec in force for c. The
 * default is shmcb with JWTSSO_REPLAY_DEFAULT_SIZE bytes; the file name
 * (shmcb's own default one) is used only where anonymous shared memory is
 * not available. */
static void effective(const replay_srv_t *c, apr_pool_t *p,
                      const char **name, const char **args,
                      const char **spec)
{
    *name = c->set ? c->name : JWTSSO_REPLAY_DEFAULT;
    *args = c->set ? c->args : NULL;
    *spec = c->set ? c->spec : JWTSSO_REPLAY_DEFAULT;
    if (!*args && !strcmp(*name, "shmcb")) {
        /* "shmcb" alone: our size, not shmcb's 512 KiB */
        *args = apr_psprintf(p, "%s(%d)",
                             ap_runtime_dir_relative(p, "socache-shmcb-"
                                                     JWTSSO_REPLAY_NAMESPACE
                                                     ".cache"),
                             JWTSSO_REPLAY_DEFAULT_SIZE);
    }
}

static const char *where_of(const replay_srv_t *c)
{
    return c->set ? c->where
                  : "default, no " JWTSSO_D_REPLAY_CACHE " directive";
}

const char *jwtsso_replay_set(cmd_parms *cmd, void *dv, const char *arg)
{
    replay_srv_t *c = srv_cfg(cmd->server);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);
    const char *colon;
    char *name;

    (void)dv;
    if (err) {
        return err;
    }
    c->where = cmd->directive
               ? apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                              cmd->directive->line_num)
               : "(command line)";
    c->set = 1;
    c->off = 0;
    c->name = c->args = NULL;
    c->spec = apr_pstrdup(cmd->pool, arg);
    if (!strcasecmp(arg, "none")) {
        c->off = 1;
        return NULL;
    }
    colon = ap_strchr_c(arg, ':');
    name = colon ? apr_pstrmemdup(cmd->pool, arg, colon - arg)
                 : apr_pstrdup(cmd->pool, arg);
    ap_str_tolower(name);               /* providers register lower case */
    c->name = name;
    c->args = colon && colon[1] ? apr_pstrdup(cmd->pool, colon + 1) : NULL;
    if (!*c->name || ap_strchr_c(c->name, ' ') || ap_strchr_c(c->name, '\t')) {
        return apr_psprintf(cmd->pool, "%s: '%s' names no socache provider; "
                            "write shmcb, shmcb:/path(bytes), "
                            "memcache:host:port or none", cmd->cmd->name,
                            arg);
    }
    return NULL;
}

const char *jwtsso_replay_set_timeout(cmd_parms *cmd, void *dv,
                                      const char *arg)
{
    replay_srv_t *c = srv_cfg(cmd->server);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);
    char *end = NULL;
    apr_int64_t ms;

    (void)dv;
    if (err) {
        return err;
    }
    errno = 0;
    ms = apr_strtoi64(arg, &end, 10);
    if (errno || end == arg || *end || ms < JWTSSO_REPLAY_TIMEOUT_MIN
        || ms > JWTSSO_REPLAY_TIMEOUT_MAX) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a whole number of "
                            "milliseconds from %d to %d (default %d)",
                            cmd->cmd->name, arg, JWTSSO_REPLAY_TIMEOUT_MIN,
                            JWTSSO_REPLAY_TIMEOUT_MAX,
                            JWTSSO_REPLAY_TIMEOUT_DEFAULT);
    }
    c->timeout = (apr_interval_time_t)ms * 1000;
    c->timeout_set = 1;
    return NULL;
}

int jwtsso_replay_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp)
{
    (void)ptemp;
    replay_used = 0;
    return jwtsso_socache_register_mutex(pconf, plog);
}

int jwtsso_replay_check(server_rec *s, apr_pool_t *ptemp)
{
    apr_hash_t *seen = apr_hash_make(ptemp);
    int ret = OK;

    for (; s; s = s->next) {
        const replay_srv_t *c = srv_cfg(s);
        const ap_socache_provider_t *prov;
        ap_socache_instance_t *inst = NULL;
        const char *name, *args, *spec, *err;

        if (!c || c->off) {
            continue;
        }
        effective(c, ptemp, &name, &args, &spec);
        if (apr_hash_get(seen, spec, APR_HASH_KEY_STRING)) {
            continue;               /* one message per distinct value */
        }
        apr_hash_set(seen, spec, APR_HASH_KEY_STRING, spec);
        prov = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                  AP_SOCACHE_PROVIDER_VERSION);
        if (!prov && (!strcasecmp(name, "shmcb")
                      || !strcasecmp(name, "memcache")
                      || !strcasecmp(name, "redis")
                      || !strcasecmp(name, "dbm") || !strcasecmp(name, "dc")
                      || !strcasecmp(name, "shmht"))) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, JWTSSO_LOGNO(00702)
                         "%s %s (%s): the socache provider '%s' is not "
                         "loaded; load its module: LoadModule "
                         "socache_%s_module modules/mod_socache_%s.so "
                         "(Debian: a2enmod socache_%s)",
                         JWTSSO_D_REPLAY_CACHE, spec, where_of(c), name,
                         name, name, name);
            ret = HTTP_INTERNAL_SERVER_ERROR;
            continue;
        }
        if (!prov) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, JWTSSO_LOGNO(00720)
                         "%s %s (%s): '%s' is no socache provider; write "
                         "shmcb (one server), memcache:HOST:PORT (several "
                         "servers, with mod_socache_memcache) or none",
                         JWTSSO_D_REPLAY_CACHE, spec, where_of(c), name);
            ret = HTTP_INTERNAL_SERVER_ERROR;
            continue;
        }
        /* A trial instance on ptemp: create() only parses its arguments
         * (shared memory and connections come with init()). */
        err = prov->create(&inst, args, ptemp, ptemp);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, JWTSSO_LOGNO(00703)
                         "%s %s (%s): the %s provider refuses its "
                         "arguments: %s", JWTSSO_D_REPLAY_CACHE, spec,
                         where_of(c), name, err);
            ret = HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    if (ret == OK) {
        replay_used = 1;
    }
    return ret;
}

static apr_status_t store_cleanup(void *data)
{
    jwtsso_replay_store_t *st = data;

    if (st->inst) {
        st->provider->destroy(st->inst, st->s);
        st->inst = NULL;
    }
    return APR_SUCCESS;
}

int jwtsso_replay_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *stores;
    server_rec *v;
    apr_status_t rv;

    (void)plog;
    if (!replay_used) {
        return OK;                  /* no AuthType jwtsso anywhere */
    }
    stores = apr_hash_make(ptemp);
    for (v = s; v; v = v->next) {
        replay_srv_t *c = srv_cfg(v);
        jwtsso_replay_store_t *st;
        const char *name, *args, *spec, *err;

        if (!c || c->off) {
            continue;
        }
        effective(c, pconf, &name, &args, &spec);
        st = apr_hash_get(stores, spec, APR_HASH_KEY_STRING);
        if (!st) {
            st = apr_pcalloc(pconf, sizeof(*st));
            st->spec = spec;
            st->s = v;
            st->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP,
                                              name,
                                              AP_SOCACHE_PROVIDER_VERSION);
            if (!st->provider) {    /* jwtsso_replay_check() said so */
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            err = st->provider->create(&st->inst, args, ptemp, pconf);
            if (err) {
                ap_log_error(APLOG_MARK, APLOG_CRIT, 0, v,
                             JWTSSO_LOGNO(00704) "%s %s (%s): %s",
                             JWTSSO_D_REPLAY_CACHE, spec, where_of(c), err);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            rv = st->provider->init(st->inst, JWTSSO_REPLAY_NAMESPACE,
                                    &replay_hints, v, pconf);
            if (rv != APR_SUCCESS) {
                ap_log_error(APLOG_MARK, APLOG_CRIT, rv, v,
                             JWTSSO_LOGNO(00705) "%s %s (%s): cannot set "
                             "up the replay cache", JWTSSO_D_REPLAY_CACHE,
                             spec, where_of(c));
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            apr_pool_cleanup_register(pconf, st, store_cleanup,
                                      apr_pool_cleanup_null);
            if (!strcasecmp(name, "memcache")) {
                st->mc_args = apr_pstrdup(pconf, args);
            }
            apr_hash_set(stores, spec, APR_HASH_KEY_STRING, st);
        }
        c->store = st;
    }
    if (apr_hash_count(stores) == 0) {
        return OK;                  /* JWTSSOReplayCache none everywhere */
    }
    /* Always, not only for AP_SOCACHE_FLAG_NOTMPSAFE providers: the
     * look-up and the store must be one step, or two requests carrying the
     * same token could both find it fresh. */
    return jwtsso_socache_create_mutex(pconf, s);
}

void jwtsso_replay_child_init(apr_pool_t *p, server_rec *s)
{
    server_rec *v;

    for (v = s; v; v = v->next) {
        replay_srv_t *c = srv_cfg(v);
        if (c && c->store && c->store->mc_args && !c->store->mc) {
            c->store->mc = jwtsso_memcache_make(p, v, c->store->spec,
                                                c->store->mc_args);
        }
    }
    jwtsso_socache_reattach(p, s);
}

apr_time_t jwtsso_replay_until(long long end_sec, long long skew)
{
    long long s = end_sec;

    if (skew > 0) {
        s = s > LLONG_MAX - skew ? LLONG_MAX : s + skew;
    }
    s = s == LLONG_MAX ? s : s + 1;
    if (s < 0) {
        return 0;
    }
    if (s >= APR_INT64_MAX / APR_USEC_PER_SEC) {
        return APR_INT64_MAX;
    }
    return apr_time_from_sec(s);
}

/* The checks consume() and seen() share: the store of r->server, or NULL
 * (logged) when there is none or the key is unfit. */
static const jwtsso_replay_store_t *store_for(request_rec *r,
                                              const replay_srv_t *c,
                                              const unsigned char *key,
                                              size_t keylen)
{
    const jwtsso_replay_store_t *st = c ? c->store : NULL;

    if (!st || !st->inst) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00708)
                      "no replay cache is set up for this server; refusing "
                      "the token (was the module's check_config run?)");
        return NULL;
    }
    if (!key || keylen < REPLAY_KEY_MIN || keylen > JWTSSO_REPLAY_KEY_MAX) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00709)
                      "replay cache %s: a key of %" APR_SIZE_T_FMT " bytes "
                      "(%d to %d allowed); refusing the token", st->spec,
                      (apr_size_t)keylen, REPLAY_KEY_MIN,
                      JWTSSO_REPLAY_KEY_MAX);
        return NULL;
    }
    if (st->mc_args && !st->mc) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00717)
                      "replay cache %s: no memcache client in this "
                      "child; refusing the token", st->spec);
        return NULL;
    }
    return st;
}

jwtsso_replay_t jwtsso_replay_consume(request_rec *r,
                                      const unsigned char *key,
                                      size_t keylen, apr_time_t until)
{
    const replay_srv_t *c = srv_cfg(r->server);
    const jwtsso_replay_store_t *st;
    apr_time_t now, ttl;

    if (c && c->off) {
        return JWTSSO_REPLAY_OFF;
    }
    now = apr_time_now();
    if (until >= 0 && until < REPLAY_SECONDS_BELOW) {
        until = apr_time_from_sec(until);       /* given in seconds */
    }
    /* compared before any arithmetic that could overflow on a wild value:
     * now + 30 days is far from APR_INT64_MAX */
    if (until > now + apr_time_from_sec(REPLAY_TTL_MAX)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00721)
                      "token refused: replay_window_too_long: the token "
                      "stays acceptable for more than %d days (by its exp, "
                      "or iat + %s), longer than the replay cache can "
                      "remember it; have the IdP issue shorter-lived "
                      "tokens, or set a shorter %s", REPLAY_TTL_MAX / 86400,
                      JWTSSO_D_MAX_AGE, JWTSSO_D_MAX_AGE);
        return JWTSSO_REPLAY_TOO_LONG;
    }
    st = store_for(r, c, key, keylen);
    if (!st) {
        return JWTSSO_REPLAY_UNAVAILABLE;
    }
    /* whole seconds, rounded up */
    ttl = until < now + apr_time_from_sec(REPLAY_TTL_MIN)
          ? REPLAY_TTL_MIN
          : apr_time_sec(until - now + APR_USEC_PER_SEC - 1);
    if (st->mc) {
        return jwtsso_memcache_add(r, st, key, keylen, ttl, timeout_of(c));
    }
    return jwtsso_socache_add(r, st, key, keylen, now, ttl, timeout_of(c));
}

jwtsso_replay_t jwtsso_replay_seen(request_rec *r, const unsigned char *key,
                                   size_t keylen)
{
    const replay_srv_t *c = srv_cfg(r->server);
    const jwtsso_replay_store_t *st;

    if (c && c->off) {
        return JWTSSO_REPLAY_OFF;
    }
    st = store_for(r, c, key, keylen);
    if (!st) {
        return JWTSSO_REPLAY_UNAVAILABLE;
    }
    if (st->mc) {
        return jwtsso_memcache_get(r, st, key, keylen, timeout_of(c));
    }
    return jwtsso_socache_get(r, st, key, keylen, timeout_of(c));
}
