/*
 * replay.c - the replay cache of consumed tokens (DESIGN §2 step 4): a
 * mod_socache store per virtual host (JWTSSOReplayCache), in the pattern of
 * httpd's shared caches: the mutex registered in pre_config, the caches
 * created in post_config, the mutex reattached in child_init.
 *
 * It only answers "was this key consumed before?" and records it; the key
 * (a hash of the jti or of the signing input), its lifetime and what to do
 * with the answer are the flow's (flow.c). It fails closed: a store that
 * cannot be asked or written never lets a token through.
 *
 * Caches are shared by every server that names the same PROVIDER[:ARGS],
 * and all use one namespace, so hosts pointing at the same memcached see
 * each other's tokens.
 */
#include "glue.h"
#include "replay.h"

#include "http_core.h"
#include "ap_provider.h"
#include "ap_socache.h"
#include "util_mutex.h"
#include "apr_global_mutex.h"
#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_memcache.h"
#include "ap_mpm.h"

#define REPLAY_NAMESPACE "jwtsso-replay"    /* socache cname: <= 16 chars */
#define REPLAY_KEY_MIN   4                  /* mod_socache_shmcb's minimum */
#define REPLAY_TTL_MIN   2                  /* seconds; memcache needs >= 1 */
#define REPLAY_TTL_MAX   (30 * 86400)       /* memcached: longer = a date */
/* An `until` under this is seconds, not microseconds: 10^12 s is the year
 * 33658, 10^12 us is 1970-01-12. */
#define REPLAY_SECONDS_BELOW APR_INT64_C(1000000000000)

/* One socache instance, shared by the servers naming the same spec. */
typedef struct {
    const char *spec;                       /* "memcache:host:port" */
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *inst;
    server_rec *s;                          /* the server it was made for */
    const char *mc_args;    /* memcache: "host:port[,host:port]", or NULL */
    apr_memcache_t *mc;     /* memcache: our own client, per child */
} replay_store_t;

typedef struct {
    const char *name;       /* provider; NULL: unset, JWTSSO_REPLAY_DEFAULT */
    const char *args;       /* after the first ':', or NULL */
    const char *spec;       /* as written */
    const char *where;      /* "file:line" of the directive */
    int off;                /* JWTSSOReplayCache none */
    int set;
    replay_store_t *store;  /* post_config; NULL when off or unused */
} replay_srv_t;

/* This configuration generation's state: reset in pre_config, filled in
 * check (used) and post_config (the stores, the mutex), inherited by the
 * children through fork. */
static int replay_used;
static apr_global_mutex_t *replay_mutex;

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
    return n;
}

