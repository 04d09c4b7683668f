/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * headers.c - removal of the identity headers a client sends (DESIGN §6).
 *
 * The module passes claims to the application in X-JWTSSO-* request
 * headers (JWTSSOPassClaims headers), so a client must never be able to
 * send one: every such header is removed before authentication, in any
 * case and in the X_JWTSSO_ spelling CGI would map to the same variable,
 * and our names are taken out of the Connection header. When to strip is
 * the hooks' decision (flow.c); what is passed, session.c's.
 */
#include "glue.h"

#include "apr_strings.h"

/* Is this one of the names we pass claims in? X-JWTSSO-* in any case, and
 * the X_JWTSSO_ spelling (DESIGN §6); len bytes of name. */
static int our_header(const char *name, size_t len)
{
    /* x, then '-' or '_', "jwtsso" in any case, '-' or '_' */
    return len >= 9 && (name[0] | 0x20) == 'x'
           && (name[1] == '-' || name[1] == '_')
           && !strncasecmp(name + 2, "JWTSSO", 6)
           && (name[8] == '-' || name[8] == '_');
}

typedef struct {
    apr_pool_t *pool;
    apr_array_header_t *names;      /* made at the first one found */
} spoofed_t;

static int spoofed(void *rec, const char *key, const char *value)
{
    spoofed_t *f = rec;

    (void)value;
    if (our_header(key, strlen(key))) {
        if (!f->names) {
            f->names = apr_array_make(f->pool, 2, sizeof(const char *));
        }
        *(const char **)apr_array_push(f->names) = key;
    }
    return 1;
}

/* A Connection header that names one of our headers would make mod_proxy
 * drop it as hop-by-hop after we set it: those names are taken out of
 * Connection (the others stay). */
static void connection_tokens(request_rec *r)
{
    const char *conn = apr_table_get(r->headers_in, "Connection"), *tok;
    const char *kept = "";
    char *list, *last = NULL;
    int changed = 0;

    if (!conn || !ap_strcasestr(conn, "jwtsso")) {
        return;
    }
    list = apr_pstrdup(r->pool, conn);
    for (tok = apr_strtok(list, ", \t", &last); tok;
         tok = apr_strtok(NULL, ", \t", &last)) {
        if (our_header(tok, strlen(tok))) {
            changed = 1;
            continue;
        }
        kept = *kept ? apr_pstrcat(r->pool, kept, ", ", tok, NULL) : tok;
    }
    if (!changed) {
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, JWTSSO_LOGNO(00423)
                  "Connection header named X-JWTSSO-* headers: those "
                  "names removed from it");
    if (*kept) {
        apr_table_setn(r->headers_in, "Connection", kept);
    }
    else {
        apr_table_unset(r->headers_in, "Connection");
    }
}

void jwtsso_headers_strip(request_rec *r)
{
    spoofed_t found;
    int i;

    /* the array is made only when a header is found (most requests have
     * none) */
    found.pool = r->pool;
    found.names = NULL;
    apr_table_do(spoofed, &found, r->headers_in, NULL);
    for (i = 0; found.names && i < found.names->nelts; i++) {
        apr_table_unset(r->headers_in, ((const char **)found.names->elts)[i]);
    }
    connection_tokens(r);
}
