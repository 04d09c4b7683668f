/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * keyconf.c - the key directives of mod_auth_jwtsso: JWTSSOSecret and
 * JWTSSOSessionKey (literal, file:PATH, env:NAME or base64:DATA: read by
 * the core's secret.c, as jwtsso-token reads them),
 * JWTSSOVerifyKey (PEM) and JWTSSOVerifyJWKS (a local JWK Set), and this
 * installation's session key file.
 *
 * Keys become ready objects here, once, on the config pool, with a cleanup
 * there; nothing is read or parsed per request. Secret bytes live in
 * cmd->temp_pool and are cleansed as soon as the key object holds them.
 * No message holds a secret or a key file's text. The checks across
 * directives (a section with no key) are startup.c's.
 */
#include "glue.h"

#include "apr_strings.h"
#include "apr_file_io.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define SECRET_MIN      JWTSSO_SECRET_MIN   /* jwtsso.h: why 32 */
#define KEY_FILE_MAX    (1024 * 1024)

/* The session record key: JWTSSOSessionKey, else the one derived from the
 * section's first JWTSSOSecret. */
const jwtsso_mackey_t *jwtsso_keyconf_record_key(const jwtsso_dir_cfg *cfg)
{
    if (cfg->session_key) {
        return cfg->session_key;
    }
    return cfg->keys ? cfg->keys->record_key : NULL;
}

/* A file's whole text into cmd->temp_pool, NUL-terminated; at most max
 * bytes, else an error saying what the file should hold (fix). */
static const char *read_file(cmd_parms *cmd, const char *path, apr_off_t max,
                             const char *max_text, const char *fix,
                             char **text, apr_size_t *len)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    char err[120];

    *len = 0;
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
        if (rv == APR_SUCCESS && fi.size > max) {
            apr_file_close(f);
            return apr_psprintf(cmd->pool, "%s: %s is larger than %s; %s",
                                cmd->cmd->name, path, max_text, fix);
        }
        if (rv == APR_SUCCESS) {
            *text = apr_palloc(cmd->temp_pool, (apr_size_t)fi.size + 1);
            rv = apr_file_read_full(f, *text, (apr_size_t)fi.size, len);
            if (rv == APR_EOF) {
                rv = APR_SUCCESS;
            }
            (*text)[*len] = '\0';
        }
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: cannot read %s (%s); make the "
                            "file exist and readable by the user that starts "
                            "httpd", cmd->cmd->name, path,
                            apr_strerror(rv, err, sizeof(err)));
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Secrets: literal, file:PATH, env:NAME or base64:DATA.               */

/* The bytes of a secret value (literal, file:PATH, env:NAME or
 * base64:DATA: the core's jwtsso_secret_bytes, the same rules as
 * jwtsso-token's) copied into cmd->temp_pool; an error message or NULL.
 * A file:PATH is relative to ServerRoot. The caller cleanses *out when
 * done. */
