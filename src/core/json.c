/*
 * json.c - the few Jansson operations the core needs.
 *
 * Loading refuses duplicate member names (RFC 7515 §4 and RFC 7519 §4
 * let a parser refuse them; two parsers taking different duplicates is a
 * classic confusion). Jansson refuses NUL in strings unless asked
 * (JSON_ALLOW_NUL), trailing data after the value, and nesting deeper
 * than its fixed limit, so the strings we return are plain C strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* 2^53: beyond it a double no longer holds every integer. */
#define SECONDS_REAL_MAX 9007199254740992.0

char *jwtsso_strndup(const char *s, size_t len)
{
    char *d = malloc(len + 1);

    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

/* Copy a C string (a local strdup). */
static char *copy(const char *s)
{
    return jwtsso_strndup(s, strlen(s));
}

jwtsso_reason_t jwtsso_json_load(const unsigned char *buf, size_t len,
                                 jwtsso_reason_t bad, json_t **out)
{
    json_error_t err;
    json_t *v;

    *out = NULL;
    v = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
    if (v == NULL) {
        return json_error_code(&err) == json_error_duplicate_key
               ? JWTSSO_R_DUPLICATE_MEMBER : bad;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return bad;
    }
    *out = v;
    return JWTSSO_OK;
}

int jwtsso_json_seconds(const json_t *v, long long *out)
{
    double d;
    long long t;

    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (!json_is_real(v)) {
        return -1;
    }
    d = json_real_value(v);
    /* NaN fails both comparisons, infinities one of them. */
    if (!(d >= -SECONDS_REAL_MAX && d <= SECONDS_REAL_MAX)) {
        return -1;
    }
    /* RFC 7519 §2 NumericDate may have a fraction; floor it without libm. */
    t = (long long)d;
    if ((double)t > d) {
        t--;
    }
    *out = t;
    return 0;
}

char *jwtsso_json_compact(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY
                         | JSON_PRESERVE_ORDER);
}

/* The text of one scalar, or compact JSON for containers. */
static char *scalar(const json_t *v)
{
    char buf[64];

    switch (json_typeof(v)) {
    case JSON_STRING:
        return jwtsso_strndup(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        return copy(buf);
    case JSON_REAL:
        snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
        return copy(buf);
    case JSON_TRUE:
        return copy("true");
    case JSON_FALSE:
        return copy("false");
    case JSON_NULL:
        return copy("");
    default:
        return jwtsso_json_compact(v);
    }
}

char *jwtsso_json_flat(const json_t *v)
{
    char *out, *part = NULL, *grown;
    size_t i, len = 0, plen;
    int ok = 0;

    if (!json_is_array(v)) {
        return scalar(v);
    }
    out = copy("");
    if (out == NULL) {
        goto done;
    }
    for (i = 0; i < json_array_size(v); i++) {
        part = scalar(json_array_get(v, i));
        if (part == NULL) {
            goto done;
        }
        plen = strlen(part);
        grown = realloc(out, len + (i > 0) + plen + 1);
        if (grown == NULL) {
            goto done;
        }
        out = grown;
        if (i > 0) {
            out[len++] = ',';
        }
        memcpy(out + len, part, plen + 1);
        len += plen;
        free(part);
        part = NULL;
    }
    ok = 1;

done:
    free(part);
    if (!ok) {
        free(out);
        out = NULL;
    }
    return out;
}
