/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * url.c - query strings and the URLs the module redirects to.
 *
 * Queries are parsed into pairs and rebuilt, never edited in place. The
 * origin of every URL we build comes from configuration (JWTSSOPublicURL)
 * or the virtual host's configured name and port, never from the Host
 * header; forwarded headers shape redirects only under
 * JWTSSOTrustForwarded On, after a strict check of their characters, and
 * never the origin a session is bound to.
 */
#include "glue.h"

#include "http_core.h"
#include "http_protocol.h"
#include "apr_strings.h"
#include "apr_lib.h"
#include "apr_uri.h"

apr_array_header_t *jwtsso_url_query_parse(apr_pool_t *p, const char *args)
{
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(jwtsso_qpair_t));
    const char *s = args ? args : "";

    while (*s) {
        const char *amp = strchr(s, '&');
        size_t n = amp ? (size_t)(amp - s) : strlen(s);

        if (n > 0) {
            jwtsso_qpair_t *q = apr_array_push(a);
            char *raw = apr_pstrmemdup(p, s, n);
            char *eq = strchr(raw, '=');
            char *name = eq ? apr_pstrmemdup(p, raw, (apr_size_t)(eq - raw))
                            : apr_pstrdup(p, raw);
            char *value = apr_pstrdup(p, eq ? eq + 1 : "");

            /* a value that does not decode is kept raw: it is not ours */
            if (ap_unescape_urlencoded(name) != OK) {
                name = apr_pstrmemdup(p, raw, eq ? (apr_size_t)(eq - raw)
                                                 : n);
            }
            if (ap_unescape_urlencoded(value) != OK) {
                value = apr_pstrdup(p, eq ? eq + 1 : "");
            }
            q->raw = raw;
            q->name = name;
            q->value = value;
        }
        s += n;
        if (*s == '&') {
            s++;
        }
    }
    return a;
}

static int dropped(const char *name, const char *const *drop)
{
    for (; drop && *drop; drop++) {
        if (!strcmp(name, *drop)) {
            return 1;
        }
    }
    return 0;
}

const char *jwtsso_url_query_build(apr_pool_t *p,
                                   const apr_array_header_t *pairs,
                                   const char *const *drop)
{
    const jwtsso_qpair_t *q = (const jwtsso_qpair_t *)pairs->elts;
    const char *out = "";
    int i;

    for (i = 0; i < pairs->nelts; i++) {
        if (!dropped(q[i].name, drop)) {
            out = *out ? apr_pstrcat(p, out, "&", q[i].raw, NULL) : q[i].raw;
        }
    }
    return out;
}

/* The first comma-separated element of a forwarded header, trimmed at
 * both ends (inner spaces stay, so that host_ok refuses them). */
