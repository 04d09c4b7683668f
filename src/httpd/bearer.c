/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * bearer.c - JWTSSOAcceptBearer On: a token in "Authorization: Bearer"
 * (RFC 6750) authenticates its own request, with no session written.
 *
 * Found, checked (verify.c, with the bearer policy: an exp required, an
 * API token's own audience under JWTSSOBearerAudience), refused with a
 * WWW-Authenticate challenge, and remembered until its exp in this
 * process's bearer cache (bcache.c). A token a login could use is refused
 * once a login consumed it (the replay cache, asked, never written here).
 */
#include "glue.h"
#include "stats.h"

#include "http_core.h"
#include "apr_strings.h"
#include "apr_escape.h"

const char *jwtsso_bearer_find(request_rec *r)
{
    const char *h = apr_table_get(r->headers_in, "Authorization");

    if (!h || strncasecmp(h, "Bearer", 6) || (h[6] != ' ' && h[6] != '\0')) {
        return NULL;
    }
    h += 6;
    while (*h == ' ') {
        h++;
    }
    return h;
}

int jwtsso_bearer_refuse(request_rec *r, const char *error)
{
    const char *realm = ap_auth_name(r);

    /* RFC 6750 §3; the realm is the administrator's AuthName, quoted
     * without its own quotes */
    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   apr_psprintf(r->pool, "Bearer realm=\"%s\"%s%s%s",
                                realm ? ap_escape_quotes(r->pool, realm)
                                      : "jwtsso",
                                error ? ", error=\"" : "",
                                error ? error : "", error ? "\"" : ""));
    return jwtsso_flow_refuse(r);
}

/* What a verified bearer token gives the app, as a record that lives in
 * r->pool only: the claims view (jwtsso_view_result), no MAC, no sid. */
static int bearer_record(request_rec *r, const jwtsso_result_t *res,
                         jwtsso_record_t *rec)
{
    size_t slen = jwtsso_view_scratch_len(res->payload_len);
    void *scratch = apr_palloc(r->pool, slen);
    char dropped[256];
    jwtsso_view_t v;

    if (jwtsso_view_result(res, JWTSSO_RECORD_CLAIMS_MAX, &v, scratch, slen,
                           dropped, sizeof(dropped)) != JWTSSO_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00420)
                      "cannot pass the claims of a verified bearer token");
        return 0;
    }
    if (*dropped) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00422)
                      "claims of a bearer token not passed on (over %d "
                      "bytes; JWTSSO_CLAIMS_TRUNCATED=1): %s",
                      JWTSSO_RECORD_CLAIMS_MAX,
                      ap_escape_logitem(r->pool, dropped));
    }
    memset(rec, 0, sizeof(*rec));
    rec->truncated = v.truncated;
    rec->user = apr_pstrdup(r->pool, res->user);
    rec->auth_time = (long long)apr_time_sec(r->request_time);
    rec->end = res->exp;
    rec->sid = "";
    rec->claims_json = v.claims_json;
    rec->nclaims = v.nclaims;
    rec->claims = v.claims;
    return 1;
}

/* Was this token consumed by a login (RFC 8725 §3.11: a login token is
 * not an API token)? A look-up in the replay store: 1 yes, 0 no, -1 the
 * store cannot answer (fail closed: 503). */
static int consumed(request_rec *r, const unsigned char *rkey,
                    const char *token)
{
    switch (jwtsso_replay_seen(r, rkey, JWTSSO_VERIFY_REPLAY_KEY_LEN)) {
    case JWTSSO_REPLAY_FRESH:
    case JWTSSO_REPLAY_OFF:
        return 0;
    case JWTSSO_REPLAY_SEEN:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00424)
                      "bearer token refused: consumed: this token was used "
                      "to log in, and a login token is one-time (set "
                      JWTSSO_D_BEARER_AUDIENCE " for API tokens; token %s)",
                      jwtsso_verify_fingerprint(r, token));
        jwtsso_stats_fail(JWTSSO_STATS_F_CONSUMED);
        jwtsso_stats_count(JWTSSO_STATS_REPLAYS);
        return 1;
    default:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00425)
                      "bearer token not accepted: the replay store cannot "
                      "say whether it was used to log in; 503 until it is "
                      "back (token %s)", jwtsso_verify_fingerprint(r, token));
        jwtsso_stats_count(JWTSSO_STATS_STORE_ERRORS);
        return -1;
    }
}

