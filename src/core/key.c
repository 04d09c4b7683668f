/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * key.c - one verification key: what it is, and its signature check.
 *
 * Each key belongs to one family (HMAC, RSA, EC, OKP) and carries
 * the mask of algs it serves, a subset of its family's: an EC key only the
 * alg of its curve, a JWK key only its "alg" when it names one. A key is
 * only ever used with an alg of its family and mask (RFC 8725 §3.1), so an
 * RSA key never becomes an HMAC secret and an HMAC secret never checks an
 * RS or ES signature (the HS/RS confusion, CVE-2016-10555).
 *
 * All key parsing happens before a key gets here (pkey.c reads PEM,
 * jwks.c reads JWK sets); this file checks what a public key is and keeps
 * a ready EVP_PKEY, which a verification only reads, with a fresh
 * EVP_MD_CTX per call. An HMAC key keeps one absorbed key per hash
 * (hmac.c); the secret itself is only held inside those, cleansed when
 * they are freed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "internal.h"

#define HMAC_NHASH 3

/* The longest EC coordinate (P-521: 66 bytes); r and s have this size. */
#define EC_MAX 66

struct jwtsso_key {
    jwtsso_family_t family;
    unsigned algs;          /* the algs it serves, within its family's */
    char *kid;              /* NULL if configured without */
    size_t kid_len;
    union {
        struct {
            /* templates for HS256, HS384, HS512, in that order */
            jwtsso_hmac_t *tmpl[HMAC_NHASH];
        } hmac;
        struct {
            EVP_PKEY *pkey;     /* public only; only read after loading */
            size_t size;        /* signature bytes: RSA modulus, EC r||s,
                                 * Ed25519 64 */
            /* EC: the group order n, big-endian, size / 2 bytes */
            unsigned char order[EC_MAX];
        } pk;
    } u;
};

/* ---------------------------------------------------------------------
 * Keys
 */
void jwtsso_key_free(jwtsso_key_t *k)
{
    int i;

    if (k == NULL) {
        return;
    }
    if (k->family == JWTSSO_FAM_HMAC) {
        for (i = 0; i < HMAC_NHASH; i++) {
            jwtsso_hmac_free(k->u.hmac.tmpl[i]);
        }
    }
    else {
        EVP_PKEY_free(k->u.pk.pkey);
    }
    free(k->kid);
    free(k);
}

int jwtsso_key_set_kid(jwtsso_key_t *k, const char *kid, size_t len)
{
    char *copy = jwtsso_json_strndup(kid, len);

    if (copy == NULL) {
        return -1;
    }
    free(k->kid);
    k->kid = copy;
    k->kid_len = len;
    return 0;
}

jwtsso_key_t *jwtsso_key_new_hmac(const unsigned char *secret, size_t len,
                                  unsigned want)
{
    static const jwtsso_alg_t algs[HMAC_NHASH] = {
        JWTSSO_ALG_HS256, JWTSSO_ALG_HS384, JWTSSO_ALG_HS512
    };
    jwtsso_key_t *k = NULL, *rv = NULL;
    size_t maclen;
    int i;

    if (secret == NULL || len == 0
        || (want != 0 && (want & JWTSSO_ALGS_HMAC) == 0)) {
        goto done;
    }
    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        goto done;
    }
    k->family = JWTSSO_FAM_HMAC;
    k->algs = want != 0 ? want & JWTSSO_ALGS_HMAC : JWTSSO_ALGS_HMAC;
    for (i = 0; i < HMAC_NHASH; i++) {
        k->u.hmac.tmpl[i] = jwtsso_hmac_new(jwtsso_alg_hmac_digest(algs[i],
                                                               &maclen),
                                            secret, len);
        if (k->u.hmac.tmpl[i] == NULL) {
            goto done;
        }
    }
    rv = k;
    k = NULL;

done:
    jwtsso_key_free(k);
    return rv;
}

/* RSA (RFC 7518 §3.3, §3.5): at least JWTSSO_RSA_MIN_BITS, at most what
 * OpenSSL verifies with; an odd modulus and an odd exponent > 1 (e = 1
 * would make every padded hash its own signature). */
