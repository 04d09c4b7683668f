/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * replay.h - the replay cache of consumed tokens (DESIGN §2 step 4, §5
 * JWTSSOReplayCache): a mod_socache store, per virtual host, that remembers
 * each consumed token until it could no longer be accepted anyway.
 *
 * The module record wires these up: the per-server config and the
 * directive, the pre_config/post_config/child_init hooks, and a call to
 * jwtsso_replay_check() from the module's check_config when some section
 * uses AuthType jwtsso. The guard is replay.c; the stores behind it,
 * socache.c and memcache.c (their part is at the end of this file).
 */
#ifndef JWTSSO_REPLAY_H
#define JWTSSO_REPLAY_H

#include "httpd.h"
#include "http_config.h"
#include "ap_socache.h"
#include "apr_pools.h"
#include "apr_time.h"

/* The cache used when a server sets no JWTSSOReplayCache, or names shmcb
 * without a size: mod_socache_shmcb in JWTSSO_REPLAY_DEFAULT_SIZE bytes of
 * anonymous shared memory (8 MiB; shmcb's own default is 512 KiB). A
 * consumed token is forgotten once the store's part it hashes to fills:
 * the README (JWTSSOReplayCache) gives the counts, t/78-replay-window.t
 * checks them. */
#define JWTSSO_REPLAY_DEFAULT "shmcb"
#define JWTSSO_REPLAY_DEFAULT_SIZE 8388608

/* The longest replay window a token may have (seconds): memcached reads a
 * longer lifetime as a date, and a store is not sized for more. A token
 * that stays acceptable longer is refused (JWTSSO_REPLAY_TOO_LONG). */
#define JWTSSO_REPLAY_TTL_MAX (30 * 86400)

/* JWTSSOReplayTimeout: default and range, in milliseconds. */
#define JWTSSO_REPLAY_TIMEOUT_DEFAULT 500
#define JWTSSO_REPLAY_TIMEOUT_MIN 10
#define JWTSSO_REPLAY_TIMEOUT_MAX 60000

/* The mutex name for the Mutex directive ("Mutex file:/run jwtsso-replay"). */
#define JWTSSO_REPLAY_MUTEX "jwtsso-replay"

/* Longest key jwtsso_replay_consume() takes (a SHA-512 would fit). */
#define JWTSSO_REPLAY_KEY_MAX 64

/* Per-server config: the module's server config is this structure.
 * A virtual host without the directive uses the main server's cache. */
void *jwtsso_replay_create_srv(apr_pool_t *p, server_rec *s);
void *jwtsso_replay_merge_srv(apr_pool_t *p, void *base, void *add);

/* JWTSSOReplayCache PROVIDER[:ARGS] | none, RSRC_CONF (server or vhost).
 * Checks the syntax only: the provider's module may be loaded after this
 * one, so jwtsso_replay_check() looks the provider up. */
const char *jwtsso_replay_set(cmd_parms *cmd, void *dv, const char *arg);

/* JWTSSOReplayTimeout MS, RSRC_CONF (server or vhost): the bound on each
 * operation of the replay store (memcache: connect, send and the answer
 * together; socache providers: waiting for the mutex). A whole number of
 * milliseconds, JWTSSO_REPLAY_TIMEOUT_MIN to _MAX. */
const char *jwtsso_replay_set_timeout(cmd_parms *cmd, void *dv,
                                      const char *arg);

/* pre_config: registers the "jwtsso-replay" mutex, forgets the last
 * generation's caches. */
int jwtsso_replay_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp);

/* check_config, called by the module's check_config only when some section
 * uses AuthType jwtsso (so also under httpd -t): every server's provider
 * must be loaded and accept its arguments; each fault is logged at CRIT
 * naming the directive, the provider and the module to load. Marks the
 * caches as needed, so post_config creates them. Returns OK, or
 * HTTP_INTERNAL_SERVER_ERROR to stop the start-up. */
int jwtsso_replay_check(server_rec *s, apr_pool_t *ptemp);

/* post_config: creates and initialises one socache instance per distinct
 * JWTSSOReplayCache value in use, and the global mutex. Does nothing when
 * jwtsso_replay_check() did not run in this generation (module unused). */
int jwtsso_replay_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp, server_rec *s);

/* child_init: reattaches the mutex in the child. */
void jwtsso_replay_child_init(apr_pool_t *p, server_rec *s);

typedef enum {
    JWTSSO_REPLAY_FRESH = 0,    /* not seen before; now recorded */
    JWTSSO_REPLAY_SEEN,         /* consumed before: refuse the token */
    JWTSSO_REPLAY_UNAVAILABLE,  /* the store failed or hung: answer 503 */
    JWTSSO_REPLAY_OFF,          /* JWTSSOReplayCache none */
    JWTSSO_REPLAY_TOO_LONG      /* consume(): the token stays acceptable
                                 * longer than JWTSSO_REPLAY_TTL_MAX; the
                                 * store cannot remember it: refuse (401) */
} jwtsso_replay_t;

/* The end of a token's replay window as an apr_time_t, for
 * jwtsso_replay_consume(): end_sec (seconds since the epoch; the earlier
 * of exp and iat + max age) + skew + 1 second. Saturates instead of
 * overflowing: the token core accepts any integer exp up to LLONG_MAX,
 * and a wrapped sum would be a short lifetime (a replay after seconds).
 * Returns APR_INT64_MAX for anything past the year 294,000, 0 for a
 * negative end. */
apr_time_t jwtsso_replay_until(long long end_sec, long long skew);

