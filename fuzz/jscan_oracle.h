/*
 * jscan_oracle.h - the scanner (src/core/jscan.c) against Jansson, value by
 * value: shared by fuzz/fuzz_jscan.c and t/unit/test_jscan.c.
 *
 * jscan_same_object() scans an object's text again and compares every
 * member, in order, with Jansson's object: names and strings decoded,
 * numbers through jwtsso_jnum_seconds, literals, arrays element by
 * element, nested objects recursively. The includer defines
 * ORACLE_MALLOC(n), an allocation that never returns NULL.
 *
 * Numbers (mode): 0 compares only that a number is one; 1 compares
 * integers exactly and reals up to the step a double's rounding may take
 * onto an integer; 2 compares reals exactly too (the text is json_dumps'
 * own, 17 significant digits).
 */
#ifndef JWTSSO_JSCAN_ORACLE_H
#define JWTSSO_JSCAN_ORACLE_H

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jscan.h"

#ifndef ORACLE_MALLOC
#error "define ORACLE_MALLOC(n) before including jscan_oracle.h"
#endif

/* Does the number text agree with Jansson's double d? */
static int jscan_same_real(const char *raw, size_t len, double d, int mode)
{
    double a = d < 0 ? -d : d;
    long long s = 0, f;
    int r = jwtsso_jnum_seconds(raw, len, &s);

    if (a >= 9007199254740996.0) {
        return r == -1;
    }
    if (a >= 9007199254740990.0) {
        return 1;       /* too close to 2^53 to tell from a double */
    }
    if (r != 0) {
        return 0;
    }
    f = (long long)d;
    if ((double)f > d) {
        f--;
    }
    /* rounding to a double may step up onto an integer, never down */
    return mode == 2 ? s == f : (s == f || s == f - 1);
}

static int jscan_same_object(const char *raw, size_t len, json_t *obj,
                             int mode, int depth);

/* Does the scanned value (type, raw text, esc) equal Jansson's v? */
static int jscan_same_value(jwtsso_jtype_t t, const char *raw, size_t len,
                            int esc, json_t *v, int mode, int depth)
{
    const char *elem;
    size_t elen, pos = 0, i = 0, dl;
    jwtsso_jtype_t et;
    long long s;
    char *dec;
    int eesc, ok;

    switch (json_typeof(v)) {
    case JSON_STRING:
        if (t != JWTSSO_J_STRING
            || (esc != 0) != (memchr(raw, '\\', len) != NULL)) {
            return 0;
        }
        dec = ORACLE_MALLOC(len + 1);
        dl = jwtsso_jstr_decode(raw, len, dec);
        ok = dl == json_string_length(v) && dec[dl] == '\0'
             && memcmp(dec, json_string_value(v), dl) == 0
             && jwtsso_jstr_equals(raw, len, esc, json_string_value(v),
                                   json_string_length(v));
        free(dec);
        return ok;
    case JSON_INTEGER:
        return t == JWTSSO_J_NUMBER
               && (mode == 0 || (jwtsso_jnum_seconds(raw, len, &s) == 0
                                 && s == json_integer_value(v)));
    case JSON_REAL:
        return t == JWTSSO_J_NUMBER
               && (mode == 0
                   || jscan_same_real(raw, len, json_real_value(v), mode));
    case JSON_TRUE:
        return t == JWTSSO_J_TRUE && len == 4 && memcmp(raw, "true", 4) == 0;
    case JSON_FALSE:
        return t == JWTSSO_J_FALSE && len == 5
               && memcmp(raw, "false", 5) == 0;
    case JSON_NULL:
        return t == JWTSSO_J_NULL && len == 4 && memcmp(raw, "null", 4) == 0;
    case JSON_ARRAY:
        if (t != JWTSSO_J_ARRAY || len < 2 || raw[0] != '['
            || raw[len - 1] != ']') {
            return 0;
        }
        while (jwtsso_jarray_next(raw, len, &pos, &elem, &elen, &et, &eesc)) {
            if (i >= json_array_size(v) || elem < raw
                || elem + elen > raw + len
                || !jscan_same_value(et, elem, elen, eesc,
                                     json_array_get(v, i), mode, depth + 1)) {
                return 0;
            }
            i++;
        }
        return i == json_array_size(v);
    case JSON_OBJECT:
        return t == JWTSSO_J_OBJECT && len >= 2 && raw[0] == '{'
               && raw[len - 1] == '}'
               && jscan_same_object(raw, len, v, mode, depth + 1);
    }
    return 0;
}

static int jscan_same_object(const char *raw, size_t len, json_t *obj,
                             int mode, int depth)
{
    size_t size = json_object_size(obj), n = 0, i, dl, klen;
    jwtsso_jmember_t *m = ORACLE_MALLOC((size + 1) * sizeof(*m));
    const char *key;
    void *it;
    char *dec;
    int ok;

    ok = depth <= JWTSSO_JSCAN_MAX_DEPTH
         && jwtsso_jscan_object(raw, len, m, size + 1, &n)
            == JWTSSO_JSCAN_OK
         && n == size;
    for (i = 0, it = json_object_iter(obj); ok && it != NULL;
         i++, it = json_object_iter_next(obj, it)) {
        key = json_object_iter_key(it);
        klen = json_object_iter_key_len(it);
        /* inside the text, in document order, name before value */
        ok = m[i].name > raw && m[i].name + m[i].name_len < raw + len
             && m[i].value > m[i].name + m[i].name_len
             && m[i].value + m[i].value_len <= raw + len
             && (i == 0 || m[i].name > m[i - 1].value + m[i - 1].value_len)
             && (m[i].name_esc != 0)
                == (memchr(m[i].name, '\\', m[i].name_len) != NULL);
        if (!ok) {
            break;
        }
        dec = ORACLE_MALLOC(m[i].name_len + 1);
        dl = jwtsso_jstr_decode(m[i].name, m[i].name_len, dec);
        ok = dl == klen && memcmp(dec, key, klen) == 0
             && jwtsso_jstr_equals(m[i].name, m[i].name_len, m[i].name_esc,
                                   key, klen)
             && jscan_same_value(m[i].type, m[i].value, m[i].value_len,
                                 m[i].value_esc, json_object_iter_value(it),
                                 mode, depth);
        free(dec);
    }
    free(m);
    return ok && i == size;
}

#endif /* JWTSSO_JSCAN_ORACLE_H */
