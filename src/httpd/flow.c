/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * flow.c - the jwtsso flow in httpd's hooks (DESIGN §2): which request
 * goes where, and what the module learned about it.
 *
 *   post_perdir_config  every request of a configuration that uses the
 *                       module: remove spoofed X-JWTSSO-* headers (and our
 *                       names from Connection; headers.c); under AuthType
 *                       jwtsso also take the token out of the query (kept
 *                       in the request config) and redact it from what the
 *                       access log sees.
 *   check_authn         a token to consume (login.c), else a bearer token
 *                       (bearer.c), else a valid session (session.c), else
 *                       the unauthenticated action (login.c: redirect, 401
 *                       or pass).
 *   force_authn         for JWTSSOUnauthAction pass under Require all
 *                       granted: authenticate when there is something to
 *                       authenticate, else stay anonymous.
 *
 * Every refusal of client input is a 401 with one INFO line naming the
 * reason; 500 is for configuration faults only.
 */
#include "glue.h"
#include "stats.h"

#include "http_core.h"
#include "http_request.h"
#include "apr_strings.h"

static int is_ours(request_rec *r)
{
    const char *type = ap_auth_type(r);

    return type && !strcasecmp(type, JWTSSO_AUTH_TYPE);
}

static jwtsso_dir_cfg *dir_cfg(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &auth_jwtsso_module);
}

/* Parse the query once per request and find our parameters in it. */
static jwtsso_flow_req_t *req_state(request_rec *r, const jwtsso_dir_cfg *cfg)
{
    jwtsso_flow_req_t *st = ap_get_module_config(r->request_config,
                                                 &auth_jwtsso_module);
    const jwtsso_qpair_t *q;
    int i;

    if (!st) {
        st = apr_pcalloc(r->pool, sizeof(*st));
        ap_set_module_config(r->request_config, &auth_jwtsso_module, st);
    }
    if (st->parsed) {
        return st;
    }
    st->parsed = 1;
    st->pairs = jwtsso_url_query_parse(r->pool, r->args);
    q = (const jwtsso_qpair_t *)st->pairs->elts;
    for (i = 0; i < st->pairs->nelts; i++) {
        if (!strcmp(q[i].name, cfg->token_param)) {
            st->token = q[i].value;
            st->ntokens++;
        }
        else if (!strcmp(q[i].name, JWTSSO_STATE_PARAM)) {
            st->state = q[i].value;
        }
    }
    return st;
}

/* The query with the token's value replaced, for the logs. */
static const char *redacted_query(request_rec *r, const jwtsso_flow_req_t *st,
                                  const char *param)
{
    const jwtsso_qpair_t *q = (const jwtsso_qpair_t *)st->pairs->elts;
    const char *out = "", *item;
    int i;

    for (i = 0; i < st->pairs->nelts; i++) {
        item = strcmp(q[i].name, param) ? q[i].raw
             : apr_pstrcat(r->pool, param, "=[redacted]", NULL);
        out = *out ? apr_pstrcat(r->pool, out, "&", item, NULL) : item;
    }
    return out;
}

int jwtsso_flow_post_perdir(request_rec *r)
{
    jwtsso_dir_cfg *cfg;
    jwtsso_flow_req_t *st;

    if (!is_ours(r)) {
        /* a configuration that uses the module strips spoofed headers
         * everywhere, an AuthType None path of a proxied app too, unless
         * JWTSSOStripHeaders Off (a backend this server proxies to) */
        if (jwtsso_startup_used() && dir_cfg(r)->strip_headers) {
            jwtsso_headers_strip(r);
        }
        return DECLINED;
    }
    cfg = dir_cfg(r);
    jwtsso_headers_strip(r);
    jwtsso_proxied_strip_user_header(r, cfg);
    st = req_state(r, cfg);
    if (st->ntokens > 0) {
        /* the token never reaches the access log or the app */
        const char *q = redacted_query(r, st, cfg->token_param);
        const char *path = jwtsso_url_raw_path(r);

        r->args = apr_pstrdup(r->pool, q);
        r->parsed_uri.query = r->args;
        r->unparsed_uri = apr_pstrcat(r->pool, path, "?", q, NULL);
        r->the_request = apr_pstrcat(r->pool, r->method, " ",
                                     r->unparsed_uri,
                                     r->assbackwards ? "" : " ",
                                     r->assbackwards ? "" : r->protocol,
                                     NULL);
    }
    return DECLINED;
}

