/*
 * jscan.c - a validating JSON scanner that allocates nothing in the
 * common case (jscan.h says what it accepts and where it differs from
 * Jansson).
 *
 * One pass over the text with an explicit stack of open arrays and
 * objects (at most JWTSSO_JSCAN_MAX_DEPTH, so no recursion). Strings are
 * checked with a 256-entry byte class table: plain ASCII is skipped eight
 * bytes at a time with word arithmetic (GCC or Clang, little-endian),
 * then four table lookups at a time; only quotes, backslashes, control
 * characters and the first byte of a UTF-8 sequence leave the fast loop.
 * Number digits are skipped eight at a time the same way. UTF-8 is
 * checked exactly as Jansson's utf.c does (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no truncated sequences), and so
 * are escapes (\u0000 refused, a high surrogate must be followed by an
 * escaped low one, a low one alone is refused).
 *
 * Duplicate names: each member name of an open object is kept on a name
 * stack (pointer and raw length; POOL_LOCAL entries on the C stack, on
 * the heap beyond that). When an object closes, its names are compared
 * after decoding escapes. Up to PAIRWISE_MAX names, without allocation:
 * a 6-bit signature of each (decoded length, first and last byte) goes
 * into a 64-bit mask, and only names whose signature is already there
 * are compared with the earlier names of that signature (O(k) usually,
 * at most k^2/2 comparisons). Beyond that, (hash, decoded name) pairs are
 * sorted in a malloc'd array with heapsort and neighbours compared:
 * O(k log k) comparisons whatever the names are.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"

/* Names kept on the C stack before the name stack moves to the heap. */
#define POOL_LOCAL 256
/* Objects with up to this many members are checked without allocation. */
#define PAIRWISE_MAX 64
/* jwtsso_jnum_seconds(): exponents are saturated here, and texts longer
 * than NUM_LEN_MAX refused, so no sum of exponent and digit counts can
 * overflow a long long (NUM_EXP_CAP > NUM_LEN_MAX + 16). */
#define NUM_LEN_MAX ((size_t)1 << 40)
#define NUM_EXP_CAP ((long long)1 << 42)
#define TWO_POW_53 9007199254740992LL

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

/* A member name on the name stack: raw text, and its raw length shifted
 * left by one with the low bit set when it contains a backslash. */
typedef struct {
    const unsigned char *p;
    size_t lenx;
} jname_t;

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

/* Check a string's body from p (just after the opening quote); returns
 * the closing quote, or NULL. Sets *esc when it meets a backslash. */
static ALWAYS_INLINE const unsigned char *
scan_string(const unsigned char *p, const unsigned char *end, int *esc)
{
#ifdef JSCAN_SWAR
    uint64_t x, q, b, t;
#endif

    for (;;) {
#ifdef JSCAN_SWAR
        /* Flag the bytes below 0x20 or above 0x7f, '"' and '\\'. A borrow
         * can flag a byte wrongly only above a rightly flagged one, so
         * the lowest flag is exact. */
        while (end - p >= 8) {
            memcpy(&x, p, 8);
            q = x ^ (ONES * '"');
            b = x ^ (ONES * '\\');
            t = ((q - ONES) & ~q) | ((b - ONES) & ~b) | (x - ONES * 0x20)
                | x;
            t &= HIGHS;
            if (t != 0) {
                p += __builtin_ctzll(t) >> 3;
                goto special;
            }
            p += 8;
        }
#endif
        while (end - p >= 4) {
            if (sclass[p[0]] != S_PLAIN) {
                goto special;
            }
            if (sclass[p[1]] != S_PLAIN) {
                p += 1;
                goto special;
            }
            if (sclass[p[2]] != S_PLAIN) {
                p += 2;
                goto special;
            }
            if (sclass[p[3]] != S_PLAIN) {
                p += 3;
                goto special;
            }
            p += 4;
        }
        while (p < end && sclass[*p] == S_PLAIN) {
            p++;
        }
        if (p == end) {
            return NULL;
        }
special:
        if (*p == '"') {
            return p;
        }
        switch (sclass[*p]) {
        case S_BSLASH:
            p = scan_escape(p, end);
            if (p == NULL) {
                return NULL;
            }
            *esc = 1;
            break;
        case S_U2:
            if (end - p < 2 || !IS_CONT(p[1])) {
                return NULL;
            }
            p += 2;
            break;
        case S_E0:
            if (end - p < 3 || p[1] < 0xa0 || p[1] > 0xbf || !IS_CONT(p[2])) {
                return NULL;
            }
            p += 3;
            break;
        case S_U3:
            if (end - p < 3 || !IS_CONT(p[1]) || !IS_CONT(p[2])) {
                return NULL;
            }
            p += 3;
            break;
        case S_ED:
            if (end - p < 3 || p[1] < 0x80 || p[1] > 0x9f || !IS_CONT(p[2])) {
                return NULL;
            }
            p += 3;
            break;
        case S_F0:
            if (end - p < 4 || p[1] < 0x90 || p[1] > 0xbf || !IS_CONT(p[2])
                || !IS_CONT(p[3])) {
                return NULL;
            }
            p += 4;
            break;
        case S_U4:
            if (end - p < 4 || !IS_CONT(p[1]) || !IS_CONT(p[2])
                || !IS_CONT(p[3])) {
                return NULL;
            }
            p += 4;
            break;
        case S_F4:
            if (end - p < 4 || p[1] < 0x80 || p[1] > 0x8f || !IS_CONT(p[2])
                || !IS_CONT(p[3])) {
                return NULL;
            }
            p += 4;
            break;
        default:        /* S_CTRL, S_BAD */
            return NULL;
        }
    }
}

