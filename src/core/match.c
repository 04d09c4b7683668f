/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * match.c - Require jwtsso-claim's test (the glue in src/httpd/authz.c
 * parses the line once, at start-up, and calls this per request).
 *
 * A record's claims are flat (view.c): a top-level string, number or
 * boolean is compared as it is, with no JSON parser. An array or object
 * claim keeps its compact JSON, which is parsed here, one claim only, when
 * a requirement names it; a record without claim types (the bearer
 * cache's, bcache.c) has only the whole claims JSON, parsed then. That
 * JSON was written by view.c from a verified token, so its numbers are
 * already in the view's text and a number inside an array compares like
 * a top-level one.
 *
 * A claim a record left out for size is UNKNOWN, never MISSING: the glue
 * must not let a requirement on it grant, nor let a negated one pass.
 */
#include <string.h>

#include "internal.h"

int jwtsso_match_path(const char *spec, char *out, size_t *n)
{
    size_t count = 0, len = 0;
    const char *s;

    for (s = spec;; s++) {
        if (*s == '\0' || *s == '.') {
            if (len == 0) {
                return JWTSSO_MATCH_PATH_EMPTY;
            }
            *out++ = '\0';
            count++;
            len = 0;
            if (*s == '\0') {
                break;
            }
            continue;
        }
        if (*s == '\\') {
            s++;
            if (*s != '.' && *s != '\\') {
                return JWTSSO_MATCH_PATH_ESCAPE;
            }
        }
        *out++ = *s;
        len++;
    }
    *n = count;
    return 0;
}

static int one_of(const char *text, const char *const *values, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(text, values[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A string, number or boolean equal to one of the values (by its text);
 * 0 for anything else. */
static int scalar(const json_t *v, const char *const *values, size_t n)
{
    char num[JWTSSO_VIEW_NUM_MAX];

    switch (json_typeof(v)) {
    case JSON_STRING:
        /* the reader refuses "\u0000", so the text has no NUL inside */
        return one_of(json_string_value(v), values, n);
    case JSON_INTEGER:
    case JSON_REAL:
        jwtsso_view_number(v, num);
        return one_of(num, values, n);
    case JSON_TRUE:
        return one_of("true", values, n);
    case JSON_FALSE:
        return one_of("false", values, n);
    default:
        return 0;
    }
}

/* The value v: a scalar, or an array with a scalar member, that matches.
 * Arrays inside the array and objects never match. */
static jwtsso_match_t value(const json_t *v, const char *const *values,
                            size_t n)
{
    const json_t *e;
    size_t i;

    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (scalar(e, values, n)) {
                return JWTSSO_MATCH_YES;
            }
        }
        return JWTSSO_MATCH_NO;
    }
    return scalar(v, values, n) ? JWTSSO_MATCH_YES : JWTSSO_MATCH_NO;
}

static const jwtsso_claim_t *find(const jwtsso_record_t *rec,
                                  const char *name)
{
    size_t i;

    for (i = 0; i < rec->nclaims; i++) {
        if (strcmp(rec->claims[i].name, name) == 0) {
            return &rec->claims[i];
        }
    }
    return NULL;
}

/* Parse text (ours: a view's compact JSON) as any JSON value. */
static json_t *load(const char *text)
{
    json_error_t err;

    return json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
}

/* The claim c, whose value is only in JSON: its own (type 'j'), or the
 * record's whole claims JSON (a record without types). */
static jwtsso_match_t parsed(const jwtsso_record_t *rec,
                             const jwtsso_claim_t *c,
                             const char *const *path, size_t npath,
                             const char *const *values, size_t nvalues)
{
    json_t *root;
    const json_t *v;
    jwtsso_match_t m;
    size_t k;

    if (c->type == 'j' && c->json != NULL) {
        root = load(c->json);
        v = root;
    }
    else if (c->type == 0 && rec->claims_json != NULL) {
        root = load(rec->claims_json);
        v = json_object_get(root, path[0]);
    }
    else {
        return JWTSSO_MATCH_ERROR;
    }
    if (root == NULL) {
        return JWTSSO_MATCH_ERROR;
    }
    for (k = 1; v != NULL && k < npath; k++) {
        v = json_is_object(v) ? json_object_get(v, path[k]) : NULL;
    }
    m = v == NULL ? JWTSSO_MATCH_MISSING : value(v, values, nvalues);
    json_decref(root);
    return m;
}

jwtsso_match_t jwtsso_match_record(const jwtsso_record_t *rec,
                                   const char *const *path, size_t npath,
                                   const char *const *values,
                                   size_t nvalues)
{
    const jwtsso_claim_t *c;

    if (rec == NULL || path == NULL || npath == 0) {
        return JWTSSO_MATCH_ERROR;
    }
    c = find(rec, path[0]);
    if (c == NULL) {
        return rec->truncated ? JWTSSO_MATCH_UNKNOWN : JWTSSO_MATCH_MISSING;
    }
    switch (c->type) {
    case 's':
    case 'n':
        /* flat text: a string decoded, a number or boolean as the view
         * wrote it; a scalar has no members to go down into */
        if (npath > 1) {
            return JWTSSO_MATCH_MISSING;
        }
        return one_of(c->value, values, nvalues) ? JWTSSO_MATCH_YES
                                                 : JWTSSO_MATCH_NO;
    case 'z':
        return npath > 1 ? JWTSSO_MATCH_MISSING : JWTSSO_MATCH_NO;
    default:
        return parsed(rec, c, path, npath, values, nvalues);
    }
}