static const char *secret_bytes(cmd_parms *cmd, const char *arg,
                                unsigned char **out, size_t *len)
{
    const char *name = cmd->cmd->name, *rest, *path = NULL;
    unsigned char *bytes = NULL;
    jwtsso_secret_err_t e;
    int sys = 0, form = jwtsso_secret_form(arg, &rest);
    char buf[120];

    if (form == 'f' && *rest) {
        path = ap_server_root_relative(cmd->temp_pool, rest);
    }
    if (form == 'f' && !path) {
        e = JWTSSO_SECRET_NO_PATH;
    }
    else {
        e = jwtsso_secret_bytes(arg, path, &bytes, len, &sys);
    }
    switch (e) {
    case JWTSSO_SECRET_OK:
        *out = apr_pmemdup(cmd->temp_pool, bytes, *len + 1);
        jwtsso_secret_free(bytes, *len);
        return NULL;
    case JWTSSO_SECRET_NO_PATH:
        return apr_psprintf(cmd->pool, "%s: '%s' names no file; write "
                            "file:/path/to/secret", name, arg);
    case JWTSSO_SECRET_UNREADABLE:
        return apr_psprintf(cmd->pool, "%s: cannot read %s (%s); make the "
                            "file exist and readable by the user that starts "
                            "httpd", name, path,
                            apr_strerror(APR_FROM_OS_ERROR(sys), buf,
                                         sizeof(buf)));
    case JWTSSO_SECRET_TOO_LARGE:
        return apr_psprintf(cmd->pool, "%s: %s is larger than "
                            APR_STRINGIFY(JWTSSO_SECRET_FILE_MAX) " bytes; "
                            "point it at a file holding only the secret",
                            name, path);
    case JWTSSO_SECRET_NO_ENV:
        return apr_psprintf(cmd->pool, "%s: the environment variable "
                            "'%s' is not set or empty; set it for httpd "
                            "(on Debian in /etc/apache2/envvars)",
                            name, rest);
    case JWTSSO_SECRET_NOT_BASE64:
        return apr_psprintf(cmd->pool, "%s: the value after base64: is "
                            "not base64; write base64:$(openssl rand "
                            "-base64 48)", name);
    case JWTSSO_SECRET_EMPTY:
        return apr_psprintf(cmd->pool, "%s: the secret is empty", name);
    case JWTSSO_SECRET_IS_PATH:
        return apr_psprintf(cmd->pool, "%s: '%s' " JWTSSO_SECRET_IS_PATH_FIX
                            "%s", name, arg, arg);
    default:
        return apr_psprintf(cmd->pool, "%s: out of memory reading the "
                            "secret", name);
    }
}

/* A secret under SECRET_MIN bytes is noted, not refused: whether
 * JWTSSOAllowShortSecret On is in force is known only once the whole
 * section (and those around it) is read, so startup.c decides, and the
 * two lines may come in either order. The section's first short one is
 * enough to name. */
static void note_short(cmd_parms *cmd, jwtsso_dir_cfg *c, size_t len)
{
    jwtsso_short_secret_t *n;

    if (len >= SECRET_MIN || c->short_secret) {
        return;
    }
    n = apr_pcalloc(cmd->pool, sizeof(*n));
    n->directive = cmd->cmd->name;
    n->len = len;
    n->where = jwtsso_config_where(cmd);
    c->short_secret = n;
}

static apr_status_t keys_cleanup(void *data)
{
    jwtsso_keys_t *k = data;

    jwtsso_keyset_free(k->keys);
    jwtsso_record_key_free(k->record_key);
    return APR_SUCCESS;
}

static apr_status_t mackey_cleanup(void *data)
{
    jwtsso_record_key_free(data);
    return APR_SUCCESS;
}

/* The key set of this very section, made on its first key directive (a
 * child's key directives never add to its parent's set). */
static jwtsso_keys_t *section_keys(cmd_parms *cmd, jwtsso_dir_cfg *c)
{
    jwtsso_keys_t *k;

    if (c->set_bits & JWTSSO_SET_KEYS) {
        return c->keys;
    }
    k = apr_pcalloc(cmd->pool, sizeof(*k));
    k->keys = jwtsso_keyset_new();
    k->where = jwtsso_config_where(cmd);
    if (!k->keys) {
        return NULL;
    }
    apr_pool_cleanup_register(cmd->pool, k, keys_cleanup,
                              apr_pool_cleanup_null);
    c->keys = k;
    jwtsso_config_mark(cmd, c, JWTSSO_SET_KEYS);
    return k;
}

/* Chain one key directive's material into the set's identity (policy.c):
 * id = SHA-256(id, directive, kid, SHA-256(material)). The material is
 * hashed, never kept. */
