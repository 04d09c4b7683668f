/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * login.c - the browser login (DESIGN §2): sending a browser without a
 * session to the login page (JWTSSOAuthEndpoint) with a return URL and, under
 * JWTSSOState On, a state cookie; and the way back: the token the IdP
 * returns in the query (?jwt=) verified, checked against the state,
 * consumed once (replay.c), kept in a fresh session record (session.c),
 * and the browser redirected to the same URL without it.
 *
 * The hooks (flow.c) decide when; the token's checks are verify.c's; an
 * Authorization: Bearer request never comes here (bearer.c).
 */
#include "glue.h"
#include "stats.h"

#include "http_protocol.h"
#include "util_cookies.h"
#include "apr_strings.h"

#include <openssl/crypto.h>

#include <limits.h>

#define STATE_BYTES 16

/* 16 random bytes; as 32 hex digits (the state, in cookies and URLs) or,
 * shorter, as 22 base64url characters (the login id kept in a record). */
static const char *random_id(request_rec *r, int b64)
{
    unsigned char raw[STATE_BYTES];
    char *out = apr_palloc(r->pool, STATE_BYTES * 2 + 1);
    int i;

    if (apr_generate_random_bytes(raw, sizeof(raw)) != APR_SUCCESS) {
        return NULL;
    }
    if (b64) {
        jwtsso_b64url_encode(raw, sizeof(raw), out);
        return out;
    }
    for (i = 0; i < STATE_BYTES; i++) {
        apr_snprintf(out + i * 2, 3, "%02x", raw[i]);
    }
    return out;
}

/* The state cookie's name: with the __Host- prefix on https (Secure,
 * Path=/, no Domain), so a sibling subdomain cannot plant one. */
static const char *state_name(int https)
{
    return https ? JWTSSO_STATE_COOKIE_HTTPS : JWTSSO_STATE_COOKIE;
}

/* Sets the state cookie to value, or expires it (value NULL). */
static void state_cookie(request_rec *r, const jwtsso_dir_cfg *cfg,
                         const char *value)
{
    int https;

    jwtsso_url_origin(r, cfg, &https);
    apr_table_addn(r->err_headers_out, "Set-Cookie",
                   apr_psprintf(r->pool, "%s=%s; Path=/; Max-Age=%d; "
                                "HttpOnly; SameSite=Lax%s",
                                state_name(https), value ? value : "",
                                value ? JWTSSO_STATE_MAX_AGE : 0,
                                https ? "; Secure" : ""));
}

/* Under JWTSSOState On, the state parameter the login came back with must
 * match this browser's state cookie: NULL, or the reason it does not
 * (logged).
 *
 * Only a token that verified gets here: the IdP signed it moments ago.
 * A missing cookie or parameter is then most often the set-up (the IdP
 * came back to another host or scheme than return_to's, or dropped its
 * query; a login that took over JWTSSO_STATE_MAX_AGE): at warn in the
 * browser flow. A mismatch means the cookie came back, so the set-up
 * works: a login started in another tab or browser, or someone's login
 * CSRF: info. */
static const char *state_checked(request_rec *r, const jwtsso_dir_cfg *cfg,
                                 const jwtsso_flow_req_t *st, const char *fp)
{
    const char *cookie = NULL, *name;
    int https, browser, level;

    if (!cfg->state) {
        return NULL;
    }
    jwtsso_url_origin(r, cfg, &https);
    name = state_name(https);
    browser = jwtsso_login_navigable(r);
    ap_cookie_read(r, name, &cookie, 0);
    /* the level is worked out once: ap_log_rerror's macro reads its
     * level argument twice, and each call may take the second's warn */
    if (!cookie || !*cookie) {
        level = jwtsso_visible_level(JWTSSO_VISIBLE_STATE_MISSING, browser);
        ap_log_rerror(APLOG_MARK, level, 0, r, JWTSSO_LOGNO(00402)
                      "token refused: state_missing: no %s cookie: the "
                      "login was not started by this browser, or the "
                      "cookie was lost (token %s); fix: the IdP must send "
                      "the browser back to return_to's scheme and host "
                      "(set " JWTSSO_D_PUBLIC_URL " behind a proxy) within "
                      "%d s", name, fp, JWTSSO_STATE_MAX_AGE);
        jwtsso_stats_fail(JWTSSO_STATS_F_STATE_MISSING);
        return "state_missing";
    }
    if (!st->state || !*st->state) {
        level = jwtsso_visible_level(JWTSSO_VISIBLE_STATE_PARAM, browser);
        ap_log_rerror(APLOG_MARK, level, 0, r, JWTSSO_LOGNO(00403)
                      "token refused: state_param_missing: the return "
                      "URL has no %s parameter (token %s); fix: the IdP "
                      "must come back to return_to as given, its query "
                      "included, with only the token appended",
                      JWTSSO_STATE_PARAM, fp);
        jwtsso_stats_fail(JWTSSO_STATS_F_STATE_PARAM);
        return "state_param_missing";
    }
    if (strlen(cookie) != strlen(st->state)
        || CRYPTO_memcmp(cookie, st->state, strlen(cookie)) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00404)
                      "token refused: state_mismatch: the %s parameter "
                      "does not match this browser's cookie: a login "
                      "started elsewhere (token %s)", JWTSSO_STATE_PARAM,
                      fp);
        jwtsso_stats_fail(JWTSSO_STATS_F_STATE_MISMATCH);
        return "state_mismatch";
    }
    return NULL;
}

