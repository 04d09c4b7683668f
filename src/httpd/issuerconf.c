/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * issuerconf.c - the directives of the issuer side (SetHandler
 * jwtsso-issuer and jwtsso-jwks): its signing key (JWTSSOIssuerSecret or
 * JWTSSOIssuerPrivateKey), JWTSSOIssuerAlgorithm and
 * JWTSSOIssuerAllowedReturnTo, and the start-up check that every section
 * using one of those handlers has a key that serves its algorithm.
 *
 * Keys become signers once, in the setter, on the config pool; the key
 * text and secret bytes are cleansed as soon as the signers hold them.
 * The lifetime, audience and name are plain slots of config.c. What a
 * request does with all this is issuer.c's.
 */
#include "glue.h"

#include "http_core.h"
#include "util_cfgtree.h"
#include "apr_strings.h"
#include "apr_hash.h"
#include "apr_lib.h"

#include <openssl/crypto.h>

static apr_status_t key_cleanup(void *data)
{
    jwtsso_issuer_key_t *k = data;
    int a;

    for (a = 0; a < JWTSSO_ALG__COUNT; a++) {
        jwtsso_sign_free(k->by_alg[a]);
        k->by_alg[a] = NULL;
    }
    return APR_SUCCESS;
}

/* A section has one issuer key: two would leave open which one signs. */
static const char *one_key(cmd_parms *cmd, const jwtsso_dir_cfg *c)
{
    if (!(c->set_bits & JWTSSO_SET_ISSUER_KEY)) {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "%s: this section already has an issuer "
                        "key (%s); give one " JWTSSO_D_ISSUER_SECRET " or "
                        JWTSSO_D_ISSUER_KEY " per section (a section of its "
                        "own for each key)", cmd->cmd->name,
                        c->issuer_key->where);
}

static jwtsso_issuer_key_t *new_key(cmd_parms *cmd)
{
    jwtsso_issuer_key_t *k = apr_pcalloc(cmd->pool, sizeof(*k));

    k->where = jwtsso_config_where(cmd);
    apr_pool_cleanup_register(cmd->pool, k, key_cleanup,
                              apr_pool_cleanup_null);
    return k;
}

/* When the section already says which algorithm, it must be the key's. */
static const char *alg_fits(cmd_parms *cmd, const jwtsso_dir_cfg *c,
                            const jwtsso_issuer_key_t *k)
{
    if (!(c->set_bits & JWTSSO_SET_ISSUER_ALG) || !k
        || (k->algs & JWTSSO_ALGBIT(c->issuer_alg))) {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "%s: the algorithm %s (of "
                        JWTSSO_D_ISSUER_ALG ") is not one this key signs "
                        "with; it serves %s: pick one of those, or give a "
                        "key of that kind", cmd->cmd->name,
                        jwtsso_alg_name((jwtsso_alg_t)c->issuer_alg),
                        jwtsso_config_alg_list(cmd->temp_pool, k->algs));
}

const char *jwtsso_issuerconf_set_secret(cmd_parms *cmd, void *dv,
                                         const char *arg)
{
    static const jwtsso_alg_t hs[] = {
        JWTSSO_ALG_HS256, JWTSSO_ALG_HS384, JWTSSO_ALG_HS512
    };
    jwtsso_dir_cfg *c = dv;
    jwtsso_issuer_key_t *k;
    unsigned char *bytes = NULL;
    size_t len = 0, i;
    const char *err = one_key(cmd, c);

    if (!err) {
        err = jwtsso_keyconf_secret(cmd, c, arg, &bytes, &len);
    }
    if (err) {
        return err;
    }
    k = new_key(cmd);
    k->hmac = 1;
    k->first = JWTSSO_ALG_HS256;
    for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
        k->by_alg[hs[i]] = jwtsso_sign_new_hmac(hs[i], bytes, len, NULL);
        if (k->by_alg[hs[i]]) {
            k->algs |= JWTSSO_ALGBIT(hs[i]);
        }
    }
    OPENSSL_cleanse(bytes, len);
    if (k->algs != JWTSSO_ALGS_HMAC) {
        return apr_psprintf(cmd->pool, "%s: cannot make an HMAC signer (out "
                            "of memory, or the crypto library refused)",
                            cmd->cmd->name);
    }
    c->issuer_key = k;
    jwtsso_config_mark(cmd, c, JWTSSO_SET_ISSUER_KEY);
    return alg_fits(cmd, c, k);
}

