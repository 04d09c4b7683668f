/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * memcache.c - the replay cache's own memcached client, for
 * JWTSSOReplayCache memcache:HOST:PORT[,HOST:PORT...]: the two commands
 * the replay guard (replay.c) needs, "add" to consume a token and "get" to
 * ask about one, each bounded by JWTSSOReplayTimeout.
 *
 * Why not apr_memcache (APR-util 1.6): it connects with a fixed 1 s
 * timeout, then sets the socket to block for ever, and its connection
 * type is private, so no read can be bounded. A memcached that accepts
 * connections but does not answer (stopped, swapping, a hung VM) then
 * holds each login, and in the end every worker; its retry of a dead
 * server pings with the same unbounded read while holding the server's
 * lock. We need two commands of memcached's text protocol on a short key,
 * "add" (atomic across a cluster: the socache API has no "add if absent")
 * and "get"; each runs on an apr_socket whose timeout is what is left of
 * JWTSSOReplayTimeout before every connect, send and receive.
 *
 * A key goes to the server apr_memcache picks when all are up
 * (apr_memcache_hash_default() modulo their number), so members with the
 * old client agree during an upgrade. Unlike apr_memcache there is no
 * fail-over to the next server: a token recorded on a server that is down
 * would be fresh on another one (a replay), so its logins get 503
 * instead.
 */
#include "glue.h"
#include "replay.h"

#include "apr_strings.h"
#include "apr_memcache.h"      /* apr_memcache_hash_default() only */
#include "apr_network_io.h"
#include "apr_thread_mutex.h"
#include "ap_mpm.h"

/* After a failed memcache operation the server is not asked again for this
 * long: logins fail at once instead of each waiting for the timeout. */
#define MC_PAUSE         APR_USEC_PER_SEC
#define MC_REPLY_MAX     512    /* longest answer read (ours: ~110 bytes) */

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

/* A child's client: the memcached servers of one spec. */
struct jwtsso_memcache {
    mc_server_t *servers;
    int n;
};

jwtsso_memcache_t *jwtsso_memcache_make(apr_pool_t *p, server_rec *s,
                                        const char *spec,
                                        const char *servers)
{
    char *list = apr_pstrdup(p, servers), *tok, *last = NULL;
    int threads = 1, n = 1, i = 0;
    apr_status_t rv = APR_SUCCESS;
    jwtsso_memcache_t *mc;

    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    threads = threads > 0 ? threads : 1;
    for (tok = list; *tok; tok++) {
        n += *tok == ',';
    }
    mc = apr_pcalloc(p, sizeof(*mc));
    mc->servers = apr_pcalloc(p, sizeof(*mc->servers) * n);
    for (tok = apr_strtok(list, ",", &last); rv == APR_SUCCESS && tok;
         tok = apr_strtok(NULL, ",", &last)) {
        mc_server_t *ms = &mc->servers[i];
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
        /* the replay guard then refuses tokens (503): fail closed */
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, JWTSSO_LOGNO(00716)
                     "replay cache %s: cannot set up the memcache client",
                     spec);
        return NULL;
    }
    mc->n = i;
    return mc;
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
static apr_status_t mc_run(request_rec *r, const jwtsso_replay_store_t *st,
                           const char *k, const char *req, int get,
                           char *reply, const char *what,
                           apr_interval_time_t timeout)
{
    apr_uint32_t h = apr_memcache_hash_default(NULL, k, strlen(k));
    mc_server_t *ms = &st->mc->servers[(h ? h : 1)
                                       % (apr_uint32_t)st->mc->n];
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
static void mc_bad_reply(request_rec *r, const jwtsso_replay_store_t *st,
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

/* "jwtsso-replay:<hex of the key>", memcached's key of a token. */
static const char *mc_key(request_rec *r, const unsigned char *key,
                          size_t keylen)
{
    char hex[2 * JWTSSO_REPLAY_KEY_MAX + 1];

    ap_bin2hex(key, keylen, hex);
    return apr_pstrcat(r->pool, JWTSSO_REPLAY_NAMESPACE ":", hex, NULL);
}

jwtsso_replay_t jwtsso_memcache_add(request_rec *r,
                                    const jwtsso_replay_store_t *st,
                                    const unsigned char *key, size_t keylen,
                                    apr_time_t ttl,
                                    apr_interval_time_t timeout)
{
    /* one atomic step on memcached: "add" stores only what is absent */
    char reply[MC_REPLY_MAX];
    const char *k = mc_key(r, key, keylen);
    const char *req = apr_psprintf(r->pool, "add %s 0 %" APR_TIME_T_FMT
                                   " 1\r\n1\r\n", k, ttl);

    if (mc_run(r, st, k, req, 0, reply, "record the token", timeout)
        != APR_SUCCESS) {
        return JWTSSO_REPLAY_UNAVAILABLE;
    }
    if (!strcmp(reply, "STORED\r\n")) {
        return JWTSSO_REPLAY_FRESH;
    }
    if (!strcmp(reply, "NOT_STORED\r\n")) {
        /* the key's first 4 bytes (8 hex digits after the namespace),
         * to match log lines */
        const char *hint = k + sizeof(JWTSSO_REPLAY_NAMESPACE ":") - 1;

        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00718)
                      "replay cache %s: token %s... was consumed before",
                      st->spec, apr_pstrmemdup(r->pool, hint, 8));
        return JWTSSO_REPLAY_SEEN;
    }
    mc_bad_reply(r, st, reply, "add");
    return JWTSSO_REPLAY_UNAVAILABLE;
}

jwtsso_replay_t jwtsso_memcache_get(request_rec *r,
                                    const jwtsso_replay_store_t *st,
                                    const unsigned char *key, size_t keylen,
                                    apr_interval_time_t timeout)
{
    char reply[MC_REPLY_MAX];
    const char *k = mc_key(r, key, keylen);

    if (mc_run(r, st, k, apr_pstrcat(r->pool, "get ", k, "\r\n", NULL), 1,
               reply, "look the token up", timeout) != APR_SUCCESS) {
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
