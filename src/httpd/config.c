/*
 * config.c - per-directory configuration of mod_auth_jwtsso: creation,
 * merging, one setter per directive, and the start-up check that walks
 * every <Location>/<Directory> section under AuthType jwtsso.
 *
 * Keys become ready objects here, once, on the config pool; nothing is read
 * or parsed per request. Messages name the directive, the value (never a
 * secret) and the fix; httpd adds the file and line.
 */
#include "glue.h"

#include "http_core.h"
#include "http_request.h"
#include "mod_auth.h"
#include "apr_strings.h"
#include "apr_base64.h"
#include "apr_lib.h"
#include "apr_file_io.h"
#include "apr_uri.h"
#include "apr_env.h"
#include "apr_optional.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#define SECRET_MIN     32      /* bytes: as long as SHA-256's output */
#define SECRET_FILE_MAX 65536

void *jwtsso_cfg_create_dir(apr_pool_t *p, char *dir)
{
    jwtsso_dir_cfg *c = apr_pcalloc(p, sizeof(*c));

    (void)dir;
    c->max_age = 60;
    c->skew = 5;
    c->user_claim = "sub";
    c->token_param = "jwt";
    c->return_param = "return_to";
    c->public_mount = "";
    c->state = 1;
    c->unauth = JWTSSO_UNAUTH_AUTO;
    c->session_max_age = 28800;
    c->max_token_size = 8192;
    c->max_kidless = JWTSSO_MAX_KIDLESS;
    c->pass_claims = JWTSSO_PASS_ENV;
    c->bearer_cache = 1;
    c->strip_headers = 1;
    return c;
}

#define MERGE(f) do { \
        n->f = a->f##_set ? a->f : b->f; \
        n->f##_set = a->f##_set || b->f##_set; \
    } while (0)

void *jwtsso_cfg_merge_dir(apr_pool_t *p, void *basev, void *addv)
{
    const jwtsso_dir_cfg *b = basev, *a = addv;
    jwtsso_dir_cfg *n;

    /* Most sections httpd merges per request (<Directory />, a Location
     * for another module) set none of our directives. An unset field
     * always holds create_dir's default (by induction over merges), so
     * merging with such a section gives the other one, unchanged: share
     * it (configs are never written after start-up). */
    if (a->set_bits == 0) {
        return basev;
    }
    if (b->set_bits == 0) {
        return addv;
    }
    n = apr_pcalloc(p, sizeof(*n));

    MERGE(endpoint);
    MERGE(keys);
    MERGE(algs);
    MERGE(issuer);
    MERGE(audience);
    MERGE(bearer_audience);
    MERGE(strip_headers);
    MERGE(session_key);
    MERGE(allow_short);
    MERGE(max_age);
    MERGE(skew);
    MERGE(user_claim);
    MERGE(token_param);
    MERGE(return_param);
    MERGE(trust_forwarded);
    MERGE(state);
    MERGE(unauth);
    MERGE(session_max_age);
    MERGE(max_token_size);
    MERGE(max_kidless);
    MERGE(accept_bearer);
    MERGE(bearer_cache);
    MERGE(pass_claims);
    MERGE(logout_redirect);
    /* JWTSSOPublicURL sets three fields together */
    if (a->public_url_set) {
        n->public_origin = a->public_origin;
        n->public_mount = a->public_mount;
        n->public_https = a->public_https;
    }
    else {
        n->public_origin = b->public_origin;
        n->public_mount = b->public_mount;
        n->public_https = b->public_https;
    }
    n->public_url_set = a->public_url_set || b->public_url_set;
    n->where = a->where ? a->where : b->where;
    return n;
}

const jwtsso_mackey_t *jwtsso_cfg_record_key(const jwtsso_dir_cfg *cfg)
{
    if (cfg->session_key) {
        return cfg->session_key;
    }
    return cfg->keys ? cfg->keys->record_key : NULL;
}

static const char *where(cmd_parms *cmd)
{
    if (!cmd->directive) {
        return "(command line)";
    }
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}

static void note_where(cmd_parms *cmd, jwtsso_dir_cfg *c)
{
    if (!c->where) {
        c->where = where(cmd);
    }
}

