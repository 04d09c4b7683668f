/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * sign.c - make compact JWS tokens (RFC 7515 §7.1): the signer the
 * issuer handler (jwtsso-issuer) and the jwtsso-token CLI share.
 *
 * A signer is one key bound to one alg, built once: an HMAC secret
 * absorbed by hmac.c, or a private key read by pkey.c and held to the
 * same rules as a verification key (key.c's jwtsso_key_from_pkey: RSA of
 * at least 2048 bits, EC on P-256/384/521 only, Ed25519), so whatever we
 * sign, our own verification accepts. Signing only reads the signer, with
 * a fresh EVP_MD_CTX per call. The payload is signed as the caller gives
 * it: this file builds only the header and, for the JWKS, the public JWK.
 *
 * OpenSSL 3 EVP only; OpenSSL errors raised here are dropped before
 * returning.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "internal.h"

/* The longest signature: RSA up to OPENSSL_RSA_MAX_MODULUS_BITS. */
#define SIG_MAX (OPENSSL_RSA_MAX_MODULUS_BITS / 8)

struct jwtsso_signer {
    jwtsso_alg_t alg;       /* the one it signs */
    unsigned algs;          /* the ones its key allows */
    jwtsso_family_t family;
    char *kid;              /* NULL: no kid in the header */
    jwtsso_hmac_t *hmac;    /* HMAC: the absorbed secret */
    EVP_PKEY *pkey;         /* else: the private key, only read */
    size_t half;            /* EC: the size of r and of s */
};

void jwtsso_sign_free(jwtsso_signer_t *s)
{
    if (s != NULL) {
        jwtsso_hmac_free(s->hmac);
        EVP_PKEY_free(s->pkey);
        free(s->kid);
        free(s);
    }
}

/* 1 if kid (NUL-terminated) can be a JSON string: valid UTF-8. */
static int kid_ok(const char *kid)
{
    json_t *v = json_string(kid);

    json_decref(v);
    return v != NULL;
}

/* A new signer with kid copied (NULL: none); NULL on allocation failure
 * (the callers checked kid_ok). */
static jwtsso_signer_t *signer_new(const char *kid)
{
    jwtsso_signer_t *s = calloc(1, sizeof(*s));

    if (s != NULL && kid != NULL
        && (s->kid = jwtsso_json_strndup(kid, strlen(kid))) == NULL) {
        free(s);
        s = NULL;
    }
    return s;
}

jwtsso_signer_t *jwtsso_sign_new_hmac(jwtsso_alg_t alg,
                                      const unsigned char *secret,
                                      size_t len, const char *kid)
{
    jwtsso_signer_t *s;
    const char *digest;
    size_t maclen;

    digest = jwtsso_alg_hmac_digest(alg, &maclen);
    if (digest == NULL || secret == NULL || len == 0
        || (kid != NULL && !kid_ok(kid)) || (s = signer_new(kid)) == NULL) {
        return NULL;
    }
    s->alg = alg;
    s->algs = JWTSSO_ALGS_HMAC;
    s->family = JWTSSO_FAM_HMAC;
    s->hmac = jwtsso_hmac_new(digest, secret, len);
    if (s->hmac == NULL) {
        jwtsso_sign_free(s);
        return NULL;
    }
    return s;
}

/* The lowest alg of a mask: the key's first (RS256, the curve's ES*,
 * EdDSA), as the enum orders them. */
static jwtsso_alg_t first_alg(unsigned algs)
{
    int a;

    for (a = JWTSSO_ALG_UNKNOWN + 1; a < JWTSSO_ALG__COUNT; a++) {
        if (algs & JWTSSO_ALGBIT(a)) {
            return (jwtsso_alg_t)a;
        }
    }
    return JWTSSO_ALG_UNKNOWN;
}

/* What the private key pkey may sign, by the rules a verification key
 * is held to (key.c), into s: its algs, its family and, for EC, r's
 * size. */
