/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * fuzz_userclaim.c - token verification (jwtsso_jws_verify and
 * jwtsso_jws_verify_in: src/core/jws.c, claims.c) under every
 * JWTSSOUserClaim that can matter for an input, so that a size rule of the
 * strings area cannot hold for the default configuration only. (Found by
 * attacking the module: with JWTSSOUserClaim iss or jti, claims.c decoded
 * that claim twice into room for one copy, a heap overflow with a long
 * jti; fuzz/regressions/userclaim/.)
 *
 * The user claims tried: each registered claim name (exp nbf iat iss aud
 * jti sub) and the name of each of the payload's own top-level members (as
 * Jansson reads them; the first 16 without a NUL byte). Each under three
 * policies: the module's defaults (max age 60 s), max age off, and max age
 * off with JWTSSOIssuer / JWTSSOAudience set to the payload's own iss and
 * (first) aud, so the iss and aud checks pass and the claims after them
 * are reached. Key set: the HMAC secrets FUZZ_SECRET (no kid) and
 * FUZZ_SECRET_K1 (kid "k1"). Clock: FUZZ_NOW.
 *
 * Input: as fuzz_jws. One that starts with '{' is JSON, "header LF
 * payload" or a payload alone under {"alg":"HS256"}: encoded and signed
 * here, so the fuzzer works on the claims. Any other input is a token:
 * verified as it is, and with its first two parts signed here.
 *
 * Checks, besides memory safety (ASan sees a write past the scratch: it
 * is exactly jwtsso_jws_scratch_len() bytes, malloc'ed) and leaks:
 *  - verify and verify_in give the same reason, in range;
 *  - on success the user is the named member's string, and iss and jti
 *    are the payload's iss and jti when those are strings (NULL when
 *    not), byte for byte as Jansson decodes them; with the scratch, every
 *    string the result hands out lies inside it and nothing is malloc'ed;
 *  - the result's typ is NUL-terminated and a prefix of the header's typ
 *    string ("" without one); a typ that is not a string is never
 *    accepted.
 */
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "fuzz.h"

#define MAX_NAMES 16

static jwtsso_keyset_t *ks;

static void init(void)
{
    if (ks != NULL) {
        return;
    }
    ks = jwtsso_keyset_new();
    FUZZ_NEED(ks);
    FUZZ_ASSERT(jwtsso_keyset_add_hmac(ks, NULL,
                    (const unsigned char *)FUZZ_SECRET,
                    strlen(FUZZ_SECRET)) == 0);
    FUZZ_ASSERT(jwtsso_keyset_add_hmac(ks, FUZZ_KID_K1,
                    (const unsigned char *)FUZZ_SECRET_K1,
                    strlen(FUZZ_SECRET_K1)) == 0);
}

/* The JSON object of part i (0 header, 1 payload) of a token, as Jansson
 * reads it (strings with NULs kept), or NULL. */
