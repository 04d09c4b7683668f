/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * view.c - the claims of a verified token as the app sees them (DESIGN
 * §6), for the session record (record.c) and a bearer request (the glue):
 * each top-level claim flattened, the kept claims chosen under a budget,
 * and the JSON text of JWTSSO_CLAIMS.
 *
 * The payload's members are listed by the scanner (jscan.c): checked
 * again by jwtsso_view_make, only listed by jwtsso_view_result (the
 * verification checked them). Everything the view points to is written
 * into the caller's scratch. The text is what Jansson would write for
 * the same payload (the view of the Jansson-era module, which apps and
 * records rely on): strings decoded, and escaped again only where JSON
 * must (", \ and control characters); numbers as Jansson reads them:
 * integers in decimal, reals in the shortest of %.15g, %.16g and %.17g
 * that reads back as the same double (with ".0" when that text would
 * read as an integer), so "1e2" is seen as "100.0".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Longer than any real written by number() below, with its NUL. */
#define NUM_MAX JWTSSO_VIEW_NUM_MAX
/* What a real may add over its text in the payload: at least 3 bytes
 * ("1e2", "1.5") and a separator, at most 24 written. */
#define REAL_GROWTH 21

typedef struct {
    char c;
    jwtsso_claim_t claim;
} claim_probe_t;
typedef struct {
    char c;
    size_t n;
} size_probe_t;
#define CLAIM_ALIGN offsetof(claim_probe_t, claim)
#define SIZE_ALIGN offsetof(size_probe_t, n)
typedef struct {
    char c;
    jwtsso_jmember_t m;
} member_probe_t;
#define MEMBER_ALIGN offsetof(member_probe_t, m)
#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define VIEW_ALIGN MAX2(MAX2(CLAIM_ALIGN, SIZE_ALIGN), MEMBER_ALIGN)

/* Where the view's text goes; over is set (and nothing more written)
 * once it would run past end. */
typedef struct {
    char *p, *end;
    int over;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->over || (size_t)(o->end - o->p) < n) {
        o->over = 1;
        return;
    }
    memcpy(o->p, s, n);
    o->p += n;
}

/* Append name to the comma-separated list in out (size bytes), cut off
 * where it no longer fits; out stays NUL-terminated. */
static void note_dropped(char *out, size_t size, const char *name)
{
    size_t len, n;

    if (out == NULL || size == 0) {
        return;
    }
    len = strlen(out);
    if (len > 0 && len + 1 < size) {
        out[len++] = ',';
    }
    n = strlen(name);
    if (n > size - 1 - len) {
        n = size - 1 - len;
    }
    memcpy(out + len, name, n);
    out[len + n] = '\0';
}

/* A JSON string of s at d (or only its length when d is NULL): '"', '\\'
 * and the control characters escaped as Jansson writes them. */
static size_t json_str(char *d, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)s, *run;
    size_t n = 2, k;
    char e;

    if (d != NULL) {
        *d++ = '"';
    }
    for (;;) {
        /* a run of bytes written as they are, copied whole; it ends at
         * the NUL (below 0x20) or at a byte to escape */
        for (run = u; *u >= 0x20 && *u != '"' && *u != '\\'; u++) {
        }
        k = (size_t)(u - run);
        n += k;
        if (d != NULL) {
            memcpy(d, run, k);
            d += k;
        }
        if (*u == '\0') {
            break;
        }
        switch (*u) {
        case '"':  e = '"';  break;
        case '\\': e = '\\'; break;
        case '\b': e = 'b';  break;
        case '\f': e = 'f';  break;
        case '\n': e = 'n';  break;
        case '\r': e = 'r';  break;
        case '\t': e = 't';  break;
        default:   e = 'u';  break;
        }
        n += e == 'u' ? 6 : 2;
        if (d != NULL) {
            *d++ = '\\';
            *d++ = e;
            if (e == 'u') {
                *d++ = '0';
                *d++ = '0';
                *d++ = hex[*u >> 4];
                *d++ = hex[*u & 0x0f];
            }
        }
        u++;
    }
    if (d != NULL) {
        *d = '"';
    }
    return n;
}

