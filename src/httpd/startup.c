/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * startup.c - the check_config hook of mod_auth_jwtsso: every
 * <Location>/<Directory> section whose merged configuration says AuthType
 * jwtsso must have what a request will need (a key, a session record key,
 * keys for the allowed algorithms, a login endpoint unless it answers 401),
 * and the modules it relies on (mod_session, a session store, the replay
 * store) must be there. It runs in check_config, so 'apachectl configtest'
 * reports it too; each message names the section, where its configuration
 * is, and the fix.
 *
 * The checks of one directive's value are its setter's (config.c,
 * keyconf.c).
 */
#include "glue.h"

#include "http_core.h"
#include "http_request.h"
#include "mod_auth.h"
#include "apr_strings.h"
#include "apr_optional.h"

static int is_prefix(const char *pre, const char *s)
{
    return strncmp(pre, s, strlen(pre)) == 0;
}

/* What a section under AuthType jwtsso lacks, with the fix; NULL when
 * nothing. */
static const char *section_problem(apr_pool_t *p, const jwtsso_dir_cfg *c)
{
    unsigned served;
    const char *serves;

    if (!c->keys || (jwtsso_keyset_count(c->keys->keys) == 0
                     && !c->keys->remote)) {
        return "has no key to verify tokens with; add e.g. '"
               JWTSSO_D_SECRET " file:/etc/apache2/jwtsso.secret' (a file "
               "holding the IdP's shared secret), or '" JWTSSO_D_VERIFY_KEY
               " /etc/apache2/idp.pem' (its public key)";
    }
    if (!jwtsso_keyconf_record_key(c)) {
        return "has no secret of its own to sign its session records "
               "with (only public keys, or keys from a JWKS); add '"
               JWTSSO_D_SESSION_KEY " file:/etc/apache2/jwtsso-session.key' "
               "(32 random bytes or more, e.g. "
               "from 'openssl rand -base64 48')";
    }
    served = jwtsso_keyset_algs(c->keys->keys);
    if ((c->algs & ~served) && !c->keys->remote) {
        serves = jwtsso_config_alg_list(p, served);
        return apr_psprintf(p, "allows %s in " JWTSSO_D_ALGORITHMS ", which "
                            "no configured key can verify (the keys serve: "
                            "%s); take it off the list, or add a key of "
                            "that kind",
                            jwtsso_config_alg_list(p, c->algs & ~served),
                            *serves ? serves : "nothing");
    }
    if (!c->endpoint && (c->unauth == JWTSSO_UNAUTH_AUTO
                         || c->unauth == JWTSSO_UNAUTH_REDIRECT)) {
        return "has no " JWTSSO_D_ENDPOINT "; add e.g. '" JWTSSO_D_ENDPOINT
               " https://idp.example.com/login', or set "
               JWTSSO_D_UNAUTH_ACTION " 401";
    }
    return NULL;
}

static APR_OPTIONAL_FN_TYPE(authn_ap_auth_type) *auth_type;

/* More keys of one kind than a token without kid is checked against
 * (JWTSSOMaxKeysWithoutKid): such tokens will be refused; say so now. */
static void kidless_warning(server_rec *s, const char *kind,
                            const char *path, const jwtsso_dir_cfg *c)
{
    jwtsso_alg_t alg;
    size_t n = jwtsso_keyset_kidless(c->keys->keys, &alg);

    if (n <= c->max_kidless) {
        return;
    }
    ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, 0, s,
                 JWTSSO_LOGNO(00105) "<%s %s> (server %s%s%s): %s tokens "
                 "without kid would be checked against %lu keys, more than "
                 JWTSSO_D_MAX_KIDLESS " %u: such tokens will be refused "
                 "(kid_required), and a kid that names no key will not be "
                 "tried against the keys without kid. Have the IdP put "
                 "its key's kid in every token (a JWKS gives each key "
                 "one), or raise " JWTSSO_D_MAX_KIDLESS " (each key tried "
                 "is a signature check a forged token costs)", kind,
                 path ? path : "?", s->server_hostname
                 ? s->server_hostname : "default",
                 c->where ? ", configured at " : "",
                 c->where ? c->where : "", jwtsso_alg_name(alg),
                 (unsigned long)n, c->max_kidless);
}

