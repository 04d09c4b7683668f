/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * proxied.c - what a proxied app or CGI sees of the login, beyond the
 * claims (session.c): JWTSSOStripCookies and JWTSSOUserHeader.
 *
 *   JWTSSOStripCookies  the session cookie (mod_session_cookie's, as it
 *                       read it for this request; mod_session_dbd's, as
 *                       the section names it, which it takes out itself
 *                       only under SessionDBDCookieRemove On) and the
 *                       state cookie (jwtsso_state; __Host-jwtsso_state
 *                       on https) are taken out of the request's Cookie
 *                       header in fixups, after the session was loaded
 *                       (mod_session keeps what it read in the notes of
 *                       the first request, so internal redirects and
 *                       subrequests still find it); the other cookies
 *                       stay byte for byte. The app can then neither read
 *                       nor replay the login.
 *   JWTSSOUserHeader    the user in a request header of that name; a
 *                       client's own header of that name (any case, '_'
 *                       for '-', the way CGI maps both to one variable)
 *                       is removed on every request under AuthType
 *                       jwtsso, as headers.c does for X-JWTSSO-*.
 */
#include "glue.h"

#include "http_core.h"
#include "http_request.h"
#include "mod_auth.h"
#include "mod_session.h"
#include "apr_strings.h"
#include "apr_lib.h"
#include "apr_optional.h"

/* the notes key prefix under which mod_session_cookie keeps the session
 * it read, followed by the cookie's name (mod_session_cookie.c) */
#define COOKIE_NOTE "mod_session_cookie"

/* Header names a backend or httpd itself reads as something else:
 * hop-by-hop, framing, credentials, routing. Compared with '_' as '-'. */
static const char *const refused_names[] = {
    "Host", "Cookie", "Cookie2", "Authorization", "Proxy-Authorization",
    "Content-Length", "Content-Type", "Content-Encoding",
    "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection",
    "Upgrade", "TE", "Trailer", "Expect", "Range", "If-Range",
    "Set-Cookie", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
    "X-Forwarded-Proto", "X-Forwarded-Server", "Via", "Max-Forwards",
    NULL
};

/* a and b (b of len bytes) name the same header: any case, '_' = '-' */
static int same_header(const char *a, const char *b, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        char x = a[i] == '_' ? '-' : a[i], y = b[i] == '_' ? '-' : b[i];

        if (!x || apr_tolower(x) != apr_tolower(y)) {
            return 0;
        }
    }
    return a[len] == '\0';
}

const char *jwtsso_proxied_header_problem(apr_pool_t *p, const char *name)
{
    const char *s;
    int i;

    for (s = name; *s; s++) {
        /* RFC 9110 token characters */
        if (!apr_isalnum(*s) && !strchr("!#$%&'*+-.^_`|~", *s)) {
            break;
        }
    }
    if (!*name || *s) {
        return "is not a header name (letters, digits and - only, "
               "e.g. X-Remote-User)";
    }
    for (i = 0; refused_names[i]; i++) {
        if (same_header(refused_names[i], name, strlen(name))) {
            return apr_psprintf(p, "is a header httpd, a proxy or the app "
                                "reads as %s, not a user name; use a name "
                                "of its own, e.g. X-Remote-User",
                                refused_names[i]);
        }
    }
    return NULL;
}

typedef struct {
    const char *want;
    size_t len;
    apr_array_header_t *found;
    apr_pool_t *pool;
} spoof_t;

static int spoofed(void *data, const char *key, const char *value)
{
    spoof_t *f = data;

    (void)value;
    if (same_header(key, f->want, f->len)) {
        if (!f->found) {
            f->found = apr_array_make(f->pool, 1, sizeof(const char *));
        }
        *(const char **)apr_array_push(f->found) = key;
    }
    return 1;
}

/* A Connection header naming the user header would make mod_proxy drop
 * it as hop-by-hop after we set it: that name is taken out of it. */
static void connection_token(request_rec *r, const char *name, size_t len)
{
    const char *conn = apr_table_get(r->headers_in, "Connection"), *tok;
    const char *kept = "";
    char *list, *last = NULL;
    int changed = 0;

    if (!conn) {
        return;
    }
    list = apr_pstrdup(r->pool, conn);
    for (tok = apr_strtok(list, ", \t", &last); tok;
         tok = apr_strtok(NULL, ", \t", &last)) {
        if (same_header(tok, name, len)) {
            changed = 1;
            continue;
        }
        kept = *kept ? apr_pstrcat(r->pool, kept, ", ", tok, NULL) : tok;
    }
    if (!changed) {
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01232)
                  "Connection header named %s (" JWTSSO_D_USER_HEADER
                  "): that name removed from it", name);
    if (*kept) {
        apr_table_setn(r->headers_in, "Connection", kept);
    }
    else {
        apr_table_unset(r->headers_in, "Connection");
    }
}

void jwtsso_proxied_strip_user_header(request_rec *r,
                                      const jwtsso_dir_cfg *cfg)
{
    spoof_t f;
    int i;

    if (!cfg->user_header) {
        return;
    }
    f.want = cfg->user_header;
    f.len = strlen(f.want);
    f.found = NULL;
    f.pool = r->pool;
    apr_table_do(spoofed, &f, r->headers_in, NULL);
    connection_token(r, f.want, f.len);
    if (!f.found) {
        return;
    }
    for (i = 0; i < f.found->nelts; i++) {
        apr_table_unset(r->headers_in, ((const char **)f.found->elts)[i]);
    }
    if (r->prev || r->main) {
        return;     /* ours, set for the request this one comes from */
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(01230)
                  "removed %d client-sent %s header(s) ("
                  JWTSSO_D_USER_HEADER ")", f.found->nelts,
                  cfg->user_header);
}

