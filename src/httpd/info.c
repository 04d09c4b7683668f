/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * info.c - SetHandler jwtsso-info: the logged-in user as JSON, for
 * single-page apps that need the user's name and roles (what
 * mod_auth_openidc's OIDCInfoHook and oauth2-proxy's /oauth2/userinfo
 * give):
 *
 *   {"user": "...", "claims": {...}, "claims_truncated": false,
 *    "login_time": 1700000000, "expires": 1700028800,
 *    "idle_expires": 1700003600 | null}
 *
 * Times are Unix seconds; expires is the session's end (its record's end
 * or JWTSSOSessionMaxAge from the login, whichever comes first), or a
 * bearer token's exp; idle_expires is null without
 * JWTSSOSessionInactivity and for bearer tokens. It is for scripts (XHR,
 * fetch): without a login it answers 401 with a JSON error, never a login
 * redirect, and it is never cached (no-store). The claims are the
 * record's, as JWTSSO_CLAIMS has them (jwtsso_view_json).
 */
#include "glue.h"

#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_auth.h"
#include "apr_strings.h"
#include "ap_expr.h"

static int is_ours(request_rec *r)
{
    const char *type = ap_auth_type(r);

    return type && !strcasecmp(type, JWTSSO_AUTH_TYPE);
}

/* A JSON answer (status 200 or an error) that no cache keeps. */
static void answer(request_rec *r, int status, const char *json)
{
    r->status = status;
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    ap_set_content_type(r, "application/json");
    ap_set_content_length(r, (apr_off_t)strlen(json));
    if (!r->header_only) {
        ap_rputs(json, r);
    }
}

int jwtsso_info_wanted(request_rec *r)
{
    core_dir_config *d = ap_get_core_module_config(r->per_dir_config);
    const char *h = d->handler, *err = NULL;

    /* SetHandler is applied after authentication (type_checker): its
     * expression is read here as core reads it then */
    if (d->expr_handler) {
        h = ap_expr_str_exec(r, d->expr_handler, &err);
    }
    return h && !err && !strcmp(h, JWTSSO_HANDLER_INFO);
}

int jwtsso_info_refuse(request_rec *r)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01210)
                  JWTSSO_HANDLER_INFO ": no login: 401");
    apr_table_setn(r->headers_out, "WWW-Authenticate",
                   "jwtsso realm=\"login\"");
    answer(r, HTTP_UNAUTHORIZED,
           "{\"error\":\"login_required\",\"message\":\"not logged in\"}\n");
    /* the answer is written: nothing else runs for this request */
    return DONE;
}

/* The user's name as a JSON string member: the claims writer's escapes,
 * for one string claim named "user", without the braces. */
static const char *user_member(apr_pool_t *p, const char *user)
{
    jwtsso_claim_t c;
    size_t n;
    char *out;

    c.name = "user";
    c.value = user;
    c.json = NULL;
    c.type = 's';
    n = jwtsso_view_json(&c, 1, NULL);
    out = apr_palloc(p, n + 1);
    jwtsso_view_json(&c, 1, out);
    out[n - 1] = '\0';                          /* the '}' */
    return out + 1;                             /* after the '{' */
}

static const char *claims_of(apr_pool_t *p, const jwtsso_record_t *rec)
{
    char *out;

    if (rec->claims_json) {
        return rec->claims_json;
    }
    out = apr_palloc(p, jwtsso_view_json(rec->claims, rec->nclaims, NULL)
                     + 1);
    jwtsso_view_json(rec->claims, rec->nclaims, out);
    return out;
}

static const char *info_json(request_rec *r, const jwtsso_dir_cfg *cfg,
                             const jwtsso_flow_req_t *st)
{
    const jwtsso_record_t *rec = &st->rec;
    long long expires = rec->end, idle = -1;
    int session = st->session_checked && st->session_ok;

    if (session) {
        if (rec->auth_time + cfg->session_max_age < expires) {
            expires = rec->auth_time + cfg->session_max_age;
        }
        idle = jwtsso_idle_expires(r, cfg, rec);
    }
    return apr_psprintf(r->pool, "{%s,\"claims\":%s,\"claims_truncated\":%s,"
                        "\"login_time\":%" APR_INT64_T_FMT ",\"expires\":%"
                        APR_INT64_T_FMT ",\"idle_expires\":%s}\n",
                        user_member(r->pool, rec->user),
                        claims_of(r->pool, rec),
                        rec->truncated ? "true" : "false",
                        (apr_int64_t)rec->auth_time, (apr_int64_t)expires,
                        idle < 0 ? "null"
                        : apr_psprintf(r->pool, "%" APR_INT64_T_FMT,
                                       (apr_int64_t)idle));
}

int jwtsso_info_handler(request_rec *r)
{
    const jwtsso_dir_cfg *cfg;
    const jwtsso_flow_req_t *st;

    if (!r->handler || strcmp(r->handler, JWTSSO_HANDLER_INFO)) {
        return DECLINED;
    }
    if (!is_ours(r)) {
        /* another module's user is not ours to describe */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(01212)
                      "SetHandler " JWTSSO_HANDLER_INFO " at %s is not "
                      "under AuthType jwtsso: refused; put it in a section "
                      "with AuthType jwtsso and Require valid-user", r->uri);
        answer(r, HTTP_FORBIDDEN, "{\"error\":\"not_configured\"}\n");
        return OK;
    }
    if (r->method_number != M_GET) {        /* HEAD is a GET here */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01211)
                      JWTSSO_HANDLER_INFO ": method %s refused: GET or "
                      "HEAD only", ap_escape_logitem(r->pool, r->method));
        ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, -1);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    cfg = ap_get_module_config(r->per_dir_config, &auth_jwtsso_module);
    st = ap_get_module_config(r->request_config, &auth_jwtsso_module);
    if (!r->user || !st || !st->rec.user || strcmp(r->user, st->rec.user)) {
        /* e.g. JWTSSOUnauthAction pass: served, but nobody logged in */
        jwtsso_info_refuse(r);
        return OK;
    }
    answer(r, HTTP_OK, info_json(r, cfg, st));
    return OK;
}

/* ------------------------------------------------------------------ */
/* Start-up                                                             */

int jwtsso_info_check(apr_pool_t *p, server_rec *s, const char *kind,
                      const char *path, ap_conf_vector_t *merged,
                      const char *auth_type)
{
    core_dir_config *cd = ap_get_core_module_config(merged);
    const char *h = jwtsso_startup_handler(p, merged);
    const char *where;

    if (!h || strcmp(h, JWTSSO_HANDLER_INFO)
        || (auth_type && !strcasecmp(auth_type, JWTSSO_AUTH_TYPE))) {
        return 0;
    }
    where = cd->expr_handler && cd->expr_handler->filename
        ? apr_psprintf(p, "%s:%u", cd->expr_handler->filename,
                       cd->expr_handler->line_number)
        : "SetHandler";
    ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, s,
                 JWTSSO_LOGNO(01213) "<%s %s> (server %s) uses SetHandler "
                 JWTSSO_HANDLER_INFO " (%s) but not AuthType jwtsso: it "
                 "describes the jwtsso login only; add 'AuthType jwtsso' "
                 "and 'Require valid-user' there (or put it under a "
                 "protected location)", kind, path ? path : "?",
                 s->server_hostname ? s->server_hostname : "default", where);
    return 1;
}
