/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * keyset.c - a set of verification keys, and the choice of the keys a
 * token is checked against.
 *
 * A set is built once at start-up (single-threaded) and then only read,
 * by many threads at once. Kids are unique in a set.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct jwtsso_keyset {
    jwtsso_key_t **keys;
    size_t n;
    unsigned algs;
};

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
        jwtsso_key_free(ks->keys[i]);
    }
    free(ks->keys);
    free(ks);
}

int jwtsso_keyset_has_kid(const jwtsso_keyset_t *ks, const char *kid,
                          size_t len)
{
    size_t i;

    for (i = 0; ks != NULL && i < ks->n; i++) {
        size_t klen;
        const char *kkid = jwtsso_key_kid(ks->keys[i], &klen);

        if (kkid != NULL && klen == len && memcmp(kkid, kid, len) == 0) {
            return 1;
        }
    }
    return 0;
}

int jwtsso_keyset_take(jwtsso_keyset_t *ks, jwtsso_key_t *k)
{
    jwtsso_key_t **grown;

    if (ks == NULL || k == NULL) {
        return -1;
    }
    grown = realloc(ks->keys, (ks->n + 1) * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    ks->keys = grown;
    ks->keys[ks->n++] = k;
    ks->algs |= jwtsso_key_algs(k);
    return 0;
}

int jwtsso_keyset_move(jwtsso_keyset_t *ks, jwtsso_keyset_t *from)
{
    jwtsso_key_t **grown;

    if (ks == NULL || from == NULL) {
        return -1;
    }
    if (from->n == 0) {
        return 0;
    }
    grown = realloc(ks->keys, (ks->n + from->n) * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    ks->keys = grown;
    memcpy(ks->keys + ks->n, from->keys, from->n * sizeof(*grown));
    ks->n += from->n;
    ks->algs |= from->algs;
    from->n = 0;
    from->algs = 0;
    return 0;
}

int jwtsso_keyset_add_hmac(jwtsso_keyset_t *ks, const char *kid,
                           const unsigned char *secret, size_t len)
{
    jwtsso_key_t *k = NULL;
    int rv = -1;

    if (ks == NULL || secret == NULL || len == 0
        || (kid != NULL && jwtsso_keyset_has_kid(ks, kid, strlen(kid)))) {
        goto done;
    }
    k = jwtsso_key_new_hmac(secret, len, 0);
    if (k == NULL
        || (kid != NULL && jwtsso_key_set_kid(k, kid, strlen(kid)) != 0)
        || jwtsso_keyset_take(ks, k) != 0) {
        goto done;
    }
    k = NULL;
    rv = 0;

done:
    jwtsso_key_free(k);
    return rv;
}

unsigned jwtsso_keyset_algs(const jwtsso_keyset_t *ks)
{
    return ks != NULL ? ks->algs : 0;
}

size_t jwtsso_keyset_count(const jwtsso_keyset_t *ks)
{
    return ks != NULL ? ks->n : 0;
}

/* ---------------------------------------------------------------------
 * Which keys check a token (RFC 7515 §4.1.4, RFC 8725 §3.1)
 */
/* A key is used only with an alg of its family and in its own mask
 * (RFC 8725 §3.1): an RSA key never checks an HS256 MAC, an ES256 key
 * never an ES512 signature, a JWK with "alg":"RS256" never a PS256 one. */
static int serves(const jwtsso_key_t *k, jwtsso_family_t fam,
                  jwtsso_alg_t alg)
{
    return jwtsso_key_family(k) == fam
           && (jwtsso_key_algs(k) & JWTSSO_ALGBIT(alg)) != 0;
}

/* How key k stands to a token's kid (want, wlen; want NULL: the token has
 * none): 0 it has that kid, 1 it has no kid, 2 it has another kid. */
static int group(const jwtsso_key_t *k, const char *want, size_t wlen)
{
    size_t klen;
    const char *kkid = jwtsso_key_kid(k, &klen);

    if (kkid == NULL) {
        return 1;
    }
    if (want != NULL && klen == wlen && memcmp(kkid, want, wlen) == 0) {
        return 0;
    }
    return 2;
}

/* The keys that serve alg, counted by group() into n[0..2]; returns the
 * group a token is checked against (RFC 7515 §4.1.4: kid is a hint): the
 * key with its kid; else the keys configured without kid; else, for a
 * token without kid only, the keys with one (jsonwebtoken and PyJWT set
 * no kid by default, and a JWKS gives every key one). -1: none. */
static int candidates(const jwtsso_keyset_t *ks, jwtsso_alg_t alg,
                      const char *want, size_t wlen, size_t n[3])
{
    jwtsso_family_t fam = jwtsso_alg_family(alg);
    const jwtsso_key_t *k;
    size_t i;

    n[0] = n[1] = n[2] = 0;
    for (i = 0; i < ks->n; i++) {
        k = ks->keys[i];
        if (serves(k, fam, alg)) {
            n[group(k, want, wlen)]++;
        }
    }
    if (n[0] > 0) {
        return 0;
    }
    if (n[1] > 0) {
        return 1;
    }
    return want == NULL && n[2] > 0 ? 2 : -1;
}

/* Check a signature: try the keys that serve alg, of the group candidates() chooses. Kids
 * are unique in a set, so a kid names at most one key; the other groups
 * are bounded by max (policy max_kidless): with more keys than that, a
 * token without kid is refused (KID_REQUIRED) and a token whose kid names
 * no key does not fall back to the keys without kid (UNKNOWN_KID), before
 * any signature check, so a forged token costs at most max of them.
 * Returns OK, BAD_SIGNATURE, UNKNOWN_KID, KID_REQUIRED, NO_KEY (no key
 * serves alg at all, or none without kid when the token has none) or
 * INTERNAL. */
jwtsso_reason_t jwtsso_keyset_verify(const jwtsso_keyset_t *ks,
                                     jwtsso_alg_t alg, const char *want,
                                     size_t wlen, size_t max,
                                     const unsigned char *in, size_t inlen,
                                     const unsigned char *sig,
                                     size_t siglen)
{
    jwtsso_family_t fam = jwtsso_alg_family(alg);
    const jwtsso_key_t *k;
    size_t i, n[3];
    int g, rv, failed = 0;

    if (ks == NULL) {
        return JWTSSO_R_NO_KEY;
    }
    g = candidates(ks, alg, want, wlen, n);
    if (g < 0) {
        /* keys of its kind, but none for its kid, is the more useful
         * thing to log */
        return n[2] > 0 ? JWTSSO_R_UNKNOWN_KID : JWTSSO_R_NO_KEY;
    }
    if (g > 0 && n[g] > max) {
        return want != NULL ? JWTSSO_R_UNKNOWN_KID : JWTSSO_R_KID_REQUIRED;
    }
    for (i = 0; i < ks->n; i++) {
        k = ks->keys[i];
        if (!serves(k, fam, alg) || group(k, want, wlen) != g) {
            continue;
        }
        rv = jwtsso_key_verify(k, alg, in, inlen, sig, siglen);
        if (rv == 1) {
            return JWTSSO_OK;
        }
        failed |= rv < 0;
    }
    return failed ? JWTSSO_R_INTERNAL : JWTSSO_R_BAD_SIGNATURE;
}

size_t jwtsso_keyset_kidless(const jwtsso_keyset_t *ks, jwtsso_alg_t *alg)
{
    unsigned algs = ks != NULL ? jwtsso_keyset_algs(ks) : 0;
    size_t n[3], most = 0;
    int a, g;

    if (alg != NULL) {
        *alg = JWTSSO_ALG_UNKNOWN;
    }
    for (a = JWTSSO_ALG_UNKNOWN + 1; a < JWTSSO_ALG__COUNT; a++) {
        if (!(algs & JWTSSO_ALGBIT(a))) {
            continue;
        }
        g = candidates(ks, (jwtsso_alg_t)a, NULL, 0, n);
        if (g >= 0 && n[g] > most) {
            most = n[g];
            if (alg != NULL) {
                *alg = (jwtsso_alg_t)a;
            }
        }
    }
    return most;
}