/* ------------------------------------------------------------------ */
/* JWTSSOStripCookies                                                   */

typedef struct {
    apr_array_header_t *names;      /* the cookie names to take out */
    apr_array_header_t *values;     /* the Cookie headers, rebuilt */
    request_rec *r;
    int removed;
} strip_t;

static int session_note(void *data, const char *key, const char *value)
{
    strip_t *st = data;
    size_t n = sizeof(COOKIE_NOTE) - 1;

    (void)value;
    if (!strncmp(key, COOKIE_NOTE, n) && key[n]) {
        *(const char **)apr_array_push(st->names) = key + n;
    }
    return 1;
}

static int listed(const strip_t *st, const char *name, size_t len)
{
    int i;

    for (i = 0; i < st->names->nelts; i++) {
        const char *n = ((const char **)st->names->elts)[i];

        if (strlen(n) == len && !strncmp(n, name, len)) {
            return 1;
        }
    }
    return 0;
}

/* One Cookie header without the listed cookies: each "name=value" pair
 * kept as it came, joined with "; " (RFC 6265 §5.4). */
static int strip_header(void *data, const char *key, const char *value)
{
    strip_t *st = data;
    const char *p = value, *end, *name;
    char *out = apr_palloc(st->r->pool, strlen(value) + 1), *o = out;
    size_t nlen;

    (void)key;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';') {
            p++;
        }
        if (!*p) {
            break;
        }
        end = strchr(p, ';');
        end = end ? end : p + strlen(p);
        name = p;
        nlen = strcspn(p, "=;");
        while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t')) {
            nlen--;
        }
        if (listed(st, name, nlen)) {
            st->removed++;
        }
        else {
            if (o != out) {
                *o++ = ';';
                *o++ = ' ';
            }
            memcpy(o, p, (size_t)(end - p));
            o += end - p;
        }
        p = end;
    }
    *o = '\0';
    if (o != out) {
        *(const char **)apr_array_push(st->values) = out;
    }
    return 1;
}

static int strip_on(const jwtsso_dir_cfg *cfg)
{
    return cfg->strip_cookies >= 0 ? cfg->strip_cookies
           : (cfg->pass_claims & JWTSSO_PASS_HEADERS) != 0;
}

static void strip_cookies(request_rec *r)
{
    APR_OPTIONAL_FN_TYPE(ap_session_load) *load;
    session_rec *z = NULL;
    request_rec *m = r;
    strip_t st;
    int i;

    if (!apr_table_get(r->headers_in, "Cookie")) {
        return;
    }
    /* the session is read (and kept in the notes) before its cookie goes:
     * a handler that reads it later, or writes it, still finds it */
    load = APR_RETRIEVE_OPTIONAL_FN(ap_session_load);
    if (load) {
        load(r, &z);
    }
    while (m->prev) {
        m = m->prev;
    }
    while (m->main) {
        m = m->main;
    }
    st.r = r;
    st.removed = 0;
    st.names = apr_array_make(r->pool, 2, sizeof(const char *));
    st.values = apr_array_make(r->pool, 1, sizeof(const char *));
    /* the state cookie by either name: this request's scheme need not
     * be the one the login started on */
    *(const char **)apr_array_push(st.names) = JWTSSO_STATE_COOKIE;
    *(const char **)apr_array_push(st.names) = JWTSSO_STATE_COOKIE_HTTPS;
    apr_table_do(session_note, &st, m->notes, NULL);
    jwtsso_mistakes_dbd_cookies(r->per_dir_config, st.names);
    apr_table_do(strip_header, &st, r->headers_in, "Cookie", NULL);
    if (!st.removed) {
        return;
    }
    apr_table_unset(r->headers_in, "Cookie");
    for (i = 0; i < st.values->nelts; i++) {
        apr_table_addn(r->headers_in, "Cookie",
                       ((const char **)st.values->elts)[i]);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, JWTSSO_LOGNO(01220)
                  "%d login cookie(s) removed from the request ("
                  JWTSSO_D_STRIP_COOKIES ")", st.removed);
}

/* ------------------------------------------------------------------ */
/* JWTSSOUserHeader                                                     */

static void user_header(request_rec *r, const jwtsso_dir_cfg *cfg)
{
    const char *u;

    for (u = r->user; *u; u++) {
        if ((unsigned char)*u < 0x20 || *u == 0x7f) {
            /* never a changed name: a backend would take it as another
             * user */
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                          JWTSSO_LOGNO(01231) "user name has control "
                          "characters: not passed in %s",
                          cfg->user_header);
            return;
        }
    }
    apr_table_setn(r->headers_in, cfg->user_header, r->user);
}

int jwtsso_proxied_fixups(request_rec *r)
{
    const jwtsso_dir_cfg *cfg;
    const char *type = ap_auth_type(r);

    if (!type || strcasecmp(type, JWTSSO_AUTH_TYPE)) {
        return DECLINED;
    }
    cfg = ap_get_module_config(r->per_dir_config, &auth_jwtsso_module);
    if (strip_on(cfg)) {
        strip_cookies(r);
    }
    if (cfg->user_header && r->user && *r->user) {
        user_header(r, cfg);
    }
    return DECLINED;
}
