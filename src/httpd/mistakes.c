/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * mistakes.c - configuration mistakes that httpd's own parsing lets
 * through and that used to fail later, quietly or with a 500, found in
 * check_config (startup.c's walk calls in here for each section), so
 * that 'apachectl configtest' says them:
 *
 *   - a secret under 32 bytes without JWTSSOAllowShortSecret On in force,
 *     whichever of the two lines comes first (an error);
 *   - a section under AuthType jwtsso where mod_session would not keep
 *     the login: no 'Session On', or no cookie name for the session store
 *     (an error; a warning when a <Directory> or .htaccess that the
 *     walk cannot map to the URL may still set it);
 *   - a jwtsso-logout location whose session cookie (name, path) is not
 *     the protected sections' (a warning: it would say "logged out" and
 *     leave the login in place);
 *   - a server that redirects browsers to an IdP with return_to built
 *     from the request's Host header (no JWTSSOPublicURL, UseCanonicalName
 *     Off): a warning, once per server.
 *
 * mod_session_cookie's and mod_session_dbd's per-directory configuration
 * is private to them; the leading members read here (the cookie names)
 * have had this layout in every httpd 2.4 release, and are only read when
 * the module itself is loaded. proxied.c asks here for mod_session_dbd's
 * cookie names too, so that this file stays the one that knows them.
 */
#include "glue.h"

#include "http_core.h"
#include "apr_strings.h"
#include "apr_lib.h"
#include "mod_session.h"

/* The leading members of session_cookie_dir_conf (mod_session_cookie.c)
 * and session_dbd_dir_conf (mod_session_dbd.c), which share them. */
typedef struct {
    const char *name;
    int name_set;
    const char *name_attrs;
    const char *name2;
    int name2_set;
    const char *name2_attrs;
    int peruser;                /* mod_session_dbd only */
    int peruser_set;
} store_head_t;

/* What the session of one section looks like: the cookie it is kept in. */
typedef struct {
    const char *kind, *path;    /* "Location", "/app" */
    const char *cookie;         /* NULL: no store with a cookie */
    const char *cookie_path;    /* the path= attribute, else NULL */
    int enabled;                /* Session On */
} sess_t;

/* Per server, filled by the walk, read at its end. */
typedef struct {
    apr_array_header_t *protected;  /* sess_t of AuthType jwtsso sections */
    apr_array_header_t *logouts;    /* sess_t of jwtsso-logout Locations */
    const char *redirects;          /* "<Location /app>" that redirects with
                                     * return_to from the Host header */
} server_state_t;

static module *session_mod, *cookie_mod, *dbd_mod;
static apr_hash_t *section_lines;   /* "Location /app" -> "file:line" */
static server_state_t state;

/* The configuration tree once: where each section is. */
static void scan(apr_pool_t *p, const ap_directive_t *d)
{
    for (; d; d = d->next) {
        const char *args = d->args ? d->args : "";
        const char *where = apr_psprintf(p, "%s:%d", d->filename,
                                         d->line_num);

        if (d->first_child) {
            scan(p, d->first_child);
        }
        if (d->directive[0] == '<' && d->first_child) {
            char *path = ap_getword_conf(p, &args);
            size_t n = strlen(path);
            const char *key;

            if (n > 0 && path[n - 1] == '>') {
                path[n - 1] = '\0';
            }
            key = apr_pstrcat(p, d->directive + 1, " ", path, NULL);
            if (!apr_hash_get(section_lines, key, APR_HASH_KEY_STRING)) {
                apr_hash_set(section_lines, key, APR_HASH_KEY_STRING, where);
            }
        }
    }
}

void jwtsso_mistakes_begin_modules(void)
{
    session_mod = ap_find_linked_module("mod_session.c");
    cookie_mod = ap_find_linked_module("mod_session_cookie.c");
    dbd_mod = ap_find_linked_module("mod_session_dbd.c");
}

void jwtsso_mistakes_begin(apr_pool_t *ptemp)
{
    jwtsso_mistakes_begin_modules();
    section_lines = apr_hash_make(ptemp);
    scan(ptemp, ap_conftree);
}

/* "<Location /app> (server www.example.com:443, file:line)" */
static const char *section_name(apr_pool_t *p, server_rec *s,
                                const char *kind, const char *path)
{
    const char *at = apr_hash_get(section_lines,
                                  apr_pstrcat(p, kind, " ", path ? path : "",
                                              NULL), APR_HASH_KEY_STRING);

    if (!at) {      /* <LocationMatch RE> is kept as a Location */
        at = apr_hash_get(section_lines, apr_pstrcat(p, kind, "Match ",
                                                     path ? path : "", NULL),
                          APR_HASH_KEY_STRING);
    }

    return apr_psprintf(p, "<%s %s> (server %s:%u%s%s)", kind,
                        path ? path : "?", s->server_hostname
                        ? s->server_hostname : "default",
                        s->port ? s->port : (s->addrs ? s->addrs->host_port
                                             : 0), at ? ", " : "",
                        at ? at : "");
}

