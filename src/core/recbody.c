/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * recbody.c - the body of a session record (record.c's header has the
 * grammar): fields percent-escaped, written by jwtsso_record_make and
 * split again, in place, by jwtsso_record_check once the MAC passed. The
 * MAC, not this parse, is what refuses a body we did not write; the parse
 * still refuses anything the writer does not produce, without looking at
 * each byte twice to do so.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define NFIXED JWTSSO_RECBODY_NFIXED

/* ---------------------------------------------------------------------
 * Writing
 */
static int must_escape(unsigned char c)
{
    return c < 0x20 || c == 0x7f || c == '%' || c == '=';
}

static size_t esc_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++) {
        n += must_escape((unsigned char)*s) ? 3 : 1;
    }
    return n;
}

static char *esc_put(char *d, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char c;

    for (; *s; s++) {
        c = (unsigned char)*s;
        if (must_escape(c)) {
            *d++ = '%';
            *d++ = hex[c >> 4];
            *d++ = hex[c & 0x0f];
        }
        else {
            *d++ = (char)c;
        }
    }
    return d;
}


size_t jwtsso_recbody_cost(const jwtsso_claim_t *c)
{
    size_t n = 1 + esc_len(c->name) + 2 + esc_len(c->value);

    if (c->type == 'j') {
        n += 3 + esc_len(c->json);
    }
    return n;
}

size_t jwtsso_recbody_len(const char *user, const char *at, const char *end,
                          const char *sid, const jwtsso_claim_t *c,
                          size_t n, int truncated)
{
    size_t i, len = esc_len(user) + esc_len(at) + esc_len(end)
                    + esc_len(sid) + (NFIXED - 1)   /* and their LFs */
                    + (truncated ? 3 : 0);          /* the "=T" line */

    for (i = 0; i < n; i++) {
        len += jwtsso_recbody_cost(&c[i]);
    }
    return len;
}

size_t jwtsso_recbody_write(char *d, const char *user, const char *at,
                            const char *end, const char *sid,
                            const jwtsso_claim_t *c, size_t n,
                            int truncated)
{
    char *p = d;
    size_t i;

    p = esc_put(p, user);
    *p++ = '\n';
    p = esc_put(p, at);
    *p++ = '\n';
    p = esc_put(p, end);
    *p++ = '\n';
    p = esc_put(p, sid);
    for (i = 0; i < n; i++) {
        *p++ = '\n';
        p = esc_put(p, c[i].name);
        *p++ = '=';
        *p++ = c[i].type;
        p = esc_put(p, c[i].value);
        if (c[i].type == 'j') {
            *p++ = '\n';
            *p++ = '=';
            *p++ = 'J';
            p = esc_put(p, c[i].json);
        }
    }
    if (truncated) {                /* claims were left out: say so */
        memcpy(p, "\n=T", 3);
        p += 3;
    }
    return (size_t)(p - d);
}

/* ---------------------------------------------------------------------
 * Splitting
 */
static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* A decimal long long exactly as "%lld" writes it. LLONG_MAX has 19
 * digits and any 19 digits fit in an unsigned long long (< 1.9e19), so
 * the digits are summed without a check each, a longer run is refused by
 * its length (the sum may wrap then: unsigned, so defined), and the range
 * is checked once at the end. */
static int parse_num(const char *s, long long *out)
{
    unsigned long long v = 0, lim;
    const char *p;
    unsigned dig;
    int neg = 0;

    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (*s < '0' || *s > '9' || (*s == '0' && (s[1] != '\0' || neg))) {
        return -1;
    }
    for (p = s; (dig = (unsigned)(unsigned char)*p - '0') <= 9; p++) {
        v = v * 10 + dig;
    }
    lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    if (*p != '\0' || p - s > 19 || v > lim) {
        return -1;
    }
    *out = neg ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
                                                         : -(long long)v)
               : (long long)v;
    return 0;
}

/* Move b[r..end) to b + w, turning each "%XX" into its byte: w <= r, so
 * writing never overtakes reading. Plain runs are found with memchr and
 * moved whole. Returns the new w, or (size_t)-1 for a bad escape. */