size_t jwtsso_view_json(const jwtsso_claim_t *c, size_t n, char *out)
{
    size_t i, len = 1, k;
    const char *v;

    if (out != NULL) {
        out[0] = '{';
    }
    for (i = 0; i < n; i++) {
        if (i > 0) {
            if (out != NULL) {
                out[len] = ',';
            }
            len++;
        }
        len += json_str(out != NULL ? out + len : NULL, c[i].name);
        if (out != NULL) {
            out[len] = ':';
        }
        len++;
        if (c[i].type == 's') {
            len += json_str(out != NULL ? out + len : NULL, c[i].value);
            continue;
        }
        v = c[i].type == 'z' ? "null"
          : c[i].type == 'j' && c[i].json != NULL ? c[i].json : c[i].value;
        k = strlen(v);
        if (out != NULL) {
            memcpy(out + len, v, k);
        }
        len += k;
    }
    if (out != NULL) {
        out[len] = '}';
        out[len + 1] = '\0';
    }
    return len + 1;
}

/* A real as Jansson writes it, at buf (NUM_MAX bytes); returns its
 * length. */
static size_t real_text(double d, char *buf)
{
    size_t i, n;
    int p;

    for (p = 15; p <= 17; p++) {
        snprintf(buf, NUM_MAX, "%.*g", p, d);
        if (strtod(buf, NULL) == d) {
            break;
        }
    }
    n = strlen(buf);
    /* a locale's decimal comma is the one byte that is not a digit, a
     * sign or an exponent (Jansson swaps it the same way) */
    for (i = 0; i < n; i++) {
        if (strchr("0123456789+-e", buf[i]) == NULL) {
            buf[i] = '.';
        }
    }
    if (strpbrk(buf, ".e") == NULL) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    return n;
}

/* A JSON number's text as the app sees it (match.c compares array members
 * by it): an integer in decimal, a real as real_text(). */
size_t jwtsso_view_number(const json_t *v, char *buf)
{
    if (json_is_integer(v)) {
        return (size_t)snprintf(buf, NUM_MAX, "%" JSON_INTEGER_FORMAT,
                                json_integer_value(v));
    }
    return real_text(json_real_value(v), buf);
}

/* A number's text (from a scan) at buf (NUM_MAX bytes): an integer in
 * decimal, a real as real_text(); returns its length. */
static size_t number(const char *raw, size_t len, char *buf)
{
    long long v;
    double d = 0;

    if (jwtsso_jnum_integer(raw, len, &v)) {
        return (size_t)snprintf(buf, NUM_MAX, "%lld", v);
    }
    jwtsso_jnum_real(raw, len, &d);
    return real_text(d, buf);
}

/* A string's raw text (from a scan) as Jansson writes the decoded
 * string: escapes decoded, then json_str's escapes. Never longer than
 * raw (an escape is written again no longer than it was sent). */
static void put_raw_str(out_t *o, const char *raw, size_t len)
{
    const char *bs, *end = raw + len;
    char dec[16], esc[80];
    size_t k;

    put(o, "\"", 1);
    while (raw < end) {
        bs = memchr(raw, '\\', (size_t)(end - raw));
        k = (size_t)((bs != NULL ? bs : end) - raw);
        put(o, raw, k);
        if (bs == NULL) {
            break;
        }
        /* one escape: \uD83D\uDE00 is one (a pair), the rest 6 or 2 */
        k = bs[1] != 'u' ? 2
          : end - bs >= 12 && bs[6] == '\\' && (bs[2] | 0x20) == 'd'
            && strchr("89abAB", bs[3]) != NULL ? 12 : 6;
        k = k < (size_t)(end - bs) ? k : (size_t)(end - bs);
        jwtsso_jstr_decode(bs, k, dec);
        put(o, esc + 1, json_str(esc, dec) - 2);   /* without its quotes */
        raw = bs + k;
    }
    put(o, "\"", 1);
}