static const char *parse_int(cmd_parms *cmd, const char *arg, long long min,
                             long long max, long long *out)
{
    char *end = NULL;
    apr_int64_t v;

    errno = 0;
    v = apr_strtoi64(arg, &end, 10);
    if (errno || end == arg || *end != '\0' || v < min || v > max) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a whole number of "
                            "seconds from %" APR_INT64_T_FMT " to %"
                            APR_INT64_T_FMT, cmd->cmd->name, arg,
                            (apr_int64_t)min, (apr_int64_t)max);
    }
    *out = v;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Secrets: literal, file:PATH, env:NAME or base64:DATA.               */

/* base64:DATA: standard or URL-safe base64 (RFC 4648 §4, §5), padding
 * optional. The URL-safe '-' and '_' are mapped to '+' and '/', the text
 * is checked (apr_base64_decode_binary stops at the first character
 * outside the alphabet instead of refusing it), then decoded by APR.
 * NULL when not base64; the caller cleanses the bytes. */
static unsigned char *b64decode(apr_pool_t *p, const char *in, size_t *len)
{
    char *t = apr_pstrdup(p, in), *s;
    size_t n, pad;
    unsigned char *out = NULL;

    for (s = t; *s; s++) {
        if (*s == '-') {
            *s = '+';
        }
        else if (*s == '_') {
            *s = '/';
        }
        else if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')
                   || (*s >= '0' && *s <= '9') || *s == '+' || *s == '/')) {
            break;
        }
    }
    n = (size_t)(s - t);
    pad = strlen(s);
    /* then nothing but the padding to a multiple of 4, if any */
    if (n > 0 && n % 4 != 1 && strspn(s, "=") == pad
        && (pad == 0 || (pad <= 2 && (n + pad) % 4 == 0))) {
        *s = '\0';
        out = apr_palloc(p, (apr_size_t)apr_base64_decode_len(t));
        *len = (size_t)apr_base64_decode_binary(out, t);
    }
    OPENSSL_cleanse(t, strlen(in));
    return out;
}

/* Resolve a secret value to bytes in cmd->temp_pool; an error message or
 * NULL. The caller cleanses *out when done. */
static const char *secret_bytes(cmd_parms *cmd, const char *arg,
                                unsigned char **out, size_t *len)
{
    const char *name = cmd->cmd->name;

    if (!strncmp(arg, "file:", 5)) {
        const char *path = ap_server_root_relative(cmd->temp_pool, arg + 5);
        apr_file_t *f;
        apr_finfo_t fi;
        apr_size_t got = 0;
        apr_status_t rv;
        char *buf;

        if (!path || !arg[5]) {
            return apr_psprintf(cmd->pool, "%s: '%s' names no file; write "
                                "file:/path/to/secret", name, arg);
        }
        rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool);
        if (rv == APR_SUCCESS) {
            rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
            if (rv == APR_SUCCESS && fi.size > SECRET_FILE_MAX) {
                apr_file_close(f);
                return apr_psprintf(cmd->pool, "%s: %s is larger than %d "
                                    "bytes; point it at a file holding only "
                                    "the secret", name, path,
                                    SECRET_FILE_MAX);
            }
        }
        if (rv == APR_SUCCESS) {
            buf = apr_palloc(cmd->temp_pool, (apr_size_t)fi.size + 1);
            rv = apr_file_read_full(f, buf, (apr_size_t)fi.size, &got);
            apr_file_close(f);
            if (rv == APR_EOF) {
                rv = APR_SUCCESS;
            }
        }
        if (rv != APR_SUCCESS) {
            char err[120];
            return apr_psprintf(cmd->pool, "%s: cannot read %s (%s); make "
                                "the file exist and readable by the user "
                                "that starts httpd", name, path,
                                apr_strerror(rv, err, sizeof(err)));
        }
        /* a trailing newline from echo or openssl rand is not secret */
        while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == '\r')) {
            got--;
        }
        buf[got] = '\0';
        *out = (unsigned char *)buf;
        *len = got;
    }
    else if (!strncmp(arg, "env:", 4)) {
        char *val = NULL;

        if (apr_env_get(&val, arg + 4, cmd->temp_pool) != APR_SUCCESS
            || !val || !*val) {
            return apr_psprintf(cmd->pool, "%s: the environment variable "
                                "'%s' is not set or empty; set it for httpd "
                                "(on Debian in /etc/apache2/envvars)",
                                name, arg + 4);
        }
        *out = (unsigned char *)apr_pstrdup(cmd->temp_pool, val);
        *len = strlen(val);
    }
    else if (!strncmp(arg, "base64:", 7)) {
        *out = b64decode(cmd->temp_pool, arg + 7, len);
        if (!*out) {
            return apr_psprintf(cmd->pool, "%s: the value after base64: is "
                                "not base64; write base64:$(openssl rand "
                                "-base64 48)", name);
        }
    }
    else {
        *out = (unsigned char *)apr_pstrdup(cmd->temp_pool, arg);
        *len = strlen(arg);
    }
    if (*len == 0) {
        return apr_psprintf(cmd->pool, "%s: the secret is empty", name);
    }
    return NULL;
}

