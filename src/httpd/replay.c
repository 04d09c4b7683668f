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
 * each other's tokens. memcache: goes through a small client of our own,
 * every operation bounded by JWTSSOReplayTimeout (why: see below).
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
#include "apr_memcache.h"      /* apr_memcache_hash_default() only */
#include "apr_network_io.h"
#include "apr_thread_mutex.h"
#include "ap_mpm.h"

#include <errno.h>
#include <limits.h>

#define REPLAY_NAMESPACE "jwtsso-replay"    /* socache cname: <= 16 chars */
#define REPLAY_KEY_MIN   4                  /* mod_socache_shmcb's minimum */
#define REPLAY_TTL_MIN   2                  /* seconds; memcache needs >= 1 */
#define REPLAY_TTL_MAX   JWTSSO_REPLAY_TTL_MAX /* memcached: longer = a date */
/* After a failed memcache operation the server is not asked again for this
 * long: logins fail at once instead of each waiting for the timeout. */
#define MC_PAUSE         APR_USEC_PER_SEC
#define MC_REPLY_MAX     512    /* longest answer read (ours: ~110 bytes) */
/* An `until` under this is seconds, not microseconds: 10^12 s is the year
 * 33658, 10^12 us is 1970-01-12. */
#define REPLAY_SECONDS_BELOW APR_INT64_C(1000000000000)

/* memcache: one idle connection of a child's pool. */
typedef struct mc_conn {
    apr_pool_t *p;                  /* the socket's; destroyed with it */
    apr_socket_t *sock;
    struct mc_conn *next;
} mc_conn_t;

/* memcache: one memcached of the spec, as a child sees it. */
typedef struct {
    const char *host;
    apr_port_t port;
    apr_pool_t *p;              /* the child's: sockaddr, connection pools */
    apr_sockaddr_t *sa;         /* resolved on first use */
    apr_thread_mutex_t *lock;   /* everything below, and p */
    mc_conn_t *idle;            /* connections that answered fully */
    int nidle, max_idle;
    apr_time_t failed_at;       /* last failure; 0: none since an answer */
} mc_server_t;

/* One socache instance, shared by the servers naming the same spec. */
typedef struct {
    const char *spec;                       /* "memcache:host:port" */
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *inst;
    server_rec *s;                          /* the server it was made for */
    const char *mc_args;    /* memcache: "host:port[,host:port]", or NULL */
    mc_server_t *mc;        /* memcache: our own client, per child */
    int mc_n;               /* its servers */
} replay_store_t;

typedef struct {
    const char *name;       /* provider; NULL: unset, JWTSSO_REPLAY_DEFAULT */
    const char *args;       /* after the first ':', or NULL */
    const char *spec;       /* as written */
    const char *where;      /* "file:line" of the directive */
    int off;                /* JWTSSOReplayCache none */
    int set;
    replay_store_t *store;  /* post_config; NULL when off or unused */
    apr_interval_time_t timeout;    /* JWTSSOReplayTimeout, microseconds */
    int timeout_set;
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
                                                     REPLAY_NAMESPACE
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

/* ------------------------------------------------------------------ */
/* memcache: the module's own client                                   */
/*                                                                     */
/* Why not apr_memcache (APR-util 1.6): it connects with a fixed 1 s   */
/* timeout, then sets the socket to block for ever, and its connection */
/* type is private, so no read can be bounded. A memcached that        */
/* accepts connections but does not answer (stopped, swapping, a hung  */
/* VM) then holds each login, and in the end every worker; its retry   */
/* of a dead server pings with the same unbounded read while holding   */
/* the server's lock. We need two commands of memcached's text         */
/* protocol on a short key, "add" (atomic across a cluster: the socache */
/* API has no "add if absent") and "get"; each runs on an apr_socket   */
/* whose timeout is what is left of JWTSSOReplayTimeout before every   */
/* connect, send and receive.                                          */
/*                                                                     */
/* A key goes to the server apr_memcache picks when all are up         */
/* (apr_memcache_hash_default() modulo their number), so members with  */
/* the old client agree during an upgrade. Unlike apr_memcache there   */
/* is no fail-over to the next server: a token recorded on a server    */
/* that is down would be fresh on another one (a replay), so its       */
/* logins get 503 instead.                                             */

static void memcache_client(apr_pool_t *p, server_rec *s, replay_store_t *st)
{
    char *list = apr_pstrdup(p, st->mc_args), *tok, *last = NULL;
    int threads = 1, n = 1, i = 0;
    apr_status_t rv = APR_SUCCESS;

    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    threads = threads > 0 ? threads : 1;
    for (tok = list; *tok; tok++) {
        n += *tok == ',';
    }
    st->mc = apr_pcalloc(p, sizeof(*st->mc) * n);
    for (tok = apr_strtok(list, ",", &last); rv == APR_SUCCESS && tok;
         tok = apr_strtok(NULL, ",", &last)) {
        mc_server_t *ms = &st->mc[i];
        char *host = NULL, *scope = NULL;
        apr_port_t port = 0;

        rv = apr_parse_addr_port(&host, &scope, &port, tok, p);
        if (rv == APR_SUCCESS && (!host || !port)) {
            rv = APR_EINVAL;
        }
        if (rv == APR_SUCCESS) {
            /* its own pool: connections come and go under ms->lock */
            rv = apr_pool_create(&ms->p, p);
        }
        if (rv == APR_SUCCESS) {
            rv = apr_thread_mutex_create(&ms->lock, APR_THREAD_MUTEX_DEFAULT,
                                         p);
        }
        if (rv == APR_SUCCESS) {
            ms->host = host;
            ms->port = port;
            ms->max_idle = threads;
            i++;
        }
    }
    if (rv != APR_SUCCESS || i == 0) {
        /* consume() then refuses tokens (503): fail closed */
        st->mc = NULL;
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, JWTSSO_LOGNO(00716)
                     "replay cache %s: cannot set up the memcache client",
                     st->spec);
        return;
    }
    st->mc_n = i;
}