/* The first byte at or after p that is no digit (or end). */
static ALWAYS_INLINE const unsigned char *
skip_digits(const unsigned char *p, const unsigned char *end)
{
#ifdef JSCAN_SWAR
    uint64_t x, d, t;

    /* d = byte - '0' is a digit's value below 10; flag the rest (as in
     * scan_string, the lowest flag is exact) */
    while (end - p >= 8) {
        memcpy(&x, p, 8);
        d = x - ONES * '0';
        t = ((d + ONES * 0x76) | d) & HIGHS;
        if (t != 0) {
            return p + (__builtin_ctzll(t) >> 3);
        }
        p += 8;
    }
#endif
    while (p < end && IS_DIGIT(*p)) {
        p++;
    }
    return p;
}

/* Check a number (RFC 8259 §6) from p (a '-' or a digit); returns the
 * byte after it, or NULL. */
static ALWAYS_INLINE const unsigned char *
scan_number(const unsigned char *p, const unsigned char *end)
{
    if (*p == '-' && ++p == end) {
        return NULL;
    }
    if (*p == '0') {
        p++;
    }
    else if (IS_DIGIT(*p)) {
        p = skip_digits(p + 1, end);
    }
    else {
        return NULL;
    }
    if (p < end && *p == '.') {
        if (++p == end || !IS_DIGIT(*p)) {
            return NULL;
        }
        p = skip_digits(p + 1, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        if (++p < end && (*p == '+' || *p == '-')) {
            p++;
        }
        if (p == end || !IS_DIGIT(*p)) {
            return NULL;
        }
        do {
            p++;
        } while (p < end && IS_DIGIT(*p));
    }
    return p;
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

static int same_name(const jname_t *a, const jname_t *b)
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
static unsigned name_sig(const jname_t *v)
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

/* Does an object's list of names repeat one? 1 yes, 0 no, -1 no memory. */
static int has_duplicate(const jname_t *v, size_t k)
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

/* Double the name stack, moving it to the heap the first time. */
static int grow(jname_t **pool, size_t *cap, jname_t *local)
{
    jname_t *np;
    size_t ncap = *cap * 2;

    if (ncap > SIZE_MAX / sizeof(*np)) {
        return -1;
    }
    if (*pool == local) {
        np = malloc(ncap * sizeof(*np));
        if (np != NULL) {
            memcpy(np, local, *cap * sizeof(*np));
        }
    }
    else {
        np = realloc(*pool, ncap * sizeof(*np));
    }
    if (np == NULL) {
        return -1;
    }
    *pool = np;
    *cap = ncap;
    return 0;
}

/* ---------------------------------------------------------------------
 * The scanner
 */
int jwtsso_jscan_object(const char *buf, size_t len,
                        jwtsso_jmember_t *members, size_t max, size_t *n)
{
    const unsigned char *p = (const unsigned char *)buf, *end;
    const unsigned char *q, *vs, *ve, *cstart = NULL;
    unsigned char is_obj[JWTSSO_JSCAN_MAX_DEPTH];   /* per open level */
    size_t base[JWTSSO_JSCAN_MAX_DEPTH];            /* its first name */
    jname_t local[POOL_LOCAL];
    jname_t *pool = local;
    size_t cap = POOL_LOCAL, used = 0, count = 0;
    jwtsso_jmember_t *m = NULL;
    jwtsso_jtype_t type;
    int depth, esc, dup, rc = JWTSSO_JSCAN_BAD;

    *n = 0;
    if (buf == NULL) {
        return JWTSSO_JSCAN_BAD;
    }
    end = p + len;
    SKIP_WS(p, end);
    if (p == end || *p != '{') {
        return JWTSSO_JSCAN_BAD;
    }
    p++;
    is_obj[0] = 1;
    base[0] = 0;
    depth = 1;

in_object:                      /* just after '{' */
    SKIP_WS(p, end);
    if (p < end && *p == '}') {
        p++;
        goto closed;
    }
member:                         /* at a member's name */
    if (p == end || *p != '"') {
        goto out;
    }
    esc = 0;
    q = scan_string(p + 1, end, &esc);
    if (q == NULL) {
        goto out;
    }
    if (used == cap && grow(&pool, &cap, local) != 0) {
        goto out;
    }
    pool[used].p = p + 1;
    pool[used].lenx = (size_t)(q - p - 1) << 1 | (size_t)esc;
    used++;
    if (depth == 1) {
        m = count < max ? members + count : NULL;
        count++;
        if (m != NULL) {
            m->name = (const char *)p + 1;
            m->name_len = (size_t)(q - p - 1);
            m->name_esc = (unsigned char)esc;
        }
    }
    p = q + 1;
    SKIP_WS(p, end);
    if (p == end || *p != ':') {
        goto out;
    }
    p++;
    SKIP_WS(p, end);
value:                          /* at a value */
    if (p == end) {
        goto out;
    }
    esc = 0;
    switch (*p) {
    case '"':
        q = scan_string(p + 1, end, &esc);
        if (q == NULL) {
            goto out;
        }
        vs = p + 1;
        ve = q;
        p = q + 1;
        type = JWTSSO_J_STRING;
        break;
    case '{':
    case '[':
        if (depth == JWTSSO_JSCAN_MAX_DEPTH) {
            goto out;
        }
        if (depth == 1) {
            cstart = p;
        }
        base[depth] = used;
        is_obj[depth++] = *p++ == '{';
        if (is_obj[depth - 1]) {
            goto in_object;
        }
        SKIP_WS(p, end);
        if (p < end && *p == ']') {
            p++;
            goto closed;
        }
        goto value;
    case 't':
        if (end - p < 4 || memcmp(p, "true", 4) != 0) {
            goto out;
        }
        vs = p;
        ve = p += 4;
        type = JWTSSO_J_TRUE;
        break;
    case 'f':
        if (end - p < 5 || memcmp(p, "false", 5) != 0) {
            goto out;
        }
        vs = p;
        ve = p += 5;
        type = JWTSSO_J_FALSE;
        break;
    case 'n':
        if (end - p < 4 || memcmp(p, "null", 4) != 0) {
            goto out;
        }
        vs = p;
        ve = p += 4;
        type = JWTSSO_J_NULL;
        break;
    default:
        q = scan_number(p, end);
        if (q == NULL) {
            goto out;
        }
        vs = p;
        ve = p = q;
        type = JWTSSO_J_NUMBER;
        break;
    }
    if (depth == 1 && m != NULL) {
        m->value = (const char *)vs;
        m->value_len = (size_t)(ve - vs);
        m->type = type;
        m->value_esc = (unsigned char)esc;
    }
after_value:                    /* after a value: ',' or the close */
    SKIP_WS(p, end);
    if (p == end) {
        goto out;
    }
    if (*p == ',') {
        p++;
        SKIP_WS(p, end);
        if (is_obj[depth - 1]) {
            goto member;
        }
        goto value;
    }
    if (*p != (is_obj[depth - 1] ? '}' : ']')) {
        goto out;
    }
    p++;
closed:                         /* just after a '}' or ']' */
    depth--;
    if (is_obj[depth]) {
        dup = has_duplicate(pool + base[depth], used - base[depth]);
        if (dup != 0) {
            rc = dup > 0 ? JWTSSO_JSCAN_DUPLICATE : JWTSSO_JSCAN_BAD;
            goto out;
        }
        used = base[depth];
    }
    if (depth == 0) {
        SKIP_WS(p, end);
        if (p != end) {
            goto out;
        }
        if (count > max) {
            *n = max;
            rc = JWTSSO_JSCAN_TOO_MANY;
        }
        else {
            *n = count;
            rc = JWTSSO_JSCAN_OK;
        }
        goto out;
    }
    if (depth == 1 && m != NULL) {
        m->value = (const char *)cstart;
        m->value_len = (size_t)(p - cstart);
        m->type = is_obj[1] ? JWTSSO_J_OBJECT : JWTSSO_J_ARRAY;
        m->value_esc = 0;
    }
    goto after_value;

out:
    if (pool != local) {
        free(pool);
    }
    return rc;
}

/* ---------------------------------------------------------------------
 * Helpers on scanned text
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
    int x;

    if (b_len == 0) {
        return raw_len == 0;
    }
    if (!raw_esc) {
        return raw_len == b_len && memcmp(raw, b, b_len) == 0;
    }
    /* an escape never decodes to more bytes than it is long */
    if (b_len > raw_len) {
        return 0;
    }
    dcur_init(&c, (const unsigned char *)raw, raw_len);
    for (i = 0; i < b_len; i++) {
        x = dcur_next(&c);
        if (x != s[i]) {
            return 0;
        }
    }
    return dcur_next(&c) < 0;
}

int jwtsso_jnum_seconds(const char *raw, size_t len, long long *out)
{
    const unsigned char *p = (const unsigned char *)raw, *end, *ip;
    const unsigned char *fp = NULL;
    size_t ni, nf = 0, nt, lead, trail, k, i;
    long long x = 0, e, ndig, v;
    int neg = 0, eneg = 0, has_exp = 0, frac, d;

    if (len == 0 || len > NUM_LEN_MAX) {
        return -1;
    }
    end = p + len;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    ip = p;
    while (p < end && IS_DIGIT(*p)) {
        p++;
    }
    ni = (size_t)(p - ip);
    if (ni == 0 || (*ip == '0' && ni > 1)) {
        return -1;
    }
    if (p < end && *p == '.') {
        fp = ++p;
        while (p < end && IS_DIGIT(*p)) {
            p++;
        }
        nf = (size_t)(p - fp);
        if (nf == 0) {
            return -1;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        has_exp = 1;
        if (++p < end && (*p == '+' || *p == '-')) {
            eneg = *p++ == '-';
        }
        if (p == end || !IS_DIGIT(*p)) {
            return -1;
        }
        do {
            if (x < NUM_EXP_CAP) {
                x = x * 10 + (*p - '0');
            }
            p++;
        } while (p < end && IS_DIGIT(*p));
        if (eneg) {
            x = -x;
        }
    }
    if (p != end) {
        return -1;
    }

    if (fp == NULL && !has_exp) {
        /* an integer: exactly, or not at all */
        v = 0;
        for (i = 0; i < ni; i++) {
            d = ip[i] - '0';
            if (neg) {
                if (v < (LLONG_MIN + d) / 10) {
                    return -1;
                }
                v = v * 10 - d;
            }
            else {
                if (v > (LLONG_MAX - d) / 10) {
                    return -1;
                }
                v = v * 10 + d;
            }
        }
        *out = v;
        return 0;
    }

    /* The value is (all digits as one integer) * 10^(x - nf). Drop the
     * leading and trailing zeros: sig * 10^e with k significant digits,
     * so the integer part has k + e digits. */
#define DIGIT_AT(j) ((j) < ni ? ip[(j)] : fp[(j) - ni])
    nt = ni + nf;
    for (lead = 0; lead < nt && DIGIT_AT(lead) == '0'; lead++) {
    }
    if (lead == nt) {
        *out = 0;       /* zero, whatever the sign and exponent */
        return 0;
    }
    for (trail = 0; DIGIT_AT(nt - 1 - trail) == '0'; trail++) {
    }
    k = nt - lead - trail;
    e = x - (long long)nf + (long long)trail;
    ndig = (long long)k + e;
    if (ndig > 16) {
        return -1;      /* at least 10^16 > 2^53 */
    }
    if (ndig <= 0) {
        *out = neg ? -1 : 0;    /* 0 < |value| < 1 */
        return 0;
    }
    v = 0;
    for (i = 0; i < (size_t)ndig; i++) {
        v = v * 10 + (i < k ? DIGIT_AT(lead + i) - '0' : 0);
    }
#undef DIGIT_AT
    frac = (size_t)ndig < k;        /* the dropped digits end non-zero */
    if (v > TWO_POW_53 || (v == TWO_POW_53 && frac)) {
        return -1;
    }
    *out = neg ? -v - frac : v;
    return 0;
}

size_t jwtsso_jcompact(const char *raw, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *)raw, *end;
    unsigned char *o = (unsigned char *)out;
    unsigned char c;

    if (len == 0) {
        *o = '\0';
        return 0;
    }
    end = p + len;
    while (p < end) {
        c = *p++;
        if (IS_WS(c)) {
            continue;
        }
        *o++ = c;
        if (c != '"') {
            continue;
        }
        while (p < end) {
            c = *p++;
            *o++ = c;
            if (c == '"') {
                break;
            }
            if (c == '\\' && p < end) {
                *o++ = *p++;
            }
        }
    }
    *o = '\0';
    return (size_t)(o - (unsigned char *)out);
}

/* Skip a string whose opening quote is at s[i]: the index after its
 * closing quote (or len). */
static size_t skip_string(const unsigned char *s, size_t len, size_t i,
                          int *esc)
{
    for (i++; i < len; i++) {
        if (s[i] == '"') {
            return i + 1;
        }
        if (s[i] == '\\') {
            *esc = 1;
            i++;
        }
    }
    return len;
}

int jwtsso_jarray_next(const char *raw, size_t len, size_t *pos,
                       const char **elem, size_t *elem_len,
                       jwtsso_jtype_t *type, int *esc)
{
    const unsigned char *s = (const unsigned char *)raw;
    size_t i = *pos, start, stop, depth, want;
    int e = 0;

    if (i == 0) {
        if (len == 0 || s[0] != '[') {
            return 0;
        }
        i = 1;
    }
    while (i < len && IS_WS(s[i])) {
        i++;
    }
    if (i >= len || s[i] == ']') {
        *pos = i < len ? i : len;
        return 0;
    }
    start = i;
    switch (s[i]) {
    case '"':
        i = skip_string(s, len, i, &e);
        *type = JWTSSO_J_STRING;
        start++;
        stop = i > start && s[i - 1] == '"' ? i - 1 : i;
        break;
    case '[':
    case '{':
        *type = s[i] == '[' ? JWTSSO_J_ARRAY : JWTSSO_J_OBJECT;
        depth = 0;
        while (i < len) {
            if (s[i] == '"') {
                i = skip_string(s, len, i, &e);
                continue;
            }
            if (s[i] == '[' || s[i] == '{') {
                depth++;
            }
            else if ((s[i] == ']' || s[i] == '}') && --depth == 0) {
                i++;
                break;
            }
            i++;
        }
        e = 0;
        stop = i;
        break;
    case 't':
    case 'n':
    case 'f':
        *type = s[i] == 't' ? JWTSSO_J_TRUE
              : s[i] == 'n' ? JWTSSO_J_NULL : JWTSSO_J_FALSE;
        want = s[i] == 'f' ? 5 : 4;
        i = len - i < want ? len : i + want;
        stop = i;
        break;
    default:
        while (i < len && (IS_DIGIT(s[i]) || s[i] == '-' || s[i] == '+'
                           || s[i] == '.' || s[i] == 'e' || s[i] == 'E')) {
            i++;
        }
        if (i == start) {
            *pos = i;
            return 0;
        }
        *type = JWTSSO_J_NUMBER;
        stop = i;
        break;
    }
    *elem = (const char *)s + start;
    *elem_len = stop - start;
    *esc = e;
    while (i < len && IS_WS(s[i])) {
        i++;
    }
    if (i < len && s[i] == ',') {
        i++;
    }
    *pos = i;
    return 1;
}
