/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * glue.h - the Apache side of mod_auth_jwtsso: configuration structs,
 * directive names, log tags and the functions the module record wires up.
 *
 * Everything here may use httpd and APR; the token core (jwtsso.h) may not.
 */
#ifndef JWTSSO_GLUE_H
#define JWTSSO_GLUE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "apr_tables.h"
#include "apr_uri.h"

#include "jwtsso.h"
#include "replay.h"

#ifndef JWTSSO_MODULE_FILE   /* AP_DECLARE_MODULE says it there */
APLOG_USE_MODULE(auth_jwtsso);
#endif

extern module AP_MODULE_DECLARE_DATA auth_jwtsso_module;

/* One tag per call site, never reused; ranges: 001xx config, 002xx token
 * (reasons.c), 003xx session, 004xx flow, 006xx handlers, 007xx replay,
 * 008xx bearer cache, 00900-00949 authz, 00950-00979 jwtsso-login,
 * 00980-00999 and 01000-01019 the issuer, 01100-01149 JWKS from a URL,
 * 01250-01279 jwtsso-status.
 * README lists them; t/05-reasons.t rejects duplicates. */
#define JWTSSO_LOGNO(n) "JWTSSO" #n ": "

/* Directive names: used by the command table and by messages alike. */
#define JWTSSO_D_ENDPOINT        "JWTSSOAuthEndpoint"
#define JWTSSO_D_SECRET          "JWTSSOSecret"
#define JWTSSO_D_ALLOW_SHORT     "JWTSSOAllowShortSecret"
#define JWTSSO_D_MAX_AGE         "JWTSSOMaxAge"
#define JWTSSO_D_CLOCK_SKEW      "JWTSSOClockSkew"
#define JWTSSO_D_USER_CLAIM      "JWTSSOUserClaim"
#define JWTSSO_D_TOKEN_PARAM     "JWTSSOTokenParam"
#define JWTSSO_D_RETURN_PARAM    "JWTSSOReturnParam"
#define JWTSSO_D_PUBLIC_URL      "JWTSSOPublicURL"
#define JWTSSO_D_TRUST_FORWARDED "JWTSSOTrustForwarded"
#define JWTSSO_D_STATE           "JWTSSOState"
#define JWTSSO_D_UNAUTH_ACTION   "JWTSSOUnauthAction"
#define JWTSSO_D_SESSION_KEY     "JWTSSOSessionKey"
#define JWTSSO_D_SESSION_MAX_AGE "JWTSSOSessionMaxAge"
#define JWTSSO_D_MAX_TOKEN_SIZE  "JWTSSOMaxTokenSize"
#define JWTSSO_D_MAX_KIDLESS     "JWTSSOMaxKeysWithoutKid"
#define JWTSSO_D_VERIFY_KEY      "JWTSSOVerifyKey"
#define JWTSSO_D_VERIFY_JWKS     "JWTSSOVerifyJWKS"
#define JWTSSO_D_JWKS_CAFILE     "JWTSSOJWKSCAFile"
#define JWTSSO_D_JWKS_REFRESH    "JWTSSOJWKSRefresh"
#define JWTSSO_D_ALGORITHMS      "JWTSSOAlgorithms"
#define JWTSSO_D_ISSUER          "JWTSSOIssuer"
#define JWTSSO_D_AUDIENCE        "JWTSSOAudience"
#define JWTSSO_D_BEARER_AUDIENCE "JWTSSOBearerAudience"
#define JWTSSO_D_STRIP_HEADERS   "JWTSSOStripHeaders"
#define JWTSSO_D_ACCEPT_BEARER   "JWTSSOAcceptBearer"
#define JWTSSO_D_PASS_CLAIMS     "JWTSSOPassClaims"
#define JWTSSO_D_LOGOUT_REDIRECT "JWTSSOLogoutRedirect"
#define JWTSSO_D_REPLAY_CACHE    "JWTSSOReplayCache"
#define JWTSSO_D_REPLAY_TIMEOUT  "JWTSSOReplayTimeout"
#define JWTSSO_D_BEARER_CACHE    "JWTSSOBearerCache"
#define JWTSSO_D_BEARER_CACHE_SIZE "JWTSSOBearerCacheSize"
#define JWTSSO_D_ISSUER_SECRET   "JWTSSOIssuerSecret"
#define JWTSSO_D_ISSUER_KEY      "JWTSSOIssuerPrivateKey"
#define JWTSSO_D_ISSUER_ALG      "JWTSSOIssuerAlgorithm"
#define JWTSSO_D_ISSUER_LIFETIME "JWTSSOIssuerTokenLifetime"
#define JWTSSO_D_ISSUER_RETURN   "JWTSSOIssuerAllowedReturnTo"
#define JWTSSO_D_ISSUER_AUDIENCE "JWTSSOIssuerAudience"
#define JWTSSO_D_ISSUER_NAME     "JWTSSOIssuerName"
#define JWTSSO_D_DEBUG           "JWTSSODebug"
#define JWTSSO_D_SESSION_INACTIVITY "JWTSSOSessionInactivity"
#define JWTSSO_D_STRIP_COOKIES   "JWTSSOStripCookies"
#define JWTSSO_D_USER_HEADER     "JWTSSOUserHeader"

