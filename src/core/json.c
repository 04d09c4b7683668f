/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * json.c - the core's JSON reader: Jansson, strictly.
 *
 * JWKS documents, and every JSON text the token path does not read, are
 * read by jwtsso_json_object(); a token's header and payload are read by
 * the scanner (jscan.c), which keeps exactly these rules (fuzz_jscan
 * holds the two side by side). Jansson's json_loadb with
 * JSON_REJECT_DUPLICATES (a repeated name, compared after decoding its
 * escapes, in any object), without JSON_ALLOW_NUL ("\u0000" refused), and
 * the rules of DESIGN §3 that Jansson leaves to us: a raw NUL byte is
 * refused wherever it is (Jansson's reader drops one right after a number
 * or literal), the value must be an object, and arrays and objects may
 * nest JSON_MAX_DEPTH deep at most (Jansson allows 2048: the view's
 * writers recurse). Integers beyond long long and reals beyond double are
 * refused by Jansson itself. The caller has capped the size before.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The top-level object is depth 1. */
#define JSON_MAX_DEPTH 64

/* Is every array and object in v at most max levels deep (v counts)? */
static int shallow(const json_t *v, int max)
{
    const json_t *e;
    const char *name;
    size_t i;

    if (max <= 0) {
        return 0;
    }
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, name, e) {
            if ((json_is_object(e) || json_is_array(e))
                && !shallow(e, max - 1)) {
                return 0;
            }
        }
    }
    else if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if ((json_is_object(e) || json_is_array(e))
                && !shallow(e, max - 1)) {
                return 0;
            }
        }
    }
    return 1;
}

jwtsso_reason_t jwtsso_json_object(const char *text, size_t len,
                                   jwtsso_reason_t bad, json_t **out)
{
    json_error_t err;
    json_t *v;

    *out = NULL;
    if (text == NULL || memchr(text, '\0', len) != NULL) {
        return bad;
    }
    v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (v == NULL) {
        switch (json_error_code(&err)) {
        case json_error_duplicate_key:
            return JWTSSO_R_DUPLICATE_MEMBER;
        case json_error_out_of_memory:
            return JWTSSO_R_INTERNAL;
        default:
            return bad;
        }
    }
    if (!json_is_object(v) || !shallow(v, JSON_MAX_DEPTH)) {
        json_decref(v);
        return bad;
    }
    *out = v;
    return JWTSSO_OK;
}

int jwtsso_json_seconds(const json_t *v, long long *out)
{
    /* 2^53: beyond it a double no longer holds every whole second */
    const double lim = 9007199254740992.0;
    double d;
    long long s;

    if (json_is_integer(v)) {
        *out = (long long)json_integer_value(v);
        return 0;
    }
    if (!json_is_real(v)) {
        return -1;
    }
    d = json_real_value(v);
    if (!(d >= -lim && d <= lim)) {
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

char *jwtsso_json_strndup(const char *s, size_t len)
{
    char *d = malloc(len + 1);

    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}
