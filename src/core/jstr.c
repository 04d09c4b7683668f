/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jstr.c - JSON strings for the token path's scanner (jscan.h): checking
 * a string's bytes, decoding it, and comparing member names for
 * duplicates, all on the raw text (nothing copied until asked).
 *
 * Strings are checked with a 256-entry byte class table: plain ASCII is
 * skipped eight bytes at a time with word arithmetic (GCC or Clang,
 * little-endian), then four table lookups at a time; only quotes,
 * backslashes, control characters and the first byte of a UTF-8 sequence
 * leave the fast loop. UTF-8 is checked as Jansson's utf.c does (RFC
 * 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no
 * truncated sequences), and so are escapes (\u0000 refused, a high
 * surrogate must be followed by an escaped low one, a low one alone is
 * refused).
 *
 * Duplicate names: the scanner keeps each member name of an open object
 * on a name stack and hands an object's names here when it closes; they
 * are compared after decoding escapes. Up to PAIRWISE_MAX names, without
 * allocation: a 6-bit signature of each (decoded length, first and last
 * byte) goes into a 64-bit mask, and only names whose signature is
 * already there are compared with the earlier names of that signature
 * (O(k) usually, at most k^2/2 comparisons). Beyond that, (hash, decoded
 * name) pairs are sorted in a malloc'd array with heapsort and
 * neighbours compared: O(k log k) comparisons whatever the names are.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "jbytes.h"

/* Objects with up to this many members are checked without allocation. */
#define PAIRWISE_MAX 64

/* Byte classes inside a string. */
enum {
    S_PLAIN,    /* 0x20..0x7f but '"' and '\\' */
    S_QUOTE,
    S_BSLASH,
    S_CTRL,     /* below 0x20: refused */
    S_U2,       /* C2..DF: one continuation byte follows */
    S_E0,       /* E0: A0..BF, then one continuation */
    S_U3,       /* E1..EC, EE, EF: two continuations */
    S_ED,       /* ED: 80..9F (no surrogates), then one continuation */
    S_F0,       /* F0: 90..BF, then two continuations */
    S_U4,       /* F1..F3: three continuations */
    S_F4,       /* F4: 80..8F (at most U+10FFFF), then two continuations */
    S_BAD       /* continuation bytes, C0, C1, F5..FF: never a first byte */
};

static const unsigned char sclass[256] = {
     3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  /* 00 */
     3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  /* 10 */
     0,  0,  1,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 20 */
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 30 */
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 40 */
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  2,  0,  0,  0,  /* 50 */
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 60 */
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 70 */
    11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11,  /* 80 */
    11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11,  /* 90 */
    11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11,  /* A0 */
    11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11,  /* B0 */
    11, 11,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  /* C0 */
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  /* D0 */
     5,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  7,  6,  6,  /* E0 */
     8,  9,  9,  9, 10, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11,  /* F0 */
};

/* Hex digit values; 16 for any other byte. */
static const unsigned char hexval[256] = {
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 00 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 10 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 20 */
     0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 16, 16, 16, 16, 16, 16,  /* 30 */
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 40 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 50 */
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 60 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 70 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 80 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* 90 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* A0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* B0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* C0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* D0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* E0 */
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,  /* F0 */
};


/* A name with the hash of its decoded bytes, for the sorting check. */
typedef struct {
    uint64_t h;
    const unsigned char *p;
    size_t lenx;
} hname_t;

/* A reader of a raw string's decoded bytes, one at a time. */
typedef struct {
    const unsigned char *p, *end;
    unsigned char buf[4];
    unsigned bi, bn;
} dcur_t;

/* ---------------------------------------------------------------------
 * Escapes and UTF-8
 */

/* Four hex digits at p (the caller checked there are four bytes), or -1. */
static long hex4(const unsigned char *p)
{
    unsigned a = hexval[p[0]], b = hexval[p[1]];
    unsigned c = hexval[p[2]], d = hexval[p[3]];

    if ((a | b | c | d) & 0x10) {
        return -1;
    }
    return (long)(a << 12 | b << 8 | c << 4 | d);
}

/* Check the escape at p (a backslash) as Jansson does; returns the byte
 * after it, or NULL. */