static jwtsso_keyerr_t key_rules(EVP_PKEY *pkey, jwtsso_signer_t *s)
{
    jwtsso_key_t *k = NULL;
    jwtsso_keyerr_t rv = jwtsso_key_from_pkey(pkey, 0, &k);

    if (rv != JWTSSO_KEY_OK) {
        return rv;
    }
    s->algs = jwtsso_key_algs(k);
    s->family = jwtsso_key_family(k);
    if (s->family == JWTSSO_FAM_EC) {
        s->half = (size_t)(EVP_PKEY_get_bits(pkey) + 7) / 8;
    }
    jwtsso_key_free(k);
    return JWTSSO_KEY_OK;
}

jwtsso_keyerr_t jwtsso_sign_new_pem(const char *pem, size_t len,
                                    const char *kid, jwtsso_alg_t alg,
                                    jwtsso_signer_t **out)
{
    jwtsso_signer_t *s = NULL;
    EVP_PKEY *pkey = NULL;
    jwtsso_keyerr_t rv;
    int priv = 0;

    if (out == NULL) {
        return JWTSSO_KEY_INTERNAL;
    }
    *out = NULL;
    if (kid != NULL && !kid_ok(kid)) {
        return JWTSSO_KEY_BAD_JWK;
    }
    rv = jwtsso_pkey_read(pem, len, &pkey, &priv);
    if (rv != JWTSSO_KEY_OK) {
        return rv;
    }
    ERR_set_mark();
    /* a public key or a certificate cannot sign */
    if (!priv) {
        rv = JWTSSO_KEY_NOT_PEM;
        goto done;
    }
    s = signer_new(kid);
    if (s == NULL) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    rv = key_rules(pkey, s);
    if (rv != JWTSSO_KEY_OK) {
        goto done;
    }
    if (alg == JWTSSO_ALG_UNKNOWN) {
        alg = first_alg(s->algs);
    }
    if ((unsigned)alg >= JWTSSO_ALG__COUNT
        || !(s->algs & JWTSSO_ALGBIT(alg))) {
        rv = JWTSSO_KEY_ALG_MISMATCH;
        goto done;
    }
    s->alg = alg;
    s->pkey = pkey;
    pkey = NULL;
    *out = s;
    s = NULL;

done:
    jwtsso_sign_free(s);
    EVP_PKEY_free(pkey);
    ERR_pop_to_mark();
    return rv;
}

unsigned jwtsso_sign_algs(const jwtsso_signer_t *s)
{
    return s != NULL ? s->algs : 0;
}

jwtsso_alg_t jwtsso_sign_alg(const jwtsso_signer_t *s)
{
    return s != NULL ? s->alg : JWTSSO_ALG_UNKNOWN;
}

/* ---------------------------------------------------------------------
 * Signatures
 */

/* One EVP_DigestSign with a context of its own into sig (*siglen: its
 * room, then the length). md NULL for EdDSA (one-shot, no prehash); pss
 * sets RSASSA-PSS with MGF1 of the same hash and a salt as long as the
 * hash (RFC 7518 §3.5). 0, or -1. */
static int digest_sign(EVP_PKEY *pkey, const EVP_MD *md, int pss,
                       const unsigned char *in, size_t inlen,
                       unsigned char *sig, size_t *siglen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    size_t need = 0;
    int rv = -1;

    if (ctx == NULL
        || EVP_DigestSignInit(ctx, &pctx, md, NULL, pkey) != 1) {
        goto done;
    }
    if (pss && jwtsso_key_pss(pctx, md) != 0) {
        goto done;
    }
    /* the one-shot call, the only one Ed25519 has: asked for the size
     * first, so a key larger than the room fails instead of writing */
    if (EVP_DigestSign(ctx, NULL, &need, in, inlen) != 1 || need > *siglen
        || EVP_DigestSign(ctx, sig, siglen, in, inlen) != 1) {
        goto done;
    }
    rv = 0;

done:
    EVP_MD_CTX_free(ctx);
    return rv;
}

/* RFC 7518 §3.4: OpenSSL's DER ECDSA-Sig-Value as the JWS wants it, R
 * and S each left-padded to the coordinate size. 0, or -1. */