/* ------------------------------------------------------------------ */
/* Short secrets.                                                       */

int jwtsso_mistakes_short(apr_pool_t *p, server_rec *s, const char *kind,
                          const char *path, const jwtsso_dir_cfg *own,
                          const jwtsso_dir_cfg *merged)
{
    /* a section none of whose lines is ours may have no config of ours */
    jwtsso_short_secret_t *n = own ? own->short_secret : NULL;

    if (!n || n->reported || (merged && merged->allow_short)) {
        return 0;
    }
    n->reported = 1;
    ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, s,
                 JWTSSO_LOGNO(01150) "%s: the secret is %lu bytes; at least "
                 "%d are required (HS256 needs a key as long as its hash). "
                 "It is at %s, in %s. Use a longer one, e.g. from 'openssl "
                 "rand -base64 48', or put '" JWTSSO_D_ALLOW_SHORT " On' in "
                 "that section or one around it (before or after the secret) "
                 "to accept it", n->directive, (unsigned long)n->len,
                 JWTSSO_SECRET_MIN, n->where, kind
                 ? section_name(p, s, kind, path)
                 : apr_psprintf(p, "the server config of %s",
                                s->server_hostname ? s->server_hostname
                                : "the default server"));
    return 1;
}

/* ------------------------------------------------------------------ */
/* mod_session in a section.                                            */

/* The value of the path= attribute of a cookie's attributes, or NULL. */
static const char *attr_path(apr_pool_t *p, const char *attrs)
{
    char *copy, *tok, *last;

    if (!attrs) {
        return NULL;
    }
    copy = apr_pstrdup(p, attrs);
    for (tok = apr_strtok(copy, ";", &last); tok;
         tok = apr_strtok(NULL, ";", &last)) {
        while (apr_isspace(*tok)) {
            tok++;
        }
        if (!strncasecmp(tok, "path=", 5)) {
            char *v = tok + 5, *e = v + strlen(v);

            while (e > v && apr_isspace(e[-1])) {
                *--e = '\0';
            }
            return v;
        }
    }
    return NULL;
}

/* The session settings in force in a merged configuration. */
static sess_t read_sess(apr_pool_t *p, ap_conf_vector_t *v, const char *kind,
                        const char *path)
{
    sess_t z = { kind, path, NULL, NULL, 0 };
    module *stores[2] = { cookie_mod, dbd_mod };
    int i;

    if (session_mod) {
        session_dir_conf *sc = ap_get_module_config(v, session_mod);

        z.enabled = sc && sc->enabled;
    }
    for (i = 0; i < 2 && !z.cookie; i++) {
        store_head_t *h = stores[i] ? ap_get_module_config(v, stores[i])
                                    : NULL;

        if (h && h->name2_set) {
            z.cookie = h->name2;
            z.cookie_path = attr_path(p, h->name2_attrs);
        }
        else if (h && h->name_set) {
            z.cookie = h->name;
            z.cookie_path = attr_path(p, h->name_attrs);
        }
        else if (h && stores[i] == dbd_mod && h->peruser) {
            z.cookie = "";      /* a session per user: no cookie */
        }
    }
    return z;
}

/* The directive that would make mod_session keep a login in v, with an
 * example, or NULL when nothing is missing (or no store module is
 * loaded: startup.c's JWTSSO00103 says that). */
static const char *session_missing(const sess_t *z)
{
    if (session_mod && !z->enabled) {
        return "'Session On'";
    }
    if (z->cookie || (!cookie_mod && !dbd_mod)) {
        return NULL;
    }
    if (cookie_mod && dbd_mod) {
        return "a cookie for the session store: 'SessionCookieName "
               "jwtsso_session path=/;httponly;secure' (mod_session_cookie) "
               "or 'SessionDBDCookieName jwtsso_session path=/;httponly;"
               "secure' (mod_session_dbd)";
    }
    return cookie_mod ? "'SessionCookieName jwtsso_session path=/;httponly;"
                        "secure'"
                      : "'SessionDBDCookieName jwtsso_session path=/;"
                        "httponly;secure'";
}

