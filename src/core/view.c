/*
 * view.c - the claims of a verified token as the app sees them (DESIGN
 * §6), for the session record (record.c) and a bearer request (the glue):
 * each top-level claim flattened, the kept claims chosen under a budget,
 * and the JSON text of JWTSSO_CLAIMS.
 *
 * The payload is read again with json.c (the view is made once per login
 * or bearer token, not per request). Everything the view points to is
 * written into the caller's scratch, so the parsed object is freed before
 * jwtsso_view_make returns. Numbers are written as Jansson reads them:
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
#define VIEW_ALIGN (CLAIM_ALIGN > SIZE_ALIGN ? CLAIM_ALIGN : SIZE_ALIGN)

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

/* A number's text at buf (NUM_MAX bytes); returns its length. */
static size_t number(const json_t *v, char *buf)
{
    double d;
    size_t i, n;
    int p;

    if (json_is_integer(v)) {
        return (size_t)snprintf(buf, NUM_MAX, "%" JSON_INTEGER_FORMAT,
                                json_integer_value(v));
    }
    d = json_real_value(v);
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

size_t jwtsso_view_number(const json_t *v, char *buf)
{
    return number(v, buf);
}

static void put_json_str(out_t *o, const char *s)
{
    size_t n = json_str(NULL, s);

    if (o->over || (size_t)(o->end - o->p) < n) {
        o->over = 1;
        return;
    }
    json_str(o->p, s);
    o->p += n;
}

/* The compact JSON of v (Jansson's JSON_COMPACT, numbers as number()). */
static void compact(out_t *o, const json_t *v)
{
    char num[NUM_MAX];
    const char *name;
    const json_t *e;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        put(o, "{", 1);
        i = 0;
        json_object_foreach((json_t *)v, name, e) {
            if (i++ > 0) {
                put(o, ",", 1);
            }
            put_json_str(o, name);
            put(o, ":", 1);
            compact(o, e);
        }
        put(o, "}", 1);
        break;
    case JSON_ARRAY:
        put(o, "[", 1);
        json_array_foreach(v, i, e) {
            if (i > 0) {
                put(o, ",", 1);
            }
            compact(o, e);
        }
        put(o, "]", 1);
        break;
    case JSON_STRING:
        put_json_str(o, json_string_value(v));
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        put(o, num, number(v, num));
        break;
    case JSON_TRUE:
        put(o, "true", 4);
        break;
    case JSON_FALSE:
        put(o, "false", 5);
        break;
    default:
        put(o, "null", 4);
        break;
    }
}

/* The flat text of a claim (jwtsso_claim_t): strings decoded, null as "",
 * numbers, true and false as text, an object as compact JSON, an array's
 * elements flat (containers inside it compact) joined with ",". */
static void flat(out_t *o, const json_t *v, int in_array)
{
    const json_t *e;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_STRING:
        put(o, json_string_value(v), json_string_length(v));
        break;
    case JSON_NULL:
        break;
    case JSON_ARRAY:
        if (!in_array) {
            json_array_foreach(v, i, e) {
                if (i > 0) {
                    put(o, ",", 1);
                }
                flat(o, e, 1);
            }
            break;
        }
        /* fall through */
    default:
        compact(o, v);
        break;
    }
}

/* The record type letter of a value (record.c's header). */
static char claim_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return 's';
    case JSON_NULL:
        return 'z';
    case JSON_ARRAY:
    case JSON_OBJECT:
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

    /* alignment slack, per member its cost, claim and kept mark; then
     * text: the decoded names with the flat values, the compact values
     * of containers, and the kept members' JSON object. Each is no longer
     * than the payload, but for reals written longer than sent; and a
     * NUL each. */
    return (VIEW_ALIGN - 1) + n * (sizeof(size_t) + sizeof(jwtsso_claim_t)
                                   + 1)
           + 3 * grown + 3 * n + 16;
}

/* Fill claims[0..) and cost[0..) from the members of obj, their text
 * at o; returns the member the user claim is (the first string equal to
 * user: the view does not know the claim's name), or SIZE_MAX. */
