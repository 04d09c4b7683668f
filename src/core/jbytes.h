/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jbytes.h - the byte classes and word tricks the scanner's files share
 * (jscan.c, jstr.c, jnum.c). Private to them: not in internal.h.
 */
#ifndef JWTSSO_JBYTES_H
#define JWTSSO_JBYTES_H

#include <stdint.h>

/* Eight bytes at a time where the compiler lets us find the first
 * interesting byte of a little-endian word (GCC, Clang); elsewhere, or
 * with -DJWTSSO_JSCAN_NO_SWAR (to test that path), the byte loops alone. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) \
    && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ \
    && !defined(JWTSSO_JSCAN_NO_SWAR)
#define JSCAN_SWAR 1
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
#else
#define ALWAYS_INLINE inline
#endif

#define IS_DIGIT(c) ((unsigned)(c) - '0' < 10u)
#define IS_WS(c) ((c) == ' ' || (c) == '\n' || (c) == '\r' || (c) == '\t')
#define IS_CONT(c) (((c) & 0xc0) == 0x80)
#define SKIP_WS(p, end)                                                     \
    do {                                                                    \
        while ((p) < (end) && IS_WS(*(p))) {                                \
            (p)++;                                                          \
        }                                                                   \
    } while (0)

#endif /* JWTSSO_JBYTES_H */