/* Each token logs in once: it is kept in the replay cache until it could
 * no longer be accepted anyway: the earlier of exp and iat + max age
 * (verification bounded iat), + skew; saturating, as the core takes any
 * exp up to LLONG_MAX (a wrapped sum was a 2 s entry: issue 11). OK when
 * the token was fresh (now recorded) or the cache is off, else the answer
 * (logged), with *reason set for a 401. */
static int consumed_once(request_rec *r, const jwtsso_dir_cfg *cfg,
                         const jwtsso_result_t *res, const char *token,
                         const char *fp, const char **reason)
{
    unsigned char rkey[JWTSSO_VERIFY_REPLAY_KEY_LEN];
    long long end;

    jwtsso_verify_replay_key(res, token, rkey);
    end = res->has_exp ? res->exp : LLONG_MAX;
    if (res->has_iat && cfg->max_age >= 0 && res->iat + cfg->max_age < end) {
        end = res->iat + cfg->max_age;
    }
    switch (jwtsso_replay_consume(r, rkey, sizeof(rkey),
                                  jwtsso_replay_until(end, cfg->skew))) {
    case JWTSSO_REPLAY_FRESH:
    case JWTSSO_REPLAY_OFF:
        return OK;
    case JWTSSO_REPLAY_TOO_LONG:        /* logged by replay.c */
        jwtsso_stats_fail(JWTSSO_STATS_F_REPLAY_WINDOW);
        *reason = "replay_window_too_long";
        return HTTP_UNAUTHORIZED;
    case JWTSSO_REPLAY_SEEN:
        /* the back button to the URL with the token, or a replay: info */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00417)
                      "token refused: replayed: this token was already used "
                      "to log in (token %s)", fp);
        jwtsso_stats_fail(JWTSSO_STATS_F_REPLAYED);
        jwtsso_stats_count(JWTSSO_STATS_REPLAYS);
        *reason = "replayed";
        return HTTP_UNAUTHORIZED;
    case JWTSSO_REPLAY_UNAVAILABLE:
    default:
        /* fail closed: no login without the replay check */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00418)
                      "token not consumed: the replay cache is unreachable "
                      "(see the line before); logins fail with 503 until it "
                      "is back (token %s)", fp);
        jwtsso_stats_count(JWTSSO_STATS_STORE_ERRORS);
        apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
        apr_table_setn(r->err_headers_out, "Retry-After", "10");
        return HTTP_SERVICE_UNAVAILABLE;
    }
}

/* A record for a verified token, with a fresh random sid, checked into
 * rec (strings in r->pool). Returns the record text or NULL (logged). */