static size_t fill(const json_t *obj, const char *user, out_t *o,
                   jwtsso_claim_t *claims, size_t *cost)
{
    const char *name;
    const json_t *v;
    size_t i = 0, forced = SIZE_MAX;

    json_object_foreach((json_t *)obj, name, v) {
        claims[i].name = o->p;
        put(o, name, strlen(name) + 1);
        claims[i].value = o->p;
        flat(o, v, 0);
        put(o, "", 1);
        claims[i].type = claim_type(v);
        claims[i].json = NULL;
        if (claims[i].type == 'j') {
            claims[i].json = o->p;
            compact(o, v);
            put(o, "", 1);
        }
        if (o->over) {
            return SIZE_MAX;
        }
        cost[i] = jwtsso_recbody_cost(&claims[i]);
        if (forced == SIZE_MAX && user != NULL && json_is_string(v)
            && strcmp(json_string_value(v), user) == 0) {
            forced = i;
        }
        i++;
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

/* The view of obj, parsed from a payload of len bytes (which bounds the
 * claims and the scratch). */
static jwtsso_reason_t make(const json_t *obj, size_t len, const char *user,
                            size_t budget, jwtsso_view_t *view,
                            void *scratch, size_t scratch_len,
                            char *dropped, size_t dropped_len)
{
    jwtsso_claim_t *claims;
    unsigned char *kept;
    size_t *cost, i, n, nmax, pad, forced, total = 0, k, w;
    out_t o;
    jwtsso_reason_t rv = JWTSSO_OK;

    if (scratch == NULL || scratch_len < jwtsso_view_scratch_len(len)) {
        return JWTSSO_R_INTERNAL;
    }
    n = json_object_size(obj);
    nmax = len / 4 + 2;
    pad = (VIEW_ALIGN - (uintptr_t)scratch % VIEW_ALIGN) % VIEW_ALIGN;
    cost = (size_t *)(void *)((char *)scratch + pad);
    claims = (jwtsso_claim_t *)(void *)(cost + nmax);
    kept = (unsigned char *)(claims + nmax);
    o.p = (char *)(kept + nmax);
    o.end = (char *)scratch + scratch_len;
    o.over = 0;
    forced = n <= nmax ? fill(obj, user, &o, claims, cost) : SIZE_MAX;
    if (n > nmax || o.over) {
        rv = JWTSSO_R_INTERNAL;
        goto done;
    }

    k = choose(claims, cost, kept, n, forced, budget, &total);
    for (i = 0; i < n; i++) {
        if (!kept[i]) {
            note_dropped(dropped, dropped_len, claims[i].name);
            view->truncated = 1;
        }
    }
    for (i = 0, w = 0; i < n; i++) {
        if (kept[i]) {
            claims[w++] = claims[i];
        }
    }
    if ((size_t)(o.end - o.p) <= jwtsso_view_json(claims, k, NULL)) {
        rv = JWTSSO_R_INTERNAL;
        goto done;
    }
    jwtsso_view_json(claims, k, o.p);
    view->claims_json = o.p;
    view->claims = claims;
    view->nclaims = k;
    view->cost = total;

done:
    if (rv != JWTSSO_OK) {
        memset(view, 0, sizeof(*view));
    }
    return rv;
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

jwtsso_reason_t jwtsso_view_make(const char *payload, size_t len,
                                 const char *user, size_t budget,
                                 jwtsso_view_t *view, void *scratch,
                                 size_t scratch_len, char *dropped,
                                 size_t dropped_len)
{
    json_t *obj = NULL;
    jwtsso_reason_t rv;

    if ((rv = start(view, dropped, dropped_len)) != JWTSSO_OK) {
        return rv;
    }
    if (payload == NULL) {
        payload = "{}";
        len = 2;
    }
    if (scratch == NULL || scratch_len < jwtsso_view_scratch_len(len)) {
        return JWTSSO_R_INTERNAL;
    }
    rv = jwtsso_json_object(payload, len, JWTSSO_R_BAD_PAYLOAD, &obj);
    if (rv != JWTSSO_OK) {
        return rv == JWTSSO_R_INTERNAL ? rv : JWTSSO_R_BAD_PAYLOAD;
    }
    rv = make(obj, len, user, budget, view, scratch, scratch_len, dropped,
              dropped_len);
    json_decref(obj);
    return rv;
}

jwtsso_reason_t jwtsso_view_result(const jwtsso_result_t *res,
                                   size_t budget, jwtsso_view_t *view,
                                   void *scratch, size_t scratch_len,
                                   char *dropped, size_t dropped_len)
{
    jwtsso_reason_t rv;

    if (res == NULL || res->payload_obj == NULL) {
        return jwtsso_view_make(res ? res->payload : NULL,
                                res ? res->payload_len : 0,
                                res ? res->user : NULL, budget, view,
                                scratch, scratch_len, dropped, dropped_len);
    }
    if ((rv = start(view, dropped, dropped_len)) != JWTSSO_OK) {
        return rv;
    }
    return make((const json_t *)res->payload_obj, res->payload_len,
                res->user, budget, view, scratch, scratch_len, dropped,
                dropped_len);
}
