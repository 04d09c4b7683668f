/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jwks.c - keys from a JWK Set (RFC 7517 §5; jwtsso_jwks_add).
 *
 * The document is parsed once, as strictly as a token (json.c). Per key:
 * "use" other than "sig" and an unknown "kty" make us skip the key (RFC
 * 7517 §4.2, §5); otherwise every member we read must be right, or the
 * whole set is refused and nothing is added (the keys are built into a
 * set of their own first). Binary members are strict base64url (b64url.c).
 *
 *   RSA  n, e          RFC 7518 §6.3.1  -> EVP_PKEY_fromdata
 *   EC   crv, x, y     RFC 7518 §6.2.1  -> EVP_PKEY_fromdata, point checked
 *   OKP  crv, x        RFC 8037 §2      -> Ed25519 only
 *   oct  k             RFC 7518 §6.4.1  -> an HMAC secret
 *
 * "alg", when present, must be an alg we implement that fits the key, and
 * restricts the key to it; without it a key serves its family's algs and
 * no other (an RSA key never becomes an HMAC secret: libjwt
 * CVE-2026-44699). "kid" is optional and unique within the key set.
 * Private members (d, p, q, dp, dq, qi) are never read; key_ops, x5c,
 * x5t, x5u are ignored (keys come from this document only). An oct key's
 * text stays in Jansson's freed memory uncleansed: prefer files only root
 * can read for secrets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "internal.h"

/* Our HMAC secrets from JWKs are at least this long unless allow_short
 * (RFC 7518 §3.2 asks for a key as long as the hash output). */
#define OCT_MIN 32

/* The longest EC coordinate (P-521). */
#define EC_MAX 66

/* 1 if the JSON string v is exactly s. */
static int str_is(const json_t *v, const char *s)
{
    size_t n = strlen(s);

    return json_string_length(v) == n
           && memcmp(json_string_value(v), s, n) == 0;
}

/* Decode the base64url member name of jwk into a malloc'ed buffer.
 * Returns OK, BAD_JWKS (missing), BAD_JWK (not a string, not strict
 * base64url) or INTERNAL. */
static jwtsso_keyerr_t member(const json_t *jwk, const char *name,
                              unsigned char **out, size_t *len)
{
    const json_t *v = json_object_get(jwk, name);
    size_t n;

    *out = NULL;
    *len = 0;
    if (v == NULL) {
        return JWTSSO_KEY_BAD_JWKS;
    }
    if (!json_is_string(v)) {
        return JWTSSO_KEY_BAD_JWK;
    }
    n = json_string_length(v);
    *out = malloc(jwtsso_b64url_decoded_max(n) + 1);
    if (*out == NULL) {
        return JWTSSO_KEY_INTERNAL;
    }
    if (jwtsso_b64url_decode(json_string_value(v), n, *out, len) != 0) {
        free(*out);
        *out = NULL;
        return JWTSSO_KEY_BAD_JWK;
    }
    return JWTSSO_KEY_OK;
}

/* EVP_PKEY_fromdata for a public key of type with the built params.
 * Returns the key, or NULL when OpenSSL refuses the values. */
static EVP_PKEY *fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pkey = NULL;

    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params)
           != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

/* RFC 7518 §6.3.1: n and e, unsigned big-endian. A leading zero octet
 * in n, which some libraries emit, is tolerated. e must be odd and > 1. */
