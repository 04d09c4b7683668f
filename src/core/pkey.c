/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * pkey.c - public keys from PEM text (jwtsso_pkey_add).
 *
 * Reads the first PEM block whose label names a key or a certificate,
 * skipping others (so `openssl ecparam -genkey` output, which starts with
 * "EC PARAMETERS", works): "PUBLIC KEY" (SubjectPublicKeyInfo), "RSA
 * PUBLIC KEY" (PKCS#1), "CERTIFICATE" (its subject key; the certificate is
 * only a container: neither its dates nor its signature are checked) and
 * the unencrypted private keys "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY"
 * and "EC PRIVATE KEY". Encrypted private keys are refused, never
 * prompted for. Whatever was read is re-encoded as a SubjectPublicKeyInfo
 * and decoded again, so only a public key is kept (the private one is
 * freed, and cleared, at once), and a provider-native one that threads
 * can share. What the key may be (type, size, curve) is key.c's
 * jwtsso_key_from_pkey.
 *
 * OpenSSL 3 decoders only (no deprecated RSA_* / EC_KEY_* calls).
 * OpenSSL errors raised here are dropped before returning.
 */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "internal.h"

/* What a PEM label holds. */
typedef enum {
    L_OTHER = 0,    /* skipped */
    L_SPKI,
    L_PKCS1_PUBLIC,
    L_CERT,
    L_PKCS8,
    L_RSA_PRIVATE,
    L_EC_PRIVATE,
    L_ENCRYPTED
} label_t;

static label_t label_of(const char *name, const char *header)
{
    static const struct {
        const char *name;
        label_t label;
    } labels[] = {
        { "PUBLIC KEY", L_SPKI },
        { "RSA PUBLIC KEY", L_PKCS1_PUBLIC },
        { "CERTIFICATE", L_CERT },
        { "PRIVATE KEY", L_PKCS8 },
        { "RSA PRIVATE KEY", L_RSA_PRIVATE },
        { "EC PRIVATE KEY", L_EC_PRIVATE },
        { "ENCRYPTED PRIVATE KEY", L_ENCRYPTED },
    };
    size_t i;

    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (strcmp(name, labels[i].name) == 0) {
            /* RFC 1421 style "Proc-Type: 4,ENCRYPTED" (OpenSSL's
             * traditional encrypted keys) */
            if (labels[i].label >= L_PKCS8 && header != NULL
                && strstr(header, "ENCRYPTED") != NULL) {
                return L_ENCRYPTED;
            }
            return labels[i].label;
        }
    }
    return L_OTHER;
}

/* A PKCS#1 RSAPublicKey through OpenSSL 3's decoder ("type-specific"). */
static EVP_PKEY *decode_pkcs1_public(const unsigned char *der, long len)
{
    OSSL_DECODER_CTX *dctx;
    EVP_PKEY *pkey = NULL;
    const unsigned char *p = der;
    size_t left = (size_t)len;

    dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", "type-specific",
                                         "RSA",
                                         OSSL_KEYMGMT_SELECT_PUBLIC_KEY,
                                         NULL, NULL);
    if (dctx == NULL) {
        return NULL;
    }
    if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || left != 0) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    OSSL_DECODER_CTX_free(dctx);
    return pkey;
}

/* The key in the DER of one PEM block, or NULL; nothing may follow the
 * DER value. */
static EVP_PKEY *decode(label_t label, const unsigned char *der, long len)
{
    const unsigned char *p = der;
    EVP_PKEY *pkey = NULL;
    X509 *cert;

    switch (label) {
    case L_SPKI:
        pkey = d2i_PUBKEY(NULL, &p, len);
        break;
    case L_PKCS1_PUBLIC:
        return decode_pkcs1_public(der, len);
    case L_CERT:
        cert = d2i_X509(NULL, &p, len);
        if (cert != NULL) {
            pkey = X509_get_pubkey(cert);
            X509_free(cert);
        }
        break;
    case L_PKCS8:
        pkey = d2i_AutoPrivateKey(NULL, &p, len);
        break;
    case L_RSA_PRIVATE:
        pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, len);
        break;
    case L_EC_PRIVATE:
        pkey = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, len);
        break;
    default:
        break;
    }
    if (pkey != NULL && p != der + len) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

