/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * replay.c - a main() for the replay build of a fuzz target: runs
 * LLVMFuzzerTestOneInput once on every file named, and on every file in
 * every directory named (not recursively). Built with ASan and UBSan but
 * without libFuzzer (fuzz/build.sh), so scripts/test can replay the
 * corpora wherever a C compiler with the sanitizers is. A crash or a
 * sanitizer report ends the run with a non-zero status; the last file
 * printed is the one that did it.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int verbose;
static const char *current;     /* the input being run, for a crash */

static void say_current(void)
{
    if (current != NULL) {
        (void)!write(2, "replay: CRASH on input ", 23);
        (void)!write(2, current, strlen(current));
        (void)!write(2, "\n", 1);
        current = NULL;
    }
}

/* FUZZ_ASSERT aborts; name the input, then die of the same signal. */
static void on_abort(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static int run_file(const char *path)
{
    FILE *f;
    uint8_t *buf;
    struct stat st;
    size_t n;

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "replay: %s: not a regular file\n", path);
        return -1;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* exactly the file's size, so ASan sees a read past the input */
    buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (buf == NULL) {
        fclose(f);
        return -1;
    }
    n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    if (n != (size_t)st.st_size) {
        fprintf(stderr, "replay: %s: short read\n", path);
        free(buf);
        return -1;
    }
    if (verbose) {
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    }
    current = path;
    LLVMFuzzerTestOneInput(buf, n);
    current = NULL;
    free(buf);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    struct stat st;
    struct dirent *de;
    DIR *d;
    char **names, *p;
    size_t n, cap, i, runs = 0;
    int a, bad = 0;

    verbose = getenv("REPLAY_VERBOSE") != NULL;
    __sanitizer_set_death_callback(say_current);
    signal(SIGABRT, on_abort);
    for (a = 1; a < argc; a++) {
        if (stat(argv[a], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[a], strerror(errno));
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[a]) != 0;
            runs++;
            continue;
        }
        d = opendir(argv[a]);
        if (d == NULL) {
            fprintf(stderr, "replay: %s: %s\n", argv[a], strerror(errno));
            bad = 1;
            continue;
        }
        names = NULL;
        n = cap = 0;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.') {
                continue;   /* ., .., .gitkeep */
            }
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                names = realloc(names, cap * sizeof(*names));
                if (names == NULL) {
                    return 2;
                }
            }
            p = malloc(strlen(argv[a]) + strlen(de->d_name) + 2);
            if (p == NULL) {
                return 2;
            }
            sprintf(p, "%s/%s", argv[a], de->d_name);
            names[n++] = p;
        }
        closedir(d);
        if (n > 0) {
            qsort(names, n, sizeof(*names), cmp);
        }
        for (i = 0; i < n; i++) {
            if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
                bad |= run_file(names[i]) != 0;
                runs++;
            }
            free(names[i]);
        }
        free(names);
    }
    printf("replay: %zu inputs, %s\n", runs, bad ? "some unreadable" : "no crash");
    return bad;
}