static const char *short_secret(cmd_parms *cmd, const jwtsso_dir_cfg *c,
                                size_t len)
{
    if (len >= SECRET_MIN || (c->allow_short_set && c->allow_short)) {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "%s: the secret is %lu bytes; at least %d "
                        "are required (HS256 needs a key as long as its "
                        "hash). Use a longer one, e.g. from 'openssl rand "
                        "-base64 48', or put '" JWTSSO_D_ALLOW_SHORT " On' "
                        "before this line to accept it", cmd->cmd->name,
                        (unsigned long)len, SECRET_MIN);
}

static apr_status_t keys_cleanup(void *data)
{
    jwtsso_keys_t *k = data;

    jwtsso_keyset_free(k->keys);
    jwtsso_mackey_free(k->record_key);
    return APR_SUCCESS;
}

static apr_status_t mackey_cleanup(void *data)
{
    jwtsso_mackey_free(data);
    return APR_SUCCESS;
}

/* The key set of this very section, made on its first key directive (a
 * child's key directives never add to its parent's set). */
static jwtsso_keys_t *section_keys(cmd_parms *cmd, jwtsso_dir_cfg *c)
{
    jwtsso_keys_t *k;

    if (c->keys_set) {
        return c->keys;
    }
    k = apr_pcalloc(cmd->pool, sizeof(*k));
    k->keys = jwtsso_keyset_new();
    k->where = where(cmd);
    if (!k->keys) {
        return NULL;
    }
    apr_pool_cleanup_register(cmd->pool, k, keys_cleanup,
                              apr_pool_cleanup_null);
    c->keys = k;
    c->keys_set = 1;
    note_where(cmd, c);
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

static const char *set_secret(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    jwtsso_keys_t *k;
    unsigned char *bytes = NULL;
    size_t len = 0;
    const char *err = secret_bytes(cmd, arg, &bytes, &len);
    int rv;

    if (!err) {
        err = short_secret(cmd, c, len);
    }
    if (err) {
        if (bytes) {
            OPENSSL_cleanse(bytes, len);
        }
        return err;
    }
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
        k->record_key = jwtsso_mackey_new(m, INSTALL_KEY_LEN + len);
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

/* A key file's text, read once at start-up into cmd->temp_pool. */
static const char *read_key_file(cmd_parms *cmd, const char *arg,
                                 char **text, apr_size_t *len)
{
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    char err[120];

    if (!path) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid path",
                            cmd->cmd->name, arg);
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
        if (rv == APR_SUCCESS && fi.size > 1024 * 1024) {
            apr_file_close(f);
            return apr_psprintf(cmd->pool, "%s: %s is larger than 1 MiB; "
                                "point it at a PEM key or a JWKS file",
                                cmd->cmd->name, path);
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

static const char *set_verify_key(cmd_parms *cmd, void *dv, const char *a1,
                                  const char *a2)
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
    ke = k ? jwtsso_keyset_add_pem(k->keys, kid, text, len, &was_private)
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
                            path, jwtsso_keyerr_text(ke));
    }
    if (was_private) {
        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, 0, NULL,
                     JWTSSO_LOGNO(00104) "%s %s (%s) holds a PRIVATE key: "
                     "only its public half is used; give the site the public "
                     "key alone ('openssl pkey -in KEY -pubout') and keep "
                     "the private key with the IdP", cmd->cmd->name, path,
                     where(cmd));
    }
    return NULL;
}