static jwtsso_keyerr_t rsa_key(const json_t *jwk, EVP_PKEY **out)
{
    unsigned char *n = NULL, *e = NULL;
    size_t nlen, elen;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    jwtsso_keyerr_t rv;

    rv = member(jwk, "n", &n, &nlen);
    if (rv == JWTSSO_KEY_OK) {
        rv = member(jwk, "e", &e, &elen);
    }
    if (rv != JWTSSO_KEY_OK) {
        goto done;
    }
    if (nlen == 0 || elen == 0 || elen > 8 || (e[elen - 1] & 1) == 0) {
        rv = JWTSSO_KEY_BAD_JWK;
        goto done;
    }
    bn_n = BN_bin2bn(n, (int)nlen, NULL);
    bn_e = BN_bin2bn(e, (int)elen, NULL);
    bld = OSSL_PARAM_BLD_new();
    if (bn_n == NULL || bn_e == NULL || bld == NULL
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    if (BN_is_one(bn_e)) {
        rv = JWTSSO_KEY_BAD_JWK;
        goto done;
    }
    *out = fromdata("RSA", bld);
    rv = *out != NULL ? JWTSSO_KEY_OK : JWTSSO_KEY_BAD_JWK;

done:
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    free(n);
    free(e);
    return rv;
}

/* RFC 7518 §6.2.1: crv, and x and y of exactly the curve's size. The
 * point must lie on the curve (fromdata, then key.c's public check). */
static jwtsso_keyerr_t ec_key(const json_t *jwk, EVP_PKEY **out)
{
    static const struct {
        const char *crv, *group;
        size_t size;
    } curves[] = {
        { "P-256", "prime256v1", 32 },
        { "P-384", "secp384r1", 48 },
        { "P-521", "secp521r1", 66 },
    };
    const json_t *crv = json_object_get(jwk, "crv");
    unsigned char *x = NULL, *y = NULL, pub[1 + 2 * EC_MAX];
    size_t i, xlen, ylen, size;
    OSSL_PARAM_BLD *bld = NULL;
    jwtsso_keyerr_t rv;

    if (crv == NULL) {
        return JWTSSO_KEY_BAD_JWKS;
    }
    if (!json_is_string(crv)) {
        return JWTSSO_KEY_BAD_JWK;
    }
    for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
        if (str_is(crv, curves[i].crv)) {
            break;
        }
    }
    if (i == sizeof(curves) / sizeof(curves[0])) {
        return JWTSSO_KEY_BAD_CURVE;
    }
    size = curves[i].size;
    rv = member(jwk, "x", &x, &xlen);
    if (rv == JWTSSO_KEY_OK) {
        rv = member(jwk, "y", &y, &ylen);
    }
    if (rv != JWTSSO_KEY_OK) {
        goto done;
    }
    if (xlen != size || ylen != size) {
        rv = JWTSSO_KEY_BAD_JWK;
        goto done;
    }
    /* SEC 1 §2.3.3 uncompressed point: 0x04 || x || y */
    pub[0] = 0x04;
    memcpy(pub + 1, x, size);
    memcpy(pub + 1 + size, y, size);
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL
        || OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                           curves[i].group, 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                            pub, 1 + 2 * size) != 1) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    *out = fromdata("EC", bld);
    rv = *out != NULL ? JWTSSO_KEY_OK : JWTSSO_KEY_BAD_JWK;

done:
    OSSL_PARAM_BLD_free(bld);
    free(x);
    free(y);
    return rv;
}

/* RFC 8037 §2: crv and x; of the OKP curves only Ed25519 signs JWS we
 * verify (Ed448: BAD_CURVE; X25519 and X448 are ECDH curves: BAD_CURVE
 * too, as a JWK names them by crv). */
static jwtsso_keyerr_t okp_key(const json_t *jwk, EVP_PKEY **out)
{
    const json_t *crv = json_object_get(jwk, "crv");
    unsigned char *x = NULL;
    size_t xlen;
    jwtsso_keyerr_t rv;

    if (crv == NULL) {
        return JWTSSO_KEY_BAD_JWKS;
    }
    if (!json_is_string(crv)) {
        return JWTSSO_KEY_BAD_JWK;
    }
    if (!str_is(crv, "Ed25519")) {
        return JWTSSO_KEY_BAD_CURVE;
    }
    rv = member(jwk, "x", &x, &xlen);
    if (rv != JWTSSO_KEY_OK) {
        goto done;
    }
    if (xlen != 32) {
        rv = JWTSSO_KEY_BAD_JWK;
        goto done;
    }
    *out = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, x, xlen);
    rv = *out != NULL ? JWTSSO_KEY_OK : JWTSSO_KEY_BAD_JWK;

done:
    free(x);
    return rv;
}

/* RFC 7518 §6.4.1: k, the secret. */
static jwtsso_keyerr_t oct_key(const json_t *jwk, unsigned want,
                               int allow_short, jwtsso_key_t **out)
{
    unsigned char *k = NULL;
    size_t klen = 0;
    jwtsso_keyerr_t rv;

    if (want != 0 && (want & JWTSSO_ALGS_HMAC) == 0) {
        return JWTSSO_KEY_ALG_MISMATCH;
    }
    rv = member(jwk, "k", &k, &klen);
    if (rv != JWTSSO_KEY_OK) {
        goto done;
    }
    if (klen == 0 || (klen < OCT_MIN && !allow_short)) {
        rv = JWTSSO_KEY_BAD_JWK;
        goto done;
    }
    *out = jwtsso_key_new_hmac(k, klen, want);
    rv = *out != NULL ? JWTSSO_KEY_OK : JWTSSO_KEY_INTERNAL;

done:
    if (k != NULL) {
        OPENSSL_cleanse(k, klen);
        free(k);
    }
    return rv;
}