static json_t *part_json(const char *tok, size_t len, int i)
{
    const char *p = tok, *end = tok + len, *dot;
    unsigned char *buf;
    size_t n = 0;
    json_t *j = NULL;

    while (i-- > 0) {
        dot = memchr(p, '.', (size_t)(end - p));
        if (dot == NULL) {
            return NULL;
        }
        p = dot + 1;
    }
    dot = memchr(p, '.', (size_t)(end - p));
    if (dot == NULL) {
        return NULL;
    }
    buf = malloc(jwtsso_b64url_decoded_max((size_t)(dot - p)) + 1);
    FUZZ_NEED(buf);
    if (jwtsso_b64url_decode(p, (size_t)(dot - p), buf, &n) == 0) {
        j = json_loadb((const char *)buf, n,
                       JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    }
    free(buf);
    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* s as a C string for a policy (malloc'ed), or NULL when it holds a NUL. */
static char *cstr(const json_t *s)
{
    char *c;

    if (!json_is_string(s)
        || memchr(json_string_value(s), '\0', json_string_length(s))
           != NULL) {
        return NULL;
    }
    c = malloc(json_string_length(s) + 1);
    FUZZ_NEED(c);
    memcpy(c, json_string_value(s), json_string_length(s) + 1);
    return c;
}

/* p (len bytes) lies inside [base, base + size). */
static int inside(const void *p, size_t len, const void *base, size_t size)
{
    const char *c = p, *b = base;

    return c >= b && len <= size && c - b <= (ptrdiff_t)(size - len);
}

/* A result string (s, len) equals the JSON string j, or both are absent. */
static int same_string(const char *s, size_t len, const json_t *j)
{
    if (!json_is_string(j)) {
        return s == NULL;
    }
    return s != NULL && len == json_string_length(j)
           && memcmp(s, json_string_value(j), len) == 0 && s[len] == '\0';
}

/* Verify tok under pol both ways and check what must hold. hdr and pay
 * are Jansson's reading of the header and payload (either may be NULL:
 * Jansson refuses a few texts the core accepts, fuzz/README.md). */
static void verify(const jwtsso_policy_t *pol, const char *tok, size_t len,
                   const json_t *hdr, const json_t *pay)
{
    jwtsso_result_t res, res2;
    jwtsso_reason_t rv, rv2;
    size_t slen = jwtsso_jws_scratch_len(len), tlen;
    char *scratch = malloc(slen);
    const json_t *typ = hdr != NULL ? json_object_get(hdr, "typ") : NULL;

    FUZZ_NEED(scratch);
    memset(&res, 0, sizeof(res));
    memset(&res2, 0, sizeof(res2));
    rv = jwtsso_jws_verify(ks, pol, tok, len, FUZZ_NOW, &res);
    rv2 = jwtsso_jws_verify_in(ks, pol, tok, len, FUZZ_NOW, &res2, scratch,
                               slen);
    FUZZ_ASSERT((unsigned)rv < JWTSSO_R__COUNT);
    FUZZ_ASSERT(rv2 == rv);
    FUZZ_ASSERT(memchr(res.typ, '\0', sizeof(res.typ)) != NULL);
    FUZZ_ASSERT(memchr(res2.typ, '\0', sizeof(res2.typ)) != NULL);
    FUZZ_ASSERT(strcmp(res.typ, res2.typ) == 0);
    tlen = strlen(res.typ);
    if (json_is_string(typ)) {
        FUZZ_ASSERT(tlen <= json_string_length(typ)
                    && memcmp(res.typ, json_string_value(typ), tlen) == 0);
    }
    else {
        FUZZ_ASSERT(hdr == NULL || tlen == 0);
    }
    if (rv == JWTSSO_OK) {
        FUZZ_ASSERT(typ == NULL || json_is_string(typ) || hdr == NULL);
        FUZZ_ASSERT(res.user != NULL && res2.user != NULL);
        FUZZ_ASSERT(strcmp(res.user, res2.user) == 0);
        FUZZ_ASSERT(res2.mem == NULL);
        FUZZ_ASSERT(inside(res2.user, strlen(res2.user) + 1, scratch, slen));
        FUZZ_ASSERT(inside(res2.payload, res2.payload_len + 1, scratch,
                           slen));
        FUZZ_ASSERT(res2.iss == NULL
                    || inside(res2.iss, res2.iss_len + 1, scratch, slen));
        FUZZ_ASSERT(res2.jti == NULL
                    || inside(res2.jti, res2.jti_len + 1, scratch, slen));
        if (pay != NULL) {
            const char *ucl = pol->user_claim != NULL ? pol->user_claim
                                                      : "sub";

            FUZZ_ASSERT(same_string(res.user, strlen(res.user),
                                    json_object_get(pay, ucl)));
            FUZZ_ASSERT(same_string(res.iss, res.iss_len,
                                    json_object_get(pay, "iss")));
            FUZZ_ASSERT(same_string(res.jti, res.jti_len,
                                    json_object_get(pay, "jti")));
            FUZZ_ASSERT(same_string(res2.iss, res2.iss_len,
                                    json_object_get(pay, "iss")));
            FUZZ_ASSERT(same_string(res2.jti, res2.jti_len,
                                    json_object_get(pay, "jti")));
        }
    }
    else {
        FUZZ_ASSERT(res.user == NULL && res2.user == NULL);
        FUZZ_ASSERT(res.iss == NULL && res.jti == NULL);
        FUZZ_ASSERT(res2.iss == NULL && res2.jti == NULL);
    }
    jwtsso_jws_result_clear(&res);
    jwtsso_jws_result_clear(&res2);
    free(scratch);
}

/* Verify tok with each user claim that can matter, under each policy. */
static void verify_all(const char *tok, size_t len)
{
    static const char *const registered[] = {
        "exp", "nbf", "iat", "iss", "aud", "jti", "sub"
    };
    const char *names[7 + MAX_NAMES];
    char *own[MAX_NAMES], *iss = NULL, *aud = NULL;
    jwtsso_policy_t pol[3];
    json_t *hdr = part_json(tok, len, 0), *pay = part_json(tok, len, 1);
    const char *key;
    json_t *v;
    size_t n = 0, nown = 0, i;
    int p;

    for (i = 0; i < 7; i++) {
        names[n++] = registered[i];
    }
    if (pay != NULL) {
        json_object_foreach(pay, key, v) {
            if (nown == MAX_NAMES) {
                break;
            }
            own[nown] = malloc(strlen(key) + 1);
            FUZZ_NEED(own[nown]);
            strcpy(own[nown], key);
            names[n++] = own[nown++];
        }
        iss = cstr(json_object_get(pay, "iss"));
        v = json_object_get(pay, "aud");
        aud = cstr(json_is_array(v) ? json_array_get(v, 0) : v);
    }
    memset(pol, 0, sizeof(pol));
    pol[0].max_age = 60;
    pol[0].skew = 5;
    pol[1].max_age = -1;
    pol[1].skew = 5;
    pol[2] = pol[1];
    pol[2].issuer = iss;
    pol[2].audience = aud;
    for (i = 0; i < n; i++) {
        for (p = 0; p < 3; p++) {
            if (p == 2 && iss == NULL && aud == NULL) {
                continue;
            }
            pol[p].user_claim = names[i];
            verify(&pol[p], tok, len, hdr, pay);
        }
    }
    for (i = 0; i < nown; i++) {
        free(own[i]);
    }
    free(iss);
    free(aud);
    json_decref(hdr);
    json_decref(pay);
}

/* The signing input si (header "." payload, base64url) with an HMAC of
 * the secret its header's kid names, in the hash of its HS* alg. */
static void verify_signed(const char *si, size_t silen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    const char *secret = FUZZ_SECRET, *a;
    const EVP_MD *md = EVP_sha256();
    json_t *h = part_json(si, silen, 0), *kid;
    char *tok;
    size_t n;

    if (h != NULL) {
        a = json_string_value(json_object_get(h, "alg"));
        if (a != NULL && strcmp(a, "HS384") == 0) {
            md = EVP_sha384();
        }
        else if (a != NULL && strcmp(a, "HS512") == 0) {
            md = EVP_sha512();
        }
        kid = json_object_get(h, "kid");
        if (json_is_string(kid)
            && strcmp(json_string_value(kid), FUZZ_KID_K1) == 0) {
            secret = FUZZ_SECRET_K1;
        }
        json_decref(h);
    }
    FUZZ_NEED(EVP_Q_mac(NULL, "HMAC", NULL, EVP_MD_get0_name(md), NULL,
                        secret, strlen(secret), (const unsigned char *)si,
                        silen, mac, sizeof(mac), &maclen));
    tok = malloc(silen + 1 + jwtsso_b64url_encoded_len(maclen) + 1);
    FUZZ_NEED(tok);
    memcpy(tok, si, silen);
    tok[silen] = '.';
    n = silen + 1 + jwtsso_b64url_encode(mac, maclen, tok + silen + 1);
    verify_all(tok, n);
    free(tok);
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
    if (size > 0 && data[0] == '{') {
        verify_json(data, size);
        return 0;
    }
    verify_all(tok, size);
    d1 = memchr(tok, '.', size);
    if (d1 != NULL) {
        d2 = memchr(d1 + 1, '.', size - (size_t)(d1 + 1 - tok));
        verify_signed(tok, d2 != NULL ? (size_t)(d2 - tok) : size);
    }
    return 0;
}
