/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * test_core.c - unit tests of the token core (src/core), linking only it.
 *
 * Usage: test_core [FIXTURE_DIR] (default $UNIT_FIXTURES, which `make
 * check` sets). With fixtures (made by mkfixtures.sh with mkfixtures.js
 * and mkfixtures.py), tokens from jsonwebtoken (node) and PyJWT are
 * verified too; without, the rest runs and the program reports SKIP (77).
 * RFC vectors are named by appendix.
 */
#define _POSIX_C_SOURCE 200809L    /* strdup */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "jwtsso.h"
#include "internal.h"
#include "unit.h"

/* Shared with mkfixtures.js and mkfixtures.py. */
#define SECRET "jwtsso-unit-test-secret-0123456789abcdef"
#define OTHER_SECRET "another-secret-of-enough-length-0123456789"
#define NOW 1700000000LL

static jwtsso_keyset_t *keys;       /* one kid-less key: SECRET */
static int seen[JWTSSO_R__COUNT];   /* reasons some test expected */

static jwtsso_policy_t policy(void)
{
    jwtsso_policy_t p;

    memset(&p, 0, sizeof(p));
    p.max_age = 60;
    p.skew = 5;
    return p;
}

static char *sign_with(jwtsso_alg_t alg, const char *secret,
                       const char *header, const char *payload)
{
    return jwtsso_jws_sign_hmac(alg, (const unsigned char *)secret,
                                strlen(secret), header, payload);
}

static char *sign(const char *header, const char *payload)
{
    return sign_with(JWTSSO_ALG_HS256, SECRET, header, payload);
}

/* Verify tok with ks and pol at now; check the reason; free tok. */
static int expect_ks(const char *name, const jwtsso_keyset_t *ks,
                     const jwtsso_policy_t *pol, char *tok, long long now,
                     jwtsso_reason_t want)
{
    jwtsso_result_t res;
    jwtsso_reason_t got;
    int ok;

    memset(&res, 0, sizeof(res));
    if (tok == NULL) {
        NOTE("%s: no token", name);
        return CHECK(name, 0);
    }
    got = jwtsso_jws_verify(ks, pol, tok, strlen(tok), now, &res);
    ok = CHECK(name, got == want && (got != JWTSSO_OK) == (res.user == NULL)
                     && (got != JWTSSO_OK) == (res.payload == NULL));
    if (!ok) {
        NOTE("got %s, want %s", jwtsso_reason_name(got),
             jwtsso_reason_name(want));
    }
    if ((unsigned)want < JWTSSO_R__COUNT) {
        seen[want] = 1;
    }
    jwtsso_jws_result_clear(&res);
    free(tok);
    return ok;
}

static int expect(const char *name, const jwtsso_policy_t *pol, char *tok,
                  jwtsso_reason_t want)
{
    return expect_ks(name, keys, pol, tok, NOW, want);
}

static char *fmt(const char *f, long long a, long long b)
{
    char *s = malloc(512);

    snprintf(s, 512, f, a, b);
    return s;
}

/* sign(header, payload made from fmt with NOW-relative times) */
static char *signf(const char *header, const char *f, long long a,
                   long long b)
{
    char *p = fmt(f, a, b), *t = sign(header, p);

    free(p);
    return t;
}

#define H256 "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* ---------------------------------------------------------------------
 * reasons
 */
static void test_reasons(void)
{
    int r, q, named = 1, distinct = 1;

    for (r = 0; r < JWTSSO_R__COUNT; r++) {
        if (strcmp(jwtsso_reason_name((jwtsso_reason_t)r), "unknown") == 0
            || strlen(jwtsso_reason_text((jwtsso_reason_t)r)) < 10) {
            NOTE("reason %d has no name or text", r);
            named = 0;
        }
        for (q = 0; q < r; q++) {
            if (strcmp(jwtsso_reason_name((jwtsso_reason_t)r),
                       jwtsso_reason_name((jwtsso_reason_t)q)) == 0) {
                distinct = 0;
            }
        }
    }
    CHECK("reason_names_and_texts", named);
    CHECK("reason_names_distinct", distinct);
    CHECK("reason_name_examples",
          strcmp(jwtsso_reason_name(JWTSSO_R_EXPIRED), "expired") == 0
          && strcmp(jwtsso_reason_name(JWTSSO_R_BAD_SIGNATURE),
                    "bad_signature") == 0
          && strcmp(jwtsso_reason_name(JWTSSO_R_ALG_NONE), "alg_none") == 0
          && strstr(jwtsso_reason_text(JWTSSO_R_NO_IAT),
                    "set JWTSSOMaxAge off to accept exp-only tokens")
             != NULL);
    CHECK("reason_out_of_range",
          strcmp(jwtsso_reason_name(JWTSSO_R__COUNT), "unknown") == 0
          && jwtsso_reason_text((jwtsso_reason_t)-1) != NULL);
}

/* ---------------------------------------------------------------------
 * base64url
 */
static int dec_ok(const char *in, const char *want, size_t wlen)
{
    unsigned char out[64];
    size_t len = 99;

    return jwtsso_b64url_decode(in, strlen(in), out, &len) == 0
           && len == wlen && memcmp(out, want, wlen) == 0
           && jwtsso_b64url_decoded_max(strlen(in)) >= len;
}

static int dec_bad(const char *in, size_t len)
{
    unsigned char out[64];
    size_t olen;

    return jwtsso_b64url_decode(in, len, out, &olen) == -1;
}

static int enc_is(const char *in, size_t len, const char *want)
{
    char out[64];
    size_t n = jwtsso_b64url_encode((const unsigned char *)in, len, out);

    return n == strlen(want) && strcmp(out, want) == 0
           && jwtsso_b64url_encoded_len(len) == n;
}

static void test_b64url(void)
{
    unsigned char in[200], out[200];
    char text[300];
    size_t i, n, len, olen;
    int ok = 1;

    /* RFC 4648 §10 vectors, without padding */
    CHECK("b64url_rfc4648_encode",
          enc_is("", 0, "") && enc_is("f", 1, "Zg") && enc_is("fo", 2, "Zm8")
          && enc_is("foo", 3, "Zm9v") && enc_is("foob", 4, "Zm9vYg")
          && enc_is("fooba", 5, "Zm9vYmE")
          && enc_is("foobar", 6, "Zm9vYmFy"));
    CHECK("b64url_rfc4648_decode",
          dec_ok("", "", 0) && dec_ok("Zg", "f", 1) && dec_ok("Zm8", "fo", 2)
          && dec_ok("Zm9v", "foo", 3) && dec_ok("Zm9vYg", "foob", 4)
          && dec_ok("Zm9vYmE", "fooba", 5)
          && dec_ok("Zm9vYmFy", "foobar", 6));
    CHECK("b64url_url_alphabet",
          enc_is("\xfb\xff", 2, "-_8") && dec_ok("-_8", "\xfb\xff", 2)
          && enc_is("\xff\xff\xff", 3, "____"));
    for (len = 0; len <= sizeof(in) && ok; len++) {
        for (i = 0; i < len; i++) {
            in[i] = (unsigned char)(i * 37 + len * 11);
        }
        n = jwtsso_b64url_encode(in, len, text);
        ok = n == jwtsso_b64url_encoded_len(len) && text[n] == '\0'
             && jwtsso_b64url_decoded_max(n) == len
             && jwtsso_b64url_decode(text, n, out, &olen) == 0
             && olen == len && memcmp(in, out, len) == 0;
    }
    CHECK("b64url_roundtrip_0_200", ok);

    CHECK("b64url_reject_padding", dec_bad("Zg==", 4) && dec_bad("Zm8=", 4)
                                   && dec_bad("Zg=", 3));
    CHECK("b64url_reject_whitespace",
          dec_bad("Zm9v YmFy", 9) && dec_bad("Zm9v\nYmFy", 9)
          && dec_bad(" Zm9v", 5) && dec_bad("Zm9v\t", 5));
    CHECK("b64url_reject_std_alphabet",
          dec_bad("+_8", 3) && dec_bad("-/8", 3));
    CHECK("b64url_reject_len_1_mod_4",
          dec_bad("Z", 1) && dec_bad("Zm9vY", 5));
    CHECK("b64url_reject_trailing_bits",
          dec_bad("Zh", 2) && dec_bad("Zm9", 3) && dec_bad("-_9", 3)
          && dec_ok("Zm8", "fo", 2));
    CHECK("b64url_reject_nul_and_high",
          dec_bad("Zm\0v", 4) && dec_bad("Zm\xc3v", 4) && dec_bad(".m9v", 4));
}

/* ---------------------------------------------------------------------
 * RFC 7515 Appendix A.1: HS256
 */
#define A1_TOKEN \
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" \
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt" \
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ" \
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define A1_K \
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4h" \
    "cgUuTwjAzZr1Z9CAow"
#define A1_HEADER "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"
#define A1_PAYLOAD "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n " \
    "\"http://example.com/is_root\":true}"

/* RFC 4231 test cases 1 and 6 (a key longer than the block is hashed
 * first): the midstate HMAC of hmac.c against the published values, with
 * the message split across chunks as the record MAC does. */
static void hexof(const unsigned char *b, size_t n, char *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        sprintf(out + 2 * i, "%02x", b[i]);
    }
}