/* The socket's timeout: what is left until deadline, or APR_TIMEUP. */
static apr_status_t until_deadline(apr_socket_t *sock, apr_time_t deadline)
{
    apr_interval_time_t left = deadline - apr_time_now();

    return left > 0 ? apr_socket_timeout_set(sock, left) : APR_TIMEUP;
}

static void mc_close(mc_server_t *ms, mc_conn_t *c)
{
    apr_thread_mutex_lock(ms->lock);
    apr_pool_destroy(c->p);             /* closes the socket */
    apr_thread_mutex_unlock(ms->lock);
}

/* A connection that answered fully: kept for the next request. */
static void mc_keep(mc_server_t *ms, mc_conn_t *c)
{
    apr_thread_mutex_lock(ms->lock);
    if (ms->nidle < ms->max_idle) {
        c->next = ms->idle;
        ms->idle = c;
        ms->nidle++;
    }
    else {
        apr_pool_destroy(c->p);
    }
    apr_thread_mutex_unlock(ms->lock);
}

/* An idle connection (*reused = 1), or unless fresh is set a new one,
 * connected before deadline. The name is resolved once per child, on
 * first use, and that look-up is not bounded: write an address. */
static apr_status_t mc_open(mc_server_t *ms, apr_time_t deadline, int fresh,
                            mc_conn_t **out, int *reused)
{
    apr_sockaddr_t *sa = NULL;
    apr_pool_t *cp = NULL;
    mc_conn_t *c;
    apr_status_t rv = APR_SUCCESS;

    *out = NULL;
    *reused = 0;
    apr_thread_mutex_lock(ms->lock);
    if (!fresh && ms->idle) {
        c = ms->idle;
        ms->idle = c->next;
        ms->nidle--;
        apr_thread_mutex_unlock(ms->lock);
        c->next = NULL;
        *reused = 1;
        *out = c;
        return APR_SUCCESS;
    }
    if (!ms->sa) {
        rv = apr_sockaddr_info_get(&sa, ms->host, APR_UNSPEC, ms->port, 0,
                                   ms->p);
        if (rv == APR_SUCCESS) {
            ms->sa = sa;
        }
    }
    sa = ms->sa;
    if (rv == APR_SUCCESS) {
        rv = apr_pool_create(&cp, ms->p);
    }
    apr_thread_mutex_unlock(ms->lock);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    c = apr_pcalloc(cp, sizeof(*c));
    c->p = cp;
    rv = apr_socket_create(&c->sock, sa->family, SOCK_STREAM, APR_PROTO_TCP,
                           cp);
    if (rv == APR_SUCCESS) {
        apr_socket_opt_set(c->sock, APR_TCP_NODELAY, 1);
        rv = until_deadline(c->sock, deadline);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_socket_connect(c->sock, sa);
    }
    if (rv != APR_SUCCESS) {
        mc_close(ms, c);
        return rv;
    }
    *out = c;
    return APR_SUCCESS;
}

/* Whether the n bytes in b are a whole answer: one line, or for a get
 * that found the key, VALUE line, data and END. */
static int mc_complete(const char *b, apr_size_t n, int get)
{
    if (n < 2 || b[n - 2] != '\r' || b[n - 1] != '\n') {
        return 0;
    }
    if (!get || n < 6 || memcmp(b, "VALUE ", 6) != 0) {
        return 1;
    }
    return n >= 7 && memcmp(b + n - 7, "\r\nEND\r\n", 7) == 0;
}

