/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * test_sign.c - unit tests of sign.c (the signer of jwtsso-issuer and
 * jwtsso-token), linking only the core: every alg signed and verified by
 * the core's own verification, from the key's PEM and from the JWK the
 * signer exports; the header; the keys and algs refused; ES signatures
 * as R || S of the exact size. Keys are made here (EVP_PKEY_Q_keygen):
 * no fixtures needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "jwtsso.h"
#include "unit.h"

#define SECRET "jwtsso-unit-test-secret-0123456789abcdef"

static long long now;

/* PEM text of pkey (malloc'ed): form 'p' PKCS#8, 't' traditional, 'u'
 * public (SubjectPublicKeyInfo), 'e' encrypted PKCS#8. */
static char *pem_of(EVP_PKEY *pkey, char form, size_t *len)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL, *out = NULL;
    long n;
    int ok = 0;

    switch (form) {
    case 'p':
        ok = PEM_write_bio_PrivateKey(b, pkey, NULL, NULL, 0, NULL, NULL);
        break;
    case 't':
        ok = PEM_write_bio_PrivateKey_traditional(b, pkey, NULL, NULL, 0,
                                                  NULL, NULL);
        break;
    case 'u':
        ok = PEM_write_bio_PUBKEY(b, pkey);
        break;
    case 'e':
        ok = PEM_write_bio_PKCS8PrivateKey(b, pkey, EVP_aes_256_cbc(),
                                           "unit", 4, NULL, NULL);
        break;
    default:
        break;
    }
    n = BIO_get_mem_data(b, &data);
    if (ok && n > 0 && (out = malloc((size_t)n + 1)) != NULL) {
        memcpy(out, data, (size_t)n);
        out[n] = '\0';
        *len = (size_t)n;
    }
    BIO_free(b);
    return out;
}

typedef struct {
    const char *name;       /* for the check names */
    EVP_PKEY *pkey;
    char *pem, *pub;        /* PKCS#8 private, SubjectPublicKeyInfo */
    size_t pem_len, pub_len;
} key_t_;

static int key_make(key_t_ *k, const char *name, EVP_PKEY *pkey)
{
    k->name = name;
    k->pkey = pkey;
    k->pem = pkey != NULL ? pem_of(pkey, 'p', &k->pem_len) : NULL;
    k->pub = pkey != NULL ? pem_of(pkey, 'u', &k->pub_len) : NULL;
    return k->pem != NULL && k->pub != NULL;
}

static void key_free(key_t_ *k)
{
    EVP_PKEY_free(k->pkey);
    free(k->pem);
    free(k->pub);
}

enum { K_RSA, K_P256, K_P384, K_P521, K_ED25519, K_N };
static key_t_ keys[K_N];

/* The key that signs alg. */
static key_t_ *key_for(jwtsso_alg_t alg)
{
    switch (alg) {
    case JWTSSO_ALG_ES256:
        return &keys[K_P256];
    case JWTSSO_ALG_ES384:
        return &keys[K_P384];
    case JWTSSO_ALG_ES512:
        return &keys[K_P521];
    case JWTSSO_ALG_EDDSA:
        return &keys[K_ED25519];
    default:
        return &keys[K_RSA];
    }
}

static char *payload(const char *sub)
{
    static char buf[256];

    snprintf(buf, sizeof(buf), "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld}",
             sub, now, now + 60);
    return buf;
}

/* Verify token against ks with the module's defaults (algs: the set's). */
static jwtsso_reason_t verify(const jwtsso_keyset_t *ks, const char *token,
                              unsigned algs, jwtsso_result_t *res)
{
    jwtsso_policy_t pol;

    memset(&pol, 0, sizeof(pol));
    pol.algs = algs;
    pol.max_age = 60;
    pol.skew = 5;
    memset(res, 0, sizeof(*res));
    return jwtsso_jws_verify(ks, &pol, token, token != NULL
                             ? strlen(token) : 0, now, res);
}

/* The decoded header of token as a Jansson object, or NULL. */
static json_t *header_of(const char *token)
{
    unsigned char buf[512];
    const char *dot = strchr(token, '.');
    size_t len = 0;

    if (dot == NULL || (size_t)(dot - token) > 600
        || jwtsso_b64url_decode(token, (size_t)(dot - token), buf,
                                &len) != 0) {
        return NULL;
    }
    return json_loadb((const char *)buf, len, 0, NULL);
}