static const char *set_verify_jwks(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    jwtsso_keys_t *k;
    jwtsso_keyerr_t ke;
    apr_size_t len = 0;
    size_t added = 0, bad = 0;
    char *text = NULL;
    const char *err;

    if ((err = read_key_file(cmd, arg, &text, &len))) {
        return err;
    }
    k = section_keys(cmd, c);
    ke = k ? jwtsso_keyset_add_jwks(k->keys, text, len,
                                    c->allow_short_set && c->allow_short,
                                    &added, &bad)
           : JWTSSO_KEY_INTERNAL;
    if (ke == JWTSSO_KEY_OK && keys_chain(cmd, k, NULL, text, len) != 0) {
        ke = JWTSSO_KEY_INTERNAL;
    }
    OPENSSL_cleanse(text, len);
    if (ke == JWTSSO_KEY_DUPLICATE_KID) {
        return apr_psprintf(cmd->pool, "%s: %s, key #%lu (counting from 0): "
                            "its kid is already used by another key of this "
                            "section (in this file or a " JWTSSO_D_VERIFY_KEY
                            " line); give each key its own kid",
                            cmd->cmd->name, arg, (unsigned long)bad);
    }
    if (ke != JWTSSO_KEY_OK) {
        return apr_psprintf(cmd->pool, "%s: %s%s: %s; fix the JWKS file "
                            "(RFC 7517: {\"keys\": [...]}, public members "
                            "only)%s", cmd->cmd->name, arg,
                            bad == (size_t)-1 ? "" : apr_psprintf(cmd->pool,
                            ", key #%lu (counting from 0)",
                            (unsigned long)bad), jwtsso_keyerr_text(ke),
                            ke == JWTSSO_KEY_BAD_JWK ? "; for an oct key "
                            "under 32 bytes put '" JWTSSO_D_ALLOW_SHORT " On' "
                            "before this line" : "");
    }
    if (added == 0) {
        return apr_psprintf(cmd->pool, "%s: %s holds no signing key (keys "
                            "with \"use\" other than \"sig\" and unknown "
                            "kty are skipped)", cmd->cmd->name, arg);
    }
    return NULL;
}

static const char *set_algorithms(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    jwtsso_alg_t a = jwtsso_alg_from_name(arg, strlen(arg));

    if (a == JWTSSO_ALG_UNKNOWN) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not an algorithm this "
                            "module verifies%s; use HS256 HS384 HS512 RS256 "
                            "RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 "
                            "EdDSA (names are case-sensitive)", cmd->cmd->name,
                            arg, strcasecmp(arg, "none") ? ""
                            : " (unsigned tokens are never accepted)");
    }
    if (!c->algs_set) {
        c->algs = 0;    /* this section's list replaces the parent's */
    }
    c->algs |= JWTSSO_ALGBIT(a);
    c->algs_set = 1;
    note_where(cmd, c);
    return NULL;
}

static const char *set_claim_value(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;

    if (!*arg) {
        return apr_psprintf(cmd->pool, "%s: the value is empty",
                            cmd->cmd->name);
    }
    if (!strcasecmp(cmd->cmd->name, JWTSSO_D_ISSUER)) {
        c->issuer = arg;
        c->issuer_set = 1;
    }
    else {
        c->audience = arg;
        c->audience_set = 1;
    }
    note_where(cmd, c);
    return NULL;
}

static const char *set_bearer_audience(cmd_parms *cmd, void *dv,
                                       const char *arg)
{
    jwtsso_dir_cfg *c = dv;

    if (!*arg) {
        return apr_psprintf(cmd->pool, "%s: the value is empty",
                            cmd->cmd->name);
    }
    c->bearer_audience = arg;
    c->bearer_audience_set = 1;
    note_where(cmd, c);
    return NULL;
}

static const char *set_strip_headers(cmd_parms *cmd, void *dv, int on)
{
    jwtsso_dir_cfg *c = dv;

    c->strip_headers = on;
    c->strip_headers_set = 1;
    note_where(cmd, c);
    return NULL;
}

/* JWTSSOMaxKeysWithoutKid: the keys of its kind a token without kid is
 * checked against (src/core/jws.c): each is a signature check a forged
 * token costs. */
static const char *set_max_kidless(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    long long n;

    if (parse_int(cmd, arg, 1, 64, &n)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of keys "
                            "from 1 to 64", cmd->cmd->name, arg);
    }
    c->max_kidless = (unsigned)n;
    c->max_kidless_set = 1;
    note_where(cmd, c);
    return NULL;
}