/* The key of a JWK of type kty (RSA, EC, OKP or oct), for the algs in
 * want (0: any its type allows). */
static jwtsso_keyerr_t build(const json_t *jwk, const json_t *kty,
                             unsigned want, int allow_short,
                             jwtsso_key_t **k)
{
    EVP_PKEY *pkey = NULL;
    jwtsso_keyerr_t rv;

    if (str_is(kty, "oct")) {
        return oct_key(jwk, want, allow_short, k);
    }
    if (str_is(kty, "RSA")) {
        rv = rsa_key(jwk, &pkey);
    }
    else if (str_is(kty, "EC")) {
        rv = ec_key(jwk, &pkey);
    }
    else {
        rv = okp_key(jwk, &pkey);
    }
    if (rv == JWTSSO_KEY_OK) {
        rv = jwtsso_key_from_pkey(pkey, want, k);
    }
    EVP_PKEY_free(pkey);
    /* a key we built from a JWK that key.c finds odd (an even modulus, a
     * point failing the check) is a bad JWK */
    return rv == JWTSSO_KEY_UNSUPPORTED ? JWTSSO_KEY_BAD_JWK : rv;
}

/* One JWK: sets *out to a new key, or leaves it NULL to skip the JWK.
 * kids must be new to both ks and kept. */
static jwtsso_keyerr_t one(const json_t *jwk, int allow_short,
                           const jwtsso_keyset_t *ks,
                           const jwtsso_keyset_t *kept, jwtsso_key_t **out)
{
    const json_t *kty, *use, *alg, *kid;
    jwtsso_key_t *k = NULL;
    jwtsso_alg_t a;
    unsigned want = 0;
    jwtsso_keyerr_t rv;

    *out = NULL;
    if (!json_is_object(jwk)) {
        return JWTSSO_KEY_BAD_JWKS;
    }
    kty = json_object_get(jwk, "kty");
    use = json_object_get(jwk, "use");
    alg = json_object_get(jwk, "alg");
    kid = json_object_get(jwk, "kid");
    if (kty == NULL) {
        return JWTSSO_KEY_BAD_JWKS;
    }
    if (!json_is_string(kty) || (use != NULL && !json_is_string(use))) {
        return JWTSSO_KEY_BAD_JWK;
    }
    /* RFC 7517 §4.2: an encryption key is none of ours; §5: ignore
     * key types we do not understand. */
    if ((use != NULL && !str_is(use, "sig"))
        || !(str_is(kty, "RSA") || str_is(kty, "EC") || str_is(kty, "OKP")
             || str_is(kty, "oct"))) {
        return JWTSSO_KEY_OK;
    }
    if ((alg != NULL && !json_is_string(alg))
        || (kid != NULL && !json_is_string(kid))) {
        return JWTSSO_KEY_BAD_JWK;
    }
    if (alg != NULL) {
        /* "none", and algs we do not implement, fit no key of ours */
        a = jwtsso_alg_from_name(json_string_value(alg),
                                 json_string_length(alg));
        if (a == JWTSSO_ALG_UNKNOWN) {
            return JWTSSO_KEY_ALG_MISMATCH;
        }
        want = JWTSSO_ALGBIT(a);
    }
    if (kid != NULL
        && (jwtsso_keyset_has_kid(ks, json_string_value(kid),
                                  json_string_length(kid))
            || jwtsso_keyset_has_kid(kept, json_string_value(kid),
                                     json_string_length(kid)))) {
        return JWTSSO_KEY_DUPLICATE_KID;
    }

    rv = build(jwk, kty, want, allow_short, &k);
    if (rv == JWTSSO_KEY_OK && kid != NULL
        && jwtsso_key_set_kid(k, json_string_value(kid),
                              json_string_length(kid)) != 0) {
        rv = JWTSSO_KEY_INTERNAL;
    }
    if (rv != JWTSSO_KEY_OK) {
        jwtsso_key_free(k);
        return rv;
    }
    *out = k;
    return JWTSSO_KEY_OK;
}