#define JWTSSO_HANDLER_ISSUER    "jwtsso-issuer"
#define JWTSSO_HANDLER_JWKS      "jwtsso-jwks"
#define JWTSSO_HANDLER_LOGOUT    "jwtsso-logout"
#define JWTSSO_HANDLER_LOGIN     "jwtsso-login"
#define JWTSSO_HANDLER_INFO      "jwtsso-info"
#define JWTSSO_HANDLER_STATUS    "jwtsso-status"

#define JWTSSO_AUTH_TYPE     "jwtsso"
#define JWTSSO_SESSION_KEY   "jwtsso"        /* mod_session entry name */
#define JWTSSO_SEEN_KEY      "jwtsso_seen"   /* ... of the last-seen time */
#define JWTSSO_STATE_COOKIE  "jwtsso_state"
/* its name on https (login.c): Secure, Path=/, no Domain */
#define JWTSSO_STATE_COOKIE_HTTPS "__Host-" JWTSSO_STATE_COOKIE
#define JWTSSO_STATE_PARAM   "jwtsso_state"
#define JWTSSO_STATE_MAX_AGE 600             /* seconds to finish a login */

/* JWTSSOPassClaims: a bit set */
#define JWTSSO_PASS_ENV     1
#define JWTSSO_PASS_HEADERS 2

typedef enum {
    JWTSSO_UNAUTH_AUTO = 0,
    JWTSSO_UNAUTH_REDIRECT,
    JWTSSO_UNAUTH_401,
    JWTSSO_UNAUTH_PASS
} jwtsso_unauth_t;

/* The verification keys of one section, made once by the setters of
 * JWTSSOSecret, JWTSSOVerifyKey and JWTSSOVerifyJWKS, on the config pool.
 * A section that sets any of them replaces its parent's whole set. */
typedef struct {
    jwtsso_keyset_t *keys;       /* token verification keys */
    jwtsso_mackey_t *record_key; /* derived from the first JWTSSOSecret */
    const char *where;           /* "file:line" of the first key directive */
    unsigned char id[32];        /* identity: a hash chained over each key
                                  * directive's material (policy.c) */
    struct jwtsso_jwksurl *remote; /* JWTSSOVerifyJWKS https://...: the
                                  * fetched keys (jwksurl.c), or NULL */
} jwtsso_keys_t;

/* A secret under JWTSSO_SECRET_MIN bytes set in a section (keyconf.c):
 * refused at check_config unless JWTSSOAllowShortSecret On is in force
 * there, whichever line comes first (startup.c). */
typedef struct {
    const char *directive;
    size_t len;
    const char *where;          /* "file:line" */
    int reported;               /* a vhost inherits it: say it once */
} jwtsso_short_secret_t;

/* One bit per directive of a section (JWTSSO_SET_*). */
typedef apr_uint64_t jwtsso_setbits_t;
#define JWTSSO_BIT(n) ((jwtsso_setbits_t)1 << (n))

typedef struct {
    const char *endpoint;
    jwtsso_keys_t *keys;            /* JWTSSOSecret, ...VerifyKey, ...JWKS */
    unsigned algs;                  /* JWTSSOAlgorithms; 0 = from the keys */
    const char *issuer;
    const char *audience;
    const char *bearer_audience;    /* JWTSSOBearerAudience */
    int strip_headers;              /* JWTSSOStripHeaders */
    jwtsso_mackey_t *session_key;   /* JWTSSOSessionKey */
    int allow_short;
    long long max_age;              /* < 0: off */
    long long skew;
    const char *user_claim;
    const char *token_param;
    const char *return_param;
    const char *public_origin;      /* scheme://host[:port] */
    const char *public_mount;       /* "" or "/path" without trailing '/' */
    int public_https;
    int trust_forwarded;
    int state;
    int unauth;                     /* jwtsso_unauth_t */
    long long session_max_age;
    long long max_token_size;
    unsigned max_kidless;           /* JWTSSOMaxKeysWithoutKid */
    int accept_bearer;
    int bearer_cache;               /* JWTSSOBearerCache */
    int pass_claims;                /* JWTSSO_PASS_* bits */
    long long session_inactivity;   /* JWTSSOSessionInactivity; < 0: off */
    int strip_cookies;              /* JWTSSOStripCookies; < 0: On with
                                     * JWTSSOPassClaims headers */
    const char *user_header;        /* JWTSSOUserHeader */
    const char *logout_redirect;
    const char *jwks_cafile;        /* JWTSSOJWKSCAFile */
    long long jwks_refresh;         /* JWTSSOJWKSRefresh, seconds */
    /* the issuer side (issuerconf.c, issuer.c) */
    struct jwtsso_issuer_key *issuer_key; /* JWTSSOIssuerSecret/PrivateKey */
    int issuer_alg;                 /* jwtsso_alg_t; 0: the key's first */
    long long issuer_lifetime;      /* JWTSSOIssuerTokenLifetime */
    apr_array_header_t *issuer_return; /* jwtsso_issuer_prefix_t */
    const char *issuer_audience;    /* JWTSSOIssuerAudience */
    const char *issuer_name;        /* JWTSSOIssuerName: the iss */
    const char *where;              /* file:line of the first JWTSSO line */
    int debug;                      /* JWTSSODebug: reason on the 401 page */
    jwtsso_short_secret_t *short_secret; /* its first short secret */

    /* Which directives this section sets: one JWTSSO_SET_* bit each.
     * The merge takes a field from the child when the child's bit is set
     * (never "the child still holds the default"), and shares a section
     * that sets none of ours instead of copying it (config.c). */
    jwtsso_setbits_t set_bits;
} jwtsso_dir_cfg;

