/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * config.c - per-directory configuration of mod_auth_jwtsso: creation,
 * merging, and the directive table with its setters.
 *
 * Most directives are set by slot setters, as httpd's ap_set_flag_slot:
 * the table row's data says which field the value goes to, which
 * JWTSSO_SET_* bit says it is set, and how the value is checked. The key
 * directives are in keyconf.c, the checks across directives and sections
 * in startup.c. Messages name the directive, the value and the fix; httpd
 * adds the file and line.
 */
#include "glue.h"

#include "apr_strings.h"
#include "apr_lib.h"
#include "apr_uri.h"

#include <errno.h>
#include <stddef.h>

void *jwtsso_config_create_dir(apr_pool_t *p, char *dir)
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
    c->issuer_lifetime = 60;
    c->session_inactivity = -1;
    c->strip_cookies = -1;
    c->jwks_refresh = JWTSSO_JWKS_REFRESH_DEFAULT;
    return c;
}

#define MERGE(f, bit) n->f = (a->set_bits & (bit)) ? a->f : b->f

void *jwtsso_config_merge_dir(apr_pool_t *p, void *basev, void *addv)
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

    MERGE(endpoint, JWTSSO_SET_ENDPOINT);
    MERGE(keys, JWTSSO_SET_KEYS);
    MERGE(algs, JWTSSO_SET_ALGS);
    MERGE(issuer, JWTSSO_SET_ISSUER);
    MERGE(audience, JWTSSO_SET_AUDIENCE);
    MERGE(bearer_audience, JWTSSO_SET_BEARER_AUDIENCE);
    MERGE(strip_headers, JWTSSO_SET_STRIP_HEADERS);
    MERGE(session_key, JWTSSO_SET_SESSION_KEY);
    MERGE(allow_short, JWTSSO_SET_ALLOW_SHORT);
    MERGE(max_age, JWTSSO_SET_MAX_AGE);
    MERGE(skew, JWTSSO_SET_SKEW);
    MERGE(user_claim, JWTSSO_SET_USER_CLAIM);
    MERGE(token_param, JWTSSO_SET_TOKEN_PARAM);
    MERGE(return_param, JWTSSO_SET_RETURN_PARAM);
    MERGE(public_origin, JWTSSO_SET_PUBLIC_URL);
    MERGE(public_mount, JWTSSO_SET_PUBLIC_URL);
    MERGE(public_https, JWTSSO_SET_PUBLIC_URL);
    MERGE(trust_forwarded, JWTSSO_SET_TRUST_FORWARDED);
    MERGE(state, JWTSSO_SET_STATE);
    MERGE(unauth, JWTSSO_SET_UNAUTH);
    MERGE(session_max_age, JWTSSO_SET_SESSION_MAX_AGE);
    MERGE(max_token_size, JWTSSO_SET_MAX_TOKEN_SIZE);
    MERGE(max_kidless, JWTSSO_SET_MAX_KIDLESS);
    MERGE(accept_bearer, JWTSSO_SET_ACCEPT_BEARER);
    MERGE(bearer_cache, JWTSSO_SET_BEARER_CACHE);
    MERGE(pass_claims, JWTSSO_SET_PASS_CLAIMS);
    MERGE(logout_redirect, JWTSSO_SET_LOGOUT_REDIRECT);
    MERGE(jwks_cafile, JWTSSO_SET_JWKS_CAFILE);
    MERGE(jwks_refresh, JWTSSO_SET_JWKS_REFRESH);
    MERGE(issuer_key, JWTSSO_SET_ISSUER_KEY);
    MERGE(issuer_alg, JWTSSO_SET_ISSUER_ALG);
    MERGE(issuer_lifetime, JWTSSO_SET_ISSUER_LIFETIME);
    MERGE(issuer_return, JWTSSO_SET_ISSUER_RETURN);
    MERGE(issuer_audience, JWTSSO_SET_ISSUER_AUDIENCE);
    MERGE(issuer_name, JWTSSO_SET_ISSUER_NAME);
    MERGE(debug, JWTSSO_SET_DEBUG);
    MERGE(session_inactivity, JWTSSO_SET_SESSION_INACTIVITY);
    MERGE(strip_cookies, JWTSSO_SET_STRIP_COOKIES);
    MERGE(user_header, JWTSSO_SET_USER_HEADER);
    /* a vhost's lookup_defaults are merged onto the main server's: its
     * short secret must not be lost, nor the main's be blamed on a vhost
     * with keys of its own */
    n->short_secret = (a->set_bits & (JWTSSO_SET_KEYS | JWTSSO_SET_SESSION_KEY
                                      | JWTSSO_SET_ISSUER_KEY))
                      ? a->short_secret : b->short_secret;
    n->set_bits = a->set_bits | b->set_bits;
    n->where = a->where ? a->where : b->where;
    return n;
}

