/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * reason.c - names and texts of the jwtsso_reason_t values.
 *
 * The names are stable tokens for logs and tests; the texts are one
 * sentence for administrators. Neither ever holds data from a request:
 * the glue adds alg, kid, claim names and times itself. Also the texts of
 * the jwtsso_keyerr_t values (start-up errors; the glue adds directive,
 * file and key index).
 */
#include "jwtsso.h"

typedef struct {
    const char *name;
    const char *text;
} reason_info_t;

static const reason_info_t reasons[JWTSSO_R__COUNT] = {
    [JWTSSO_OK] = {
        "ok", "the token is valid" },
    [JWTSSO_R_TOO_LARGE] = {
        "too_large", "the token is longer than the size cap" },
    [JWTSSO_R_MALFORMED] = {
        "malformed",
        "the token is not three non-empty dot-separated parts" },
    [JWTSSO_R_BAD_BASE64] = {
        "bad_base64", "a token part is not strict unpadded base64url" },
    [JWTSSO_R_BAD_HEADER] = {
        "bad_header",
        "the token header is not a JSON object with a string alg "
        "(or its kid is not a string)" },
    [JWTSSO_R_BAD_PAYLOAD] = {
        "bad_payload", "the token payload is not a JSON object" },
    [JWTSSO_R_DUPLICATE_MEMBER] = {
        "duplicate_member",
        "a JSON object in the token repeats a member name" },
    [JWTSSO_R_ALG_NONE] = {
        "alg_none", "the token is unsigned (alg none is never accepted)" },
    [JWTSSO_R_ALG_UNKNOWN] = {
        "alg_unknown", "the token's alg is not one this module implements" },
    [JWTSSO_R_ALG_NOT_ALLOWED] = {
        "alg_not_allowed",
        "the token's alg is not allowed here (no configured key serves "
        "it)" },
    [JWTSSO_R_CRIT] = {
        "crit",
        "the token header has crit, naming extensions this module does "
        "not implement" },
    [JWTSSO_R_NO_KEY] = {
        "no_key", "no configured key serves the token's alg" },
    [JWTSSO_R_UNKNOWN_KID] = {
        "unknown_kid",
        "the token's kid names no configured key of its alg's kind, and no "
        "key of that kind was configured without a kid" },
    [JWTSSO_R_BAD_SIGNATURE] = {
        "bad_signature",
        "the token's signature does not verify with the configured keys" },
    [JWTSSO_R_CLAIM_TYPE] = {
        "claim_type", "a time claim (exp, nbf or iat) is not a JSON number" },
    [JWTSSO_R_EXPIRED] = {
        "expired", "the token has expired (exp is in the past)" },
    [JWTSSO_R_NOT_YET_VALID] = {
        "not_yet_valid", "the token is not valid yet (nbf is in the future)" },
    [JWTSSO_R_IAT_FUTURE] = {
        "iat_future",
        "the token was issued in the future (iat is ahead of our clock; "
        "check the clocks or JWTSSOClockSkew)" },
    [JWTSSO_R_TOO_OLD] = {
        "too_old",
        "the token was issued longer ago than JWTSSOMaxAge allows" },
    [JWTSSO_R_NO_LIFETIME] = {
        "no_lifetime",
        "the token has no exp, and with JWTSSOMaxAge off its lifetime "
        "would be unbounded" },
    [JWTSSO_R_NO_IAT] = {
        "no_iat",
        "the token has no iat, so JWTSSOMaxAge cannot be checked; set "
        "JWTSSOMaxAge off to accept exp-only tokens" },
    [JWTSSO_R_NO_USER] = {
        "no_user", "the token lacks the user claim (see JWTSSOUserClaim)" },
    [JWTSSO_R_BAD_USER] = {
        "bad_user",
        "the user claim is not a non-empty string of at most 255 bytes "
        "without control characters" },
    [JWTSSO_R_BAD_ISSUER] = {
        "bad_issuer", "the token's iss is missing or not the configured one" },
    [JWTSSO_R_BAD_AUDIENCE] = {
        "bad_audience",
        "the token's aud is missing or does not name the configured "
        "audience" },
    [JWTSSO_R_RECORD_MALFORMED] = {
        "record_malformed", "the session record is not one we could write" },
    [JWTSSO_R_RECORD_BAD_MAC] = {
        "record_bad_mac",
        "the session record's MAC fails (forged, or made with another "
        "session key, realm or origin)" },
    [JWTSSO_R_RECORD_EXPIRED] = {
        "record_expired", "the session has passed its absolute end" },
    [JWTSSO_R_INTERNAL] = {
        "internal",
        "an internal error (out of memory, a crypto library failure, or "
        "a caller's bug such as a short buffer)" },
    [JWTSSO_R_KID_REQUIRED] = {
        "kid_required",
        "the token has no kid, and more keys of its algorithm's family are "
        "configured than are tried without one" },
    [JWTSSO_R_TOKEN_TYPE] = {
        "token_type",
        "the token is of the wrong kind here: a login token where an API "
        "(bearer) token is required, or an API token offered as a login" },
};

const char *jwtsso_reason_name(jwtsso_reason_t r)
{
    if ((unsigned)r >= JWTSSO_R__COUNT || reasons[r].name == NULL) {
        return "unknown";
    }
    return reasons[r].name;
}

const char *jwtsso_reason_text(jwtsso_reason_t r)
{
    if ((unsigned)r >= JWTSSO_R__COUNT || reasons[r].text == NULL) {
        return "an unknown reason";
    }
    return reasons[r].text;
}

static const char *const keyerrs[JWTSSO_KEY__COUNT] = {
    [JWTSSO_KEY_OK] = "the key is usable",
    [JWTSSO_KEY_NOT_PEM] =
        "no PEM public key, certificate or private key could be read "
        "(expected -----BEGIN PUBLIC KEY----- or similar)",
    [JWTSSO_KEY_UNSUPPORTED] =
        "the key is of a type not used to verify tokens here (only RSA, EC "
        "P-256/P-384/P-521 and Ed25519; not DSA, DH, X25519, RSA-PSS "
        "restricted keys, RSA keys with an even or tiny exponent, or "
        "encrypted private keys)",
    [JWTSSO_KEY_RSA_TOO_SMALL] =
        "the RSA key is shorter than 2048 bits",
    [JWTSSO_KEY_BAD_CURVE] =
        "the curve is not supported (EC keys must be on P-256, P-384 or "
        "P-521, OKP keys Ed25519)",
    [JWTSSO_KEY_DUPLICATE_KID] =
        "a key with this kid is already configured (kids must be unique)",
    [JWTSSO_KEY_BAD_JWKS] =
        "the JWK Set is not a JSON object with a \"keys\" array of objects "
        "(or a key lacks a required member such as kty, n, e, crv, x, y "
        "or k)",
    [JWTSSO_KEY_BAD_JWK] =
        "a JWK member has the wrong type or value (not a string, not "
        "strict base64url, a wrong length, an EC point not on its curve, "
        "or an oct key under 32 bytes)",
    [JWTSSO_KEY_ALG_MISMATCH] =
        "the JWK's alg does not fit its key type and curve, or is not an "
        "alg this module verifies",
    [JWTSSO_KEY_INTERNAL] =
        "an internal error (out of memory or a crypto library failure)",
};

const char *jwtsso_reason_keyerr(jwtsso_keyerr_t e)
{
    if ((unsigned)e >= JWTSSO_KEY__COUNT || keyerrs[e] == NULL) {
        return "an unknown key error";
    }
    return keyerrs[e];
}