/* jwtsso_dir_cfg.set_bits (64 of them); JWTSSO_SET_PUBLIC_URL covers public_origin,
 * public_mount and public_https, which JWTSSOPublicURL sets together. */
#define JWTSSO_SET_ENDPOINT         JWTSSO_BIT(0)
#define JWTSSO_SET_KEYS             JWTSSO_BIT(1)
#define JWTSSO_SET_ALGS             JWTSSO_BIT(2)
#define JWTSSO_SET_ISSUER           JWTSSO_BIT(3)
#define JWTSSO_SET_AUDIENCE         JWTSSO_BIT(4)
#define JWTSSO_SET_SESSION_KEY      JWTSSO_BIT(5)
#define JWTSSO_SET_ALLOW_SHORT      JWTSSO_BIT(6)
#define JWTSSO_SET_MAX_AGE          JWTSSO_BIT(7)
#define JWTSSO_SET_SKEW             JWTSSO_BIT(8)
#define JWTSSO_SET_USER_CLAIM       JWTSSO_BIT(9)
#define JWTSSO_SET_TOKEN_PARAM      JWTSSO_BIT(10)
#define JWTSSO_SET_RETURN_PARAM     JWTSSO_BIT(11)
#define JWTSSO_SET_PUBLIC_URL       JWTSSO_BIT(12)
#define JWTSSO_SET_TRUST_FORWARDED  JWTSSO_BIT(13)
#define JWTSSO_SET_STATE            JWTSSO_BIT(14)
#define JWTSSO_SET_UNAUTH           JWTSSO_BIT(15)
#define JWTSSO_SET_SESSION_MAX_AGE  JWTSSO_BIT(16)
#define JWTSSO_SET_MAX_TOKEN_SIZE   JWTSSO_BIT(17)
#define JWTSSO_SET_ACCEPT_BEARER    JWTSSO_BIT(18)
#define JWTSSO_SET_BEARER_CACHE     JWTSSO_BIT(19)
#define JWTSSO_SET_PASS_CLAIMS      JWTSSO_BIT(20)
#define JWTSSO_SET_LOGOUT_REDIRECT  JWTSSO_BIT(21)
#define JWTSSO_SET_BEARER_AUDIENCE  JWTSSO_BIT(22)
#define JWTSSO_SET_STRIP_HEADERS    JWTSSO_BIT(23)
#define JWTSSO_SET_MAX_KIDLESS      JWTSSO_BIT(24)
#define JWTSSO_SET_ISSUER_KEY       JWTSSO_BIT(25)
#define JWTSSO_SET_ISSUER_ALG       JWTSSO_BIT(26)
#define JWTSSO_SET_ISSUER_LIFETIME  JWTSSO_BIT(27)
#define JWTSSO_SET_ISSUER_RETURN    JWTSSO_BIT(28)
#define JWTSSO_SET_ISSUER_AUDIENCE  JWTSSO_BIT(29)
#define JWTSSO_SET_ISSUER_NAME      JWTSSO_BIT(30)
#define JWTSSO_SET_JWKS_CAFILE      JWTSSO_BIT(31)
#define JWTSSO_SET_JWKS_REFRESH     JWTSSO_BIT(32)
#define JWTSSO_SET_DEBUG            JWTSSO_BIT(33)
#define JWTSSO_SET_SESSION_INACTIVITY JWTSSO_BIT(34)
#define JWTSSO_SET_STRIP_COOKIES    JWTSSO_BIT(35)
#define JWTSSO_SET_USER_HEADER      JWTSSO_BIT(36)

/* bcache.c: the per-process cache of verified bearer tokens (HMAC and
 * public-key alike): JWTSSOBearerCacheSize N (main server only; default
 * 1024 entries, 0 none) and JWTSSOBearerCache On|Off (per section, default
 * On). */
#define JWTSSO_BCACHE_DEFAULT 1024
#define JWTSSO_BCACHE_KEY_LEN 32
const char *jwtsso_bcache_set(cmd_parms *cmd, void *dv, const char *arg);
int jwtsso_bcache_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp);
void jwtsso_bcache_child_init(apr_pool_t *p, server_rec *s);
/* The cache key of token under cfg's policy into key; 0 when the cache is
 * off (here or for the process) or cfg has no keys. */
