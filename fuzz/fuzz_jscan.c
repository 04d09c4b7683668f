/*
 * fuzz_jscan.c - the JSON scanner (src/core/jscan.c) against Jansson.
 *
 * The input is taken as a JSON text. Checks, besides memory safety (the
 * scanner reads only the input; the helpers' output buffers are exactly
 * the sizes jscan.h promises to need):
 *  - the verdict is Jansson's (json_loadb with JSON_REJECT_DUPLICATES,
 *    then "is it an object"), but for the divergences jscan.h documents:
 *    a number Jansson refuses as too big is taken as number text (the
 *    harness replaces each such number with 0 and asks Jansson again),
 *    arrays/objects nested deeper than JWTSSO_JSCAN_MAX_DEPTH are
 *    refused, and so is a NUL byte wherever it is (Jansson skips one
 *    after a number or literal). Where Jansson reports a duplicate name
 *    the scanner may say BAD (the text may be broken further on), unless
 *    the text is valid but for duplicates (Jansson without
 *    JSON_REJECT_DUPLICATES takes it): then it must say DUPLICATE.
 *    TOO_MANY only for valid texts;
 *  - for a valid text, every member in document order: the decoded name,
 *    the type, a string's decoded value, an integer's value, a real's
 *    floor (within the rounding of a double), array elements through
 *    jwtsso_jarray_next and nested objects scanned again, all equal to
 *    what Jansson parsed; jwtsso_jcompact gives a text without
 *    whitespace that scans to the same members;
 *  - the helpers on the raw input, valid or not: jwtsso_jstr_decode stays
 *    within raw_len + 1 bytes and agrees with jwtsso_jstr_equals,
 *    jwtsso_jcompact within len + 1, jwtsso_jarray_next stays inside the
 *    text and ends, jwtsso_jnum_seconds agrees with Jansson on a number.
 */
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "jscan.h"

static void *need(size_t n)
{
    void *p = malloc(n > 0 ? n : 1);

    FUZZ_NEED(p);
    return p;
}
#define ORACLE_MALLOC(n) need(n)
#include "jscan_oracle.h"

#define MAXM 16                 /* members array: TOO_MANY beyond */

/* The deepest nesting of arrays and objects in v (v itself counts 1). */
static int depth_of(json_t *v)
{
    const char *key;
    json_t *x;
    size_t i;
    int d, best = 0;

    if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            d = depth_of(x);
            best = d > best ? d : best;
        }
        return best + 1;
    }
    if (json_is_object(v)) {
        json_object_foreach(v, key, x) {
            d = depth_of(x);
            best = d > best ? d : best;
        }
        return best + 1;
    }
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The start of the number token that ends at text[end]: Jansson lexes
 * greedily, so the longest number that ends there (a digit, or a number
 * character, never ends the token before it). */
static size_t number_start(const char *text, size_t end)
{
    size_t i = end;

    while (i > 0 && is_digit(text[i - 1])) {
        i--;
    }
    if (i > 1 && (text[i - 1] == '+' || text[i - 1] == '-')
        && (text[i - 2] == 'e' || text[i - 2] == 'E')) {
        i -= 2;
    }
    else if (i > 0 && (text[i - 1] == 'e' || text[i - 1] == 'E')) {
        i--;
    }
    if (i < end && !is_digit(text[i])) {
        while (i > 0 && is_digit(text[i - 1])) {
            i--;
        }
    }
    if (i > 0 && text[i - 1] == '.') {
        i--;
        while (i > 0 && is_digit(text[i - 1])) {
            i--;
        }
    }
    if (i > 0 && text[i - 1] == '-') {
        i--;
    }
    return i;
}

/* Jansson on text (which this may change): while it stops at a number it
 * cannot hold, put " 0 " in place of that number (the spaces keep it from
 * joining a token next to it) and try again. Returns the value (NULL on
 * error, *err says why); *changed counts the numbers replaced; *len is
 * updated (it only shrinks: such a number has at least 5 characters).
 * Where Jansson has lost a NUL byte (jscan.h) its position is off and
 * the number may not be found: then *changed is -1. */
