/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * test_secret.c - unit tests of secret.c, the forms of a shared secret
 * (literal, file:PATH, env:NAME, base64:DATA) that JWTSSOSecret and
 * jwtsso-token both read, linking only the core. Files are made in a
 * temporary directory and removed.
 */
#define _POSIX_C_SOURCE 200809L    /* setenv, mkdtemp */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwtsso.h"
#include "unit.h"

/* value gives exactly the bytes want (wlen) */
static int gives(const char *value, const char *path, const char *want,
                 size_t wlen)
{
    unsigned char *out = NULL;
    size_t len = 0;
    int ok;

    ok = jwtsso_secret_bytes(value, path, &out, &len, NULL)
         == JWTSSO_SECRET_OK && out != NULL && len == wlen
         && memcmp(out, want, wlen) == 0 && out[len] == '\0';
    jwtsso_secret_free(out, len);
    return ok;
}

/* value fails with e, and *out is NULL */
static int fails(const char *value, const char *path, jwtsso_secret_err_t e)
{
    unsigned char *out = (unsigned char *)"x";
    size_t len = 7;

    return jwtsso_secret_bytes(value, path, &out, &len, NULL) == e
           && out == NULL && len == 0;
}

static void test_forms(void)
{
    const char *rest = NULL;

    CHECK("form_file", jwtsso_secret_form("file:/x", &rest) == 'f'
          && strcmp(rest, "/x") == 0);
    CHECK("form_env", jwtsso_secret_form("env:A", &rest) == 'e'
          && strcmp(rest, "A") == 0);
    CHECK("form_base64", jwtsso_secret_form("base64:QQ", &rest) == 'b'
          && strcmp(rest, "QQ") == 0);
    CHECK("form_literal", jwtsso_secret_form("File:/x", &rest) == 'l'
          && strcmp(rest, "File:/x") == 0
          && jwtsso_secret_form("plain", NULL) == 'l');
    CHECK("literal_bytes", gives("s3cret with spaces", NULL,
                                 "s3cret with spaces", 18));
    CHECK("literal_empty", fails("", NULL, JWTSSO_SECRET_EMPTY));
    CHECK("null_value", fails(NULL, NULL, JWTSSO_SECRET_INTERNAL));
}

static void test_base64(void)
{
    /* "\xfb\xff\xfe" is "+//+" in standard base64, "-__-" URL-safe */
    CHECK("b64_std", gives("base64:+//+", NULL, "\xfb\xff\xfe", 3));
    CHECK("b64_url", gives("base64:-__-", NULL, "\xfb\xff\xfe", 3));
    CHECK("b64_padded", gives("base64:YWI=", NULL, "ab", 2)
          && gives("base64:YQ==", NULL, "a", 1));
    CHECK("b64_unpadded", gives("base64:YWI", NULL, "ab", 2)
          && gives("base64:YQ", NULL, "a", 1));
    CHECK("b64_nul_byte", gives("base64:AGE=", NULL, "\0a", 2));
    CHECK("b64_bad_char", fails("base64:YW*x", NULL,
                                JWTSSO_SECRET_NOT_BASE64));
    CHECK("b64_one_mod_4", fails("base64:YWJjZ", NULL,
                                 JWTSSO_SECRET_NOT_BASE64));
    CHECK("b64_bad_padding", fails("base64:YWI==", NULL,
                                   JWTSSO_SECRET_NOT_BASE64)
          && fails("base64:Y===", NULL, JWTSSO_SECRET_NOT_BASE64)
          && fails("base64:YQ=", NULL, JWTSSO_SECRET_NOT_BASE64)
          && fails("base64:YQ==x", NULL, JWTSSO_SECRET_NOT_BASE64));
    CHECK("b64_space", fails("base64:YWJj ZGVm", NULL,
                             JWTSSO_SECRET_NOT_BASE64));
    CHECK("b64_empty", fails("base64:", NULL, JWTSSO_SECRET_NOT_BASE64));
}

