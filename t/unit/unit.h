/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * unit.h - a tiny test runner for the core's unit tests.
 *
 * Each check prints "ok - name" or "not ok - name (file:line)"; unit_done()
 * prints "unit: N passed, M failed" and gives the exit status: 1 if a
 * check failed, else 77 (automake's SKIP) if unit_skip() said some tests
 * could not run, else 0. Test programs only: the core itself keeps no
 * globals.
 */
#ifndef JWTSSO_UNIT_H
#define JWTSSO_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_passed;
static int unit_failed;
static int unit_skipped;

static int unit_check(const char *name, int ok, const char *file, int line)
{
    if (ok) {
        unit_passed++;
        printf("ok - %s\n", name);
    }
    else {
        unit_failed++;
        printf("not ok - %s (%s:%d)\n", name, file, line);
    }
    fflush(stdout);
    return ok;
}

/* CHECK(name, condition): one check; evaluates to the condition. */
#define CHECK(name, cond) unit_check((name), (cond) ? 1 : 0, \
                                     __FILE__, __LINE__)

/* A diagnostic line, TAP style, for a failure's details. */
#define NOTE(...) (printf("# " __VA_ARGS__), printf("\n"))

/* Some tests did not run, for reason: the program still runs the others,
 * but cannot pass, since a pass would claim what was not tested.
 * scripts/test lists the reason from this line of the program's log. */
static inline void unit_skip(const char *reason)
{
    unit_skipped = 1;
    printf("SKIP: %s\n", reason);
    fflush(stdout);
}

static int unit_done(void)
{
    printf("unit: %d passed, %d failed%s\n", unit_passed, unit_failed,
           unit_skipped ? ", some tests skipped (SKIP above)" : "");
    return unit_failed > 0 ? 1 : unit_skipped ? 77 : 0;
}

/* The fixture directory: argv[1], else $UNIT_FIXTURES (which `make check`
 * sets). NULL, after unit_skip() with the reason, when there is none or
 * when mkfixtures.sh could not make the fixtures (its reason in the
 * directory's SKIP file); what names the tests that then do not run. */
static inline const char *unit_fixtures(int argc, char **argv, const char *what)
{
    static char reason[1024];
    char path[4096], why[512] = "";
    const char *dir = argc > 1 ? argv[1] : getenv("UNIT_FIXTURES");
    FILE *f;

    if (dir == NULL || *dir == '\0') {
        snprintf(reason, sizeof(reason), "%s: no fixture directory "
                 "(an argument or $UNIT_FIXTURES; `make check` makes one)",
                 what);
        unit_skip(reason);
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/SKIP", dir);
    f = fopen(path, "r");
    if (f == NULL) {
        return dir;
    }
    if (fgets(why, sizeof(why), f) == NULL) {
        strcpy(why, "(no reason given)");
    }
    fclose(f);
    why[strcspn(why, "\r\n")] = '\0';
    snprintf(reason, sizeof(reason), "%s: fixtures not made: %s", what, why);
    unit_skip(reason);
    return NULL;
}

/* The bytes of dir/file (up to 64 KiB, NUL-terminated; *len without the
 * NUL, len may be NULL), or NULL with a note. Fixtures from mkfixtures.sh. */
static inline char *unit_slurp(const char *dir, const char *file,
                               size_t *len)
{
    char path[4096], *buf;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    f = fopen(path, "rb");
    if (f == NULL) {
        NOTE("cannot read %s", path);
        return NULL;
    }
    buf = calloc(1, 65536);
    n = buf != NULL ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (len != NULL) {
        *len = n;
    }
    return buf;
}

/* A token fixture: dir/file without its trailing newline. */
static inline char *unit_token(const char *dir, const char *file)
{
    size_t n = 0;
    char *t = unit_slurp(dir, file, &n);

    while (t != NULL && n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r')) {
        t[--n] = '\0';
    }
    return t;
}

#endif /* JWTSSO_UNIT_H */
