/*
 * unit.h - a tiny test runner for the core's unit tests.
 *
 * Each check prints "ok - name" or "not ok - name (file:line)"; unit_done()
 * prints "unit: N passed, M failed" and gives the exit status. Test
 * programs only: the core itself keeps no globals.
 */
#ifndef JWTSSO_UNIT_H
#define JWTSSO_UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_passed;
static int unit_failed;

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

static int unit_done(void)
{
    printf("unit: %d passed, %d failed\n", unit_passed, unit_failed);
    return unit_failed > 0 ? 1 : 0;
}

/* The bytes of dir/file (up to 64 KiB, NUL-terminated; *len without the
 * NUL, len may be NULL), or NULL with a note. Fixtures from run-unit.sh. */
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
