/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * issuer.c - the issuer side: an Apache-side IdP for the module's own
 * login flow (and for any jwtsso-style site).
 *
 *   SetHandler jwtsso-issuer   behind any other Apache authentication:
 *                              a token for REMOTE_USER, {sub, iat, exp,
 *                              jti, iss?, aud?}; with ?return_to=URL on
 *                              the JWTSSOIssuerAllowedReturnTo list, a 302
 *                              to it with jwt=TOKEN added; without, JSON
 *                              {"token": "..."}. Never a token without a
 *                              user.
 *   SetHandler jwtsso-jwks     the public key it signs with, as a JWK Set
 *                              (RFC 7517 §5), for JWTSSOVerifyJWKS; no
 *                              login needed, cacheable; 404 for a secret.
 *
 * Keys, the allow-list and the start-up checks are issuerconf.c's; the
 * token itself is signed by the core (sign.c). The token is never logged:
 * its jti is.
 */
#include "glue.h"

#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_strings.h"

#include <jansson.h>
#include <stdlib.h>

#define JTI_BYTES 16            /* 128 random bits */
#define USER_MAX  255           /* the longest user the verifier takes */

static int methods(request_rec *r, int post_ok)
{
    if (r->method_number == M_GET
        || (post_ok && r->method_number == M_POST)) {
        return OK;
    }
    if (post_ok) {
        ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, M_POST, -1);
    }
    else {
        ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, -1);
    }
    return HTTP_METHOD_NOT_ALLOWED;
}

/* The user as the verifier will take it: non-empty, at most USER_MAX
 * bytes, no control character. */
static int user_ok(const char *u)
{
    size_t n = 0;

    for (; u && u[n]; n++) {
        unsigned char ch = (unsigned char)u[n];
        if (ch < 0x20 || ch == 0x7f) {
            return 0;
        }
    }
    return n > 0 && n <= USER_MAX;
}

/* The one return_to of the query; *twice when it came more than once. */
static const char *return_to(request_rec *r, const jwtsso_dir_cfg *cfg,
                             int *twice)
{
    apr_array_header_t *pairs = jwtsso_url_query_parse(r->pool, r->args);
    const jwtsso_qpair_t *q = (const jwtsso_qpair_t *)pairs->elts;
    const char *ret = NULL;
    int i;

    *twice = 0;
    for (i = 0; i < pairs->nelts; i++) {
        if (!strcmp(q[i].name, cfg->return_param)) {
            *twice |= ret != NULL;
            ret = q[i].value;
        }
    }
    return ret;
}

/* path under prefix pre, on a segment boundary: "/app" takes "/app" and
 * "/app/x", not "/apple"; "/app/" takes "/app/x". */
static int path_under(const char *pre, const char *path)
{
    size_t n = strlen(pre);

    if (strncmp(path, pre, n)) {
        return 0;
    }
    return pre[n - 1] == '/' || path[n] == '\0' || path[n] == '/';
}

/* The return URL rebuilt from its parsed parts, with the token parameter
 * of the query left out (the token is added after it); NULL with *why
 * when it is not allowed. */
static const char *allowed(request_rec *r, const jwtsso_dir_cfg *cfg,
                           const char *url, apr_uri_t *u, const char **why)
{
    const jwtsso_issuer_prefix_t *pre;
    const char *origin = jwtsso_url_absolute(r->pool, url, u), *path;
    int i;

    if (!origin) {
        *why = "not an absolute http(s) URL without user and odd characters";
        return NULL;
    }
    path = u->path && *u->path ? u->path : "/";
    if (path[0] != '/' || jwtsso_issuerconf_odd_path(path)) {
        *why = "its path has a dot segment or an encoded slash";
        return NULL;
    }
    if (!cfg->issuer_return) {
        *why = "no " JWTSSO_D_ISSUER_RETURN " is configured here";
        return NULL;
    }
    pre = (const jwtsso_issuer_prefix_t *)cfg->issuer_return->elts;
    for (i = 0; i < cfg->issuer_return->nelts; i++) {
        if (!strcmp(pre[i].origin, origin) && path_under(pre[i].path, path)) {
            return apr_pstrcat(r->pool, origin, path, NULL);
        }
    }
    *why = "not under any " JWTSSO_D_ISSUER_RETURN " prefix";
    return NULL;
}