static const char *set_session_key(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    unsigned char *bytes = NULL;
    size_t len = 0;
    const char *err = secret_bytes(cmd, arg, &bytes, &len);

    if (!err) {
        err = short_secret(cmd, c, len);
    }
    if (!err) {
        c->session_key = jwtsso_mackey_new(bytes, len);
        if (!c->session_key) {
            err = "out of memory";
        }
        else {
            apr_pool_cleanup_register(cmd->pool, c->session_key,
                                      mackey_cleanup, apr_pool_cleanup_null);
            c->session_key_set = 1;
            note_where(cmd, c);
        }
    }
    if (bytes) {
        OPENSSL_cleanse(bytes, len);
    }
    return err;
}

/* ------------------------------------------------------------------ */

static const char *set_endpoint(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    apr_uri_t u;

    if (arg[0] != '/' || arg[1] == '/') {
        if (apr_uri_parse(cmd->pool, arg, &u) != APR_SUCCESS || !u.scheme
            || (strcasecmp(u.scheme, "http") && strcasecmp(u.scheme, "https"))
            || !u.hostname || !*u.hostname || u.user || u.fragment) {
            return apr_psprintf(cmd->pool, "%s: '%s' is not an absolute "
                                "http(s) URL or a path starting with '/'; "
                                "write e.g. https://idp.example.com/login",
                                cmd->cmd->name, arg);
        }
    }
    c->endpoint = arg;
    c->endpoint_set = 1;
    note_where(cmd, c);
    return NULL;
}

static const char *set_public_url(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    apr_uri_t u;
    char *mount;
    size_t n;

    if (apr_uri_parse(cmd->pool, arg, &u) != APR_SUCCESS || !u.scheme
        || (strcasecmp(u.scheme, "http") && strcasecmp(u.scheme, "https"))
        || !u.hostname || !*u.hostname || u.user || u.password || u.query
        || u.fragment) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not of the form "
                            "scheme://host[:port][/mount]; write e.g. "
                            "https://www.example.com", cmd->cmd->name, arg);
    }
    c->public_https = !strcasecmp(u.scheme, "https");
    c->public_origin = apr_pstrcat(cmd->pool, c->public_https ? "https"
                                   : "http", "://",
                                   apr_pstrdup(cmd->pool, u.hostinfo), NULL);
    ap_str_tolower((char *)c->public_origin);
    mount = apr_pstrdup(cmd->pool, u.path ? u.path : "");
    n = strlen(mount);
    while (n > 0 && mount[n - 1] == '/') {
        mount[--n] = '\0';
    }
    c->public_mount = mount;
    c->public_url_set = 1;
    note_where(cmd, c);
    return NULL;
}

static const char *set_flag(cmd_parms *cmd, void *dv, int on)
{
    jwtsso_dir_cfg *c = dv;
    const char *n = cmd->cmd->name;

    if (!strcasecmp(n, JWTSSO_D_ALLOW_SHORT)) {
        c->allow_short = on;
        c->allow_short_set = 1;
    }
    else if (!strcasecmp(n, JWTSSO_D_TRUST_FORWARDED)) {
        c->trust_forwarded = on;
        c->trust_forwarded_set = 1;
    }
    else if (!strcasecmp(n, JWTSSO_D_STATE)) {
        c->state = on;
        c->state_set = 1;
    }
    else if (!strcasecmp(n, JWTSSO_D_ACCEPT_BEARER)) {
        c->accept_bearer = on;
        c->accept_bearer_set = 1;
    }
    else if (!strcasecmp(n, JWTSSO_D_BEARER_CACHE)) {
        c->bearer_cache = on;
        c->bearer_cache_set = 1;
    }
    note_where(cmd, c);
    return NULL;
}

static const char *set_max_age(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    const char *err = NULL;

    if (!strcasecmp(arg, "off")) {
        c->max_age = -1;
    }
    else if ((err = parse_int(cmd, arg, 1, 31536000, &c->max_age))) {
        return apr_pstrcat(cmd->pool, err, ", or off", NULL);
    }
    c->max_age_set = 1;
    note_where(cmd, c);
    return NULL;
}

static const char *set_number(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    const char *n = cmd->cmd->name, *err;

    if (!strcasecmp(n, JWTSSO_D_CLOCK_SKEW)) {
        err = parse_int(cmd, arg, 0, 3600, &c->skew);
        c->skew_set = !err;
    }
    else if (!strcasecmp(n, JWTSSO_D_SESSION_MAX_AGE)) {
        err = parse_int(cmd, arg, 1, 31536000, &c->session_max_age);
        c->session_max_age_set = !err;
    }
    else {
        err = parse_int(cmd, arg, 256, 65536, &c->max_token_size);
        if (err) {
            err = apr_psprintf(cmd->pool, "%s: '%s' is not a size in bytes "
                               "from 256 to 65536", n, arg);
        }
        c->max_token_size_set = !err;
    }
    note_where(cmd, c);
    return err;
}