const char *jwtsso_config_where(cmd_parms *cmd)
{
    if (!cmd->directive) {
        return "(command line)";
    }
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}

void jwtsso_config_mark(cmd_parms *cmd, jwtsso_dir_cfg *c,
                        jwtsso_setbits_t bit)
{
    c->set_bits |= bit;
    if (!c->where) {
        c->where = jwtsso_config_where(cmd);
    }
}

const char *jwtsso_config_alg_list(apr_pool_t *p, unsigned algs)
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

/* A whole number in [min, max], the whole string (apr_strtoi64 takes
 * leading blanks and a sign, as strtol); 0 when it is not one. */
static int parse_number(const char *arg, long long min, long long max,
                        long long *out)
{
    char *end = NULL;
    apr_int64_t v;

    errno = 0;
    v = apr_strtoi64(arg, &end, 10);
    if (errno || end == arg || *end != '\0' || v < min || v > max) {
        return 0;
    }
    *out = v;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Slot setters. cmd->info is one of the structs below, made by the     */
/* macros of the command table.                                         */

/* Where a directive's value goes, and the bit that says it is set. */
typedef struct {
    size_t offset;              /* of the field in jwtsso_dir_cfg */
    jwtsso_setbits_t bit;       /* JWTSSO_SET_* */
} slot_t;

/* A long long field: a whole number in [min, max], or, when off_ok,
 * "off", stored as -1. */
typedef struct {
    slot_t slot;
    long long min, max;
    const char *what;           /* "a whole number of seconds" */
    int off_ok;
} number_slot_t;

typedef struct {
    int value;
    const char *word;
} word_t;

/* An int field: one of words (ending with a NULL word), in any case. The
 * same table parses the value and lists the valid words in the error. */
typedef struct {
    slot_t slot;
    const word_t *words;
} words_slot_t;

/* A const char * field: a path on this site, or an absolute http(s) URL
 * (with a fragment only when fragment_ok). */
typedef struct {
    slot_t slot;
    int fragment_ok;
    const char *example;        /* a good value, for the error */
} url_slot_t;

static void *field(void *dv, const slot_t *s)
{
    return (char *)dv + s->offset;
}

/* an int field: On is 1, Off 0 */
static const char *set_flag_slot(cmd_parms *cmd, void *dv, int on)
{
    const slot_t *s = cmd->info;

    *(int *)field(dv, s) = on;
    jwtsso_config_mark(cmd, dv, s->bit);
    return NULL;
}

static const char *set_number_slot(cmd_parms *cmd, void *dv, const char *arg)
{
    const number_slot_t *s = cmd->info;
    long long v = -1;

    if (!(s->off_ok && !strcasecmp(arg, "off"))
        && !parse_number(arg, s->min, s->max, &v)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not %s from %"
                            APR_INT64_T_FMT " to %" APR_INT64_T_FMT "%s",
                            cmd->cmd->name, arg, s->what,
                            (apr_int64_t)s->min, (apr_int64_t)s->max,
                            s->off_ok ? ", or off" : "");
    }
    *(long long *)field(dv, &s->slot) = v;
    jwtsso_config_mark(cmd, dv, s->slot.bit);
    return NULL;
}

static const char *set_words_slot(cmd_parms *cmd, void *dv, const char *arg)
{
    const words_slot_t *s = cmd->info;
    const word_t *w;
    const char *list = NULL;

    for (w = s->words; w->word; w++) {
        if (!strcasecmp(arg, w->word)) {
            *(int *)field(dv, &s->slot) = w->value;
            jwtsso_config_mark(cmd, dv, s->slot.bit);
            return NULL;
        }
    }
    for (w = s->words; w->word; w++) {
        list = list ? apr_pstrcat(cmd->temp_pool, list, ", ", w->word, NULL)
                    : w->word;
    }
    return apr_psprintf(cmd->pool, "%s: '%s' is not one of %s",
                        cmd->cmd->name, arg, list);
}

