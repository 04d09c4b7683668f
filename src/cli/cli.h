/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * cli.h - what the files of jwtsso-token share.
 *
 * jwtsso-token links the token core only (libjwtsso_core: libc, OpenSSL,
 * Jansson), no httpd and no APR: it verifies with the very code the
 * module runs, so its answer is the module's. One command a file:
 * signcmd.c, verify.c, inspect.c; common.c reads keys, secrets, tokens
 * and numbers for them; main.c dispatches.
 */
#ifndef JWTSSO_CLI_H
#define JWTSSO_CLI_H

#include <stddef.h>

#include "jwtsso.h"

/* Exit statuses (jwtsso-token.1, EXIT STATUS). */
#define CLI_OK       0  /* done; verify: the token is valid */
#define CLI_REFUSED  1  /* verify: refused; inspect: malformed */
#define CLI_USAGE    2  /* bad arguments, unusable key, secret or file */
#define CLI_INTERNAL 3  /* out of memory, a crypto library failure */
#define CLI_HELP     (-1) /* not an exit status: --help was printed */

/* The largest key, JWKS or token file read (as the module: 1 MiB). */
#define CLI_FILE_MAX (1024 * 1024)

/* Print "jwtsso-token CMD: " and the message to stderr, and the hint to
 * see CMD --help; returns CLI_USAGE. */
int jwtsso_common_usage(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The whole of path ("-": stdin), at most CLI_FILE_MAX bytes, malloc'ed
 * and NUL-terminated, into *text and *len; NULL with a message printed
 * (for cmd) on failure. */
char *jwtsso_common_read(const char *cmd, const char *path, size_t *len);

/* The token named by arg: the argument itself, or stdin for "-" (ASCII
 * whitespace around it dropped, as a pasted or echoed token has).
 * malloc'ed; NULL with a message printed on failure. */
char *jwtsso_common_token(const char *cmd, const char *arg, size_t *len);

/* A whole number in [min, max] from the whole of text: 0, or -1 (after a
 * usage message naming option). */
int jwtsso_common_number(const char *cmd, const char *option,
                         const char *text, long long min, long long max,
                         long long *out);

/* The secret value (the forms of JWTSSOSecret) into *out (free with
 * jwtsso_secret_free); under JWTSSO_SECRET_MIN bytes refused unless
 * allow_short. CLI_OK, or CLI_USAGE after a message. */
int jwtsso_common_secret(const char *cmd, const char *value, int allow_short,
                         unsigned char **out, size_t *len);

/* Add the algs named in text (names separated by commas or spaces, as
 * JWTSSOAlgorithms takes them) to *mask. 0, or -1 after a message. */
int jwtsso_common_algs(const char *cmd, const char *text, unsigned *mask);

/* Print "jwtsso-token CMD: what: " and the key error's text; returns
 * CLI_USAGE. */
int jwtsso_common_keyerr(const char *cmd, const char *what,
                         jwtsso_keyerr_t e);

/* The commands: argc/argv from the command name on. The exit status. */
int jwtsso_signcmd_run(int argc, char **argv);
int jwtsso_verify_run(int argc, char **argv);
int jwtsso_inspect_run(int argc, char **argv);

#endif /* JWTSSO_CLI_H */