static void test_env(void)
{
    setenv("JWTSSO_UNIT_SECRET", "from the environment", 1);
    setenv("JWTSSO_UNIT_EMPTY", "", 1);
    unsetenv("JWTSSO_UNIT_UNSET");
    CHECK("env_set", gives("env:JWTSSO_UNIT_SECRET", NULL,
                           "from the environment", 20));
    CHECK("env_empty", fails("env:JWTSSO_UNIT_EMPTY", NULL,
                             JWTSSO_SECRET_NO_ENV));
    CHECK("env_unset", fails("env:JWTSSO_UNIT_UNSET", NULL,
                             JWTSSO_SECRET_NO_ENV));
    CHECK("env_no_name", fails("env:", NULL, JWTSSO_SECRET_NO_ENV));
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(data, 1, len, f) == len;

    return f != NULL && fclose(f) == 0 && ok;
}

static void test_file(void)
{
    char dir[] = "/tmp/jwtsso-secret-XXXXXX", a[64], b[64], c[64], v[80];
    unsigned char *out = NULL;
    size_t len = 0;
    char *big;
    int err = 0;

    if (!CHECK("mkdtemp", mkdtemp(dir) != NULL)) {
        return;
    }
    snprintf(a, sizeof(a), "%s/a", dir);
    snprintf(b, sizeof(b), "%s/big", dir);
    snprintf(c, sizeof(c), "%s/nl", dir);
    write_file(a, "file secret\r\n\n", 14);
    big = calloc(1, JWTSSO_SECRET_FILE_MAX + 1);
    memset(big, 'x', JWTSSO_SECRET_FILE_MAX + 1);
    write_file(b, big, JWTSSO_SECRET_FILE_MAX + 1);
    write_file(c, "\n", 1);
    snprintf(v, sizeof(v), "file:%s", a);
    CHECK("file_newlines_dropped", gives(v, NULL, "file secret", 11));
    CHECK("file_path_given", gives("file:relative/name", a,
                                   "file secret", 11));
    snprintf(v, sizeof(v), "file:%s", b);
    CHECK("file_too_large", fails(v, NULL, JWTSSO_SECRET_TOO_LARGE));
    write_file(b, big, JWTSSO_SECRET_FILE_MAX);
    CHECK("file_at_the_limit", jwtsso_secret_bytes(v, NULL, &out, &len, NULL)
          == JWTSSO_SECRET_OK && len == JWTSSO_SECRET_FILE_MAX);
    jwtsso_secret_free(out, len);
    snprintf(v, sizeof(v), "file:%s", c);
    CHECK("file_only_newline_empty", fails(v, NULL, JWTSSO_SECRET_EMPTY));
    snprintf(v, sizeof(v), "file:%s/missing", dir);
    CHECK("file_missing", jwtsso_secret_bytes(v, NULL, &out, &len, &err)
          == JWTSSO_SECRET_UNREADABLE && out == NULL && err == ENOENT);
    snprintf(v, sizeof(v), "file:%s", dir);
    CHECK("file_directory", jwtsso_secret_bytes(v, NULL, &out, &len, &err)
          == JWTSSO_SECRET_UNREADABLE && out == NULL && err == EISDIR);
    CHECK("file_no_path", fails("file:", NULL, JWTSSO_SECRET_NO_PATH));
    /* "file:" forgotten: the path of an existing file, as a literal */
    CHECK("literal_file_path", fails(a, NULL, JWTSSO_SECRET_IS_PATH));
    CHECK("literal_file_path_ignores_path_arg",
          fails(a, b, JWTSSO_SECRET_IS_PATH));
    snprintf(v, sizeof(v), "%s/missing-secret-0123456789abcdef", dir);
    CHECK("literal_missing_path_is_text", gives(v, NULL, v, strlen(v)));
    CHECK("literal_directory_is_text", gives(dir, NULL, dir, strlen(dir)));
    snprintf(v, sizeof(v), "base64:%s", "L2V0Yw==");
    CHECK("base64_of_a_path_is_bytes", gives(v, NULL, "/etc", 4));
    free(big);
    unlink(a);
    unlink(b);
    unlink(c);
    rmdir(dir);
}

int main(void)
{
    test_forms();
    test_base64();
    test_env();
    test_file();
    return unit_done();
}