static void test_rfc4231(void)
{
    static const struct {
        const char *name, *digest;
        int tc;
        const char *hex;
    } v[] = {
        { "rfc4231_tc1_sha256", "SHA256", 1, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
        { "rfc4231_tc1_sha384", "SHA384", 1, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6" },
        { "rfc4231_tc1_sha512", "SHA512", 1, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
        { "rfc4231_tc6_sha256", "SHA256", 6, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
        { "rfc4231_tc6_sha384", "SHA384", 6, "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952" },
        { "rfc4231_tc6_sha512", "SHA512", 6, "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
    };
    static const char m1[] = "Hi There";
    static const char m6[] =
        "Test Using Larger Than Block-Size Key - Hash Key First";
    unsigned char key[131], mac[64];
    char hex[129];
    size_t i, n;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        const char *msg = v[i].tc == 1 ? m1 : m6;
        size_t klen = v[i].tc == 1 ? 20 : 131, mlen = strlen(msg);
        jwtsso_chunk_t c[2];
        jwtsso_hmac_t *h;

        memset(key, v[i].tc == 1 ? 0x0b : 0xaa, klen);
        h = jwtsso_hmac_new(v[i].digest, key, klen);
        c[0].p = msg;
        c[0].len = 3;
        c[1].p = msg + 3;
        c[1].len = mlen - 3;
        n = h != NULL ? jwtsso_hmac_run(h, c, 2, mac) : 0;
        hexof(mac, n, hex);
        CHECK(v[i].name, n == strlen(v[i].hex) / 2
              && memcmp(hex, v[i].hex, 2 * n) == 0);
        jwtsso_hmac_free(h);
    }
    CHECK("hmac_unknown_digest", jwtsso_hmac_new("MD5", key, 16) == NULL);
}

static void test_rfc7515_a1(void)
{
    unsigned char k[64];
    size_t klen;
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    jwtsso_policy_t pol = policy();
    jwtsso_result_t res;
    jwtsso_reason_t r;
    char *tok;

    memset(&res, 0, sizeof(res));
    pol.user_claim = "iss";
    pol.max_age = -1;
    pol.skew = 0;
    if (!CHECK("rfc7515_a1_key",
               jwtsso_b64url_decode(A1_K, strlen(A1_K), k, &klen) == 0
               && klen == 64
               && jwtsso_keyset_add_hmac(ks, NULL, k, klen) == 0
               && jwtsso_keyset_algs(ks) == JWTSSO_ALGS_HMAC)) {
        jwtsso_keyset_free(ks);
        return;
    }
    r = jwtsso_jws_verify(ks, &pol, A1_TOKEN, strlen(A1_TOKEN), 1300819370,
                          &res);
    CHECK("rfc7515_a1_hs256",
          r == JWTSSO_OK && res.alg == JWTSSO_ALG_HS256
          && res.user != NULL && strcmp(res.user, "joe") == 0
          && res.has_exp && res.exp == 1300819380 && !res.has_iat
          && res.kid[0] == '\0'
          && strstr(res.payload, "\"http://example.com/is_root\":true") != NULL);
    jwtsso_jws_result_clear(&res);
    CHECK("rfc7515_a1_hs256_cleared", res.user == NULL && res.payload == NULL
                                      && res.alg == JWTSSO_ALG_UNKNOWN);

    r = jwtsso_jws_verify(ks, &pol, A1_TOKEN, strlen(A1_TOKEN), 1300819390,
                          &res);
    CHECK("rfc7515_a1_hs256_expired",
          r == JWTSSO_R_EXPIRED && res.user == NULL && res.payload == NULL
          && res.has_exp && res.exp == 1300819380
          && res.alg == JWTSSO_ALG_HS256
          && res.claim != NULL && strcmp(res.claim, "exp") == 0);
    jwtsso_jws_result_clear(&res);

    /* signing the same bytes with the same key gives the same token */
    tok = jwtsso_jws_sign_hmac(JWTSSO_ALG_HS256, k, klen, A1_HEADER,
                               A1_PAYLOAD);
    CHECK("rfc7515_a1_hs256_sign", tok != NULL && strcmp(tok, A1_TOKEN) == 0);
    free(tok);
    jwtsso_keyset_free(ks);
}

/* ---------------------------------------------------------------------
 * one test per reason
 */
#define GOOD "{\"sub\":\"alice\",\"iat\":%lld,\"exp\":%lld}"

static void test_shape(void)
{
    jwtsso_policy_t pol = policy();
    char *tok, *big;
    size_t len;

    expect("ok_hs256", &pol, signf(H256, GOOD, NOW, NOW + 600), JWTSSO_OK);

    /* the size cap, checked before anything else */
    tok = signf(H256, GOOD, NOW, NOW + 600);
    len = strlen(tok);
    pol.max_size = len;
    expect("size_cap_exact_ok", &pol, tok, JWTSSO_OK);
    pol.max_size = len - 1;
    expect("reason_too_large", &pol, signf(H256, GOOD, NOW, NOW + 600),
           JWTSSO_R_TOO_LARGE);
    pol.max_size = 0;
    big = malloc(8194);
    memset(big, '!', 8193);
    big[8193] = '\0';
    expect("too_large_default_8192_first", &pol, big, JWTSSO_R_TOO_LARGE);

    expect("reason_malformed_two_parts", &pol, strdup("eyJh.eyJi"),
           JWTSSO_R_MALFORMED);
    expect("malformed_four_parts", &pol, strdup("eyJh.eyJi.c2ln.c2ln"),
           JWTSSO_R_MALFORMED);
    expect("malformed_empty_header", &pol, strdup(".eyJi.c2ln"),
           JWTSSO_R_MALFORMED);
    expect("malformed_empty_payload", &pol, strdup("eyJh..c2ln"),
           JWTSSO_R_MALFORMED);
    /* {"alg":"HS256"}.{"sub":"a"}. : an HMAC token without signature */
    expect("malformed_empty_signature", &pol,
           strdup("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0."),
           JWTSSO_R_MALFORMED);
    /* {"alg":"none"}.{"sub":"a"}. : the classic unsecured JWS is named
     * for what it is in the log */
    expect("alg_none_empty_signature", &pol,
           strdup("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."),
           JWTSSO_R_ALG_NONE);
    expect("malformed_empty_token", &pol, strdup(""), JWTSSO_R_MALFORMED);
    expect("malformed_no_dot", &pol, strdup("abc"), JWTSSO_R_MALFORMED);

    tok = signf(H256, GOOD, NOW, NOW + 600);
    big = malloc(strlen(tok) + 2);
    sprintf(big, "%s=", tok);
    free(tok);
    expect("reason_bad_base64_padding", &pol, big, JWTSSO_R_BAD_BASE64);
    expect("bad_base64_space", &pol, strdup("eyJh bGc.eyJi.c2ln"),
           JWTSSO_R_BAD_BASE64);
    expect("bad_base64_plus", &pol, strdup("eyJh.ey+i.c2ln"),
           JWTSSO_R_BAD_BASE64);
    expect("bad_base64_len_1_mod_4", &pol, strdup("eyJhb.eyJi.c2ln"),
           JWTSSO_R_BAD_BASE64);
    expect("bad_base64_trailing_bits", &pol, strdup("eyJh.eyJi.c2l"),
           JWTSSO_R_BAD_BASE64);
}

static void test_header(void)
{
    jwtsso_policy_t pol = policy();
    jwtsso_keyset_t *ks;
    jwtsso_result_t res;
    char *tok, kid[200];

    expect("reason_bad_header_array", &pol,
           signf("[\"HS256\"]", GOOD, NOW, NOW + 600), JWTSSO_R_BAD_HEADER);
    expect("bad_header_no_alg", &pol, signf("{\"typ\":\"JWT\"}", GOOD, NOW,
                                            NOW + 600), JWTSSO_R_BAD_HEADER);
    expect("bad_header_alg_number", &pol, signf("{\"alg\":256}", GOOD, NOW,
                                                NOW + 600),
           JWTSSO_R_BAD_HEADER);
    expect("bad_header_not_json", &pol, signf("{alg:HS256}", GOOD, NOW,
                                              NOW + 600),
           JWTSSO_R_BAD_HEADER);
    expect("bad_header_trailing_data", &pol,
           signf("{\"alg\":\"HS256\"}x", GOOD, NOW, NOW + 600),
           JWTSSO_R_BAD_HEADER);
    expect("bad_header_kid_number", &pol,
           signf("{\"alg\":\"HS256\",\"kid\":5}", GOOD, NOW, NOW + 600),
           JWTSSO_R_BAD_HEADER);
    expect("reason_duplicate_member_header", &pol,
           signf("{\"alg\":\"HS256\",\"alg\":\"HS256\"}", GOOD, NOW,
                 NOW + 600), JWTSSO_R_DUPLICATE_MEMBER);
    expect("reason_alg_none", &pol, signf("{\"alg\":\"none\"}", GOOD, NOW,
                                          NOW + 600), JWTSSO_R_ALG_NONE);
    expect("alg_none_any_case", &pol, signf("{\"alg\":\"nOnE\"}", GOOD, NOW,
                                            NOW + 600), JWTSSO_R_ALG_NONE);
    expect("reason_alg_unknown", &pol, signf("{\"alg\":\"HS257\"}", GOOD,
                                             NOW, NOW + 600),
           JWTSSO_R_ALG_UNKNOWN);
    expect("alg_case_sensitive", &pol, signf("{\"alg\":\"hs256\"}", GOOD,
                                             NOW, NOW + 600),
           JWTSSO_R_ALG_UNKNOWN);
    expect("reason_alg_not_allowed_rs256", &pol,
           signf("{\"alg\":\"RS256\"}", GOOD, NOW, NOW + 600),
           JWTSSO_R_ALG_NOT_ALLOWED);
    pol.algs = JWTSSO_ALGBIT(JWTSSO_ALG_HS256);
    expect("alg_not_allowed_by_list", &pol,
           sign_with(JWTSSO_ALG_HS384, SECRET, "{\"alg\":\"HS384\"}",
                     "{\"sub\":\"a\",\"iat\":1700000000}"),
           JWTSSO_R_ALG_NOT_ALLOWED);
    pol.algs = 0;
    expect("reason_crit", &pol,
           signf("{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", GOOD,
                 NOW, NOW + 600), JWTSSO_R_CRIT);
    expect("crit_empty_array", &pol,
           signf("{\"alg\":\"HS256\",\"crit\":[]}", GOOD, NOW, NOW + 600),
           JWTSSO_R_CRIT);
    expect("crit_not_array", &pol,
           signf("{\"alg\":\"HS256\",\"crit\":\"b64\"}", GOOD, NOW,
                 NOW + 600), JWTSSO_R_CRIT);
    expect("jku_jwk_x5u_x5c_ignored", &pol,
           signf("{\"alg\":\"HS256\",\"jku\":\"https://evil/\",\"jwk\":"
                 "{\"kty\":\"oct\",\"k\":\"AAAA\"},\"x5u\":\"x\","
                 "\"x5c\":[\"x\"]}", GOOD, NOW, NOW + 600), JWTSSO_OK);

    /* no key: the allow-list names an alg no key serves */
    pol.algs = JWTSSO_ALGBIT(JWTSSO_ALG_RS256) | JWTSSO_ALGS_HMAC;
    expect("reason_no_key", &pol,
           signf("{\"alg\":\"RS256\"}", GOOD, NOW, NOW + 600),
           JWTSSO_R_NO_KEY);
    ks = jwtsso_keyset_new();
    expect_ks("no_key_empty_keyset", ks, &pol,
              signf(H256, GOOD, NOW, NOW + 600), NOW, JWTSSO_R_NO_KEY);
    pol.algs = 0;
    expect_ks("empty_keyset_allows_nothing", ks, &pol,
              signf(H256, GOOD, NOW, NOW + 600), NOW,
              JWTSSO_R_ALG_NOT_ALLOWED);
    jwtsso_keyset_free(ks);

    /* a long kid is reported truncated */
    memset(kid, 'k', 150);
    kid[150] = '\0';
    tok = malloc(300);
    snprintf(tok, 300, "{\"alg\":\"HS256\",\"kid\":\"%s\"}", kid);
    memset(&res, 0, sizeof(res));
    {
        char *t = signf(tok, GOOD, NOW, NOW + 600);

        CHECK("kid_reported_truncated",
              jwtsso_jws_verify(keys, &pol, t, strlen(t), NOW, &res)
              == JWTSSO_OK && strlen(res.kid) == 64
              && strncmp(res.kid, kid, 64) == 0);
        free(t);
    }
    jwtsso_jws_result_clear(&res);
    free(tok);
}

static void test_signature(void)
{
    jwtsso_policy_t pol = policy();
    jwtsso_keyset_t *ks;
    char *tok, *sig;
    size_t len;

    tok = signf(H256, GOOD, NOW, NOW + 600);
    sig = strrchr(tok, '.') + 1;
    sig[5] = sig[5] == 'A' ? 'B' : 'A';
    expect("reason_bad_signature_flipped", &pol, tok,
           JWTSSO_R_BAD_SIGNATURE);

    tok = signf(H256, GOOD, NOW, NOW + 600);
    len = strlen(tok);
    tok[len - 3] = '\0';          /* 40 chars: a 30-byte MAC */
    expect("bad_signature_truncated", &pol, tok, JWTSSO_R_BAD_SIGNATURE);

    tok = signf(H256, GOOD, NOW, NOW + 600);
    sig = strrchr(tok, '.') + 1;
    strcpy(sig, "AAAA");
    expect("bad_signature_short", &pol, tok, JWTSSO_R_BAD_SIGNATURE);

    {
        char *p = fmt(GOOD, NOW, NOW + 600);

        expect("bad_signature_other_key", &pol,
               sign_with(JWTSSO_ALG_HS256, OTHER_SECRET, H256, p),
               JWTSSO_R_BAD_SIGNATURE);
        /* an HS512 MAC under an HS256 header */
        tok = sign_with(JWTSSO_ALG_HS512, SECRET, H256, p);
        expect("bad_signature_wrong_hash_length", &pol, tok,
               JWTSSO_R_BAD_SIGNATURE);
        expect("ok_hs384", &pol,
               sign_with(JWTSSO_ALG_HS384, SECRET, "{\"alg\":\"HS384\"}", p),
               JWTSSO_OK);
        expect("ok_hs512", &pol,
               sign_with(JWTSSO_ALG_HS512, SECRET, "{\"alg\":\"HS512\"}", p),
               JWTSSO_OK);
        expect("hs512_other_key", &pol,
               sign_with(JWTSSO_ALG_HS512, OTHER_SECRET,
                         "{\"alg\":\"HS512\"}", p), JWTSSO_R_BAD_SIGNATURE);

        /* kid selection among two keys */
        ks = jwtsso_keyset_new();
        jwtsso_keyset_add_hmac(ks, "k1", (const unsigned char *)SECRET,
                               strlen(SECRET));
        jwtsso_keyset_add_hmac(ks, "k2", (const unsigned char *)OTHER_SECRET,
                               strlen(OTHER_SECRET));
        expect_ks("kid_selects_k1", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, SECRET,
                            "{\"alg\":\"HS256\",\"kid\":\"k1\"}", p),
                  NOW, JWTSSO_OK);
        expect_ks("kid_selects_k2", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, OTHER_SECRET,
                            "{\"alg\":\"HS256\",\"kid\":\"k2\"}", p),
                  NOW, JWTSSO_OK);
        expect_ks("kid_only_that_key", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, OTHER_SECRET,
                            "{\"alg\":\"HS256\",\"kid\":\"k1\"}", p),
                  NOW, JWTSSO_R_BAD_SIGNATURE);
        expect_ks("reason_unknown_kid", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, SECRET,
                            "{\"alg\":\"HS256\",\"kid\":\"k3\"}", p),
                  NOW, JWTSSO_R_UNKNOWN_KID);
        expect_ks("kid_prefix_is_no_match", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, SECRET,
                            "{\"alg\":\"HS256\",\"kid\":\"k\"}", p),
                  NOW, JWTSSO_R_UNKNOWN_KID);
        /* a token without kid tries the keys that have one */
        expect_ks("no_kid_tries_keys_with_kid", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, OTHER_SECRET, H256, p),
                  NOW, JWTSSO_OK);
        expect_ks("no_kid_no_key_matches", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, "neither-key-0123456789abcdefghij",
                            H256, p),
                  NOW, JWTSSO_R_BAD_SIGNATURE);
        /* add a kid-less default key: unknown kids fall back to it */
        jwtsso_keyset_add_hmac(ks, NULL, (const unsigned char *)"default!",
                               8);
        expect_ks("unknown_kid_tries_kidless", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, "default!",
                            "{\"alg\":\"HS256\",\"kid\":\"k3\"}", p),
                  NOW, JWTSSO_OK);
        expect_ks("known_kid_not_kidless", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, "default!",
                            "{\"alg\":\"HS256\",\"kid\":\"k1\"}", p),
                  NOW, JWTSSO_R_BAD_SIGNATURE);
        expect_ks("no_kid_kidless", ks, &pol,
                  sign_with(JWTSSO_ALG_HS256, "default!", H256, p),
                  NOW, JWTSSO_OK);
        CHECK("keyset_add_rejects_empty",
              jwtsso_keyset_add_hmac(ks, NULL, (const unsigned char *)"", 0)
              == -1);
        jwtsso_keyset_free(ks);
        free(p);
    }
    CHECK("sign_rejects_non_hmac",
          sign_with(JWTSSO_ALG_RS256, SECRET, H256, "{}") == NULL
          && jwtsso_jws_sign_hmac(JWTSSO_ALG_HS256, NULL, 0, H256, "{}")
             == NULL);
}