static json_t *load(char *text, size_t *len, size_t flags, json_error_t *err,
                    int *changed)
{
    json_t *v;
    size_t end, start;

    for (;;) {
        v = json_loadb(text, *len, flags, err);
        if (v != NULL || json_error_code(err) != json_error_numeric_overflow) {
            return v;
        }
        end = (size_t)err->position;
        start = end <= *len ? number_start(text, end) : end;
        if (end - start < 5) {
            *changed = -1;
            return NULL;
        }
        memcpy(text + start, " 0 ", 3);
        memmove(text + start + 3, text + end, *len - end);
        *len -= end - start - 3;
        (*changed)++;
    }
}

/* The helpers on any text: bounds and termination. */
static void helpers_on(const uint8_t *data, size_t size)
{
    const char *raw = (const char *)data, *elem;
    char *out = malloc(size + 1), *again;
    size_t n, pos = 0, prev, elen, calls = 0;
    jwtsso_jtype_t type;
    long long s;
    int esc;

    FUZZ_NEED(out);
    n = jwtsso_jstr_decode(raw, size, out);
    FUZZ_ASSERT(n <= size && out[n] == '\0');
    FUZZ_ASSERT(jwtsso_jstr_equals(raw, size, 1, out, n));
    FUZZ_ASSERT(jwtsso_jstr_equals(raw, size, 0, raw, size));
    FUZZ_ASSERT(n == size || !jwtsso_jstr_equals(raw, size, 0, out, n));
    if (n > 0) {
        out[n - 1] ^= 1;
        FUZZ_ASSERT(!jwtsso_jstr_equals(raw, size, 1, out, n));
        FUZZ_ASSERT(!jwtsso_jstr_equals(raw, size, 1, out, n - 1));
    }

    n = jwtsso_jcompact(raw, size, out);
    FUZZ_ASSERT(n <= size && out[n] == '\0');
    again = malloc(n + 1);
    FUZZ_NEED(again);
    FUZZ_ASSERT(jwtsso_jcompact(out, n, again) <= n);
    free(again);

    for (;;) {
        prev = pos;
        if (!jwtsso_jarray_next(raw, size, &pos, &elem, &elen, &type, &esc)) {
            break;
        }
        FUZZ_ASSERT(elem >= raw && elem + elen <= raw + size);
        FUZZ_ASSERT(pos > prev && pos <= size);
        FUZZ_ASSERT(++calls <= size);
    }
    FUZZ_ASSERT(pos <= size);

    (void)jwtsso_jnum_seconds(raw, size, &s);
    free(out);
}

