/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * loginlink.c - SetHandler jwtsso-login: the "log in" link of an app that
 * serves anonymous users too (JWTSSOUnauthAction pass), the Apache form of
 * the middleware's res.requestJwt(path) (DESIGN §5).
 *
 *   GET|HEAD ?return_to=URL  URL: a path on this site or an absolute URL
 *                            of its origin (jwtsso_url_same_origin), of a
 *                            page under AuthType jwtsso: the target.
 *   no return_to             the target is the directory the handler's URL
 *                            is in (/app/login: /app/).
 *
 * The target is looked up as a subrequest, so its own section decides:
 * a user it already has gets a 302 straight to it; anyone else starts the
 * login that section would start (its endpoint, return parameter, state
 * cookie), coming back to the target, where the flow consumes the token.
 * A target outside AuthType jwtsso is refused: a login could not finish
 * there, and the token would reach the page and its logs.
 *
 * The login itself is login.c's; this file only picks and checks where
 * it ends.
 */
#include "glue.h"

#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_strings.h"

static jwtsso_dir_cfg *dir_cfg(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &auth_jwtsso_module);
}

/* 1 when some segment of the path is "." or ".." (also as %2e): the
 * browser and httpd resolve those, each its own way, after our check. */
static int dot_segment(const char *path)
{
    const char *s = path, *end;

    while (*s) {
        size_t n, dots = 0, i;

        s += *s == '/';
        end = s + strcspn(s, "/");
        n = (size_t)(end - s);
        for (i = 0; i < n; dots++) {
            if (s[i] == '.') {
                i++;
            }
            else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2'
                     && (s[i + 2] == 'e' || s[i + 2] == 'E')) {
                i += 3;
            }
            else {
                break;
            }
        }
        if (i == n && n > 0 && dots <= 2) {
            return 1;
        }
        s = end;
    }
    return 0;
}

/* The return_to of a client as "/path[?query]" as this server sees it
 * (JWTSSOPublicURL's path taken off), or NULL with *why set. */
static const char *local_target(request_rec *r, const jwtsso_dir_cfg *cfg,
                                const char *ret, const char **why)
{
    const char *abs = jwtsso_url_same_origin(r, cfg, ret), *own, *rest;
    size_t mount = strlen(cfg->public_mount);
    int https;

    own = jwtsso_url_origin(r, cfg, &https);
    if (!abs || strncmp(abs, own, strlen(own))) {
        *why = apr_psprintf(r->pool, "not a URL of this site (%s)", own);
        return NULL;
    }
    rest = abs + strlen(own);
    if (mount) {
        if (strncmp(rest, cfg->public_mount, mount)
            || (rest[mount] != '/' && rest[mount] != '?' && rest[mount])) {
            *why = apr_psprintf(r->pool, "not under " JWTSSO_D_PUBLIC_URL
                                "'s path %s", cfg->public_mount);
            return NULL;
        }
        rest = rest[mount] == '/' ? rest + mount
             : apr_pstrcat(r->pool, "/", rest + mount, NULL);
    }
    if (dot_segment(apr_pstrndup(r->pool, rest, strcspn(rest, "?")))) {
        *why = "a '.' or '..' path segment";
        return NULL;
    }
    return rest;
}

/* The directory the handler's URL is in: "/app/" for /app/login. */
static const char *own_directory(request_rec *r)
{
    const char *path = r->parsed_uri.path ? r->parsed_uri.path : "/";
    const char *slash = strrchr(path, '/');

    return slash ? apr_pstrmemdup(r->pool, path,
                                  (apr_size_t)(slash - path + 1)) : "/";
}

/* The return_to of the query: OK with *ret set (NULL: none, or empty),
 * or 400 (logged) when it is given more than once. */
static int return_param(request_rec *r, const jwtsso_dir_cfg *cfg,
                        const char **ret)
{
    apr_array_header_t *pairs = jwtsso_url_query_parse(r->pool, r->args);
    const jwtsso_qpair_t *q = (const jwtsso_qpair_t *)pairs->elts;
    int i, n = 0;

    *ret = NULL;
    for (i = 0; i < pairs->nelts; i++) {
        if (!strcmp(q[i].name, cfg->return_param)) {
            *ret = q[i].value;
            n++;
        }
    }
    if (n > 1) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00951)
                      "login: %s refused: given %d times",
                      cfg->return_param, n);
        return HTTP_BAD_REQUEST;
    }
    if (*ret && !**ret) {
        *ret = NULL;
    }
    return OK;
}

