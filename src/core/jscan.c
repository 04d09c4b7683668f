/*
 * jscan.c - the token path's JSON scanner (jscan.h says what it accepts:
 * what json.c's Jansson reader accepts).
 *
 * One pass over the text with an explicit stack of open arrays and
 * objects (at most JWTSSO_JSCAN_MAX_DEPTH, so no recursion). Strings are
 * checked with a 256-entry byte class table: plain ASCII is skipped eight
 * bytes at a time with word arithmetic (GCC or Clang, little-endian),
 * then four table lookups at a time; only quotes, backslashes, control
 * characters and the first byte of a UTF-8 sequence leave the fast loop.
 * UTF-8 is checked as Jansson's utf.c does (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no truncated sequences), and so
 * are escapes (\u0000 refused, a high surrogate must be followed by an
 * escaped low one, a low one alone is refused). Numbers are checked
 * against the grammar, then against the range Jansson holds (long long,
 * a finite double) by their digits, without converting them.
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
#include <float.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"

/* Names kept on the C stack before the name stack moves to the heap. */
#define POOL_LOCAL 256
/* Objects with up to this many members are checked without allocation. */
#define PAIRWISE_MAX 64
/* Exponents are saturated here: far beyond any double, and no sum with
 * a digit count (texts are far shorter than 2^40) can overflow. */
#define EXP_CAP ((long long)1 << 42)
/* Significant digits jwtsso_jscan_real copies on the stack. */
#define REAL_LOCAL 96

/* The least magnitude that no longer rounds to a finite double:
 * 2^1024 - 2^970, halfway between DBL_MAX and 2^1024 (a tie rounds to
 * the even 2^1024). REAL_DIGITS digits before the decimal point. */
#define REAL_DIGITS 309
static const char real_limit[REAL_DIGITS + 1] =
    "17976931348623158079372897140530341507993413271003782693617377898044"
    "49682927647509466490179775872070963302864166928879109465555478519404"
    "02630657488671505820681908902000708383676273854845817711531764475730"
    "27006985557136695962284291481986083493647529271907416844436551070434"
    "2711559699508093042880177904174497792";
/* The long long limits' digits (LLONG_MIN's magnitude is one more). */
static const char llong_max[] = "9223372036854775807";
static const char llong_min[] = "9223372036854775808";

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

/* Check a string's body from p (just after the opening quote); returns
 * the closing quote, or NULL. Sets *esc when it meets a backslash. */
static ALWAYS_INLINE const unsigned char *
scan_string(const unsigned char *p, const unsigned char *end, int *esc)
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