static jwtsso_keyerr_t check_rsa(EVP_PKEY *pkey, jwtsso_key_t *k)
{
    BIGNUM *n = NULL, *e = NULL;
    jwtsso_keyerr_t rv;
    int bits = EVP_PKEY_get_bits(pkey);

    if (bits < JWTSSO_RSA_MIN_BITS) {
        rv = JWTSSO_KEY_RSA_TOO_SMALL;
        goto done;
    }
    if (bits > OPENSSL_RSA_MAX_MODULUS_BITS) {
        rv = JWTSSO_KEY_UNSUPPORTED;
        goto done;
    }
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1
        || EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    if (!BN_is_odd(n) || !BN_is_odd(e) || BN_is_one(e)) {
        rv = JWTSSO_KEY_UNSUPPORTED;
        goto done;
    }
    k->family = JWTSSO_FAM_RSA;
    k->algs = JWTSSO_ALGS_RSA;
    k->u.pk.size = (size_t)EVP_PKEY_get_size(pkey);
    rv = JWTSSO_KEY_OK;

done:
    BN_free(n);
    BN_free(e);
    return rv;
}

/* EC (RFC 7518 §3.4): a named curve, P-256, P-384 or P-521, each serving
 * the one alg made for it; a public point that passes OpenSSL's check (on
 * the curve, not infinity, of order n). Keeps n for the r, s range check.
 * Keys with explicit curve parameters are refused, even when OpenSSL
 * recognises them as a named curve (RFC 5480 §2.1.1 wants the name;
 * CVE-2020-0601 was a trusted key on parameters of the attacker's). */
static jwtsso_keyerr_t check_ec(EVP_PKEY *pkey, jwtsso_key_t *k)
{
    EVP_PKEY_CTX *ctx = NULL;
    EC_GROUP *group = NULL;
    const BIGNUM *order;
    char name[80], enc[32];
    size_t nlen, csize;
    jwtsso_keyerr_t rv;
    jwtsso_alg_t alg;
    int nid;

    if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &nlen) != 1
        || EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING,
                                          enc, sizeof(enc), &nlen) != 1
        || strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) != 0) {
        rv = JWTSSO_KEY_BAD_CURVE;
        goto done;
    }
    nid = OBJ_sn2nid(name);
    if (nid == NID_undef) {
        nid = EC_curve_nist2nid(name);
    }
    switch (nid) {
    case NID_X9_62_prime256v1:
        alg = JWTSSO_ALG_ES256;
        csize = 32;
        break;
    case NID_secp384r1:
        alg = JWTSSO_ALG_ES384;
        csize = 48;
        break;
    case NID_secp521r1:
        alg = JWTSSO_ALG_ES512;
        csize = 66;
        break;
    default:
        rv = JWTSSO_KEY_BAD_CURVE;
        goto done;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    if (EVP_PKEY_public_check(ctx) != 1) {
        rv = JWTSSO_KEY_BAD_JWK;
        goto done;
    }
    group = EC_GROUP_new_by_curve_name(nid);
    order = group != NULL ? EC_GROUP_get0_order(group) : NULL;
    if (order == NULL
        || BN_bn2binpad(order, k->u.pk.order, (int)csize) != (int)csize) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    k->family = JWTSSO_FAM_EC;
    k->algs = JWTSSO_ALGBIT(alg);
    k->u.pk.size = 2 * csize;
    rv = JWTSSO_KEY_OK;

done:
    EC_GROUP_free(group);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

jwtsso_keyerr_t jwtsso_key_from_pkey(EVP_PKEY *pkey, unsigned want,
                                     jwtsso_key_t **out)
{
    jwtsso_key_t *k = NULL;
    jwtsso_keyerr_t rv;

    *out = NULL;
    if (pkey == NULL) {
        return JWTSSO_KEY_INTERNAL;
    }
    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    /* k->family stays NONE until a check passes: jwtsso_key_free then
     * frees u.pk.pkey, still NULL. An RSA-PSS key (id-RSASSA-PSS) may
     * carry parameter restrictions: not supported, use a plain RSA key. */
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        rv = check_rsa(pkey, k);
    }
    else if (EVP_PKEY_is_a(pkey, "EC")) {
        rv = check_ec(pkey, k);
    }
    else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        /* RFC 8037 §3.1: EdDSA with Ed25519, 64-byte signatures */
        k->family = JWTSSO_FAM_OKP;
        k->algs = JWTSSO_ALGBIT(JWTSSO_ALG_EDDSA);
        k->u.pk.size = 64;
        rv = JWTSSO_KEY_OK;
    }
    else if (EVP_PKEY_is_a(pkey, "ED448")) {
        rv = JWTSSO_KEY_BAD_CURVE;
    }
    else {
        rv = JWTSSO_KEY_UNSUPPORTED;
    }
    if (rv != JWTSSO_KEY_OK) {
        goto done;
    }
    if (want != 0) {
        k->algs &= want;
        if (k->algs == 0) {
            rv = JWTSSO_KEY_ALG_MISMATCH;
            goto done;
        }
    }
    if (EVP_PKEY_up_ref(pkey) != 1) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    k->u.pk.pkey = pkey;
    *out = k;
    k = NULL;