/* ---------------------------------------------------------------------
 * Where a refused set is wrong (jwtsso_jwks_add_ex): worked out again
 * after the refusal, off the path of a good set.
 */
/* The members a JWK of kty reads, the common ones first. */
static const char *const *members_of(const json_t *kty)
{
    static const char *const rsa[] = { "kty", "use", "alg", "kid", "n",
                                       "e", NULL };
    static const char *const ec[] = { "kty", "use", "alg", "kid", "crv",
                                      "x", "y", NULL };
    static const char *const okp[] = { "kty", "use", "alg", "kid", "crv",
                                       "x", NULL };
    static const char *const oct[] = { "kty", "use", "alg", "kid", "k",
                                       NULL };
    static const char *const any[] = { "kty", "use", "alg", "kid", NULL };

    return str_is(kty, "RSA") ? rsa : str_is(kty, "EC") ? ec
           : str_is(kty, "OKP") ? okp : str_is(kty, "oct") ? oct : any;
}

/* 1 when the string member v is not strict base64url. */
static int not_b64url(const json_t *v)
{
    size_t n = json_string_length(v), got;
    unsigned char *buf = malloc(jwtsso_b64url_decoded_max(n) + 1);
    int bad = buf == NULL
              || jwtsso_b64url_decode(json_string_value(v), n, buf, &got);

    free(buf);
    return bad;
}

/* The member whose value makes no key, the members being there and
 * decoding, and what is wrong with it. */
static const char *bad_value(const json_t *jwk, const char **what)
{
    const json_t *kty = json_object_get(jwk, "kty");
    const json_t *e = json_object_get(jwk, "e");
    unsigned char *buf;
    size_t n, got = 0;
    int odd = 0;

    if (str_is(kty, "RSA") && e != NULL) {
        n = json_string_length(e);
        buf = malloc(jwtsso_b64url_decoded_max(n) + 1);
        if (buf != NULL
            && jwtsso_b64url_decode(json_string_value(e), n, buf, &got) == 0
            && got > 0 && got <= 8) {
            odd = buf[got - 1] & 1;
        }
        free(buf);
        *what = odd ? "is not a usable RSA modulus"
                    : "must be an odd number of at most 8 bytes";
        return odd ? "n" : "e";
    }
    if (str_is(kty, "EC")) {
        *what = "(with \"y\") is not a point of the curve: wrong size or "
                "off the curve";
        return "x";
    }
    if (str_is(kty, "OKP")) {
        *what = "is not a 32-byte Ed25519 public key";
        return "x";
    }
    if (str_is(kty, "oct")) {
        *what = "is empty or shorter than 32 bytes";
        return "k";
    }
    return NULL;
}

/* The member of jwk that rv is about, and what is wrong with it. */
static const char *blame(const json_t *jwk, jwtsso_keyerr_t rv,
                         const char **what)
{
    const char *const *m = members_of(json_object_get(jwk, "kty"));
    const json_t *v;
    size_t i;

    *what = "";
    for (i = 0; m[i] != NULL; i++) {
        v = json_object_get(jwk, m[i]);
        if (v == NULL && i != 1 && i != 2 && i != 3) {
            *what = "is missing";
            return m[i];
        }
        if (v != NULL && !json_is_string(v)) {
            *what = "is not a string";
            return m[i];
        }
        if (v != NULL && i > 3 && strcmp(m[i], "crv") && not_b64url(v)) {
            *what = "is not strict base64url (RFC 7515: no padding, "
                    "no '+' or '/')";
            return m[i];
        }
    }
    switch (rv) {
    case JWTSSO_KEY_BAD_CURVE:
        return "crv";
    case JWTSSO_KEY_ALG_MISMATCH:
        return "alg";
    case JWTSSO_KEY_DUPLICATE_KID:
        return "kid";
    case JWTSSO_KEY_RSA_TOO_SMALL:
        return "n";
    default:
        break;
    }
    /* the members are there and decode: their values are wrong */
    return bad_value(jwk, what);
}