static void test_payload(void)
{
    jwtsso_policy_t pol = policy();

    expect("reason_bad_payload_array", &pol, sign(H256, "[1,2]"),
           JWTSSO_R_BAD_PAYLOAD);
    expect("bad_payload_not_json", &pol, sign(H256, "sub=alice"),
           JWTSSO_R_BAD_PAYLOAD);
    expect("bad_payload_nul_in_string", &pol,
           signf(H256, "{\"sub\":\"a\\u0000b\",\"iat\":%lld,\"exp\":%lld}",
                 NOW, NOW + 600), JWTSSO_R_BAD_PAYLOAD);
    expect("duplicate_member_payload", &pol,
           signf(H256, "{\"sub\":\"alice\",\"sub\":\"admin\",\"iat\":%lld,"
                 "\"exp\":%lld}", NOW, NOW + 600),
           JWTSSO_R_DUPLICATE_MEMBER);
    expect("duplicate_member_nested", &pol,
           signf(H256, "{\"sub\":\"alice\",\"o\":{\"a\":1,\"a\":2},"
                 "\"iat\":%lld,\"exp\":%lld}", NOW, NOW + 600),
           JWTSSO_R_DUPLICATE_MEMBER);
}

static void test_claims(void)
{
    jwtsso_policy_t pol = policy();
    jwtsso_result_t res;
    char *tok, user[300];

    /* types */
    expect("reason_claim_type_exp_string", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld,\"exp\":\"%lld\"}", NOW,
                 NOW + 600), JWTSSO_R_CLAIM_TYPE);
    expect("claim_type_iat_bool", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":true,\"exp\":%lld}",
                 NOW + 600, 0), JWTSSO_R_CLAIM_TYPE);
    expect("claim_type_nbf_null", &pol,
           signf(H256, "{\"sub\":\"a\",\"nbf\":null,\"iat\":%lld}", NOW, 0),
           JWTSSO_R_CLAIM_TYPE);
    expect("claim_type_real_too_big", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld,\"exp\":1e300}", NOW, 0),
           JWTSSO_R_CLAIM_TYPE);
    expect("claim_real_floored", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld.9,\"exp\":%lld.5}", NOW,
                 NOW + 600), JWTSSO_OK);
    tok = signf(H256, "{\"sub\":\"a\",\"iat\":%lld,\"exp\":\"x\"}", NOW, 0);
    memset(&res, 0, sizeof(res));
    CHECK("claim_type_names_claim",
          jwtsso_jws_verify(keys, &pol, tok, strlen(tok), NOW, &res)
          == JWTSSO_R_CLAIM_TYPE && res.claim != NULL
          && strcmp(res.claim, "exp") == 0 && res.has_iat
          && res.iat == NOW && !res.has_exp);
    jwtsso_jws_result_clear(&res);
    free(tok);
    tok = signf(H256, "{\"sub\":\"a\",\"iat\":%lld.75}", NOW - 1, 0);
    CHECK("claim_real_value_floored",
          jwtsso_jws_verify(keys, &pol, tok, strlen(tok), NOW, &res)
          == JWTSSO_OK && res.iat == NOW - 1);
    jwtsso_jws_result_clear(&res);
    free(tok);

    /* times (skew 5, max age 60) */
    expect("reason_expired", &pol, signf(H256, GOOD, NOW - 30, NOW - 10),
           JWTSSO_R_EXPIRED);
    expect("expired_at_skew_edge", &pol, signf(H256, GOOD, NOW - 30, NOW - 5),
           JWTSSO_R_EXPIRED);
    expect("not_expired_within_skew", &pol,
           signf(H256, GOOD, NOW - 30, NOW - 4), JWTSSO_OK);
    expect("reason_not_yet_valid", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld,\"nbf\":%lld}", NOW,
                 NOW + 10), JWTSSO_R_NOT_YET_VALID);
    expect("nbf_within_skew", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld,\"nbf\":%lld}", NOW,
                 NOW + 5), JWTSSO_OK);
    expect("reason_iat_future", &pol, signf(H256, GOOD, NOW + 10, NOW + 600),
           JWTSSO_R_IAT_FUTURE);
    expect("iat_future_within_skew", &pol,
           signf(H256, GOOD, NOW + 5, NOW + 600), JWTSSO_OK);
    expect("reason_too_old", &pol, signf(H256, GOOD, NOW - 100, NOW + 600),
           JWTSSO_R_TOO_OLD);
    expect("max_age_plus_skew_edge", &pol,
           signf(H256, GOOD, NOW - 65, NOW + 600), JWTSSO_OK);
    expect("too_old_one_past_edge", &pol,
           signf(H256, GOOD, NOW - 66, NOW + 600), JWTSSO_R_TOO_OLD);
    expect("reason_no_iat", &pol,
           signf(H256, "{\"sub\":\"a\",\"exp\":%lld}", NOW + 600, 0),
           JWTSSO_R_NO_IAT);
    expect("iat_only_under_max_age", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld}", NOW, 0), JWTSSO_OK);
    expect("huge_times_saturate", &pol,
           sign(H256, "{\"sub\":\"a\",\"iat\":-9223372036854775808,"
                "\"exp\":9223372036854775807}"), JWTSSO_R_TOO_OLD);
    pol.max_age = -1;
    expect("reason_no_lifetime", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld}", NOW, 0),
           JWTSSO_R_NO_LIFETIME);
    expect("exp_only_max_age_off", &pol,
           signf(H256, "{\"sub\":\"a\",\"exp\":%lld}", NOW + 600, 0),
           JWTSSO_OK);
    expect("max_age_off_old_iat", &pol,
           signf(H256, GOOD, NOW - 100000, NOW + 600), JWTSSO_OK);
    expect("huge_exp_no_overflow", &pol,
           sign(H256, "{\"sub\":\"a\",\"exp\":9223372036854775807}"),
           JWTSSO_OK);
    pol.max_age = 60;

    /* the user claim */
    expect("reason_no_user", &pol,
           signf(H256, "{\"iat\":%lld,\"exp\":%lld}", NOW, NOW + 600),
           JWTSSO_R_NO_USER);
    pol.user_claim = "email";
    expect("no_user_other_claim", &pol, signf(H256, GOOD, NOW, NOW + 600),
           JWTSSO_R_NO_USER);
    expect("user_claim_email", &pol,
           signf(H256, "{\"email\":\"a@b.c\",\"iat\":%lld,\"exp\":%lld}",
                 NOW, NOW + 600), JWTSSO_OK);
    pol.user_claim = NULL;
    expect("reason_bad_user_empty", &pol,
           signf(H256, "{\"sub\":\"\",\"iat\":%lld,\"exp\":%lld}", NOW,
                 NOW + 600), JWTSSO_R_BAD_USER);
    expect("bad_user_newline", &pol,
           signf(H256, "{\"sub\":\"a\\nb\",\"iat\":%lld,\"exp\":%lld}", NOW,
                 NOW + 600), JWTSSO_R_BAD_USER);
    expect("bad_user_del", &pol,
           signf(H256, "{\"sub\":\"a\\u007fb\",\"iat\":%lld,\"exp\":%lld}",
                 NOW, NOW + 600), JWTSSO_R_BAD_USER);
    expect("bad_user_number", &pol,
           signf(H256, "{\"sub\":42,\"iat\":%lld,\"exp\":%lld}", NOW,
                 NOW + 600), JWTSSO_R_BAD_USER);
    memset(user, 'u', 256);
    user[256] = '\0';
    tok = malloc(400);
    snprintf(tok, 400, "{\"sub\":\"%s\",\"iat\":%lld}", user, NOW);
    expect("bad_user_256_bytes", &pol, sign(H256, tok), JWTSSO_R_BAD_USER);
    snprintf(tok, 400, "{\"sub\":\"%s\",\"iat\":%lld}", user + 1, NOW);
    expect("user_255_bytes_ok", &pol, sign(H256, tok), JWTSSO_OK);
    free(tok);
    expect("user_utf8_ok", &pol,
           signf(H256, "{\"sub\":\"j\\u00f6rg\",\"iat\":%lld}", NOW, 0),
           JWTSSO_OK);

    /* iss and aud */
    pol.issuer = "https://idp.example";
    expect("issuer_ok", &pol,
           signf(H256, "{\"sub\":\"a\",\"iss\":\"https://idp.example\","
                 "\"iat\":%lld}", NOW, 0), JWTSSO_OK);
    expect("reason_bad_issuer", &pol,
           signf(H256, "{\"sub\":\"a\",\"iss\":\"https://idp.example.evil\","
                 "\"iat\":%lld}", NOW, 0), JWTSSO_R_BAD_ISSUER);
    expect("bad_issuer_prefix", &pol,
           signf(H256, "{\"sub\":\"a\",\"iss\":\"https://idp\","
                 "\"iat\":%lld}", NOW, 0), JWTSSO_R_BAD_ISSUER);
    expect("bad_issuer_missing", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld}", NOW, 0),
           JWTSSO_R_BAD_ISSUER);
    expect("bad_issuer_array", &pol,
           signf(H256, "{\"sub\":\"a\",\"iss\":[\"https://idp.example\"],"
                 "\"iat\":%lld}", NOW, 0), JWTSSO_R_BAD_ISSUER);
    pol.issuer = NULL;
    pol.audience = "app1";
    expect("audience_string_ok", &pol,
           signf(H256, "{\"sub\":\"a\",\"aud\":\"app1\",\"iat\":%lld}", NOW,
                 0), JWTSSO_OK);
    expect("audience_array_ok", &pol,
           signf(H256, "{\"sub\":\"a\",\"aud\":[\"x\",\"app1\"],"
                 "\"iat\":%lld}", NOW, 0), JWTSSO_OK);
    expect("reason_bad_audience", &pol,
           signf(H256, "{\"sub\":\"a\",\"aud\":\"app2\",\"iat\":%lld}", NOW,
                 0), JWTSSO_R_BAD_AUDIENCE);
    expect("bad_audience_array", &pol,
           signf(H256, "{\"sub\":\"a\",\"aud\":[\"x\",\"app\"],"
                 "\"iat\":%lld}", NOW, 0), JWTSSO_R_BAD_AUDIENCE);
    expect("bad_audience_missing", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld}", NOW, 0),
           JWTSSO_R_BAD_AUDIENCE);
    expect("bad_audience_number", &pol,
           signf(H256, "{\"sub\":\"a\",\"aud\":1,\"iat\":%lld}", NOW, 0),
           JWTSSO_R_BAD_AUDIENCE);
    pol.audience = NULL;

    /* login tokens and API tokens (RFC 8725 §3.11, RFC 9068): an at+jwt
     * token or one naming the API audience is never a login, and where an
     * API audience is set, a bearer token must name it */
    expect("reason_token_type_atjwt_login", &pol,
           signf("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
                 "{\"sub\":\"a\",\"iat\":%lld}", NOW, 0),
           JWTSSO_R_TOKEN_TYPE);
    expect("token_type_atjwt_case_and_prefix", &pol,
           signf("{\"alg\":\"HS256\",\"typ\":\"Application/AT+JWT\"}",
                 "{\"sub\":\"a\",\"iat\":%lld}", NOW, 0),
           JWTSSO_R_TOKEN_TYPE);
    expect("token_type_jwt_login_ok", &pol,
           signf("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                 "{\"sub\":\"a\",\"iat\":%lld}", NOW, 0), JWTSSO_OK);
    expect("token_type_atjwtx_is_no_api_token", &pol,
           signf("{\"alg\":\"HS256\",\"typ\":\"at+jwtx\"}",
                 "{\"sub\":\"a\",\"iat\":%lld}", NOW, 0), JWTSSO_OK);
    pol.api_audience = "api";
    expect("token_type_api_aud_login", &pol,
           signf(H256, "{\"sub\":\"a\",\"aud\":[\"web\",\"api\"],"
                 "\"iat\":%lld}", NOW, 0), JWTSSO_R_TOKEN_TYPE);
    expect("token_type_other_aud_login_ok", &pol,
           signf(H256, "{\"sub\":\"a\",\"aud\":\"web\",\"iat\":%lld}",
                 NOW, 0), JWTSSO_OK);
    pol.bearer = 1;
    expect("token_type_bearer_api_aud_ok", &pol,
           signf(H256, "{\"sub\":\"a\",\"aud\":\"api\",\"iat\":%lld}",
                 NOW, 0), JWTSSO_OK);
    expect("token_type_bearer_login_token", &pol,
           signf(H256, "{\"sub\":\"a\",\"aud\":\"web\",\"iat\":%lld}",
                 NOW, 0), JWTSSO_R_TOKEN_TYPE);
    expect("token_type_bearer_no_aud", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld}", NOW, 0),
           JWTSSO_R_TOKEN_TYPE);
    pol.api_audience = NULL;
    expect("token_type_bearer_atjwt_ok", &pol,
           signf("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
                 "{\"sub\":\"a\",\"iat\":%lld,\"exp\":%lld}", NOW,
                 NOW + 60), JWTSSO_OK);
    /* an at+jwt bearer lives until its exp, whatever the max age; as a
     * login it is refused before its age matters */
    pol.max_age = 60;
    expect("token_type_bearer_atjwt_old_ok", &pol,
           signf("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
                 "{\"sub\":\"a\",\"iat\":%lld,\"exp\":%lld}", NOW - 1000,
                 NOW + 1000), JWTSSO_OK);
    expect("token_type_bearer_atjwt_no_exp", &pol,
           signf("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
                 "{\"sub\":\"a\",\"iat\":%lld}", NOW - 1000, 0),
           JWTSSO_R_NO_LIFETIME);
    expect("token_type_bearer_plain_old", &pol,
           signf(H256, "{\"sub\":\"a\",\"iat\":%lld,\"exp\":%lld}",
                 NOW - 1000, NOW + 1000), JWTSSO_R_TOO_OLD);
    pol.bearer = 0;
}