/* The first key or certificate in bio: sets *out (the caller frees it)
 * and *priv. Returns OK, NOT_PEM (none, or one that does not decode),
 * UNSUPPORTED (an encrypted private key) or INTERNAL. */
static jwtsso_keyerr_t read_first(BIO *bio, EVP_PKEY **out, int *priv)
{
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    label_t label = L_OTHER;
    jwtsso_keyerr_t rv = JWTSSO_KEY_NOT_PEM;

    *out = NULL;
    while (PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
        label = label_of(name, header);
        if (label == L_ENCRYPTED) {
            rv = JWTSSO_KEY_UNSUPPORTED;
        }
        else if (label != L_OTHER) {
            *out = decode(label, data, len);
            rv = *out != NULL ? JWTSSO_KEY_OK : JWTSSO_KEY_NOT_PEM;
            *priv = label >= L_PKCS8;
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_clear_free(data, (size_t)len);
        name = header = NULL;
        data = NULL;
        if (label != L_OTHER) {
            break;
        }
    }
    return rv;
}

/* A copy of pkey's public half only, via DER SubjectPublicKeyInfo. */
static EVP_PKEY *public_copy(EVP_PKEY *pkey)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    EVP_PKEY *pub = NULL;
    int len;

    len = i2d_PUBKEY(pkey, &der);
    if (len > 0) {
        p = der;
        pub = d2i_PUBKEY(NULL, &p, len);
    }
    OPENSSL_free(der);
    return pub;
}

jwtsso_keyerr_t jwtsso_pkey_read(const char *pem, size_t len,
                                 EVP_PKEY **out, int *priv)
{
    BIO *bio;
    jwtsso_keyerr_t rv;

    *out = NULL;
    *priv = 0;
    if ((pem == NULL && len > 0) || len > INT_MAX) {
        return JWTSSO_KEY_INTERNAL;
    }
    if (len == 0) {
        return JWTSSO_KEY_NOT_PEM;
    }
    ERR_set_mark();
    bio = BIO_new_mem_buf(pem, (int)len);
    rv = bio != NULL ? read_first(bio, out, priv) : JWTSSO_KEY_INTERNAL;
    BIO_free(bio);
    ERR_pop_to_mark();
    return rv;
}

jwtsso_keyerr_t jwtsso_pkey_add(jwtsso_keyset_t *ks, const char *kid,
                                const char *pem, size_t len,
                                int *was_private)
{
    EVP_PKEY *found = NULL, *pub = NULL;
    jwtsso_key_t *k = NULL;
    jwtsso_keyerr_t rv;
    int priv = 0;

    if (was_private != NULL) {
        *was_private = 0;
    }
    if (ks == NULL || (pem == NULL && len > 0) || len > INT_MAX) {
        return JWTSSO_KEY_INTERNAL;
    }
    if (kid != NULL && jwtsso_keyset_has_kid(ks, kid, strlen(kid))) {
        return JWTSSO_KEY_DUPLICATE_KID;
    }
    rv = jwtsso_pkey_read(pem, len, &found, &priv);
    if (rv != JWTSSO_KEY_OK) {
        return rv;
    }
    ERR_set_mark();
    if (was_private != NULL) {
        *was_private = priv;
    }
    pub = public_copy(found);
    if (pub == NULL) {
        /* no SubjectPublicKeyInfo encoder for this key type */
        rv = JWTSSO_KEY_UNSUPPORTED;
        goto done;
    }
    rv = jwtsso_key_from_pkey(pub, 0, &k);
    if (rv != JWTSSO_KEY_OK) {
        goto done;
    }
    if ((kid != NULL && jwtsso_key_set_kid(k, kid, strlen(kid)) != 0)
        || jwtsso_keyset_take(ks, k) != 0) {
        rv = JWTSSO_KEY_INTERNAL;
        goto done;
    }
    k = NULL;

done:
    jwtsso_key_free(k);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(found);
    ERR_pop_to_mark();
    return rv;
}