static int keys_chain(cmd_parms *cmd, jwtsso_keys_t *k, const char *kid,
                      const void *material, size_t len)
{
    unsigned char inner[32], buf[32 + 64 + 256 + 32];
    unsigned int n = 0;
    size_t dl = strlen(cmd->cmd->name) + 1;
    size_t kl = kid ? strlen(kid) + 1 : 0, at = 0;
    int ok;

    if (dl > 64 || kl > 256
        || !EVP_Digest(material, len, inner, &n, EVP_sha256(), NULL)) {
        return -1;
    }
    memcpy(buf, k->id, 32);
    at = 32;
    memcpy(buf + at, cmd->cmd->name, dl);
    at += dl;
    if (kid) {
        memcpy(buf + at, kid, kl);
        at += kl;
    }
    buf[at++] = kid ? 1 : 0;
    memcpy(buf + at, inner, 32);
    at += 32;
    ok = EVP_Digest(buf, at, k->id, &n, EVP_sha256(), NULL);
    OPENSSL_cleanse(inner, sizeof(inner));
    return ok ? 0 : -1;
}

/* This installation's session key file (ServerRoot/jwtsso-session.key):
 * 32 random bytes, made at the first start that needs them, so that a
 * session record key derived from JWTSSOSecret is not derivable by whoever
 * else holds the secret (the IdP, other sites). Read into out. */
#define INSTALL_KEY_FILE "jwtsso-session.key"
#define INSTALL_KEY_LEN  32

static const char *install_key(cmd_parms *cmd, unsigned char *out)
{
    const char *path = ap_server_root_relative(cmd->temp_pool,
                                               INSTALL_KEY_FILE);
    unsigned char fresh[INSTALL_KEY_LEN];
    apr_size_t got = 0;
    apr_status_t rv;
    apr_file_t *f;
    char err[120];
    int tries;

    for (tries = 0; tries < 2; tries++) {
        rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool);
        if (rv == APR_SUCCESS) {
            rv = apr_file_read_full(f, out, INSTALL_KEY_LEN, &got);
            apr_file_close(f);
            if (rv == APR_SUCCESS && got == INSTALL_KEY_LEN) {
                return NULL;
            }
            return apr_psprintf(cmd->pool, "%s: the session key file %s is "
                                "shorter than %d bytes; remove it (a new one "
                                "is made at the next start) or write one "
                                "with 'openssl rand -out %s %d'",
                                cmd->cmd->name, path, INSTALL_KEY_LEN, path,
                                INSTALL_KEY_LEN);
        }
        if (!APR_STATUS_IS_ENOENT(rv)) {
            break;
        }
        /* the first start: make it, readable by this user only; EXCL, so
         * of two processes making it at once one wins and both read it */
        if (apr_generate_random_bytes(fresh, sizeof(fresh)) != APR_SUCCESS) {
            return apr_psprintf(cmd->pool, "%s: no randomness to make the "
                                "session key file %s", cmd->cmd->name, path);
        }
        rv = apr_file_open(&f, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE
                           | APR_FOPEN_EXCL | APR_FOPEN_BINARY,
                           APR_FPROT_UREAD | APR_FPROT_UWRITE,
                           cmd->temp_pool);
        if (rv == APR_SUCCESS) {
            rv = apr_file_write_full(f, fresh, sizeof(fresh), NULL);
            apr_file_close(f);
            OPENSSL_cleanse(fresh, sizeof(fresh));
            if (rv != APR_SUCCESS) {
                apr_file_remove(path, cmd->temp_pool);
                break;
            }
            ap_log_error(APLOG_MARK, APLOG_NOTICE | APLOG_STARTUP, 0, NULL,
                         JWTSSO_LOGNO(00106) "made this installation's "
                         "session key file %s; servers that share session "
                         "cookies need the same file (copy it) or "
                         JWTSSO_D_SESSION_KEY, path);
        }
        else if (!APR_STATUS_IS_EEXIST(rv)) {
            OPENSSL_cleanse(fresh, sizeof(fresh));
            break;
        }
    }
    return apr_psprintf(cmd->pool, "%s: cannot read or make the session "
                        "key file %s (%s); make it readable by the user that "
                        "starts httpd (e.g. 'openssl rand -out %s %d; chmod "
                        "600 %s'), or set " JWTSSO_D_SESSION_KEY,
                        cmd->cmd->name, path, apr_strerror(rv, err,
                        sizeof(err)), path, INSTALL_KEY_LEN, path);
}