static const char *make_record(request_rec *r, const jwtsso_dir_cfg *cfg,
                               const jwtsso_result_t *res,
                               jwtsso_record_t *rec)
{
    const char *realm, *origin, *text;
    const unsigned char *policy;
    const char *sid = random_id(r, 1);
    long long now = (long long)apr_time_sec(r->request_time);
    char dropped[256] = "";
    jwtsso_reason_t why;
    char *record;

    jwtsso_session_binding(r, cfg, &realm, &origin, &policy);
    record = sid && policy
           ? jwtsso_record_make(jwtsso_keyconf_record_key(cfg), realm, origin,
                                policy, res->user, now,
                                now + cfg->session_max_age, sid,
                                res->payload, res->payload_len, dropped,
                                sizeof(dropped))
           : NULL;
    if (!record) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00405)
                      "cannot make a session record (out of memory or no "
                      "randomness)");
        return NULL;
    }
    text = apr_pstrdup(r->pool, record);
    free(record);
    if (*dropped) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00406)
                      "claims not kept in the session (over %d bytes; "
                      "JWTSSO_CLAIMS_TRUNCATED=1): %s",
                      JWTSSO_RECORD_CLAIMS_MAX,
                      ap_escape_logitem(r->pool, dropped));
    }
    why = jwtsso_session_check(r, cfg, text, rec);
    if (why != JWTSSO_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00407)
                      "the session record just made does not check: %s",
                      jwtsso_reason_name(why));
        return NULL;
    }
    return text;
}

/* The absolute URL of this request without the token and the state:
 * where a login goes on to, or starts again after a failure. */
static const char *clean_self(request_rec *r, const jwtsso_dir_cfg *cfg,
                              const jwtsso_flow_req_t *st)
{
    static const char *const drop_names[3] = { NULL, JWTSSO_STATE_PARAM,
                                               NULL };
    const char *drop[3];

    memcpy(drop, drop_names, sizeof(drop));
    drop[0] = cfg->token_param;
    return jwtsso_url_self(r, cfg,
                           jwtsso_url_query_build(r->pool, st->pairs, drop));
}

/* The login of a verified, consumed token: a fresh session record, the
 * user for this request, the state cookie spent, and a redirect to the
 * same URL without the token and the state. */
static int log_in(request_rec *r, const jwtsso_dir_cfg *cfg,
                  jwtsso_flow_req_t *st, const jwtsso_result_t *res,
                  const char *fp)
{
    const char *rtext;
    int rv;

    rtext = make_record(r, cfg, res, &st->rec);
    if (!rtext) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rv = jwtsso_session_store(r, rtext);
    if (rv != OK) {
        return rv;
    }
    jwtsso_session_apply(r, cfg, &st->rec);
    st->session_checked = st->session_ok = 1;
    if (cfg->state) {
        state_cookie(r, cfg, NULL);     /* single use */
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00408)
                  "login: user '%s' (alg %s, token %s)",
                  ap_escape_logitem(r->pool, r->user),
                  jwtsso_alg_name(res->alg), fp);
    jwtsso_stats_count(JWTSSO_STATS_LOGINS);

    apr_table_setn(r->headers_out, "Location", clean_self(r, cfg, st));
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    return HTTP_MOVED_TEMPORARILY;
}

int jwtsso_login_consume(request_rec *r, const jwtsso_dir_cfg *cfg,
                         jwtsso_flow_req_t *st)
{
    const char *fp = jwtsso_verify_fingerprint(r, st->token);
    const char *reason = NULL;
    jwtsso_result_t res;
    jwtsso_reason_t why;
    int rv;

    if (st->ntokens > 1) {
        /* an IdP appends one: this URL was made by hand */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00401)
                      "token refused: duplicate_param: the %s parameter "
                      "appears %d times", cfg->token_param, st->ntokens);
        jwtsso_stats_fail(JWTSSO_STATS_F_DUPLICATE_PARAM);
        return jwtsso_visible_refuse(r, cfg, clean_self(r, cfg, st),
                                     "duplicate_param");
    }
    why = jwtsso_verify_token(r, cfg, st->token, 0, "token", fp, &res);
    if (why == JWTSSO_R_INTERNAL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (why != JWTSSO_OK) {
        return jwtsso_visible_refuse(r, cfg, clean_self(r, cfg, st),
                                     jwtsso_reasons_get(why)->name);
    }
    reason = state_checked(r, cfg, st, fp);
    rv = reason ? HTTP_UNAUTHORIZED
                : consumed_once(r, cfg, &res, st->token, fp, &reason);
    if (rv == OK) {
        rv = log_in(r, cfg, st, &res, fp);
    }
    jwtsso_jws_result_clear(&res);
    if (rv == HTTP_UNAUTHORIZED) {
        return jwtsso_visible_refuse(r, cfg, clean_self(r, cfg, st), reason);
    }
    return rv;
}