static void say_key(jwtsso_jwks_err_t *err, const json_t *jwk,
                    jwtsso_keyerr_t rv, size_t index)
{
    const char *what, *name;

    err->index = index;
    if (!json_is_object(jwk)) {
        snprintf(err->where, sizeof(err->where), "key %lu: not a JSON "
                 "object", (unsigned long)index);
        return;
    }
    name = blame(jwk, rv, &what);
    if (name == NULL) {
        snprintf(err->where, sizeof(err->where), "key %lu",
                 (unsigned long)index);
        return;
    }
    snprintf(err->where, sizeof(err->where), "key %lu: member \"%s\"%s%s",
             (unsigned long)index, name, *what ? " " : "", what);
}

/* Why a document jwtsso_json_object refused is refused: Jansson's
 * position and text, or what our stricter reading adds. */
static void say_document(jwtsso_jwks_err_t *err, const char *json,
                         size_t len)
{
    json_error_t je;
    json_t *v;

    if (memchr(json, '\0', len) != NULL) {
        snprintf(err->where, sizeof(err->where), "a NUL byte in the text");
        return;
    }
    v = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (v == NULL) {
        /* Jansson ends its text with "near 'TEXT'", quoting the file: a
         * secret file given as a JWKS would be logged in part */
        char *near = strstr(je.text, " near ");

        if (near != NULL) {
            *near = '\0';
        }
        snprintf(err->where, sizeof(err->where), "line %d, column %d: %s",
                 je.line, je.column, je.text);
        return;
    }
    snprintf(err->where, sizeof(err->where), json_is_object(v)
             ? "nested too deep" : "the document is not a JSON object");
    json_decref(v);
}

jwtsso_keyerr_t jwtsso_jwks_add(jwtsso_keyset_t *ks, const char *json,
                                size_t len, int allow_short,
                                size_t *added, size_t *bad_index)
{
    jwtsso_jwks_err_t err;
    jwtsso_keyerr_t rv = jwtsso_jwks_add_ex(ks, json, len, allow_short,
                                            added, &err);

    if (bad_index != NULL) {
        *bad_index = err.index;
    }
    return rv;
}

jwtsso_keyerr_t jwtsso_jwks_add_ex(jwtsso_keyset_t *ks, const char *json,
                                   size_t len, int allow_short,
                                   size_t *added, jwtsso_jwks_err_t *err)
{
    json_t *doc = NULL, *keys, *jwk;
    jwtsso_keyset_t *kept = NULL;
    jwtsso_key_t *k = NULL;
    jwtsso_keyerr_t rv;
    jwtsso_jwks_err_t none;
    size_t i, n;

    if (added != NULL) {
        *added = 0;
    }
    if (err == NULL) {
        err = &none;
    }
    err->index = SIZE_MAX;
    err->where[0] = '\0';
    if (ks == NULL) {
        return JWTSSO_KEY_INTERNAL;
    }
    if (json == NULL) {
        return JWTSSO_KEY_BAD_JWKS;
    }
    ERR_set_mark();
    switch (jwtsso_json_object(json, len, JWTSSO_R_BAD_PAYLOAD, &doc)) {
    case JWTSSO_OK:
        break;
    case JWTSSO_R_INTERNAL:
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    default:
        say_document(err, json, len);
        rv = JWTSSO_KEY_BAD_JWKS;
        goto done;
    }
    keys = json_object_get(doc, "keys");
    if (!json_is_array(keys)) {
        snprintf(err->where, sizeof(err->where), "member \"keys\" %s",
                 keys == NULL ? "is missing" : "is not an array");
        rv = JWTSSO_KEY_BAD_JWKS;
        goto done;
    }
    kept = jwtsso_keyset_new();
    if (kept == NULL) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    json_array_foreach(keys, i, jwk) {
        rv = one(jwk, allow_short, ks, kept, &k);
        if (rv == JWTSSO_KEY_OK && k != NULL
            && jwtsso_keyset_take(kept, k) != 0) {
            rv = JWTSSO_KEY_INTERNAL;
        }
        if (rv != JWTSSO_KEY_OK) {
            say_key(err, jwk, rv, i);
            goto done;
        }
        k = NULL;
    }
    n = jwtsso_keyset_count(kept);
    if (jwtsso_keyset_move(ks, kept) != 0) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    if (added != NULL) {
        *added = n;
    }
    rv = JWTSSO_KEY_OK;

done:
    jwtsso_key_free(k);
    jwtsso_keyset_free(kept);
    json_decref(doc);
    ERR_pop_to_mark();
    return rv;
}
