/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * fuzz_jws.c - token verification, jwtsso_jws_verify (src/core/jws.c,
 * claims.c, json.c, key.c).
 *
 * Key sets: HMAC secrets FUZZ_SECRET (no kid) and FUZZ_SECRET_K1 (kid
 * "k1"); with JWTSSO_FUZZ_PKEY also public keys from PEM (RSA 2048, EC
 * P-256 with kid "ec1", Ed25519: fuzz/keys/). Two policies: the module's
 * defaults (max age 60 s) and a strict one (iss, aud, user claim "email",
 * no max age, 16 KiB cap). Clock: FUZZ_NOW.
 *
 * An input that starts with '{' is JSON: "header LF payload", or just a
 * payload under {"alg":"HS256"}; it is encoded and signed here, so the
 * fuzzer works on the claims directly. Any other input is a token: it is
 * verified as it is, and again with its first two parts signed here.
 *
 * Checks, besides memory safety and leaks:
 *  - a reason in range; the result's user and claims only on success;
 *  - success only with a signature that one of the configured secrets
 *    makes over the input, the user a 1..255-byte string without control
 *    characters, and times that the policy allows;
 *  - a token signed here with the key its header names (HS*, no kid or
 *    "k1") never fails on the signature or the key choice;
 *  - no HS* token ever verifies against the public-key set, not even one
 *    MAC'd with the PEM text of a key as the secret (alg confusion).
 */
#include <limits.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "fuzz.h"

static jwtsso_keyset_t *hmac_ks;

static const jwtsso_policy_t pol_default = {
    .max_age = 60, .skew = 5
};
static const jwtsso_policy_t pol_strict = {
    .algs = JWTSSO_ALGBIT(JWTSSO_ALG_HS256) | JWTSSO_ALGBIT(JWTSSO_ALG_RS256)
            | JWTSSO_ALGBIT(JWTSSO_ALG_PS256) | JWTSSO_ALGBIT(JWTSSO_ALG_ES256)
            | JWTSSO_ALGBIT(JWTSSO_ALG_EDDSA),
    .max_age = -1, .skew = 0, .user_claim = "email", .max_size = 16384,
    .issuer = "https://idp.example.com", .audience = "intranet"
};

#ifdef JWTSSO_FUZZ_PKEY
static jwtsso_keyset_t *pkey_ks;

static const char *const pems[3] = {
    /* fuzz/keys/rsa2048.pub */
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAupv+5OEotr3fAzjMCQ2u\n"
    "j32W/nsf42eHc3eHv1y02O7YrC7IA1E3SpaDeUeBYjyRDLsEjBYAaCMChULUqW0y\n"
    "eYTbgMIPWBKqyj0/eVwrAposPqLu60WLx/az7Tz3ogPeLtKfRpYDgwv7eNFt6DrP\n"
    "eZsBsKB2XgtDs+OJYA3O2M2sT2GKHpAtiCkjFu9+t4muKzNPUKkGnA3fflu/czEp\n"
    "+k4tWJ00U8DBlVgxnmH79iLLguQ/4b9KyVEyf0+d0tCmSJZG32/gbc3vmS5Qk2q+\n"
    "dQ6w5FO65ETcNsBFKfte651YmZFkZeCfB53UJZ+vinuKUKe2EF63B/M0mkBZfJcB\n"
    "IQIDAQAB\n"
    "-----END PUBLIC KEY-----\n",
    /* fuzz/keys/ec-p256.pub */
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYUL3OUdNCutXCADLTISLvARl2uDA\n"
    "+vkeXNmBhWeRcQjR32hjJy2zEm+K7QfO3fWeelWXz4bBL9c8kQJrzfcZAg==\n"
    "-----END PUBLIC KEY-----\n",
    /* fuzz/keys/ed25519.pub */
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEACSd4Au69nN0htlsytmzm62bjoK03CCGDQxQZbxo7mI8=\n"
    "-----END PUBLIC KEY-----\n",
};
static const char *const pem_kids[3] = { NULL, "ec1", NULL };
#endif