/* The length of token's decoded signature, or 0. */
static size_t sig_len(const char *token)
{
    unsigned char buf[1024];
    const char *dot = strrchr(token, '.');
    size_t len = 0;

    if (dot == NULL || strlen(dot + 1) > 1300
        || jwtsso_b64url_decode(dot + 1, strlen(dot + 1), buf, &len) != 0) {
        return 0;
    }
    return len;
}

/* One alg: sign with kid, verify by the PEM public key and by the JWK. */
static void test_round_trip(jwtsso_alg_t alg)
{
    char name[128], *token = NULL, *jwk = NULL, *jwks = NULL;
    const char *an = jwtsso_alg_name(alg);
    jwtsso_signer_t *s = NULL;
    jwtsso_keyset_t *ks;
    jwtsso_result_t res;
    jwtsso_keyerr_t ke;
    json_t *h;
    key_t_ *k = key_for(alg);

    if (alg <= JWTSSO_ALG_HS512) {
        s = jwtsso_sign_new_hmac(alg, (const unsigned char *)SECRET,
                                 strlen(SECRET), "k1");
    }
    else {
        ke = jwtsso_sign_new_pem(k->pem, k->pem_len, "k1", alg, &s);
        snprintf(name, sizeof(name), "%s_new_pem", an);
        CHECK(name, ke == JWTSSO_KEY_OK);
    }
    snprintf(name, sizeof(name), "%s_signer", an);
    if (!CHECK(name, s != NULL && jwtsso_sign_alg(s) == alg)) {
        jwtsso_sign_free(s);
        return;
    }
    token = jwtsso_sign_token(s, payload("alice"));
    snprintf(name, sizeof(name), "%s_token", an);
    CHECK(name, token != NULL);
    h = token != NULL ? header_of(token) : NULL;
    snprintf(name, sizeof(name), "%s_header_alg_typ_kid", an);
    CHECK(name, h != NULL && json_object_size(h) == 3
          && strcmp(json_string_value(json_object_get(h, "alg")), an) == 0
          && strcmp(json_string_value(json_object_get(h, "typ")), "JWT") == 0
          && strcmp(json_string_value(json_object_get(h, "kid")), "k1") == 0);
    json_decref(h);

    ks = jwtsso_keyset_new();
    if (alg <= JWTSSO_ALG_HS512) {
        jwtsso_keyset_add_hmac(ks, "k1", (const unsigned char *)SECRET,
                               strlen(SECRET));
    }
    else {
        jwtsso_pkey_add(ks, "k1", k->pub, k->pub_len, NULL);
    }
    snprintf(name, sizeof(name), "%s_verifies_by_pem", an);
    CHECK(name, verify(ks, token, 0, &res) == JWTSSO_OK && res.alg == alg
          && strcmp(res.kid, "k1") == 0 && res.user != NULL
          && strcmp(res.user, "alice") == 0);
    jwtsso_jws_result_clear(&res);
    jwtsso_keyset_free(ks);

    jwk = jwtsso_sign_jwk(s);
    snprintf(name, sizeof(name), "%s_jwk", an);
    if (alg <= JWTSSO_ALG_HS512) {
        CHECK(name, jwk == NULL);
    }
    else if (CHECK(name, jwk != NULL && strstr(jwk, "\"d\"") == NULL
                   && strstr(jwk, "\"use\":\"sig\"") != NULL
                   && strstr(jwk, "\"kid\":\"k1\"") != NULL)) {
        size_t jlen = strlen(jwk) + 16;

        jwks = malloc(jlen);
        if (jwks == NULL) {
            abort();
        }
        snprintf(jwks, jlen, "{\"keys\":[%s]}", jwk);
        ks = jwtsso_keyset_new();
        snprintf(name, sizeof(name), "%s_jwk_loads", an);
        CHECK(name, jwtsso_jwks_add(ks, jwks, strlen(jwks), 0, NULL, NULL)
                    == JWTSSO_KEY_OK);
        snprintf(name, sizeof(name), "%s_verifies_by_jwk", an);
        CHECK(name, verify(ks, token, 0, &res) == JWTSSO_OK && res.alg == alg);
        jwtsso_jws_result_clear(&res);
        jwtsso_keyset_free(ks);
    }
    free(jwks);
    free(jwk);
    free(token);
    jwtsso_sign_free(s);
}

