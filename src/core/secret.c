/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * secret.c - the forms a shared secret is written in: "file:PATH",
 * "env:NAME", "base64:DATA" or the text itself. One reading of them for
 * the module's directives (src/httpd/keyconf.c, which resolves a file's
 * path against ServerRoot and words the errors) and for jwtsso-token, so
 * a secret that works in one works in the other.
 *
 * The bytes are returned in a malloc'ed buffer the caller cleanses and
 * frees with jwtsso_secret_free(); every copy made on the way is
 * cleansed here. Whether a secret is long enough is the caller's rule
 * (JWTSSO_SECRET_MIN).
 */
#define _POSIX_C_SOURCE 200809L    /* fileno */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "internal.h"

int jwtsso_secret_form(const char *value, const char **rest)
{
    static const struct {
        const char *prefix;
        int form;
    } forms[] = {
        { "file:", 'f' }, { "env:", 'e' }, { "base64:", 'b' },
    };
    size_t i, n;

    for (i = 0; value != NULL && i < sizeof(forms) / sizeof(forms[0]); i++) {
        n = strlen(forms[i].prefix);
        if (strncmp(value, forms[i].prefix, n) == 0) {
            if (rest != NULL) {
                *rest = value + n;
            }
            return forms[i].form;
        }
    }
    if (rest != NULL) {
        *rest = value;
    }
    return 'l';
}

void jwtsso_secret_free(unsigned char *p, size_t len)
{
    if (p != NULL) {
        OPENSSL_cleanse(p, len);
        free(p);
    }
}

/* The value of a base64 character, standard or URL-safe; -1 if none. */
static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
        return 62;
    }
    if (c == '/' || c == '_') {
        return 63;
    }
    return -1;
}

/* base64:DATA, standard or URL-safe (RFC 4648 §4, §5, either alphabet's
 * two last characters, even mixed), padding optional but then exact:
 * what `openssl rand -base64 48` prints and what a JWK's "k" holds.
 * Unused low bits are ignored, as APR's decoder (which keyconf.c used
 * before) did. NOT_BASE64 for anything else. */
static jwtsso_secret_err_t b64decode(const char *in, unsigned char **out,
                                     size_t *len)
{
    size_t n = 0, pad, i, o = 0;
    unsigned acc = 0;
    int bits = 0;
    unsigned char *b;

    while (b64val(in[n]) >= 0) {
        n++;
    }
    pad = strlen(in + n);
    if (n == 0 || n % 4 == 1 || strspn(in + n, "=") != pad
        || (pad != 0 && (pad > 2 || (n + pad) % 4 != 0))) {
        return JWTSSO_SECRET_NOT_BASE64;
    }
    b = malloc(n * 3 / 4 + 1);
    if (b == NULL) {
        return JWTSSO_SECRET_INTERNAL;
    }
    for (i = 0; i < n; i++) {
        acc = (acc << 6) | (unsigned)b64val(in[i]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            b[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    acc = 0;
    b[o] = '\0';
    *out = b;
    *len = o;
    return JWTSSO_SECRET_OK;
}

/* The whole of the file at path, at most JWTSSO_SECRET_FILE_MAX bytes,
 * a trailing newline (from echo or openssl rand) not part of it. */
static jwtsso_secret_err_t read_file(const char *path, unsigned char **out,
                                     size_t *len, int *err)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b = NULL;
    struct stat st;
    size_t n;

    if (f == NULL) {
        *err = errno;
        return JWTSSO_SECRET_UNREADABLE;
    }
    if (fstat(fileno(f), &st) != 0) {
        *err = errno;
        fclose(f);
        return JWTSSO_SECRET_UNREADABLE;
    }
    if (st.st_size > JWTSSO_SECRET_FILE_MAX) {
        fclose(f);
        return JWTSSO_SECRET_TOO_LARGE;
    }
    /* one byte more than the limit: a file that grew is still caught */
    b = malloc(JWTSSO_SECRET_FILE_MAX + 2);
    if (b == NULL) {
        fclose(f);
        return JWTSSO_SECRET_INTERNAL;
    }
    n = fread(b, 1, JWTSSO_SECRET_FILE_MAX + 1, f);
    if (ferror(f)) {
        *err = errno != 0 ? errno : EIO;
        fclose(f);
        jwtsso_secret_free(b, JWTSSO_SECRET_FILE_MAX + 2);
        return JWTSSO_SECRET_UNREADABLE;
    }
    fclose(f);
    if (n > JWTSSO_SECRET_FILE_MAX) {
        jwtsso_secret_free(b, JWTSSO_SECRET_FILE_MAX + 2);
        return JWTSSO_SECRET_TOO_LARGE;
    }
    while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r')) {
        n--;
    }
    /* the newline and the unused rest cleansed now, so that freeing
     * with the secret's length (jwtsso_secret_free) leaves nothing */
    OPENSSL_cleanse(b + n, JWTSSO_SECRET_FILE_MAX + 2 - n);
    b[n] = '\0';
    *out = b;
    *len = n;
    return JWTSSO_SECRET_OK;
}

/* Whether a literal secret is really the absolute path of an existing
 * file (not a directory): the administrator forgot "file:", and the
 * path's text would become the key, so that every token fails as
 * bad_signature with nothing said. A real secret starting with '/' that
 * names an existing file is not worth keeping possible. */
static int is_file_path(const char *value)
{
    struct stat st;

    return value[0] == '/' && stat(value, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* A malloc'ed NUL-terminated copy of text. */
static jwtsso_secret_err_t copy(const char *text, unsigned char **out,
                                size_t *len)
{
    *len = strlen(text);
    *out = (unsigned char *)jwtsso_json_strndup(text, *len);
    return *out != NULL ? JWTSSO_SECRET_OK : JWTSSO_SECRET_INTERNAL;
}

jwtsso_secret_err_t jwtsso_secret_bytes(const char *value, const char *path,
                                        unsigned char **out, size_t *len,
                                        int *err)
{
    jwtsso_secret_err_t rv;
    const char *rest, *env;
    int sys = 0;

    *out = NULL;
    *len = 0;
    if (value == NULL) {
        return JWTSSO_SECRET_INTERNAL;
    }
    switch (jwtsso_secret_form(value, &rest)) {
    case 'f':
        if (*rest == '\0') {
            return JWTSSO_SECRET_NO_PATH;
        }
        rv = read_file(path != NULL ? path : rest, out, len, &sys);
        break;
    case 'e':
        env = *rest != '\0' ? getenv(rest) : NULL;
        if (env == NULL || *env == '\0') {
            return JWTSSO_SECRET_NO_ENV;
        }
        rv = copy(env, out, len);
        break;
    case 'b':
        rv = b64decode(rest, out, len);
        break;
    default:
        if (is_file_path(value)) {
            return JWTSSO_SECRET_IS_PATH;
        }
        rv = copy(value, out, len);
        break;
    }
    if (err != NULL) {
        *err = sys;
    }
    if (rv == JWTSSO_SECRET_OK && *len == 0) {
        jwtsso_secret_free(*out, 1);
        *out = NULL;
        rv = JWTSSO_SECRET_EMPTY;
    }
    return rv;
}