static void init(void)
{
    if (hmac_ks != NULL) {
        return;
    }
    hmac_ks = jwtsso_keyset_new();
    FUZZ_NEED(hmac_ks);
    FUZZ_ASSERT(jwtsso_keyset_add_hmac(hmac_ks, NULL,
                    (const unsigned char *)FUZZ_SECRET,
                    strlen(FUZZ_SECRET)) == 0);
    FUZZ_ASSERT(jwtsso_keyset_add_hmac(hmac_ks, FUZZ_KID_K1,
                    (const unsigned char *)FUZZ_SECRET_K1,
                    strlen(FUZZ_SECRET_K1)) == 0);
#ifdef JWTSSO_FUZZ_PKEY
    {
        int i, was_private;

        pkey_ks = jwtsso_keyset_new();
        FUZZ_NEED(pkey_ks);
        for (i = 0; i < 3; i++) {
            was_private = -1;
            FUZZ_ASSERT(jwtsso_pkey_add(pkey_ks, pem_kids[i], pems[i],
                                        strlen(pems[i]), &was_private)
                  == JWTSSO_KEY_OK);
            FUZZ_ASSERT(was_private == 0);
        }
        FUZZ_ASSERT(jwtsso_keyset_count(pkey_ks) == 3);
        FUZZ_ASSERT((jwtsso_keyset_algs(pkey_ks) & JWTSSO_ALGS_HMAC) == 0);
    }
#endif
}

static const EVP_MD *hs_md(jwtsso_alg_t alg)
{
    switch (alg) {
    case JWTSSO_ALG_HS384:
        return EVP_sha384();
    case JWTSSO_ALG_HS512:
        return EVP_sha512();
    default:
        return EVP_sha256();
    }
}

/* The token "si.b64url(HMAC(secret, si))" (malloc'ed, NUL-terminated). */
static char *sign(const char *si, size_t silen, jwtsso_alg_t alg,
                  const char *secret, size_t seclen, size_t *toklen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    char *tok;

    FUZZ_NEED(EVP_Q_mac(NULL, "HMAC", NULL, EVP_MD_get0_name(hs_md(alg)),
                        NULL, secret, seclen, (const unsigned char *)si,
                        silen, mac, sizeof(mac), &maclen));
    tok = malloc(silen + 1 + jwtsso_b64url_encoded_len(maclen) + 1);
    FUZZ_NEED(tok);
    memcpy(tok, si, silen);
    tok[silen] = '.';
    *toklen = silen + 1 + jwtsso_b64url_encode(mac, maclen, tok + silen + 1);
    return tok;
}

/* Does sig (base64url text) equal the MAC of si with secret under alg? */
static int mac_matches(const char *si, size_t silen, const char *sig,
                       size_t siglen, jwtsso_alg_t alg, const char *secret)
{
    size_t toklen;
    char *tok = sign(si, silen, alg, secret, strlen(secret), &toklen);
    int eq = toklen - silen - 1 == siglen
             && memcmp(tok + silen + 1, sig, siglen) == 0;

    free(tok);
    return eq;
}

static int allowed(const jwtsso_keyset_t *ks, const jwtsso_policy_t *pol,
                   jwtsso_alg_t alg)
{
    unsigned algs = pol->algs != 0 ? pol->algs : jwtsso_keyset_algs(ks);

    return (algs & JWTSSO_ALGBIT(alg)) != 0;
}

