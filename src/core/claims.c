/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * claims.c - the RFC 7519 §4.1 claim checks on a verified payload.
 *
 * Time claims must be JSON numbers. The lifetime must be bounded: with a
 * max age (JWTSSOMaxAge) the token must carry iat, and without one it must
 * carry exp. Time arithmetic saturates, so a huge exp or iat cannot wrap.
 * The user claim must be a short string without control characters, as it
 * becomes r->user and goes into logs and headers. The payload's members
 * are the scanner's (jscan.c): duplicate names were refused there, so a
 * claim's name finds one member, however its name was escaped.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define USER_MAX 255

static long long sat_add(long long a, long long b)
{
    if (b > 0 && a > LLONG_MAX - b) {
        return LLONG_MAX;
    }
    if (b < 0 && a < LLONG_MIN - b) {
        return LLONG_MIN;
    }
    return a + b;
}

static long long sat_sub(long long a, long long b)
{
    if (b < 0 && a > LLONG_MAX + b) {
        return LLONG_MAX;
    }
    if (b > 0 && a < LLONG_MIN + b) {
        return LLONG_MIN;
    }
    return a - b;
}

/* The members the checks read, found in one pass. */
typedef struct {
    const jwtsso_jmember_t *time[3];    /* exp, nbf, iat */
    const jwtsso_jmember_t *user, *iss, *aud, *jti;
} found_t;

/* A string member equal to want, byte for byte once decoded. */
static int equals(const jwtsso_jmember_t *m, const char *want)
{
    return m != NULL && m->type == JWTSSO_J_STRING
           && jwtsso_jstr_equals(m->value, m->value_len, m->value_esc,
                                  want, strlen(want));
}

/* RFC 7519 §4.1.3: aud is one string or an array of strings. */
static int names_audience(const jwtsso_jmember_t *aud, const char *want)
{
    jwtsso_jmember_t e;
    size_t pos = 0;

    if (aud != NULL && aud->type == JWTSSO_J_ARRAY) {
        while (jwtsso_jscan_next(aud->value, aud->value_len, &pos, &e)) {
            if (equals(&e, want)) {
                return 1;
            }
        }
        return 0;
    }
    return equals(aud, want);
}

/* RFC 9068 §2.1: "at+jwt", or with the "application/" prefix RFC 7515
 * §4.1.9 lets a typ leave out; media types compare case-insensitively. */
static int api_typ(const char *typ)
{
    return strcasecmp(typ, "at+jwt") == 0
           || strcasecmp(typ, "application/at+jwt") == 0;
}

/* Decode a string member into *buf (advanced past it and its NUL). */
static const char *take(const jwtsso_jmember_t *m, char **buf, size_t *len)
{
    char *s = *buf;

    *len = jwtsso_jstr_decode(m->value, m->value_len, s);
    *buf = s + *len + 1;
    return s;
}

/* Is member m named name (plain)? */
static int named(const jwtsso_jmember_t *m, const char *name)
{
    return jwtsso_jstr_equals(m->name, m->name_len, m->name_esc, name,
                               strlen(name));
}

/* The members the checks read, in one pass over m[0..n) (names compared
 * decoded: "\u0073ub" is sub). */
static void find(const jwtsso_jmember_t *m, size_t n, const char *ucl,
                 found_t *f)
{
    static const char *const names[3] = { "exp", "nbf", "iat" };
    size_t j;
    int k;

    memset(f, 0, sizeof(*f));
    for (j = 0; j < n; j++) {
        if (named(&m[j], ucl)) {
            f->user = &m[j];
        }
        /* a registered name is three bytes, or longer with escapes */
        if (m[j].name_len < 3 || (m[j].name_len > 3 && !m[j].name_esc)) {
            continue;
        }
        for (k = 0; k < 3; k++) {
            if (named(&m[j], names[k])) {
                f->time[k] = &m[j];
            }
        }
        f->iss = named(&m[j], "iss") ? &m[j] : f->iss;
        f->aud = named(&m[j], "aud") ? &m[j] : f->aud;
        f->jti = named(&m[j], "jti") ? &m[j] : f->jti;
    }
}

static int good_user(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len > USER_MAX) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* The time claims: each a NumericDate (RFC 7519 §2), then exp, nbf, iat
 * and the lifetime rules. */