/* RFC 7518 §3.4: R || S, each the coordinate size, whatever leading
 * zeros R or S has: many signatures, each the exact length and valid. */
static void test_es_lengths(void)
{
    static const struct {
        jwtsso_alg_t alg;
        size_t len;
    } es[] = {
        { JWTSSO_ALG_ES256, 64 }, { JWTSSO_ALG_ES384, 96 },
        { JWTSSO_ALG_ES512, 132 },
    };
    char name[64], *token;
    jwtsso_signer_t *s = NULL;
    jwtsso_keyset_t *ks;
    jwtsso_result_t res;
    size_t i;
    int n, ok;
    key_t_ *k;

    for (i = 0; i < sizeof(es) / sizeof(es[0]); i++) {
        k = key_for(es[i].alg);
        jwtsso_sign_new_pem(k->pem, k->pem_len, NULL, JWTSSO_ALG_UNKNOWN, &s);
        ks = jwtsso_keyset_new();
        jwtsso_pkey_add(ks, NULL, k->pub, k->pub_len, NULL);
        ok = s != NULL && jwtsso_sign_alg(s) == es[i].alg;
        for (n = 0; ok && n < 300; n++) {
            token = jwtsso_sign_token(s, payload("bob"));
            ok = token != NULL && sig_len(token) == es[i].len
                 && verify(ks, token, 0, &res) == JWTSSO_OK;
            jwtsso_jws_result_clear(&res);
            free(token);
        }
        snprintf(name, sizeof(name), "es_sig_len_%u_x300",
                 (unsigned)es[i].len);
        CHECK(name, ok);
        jwtsso_keyset_free(ks);
        jwtsso_sign_free(s);
        s = NULL;
    }
}

/* alg UNKNOWN picks the key's first; the algs a key allows. */
static void test_defaults(void)
{
    static const struct {
        int key;
        jwtsso_alg_t alg;
        unsigned algs;
    } d[] = {
        { K_RSA, JWTSSO_ALG_RS256, 0 },
        { K_P256, JWTSSO_ALG_ES256, JWTSSO_ALGBIT(JWTSSO_ALG_ES256) },
        { K_P384, JWTSSO_ALG_ES384, JWTSSO_ALGBIT(JWTSSO_ALG_ES384) },
        { K_P521, JWTSSO_ALG_ES512, JWTSSO_ALGBIT(JWTSSO_ALG_ES512) },
        { K_ED25519, JWTSSO_ALG_EDDSA, JWTSSO_ALGBIT(JWTSSO_ALG_EDDSA) },
    };
    unsigned rsa = 0;
    jwtsso_signer_t *s;
    char name[64];
    size_t i;
    int a;

    for (a = JWTSSO_ALG_RS256; a <= JWTSSO_ALG_PS512; a++) {
        rsa |= JWTSSO_ALGBIT(a);
    }
    for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
        s = NULL;
        jwtsso_sign_new_pem(keys[d[i].key].pem, keys[d[i].key].pem_len, NULL,
                            JWTSSO_ALG_UNKNOWN, &s);
        snprintf(name, sizeof(name), "default_alg_%s", keys[d[i].key].name);
        CHECK(name, s != NULL && jwtsso_sign_alg(s) == d[i].alg
              && jwtsso_sign_algs(s) == (d[i].algs ? d[i].algs : rsa));
        jwtsso_sign_free(s);
    }
    s = jwtsso_sign_new_hmac(JWTSSO_ALG_HS384, (const unsigned char *)"x", 1,
                             NULL);
    CHECK("hmac_algs", s != NULL && jwtsso_sign_algs(s) == JWTSSO_ALGS_HMAC
          && jwtsso_sign_alg(s) == JWTSSO_ALG_HS384);
    jwtsso_sign_free(s);
}