/* ---------------------------------------------------------------------
 * one claim in two roles (JWTSSOUserClaim iss or jti): the strings area
 * of a verification holds each member once; decoding the user claim again
 * as iss or jti overflowed it (a heap overflow found by attacking the
 * module; fuzz/fuzz_userclaim.c tries every user claim)
 */

/* A payload with iss and jti of the given lengths (user "alice" in sub),
 * malloc'ed. */
static char *roles_payload(size_t isslen, size_t jtilen)
{
    char *p = malloc(isslen + jtilen + 128), *s = p;

    s += sprintf(s, "{\"sub\":\"alice\",\"iat\":%lld,\"exp\":%lld,\"iss\":\"",
                 NOW, NOW + 600);
    memset(s, 'i', isslen);
    s += isslen;
    s += sprintf(s, "\",\"jti\":\"");
    memset(s, 'j', jtilen);
    s += jtilen;
    strcpy(s, "\"}");
    return p;
}

static void user_claim_roles(const char *name, const char *ucl,
                             size_t isslen, size_t jtilen)
{
    jwtsso_policy_t pol = policy();
    jwtsso_result_t res;
    char *payload = roles_payload(isslen, jtilen), *tok, *scratch;
    size_t len, slen;
    int ok, user_is_iss = strcmp(ucl, "iss") == 0;

    pol.user_claim = ucl;
    tok = sign(H256, payload);
    len = strlen(tok);
    memset(&res, 0, sizeof(res));
    ok = jwtsso_jws_verify(keys, &pol, tok, len, NOW, &res) == JWTSSO_OK
         && res.iss_len == isslen && res.jti_len == jtilen
         && (user_is_iss ? res.iss : res.jti) == res.user
         && strlen(res.user) == (user_is_iss ? isslen : jtilen);
    jwtsso_jws_result_clear(&res);
    /* in a caller's scratch of exactly the advertised size (ASan: no
     * write past it), the strings inside it */
    slen = jwtsso_jws_scratch_len(len);
    scratch = malloc(slen);
    ok = ok && scratch != NULL
         && jwtsso_jws_verify_in(keys, &pol, tok, len, NOW, &res, scratch,
                                 slen) == JWTSSO_OK
         && res.mem == NULL && res.iss != NULL && res.jti != NULL
         && res.iss >= scratch && res.iss + res.iss_len < scratch + slen
         && res.jti >= scratch && res.jti + res.jti_len < scratch + slen
         && (user_is_iss ? res.iss : res.jti) == res.user;
    jwtsso_jws_result_clear(&res);
    CHECK(name, ok);
    free(scratch);
    free(tok);
    free(payload);
}

static void test_user_claim_roles(void)
{
    user_claim_roles("user_claim_iss_long_jti", "iss", 255, 4000);
    user_claim_roles("user_claim_jti_long_iss", "jti", 4000, 255);
    user_claim_roles("user_claim_iss_short", "iss", 1, 1);
    user_claim_roles("user_claim_jti_short", "jti", 40, 36);
}

/* ---------------------------------------------------------------------
 * the work a token without kid costs: at most policy max_kidless keys
 * (0: JWTSSO_MAX_KIDLESS) of its kind are tried, and with more such keys
 * it is refused before any signature check (CPU amplification against a
 * large key set, found by attacking the module)
 */
static void hmac_keys(jwtsso_keyset_t *ks, int n, int with_kid)
{
    char secret[64], kid[16];
    int i;

    for (i = 0; i < n; i++) {
        snprintf(secret, sizeof(secret), "kidless-secret-%02d-0123456789abcdef",
                 i);
        snprintf(kid, sizeof(kid), "k%d", i);
        jwtsso_keyset_add_hmac(ks, with_kid ? kid : NULL,
                               (const unsigned char *)secret, strlen(secret));
    }
}

static char *sign_nth(int i, const char *header, const char *payload)
{
    char secret[64];

    snprintf(secret, sizeof(secret), "kidless-secret-%02d-0123456789abcdef",
             i);
    return sign_with(JWTSSO_ALG_HS256, secret, header, payload);
}

static void test_kidless_bound(void)
{
    jwtsso_policy_t pol = policy();
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    char *p = fmt(GOOD, NOW, NOW + 600);
    jwtsso_alg_t alg = JWTSSO_ALG_UNKNOWN;

    /* five secrets without kid: one more than the default tries (this
     * and the four-key case below pin JWTSSO_MAX_KIDLESS at 4) */
    hmac_keys(ks, 5, 0);
    CHECK("kidless_keys_counted",
          jwtsso_keyset_kidless(ks, &alg) == 5
          && alg == JWTSSO_ALG_HS256
          && jwtsso_keyset_kidless(keys, NULL) == 1);
    expect_ks("reason_kid_required", ks, &pol, sign_nth(0, H256, p), NOW,
              JWTSSO_R_KID_REQUIRED);
    expect_ks("kid_required_bad_token_too", ks, &pol,
              sign_with(JWTSSO_ALG_HS256, OTHER_SECRET, H256, p), NOW,
              JWTSSO_R_KID_REQUIRED);
    /* a kid naming no key falls back to the keys without kid only
     * within the bound */
    expect_ks("unknown_kid_no_fallback_past_bound", ks, &pol,
              sign_nth(4, "{\"alg\":\"HS256\",\"kid\":\"nope\"}", p), NOW,
              JWTSSO_R_UNKNOWN_KID);
    pol.max_kidless = 5;
    expect_ks("max_kidless_5_tries_the_fifth", ks, &pol,
              sign_nth(4, H256, p), NOW, JWTSSO_OK);
    expect_ks("max_kidless_5_bad_signature", ks, &pol,
              sign_with(JWTSSO_ALG_HS256, OTHER_SECRET, H256, p), NOW,
              JWTSSO_R_BAD_SIGNATURE);
    expect_ks("max_kidless_5_unknown_kid_falls_back", ks, &pol,
              sign_nth(4, "{\"alg\":\"HS256\",\"kid\":\"nope\"}", p), NOW,
              JWTSSO_OK);
    pol.max_kidless = 0;
    /* a key with the token's kid is the one tried, whatever the bound */
    jwtsso_keyset_add_hmac(ks, "k9", (const unsigned char *)OTHER_SECRET,
                           strlen(OTHER_SECRET));
    expect_ks("kid_selects_past_bound", ks, &pol,
              sign_with(JWTSSO_ALG_HS256, OTHER_SECRET,
                        "{\"alg\":\"HS256\",\"kid\":\"k9\"}", p), NOW,
              JWTSSO_OK);
    jwtsso_keyset_free(ks);

    /* four without kid: each is tried */
    ks = jwtsso_keyset_new();
    hmac_keys(ks, 4, 0);
    expect_ks("kidless_four_keys_the_fourth", ks, &pol, sign_nth(3, H256, p),
              NOW, JWTSSO_OK);
    expect_ks("kidless_four_keys_bad_signature", ks, &pol,
              sign_with(JWTSSO_ALG_HS256, OTHER_SECRET, H256, p), NOW,
              JWTSSO_R_BAD_SIGNATURE);
    jwtsso_keyset_free(ks);

    /* every key with a kid (a JWKS), the token without: the same bound */
    ks = jwtsso_keyset_new();
    hmac_keys(ks, 5, 1);
    expect_ks("kid_required_keys_with_kids", ks, &pol, sign_nth(2, H256, p),
              NOW, JWTSSO_R_KID_REQUIRED);
    expect_ks("kid_required_keys_with_kids_kid_given", ks, &pol,
              sign_nth(2, "{\"alg\":\"HS256\",\"kid\":\"k2\"}", p), NOW,
              JWTSSO_OK);
    jwtsso_keyset_free(ks);
    free(p);
}