done:
    jwtsso_key_free(k);
    return rv;
}
jwtsso_family_t jwtsso_key_family(const jwtsso_key_t *k)
{
    return k->family;
}

unsigned jwtsso_key_algs(const jwtsso_key_t *k)
{
    return k->algs;
}

const char *jwtsso_key_kid(const jwtsso_key_t *k, size_t *len)
{
    *len = k->kid_len;
    return k->kid;
}

/* ---------------------------------------------------------------------
 * Verification
 */

/* RFC 7518 §3.2: recompute the MAC and compare in constant time, after
 * checking the length (a truncated MAC is a bad one). */
static int verify_hmac(const jwtsso_key_t *k, jwtsso_alg_t alg,
                       const unsigned char *in, size_t inlen,
                       const unsigned char *sig, size_t siglen)
{
    unsigned char mac[JWTSSO_HMAC_MAX];
    jwtsso_chunk_t chunk;
    size_t maclen, got;
    int rv;

    if (jwtsso_alg_hmac_digest(alg, &maclen) == NULL) {
        return -1;
    }
    if (siglen != maclen) {
        return 0;
    }
    chunk.p = in;
    chunk.len = inlen;
    got = jwtsso_hmac_run(k->u.hmac.tmpl[alg - JWTSSO_ALG_HS256], &chunk, 1,
                          mac);
    if (got != maclen) {
        rv = -1;
    }
    else {
        rv = CRYPTO_memcmp(mac, sig, maclen) == 0;
    }
    OPENSSL_cleanse(mac, sizeof(mac));
    return rv;
}

/* RSASSA-PSS as RFC 7518 §3.5 has it: MGF1 with the token's hash and a
 * salt as long as that hash. 0, or -1. */
int jwtsso_key_pss(EVP_PKEY_CTX *pctx, const EVP_MD *md)
{
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0
           && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
                                               RSA_PSS_SALTLEN_DIGEST) > 0
           && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0 ? 0 : -1;
}

/* One EVP_DigestVerify with a context of its own (the key is shared and
 * only read). md NULL for EdDSA (one-shot, no prehash); pss sets RSASSA-PSS
 * with MGF1 of the same hash and a salt as long as the hash (RFC 7518
 * §3.5). A signature that does not verify, however malformed, is 0: only
 * setting up can fail internally. */
static int digest_verify(EVP_PKEY *pkey, const EVP_MD *md, int pss,
                         const unsigned char *in, size_t inlen,
                         const unsigned char *sig, size_t siglen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int rv = -1;

    if (ctx == NULL
        || EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) != 1) {
        goto done;
    }
    if (pss && jwtsso_key_pss(pctx, md) != 0) {
        goto done;
    }
    rv = EVP_DigestVerify(ctx, sig, siglen, in, inlen) == 1;

done:
    EVP_MD_CTX_free(ctx);
    return rv;
}

/* RFC 8017 §8.2.2 and §8.1.2 step 1: a signature of exactly the
 * modulus's length (so no second, shorter encoding of it verifies). */