int jwtsso_bcache_key(request_rec *r, const jwtsso_dir_cfg *cfg,
                      const char *token, unsigned char *key);
/* A hit fills rec (strings in r->pool) and returns 1. */
int jwtsso_bcache_get(request_rec *r, const unsigned char *key,
                      jwtsso_record_t *rec);
/* Keep rec (user, claims, whether claims were left out, and its sid: the
 * hex replay key of a token a login could use, else "") under key until
 * `until` (the token's exp, or the end the login rules give it). */
void jwtsso_bcache_put(request_rec *r, const unsigned char *key,
                       long long until, const jwtsso_record_t *rec);
/* Recent refusals (bcache.c): a token refused at the signature step
 * (bad_signature, kid_required: a function of the token and the section
 * only) is remembered briefly under its jwtsso_bcache_key, so a flood of
 * one forged token costs a hash per request, not a signature check per
 * key. A hit sets *why (logged at DEBUG) and returns 1. */
int jwtsso_bcache_refused(request_rec *r, const unsigned char *key,
                          jwtsso_reason_t *why);
void jwtsso_bcache_refuse(request_rec *r, const unsigned char *key,
                          jwtsso_reason_t why);

/* reasons.c: what the module does with each reason (STYLE §4-5). */
typedef struct {
    const char *name;   /* as jwtsso_reason_name() */
    int status;         /* the answer: HTTP_UNAUTHORIZED for refused input,
                         * HTTP_INTERNAL_SERVER_ERROR for a server fault, 0
                         * for none of its own (a refused session record is
                         * no session) */
    int level;          /* APLOG_* of the line that logs it */
    const char *tag;    /* "JWTSSOnnnnn" of that line, or NULL where the
                         * call site has its own (session.c) */
} jwtsso_reasons_row_t;

/* The row of why; never NULL (a value without a row gets the row of
 * JWTSSO_R_INTERNAL). */
const jwtsso_reasons_row_t *jwtsso_reasons_get(jwtsso_reason_t why);
/* What an administrator can change when a login token is refused for
 * why (a directive, the clocks, the IdP's keys), or NULL: for the log. */
const char *jwtsso_reasons_fix(jwtsso_reason_t why);

/* visible.c: failed logins an administrator sees at LogLevel warn, and
 * the page the browser gets. The rate limit's kinds of refusal: each
 * jwtsso_reason_t, then these. */
enum {
    JWTSSO_VISIBLE_STATE_MISSING = JWTSSO_R__COUNT, /* JWTSSO00402 */
    JWTSSO_VISIBLE_STATE_PARAM,                     /* JWTSSO00403 */
    JWTSSO_VISIBLE_LOGOUT_EMPTY,                    /* JWTSSO01180 */
    JWTSSO_VISIBLE__SLOTS
};
/* The level of a refusal's line: APLOG_WARNING for one in the browser flow
 * (browser set) unless one of this kind (slot) went to warn in this child
 * less than a second ago; APLOG_INFO otherwise. A warn is counted when
 * given: call it once per line, into a variable (ap_log_rerror, a macro,
 * evaluates its level argument twice). */
int jwtsso_visible_level(int slot, int browser);
/* 401 (jwtsso_flow_refuse) with a short page: the login failed, a link
 * to back to try again, and under JWTSSODebug On the reason's name;
 * unless an ErrorDocument 401 applies here, which then answers. */
int jwtsso_visible_refuse(request_rec *r, const jwtsso_dir_cfg *cfg,
                          const char *back, const char *reason);

/* config.c: the directive table, and the per-directory configuration's
 * creation and merge. */
void *jwtsso_config_create_dir(apr_pool_t *p, char *dir);
void *jwtsso_config_merge_dir(apr_pool_t *p, void *basev, void *addv);
extern const command_rec jwtsso_config_cmds[];
/* "file:line" of the directive being read, in cmd->pool. */
const char *jwtsso_config_where(cmd_parms *cmd);
/* A setter's last step: mark the JWTSSO_SET_* bit of what it set, and
 * keep where the section's first directive of ours is. */
void jwtsso_config_mark(cmd_parms *cmd, jwtsso_dir_cfg *c,
                        jwtsso_setbits_t bit);
/* The names of the algorithms in the JWTSSO_ALGBIT set algs, joined by
 * spaces ("" for none), in p. */
const char *jwtsso_config_alg_list(apr_pool_t *p, unsigned algs);

/* keyconf.c: the key directives (JWTSSOSecret, JWTSSOSessionKey,
 * JWTSSOVerifyKey, JWTSSOVerifyJWKS); keys become ready objects once, in
 * the setter, on the config pool. */
const char *jwtsso_keyconf_set_secret(cmd_parms *cmd, void *dv,
                                      const char *arg);
const char *jwtsso_keyconf_set_session_key(cmd_parms *cmd, void *dv,
                                           const char *arg);
const char *jwtsso_keyconf_set_verify_key(cmd_parms *cmd, void *dv,
                                          const char *a1, const char *a2);