/* A key that cannot sign alg, and what no signer is made of. */
static void test_refused(void)
{
    static const struct {
        int key;
        jwtsso_alg_t alg;
    } mis[] = {
        { K_RSA, JWTSSO_ALG_ES256 }, { K_RSA, JWTSSO_ALG_HS256 },
        { K_RSA, JWTSSO_ALG_EDDSA }, { K_P256, JWTSSO_ALG_ES384 },
        { K_P384, JWTSSO_ALG_RS256 }, { K_P521, JWTSSO_ALG_ES256 },
        { K_ED25519, JWTSSO_ALG_RS256 }, { K_ED25519, JWTSSO_ALG_ES256 },
        { K_P256, (jwtsso_alg_t)99 },
    };
    jwtsso_signer_t *s;
    char name[64];
    size_t i;

    for (i = 0; i < sizeof(mis) / sizeof(mis[0]); i++) {
        s = (jwtsso_signer_t *)&s;
        snprintf(name, sizeof(name), "alg_mismatch_%s_%d",
                 keys[mis[i].key].name, (int)mis[i].alg);
        CHECK(name, jwtsso_sign_new_pem(keys[mis[i].key].pem,
                                        keys[mis[i].key].pem_len, NULL,
                                        mis[i].alg, &s)
                    == JWTSSO_KEY_ALG_MISMATCH && s == NULL);
    }
    CHECK("hmac_with_rs256_refused",
          jwtsso_sign_new_hmac(JWTSSO_ALG_RS256, (const unsigned char *)SECRET,
                               strlen(SECRET), NULL) == NULL);
    CHECK("hmac_unknown_refused",
          jwtsso_sign_new_hmac(JWTSSO_ALG_UNKNOWN,
                               (const unsigned char *)SECRET, strlen(SECRET),
                               NULL) == NULL);
    CHECK("hmac_empty_secret_refused",
          jwtsso_sign_new_hmac(JWTSSO_ALG_HS256, (const unsigned char *)"", 0,
                               NULL) == NULL
          && jwtsso_sign_new_hmac(JWTSSO_ALG_HS256, NULL, 5, NULL) == NULL);
    for (i = 0; i < K_N; i++) {
        s = (jwtsso_signer_t *)&s;
        snprintf(name, sizeof(name), "public_pem_refused_%s", keys[i].name);
        CHECK(name, jwtsso_sign_new_pem(keys[i].pub, keys[i].pub_len, NULL,
                                        JWTSSO_ALG_UNKNOWN, &s)
                    == JWTSSO_KEY_NOT_PEM && s == NULL);
    }
    CHECK("garbage_refused",
          jwtsso_sign_new_pem("not a key\n", 10, NULL, JWTSSO_ALG_UNKNOWN, &s)
          == JWTSSO_KEY_NOT_PEM && s == NULL);
    CHECK("empty_refused",
          jwtsso_sign_new_pem("", 0, NULL, JWTSSO_ALG_UNKNOWN, &s)
          == JWTSSO_KEY_NOT_PEM && s == NULL);
    CHECK("kid_not_utf8_refused",
          jwtsso_sign_new_pem(keys[K_P256].pem, keys[K_P256].pem_len,
                              "k\xff", JWTSSO_ALG_UNKNOWN, &s)
          == JWTSSO_KEY_BAD_JWK && s == NULL
          && jwtsso_sign_new_hmac(JWTSSO_ALG_HS256,
                                  (const unsigned char *)SECRET,
                                  strlen(SECRET), "k\xff") == NULL);
    CHECK("null_out_refused",
          jwtsso_sign_new_pem(keys[K_RSA].pem, keys[K_RSA].pem_len, NULL,
                              JWTSSO_ALG_UNKNOWN, NULL) == JWTSSO_KEY_INTERNAL);
    CHECK("null_signer",
          jwtsso_sign_token(NULL, "{}") == NULL && jwtsso_sign_jwk(NULL) == NULL
          && jwtsso_sign_alg(NULL) == JWTSSO_ALG_UNKNOWN
          && jwtsso_sign_algs(NULL) == 0);
}