static int verify_rsa(const jwtsso_key_t *k, jwtsso_alg_t alg,
                      const unsigned char *in, size_t inlen,
                      const unsigned char *sig, size_t siglen)
{
    int pss = alg == JWTSSO_ALG_PS256 || alg == JWTSSO_ALG_PS384
              || alg == JWTSSO_ALG_PS512;

    if (siglen != k->u.pk.size) {
        return 0;
    }
    return digest_verify(k->u.pk.pkey, jwtsso_alg_md(alg), pss, in, inlen, sig,
                         siglen);
}

/* 1 if the big-endian v (len bytes) is in [1, n - 1], n of the same
 * length. Public values: no need for constant time. */
static int in_range(const unsigned char *v, const unsigned char *n,
                    size_t len)
{
    size_t i = 0;

    while (i < len && v[i] == 0) {
        i++;
    }
    return i < len && memcmp(v, n, len) < 0;
}

/* RFC 7518 §3.4: the JWS signature is r || s, each exactly the curve's
 * coordinate size; OpenSSL wants DER. r and s outside [1, n - 1] are
 * refused here, before OpenSSL sees them (CVE-2022-21449, "psychic
 * signatures": r = s = 0 passed Java's check); a DER signature, or any
 * other length, is just a bad signature. */
static int verify_ec(const jwtsso_key_t *k, jwtsso_alg_t alg,
                     const unsigned char *in, size_t inlen,
                     const unsigned char *sig, size_t siglen)
{
    size_t half = k->u.pk.size / 2;
    ECDSA_SIG *esig = NULL;
    BIGNUM *r = NULL, *s = NULL;
    unsigned char *der = NULL;
    int derlen, rv = -1;

    if (siglen != k->u.pk.size) {
        return 0;
    }
    if (!in_range(sig, k->u.pk.order, half)
        || !in_range(sig + half, k->u.pk.order, half)) {
        return 0;
    }
    esig = ECDSA_SIG_new();
    r = BN_bin2bn(sig, (int)half, NULL);
    s = BN_bin2bn(sig + half, (int)half, NULL);
    if (esig == NULL || r == NULL || s == NULL
        || ECDSA_SIG_set0(esig, r, s) != 1) {
        goto done;
    }
    r = s = NULL;           /* esig owns them now */
    derlen = i2d_ECDSA_SIG(esig, &der);
    if (derlen <= 0) {
        goto done;
    }
    rv = digest_verify(k->u.pk.pkey, jwtsso_alg_md(alg), 0, in, inlen, der,
                       (size_t)derlen);

done:
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(esig);
    return rv;
}

/* RFC 8037 §3.1: Ed25519 over the signing input itself, 64 bytes. */
static int verify_okp(const jwtsso_key_t *k,
                      const unsigned char *in, size_t inlen,
                      const unsigned char *sig, size_t siglen)
{
    if (siglen != k->u.pk.size) {
        return 0;
    }
    return digest_verify(k->u.pk.pkey, NULL, 0, in, inlen, sig, siglen);
}

int jwtsso_key_verify(const jwtsso_key_t *k, jwtsso_alg_t alg,
                      const unsigned char *in, size_t inlen,
                      const unsigned char *sig, size_t siglen)
{
    int rv;

    if (k == NULL || jwtsso_alg_family(alg) != k->family
        || (k->algs & JWTSSO_ALGBIT(alg)) == 0) {
        return -1;
    }
    if (k->family == JWTSSO_FAM_HMAC) {
        return verify_hmac(k, alg, in, inlen, sig, siglen);
    }
    /* A failed check queues OpenSSL errors in this thread; drop ours so
     * they are not taken for someone else's (mod_ssl reads the queue). */
    ERR_set_mark();
    switch (k->family) {
    case JWTSSO_FAM_RSA:
        rv = verify_rsa(k, alg, in, inlen, sig, siglen);
        break;
    case JWTSSO_FAM_EC:
        rv = verify_ec(k, alg, in, inlen, sig, siglen);
        break;
    case JWTSSO_FAM_OKP:
        rv = verify_okp(k, in, inlen, sig, siglen);
        break;
    default:
        rv = -1;
        break;
    }
    ERR_pop_to_mark();
    return rv;
}