const char *jwtsso_keyconf_set_verify_jwks(cmd_parms *cmd, void *dv,
                                           const char *arg);
const char *jwtsso_keyconf_set_jwks_cafile(cmd_parms *cmd, void *dv,
                                           const char *arg);
/* A secret of the forms of JWTSSOSecret into cmd->temp_pool (one under
 * 32 bytes noted in c->short_secret, for startup.c); the caller cleanses
 * *out. An error message or NULL. */
const char *jwtsso_keyconf_secret(cmd_parms *cmd, jwtsso_dir_cfg *c,
                                  const char *arg, unsigned char **out,
                                  size_t *len);
/* A key file's text (at most 1 MiB, ServerRoot-relative) into
 * cmd->temp_pool; the caller cleanses it. An error message or NULL. */
const char *jwtsso_keyconf_read(cmd_parms *cmd, const char *path,
                                char **text, apr_size_t *len);
/* The session record key in force for cfg, or NULL. */
const jwtsso_mackey_t *jwtsso_keyconf_record_key(const jwtsso_dir_cfg *cfg);

/* jwksurl.c: JWTSSOVerifyJWKS https://URL: the JWK Set fetched with
 * libcurl in post_config, kept in shared memory (one fetch per server,
 * not per child), refreshed every JWTSSOJWKSRefresh seconds by a thread
 * of each child (one of them wins the turn) and on an unknown kid (at
 * most once a minute per URL). */
#define JWTSSO_JWKS_REFRESH_DEFAULT 3600
/* The setter's part: arg is a URL (https://, or http:// to a loopback
 * address): an error message, or NULL with *src the URL's source (shared
 * by the sections naming the same URL). *is_url 0: not a URL form. */
const char *jwtsso_jwksurl_parse(cmd_parms *cmd, const char *arg,
                                 struct jwtsso_jwksurl **src, int *is_url);
/* check_config: the CA file and refresh of the merged section c that
 * uses the URL; a problem text or NULL. */
const char *jwtsso_jwksurl_note(apr_pool_t *p, const jwtsso_dir_cfg *c);
int jwtsso_jwksurl_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp);
int jwtsso_jwksurl_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s);
void jwtsso_jwksurl_child_init(apr_pool_t *p, server_rec *s);
/* Verifies token (as jwtsso_jws_verify_in) with cfg's keys: the fetched
 * set first, then the section's other keys; an unknown kid may wait for
 * one refetch (bounded by the fetch timeout). */
jwtsso_reason_t jwtsso_jwksurl_verify(request_rec *r,
                                      const jwtsso_dir_cfg *cfg,
                                      const jwtsso_policy_t *pol,
                                      const char *token, size_t len,
                                      jwtsso_result_t *res, void *scratch,
                                      size_t slen);
/* The generation of cfg's fetched keys as this process has them (0 for
 * a section without a URL): for the bearer cache's key. */
apr_uint32_t jwtsso_jwksurl_generation(request_rec *r,
                                       const jwtsso_dir_cfg *cfg);
/* httpget.c: one GET with libcurl for jwksurl.c: TLS always verified
 * (against ca, PEM certificates, alone when given; else the system's),
 * http only when http is set, redirects only to https (at most 3), ms to
 * connect and in all, at most max bytes into buf (*len). NULL, or why not
 * (in p). init: curl_global_init once; 0 when it failed. */
int jwtsso_httpget_init(void);
const char *jwtsso_httpget_fetch(apr_pool_t *p, const char *url, int http,
                                 const char *ca, apr_size_t ca_len,
                                 char *buf, apr_size_t max, long ms,
                                 apr_size_t *len);

/* mistakes.c: mistakes of configuration found by startup.c's walk.
 * begin once per check_config; server at each server's start of walk,
 * section for each section (jwtsso: under AuthType jwtsso), server_end
 * after its sections. short and section return 1 when start-up must
 * fail (they logged why). */
void jwtsso_mistakes_begin_modules(void);
void jwtsso_mistakes_begin(apr_pool_t *ptemp);
void jwtsso_mistakes_server(apr_pool_t *ptemp);
int jwtsso_mistakes_short(apr_pool_t *p, server_rec *s, const char *kind,
                          const char *path, const jwtsso_dir_cfg *own,
                          const jwtsso_dir_cfg *merged);
int jwtsso_mistakes_section(apr_pool_t *p, server_rec *s, const char *kind,
                            const char *path, ap_conf_vector_t *own,
                            ap_conf_vector_t *merged, int jwtsso);
void jwtsso_mistakes_server_end(apr_pool_t *p, server_rec *s);
/* For a request mod_session did not give a session to: what is missing
 * in its configuration, with the fix. */
const char *jwtsso_mistakes_session_fix(request_rec *r);
/* The cookies mod_session_dbd keeps its session id in under v
 * (SessionDBDCookieName, SessionDBDCookieName2), pushed onto names
 * (const char *); none when it is not loaded or keeps sessions per user. */
void jwtsso_mistakes_dbd_cookies(ap_conf_vector_t *v,
                                 apr_array_header_t *names);