/* The target's section: a subrequest for it, when it is under AuthType
 * jwtsso with keys; else NULL, logged (a 400 for a client's return_to, a
 * configuration fault for the handler's own directory). */
static request_rec *target_section(request_rec *r, const char *local,
                                   int from_client)
{
    request_rec *sub = ap_sub_req_lookup_uri(local, r, NULL);
    const char *type = ap_auth_type(sub);

    if (type && !strcasecmp(type, JWTSSO_AUTH_TYPE) && dir_cfg(sub)->keys) {
        return sub;
    }
    if (from_client) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00952)
                      "login: %s refused: %s is not under AuthType jwtsso "
                      "(with a key): a login cannot end there",
                      dir_cfg(r)->return_param,
                      ap_escape_logitem(r->pool, local));
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(00953)
                      "jwtsso-login at %s has no %s and its directory %s "
                      "is not under AuthType jwtsso (with a key): put the "
                      "handler in the app's section, or give %s in the "
                      "links to it", ap_escape_logitem(r->pool, r->uri),
                      dir_cfg(r)->return_param,
                      ap_escape_logitem(r->pool, local),
                      dir_cfg(r)->return_param);
    }
    return NULL;
}

/* Sends the browser to the target (local: "/path[?query]" as the client
 * wrote it, never the subrequest's decoded copy): itself when its section
 * has a user, else that section's login, which comes back to it. */
static int go(request_rec *r, request_rec *sub, const char *local)
{
    const jwtsso_dir_cfg *tcfg = dir_cfg(sub);
    const char *drop[3] = { JWTSSO_STATE_PARAM, NULL, NULL };
    size_t n = strcspn(local, "?");
    apr_array_header_t *pairs;
    const char *back, *query;
    int https;

    /* a target never carries a token or a state of its own: the login
     * adds them, and a planted one would be a login CSRF */
    drop[1] = tcfg->token_param;
    pairs = jwtsso_url_query_parse(r->pool, local[n] ? local + n + 1 : NULL);
    query = jwtsso_url_query_build(r->pool, pairs, drop);
    back = apr_pstrcat(r->pool, jwtsso_url_origin(r, tcfg, &https),
                       tcfg->public_mount,
                       apr_pstrmemdup(r->pool, local, n), NULL);
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (sub->user) {
        back = apr_pstrcat(r->pool, back, *query ? "?" : "", query, NULL);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00954)
                      "login: user '%s' is logged in there already: to %s",
                      ap_escape_logitem(r->pool, sub->user),
                      ap_escape_logitem(r->pool, back));
        apr_table_setn(r->headers_out, "Location", back);
        return HTTP_MOVED_TEMPORARILY;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00955)
                  "login: to the login page, back to %s%s%s",
                  ap_escape_logitem(r->pool, back), *query ? "?" : "",
                  ap_escape_logitem(r->pool, query));
    return jwtsso_login_redirect(r, tcfg, back, query);
}

int jwtsso_loginlink_handle(request_rec *r)
{
    const jwtsso_dir_cfg *cfg = dir_cfg(r);
    const char *ret, *local, *why = NULL;
    request_rec *sub;
    int rv;

    if (r->method_number != M_GET) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00950)
                      "login: method %s refused: a login link is GET",
                      ap_escape_logitem(r->pool, r->method));
        ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, -1);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    rv = return_param(r, cfg, &ret);
    if (rv != OK) {
        return rv;
    }
    local = ret ? local_target(r, cfg, ret, &why) : own_directory(r);
    if (!local) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00956)
                      "login: %s refused: %s: '%.80s'", cfg->return_param,
                      why, ap_escape_logitem(r->pool, ret));
        return HTTP_BAD_REQUEST;
    }
    sub = target_section(r, local, ret != NULL);
    if (!sub) {
        return ret ? HTTP_BAD_REQUEST : HTTP_INTERNAL_SERVER_ERROR;
    }
    return go(r, sub, local);
}