static int ec_raw(const unsigned char *der, size_t derlen, size_t half,
                  unsigned char *sig, size_t *siglen)
{
    const unsigned char *p = der;
    ECDSA_SIG *esig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    const BIGNUM *r = NULL, *s = NULL;
    int rv = -1;

    if (esig != NULL && 2 * half <= *siglen) {
        ECDSA_SIG_get0(esig, &r, &s);
        if (BN_bn2binpad(r, sig, (int)half) == (int)half
            && BN_bn2binpad(s, sig + half, (int)half) == (int)half) {
            *siglen = 2 * half;
            rv = 0;
        }
    }
    ECDSA_SIG_free(esig);
    return rv;
}

/* The signature of in (inlen bytes) into sig (SIG_MAX bytes): its
 * length, or 0 on failure. */
static size_t sign_input(const jwtsso_signer_t *s, const unsigned char *in,
                         size_t inlen, unsigned char *sig)
{
    unsigned char der[256];     /* DER of P-521's r, s: under 140 */
    jwtsso_chunk_t chunk;
    size_t len = SIG_MAX, derlen = sizeof(der);
    int pss, rv;

    if (s->family == JWTSSO_FAM_HMAC) {
        chunk.p = in;
        chunk.len = inlen;
        return jwtsso_hmac_run(s->hmac, &chunk, 1, sig);
    }
    ERR_set_mark();
    switch (s->family) {
    case JWTSSO_FAM_RSA:
        pss = s->alg == JWTSSO_ALG_PS256 || s->alg == JWTSSO_ALG_PS384
              || s->alg == JWTSSO_ALG_PS512;
        rv = digest_sign(s->pkey, jwtsso_alg_md(s->alg), pss, in, inlen, sig,
                         &len);
        break;
    case JWTSSO_FAM_EC:
        rv = digest_sign(s->pkey, jwtsso_alg_md(s->alg), 0, in, inlen, der,
                         &derlen);
        if (rv == 0) {
            rv = ec_raw(der, derlen, s->half, sig, &len);
        }
        break;
    case JWTSSO_FAM_OKP:
        /* RFC 8037 §3.1: Ed25519 over the signing input itself */
        rv = digest_sign(s->pkey, NULL, 0, in, inlen, sig, &len);
        break;
    default:
        rv = -1;
        break;
    }
    ERR_pop_to_mark();
    return rv == 0 ? len : 0;
}

char *jwtsso_sign_compact(const jwtsso_signer_t *s, const char *header_json,
                          const char *payload_json)
{
    unsigned char *sig = NULL;
    size_t hlen, plen, siglen = 0, o;
    char *out = NULL;

    if (s == NULL || header_json == NULL || payload_json == NULL) {
        return NULL;
    }
    hlen = strlen(header_json);
    plen = strlen(payload_json);
    sig = malloc(SIG_MAX);
    out = malloc(jwtsso_b64url_encoded_len(hlen) + 1
                 + jwtsso_b64url_encoded_len(plen) + 1
                 + jwtsso_b64url_encoded_len(SIG_MAX) + 1);
    if (sig == NULL || out == NULL) {
        goto done;
    }
    o = jwtsso_b64url_encode((const unsigned char *)header_json, hlen, out);
    out[o++] = '.';
    o += jwtsso_b64url_encode((const unsigned char *)payload_json, plen,
                              out + o);
    /* the signing input is the ASCII text "header.payload" */
    siglen = sign_input(s, (const unsigned char *)out, o, sig);
    if (siglen == 0) {
        goto done;
    }
    out[o++] = '.';
    jwtsso_b64url_encode(sig, siglen, out + o);
    free(sig);
    return out;

done:
    free(sig);
    free(out);
    return NULL;
}

/* The header, compact JSON: alg, typ, and kid when set. malloc'ed. */
static char *header_text(const jwtsso_signer_t *s)
{
    json_t *h = json_pack("{s:s, s:s}", "alg", jwtsso_alg_name(s->alg),
                          "typ", "JWT");
    char *text = NULL;

    if (h != NULL
        && (s->kid == NULL
            || json_object_set_new(h, "kid", json_string(s->kid)) == 0)) {
        text = json_dumps(h, JSON_COMPACT);
    }
    json_decref(h);
    return text;
}

