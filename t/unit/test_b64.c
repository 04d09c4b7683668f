/*
 * test_b64.c - unit tests of the strict base64url codec
 * (src/core/b64url.c), its two decoders held against each other and
 * against an independent definition of a canonical text.
 *
 * jwtsso_b64url_decode takes the SSSE3 path on an x86-64 CPU that has it
 * (for texts of 16 characters or more), jwtsso_b64url_decode_scalar is
 * the table-driven loop; on other machines both are the scalar code and
 * the checks still hold. Checked on both, at every length 0..200 and
 * every position:
 *  - round trips of random bytes (encode, then decode);
 *  - each of the 256 byte values put at each position of a 100-character
 *    text (and a few bad bytes at every position of every length): -1
 *    and *outlen 0 for a byte outside the alphabet, the same bytes from
 *    both paths for one inside;
 *  - the unused-bits rule for every last character at every length, and
 *    no length of 1 mod 4;
 *  - nothing written outside jwtsso_b64url_decoded_max(len) bytes
 *    (canary bytes on both sides; and exactly sized buffers, for ASan);
 * then a rough ns per 250-character decode for each path (a NOTE).
 */
#define _POSIX_C_SOURCE 200809L    /* clock_gettime */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwtsso.h"
#include "unit.h"

/* Not in jwtsso.h: the scalar decoder (src/core/b64url.c). */
int jwtsso_b64url_decode_scalar(const char *in, size_t len,
                                unsigned char *out, size_t *outlen);

typedef int (*decode_fn)(const char *, size_t, unsigned char *, size_t *);