/* A signer for each algorithm the PEM key allows besides its first. */
static jwtsso_keyerr_t other_algs(jwtsso_issuer_key_t *k, const char *pem,
                                  size_t len, const char *kid)
{
    jwtsso_keyerr_t ke = JWTSSO_KEY_OK;
    int a;

    for (a = JWTSSO_ALG_UNKNOWN + 1; a < JWTSSO_ALG__COUNT; a++) {
        if ((k->algs & JWTSSO_ALGBIT(a)) && !k->by_alg[a]) {
            ke = jwtsso_sign_new_pem(pem, len, kid, (jwtsso_alg_t)a,
                                     &k->by_alg[a]);
            if (ke != JWTSSO_KEY_OK) {
                break;
            }
        }
    }
    return ke;
}

const char *jwtsso_issuerconf_set_key(cmd_parms *cmd, void *dv,
                                      const char *a1, const char *a2)
{
    jwtsso_dir_cfg *c = dv;
    const char *kid = a2 ? a1 : NULL, *path = a2 ? a2 : a1;
    const char *err = one_key(cmd, c);
    jwtsso_issuer_key_t *k;
    jwtsso_signer_t *s = NULL;
    jwtsso_keyerr_t ke;
    apr_size_t len = 0;
    char *text = NULL;

    if (!err && kid && !*kid) {
        err = apr_psprintf(cmd->pool, "%s: the kid is empty; write "
                           "%s [KID] PATH", cmd->cmd->name, cmd->cmd->name);
    }
    if (err || (err = jwtsso_keyconf_read(cmd, path, &text, &len))) {
        return err;
    }
    k = new_key(cmd);
    ke = jwtsso_sign_new_pem(text, len, kid, JWTSSO_ALG_UNKNOWN, &s);
    if (ke == JWTSSO_KEY_OK) {
        k->first = jwtsso_sign_alg(s);
        k->algs = jwtsso_sign_algs(s);
        k->by_alg[k->first] = s;
        ke = other_algs(k, text, len, kid);
    }
    OPENSSL_cleanse(text, len);
    if (ke != JWTSSO_KEY_OK) {
        return apr_psprintf(cmd->pool, "%s: %s%s%s: %s. Give the issuer's "
                            "PRIVATE key in PEM, not encrypted (RSA of 2048 "
                            "bits or more, EC P-256/384/521 or Ed25519), "
                            "e.g. from 'openssl genpkey -algorithm ED25519 "
                            "-out issuer.key'", cmd->cmd->name,
                            kid ? kid : "", kid ? " " : "", path,
                            jwtsso_reason_keyerr(ke));
    }
    c->issuer_key = k;
    jwtsso_config_mark(cmd, c, JWTSSO_SET_ISSUER_KEY);
    return alg_fits(cmd, c, k);
}

const char *jwtsso_issuerconf_set_alg(cmd_parms *cmd, void *dv,
                                      const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    jwtsso_alg_t a = jwtsso_alg_from_name_nocase(arg, strlen(arg));

    if (a == JWTSSO_ALG_UNKNOWN) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not an algorithm this "
                            "module signs with; use one of %s", cmd->cmd->name, arg,
                            jwtsso_config_alg_list(cmd->temp_pool, ~0u));
    }
    c->issuer_alg = a;
    jwtsso_config_mark(cmd, c, JWTSSO_SET_ISSUER_ALG);
    return (c->set_bits & JWTSSO_SET_ISSUER_KEY)
           ? alg_fits(cmd, c, c->issuer_key) : NULL;
}

/* A path a browser would read as another one: a "." or ".." segment
 * (also percent-encoded, as WHATWG URL parsers decode them), or an
 * encoded '/' or '\' that a server may decode into a separator. */
int jwtsso_issuerconf_odd_path(const char *path)
{
    const char *seg = path, *end;

    if (ap_strcasestr(path, "%2f") || ap_strcasestr(path, "%5c")) {
        return 1;
    }
    while (seg && *seg) {
        size_t n;

        seg += (*seg == '/');
        end = strchr(seg, '/');
        n = end ? (size_t)(end - seg) : strlen(seg);
        if ((n == 1 && seg[0] == '.') || (n == 2 && !strncmp(seg, "..", 2))
            || (n == 3 && !strncasecmp(seg, "%2e", 3))
            || (n == 4 && (!strncasecmp(seg, ".%2e", 4)
                           || !strncasecmp(seg, "%2e.", 4)))
            || (n == 6 && !strncasecmp(seg, "%2e%2e", 6))) {
            return 1;
        }
        seg = end;
    }
    return 0;
}

