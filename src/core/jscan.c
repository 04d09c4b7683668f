/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jscan.c - the token path's JSON scanner (jscan.h says what it accepts:
 * what json.c's Jansson reader accepts), and a walk over the members of
 * text it accepted.
 *
 * One pass over the text with an explicit stack of open arrays and
 * objects (at most JWTSSO_JSCAN_MAX_DEPTH, so no recursion). Strings are
 * checked and names compared by jstr.c, numbers checked by their digits
 * (jnum.c); digits are skipped eight at a time with word arithmetic where
 * the compiler allows (GCC or Clang, little-endian). Each member name of
 * an open object is kept on a name stack (pointer and raw length;
 * POOL_LOCAL entries on the C stack, on the heap beyond that), and an
 * object's names are checked for a repeat when it closes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "jbytes.h"

/* Names kept on the C stack before the name stack moves to the heap. */
#define POOL_LOCAL 256


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

/* Check a number (RFC 8259 §6) from p (a '-' or a digit), and that
 * Jansson holds it; returns the byte after it, or NULL. */
static ALWAYS_INLINE const unsigned char *
scan_number(const unsigned char *p, const unsigned char *end)
{
    const unsigned char *s = p, *ip;

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
        /* fewer digits than LLONG_MAX's always fit */
        return p - ip < 19 || jwtsso_jnum_fits((const char *)s,
                                               (size_t)(p - s)) ? p : NULL;
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
    return jwtsso_jnum_fits((const char *)s, (size_t)(p - s)) ? p : NULL;
}

/* Double the name stack, moving it to the heap the first time. */
static int grow(jwtsso_jname_t **pool, size_t *cap, jwtsso_jname_t *local)
{
    jwtsso_jname_t *np;
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
    jwtsso_jname_t *pool;
    size_t cap, used;
    jwtsso_jmember_t *members, *m;              /* m: the one being read */
    size_t max, count;
    jwtsso_jname_t local[POOL_LOCAL];
} scan_t;

/* At a member's name: push it, note it at the top level, and step over
 * the ':' after it. 0, or -1. */
static int scan_name(scan_t *s)
{
    const unsigned char *q;
    int esc = 0;

    if (s->p == s->end || *s->p != '"'
        || (q = jwtsso_jstr_scan(s->p + 1, s->end, &esc)) == NULL
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
        if ((q = jwtsso_jstr_scan(s->p + 1, s->end, &esc)) == NULL) {
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
        dup = jwtsso_jstr_repeats(s->pool + s->base[s->depth],
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
        if (s->is_obj[d] && jwtsso_jstr_repeats(s->pool + s->base[d],
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
 * Walking text the scanner accepted
 */
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
