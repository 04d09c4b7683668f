/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * handlers.c - the module's handlers.
 *
 *   SetHandler jwtsso-logout   clear the jwtsso record from the session,
 *                              then go to a same-origin return_to, else
 *                              JWTSSOLogoutRedirect, else a short page.
 *
 * A return_to from the client is accepted only as a path on this site or
 * a URL whose scheme, host and port are this site's origin
 * (jwtsso_url_same_origin): an allow-list, not a list of bad spellings.
 */
#include "glue.h"

#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_strings.h"

/* A logout the browser says another site started (a link or a form on
 * it): not done; this page asks, and its form posts from this origin. */
static int confirm_logout(request_rec *r)
{
    const char *action = ap_escape_html(r->pool, r->unparsed_uri);

    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00603)
                  "logout not done: another site started it "
                  "(Sec-Fetch-Site: cross-site); asking the user");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (!r->header_only) {
        ap_rvputs(r, "<!DOCTYPE html>\n<html><head><title>Log out?"
                  "</title></head>\n<body><h1>Log out?</h1>\n<form "
                  "method=\"post\" action=\"", action, "\"><button "
                  "type=\"submit\">Log out</button></form></body></html>\n",
                  NULL);
    }
    return OK;
}

static const char logged_out[] =
    "<!DOCTYPE html>\n<html><head><title>Logged out</title></head>\n"
    "<body><h1>Logged out</h1><p>You are logged out.</p></body></html>\n";

static int logout(request_rec *r)
{
    const jwtsso_dir_cfg *cfg = ap_get_module_config(r->per_dir_config,
                                                     &auth_jwtsso_module);
    const jwtsso_qpair_t *q;
    apr_array_header_t *pairs;
    const char *ret = NULL, *target = NULL, *site;
    int i, rv, https;

    if (r->method_number != M_GET && r->method_number != M_POST) {
        ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, M_POST, -1);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    /* a GET link stays what admins use (as with the peers), but not one
     * another site's page follows or submits for the user */
    site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    if (site && !strcasecmp(site, "cross-site")) {
        return confirm_logout(r);
    }
    pairs = jwtsso_url_query_parse(r->pool, r->args);
    q = (const jwtsso_qpair_t *)pairs->elts;
    for (i = 0; i < pairs->nelts; i++) {
        if (!strcmp(q[i].name, cfg->return_param)) {
            ret = q[i].value;
        }
    }
    /* log out first: a bad return_to does not keep anyone logged in */
    rv = jwtsso_session_clear(r);
    if (rv != OK) {
        return rv;
    }
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (ret && *ret) {
        target = jwtsso_url_same_origin(r, cfg, ret);
        if (!target) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00601)
                          "logout: %s refused: not a URL of this site "
                          "(%s): '%.80s'", cfg->return_param,
                          jwtsso_url_origin(r, cfg, &https),
                          ap_escape_logitem(r->pool, ret));
            return HTTP_BAD_REQUEST;
        }
    }
    else if (cfg->logout_redirect) {
        target = cfg->logout_redirect[0] == '/'
               ? apr_pstrcat(r->pool, jwtsso_url_origin(r, cfg, &https),
                             cfg->logout_redirect, NULL)
               : cfg->logout_redirect;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00602)
                  "logout%s%s", target ? ": to " : "",
                  target ? ap_escape_logitem(r->pool, target) : "");
    if (target) {
        apr_table_setn(r->headers_out, "Location", target);
        return HTTP_MOVED_TEMPORARILY;
    }
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (!r->header_only) {
        ap_rputs(logged_out, r);
    }
    return OK;
}

int jwtsso_handlers_handler(request_rec *r)
{
    if (r->handler && !strcmp(r->handler, JWTSSO_HANDLER_ISSUER)) {
        return jwtsso_issuer_handler(r);
    }
    if (r->handler && !strcmp(r->handler, JWTSSO_HANDLER_JWKS)) {
        return jwtsso_issuer_jwks(r);
    }
    if (r->handler && !strcmp(r->handler, JWTSSO_HANDLER_LOGOUT)) {
        return logout(r);
    }
    if (r->handler && !strcmp(r->handler, JWTSSO_HANDLER_LOGIN)) {
        return jwtsso_loginlink_handle(r);
    }
    return DECLINED;
}