/* startup.c: the check_config hook: every section under AuthType jwtsso
 * has what a request will need, and the modules it relies on are
 * loaded. */
int jwtsso_startup_check(apr_pool_t *pconf, apr_pool_t *plog,
                         apr_pool_t *ptemp, server_rec *s);
/* 1 when some section of the running configuration uses AuthType jwtsso
 * (check_config saw it): spoofed X-JWTSSO-* headers are then removed from
 * every request, not only from those under AuthType jwtsso. */
int jwtsso_startup_used(void);
/* During check_config: the name of our handler ("jwtsso-...") that the
 * merged section runs with SetHandler, or NULL. */
const char *jwtsso_startup_handler(apr_pool_t *p, ap_conf_vector_t *merged);

/* policy.c: the digest of a section's verification policy that its
 * session records are bound to (JWTSSO_POLICY_LEN bytes). */
void jwtsso_policy_reset(void);                 /* pre_config */
/* check_config: compute and keep the digest of a merged configuration;
 * 0, or -1 when the digest cannot be made. */
int jwtsso_policy_note(apr_pool_t *pconf, const jwtsso_dir_cfg *cfg);
/* The digest for cfg: from the start-up table, or computed in r->pool for
 * a configuration not seen then; NULL on a crypto failure. */
const unsigned char *jwtsso_policy_of(request_rec *r,
                                      const jwtsso_dir_cfg *cfg);

/* url.c: query strings and URLs, parsed then rebuilt, never edited. */
typedef struct {
    const char *raw;    /* "name=value" as the client sent it */
    const char *name;   /* decoded name */
    const char *value;  /* decoded value ("" when no '=') */
} jwtsso_qpair_t;

apr_array_header_t *jwtsso_url_query_parse(apr_pool_t *p, const char *args);
/* The pairs' raw forms joined with '&', leaving out names in drop (a
 * NULL-terminated list); "" when nothing is left. */
const char *jwtsso_url_query_build(apr_pool_t *p,
                                   const apr_array_header_t *pairs,
                                   const char *const *drop);
/* scheme://host[:port] as browsers see this server, and whether https:
 * JWTSSOPublicURL, else the forwarded headers under JWTSSOTrustForwarded
 * On, else the server's configured name and port (never the Host
 * header). For redirects. */
const char *jwtsso_url_origin(request_rec *r, const jwtsso_dir_cfg *cfg,
                              int *https);
/* The origin a session record is bound to: JWTSSOPublicURL, else the
 * server's configured name and port; never a request header. */
const char *jwtsso_url_bound_origin(request_rec *r,
                                    const jwtsso_dir_cfg *cfg);
/* A URL from a client (a logout return_to), accepted only when it is a
 * path on this site or an absolute http(s) URL whose scheme, host and port
 * are this site's origin: the URL rebuilt from its parsed parts, or NULL. */
const char *jwtsso_url_same_origin(request_rec *r, const jwtsso_dir_cfg *cfg,
                                   const char *url);
/* An absolute http(s) URL (from a client or the configuration) parsed
 * into *u, refused on the characters and forms jwtsso_url_same_origin
 * refuses (controls, spaces, backslash, non-ASCII, userinfo, no "://"): its
 * origin, lower-case scheme://host[:port] without the default port, or
 * NULL. */
const char *jwtsso_url_absolute(apr_pool_t *p, const char *url, apr_uri_t *u);
/* The path of this request as the browser sent it (still encoded: not
 * r->uri, which httpd decodes), without query or fragment. */
const char *jwtsso_url_raw_path(request_rec *r);
/* The absolute URL of this request with the given query ("" = none). */
const char *jwtsso_url_self(request_rec *r, const jwtsso_dir_cfg *cfg,
                            const char *query);

/* ---- the issuer side: issuerconf.c (directives, start-up), issuer.c */

/* The signing key of an issuer section, made once by its setter: a
 * signer for each algorithm the key allows (an alg picks its signer at
 * request time, whatever order the directives came in). */
typedef struct jwtsso_issuer_key {
    jwtsso_signer_t *by_alg[JWTSSO_ALG__COUNT];
    unsigned algs;              /* JWTSSO_ALGBIT set of by_alg */
    jwtsso_alg_t first;         /* the alg without JWTSSOIssuerAlgorithm */
    int hmac;                   /* a secret: no public key, no JWKS */
    const char *where;          /* "file:line" of its directive */
} jwtsso_issuer_key_t;

/* One JWTSSOIssuerAllowedReturnTo prefix, parsed at start-up. */
typedef struct {
    const char *origin;         /* as jwtsso_url_absolute gives it */
    const char *path;           /* "/..." ; "/" allows the whole origin */
} jwtsso_issuer_prefix_t;

const char *jwtsso_issuerconf_set_secret(cmd_parms *cmd, void *dv,
                                         const char *arg);
const char *jwtsso_issuerconf_set_key(cmd_parms *cmd, void *dv,
                                      const char *a1, const char *a2);
