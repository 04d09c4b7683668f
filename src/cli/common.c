/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * common.c - what the jwtsso-token commands read: files, tokens, numbers,
 * secrets and algorithm lists, each refused with a message that names
 * the option and the fix. A secret is never printed, nor a key's text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int jwtsso_common_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "jwtsso-token %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see jwtsso-token %s --help)\n", cmd);
    return CLI_USAGE;
}

char *jwtsso_common_read(const char *cmd, const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL) {
        jwtsso_common_usage(cmd, "cannot read %s: %s", path,
                            strerror(errno));
        return NULL;
    }
    buf = malloc(CLI_FILE_MAX + 2);
    n = buf != NULL ? fread(buf, 1, CLI_FILE_MAX + 1, f) : 0;
    if (buf != NULL && ferror(f)) {
        jwtsso_common_usage(cmd, "cannot read %s: %s", path,
                            strerror(errno != 0 ? errno : EIO));
        free(buf);
        buf = NULL;
    }
    else if (buf != NULL && n > CLI_FILE_MAX) {
        jwtsso_common_usage(cmd, "%s is larger than 1 MiB", path);
        free(buf);
        buf = NULL;
    }
    else if (buf == NULL) {
        fprintf(stderr, "jwtsso-token %s: out of memory\n", cmd);
    }
    if (f != stdin) {
        fclose(f);
    }
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
           || c == '\v';
}

char *jwtsso_common_token(const char *cmd, const char *arg, size_t *len)
{
    char *t;
    size_t n, skip = 0;

    if (strcmp(arg, "-") != 0) {
        *len = strlen(arg);
        t = malloc(*len + 1);
        if (t != NULL) {
            memcpy(t, arg, *len + 1);
        }
        return t;
    }
    t = jwtsso_common_read(cmd, "-", &n);
    if (t == NULL) {
        return NULL;
    }
    while (n > 0 && is_space(t[n - 1])) {
        n--;
    }
    while (skip < n && is_space(t[skip])) {
        skip++;
    }
    memmove(t, t + skip, n - skip);
    t[n - skip] = '\0';
    *len = n - skip;
    return t;
}

int jwtsso_common_number(const char *cmd, const char *option,
                         const char *text, long long min, long long max,
                         long long *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(text, &end, 10);
    if (*text == '\0' || is_space(*text) || *end != '\0' || errno != 0
        || v < min || v > max) {
        jwtsso_common_usage(cmd, "%s '%s': not a whole number from %lld "
                            "to %lld", option, text, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int jwtsso_common_secret(const char *cmd, const char *value, int allow_short,
                         unsigned char **out, size_t *len)
{
    static const char *const why[] = {
        [JWTSSO_SECRET_NO_PATH] = "'file:' names no file; write "
                                  "file:/path/to/secret",
        [JWTSSO_SECRET_TOO_LARGE] = "the file is larger than 65536 bytes; "
                                    "point it at a file holding only the "
                                    "secret",
        [JWTSSO_SECRET_NO_ENV] = "the environment variable is not set or "
                                 "empty",
        [JWTSSO_SECRET_NOT_BASE64] = "the value after base64: is not "
                                     "base64; write base64:$(openssl rand "
                                     "-base64 48)",
        [JWTSSO_SECRET_EMPTY] = "the secret is empty",
    };
    jwtsso_secret_err_t e;
    const char *rest;
    int sys = 0;

    e = jwtsso_secret_bytes(value, NULL, out, len, &sys);
    jwtsso_secret_form(value, &rest);
    if (e == JWTSSO_SECRET_UNREADABLE) {
        return jwtsso_common_usage(cmd, "--secret: cannot read %s: %s",
                                   rest, strerror(sys));
    }
    if (e == JWTSSO_SECRET_IS_PATH) {
        return jwtsso_common_usage(cmd, "--secret: '%s' "
                                   JWTSSO_SECRET_IS_PATH_FIX "%s", value,
                                   value);
    }
    if (e == JWTSSO_SECRET_INTERNAL) {
        fprintf(stderr, "jwtsso-token %s: out of memory\n", cmd);
        return CLI_INTERNAL;
    }
    if (e != JWTSSO_SECRET_OK) {
        return jwtsso_common_usage(cmd, "--secret: %s", why[e]);
    }
    if (*len < JWTSSO_SECRET_MIN && !allow_short) {
        jwtsso_secret_free(*out, *len);
        *out = NULL;
        return jwtsso_common_usage(cmd, "--secret: the secret is %lu bytes; "
                                   "at least %d are required (as "
                                   "JWTSSOSecret). Use a longer one, e.g. "
                                   "from 'openssl rand -base64 48', or add "
                                   "--allow-short-secret",
                                   (unsigned long)*len, JWTSSO_SECRET_MIN);
    }
    return CLI_OK;
}

int jwtsso_common_algs(const char *cmd, const char *text, unsigned *mask)
{
    const char *p = text, *q;
    jwtsso_alg_t a;
    size_t n, named = 0;

    while (*p != '\0') {
        while (*p == ',' || is_space(*p)) {
            p++;
        }
        for (q = p; *q != '\0' && *q != ',' && !is_space(*q); q++) {
        }
        n = (size_t)(q - p);
        if (n == 0) {
            break;
        }
        a = jwtsso_alg_from_name_nocase(p, n);
        if (a == JWTSSO_ALG_UNKNOWN) {
            jwtsso_common_usage(cmd, "--alg '%.*s': not an algorithm; use "
                                "HS256 HS384 HS512 RS256 RS384 RS512 PS256 "
                                "PS384 PS512 ES256 ES384 ES512 EdDSA",
                                (int)(n > 64 ? 64 : n), p);
            return -1;
        }
        *mask |= JWTSSO_ALGBIT(a);
        named++;
        p = q;
    }
    if (named == 0) {
        /* an empty list would mean "what the key serves": say so instead */
        jwtsso_common_usage(cmd, "--alg names no algorithm");
        return -1;
    }
    return 0;
}

int jwtsso_common_keyerr(const char *cmd, const char *what,
                         jwtsso_keyerr_t e)
{
    if (e == JWTSSO_KEY_INTERNAL) {
        fprintf(stderr, "jwtsso-token %s: %s: %s\n", cmd, what,
                jwtsso_reason_keyerr(e));
        return CLI_INTERNAL;
    }
    return jwtsso_common_usage(cmd, "%s: %s", what, jwtsso_reason_keyerr(e));
}