/* Sends req to ms and reads the whole answer into reply (MC_REPLY_MAX
 * bytes, NUL-terminated), all before deadline. A connection that fails
 * is closed, never reused (its answer may still come). An idle one the
 * server had closed (a restart) is retried once on a new connection. */
static apr_status_t mc_call(mc_server_t *ms, const char *req,
                            apr_size_t reqlen, int get, char *reply,
                            apr_time_t deadline)
{
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        mc_conn_t *c;
        apr_size_t off = 0, got = 0, n;
        int reused;
        apr_status_t rv;

        rv = mc_open(ms, deadline, attempt > 0, &c, &reused);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        while (rv == APR_SUCCESS && off < reqlen) {
            n = reqlen - off;
            rv = until_deadline(c->sock, deadline);
            if (rv == APR_SUCCESS) {
                rv = apr_socket_send(c->sock, req + off, &n);
                off += n;
            }
        }
        while (rv == APR_SUCCESS && !mc_complete(reply, got, get)) {
            n = MC_REPLY_MAX - 1 - got;
            if (n == 0) {
                rv = APR_EGENERAL;      /* not an answer of ours */
                break;
            }
            rv = until_deadline(c->sock, deadline);
            if (rv == APR_SUCCESS) {
                rv = apr_socket_recv(c->sock, reply + got, &n);
                got += n;
            }
        }
        reply[got] = '\0';
        if (rv == APR_SUCCESS) {
            mc_keep(ms, c);
            return APR_SUCCESS;
        }
        mc_close(ms, c);
        if (!(reused && got == 0
              && (APR_STATUS_IS_EOF(rv) || APR_STATUS_IS_ECONNRESET(rv)
                  || APR_STATUS_IS_EPIPE(rv)))) {
            return rv;
        }
    }
    return APR_EGENERAL;
}

/* One memcache command for r: the key's server, within
 * JWTSSOReplayTimeout, not at all during MC_PAUSE after that server
 * failed. Logs every failure at ERR (and a recovery at INFO); what says
 * what the command was for. */
static apr_status_t mc_run(request_rec *r, const replay_store_t *st,
                           const char *k, const char *req, int get,
                           char *reply, const char *what)
{
    apr_interval_time_t timeout = timeout_of(srv_cfg(r->server));
    apr_uint32_t h = apr_memcache_hash_default(NULL, k, strlen(k));
    mc_server_t *ms = &st->mc[(h ? h : 1) % (apr_uint32_t)st->mc_n];
    apr_time_t now = apr_time_now(), failed;
    apr_status_t rv;

    apr_thread_mutex_lock(ms->lock);
    failed = ms->failed_at;
    apr_thread_mutex_unlock(ms->lock);
    if (failed && now >= failed && now - failed < MC_PAUSE) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00723)
                      "replay cache %s: %s:%u failed %" APR_TIME_T_FMT
                      " ms ago and is not asked again for %" APR_TIME_T_FMT
                      " ms: cannot %s; refusing it", st->spec, ms->host,
                      (unsigned)ms->port, (now - failed) / 1000,
                      (MC_PAUSE - (now - failed)) / 1000 + 1, what);
        return APR_EAGAIN;
    }
    rv = mc_call(ms, req, strlen(req), get, reply, now + timeout);
    apr_thread_mutex_lock(ms->lock);
    failed = ms->failed_at;
    ms->failed_at = rv == APR_SUCCESS ? 0 : apr_time_now();
    apr_thread_mutex_unlock(ms->lock);
    if (rv == APR_SUCCESS) {
        if (failed) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00724)
                          "replay cache %s: %s:%u answers again", st->spec,
                          ms->host, (unsigned)ms->port);
        }
    }
    else if (APR_STATUS_IS_TIMEUP(rv)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00722)
                      "replay cache %s: no answer from %s:%u within %"
                      APR_TIME_T_FMT " ms (%s): cannot %s; refusing it (is "
                      "the store hung or overloaded?)", st->spec, ms->host,
                      (unsigned)ms->port, timeout / 1000,
                      JWTSSO_D_REPLAY_TIMEOUT, what);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00725)
                      "replay cache %s: cannot %s at %s:%u; refusing it (is "
                      "the store up?)", st->spec, what, ms->host,
                      (unsigned)ms->port);
    }
    return rv;
}

/* An answer that is none of those expected: logged with its first line. */
static void mc_bad_reply(request_rec *r, const replay_store_t *st,
                         const char *reply, const char *what)
{
    apr_size_t n = strcspn(reply, "\r\n");

    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00726)
                  "replay cache %s: unexpected answer to %s: '%s'; refusing "
                  "the token", st->spec, what,
                  ap_escape_logitem(r->pool,
                                    apr_pstrmemdup(r->pool, reply,
                                                   n > 64 ? 64 : n)));
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