/* Records key in r->server's cache as consumed until `until`.
 *
 * key: binary, 4..JWTSSO_REPLAY_KEY_MAX bytes, and evenly spread: a hash
 * (a SHA-256 of the jti or of the token's signing input), since shmcb
 * picks its sub-cache by the first byte.
 * until: an apr_time_t (microseconds since the epoch), best made by
 * jwtsso_replay_until(); a value under 10^12 is read as seconds. The entry
 * lives at least 2 seconds. An `until` more than JWTSSO_REPLAY_TTL_MAX
 * from now is TOO_LONG (logged at INFO): the token is not recorded.
 *
 * memcache: one "add" (atomic across a cluster) through the module's own
 * client, connect, send and answer bounded by JWTSSOReplayTimeout; after a
 * failure the server is not asked again for one second (each login then
 * fails at once), so a hung store holds no worker longer than the bound.
 * Other providers: look-up and store run under the global mutex (waited
 * for at most JWTSSOReplayTimeout), so two requests with the same token on
 * this host cannot both get FRESH.
 *
 * Fails closed: any error of the store, a timeout, the mutex, a bad key,
 * or no cache set up for the server is UNAVAILABLE (logged at ERR), never
 * FRESH. SEEN is logged at DEBUG. OFF (JWTSSOReplayCache none) is
 * answered before any other check. */
jwtsso_replay_t jwtsso_replay_consume(request_rec *r,
                                      const unsigned char *key,
                                      size_t keylen, apr_time_t until);

/* Asks whether key was consumed, without consuming it (the bearer path:
 * a token used by a login must not be accepted as a bearer token).
 *
 * Returns SEEN when the key is in r->server's cache, FRESH when it is not,
 * UNAVAILABLE when the store fails, hangs past JWTSSOReplayTimeout or is in
 * its one-second pause after a failure (logged at ERR; the caller decides
 * whether to fail closed), OFF under JWTSSOReplayCache none. Never TOO_LONG.
 *
 * memcache: a "get" through the same bounded client as consume(). Other
 * providers: `retrieve`, under the global mutex (at most
 * JWTSSOReplayTimeout) only when the provider is not multi-process safe
 * (shmcb: a read racing a store in another child could see a half-written
 * entry). Caveat: mod_socache_memcache and _redis answer "not found" also
 * when no server is up, so through them a down store can look FRESH; the
 * memcache: spec never goes through them (the module's own client). */
jwtsso_replay_t jwtsso_replay_seen(request_rec *r, const unsigned char *key,
                                   size_t keylen);

/* ---- the stores behind the guard (replay.c, socache.c, memcache.c) */

/* The socache instance name and the prefix of memcached keys (socache
 * cnames: at most 16 characters). */
#define JWTSSO_REPLAY_NAMESPACE "jwtsso-replay"

typedef struct jwtsso_memcache jwtsso_memcache_t;      /* memcache.c */

/* One store, shared by the servers naming the same spec; made in
 * post_config (replay.c), its memcache client in each child. */
typedef struct {
    const char *spec;                       /* "memcache:host:port" */
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *inst;
    server_rec *s;                          /* the server it was made for */
    const char *mc_args;    /* memcache: "host:port[,host:port]", or NULL */
    jwtsso_memcache_t *mc;  /* memcache: our own client, per child */
} jwtsso_replay_store_t;

/* socache.c: a mod_socache provider as the store. The global mutex that
 * makes a look-up and a store one step: registered in pre_config (0 or
 * a status, logged), created in post_config (0 or a status, logged),
 * reattached in child_init (a failure logged at CRIT: consuming then
 * answers UNAVAILABLE). */
int jwtsso_socache_register_mutex(apr_pool_t *pconf, apr_pool_t *plog);
int jwtsso_socache_create_mutex(apr_pool_t *pconf, server_rec *s);
void jwtsso_socache_reattach(apr_pool_t *p, server_rec *s);
/* Under the mutex (waited for at most timeout, microseconds): SEEN when
 * key is in st, else FRESH once it is stored for ttl seconds from now;
 * UNAVAILABLE (logged) on any failure. */
jwtsso_replay_t jwtsso_socache_add(request_rec *r,
                                   const jwtsso_replay_store_t *st,
                                   const unsigned char *key, size_t keylen,
                                   apr_time_t now, apr_time_t ttl,
                                   apr_interval_time_t timeout);
/* SEEN, FRESH, or UNAVAILABLE (logged); under the mutex only for a
 * provider that is not multi-process safe. */
jwtsso_replay_t jwtsso_socache_get(request_rec *r,
                                   const jwtsso_replay_store_t *st,
                                   const unsigned char *key, size_t keylen,
                                   apr_interval_time_t timeout);

/* memcache.c: the client of a memcache: spec in a child, for servers
 * "host:port[,host:port...]"; NULL (logged at CRIT) when it cannot be
 * made. In p, which outlives it. */
jwtsso_memcache_t *jwtsso_memcache_make(apr_pool_t *p, server_rec *s,
                                        const char *spec,
                                        const char *servers);
/* "add" of key for ttl seconds through st->mc, within timeout: FRESH
 * (stored), SEEN (there before), UNAVAILABLE (logged: an error, no
 * answer in time, or the server's one-second pause after a failure). */
jwtsso_replay_t jwtsso_memcache_add(request_rec *r,
                                    const jwtsso_replay_store_t *st,
                                    const unsigned char *key, size_t keylen,
                                    apr_time_t ttl,
                                    apr_interval_time_t timeout);
/* "get" of key through st->mc, within timeout: SEEN, FRESH or
 * UNAVAILABLE (logged), as jwtsso_memcache_add(). */
jwtsso_replay_t jwtsso_memcache_get(request_rec *r,
                                    const jwtsso_replay_store_t *st,
                                    const unsigned char *key, size_t keylen,
                                    apr_interval_time_t timeout);

#endif /* JWTSSO_REPLAY_H */
