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

#endif /* JWTSSO_UNIT_H */
