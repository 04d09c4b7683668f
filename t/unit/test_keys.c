/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * test_keys.c - unit tests of the public-key half of the token core:
 * key.c (families, alg masks, RS/PS/ES/EdDSA verification), pkey.c (PEM)
 * and jwks.c (JWK Sets), linking only the core.
 *
 * Usage: test_keys [FIXTURE_DIR] (default $UNIT_FIXTURES, which `make
 * check` sets). Without fixtures only the RFC vectors and the JWK Set
 * checks run and the program reports SKIP (77); mkfixtures.sh makes keys
 * with openssl(1) and tokens with jsonwebtoken and node's crypto.
 * RFC vectors are named by section; every base64url text below decodes
 * (they verify, which no typo would).
 */
#define _POSIX_C_SOURCE 200809L    /* strdup */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include "jwtsso.h"
#include "internal.h"
#include "unit.h"

/* Shared with mkfixtures.js, mkfixtures.py and test_core.c. */
#define SECRET "jwtsso-unit-test-secret-0123456789abcdef"

/* exp of the RFC 7515 appendix A payloads is 1300819380 */
#define RFC_NOW 1300819370LL

static int kseen[JWTSSO_KEY__COUNT];  /* key errors some test expected */
static const char *fixdir;            /* NULL: no fixtures */

/* ---------------------------------------------------------------------
 * vectors
 *
 * RFC 7515 appendix A.2 (RS256), A.3 (ES256), A.4 (ES512): the public
 * JWK members and the compact JWS. The A.2/A.3 payload is
 * {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
 * and A.4's is the text "Payload".
 */
#define A2_N \
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-V" \
    "aw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b" \
    "32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-K" \
    "XBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5" \
    "IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb5" \
    "4h4FRWyuXpoQ"

#define A2_TOKEN \
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsD" \
    "QogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgt" \
    "v3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5Y" \
    "Kt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrn" \
    "byTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6" \
    "_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUi" \
    "pUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"

#define A3_X \
    "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"

#define A3_Y \
    "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"

#define A3_TOKEN \
    "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsD" \
    "QogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38V" \
    "WAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6" \
    "NU1Q"

#define A4_X \
    "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV" \
    "1jSfS9tsz4qUxcWceqwQGk"

#define A4_Y \
    "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd" \
    "0AZMaZmh9ubmf63e3kyMj2"

#define A4_TOKEN \
    "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLf" \
    "D_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCA" \
    "PZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukO" \
    "XolLzeO_Jn"

/* RFC 8037 appendix A.1 (the Ed25519 public key x) and A.4 (the JWS of
 * the text "Example of Ed25519 signing"). */
#define ED_X \
    "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

#define ED_TOKEN \
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_M" \
    "GCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVv" \
    "pAr_MuM0KAg"

/* RFC 7520 §3.3 (RSA public key, n; e is AQAB) and §3.1 (EC P-521 public
 * key), both with kid "bilbo.baggins@hobbiton.example", and the compact
 * JWS of §4.1 (RS256), §4.2 (PS384; PSS is randomized, this signature
 * still verifies) and §4.3 (ES512). The payload is the text "It’s a
 * dangerous business, Frodo, ...". */
#define C33_N \
    "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdN" \
    "hxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcE" \
    "e6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZ" \
    "cD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg" \
    "_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkq" \
    "gc5gHdrNP5zw"

#define C31_X \
    "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjy" \
    "ekWF-7ytDyRXYgCF5cj0Kt"

#define C31_Y \
    "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPr" \
    "wQrJmbnX9cwlGfP-HqHZR1"

#define C41_TOKEN \
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbX" \
    "BsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V" \
    "0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb" \
    "24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW9" \
    "1IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.MRjdkly7_-oTPTS3AXP41iQIGKa80A0Zm" \
    "TuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi" \
    "84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BN" \
    "t1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS" \
    "_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZ" \
    "WJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg"

#define C42_TOKEN \
    "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbX" \
    "BsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V" \
    "0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb" \
    "24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW9" \
    "1IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fU" \
    "DcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDIt" \
    "llVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEg" \
    "VFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2" \
    "Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7x" \
    "ho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw"

#define C43_TOKEN \
    "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbX" \
    "BsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V" \
    "0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb" \
    "24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW9" \
    "1IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZ" \
    "H0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u" \
    "_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDq" \
    "oRuBomu9xQ2"

#define KID_BILBO "bilbo.baggins@hobbiton.example"

#define JWK_A2 "{\"kty\":\"RSA\",\"n\":\"" A2_N "\",\"e\":\"AQAB\"}"
#define JWK_A3 "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\"," \
               "\"y\":\"" A3_Y "\"}"
#define JWK_A4 "{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":\"" A4_X "\"," \
               "\"y\":\"" A4_Y "\"}"
#define JWK_ED "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" ED_X "\"}"
#define JWK_C33 "{\"kty\":\"RSA\",\"kid\":\"" KID_BILBO "\",\"use\":\"sig\"," \
                "\"n\":\"" C33_N "\",\"e\":\"AQAB\"}"
#define JWK_C31 "{\"kty\":\"EC\",\"kid\":\"" KID_BILBO "\",\"use\":\"sig\"," \
                "\"crv\":\"P-521\",\"x\":\"" C31_X "\",\"y\":\"" C31_Y "\"}"
#define SET(k) "{\"keys\":[" k "]}"

/* The order n of P-256 (SEC 2 §2.4.2), big-endian. */
static const unsigned char p256_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
    0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51
};

/* ---------------------------------------------------------------------
 * helpers
 */
static jwtsso_policy_t policy(void)
{
    jwtsso_policy_t p;

    memset(&p, 0, sizeof(p));
    p.max_age = 60;
    p.skew = 5;
    return p;
}

/* What RFC 7515's examples need: the user is iss, no iat. */
static jwtsso_policy_t rfc_policy(void)
{
    jwtsso_policy_t p = policy();

    p.user_claim = "iss";
    p.max_age = -1;
    p.skew = 0;
    return p;
}

/* Verify tok (kept) with ks and pol at now; check the reason and, on
 * success, that the user is user (when not NULL). */
static int expect_user(const char *name, const jwtsso_keyset_t *ks,
                       const jwtsso_policy_t *pol, const char *tok,
                       long long now, jwtsso_reason_t want,
                       const char *user)
{
    jwtsso_result_t res;
    jwtsso_reason_t got = JWTSSO_R__COUNT;
    int ok;

    jwtsso_result_t res2;
    jwtsso_reason_t got2 = JWTSSO_R__COUNT;
    char *scratch = NULL;
    size_t slen = 0;
    int same = 1;

    memset(&res, 0, sizeof(res));
    memset(&res2, 0, sizeof(res2));
    if (tok != NULL) {
        got = jwtsso_jws_verify(ks, pol, tok, strlen(tok), now, &res);
        /* the same in a caller's scratch of the advertised size: the same
         * answer, nothing malloc'ed, the strings inside the scratch */
        slen = jwtsso_jws_scratch_len(strlen(tok));
        scratch = malloc(slen);
        got2 = jwtsso_jws_verify_in(ks, pol, tok, strlen(tok), now, &res2,
                                    scratch, slen);
        same = scratch != NULL && got2 == got && res2.mem == NULL
               && (got != JWTSSO_OK
                   || (strcmp(res2.user, res.user) == 0
                       && res2.payload_len == res.payload_len
                       && memcmp(res2.payload, res.payload,
                                 res.payload_len + 1) == 0
                       && res2.payload >= scratch
                       && res2.payload + res2.payload_len < scratch + slen
                       && res2.user >= scratch
                       && res2.user < scratch + slen));
        jwtsso_jws_result_clear(&res2);
        /* a scratch too small is no error: the verification mallocs */
        got2 = jwtsso_jws_verify_in(ks, pol, tok, strlen(tok), now, &res2,
                                    scratch, 8);
        same = same && got2 == got
               && (got != JWTSSO_OK || (res2.mem != NULL
                                        && strcmp(res2.user, res.user) == 0));
        jwtsso_jws_result_clear(&res2);
        free(scratch);
    }
    ok = CHECK(name, got == want && same
                     && (got != JWTSSO_OK) == (res.user == NULL)
                     && (user == NULL || got != JWTSSO_OK
                         || strcmp(res.user, user) == 0));
    if (!ok) {
        NOTE("%s: got %s, want %s", tok == NULL ? "no token" : "token",
             got == JWTSSO_R__COUNT ? "-" : jwtsso_reason_name(got),
             jwtsso_reason_name(want));
    }
    jwtsso_jws_result_clear(&res);
    return ok;
}

static int expect(const char *name, const jwtsso_keyset_t *ks,
                  const jwtsso_policy_t *pol, const char *tok, long long now,
                  jwtsso_reason_t want)
{
    return expect_user(name, ks, pol, tok, now, want, NULL);
}

/* As expect(), and frees tok. */
static int expect_free(const char *name, const jwtsso_keyset_t *ks,
                       const jwtsso_policy_t *pol, char *tok, long long now,
                       jwtsso_reason_t want)
{
    int ok = expect(name, ks, pol, tok, now, want);

    free(tok);
    return ok;
}

static int expect_key(const char *name, jwtsso_keyerr_t got,
                      jwtsso_keyerr_t want)
{
    int ok = CHECK(name, got == want);

    if (!ok) {
        NOTE("got key error %d, want %d (%s)", (int)got, (int)want,
             jwtsso_reason_keyerr(got));
    }
    if ((unsigned)want < JWTSSO_KEY__COUNT) {
        kseen[want] = 1;
    }
    return ok;
}

/* Add a JWK Set given as a C string. */
static jwtsso_keyerr_t add_jwks(jwtsso_keyset_t *ks, const char *json,
                                int allow_short, size_t *added,
                                size_t *bad)
{
    return jwtsso_jwks_add(ks, json, strlen(json), allow_short,
                           added, bad);
}

