/*
 * internal.h - helpers shared by the files of the token core.
 *
 * Not installed and not part of the API (jwtsso.h is). Everything here is
 * libc, OpenSSL 3 and Jansson only.
 */
#ifndef JWTSSO_INTERNAL_H
#define JWTSSO_INTERNAL_H

#include <openssl/evp.h>
#include <jansson.h>

#include "jwtsso.h"

/* The default token size cap (policy max_size == 0). */
#define JWTSSO_DEFAULT_MAX_SIZE 8192

/* The longest MAC or signature any HMAC alg makes (SHA-512). */
#define JWTSSO_HMAC_MAX 64

/* ---------------------------------------------------------------------
 * Key families (key.c). A key only ever serves the algs of its family.
 */
typedef enum {
    JWTSSO_FAM_NONE = 0,
    JWTSSO_FAM_HMAC
    /* later: JWTSSO_FAM_RSA, JWTSSO_FAM_EC, JWTSSO_FAM_OKP */
} jwtsso_family_t;

typedef struct jwtsso_key jwtsso_key_t;

jwtsso_family_t jwtsso_alg_family(jwtsso_alg_t alg);

/* Walk the keys of a set: returns key i, or NULL past the end. */
const jwtsso_key_t *jwtsso_keyset_get(const jwtsso_keyset_t *ks, size_t i);
jwtsso_family_t jwtsso_key_family(const jwtsso_key_t *k);
/* The key's kid and its length, or NULL if it was configured without. */
const char *jwtsso_key_kid(const jwtsso_key_t *k, size_t *len);

/* Check sig over in with key k and alg (of k's family). Returns 1 if it
 * verifies, 0 if not, -1 on an internal failure. */
int jwtsso_key_verify(const jwtsso_key_t *k, jwtsso_alg_t alg,
                      const unsigned char *in, size_t inlen,
                      const unsigned char *sig, size_t siglen);

/* ---------------------------------------------------------------------
 * HMAC from precomputed midstates (hmac.c). A jwtsso_hmac_t holds a key
 * absorbed once; it is only ever read, so one serves many threads, and a
 * MAC allocates nothing.
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
/* The digest name and MAC length of an HS* alg, or NULL / 0. */
const char *jwtsso_hmac_digest(jwtsso_alg_t alg, size_t *maclen);

/* ---------------------------------------------------------------------
 * JSON (json.c).
 */
/* A malloc'ed NUL-terminated copy of len bytes (strdup is not C99). */
char *jwtsso_strndup(const char *s, size_t len);

/* Parse len bytes as one JSON object, refusing duplicate member names.
 * Returns JWTSSO_OK and *out (owned by the caller), JWTSSO_R_DUPLICATE_MEMBER,
 * or bad (anything else wrong: syntax, not an object). */
jwtsso_reason_t jwtsso_json_load(const unsigned char *buf, size_t len,
                                 jwtsso_reason_t bad, json_t **out);
/* A JSON number as Unix seconds: an integer, or a finite real within
 * +-2^53, floored. Returns 0, or -1 if v is no such number. */
int jwtsso_json_seconds(const json_t *v, long long *out);
/* Compact JSON text of any value (malloc'ed, free()), or NULL. */
char *jwtsso_json_compact(const json_t *v);
/* The flat text of a claim value for a record (malloc'ed, free()), or
 * NULL: strings as is, numbers, true/false, null as "", arrays joined
 * with ",", objects and nested arrays as compact JSON. */
char *jwtsso_json_flat(const json_t *v);

/* ---------------------------------------------------------------------
 * Claims (claims.c): RFC 7519 §4.1 checks on a verified payload. Fills
 * res's times and claim; on JWTSSO_OK sets res->user (malloc'ed).
 */
jwtsso_reason_t jwtsso_claims_check(const jwtsso_policy_t *pol,
                                    const json_t *payload, long long now,
                                    jwtsso_result_t *res);

#endif /* JWTSSO_INTERNAL_H */