/* The answer to a bearer token a login consumed (seen 1) or whose replay
 * state is unknown (seen -1: fail closed, 503). */
static int not_consumable(request_rec *r, int seen)
{
    if (seen < 0) {
        apr_table_setn(r->err_headers_out, "Retry-After", "10");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    return jwtsso_bearer_refuse(r, "invalid_token");
}

/* A cache hit in rec: OK, or the answer when a login consumed the token
 * since it was cached. A token a login could use carries its replay key
 * (the record's sid, in hex). */
static int cached(request_rec *r, const jwtsso_dir_cfg *cfg,
                  const jwtsso_record_t *rec, const char *token)
{
    unsigned char rkey[JWTSSO_VERIFY_REPLAY_KEY_LEN];
    int seen;

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00421)
                  "bearer token of user '%s' verified before: from "
                  "this child's cache (until its exp)",
                  ap_escape_logitem(r->pool, rec->user));
    if (*rec->sid) {
        if (strlen(rec->sid) != 2 * sizeof(rkey)
            || apr_unescape_hex(rkey, rec->sid, 2 * sizeof(rkey), 0, NULL)
               != APR_SUCCESS) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if ((seen = consumed(r, rkey, token)) != 0) {
            return not_consumable(r, seen);
        }
    }
    jwtsso_session_apply(r, cfg, rec);
    return OK;
}

/* A token a login could have used is one-time there, so never a bearer
 * once consumed (a look-up: the bearer path never consumes), and cached
 * no longer than the login rules allow (*until lowered). OK with *sid
 * the hex replay key, or the answer. */
static int login_token(request_rec *r, const jwtsso_dir_cfg *cfg,
                       const jwtsso_result_t *res, const char *token,
                       long long *until, const char **sid)
{
    unsigned char rkey[JWTSSO_VERIFY_REPLAY_KEY_LEN];
    int seen;

    jwtsso_verify_replay_key(res, token, rkey);
    if ((seen = consumed(r, rkey, token)) != 0) {
        return not_consumable(r, seen);
    }
    *sid = apr_pescape_hex(r->pool, rkey, sizeof(rkey), 0);
    if (cfg->max_age >= 0 && res->iat + cfg->max_age + cfg->skew < *until) {
        *until = res->iat + cfg->max_age + cfg->skew;
    }
    return OK;
}

int jwtsso_bearer_check(request_rec *r, const jwtsso_dir_cfg *cfg,
                        jwtsso_flow_req_t *st, const char *token)
{
    jwtsso_result_t res;
    jwtsso_reason_t why;
    unsigned char ckey[JWTSSO_BCACHE_KEY_LEN];
    const char *sid = "";
    long long until;
    int keyed, rv = OK;

    if (!*token) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00419)
                      "bearer token refused: malformed: an Authorization: "
                      "Bearer header without a token");
        jwtsso_stats_fail(JWTSSO_R_MALFORMED);
        return jwtsso_bearer_refuse(r, "invalid_request");
    }
    keyed = jwtsso_bcache_key(r, cfg, token, ckey);
    if (keyed && jwtsso_bcache_get(r, ckey, &st->rec)) {
        return cached(r, cfg, &st->rec, token);
    }
    /* a declared API token (JWTSSOBearerAudience) lives until its exp;
     * otherwise a bearer token passes the login rules too (max age
     * included), and must have an exp. The fingerprint (a SHA-256) only
     * when a refusal is logged. */
    why = jwtsso_verify_token(r, cfg, token, 1, "bearer token", NULL, &res);
    if (why == JWTSSO_R_INTERNAL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (why != JWTSSO_OK) {
        return jwtsso_bearer_refuse(r, "invalid_token");
    }
    until = res.exp;
    if (!cfg->bearer_audience && !res.api) {
        rv = login_token(r, cfg, &res, token, &until, &sid);
    }
    if (rv == OK && !bearer_record(r, &res, &st->rec)) {
        rv = HTTP_INTERNAL_SERVER_ERROR;
    }
    if (rv == OK) {
        st->rec.sid = sid;
        if (keyed) {
            jwtsso_bcache_put(r, ckey, until, &st->rec);
        }
    }
    jwtsso_jws_result_clear(&res);
    if (rv == OK) {
        jwtsso_session_apply(r, cfg, &st->rec);
    }
    return rv;
}
