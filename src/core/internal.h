/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * internal.h - helpers shared by the files of the token core.
 *
 * Not installed and not part of the API (jwtsso.h is). Everything here is
 * libc, OpenSSL 3 and Jansson only.
 */
#ifndef JWTSSO_INTERNAL_H
#define JWTSSO_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <jansson.h>

#include "jwtsso.h"
#include "jscan.h"

/* The default token size cap (policy max_size == 0). */
#define JWTSSO_DEFAULT_MAX_SIZE 8192

/* The longest MAC or signature any HMAC alg makes (SHA-512). */
#define JWTSSO_HMAC_MAX 64

/* ---------------------------------------------------------------------
 * Key families (alg.c, key.c). A key only ever serves the algs of its family,
 * and of those only the ones in its own alg mask (a JWK's "alg", an EC
 * key's curve): RFC 8725 §3.1, bind the algorithm to the key.
 */
typedef enum {
    JWTSSO_FAM_NONE = 0,
    JWTSSO_FAM_HMAC,        /* HS256/384/512 */
    JWTSSO_FAM_RSA,         /* RS256/384/512, PS256/384/512 */
    JWTSSO_FAM_EC,          /* ES256 (P-256), ES384 (P-384), ES512 (P-521) */
    JWTSSO_FAM_OKP          /* EdDSA (Ed25519) */
} jwtsso_family_t;

#define JWTSSO_ALGS_RSA (JWTSSO_ALGBIT(JWTSSO_ALG_RS256) \
                       | JWTSSO_ALGBIT(JWTSSO_ALG_RS384) \
                       | JWTSSO_ALGBIT(JWTSSO_ALG_RS512) \
                       | JWTSSO_ALGBIT(JWTSSO_ALG_PS256) \
                       | JWTSSO_ALGBIT(JWTSSO_ALG_PS384) \
                       | JWTSSO_ALGBIT(JWTSSO_ALG_PS512))

/* The smallest RSA modulus we verify with (RFC 7518 §3.3, §3.5). */
#define JWTSSO_RSA_MIN_BITS 2048

typedef struct jwtsso_key jwtsso_key_t;

/* The algorithms (alg.c): an alg's family, its HMAC digest name and MAC
 * length (HS* only: else NULL and 0), its hash (RS, PS, ES: else NULL). */
jwtsso_family_t jwtsso_alg_family(jwtsso_alg_t alg);
const char *jwtsso_alg_hmac_digest(jwtsso_alg_t alg, size_t *maclen);
const EVP_MD *jwtsso_alg_md(jwtsso_alg_t alg);

/* Check sig over in (the signing input) for a token of alg whose header
 * has kid want (wlen bytes; NULL: none), against the keys of ks that serve
 * alg (keyset.c): the key with that kid; else the keys without kid; else,
 * for a token without kid only, the keys with one. At most max keys are
 * tried for a token without a kid match (more: KID_REQUIRED or
 * UNKNOWN_KID before any signature check). Returns JWTSSO_OK,
 * BAD_SIGNATURE, UNKNOWN_KID, KID_REQUIRED, NO_KEY or INTERNAL. */
jwtsso_reason_t jwtsso_keyset_verify(const jwtsso_keyset_t *ks,
                                     jwtsso_alg_t alg, const char *want,
                                     size_t wlen, size_t max,
                                     const unsigned char *in, size_t inlen,
                                     const unsigned char *sig,
                                     size_t siglen);

jwtsso_family_t jwtsso_key_family(const jwtsso_key_t *k);
/* The algs the key serves: a subset of its family's (a bitmask). */
unsigned jwtsso_key_algs(const jwtsso_key_t *k);
/* The key's kid and its length, or NULL if it was configured without. */
const char *jwtsso_key_kid(const jwtsso_key_t *k, size_t *len);

/* Set up pctx for RSASSA-PSS with md (key.c; sign.c signs with it too).
 * 0, or -1. */
int jwtsso_key_pss(EVP_PKEY_CTX *pctx, const EVP_MD *md);