/* A new set of the keys of json, or NULL (a failed check). */
static jwtsso_keyset_t *jwks_set(const char *name, const char *json)
{
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    jwtsso_keyerr_t e;

    e = add_jwks(ks, json, 0, NULL, NULL);
    if (!expect_key(name, e, JWTSSO_KEY_OK)) {
        jwtsso_keyset_free(ks);
        return NULL;
    }
    return ks;
}

static char *b64(const unsigned char *p, size_t n)
{
    char *s = malloc(jwtsso_b64url_encoded_len(n) + 1);

    jwtsso_b64url_encode(p, n, s);
    return s;
}

/* Part i (0-2) of tok, decoded (malloc'ed, NUL-terminated), or NULL. */
static unsigned char *part(const char *tok, int i, size_t *len)
{
    const char *p = tok, *end;
    unsigned char *out;

    while (i-- > 0) {
        p = strchr(p, '.');
        if (p == NULL) {
            return NULL;
        }
        p++;
    }
    end = strchr(p, '.');
    if (end == NULL) {
        end = p + strlen(p);
    }
    out = malloc(jwtsso_b64url_decoded_max((size_t)(end - p)) + 1);
    if (jwtsso_b64url_decode(p, (size_t)(end - p), out, len) != 0) {
        free(out);
        return NULL;
    }
    out[*len] = '\0';
    return out;
}

/* tok with its part i replaced by the bytes p (n of them). */
static char *with_part(const char *tok, int i, const unsigned char *p,
                       size_t n)
{
    unsigned char *d[3];
    size_t len[3];
    char *e[3], *out;
    int j;

    for (j = 0; j < 3; j++) {
        d[j] = j == i ? NULL : part(tok, j, &len[j]);
        e[j] = j == i ? b64(p, n) : b64(d[j], len[j]);
    }
    out = malloc(strlen(e[0]) + strlen(e[1]) + strlen(e[2]) + 3);
    sprintf(out, "%s.%s.%s", e[0], e[1], e[2]);
    for (j = 0; j < 3; j++) {
        free(d[j]);
        free(e[j]);
    }
    return out;
}

/* tok with one bit flipped in part i: in the header the case of its last
 * letter (a string value's), in the payload of its first (a member
 * name's), both still JSON; in the signature bit 0 of its middle byte. */
static char *flip(const char *tok, int i)
{
    unsigned char *d;
    size_t len, k, at = 0;
    char *out;

    d = part(tok, i, &len);
    if (d == NULL || len == 0) {
        free(d);
        return NULL;
    }
    if (i == 2) {
        d[len / 2] ^= 0x01;
    }
    else {
        for (k = 0; k < len; k++) {
            if ((d[k] | 0x20) >= 'a' && (d[k] | 0x20) <= 'z') {
                at = k;
                if (i == 1) {
                    break;
                }
            }
        }
        d[at] ^= 0x20;
    }
    out = with_part(tok, i, d, len);
    free(d);
    return out;
}

/* One bit flipped in each part: never accepted; for the signature and
 * the payload a bad signature, for the header too unless the bit was in
 * the alg or kid (then it names no alg, or no key). */
static void flips(const char *name, const jwtsso_keyset_t *ks,
                  const jwtsso_policy_t *pol, const char *tok,
                  long long now)
{
    static const char *const what[3] = { "header", "payload", "signature" };
    jwtsso_result_t res;
    jwtsso_reason_t got;
    char n[160], *t;
    int i;

    for (i = 0; i < 3; i++) {
        snprintf(n, sizeof(n), "%s_flipped_%s", name, what[i]);
        t = flip(tok, i);
        memset(&res, 0, sizeof(res));
        got = t != NULL ? jwtsso_jws_verify(ks, pol, t, strlen(t), now, &res)
                        : JWTSSO_OK;
        if (!CHECK(n, got == JWTSSO_R_BAD_SIGNATURE
                      || (i == 0 && (got == JWTSSO_R_ALG_UNKNOWN
                                     || got == JWTSSO_R_UNKNOWN_KID)))) {
            NOTE("got %s", jwtsso_reason_name(got));
        }
        jwtsso_jws_result_clear(&res);
        free(t);
    }
}

/* An HS256 token over header and payload with any key bytes (also
 * empty, which jwtsso_jws_sign_hmac refuses). */
static char *sign_hs256(const void *key, size_t klen, const char *header,
                        const char *payload)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    char *h = b64((const unsigned char *)header, strlen(header));
    char *p = b64((const unsigned char *)payload, strlen(payload));
    char *in, *s, *out;

    in = malloc(strlen(h) + strlen(p) + 2);
    if (in == NULL) {
        abort();
    }
    sprintf(in, "%s.%s", h, p);
    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, klen > 0 ? key : "",
                  klen, (const unsigned char *)in, strlen(in), mac,
                  sizeof(mac), &maclen) == NULL) {
        abort();
    }
    s = b64(mac, maclen);
    out = malloc(strlen(in) + strlen(s) + 2);
    if (out == NULL) {
        abort();
    }
    sprintf(out, "%s.%s", in, s);
    free(h);
    free(p);
    free(in);
    free(s);
    return out;
}

/* ---------------------------------------------------------------------
 * key error texts
 */
static void test_keyerr_texts(void)
{
    int e, q, ok = 1;

    for (e = 0; e < JWTSSO_KEY__COUNT; e++) {
        if (strlen(jwtsso_reason_keyerr((jwtsso_keyerr_t)e)) < 10) {
            NOTE("key error %d has no text", e);
            ok = 0;
        }
        for (q = 0; q < e; q++) {
            if (strcmp(jwtsso_reason_keyerr((jwtsso_keyerr_t)e),
                       jwtsso_reason_keyerr((jwtsso_keyerr_t)q)) == 0) {
                ok = 0;
            }
        }
    }
    CHECK("keyerr_texts_distinct", ok);
    CHECK("keyerr_text_out_of_range",
          jwtsso_reason_keyerr(JWTSSO_KEY__COUNT) != NULL
          && jwtsso_reason_keyerr((jwtsso_keyerr_t)-1) != NULL
          && strstr(jwtsso_reason_keyerr(JWTSSO_KEY_RSA_TOO_SMALL), "2048")
             != NULL);
    CHECK("alg_families",
          jwtsso_alg_family(JWTSSO_ALG_HS384) == JWTSSO_FAM_HMAC
          && jwtsso_alg_family(JWTSSO_ALG_RS256) == JWTSSO_FAM_RSA
          && jwtsso_alg_family(JWTSSO_ALG_PS512) == JWTSSO_FAM_RSA
          && jwtsso_alg_family(JWTSSO_ALG_ES384) == JWTSSO_FAM_EC
          && jwtsso_alg_family(JWTSSO_ALG_EDDSA) == JWTSSO_FAM_OKP
          && jwtsso_alg_family(JWTSSO_ALG_UNKNOWN) == JWTSSO_FAM_NONE);
}

/* ---------------------------------------------------------------------
 * RFC 7515 appendix A.2-A.4, RFC 8037 A.4, RFC 7520 §4.1-§4.3
 */
static void test_rfc7515_a2(void)
{
    jwtsso_policy_t pol = rfc_policy();
    jwtsso_keyset_t *ks = jwks_set("rfc7515_a2_jwk", SET(JWK_A2));
    jwtsso_result_t res;

    if (ks == NULL) {
        return;
    }
    CHECK("rfc7515_a2_jwk_algs", jwtsso_keyset_count(ks) == 1
                                 && jwtsso_keyset_algs(ks)
                                    == JWTSSO_ALGS_RSA);
    memset(&res, 0, sizeof(res));
    CHECK("rfc7515_a2_rs256",
          jwtsso_jws_verify(ks, &pol, A2_TOKEN, strlen(A2_TOKEN), RFC_NOW,
                            &res) == JWTSSO_OK
          && res.alg == JWTSSO_ALG_RS256 && res.user != NULL
          && strcmp(res.user, "joe") == 0 && res.has_exp
          && res.exp == 1300819380
          && strstr(res.payload, "\"http://example.com/is_root\":true") != NULL);
    jwtsso_jws_result_clear(&res);
    expect("rfc7515_a2_rs256_expired", ks, &pol, A2_TOKEN, RFC_NOW + 20,
           JWTSSO_R_EXPIRED);
    flips("rfc7515_a2_rs256", ks, &pol, A2_TOKEN, RFC_NOW);
    /* the RS256 signature under a PS256 header: the header is signed */
    expect_free("rfc7515_a2_as_ps256", ks, &pol,
                with_part(A2_TOKEN, 0, (const unsigned char *)
                          "{\"alg\":\"PS256\"}", 15), RFC_NOW,
                JWTSSO_R_BAD_SIGNATURE);
    jwtsso_keyset_free(ks);
}

/* Psychic signatures (CVE-2022-21449) and other ES256 signatures that
 * must not verify, on the A.3 key and token. */