char *jwtsso_sign_token(const jwtsso_signer_t *s, const char *payload_json)
{
    char *header, *token;

    if (s == NULL || payload_json == NULL
        || (header = header_text(s)) == NULL) {
        return NULL;
    }
    token = jwtsso_sign_compact(s, header, payload_json);
    free(header);
    return token;
}

/* ---------------------------------------------------------------------
 * JWK (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2)
 */

/* Set member name of o to the base64url of the len bytes at b. 0, or -1. */
static int set_b64(json_t *o, const char *name, const unsigned char *b,
                   size_t len)
{
    char *text = malloc(jwtsso_b64url_encoded_len(len) + 1);
    int rv = -1;

    if (text != NULL) {
        jwtsso_b64url_encode(b, len, text);
        rv = json_object_set_new(o, name, json_string(text));
    }
    free(text);
    return rv;
}

/* Set member name to the big-endian bytes of the key's parameter param,
 * left-padded to pad bytes (0: minimal, RFC 7518 §6.3.1.1). 0, or -1. */
static int set_bn(json_t *o, const char *name, const EVP_PKEY *pkey,
                  const char *param, size_t pad)
{
    BIGNUM *bn = NULL;
    unsigned char *b = NULL;
    size_t len;
    int rv = -1;

    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1) {
        return -1;
    }
    len = pad > 0 ? pad : (size_t)BN_num_bytes(bn);
    b = malloc(len > 0 ? len : 1);
    if (b != NULL && BN_bn2binpad(bn, b, (int)len) == (int)len) {
        rv = set_b64(o, name, b, len);
    }
    free(b);
    BN_free(bn);
    return rv;
}

/* The public members of the signer's key into o. 0, or -1. */
static int jwk_members(const jwtsso_signer_t *s, json_t *o)
{
    static const char *const crv[] = { "P-256", "P-384", "P-521" };
    unsigned char pub[32];
    size_t publen = 0;

    switch (s->family) {
    case JWTSSO_FAM_RSA:
        return json_object_set_new(o, "kty", json_string("RSA")) != 0
               || set_bn(o, "n", s->pkey, OSSL_PKEY_PARAM_RSA_N, 0) != 0
               || set_bn(o, "e", s->pkey, OSSL_PKEY_PARAM_RSA_E, 0) != 0
               ? -1 : 0;
    case JWTSSO_FAM_EC:
        /* RFC 7518 §6.2.1.2: x and y the full coordinate size */
        return json_object_set_new(o, "kty", json_string("EC")) != 0
               || json_object_set_new(o, "crv", json_string(
                      crv[s->alg - JWTSSO_ALG_ES256])) != 0
               || set_bn(o, "x", s->pkey, OSSL_PKEY_PARAM_EC_PUB_X,
                         s->half) != 0
               || set_bn(o, "y", s->pkey, OSSL_PKEY_PARAM_EC_PUB_Y,
                         s->half) != 0
               ? -1 : 0;
    case JWTSSO_FAM_OKP:
        if (EVP_PKEY_get_octet_string_param(s->pkey, OSSL_PKEY_PARAM_PUB_KEY,
                                            pub, sizeof(pub), &publen) != 1
            || publen != sizeof(pub)) {
            return -1;
        }
        return json_object_set_new(o, "kty", json_string("OKP")) != 0
               || json_object_set_new(o, "crv", json_string("Ed25519")) != 0
               || set_b64(o, "x", pub, publen) != 0
               ? -1 : 0;
    default:
        return -1;
    }
}

char *jwtsso_sign_jwk(const jwtsso_signer_t *s)
{
    json_t *o;
    char *text = NULL;

    if (s == NULL || s->family == JWTSSO_FAM_HMAC || s->pkey == NULL
        || (o = json_object()) == NULL) {
        return NULL;
    }
    ERR_set_mark();
    if (jwk_members(s, o) == 0
        && json_object_set_new(o, "use", json_string("sig")) == 0
        && json_object_set_new(o, "alg",
                               json_string(jwtsso_alg_name(s->alg))) == 0
        && (s->kid == NULL
            || json_object_set_new(o, "kid", json_string(s->kid)) == 0)) {
        text = json_dumps(o, JSON_COMPACT);
    }
    ERR_pop_to_mark();
    json_decref(o);
    return text;
}
