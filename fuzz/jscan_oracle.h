/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jscan_oracle.h - the scanner (src/core/jscan.c) against Jansson, as
 * json.c's jwtsso_json_object reads the same text: shared by
 * fuzz/fuzz_jscan.c and t/unit/test_jscan.c.
 *
 * jscan_verdict() is jwtsso_json_object's answer in the scanner's words.
 * jscan_same_object() scans an object's text again and compares every
 * member, in order, with Jansson's object: names and strings decoded
 * (jwtsso_jstr_decode and _equals), integers exactly
 * (jwtsso_jnum_integer), reals as the same double (jwtsso_jnum_real:
 * both are strtod of the same value), NumericDates as
 * jwtsso_json_seconds reads them, literals, arrays element by element
 * (jwtsso_jscan_next), nested objects recursively, both by scanning
 * their text and by walking it. The includer defines ORACLE_MALLOC(n),
 * an allocation that never returns NULL.
 */
#ifndef JWTSSO_JSCAN_ORACLE_H
#define JWTSSO_JSCAN_ORACLE_H

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

#ifndef ORACLE_MALLOC
#error "define ORACLE_MALLOC(n) before including jscan_oracle.h"
#endif

/* jwtsso_json_object's verdict on text as a JWTSSO_JSCAN_* value; *root
 * gets its object (the caller json_decref's it), or NULL. */
static int jscan_verdict(const char *text, size_t len, json_t **root)
{
    switch (jwtsso_json_object(text, len, JWTSSO_R_BAD_PAYLOAD, root)) {
    case JWTSSO_OK:
        return JWTSSO_JSCAN_OK;
    case JWTSSO_R_DUPLICATE_MEMBER:
        return JWTSSO_JSCAN_DUPLICATE;
    default:
        return JWTSSO_JSCAN_BAD;
    }
}

/* Does a number's text read as Jansson's number v? */
static int jscan_same_number(const char *raw, size_t len, json_t *v)
{
    long long i, s, js;
    double d;
    int r = jwtsso_jnum_seconds(raw, len, &s);

    if (r != jwtsso_json_seconds(v, &js) || (r == 0 && s != js)) {
        return 0;
    }
    if (json_is_integer(v)) {
        return jwtsso_jnum_integer(raw, len, &i)
               && i == json_integer_value(v)
               && jwtsso_jnum_real(raw, len, &d) == 0;
    }
    return !jwtsso_jnum_integer(raw, len, &i)
           && jwtsso_jnum_real(raw, len, &d) == 0
           && d == json_real_value(v)
           && (d < 0) == (json_real_value(v) < 0);
}

static int jscan_same_object(const char *raw, size_t len, json_t *obj,
                             int depth);

/* Does the string's raw text decode to s (slen bytes)? */
static int jscan_same_string(const char *raw, size_t len, int esc,
                             const char *s, size_t slen)
{
    char *dec;
    size_t dl;
    int ok;

    if ((esc != 0) != (memchr(raw, '\\', len) != NULL)) {
        return 0;
    }
    dec = ORACLE_MALLOC(len + 1);
    dl = jwtsso_jstr_decode(raw, len, dec);
    ok = dl == slen && dec[dl] == '\0' && memcmp(dec, s, dl) == 0
         && jwtsso_jstr_equals(raw, len, esc, s, slen);
    free(dec);
    return ok;
}

/* Does the scanned value m equal Jansson's v? */
static int jscan_same_value(const jwtsso_jmember_t *m, json_t *v, int depth)
{
    jwtsso_jmember_t e;
    size_t pos = 0, i = 0;

    switch (json_typeof(v)) {
    case JSON_STRING:
        return m->type == JWTSSO_J_STRING
               && jscan_same_string(m->value, m->value_len, m->value_esc,
                                    json_string_value(v),
                                    json_string_length(v));
    case JSON_INTEGER:
    case JSON_REAL:
        return m->type == JWTSSO_J_NUMBER
               && jscan_same_number(m->value, m->value_len, v);
    case JSON_TRUE:
        return m->type == JWTSSO_J_TRUE && m->value_len == 4
               && memcmp(m->value, "true", 4) == 0;
    case JSON_FALSE:
        return m->type == JWTSSO_J_FALSE && m->value_len == 5
               && memcmp(m->value, "false", 5) == 0;
    case JSON_NULL:
        return m->type == JWTSSO_J_NULL && m->value_len == 4
               && memcmp(m->value, "null", 4) == 0;
    case JSON_ARRAY:
        if (m->type != JWTSSO_J_ARRAY || m->value_len < 2
            || m->value[0] != '[' || m->value[m->value_len - 1] != ']') {
            return 0;
        }
        while (jwtsso_jscan_next(m->value, m->value_len, &pos, &e)) {
            if (i >= json_array_size(v) || e.name != NULL
                || e.value < m->value
                || e.value + e.value_len > m->value + m->value_len
                || !jscan_same_value(&e, json_array_get(v, i), depth + 1)) {
                return 0;
            }
            i++;
        }
        return i == json_array_size(v);
    case JSON_OBJECT:
        return m->type == JWTSSO_J_OBJECT && m->value_len >= 2
               && m->value[0] == '{' && m->value[m->value_len - 1] == '}'
               && jscan_same_object(m->value, m->value_len, v, depth + 1);
    }
    return 0;
}

/* m[i] (a scanned member) and w (the same member walked) agree. */
static int jscan_same_member(const jwtsso_jmember_t *m,
                             const jwtsso_jmember_t *w)
{
    return m->name == w->name && m->name_len == w->name_len
           && m->name_esc == w->name_esc && m->value == w->value
           && m->value_len == w->value_len && m->type == w->type
           && m->value_esc == w->value_esc;
}

static int jscan_same_object(const char *raw, size_t len, json_t *obj,
                             int depth)
{
    size_t size = json_object_size(obj), n = 0, i, pos = 0;
    jwtsso_jmember_t *m = ORACLE_MALLOC((size + 1) * sizeof(*m)), w;
    void *it;
    int ok;

    ok = depth <= JWTSSO_JSCAN_MAX_DEPTH
         && jwtsso_jscan_object(raw, len, m, size + 1, &n)
            == JWTSSO_JSCAN_OK
         && n == size;
    for (i = 0, it = json_object_iter(obj); ok && it != NULL;
         i++, it = json_object_iter_next(obj, it)) {
        /* inside the text, in document order, name before value; and
         * what jwtsso_jscan_next walks to */
        ok = m[i].name > raw && m[i].name + m[i].name_len < raw + len
             && m[i].value > m[i].name + m[i].name_len
             && m[i].value + m[i].value_len <= raw + len
             && (i == 0 || m[i].name > m[i - 1].value + m[i - 1].value_len)
             && jwtsso_jscan_next(raw, len, &pos, &w)
             && jscan_same_member(&m[i], &w)
             && jscan_same_string(m[i].name, m[i].name_len, m[i].name_esc,
                                  json_object_iter_key(it),
                                  json_object_iter_key_len(it))
             && jscan_same_value(&m[i], json_object_iter_value(it), depth);
    }
    ok = ok && i == size && !jwtsso_jscan_next(raw, len, &pos, &w);
    free(m);
    return ok;
}

#endif /* JWTSSO_JSCAN_ORACLE_H */
