/*
 * fuzz.h - what the fuzz targets share: the fixed test keys, the clock,
 * and FUZZ_ASSERT, which turns a broken property into a crash that
 * libFuzzer (and the replay build) reports like a sanitizer finding.
 *
 * The targets link the src/core sources directly (fuzz/build.sh); nothing here is
 * part of the core's API.
 */
#ifndef JWTSSO_FUZZ_H
#define JWTSSO_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jwtsso.h"

/* The clock every target verifies at: 2023-11-14T22:13:20Z. The seed
 * tokens and records are made around it (fuzz/gen-corpus.sh). */
#define FUZZ_NOW 1700000000LL

/* HMAC secrets of the JWS key set: one without kid, one with kid "k1". */
#define FUZZ_SECRET "fuzz-secret-0123456789abcdef-0123456789abcdef"
#define FUZZ_SECRET_K1 "fuzz-secret-k1-fedcba9876543210-fedcba98765432"
#define FUZZ_KID_K1 "k1"

/* Session records: key material, realm (AuthName) and public origin. */
#define FUZZ_RECORD_MATERIAL "fuzz-record-material-0123456789abcdef"
#define FUZZ_REALM "intranet"
#define FUZZ_ORIGIN "https://www.example.com"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold for every input. */
#define FUZZ_ASSERT(cond)                                                   \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* An allocation the harness itself needs; running out is no finding. */
#define FUZZ_NEED(p)                                                        \
    do {                                                                    \
        if ((p) == NULL) {                                                  \
            fprintf(stderr, "%s:%d: out of memory\n", __FILE__, __LINE__); \
            abort();                                                        \
        }                                                                   \
    } while (0)

#endif /* JWTSSO_FUZZ_H */