const char *jwtsso_mistakes_session_fix(request_rec *r)
{
    sess_t z;
    const char *missing;

    if (!session_mod) {
        jwtsso_mistakes_begin_modules();
    }
    z = read_sess(r->pool, r->per_dir_config, NULL, NULL);
    missing = session_missing(&z);
    if (!missing) {
        return "mod_session could not load the session (see the lines "
               "before this one)";
    }
    if (!strcmp(missing, "'Session On'")) {
        return "'Session On' is not in force here; add it";
    }
    return apr_pstrcat(r->pool, "'Session On' is set, but no session store "
                       "names a cookie here; add ", missing, NULL);
}

void jwtsso_mistakes_dbd_cookies(ap_conf_vector_t *v,
                                 apr_array_header_t *names)
{
    /* looked up each time: the pointer of a module loaded from a DSO
     * changes across restarts */
    module *m = ap_find_linked_module("mod_session_dbd.c");
    store_head_t *h = m ? ap_get_module_config(v, m) : NULL;

    if (h && h->name_set && h->name) {
        *(const char **)apr_array_push(names) = h->name;
    }
    if (h && h->name2_set && h->name2) {
        *(const char **)apr_array_push(names) = h->name2;
    }
}

/* Whether a section of secs other than own (only those with a regex
 * when regex_only) sets Session On or a cookie name of its own. */
static int sets_session(apr_pool_t *p, apr_array_header_t *secs,
                        ap_conf_vector_t *own, int regex_only)
{
    ap_conf_vector_t **v = (ap_conf_vector_t **)secs->elts;
    int i;

    for (i = 0; i < secs->nelts; i++) {
        core_dir_config *cd = ap_get_core_module_config(v[i]);
        sess_t z;

        if (v[i] == own || (regex_only && !cd->r)) {
            continue;
        }
        z = read_sess(p, v[i], NULL, NULL);
        if (z.enabled || z.cookie) {
            return 1;
        }
    }
    return 0;
}

/* Whether something the walk cannot map to a URL may set what a section
 * lacks: a section of the other kind (a <Directory> for a <Location>), a
 * regex section (<LocationMatch>; or, for one, any section of its kind)
 * that sets Session On or a cookie name, or an AllowOverride AuthConfig
 * that lets .htaccess files set them. Then it is a warning, not an
 * error: start-up must not fail for a configuration that works. */
static int set_elsewhere(apr_pool_t *p, server_rec *s, const char *kind,
                         ap_conf_vector_t *own, int regex)
{
    core_server_config *sc = ap_get_core_module_config(s->module_config);
    int loc = !strcmp(kind, "Location");
    ap_conf_vector_t **d = (ap_conf_vector_t **)sc->sec_dir->elts;
    int i;

    if (sets_session(p, loc ? sc->sec_dir : sc->sec_url, own, 0)
        || sets_session(p, loc ? sc->sec_url : sc->sec_dir, own, !regex)) {
        return 1;
    }
    for (i = 0; i < sc->sec_dir->nelts; i++) {
        core_dir_config *cd = ap_get_core_module_config(d[i]);

        if (!(cd->override & OR_UNSET) && (cd->override & OR_AUTHCFG)) {
            return 1;
        }
    }
    return 0;
}

static int session_check(apr_pool_t *p, server_rec *s, const sess_t *z,
                         ap_conf_vector_t *own, int regex)
{
    const char *missing = session_missing(z);
    int warn;

    if (!missing) {
        return 0;
    }
    warn = set_elsewhere(p, s, z->kind, own, regex);
    ap_log_error(APLOG_MARK, (warn ? APLOG_WARNING : APLOG_CRIT)
                 | APLOG_STARTUP, 0, s, "%s%s uses AuthType jwtsso, but "
                 "mod_session would not keep its logins there: %s is "
                 "missing%s, so each login would end in a 500. Add %s to "
                 "that section or one around it%s",
                 warn ? JWTSSO_LOGNO(01152) : JWTSSO_LOGNO(01151),
                 section_name(p, s, z->kind, z->path),
                 strcmp(missing, "'Session On'") ? "a session cookie name"
                 : "'Session On'", strcmp(missing, "'Session On'") ? ""
                 : " (it is off by default)", missing,
                 warn ? " (unless a section start-up cannot map to these "
                 "URLs sets it: a <Directory>, a regex section or an "
                 ".htaccess file)" : "");
    return !warn;
}

/* ------------------------------------------------------------------ */
/* The walk's calls.                                                    */

void jwtsso_mistakes_server(apr_pool_t *ptemp)
{
    state.protected = apr_array_make(ptemp, 4, sizeof(sess_t));
    state.logouts = apr_array_make(ptemp, 2, sizeof(sess_t));
    state.redirects = NULL;
}

/* Whether the merged section runs SetHandler jwtsso-logout. */
static int is_logout(apr_pool_t *p, ap_conf_vector_t *merged)
{
    const char *h = jwtsso_startup_handler(p, merged);

    return h && !strcmp(h, JWTSSO_HANDLER_LOGOUT);
}