static int param_name_ok(const char *s)
{
    if (!*s) {
        return 0;
    }
    for (; *s; s++) {
        if (!apr_isalnum(*s) && *s != '_' && *s != '-' && *s != '.') {
            return 0;
        }
    }
    return 1;
}

static const char *set_name(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    const char *n = cmd->cmd->name;

    if (!param_name_ok(arg)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a plain name; use "
                            "letters, digits, '_', '-' and '.'", n, arg);
    }
    if (!strcasecmp(n, JWTSSO_D_USER_CLAIM)) {
        c->user_claim = arg;
        c->user_claim_set = 1;
    }
    else if (!strcasecmp(n, JWTSSO_D_TOKEN_PARAM)) {
        c->token_param = arg;
        c->token_param_set = 1;
    }
    else {
        c->return_param = arg;
        c->return_param_set = 1;
    }
    note_where(cmd, c);
    return NULL;
}

static const struct {
    jwtsso_unauth_t value;
    const char *word;
} unauth_words[] = {
    { JWTSSO_UNAUTH_AUTO, "auto" },
    { JWTSSO_UNAUTH_REDIRECT, "redirect" },
    { JWTSSO_UNAUTH_401, "401" },
    { JWTSSO_UNAUTH_PASS, "pass" },
};

static const char *set_unauth(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    size_t i;

    for (i = 0; i < sizeof(unauth_words) / sizeof(unauth_words[0]); i++) {
        if (!strcasecmp(arg, unauth_words[i].word)) {
            c->unauth = unauth_words[i].value;
            c->unauth_set = 1;
            note_where(cmd, c);
            return NULL;
        }
    }
    return apr_psprintf(cmd->pool, "%s: '%s' is not one of auto, redirect, "
                        "401, pass", cmd->cmd->name, arg);
}

static const struct {
    int value;
    const char *word;
} pass_words[] = {
    { JWTSSO_PASS_ENV, "env" },
    { JWTSSO_PASS_HEADERS, "headers" },
    { JWTSSO_PASS_ENV | JWTSSO_PASS_HEADERS, "both" },
    { 0, "none" },
};

static const char *set_pass_claims(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    size_t i;

    for (i = 0; i < sizeof(pass_words) / sizeof(pass_words[0]); i++) {
        if (!strcasecmp(arg, pass_words[i].word)) {
            c->pass_claims = pass_words[i].value;
            c->pass_claims_set = 1;
            note_where(cmd, c);
            return NULL;
        }
    }
    return apr_psprintf(cmd->pool, "%s: '%s' is not one of env, headers, "
                        "both, none", cmd->cmd->name, arg);
}

static const char *set_logout_redirect(cmd_parms *cmd, void *dv,
                                       const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    apr_uri_t u;

    if (arg[0] != '/' || arg[1] == '/' || arg[1] == '\\') {
        if (apr_uri_parse(cmd->pool, arg, &u) != APR_SUCCESS || !u.scheme
            || (strcasecmp(u.scheme, "http") && strcasecmp(u.scheme, "https"))
            || !u.hostname || !*u.hostname || u.user) {
            return apr_psprintf(cmd->pool, "%s: '%s' is not an absolute "
                                "http(s) URL or a path starting with '/'; "
                                "write e.g. https://idp.example.com/logout",
                                cmd->cmd->name, arg);
        }
    }
    c->logout_redirect = arg;
    c->logout_redirect_set = 1;
    note_where(cmd, c);
    return NULL;
}

#define KEYS (RSRC_CONF | ACCESS_CONF)
#define DIRS (RSRC_CONF | OR_AUTHCFG)

