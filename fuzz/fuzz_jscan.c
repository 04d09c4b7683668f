/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * fuzz_jscan.c - the token path's JSON scanner (src/core/jscan.c) against
 * json.c's jwtsso_json_object (Jansson), whose rules it keeps.
 *
 * The input is taken as a JSON text. Checks, besides memory safety (the
 * scanner reads only the input; the helpers' output buffers are exactly
 * the sizes jscan.h promises to need):
 *  - the verdict is jwtsso_json_object's (an object, a duplicate name, or
 *    refused), but for one case jscan.h states: a text nested deeper
 *    than JWTSSO_JSCAN_MAX_DEPTH that repeats a name after that point
 *    (json.c reports the name, the scanner the depth). TOO_MANY only for
 *    valid texts;
 *  - for a valid text, every member in document order (jscan_oracle.h):
 *    decoded names and strings, integers, reals as the same double,
 *    NumericDates as json.c reads them, arrays through jwtsso_jscan_next,
 *    nested objects scanned again and walked;
 *  - the helpers on the raw input, valid or not: jwtsso_jstr_decode stays
 *    within raw_len + 1 bytes and agrees with jwtsso_jstr_equals,
 *    jwtsso_jscan_next stays inside the text and ends, and the number
 *    helpers agree with Jansson on the input read as one number.
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

/* The helpers on any text: bounds and termination. */
static void helpers_on(const uint8_t *data, size_t size)
{
    const char *raw = (const char *)data;
    char *out = need(size + 1);
    size_t n, pos = 0, prev, calls = 0;
    jwtsso_jmember_t e;
    long long s;
    double d;

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
    for (;;) {
        prev = pos;
        if (!jwtsso_jscan_next(raw, size, &pos, &e)) {
            break;
        }
        FUZZ_ASSERT(e.value >= raw && e.value + e.value_len <= raw + size);
        FUZZ_ASSERT(e.name == NULL
                    || (e.name >= raw && e.name + e.name_len <= raw + size));
        FUZZ_ASSERT(pos > prev && pos <= size);
        FUZZ_ASSERT(++calls <= size);
    }
    FUZZ_ASSERT(pos <= size);
    (void)jwtsso_jnum_seconds(raw, size, &s);
    (void)jwtsso_jnum_integer(raw, size, &s);
    (void)jwtsso_jnum_real(raw, size, &d);
    free(out);
}

/* The number helpers on a number Jansson reads (the input in [ ]). */
static void number_vs_jansson(const uint8_t *data, size_t size)
{
    char *text = need(size + 2);
    jwtsso_jmember_t m;
    json_t *v, *x;

    text[0] = '[';
    memcpy(text + 1, data, size);
    text[size + 1] = ']';
    v = memchr(data, '\0', size) == NULL
        ? json_loadb(text, size + 2, 0, NULL) : NULL;
    free(text);
    if (v == NULL) {
        return;
    }
    x = json_array_size(v) == 1 ? json_array_get(v, 0) : NULL;
    if (x != NULL && json_is_number(x) && size > 0 && data[0] != ' '
        && data[0] != '\t' && data[0] != '\n' && data[0] != '\r'
        && data[size - 1] >= '0' && data[size - 1] <= '9') {
        memset(&m, 0, sizeof(m));
        m.type = JWTSSO_J_NUMBER;
        m.value = (const char *)data;
        m.value_len = size;
        FUZZ_ASSERT(jscan_same_value(&m, x, 1));
    }
    json_decref(v);
}

/* Do arrays and objects nest deeper than the scanner takes somewhere in
 * the text (brackets counted outside strings)? */
static int too_deep(const uint8_t *data, size_t size)
{
    size_t i;
    int depth = 0, in = 0;

    for (i = 0; i < size; i++) {
        if (in) {
            if (data[i] == '\\') {
                i++;
            }
            else if (data[i] == '"') {
                in = 0;
            }
        }
        else if (data[i] == '"') {
            in = 1;
        }
        else if (data[i] == '[' || data[i] == '{') {
            if (++depth > JWTSSO_JSCAN_MAX_DEPTH) {
                return 1;
            }
        }
        else if (data[i] == ']' || data[i] == '}') {
            depth--;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jwtsso_jmember_t m[MAXM];
    json_t *ref;
    size_t n = 12345, i;
    int rc, want;

    rc = jwtsso_jscan_object((const char *)data, size, m, MAXM, &n);
    FUZZ_ASSERT(rc == JWTSSO_JSCAN_OK || rc == JWTSSO_JSCAN_BAD
                || rc == JWTSSO_JSCAN_DUPLICATE
                || rc == JWTSSO_JSCAN_TOO_MANY);
    FUZZ_ASSERT(rc == JWTSSO_JSCAN_OK ? n <= MAXM
                : rc == JWTSSO_JSCAN_TOO_MANY ? n == MAXM : n == 0);
    want = jscan_verdict((const char *)data, size, &ref);
    if (want == JWTSSO_JSCAN_OK) {
        FUZZ_ASSERT(rc == (json_object_size(ref) > MAXM
                           ? JWTSSO_JSCAN_TOO_MANY : JWTSSO_JSCAN_OK));
        for (i = 0; i < n; i++) {
            FUZZ_ASSERT(m[i].name >= (const char *)data
                        && m[i].value + m[i].value_len
                           <= (const char *)data + size);
        }
        FUZZ_ASSERT(jscan_same_object((const char *)data, size, ref, 1));
    }
    else if (want == JWTSSO_JSCAN_DUPLICATE) {
        FUZZ_ASSERT(rc == JWTSSO_JSCAN_DUPLICATE
                    || (rc == JWTSSO_JSCAN_BAD && too_deep(data, size)));
    }
    else {
        FUZZ_ASSERT(rc == JWTSSO_JSCAN_BAD);
    }
    json_decref(ref);
    helpers_on(data, size);
    number_vs_jansson(data, size);
    return 0;
}