static size_t unescape(char *b, size_t w, size_t r, size_t end)
{
    const char *pct;
    size_t n;
    int hi, lo;

    while (r < end) {
        pct = memchr(b + r, '%', end - r);
        n = (pct != NULL ? (size_t)(pct - b) : end) - r;
        if (w != r) {
            memmove(b + w, b + r, n);
        }
        w += n;
        r += n;
        if (pct == NULL) {
            break;
        }
        if (end - r < 3) {
            return (size_t)-1;
        }
        hi = hexval((unsigned char)b[r + 1]);
        lo = hexval((unsigned char)b[r + 2]);
        /* canonical: only what must be escaped, and never NUL */
        if (hi < 0 || lo < 0 || (hi | lo) == 0
            || !must_escape((unsigned char)(hi << 4 | lo))) {
            return (size_t)-1;
        }
        b[w++] = (char)(hi << 4 | lo);
        r += 3;
    }
    return w;
}

/* Splitting a body without '%' (nearly all of them: only a value with a
 * control character, '%' or '=' has one) needs no unescaping: each LF,
 * and the first '=' of a claim line, becomes the NUL of its field, and
 * nothing moves. The separators are found 16 bytes a step, as a bit mask
 * (SSE2 on x86-64, where it is baseline; a plain loop elsewhere), and
 * handled in order, instead of one memchr call per field. */
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define SPLIT_SSE2 1
#include <emmintrin.h>
#endif

/* Bit k (k < 16) set where p[k] is a LF or an '='. */
static unsigned seps16(const char *p)
{
#ifdef SPLIT_SSE2
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

    return (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('='))));
#else
    unsigned m = 0, k;

    for (k = 0; k < 16; k++) {
        m |= (unsigned)(p[k] == '\n' || p[k] == '=') << k;
    }
    return m;
#endif
}

/* The index of the lowest set bit of m, which is not 0. */
static unsigned low_bit(unsigned m)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctz(m);
#else
    unsigned k = 0;

    for (; (m & 1u) == 0; m >>= 1) {
        k++;
    }
    return k;
#endif
}

/* Split b (blen bytes and the LF at b[blen]), which has no '%', into
 * fields and claims in place; *nf gets the number of lines. 0, or -1 for
 * a claim line without '=' or more than nmax claims. */
static int split_plain(char *b, size_t blen, const char **fields,
                       jwtsso_claim_t *claims, size_t nmax, size_t *nf)
{
    char last[16];
    size_t base, rest, pos, start = 0, n = 0;
    unsigned m;
    int split = 0;                  /* the claim line's '=' was seen */

    for (base = 0; base <= blen; base += 16) {
        rest = blen + 1 - base;
        if (rest >= 16) {
            m = seps16(b + base);
        }
        else if (base > 0) {
            /* the last few bytes: the 16 that end at the sentinel, less
             * those already done */
            m = seps16(b + blen + 1 - 16) >> (16 - rest);
        }
        else {
            /* a body under 16 bytes: a copy, not to read past it */
            memset(last, 0, sizeof(last));
            memcpy(last, b, rest);
            m = seps16(last);
        }
        for (; m != 0; m &= m - 1) {
            pos = base + low_bit(m);
            if (b[pos] == '\n') {
                if (n >= NFIXED && !split) {
                    return -1;
                }
                if (n < NFIXED) {
                    fields[n] = b + start;
                }
                b[pos] = '\0';
                n++;
                start = pos + 1;
                split = 0;
                if (pos < blen && n >= NFIXED && n - NFIXED >= nmax) {
                    return -1;
                }
            }
            else if (n >= NFIXED && !split) {
                /* the first '=' of a claim line; any other '=' is text */
                b[pos] = '\0';
                claims[n - NFIXED].name = b + start;
                claims[n - NFIXED].value = b + pos + 1;
                split = 1;
            }
        }
    }
    *nf = n;
    return 0;
}

/* The same for a body with a '%': each field is unescaped as it is
 * split, moved left over the bytes its escapes freed (unescape). */