int jwtsso_flow_refuse(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    return HTTP_UNAUTHORIZED;
}

static int session_ok(request_rec *r, const jwtsso_dir_cfg *cfg,
                      jwtsso_flow_req_t *st)
{
    if (!st->session_checked) {
        st->session_checked = 1;
        st->session_ok = jwtsso_session_valid(r, cfg, &st->rec);
    }
    return st->session_ok;
}

/* The start-up check (startup.c) sees <Location>s, <Directory>s and
 * virtual hosts; a secret or AuthType set in <Files>, <If> or .htaccess
 * first meets its checks here. */
static int configured(request_rec *r, const jwtsso_dir_cfg *cfg)
{
    const jwtsso_short_secret_t *n = cfg->short_secret;

    if (!cfg->keys || !jwtsso_keyconf_record_key(cfg)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00413)
                      "AuthType jwtsso for %s has no " JWTSSO_D_SECRET
                      " (or public key and " JWTSSO_D_SESSION_KEY "); "
                      "configure them", r->uri);
        return 0;
    }
    if (n && !cfg->allow_short) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00426)
                      "%s for %s is %lu bytes; at least %d are required. "
                      "It is at %s, where the start-up check does not look "
                      "(<Files>, <If> or .htaccess). Use a longer one, e.g. "
                      "from 'openssl rand -base64 48', or put '"
                      JWTSSO_D_ALLOW_SHORT " On' beside it", n->directive,
                      r->uri, (unsigned long)n->len, JWTSSO_SECRET_MIN,
                      n->where);
        return 0;
    }
    return 1;
}

int jwtsso_flow_check_authn(request_rec *r)
{
    jwtsso_dir_cfg *cfg;
    const char *tok;
    jwtsso_flow_req_t *st;
    int rv;

    if (!is_ours(r)) {
        return DECLINED;
    }
    cfg = dir_cfg(r);
    if (!configured(r, cfg)) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    st = req_state(r, cfg);
    if (st->ntokens > 0 && !r->main) {
        return jwtsso_login_consume(r, cfg, st);
    }
    /* counted once per request the client sent: a sub-request
     * (mod_include, mod_dir's look-ups) is not another one */
    if (cfg->accept_bearer && (tok = jwtsso_bearer_find(r)) != NULL) {
        rv = jwtsso_bearer_check(r, cfg, st, tok);
        if (rv == OK && !r->main) {
            jwtsso_stats_count(JWTSSO_STATS_BEARER);
        }
        return rv;
    }
    if (session_ok(r, cfg, st)) {
        jwtsso_session_apply(r, cfg, &st->rec);
        if (!r->main) {
            jwtsso_stats_count(JWTSSO_STATS_SESSIONS);
        }
        return OK;
    }
    if (jwtsso_info_wanted(r)) {
        return jwtsso_info_refuse(r);   /* for scripts: 401, no redirect */
    }
    return jwtsso_login_start(r, cfg, st);
}

int jwtsso_flow_force_authn(request_rec *r)
{
    jwtsso_dir_cfg *cfg;
    jwtsso_flow_req_t *st;

    if (!is_ours(r)) {
        return DECLINED;
    }
    cfg = dir_cfg(r);
    if (cfg->unauth != JWTSSO_UNAUTH_PASS || !cfg->keys) {
        return DECLINED;
    }
    st = req_state(r, cfg);
    if ((st->ntokens > 0 && !r->main)
        || (cfg->accept_bearer && jwtsso_bearer_find(r) != NULL)
        || session_ok(r, cfg, st)) {
        return OK;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(00414)
                  "no session: anonymous (" JWTSSO_D_UNAUTH_ACTION " pass)");
    return DECLINED;
}