/* "jwtsso-replay:<hex of the key>", memcached's key of a token. */
static const char *mc_key(request_rec *r, const unsigned char *key,
                          size_t keylen)
{
    char hex[2 * JWTSSO_REPLAY_KEY_MAX + 1];

    ap_bin2hex(key, keylen, hex);
    return apr_pstrcat(r->pool, REPLAY_NAMESPACE ":", hex, NULL);
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

/* The global mutex, waited for at most JWTSSOReplayTimeout (a blocking
 * wait where this APR has no timed locks). */
static apr_status_t lock_bounded(request_rec *r)
{
    apr_status_t rv;

    if (!replay_mutex) {
        return APR_EINIT;
    }
    rv = apr_global_mutex_timedlock(replay_mutex,
                                    timeout_of(srv_cfg(r->server)));
    if (APR_STATUS_IS_ENOTIMPL(rv)) {
        rv = apr_global_mutex_lock(replay_mutex);
    }
    return rv;
}

/* The checks consume() and seen() share: the store of r->server, or NULL
 * (logged) when there is none or the key is unfit. */
static const replay_store_t *store_for(request_rec *r,
                                       const replay_srv_t *c,
                                       const unsigned char *key,
                                       size_t keylen)
{
    const replay_store_t *st = c ? c->store : NULL;

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
    const replay_store_t *st;
    unsigned char val[256];
    unsigned int vlen = sizeof(val);
    unsigned char mark[1] = { '1' };
    apr_time_t now, ttl;
    jwtsso_replay_t ret;
    apr_status_t rv;

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
        /* one atomic step on memcached: "add" stores only what is absent */
        char reply[MC_REPLY_MAX];
        const char *k = mc_key(r, key, keylen);
        const char *req = apr_psprintf(r->pool, "add %s 0 %" APR_TIME_T_FMT
                                       " 1\r\n1\r\n", k, ttl);

        if (mc_run(r, st, k, req, 0, reply, "record the token")
            != APR_SUCCESS) {
            return JWTSSO_REPLAY_UNAVAILABLE;
        }
        if (!strcmp(reply, "STORED\r\n")) {
            return JWTSSO_REPLAY_FRESH;
        }
        if (!strcmp(reply, "NOT_STORED\r\n")) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00718)
                          "replay cache %s: token %s... was consumed before",
                          st->spec, key_hint(r, key, keylen));
            return JWTSSO_REPLAY_SEEN;
        }
        mc_bad_reply(r, st, reply, "add");
        return JWTSSO_REPLAY_UNAVAILABLE;
    }

    rv = lock_bounded(r);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00710)
                      "replay cache %s: cannot take the %s mutex within %"
                      APR_TIME_T_FMT " ms (%s); refusing the token",
                      st->spec, JWTSSO_REPLAY_MUTEX,
                      timeout_of(c) / 1000, JWTSSO_D_REPLAY_TIMEOUT);
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

jwtsso_replay_t jwtsso_replay_seen(request_rec *r, const unsigned char *key,
                                   size_t keylen)
{
    const replay_srv_t *c = srv_cfg(r->server);
    const replay_store_t *st;
    unsigned char val[256];
    unsigned int vlen = sizeof(val);
    int locked = 0;
    apr_status_t rv;

    if (c && c->off) {
        return JWTSSO_REPLAY_OFF;
    }
    st = store_for(r, c, key, keylen);
    if (!st) {
        return JWTSSO_REPLAY_UNAVAILABLE;
    }
    if (st->mc) {
        char reply[MC_REPLY_MAX];
        const char *k = mc_key(r, key, keylen);

        if (mc_run(r, st, k, apr_pstrcat(r->pool, "get ", k, "\r\n", NULL),
                   1, reply, "look the token up") != APR_SUCCESS) {
            return JWTSSO_REPLAY_UNAVAILABLE;
        }
        if (!strcmp(reply, "END\r\n")) {
            return JWTSSO_REPLAY_FRESH;
        }
        if (!strncmp(reply, "VALUE ", 6)) {
            return JWTSSO_REPLAY_SEEN;
        }
        mc_bad_reply(r, st, reply, "get");
        return JWTSSO_REPLAY_UNAVAILABLE;
    }

    /* A provider that is not multi-process safe (shmcb) may not be read
     * while another child writes it. */
    if (st->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = lock_bounded(r);
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, JWTSSO_LOGNO(00727)
                          "replay cache %s: cannot take the %s mutex within %"
                          APR_TIME_T_FMT " ms (%s) to look a token up",
                          st->spec, JWTSSO_REPLAY_MUTEX,
                          timeout_of(c) / 1000, JWTSSO_D_REPLAY_TIMEOUT);
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