static const char *first_value(request_rec *r, const char *header)
{
    const char *v = apr_table_get(r->headers_in, header), *end;

    if (!v) {
        return NULL;
    }
    while (*v == ' ' || *v == '\t') {
        v++;
    }
    end = strchr(v, ',');
    if (!end) {
        end = v + strlen(v);
    }
    while (end > v && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    return apr_pstrmemdup(r->pool, v, (apr_size_t)(end - v));
}

/* host or host:port or [v6]:port; letters, digits, '.', '-', ':', '[]'. */
static int host_ok(const char *h)
{
    size_t n = 0;

    if (!h || !*h) {
        return 0;
    }
    for (; h[n]; n++) {
        unsigned char ch = (unsigned char)h[n];
        if (!apr_isalnum(ch) && ch != '.' && ch != '-' && ch != ':'
            && ch != '[' && ch != ']') {
            return 0;
        }
    }
    return n <= 255;
}

/* scheme://name[:port] of the virtual host that serves r, from its
 * configuration: ServerName (or the name httpd settled on at start-up)
 * and its port, else the port the connection came in on. Never the Host
 * header, so a client cannot carry a session to another virtual host by
 * naming it (the class of CVE-2017-6807). */
static const char *server_origin(request_rec *r, const char *scheme,
                                 int *https)
{
    const char *name = r->server->server_hostname;
    apr_port_t port = r->server->port;
    char *host;

    if (!port && r->connection->local_addr) {
        port = r->connection->local_addr->port;
    }
    *https = !strcasecmp(scheme, "https");
    host = apr_pstrdup(r->pool, name && *name ? name : "localhost");
    ap_str_tolower(host);
    if (strchr(host, ':') && host[0] != '[') {
        host = apr_pstrcat(r->pool, "[", host, "]", NULL);   /* IPv6 */
    }
    if (!port || port == (*https ? 443 : 80)) {
        return apr_pstrcat(r->pool, *https ? "https" : "http", "://", host,
                           NULL);
    }
    return apr_psprintf(r->pool, "%s://%s:%u", *https ? "https" : "http",
                        host, (unsigned)port);
}

const char *jwtsso_url_origin(request_rec *r, const jwtsso_dir_cfg *cfg,
                              int *https)
{
    const char *scheme;

    if (cfg->public_origin) {
        *https = cfg->public_https;
        return cfg->public_origin;
    }
    scheme = ap_http_scheme(r);
    if (cfg->trust_forwarded) {
        const char *proto = first_value(r, "X-Forwarded-Proto");
        const char *fhost = first_value(r, "X-Forwarded-Host");

        if (!proto) {
            proto = first_value(r, "X-Scheme");
        }
        if (proto && (!strcasecmp(proto, "http")
                      || !strcasecmp(proto, "https"))) {
            char *lower = apr_pstrdup(r->pool, proto);
            ap_str_tolower(lower);
            scheme = lower;
        }
        if (host_ok(fhost)) {
            char *lower = apr_pstrdup(r->pool, fhost);
            ap_str_tolower(lower);
            *https = !strcmp(scheme, "https");
            return apr_pstrcat(r->pool, scheme, "://", lower, NULL);
        }
    }
    return server_origin(r, scheme, https);
}

const char *jwtsso_url_bound_origin(request_rec *r,
                                    const jwtsso_dir_cfg *cfg)
{
    int https;

    return cfg->public_origin ? cfg->public_origin
                              : server_origin(r, ap_http_scheme(r), &https);
}

const char *jwtsso_url_raw_path(request_rec *r)
{
    const char *u = r->unparsed_uri;
    apr_uri_t parsed;

    /* r->parsed_uri.path is r->uri, which httpd decodes in place: /a%3Fb
     * would come back as /a?b. The request line's own path is what the
     * browser asked for, encoding and all. */
    if (u && u[0] != '/') {
        /* absolute-form (GET http://host/path): its path */
        u = apr_uri_parse(r->pool, u, &parsed) == APR_SUCCESS
            ? parsed.path : NULL;
    }
    if (!u || u[0] != '/') {
        return "/";
    }
    /* httpd reads a leading "//" as "/" (ap_parse_uri): so do we, so that
     * no URL we build starts its path with what looks like a host */
    while (u[1] == '/') {
        u++;
    }
    return apr_pstrmemdup(r->pool, u, strcspn(u, "?#"));
}

const char *jwtsso_url_self(request_rec *r, const jwtsso_dir_cfg *cfg,
                            const char *query)
{
    int https;
    const char *origin = jwtsso_url_origin(r, cfg, &https);
    const char *path = jwtsso_url_raw_path(r);

    return apr_pstrcat(r->pool, origin, cfg->public_mount, path,
                       query && *query ? "?" : "", query ? query : "", NULL);
}

/* Browsers read '\' as '/', drop tabs and newlines, and so on: a URL
 * with any such character is refused outright rather than guessed at. */
static int read_their_way(const char *url)
{
    for (; *url; url++) {
        unsigned char ch = (unsigned char)*url;
        if (ch <= 0x20 || ch >= 0x7f || ch == '\\') {
            return 1;
        }
    }
    return 0;
}

/* Lower-case scheme://host[:port], the port left out when it is the
 * scheme's default: the form jwtsso_url_origin gives. */
static const char *origin_of(apr_pool_t *p, const apr_uri_t *u)
{
    int https = !strcasecmp(u->scheme, "https");
    char *host = apr_pstrdup(p, u->hostname);
    apr_port_t port = u->port ? u->port : (https ? 443 : 80);
    int v6 = strchr(host, ':') != NULL;

    ap_str_tolower(host);
    if (port == (https ? 443 : 80)) {
        return apr_pstrcat(p, https ? "https" : "http", "://", v6 ? "[" : "",
                           host, v6 ? "]" : "", NULL);
    }
    return apr_psprintf(p, "%s://%s%s%s:%u", https ? "https" : "http",
                        v6 ? "[" : "", host, v6 ? "]" : "", (unsigned)port);
}

const char *jwtsso_url_absolute(apr_pool_t *p, const char *url, apr_uri_t *u)
{
    if (!url || !*url) {
        return NULL;
    }
    if (read_their_way(url)) {
        return NULL;
    }
    if (apr_uri_parse(p, url, u) != APR_SUCCESS || !u->scheme
        || (strcasecmp(u->scheme, "http") && strcasecmp(u->scheme, "https"))
        || !u->hostname || !*u->hostname || u->user || u->password
        || strncasecmp(url + strlen(u->scheme), "://", 3)) {
        return NULL;
    }
    return origin_of(p, u);
}

const char *jwtsso_url_same_origin(request_rec *r, const jwtsso_dir_cfg *cfg,
                                   const char *url)
{
    const char *own;
    apr_uri_t u;
    int https;

    if (!url || !*url) {
        return NULL;
    }
    if (read_their_way(url)) {
        return NULL;
    }
    own = jwtsso_url_origin(r, cfg, &https);
    if (url[0] == '/') {
        /* a path on this site, never "//host" (scheme-relative) */
        if (url[1] == '/') {
            return NULL;
        }
        if (apr_uri_parse(r->pool, url, &u) != APR_SUCCESS || u.scheme
            || u.hostinfo || !u.path) {
            return NULL;
        }
        return apr_pstrcat(r->pool, own, u.path, u.query ? "?" : "",
                           u.query ? u.query : "", NULL);
    }
    if (apr_uri_parse(r->pool, url, &u) != APR_SUCCESS || !u.scheme
        || (strcasecmp(u.scheme, "http") && strcasecmp(u.scheme, "https"))
        || !u.hostname || !*u.hostname || u.user || u.password
        || strncasecmp(url + strlen(u.scheme), "://", 3)) {
        return NULL;
    }
    if (strcmp(origin_of(r->pool, &u), own)) {
        return NULL;
    }
    /* rebuilt from the parsed parts, never the client's string */
    return apr_pstrcat(r->pool, own, u.path ? u.path : "/",
                       u.query ? "?" : "", u.query ? u.query : "", NULL);
}