/* base url + the query kept (without the token parameter) + token
 * parameter + the fragment kept after it. */
static const char *with_token(request_rec *r, const jwtsso_dir_cfg *cfg,
                              const char *base, const apr_uri_t *u,
                              const char *token)
{
    const char *drop[] = { cfg->token_param, NULL };
    const char *q = jwtsso_url_query_build(r->pool,
                        jwtsso_url_query_parse(r->pool, u->query), drop);

    return apr_pstrcat(r->pool, base, "?", q, *q ? "&" : "",
                       cfg->token_param, "=", token,
                       u->fragment ? "#" : "",
                       u->fragment ? u->fragment : "", NULL);
}

/* The claims as a compact JSON object text (malloc'ed), or NULL. */
static char *claims(request_rec *r, const jwtsso_dir_cfg *cfg,
                    const char *jti, long long iat)
{
    json_t *o = json_object();
    char *text = NULL;
    int bad;

    if (!o) {
        return NULL;
    }
    bad = json_object_set_new(o, "sub", json_string(r->user))
          || json_object_set_new(o, "iat", json_integer(iat))
          || json_object_set_new(o, "exp",
                                 json_integer(iat + cfg->issuer_lifetime))
          || json_object_set_new(o, "jti", json_string(jti));
    if (!bad && cfg->issuer_name) {
        bad = json_object_set_new(o, "iss", json_string(cfg->issuer_name));
    }
    if (!bad && cfg->issuer_audience) {
        bad = json_object_set_new(o, "aud",
                                  json_string(cfg->issuer_audience));
    }
    if (!bad) {
        text = json_dumps(o, JSON_COMPACT);
    }
    json_decref(o);
    return text;
}

/* A fresh token for r->user in r->pool, and its jti; NULL (logged) on a
 * server fault. */
static const char *make_token(request_rec *r, const jwtsso_dir_cfg *cfg,
                              const jwtsso_signer_t *signer,
                              const char **jti)
{
    unsigned char rnd[JTI_BYTES];
    char id[JTI_BYTES * 2];
    char *payload = NULL, *token = NULL;
    const char *out = NULL;

    if (apr_generate_random_bytes(rnd, sizeof(rnd)) == APR_SUCCESS) {
        id[jwtsso_b64url_encode(rnd, sizeof(rnd), id)] = '\0';
        *jti = apr_pstrdup(r->pool, id);
        payload = claims(r, cfg, *jti,
                         (long long)apr_time_sec(r->request_time));
    }
    if (payload) {
        token = jwtsso_sign_token(signer, payload);
    }
    if (token) {
        out = apr_pstrdup(r->pool, token);
        free(token);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(01002)
                      "issuer: cannot make a token for '%s' (%s): out of "
                      "memory or a crypto library failure",
                      ap_escape_logitem(r->pool, r->user),
                      payload ? "signing" : "randomness or claims");
    }
    free(payload);
    return out;
}

/* The request's problems before a token is made: 0 or the answer. */
static int issuer_refuse(request_rec *r, const jwtsso_dir_cfg *cfg,
                         const jwtsso_signer_t *signer)
{
    if (!signer) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(01000)
                      "issuer: no key to sign with here (" JWTSSO_D_ISSUER_KEY
                      " or " JWTSSO_D_ISSUER_SECRET ", serving %s): the "
                      "start-up check only sees SetHandler in a section; "
                      "add the key to this handler's section",
                      cfg->issuer_alg ? jwtsso_alg_name(cfg->issuer_alg)
                                      : "the key's first algorithm");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (!r->user) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, JWTSSO_LOGNO(00983)
                      "issuer: no token: the request has no authenticated "
                      "user; put the issuer behind Apache authentication "
                      "(e.g. AuthType Basic ... Require valid-user), never "
                      "'Require all granted'");
        return HTTP_FORBIDDEN;
    }
    if (!user_ok(r->user)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00988)
                      "issuer: no token: the user name '%.80s' is empty, "
                      "longer than %d bytes or has a control character, "
                      "which no site would accept",
                      ap_escape_logitem(r->pool, r->user), USER_MAX);
        return HTTP_FORBIDDEN;
    }
    return 0;
}