/* The compact JSON of the value m (Jansson's JSON_COMPACT: strings as
 * put_raw_str, numbers as number()). */
static void compact(out_t *o, const jwtsso_jmember_t *m)
{
    char num[NUM_MAX];
    jwtsso_jmember_t e;
    size_t pos = 0, i = 0;

    switch (m->type) {
    case JWTSSO_J_OBJECT:
    case JWTSSO_J_ARRAY:
        put(o, m->type == JWTSSO_J_OBJECT ? "{" : "[", 1);
        while (jwtsso_jscan_next(m->value, m->value_len, &pos, &e)) {
            if (i++ > 0) {
                put(o, ",", 1);
            }
            if (e.name != NULL) {
                put_raw_str(o, e.name, e.name_len);
                put(o, ":", 1);
            }
            compact(o, &e);
        }
        put(o, m->type == JWTSSO_J_OBJECT ? "}" : "]", 1);
        break;
    case JWTSSO_J_STRING:
        put_raw_str(o, m->value, m->value_len);
        break;
    case JWTSSO_J_NUMBER:
        put(o, num, number(m->value, m->value_len, num));
        break;
    default:                    /* true, false, null: as they are */
        put(o, m->value, m->value_len);
        break;
    }
}

/* A string's decoded text at o (no NUL). */
static void put_decoded(out_t *o, const char *raw, size_t len)
{
    if (o->over || (size_t)(o->end - o->p) <= len) {
        o->over = 1;
        return;
    }
    o->p += jwtsso_jstr_decode(raw, len, o->p);
}

/* The flat text of a claim (jwtsso_claim_t): strings decoded, null as "",
 * numbers, true and false as text, an object as compact JSON, an array's
 * elements flat (containers inside it compact) joined with ",". */
static void flat(out_t *o, const jwtsso_jmember_t *m, int in_array)
{
    jwtsso_jmember_t e;
    size_t pos = 0, i = 0;

    switch (m->type) {
    case JWTSSO_J_STRING:
        put_decoded(o, m->value, m->value_len);
        break;
    case JWTSSO_J_NULL:
        break;
    case JWTSSO_J_ARRAY:
        if (!in_array) {
            while (jwtsso_jscan_next(m->value, m->value_len, &pos, &e)) {
                if (i++ > 0) {
                    put(o, ",", 1);
                }
                flat(o, &e, 1);
            }
            break;
        }
        /* fall through */
    default:
        compact(o, m);
        break;
    }
}

/* The record type letter of a value (record.c's header). */
static char claim_type(jwtsso_jtype_t t)
{
    switch (t) {
    case JWTSSO_J_STRING:
        return 's';
    case JWTSSO_J_NULL:
        return 'z';
    case JWTSSO_J_ARRAY:
    case JWTSSO_J_OBJECT:
        return 'j';
    default:
        return 'n';
    }
}

/* The registered claims a record keeps before any other (after the user
 * claim): iss and aud, which say whose login it is. */
static int reserved(const char *name)
{
    return strcmp(name, "iss") == 0 || strcmp(name, "aud") == 0;
}

size_t jwtsso_view_scratch_len(size_t len)
{
    size_t n = len / 4 + 2, grown = len + REAL_GROWTH * (len / 4 + 1);

    /* alignment slack, per member its cost, claim, scanned member and
     * kept mark; then text: the decoded names with the flat values, the
     * compact values of containers, and the kept members' JSON object.
     * Each is no longer than the payload, but for reals written longer
     * than sent; and a NUL each. */
    return (VIEW_ALIGN - 1) + n * (sizeof(size_t) + sizeof(jwtsso_claim_t)
                                   + sizeof(jwtsso_jmember_t) + 1)
           + 3 * grown + 3 * n + 16;
}