static int check_sections(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s,
                          apr_array_header_t *secs, const char *kind,
                          int *used)
{
    ap_conf_vector_t **v = (ap_conf_vector_t **)secs->elts;
    int i, j, bad = 0;

    for (i = 0; i < secs->nelts; i++) {
        core_dir_config *cd = ap_get_core_module_config(v[i]);
        ap_conf_vector_t *merged = s->lookup_defaults;
        request_rec fake;
        const char *type, *problem;
        jwtsso_dir_cfg *c;
        int jwtsso;

        /* the sections a request to this one's path also passes through */
        for (j = 0; j < secs->nelts; j++) {
            core_dir_config *cj = ap_get_core_module_config(v[j]);
            if (j == i || (!cj->r && !cd->r && cj->d && cd->d
                           && is_prefix(cj->d, cd->d))) {
                merged = ap_merge_per_dir_configs(ptemp, merged, v[j]);
            }
        }
        memset(&fake, 0, sizeof(fake));
        fake.pool = ptemp;
        fake.server = s;
        fake.per_dir_config = merged;
        fake.request_config = ap_create_request_config(ptemp);
        bad |= jwtsso_issuerconf_check(ptemp, s, kind, cd->d, merged);
        /* httpd retrieves ap_auth_type's provider only after check_config,
         * so ask mod_authn_core directly */
        type = auth_type ? auth_type(&fake) : NULL;
        bad |= jwtsso_info_check(ptemp, s, kind, cd->d, merged, type);
        jwtsso = type && !strcasecmp(type, JWTSSO_AUTH_TYPE);
        c = ap_get_module_config(merged, &auth_jwtsso_module);
        bad |= jwtsso_mistakes_short(ptemp, s, kind, cd->d,
                                     ap_get_module_config(v[i],
                                                          &auth_jwtsso_module),
                                     c);
        bad |= jwtsso_mistakes_section(ptemp, s, kind, cd->d, v[i], merged,
                                        jwtsso);
        if (!jwtsso) {
            continue;
        }
        *used = 1;
        problem = section_problem(ptemp, c);
        if (!problem) {
            problem = jwtsso_jwksurl_note(ptemp, c);
        }
        if (!problem && jwtsso_policy_note(pconf, c) != 0) {
            problem = "its policy digest cannot be computed (a crypto "
                      "library failure)";
        }
        if (problem) {
            ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, s,
                         JWTSSO_LOGNO(00101) "<%s %s> (server %s%s%s) uses "
                         "AuthType jwtsso but %s", kind,
                         cd->d ? cd->d : "?", s->server_hostname
                         ? s->server_hostname : "default",
                         c->where ? ", configured at " : "",
                         c->where ? c->where : "", problem);
            bad = 1;
        }
        else {
            kidless_warning(s, kind, cd->d, c);
        }
    }
    return bad;
}

/* Whether some section of this configuration uses AuthType jwtsso (set
 * by check_config, read by requests). */
static int used_here;

/* "file:line" of each SetHandler line that names one of our handlers
 * ("jwtsso-..."), mapped to that name: httpd keeps SetHandler as an
 * expression whose text it does not expose, only where it came from, so
 * the configuration tree is read once for the lines that name ours. */
static apr_hash_t *handler_lines;

static void scan_handlers(apr_pool_t *p, const ap_directive_t *d)
{
    for (; d; d = d->next) {
        if (d->first_child) {
            scan_handlers(p, d->first_child);
        }
        if (!strcasecmp(d->directive, "SetHandler") && d->args) {
            const char *args = d->args;
            char *w = ap_getword_conf(p, &args);

            if (!strncmp(w, "jwtsso-", 7)) {
                apr_hash_set(handler_lines,
                             apr_psprintf(p, "%s:%d", d->filename,
                                          d->line_num),
                             APR_HASH_KEY_STRING, w);
            }
        }
    }
}

const char *jwtsso_startup_handler(apr_pool_t *p, ap_conf_vector_t *merged)
{
    core_dir_config *cd = ap_get_core_module_config(merged);

    if (cd->expr_handler && cd->expr_handler->filename && handler_lines) {
        return apr_hash_get(handler_lines,
                            apr_psprintf(p, "%s:%u",
                                         cd->expr_handler->filename,
                                         cd->expr_handler->line_number),
                            APR_HASH_KEY_STRING);
    }
    if (cd->handler && !strncasecmp(cd->handler, "jwtsso-", 7)) {
        return cd->handler;
    }
    return NULL;
}

int jwtsso_startup_used(void)
{
    return used_here;
}

int jwtsso_startup_check(apr_pool_t *pconf, apr_pool_t *plog,
                         apr_pool_t *ptemp, server_rec *s)
{
    int bad = 0, used = 0;
    server_rec *s0 = s;

    (void)plog;
    auth_type = APR_RETRIEVE_OPTIONAL_FN(authn_ap_auth_type);
    jwtsso_policy_reset();
    handler_lines = apr_hash_make(ptemp);
    scan_handlers(ptemp, ap_conftree);
    jwtsso_mistakes_begin(ptemp);
    for (; s; s = s->next) {
        core_server_config *sc = ap_get_core_module_config(s->module_config);
        const jwtsso_dir_cfg *own = ap_get_module_config(s->lookup_defaults,
                                                         &auth_jwtsso_module);

        jwtsso_mistakes_server(ptemp);
        bad |= jwtsso_mistakes_short(ptemp, s, NULL, NULL, own, own);
        bad |= check_sections(pconf, ptemp, s, sc->sec_url, "Location",
                              &used);
        bad |= check_sections(pconf, ptemp, s, sc->sec_dir, "Directory",
                              &used);
        jwtsso_mistakes_server_end(ptemp, s);
    }
    handler_lines = NULL;           /* it lived in ptemp */
    used_here = used;
    if (used && jwtsso_replay_check(s0, ptemp) != OK) {
        bad = 1;
    }
    if (used && !jwtsso_session_init()) {
        ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, NULL,
                     JWTSSO_LOGNO(00102) "AuthType jwtsso keeps its logins "
                     "in mod_session, which is not loaded: enable it with "
                     "'a2enmod session_cookie' (or LoadModule session_module "
                     "and session_cookie_module)");
        bad = 1;
    }
    else if (used && !ap_find_linked_module("mod_session_cookie.c")
             && !ap_find_linked_module("mod_session_dbd.c")) {
        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, 0, NULL,
                     JWTSSO_LOGNO(00103) "neither mod_session_cookie nor "
                     "mod_session_dbd is loaded: unless another session "
                     "store is configured, logins cannot be kept; enable "
                     "one with 'a2enmod session_cookie'");
    }
    return bad ? HTTP_INTERNAL_SERVER_ERROR : OK;
}