const char *jwtsso_issuerconf_set_return(cmd_parms *cmd, void *dv,
                                         const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    jwtsso_issuer_prefix_t *pre;
    const char *origin;
    apr_uri_t u;

    origin = jwtsso_url_absolute(cmd->pool, arg, &u);
    if (!origin || u.query || u.fragment
        || (u.path && (u.path[0] != '/'
                       || jwtsso_issuerconf_odd_path(u.path)))) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not an absolute http(s) "
                            "URL prefix (scheme://host[:port][/path], no "
                            "user, query, fragment or dot segment); write "
                            "e.g. https://app.example.com/ for a whole site "
                            "or https://app.example.com/wiki/ for a part",
                            cmd->cmd->name, arg);
    }
    if (!(c->set_bits & JWTSSO_SET_ISSUER_RETURN)) {
        /* this section's list replaces the parent's */
        c->issuer_return = apr_array_make(cmd->pool, 4, sizeof(*pre));
    }
    pre = apr_array_push(c->issuer_return);
    pre->origin = origin;
    pre->path = u.path && *u.path ? u.path : "/";
    jwtsso_config_mark(cmd, c, JWTSSO_SET_ISSUER_RETURN);
    return NULL;
}

const jwtsso_signer_t *jwtsso_issuerconf_signer(const jwtsso_dir_cfg *cfg)
{
    const jwtsso_issuer_key_t *k = cfg->issuer_key;

    if (!k) {
        return NULL;
    }
    return k->by_alg[cfg->issuer_alg ? cfg->issuer_alg : (int)k->first];
}

/* ------------------------------------------------------------------ */
/* Start-up (check_config).                                             */

/* Which of our issuer handlers the merged section runs, or NULL. */
static const char *section_handler(apr_pool_t *p, ap_conf_vector_t *merged)
{
    const char *h = jwtsso_startup_handler(p, merged);

    return h && (!strcasecmp(h, JWTSSO_HANDLER_ISSUER)
                 || !strcasecmp(h, JWTSSO_HANDLER_JWKS)) ? h : NULL;
}

/* What an issuer section lacks, with the fix; NULL when nothing. */
static const char *issuer_problem(apr_pool_t *p, const jwtsso_dir_cfg *c,
                                  int *tag)
{
    const jwtsso_issuer_key_t *k = c->issuer_key;

    *tag = 980;
    if (!k) {
        return "has no key to sign with; add e.g. '" JWTSSO_D_ISSUER_KEY
               " /etc/apache2/jwtsso-issuer.key' (a PEM private key: RSA, "
               "EC or Ed25519) or '" JWTSSO_D_ISSUER_SECRET " file:/etc/"
               "apache2/jwtsso.secret' (the secret the sites verify with)";
    }
    *tag = 981;
    if (c->issuer_alg && !(k->algs & JWTSSO_ALGBIT(c->issuer_alg))) {
        return apr_psprintf(p, "its " JWTSSO_D_ISSUER_ALG " %s is not one "
                            "its key (%s) signs with; that key serves %s: "
                            "pick one of those",
                            jwtsso_alg_name((jwtsso_alg_t)c->issuer_alg),
                            k->where, jwtsso_config_alg_list(p, k->algs));
    }
    return NULL;
}

int jwtsso_issuerconf_check(apr_pool_t *ptemp, server_rec *s,
                            const char *kind, const char *path,
                            ap_conf_vector_t *merged)
{
    const char *h = section_handler(ptemp, merged), *problem;
    const jwtsso_dir_cfg *c;
    int tag;

    if (!h) {
        return 0;
    }
    c = ap_get_module_config(merged, &auth_jwtsso_module);
    problem = issuer_problem(ptemp, c, &tag);
    if (problem) {
        /* two call sites, so that each message keeps a tag of its own */
        if (tag == 980) {
            ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, s,
                         JWTSSO_LOGNO(00980) "<%s %s> (server %s) uses "
                         "SetHandler %s but %s", kind, path ? path : "?",
                         s->server_hostname ? s->server_hostname
                         : "default", h, problem);
        }
        else {
            ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, s,
                         JWTSSO_LOGNO(00981) "<%s %s> (server %s) uses "
                         "SetHandler %s but %s", kind, path ? path : "?",
                         s->server_hostname ? s->server_hostname
                         : "default", h, problem);
        }
        return 1;
    }
    if (!strcmp(h, JWTSSO_HANDLER_JWKS) && c->issuer_key->hmac) {
        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, 0, s,
                     JWTSSO_LOGNO(00982) "<%s %s> (server %s) uses "
                     "SetHandler " JWTSSO_HANDLER_JWKS " with a shared "
                     "secret (%s), which has no public key to publish: it "
                     "answers 404. Sites verify such tokens with the same "
                     JWTSSO_D_SECRET, kind, path ? path : "?",
                     s->server_hostname ? s->server_hostname : "default",
                     c->issuer_key->where);
    }
    return 0;
}