/* jwtsso_jnum_seconds on a number Jansson reads (the input in [ ]). */
static void seconds_vs_jansson(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 2);
    json_error_t err;
    json_t *v, *x;
    long long s;
    int r;

    FUZZ_NEED(text);
    text[0] = '[';
    memcpy(text + 1, data, size);
    text[size + 1] = ']';
    v = json_loadb(text, size + 2, 0, &err);
    free(text);
    if (v == NULL) {
        return;
    }
    x = json_array_size(v) == 1 ? json_array_get(v, 0) : NULL;
    if (x != NULL && json_is_number(x) && size > 0 && data[0] != ' '
        && data[0] != '\t' && data[0] != '\n' && data[0] != '\r'
        && data[size - 1] >= '0' && data[size - 1] <= '9') {
        r = jwtsso_jnum_seconds((const char *)data, size, &s);
        if (json_is_integer(x)) {
            FUZZ_ASSERT(r == 0 && s == json_integer_value(x));
        }
        else {
            FUZZ_ASSERT(jscan_same_real((const char *)data, size,
                                        json_real_value(x), 1));
        }
    }
    json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jwtsso_jmember_t m[MAXM];
    json_error_t err;
    json_t *ref, *loose;
    char *text;
    size_t n = 12345, tlen = size, i;
    int rc, changed = 0, valid_but_dup;

    rc = jwtsso_jscan_object((const char *)data, size, m, MAXM, &n);
    FUZZ_ASSERT(rc == JWTSSO_JSCAN_OK || rc == JWTSSO_JSCAN_BAD
                || rc == JWTSSO_JSCAN_DUPLICATE
                || rc == JWTSSO_JSCAN_TOO_MANY);
    FUZZ_ASSERT(rc == JWTSSO_JSCAN_OK ? n <= MAXM
                : rc == JWTSSO_JSCAN_TOO_MANY ? n == MAXM : n == 0);

    text = malloc(size > 0 ? size : 1);
    FUZZ_NEED(text);
    if (size > 0) {
        memcpy(text, data, size);
    }
    ref = load(text, &tlen, JSON_REJECT_DUPLICATES, &err, &changed);
    if (size > 0 && memchr(data, '\0', size) != NULL) {
        /* A raw NUL is never valid, though Jansson skips one right after
         * a number or literal (jscan.h). A duplicate name before it may
         * be reported instead. */
        FUZZ_ASSERT(rc == JWTSSO_JSCAN_BAD
                    || (rc == JWTSSO_JSCAN_DUPLICATE && ref == NULL
                        && (json_error_code(&err) == json_error_duplicate_key
                            || changed < 0)));
    }
    else if (changed < 0) {
        FUZZ_ASSERT(!"Jansson's too-big number not found");
    }
    else if (ref != NULL && json_is_object(ref)
        && depth_of(ref) <= JWTSSO_JSCAN_MAX_DEPTH) {
        /* valid */
        FUZZ_ASSERT(rc == (json_object_size(ref) > MAXM
                           ? JWTSSO_JSCAN_TOO_MANY : JWTSSO_JSCAN_OK));
        for (i = 0; i < n; i++) {
            FUZZ_ASSERT(m[i].name >= (const char *)data
                        && m[i].value + m[i].value_len
                           <= (const char *)data + size);
        }
        FUZZ_ASSERT(jscan_same_object((const char *)data, size, ref,
                                      changed ? 0 : 1, 1));
        /* compacted: no whitespace outside strings, the same members */
        {
            char *c = malloc(size + 1);
            jwtsso_jmember_t *cm = malloc((json_object_size(ref) + 1)
                                          * sizeof(*cm));
            size_t cl, cn;

            FUZZ_NEED(c);
            FUZZ_NEED(cm);
            cl = jwtsso_jcompact((const char *)data, size, c);
            FUZZ_ASSERT(cl <= size && c[cl] == '\0');
            FUZZ_ASSERT(jwtsso_jscan_object(c, cl, cm,
                                            json_object_size(ref) + 1, &cn)
                        == JWTSSO_JSCAN_OK
                        && cn == json_object_size(ref));
            for (i = 0; i < cl; i++) {
                if (c[i] == '"') {
                    for (i++; i < cl && c[i] != '"'; i++) {
                        i += c[i] == '\\';
                    }
                }
                else {
                    FUZZ_ASSERT(c[i] != ' ' && c[i] != '\t' && c[i] != '\n'
                                && c[i] != '\r');
                }
            }
            free(cm);
            free(c);
        }
    }
    else if (ref != NULL) {
        /* valid JSON, but not an object, or nested too deep for us */
        FUZZ_ASSERT(rc == JWTSSO_JSCAN_BAD);
    }
    else if (json_error_code(&err) == json_error_duplicate_key) {
        FUZZ_ASSERT(rc == JWTSSO_JSCAN_DUPLICATE || rc == JWTSSO_JSCAN_BAD);
        /* valid but for duplicates: then we must say so */
        if (size > 0) {
            memcpy(text, data, size);
        }
        tlen = size;
        loose = load(text, &tlen, 0, &err, &changed);
        valid_but_dup = loose != NULL && json_is_object(loose)
                        && depth_of(loose) <= JWTSSO_JSCAN_MAX_DEPTH;
        FUZZ_ASSERT(!valid_but_dup || rc == JWTSSO_JSCAN_DUPLICATE);
        json_decref(loose);
    }
    else {
        FUZZ_ASSERT(rc == JWTSSO_JSCAN_BAD);
    }
    json_decref(ref);
    free(text);

    helpers_on(data, size);
    seconds_vs_jansson(data, size);
    return 0;
}