/* The first byte at or after p that is no digit (or end). */
static ALWAYS_INLINE const unsigned char *
skip_digits(const unsigned char *p, const unsigned char *end)
{
#ifdef JSCAN_SWAR
    uint64_t x, d, t;

    /* d = byte - '0' is a digit's value below 10; flag the rest (as in
     * skip_plain, the lowest flag is exact) */
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

/* A number's parts (from a text the grammar accepts): the digits before
 * and after the point, and the exponent (saturated at EXP_CAP). */
typedef struct {
    const unsigned char *ip, *fp;
    size_t ni, nf;
    long long exp;
    int neg, real;
} num_t;

/* Split the number text p[0..len); 0, or -1 if it is none. */
static int num_split(const unsigned char *p, size_t len, num_t *x)
{
    const unsigned char *end = p + len;
    int eneg = 0;

    memset(x, 0, sizeof(*x));
    if (p < end && *p == '-') {
        x->neg = 1;
        p++;
    }
    x->ip = p;
    p = skip_digits(p, end);
    x->ni = (size_t)(p - x->ip);
    if (x->ni == 0 || (x->ip[0] == '0' && x->ni > 1)) {
        return -1;
    }
    if (p < end && *p == '.') {
        x->fp = ++p;
        p = skip_digits(p, end);
        x->nf = (size_t)(p - x->fp);
        x->real = 1;
        if (x->nf == 0) {
            return -1;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        x->real = 1;
        if (++p < end && (*p == '+' || *p == '-')) {
            eneg = *p++ == '-';
        }
        if (p == end || !IS_DIGIT(*p)) {
            return -1;
        }
        for (; p < end && IS_DIGIT(*p); p++) {
            if (x->exp < EXP_CAP) {
                x->exp = x->exp * 10 + (*p - '0');
            }
        }
        x->exp = eneg ? -x->exp : x->exp;
    }
    return p == end ? 0 : -1;
}

#define NUM_DIGIT(x, j) ((j) < (x)->ni ? (x)->ip[(j)] : (x)->fp[(j) - (x)->ni])

/* The first significant digit of x (ni + nf when x is zero), and in *pos
 * how many digits its value has before the decimal point. */
static size_t num_lead(const num_t *x, long long *pos)
{
    size_t k, nd = x->ni + x->nf;

    for (k = 0; k < nd && NUM_DIGIT(x, k) == '0'; k++) {
    }
    *pos = (long long)x->ni - (long long)k + x->exp;
    return k;
}

/* Does a real round to a finite double (strtod without ERANGE)? Decided
 * on the digits: below 10^308 always; else against real_limit. */
static int real_fits(const num_t *x)
{
    size_t k, i, nd = x->ni + x->nf;
    long long pos;
    char c;

    k = num_lead(x, &pos);
    if (k == nd || pos < REAL_DIGITS) {
        return 1;
    }
    if (pos > REAL_DIGITS) {
        return 0;
    }
    for (i = 0; i < REAL_DIGITS; i++) {
        c = k + i < nd ? (char)NUM_DIGIT(x, k + i) : '0';
        if (c != real_limit[i]) {
            return c < real_limit[i];
        }
    }
    return 0;                   /* at the limit or above it */
}

/* Does an integer's digits (no sign) fit in long long? */
static int int_fits(const unsigned char *d, size_t n, int neg)
{
    if (n != sizeof(llong_max) - 1) {
        return n < sizeof(llong_max) - 1;
    }
    return memcmp(d, neg ? llong_min : llong_max, n) <= 0;
}

/* Check a number (RFC 8259 §6) from p (a '-' or a digit), and that
 * Jansson holds it; returns the byte after it, or NULL. */
static ALWAYS_INLINE const unsigned char *
scan_number(const unsigned char *p, const unsigned char *end)
{
    const unsigned char *s = p, *ip;
    num_t x;

    if (*p == '-' && ++p == end) {
        return NULL;
    }
    ip = p;
    if (*p == '0') {
        p++;
    }
    else if (IS_DIGIT(*p)) {
        p = skip_digits(p + 1, end);
    }
    else {
        return NULL;
    }
    if (p == end || (*p != '.' && *p != 'e' && *p != 'E')) {
        return int_fits(ip, (size_t)(p - ip), *s == '-') ? p : NULL;
    }
    /* a real: its end is where the grammar stops */
    if (*p == '.') {
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
        p = skip_digits(p + 1, end);
    }
    if (num_split(s, (size_t)(p - s), &x) != 0 || !real_fits(&x)) {
        return NULL;
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

/* The scanner's state: the text, the open levels, the name stack and
 * the top-level members found so far. */
typedef struct {
    const unsigned char *p, *end;
    const unsigned char *cstart;                /* a top-level container */
    unsigned char is_obj[JWTSSO_JSCAN_MAX_DEPTH];   /* per open level */
    size_t base[JWTSSO_JSCAN_MAX_DEPTH];            /* its first name */
    int depth;
    jname_t *pool;
    size_t cap, used;
    jwtsso_jmember_t *members, *m;              /* m: the one being read */
    size_t max, count;
    jname_t local[POOL_LOCAL];
} scan_t;

/* At a member's name: push it, note it at the top level, and step over
 * the ':' after it. 0, or -1. */
static int scan_name(scan_t *s)
{
    const unsigned char *q;
    int esc = 0;

    if (s->p == s->end || *s->p != '"'
        || (q = scan_string(s->p + 1, s->end, &esc)) == NULL
        || (s->used == s->cap && grow(&s->pool, &s->cap, s->local) != 0)) {
        return -1;
    }
    s->pool[s->used].p = s->p + 1;
    s->pool[s->used].lenx = (size_t)(q - s->p - 1) << 1 | (size_t)esc;
    s->used++;
    if (s->depth == 1) {
        s->m = s->count < s->max ? s->members + s->count : NULL;
        s->count++;
        if (s->m != NULL) {
            s->m->name = (const char *)s->p + 1;
            s->m->name_len = (size_t)(q - s->p - 1);
            s->m->name_esc = (unsigned char)esc;
        }
    }
    s->p = q + 1;
    SKIP_WS(s->p, s->end);
    if (s->p == s->end || *s->p != ':') {
        return -1;
    }
    s->p++;
    SKIP_WS(s->p, s->end);
    return 0;
}

/* Open an array or object at s->p. 0, or -1 (too deep). */
static int scan_open(scan_t *s)
{
    if (s->depth == JWTSSO_JSCAN_MAX_DEPTH) {
        return -1;
    }
    if (s->depth == 1) {
        s->cstart = s->p;
    }
    s->base[s->depth] = s->used;
    s->is_obj[s->depth++] = *s->p++ == '{';
    return 0;
}

/* A literal at s->p: its type, or -1. */
static int scan_literal(scan_t *s)
{
    static const struct {
        const char *text;
        size_t len;
        jwtsso_jtype_t type;
    } lit[3] = {
        { "true", 4, JWTSSO_J_TRUE }, { "false", 5, JWTSSO_J_FALSE },
        { "null", 4, JWTSSO_J_NULL }
    };
    int i = *s->p == 't' ? 0 : *s->p == 'f' ? 1 : 2;

    if ((size_t)(s->end - s->p) < lit[i].len
        || memcmp(s->p, lit[i].text, lit[i].len) != 0) {
        return -1;
    }
    s->p += lit[i].len;
    return (int)lit[i].type;
}

/* At a value: a scalar is checked and stepped over (1), an array or
 * object opened (0); -1 on an error. */
static int scan_value(scan_t *s)
{
    const unsigned char *vs = s->p, *q;
    int esc = 0, t;

    if (s->p == s->end) {
        return -1;
    }
    switch (*s->p) {
    case '"':
        if ((q = scan_string(s->p + 1, s->end, &esc)) == NULL) {
            return -1;
        }
        vs = s->p + 1;
        s->p = q + 1;
        t = JWTSSO_J_STRING;
        break;
    case '{':
    case '[':
        return scan_open(s);
    case 't':
    case 'f':
    case 'n':
        if ((t = scan_literal(s)) < 0) {
            return -1;
        }
        break;
    default:
        if ((q = scan_number(s->p, s->end)) == NULL) {
            return -1;
        }
        s->p = q;
        t = JWTSSO_J_NUMBER;
        break;
    }
    if (s->depth == 1 && s->m != NULL) {
        s->m->value = (const char *)vs;
        s->m->value_len = (size_t)(s->p - vs) - (t == JWTSSO_J_STRING);
        s->m->type = (jwtsso_jtype_t)t;
        s->m->value_esc = (unsigned char)esc;
    }
    return 1;
}

/* Just after a '}' or ']': check the closed object's names, and note a
 * closed top-level container. 0, or a JWTSSO_JSCAN_* error. */
static int scan_close(scan_t *s)
{
    int dup;

    s->depth--;
    if (s->is_obj[s->depth]) {
        dup = has_duplicate(s->pool + s->base[s->depth],
                            s->used - s->base[s->depth]);
        if (dup != 0) {
            return dup > 0 ? JWTSSO_JSCAN_DUPLICATE : JWTSSO_JSCAN_BAD;
        }
        s->used = s->base[s->depth];
    }
    if (s->depth == 1 && s->m != NULL) {
        s->m->value = (const char *)s->cstart;
        s->m->value_len = (size_t)(s->p - s->cstart);
        s->m->type = s->is_obj[1] ? JWTSSO_J_OBJECT : JWTSSO_J_ARRAY;
        s->m->value_esc = 0;
    }
    return JWTSSO_JSCAN_OK;
}

/* Where scan_all is: after a value, just after a '{' or '[' (the close
 * may follow), after a ',' (an item must follow). */
enum { AFTER_VALUE, OPENED, NEED_ITEM };

/* The text from the '{' on: items (members or elements) and their
 * separators until the top-level object closes. */
static int scan_all(scan_t *s)
{
    int state = OPENED, rc;
    unsigned char close;

    for (;;) {
        SKIP_WS(s->p, s->end);
        close = s->is_obj[s->depth - 1] ? '}' : ']';
        if (state == AFTER_VALUE && s->p < s->end && *s->p == ',') {
            s->p++;
            state = NEED_ITEM;
            continue;
        }
        if (state != NEED_ITEM && s->p < s->end && *s->p == close) {
            s->p++;
            if ((rc = scan_close(s)) != JWTSSO_JSCAN_OK || s->depth == 0) {
                return rc;
            }
            state = AFTER_VALUE;
            continue;
        }
        if (state == AFTER_VALUE
            || (s->is_obj[s->depth - 1] && scan_name(s) != 0)
            || (rc = scan_value(s)) < 0) {
            return JWTSSO_JSCAN_BAD;
        }
        state = rc == 0 ? OPENED : AFTER_VALUE;
    }
}

/* After an error: does an object still open repeat a name read so far?
 * Jansson compares each name as it reads it, so it reports such a name
 * rather than the error after it; so does the scanner. */
static int open_duplicate(const scan_t *s)
{
    size_t end;
    int d;

    for (d = 0; d < s->depth; d++) {
        end = d + 1 < s->depth ? s->base[d + 1] : s->used;
        if (s->is_obj[d] && has_duplicate(s->pool + s->base[d],
                                          end - s->base[d]) > 0) {
            return 1;
        }
    }
    return 0;
}

int jwtsso_jscan_object(const char *buf, size_t len,
                        jwtsso_jmember_t *members, size_t max, size_t *n)
{
    scan_t s;
    int rc;

    *n = 0;
    /* a NUL byte anywhere, before anything else (as json.c) */
    if (buf == NULL || memchr(buf, '\0', len) != NULL) {
        return JWTSSO_JSCAN_BAD;
    }
    s.p = (const unsigned char *)buf;
    s.end = s.p + len;
    SKIP_WS(s.p, s.end);
    /* an array is read too (its names may repeat), then refused */
    if (s.p == s.end || (*s.p != '{' && *s.p != '[')) {
        return JWTSSO_JSCAN_BAD;
    }
    s.is_obj[0] = *s.p++ == '{';
    s.base[0] = 0;
    s.depth = 1;
    s.pool = s.local;
    s.cap = POOL_LOCAL;
    s.used = s.count = 0;
    s.members = members;
    s.max = max;
    s.m = NULL;
    s.cstart = NULL;
    rc = scan_all(&s);
    if (rc == JWTSSO_JSCAN_BAD && open_duplicate(&s)) {
        rc = JWTSSO_JSCAN_DUPLICATE;
    }
    if (s.pool != s.local) {
        free(s.pool);
    }
    SKIP_WS(s.p, s.end);
    if (rc == JWTSSO_JSCAN_OK && (s.p != s.end || !s.is_obj[0])) {
        rc = JWTSSO_JSCAN_BAD;
    }
    if (rc != JWTSSO_JSCAN_OK) {
        return rc;
    }
    *n = s.count > max ? max : s.count;
    return s.count > max ? JWTSSO_JSCAN_TOO_MANY : JWTSSO_JSCAN_OK;
}

/* ---------------------------------------------------------------------
 * Helpers on scanned text
 */
size_t jwtsso_jscan_decode(const char *raw, size_t raw_len, char *out)
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

int jwtsso_jscan_equals(const char *raw, size_t raw_len, int raw_esc,
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

int jwtsso_jscan_integer(const char *raw, size_t len, long long *out)
{
    num_t x;
    long long v = 0;
    size_t i;
    int d;

    if (num_split((const unsigned char *)raw, len, &x) != 0 || x.real
        || !int_fits(x.ip, x.ni, x.neg)) {
        return 0;
    }
    /* accumulated negative: LLONG_MIN has no positive twin */
    for (i = 0; i < x.ni; i++) {
        d = x.ip[i] - '0';
        v = v * 10 - d;
    }
    *out = x.neg ? v : -v;
    return 1;
}

/* Write sign, digits and exponent of x at buf (room for len + 32). */
static void real_text(const num_t *x, size_t k, size_t nsig, long long e,
                      char *buf)
{
    size_t i, o = 0;

    if (x->neg) {
        buf[o++] = '-';
    }
    for (i = 0; i < nsig; i++) {
        buf[o++] = (char)NUM_DIGIT(x, k + i);
    }
    snprintf(buf + o, 32, "e%lld", e);
}

int jwtsso_jscan_real(const char *raw, size_t len, double *out)
{
    char local[REAL_LOCAL + 32], *buf = local;
    size_t k, nd, nsig;
    long long pos;
    double d;
    num_t x;

    if (num_split((const unsigned char *)raw, len, &x) != 0
        || !real_fits(&x)) {
        return -1;
    }
    nd = x.ni + x.nf;
    k = num_lead(&x, &pos);
    if (k == nd) {
        *out = x.neg ? -0.0 : 0.0;
        return 0;
    }
    for (nsig = nd - k; NUM_DIGIT(&x, k + nsig - 1) == '0'; nsig--) {
    }
    /* digits and an exponent, no decimal point: the same in any locale
     * (strtod's point is the locale's), and the same exact value, so
     * strtod rounds it as it rounds the text Jansson passes it */
    if (nsig > REAL_LOCAL && (buf = malloc(nsig + 32)) == NULL) {
        return -1;
    }
    real_text(&x, k, nsig, pos - (long long)nsig, buf);
    d = strtod(buf, NULL);
    if (buf != local) {
        free(buf);
    }
    if (!(d >= -DBL_MAX && d <= DBL_MAX)) {
        return -1;
    }
    *out = d;
    return 0;
}

int jwtsso_jscan_seconds(const char *raw, size_t len, long long *out)
{
    /* 2^53: beyond it a double no longer holds every whole second */
    const double lim = 9007199254740992.0;
    double d;
    long long s;

    if (jwtsso_jscan_integer(raw, len, out)) {
        return 0;
    }
    if (jwtsso_jscan_real(raw, len, &d) != 0 || !(d >= -lim && d <= lim)) {
        return -1;
    }
    /* RFC 7519 §2 NumericDate may be fractional: floored, without libm */
    s = (long long)d;
    if ((double)s > d) {
        s--;
    }
    *out = s;
    return 0;
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

/* Skip the value at s[i] (i < len) into m (value, its length, type and
 * esc); returns the index after it. */
static size_t skip_value(const unsigned char *s, size_t len, size_t i,
                         jwtsso_jmember_t *m)
{
    size_t start = i, depth = 0;
    int e = 0;

    switch (s[i]) {
    case '"':
        i = skip_string(s, len, i, &e);
        m->type = JWTSSO_J_STRING;
        m->value = (const char *)s + start + 1;
        m->value_len = i - start - 1 - (i > start + 1 && s[i - 1] == '"');
        m->value_esc = (unsigned char)e;
        return i;
    case '[':
    case '{':
        m->type = s[i] == '[' ? JWTSSO_J_ARRAY : JWTSSO_J_OBJECT;
        for (; i < len; i++) {
            if (s[i] == '"') {
                i = skip_string(s, len, i, &e) - 1;
            }
            else if (s[i] == '[' || s[i] == '{') {
                depth++;
            }
            else if ((s[i] == ']' || s[i] == '}') && --depth == 0) {
                i++;
                break;
            }
        }
        break;
    case 't':
    case 'f':
    case 'n':
        m->type = s[i] == 't' ? JWTSSO_J_TRUE
                : s[i] == 'f' ? JWTSSO_J_FALSE : JWTSSO_J_NULL;
        i = len - i < 4u + (s[i] == 'f') ? len : i + 4 + (s[i] == 'f');
        break;
    default:
        m->type = JWTSSO_J_NUMBER;
        while (i < len && (IS_DIGIT(s[i]) || s[i] == '-' || s[i] == '+'
                           || s[i] == '.' || s[i] == 'e' || s[i] == 'E')) {
            i++;
        }
        break;
    }
    m->value = (const char *)s + start;
    m->value_len = i - start;
    m->value_esc = 0;
    return i;
}

int jwtsso_jscan_next(const char *raw, size_t len, size_t *pos,
                      jwtsso_jmember_t *m)
{
    const unsigned char *s = (const unsigned char *)raw;
    size_t i = *pos, j, o;
    int e = 0, obj;

    for (o = 0; o < len && IS_WS(s[o]); o++) {
    }
    if (len - o < 2 || (s[o] != '[' && s[o] != '{')) {
        return 0;
    }
    obj = s[o] == '{';
    i = i == 0 ? o + 1 : i;
    memset(m, 0, sizeof(*m));
    while (i < len && IS_WS(s[i])) {
        i++;
    }
    if (i < len && obj && s[i] == '"') {
        j = skip_string(s, len, i, &e);
        m->name = raw + i + 1;
        m->name_len = j - i - 1 - (j > i + 1 && s[j - 1] == '"');
        m->name_esc = (unsigned char)e;
        for (i = j; i < len && (IS_WS(s[i]) || s[i] == ':'); i++) {
        }
    }
    else if (obj) {
        i = len;                /* no name: the end, or not an object */
    }
    if (i >= len || s[i] == ']' || s[i] == '}' || s[i] == ',') {
        *pos = len;
        return 0;
    }
    i = skip_value(s, len, i, m);
    while (i < len && IS_WS(s[i])) {
        i++;
    }
    *pos = i < len && s[i] == ',' ? i + 1 : len;
    return 1;
}