static const unsigned char *scan_escape(const unsigned char *p,
                                        const unsigned char *end)
{
    long cp, lo;

    if (end - p < 2) {
        return NULL;
    }
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
    case 't':
        return p + 2;
    case 'u':
        break;
    default:
        return NULL;
    }
    if (end - p < 6 || (cp = hex4(p + 2)) < 0) {
        return NULL;
    }
    /* \u0000: Jansson refuses NUL unless JSON_ALLOW_NUL */
    if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff)) {
        return NULL;
    }
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u') {
            return NULL;
        }
        lo = hex4(p + 8);
        if (lo < 0xdc00 || lo > 0xdfff) {
            return NULL;
        }
        return p + 12;
    }
    return p + 6;
}

/* The first byte at or after p that is not plain string text (or end). */
static ALWAYS_INLINE const unsigned char *
skip_plain(const unsigned char *p, const unsigned char *end)
{
#ifdef JSCAN_SWAR
    uint64_t x, q, b, t;

    /* Flag the bytes below 0x20 or above 0x7f, '"' and '\\'. A borrow
     * can flag a byte wrongly only above a rightly flagged one, so the
     * lowest flag is exact. */
    while (end - p >= 8) {
        memcpy(&x, p, 8);
        q = x ^ (ONES * '"');
        b = x ^ (ONES * '\\');
        t = ((q - ONES) & ~q) | ((b - ONES) & ~b) | (x - ONES * 0x20) | x;
        t &= HIGHS;
        if (t != 0) {
            return p + (__builtin_ctzll(t) >> 3);
        }
        p += 8;
    }
#endif
    while (end - p >= 4) {
        if (sclass[p[0]] != S_PLAIN) {
            return p;
        }
        if (sclass[p[1]] != S_PLAIN) {
            return p + 1;
        }
        if (sclass[p[2]] != S_PLAIN) {
            return p + 2;
        }
        if (sclass[p[3]] != S_PLAIN) {
            return p + 3;
        }
        p += 4;
    }
    while (p < end && sclass[*p] == S_PLAIN) {
        p++;
    }
    return p;
}

/* A UTF-8 sequence's length and the range of its second byte, by the
 * class of its first (RFC 3629 §4); the others are 80..BF. */
static const struct {
    unsigned char len, lo, hi;
} utf8_rule[S_BAD] = {
    [S_U2] = { 2, 0x80, 0xbf }, [S_E0] = { 3, 0xa0, 0xbf },
    [S_U3] = { 3, 0x80, 0xbf }, [S_ED] = { 3, 0x80, 0x9f },
    [S_F0] = { 4, 0x90, 0xbf }, [S_U4] = { 4, 0x80, 0xbf },
    [S_F4] = { 4, 0x80, 0x8f }
};

/* Check the UTF-8 sequence at p (first byte of class c); returns the
 * byte after it, or NULL. */
static const unsigned char *scan_utf8(const unsigned char *p,
                                      const unsigned char *end, unsigned c)
{
    unsigned i, n = utf8_rule[c].len;

    if ((size_t)(end - p) < n || p[1] < utf8_rule[c].lo
        || p[1] > utf8_rule[c].hi) {
        return NULL;
    }
    for (i = 2; i < n; i++) {
        if (!IS_CONT(p[i])) {
            return NULL;
        }
    }
    return p + n;
}

const unsigned char *jwtsso_jstr_scan(const unsigned char *p,
                                      const unsigned char *end, int *esc)
{
    unsigned c;

    for (;;) {
        p = skip_plain(p, end);
        if (p == end) {
            return NULL;
        }
        c = sclass[*p];
        if (c == S_QUOTE) {
            return p;
        }
        if (c == S_BSLASH) {
            *esc = 1;
            p = scan_escape(p, end);
        }
        else if (c >= S_U2 && c < S_BAD) {
            p = scan_utf8(p, end, c);
        }
        else {
            return NULL;        /* S_CTRL, S_BAD */
        }
        if (p == NULL) {
            return NULL;
        }
    }
}

