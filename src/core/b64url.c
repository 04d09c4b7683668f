/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * b64url.c - strict base64url (RFC 4648 §5), as RFC 7515 §2 uses it.
 *
 * Only the canonical text of some bytes is accepted: the URL alphabet, no
 * padding, no whitespace, no length of 1 mod 4, and zero unused bits in
 * the last character. So each byte string has exactly one encoding and a
 * token cannot be varied without changing its signed text. One scalar
 * decoder over a 256-entry table.
 */

#include "jwtsso.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The value of each byte as a base64url character: 0..63, or BAD (the
 * high bit) for any other byte; the values are OR-ed as they are read and
 * the high bit tested once at the end. */
#define BAD 0x80
static const unsigned char values[256] = {
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,  62, 128, 128,
     52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 128, 128, 128, 128, 128, 128,
    128,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
     15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 128, 128, 128, 128,  63,
    128,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
     41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
};

size_t jwtsso_b64url_decoded_max(size_t len)
{
    size_t rem = len % 4;

    return len / 4 * 3 + (rem > 1 ? rem - 1 : 0);
}

size_t jwtsso_b64url_encoded_len(size_t len)
{
    size_t rem = len % 3;

    return len / 3 * 4 + (rem ? rem + 1 : 0);
}

/* RFC 4648 §5 without padding; RFC 4648 §3.5: the unused bits of the
 * last character must be zero, so a text of 2 (3) characters in its last
 * group ends in a value with its low 4 (2) bits clear. */
int jwtsso_b64url_decode(const char *in, size_t len,
                         unsigned char *out, size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i, o = 0, full = len / 4 * 4, rem = len % 4;
    unsigned v0, v1, v2, v3, bad = 0;

    *outlen = 0;
    if (rem == 1) {
        return -1;
    }
    for (i = 0; i < full; i += 4) {
        v0 = values[s[i]];
        v1 = values[s[i + 1]];
        v2 = values[s[i + 2]];
        v3 = values[s[i + 3]];
        bad |= v0 | v1 | v2 | v3;
        out[o++] = (unsigned char)(v0 << 2 | v1 >> 4);
        out[o++] = (unsigned char)(v1 << 4 | v2 >> 2);
        out[o++] = (unsigned char)(v2 << 6 | v3);
    }
    if (rem != 0) {
        v0 = values[s[i]];
        v1 = values[s[i + 1]];
        v2 = rem == 3 ? values[s[i + 2]] : 0;
        bad |= v0 | v1 | v2;
        if (rem == 2 ? (v1 & 0x0f) != 0 : (v2 & 0x03) != 0) {
            bad |= BAD;
        }
        out[o++] = (unsigned char)(v0 << 2 | v1 >> 4);
        if (rem == 3) {
            out[o++] = (unsigned char)(v1 << 4 | v2 >> 2);
        }
    }
    /* out may hold bytes of a text that turned out bad: the caller gets
     * only -1 and *outlen 0 then */
    if (bad & BAD) {
        return -1;
    }
    *outlen = o;
    return 0;
}

size_t jwtsso_b64url_encode(const unsigned char *in, size_t len, char *out)
{
    size_t i, o = 0, full = len / 3 * 3;

    for (i = 0; i < full; i += 3) {
        out[o++] = alphabet[in[i] >> 2];
        out[o++] = alphabet[(in[i] & 0x03) << 4 | in[i + 1] >> 4];
        out[o++] = alphabet[(in[i + 1] & 0x0f) << 2 | in[i + 2] >> 6];
        out[o++] = alphabet[in[i + 2] & 0x3f];
    }
    if (len - full == 1) {
        out[o++] = alphabet[in[i] >> 2];
        out[o++] = alphabet[(in[i] & 0x03) << 4];
    }
    else if (len - full == 2) {
        out[o++] = alphabet[in[i] >> 2];
        out[o++] = alphabet[(in[i] & 0x03) << 4 | in[i + 1] >> 4];
        out[o++] = alphabet[(in[i + 1] & 0x0f) << 2];
    }
    out[o] = '\0';
    return o;
}