/* ---------------------------------------------------------------------
 * typ (RFC 7515 §4.1.9), handed to the glue truncated (RFC 9068 at+jwt)
 */
static int typ_is(const char *header, jwtsso_reason_t want, const char *typ)
{
    jwtsso_policy_t pol = policy();
    jwtsso_result_t res;
    char *tok = signf(header, GOOD, NOW, NOW + 600);
    int ok;

    memset(&res, 0, sizeof(res));
    ok = tok != NULL
         && jwtsso_jws_verify(keys, &pol, tok, strlen(tok), NOW, &res)
            == want
         && strcmp(res.typ, typ) == 0;
    jwtsso_jws_result_clear(&res);
    free(tok);
    return ok;
}

static void test_typ(void)
{
    jwtsso_policy_t pol = policy();

    /* (what at+jwt means, login or API token, is for claims.c) */
    CHECK("typ_jose", typ_is("{\"alg\":\"HS256\",\"typ\":\"JOSE\"}",
                             JWTSSO_OK, "JOSE"));
    CHECK("typ_jwt", typ_is(H256, JWTSSO_OK, "JWT"));
    CHECK("typ_absent_empty", typ_is("{\"alg\":\"HS256\"}", JWTSSO_OK, ""));
    CHECK("typ_escaped_decoded",
          typ_is("{\"alg\":\"HS256\",\"typ\":\"J\\u004fS\\u0045\"}",
                 JWTSSO_OK, "JOSE"));
    CHECK("typ_truncated_to_32",
          typ_is("{\"alg\":\"HS256\",\"typ\":\"application/example+jwt; "
                 "charset=utf-8\"}", JWTSSO_OK,
                 "application/example+jwt; charset"));
    CHECK("typ_reported_on_failure",
          typ_is("{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"crit\":[\"x\"]}",
                 JWTSSO_R_CRIT, "at+jwt"));
    expect("bad_header_typ_number", &pol,
           signf("{\"alg\":\"HS256\",\"typ\":5}", GOOD, NOW, NOW + 600),
           JWTSSO_R_BAD_HEADER);
    expect("bad_header_typ_object", &pol,
           signf("{\"alg\":\"HS256\",\"typ\":{\"a\":1}}", GOOD, NOW,
                 NOW + 600), JWTSSO_R_BAD_HEADER);
}

/* ---------------------------------------------------------------------
 * session records
 */
#define MATERIAL "record-key-material-for-the-unit-tests"
#define ORIGIN "https://app.example"

static jwtsso_reason_t check_rec(const jwtsso_mackey_t *k, const char *realm,
                                 const char *origin, const char *text,
                                 size_t len, long long now,
                                 jwtsso_record_t *rec, void **scratch)
{
    size_t n = jwtsso_record_scratch_len(len);

    /* one byte off, so a misaligned claims array shows under UBSan */
    *scratch = malloc(n + 1);
    return jwtsso_record_check(k, realm, origin, NULL, text, len, now, rec,
                               (char *)*scratch + 1, n);
}

static int rec_is(const jwtsso_mackey_t *k, const char *realm,
                  const char *origin, const char *text, long long now,
                  jwtsso_reason_t want)
{
    jwtsso_record_t rec;
    void *scratch;
    jwtsso_reason_t got;

    got = check_rec(k, realm, origin, text, strlen(text), now, &rec,
                    &scratch);
    free(scratch);
    if ((unsigned)want < JWTSSO_R__COUNT) {
        seen[want] = 1;
    }
    if (got != want) {
        NOTE("got %s, want %s", jwtsso_reason_name(got),
             jwtsso_reason_name(want));
    }
    return got == want && (got == JWTSSO_OK || rec.user == NULL);
}

static const char *claim(const jwtsso_record_t *rec, const char *name)
{
    size_t i;

    for (i = 0; i < rec->nclaims; i++) {
        if (strcmp(rec->claims[i].name, name) == 0) {
            return rec->claims[i].value;
        }
    }
    return NULL;
}

/* HMAC-SHA256 with OpenSSL directly, to check the format independently */
static size_t hmac(const void *key, size_t klen, const void *in, size_t len,
                   unsigned char *out)
{
    size_t n = 0;

    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, klen, in, len,
                  out, 32, &n) == NULL) {
        return 0;
    }
    return n;
}

/* A record made by hand from body, MAC'd per the documented format. */
static char *hand_record(const char *body, const char *realm,
                         const char *origin)
{
    unsigned char key[32], mac[32];
    char *in, *out, *p;
    size_t blen = strlen(body), n;

    hmac(MATERIAL, strlen(MATERIAL), "jwtsso session record v1", 24, key);
    in = malloc(100 + strlen(realm) + strlen(origin) + blen);
    memcpy(in, "jwtsso-record-v1", 17);
    n = 17;
    memcpy(in + n, realm, strlen(realm) + 1);
    n += strlen(realm) + 1;
    memcpy(in + n, origin, strlen(origin) + 1);
    n += strlen(origin) + 1;
    memcpy(in + n, body, blen);
    n += blen;
    hmac(key, 32, in, n, mac);
    free(in);
    out = malloc(3 + jwtsso_b64url_encoded_len(blen) + 1 + 43 + 1);
    memcpy(out, "j1.", 3);
    p = out + 3;
    p += jwtsso_b64url_encode((const unsigned char *)body, blen, p);
    *p++ = '.';
    jwtsso_b64url_encode(mac, 32, p);
    return out;
}