static int split_escaped(char *b, size_t blen, const char **fields,
                         jwtsso_claim_t *claims, size_t nmax, size_t *nf)
{
    const char *lf, *eq;
    size_t r = 0, w = 0, n = 0, end;
    char *start, *value;

    for (;;) {
        lf = memchr(b + r, '\n', blen + 1 - r);
        end = (size_t)(lf - b);
        start = b + w;
        if (n < NFIXED) {
            w = unescape(b, w, r, end);
            if (w == (size_t)-1) {
                return -1;
            }
            b[w++] = '\0';
            fields[n] = start;
        }
        else {
            eq = memchr(b + r, '=', end - r);
            if (eq == NULL || n - NFIXED >= nmax) {
                return -1;
            }
            w = unescape(b, w, r, (size_t)(eq - b));
            if (w == (size_t)-1) {
                return -1;
            }
            b[w++] = '\0';
            value = b + w;
            w = unescape(b, w, (size_t)(eq - b) + 1, end);
            if (w == (size_t)-1) {
                return -1;
            }
            b[w++] = '\0';
            claims[n - NFIXED].name = start;
            claims[n - NFIXED].value = value;
        }
        n++;
        if (end >= blen) {
            break;
        }
        r = end + 1;
    }
    *nf = n;
    return 0;
}

/* Give the split claim lines c[0..n) their types (record.c's header),
 * folding each "=J" line into the container before it. Returns how many
 * claims there are, or (size_t)-1 for lines jwtsso_record_make does not
 * write. */
static size_t typed(jwtsso_claim_t *c, size_t n, int *truncated)
{
    size_t r, w = 0;
    char t;

    for (r = 0; r < n; r++) {
        t = c[r].value[0];
        if (r == n - 1 && c[r].name[0] == '\0' && t == 'T'
            && c[r].value[1] == '\0') {
            *truncated = 1;         /* the last line: claims left out */
            break;
        }
        c[w].name = c[r].name;
        c[w].json = NULL;
        c[w].type = t;
        c[w].value = c[r].value + 1;
        switch (t) {
        case 's':
        case 'n':
            break;
        case 'z':
            if (c[w].value[0] != '\0') {
                return (size_t)-1;
            }
            break;
        case 'j':
            if (r + 1 >= n || c[r + 1].name[0] != '\0'
                || c[r + 1].value[0] != 'J') {
                return (size_t)-1;
            }
            c[w].json = c[r + 1].value + 1;
            r++;
            break;
        default:
            return (size_t)-1;
        }
        w++;
    }
    return w;
}

/* Split the decoded body (blen bytes, with room for one more) into its
 * fields, unescaping each in place. The MAC has been checked, so this is
 * a body jwtsso_record_make wrote with our key: the parse still refuses
 * anything that writer does not produce, but does not look at each byte
 * twice to do so. One memchr for '%' chooses the splitter; both give the
 * same fields for a body without '%'. */
int jwtsso_recbody_parse(char *b, size_t blen, jwtsso_record_t *rec,
                         jwtsso_claim_t *claims, size_t nmax)
{
    const char *fields[NFIXED];
    size_t nf = 0;
    int rc;

    b[blen] = '\n';                 /* a sentinel: every field ends in LF */
    if (memchr(b, '%', blen) == NULL) {
        rc = split_plain(b, blen, fields, claims, nmax, &nf);
    }
    else {
        rc = split_escaped(b, blen, fields, claims, nmax, &nf);
    }
    if (rc != 0 || nf < NFIXED || fields[0][0] == '\0'
        || parse_num(fields[1], &rec->auth_time) != 0
        || parse_num(fields[2], &rec->end) != 0) {
        return -1;
    }
    rec->user = fields[0];
    rec->sid = fields[3];
    rec->claims_json = NULL;
    rec->truncated = 0;
    rec->nclaims = typed(claims, nf - NFIXED, &rec->truncated);
    rec->claims = claims;
    return rec->nclaims == (size_t)-1 ? -1 : 0;
}