/* The provider name, arguments and printable spec in force for c. */
static void effective(const replay_srv_t *c, const char **name,
                      const char **args, const char **spec)
{
    if (c->set) {
        *name = c->name;
        *args = c->args;
        *spec = c->spec;
    }
    else {
        *name = JWTSSO_REPLAY_DEFAULT;
        *args = NULL;
        *spec = JWTSSO_REPLAY_DEFAULT;
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

int jwtsso_replay_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp)
{
    apr_status_t rv;

    (void)ptemp;
    replay_used = 0;
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
        effective(c, &name, &args, &spec);
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
    replay_store_t *st = data;

    if (st->inst) {
        st->provider->destroy(st->inst, st->s);
        st->inst = NULL;
    }
    return APR_SUCCESS;
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
        replay_store_t *st;
        const char *name, *args, *spec, *err;

        if (!c || c->off) {
            continue;
        }
        effective(c, &name, &args, &spec);
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
            rv = st->provider->init(st->inst, REPLAY_NAMESPACE,
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

/* Our own apr_memcache client for a memcache store, made in each child:
 * the socache API has no "add if absent", and a look-up then a store is
 * a race between cluster members (both find a token fresh). memcached's
 * "add" is that one atomic step. */
static void memcache_client(apr_pool_t *p, server_rec *s, replay_store_t *st)
{
    char *list = apr_pstrdup(p, st->mc_args), *tok, *last = NULL;
    int threads = 1, n = 0;
    apr_status_t rv;

    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    threads = threads > 0 ? threads : 1;
    for (tok = list; *tok; tok++) {
        n += *tok == ',';
    }
    rv = apr_memcache_create(p, (apr_uint16_t)(n + 1), 0, &st->mc);
    for (tok = apr_strtok(list, ",", &last); rv == APR_SUCCESS && tok;
         tok = apr_strtok(NULL, ",", &last)) {
        char *host = NULL, *scope = NULL;
        apr_port_t port = 0;
        apr_memcache_server_t *ms;

        rv = apr_parse_addr_port(&host, &scope, &port, tok, p);
        if (rv == APR_SUCCESS && (!host || !port)) {
            rv = APR_EINVAL;
        }
        if (rv == APR_SUCCESS) {
            rv = apr_memcache_server_create(p, host, port, 0, 1,
                                            (apr_uint32_t)threads,
                                            apr_time_from_sec(60), &ms);
        }
        if (rv == APR_SUCCESS) {
            rv = apr_memcache_add_server(st->mc, ms);
        }
    }
    if (rv != APR_SUCCESS) {
        /* consume() then refuses tokens (503): fail closed */
        st->mc = NULL;
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, JWTSSO_LOGNO(00716)
                     "replay cache %s: cannot set up the memcache client",
                     st->spec);
    }
}

void jwtsso_replay_child_init(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv;
    server_rec *v;

    for (v = s; v; v = v->next) {
        replay_srv_t *c = srv_cfg(v);
        if (c && c->store && c->store->mc_args && !c->store->mc) {
            memcache_client(p, v, c->store);
        }
    }
    if (!replay_mutex) {
        return;
    }
    rv = apr_global_mutex_child_init(&replay_mutex,
                                     apr_global_mutex_lockfile(replay_mutex),
                                     p);
    if (rv != APR_SUCCESS) {
        /* consume() then fails to lock and refuses tokens with 503 */
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, JWTSSO_LOGNO(00707)
                     "cannot reattach the %s mutex in the child",
                     JWTSSO_REPLAY_MUTEX);
    }
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

jwtsso_replay_t jwtsso_replay_consume(request_rec *r,
                                      const unsigned char *key,
                                      size_t keylen, apr_time_t until)
{
    const replay_srv_t *c = srv_cfg(r->server);
    const replay_store_t *st = c ? c->store : NULL;
    unsigned char val[256];
    unsigned int vlen = sizeof(val);
    unsigned char mark[1] = { '1' };
    apr_time_t now, ttl;
    jwtsso_replay_t ret;
    apr_status_t rv;

    if (c && c->off) {
        return JWTSSO_REPLAY_OFF;
    }
    if (!st || !st->inst) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00708)
                      "no replay cache is set up for this server; refusing "
                      "the token (was the module's check_config run?)");
        return JWTSSO_REPLAY_UNAVAILABLE;
    }
    if (!key || keylen < REPLAY_KEY_MIN || keylen > JWTSSO_REPLAY_KEY_MAX) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00709)
                      "replay cache %s: a key of %" APR_SIZE_T_FMT " bytes "
                      "(%d to %d allowed); refusing the token", st->spec,
                      (apr_size_t)keylen, REPLAY_KEY_MIN,
                      JWTSSO_REPLAY_KEY_MAX);
        return JWTSSO_REPLAY_UNAVAILABLE;
    }

    now = apr_time_now();
    if (until >= 0 && until < REPLAY_SECONDS_BELOW) {
        until = apr_time_from_sec(until);       /* given in seconds */
    }
    /* whole seconds, rounded up, compared before any arithmetic that
     * could overflow on a wild value */
    if (until < now + apr_time_from_sec(REPLAY_TTL_MIN)) {
        ttl = REPLAY_TTL_MIN;
    }
    else if (until > now + apr_time_from_sec(REPLAY_TTL_MAX)) {
        ttl = REPLAY_TTL_MAX;
    }
    else {
        ttl = apr_time_sec(until - now + APR_USEC_PER_SEC - 1);
    }

    if (st->mc_args) {
        /* one atomic step on memcached: "add" stores only what is absent */
        char hex[2 * JWTSSO_REPLAY_KEY_MAX + 1];
        const char *k;

        if (!st->mc) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00717)
                          "replay cache %s: no memcache client in this "
                          "child; refusing the token", st->spec);
            return JWTSSO_REPLAY_UNAVAILABLE;
        }
        ap_bin2hex(key, keylen, hex);
        k = apr_pstrcat(r->pool, REPLAY_NAMESPACE ":", hex, NULL);
        rv = apr_memcache_add(st->mc, k, (char *)mark, sizeof(mark),
                              (apr_uint32_t)ttl, 0);
        if (rv == APR_SUCCESS) {
            return JWTSSO_REPLAY_FRESH;
        }
        if (APR_STATUS_IS_EEXIST(rv)) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00718)
                          "replay cache %s: token %s... was consumed before",
                          st->spec, key_hint(r, key, keylen));
            return JWTSSO_REPLAY_SEEN;
        }
        /* APR_NOTFOUND here means no live server: never "fresh" */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00719)
                      "replay cache %s: cannot record the token (is the "
                      "store up?); refusing it", st->spec);
        return JWTSSO_REPLAY_UNAVAILABLE;
    }

    rv = replay_mutex ? apr_global_mutex_lock(replay_mutex) : APR_EINIT;
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00710)
                      "replay cache %s: cannot take the %s mutex; refusing "
                      "the token", st->spec, JWTSSO_REPLAY_MUTEX);
        return JWTSSO_REPLAY_UNAVAILABLE;
    }
    rv = st->provider->retrieve(st->inst, r->server, key,
                                (unsigned int)keylen, val, &vlen, r->pool);
    if (rv == APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00711)
                      "replay cache %s: token %s... was consumed before",
                      st->spec, key_hint(r, key, keylen));
        ret = JWTSSO_REPLAY_SEEN;
    }
    else if (!APR_STATUS_IS_NOTFOUND(rv)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00712)
                      "replay cache %s: cannot look the token up; refusing "
                      "it (is the store up?)", st->spec);
        ret = JWTSSO_REPLAY_UNAVAILABLE;
    }
    else {
        /* Not found: from mod_socache_memcache this also means "no live
         * server", so only a successful store makes the token fresh. */
        rv = st->provider->store(st->inst, r->server, key,
                                 (unsigned int)keylen,
                                 now + apr_time_from_sec(ttl), mark,
                                 sizeof(mark), r->pool);
        if (rv == APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, JWTSSO_LOGNO(00713)
                          "replay cache %s: token %s... recorded for %"
                          APR_TIME_T_FMT " s", st->spec,
                          key_hint(r, key, keylen), ttl);
            ret = JWTSSO_REPLAY_FRESH;
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00714)
                          "replay cache %s: cannot record the token%s; "
                          "refusing it (is the store up?)", st->spec,
                          APR_STATUS_IS_NOTFOUND(rv)
                          ? " (no server of the store answers)" : "");
            ret = JWTSSO_REPLAY_UNAVAILABLE;
        }
    }
    rv = apr_global_mutex_unlock(replay_mutex);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00715)
                      "replay cache %s: cannot release the %s mutex",
                      st->spec, JWTSSO_REPLAY_MUTEX);
    }
    return ret;
}