const command_rec jwtsso_cfg_cmds[] = {
    AP_INIT_TAKE1(JWTSSO_D_ENDPOINT, set_endpoint, NULL, DIRS,
        "URL where browsers log in (no default)"),
    AP_INIT_TAKE1(JWTSSO_D_SECRET, set_secret, NULL, KEYS,
        "HMAC secret: literal, file:PATH, env:NAME or base64:DATA"),
    AP_INIT_FLAG(JWTSSO_D_ALLOW_SHORT, set_flag, NULL, KEYS,
        "accept secrets under 32 bytes (default Off)"),
    AP_INIT_TAKE1(JWTSSO_D_MAX_AGE, set_max_age, NULL, DIRS,
        "max seconds since the token's iat, or off (default 60)"),
    AP_INIT_TAKE1(JWTSSO_D_CLOCK_SKEW, set_number, NULL, DIRS,
        "leeway in seconds for exp, nbf and iat (default 5)"),
    AP_INIT_TAKE1(JWTSSO_D_USER_CLAIM, set_name, NULL, DIRS,
        "claim that becomes REMOTE_USER (default sub)"),
    AP_INIT_TAKE1(JWTSSO_D_TOKEN_PARAM, set_name, NULL, DIRS,
        "query parameter carrying the token (default jwt)"),
    AP_INIT_TAKE1(JWTSSO_D_RETURN_PARAM, set_name, NULL, DIRS,
        "parameter sent to the auth endpoint (default return_to)"),
    AP_INIT_TAKE1(JWTSSO_D_PUBLIC_URL, set_public_url, NULL, DIRS,
        "scheme://host[:port][/mount] as browsers see it (default: "
        "httpd's own self-URL)"),
    AP_INIT_FLAG(JWTSSO_D_TRUST_FORWARDED, set_flag, NULL, DIRS,
        "honour X-Forwarded-Proto/-Host and X-Scheme (default Off)"),
    AP_INIT_FLAG(JWTSSO_D_STATE, set_flag, NULL, DIRS,
        "bind a login to the browser that started it (default On)"),
    AP_INIT_TAKE1(JWTSSO_D_UNAUTH_ACTION, set_unauth, NULL, DIRS,
        "auto, redirect, 401 or pass (default auto)"),
    AP_INIT_TAKE1(JWTSSO_D_SESSION_KEY, set_session_key, NULL, KEYS,
        "MAC key of the session record (default: derived from the secret)"),
    AP_INIT_TAKE1(JWTSSO_D_SESSION_MAX_AGE, set_number, NULL, DIRS,
        "absolute login lifetime in seconds (default 28800)"),
    AP_INIT_TAKE1(JWTSSO_D_MAX_TOKEN_SIZE, set_number, NULL, DIRS,
        "largest token in bytes, checked before decoding (default 8192)"),
    AP_INIT_TAKE12(JWTSSO_D_VERIFY_KEY, set_verify_key, NULL, KEYS,
        "[KID] PATH: a PEM public key or certificate of the IdP; repeatable"),
    AP_INIT_TAKE1(JWTSSO_D_VERIFY_JWKS, set_verify_jwks, NULL, KEYS,
        "PATH: a local JWKS file (RFC 7517)"),
    AP_INIT_TAKE1(JWTSSO_D_MAX_KIDLESS, set_max_kidless, NULL, KEYS,
        "keys of its kind a token without kid is checked against; with "
        "more, such tokens are refused (default 4)"),
    AP_INIT_ITERATE(JWTSSO_D_ALGORITHMS, set_algorithms, NULL, DIRS,
        "the algorithms accepted (default: what the configured keys serve)"),
    AP_INIT_TAKE1(JWTSSO_D_ISSUER, set_claim_value, NULL, DIRS,
        "the iss a token must carry (default: not checked)"),
    AP_INIT_TAKE1(JWTSSO_D_AUDIENCE, set_claim_value, NULL, DIRS,
        "a value the token's aud must be or contain (default: not checked)"),
    AP_INIT_TAKE1(JWTSSO_D_BEARER_AUDIENCE, set_bearer_audience, NULL, DIRS,
        "the aud that makes a token an API (bearer) token, never a login "
        "(default: none, bearer tokens pass the login rules)"),
    AP_INIT_FLAG(JWTSSO_D_STRIP_HEADERS, set_strip_headers, NULL, KEYS,
        "remove client-sent X-JWTSSO-* headers outside AuthType jwtsso too "
        "(default On; Off only for a backend this server proxies to)"),
    AP_INIT_FLAG(JWTSSO_D_ACCEPT_BEARER, set_flag, NULL, DIRS,
        "also accept Authorization: Bearer JWT per request (default Off)"),
    AP_INIT_TAKE1(JWTSSO_D_PASS_CLAIMS, set_pass_claims, NULL, DIRS,
        "pass claims as env, headers, both or none (default env)"),
    AP_INIT_TAKE1(JWTSSO_D_LOGOUT_REDIRECT, set_logout_redirect, NULL, DIRS,
        "where jwtsso-logout sends the browser (default: a page)"),
    AP_INIT_TAKE1(JWTSSO_D_REPLAY_CACHE, jwtsso_replay_set, NULL, RSRC_CONF,
        "socache store of consumed tokens: PROVIDER[:ARGS] or none "
        "(default shmcb)"),
    AP_INIT_TAKE1(JWTSSO_D_REPLAY_TIMEOUT, jwtsso_replay_set_timeout, NULL,
        RSRC_CONF, "bound in ms on each replay-store operation (default 500)"),
    AP_INIT_FLAG(JWTSSO_D_BEARER_CACHE, set_flag, NULL, DIRS,
        "remember verified bearer tokens, until their exp (default On)"),
    AP_INIT_TAKE1(JWTSSO_D_BEARER_CACHE_SIZE, jwtsso_bcache_set, NULL,
        RSRC_CONF, "bearer tokens each httpd child remembers (default "
        "1024; 0: none)"),
    { NULL }
};