/* Code point cp as UTF-8 into out; returns the length (1..4). */
static unsigned utf8_put(unsigned long cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xc0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xe0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (unsigned char)(0xf0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decode the escape at p (a backslash) into out (1 to 4 bytes, never more
 * than it consumes); *used = the raw bytes consumed. Lenient: a backslash
 * that starts no escape stands for itself. */
static unsigned decode_escape(const unsigned char *p, const unsigned char *end,
                              unsigned char *out, size_t *used)
{
    long cp, lo;

    if (end - p >= 2) {
        *used = 2;
        switch (p[1]) {
        case '"': case '\\': case '/':
            out[0] = p[1];
            return 1;
        case 'b':
            out[0] = '\b';
            return 1;
        case 'f':
            out[0] = '\f';
            return 1;
        case 'n':
            out[0] = '\n';
            return 1;
        case 'r':
            out[0] = '\r';
            return 1;
        case 't':
            out[0] = '\t';
            return 1;
        case 'u':
            if (end - p >= 6 && (cp = hex4(p + 2)) >= 0) {
                *used = 6;
                if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 12
                    && p[6] == '\\' && p[7] == 'u'
                    && (lo = hex4(p + 8)) >= 0xdc00 && lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    *used = 12;
                }
                return utf8_put((unsigned long)cp, out);
            }
            break;
        default:
            break;
        }
    }
    out[0] = '\\';
    *used = 1;
    return 1;
}

static void dcur_init(dcur_t *c, const unsigned char *p, size_t len)
{
    c->p = p;
    c->end = p + len;
    c->bi = c->bn = 0;
}

/* The next decoded byte, or -1 at the end. */
static int dcur_next(dcur_t *c)
{
    size_t used;

    if (c->bi < c->bn) {
        return c->buf[c->bi++];
    }
    if (c->p == c->end) {
        return -1;
    }
    if (*c->p != '\\') {
        return *c->p++;
    }
    c->bn = decode_escape(c->p, c->end, c->buf, &used);
    c->p += used;
    c->bi = 1;
    return c->buf[0];
}

/* ---------------------------------------------------------------------
 * Duplicate names
 */

/* Compare two raw names by their decoded bytes (memcmp order). */
static int name_cmp(const unsigned char *a, size_t alenx,
                    const unsigned char *b, size_t blenx)
{
    dcur_t ca, cb;
    size_t al = alenx >> 1, bl = blenx >> 1;
    int x, y, r;

    if (((alenx | blenx) & 1) == 0) {
        r = memcmp(a, b, al < bl ? al : bl);
        if (r != 0) {
            return r;
        }
        return (al > bl) - (al < bl);
    }
    dcur_init(&ca, a, al);
    dcur_init(&cb, b, bl);
    do {
        x = dcur_next(&ca);
        y = dcur_next(&cb);
    } while (x == y && x >= 0);
    return x - y;
}

static int same_name(const jwtsso_jname_t *a, const jwtsso_jname_t *b)
{
    size_t len = a->lenx >> 1;

    if (((a->lenx | b->lenx) & 1) == 0) {
        /* most names differ in length or at the first or last byte */
        return a->lenx == b->lenx
               && (len == 0
                   || (a->p[0] == b->p[0] && a->p[len - 1] == b->p[len - 1]
                       && memcmp(a->p, b->p, len) == 0));
    }
    return name_cmp(a->p, a->lenx, b->p, b->lenx) == 0;
}

/* FNV-1a over the decoded bytes of a raw name. */
static uint64_t name_hash(const unsigned char *p, size_t lenx)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i, len = lenx >> 1;
    dcur_t c;
    int x;

    if ((lenx & 1) == 0) {
        for (i = 0; i < len; i++) {
            h = (h ^ p[i]) * 0x100000001b3ULL;
        }
        return h;
    }
    dcur_init(&c, p, len);
    while ((x = dcur_next(&c)) >= 0) {
        h = (h ^ (unsigned)x) * 0x100000001b3ULL;
    }
    return h;
}

static int hname_less(const hname_t *a, const hname_t *b)
{
    if (a->h != b->h) {
        return a->h < b->h;
    }
    return name_cmp(a->p, a->lenx, b->p, b->lenx) < 0;
}

static void sift_down(hname_t *v, size_t root, size_t n)
{
    size_t child;
    hname_t t;

    for (;;) {
        child = 2 * root + 1;
        if (child >= n) {
            return;
        }
        if (child + 1 < n && hname_less(&v[child], &v[child + 1])) {
            child++;
        }
        if (!hname_less(&v[root], &v[child])) {
            return;
        }
        t = v[root];
        v[root] = v[child];
        v[child] = t;
        root = child;
    }
}

