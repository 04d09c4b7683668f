/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * test_b64.c - unit tests of the strict base64url codec
 * (src/core/b64url.c): known answers (RFC 4648 §10, RFC 7515 §A.1), and,
 * against an independent definition of a canonical text, at every length
 * 0..200 and every position:
 *  - round trips of random bytes (encode, then decode);
 *  - each of the 256 byte values put at each position of a 100-character
 *    text (and a few bad bytes at every position of every length): -1
 *    and *outlen 0 for a byte outside the alphabet;
 *  - the unused-bits rule for every last character at every length, and
 *    no length of 1 mod 4;
 *  - nothing written outside jwtsso_b64url_decoded_max(len) bytes
 *    (canary bytes on both sides; and exactly sized buffers, for ASan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtsso.h"
#include "unit.h"

#define MAXLEN 200
#define CANARY 0xa5
#define GUARD 32

static const char abc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The value of c in the alphabet, or -1: a plain search, independent of
 * the codec's tables. */
static int val(unsigned char c)
{
    const char *p = c != '\0' ? strchr(abc, c) : NULL;

    return p != NULL ? (int)(p - abc) : -1;
}

/* RFC 4648 §5 without padding, canonical (§3.5). */
static int canonical(const unsigned char *s, size_t len)
{
    size_t i;
    int last;

    if (len % 4 == 1) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (val(s[i]) < 0) {
            return 0;
        }
    }
    if (len % 4 == 0) {
        return 1;
    }
    last = val(s[len - 1]);
    return len % 4 == 2 ? (last & 0x0f) == 0 : (last & 0x03) == 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(void)
{
    /* xorshift64*: deterministic, good enough for test data */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (unsigned)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Decode text (len characters) into a buffer of exactly
 * decoded_max(len) bytes between canaries. Returns the decoder's result; the
 * bytes go to out (decoded_max(len) of them), *canary_ok says whether
 * the canaries survived and *outlen_ok whether *outlen was right. */
static int decode_guarded(const unsigned char *text,
                          size_t len, unsigned char *out, int *canary_ok,
                          int *outlen_ok)
{
    unsigned char buf[GUARD + MAXLEN + GUARD];
    size_t max = jwtsso_b64url_decoded_max(len), outlen = 12345, i;
    int rc;

    memset(buf, CANARY, sizeof(buf));
    rc = jwtsso_b64url_decode((const char *)text, len, buf + GUARD, &outlen);
    *canary_ok = 1;
    for (i = 0; i < GUARD; i++) {
        if (buf[i] != CANARY || buf[GUARD + max + i] != CANARY) {
            *canary_ok = 0;
        }
    }
    *outlen_ok = rc == 0 ? outlen == max : outlen == 0;
    memcpy(out, buf + GUARD, max);
    return rc;
}

/* Decode text: the decoder must say want (0 or -1), leave the canaries,
 * set *outlen right and, when want is 0 and expect is not NULL, give
 * expect. Returns 1 if all that holds; else NOTEs the failure (what and n
 * say which input) and returns 0. */
static int decodes(const unsigned char *text, size_t len, int want,
                   const unsigned char *expect, const char *what, unsigned n)
{
    unsigned char out[MAXLEN];
    size_t max = jwtsso_b64url_decoded_max(len);
    int rc, canary_ok, outlen_ok;

    rc = decode_guarded(text, len, out, &canary_ok, &outlen_ok);
    if (rc != want || !canary_ok || !outlen_ok
        || (want == 0 && expect != NULL && memcmp(out, expect, max) != 0)) {
        NOTE("len %u, %s %u: rc %d (want %d), canaries %s, outlen %s",
             (unsigned)len, what, n, rc, want,
             canary_ok ? "ok" : "OVERWRITTEN", outlen_ok ? "ok" : "WRONG");
        return 0;
    }
    return 1;
}

/* RFC 4648 §10's vectors in the URL alphabet without padding, bytes that
 * use '-' and '_', and the protected header of RFC 7515 §A.1. */
static void test_known_answers(void)
{
    static const struct {
        const char *text, *bytes;
        size_t len;
    } kat[] = {
        { "", "", 0 },
        { "Zg", "f", 1 },
        { "Zm8", "fo", 2 },
        { "Zm9v", "foo", 3 },
        { "Zm9vYg", "foob", 4 },
        { "Zm9vYmE", "fooba", 5 },
        { "Zm9vYmFy", "foobar", 6 },
        { "-_-_", "\xfb\xff\xbf", 3 },
        { "_w", "\xff", 1 },
        { "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9",
          "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}", 30 },
    };
    /* the same texts spelled otherwise: padding, the standard alphabet,
     * whitespace, non-zero unused bits */
    static const char *const refused[] = {
        "Zg==", "Zm8=", "+/+/", "Zm9v\n", " Zm9v", "Zh", "Zm9", "Z",
        "Zm9vY", "Zm9v=",
    };
    char enc[64];
    size_t i, n;
    int ok = 1, ok_enc = 1, ok_bad = 1;

    for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
        n = strlen(kat[i].text);
        ok &= decodes((const unsigned char *)kat[i].text, n, 0,
                      (const unsigned char *)kat[i].bytes, "vector",
                      (unsigned)i);
        ok &= jwtsso_b64url_decoded_max(n) == kat[i].len;
        if (jwtsso_b64url_encode((const unsigned char *)kat[i].bytes,
                                 kat[i].len, enc) != n
            || strcmp(enc, kat[i].text) != 0) {
            NOTE("encode of vector %u gave '%s'", (unsigned)i, enc);
            ok_enc = 0;
        }
    }
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        ok_bad &= decodes((const unsigned char *)refused[i],
                          strlen(refused[i]), -1, NULL, "refused",
                          (unsigned)i);
    }
    CHECK("rfc4648_s10_decode", ok);
    CHECK("rfc4648_s10_encode", ok_enc);
    CHECK("b64_padding_std_alphabet_space_bits_refused", ok_bad);
}