/* Check sig over in with key k and alg (of k's family and in its mask).
 * Returns 1 if it verifies, 0 if not (any malformed signature included),
 * -1 on an internal failure or an alg the key does not serve. Only reads
 * k; leaves OpenSSL's error queue as it found it. */
int jwtsso_key_verify(const jwtsso_key_t *k, jwtsso_alg_t alg,
                      const unsigned char *in, size_t inlen,
                      const unsigned char *sig, size_t siglen);

/* Making keys (key.c) and sets (keyset.c), for pkey.c and jwks.c. A key is not in a set until
 * jwtsso_keyset_take(); until then the caller frees it. */

/* A key from a public EVP_PKEY (which the key references: the caller
 * still frees its own). want = 0 takes every alg the key can serve, else
 * only those of want (none of them: JWTSSO_KEY_ALG_MISMATCH). Refused:
 * RSA under JWTSSO_RSA_MIN_BITS (RSA_TOO_SMALL) or with an even modulus,
 * an even exponent or e = 1 (UNSUPPORTED); EC curves other than named
 * P-256/384/521, explicit curve parameters, Ed448 (BAD_CURVE); an EC
 * point failing EVP_PKEY_public_check (BAD_JWK); any other key type,
 * RSA-PSS-only keys included (UNSUPPORTED). */
jwtsso_keyerr_t jwtsso_key_from_pkey(EVP_PKEY *pkey, unsigned want,
                                     jwtsso_key_t **out);
/* An HMAC key (secret copied into the midstates only) serving the HS*
 * algs of want (0 = all). Returns NULL on len == 0, allocation failure or
 * a want without HS* algs. */
jwtsso_key_t *jwtsso_key_new_hmac(const unsigned char *secret, size_t len,
                                  unsigned want);
/* Name k (kid of len bytes, copied). Returns 0 or -1 (allocation). */
int jwtsso_key_set_kid(jwtsso_key_t *k, const char *kid, size_t len);
void jwtsso_key_free(jwtsso_key_t *k);
/* 1 if a key of ks has this kid (compared with its length), else 0. */
int jwtsso_keyset_has_kid(const jwtsso_keyset_t *ks, const char *kid,
                          size_t len);
/* Append k to ks, which then owns it; -1 (allocation) leaves k to the
 * caller. Does not check kids (the callers do, to name the error). */
int jwtsso_keyset_take(jwtsso_keyset_t *ks, jwtsso_key_t *k);
/* Move every key of from to the end of ks, all or none: 0, or -1
 * (allocation) with both sets unchanged. from is left empty. */
int jwtsso_keyset_move(jwtsso_keyset_t *ks, jwtsso_keyset_t *from);

/* The first key or certificate of PEM text (pkey.c), as read: *out (the
 * caller frees it) may be a private key, then *priv is 1. Returns OK,
 * NOT_PEM (none, or one that does not decode), UNSUPPORTED (an encrypted
 * private key) or INTERNAL. Leaves OpenSSL's error queue as it found it.
 * What the key may be is jwtsso_key_from_pkey's. */
jwtsso_keyerr_t jwtsso_pkey_read(const char *pem, size_t len,
                                 EVP_PKEY **out, int *priv);

/* ---------------------------------------------------------------------
 * HMAC through EVP digests (hmac.c). A jwtsso_hmac_t holds a key absorbed
 * once; it is only ever read, so one serves many threads. MACs are
 * compared with CRYPTO_memcmp, after a length check.
 */
typedef struct {
    const void *p;
    size_t len;
} jwtsso_chunk_t;

typedef struct jwtsso_hmac jwtsso_hmac_t;

/* digest: "SHA256", "SHA384" or "SHA512". Returns NULL on failure. */
jwtsso_hmac_t *jwtsso_hmac_new(const char *digest,
                               const unsigned char *key, size_t len);
void jwtsso_hmac_free(jwtsso_hmac_t *m);
/* MAC the concatenation of n chunks into out (JWTSSO_HMAC_MAX bytes).
 * Returns the MAC length, or 0 on failure. */
size_t jwtsso_hmac_run(const jwtsso_hmac_t *m, const jwtsso_chunk_t *c,
                       size_t n, unsigned char *out);