int jwtsso_mistakes_section(apr_pool_t *p, server_rec *s, const char *kind,
                            const char *path, ap_conf_vector_t *own,
                            ap_conf_vector_t *merged, int jwtsso)
{
    const jwtsso_dir_cfg *c = ap_get_module_config(merged,
                                                   &auth_jwtsso_module);
    core_dir_config *cd = ap_get_core_module_config(merged);
    sess_t z = read_sess(p, merged, kind, path);

    if (!jwtsso) {
        if (!strcmp(kind, "Location") && path && is_logout(p, merged)) {
            *(sess_t *)apr_array_push(state.logouts) = z;
        }
        return 0;
    }
    if (!c) {
        return 0;
    }
    *(sess_t *)apr_array_push(state.protected) = z;
    if (!state.redirects && c->endpoint && !c->public_origin
        && (c->unauth == JWTSSO_UNAUTH_AUTO
            || c->unauth == JWTSSO_UNAUTH_REDIRECT)
        && cd->use_canonical_name != USE_CANONICAL_NAME_ON
        && cd->use_canonical_name != USE_CANONICAL_NAME_DNS) {
        state.redirects = apr_psprintf(p, "<%s %s>", kind, path ? path : "?");
    }
    return session_check(p, s, &z, own, cd->r != NULL);
}

/* "cookie 'jwtsso_session' (path=/)" */
static const char *cookie_text(apr_pool_t *p, const sess_t *z)
{
    if (!z->enabled) {
        return "no session ('Session On' is not in force)";
    }
    if (!z->cookie || !*z->cookie) {
        return "no session cookie";
    }
    return apr_psprintf(p, "the cookie '%s' (%s%s)", z->cookie,
                        z->cookie_path ? "path=" : "no path attribute",
                        z->cookie_path ? z->cookie_path : "");
}

/* Whether logging out at l clears the cookie that logins at p set. */
static int clears(const sess_t *l, const sess_t *p)
{
    const char *cp = p->cookie_path ? p->cookie_path : p->path;

    if (!l->enabled || !l->cookie || !p->cookie
        || strcmp(l->cookie, p->cookie)) {
        return 0;
    }
    if ((l->cookie_path == NULL) != (p->cookie_path == NULL)
        || (l->cookie_path && strcmp(l->cookie_path, p->cookie_path))) {
        return 0;
    }
    return cp && strncmp(l->path, cp, strlen(cp)) == 0;
}

static void logout_check(apr_pool_t *p, server_rec *s, const sess_t *l)
{
    const sess_t *prot = (const sess_t *)state.protected->elts;
    int i;

    for (i = 0; i < state.protected->nelts; i++) {
        if (clears(l, &prot[i])) {
            return;
        }
    }
    ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, 0, s,
                 JWTSSO_LOGNO(01153) "%s runs SetHandler " JWTSSO_HANDLER_LOGOUT
                 " with %s, but <%s %s> keeps its logins in %s: a logout "
                 "there would say \"logged out\" and leave the user logged "
                 "in. Give the logout location the same 'Session On' and "
                 "'SessionCookieName' line (name and path=) as the protected "
                 "section, with a path= that covers the logout URL",
                 section_name(p, s, l->kind, l->path), cookie_text(p, l),
                 prot[0].kind, prot[0].path ? prot[0].path : "?",
                 cookie_text(p, &prot[0]));
}

void jwtsso_mistakes_server_end(apr_pool_t *p, server_rec *s)
{
    const sess_t *l = (const sess_t *)state.logouts->elts;
    int i;

    for (i = 0; state.protected->nelts > 0 && i < state.logouts->nelts; i++) {
        logout_check(p, s, &l[i]);
    }
    if (state.redirects) {
        const char *name = s->server_hostname ? s->server_hostname
                                              : "localhost";
        unsigned port = s->port ? s->port : (s->addrs ? s->addrs->host_port
                                             : 0);

        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, 0, s,
                     JWTSSO_LOGNO(01154) "server %s:%u: %s sends browsers "
                     "to the IdP with a return_to built from this server's "
                     "name (%s:%u), while with UseCanonicalName Off (httpd's "
                     "default) httpd's own URLs follow the Host the browser "
                     "used: a browser that came in by another name or port "
                     "(an alias, a proxy in front) comes back elsewhere and "
                     "the login fails. Set '" JWTSSO_D_PUBLIC_URL " https://"
                     "%s' (the URL browsers use) in that section or one "
                     "around it, or 'UseCanonicalName On' with ServerName "
                     "set to the public name", name, port, state.redirects,
                     name, port, name);
    }
}
