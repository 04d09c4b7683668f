/*
 * key.c - key sets and algorithm names.
 *
 * A key set is built once at start-up and then only read, by many threads
 * at once. Each key belongs to one family (only HMAC so far; RSA, EC and
 * EdDSA keys will be further families with their own member of the union
 * and their own branch in jwtsso_key_verify), so a key is only ever used
 * with the algorithms of its family: no HS/RS confusion.
 *
 * All key parsing happens in jwtsso_keyset_add_*: an HMAC key keeps one
 * absorbed key per hash (hmac.c), which a verification only reads. The
 * secret itself is only held inside those, cleansed when they are freed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"

#define HMAC_NHASH 3

struct jwtsso_key {
    jwtsso_family_t family;
    char *kid;              /* NULL if configured without */
    size_t kid_len;
    union {
        struct {
            /* templates for HS256, HS384, HS512, in that order */
            jwtsso_hmac_t *tmpl[HMAC_NHASH];
        } hmac;
    } u;
};

struct jwtsso_keyset {
    jwtsso_key_t **keys;
    size_t n;
    unsigned algs;
};

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
    default:
        return JWTSSO_FAM_NONE;
    }
}

const char *jwtsso_hmac_digest(jwtsso_alg_t alg, size_t *maclen)
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

/* ---------------------------------------------------------------------
 * Key sets
 */
static void key_free(jwtsso_key_t *k)
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
    free(k->kid);
    free(k);
}

jwtsso_keyset_t *jwtsso_keyset_new(void)
{
    return calloc(1, sizeof(jwtsso_keyset_t));
}

void jwtsso_keyset_free(jwtsso_keyset_t *ks)
{
    size_t i;

    if (ks == NULL) {
        return;
    }
    for (i = 0; i < ks->n; i++) {
        key_free(ks->keys[i]);
    }
    free(ks->keys);
    free(ks);
}

/* Append k to ks; takes k over on success only. */
static int add(jwtsso_keyset_t *ks, jwtsso_key_t *k, unsigned algs)
{
    jwtsso_key_t **grown;

    grown = realloc(ks->keys, (ks->n + 1) * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    ks->keys = grown;
    ks->keys[ks->n++] = k;
    ks->algs |= algs;
    return 0;
}

int jwtsso_keyset_add_hmac(jwtsso_keyset_t *ks, const char *kid,
                           const unsigned char *secret, size_t len)
{
    static const jwtsso_alg_t algs[HMAC_NHASH] = {
        JWTSSO_ALG_HS256, JWTSSO_ALG_HS384, JWTSSO_ALG_HS512
    };
    jwtsso_key_t *k = NULL;
    size_t maclen;
    int i, rv = -1;

    if (ks == NULL || secret == NULL || len == 0) {
        goto done;
    }
    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        goto done;
    }
    k->family = JWTSSO_FAM_HMAC;
    if (kid != NULL) {
        k->kid_len = strlen(kid);
        k->kid = jwtsso_strndup(kid, k->kid_len);
        if (k->kid == NULL) {
            goto done;
        }
    }
    for (i = 0; i < HMAC_NHASH; i++) {
        k->u.hmac.tmpl[i] = jwtsso_hmac_new(jwtsso_hmac_digest(algs[i],
                                                               &maclen),
                                            secret, len);
        if (k->u.hmac.tmpl[i] == NULL) {
            goto done;
        }
    }
    if (add(ks, k, JWTSSO_ALGS_HMAC) != 0) {
        goto done;
    }
    k = NULL;
    rv = 0;

done:
    key_free(k);
    return rv;
}

unsigned jwtsso_keyset_algs(const jwtsso_keyset_t *ks)
{
    return ks != NULL ? ks->algs : 0;
}

const jwtsso_key_t *jwtsso_keyset_get(const jwtsso_keyset_t *ks, size_t i)
{
    return ks != NULL && i < ks->n ? ks->keys[i] : NULL;
}

jwtsso_family_t jwtsso_key_family(const jwtsso_key_t *k)
{
    return k->family;
}

const char *jwtsso_key_kid(const jwtsso_key_t *k, size_t *len)
{
    *len = k->kid_len;
    return k->kid;
}

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

    if (jwtsso_hmac_digest(alg, &maclen) == NULL) {
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

int jwtsso_key_verify(const jwtsso_key_t *k, jwtsso_alg_t alg,
                      const unsigned char *in, size_t inlen,
                      const unsigned char *sig, size_t siglen)
{
    if (k == NULL || jwtsso_alg_family(alg) != k->family) {
        return -1;
    }
    switch (k->family) {
    case JWTSSO_FAM_HMAC:
        return verify_hmac(k, alg, in, inlen, sig, siglen);
    default:
        return -1;
    }
}