/* ------------------------------------------------------------------ */
/* The setters.                                                         */

const char *jwtsso_keyconf_set_secret(cmd_parms *cmd, void *dv,
                                      const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    jwtsso_keys_t *k;
    unsigned char *bytes = NULL;
    size_t len = 0;
    const char *err = secret_bytes(cmd, arg, &bytes, &len);
    int rv;

    if (err) {
        return err;
    }
    note_short(cmd, c, len);
    k = section_keys(cmd, c);
    if (k && !k->record_key) {
        /* the first secret of a section also keys its session records,
         * with this installation's own key, which the IdP does not have */
        unsigned char *m = apr_palloc(cmd->temp_pool, INSTALL_KEY_LEN + len);

        err = install_key(cmd, m);
        if (err) {
            OPENSSL_cleanse(bytes, len);
            return err;
        }
        memcpy(m + INSTALL_KEY_LEN, bytes, len);
        k->record_key = jwtsso_record_key_new(m, INSTALL_KEY_LEN + len);
        OPENSSL_cleanse(m, INSTALL_KEY_LEN + len);
    }
    rv = k && k->record_key
         ? jwtsso_keyset_add_hmac(k->keys, NULL, bytes, len) : -1;
    if (rv == 0) {
        rv = keys_chain(cmd, k, NULL, bytes, len);
    }
    OPENSSL_cleanse(bytes, len);
    if (rv != 0) {
        return apr_psprintf(cmd->pool, "%s: out of memory", cmd->cmd->name);
    }
    return NULL;
}

const char *jwtsso_keyconf_set_session_key(cmd_parms *cmd, void *dv,
                                           const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    unsigned char *bytes = NULL;
    size_t len = 0;
    const char *err = secret_bytes(cmd, arg, &bytes, &len);

    if (!err) {
        note_short(cmd, c, len);
        c->session_key = jwtsso_record_key_new(bytes, len);
        if (!c->session_key) {
            err = "out of memory";
        }
        else {
            apr_pool_cleanup_register(cmd->pool, c->session_key,
                                      mackey_cleanup, apr_pool_cleanup_null);
            jwtsso_config_mark(cmd, c, JWTSSO_SET_SESSION_KEY);
        }
    }
    if (bytes) {
        OPENSSL_cleanse(bytes, len);
    }
    return err;
}

/* A key file's text (PEM or JWKS), read once at start-up into
 * cmd->temp_pool; the caller cleanses it. */
static const char *read_key_file(cmd_parms *cmd, const char *arg,
                                 char **text, apr_size_t *len)
{
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);

    if (!path) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid path",
                            cmd->cmd->name, arg);
    }
    return read_file(cmd, path, KEY_FILE_MAX, "1 MiB",
                     "point it at a PEM key or a JWKS file", text, len);
}

const char *jwtsso_keyconf_set_verify_key(cmd_parms *cmd, void *dv,
                                          const char *a1, const char *a2)
{
    jwtsso_dir_cfg *c = dv;
    const char *kid = a2 ? a1 : NULL, *path = a2 ? a2 : a1, *err;
    jwtsso_keys_t *k;
    jwtsso_keyerr_t ke;
    apr_size_t len = 0;
    char *text = NULL;
    int was_private = 0;

    if ((err = read_key_file(cmd, path, &text, &len))) {
        return err;
    }
    k = section_keys(cmd, c);
    ke = k ? jwtsso_pkey_add(k->keys, kid, text, len, &was_private)
           : JWTSSO_KEY_INTERNAL;
    if (ke == JWTSSO_KEY_OK && keys_chain(cmd, k, kid, text, len) != 0) {
        ke = JWTSSO_KEY_INTERNAL;
    }
    OPENSSL_cleanse(text, len);
    if (ke == JWTSSO_KEY_DUPLICATE_KID) {
        return apr_psprintf(cmd->pool, "%s: %s %s: this section already has "
                            "a key with kid '%s'; give each key its own kid",
                            cmd->cmd->name, kid, path, kid);
    }
    if (ke != JWTSSO_KEY_OK) {
        return apr_psprintf(cmd->pool, "%s: %s%s%s: %s. Give the IdP's "
                            "public key or certificate in PEM, e.g. from "
                            "'openssl pkey -in KEY -pubout'",
                            cmd->cmd->name, kid ? kid : "", kid ? " " : "",
                            path, jwtsso_reason_keyerr(ke));
    }
    if (was_private) {
        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, 0, NULL,
                     JWTSSO_LOGNO(00104) "%s %s (%s) holds a PRIVATE key: "
                     "only its public half is used; give the site the public "
                     "key alone ('openssl pkey -in KEY -pubout') and keep "
                     "the private key with the IdP", cmd->cmd->name, path,
                     jwtsso_config_where(cmd));
    }
    return NULL;
}