/* Keys of a kind verification refuses are refused for signing too. */
static void test_refused_keys(void)
{
    static const struct {
        const char *name, *type, *arg;
        size_t bits;
        jwtsso_keyerr_t want;
    } bad[] = {
        { "rsa1024", "RSA", NULL, 1024, JWTSSO_KEY_RSA_TOO_SMALL },
        { "secp256k1", "EC", "secp256k1", 0, JWTSSO_KEY_BAD_CURVE },
        { "ed448", "ED448", NULL, 0, JWTSSO_KEY_BAD_CURVE },
        { "x25519", "X25519", NULL, 0, JWTSSO_KEY_UNSUPPORTED },
    };
    jwtsso_signer_t *s;
    EVP_PKEY *pkey;
    char name[64], *pem;
    size_t i, len = 0;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (bad[i].bits > 0) {
            pkey = EVP_PKEY_Q_keygen(NULL, NULL, bad[i].type, bad[i].bits);
        }
        else if (bad[i].arg != NULL) {
            pkey = EVP_PKEY_Q_keygen(NULL, NULL, bad[i].type, bad[i].arg);
        }
        else {
            pkey = EVP_PKEY_Q_keygen(NULL, NULL, bad[i].type);
        }
        pem = pkey != NULL ? pem_of(pkey, 'p', &len) : NULL;
        s = NULL;
        snprintf(name, sizeof(name), "refused_%s", bad[i].name);
        CHECK(name, pem != NULL
              && jwtsso_sign_new_pem(pem, len, NULL, JWTSSO_ALG_UNKNOWN, &s)
                 == bad[i].want && s == NULL);
        free(pem);
        EVP_PKEY_free(pkey);
    }
    pem = pem_of(keys[K_ED25519].pkey, 'e', &len);
    s = NULL;
    CHECK("refused_encrypted", pem != NULL
          && jwtsso_sign_new_pem(pem, len, NULL, JWTSSO_ALG_UNKNOWN, &s)
             == JWTSSO_KEY_UNSUPPORTED && s == NULL);
    free(pem);
}

/* "RSA PRIVATE KEY" and "EC PRIVATE KEY" sign as PKCS#8 does; no kid,
 * no kid member. */
static void test_traditional(void)
{
    static const int which[] = { K_RSA, K_P256 };
    jwtsso_signer_t *s;
    jwtsso_keyset_t *ks;
    jwtsso_result_t res;
    char name[64], *pem, *token, *jwk;
    json_t *h;
    size_t i, len = 0;

    for (i = 0; i < 2; i++) {
        pem = pem_of(keys[which[i]].pkey, 't', &len);
        s = NULL;
        snprintf(name, sizeof(name), "traditional_pem_%s",
                 keys[which[i]].name);
        CHECK(name, pem != NULL && strstr(pem, i == 0 ? "RSA PRIVATE KEY"
                                                      : "EC PRIVATE KEY")
              && jwtsso_sign_new_pem(pem, len, NULL, JWTSSO_ALG_UNKNOWN, &s)
                 == JWTSSO_KEY_OK);
        token = jwtsso_sign_token(s, payload("carol"));
        jwk = jwtsso_sign_jwk(s);
        h = token != NULL ? header_of(token) : NULL;
        ks = jwtsso_keyset_new();
        jwtsso_pkey_add(ks, NULL, keys[which[i]].pub, keys[which[i]].pub_len,
                        NULL);
        snprintf(name, sizeof(name), "traditional_no_kid_%s",
                 keys[which[i]].name);
        CHECK(name, h != NULL && json_object_get(h, "kid") == NULL
              && jwk != NULL && strstr(jwk, "\"kid\"") == NULL
              && verify(ks, token, 0, &res) == JWTSSO_OK
              && res.kid[0] == '\0');
        jwtsso_jws_result_clear(&res);
        json_decref(h);
        jwtsso_keyset_free(ks);
        free(jwk);
        free(token);
        free(pem);
        jwtsso_sign_free(s);
    }
}

