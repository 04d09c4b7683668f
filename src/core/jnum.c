/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jnum.c - JSON numbers for the token path's scanner (jscan.h): whether
 * a number's text is one Jansson holds (an integer in long long, a real
 * that rounds to a finite double), decided on its digits without
 * converting it; and its value, as json.c's Jansson reads it.
 */
#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "jbytes.h"

/* Exponents are saturated here: far beyond any double, and no sum with
 * a digit count (texts are far shorter than 2^40) can overflow. */
#define EXP_CAP ((long long)1 << 42)
/* Significant digits jwtsso_jnum_real copies on the stack. */
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

static const unsigned char *skip_digits(const unsigned char *p,
                                        const unsigned char *end)
{
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

/* Do an integer's digits (no sign) fit in long long? */
static int int_fits(const unsigned char *d, size_t n, int neg)
{
    if (n != sizeof(llong_max) - 1) {
        return n < sizeof(llong_max) - 1;
    }
    return memcmp(d, neg ? llong_min : llong_max, n) <= 0;
}

int jwtsso_jnum_fits(const char *raw, size_t len)
{
    num_t x;

    if (num_split((const unsigned char *)raw, len, &x) != 0) {
        return 0;
    }
    return x.real ? real_fits(&x) : int_fits(x.ip, x.ni, x.neg);
}

int jwtsso_jnum_integer(const char *raw, size_t len, long long *out)
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

int jwtsso_jnum_real(const char *raw, size_t len, double *out)
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

int jwtsso_jnum_seconds(const char *raw, size_t len, long long *out)
{
    /* 2^53: beyond it a double no longer holds every whole second */
    const double lim = 9007199254740992.0;
    double d;
    long long s;

    if (jwtsso_jnum_integer(raw, len, out)) {
        return 0;
    }
    if (jwtsso_jnum_real(raw, len, &d) != 0 || !(d >= -lim && d <= lim)) {
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