const char *jwtsso_issuerconf_set_alg(cmd_parms *cmd, void *dv,
                                      const char *arg);
const char *jwtsso_issuerconf_set_return(cmd_parms *cmd, void *dv,
                                         const char *arg);
/* check_config: each merged section that runs SetHandler jwtsso-issuer
 * or jwtsso-jwks (jwtsso_startup_handler) needs a key whose algorithms
 * include JWTSSOIssuerAlgorithm. 1 when a section is bad (logged). */
int jwtsso_issuerconf_check(apr_pool_t *ptemp, server_rec *s,
                            const char *kind, const char *path,
                            ap_conf_vector_t *merged);
/* 1 when a browser or server could read path as another path: a "." or
 * ".." segment, also percent-encoded, or an encoded '/' or backslash. */
int jwtsso_issuerconf_odd_path(const char *path);
/* The signer cfg signs with, or NULL (no key, an alg the key lacks). */
const jwtsso_signer_t *jwtsso_issuerconf_signer(const jwtsso_dir_cfg *cfg);

/* issuer.c: SetHandler jwtsso-issuer and jwtsso-jwks. */
int jwtsso_issuer_handler(request_rec *r);
int jwtsso_issuer_jwks(request_rec *r);

/* session.c: the record through mod_session. */
int jwtsso_session_init(void);     /* 1 when mod_session is there */
/* What a record is bound to: the realm (AuthName, "" when none), the
 * public origin with its mount (never from the client's Host), and the
 * section's policy digest (NULL on a crypto failure: no record then). */
void jwtsso_session_binding(request_rec *r, const jwtsso_dir_cfg *cfg,
                            const char **realm, const char **origin,
                            const unsigned char **policy);
/* Checks a record text against cfg's key, realm and origin; on OK the
 * strings of *rec live in r->pool. */
jwtsso_reason_t jwtsso_session_check(request_rec *r,
                                     const jwtsso_dir_cfg *cfg,
                                     const char *text, jwtsso_record_t *rec);
/* Checks the record once per request; on success fills *rec (pool). */
int jwtsso_session_valid(request_rec *r, const jwtsso_dir_cfg *cfg,
                         jwtsso_record_t *rec);
/* Replaces the session with a fresh one holding record; 0 or a status. */
int jwtsso_session_store(request_rec *r, const char *record);
/* REMOTE_USER and the claims (JWTSSOPassClaims) from a checked record. */
void jwtsso_session_apply(request_rec *r, const jwtsso_dir_cfg *cfg,
                          const jwtsso_record_t *rec);
/* Remove the jwtsso record from the session; 0 or a status. */
int jwtsso_session_clear(request_rec *r);

/* idle.c: JWTSSOSessionInactivity. z is the request's mod_session
 * session_rec, rec a record session.c checked. 1 when the session was
 * used recently enough (its last-seen entry refreshed when older than a
 * tenth of the timeout); 0, logged, when it idled too long or its
 * last-seen entry is not one this login's key wrote. */
int jwtsso_idle_check(request_rec *r, const jwtsso_dir_cfg *cfg, void *z,
                      const jwtsso_record_t *rec);
/* When the session of rec idles out (Unix seconds), or -1 when
 * JWTSSOSessionInactivity is off or the session cannot be read. */
long long jwtsso_idle_expires(request_rec *r, const jwtsso_dir_cfg *cfg,
                              const jwtsso_record_t *rec);

/* info.c: SetHandler jwtsso-info (the handler hook), and the 401 JSON
 * answer check_authn gives there instead of a login redirect. */
int jwtsso_info_handler(request_rec *r);
int jwtsso_info_wanted(request_rec *r);
int jwtsso_info_refuse(request_rec *r);
/* check_config: SetHandler jwtsso-info outside AuthType jwtsso; 1 when
 * such a section was found (logged). */
int jwtsso_info_check(apr_pool_t *p, server_rec *s, const char *kind,
                      const char *path,
                      ap_conf_vector_t *merged, const char *auth_type);

/* proxied.c: JWTSSOStripCookies and JWTSSOUserHeader. */
/* JWTSSOUserHeader's check of a header name: NULL, or why it cannot be
 * one (in p), with the fix. */
const char *jwtsso_proxied_header_problem(apr_pool_t *p, const char *name);
/* post_perdir under AuthType jwtsso: the client's own JWTSSOUserHeader
 * (any case, '_' for '-') removed. */
void jwtsso_proxied_strip_user_header(request_rec *r,
                                      const jwtsso_dir_cfg *cfg);
/* fixups: the session and state cookies out of Cookie, the user into
 * JWTSSOUserHeader. */
int jwtsso_proxied_fixups(request_rec *r);

/* ---- the flow: flow.c (hooks), headers.c, verify.c, login.c, bearer.c */

/* flow.c: what the module learned about one request (r->request_config),
 * shared by the hooks with login.c and bearer.c. */
typedef struct {
    int parsed;
    apr_array_header_t *pairs;  /* the query as the client sent it */
    const char *token;          /* the token parameter, decoded */
    int ntokens;
    const char *state;          /* the jwtsso_state parameter */
    int session_checked;
    int session_ok;
    jwtsso_record_t rec;        /* the session's, or the bearer token's */
} jwtsso_flow_req_t;