/* Fill claims[0..n) and cost[0..n) from the members m[0..n), their text
 * at o; returns the member the user claim is (the first string equal to
 * user: the view does not know the claim's name), or SIZE_MAX. */
static size_t fill(const jwtsso_jmember_t *m, size_t n, const char *user,
                   out_t *o, jwtsso_claim_t *claims, size_t *cost)
{
    size_t i, forced = SIZE_MAX;

    for (i = 0; i < n; i++) {
        claims[i].name = o->p;
        put_decoded(o, m[i].name, m[i].name_len);
        put(o, "", 1);
        claims[i].value = o->p;
        flat(o, &m[i], 0);
        put(o, "", 1);
        claims[i].type = claim_type(m[i].type);
        claims[i].json = NULL;
        if (claims[i].type == 'j') {
            claims[i].json = o->p;
            compact(o, &m[i]);
            put(o, "", 1);
        }
        if (o->over) {
            return SIZE_MAX;
        }
        cost[i] = jwtsso_recbody_cost(&claims[i]);
        if (forced == SIZE_MAX && user != NULL && claims[i].type == 's'
            && strcmp(claims[i].value, user) == 0) {
            forced = i;
        }
    }
    return forced;
}

/* Mark in kept[0..n) the claims a record keeps under budget: the IdP's
 * own first (the user claim, always, then iss and aud while they fit), so
 * a large claim a user can set never pushes them out; then the others in
 * order while the budget lasts. Returns how many, their cost in *total. */
static size_t choose(const jwtsso_claim_t *claims, const size_t *cost,
                     unsigned char *kept, size_t n, size_t forced,
                     size_t budget, size_t *total)
{
    size_t i, k = 0, sum = 0;
    int pass;

    for (i = 0; i < n; i++) {
        kept[i] = i == forced;
        sum += kept[i] ? cost[i] : 0;
    }
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < n; i++) {
            if (!kept[i] && (pass == 1 || reserved(claims[i].name))
                && sum + cost[i] <= budget) {
                kept[i] = 1;
                sum += cost[i];
            }
        }
    }
    for (i = 0; i < n; i++) {
        k += kept[i];
    }
    *total = sum;
    return k;
}

/* Where the view goes in the caller's scratch: per member its cost,
 * claim, scanned member and kept mark (nmax each), then text. */
typedef struct {
    size_t *cost;
    jwtsso_claim_t *claims;
    jwtsso_jmember_t *m;
    unsigned char *kept;
    size_t nmax;
    out_t o;
} layout_t;

static jwtsso_reason_t lay_out(void *scratch, size_t scratch_len,
                               size_t len, layout_t *l)
{
    size_t pad;

    if (scratch == NULL || scratch_len < jwtsso_view_scratch_len(len)) {
        return JWTSSO_R_INTERNAL;
    }
    l->nmax = len / 4 + 2;
    pad = (VIEW_ALIGN - (uintptr_t)scratch % VIEW_ALIGN) % VIEW_ALIGN;
    l->cost = (size_t *)(void *)((char *)scratch + pad);
    l->claims = (jwtsso_claim_t *)(void *)(l->cost + l->nmax);
    l->m = (jwtsso_jmember_t *)(void *)(l->claims + l->nmax);
    l->kept = (unsigned char *)(l->m + l->nmax);
    l->o.p = (char *)(l->kept + l->nmax);
    l->o.end = (char *)scratch + scratch_len;
    l->o.over = 0;
    return JWTSSO_OK;
}