static void test_record(void)
{
    static const char payload[] =
        "{\"sub\":\"alice\",\"groups\":[\"a\",\"b\"],\"n\":5,\"r\":1.5,"
        "\"t\":true,\"f\":false,\"z\":null,\"o\":{\"x\":1},"
        "\"nested\":[1,[2,3],{\"y\":\"z\"}],\"pct\":\"50%=x\\n\","
        "\"na=me\":\"v\"}";
    jwtsso_mackey_t *k, *k2;
    jwtsso_record_t rec;
    json_t *claims;
    char *r, *t, dropped[256], *big, name[8];
    void *scratch = NULL;
    size_t len, i;
    int ok;

    k = jwtsso_record_key_new((const unsigned char *)MATERIAL, strlen(MATERIAL));
    k2 = jwtsso_record_key_new((const unsigned char *)"other material", 14);
    claims = json_loads(payload, 0, NULL);
    if (!CHECK("record_setup", k != NULL && k2 != NULL && claims != NULL
                               && jwtsso_record_key_new(NULL, 0) == NULL)) {
        goto done;
    }

    /* the documented format, built by hand */
    r = jwtsso_record_make(k, "realm1", ORIGIN, NULL, "alice", NOW, NOW + 3600,
                           "sid1", NULL, 0, NULL, 0);
    t = hand_record("alice\n1700000000\n1700003600\nsid1", "realm1",
                    ORIGIN);
    CHECK("record_format_by_hand", r != NULL && strcmp(r, t) == 0);
    free(r);
    free(t);

    /* a long realm and origin: the MAC's context is then hashed in
     * pieces, not laid out in one buffer; the same record either way
     * (237 is the most the buffer takes, past the tag and two NULs) */
    {
        static const size_t olen[] = { 30, 236, 237, 238, 600 };
        char realm[8] = "realm1", origin[700];
        jwtsso_record_t lr;
        void *ls = NULL;
        size_t j;

        for (j = 0; j < sizeof(olen) / sizeof(olen[0]); j++) {
            memset(origin, 'h', sizeof(origin));
            memcpy(origin, "https://", 8);
            origin[olen[j] - strlen(realm)] = '\0';
            r = jwtsso_record_make(k, realm, origin, NULL, "alice", NOW,
                                   NOW + 3600, "sid1", NULL, 0, NULL, 0);
            t = hand_record("alice\n1700000000\n1700003600\nsid1", realm,
                            origin);
            ok = r != NULL && strcmp(r, t) == 0;
            ok = ok && check_rec(k, realm, origin, r, strlen(r), NOW, &lr,
                                 &ls) == JWTSSO_OK;
            free(ls);
            ls = NULL;
            origin[strlen(origin) - 1] = 'x';
            ok = ok && check_rec(k, realm, origin, r, strlen(r), NOW, &lr,
                                 &ls) == JWTSSO_R_RECORD_BAD_MAC;
            free(ls);
            ls = NULL;
            CHECK("record_long_binding_by_hand", ok);
            free(r);
            free(t);
        }
    }

    strcpy(dropped, "junk");
    r = jwtsso_record_make(k, "realm1", ORIGIN, NULL, "alice", NOW, NOW + 3600,
                           "sid_123-x", payload, strlen(payload), dropped,
                           sizeof(dropped));
    if (!CHECK("record_make", r != NULL && strncmp(r, "j1.", 3) == 0
                              && dropped[0] == '\0'
                              && strlen(r) <= JWTSSO_RECORD_MAX)) {
        free(r);
        goto done;
    }
    len = strlen(r);
    CHECK("record_scratch_formula",
          jwtsso_record_scratch_len(len) >= len
          && jwtsso_record_scratch_len(JWTSSO_RECORD_MAX + 100)
             == jwtsso_record_scratch_len(JWTSSO_RECORD_MAX));
    ok = check_rec(k, "realm1", ORIGIN, r, len, NOW, &rec, &scratch)
         == JWTSSO_OK;
    seen[JWTSSO_OK] = 1;
    CHECK("record_roundtrip",
          ok && strcmp(rec.user, "alice") == 0 && rec.auth_time == NOW
          && rec.end == NOW + 3600 && strcmp(rec.sid, "sid_123-x") == 0
          && rec.nclaims == 11);
    if (ok) {
        char *want = json_dumps(claims, JSON_COMPACT);
        size_t jlen = jwtsso_view_json(rec.claims, rec.nclaims, NULL);
        char *got = malloc(jlen + 1);

        CHECK("record_claims_json_written_not_kept",
              rec.claims_json == NULL && got != NULL
              && jwtsso_view_json(rec.claims, rec.nclaims, got) == jlen
              && strlen(got) == jlen && strcmp(got, want) == 0);
        CHECK("record_claims_typed",
              rec.claims[0].type == 's' && rec.claims[1].type == 'j'
              && strcmp(rec.claims[1].json, "[\"a\",\"b\"]") == 0
              && rec.claims[2].type == 'n' && rec.claims[6].type == 'z'
              && rec.claims[6].json == NULL);
        free(got);
        free(want);
        CHECK("record_claims_in_order",
              strcmp(rec.claims[0].name, "sub") == 0
              && strcmp(rec.claims[1].name, "groups") == 0
              && strcmp(rec.claims[10].name, "na=me") == 0);
        CHECK("record_claims_flattened",
              strcmp(claim(&rec, "sub"), "alice") == 0
              && strcmp(claim(&rec, "groups"), "a,b") == 0
              && strcmp(claim(&rec, "n"), "5") == 0
              && strcmp(claim(&rec, "r"), "1.5") == 0
              && strcmp(claim(&rec, "t"), "true") == 0
              && strcmp(claim(&rec, "f"), "false") == 0
              && strcmp(claim(&rec, "z"), "") == 0
              && strcmp(claim(&rec, "o"), "{\"x\":1}") == 0
              && strcmp(claim(&rec, "nested"), "1,[2,3],{\"y\":\"z\"}") == 0);
        CHECK("record_claims_escaped",
              strcmp(claim(&rec, "pct"), "50%=x\n") == 0
              && strcmp(claim(&rec, "na=me"), "v") == 0);
    }
    free(scratch);

    CHECK("record_null_realm_is_empty",
          (t = jwtsso_record_make(k, NULL, NULL, NULL, "alice", NOW, NOW + 10,
                                  "s", NULL, 0, NULL, 0)) != NULL
          && rec_is(k, "", "", t, NOW, JWTSSO_OK)
          && rec_is(k, "x", "", t, NOW, JWTSSO_R_RECORD_BAD_MAC));
    free(t);
    CHECK("reason_record_bad_mac_realm",
          rec_is(k, "realm2", ORIGIN, r, NOW, JWTSSO_R_RECORD_BAD_MAC));
    CHECK("record_bad_mac_origin",
          rec_is(k, "realm1", "https://other.example", r, NOW,
                 JWTSSO_R_RECORD_BAD_MAC));
    CHECK("record_bad_mac_realm_origin_shift",
          rec_is(k, "realm1h", "ttps://app.example", r, NOW,
                 JWTSSO_R_RECORD_BAD_MAC));
    CHECK("record_bad_mac_key",
          rec_is(k2, "realm1", ORIGIN, r, NOW, JWTSSO_R_RECORD_BAD_MAC));
    t = strdup(r);
    t[10] = t[10] == 'A' ? 'B' : 'A';
    CHECK("record_flipped_body_byte",
          rec_is(k, "realm1", ORIGIN, t, NOW, JWTSSO_R_RECORD_BAD_MAC));
    strcpy(t, r);
    t[len - 10] = t[len - 10] == 'A' ? 'B' : 'A';
    CHECK("record_flipped_mac_byte",
          rec_is(k, "realm1", ORIGIN, t, NOW, JWTSSO_R_RECORD_BAD_MAC));
    strcpy(t, r);
    t[len - 1] = '\0';
    CHECK("reason_record_malformed_truncated",
          rec_is(k, "realm1", ORIGIN, t, NOW, JWTSSO_R_RECORD_MALFORMED));
    t[len / 2] = '\0';
    CHECK("record_truncated_half",
          rec_is(k, "realm1", ORIGIN, t, NOW, JWTSSO_R_RECORD_MALFORMED));
    strcpy(t, r);
    t[1] = '2';
    CHECK("record_bad_prefix",
          rec_is(k, "realm1", ORIGIN, t, NOW, JWTSSO_R_RECORD_MALFORMED)
          && rec_is(k, "realm1", ORIGIN, "", NOW, JWTSSO_R_RECORD_MALFORMED)
          && rec_is(k, "realm1", ORIGIN, "j1.", NOW,
                    JWTSSO_R_RECORD_MALFORMED));
    free(t);
    CHECK("reason_record_expired",
          rec_is(k, "realm1", ORIGIN, r, NOW + 3600,
                 JWTSSO_R_RECORD_EXPIRED)
          && rec_is(k, "realm1", ORIGIN, r, NOW + 3599, JWTSSO_OK));
    {
        char small[64];

        seen[JWTSSO_R_INTERNAL] = 1;
        CHECK("record_scratch_too_small",
              jwtsso_record_check(k, "realm1", ORIGIN, NULL, r, len, NOW, &rec,
                                  small, sizeof(small))
              == JWTSSO_R_INTERNAL && rec.user == NULL);
    }
    free(r);

    big = malloc(JWTSSO_RECORD_MAX + 2);
    memset(big, 'A', JWTSSO_RECORD_MAX + 1);
    memcpy(big, "j1.", 3);
    big[JWTSSO_RECORD_MAX + 1] = '\0';
    CHECK("record_too_long",
          rec_is(k, "realm1", ORIGIN, big, NOW, JWTSSO_R_RECORD_MALFORMED));
    free(big);

    /* strict decoding of bodies with a good MAC */
    {
        static const char *const bad[] = {
            "alice\n1700000000\n1700003600",                   /* 3 fields */
            "\n1700000000\n1700003600\nsid1",                  /* no user */
            "alice\n01700000000\n1700003600\nsid1",            /* lead 0 */
            "alice\n1700000000\n1700003600x\nsid1",            /* junk */
            "alice\n1700000000\n-0\nsid1",                     /* -0 */
            "alice\n1700000000\n99999999999999999999\ns",      /* overflow */
            "al%ice\n1700000000\n1700003600\nsid1",            /* stray % */
            "al%41ice\n1700000000\n1700003600\nsid1",          /* needless */
            "al%0aice\n1700000000\n1700003600\nsid1",          /* lower hex */
            "al%00ice\n1700000000\n1700003600\nsid1",          /* NUL */
            "alice\n1700000000\n1700003600\nsid1\nnovalue",
            "alice\n1700000000\n1700003600\nsid1\na=",        /* no type */
            "alice\n1700000000\n1700003600\nsid1\na=qv",      /* type q */
            "alice\n1700000000\n1700003600\nsid1\na=zx",      /* null, x */
            "alice\n1700000000\n1700003600\nsid1\na=jx",      /* no JSON */
            "alice\n1700000000\n1700003600\nsid1\na=jx\nb=J1", /* named */
            "alice\n1700000000\n1700003600\nsid1\na=jx\n=K1",
            "alice\n1700000000\n1700003600\nsid1\n=J[1]",     /* alone */
            "alice\n1700000000\n1700003600\nsid1%",
        };

        ok = 1;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            t = hand_record(bad[i], "realm1", ORIGIN);
            if (!rec_is(k, "realm1", ORIGIN, t, NOW,
                        JWTSSO_R_RECORD_MALFORMED)) {
                NOTE("accepted body %u", (unsigned)i);
                ok = 0;
            }
            free(t);
        }
        CHECK("record_strict_fields", ok);
        /* Bytes the writer would have escaped, in a body with a good MAC:
         * only a holder of the record key makes one, so the parse splits
         * it as written rather than look at every byte twice. */
        t = hand_record("al=ice\n1700000000\n1700003600\nsid1\n"
                        "a=sb=c\nt=sx\ty", "realm1", ORIGIN);
        ok = check_rec(k, "realm1", ORIGIN, t, strlen(t), NOW, &rec,
                       &scratch) == JWTSSO_OK;
        CHECK("record_lenient_after_mac",
              ok && strcmp(rec.user, "al=ice") == 0 && rec.nclaims == 2
              && strcmp(rec.claims[0].name, "a") == 0
              && strcmp(rec.claims[0].value, "b=c") == 0
              && strcmp(rec.claims[1].value, "x\ty") == 0);
        free(scratch);
        scratch = NULL;
        free(t);
        t = hand_record("alice\n-5\n1700003600\n\n=s%3D\nj=ja,b\n=J[\"a\",\"b\"]\n"
                        "z=z", "realm1", ORIGIN);
        CHECK("record_hand_ok", rec_is(k, "realm1", ORIGIN, t, NOW,
                                       JWTSSO_OK));
        free(t);
    }

    /* the claims budget: keep in order while they fit, report the rest */
    json_decref(claims);
    claims = json_object();
    big = malloc(401);
    memset(big, 'v', 400);
    big[400] = '\0';
    for (i = 0; i < 8; i++) {
        snprintf(name, sizeof(name), "c%u", (unsigned)i);
        json_object_set_new(claims, name, json_string(big));
    }
    json_object_set_new(claims, "sub", json_string("alice"));
    free(big);
    big = json_dumps(claims, JSON_COMPACT);
    r = jwtsso_record_make(k, "realm1", ORIGIN, NULL, "alice", NOW, NOW + 3600,
                           "sid1", big, strlen(big), dropped,
                           sizeof(dropped));
    ok = r != NULL && check_rec(k, "realm1", ORIGIN, r, strlen(r), NOW, &rec,
                                &scratch) == JWTSSO_OK;
    /* a claim costs its name, type and value once (each c 405 bytes, sub
     * 11): c0..c4 fit in 2048 with sub, counted first */
    CHECK("record_dropped_claims",
          ok && strcmp(dropped, "c5,c6,c7") == 0
          && rec.nclaims == 6 && strcmp(rec.claims[0].name, "c0") == 0
          && strcmp(rec.claims[4].name, "c4") == 0
          && strlen(r) <= JWTSSO_RECORD_MAX);
    CHECK("record_user_claim_always_kept",
          ok && strcmp(rec.claims[5].name, "sub") == 0
          && strcmp(rec.claims[5].value, "alice") == 0);
    free(scratch);
    free(r);
    r = jwtsso_record_make(k, "realm1", ORIGIN, NULL, "alice", NOW, NOW + 3600,
                           "sid1", big, strlen(big), dropped, 8);
    CHECK("record_dropped_truncated",
          r != NULL && strcmp(dropped, "c5,c6,c") == 0);
    free(r);
    free(big);
    CHECK("record_make_needs_user",
          jwtsso_record_make(k, "r", "o", NULL, "", NOW, NOW + 1, "s", NULL, 0,
                             NULL, 0) == NULL);

done:
    json_decref(claims);
    jwtsso_record_key_free(k);
    jwtsso_record_key_free(k2);
}