int jwtsso_flow_post_perdir(request_rec *r);
int jwtsso_flow_check_authn(request_rec *r);
int jwtsso_flow_force_authn(request_rec *r);
/* The answer to refused client input: 401, not to be cached. */
int jwtsso_flow_refuse(request_rec *r);

/* headers.c: removes every incoming header a client could use to pose as
 * us (X-JWTSSO-*, X_JWTSSO_*), and our names from its Connection header. */
void jwtsso_headers_strip(request_rec *r);

/* verify.c */
#define JWTSSO_VERIFY_REPLAY_KEY_LEN 32
/* 8 hex of SHA-256 of the token (r->pool): lets an administrator match
 * log lines to a token without the token in the log; "-" on a crypto
 * failure. */
const char *jwtsso_verify_fingerprint(request_rec *r, const char *token);
/* Verifies token with cfg's keys and policy: a login token, or with
 * bearer set a bearer token (an exp required; JWTSSOBearerAudience's
 * rules for API tokens). On failure *res is cleared and one line is
 * logged with the level and tag of the reason's row (reasons.c): INFO
 * JWTSSO002nn for refused input (WARN, rate-limited, with the fix, for a
 * login token in the browser flow), ERR JWTSSO00415 for an internal
 * fault.
 * what: "token" or "bearer token", for that line; fp: the token's
 * fingerprint, or NULL to compute it only if a line is logged. On OK the
 * caller clears *res (jwtsso_jws_result_clear). */
jwtsso_reason_t jwtsso_verify_token(request_rec *r,
                                    const jwtsso_dir_cfg *cfg,
                                    const char *token, int bearer,
                                    const char *what, const char *fp,
                                    jwtsso_result_t *res);
/* The replay cache key of a verified token into key
 * (JWTSSO_VERIFY_REPLAY_KEY_LEN bytes): a SHA-256 of its jti (with iss)
 * if it has one, else of its signing input "header.payload" - never of
 * the signature, which ECDSA lets anyone re-form (r, n-s) without the
 * key. All zero on a crypto failure. */
void jwtsso_verify_replay_key(const jwtsso_result_t *res, const char *token,
                              unsigned char *key);

/* login.c: the browser login. A request that carries a token in the
 * query (st->token, once): verified, checked against the state cookie,
 * consumed once, kept in a fresh session record; answers the redirect to
 * the same URL without the token, or the refusal (logged). */
int jwtsso_login_consume(request_rec *r, const jwtsso_dir_cfg *cfg,
                         jwtsso_flow_req_t *st);
/* No session: JWTSSOUnauthAction's answer: a redirect to the login page
 * (with a state cookie under JWTSSOState On) for a request a browser can
 * follow, else 401 (with a Bearer challenge under JWTSSOAcceptBearer). */
int jwtsso_login_start(request_rec *r, const jwtsso_dir_cfg *cfg,
                       jwtsso_flow_req_t *st);
/* The redirect to cfg's login page that comes back to back (an absolute
 * URL without query) with query ("" for none; no state parameter in it),
 * plus the state and its cookie under JWTSSOState On; or 500 (logged).
 * For jwtsso_login_start and the jwtsso-login handler (loginlink.c). */
int jwtsso_login_redirect(request_rec *r, const jwtsso_dir_cfg *cfg,
                          const char *back, const char *query);
/* 1 when this request can follow a redirect to a login page (a browser's
 * navigation, DESIGN §2.6): its refused token is then the browser flow's,
 * logged at warn; an XHR or a POST is not. */
int jwtsso_login_navigable(request_rec *r);

/* bearer.c: JWTSSOAcceptBearer. The token of an "Authorization: Bearer
 * TOKEN" header (RFC 6750 §2.1), "" for a Bearer header without a token,
 * NULL for no Bearer header. */
const char *jwtsso_bearer_find(request_rec *r);
/* Authenticates this request by token (no session written): OK with the
 * user and claims applied, or the answer (logged). */
int jwtsso_bearer_check(request_rec *r, const jwtsso_dir_cfg *cfg,
                        jwtsso_flow_req_t *st, const char *token);
/* 401 with a Bearer challenge (RFC 6750 §3) naming error, or none when
 * error is NULL. */
int jwtsso_bearer_refuse(request_rec *r, const char *error);

/* authz.c: Require jwtsso-claim (an authz provider, registered from
 * register_hooks), and the note_auth_failure hook of AuthType jwtsso:
 * OK for ours, after an INFO line saying the user was refused. */
void jwtsso_authz_register(apr_pool_t *p);
int jwtsso_authz_note_failure(request_rec *r, const char *type);

/* handlers.c */
int jwtsso_handlers_handler(request_rec *r);

/* loginlink.c: SetHandler jwtsso-login (the "log in" link of a pass app). */
int jwtsso_loginlink_handle(request_rec *r);

#endif /* JWTSSO_GLUE_H */