/* ------------------------------------------------------------------ */
/* Start-up check: every section whose merged configuration says        */
/* AuthType jwtsso must have what a request will need. Runs in          */
/* check_config, so 'apachectl configtest' reports it too.              */

static int is_prefix(const char *pre, const char *s)
{
    return strncmp(pre, s, strlen(pre)) == 0;
}

static const char *alg_list(apr_pool_t *p, unsigned algs)
{
    const char *out = "";
    int a;

    for (a = JWTSSO_ALG_UNKNOWN + 1; a < JWTSSO_ALG__COUNT; a++) {
        if (algs & JWTSSO_ALGBIT(a)) {
            out = apr_pstrcat(p, out, *out ? " " : "",
                              jwtsso_alg_name((jwtsso_alg_t)a), NULL);
        }
    }
    return out;
}

static const char *section_problem(apr_pool_t *p, const jwtsso_dir_cfg *c)
{
    unsigned served;

    if (!c->keys || jwtsso_keyset_count(c->keys->keys) == 0) {
        return "has no key to verify tokens with; add e.g. '"
               JWTSSO_D_SECRET " file:/etc/apache2/jwtsso.secret' (a file "
               "holding the IdP's shared secret), or '" JWTSSO_D_VERIFY_KEY
               " /etc/apache2/idp.pem' (its public key)";
    }
    if (!jwtsso_cfg_record_key(c)) {
        return "has no secret of its own to sign its session records "
               "with (only public keys, or keys from a JWKS); add '" JWTSSO_D_SESSION_KEY " file:/etc/"
               "apache2/jwtsso-session.key' (32 random bytes or more, e.g. "
               "from 'openssl rand -base64 48')";
    }
    served = jwtsso_keyset_algs(c->keys->keys);
    if (c->algs & ~served) {
        return apr_psprintf(p, "allows %s in " JWTSSO_D_ALGORITHMS ", which "
                            "no configured key can verify (the keys serve: "
                            "%s); take it off the list, or add a key of "
                            "that kind",
                            alg_list(p, c->algs & ~served),
                            *alg_list(p, served) ? alg_list(p, served)
                                                 : "nothing");
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
        /* httpd retrieves ap_auth_type's provider only after check_config,
         * so ask mod_authn_core directly */
        type = auth_type ? auth_type(&fake) : NULL;
        if (!type || strcasecmp(type, JWTSSO_AUTH_TYPE)) {
            continue;
        }
        *used = 1;
        c = ap_get_module_config(merged, &auth_jwtsso_module);
        problem = section_problem(ptemp, c);
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
static int cfg_used;

int jwtsso_cfg_used(void)
{
    return cfg_used;
}

int jwtsso_cfg_check(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                     server_rec *s)
{
    int bad = 0, used = 0;
    server_rec *s0 = s;

    (void)plog;
    auth_type = APR_RETRIEVE_OPTIONAL_FN(authn_ap_auth_type);
    jwtsso_policy_reset();
    for (; s; s = s->next) {
        core_server_config *sc = ap_get_core_module_config(s->module_config);
        bad |= check_sections(pconf, ptemp, s, sc->sec_url, "Location",
                              &used);
        bad |= check_sections(pconf, ptemp, s, sc->sec_dir, "Directory",
                              &used);
    }
    cfg_used = used;
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