static void test_roundtrip(void)
{
    unsigned char bytes[MAXLEN], *exact;
    char text[MAXLEN * 2];
    size_t len, n, i, outlen;
    int ok = 1, ok_exact = 1, ok_len = 1;

    for (len = 0; len <= MAXLEN; len++) {
        for (i = 0; i < len; i++) {
            bytes[i] = (unsigned char)rnd();
        }
        n = jwtsso_b64url_encode(bytes, len, text);
        if (n != jwtsso_b64url_encoded_len(len) || text[n] != '\0'
            || jwtsso_b64url_decoded_max(n) != len) {
            NOTE("encode: len %u gave %u characters", (unsigned)len,
                 (unsigned)n);
            ok_len = 0;
            continue;
        }
        if (n > MAXLEN) {
            continue;           /* decode_guarded's buffer: texts <= 200 */
        }
        ok &= decodes((unsigned char *)text, n, 0, bytes, "round trip", 0);
    }
    CHECK("b64_encoded_len_decoded_max", ok_len);
    CHECK("b64_roundtrip_guarded_0_200", ok);

    /* exactly sized heap buffers, so ASan sees any byte past the end, and
     * texts of up to 268 characters, from up to 200 bytes */
    for (len = 0; len <= MAXLEN; len++) {
        for (i = 0; i < len; i++) {
            bytes[i] = (unsigned char)rnd();
        }
        n = jwtsso_b64url_encode(bytes, len, text);
        exact = malloc(len > 0 ? len : 1);
        if (exact == NULL) {
            ok_exact = 0;
            break;
        }
        if (jwtsso_b64url_decode(text, n, exact, &outlen) != 0
            || outlen != len || memcmp(exact, bytes, len) != 0) {
            NOTE("round trip of %u bytes", (unsigned)len);
            ok_exact = 0;
        }
        free(exact);
    }
    CHECK("b64_roundtrip_exact_buffers", ok_exact);
}