/* What a signed token is not: another key's, another alg's. */
static void test_not_others(void)
{
    jwtsso_signer_t *s = NULL;
    jwtsso_keyset_t *ks;
    jwtsso_result_t res;
    char *token;
    EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    char *otherpub;
    size_t len = 0;

    jwtsso_sign_new_pem(keys[K_RSA].pem, keys[K_RSA].pem_len, NULL,
                        JWTSSO_ALG_PS384, &s);
    token = jwtsso_sign_token(s, payload("dave"));
    ks = jwtsso_keyset_new();
    jwtsso_pkey_add(ks, NULL, keys[K_RSA].pub, keys[K_RSA].pub_len, NULL);
    CHECK("ps384_not_on_rs256_list",
          verify(ks, token, JWTSSO_ALGBIT(JWTSSO_ALG_RS256), &res)
          == JWTSSO_R_ALG_NOT_ALLOWED);
    jwtsso_jws_result_clear(&res);
    jwtsso_keyset_free(ks);
    jwtsso_sign_free(s);
    free(token);

    s = NULL;
    jwtsso_sign_new_pem(keys[K_P256].pem, keys[K_P256].pem_len, NULL,
                        JWTSSO_ALG_UNKNOWN, &s);
    token = jwtsso_sign_token(s, payload("erin"));
    otherpub = other != NULL ? pem_of(other, 'u', &len) : NULL;
    ks = jwtsso_keyset_new();
    jwtsso_pkey_add(ks, NULL, otherpub, len, NULL);
    CHECK("other_ec_key_bad_signature",
          verify(ks, token, 0, &res) == JWTSSO_R_BAD_SIGNATURE);
    jwtsso_jws_result_clear(&res);
    jwtsso_keyset_free(ks);
    jwtsso_sign_free(s);
    free(token);
    free(otherpub);
    EVP_PKEY_free(other);

    /* the payload is signed as given: not an object, not a token */
    s = jwtsso_sign_new_hmac(JWTSSO_ALG_HS256, (const unsigned char *)SECRET,
                             strlen(SECRET), NULL);
    token = jwtsso_sign_token(s, "[1]");
    ks = jwtsso_keyset_new();
    jwtsso_keyset_add_hmac(ks, NULL, (const unsigned char *)SECRET,
                           strlen(SECRET));
    CHECK("payload_as_given", token != NULL
          && verify(ks, token, 0, &res) == JWTSSO_R_BAD_PAYLOAD);
    jwtsso_jws_result_clear(&res);
    jwtsso_keyset_free(ks);
    jwtsso_sign_free(s);
    free(token);
}

/* jwtsso_jws_sign_hmac (tests, bench) signs through a signer: the same
 * token as jwtsso_sign_token for the same header. */
static void test_jws_sign_hmac(void)
{
    jwtsso_signer_t *s = jwtsso_sign_new_hmac(JWTSSO_ALG_HS512,
                                              (const unsigned char *)SECRET,
                                              strlen(SECRET), NULL);
    char *a = jwtsso_sign_token(s, "{\"sub\":\"x\"}");
    char *b = jwtsso_jws_sign_hmac(JWTSSO_ALG_HS512,
                                   (const unsigned char *)SECRET,
                                   strlen(SECRET),
                                   "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
                                   "{\"sub\":\"x\"}");

    CHECK("jws_sign_hmac_same_token", a != NULL && b != NULL
          && strcmp(a, b) == 0);
    free(a);
    free(b);
    jwtsso_sign_free(s);
}

int main(void)
{
    int ok, a;
    size_t i;

    now = (long long)time(NULL);
    ok = key_make(&keys[K_RSA], "rsa2048",
                  EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048))
         && key_make(&keys[K_P256], "p256",
                     EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"))
         && key_make(&keys[K_P384], "p384",
                     EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"))
         && key_make(&keys[K_P521], "p521",
                     EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521"))
         && key_make(&keys[K_ED25519], "ed25519",
                     EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
    if (!CHECK("keygen", ok)) {
        return unit_done();
    }
    for (a = JWTSSO_ALG_HS256; a < JWTSSO_ALG__COUNT; a++) {
        test_round_trip((jwtsso_alg_t)a);
    }
    test_es_lengths();
    test_defaults();
    test_refused();
    test_refused_keys();
    test_traditional();
    test_not_others();
    test_jws_sign_hmac();
    for (i = 0; i < K_N; i++) {
        key_free(&keys[i]);
    }
    return unit_done();
}