static jwtsso_reason_t times(const jwtsso_policy_t *pol,
                             const found_t *f, long long now,
                             jwtsso_result_t *res)
{
    static const char *const names[3] = { "exp", "nbf", "iat" };
    long long *when[3];
    int *has[3], i;
    const jwtsso_jmember_t *t;
    long long skew = pol->skew > 0 ? pol->skew : 0;
    jwtsso_reason_t rv = JWTSSO_OK;

    when[0] = &res->exp;
    when[1] = &res->nbf;
    when[2] = &res->iat;
    has[0] = &res->has_exp;
    has[1] = &res->has_nbf;
    has[2] = &res->has_iat;
    /* Fill in all valid times for the log, and report the first that is
     * not a number. */
    for (i = 0; i < 3; i++) {
        t = f->time[i];
        if (t == NULL) {
            continue;
        }
        if (t->type != JWTSSO_J_NUMBER
            || jwtsso_jnum_seconds(t->value, t->value_len, when[i]) != 0) {
            if (rv == JWTSSO_OK) {
                rv = JWTSSO_R_CLAIM_TYPE;
                res->claim = names[i];
            }
            continue;
        }
        *has[i] = 1;
    }
    if (rv != JWTSSO_OK) {
        return rv;
    }

    /* RFC 7519 §4.1.4 exp, §4.1.5 nbf, each with the skew as leeway. */
    if (res->has_exp && sat_add(res->exp, skew) <= now) {
        res->claim = "exp";
        return JWTSSO_R_EXPIRED;
    }
    if (res->has_nbf && sat_sub(res->nbf, skew) > now) {
        res->claim = "nbf";
        return JWTSSO_R_NOT_YET_VALID;
    }
    /* RFC 7519 §4.1.6 iat: a token from the future is a clock problem or
     * a forgery; either way not one to accept. */
    if (res->has_iat && sat_sub(res->iat, skew) > now) {
        res->claim = "iat";
        return JWTSSO_R_IAT_FUTURE;
    }
    /* A bounded lifetime: iat under a max age, or exp without one. An
     * API token checked as one (RFC 9068 at+jwt) lives until its exp. */
    res->api = api_typ(res->typ);
    if (pol->max_age >= 0 && !(pol->bearer && res->api)) {
        if (!res->has_iat) {
            res->claim = "iat";
            return JWTSSO_R_NO_IAT;
        }
        if (sat_sub(now, res->iat) > sat_add(pol->max_age, skew)) {
            res->claim = "iat";
            return JWTSSO_R_TOO_OLD;
        }
    }
    else if (!res->has_exp) {
        res->claim = "exp";
        return JWTSSO_R_NO_LIFETIME;
    }
    return JWTSSO_OK;
}

jwtsso_reason_t jwtsso_claims_check(const jwtsso_policy_t *pol,
                                    const jwtsso_jmember_t *m, size_t n,
                                    long long now, jwtsso_result_t *res,
                                    char *strings)
{
    const jwtsso_jmember_t *user, *iss, *aud, *jti;
    const char *ucl, *u;
    size_t len;
    jwtsso_reason_t rv;
    found_t f;

    ucl = pol->user_claim != NULL ? pol->user_claim : "sub";
    find(m, n, ucl, &f);
    rv = times(pol, &f, now, res);
    if (rv != JWTSSO_OK) {
        return rv;
    }
    user = f.user;
    iss = f.iss;
    aud = f.aud;
    jti = f.jti;
    if (user == NULL) {
        res->claim = ucl;
        return JWTSSO_R_NO_USER;
    }
    if (user->type != JWTSSO_J_STRING) {
        res->claim = ucl;
        return JWTSSO_R_BAD_USER;
    }
    u = take(user, &strings, &len);
    if (!good_user(u, len)) {
        res->claim = ucl;
        return JWTSSO_R_BAD_USER;
    }

    /* RFC 7519 §4.1.1 iss and §4.1.3 aud, compared byte for byte. */
    if (pol->issuer != NULL && !equals(iss, pol->issuer)) {
        res->claim = "iss";
        return JWTSSO_R_BAD_ISSUER;
    }
    if (pol->audience != NULL && !names_audience(aud, pol->audience)) {
        res->claim = "aud";
        return JWTSSO_R_BAD_AUDIENCE;
    }
    /* RFC 8725 §3.11-3.12: a login token and an API token are told apart
     * by typ at+jwt (RFC 9068) or the configured API audience, so neither
     * stands in for the other. */
    if (!pol->bearer && (res->api
                         || (pol->api_audience != NULL
                             && names_audience(aud, pol->api_audience)))) {
        res->claim = res->api ? "typ" : "aud";
        return JWTSSO_R_TOKEN_TYPE;
    }
    if (pol->bearer && pol->api_audience != NULL
        && !names_audience(aud, pol->api_audience)) {
        res->claim = "aud";
        return JWTSSO_R_TOKEN_TYPE;
    }

    /* what the glue keys the replay cache on. The strings area holds each
     * member once (jws.c: the payload's length and a NUL per string):
     * when the user claim is iss or jti (JWTSSOUserClaim iss), its copy
     * serves both, never a second one. */
    if (iss != NULL && iss->type == JWTSSO_J_STRING) {
        if (iss == user) {
            res->iss = u;
            res->iss_len = len;
        }
        else {
            res->iss = take(iss, &strings, &res->iss_len);
        }
    }
    if (jti != NULL && jti->type == JWTSSO_J_STRING) {
        if (jti == user) {
            res->jti = u;
            res->jti_len = len;
        }
        else {
            res->jti = take(jti, &strings, &res->jti_len);
        }
    }
    res->user = u;
    return JWTSSO_OK;
}
