/*
 * replay.h - the replay cache of consumed tokens (DESIGN §2 step 4, §5
 * JWTSSOReplayCache): a mod_socache store, per virtual host, that remembers
 * each consumed token until it could no longer be accepted anyway.
 *
 * The module record wires these up: the per-server config and the
 * directive, the pre_config/post_config/child_init hooks, and a call to
 * jwtsso_replay_check() from the module's check_config when some section
 * uses AuthType jwtsso.
 */
#ifndef JWTSSO_REPLAY_H
#define JWTSSO_REPLAY_H

#include "httpd.h"
#include "http_config.h"
#include "apr_pools.h"
#include "apr_time.h"


/* The cache used when a server sets no JWTSSOReplayCache: mod_socache_shmcb
 * with its own defaults (512 KiB of anonymous shared memory). */
#define JWTSSO_REPLAY_DEFAULT "shmcb"

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
    JWTSSO_REPLAY_UNAVAILABLE,  /* the store failed: answer 503 */
    JWTSSO_REPLAY_OFF           /* JWTSSOReplayCache none */
} jwtsso_replay_t;

/* Records key in r->server's cache as consumed until `until`.
 *
 * key: binary, 4..JWTSSO_REPLAY_KEY_MAX bytes, and evenly spread: a hash
 * (a SHA-256 of the jti or of the token's signing input), since shmcb
 * picks its sub-cache by the first byte.
 * until: an apr_time_t (microseconds since the epoch); a value under 10^12
 * is read as seconds (a token's exp), so either unit is safe. The entry
 * lives between 2 seconds and 30 days from now (memcached reads a longer
 * lifetime as a date).
 *
 * Look-up and store run under the global mutex, so two requests with the
 * same token on this host cannot both get FRESH. Fails closed: any error
 * of the store, of the mutex, a bad key, or no cache set up for the server
 * is UNAVAILABLE (logged at ERR), never FRESH. SEEN is logged at DEBUG. */
jwtsso_replay_t jwtsso_replay_consume(request_rec *r,
                                      const unsigned char *key,
                                      size_t keylen, apr_time_t until);

#endif /* JWTSSO_REPLAY_H */