/* The message for a JWK Set the core refused; e says where (the key's
 * index, the member, or the JSON line and column). */
static const char *jwks_error(cmd_parms *cmd, const char *arg,
                              jwtsso_keyerr_t ke, const jwtsso_jwks_err_t *e)
{
    const char *found = e->where[0] ? apr_psprintf(cmd->pool, ". Found: %s",
                                                   e->where) : "";

    if (ke == JWTSSO_KEY_DUPLICATE_KID) {
        return apr_psprintf(cmd->pool, "%s: %s, key #%lu (counting from 0): "
                            "its kid is already used by another key of this "
                            "section (in this file or a " JWTSSO_D_VERIFY_KEY
                            " line); give each key its own kid%s",
                            cmd->cmd->name, arg, (unsigned long)e->index,
                            found);
    }
    return apr_psprintf(cmd->pool, "%s: %s%s: %s; fix the JWKS file "
                        "(RFC 7517: {\"keys\": [...]}, public members "
                        "only)%s%s", cmd->cmd->name, arg,
                        e->index == (size_t)-1 ? "" : apr_psprintf(cmd->pool,
                        ", key #%lu (counting from 0)",
                        (unsigned long)e->index), jwtsso_reason_keyerr(ke),
                        ke == JWTSSO_KEY_BAD_JWK ? "; for an oct key "
                        "under 32 bytes put '" JWTSSO_D_ALLOW_SHORT " On' "
                        "before this line" : "", found);
}

/* JWTSSOVerifyJWKS's value: a URL becomes the section's remote source
 * (*path NULL); "file:PATH" and a PATH that exists give *path. Anything
 * else, e.g. "https:/idp" or a missing file named like a URL, is refused
 * here rather than read as a file name. */
static const char *jwks_source(cmd_parms *cmd, jwtsso_dir_cfg *c,
                               const char *arg, const char **path)
{
    struct jwtsso_jwksurl *src = NULL;
    jwtsso_keys_t *k;
    apr_finfo_t fi;
    apr_status_t rv;
    const char *err, *full;
    char buf[120];
    int is_url = 0;

    *path = NULL;
    err = jwtsso_jwksurl_parse(cmd, arg, &src, &is_url);
    if (err) {
        return err;
    }
    if (is_url) {
        if ((c->set_bits & JWTSSO_SET_KEYS) && c->keys->remote) {
            return apr_psprintf(cmd->pool, "%s: this section already "
                                "fetches its keys from a URL; one "
                                JWTSSO_D_VERIFY_JWKS " URL per section",
                                cmd->cmd->name);
        }
        k = section_keys(cmd, c);
        if (!k || keys_chain(cmd, k, NULL, arg, strlen(arg)) != 0) {
            return apr_psprintf(cmd->pool, "%s: out of memory",
                                cmd->cmd->name);
        }
        k->remote = src;    /* the identity is the URL, not its content:
                             * sessions outlive a key rotation */
        return NULL;
    }
    if (!strncmp(arg, "file:", 5)) {
        *path = arg + 5;
        return NULL;
    }
    full = ap_server_root_relative(cmd->temp_pool, arg);
    rv = full ? apr_stat(&fi, full, APR_FINFO_TYPE, cmd->temp_pool)
              : APR_EBADPATH;
    if (rv != APR_SUCCESS) {
        /* neither a URL nor a file: say both ways out */
        return apr_psprintf(cmd->pool, "%s: cannot read %s (%s); make the "
                            "file exist and readable by the user that "
                            "starts httpd, or write the IdP's JWKS URL "
                            "(e.g. https://idp.example.com/.well-known/"
                            "jwks.json)", cmd->cmd->name, full ? full : arg,
                            apr_strerror(rv, buf, sizeof(buf)));
    }
    *path = arg;
    return NULL;
}