/* text with bit `bit` of the MAC after its last '.' flipped (malloc'ed) */
static char *flip_mac_bit(const char *text, size_t bit)
{
    const char *dot = strrchr(text, '.');
    unsigned char mac[JWTSSO_HMAC_MAX + 2];
    size_t len = strlen(dot + 1), n = 0, head = (size_t)(dot + 1 - text);
    char *out = malloc(head + len + 2);

    if (out == NULL || len > 88
        || jwtsso_b64url_decode(dot + 1, len, mac, &n) != 0 || bit >= 8 * n) {
        free(out);
        return NULL;
    }
    mac[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    memcpy(out, text, head);
    jwtsso_b64url_encode(mac, n, out + head);
    return out;
}

/* Every MAC differing from the right one in a single bit is refused: the
 * session record's (CRYPTO_memcmp in record.c) and an HS256/HS512
 * signature's (key.c). */
static void test_mac_bits(void)
{
    jwtsso_policy_t pol = policy();
    jwtsso_mackey_t *k;
    jwtsso_result_t res;
    char *r, *t, *tok[2];
    size_t bit, i;
    int ok;

    k = jwtsso_record_key_new((const unsigned char *)MATERIAL, strlen(MATERIAL));
    r = k ? jwtsso_record_make(k, "realm1", ORIGIN, NULL, "alice", NOW,
                               NOW + 3600, "sid1", NULL, 0, NULL, 0) : NULL;
    ok = r != NULL && rec_is(k, "realm1", ORIGIN, r, NOW, JWTSSO_OK);
    for (bit = 0; ok && bit < 256; bit++) {
        t = flip_mac_bit(r, bit);
        ok = t != NULL
             && rec_is(k, "realm1", ORIGIN, t, NOW, JWTSSO_R_RECORD_BAD_MAC);
        free(t);
    }
    CHECK("record_mac_one_bit_different_refused", ok);
    free(r);
    jwtsso_record_key_free(k);

    t = fmt(GOOD, NOW, NOW + 600);
    tok[0] = sign_with(JWTSSO_ALG_HS256, SECRET, H256, t);
    tok[1] = sign_with(JWTSSO_ALG_HS512, SECRET,
                       "{\"alg\":\"HS512\"}", t);
    free(t);
    for (i = 0; i < 2; i++) {
        memset(&res, 0, sizeof(res));
        ok = tok[i] != NULL
             && jwtsso_jws_verify(keys, &pol, tok[i], strlen(tok[i]), NOW,
                                  &res) == JWTSSO_OK;
        jwtsso_jws_result_clear(&res);
        for (bit = 0; ok && bit < (i == 0 ? 256u : 512u); bit++) {
            t = flip_mac_bit(tok[i], bit);
            ok = t != NULL
                 && jwtsso_jws_verify(keys, &pol, t, strlen(t), NOW, &res)
                    == JWTSSO_R_BAD_SIGNATURE;
            jwtsso_jws_result_clear(&res);
            free(t);
        }
        CHECK(i == 0 ? "hs256_sig_one_bit_different_refused"
                     : "hs512_sig_one_bit_different_refused", ok);
        free(tok[i]);
    }
}

/* ---------------------------------------------------------------------
 * tokens from other libraries (mkfixtures.sh makes them)
 */
static void fixture(const char *dir, const char *file, long long max_age,
                    const char *user, jwtsso_reason_t want)
{
    jwtsso_policy_t pol = policy();
    jwtsso_result_t res;
    jwtsso_reason_t got = JWTSSO_R__COUNT;
    char name[128], *tok = unit_token(dir, file);

    memset(&res, 0, sizeof(res));
    pol.max_age = max_age;
    if (tok != NULL) {
        got = jwtsso_jws_verify(keys, &pol, tok, strlen(tok),
                                (long long)time(NULL), &res);
    }
    snprintf(name, sizeof(name), "fixture_%s_max_age_%lld", file, max_age);
    if (!CHECK(name, got == want
                     && (user == NULL
                         || (res.user && strcmp(res.user, user) == 0)))) {
        NOTE("got %s, want %s", jwtsso_reason_name(got),
             jwtsso_reason_name(want));
    }
    jwtsso_jws_result_clear(&res);
    free(tok);
}

/* The claims view (what the app is given: DESIGN §6), straight from a
 * payload text as the bearer path uses it. */
/* jwtsso_view_result, from the object a verification kept, gives the
 * view jwtsso_view_make gives from the payload text. */
static void test_view_result(void)
{
    jwtsso_policy_t pol = policy();
    jwtsso_result_t res;
    jwtsso_view_t a, b;
    char da[64], db[64], *tok, *sa = NULL, *sb = NULL;
    size_t slen = 0, i;
    int same;

    memset(&res, 0, sizeof(res));
    tok = signf(H256, "{\"sub\":\"alice\",\"g\":[\"x\",2],\"r\":1.10,"
                "\"o\":{\"k\":true},\"iat\":%lld,\"exp\":%lld}", NOW,
                NOW + 600);
    if (!CHECK("view_result_verified",
               tok != NULL && jwtsso_jws_verify(keys, &pol, tok, strlen(tok),
                                                NOW, &res) == JWTSSO_OK
               && res.payload != NULL)) {
        goto done;
    }
    slen = jwtsso_view_scratch_len(res.payload_len);
    sa = malloc(slen);
    sb = malloc(slen);
    if (!CHECK("view_result_setup", sa != NULL && sb != NULL)) {
        goto done;
    }
    same = jwtsso_view_result(&res, 20, &a, sa, slen, da, sizeof(da))
               == JWTSSO_OK
           && jwtsso_view_make(res.payload, res.payload_len, res.user, 20,
                               &b, sb, slen, db, sizeof(db)) == JWTSSO_OK
           && a.nclaims == b.nclaims && a.nclaims > 0
           && a.truncated == b.truncated && a.truncated
           && strcmp(da, db) == 0 && a.cost == b.cost
           && strcmp(a.claims_json, b.claims_json) == 0;
    for (i = 0; same && i < a.nclaims; i++) {
        same = strcmp(a.claims[i].name, b.claims[i].name) == 0
               && strcmp(a.claims[i].value, b.claims[i].value) == 0
               && a.claims[i].type == b.claims[i].type;
    }
    CHECK("view_result_as_view_make", same);
    /* a result without the kept object (cleared): no view from it */
    jwtsso_jws_result_clear(&res);
    CHECK("view_result_cleared",
          jwtsso_view_result(&res, 2048, &a, sa, slen, NULL, 0) == JWTSSO_OK
          && a.nclaims == 0);
done:
    jwtsso_jws_result_clear(&res);
    free(tok);
    free(sa);
    free(sb);
}

static void test_view(void)
{
    static const char payload[] =
        " { \"sub\" : \"al\\u0069ce\", \"n\\u0061me\":\"\\u00e9t\\u00e9 \\/ x\","
        "\"groups\" : [ \"a\" , \"b\\\"c\" , 3 , null , [ 1 , 2 ] ],"
        "\"big\":-9223372036854775808,\"r\":1.10,\"e\":1e2,"
        "\"o\":{ \"k\" : [ true , 0.1, 17e8 ] },\"z\":null,\"t\":true } ";
    jwtsso_view_t v;
    char dropped[64], *scratch, *big;
    size_t slen = jwtsso_view_scratch_len(sizeof(payload) - 1), i;

    scratch = malloc(slen + 1);
    if (!CHECK("view_setup", scratch != NULL)) {
        return;
    }
    /* one byte off, so a misaligned array shows under UBSan */
    CHECK("view_make",
          jwtsso_view_make(payload, sizeof(payload) - 1, "alice", 2048, &v,
                           scratch + 1, slen, dropped, sizeof(dropped))
          == JWTSSO_OK && dropped[0] == '\0' && v.nclaims == 9);
    if (v.nclaims == 9) {
        CHECK("view_flat_strings_decoded",
              strcmp(v.claims[0].name, "sub") == 0
              && strcmp(v.claims[0].value, "alice") == 0
              && strcmp(v.claims[1].name, "name") == 0
              && strcmp(v.claims[1].value, "\xc3\xa9t\xc3\xa9 / x") == 0);
        CHECK("view_flat_array",
              strcmp(v.claims[2].value, "a,b\"c,3,,[1,2]") == 0);
        /* numbers as Jansson reads them: integers in decimal, reals in
         * their shortest text that reads back the same, with ".0" */
        CHECK("view_flat_numbers",
              strcmp(v.claims[3].value, "-9223372036854775808") == 0
              && strcmp(v.claims[4].value, "1.1") == 0
              && strcmp(v.claims[5].value, "100.0") == 0);
        CHECK("view_flat_object_literals",
              strcmp(v.claims[6].value,
                     "{\"k\":[true,0.1,1700000000.0]}") == 0
              && strcmp(v.claims[7].value, "") == 0
              && strcmp(v.claims[8].value, "true") == 0);
    }
    /* the JSON is written from the decoded values: whitespace outside
     * strings dropped, strings escaped as Jansson writes them */
    CHECK("view_json_compact",
          v.claims_json != NULL
          && strstr(v.claims_json, "\"groups\":[\"a\",\"b\\\"c\",3,null,"
                    "[1,2]]") != NULL
          && strncmp(v.claims_json, "{\"sub\":\"alice\",\"name\":\""
                     "\xc3\xa9t\xc3\xa9 / x\",", 34) == 0
          && strstr(v.claims_json, "\"r\":1.1,\"e\":100.0,") != NULL);
    /* what Jansson refuses, the view refuses: a number beyond long long
     * or double, a raw NUL */
    CHECK("view_number_out_of_range",
          jwtsso_view_make("{\"a\":9223372036854775808}", 25, "alice",
                           2048, &v, scratch, slen, NULL, 0)
          == JWTSSO_R_BAD_PAYLOAD
          && jwtsso_view_make("{\"a\":1e400}", 11, "alice", 2048, &v,
                              scratch, slen, NULL, 0)
             == JWTSSO_R_BAD_PAYLOAD
          && jwtsso_view_make("{\"a\":1}\0", 8, "alice", 2048, &v,
                              scratch, slen, NULL, 0)
             == JWTSSO_R_BAD_PAYLOAD);

    CHECK("view_scratch_too_small",
          jwtsso_view_make(payload, sizeof(payload) - 1, "alice", 2048, &v,
                           scratch, slen - 1, NULL, 0) == JWTSSO_R_INTERNAL);
    CHECK("view_not_an_object",
          jwtsso_view_make("[1]", 3, "alice", 2048, &v, scratch, slen, NULL,
                           0) == JWTSSO_R_BAD_PAYLOAD
          && jwtsso_view_make("{\"a\":1,\"a\":2}", 13, "alice", 2048, &v,
                              scratch, slen, NULL, 0)
             == JWTSSO_R_BAD_PAYLOAD);
    CHECK("view_no_payload",
          jwtsso_view_make(NULL, 0, "alice", 2048, &v, scratch, slen, NULL,
                           0) == JWTSSO_OK
          && v.nclaims == 0 && strcmp(v.claims_json, "{}") == 0);
    /* a tight budget: the user claim is kept, in its place, first */
    CHECK("view_budget_keeps_user",
          jwtsso_view_make(payload, sizeof(payload) - 1, "alice", 12, &v,
                           scratch, slen, dropped, sizeof(dropped))
          == JWTSSO_OK && v.nclaims == 1
          && strcmp(v.claims[0].name, "sub") == 0
          && strcmp(v.claims_json, "{\"sub\":\"alice\"}") == 0
          && strncmp(dropped, "name,groups,big", 15) == 0);
    free(scratch);
    test_view_result();

    /* many members: the scan's array comes from the scratch too */
    big = malloc(8 * 1000 + 16);
    if (big != NULL) {
        char *p = big;

        *p++ = '{';
        for (i = 0; i < 1000; i++) {
            p += sprintf(p, "%s\"%03u\":%u", i ? "," : "", (unsigned)i,
                         (unsigned)i % 10);
        }
        *p++ = '}';
        slen = jwtsso_view_scratch_len((size_t)(p - big));
        scratch = malloc(slen);
        CHECK("view_many_members",
              scratch != NULL
              && jwtsso_view_make(big, (size_t)(p - big), NULL, 1 << 20, &v,
                                  scratch, slen, NULL, 0) == JWTSSO_OK
              && v.nclaims == 1000
              && strcmp(v.claims[999].name, "999") == 0
              && strcmp(v.claims[999].value, "9") == 0);
        free(scratch);
        free(big);
    }
}

/* ---------------------------------------------------------------------
 * strict JSON (DESIGN §3), through the public verify path: header and
 * payload are read by json.c (Jansson with JSON_REJECT_DUPLICATES, and a
 * raw NUL, a non-object and a nesting deeper than 64 refused)
 */

/* An HS256 token over header and payload of the given lengths (raw NULs
 * and all), MAC'd with SECRET. */
static char *sign_bytes(const char *h, size_t hlen, const char *p,
                        size_t plen)
{
    unsigned char mac[32];
    char *tok = malloc(jwtsso_b64url_encoded_len(hlen)
                       + jwtsso_b64url_encoded_len(plen) + 48);
    size_t n;

    if (tok == NULL) {
        return NULL;
    }
    n = jwtsso_b64url_encode((const unsigned char *)h, hlen, tok);
    tok[n++] = '.';
    n += jwtsso_b64url_encode((const unsigned char *)p, plen, tok + n);
    hmac(SECRET, strlen(SECRET), tok, n, mac);
    tok[n++] = '.';
    jwtsso_b64url_encode(mac, sizeof(mac), tok + n);
    return tok;
}

/* "{" depth-1 arrays deep around 1, in a payload "a" member. */
static char *deep_payload(int depth)
{
    char *p = malloc(2 * (size_t)depth + 128), *s = p;
    int i;

    s += sprintf(s, "{\"sub\":\"a\",\"iat\":1700000000,\"a\":");
    for (i = 1; i < depth; i++) {
        *s++ = '[';
    }
    *s++ = '1';
    for (i = 1; i < depth; i++) {
        *s++ = ']';
    }
    strcpy(s, "}");
    return p;
}

#define T "\"iat\":1700000000,\"exp\":1700000600"
#define JROW(name, text, want) { name, text, sizeof(text) - 1, want }

static void test_strict_json(void)
{
    static const struct {
        const char *name, *text;
        size_t len;
        jwtsso_reason_t want;
    } payloads[] = {
        JROW("json_ok", "{\"sub\":\"a\"," T "}", JWTSSO_OK),
        JROW("json_whitespace_around_ok",
             " \t\r\n{ \"sub\" : \"a\" , " T " }\r\n ", JWTSSO_OK),
        JROW("json_dup_plain", "{\"sub\":\"a\"," T ",\"x\":1,\"x\":2}",
             JWTSSO_R_DUPLICATE_MEMBER),
        JROW("json_dup_after_escape",
             "{\"sub\":\"a\"," T ",\"x\":1,\"\\u0078\":2}",
             JWTSSO_R_DUPLICATE_MEMBER),
        JROW("json_dup_user_claim_escaped",
             "{\"sub\":\"a\",\"s\\u0075b\":\"admin\"," T "}",
             JWTSSO_R_DUPLICATE_MEMBER),
        JROW("json_dup_exp_escaped",
             "{\"sub\":\"a\"," T ",\"\\u0065xp\":9999999999}",
             JWTSSO_R_DUPLICATE_MEMBER),
        JROW("json_dup_utf8_vs_escape",
             "{\"sub\":\"a\"," T ",\"\xc3\xa9\":1,\"\\u00e9\":2}",
             JWTSSO_R_DUPLICATE_MEMBER),
        JROW("json_dup_surrogate_pair",
             "{\"sub\":\"a\"," T ",\"\xf0\x9f\x98\x80\":1,"
             "\"\\ud83d\\ude00\":2}", JWTSSO_R_DUPLICATE_MEMBER),
        JROW("json_dup_in_array",
             "{\"sub\":\"a\"," T ",\"a\":[{\"x\":1,\"x\":2}]}",
             JWTSSO_R_DUPLICATE_MEMBER),
        JROW("json_dup_depth3",
             "{\"sub\":\"a\"," T ",\"a\":{\"b\":{\"c\":1,\"c\":2}}}",
             JWTSSO_R_DUPLICATE_MEMBER),
        JROW("json_same_name_siblings_ok",
             "{\"sub\":\"a\"," T ",\"a\":{\"x\":1},\"b\":{\"x\":1}}",
             JWTSSO_OK),
        JROW("json_escaped_names_ok",
             "{\"s\\u0075b\":\"a\",\"\\u0069at\":1700000000,"
             "\"e\\u0078p\":1700000600}", JWTSSO_OK),
        JROW("json_nul_escape_in_name",
             "{\"sub\":\"a\"," T ",\"a\\u0000b\":1}", JWTSSO_R_BAD_PAYLOAD),
        JROW("json_nul_escape_in_value",
             "{\"sub\":\"a\"," T ",\"a\":\"\\u0000\"}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_raw_nul_after_object", "{\"sub\":\"a\"," T "}\0",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_raw_nul_after_number", "{\"sub\":\"a\"," T ",\"n\":1\0}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_raw_nul_after_literal",
             "{\"sub\":\"a\"," T ",\"n\":true\0}", JWTSSO_R_BAD_PAYLOAD),
        JROW("json_raw_nul_in_string", "{\"sub\":\"a\0b\"," T "}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_non_object_array", "[{\"sub\":\"a\"," T "}]",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_non_object_string", "\"sub\"", JWTSSO_R_BAD_PAYLOAD),
        JROW("json_non_object_number", "1700000000", JWTSSO_R_BAD_PAYLOAD),
        JROW("json_non_object_null", "null", JWTSSO_R_BAD_PAYLOAD),
        JROW("json_only_whitespace", " \n", JWTSSO_R_BAD_PAYLOAD),
        JROW("json_int_over_long_long",
             "{\"sub\":\"a\"," T ",\"n\":9223372036854775808}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_int_min_ok",
             "{\"sub\":\"a\"," T ",\"n\":-9223372036854775808}", JWTSSO_OK),
        JROW("json_exp_over_long_long",
             "{\"sub\":\"a\",\"iat\":1700000000,"
             "\"exp\":99999999999999999999}", JWTSSO_R_BAD_PAYLOAD),
        JROW("json_real_over_double",
             "{\"sub\":\"a\"," T ",\"n\":1e400}", JWTSSO_R_BAD_PAYLOAD),
        JROW("json_real_over_double_negative",
             "{\"sub\":\"a\"," T ",\"n\":-1.5E+309}", JWTSSO_R_BAD_PAYLOAD),
        JROW("json_exp_real_beyond_2_53",
             "{\"sub\":\"a\",\"iat\":1700000000,\"exp\":1e300}",
             JWTSSO_R_CLAIM_TYPE),
        JROW("json_exp_real_exponent_ok",
             "{\"sub\":\"a\",\"iat\":1.7e9,\"exp\":17000006e2}", JWTSSO_OK),
        JROW("json_exp_real_fraction_ok",
             "{\"sub\":\"a\",\"iat\":1700000000.5,\"exp\":1700000600.25}",
             JWTSSO_OK),
        JROW("json_trailing_garbage", "{\"sub\":\"a\"," T "} x",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_trailing_comma", "{\"sub\":\"a\"," T ",}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_two_values", "{\"sub\":\"a\"," T "}{}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_bom", "\xef\xbb\xbf{\"sub\":\"a\"," T "}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_single_quotes", "{'sub':'a'," T "}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_comment", "{\"sub\":\"a\",/* x */" T "}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_leading_zero", "{\"sub\":\"a\"," T ",\"n\":01}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_raw_control_char", "{\"sub\":\"a\tb\"," T "}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_bad_utf8", "{\"sub\":\"a\xc3\"," T "}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_overlong_utf8", "{\"sub\":\"\xc0\xaf\"," T "}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_lone_surrogate_escape", "{\"sub\":\"\\ud83d\"," T "}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_bad_escape", "{\"sub\":\"\\x41\"," T "}",
             JWTSSO_R_BAD_PAYLOAD),
        JROW("json_unterminated", "{\"sub\":\"a\"," T,
             JWTSSO_R_BAD_PAYLOAD),
    };
    static const struct {
        const char *name, *text;
        size_t len;
        jwtsso_reason_t want;
    } headers[] = {
        JROW("json_header_dup_after_escape",
             "{\"alg\":\"HS256\",\"\\u0061lg\":\"HS256\"}",
             JWTSSO_R_DUPLICATE_MEMBER),
        JROW("json_header_alg_escaped_ok",
             "{\"\\u0061lg\":\"HS\\u00325\\u0036\"}", JWTSSO_OK),
        JROW("json_header_alg_none_escaped", "{\"alg\":\"\\u006eone\"}",
             JWTSSO_R_ALG_NONE),
        JROW("json_header_raw_nul", "{\"alg\":\"HS256\"}\0",
             JWTSSO_R_BAD_HEADER),
        JROW("json_header_string", "\"HS256\"", JWTSSO_R_BAD_HEADER),
        JROW("json_header_number_over_double",
             "{\"alg\":\"HS256\",\"x\":1e400}", JWTSSO_R_BAD_HEADER),
        JROW("json_header_bom", "\xef\xbb\xbf{\"alg\":\"HS256\"}",
             JWTSSO_R_BAD_HEADER),
    };
    static const char good[] = "{\"sub\":\"a\"," T "}";
    jwtsso_policy_t pol = policy();
    char *p;
    size_t i;

    for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
        expect(payloads[i].name, &pol,
               sign_bytes(H256, strlen(H256), payloads[i].text,
                          payloads[i].len), payloads[i].want);
    }
    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        expect(headers[i].name, &pol,
               sign_bytes(headers[i].text, headers[i].len, good,
                          sizeof(good) - 1), headers[i].want);
    }
    /* nesting: the top-level object is depth 1 */
    p = deep_payload(64);
    expect("json_depth_64_ok", &pol, sign(H256, p), JWTSSO_OK);
    free(p);
    p = deep_payload(65);
    expect("json_depth_65", &pol, sign(H256, p), JWTSSO_R_BAD_PAYLOAD);
    free(p);
    p = deep_payload(3000);
    expect("json_depth_3000", &pol, sign(H256, p), JWTSSO_R_BAD_PAYLOAD);
    free(p);
}

#undef T
#undef JROW

static void test_fixtures(const char *dir)
{
    fixture(dir, "node_hs256.jwt", 60, "alice", JWTSSO_OK);
    fixture(dir, "node_hs256.jwt", -1, "alice", JWTSSO_OK);
    fixture(dir, "node_hs384.jwt", 60, "alice", JWTSSO_OK);
    fixture(dir, "node_hs512.jwt", 60, "alice", JWTSSO_OK);
    fixture(dir, "node_expired.jwt", 60, NULL, JWTSSO_R_EXPIRED);
    fixture(dir, "node_expired.jwt", -1, NULL, JWTSSO_R_EXPIRED);
    fixture(dir, "py_hs256.jwt", -1, "bob", JWTSSO_OK);
    fixture(dir, "py_hs512.jwt", -1, "bob", JWTSSO_OK);
    fixture(dir, "py_hs256.jwt", 60, NULL, JWTSSO_R_NO_IAT);
    fixture(dir, "py_hs512.jwt", 60, NULL, JWTSSO_R_NO_IAT);
}

/* The last-seen entry (JWTSSOSessionInactivity): bound to the key, the
 * sid and its time; what we write, and nothing else, checks. */
static void test_record_seen(void)
{
    jwtsso_mackey_t *k, *k2;
    char e[JWTSSO_RECORD_SEEN_MAX], x[JWTSSO_RECORD_SEEN_MAX + 8];
    long long t = 0;
    size_t n;
    char *dot;

    k = jwtsso_record_key_new((const unsigned char *)MATERIAL,
                              strlen(MATERIAL));
    k2 = jwtsso_record_key_new((const unsigned char *)"other material", 14);
    CHECK("seen_make", k && k2
          && jwtsso_record_seen_make(k, "sid-1", 1700000123LL, e) == 0
          && !strncmp(e, "s1.1700000123.", 14) && strlen(e) == 14 + 43);
    CHECK("seen_check_ok",
          jwtsso_record_seen_check(k, "sid-1", e, strlen(e), &t) == JWTSSO_OK
          && t == 1700000123LL);
    CHECK("seen_other_sid", jwtsso_record_seen_check(k, "sid-2", e,
          strlen(e), &t) == JWTSSO_R_RECORD_BAD_MAC);
    CHECK("seen_other_key", jwtsso_record_seen_check(k2, "sid-1", e,
          strlen(e), &t) == JWTSSO_R_RECORD_BAD_MAC);
    strcpy(x, e);
    x[12] = '4';                                /* ...124: a later time */
    CHECK("seen_edited_time", jwtsso_record_seen_check(k, "sid-1", x,
          strlen(x), &t) == JWTSSO_R_RECORD_BAD_MAC);
    /* the same digits spelled otherwise: malformed, not another time */
    snprintf(x, sizeof(x), "s1.0%s", e + 3);
    CHECK("seen_leading_zero", jwtsso_record_seen_check(k, "sid-1", x,
          strlen(x), &t) == JWTSSO_R_RECORD_MALFORMED);
    snprintf(x, sizeof(x), "s1.-%s", e + 3);
    CHECK("seen_sign", jwtsso_record_seen_check(k, "sid-1", x, strlen(x),
          &t) == JWTSSO_R_RECORD_MALFORMED);
    n = strlen(e);
    CHECK("seen_short", jwtsso_record_seen_check(k, "sid-1", e, n - 1, &t)
          == JWTSSO_R_RECORD_MALFORMED
          && jwtsso_record_seen_check(k, "sid-1", "", 0, &t)
             == JWTSSO_R_RECORD_MALFORMED
          && jwtsso_record_seen_check(k, "sid-1", NULL, 0, &t)
             == JWTSSO_R_RECORD_MALFORMED);
    dot = strrchr(e, '.');
    CHECK("seen_no_digits", dot && jwtsso_record_seen_check(k, "sid-1", dot - 3,
          strlen(dot - 3), &t) == JWTSSO_R_RECORD_MALFORMED);
    snprintf(x, sizeof(x), "s1.1234567890123456789%s", dot);
    CHECK("seen_too_long", jwtsso_record_seen_check(k, "sid-1", x, strlen(x),
          &t) == JWTSSO_R_RECORD_MALFORMED);
    CHECK("seen_null_args", jwtsso_record_seen_make(NULL, "s", 1, e) == -1
          && jwtsso_record_seen_make(k, NULL, 1, e) == -1
          && jwtsso_record_seen_check(NULL, "s", e, n, &t)
             == JWTSSO_R_INTERNAL);
    jwtsso_record_key_free(k);
    jwtsso_record_key_free(k2);
}

int main(int argc, char **argv)
{
    const char *dir;
    int r, all = 1;

    keys = jwtsso_keyset_new();
    if (keys == NULL
        || jwtsso_keyset_add_hmac(keys, NULL, (const unsigned char *)SECRET,
                                  strlen(SECRET)) != 0) {
        fprintf(stderr, "cannot make the test key set\n");
        return 2;
    }
    test_reasons();
    test_b64url();
    test_rfc4231();
    test_rfc7515_a1();
    test_shape();
    test_header();
    test_signature();
    test_payload();
    test_claims();
    test_user_claim_roles();
    test_kidless_bound();
    test_typ();
    test_record();
    test_record_seen();
    test_mac_bits();
    test_view();
    test_strict_json();
    for (r = 0; r < JWTSSO_R__COUNT; r++) {
        if (!seen[r]) {
            NOTE("no test expects %s", jwtsso_reason_name(r));
            all = 0;
        }
    }
    CHECK("every_reason_tested", all);
    dir = unit_fixtures(argc, argv, "tokens of jsonwebtoken and PyJWT");
    if (dir != NULL) {
        test_fixtures(dir);
    }
    jwtsso_keyset_free(keys);
    return unit_done();
}