static void psychic(const jwtsso_keyset_t *ks, const jwtsso_policy_t *pol)
{
    unsigned char *sig, bad[66], *der = NULL;
    size_t len;
    BIGNUM *n = NULL, *s = NULL;
    ECDSA_SIG *esig;
    EC_GROUP *g;
    int derlen;

    sig = part(A3_TOKEN, 2, &len);
    if (!CHECK("es256_a3_signature_64", sig != NULL && len == 64)) {
        free(sig);
        return;
    }
    g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    n = BN_bin2bn(p256_n, 32, NULL);
    CHECK("es256_p256_order_constant",
          g != NULL && BN_cmp(EC_GROUP_get0_order(g), n) == 0);
    EC_GROUP_free(g);

    memset(bad, 0, 64);
    expect_free("es256_psychic_r0_s0", ks, pol,
                with_part(A3_TOKEN, 2, bad, 64), RFC_NOW,
                JWTSSO_R_BAD_SIGNATURE);
    memcpy(bad, p256_n, 32);
    memcpy(bad + 32, p256_n, 32);
    expect_free("es256_psychic_r_n_s_n", ks, pol,
                with_part(A3_TOKEN, 2, bad, 64), RFC_NOW,
                JWTSSO_R_BAD_SIGNATURE);
    memcpy(bad, sig, 32);
    memset(bad + 32, 0, 32);
    expect_free("es256_s_zero", ks, pol, with_part(A3_TOKEN, 2, bad, 64),
                RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
    memcpy(bad + 32, p256_n, 32);
    expect_free("es256_s_n", ks, pol, with_part(A3_TOKEN, 2, bad, 64),
                RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
    memset(bad, 0, 32);
    memcpy(bad + 32, sig + 32, 32);
    expect_free("es256_r_zero", ks, pol, with_part(A3_TOKEN, 2, bad, 64),
                RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
    memset(bad, 0xff, 64);
    expect_free("es256_r_s_over_n", ks, pol,
                with_part(A3_TOKEN, 2, bad, 64), RFC_NOW,
                JWTSSO_R_BAD_SIGNATURE);
    memcpy(bad, sig + 32, 32);
    memcpy(bad + 32, sig, 32);
    expect_free("es256_r_s_swapped", ks, pol,
                with_part(A3_TOKEN, 2, bad, 64), RFC_NOW,
                JWTSSO_R_BAD_SIGNATURE);
    expect_free("es256_63_bytes", ks, pol, with_part(A3_TOKEN, 2, sig, 63),
                RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
    memcpy(bad, sig, 64);
    bad[64] = 0;
    expect_free("es256_65_bytes", ks, pol, with_part(A3_TOKEN, 2, bad, 65),
                RFC_NOW, JWTSSO_R_BAD_SIGNATURE);

    /* the same r, s as DER (what OpenSSL and Java make): refused */
    esig = ECDSA_SIG_new();
    ECDSA_SIG_set0(esig, BN_bin2bn(sig, 32, NULL),
                   BN_bin2bn(sig + 32, 32, NULL));
    derlen = i2d_ECDSA_SIG(esig, &der);
    ECDSA_SIG_free(esig);
    expect_free("es256_der_signature", ks, pol,
                derlen > 0 ? with_part(A3_TOKEN, 2, der, (size_t)derlen)
                           : NULL, RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
    OPENSSL_free(der);

    /* ECDSA is malleable: (r, n - s) verifies too (THREATS: never key a
     * replay cache on signature bytes) */
    s = BN_bin2bn(sig + 32, 32, NULL);
    BN_sub(s, n, s);
    memcpy(bad, sig, 32);
    BN_bn2binpad(s, bad + 32, 32);
    expect_free("es256_malleable_n_minus_s_verifies", ks, pol,
                with_part(A3_TOKEN, 2, bad, 64), RFC_NOW, JWTSSO_OK);
    BN_free(s);
    BN_free(n);
    free(sig);
}

static void test_rfc7515_a3(void)
{
    jwtsso_policy_t pol = rfc_policy();
    jwtsso_keyset_t *ks = jwks_set("rfc7515_a3_jwk", SET(JWK_A3));

    if (ks == NULL) {
        return;
    }
    CHECK("rfc7515_a3_jwk_algs",
          jwtsso_keyset_algs(ks) == JWTSSO_ALGBIT(JWTSSO_ALG_ES256));
    expect_user("rfc7515_a3_es256", ks, &pol, A3_TOKEN, RFC_NOW, JWTSSO_OK,
                "joe");
    flips("rfc7515_a3_es256", ks, &pol, A3_TOKEN, RFC_NOW);
    psychic(ks, &pol);
    /* a P-256 key serves ES256 only */
    expect_free("es256_key_not_es384", ks, &pol,
                with_part(A3_TOKEN, 0, (const unsigned char *)
                          "{\"alg\":\"ES384\"}", 15), RFC_NOW,
                JWTSSO_R_ALG_NOT_ALLOWED);
    pol.algs = JWTSSO_ALGBIT(JWTSSO_ALG_ES384)
               | JWTSSO_ALGBIT(JWTSSO_ALG_ES256);
    expect_free("es256_key_not_es384_allowed", ks, &pol,
                with_part(A3_TOKEN, 0, (const unsigned char *)
                          "{\"alg\":\"ES384\"}", 15), RFC_NOW,
                JWTSSO_R_NO_KEY);
    jwtsso_keyset_free(ks);
}

static void test_rfc7515_a4(void)
{
    jwtsso_policy_t pol = rfc_policy();
    jwtsso_keyset_t *ks = jwks_set("rfc7515_a4_jwk", SET(JWK_A4));

    if (ks == NULL) {
        return;
    }
    CHECK("rfc7515_a4_jwk_algs",
          jwtsso_keyset_algs(ks) == JWTSSO_ALGBIT(JWTSSO_ALG_ES512));
    /* the payload "Payload" is no JSON: only checked once the signature
     * verified */
    expect("rfc7515_a4_es512", ks, &pol, A4_TOKEN, RFC_NOW,
           JWTSSO_R_BAD_PAYLOAD);
    expect_free("rfc7515_a4_es512_flipped_signature", ks, &pol,
                flip(A4_TOKEN, 2), RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
    expect_free("rfc7515_a4_es512_flipped_payload", ks, &pol,
                flip(A4_TOKEN, 1), RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
    jwtsso_keyset_free(ks);
}

static void test_rfc8037_a4(void)
{
    jwtsso_policy_t pol = rfc_policy();
    jwtsso_keyset_t *ks = jwks_set("rfc8037_a1_jwk", SET(JWK_ED));
    unsigned char *sig;
    size_t len;

    if (ks == NULL) {
        return;
    }
    CHECK("rfc8037_a1_jwk_algs",
          jwtsso_keyset_algs(ks) == JWTSSO_ALGBIT(JWTSSO_ALG_EDDSA));
    expect("rfc8037_a4_ed25519", ks, &pol, ED_TOKEN, RFC_NOW,
           JWTSSO_R_BAD_PAYLOAD);
    flips("rfc8037_a4_ed25519", ks, &pol, ED_TOKEN, RFC_NOW);
    sig = part(ED_TOKEN, 2, &len);
    expect_free("ed25519_63_bytes", ks, &pol,
                with_part(ED_TOKEN, 2, sig, 63), RFC_NOW,
                JWTSSO_R_BAD_SIGNATURE);
    free(sig);
    jwtsso_keyset_free(ks);
}

static void test_rfc7520(void)
{
    jwtsso_policy_t pol = rfc_policy();
    jwtsso_keyset_t *ks;
    size_t bad = 0;

    ks = jwks_set("rfc7520_3_3_jwk", SET(JWK_C33));
    if (ks != NULL) {
        expect("rfc7520_4_1_rs256", ks, &pol, C41_TOKEN, RFC_NOW,
               JWTSSO_R_BAD_PAYLOAD);
        expect("rfc7520_4_2_ps384", ks, &pol, C42_TOKEN, RFC_NOW,
               JWTSSO_R_BAD_PAYLOAD);
        expect_free("rfc7520_4_1_rs256_flipped_signature", ks, &pol,
                    flip(C41_TOKEN, 2), RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
        expect_free("rfc7520_4_2_ps384_flipped_signature", ks, &pol,
                    flip(C42_TOKEN, 2), RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
        expect_free("rfc7520_4_2_ps384_flipped_payload", ks, &pol,
                    flip(C42_TOKEN, 1), RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
        /* RFC 7515's token has no kid: every RSA key is tried (all have
         * a kid), and none is A.2's */
        expect("rfc7520_3_3_no_kid_in_token", ks, &pol, A2_TOKEN, RFC_NOW,
               JWTSSO_R_BAD_SIGNATURE);
        jwtsso_keyset_free(ks);
    }
    ks = jwks_set("rfc7520_3_3_jwk_no_kid",
                  SET("{\"kty\":\"RSA\",\"n\":\"" C33_N
                      "\",\"e\":\"AQAB\"}"));
    if (ks != NULL) {
        expect("rfc7515_a2_with_rfc7520_key", ks, &pol, A2_TOKEN, RFC_NOW,
               JWTSSO_R_BAD_SIGNATURE);
        jwtsso_keyset_free(ks);
    }
    ks = jwks_set("rfc7520_3_1_jwk", SET(JWK_C31));
    if (ks != NULL) {
        expect("rfc7520_4_3_es512", ks, &pol, C43_TOKEN, RFC_NOW,
               JWTSSO_R_BAD_PAYLOAD);
        expect_free("rfc7520_4_3_es512_flipped_signature", ks, &pol,
                    flip(C43_TOKEN, 2), RFC_NOW, JWTSSO_R_BAD_SIGNATURE);
        jwtsso_keyset_free(ks);
    }
    ks = jwks_set("rfc7520_3_1_jwk_no_kid",
                  SET("{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":\"" C31_X
                      "\",\"y\":\"" C31_Y "\"}"));
    if (ks != NULL) {
        expect("rfc7515_a4_with_rfc7520_key", ks, &pol, A4_TOKEN, RFC_NOW,
               JWTSSO_R_BAD_SIGNATURE);
        jwtsso_keyset_free(ks);
    }
    /* both example keys have the same kid */
    ks = jwtsso_keyset_new();
    expect_key("rfc7520_both_keys_duplicate_kid",
               add_jwks(ks, SET(JWK_C33 "," JWK_C31), 0, NULL, &bad),
               JWTSSO_KEY_DUPLICATE_KID);
    CHECK("rfc7520_duplicate_kid_index_1_nothing_added",
          bad == 1 && jwtsso_keyset_count(ks) == 0
          && jwtsso_keyset_algs(ks) == 0);
    jwtsso_keyset_free(ks);
}

/* ---------------------------------------------------------------------
 * JWK Sets
 */

/* One JWK Set that must fail with want at bad_index at. */
static void jwks_bad(const char *name, const char *json, int allow_short,
                     jwtsso_keyerr_t want, size_t at)
{
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    size_t added = 99, bad = 99;
    char n[160];

    jwtsso_keyset_add_hmac(ks, "pre", (const unsigned char *)SECRET,
                           strlen(SECRET));
    expect_key(name, add_jwks(ks, json, allow_short, &added, &bad), want);
    snprintf(n, sizeof(n), "%s_nothing_added", name);
    if (!CHECK(n, added == 0 && bad == at && jwtsso_keyset_count(ks) == 1
                  && jwtsso_keyset_algs(ks) == JWTSSO_ALGS_HMAC)) {
        NOTE("added %zu, bad index %zu, count %zu", added, bad,
             jwtsso_keyset_count(ks));
    }
    jwtsso_keyset_free(ks);
}

/* A JWK Set that must load, adding n keys serving algs. */
static void jwks_good(const char *name, const char *json, int allow_short,
                      size_t n, unsigned algs)
{
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    size_t added = 99, bad = 99;

    if (expect_key(name, add_jwks(ks, json, allow_short, &added, &bad),
                   JWTSSO_KEY_OK)
        && !CHECK(name, added == n && jwtsso_keyset_count(ks) == n
                        && jwtsso_keyset_algs(ks) == algs)) {
        NOTE("added %zu, count %zu, algs %#x", added,
             jwtsso_keyset_count(ks), jwtsso_keyset_algs(ks));
    }
    jwtsso_keyset_free(ks);
}

/* A.3's JWK with one y character changed (a middle one: all six bits
 * count) - no longer a point on P-256. */
static char *off_curve_jwk(void)
{
    char *j = strdup(SET(JWK_A3));
    char *y = strstr(j, A3_Y);

    y[10] = y[10] == 'A' ? 'B' : 'A';
    return j;
}

/* An RSA JWK of A.2's first 128 bytes of n (odd): a 1024-bit key. */
static char *rsa1024_jwk(void)
{
    unsigned char n[300];
    size_t len;
    char *e, *j;

    jwtsso_b64url_decode(A2_N, strlen(A2_N), n, &len);
    n[127] |= 1;
    e = b64(n, 128);
    j = malloc(strlen(e) + 100);
    sprintf(j, SET("{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\"}"), e);
    free(e);
    return j;
}

static void test_jwks_shapes(void)
{
    const unsigned HS = JWTSSO_ALGS_HMAC;
    const unsigned ES256 = JWTSSO_ALGBIT(JWTSSO_ALG_ES256);
    char *j;

    jwks_good("jwks_empty_keys", "{\"keys\":[]}", 0, 0, 0);
    jwks_good("jwks_three_families",
              SET(JWK_A2 "," JWK_A3 "," JWK_ED), 0, 3,
              JWTSSO_ALGS_RSA | ES256 | JWTSSO_ALGBIT(JWTSSO_ALG_EDDSA));
    jwks_good("jwks_other_members_ignored",
              "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X
              "\",\"y\":\"" A3_Y "\",\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7"
              "X1fCE9-E9LI\",\"key_ops\":[\"verify\"],\"x5c\":[\"x\"]}],"
              "\"other\":1}", 0, 1, ES256);
    jwks_good("jwks_use_enc_skipped",
              SET("{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AA\","
                  "\"e\":\"AQ\"}," JWK_A3), 0, 1, ES256);
    jwks_good("jwks_unknown_kty_skipped",
              SET("{\"kty\":\"XYZ\",\"kid\":\"a\"}," JWK_A3), 0, 1, ES256);
    jwks_good("jwks_alg_restricts",
              SET("{\"kty\":\"RSA\",\"alg\":\"PS384\",\"n\":\"" A2_N
                  "\",\"e\":\"AQAB\"}"), 0, 1,
              JWTSSO_ALGBIT(JWTSSO_ALG_PS384));
    jwks_good("jwks_oct_32",
              SET("{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"
                  "ODlhYmNkZWY\"}"), 0, 1, HS);
    jwks_good("jwks_oct_short_allowed",
              SET("{\"kty\":\"oct\",\"alg\":\"HS512\",\"k\":\"c2hvcnQ\"}"),
              1, 1, JWTSSO_ALGBIT(JWTSSO_ALG_HS512));
    jwks_good("jwks_rsa_leading_zeros_n",
              SET("{\"kty\":\"RSA\",\"n\":\"AAAA" A2_N "\",\"e\":\"AQAB\"}"),
              0, 1, JWTSSO_ALGS_RSA);

    jwks_bad("jwks_not_json", "{\"keys\":[", 0, JWTSSO_KEY_BAD_JWKS,
             SIZE_MAX);
    jwks_bad("jwks_not_object", "[" JWK_A3 "]", 0, JWTSSO_KEY_BAD_JWKS,
             SIZE_MAX);
    jwks_bad("jwks_no_keys", JWK_A3, 0, JWTSSO_KEY_BAD_JWKS, SIZE_MAX);
    jwks_bad("jwks_keys_not_array", "{\"keys\":" JWK_A3 "}", 0,
             JWTSSO_KEY_BAD_JWKS, SIZE_MAX);
    jwks_bad("jwks_duplicate_member",
             "{\"keys\":[],\"keys\":[" JWK_A3 "]}", 0, JWTSSO_KEY_BAD_JWKS,
             SIZE_MAX);
    jwks_bad("jwks_duplicate_member_in_key",
             SET("{\"kty\":\"EC\",\"kty\":\"EC\"}"), 0, JWTSSO_KEY_BAD_JWKS,
             SIZE_MAX);
    jwks_bad("jwks_key_not_object", SET(JWK_A3 ",\"x\""), 0,
             JWTSSO_KEY_BAD_JWKS, 1);
    jwks_bad("jwks_kty_missing", SET(JWK_A3 ",{\"n\":\"AQAB\"}"), 0,
             JWTSSO_KEY_BAD_JWKS, 1);
    jwks_bad("jwks_kty_number", SET("{\"kty\":1}"), 0, JWTSSO_KEY_BAD_JWK,
             0);
    jwks_bad("jwks_use_number", SET("{\"kty\":\"EC\",\"use\":1}"), 0,
             JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_kid_number",
             SET("{\"kty\":\"EC\",\"kid\":1,\"crv\":\"P-256\",\"x\":\"" A3_X
                 "\",\"y\":\"" A3_Y "\"}"), 0, JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_rsa_no_e",
             SET("{\"kty\":\"RSA\",\"n\":\"" A2_N "\"}"), 0,
             JWTSSO_KEY_BAD_JWKS, 0);
    jwks_bad("jwks_rsa_n_padded",
             SET("{\"kty\":\"RSA\",\"n\":\"" A2_N "=\",\"e\":\"AQAB\"}"), 0,
             JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_rsa_n_number",
             SET("{\"kty\":\"RSA\",\"n\":5,\"e\":\"AQAB\"}"), 0,
             JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_rsa_e_1",
             SET("{\"kty\":\"RSA\",\"n\":\"" A2_N "\",\"e\":\"AQ\"}"), 0,
             JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_rsa_e_even",
             SET("{\"kty\":\"RSA\",\"n\":\"" A2_N "\",\"e\":\"AQAC\"}"), 0,
             JWTSSO_KEY_BAD_JWK, 0);
    j = rsa1024_jwk();
    jwks_bad("jwks_rsa_1024", j, 0, JWTSSO_KEY_RSA_TOO_SMALL, 0);
    free(j);
    j = off_curve_jwk();
    jwks_bad("jwks_ec_point_not_on_curve", j, 0, JWTSSO_KEY_BAD_JWK, 0);
    free(j);
    jwks_bad("jwks_ec_x_short",
             SET("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X
                 "\",\"y\":\"AAAA\"}"), 0, JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_ec_p256_coordinates_on_p384",
             SET("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"" A3_X
                 "\",\"y\":\"" A3_Y "\"}"), 0, JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_ec_no_crv",
             SET("{\"kty\":\"EC\",\"x\":\"" A3_X "\",\"y\":\"" A3_Y "\"}"),
             0, JWTSSO_KEY_BAD_JWKS, 0);
    jwks_bad("jwks_ec_secp256k1",
             SET("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"" A3_X
                 "\",\"y\":\"" A3_Y "\"}"), 0, JWTSSO_KEY_BAD_CURVE, 0);
    jwks_bad("jwks_okp_ed448",
             SET("{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"" ED_X "\"}"),
             0, JWTSSO_KEY_BAD_CURVE, 0);
    jwks_bad("jwks_okp_x25519",
             SET("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"" ED_X "\"}"),
             0, JWTSSO_KEY_BAD_CURVE, 0);
    jwks_bad("jwks_okp_x_31_bytes",
             SET("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" "AAAAAAAAAA"
                 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}"), 0,
             JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_oct_short",
             SET("{\"kty\":\"oct\",\"k\":\"c2hvcnQ\"}"), 0,
             JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_oct_empty_even_if_short_allowed",
             SET("{\"kty\":\"oct\",\"k\":\"\"}"), 1, JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_oct_no_k", SET("{\"kty\":\"oct\"}"), 1,
             JWTSSO_KEY_BAD_JWKS, 0);

    /* alg must fit the key */
    jwks_bad("jwks_alg_hs256_on_rsa",
             SET("{\"kty\":\"RSA\",\"alg\":\"HS256\",\"n\":\"" A2_N
                 "\",\"e\":\"AQAB\"}"), 0, JWTSSO_KEY_ALG_MISMATCH, 0);
    jwks_bad("jwks_alg_none",
             SET("{\"kty\":\"RSA\",\"alg\":\"none\",\"n\":\"" A2_N
                 "\",\"e\":\"AQAB\"}"), 0, JWTSSO_KEY_ALG_MISMATCH, 0);
    jwks_bad("jwks_alg_not_ours",
             SET("{\"kty\":\"RSA\",\"alg\":\"RSA-OAEP\",\"n\":\"" A2_N
                 "\",\"e\":\"AQAB\"}"), 0, JWTSSO_KEY_ALG_MISMATCH, 0);
    jwks_bad("jwks_alg_number",
             SET("{\"kty\":\"RSA\",\"alg\":256,\"n\":\"" A2_N
                 "\",\"e\":\"AQAB\"}"), 0, JWTSSO_KEY_BAD_JWK, 0);
    jwks_bad("jwks_alg_es384_on_p256",
             SET("{\"kty\":\"EC\",\"alg\":\"ES384\",\"crv\":\"P-256\",\"x\":\""
                 A3_X "\",\"y\":\"" A3_Y "\"}"), 0, JWTSSO_KEY_ALG_MISMATCH,
             0);
    jwks_bad("jwks_alg_rs256_on_oct",
             SET("{\"kty\":\"oct\",\"alg\":\"RS256\",\"k\":\"c2hvcnQ\"}"), 1,
             JWTSSO_KEY_ALG_MISMATCH, 0);
    jwks_bad("jwks_alg_eddsa_on_ec",
             SET("{\"kty\":\"EC\",\"alg\":\"EdDSA\",\"crv\":\"P-256\",\"x\":\""
                 A3_X "\",\"y\":\"" A3_Y "\"}"), 0, JWTSSO_KEY_ALG_MISMATCH,
             0);
    jwks_bad("jwks_alg_es256_on_ed25519",
             SET("{\"kty\":\"OKP\",\"alg\":\"ES256\",\"crv\":\"Ed25519\","
                 "\"x\":\"" ED_X "\"}"), 0, JWTSSO_KEY_ALG_MISMATCH, 0);

    /* kids: unique in the document and against the set (which has
     * "pre"); all or nothing */
    jwks_bad("jwks_duplicate_kid",
             SET("{\"kty\":\"EC\",\"kid\":\"a\",\"crv\":\"P-256\",\"x\":\""
                 A3_X "\",\"y\":\"" A3_Y "\"}," JWK_ED ","
                 "{\"kty\":\"OKP\",\"kid\":\"a\",\"crv\":\"Ed25519\",\"x\":\""
                 ED_X "\"}"), 0, JWTSSO_KEY_DUPLICATE_KID, 2);
    jwks_bad("jwks_kid_already_in_set",
             SET(JWK_A3 ",{\"kty\":\"OKP\",\"kid\":\"pre\",\"crv\":"
                 "\"Ed25519\",\"x\":\"" ED_X "\"}"), 0,
             JWTSSO_KEY_DUPLICATE_KID, 1);
    jwks_bad("jwks_all_or_nothing",
             SET(JWK_A2 "," JWK_A3 "," JWK_ED ",{\"kty\":\"oct\",\"k\":"
                 "\"c2hvcnQ\"}"), 0, JWTSSO_KEY_BAD_JWK, 3);
    jwks_good("jwks_same_kid_different_case",
              SET("{\"kty\":\"EC\",\"kid\":\"a\",\"crv\":\"P-256\",\"x\":\""
                  A3_X "\",\"y\":\"" A3_Y "\"},{\"kty\":\"OKP\",\"kid\":"
                  "\"A\",\"crv\":\"Ed25519\",\"x\":\"" ED_X "\"}"), 0, 2,
              ES256 | JWTSSO_ALGBIT(JWTSSO_ALG_EDDSA));
    expect_key("jwks_null_keyset",
               jwtsso_jwks_add(NULL, "{}", 2, 0, NULL, NULL),
               JWTSSO_KEY_INTERNAL);
}

/* The key-confusion class: keys only serve their own family and mask. */
static void test_jwks_binding(void)
{
    jwtsso_policy_t pol = rfc_policy();
    jwtsso_keyset_t *ks;
    unsigned char n[300];
    size_t nlen;
    char *tok;
    static const char hs[] = "{\"alg\":\"HS256\"}";
    static const char payload[] =
        "{\"iss\":\"joe\",\"exp\":1300819380}";

    /* libjwt CVE-2026-44699: an RSA JWK without alg must not become an
     * (empty) HMAC key; nor may its n or its text be one */
    ks = jwks_set("jwks_rsa_no_alg", SET(JWK_A2));
    if (ks == NULL) {
        return;
    }
    jwtsso_b64url_decode(A2_N, strlen(A2_N), n, &nlen);
    expect_free("rsa_jwk_not_hmac_empty_key", ks, &pol,
                sign_hs256("", 0, hs, payload), RFC_NOW,
                JWTSSO_R_ALG_NOT_ALLOWED);
    expect_free("rsa_jwk_not_hmac_n", ks, &pol,
                sign_hs256(n, nlen, hs, payload), RFC_NOW,
                JWTSSO_R_ALG_NOT_ALLOWED);
    expect_free("rsa_jwk_not_hmac_text", ks, &pol,
                sign_hs256(JWK_A2, strlen(JWK_A2), hs, payload), RFC_NOW,
                JWTSSO_R_ALG_NOT_ALLOWED);
    pol.algs = JWTSSO_ALGS_HMAC | JWTSSO_ALGS_RSA;
    expect_free("rsa_jwk_not_hmac_even_if_allowed", ks, &pol,
                sign_hs256("", 0, hs, payload), RFC_NOW, JWTSSO_R_NO_KEY);
    jwtsso_keyset_free(ks);

    /* alg restriction: RS256 only, so the same key does not check PS* */
    pol.algs = 0;
    ks = jwks_set("jwks_rsa_rs256_only",
                  SET("{\"kty\":\"RSA\",\"alg\":\"RS256\",\"kid\":\""
                      KID_BILBO "\",\"n\":\"" C33_N "\",\"e\":\"AQAB\"}"));
    if (ks == NULL) {
        return;
    }
    CHECK("jwks_rsa_rs256_only_algs",
          jwtsso_keyset_algs(ks) == JWTSSO_ALGBIT(JWTSSO_ALG_RS256));
    expect("jwk_alg_rs256_serves_rs256", ks, &pol, C41_TOKEN, RFC_NOW,
           JWTSSO_R_BAD_PAYLOAD);
    expect("jwk_alg_rs256_not_ps384", ks, &pol, C42_TOKEN, RFC_NOW,
           JWTSSO_R_ALG_NOT_ALLOWED);
    pol.algs = JWTSSO_ALGS_RSA;
    expect("jwk_alg_rs256_not_ps384_allowed", ks, &pol, C42_TOKEN, RFC_NOW,
           JWTSSO_R_NO_KEY);
    jwtsso_keyset_free(ks);

    /* an oct JWK is an HMAC key like any other, bound to its alg */
    pol.algs = 0;
    ks = jwks_set("jwks_oct_hs384",
                  SET("{\"kty\":\"oct\",\"alg\":\"HS384\",\"k\":\""
                      "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"}"));
    if (ks == NULL) {
        return;
    }
    tok = jwtsso_jws_sign_hmac(JWTSSO_ALG_HS384, (const unsigned char *)
                               "0123456789abcdef0123456789abcdef", 32,
                               "{\"alg\":\"HS384\"}", payload);
    expect_free("jwk_oct_hs384", ks, &pol, tok, RFC_NOW, JWTSSO_OK);
    expect_free("jwk_oct_hs384_not_hs256", ks, &pol,
                sign_hs256("0123456789abcdef0123456789abcdef", 32, hs,
                           payload), RFC_NOW, JWTSSO_R_ALG_NOT_ALLOWED);
    expect("jwk_oct_not_rs256", ks, &pol, A2_TOKEN, RFC_NOW,
           JWTSSO_R_ALG_NOT_ALLOWED);
    jwtsso_keyset_free(ks);

    /* an empty set: nothing is allowed, and with an allow-list no key */
    ks = jwtsso_keyset_new();
    expect("empty_set_alg_not_allowed", ks, &pol, A3_TOKEN, RFC_NOW,
           JWTSSO_R_ALG_NOT_ALLOWED);
    pol.algs = JWTSSO_ALGBIT(JWTSSO_ALG_ES256);
    expect("empty_set_no_key", ks, &pol, A3_TOKEN, RFC_NOW,
           JWTSSO_R_NO_KEY);
    CHECK("empty_set_count", jwtsso_keyset_count(ks) == 0
                             && jwtsso_keyset_count(NULL) == 0);
    jwtsso_keyset_free(ks);
}

/* Three key families in one set: each token finds its own. */
static void test_jwks_mixed(void)
{
    jwtsso_policy_t pol = rfc_policy();
    jwtsso_keyset_t *ks;

    ks = jwks_set("jwks_mixed",
                  SET(JWK_A2 "," JWK_A3 "," JWK_A4 "," JWK_ED));
    if (ks == NULL) {
        return;
    }
    CHECK("jwks_mixed_count", jwtsso_keyset_count(ks) == 4);
    expect_user("jwks_mixed_rs256", ks, &pol, A2_TOKEN, RFC_NOW, JWTSSO_OK,
                "joe");
    expect_user("jwks_mixed_es256", ks, &pol, A3_TOKEN, RFC_NOW, JWTSSO_OK,
                "joe");
    expect("jwks_mixed_es512", ks, &pol, A4_TOKEN, RFC_NOW,
           JWTSSO_R_BAD_PAYLOAD);
    expect("jwks_mixed_eddsa", ks, &pol, ED_TOKEN, RFC_NOW,
           JWTSSO_R_BAD_PAYLOAD);
    jwtsso_keyset_free(ks);
}

/* Failures leave OpenSSL's per-thread error queue as they found it (in
 * httpd, mod_ssl reads that queue). */
static void test_err_queue(void)
{
    static const char bad_der[] =
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    jwtsso_policy_t pol = rfc_policy();
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    char *j;
    int ok = 1;

    ERR_clear_error();
    add_jwks(ks, SET(JWK_A2 "," JWK_A3 "," JWK_ED), 0, NULL, NULL);
    expect_free("err_queue_rs256_bad", ks, &pol, flip(A2_TOKEN, 2), RFC_NOW,
                JWTSSO_R_BAD_SIGNATURE);
    ok &= ERR_peek_error() == 0;
    expect_free("err_queue_es256_bad", ks, &pol, flip(A3_TOKEN, 2), RFC_NOW,
                JWTSSO_R_BAD_SIGNATURE);
    ok &= ERR_peek_error() == 0;
    expect_free("err_queue_eddsa_bad", ks, &pol, flip(ED_TOKEN, 2), RFC_NOW,
                JWTSSO_R_BAD_SIGNATURE);
    ok &= ERR_peek_error() == 0;
    j = off_curve_jwk();
    expect_key("err_queue_off_curve", add_jwks(ks, j, 0, NULL, NULL),
               JWTSSO_KEY_BAD_JWK);
    free(j);
    ok &= ERR_peek_error() == 0;
    expect_key("err_queue_not_pem",
               jwtsso_pkey_add(ks, NULL, bad_der, strlen(bad_der),
                               NULL), JWTSSO_KEY_NOT_PEM);
    ok &= ERR_peek_error() == 0;
    CHECK("openssl_error_queue_left_clean", ok);
    jwtsso_keyset_free(ks);
}

/* ---------------------------------------------------------------------
 * a large key set: a token without kid is tried against at most policy
 * max_kidless keys of its kind (default JWTSSO_MAX_KIDLESS), and refused
 * before any signature check when there are more (a forged ES256 token
 * without kid cost 100 verifications against a 100-key JWKS: CPU
 * amplification, found by attacking the module)
 */
#define MANY_KEYS 100

/* An ES256 token over header and payload by key (raw r || s), malloc'ed. */
static char *sign_es256(EVP_PKEY *key, const char *header,
                        const char *payload)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char der[80], raw[64];
    const unsigned char *p = der;
    size_t dlen = sizeof(der), n;
    ECDSA_SIG *esig = NULL;
    char *h = b64((const unsigned char *)header, strlen(header));
    char *b = b64((const unsigned char *)payload, strlen(payload));
    char *si = malloc(strlen(h) + strlen(b) + 2), *s = NULL, *tok = NULL;

    sprintf(si, "%s.%s", h, b);
    if (md != NULL
        && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1
        && EVP_DigestSign(md, der, &dlen, (const unsigned char *)si,
                          strlen(si)) == 1
        && (esig = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) != NULL
        && BN_bn2binpad(ECDSA_SIG_get0_r(esig), raw, 32) == 32
        && BN_bn2binpad(ECDSA_SIG_get0_s(esig), raw + 32, 32) == 32) {
        s = b64(raw, sizeof(raw));
        n = strlen(si) + strlen(s) + 2;
        tok = malloc(n);
        snprintf(tok, n, "%s.%s", si, s);
    }
    ECDSA_SIG_free(esig);
    EVP_MD_CTX_free(md);
    free(h);
    free(b);
    free(si);
    free(s);
    return tok;
}

/* Add key's public half to ks as PEM under kid (NULL: none). */
static int add_public(jwtsso_keyset_t *ks, EVP_PKEY *key, const char *kid)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem = NULL;
    long len;
    int ok = 0;

    if (bio != NULL && PEM_write_bio_PUBKEY(bio, key) == 1) {
        len = BIO_get_mem_data(bio, &pem);
        ok = jwtsso_pkey_add(ks, kid, pem, (size_t)len, NULL)
             == JWTSSO_KEY_OK;
    }
    BIO_free(bio);
    return ok;
}

static void test_many_keys(void)
{
    EVP_PKEY *key[MANY_KEYS];
    jwtsso_keyset_t *ks = jwtsso_keyset_new(), *few = jwtsso_keyset_new();
    jwtsso_policy_t pol = policy();
    long long now = (long long)time(NULL);
    char payload[128], kid[16], *good, *forged, *with_kid, *few_tok;
    jwtsso_alg_t alg = JWTSSO_ALG_UNKNOWN;
    int i, made = 1;

    for (i = 0; i < MANY_KEYS; i++) {
        key[i] = EVP_EC_gen("P-256");
        snprintf(kid, sizeof(kid), "ec-%02d", i);
        made &= key[i] != NULL && add_public(ks, key[i], kid);
        if (i < 4) {
            /* four keys without kid, as PEM files */
            made &= add_public(few, key[i], NULL);
        }
    }
    if (!CHECK("many_keys_made", made && jwtsso_keyset_count(ks) == MANY_KEYS
                                 && jwtsso_keyset_count(few) == 4)) {
        goto done;
    }
    CHECK("many_keys_kidless_counted",
          jwtsso_keyset_kidless(ks, &alg) == MANY_KEYS
          && alg == JWTSSO_ALG_ES256
          && jwtsso_keyset_kidless(few, NULL) == 4);
    snprintf(payload, sizeof(payload),
             "{\"sub\":\"alice\",\"iat\":%lld,\"exp\":%lld}", now, now + 600);
    good = sign_es256(key[MANY_KEYS - 1], "{\"alg\":\"ES256\"}", payload);
    /* a forgery: signed by a key of the set, then one bit flipped */
    forged = flip(good, 2);
    with_kid = sign_es256(key[57], "{\"alg\":\"ES256\",\"kid\":\"ec-57\"}",
                          payload);
    few_tok = sign_es256(key[3], "{\"alg\":\"ES256\"}", payload);

    expect("many_keys_forged_no_kid_kid_required", ks, &pol, forged, now,
           JWTSSO_R_KID_REQUIRED);
    expect("many_keys_good_no_kid_kid_required", ks, &pol, good, now,
           JWTSSO_R_KID_REQUIRED);
    expect_user("many_keys_with_kid_verified_by_its_key", ks, &pol,
                with_kid, now, JWTSSO_OK, "alice");
    expect_free("many_keys_with_kid_forged", ks, &pol, flip(with_kid, 2),
                now, JWTSSO_R_BAD_SIGNATURE);
    expect_free("many_keys_unknown_kid", ks, &pol,
                sign_es256(key[1], "{\"alg\":\"ES256\",\"kid\":\"ec-x\"}",
                           payload), now, JWTSSO_R_UNKNOWN_KID);
    /* with a bound above the set's size every key is tried again */
    pol.max_kidless = 200;
    expect("many_keys_max_kidless_200_forged_bad_signature", ks, &pol,
           forged, now, JWTSSO_R_BAD_SIGNATURE);
    expect("many_keys_max_kidless_200_good", ks, &pol, good, now,
           JWTSSO_OK);
    pol.max_kidless = 0;
    /* jsonwebtoken's tokens carry no kid: a small set still serves them */
    expect_user("four_keys_no_kid_verified", few, &pol, few_tok, now,
                JWTSSO_OK, "alice");
    expect_free("four_keys_no_kid_forged", few, &pol, flip(few_tok, 2), now,
                JWTSSO_R_BAD_SIGNATURE);
    free(good);
    free(forged);
    free(with_kid);
    free(few_tok);

done:
    for (i = 0; i < MANY_KEYS; i++) {
        EVP_PKEY_free(key[i]);
    }
    jwtsso_keyset_free(ks);
    jwtsso_keyset_free(few);
}

/* ---------------------------------------------------------------------
 * PEM keys and tokens made at test time (mkfixtures.sh, mkfixtures.js)
 */

/* A fixture's bytes (unit.h), from the fixture directory. */
static char *slurp(const char *file, size_t *len)
{
    return unit_slurp(fixdir, file, len);
}

/* A token file, without its newline. */
static char *token(const char *file)
{
    return unit_token(fixdir, file);
}

/* Add the PEM file to ks; check the result and was_private. */
static int add_pem(const char *name, jwtsso_keyset_t *ks, const char *kid,
                   const char *file, jwtsso_keyerr_t want, int want_private)
{
    size_t len = 0;
    char *pem = slurp(file, &len), n[160];
    int priv = -1, ok;
    jwtsso_keyerr_t got;

    got = pem != NULL ? jwtsso_pkey_add(ks, kid, pem, len, &priv)
                      : JWTSSO_KEY__COUNT;
    ok = expect_key(name, got, want);
    if (ok && want == JWTSSO_KEY_OK) {
        snprintf(n, sizeof(n), "%s_was_private_%d", name, want_private);
        ok = CHECK(n, priv == want_private);
    }
    free(pem);
    return ok;
}

/* Verify the token file with ks: want, and user alice on success. */
static void fix_tok(const char *name, const jwtsso_keyset_t *ks,
                    const char *file, jwtsso_reason_t want)
{
    jwtsso_policy_t pol = policy();
    char *tok = token(file);

    expect_user(name, ks, &pol, tok, (long long)time(NULL), want, "alice");
    free(tok);
}

static void fix_flips(const char *name, const jwtsso_keyset_t *ks,
                      const char *file)
{
    jwtsso_policy_t pol = policy();
    char *tok = token(file);

    if (tok != NULL) {
        flips(name, ks, &pol, tok, (long long)time(NULL));
    }
    free(tok);
}

static void test_pem_rsa(void)
{
    static const char *const algs[] = {
        "rs256", "rs384", "rs512", "ps256", "ps384", "ps512"
    };
    static const char *const files[] = {
        "rsa2048.key", "rsa2048.trad", "rsa2048.pkcs1", "rsa2048.crt"
    };
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    char name[160], file[64];
    size_t i;

    if (add_pem("pem_rsa2048_spki", ks, NULL, "rsa2048.pub",
                JWTSSO_KEY_OK, 0)) {
        CHECK("pem_rsa2048_algs", jwtsso_keyset_count(ks) == 1
                                  && jwtsso_keyset_algs(ks)
                                     == JWTSSO_ALGS_RSA);
        for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
            snprintf(name, sizeof(name), "pem_rsa2048_node_%s", algs[i]);
            snprintf(file, sizeof(file), "node_%s.jwt", algs[i]);
            fix_tok(name, ks, file, JWTSSO_OK);
            snprintf(name, sizeof(name), "node_%s", algs[i]);
            fix_flips(name, ks, file);
        }
        fix_tok("pem_rsa2048_not_es256", ks, "node_es256.jwt",
                JWTSSO_R_ALG_NOT_ALLOWED);
        fix_tok("pem_rsa2048_not_hs256", ks, "node_hs256.jwt",
                JWTSSO_R_ALG_NOT_ALLOWED);
    }
    jwtsso_keyset_free(ks);

    /* the same key as a private key (PKCS#8, traditional), PKCS#1 public
     * key and certificate */
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        ks = jwtsso_keyset_new();
        snprintf(name, sizeof(name), "pem_%s", files[i]);
        if (add_pem(name, ks, NULL, files[i], JWTSSO_KEY_OK, i < 2)) {
            snprintf(name, sizeof(name), "pem_%s_node_rs256", files[i]);
            fix_tok(name, ks, "node_rs256.jwt", JWTSSO_OK);
            snprintf(name, sizeof(name), "pem_%s_node_ps512", files[i]);
            fix_tok(name, ks, "node_ps512.jwt", JWTSSO_OK);
        }
        jwtsso_keyset_free(ks);
    }
}

static void test_pem_ec_okp(void)
{
    static const struct {
        const char *pub, *key, *tok, *other;
        jwtsso_alg_t alg;
    } v[] = {
        { "ec256.pub", "ec256.key", "node_es256.jwt", "node_es384.jwt",
          JWTSSO_ALG_ES256 },
        { "ec384.pub", "ec384.key", "node_es384.jwt", "node_es512.jwt",
          JWTSSO_ALG_ES384 },
        { "ec521.pub", "ec521.key", "node_es512.jwt", "node_es256.jwt",
          JWTSSO_ALG_ES512 },
        { "ed25519.pub", "ed25519.key", "node_eddsa.jwt", "node_es256.jwt",
          JWTSSO_ALG_EDDSA },
    };
    jwtsso_keyset_t *ks;
    char name[160];
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        ks = jwtsso_keyset_new();
        snprintf(name, sizeof(name), "pem_%s", v[i].pub);
        if (add_pem(name, ks, NULL, v[i].pub, JWTSSO_KEY_OK, 0)) {
            snprintf(name, sizeof(name), "pem_%s_algs", v[i].pub);
            CHECK(name, jwtsso_keyset_algs(ks) == JWTSSO_ALGBIT(v[i].alg));
            snprintf(name, sizeof(name), "pem_%s_%s", v[i].pub, v[i].tok);
            fix_tok(name, ks, v[i].tok, JWTSSO_OK);
            fix_flips(v[i].tok, ks, v[i].tok);
            snprintf(name, sizeof(name), "pem_%s_not_%s", v[i].pub,
                     v[i].other);
            fix_tok(name, ks, v[i].other, JWTSSO_R_ALG_NOT_ALLOWED);
        }
        jwtsso_keyset_free(ks);
        ks = jwtsso_keyset_new();
        snprintf(name, sizeof(name), "pem_%s", v[i].key);
        if (add_pem(name, ks, NULL, v[i].key, JWTSSO_KEY_OK, 1)) {
            snprintf(name, sizeof(name), "pem_%s_%s", v[i].key, v[i].tok);
            fix_tok(name, ks, v[i].tok, JWTSSO_OK);
        }
        jwtsso_keyset_free(ks);
    }

    ks = jwtsso_keyset_new();
    add_pem("pem_ec_parameters_then_key", ks, NULL, "ecparam.key",
            JWTSSO_KEY_OK, 1);
    jwtsso_keyset_free(ks);

    /* ES256 signed in DER (OpenSSL's and Java's native form) */
    ks = jwtsso_keyset_new();
    if (add_pem("pem_ec256_for_der", ks, NULL, "ec256.pub", JWTSSO_KEY_OK,
                0)) {
        fix_tok("es256_der_signature_node", ks, "node_es256_der.jwt",
                JWTSSO_R_BAD_SIGNATURE);
    }
    jwtsso_keyset_free(ks);
}

static void test_pem_refused(void)
{
    static const struct {
        const char *file;
        jwtsso_keyerr_t want;
    } v[] = {
        { "rsa1024.pub", JWTSSO_KEY_RSA_TOO_SMALL },
        { "rsa1024.key", JWTSSO_KEY_RSA_TOO_SMALL },
        { "secp256k1.pub", JWTSSO_KEY_BAD_CURVE },
        { "explicit.pub", JWTSSO_KEY_BAD_CURVE },     /* P-256's, spelt out */
        { "explicit.key", JWTSSO_KEY_BAD_CURVE },
        { "ed448.pub", JWTSSO_KEY_BAD_CURVE },
        { "x25519.pub", JWTSSO_KEY_UNSUPPORTED },
        { "rsapss.pub", JWTSSO_KEY_UNSUPPORTED },
        { "encrypted.key", JWTSSO_KEY_UNSUPPORTED },
        { "garbage.pem", JWTSSO_KEY_NOT_PEM },
        { "badder.pem", JWTSSO_KEY_NOT_PEM },
        { "jwks.json", JWTSSO_KEY_NOT_PEM },
    };
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    char name[160];
    size_t i;
    int priv = -1;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        snprintf(name, sizeof(name), "pem_refused_%s", v[i].file);
        add_pem(name, ks, NULL, v[i].file, v[i].want, 0);
    }
    CHECK("pem_refused_nothing_added", jwtsso_keyset_count(ks) == 0
                                       && jwtsso_keyset_algs(ks) == 0);
    expect_key("pem_empty", jwtsso_pkey_add(ks, NULL, "", 0, &priv),
         JWTSSO_KEY_NOT_PEM);
    expect_key("pem_null_keyset",
               jwtsso_pkey_add(NULL, NULL, "x", 1, NULL),
               JWTSSO_KEY_INTERNAL);
    jwtsso_keyset_free(ks);

}

static void test_pem_kids(void)
{
    jwtsso_keyset_t *ks = jwtsso_keyset_new();

    add_pem("pem_kid_a", ks, "a", "rsa2048.pub", JWTSSO_KEY_OK, 0);
    add_pem("pem_kid_a_again", ks, "a", "ec256.pub",
            JWTSSO_KEY_DUPLICATE_KID, 0);
    CHECK("hmac_kid_a_again",
          jwtsso_keyset_add_hmac(ks, "a", (const unsigned char *)SECRET,
                                 strlen(SECRET)) == -1);
    CHECK("hmac_kid_b",
          jwtsso_keyset_add_hmac(ks, "b", (const unsigned char *)SECRET,
                                 strlen(SECRET)) == 0);
    add_pem("pem_kid_b_again", ks, "b", "ec256.pub",
            JWTSSO_KEY_DUPLICATE_KID, 0);
    add_pem("pem_no_kid_twice_1", ks, NULL, "ec256.pub", JWTSSO_KEY_OK, 0);
    add_pem("pem_no_kid_twice_2", ks, NULL, "ec384.pub", JWTSSO_KEY_OK, 0);
    CHECK("pem_kids_count", jwtsso_keyset_count(ks) == 4);
    jwtsso_keyset_free(ks);
}

/* HS/RS confusion (CVE-2016-10555, CVE-2015-9235): an HS256 token MACed
 * with the public key's PEM text. */
static void test_pem_confusion(void)
{
    static const char *const pems[] = { "rsa2048.pub", "ec256.pub" };
    jwtsso_policy_t pol = policy();
    jwtsso_keyset_t *ks;
    long long now = (long long)time(NULL);
    char payload[128], name[160], *pem, *tok;
    size_t i, len;

    snprintf(payload, sizeof(payload),
             "{\"sub\":\"alice\",\"iat\":%lld,\"exp\":%lld}", now,
             now + 600);
    for (i = 0; i < sizeof(pems) / sizeof(pems[0]); i++) {
        ks = jwtsso_keyset_new();
        pem = slurp(pems[i], &len);
        if (pem == NULL
            || !add_pem("pem_for_confusion", ks, NULL, pems[i],
                        JWTSSO_KEY_OK, 0)) {
            free(pem);
            jwtsso_keyset_free(ks);
            continue;
        }
        tok = sign_hs256(pem, len, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                         payload);
        pol.algs = 0;
        snprintf(name, sizeof(name), "hs_rs_confusion_%s", pems[i]);
        expect(name, ks, &pol, tok, now, JWTSSO_R_ALG_NOT_ALLOWED);
        pol.algs = JWTSSO_ALGS_HMAC | JWTSSO_ALGS_RSA
                   | JWTSSO_ALGBIT(JWTSSO_ALG_ES256);
        snprintf(name, sizeof(name), "hs_rs_confusion_%s_allowed", pems[i]);
        expect(name, ks, &pol, tok, now, JWTSSO_R_NO_KEY);
        jwtsso_keyset_add_hmac(ks, NULL, (const unsigned char *)SECRET,
                               strlen(SECRET));
        pol.algs = 0;
        snprintf(name, sizeof(name), "hs_rs_confusion_%s_with_secret",
                 pems[i]);
        expect(name, ks, &pol, tok, now, JWTSSO_R_BAD_SIGNATURE);
        free(tok);
        /* also the text without its final newline */
        tok = sign_hs256(pem, len - 1, "{\"alg\":\"HS256\"}", payload);
        snprintf(name, sizeof(name), "hs_rs_confusion_%s_trimmed", pems[i]);
        expect(name, ks, &pol, tok, now, JWTSSO_R_BAD_SIGNATURE);
        free(tok);
        free(pem);
        jwtsso_keyset_free(ks);
    }
}

/* The JWK Set mkfixtures.js exported from the PEM keys: kids select. */
static void test_node_jwks(void)
{
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    size_t len = 0, added = 0, bad = 0;
    char *json = slurp("jwks.json", &len);

    if (json == NULL
        || !expect_key("node_jwks", jwtsso_jwks_add(ks, json, len, 0,
                                                    &added, &bad),
                JWTSSO_KEY_OK)) {
        free(json);
        jwtsso_keyset_free(ks);
        return;
    }
    CHECK("node_jwks_three_keys",
          added == 3 && jwtsso_keyset_count(ks) == 3
          && jwtsso_keyset_algs(ks)
             == (JWTSSO_ALGS_RSA | JWTSSO_ALGBIT(JWTSSO_ALG_ES256)
                 | JWTSSO_ALGBIT(JWTSSO_ALG_EDDSA)));
    fix_tok("node_jwks_kid_rs256", ks, "node_kid_rs256.jwt", JWTSSO_OK);
    fix_tok("node_jwks_kid_es256", ks, "node_kid_es256.jwt", JWTSSO_OK);
    fix_tok("node_jwks_kid_eddsa", ks, "node_kid_eddsa.jwt", JWTSSO_OK);
    fix_flips("node_jwks_kid_es256", ks, "node_kid_es256.jwt");
    /* an ES256 token naming the RSA key's kid: that key is not tried */
    fix_tok("node_jwks_kid_of_other_family", ks,
            "node_kid_other_family.jwt", JWTSSO_R_UNKNOWN_KID);
    /* no kid in the token, and every key has one: the keys of its kind
     * are tried (jsonwebtoken and PyJWT set no kid by default) */
    fix_tok("node_jwks_token_without_kid", ks, "node_es256.jwt",
            JWTSSO_OK);
    expect_key("node_jwks_again_duplicate_kid",
               jwtsso_jwks_add(ks, json, len, 0, &added, &bad),
               JWTSSO_KEY_DUPLICATE_KID);
    CHECK("node_jwks_again_nothing_added",
          added == 0 && bad == 0 && jwtsso_keyset_count(ks) == 3);
    free(json);
    jwtsso_keyset_free(ks);
}

/* Every family in one set of kid-less PEM keys: each alg finds its key. */
static void test_pem_mixed(void)
{
    static const char *const toks[] = {
        "node_rs256.jwt", "node_ps384.jwt", "node_es256.jwt",
        "node_es384.jwt", "node_es512.jwt", "node_eddsa.jwt",
        "node_hs256.jwt"
    };
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    char name[160];
    size_t i;

    add_pem("pem_mixed_rsa", ks, NULL, "rsa2048.crt", JWTSSO_KEY_OK, 0);
    add_pem("pem_mixed_ec256", ks, NULL, "ec256.pub", JWTSSO_KEY_OK, 0);
    add_pem("pem_mixed_ec384", ks, NULL, "ec384.key", JWTSSO_KEY_OK, 1);
    add_pem("pem_mixed_ec521", ks, NULL, "ec521.pub", JWTSSO_KEY_OK, 0);
    add_pem("pem_mixed_ed25519", ks, NULL, "ed25519.pub", JWTSSO_KEY_OK, 0);
    jwtsso_keyset_add_hmac(ks, NULL, (const unsigned char *)SECRET,
                           strlen(SECRET));
    for (i = 0; i < sizeof(toks) / sizeof(toks[0]); i++) {
        snprintf(name, sizeof(name), "pem_mixed_%s", toks[i]);
        fix_tok(name, ks, toks[i], JWTSSO_OK);
    }
    jwtsso_keyset_free(ks);
}

/* jwtsso_jwks_add_ex says where a set is wrong: Jansson's line and
 * column for text that is not JSON, the key's index and member for a
 * key, nothing for a good set. */
static void where_is(const char *name, const char *json, const char *want,
                     size_t index)
{
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    jwtsso_jwks_err_t err;
    jwtsso_keyerr_t ke;

    ke = jwtsso_jwks_add_ex(ks, json, strlen(json), 0, NULL, &err);
    if (!CHECK(name, ke != JWTSSO_KEY_OK && strstr(err.where, want) != NULL
                     && err.index == index)) {
        NOTE("got %s, index %ld, where '%s'; want '%s', index %ld",
             jwtsso_reason_keyerr(ke), (long)err.index, err.where, want,
             (long)index);
    }
    jwtsso_keyset_free(ks);
}

static void test_jwks_where(void)
{
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    jwtsso_jwks_err_t err;
    size_t added = 0;
    const char *good = "{\"keys\":[" JWK_A2 "]}";
    jwtsso_keyerr_t ke_where;

    where_is("where_not_json", "{\"keys\": [\n  this is not JSON\n",
             "line 2, column 6: ", (size_t)-1);
    where_is("where_duplicate", "{\"keys\": [],\n \"keys\": []}",
             "line 2, column ", (size_t)-1);
    {
        /* a secret file given as a JWKS by mistake: where it fails, never
         * what it holds (Jansson's own text quotes it) */
        jwtsso_keyset_t *sk = jwtsso_keyset_new();
        const char *secret = "s3cret-MATERIAL-0123456789-abcdef\n";

        ke_where = jwtsso_jwks_add_ex(sk, secret, strlen(secret), 0, NULL,
                                      &err);
        if (!CHECK("where_never_quotes_the_text", ke_where != JWTSSO_KEY_OK
                   && strstr(err.where, "line 1, column ") != NULL
                   && strstr(err.where, "s3cret") == NULL
                   && strstr(err.where, "MATERIAL") == NULL)) {
            NOTE("where '%s'", err.where);
        }
        jwtsso_keyset_free(sk);
    }
    where_is("where_not_object", "[1, 2]", "not a JSON object", (size_t)-1);
    where_is("where_no_keys", "{\"key\": []}", "member \"keys\" is missing",
             (size_t)-1);
    where_is("where_keys_not_array", "{\"keys\": {}}",
             "member \"keys\" is not an array", (size_t)-1);
    where_is("where_key_not_object", "{\"keys\": [" JWK_A2 ", 7]}",
             "key 1: not a JSON object", 1);
    where_is("where_no_n", "{\"keys\": [{\"kty\":\"RSA\",\"e\":\"AQAB\"}]}",
             "key 0: member \"n\" is missing", 0);
    where_is("where_n_not_b64", "{\"keys\": [" JWK_A2 ", {\"kty\":\"RSA\","
             "\"n\":\"not base64url!\",\"e\":\"AQAB\"}]}",
             "key 1: member \"n\" is not strict base64url", 1);
    where_is("where_kid_number", "{\"keys\": [{\"kty\":\"RSA\",\"kid\":7,"
             "\"n\":\"" A2_N "\",\"e\":\"AQAB\"}]}",
             "key 0: member \"kid\" is not a string", 0);
    where_is("where_crv", "{\"keys\": [{\"kty\":\"EC\",\"crv\":\"P-192\","
             "\"x\":\"AA\",\"y\":\"AA\"}]}", "key 0: member \"crv\"", 0);
    where_is("where_alg", "{\"keys\": [{\"kty\":\"RSA\",\"alg\":\"HS256\","
             "\"n\":\"" A2_N "\",\"e\":\"AQAB\"}]}",
             "key 0: member \"alg\"", 0);
    where_is("where_even_e", "{\"keys\": [{\"kty\":\"RSA\",\"n\":\"" A2_N
             "\",\"e\":\"AQAC\"}]}",
             "key 0: member \"e\" must be an odd number", 0);
    where_is("where_short_oct",
             "{\"keys\": [{\"kty\":\"oct\",\"k\":\"AAAA\"}]}",
             "key 0: member \"k\" is empty or shorter than 32", 0);
    CHECK("where_good_set",
          jwtsso_jwks_add_ex(ks, good, strlen(good), 0, &added, &err)
          == JWTSSO_KEY_OK && added == 1 && err.where[0] == '\0'
          && err.index == (size_t)-1);
    jwtsso_keyset_free(ks);
}

int main(int argc, char **argv)
{
    int e, all = 1;

    test_keyerr_texts();
    test_rfc7515_a2();
    test_rfc7515_a3();
    test_rfc7515_a4();
    test_rfc8037_a4();
    test_rfc7520();
    test_jwks_shapes();
    test_jwks_binding();
    test_jwks_mixed();
    test_err_queue();
    test_many_keys();
    test_jwks_where();
    fixdir = unit_fixtures(argc, argv, "PEM keys and tokens of jsonwebtoken");
    if (fixdir != NULL) {
        test_pem_rsa();
        test_pem_ec_okp();
        test_pem_refused();
        test_pem_kids();
        test_pem_confusion();
        test_node_jwks();
        test_pem_mixed();
        for (e = 0; e < JWTSSO_KEY__COUNT; e++) {
            if (!kseen[e]) {
                NOTE("no test expects key error %d (%s)", e,
                     jwtsso_reason_keyerr((jwtsso_keyerr_t)e));
                all = 0;
            }
        }
        CHECK("every_keyerr_tested", all);
    }
    return unit_done();
}