/* Can this request follow a redirect to a login page? (DESIGN §2.6) */
static const char *why_not_navigable(request_rec *r)
{
    const char *v;

    if (r->method_number != M_GET) {
        return "the method is not GET or HEAD";
    }
    if (apr_table_get(r->headers_in, "X-Requested-With")) {
        return "X-Requested-With";
    }
    v = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    if (v && strcasecmp(v, "navigate")) {
        return "Sec-Fetch-Mode is not navigate";
    }
    v = apr_table_get(r->headers_in, "Accept");
    if (v && !ap_strcasestr(v, "text/html") && !strstr(v, "*/*")) {
        return "Accept has neither text/html nor */*";
    }
    return NULL;
}

int jwtsso_login_navigable(request_rec *r)
{
    return why_not_navigable(r) == NULL;
}

/* Why this request gets a 401 rather than a redirect to log in, or NULL
 * for a redirect (JWTSSOUnauthAction). */
static const char *why_no_redirect(request_rec *r, const jwtsso_dir_cfg *cfg)
{
    switch (cfg->unauth) {
    case JWTSSO_UNAUTH_AUTO:
        return why_not_navigable(r);
    case JWTSSO_UNAUTH_REDIRECT:
        return NULL;
    case JWTSSO_UNAUTH_401:
        return JWTSSO_D_UNAUTH_ACTION " 401";
    case JWTSSO_UNAUTH_PASS:
        return "a user is required here (" JWTSSO_D_UNAUTH_ACTION
               " pass serves anonymous requests only under Require all "
               "granted)";
    }
    return NULL;
}

/* The absolute URL of the login page, or NULL (logged) when it is this
 * very URL: the login page itself under AuthType jwtsso would loop. */
static const char *login_endpoint(request_rec *r, const jwtsso_dir_cfg *cfg)
{
    const char *self = jwtsso_url_self(r, cfg, NULL), *endpoint;
    size_t n;
    int https;

    endpoint = cfg->endpoint[0] == '/'
             ? apr_pstrcat(r->pool, jwtsso_url_origin(r, cfg, &https),
                           cfg->endpoint, NULL)
             : cfg->endpoint;
    n = strcspn(endpoint, "?");
    if (strlen(self) == n && !strncasecmp(self, endpoint, n)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00416)
                      JWTSSO_D_ENDPOINT " %s is itself protected by AuthType "
                      "jwtsso: a redirect loop; exempt it (e.g. a <Location> "
                      "with Require all granted and AuthType None)",
                      ap_escape_logitem(r->pool, endpoint));
        return NULL;
    }
    return endpoint;
}

int jwtsso_login_redirect(request_rec *r, const jwtsso_dir_cfg *cfg,
                          const char *back, const char *query)
{
    const char *state, *endpoint, *ret;

    if (!cfg->endpoint) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00410)
                      "no " JWTSSO_D_ENDPOINT " for %s: cannot send the "
                      "browser to log in; configure one", r->uri);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (cfg->state) {
        state = random_id(r, 0);
        if (!state) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00411)
                          "no randomness for the login state");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        query = apr_pstrcat(r->pool, query, *query ? "&" : "",
                            JWTSSO_STATE_PARAM "=", state, NULL);
        state_cookie(r, cfg, state);
    }
    ret = apr_pstrcat(r->pool, back, *query ? "?" : "", query, NULL);
    endpoint = login_endpoint(r, cfg);
    if (!endpoint) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* the return URL as one form-encoded query value: ':', '/', '?',
     * '&', '=', '%' and '+' escaped (a raw space, which a request line
     * cannot carry, would be '+') */
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, endpoint,
                               strchr(endpoint, '?') ? "&" : "?",
                               cfg->return_param, "=",
                               ap_escape_urlencoded(r->pool, ret), NULL));
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00412)
                  "no session: redirect to log in");
    jwtsso_stats_count(JWTSSO_STATS_REDIRECTS);
    return HTTP_MOVED_TEMPORARILY;
}

int jwtsso_login_start(request_rec *r, const jwtsso_dir_cfg *cfg,
                       jwtsso_flow_req_t *st)
{
    static const char *const drop[] = { JWTSSO_STATE_PARAM, NULL };
    const char *why = why_no_redirect(r, cfg);

    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00409)
                      "no session: 401, not a redirect: %s", why);
        return cfg->accept_bearer ? jwtsso_bearer_refuse(r, NULL)
                                  : jwtsso_flow_refuse(r);
    }
    return jwtsso_login_redirect(r, cfg, jwtsso_url_self(r, cfg, NULL),
                                 jwtsso_url_query_build(r->pool, st->pairs,
                                                        drop));
}
