/*
 * claims.c - the RFC 7519 §4.1 claim checks on a verified payload.
 *
 * Time claims must be JSON numbers. The lifetime must be bounded: with a
 * max age (JWTSSOMaxAge) the token must carry iat, and without one it must
 * carry exp. Time arithmetic saturates, so a huge exp or iat cannot wrap.
 * The user claim must be a short string without control characters, as it
 * becomes r->user and goes into logs and headers.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

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

/* A string claim equal to want, byte for byte. */
static int equals(const json_t *v, const char *want)
{
    size_t len = strlen(want);

    return json_is_string(v) && json_string_length(v) == len
           && memcmp(json_string_value(v), want, len) == 0;
}

/* RFC 7519 §4.1.3: aud is one string or an array of strings. */
static int names_audience(const json_t *aud, const char *want)
{
    size_t i;

    if (json_is_array(aud)) {
        for (i = 0; i < json_array_size(aud); i++) {
            if (equals(json_array_get(aud, i), want)) {
                return 1;
            }
        }
        return 0;
    }
    return equals(aud, want);
}

static int good_user(const json_t *v)
{
    const unsigned char *s;
    size_t i, len;

    if (!json_is_string(v)) {
        return 0;
    }
    s = (const unsigned char *)json_string_value(v);
    len = json_string_length(v);
    if (len == 0 || len > USER_MAX) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] == 0x7f) {
            return 0;
        }
    }
    return 1;
}

jwtsso_reason_t jwtsso_claims_check(const jwtsso_policy_t *pol,
                                    const json_t *payload, long long now,
                                    jwtsso_result_t *res)
{
    static const char *const names[3] = { "exp", "nbf", "iat" };
    long long *times[3];
    int *has[3], i;
    const char *ucl;
    const json_t *v;
    long long skew = pol->skew > 0 ? pol->skew : 0;
    jwtsso_reason_t rv = JWTSSO_OK;

    times[0] = &res->exp;
    times[1] = &res->nbf;
    times[2] = &res->iat;
    has[0] = &res->has_exp;
    has[1] = &res->has_nbf;
    has[2] = &res->has_iat;

    /* RFC 7519 §2 NumericDate. Fill in all valid times for the log, and
     * report the first that is not a number. */
    for (i = 0; i < 3; i++) {
        v = json_object_get(payload, names[i]);
        if (v == NULL) {
            continue;
        }
        if (jwtsso_json_seconds(v, times[i]) != 0) {
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
    /* A bounded lifetime: iat under a max age, or exp without one. */
    if (pol->max_age >= 0) {
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

    ucl = pol->user_claim != NULL ? pol->user_claim : "sub";
    v = json_object_get(payload, ucl);
    if (v == NULL) {
        res->claim = ucl;
        return JWTSSO_R_NO_USER;
    }
    if (!good_user(v)) {
        res->claim = ucl;
        return JWTSSO_R_BAD_USER;
    }

    /* RFC 7519 §4.1.1 iss and §4.1.3 aud, compared byte for byte. */
    if (pol->issuer != NULL
        && !equals(json_object_get(payload, "iss"), pol->issuer)) {
        res->claim = "iss";
        return JWTSSO_R_BAD_ISSUER;
    }
    if (pol->audience != NULL
        && !names_audience(json_object_get(payload, "aud"), pol->audience)) {
        res->claim = "aud";
        return JWTSSO_R_BAD_AUDIENCE;
    }

    res->user = jwtsso_strndup(json_string_value(v), json_string_length(v));
    return res->user != NULL ? JWTSSO_OK : JWTSSO_R_INTERNAL;
}