/* Heapsort: O(n log n) comparisons for any input, no allocation. */
static void sort_names(hname_t *v, size_t n)
{
    size_t i;
    hname_t t;

    for (i = n / 2; i > 0; i--) {
        sift_down(v, i - 1, n);
    }
    for (i = n; i > 1; i--) {
        t = v[0];
        v[0] = v[i - 1];
        v[i - 1] = t;
        sift_down(v, 0, i - 1);
    }
}

/* Six bits of a name's decoded length, first and last byte. */
static unsigned name_sig(const jwtsso_jname_t *v)
{
    size_t len = v->lenx >> 1;
    unsigned first = 0, last = 0;
    dcur_t c;
    int x;

    if (v->lenx & 1) {
        dcur_init(&c, v->p, len);
        for (len = 0; (x = dcur_next(&c)) >= 0; len++) {
            if (len == 0) {
                first = (unsigned)x;
            }
            last = (unsigned)x;
        }
    }
    else if (len > 0) {
        first = v->p[0];
        last = v->p[len - 1];
    }
    return ((uint32_t)len * 0x9e3779b1u ^ first * 0x85ebca77u
            ^ last * 0xc2b2ae3du) >> 26;
}

int jwtsso_jstr_repeats(const jwtsso_jname_t *v, size_t k)
{
    unsigned char sig[PAIRWISE_MAX];
    uint64_t seen = 0, bit;
    hname_t *s;
    size_t i, j;
    int dup = 0;

    if (k < 2) {
        return 0;
    }
    if (k <= PAIRWISE_MAX) {
        /* compare only names of the same signature: O(k) unless many
         * collide, O(k^2) for k <= 64 at worst */
        for (i = 0; i < k; i++) {
            sig[i] = (unsigned char)name_sig(&v[i]);
            bit = (uint64_t)1 << sig[i];
            if (seen & bit) {
                for (j = 0; j < i; j++) {
                    if (sig[j] == sig[i] && same_name(&v[i], &v[j])) {
                        return 1;
                    }
                }
            }
            seen |= bit;
        }
        return 0;
    }
    if (k > SIZE_MAX / sizeof(*s)) {
        return -1;
    }
    s = malloc(k * sizeof(*s));
    if (s == NULL) {
        return -1;
    }
    for (i = 0; i < k; i++) {
        s[i].h = name_hash(v[i].p, v[i].lenx);
        s[i].p = v[i].p;
        s[i].lenx = v[i].lenx;
    }
    sort_names(s, k);
    for (i = 1; i < k; i++) {
        if (s[i].h == s[i - 1].h
            && name_cmp(s[i].p, s[i].lenx, s[i - 1].p, s[i - 1].lenx) == 0) {
            dup = 1;
            break;
        }
    }
    free(s);
    return dup;
}

/* ---------------------------------------------------------------------
 * Decoding and comparing
 */
size_t jwtsso_jstr_decode(const char *raw, size_t raw_len, char *out)
{
    const unsigned char *p = (const unsigned char *)raw, *end, *bs;
    unsigned char *o = (unsigned char *)out;
    size_t used;

    if (raw_len == 0) {
        *o = '\0';
        return 0;
    }
    end = p + raw_len;
    while (p < end) {
        bs = memchr(p, '\\', (size_t)(end - p));
        if (bs == NULL) {
            memcpy(o, p, (size_t)(end - p));
            o += end - p;
            break;
        }
        memcpy(o, p, (size_t)(bs - p));
        o += bs - p;
        o += decode_escape(bs, end, o, &used);
        p = bs + used;
    }
    *o = '\0';
    return (size_t)(o - (unsigned char *)out);
}

int jwtsso_jstr_equals(const char *raw, size_t raw_len, int raw_esc,
                        const char *b, size_t b_len)
{
    const unsigned char *s = (const unsigned char *)b;
    dcur_t c;
    size_t i;

    if (!raw_esc) {
        return raw_len == b_len && (b_len == 0 || memcmp(raw, b, b_len) == 0);
    }
    /* an escape never decodes to more bytes than it is long */
    if (b_len > raw_len) {
        return 0;
    }
    dcur_init(&c, (const unsigned char *)raw, raw_len);
    for (i = 0; i < b_len; i++) {
        if (dcur_next(&c) != s[i]) {
            return 0;
        }
    }
    return dcur_next(&c) < 0;
}