/* JWTSSOJWKSCAFile: read by the parent at start-up (post_config keeps
 * its text for the children, which may not be able to read the file). */
const char *jwtsso_keyconf_set_jwks_cafile(cmd_parms *cmd, void *dv,
                                           const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    const char *path = ap_server_root_relative(cmd->pool, arg);
    apr_size_t len = 0;
    char *text = NULL;
    const char *err;

    if (!path) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid path",
                            cmd->cmd->name, arg);
    }
    err = read_file(cmd, path, KEY_FILE_MAX, "1 MiB", "point it at the PEM "
                    "certificate(s) of the CA that signs the JWKS server's "
                    "certificate", &text, &len);
    if (err) {
        return err;
    }
    if (!strstr(text, "-----BEGIN CERTIFICATE-----")) {
        return apr_psprintf(cmd->pool, "%s: %s holds no PEM certificate "
                            "(-----BEGIN CERTIFICATE-----); point it at the "
                            "CA certificate(s) in PEM", cmd->cmd->name,
                            path);
    }
    c->jwks_cafile = path;
    jwtsso_config_mark(cmd, c, JWTSSO_SET_JWKS_CAFILE);
    return NULL;
}

const char *jwtsso_keyconf_set_verify_jwks(cmd_parms *cmd, void *dv,
                                           const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    jwtsso_keys_t *k;
    jwtsso_keyerr_t ke;
    apr_size_t len = 0;
    size_t added = 0;
    jwtsso_jwks_err_t bad;
    char *text = NULL;
    const char *err;

    if ((err = jwks_source(cmd, c, arg, &arg))) {
        return err;
    }
    if (!arg) {
        return NULL;            /* a URL: fetched in post_config */
    }
    if ((err = read_key_file(cmd, arg, &text, &len))) {
        return err;
    }
    k = section_keys(cmd, c);
    bad.index = (size_t)-1;
    bad.where[0] = '\0';
    ke = k ? jwtsso_jwks_add_ex(k->keys, text, len,
                                (c->set_bits & JWTSSO_SET_ALLOW_SHORT)
                                && c->allow_short, &added, &bad)
           : JWTSSO_KEY_INTERNAL;
    if (ke == JWTSSO_KEY_OK && keys_chain(cmd, k, NULL, text, len) != 0) {
        ke = JWTSSO_KEY_INTERNAL;
    }
    OPENSSL_cleanse(text, len);
    if (ke != JWTSSO_KEY_OK) {
        return jwks_error(cmd, arg, ke, &bad);
    }
    if (added == 0) {
        return apr_psprintf(cmd->pool, "%s: %s holds no signing key (keys "
                            "with \"use\" other than \"sig\" and unknown "
                            "kty are skipped)", cmd->cmd->name, arg);
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* For the issuer's key directives (issuerconf.c): the same forms and   */
/* checks as the verification side's.                                  */

const char *jwtsso_keyconf_secret(cmd_parms *cmd, jwtsso_dir_cfg *c,
                                  const char *arg, unsigned char **out,
                                  size_t *len)
{
    const char *err = secret_bytes(cmd, arg, out, len);

    if (!err) {
        note_short(cmd, c, *len);
    }
    return err;
}

const char *jwtsso_keyconf_read(cmd_parms *cmd, const char *path,
                                char **text, apr_size_t *len)
{
    return read_key_file(cmd, path, text, len);
}