/* Verify and check what any result must satisfy; returns the reason. */
static jwtsso_reason_t verify(const jwtsso_keyset_t *ks,
                              const jwtsso_policy_t *pol,
                              const char *tok, size_t len)
{
    jwtsso_result_t res;
    jwtsso_reason_t rv;
    long long skew = pol->skew > 0 ? pol->skew : 0;
    size_t i, ulen;

    memset(&res, 0, sizeof(res));
    rv = jwtsso_jws_verify(ks, pol, tok, len, FUZZ_NOW, &res);
    FUZZ_ASSERT((unsigned)rv < JWTSSO_R__COUNT);
    FUZZ_ASSERT(jwtsso_reason_name(rv) != NULL);
    FUZZ_ASSERT(jwtsso_reason_text(rv) != NULL);
    FUZZ_ASSERT(memchr(res.kid, '\0', sizeof(res.kid)) != NULL);
    if (rv == JWTSSO_OK) {
        FUZZ_ASSERT(allowed(ks, pol, res.alg));
        FUZZ_ASSERT(res.payload != NULL);
        FUZZ_ASSERT(strlen(res.payload) == res.payload_len);
        FUZZ_ASSERT(res.payload[0] == '{' || res.payload[0] == ' '
                    || res.payload[0] == '\t' || res.payload[0] == '\n'
                    || res.payload[0] == '\r');
        FUZZ_ASSERT(res.user != NULL);
        ulen = strlen(res.user);
        FUZZ_ASSERT(ulen >= 1 && ulen <= 255);
        for (i = 0; i < ulen; i++) {
            FUZZ_ASSERT((unsigned char)res.user[i] >= 0x20
                        && res.user[i] != 0x7f);
        }
        FUZZ_ASSERT(!res.has_exp || res.exp > FUZZ_NOW - skew);
        FUZZ_ASSERT(!res.has_nbf || res.nbf <= FUZZ_NOW + skew);
        FUZZ_ASSERT(!res.has_iat || res.iat <= FUZZ_NOW + skew);
        if (pol->max_age >= 0) {
            FUZZ_ASSERT(res.has_iat);
            FUZZ_ASSERT(res.iat >= FUZZ_NOW - pol->max_age - skew);
        }
        else {
            FUZZ_ASSERT(res.has_exp);
        }
    }
    else {
        FUZZ_ASSERT(res.user == NULL);
        FUZZ_ASSERT(res.payload == NULL);
    }
    {
        /* the same verification in a caller's scratch of the advertised
         * size (exactly: ASan sees a read or write past it): the same
         * answer and text, nothing malloc'ed */
        jwtsso_result_t res2;
        size_t slen = jwtsso_jws_scratch_len(len);
        char *scratch = malloc(slen);
        jwtsso_reason_t rv2;

        FUZZ_ASSERT(scratch != NULL);
        memset(&res2, 0, sizeof(res2));
        rv2 = jwtsso_jws_verify_in(ks, pol, tok, len, FUZZ_NOW, &res2,
                                   scratch, slen);
        FUZZ_ASSERT(rv2 == rv);
        FUZZ_ASSERT(rv != JWTSSO_OK
                    || (res2.mem == NULL
                        && strcmp(res2.user, res.user) == 0
                        && res2.payload_len == res.payload_len
                        && memcmp(res2.payload, res.payload,
                                  res.payload_len) == 0));
        jwtsso_jws_result_clear(&res2);
        free(scratch);
    }
    jwtsso_jws_result_clear(&res);
    FUZZ_ASSERT(res.user == NULL && res.payload == NULL);
    return rv;
}

/* A token as it came: on success, the signature must be the MAC of one
 * configured secret over the signing input. */
static void verify_as_is(const char *tok, size_t len)
{
    const jwtsso_policy_t *pols[2] = { &pol_default, &pol_strict };
    jwtsso_result_t res;
    const char *dot;
    size_t silen;
    int i;

    for (i = 0; i < 2; i++) {
        if (verify(hmac_ks, pols[i], tok, len) != JWTSSO_OK) {
            continue;
        }
        memset(&res, 0, sizeof(res));
        FUZZ_ASSERT(jwtsso_jws_verify(hmac_ks, pols[i], tok, len, FUZZ_NOW,
                                      &res) == JWTSSO_OK);
        dot = memchr(tok, '.', len);
        FUZZ_ASSERT(dot != NULL);
        dot = memchr(dot + 1, '.', len - (size_t)(dot + 1 - tok));
        FUZZ_ASSERT(dot != NULL);
        silen = (size_t)(dot - tok);
        FUZZ_ASSERT(mac_matches(tok, silen, dot + 1, len - silen - 1,
                                res.alg, FUZZ_SECRET)
                    || mac_matches(tok, silen, dot + 1, len - silen - 1,
                                   res.alg, FUZZ_SECRET_K1));
        jwtsso_jws_result_clear(&res);
    }
#ifdef JWTSSO_FUZZ_PKEY
    for (i = 0; i < 2; i++) {
        memset(&res, 0, sizeof(res));
        if (verify(pkey_ks, pols[i], tok, len) == JWTSSO_OK) {
            FUZZ_ASSERT(jwtsso_jws_verify(pkey_ks, pols[i], tok, len,
                                          FUZZ_NOW, &res) == JWTSSO_OK);
            FUZZ_ASSERT(!(JWTSSO_ALGBIT(res.alg) & JWTSSO_ALGS_HMAC));
            jwtsso_jws_result_clear(&res);
        }
    }
#endif
}