/* A claim or query parameter name: letters, digits, '_', '-' and '.'. */
static const char *set_name_slot(cmd_parms *cmd, void *dv, const char *arg)
{
    const slot_t *s = cmd->info;
    const char *p;

    for (p = arg; *p; p++) {
        if (!apr_isalnum(*p) && *p != '_' && *p != '-' && *p != '.') {
            break;
        }
    }
    if (!*arg || *p) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a plain name; use "
                            "letters, digits, '_', '-' and '.'",
                            cmd->cmd->name, arg);
    }
    *(const char **)field(dv, s) = arg;
    jwtsso_config_mark(cmd, dv, s->bit);
    return NULL;
}

/* A claim value compared as it is (iss, aud): anything but empty. */
static const char *set_value_slot(cmd_parms *cmd, void *dv, const char *arg)
{
    const slot_t *s = cmd->info;

    if (!*arg) {
        return apr_psprintf(cmd->pool, "%s: the value is empty",
                            cmd->cmd->name);
    }
    *(const char **)field(dv, s) = arg;
    jwtsso_config_mark(cmd, dv, s->bit);
    return NULL;
}

/* A path on this site, or an absolute http(s) URL without userinfo (and
 * without fragment unless fragment_ok); "//host" and "/\host" are URLs to
 * a browser, not paths. */
static int url_ok(apr_pool_t *p, const char *arg, int fragment_ok)
{
    apr_uri_t u;

    if (arg[0] == '/' && arg[1] != '/' && arg[1] != '\\') {
        return 1;
    }
    return apr_uri_parse(p, arg, &u) == APR_SUCCESS && u.scheme
           && (!strcasecmp(u.scheme, "http") || !strcasecmp(u.scheme, "https"))
           && u.hostname && *u.hostname && !u.user
           && (fragment_ok || !u.fragment);
}

static const char *set_url_slot(cmd_parms *cmd, void *dv, const char *arg)
{
    const url_slot_t *s = cmd->info;

    if (!url_ok(cmd->temp_pool, arg, s->fragment_ok)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not an absolute "
                            "http(s) URL or a path starting with '/'; "
                            "write e.g. %s", cmd->cmd->name, arg,
                            s->example);
    }
    *(const char **)field(dv, &s->slot) = arg;
    jwtsso_config_mark(cmd, dv, s->slot.bit);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The directives with a setter of their own.                           */

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
    jwtsso_config_mark(cmd, c, JWTSSO_SET_PUBLIC_URL);
    return NULL;
}

/* One word of JWTSSOAlgorithms; the words are the core's algorithm names
 * (alg.c), which parse them too. */
static const char *set_algorithms(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    jwtsso_alg_t a = jwtsso_alg_from_name_nocase(arg, strlen(arg));

    if (a == JWTSSO_ALG_UNKNOWN) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not an algorithm this "
                            "module verifies%s; use %s", cmd->cmd->name, arg,
                            strcasecmp(arg, "none") ? ""
                            : " (unsigned tokens are never accepted)",
                            jwtsso_config_alg_list(cmd->temp_pool, ~0u));
    }
    if (!(c->set_bits & JWTSSO_SET_ALGS)) {
        c->algs = 0;    /* this section's list replaces the parent's */
    }
    c->algs |= JWTSSO_ALGBIT(a);
    jwtsso_config_mark(cmd, c, JWTSSO_SET_ALGS);
    return NULL;
}

/* JWTSSOMaxKeysWithoutKid: the keys of its kind a token without kid is
 * checked against (keyset.c): each is a signature check a forged token
 * costs. Its field is unsigned, as the core's bound. */
static const char *set_max_kidless(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    long long n;

    if (!parse_number(arg, 1, 64, &n)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of keys "
                            "from 1 to 64", cmd->cmd->name, arg);
    }
    c->max_kidless = (unsigned)n;
    jwtsso_config_mark(cmd, c, JWTSSO_SET_MAX_KIDLESS);
    return NULL;
}

/* JWTSSOUserHeader: a header name a backend can trust to be ours (which
 * names, proxied.c says). */