/* The view of the n members listed in l. */
static jwtsso_reason_t make(layout_t *l, size_t n, const char *user,
                            size_t budget, jwtsso_view_t *view,
                            char *dropped, size_t dropped_len)
{
    jwtsso_claim_t *claims = l->claims;
    size_t i, forced, total = 0, k, w;
    out_t *o = &l->o;

    forced = fill(l->m, n, user, o, claims, l->cost);
    if (o->over) {
        return JWTSSO_R_INTERNAL;
    }
    k = choose(claims, l->cost, l->kept, n, forced, budget, &total);
    for (i = 0; i < n; i++) {
        if (!l->kept[i]) {
            note_dropped(dropped, dropped_len, claims[i].name);
            view->truncated = 1;
        }
    }
    for (i = 0, w = 0; i < n; i++) {
        if (l->kept[i]) {
            claims[w++] = claims[i];
        }
    }
    if ((size_t)(o->end - o->p) <= jwtsso_view_json(claims, k, NULL)) {
        return JWTSSO_R_INTERNAL;
    }
    jwtsso_view_json(claims, k, o->p);
    view->claims_json = o->p;
    view->claims = claims;
    view->nclaims = k;
    view->cost = total;
    return JWTSSO_OK;
}

static jwtsso_reason_t start(jwtsso_view_t *view, char *dropped,
                             size_t dropped_len)
{
    if (dropped != NULL && dropped_len > 0) {
        dropped[0] = '\0';
    }
    if (view == NULL) {
        return JWTSSO_R_INTERNAL;
    }
    memset(view, 0, sizeof(*view));
    return JWTSSO_OK;
}

static jwtsso_reason_t finish(jwtsso_reason_t rv, jwtsso_view_t *view)
{
    if (rv != JWTSSO_OK) {
        memset(view, 0, sizeof(*view));
    }
    return rv;
}

jwtsso_reason_t jwtsso_view_make(const char *payload, size_t len,
                                 const char *user, size_t budget,
                                 jwtsso_view_t *view, void *scratch,
                                 size_t scratch_len, char *dropped,
                                 size_t dropped_len)
{
    layout_t l;
    size_t n;
    jwtsso_reason_t rv;
    int rc;

    if ((rv = start(view, dropped, dropped_len)) != JWTSSO_OK) {
        return rv;
    }
    if (payload == NULL) {
        payload = "{}";
        len = 2;
    }
    if ((rv = lay_out(scratch, scratch_len, len, &l)) != JWTSSO_OK) {
        return rv;
    }
    rc = jwtsso_jscan_object(payload, len, l.m, l.nmax, &n);
    if (rc != JWTSSO_JSCAN_OK) {
        return rc == JWTSSO_JSCAN_TOO_MANY ? JWTSSO_R_INTERNAL
                                           : JWTSSO_R_BAD_PAYLOAD;
    }
    return finish(make(&l, n, user, budget, view, dropped, dropped_len),
                  view);
}

/* List the members of a payload a verification accepted (no check:
 * jwtsso_jscan_next) into l->m; their number, or SIZE_MAX for more
 * than l->nmax. */
static size_t list(const char *payload, size_t len, layout_t *l)
{
    size_t n = 0, pos = 0;

    while (n < l->nmax && jwtsso_jscan_next(payload, len, &pos, &l->m[n])) {
        n++;
    }
    return n < l->nmax ? n : SIZE_MAX;
}

jwtsso_reason_t jwtsso_view_result(const jwtsso_result_t *res,
                                   size_t budget, jwtsso_view_t *view,
                                   void *scratch, size_t scratch_len,
                                   char *dropped, size_t dropped_len)
{
    layout_t l;
    size_t n;
    jwtsso_reason_t rv;

    if (res == NULL || res->payload == NULL || res->user == NULL) {
        return jwtsso_view_make(res ? res->payload : NULL,
                                res ? res->payload_len : 0,
                                res ? res->user : NULL, budget, view,
                                scratch, scratch_len, dropped, dropped_len);
    }
    if ((rv = start(view, dropped, dropped_len)) != JWTSSO_OK
        || (rv = lay_out(scratch, scratch_len, res->payload_len, &l))
           != JWTSSO_OK) {
        return rv;
    }
    n = list(res->payload, res->payload_len, &l);
    if (n == SIZE_MAX) {
        return JWTSSO_R_INTERNAL;
    }
    return finish(make(&l, n, res->user, budget, view, dropped,
                       dropped_len), view);
}