static const struct {
    const char *name;
    decode_fn fn;
} paths[] = {
    { "dispatch", jwtsso_b64url_decode },
    { "scalar", jwtsso_b64url_decode_scalar },
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

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

/* Decode text (len characters) with fn into a buffer of exactly
 * decoded_max(len) bytes between canaries. Returns fn's result; the
 * bytes go to out (decoded_max(len) of them), *canary_ok says whether
 * the canaries survived and *outlen_ok whether *outlen was right. */
static int decode_guarded(decode_fn fn, const unsigned char *text,
                          size_t len, unsigned char *out, int *canary_ok,
                          int *outlen_ok)
{
    unsigned char buf[GUARD + MAXLEN + GUARD];
    size_t max = jwtsso_b64url_decoded_max(len), outlen = 12345, i;
    int rc;

    memset(buf, CANARY, sizeof(buf));
    rc = fn((const char *)text, len, buf + GUARD, &outlen);
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

/* Decode text with every path: each must say want (0 or -1), leave the
 * canaries, set *outlen right and, when want is 0, give the same bytes
 * (and expect, if not NULL). Returns 1 if all that holds; else NOTEs the
 * first failure (what and n say which input) and returns 0. */
static int agree(const unsigned char *text, size_t len, int want,
                 const unsigned char *expect, const char *what, unsigned n)
{
    unsigned char out[NPATHS][MAXLEN];
    size_t max = jwtsso_b64url_decoded_max(len), p;
    int rc, canary_ok, outlen_ok;

    for (p = 0; p < NPATHS; p++) {
        rc = decode_guarded(paths[p].fn, text, len, out[p], &canary_ok,
                            &outlen_ok);
        if (rc != want || !canary_ok || !outlen_ok
            || (want == 0 && expect != NULL
                && memcmp(out[p], expect, max) != 0)
            || (want == 0 && memcmp(out[p], out[0], max) != 0)) {
            NOTE("%s path, len %u, %s %u: rc %d (want %d), canaries %s, "
                 "outlen %s", paths[p].name, (unsigned)len, what, n, rc,
                 want, canary_ok ? "ok" : "OVERWRITTEN",
                 outlen_ok ? "ok" : "WRONG");
            return 0;
        }
    }
    return 1;
}

static void test_roundtrip(void)
{
    unsigned char bytes[MAXLEN], *exact;
    char text[MAXLEN * 2];
    size_t len, n, i, p, outlen;
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
        ok &= agree((unsigned char *)text, n, 0, bytes, "round trip", 0);
    }
    CHECK("b64_encoded_len_decoded_max", ok_len);
    CHECK("b64_roundtrip_guarded_0_200", ok);

    /* exactly sized heap buffers, so ASan sees any byte past the end, and
     * texts up to 200 characters from up to 200 bytes */
    for (len = 0; len <= MAXLEN; len++) {
        for (i = 0; i < len; i++) {
            bytes[i] = (unsigned char)rnd();
        }
        n = jwtsso_b64url_encode(bytes, len, text);
        for (p = 0; p < NPATHS; p++) {
            exact = malloc(len > 0 ? len : 1);
            if (exact == NULL) {
                ok_exact = 0;
                break;
            }
            if (paths[p].fn(text, n, exact, &outlen) != 0
                || outlen != len || memcmp(exact, bytes, len) != 0) {
                NOTE("%s path: round trip of %u bytes", paths[p].name,
                     (unsigned)len);
                ok_exact = 0;
            }
            free(exact);
        }
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
     * text: 75 bytes, so both vector stores and the scalar tail */
    for (i = 0; i < 75; i++) {
        bytes[i] = (unsigned char)rnd();
    }
    n = jwtsso_b64url_encode(bytes, 75, (char *)text);
    if (!CHECK("b64_corrupt_setup", n == 100)) {
        return;
    }
    for (pos = 0; pos < n && ok; pos++) {
        for (b = 0; b < 256 && ok; b++) {
            memcpy(t, text, n);
            t[pos] = (unsigned char)b;
            ok = agree(t, n, val((unsigned char)b) >= 0 ? 0 : -1, NULL, "byte",
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
                ok_near = agree(t, n, -1, NULL, "near byte", near[i]);
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
            ok1 &= agree(text, len, -1, NULL, "length 1 mod 4", 0);
            continue;
        }
        for (c = 0; c < 64 && ok; c++) {
            text[len - 1] = (unsigned char)abc[c];
            want = len % 4 == 0 || (len % 4 == 2 && (c & 0x0f) == 0)
                   || (len % 4 == 3 && (c & 0x03) == 0) ? 0 : -1;
            if (want != (canonical(text, len) ? 0 : -1)) {
                NOTE("the test's own predicates disagree");
                ok = 0;
            }
            ok &= agree(text, len, want, NULL, "last value", (unsigned)c);
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
        ok = agree(text, len, canonical(text, len) ? 0 : -1, NULL,
                   "random text", r);
    }
    CHECK("b64_random_texts_vs_predicate", ok);
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ns per decode of a 250-character text: the best of 5 rounds */
static void test_speed(void)
{
    unsigned char bytes[187], out[187];
    char text[251];
    volatile unsigned sink = 0;
    double best[NPATHS], t0, t;
    size_t n, p, outlen;
    int round, i, iters = 100000, ok = 1;

    for (i = 0; i < (int)sizeof(bytes); i++) {
        bytes[i] = (unsigned char)rnd();
    }
    n = jwtsso_b64url_encode(bytes, sizeof(bytes), text);
    for (p = 0; p < NPATHS; p++) {
        best[p] = 1e30;
    }
    for (round = 0; round < 5; round++) {
        for (p = 0; p < NPATHS; p++) {
            t0 = now_ns();
            for (i = 0; i < iters; i++) {
                if (paths[p].fn(text, n, out, &outlen) != 0) {
                    ok = 0;
                }
                sink += out[i % sizeof(out)];
            }
            t = (now_ns() - t0) / iters;
            best[p] = t < best[p] ? t : best[p];
        }
    }
    CHECK("b64_speed_run", ok && n == 250);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    NOTE("this CPU has SSSE3: %s (the dispatch path uses it)",
         __builtin_cpu_supports("ssse3") ? "yes" : "no");
#else
    NOTE("no vector path on this machine or compiler");
#endif
    for (p = 0; p < NPATHS; p++) {
        NOTE("%s: %.1f ns per %u-character decode", paths[p].name, best[p],
             (unsigned)n);
    }
    (void)sink;
}

int main(void)
{
    test_roundtrip();
    test_corruption();
    test_unused_bits();
    test_random_texts();
    test_speed();
    return unit_done();
}