static int answer_json(request_rec *r, const char *token)
{
    json_t *o = json_pack("{s:s}", "token", token);
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;

    json_decref(o);
    if (!body) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* a credential: never read as anything but JSON */
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    ap_set_content_type(r, "application/json");
    if (!r->header_only) {
        ap_rvputs(r, body, "\n", NULL);
    }
    free(body);
    return OK;
}

int jwtsso_issuer_handler(request_rec *r)
{
    const jwtsso_dir_cfg *cfg = ap_get_module_config(r->per_dir_config,
                                                     &auth_jwtsso_module);
    const jwtsso_signer_t *signer = jwtsso_issuerconf_signer(cfg);
    const char *ret, *base = NULL, *why = NULL, *token, *jti = NULL;
    apr_uri_t u;
    int rv, twice;

    if ((rv = methods(r, 1)) != OK || (rv = issuer_refuse(r, cfg, signer))) {
        return rv;
    }
    if ((rv = ap_discard_request_body(r)) != OK) {
        return rv;
    }
    ret = return_to(r, cfg, &twice);
    if (twice) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00987)
                      "issuer: no token: %s given more than once",
                      cfg->return_param);
        return HTTP_BAD_REQUEST;
    }
    if (ret && !(base = allowed(r, cfg, ret, &u, &why))) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00984)
                      "issuer: no token for '%s': %s refused: %s: '%.120s'",
                      ap_escape_logitem(r->pool, r->user), cfg->return_param,
                      why, ap_escape_logitem(r->pool, ret));
        return HTTP_BAD_REQUEST;
    }
    if (!(token = make_token(r, cfg, signer, &jti))) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00985)
                  "issuer: token for '%s' (jti %s, %s, %" APR_INT64_T_FMT
                  " s)%s%s", ap_escape_logitem(r->pool, r->user), jti,
                  jwtsso_alg_name(jwtsso_sign_alg(signer)),
                  (apr_int64_t)cfg->issuer_lifetime, base ? " to " : "",
                  base ? ap_escape_logitem(r->pool, base) : "");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (base) {
        apr_table_setn(r->headers_out, "Location",
                       with_token(r, cfg, base, &u, token));
        return HTTP_MOVED_TEMPORARILY;
    }
    return answer_json(r, token);
}

int jwtsso_issuer_jwks(request_rec *r)
{
    const jwtsso_dir_cfg *cfg = ap_get_module_config(r->per_dir_config,
                                                     &auth_jwtsso_module);
    const jwtsso_signer_t *signer = jwtsso_issuerconf_signer(cfg);
    char *jwk;
    int rv;

    if ((rv = methods(r, 0)) != OK) {
        return rv;
    }
    if (!signer) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(01001)
                      "jwks: no issuer key here (" JWTSSO_D_ISSUER_KEY
                      "): the start-up check only sees SetHandler in a "
                      "section; add the key to this handler's section");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (cfg->issuer_key->hmac) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00986)
                      "jwks: the issuer key (%s) is a shared secret: there "
                      "is no public key to publish", cfg->issuer_key->where);
        return HTTP_NOT_FOUND;
    }
    jwk = jwtsso_sign_jwk(signer);
    if (!jwk) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, JWTSSO_LOGNO(01003)
                      "jwks: cannot write the public key as a JWK (out of "
                      "memory or a crypto library failure)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* public data; a key changes only with the configuration */
    apr_table_setn(r->headers_out, "Cache-Control", "public, max-age=3600");
    ap_set_content_type(r, "application/json");
    if (!r->header_only) {
        ap_rvputs(r, "{\"keys\":[", jwk, "]}\n", NULL);
    }
    free(jwk);
    return OK;
}