/* Sign the signing input si (header "." payload, base64url) here, with
 * the secret the header's kid names, and verify. */
static void verify_signed(const char *si, size_t silen)
{
    const jwtsso_policy_t *pols[2] = { &pol_default, &pol_strict };
    const char *dot = memchr(si, '.', silen), *secret = FUZZ_SECRET;
    jwtsso_alg_t alg = JWTSSO_ALG_UNKNOWN;
    unsigned char *hdr;
    json_t *h = NULL, *a, *kid;
    size_t hlen, toklen;
    jwtsso_reason_t rv;
    char *tok;
    int i, k1 = 0, expect_sig_ok = 0;

    if (dot == NULL) {
        return;
    }
    /* What the header says, read here independently of the core. */
    hdr = malloc(jwtsso_b64url_decoded_max((size_t)(dot - si)) + 1);
    FUZZ_NEED(hdr);
    if (jwtsso_b64url_decode(si, (size_t)(dot - si), hdr, &hlen) == 0) {
        h = json_loadb((const char *)hdr, hlen, JSON_REJECT_DUPLICATES, NULL);
    }
    free(hdr);
    if (json_is_object(h)) {
        a = json_object_get(h, "alg");
        kid = json_object_get(h, "kid");
        if (json_is_string(a)) {
            alg = jwtsso_alg_from_name(json_string_value(a),
                                       json_string_length(a));
        }
        if (json_is_string(kid) && strcmp(json_string_value(kid),
                                          FUZZ_KID_K1) == 0) {
            secret = FUZZ_SECRET_K1;
            k1 = 1;
        }
        expect_sig_ok = (JWTSSO_ALGBIT(alg) & JWTSSO_ALGS_HMAC)
                        && (kid == NULL || k1);
    }
    json_decref(h);

    tok = sign(si, silen, alg, secret, strlen(secret), &toklen);
    for (i = 0; i < 2; i++) {
        rv = verify(hmac_ks, pols[i], tok, toklen);
        if (expect_sig_ok) {
            FUZZ_ASSERT(rv != JWTSSO_R_BAD_SIGNATURE && rv != JWTSSO_R_NO_KEY
                        && rv != JWTSSO_R_UNKNOWN_KID
                        && rv != JWTSSO_R_INTERNAL);
        }
#ifdef JWTSSO_FUZZ_PKEY
        FUZZ_ASSERT(verify(pkey_ks, pols[i], tok, toklen) != JWTSSO_OK);
#endif
    }
    free(tok);

#ifdef JWTSSO_FUZZ_PKEY
    /* alg confusion: the public key's PEM text as an HMAC secret */
    {
        int k;

        for (k = 0; k < 3; k++) {
            tok = sign(si, silen, alg, pems[k], strlen(pems[k]), &toklen);
            for (i = 0; i < 2; i++) {
                FUZZ_ASSERT(verify(pkey_ks, pols[i], tok, toklen)
                            != JWTSSO_OK);
            }
            free(tok);
        }
    }
#endif
}

/* "header LF payload" or a payload alone, as JSON texts. */
static void verify_json(const uint8_t *data, size_t size)
{
    size_t n;
    char *si = fuzz_signing_input(data, size, &n);

    verify_signed(si, n);
    free(si);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *tok = (const char *)data, *d1, *d2;

    init();
    verify_as_is(tok, size);
    if (size > 0 && data[0] == '{') {
        verify_json(data, size);
        return 0;
    }
    /* the first two parts, signed here */
    d1 = memchr(tok, '.', size);
    if (d1 != NULL) {
        d2 = memchr(d1 + 1, '.', size - (size_t)(d1 + 1 - tok));
        verify_signed(tok, d2 != NULL ? (size_t)(d2 - tok) : size);
    }
    return 0;
}
