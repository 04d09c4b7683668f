/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * alg.c - the JWS algorithms we implement (RFC 7518 §3): their names, the
 * key family each belongs to, and the hash each uses.
 */
#include <string.h>

#include "internal.h"

static const char *const alg_names[JWTSSO_ALG__COUNT] = {
    [JWTSSO_ALG_UNKNOWN] = "unknown",
    [JWTSSO_ALG_HS256] = "HS256",
    [JWTSSO_ALG_HS384] = "HS384",
    [JWTSSO_ALG_HS512] = "HS512",
    [JWTSSO_ALG_RS256] = "RS256",
    [JWTSSO_ALG_RS384] = "RS384",
    [JWTSSO_ALG_RS512] = "RS512",
    [JWTSSO_ALG_PS256] = "PS256",
    [JWTSSO_ALG_PS384] = "PS384",
    [JWTSSO_ALG_PS512] = "PS512",
    [JWTSSO_ALG_ES256] = "ES256",
    [JWTSSO_ALG_ES384] = "ES384",
    [JWTSSO_ALG_ES512] = "ES512",
    [JWTSSO_ALG_EDDSA] = "EdDSA",
};

/* RFC 7518 §3.1: alg values are case-sensitive. "none" is no alg here. */
jwtsso_alg_t jwtsso_alg_from_name(const char *name, size_t len)
{
    int a;

    for (a = JWTSSO_ALG_UNKNOWN + 1; a < JWTSSO_ALG__COUNT; a++) {
        if (strlen(alg_names[a]) == len
            && memcmp(alg_names[a], name, len) == 0) {
            return (jwtsso_alg_t)a;
        }
    }
    return JWTSSO_ALG_UNKNOWN;
}

/* ASCII only: a locale's case rules have no say in a protocol name. */
static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* For what an administrator types (JWTSSOAlgorithms, jwtsso-token --alg),
 * as httpd's own keywords: "hs256" and "Rs256" are HS256 and RS256. A
 * token's "alg" header goes through jwtsso_alg_from_name, exact. */
jwtsso_alg_t jwtsso_alg_from_name_nocase(const char *name, size_t len)
{
    size_t i;
    int a;

    for (a = JWTSSO_ALG_UNKNOWN + 1; a < JWTSSO_ALG__COUNT; a++) {
        if (strlen(alg_names[a]) != len) {
            continue;
        }
        for (i = 0; i < len && lower((unsigned char)alg_names[a][i])
                               == lower((unsigned char)name[i]); i++) {
        }
        if (i == len) {
            return (jwtsso_alg_t)a;
        }
    }
    return JWTSSO_ALG_UNKNOWN;
}

const char *jwtsso_alg_name(jwtsso_alg_t alg)
{
    if ((unsigned)alg >= JWTSSO_ALG__COUNT) {
        return alg_names[JWTSSO_ALG_UNKNOWN];
    }
    return alg_names[alg];
}

jwtsso_family_t jwtsso_alg_family(jwtsso_alg_t alg)
{
    switch (alg) {
    case JWTSSO_ALG_HS256:
    case JWTSSO_ALG_HS384:
    case JWTSSO_ALG_HS512:
        return JWTSSO_FAM_HMAC;
    case JWTSSO_ALG_RS256:
    case JWTSSO_ALG_RS384:
    case JWTSSO_ALG_RS512:
    case JWTSSO_ALG_PS256:
    case JWTSSO_ALG_PS384:
    case JWTSSO_ALG_PS512:
        return JWTSSO_FAM_RSA;
    case JWTSSO_ALG_ES256:
    case JWTSSO_ALG_ES384:
    case JWTSSO_ALG_ES512:
        return JWTSSO_FAM_EC;
    case JWTSSO_ALG_EDDSA:
        return JWTSSO_FAM_OKP;
    default:
        return JWTSSO_FAM_NONE;
    }
}

const char *jwtsso_alg_hmac_digest(jwtsso_alg_t alg, size_t *maclen)
{
    switch (alg) {
    case JWTSSO_ALG_HS256:
        *maclen = 32;
        return "SHA256";
    case JWTSSO_ALG_HS384:
        *maclen = 48;
        return "SHA384";
    case JWTSSO_ALG_HS512:
        *maclen = 64;
        return "SHA512";
    default:
        *maclen = 0;
        return NULL;
    }
}

/* The hash of an RS, PS or ES alg (RFC 7518 §3.3-§3.5), or NULL. */
const EVP_MD *jwtsso_alg_md(jwtsso_alg_t alg)
{
    switch (alg) {
    case JWTSSO_ALG_RS256:
    case JWTSSO_ALG_PS256:
    case JWTSSO_ALG_ES256:
        return EVP_sha256();
    case JWTSSO_ALG_RS384:
    case JWTSSO_ALG_PS384:
    case JWTSSO_ALG_ES384:
        return EVP_sha384();
    case JWTSSO_ALG_RS512:
    case JWTSSO_ALG_PS512:
    case JWTSSO_ALG_ES512:
        return EVP_sha512();
    default:
        return NULL;
    }
}
