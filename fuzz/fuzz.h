/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
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
#include <string.h>

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

/* The signing input "b64(header).b64(payload)" (NUL-terminated, malloc'ed)
 * of an input read as "header LF payload", or as a payload alone under
 * an HS256 header; its length in *len. */
static inline char *fuzz_signing_input(const uint8_t *data, size_t size,
                                       size_t *len)
{
    static const char dflt[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    const uint8_t *nl = memchr(data, '\n', size);
    const uint8_t *h = (const uint8_t *)dflt, *p = data;
    size_t hl = sizeof(dflt) - 1, pl = size, n;
    char *si;

    if (nl != NULL && nl + 1 < data + size && nl[1] == '{') {
        h = data;
        hl = (size_t)(nl - data);
        p = nl + 1;
        pl = size - hl - 1;
    }
    si = malloc(jwtsso_b64url_encoded_len(hl) + 1
                + jwtsso_b64url_encoded_len(pl) + 2);
    FUZZ_NEED(si);
    n = jwtsso_b64url_encode(h, hl, si);
    si[n++] = '.';
    n += jwtsso_b64url_encode(p, pl, si + n);
    *len = n;
    return si;
}

#endif /* JWTSSO_FUZZ_H */