static void test_corruption(void)
{
    /* bytes that are not in the URL alphabet but close to it */
    static const unsigned char near[] = {
        '+', '/', '=', '.', ' ', '\n', '\0', '@', '[', '`', '{', ':', '^',
        ',', 0x7f, 0x80, 0xad, 0xdf, 0xff, '-' | 0x80, '_' | 0x80
    };
    unsigned char bytes[MAXLEN], text[MAXLEN * 2], t[MAXLEN * 2];
    size_t len, n, pos, i;
    unsigned b;
    int ok = 1, ok_near = 1;

    /* each of the 256 byte values at each position of a 100-character
     * text (75 bytes) */
    for (i = 0; i < 75; i++) {
        bytes[i] = (unsigned char)rnd();
    }
    n = jwtsso_b64url_encode(bytes, 75, (char *)text);
    for (pos = 0; pos < n && ok; pos++) {
        for (b = 0; b < 256 && ok; b++) {
            memcpy(t, text, n);
            t[pos] = (unsigned char)b;
            ok = decodes(t, n, val((unsigned char)b) >= 0 ? 0 : -1, NULL, "byte",
                       b);
            if (!ok) {
                NOTE("at position %u", (unsigned)pos);
            }
        }
    }
    CHECK("b64_every_byte_at_every_position_100", ok);

    /* a few bad bytes at every position of a text of every length */
    for (i = 0; i < MAXLEN; i++) {
        bytes[i] = (unsigned char)rnd();
    }
    for (len = 0; len <= MAXLEN && ok_near; len++) {
        /* len characters, or len - 1 where len is 1 mod 4 */
        n = jwtsso_b64url_encode(bytes, jwtsso_b64url_decoded_max(len),
                                 (char *)text);
        for (pos = 0; pos < n && ok_near; pos++) {
            for (i = 0; i < sizeof(near) && ok_near; i++) {
                memcpy(t, text, n);
                t[pos] = near[i];
                ok_near = decodes(t, n, -1, NULL, "near byte", near[i]);
                if (!ok_near) {
                    NOTE("at position %u", (unsigned)pos);
                }
            }
        }
    }
    CHECK("b64_near_bytes_every_position_every_length", ok_near);
}

static void test_unused_bits(void)
{
    unsigned char text[MAXLEN];
    size_t len, i;
    int ok = 1, ok1 = 1, c, want;

    for (len = 1; len <= MAXLEN && ok; len++) {
        for (i = 0; i < len; i++) {
            text[i] = (unsigned char)abc[rnd() % 64];
        }
        if (len % 4 == 1) {
            ok1 &= decodes(text, len, -1, NULL, "length 1 mod 4", 0);
            continue;
        }
        for (c = 0; c < 64 && ok; c++) {
            text[len - 1] = (unsigned char)abc[c];
            want = len % 4 == 0 || (len % 4 == 2 && (c & 0x0f) == 0)
                   || (len % 4 == 3 && (c & 0x03) == 0) ? 0 : -1;
            ok &= decodes(text, len, want, NULL, "last value", (unsigned)c);
        }
    }
    CHECK("b64_unused_bits_every_length", ok);
    CHECK("b64_length_1_mod_4", ok1);
}

/* Random texts, mostly alphabet with now and then another byte, against
 * the independent predicate: catches what the structured tests miss. */
static void test_random_texts(void)
{
    unsigned char text[MAXLEN];
    size_t len, i;
    unsigned r;
    int ok = 1;

    for (r = 0; r < 20000 && ok; r++) {
        len = rnd() % (MAXLEN + 1);
        for (i = 0; i < len; i++) {
            text[i] = rnd() % 64 == 0 ? (unsigned char)rnd()
                                      : (unsigned char)abc[rnd() % 64];
        }
        ok = decodes(text, len, canonical(text, len) ? 0 : -1, NULL,
                   "random text", r);
    }
    CHECK("b64_random_texts_vs_predicate", ok);
}

int main(void)
{
    test_known_answers();
    test_roundtrip();
    test_corruption();
    test_unused_bits();
    test_random_texts();
    return unit_done();
}