/* ---------------------------------------------------------------------
 * Signing (sign.c): a compact JWS of the given header and payload JSON
 * texts, signed as given, with s's key and alg (jwtsso_sign_token builds
 * the header; jwtsso_jws_sign_hmac takes the caller's). malloc'ed, NUL-
 * terminated, or NULL.
 */
char *jwtsso_sign_compact(const jwtsso_signer_t *s, const char *header_json,
                          const char *payload_json);

/* ---------------------------------------------------------------------
 * JSON (json.c): Jansson, for every JSON text but a token's header and
 * payload (jscan.h: the scanner, which takes exactly what this takes).
 */
/* Parse text[0..len) (capped by the caller) into a new object *out (the
 * caller json_decref's it), strictly: Jansson with JSON_REJECT_DUPLICATES,
 * and refused as well: a raw NUL byte, a value that is not an object, a
 * nesting deeper than 64. Returns JWTSSO_OK, JWTSSO_R_DUPLICATE_MEMBER,
 * JWTSSO_R_INTERNAL (out of memory) or bad (any other refusal, numbers
 * beyond long long or double included); *out is NULL unless JWTSSO_OK. */
jwtsso_reason_t jwtsso_json_object(const char *text, size_t len,
                                   jwtsso_reason_t bad, json_t **out);
/* A NumericDate (RFC 7519 §2) as whole seconds: an integer as it is, a
 * real floored when its absolute value is at most 2^53. 0, or -1 (not a
 * number, or a real out of that range; *out untouched). */
int jwtsso_json_seconds(const json_t *v, long long *out);
/* A malloc'ed NUL-terminated copy of len bytes (strdup is not C99). */
char *jwtsso_json_strndup(const char *s, size_t len);

/* The text a claims view writes for a JSON number (view.c): integers in
 * decimal, reals in the shortest form that reads back the same, with
 * ".0" when it would read as an integer. buf holds JWTSSO_VIEW_NUM_MAX
 * bytes; returns the length written (NUL-terminated). match.c compares
 * numbers inside arrays and objects by this same text. */
#define JWTSSO_VIEW_NUM_MAX 32
size_t jwtsso_view_number(const json_t *v, char *buf);

/* ---------------------------------------------------------------------
 * The record body (recbody.c), for record.c and the claims view (view.c).
 */
#define JWTSSO_RECBODY_NFIXED 4     /* user, auth_time, end, sid */
/* The bytes a claim takes in a body, its LFs included. */
size_t jwtsso_recbody_cost(const jwtsso_claim_t *c);
/* The length of the body of user, the two times (as text), sid and the
 * claims c[0..n), with the "=T" line when truncated; and that body
 * written at d (room for that length; no NUL written), returning its
 * length. */
size_t jwtsso_recbody_len(const char *user, const char *at, const char *end,
                          const char *sid, const jwtsso_claim_t *c,
                          size_t n, int truncated);
size_t jwtsso_recbody_write(char *d, const char *user, const char *at,
                            const char *end, const char *sid,
                            const jwtsso_claim_t *c, size_t n,
                            int truncated);
/* Split a body that passed its MAC (blen bytes, with room for one more)
 * into rec's fields and claims[0..nmax), in place. 0, or -1 for anything
 * jwtsso_record_make does not write. */
int jwtsso_recbody_parse(char *b, size_t blen, jwtsso_record_t *rec,
                         jwtsso_claim_t *claims, size_t nmax);

/* ---------------------------------------------------------------------
 * Claims (claims.c): RFC 7519 §4.1 checks on the top-level members of a
 * verified payload (m[0..n), from jwtsso_jscan_object). Fills res's times
 * and claim; on JWTSSO_OK sets res->user, and res->iss / res->jti when
 * they are strings, decoded into strings (room for the payload's length
 * plus 3 NULs: each member decoded at most once, whatever roles it has;
 * the user claim may be iss or jti, then res->iss or res->jti is
 * res->user).
 */
jwtsso_reason_t jwtsso_claims_check(const jwtsso_policy_t *pol,
                                    const jwtsso_jmember_t *m, size_t n,
                                    long long now, jwtsso_result_t *res,
                                    char *strings);

#endif /* JWTSSO_INTERNAL_H */