static const char *set_user_header(cmd_parms *cmd, void *dv, const char *arg)
{
    jwtsso_dir_cfg *c = dv;
    const char *problem = jwtsso_proxied_header_problem(cmd->temp_pool, arg);

    if (problem) {
        return apr_psprintf(cmd->pool, "%s: '%s' %s", cmd->cmd->name, arg,
                            problem);
    }
    c->user_header = arg;
    jwtsso_config_mark(cmd, c, JWTSSO_SET_USER_HEADER);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The directive table.                                                 */

static const word_t unauth_words[] = {
    { JWTSSO_UNAUTH_AUTO, "auto" },
    { JWTSSO_UNAUTH_REDIRECT, "redirect" },
    { JWTSSO_UNAUTH_401, "401" },
    { JWTSSO_UNAUTH_PASS, "pass" },
    { 0, NULL }
};

static const word_t pass_words[] = {
    { JWTSSO_PASS_ENV, "env" },
    { JWTSSO_PASS_HEADERS, "headers" },
    { JWTSSO_PASS_ENV | JWTSSO_PASS_HEADERS, "both" },
    { 0, "none" },
    { 0, NULL }
};

/* cmd_data of the slot setters: file-scope compound literals, so each
 * row of the table says all about its directive. */
#define SLOT(f, bit) { offsetof(jwtsso_dir_cfg, f), bit }
#define FIELD(f, bit) ((void *)&(slot_t)SLOT(f, bit))
#define NUMBER(f, bit, min, max, what, off_ok) \
    ((void *)&(number_slot_t){ SLOT(f, bit), min, max, what, off_ok })
#define WORDS(f, bit, words) \
    ((void *)&(words_slot_t){ SLOT(f, bit), words })
#define URL(f, bit, fragment_ok, example) \
    ((void *)&(url_slot_t){ SLOT(f, bit), fragment_ok, example })

#define SECONDS "a whole number of seconds"

#define KEYS (RSRC_CONF | ACCESS_CONF)
#define DIRS (RSRC_CONF | OR_AUTHCFG)

const command_rec jwtsso_config_cmds[] = {
    AP_INIT_TAKE1(JWTSSO_D_ENDPOINT, set_url_slot,
        URL(endpoint, JWTSSO_SET_ENDPOINT, 0,
            "https://idp.example.com/login"), DIRS,
        "URL where browsers log in (no default)"),
    AP_INIT_TAKE1(JWTSSO_D_SECRET, jwtsso_keyconf_set_secret, NULL, KEYS,
        "HMAC secret: literal, file:PATH, env:NAME or base64:DATA"),
    AP_INIT_FLAG(JWTSSO_D_ALLOW_SHORT, set_flag_slot,
        FIELD(allow_short, JWTSSO_SET_ALLOW_SHORT), KEYS,
        "accept secrets under 32 bytes (default Off)"),
    AP_INIT_TAKE1(JWTSSO_D_MAX_AGE, set_number_slot,
        NUMBER(max_age, JWTSSO_SET_MAX_AGE, 1, 31536000, SECONDS, 1), DIRS,
        "max seconds since the token's iat, or off (default 60)"),
    AP_INIT_TAKE1(JWTSSO_D_CLOCK_SKEW, set_number_slot,
        NUMBER(skew, JWTSSO_SET_SKEW, 0, 3600, SECONDS, 0), DIRS,
        "leeway in seconds for exp, nbf and iat (default 5)"),
    AP_INIT_TAKE1(JWTSSO_D_USER_CLAIM, set_name_slot,
        FIELD(user_claim, JWTSSO_SET_USER_CLAIM), DIRS,
        "claim that becomes REMOTE_USER (default sub)"),
    AP_INIT_TAKE1(JWTSSO_D_TOKEN_PARAM, set_name_slot,
        FIELD(token_param, JWTSSO_SET_TOKEN_PARAM), DIRS,
        "query parameter carrying the token (default jwt)"),
    AP_INIT_TAKE1(JWTSSO_D_RETURN_PARAM, set_name_slot,
        FIELD(return_param, JWTSSO_SET_RETURN_PARAM), DIRS,
        "parameter sent to the auth endpoint (default return_to)"),
    AP_INIT_TAKE1(JWTSSO_D_PUBLIC_URL, set_public_url, NULL, DIRS,
        "scheme://host[:port][/mount] as browsers see it (default: "
        "httpd's own self-URL)"),
    AP_INIT_FLAG(JWTSSO_D_TRUST_FORWARDED, set_flag_slot,
        FIELD(trust_forwarded, JWTSSO_SET_TRUST_FORWARDED), DIRS,
        "honour X-Forwarded-Proto/-Host and X-Scheme (default Off)"),
    AP_INIT_FLAG(JWTSSO_D_STATE, set_flag_slot,
        FIELD(state, JWTSSO_SET_STATE), DIRS,
        "bind a login to the browser that started it (default On)"),
    AP_INIT_TAKE1(JWTSSO_D_UNAUTH_ACTION, set_words_slot,
        WORDS(unauth, JWTSSO_SET_UNAUTH, unauth_words), DIRS,
        "auto, redirect, 401 or pass (default auto)"),
    AP_INIT_TAKE1(JWTSSO_D_SESSION_KEY, jwtsso_keyconf_set_session_key,
        NULL, KEYS,
        "MAC key of the session record (default: derived from the secret)"),
    AP_INIT_TAKE1(JWTSSO_D_SESSION_MAX_AGE, set_number_slot,
        NUMBER(session_max_age, JWTSSO_SET_SESSION_MAX_AGE, 1, 31536000,
               SECONDS, 0), DIRS,
        "absolute login lifetime in seconds (default 28800)"),
    AP_INIT_TAKE1(JWTSSO_D_MAX_TOKEN_SIZE, set_number_slot,
        NUMBER(max_token_size, JWTSSO_SET_MAX_TOKEN_SIZE, 256, 65536,
               "a size in bytes", 0), DIRS,
        "largest token in bytes, checked before decoding (default 8192)"),
    AP_INIT_TAKE12(JWTSSO_D_VERIFY_KEY, jwtsso_keyconf_set_verify_key, NULL,
        KEYS,
        "[KID] PATH: a PEM public key or certificate of the IdP; repeatable"),
    AP_INIT_TAKE1(JWTSSO_D_VERIFY_JWKS, jwtsso_keyconf_set_verify_jwks, NULL,
        KEYS, "the IdP's JWKS (RFC 7517): https://URL (fetched and "
        "refreshed), or a local file: PATH or file:PATH"),
    AP_INIT_TAKE1(JWTSSO_D_JWKS_CAFILE, jwtsso_keyconf_set_jwks_cafile, NULL,
        KEYS, "PEM CA certificates that sign the JWKS URL's server "
        "(default: the system's CAs)"),
    AP_INIT_TAKE1(JWTSSO_D_JWKS_REFRESH, set_number_slot,
        NUMBER(jwks_refresh, JWTSSO_SET_JWKS_REFRESH, 60, 86400, SECONDS, 0),
        KEYS, "seconds between fetches of the JWKS URL (default 3600)"),
    AP_INIT_TAKE1(JWTSSO_D_MAX_KIDLESS, set_max_kidless, NULL, KEYS,
        "keys of its kind a token without kid is checked against; with "
        "more, such tokens are refused (default 4)"),
    AP_INIT_ITERATE(JWTSSO_D_ALGORITHMS, set_algorithms, NULL, DIRS,
        "the algorithms accepted (default: what the configured keys serve)"),
    AP_INIT_TAKE1(JWTSSO_D_ISSUER, set_value_slot,
        FIELD(issuer, JWTSSO_SET_ISSUER), DIRS,
        "the iss a token must carry (default: not checked)"),
    AP_INIT_TAKE1(JWTSSO_D_AUDIENCE, set_value_slot,
        FIELD(audience, JWTSSO_SET_AUDIENCE), DIRS,
        "a value the token's aud must be or contain (default: not checked)"),
    AP_INIT_TAKE1(JWTSSO_D_BEARER_AUDIENCE, set_value_slot,
        FIELD(bearer_audience, JWTSSO_SET_BEARER_AUDIENCE), DIRS,
        "the aud that makes a token an API (bearer) token, never a login "
        "(default: none, bearer tokens pass the login rules)"),
    AP_INIT_FLAG(JWTSSO_D_STRIP_HEADERS, set_flag_slot,
        FIELD(strip_headers, JWTSSO_SET_STRIP_HEADERS), KEYS,
        "remove client-sent X-JWTSSO-* headers outside AuthType jwtsso too "
        "(default On; Off only for a backend this server proxies to)"),
    AP_INIT_FLAG(JWTSSO_D_ACCEPT_BEARER, set_flag_slot,
        FIELD(accept_bearer, JWTSSO_SET_ACCEPT_BEARER), DIRS,
        "also accept Authorization: Bearer JWT per request (default Off)"),
    AP_INIT_TAKE1(JWTSSO_D_PASS_CLAIMS, set_words_slot,
        WORDS(pass_claims, JWTSSO_SET_PASS_CLAIMS, pass_words), DIRS,
        "pass claims as env, headers, both or none (default env)"),
    AP_INIT_TAKE1(JWTSSO_D_LOGOUT_REDIRECT, set_url_slot,
        URL(logout_redirect, JWTSSO_SET_LOGOUT_REDIRECT, 1,
            "https://idp.example.com/logout"), DIRS,
        "where jwtsso-logout sends the browser (default: a page)"),
    AP_INIT_TAKE1(JWTSSO_D_REPLAY_CACHE, jwtsso_replay_set, NULL, RSRC_CONF,
        "socache store of consumed tokens: PROVIDER[:ARGS] or none "
        "(default shmcb)"),
    AP_INIT_TAKE1(JWTSSO_D_REPLAY_TIMEOUT, jwtsso_replay_set_timeout, NULL,
        RSRC_CONF, "bound in ms on each replay-store operation (default 500)"),
    AP_INIT_FLAG(JWTSSO_D_BEARER_CACHE, set_flag_slot,
        FIELD(bearer_cache, JWTSSO_SET_BEARER_CACHE), DIRS,
        "remember verified bearer tokens, until their exp (default On)"),
    AP_INIT_TAKE1(JWTSSO_D_BEARER_CACHE_SIZE, jwtsso_bcache_set, NULL,
        RSRC_CONF, "bearer tokens each httpd child remembers (default "
        "1024; 0: none)"),
    AP_INIT_TAKE1(JWTSSO_D_ISSUER_SECRET, jwtsso_issuerconf_set_secret,
        NULL, KEYS, "jwtsso-issuer: the HMAC secret it signs with (forms "
        "of " JWTSSO_D_SECRET ")"),
    AP_INIT_TAKE12(JWTSSO_D_ISSUER_KEY, jwtsso_issuerconf_set_key, NULL,
        KEYS, "jwtsso-issuer: [KID] PATH of the PEM private key it signs "
        "with (RSA, EC, Ed25519)"),
    AP_INIT_TAKE1(JWTSSO_D_ISSUER_ALG, jwtsso_issuerconf_set_alg, NULL,
        KEYS, "jwtsso-issuer: the algorithm, among the key's (default: "
        "HS256, RS256, the curve's ES*, EdDSA)"),
    AP_INIT_TAKE1(JWTSSO_D_ISSUER_LIFETIME, set_number_slot,
        NUMBER(issuer_lifetime, JWTSSO_SET_ISSUER_LIFETIME, 1, 86400,
               SECONDS, 0), DIRS,
        "jwtsso-issuer: seconds from iat to exp (default 60)"),
    AP_INIT_ITERATE(JWTSSO_D_ISSUER_RETURN, jwtsso_issuerconf_set_return,
        NULL, KEYS, "jwtsso-issuer: the absolute URL prefixes a return_to "
        "may have (default: none, JSON answers only)"),
    AP_INIT_TAKE1(JWTSSO_D_ISSUER_AUDIENCE, set_value_slot,
        FIELD(issuer_audience, JWTSSO_SET_ISSUER_AUDIENCE), DIRS,
        "jwtsso-issuer: the aud of its tokens (default: none)"),
    AP_INIT_TAKE1(JWTSSO_D_ISSUER_NAME, set_value_slot,
        FIELD(issuer_name, JWTSSO_SET_ISSUER_NAME), DIRS,
        "jwtsso-issuer: the iss of its tokens (default: none)"),
    AP_INIT_FLAG(JWTSSO_D_DEBUG, set_flag_slot,
        FIELD(debug, JWTSSO_SET_DEBUG), DIRS,
        "name the reason of a refused login on its 401 page (default Off)"),
    AP_INIT_TAKE1(JWTSSO_D_SESSION_INACTIVITY, set_number_slot,
        NUMBER(session_inactivity, JWTSSO_SET_SESSION_INACTIVITY, 60,
               31536000, SECONDS, 1), DIRS,
        "seconds a session may go unused before a new login, or off "
        "(default off)"),
    AP_INIT_FLAG(JWTSSO_D_STRIP_COOKIES, set_flag_slot,
        FIELD(strip_cookies, JWTSSO_SET_STRIP_COOKIES), DIRS,
        "remove the session and state cookies before the app sees the "
        "request (default On with " JWTSSO_D_PASS_CLAIMS " headers)"),
    AP_INIT_TAKE1(JWTSSO_D_USER_HEADER, set_user_header,
        NULL, DIRS, "request header that carries the user to the app, "
        "e.g. X-Remote-User (default: none)"),
    { NULL }
};
