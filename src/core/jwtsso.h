/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jwtsso.h - the public API of the mod_auth_jwtsso token core.
 *
 * The core is a small library on libc, OpenSSL 3 and Jansson. It includes
 * no httpd or APR header, so the module, the unit tests, the fuzzers and
 * the benchmarks all link the same code. It never prints, keeps no
 * globals, and builds no string from attacker data: every failure is a
 * jwtsso_reason_t, with details in caller-owned structs.
 */
#ifndef JWTSSO_H
#define JWTSSO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Reasons. One value per distinct failure; JWTSSO_OK is 0. The glue maps
 * each to a status, a log level and a log tag (src/httpd/reasons.c).
 * Append new values before JWTSSO_R__COUNT; never renumber.
 */
typedef enum {
    JWTSSO_OK = 0,
    JWTSSO_R_TOO_LARGE,        /* token longer than the size cap */
    JWTSSO_R_MALFORMED,        /* not three dot-separated parts, empty part */
    JWTSSO_R_BAD_BASE64,       /* a part is not strict unpadded base64url */
    JWTSSO_R_BAD_HEADER,       /* header not a JSON object, or alg missing */
    JWTSSO_R_BAD_PAYLOAD,      /* payload not a JSON object */
    JWTSSO_R_DUPLICATE_MEMBER, /* a JSON object repeats a member name */
    JWTSSO_R_ALG_NONE,         /* alg "none" (never accepted) */
    JWTSSO_R_ALG_UNKNOWN,      /* alg is not one we implement */
    JWTSSO_R_ALG_NOT_ALLOWED,  /* alg not on the allow-list */
    JWTSSO_R_CRIT,             /* crit names an extension we do not know */
    JWTSSO_R_NO_KEY,           /* no configured key serves this alg */
    JWTSSO_R_UNKNOWN_KID,      /* kid names no configured key */
    JWTSSO_R_BAD_SIGNATURE,    /* signature does not verify */
    JWTSSO_R_CLAIM_TYPE,       /* exp/nbf/iat not a JSON number */
    JWTSSO_R_EXPIRED,          /* exp + skew <= now */
    JWTSSO_R_NOT_YET_VALID,    /* nbf - skew > now */
    JWTSSO_R_IAT_FUTURE,       /* iat - skew > now */
    JWTSSO_R_TOO_OLD,          /* now - iat > max age (+ skew) */
    JWTSSO_R_NO_LIFETIME,      /* max age off and no exp */
    JWTSSO_R_NO_IAT,           /* max age on and no iat */
    JWTSSO_R_NO_USER,          /* the user claim is missing */
    JWTSSO_R_BAD_USER,         /* not a string, empty, or control chars */
    JWTSSO_R_BAD_ISSUER,       /* iss missing or not the configured one */
    JWTSSO_R_BAD_AUDIENCE,     /* aud missing or does not name us */
    /* session records (record.c) */
    JWTSSO_R_RECORD_MALFORMED, /* not a record we could have written */
    JWTSSO_R_RECORD_BAD_MAC,   /* MAC fails: forged, other key/realm/origin */
    JWTSSO_R_RECORD_EXPIRED,   /* past its absolute end */
    JWTSSO_R_INTERNAL,         /* out of memory, crypto failure, caller bug */
    JWTSSO_R_KID_REQUIRED,     /* no kid, and more keys of the alg's family
                                * than policy max_kidless tries */
    JWTSSO_R_TOKEN_TYPE,       /* a login token where an API token is
                                * required, or the other way round */
    JWTSSO_R__COUNT
} jwtsso_reason_t;

/* A short stable token for logs and tests, e.g. "expired". Never NULL. */
const char *jwtsso_reason_name(jwtsso_reason_t r);
/* One sentence for administrators, e.g. "the token has expired (exp is in
 * the past)". Never NULL. */
const char *jwtsso_reason_text(jwtsso_reason_t r);

/* ---------------------------------------------------------------------
 * Algorithms. A set of algorithms is a bitmask of JWTSSO_ALGBIT(alg).
 */
typedef enum {
    JWTSSO_ALG_UNKNOWN = 0,
    JWTSSO_ALG_HS256, JWTSSO_ALG_HS384, JWTSSO_ALG_HS512,
    JWTSSO_ALG_RS256, JWTSSO_ALG_RS384, JWTSSO_ALG_RS512,
    JWTSSO_ALG_PS256, JWTSSO_ALG_PS384, JWTSSO_ALG_PS512,
    JWTSSO_ALG_ES256, JWTSSO_ALG_ES384, JWTSSO_ALG_ES512,
    JWTSSO_ALG_EDDSA,
    JWTSSO_ALG__COUNT
} jwtsso_alg_t;

#define JWTSSO_ALGBIT(a) (1u << (unsigned)(a))
#define JWTSSO_ALGS_HMAC (JWTSSO_ALGBIT(JWTSSO_ALG_HS256) \
                        | JWTSSO_ALGBIT(JWTSSO_ALG_HS384) \
                        | JWTSSO_ALGBIT(JWTSSO_ALG_HS512))

/* "HS256" etc.; JWTSSO_ALG_UNKNOWN for anything else (and for "none"). */
jwtsso_alg_t jwtsso_alg_from_name(const char *name, size_t len);
/* The same in any case, for configuration and the command line only
 * (never a token's header: RFC 7515 names are case-sensitive). */
jwtsso_alg_t jwtsso_alg_from_name_nocase(const char *name, size_t len);
const char *jwtsso_alg_name(jwtsso_alg_t alg);

/* ---------------------------------------------------------------------
 * base64url (RFC 4648 §5), strict: alphabet A-Z a-z 0-9 - _, no padding,
 * no whitespace, and a length that is not 1 mod 4 with zero unused bits.
 */
/* Bytes needed to decode a text of len characters. */
size_t jwtsso_b64url_decoded_max(size_t len);
/* Characters (without NUL) needed to encode len bytes. */
size_t jwtsso_b64url_encoded_len(size_t len);
/* Decode into out (at least jwtsso_b64url_decoded_max(len) bytes); returns
 * 0 and sets *outlen, or -1 on any non-canonical input. */
int jwtsso_b64url_decode(const char *in, size_t len,
                         unsigned char *out, size_t *outlen);
/* Encode into out (at least encoded_len(len) + 1 bytes, NUL-terminated);
 * returns the number of characters written. */
size_t jwtsso_b64url_encode(const unsigned char *in, size_t len, char *out);

/* ---------------------------------------------------------------------
 * Keys. A key set is built once at start-up (single-threaded) and then only
 * read, concurrently, by verifications. Each key is bound to one family:
 * an HMAC secret only ever checks HS* tokens.
 */
typedef struct jwtsso_keyset jwtsso_keyset_t;

jwtsso_keyset_t *jwtsso_keyset_new(void);
void jwtsso_keyset_free(jwtsso_keyset_t *ks);
/* Add an HMAC secret (copied; the copy is cleansed on free). kid may be
 * NULL. Returns 0, or -1 on allocation failure, len == 0, or a kid that
 * a key of the set already has. */
int jwtsso_keyset_add_hmac(jwtsso_keyset_t *ks, const char *kid,
                           const unsigned char *secret, size_t len);
/* The algorithms the keys in the set can serve (a bitmask). */
unsigned jwtsso_keyset_algs(const jwtsso_keyset_t *ks);
/* Number of keys in the set. */
size_t jwtsso_keyset_count(const jwtsso_keyset_t *ks);

/* Why a key could not be added (start-up errors; the glue names the
 * directive, file and fix). */
typedef enum {
    JWTSSO_KEY_OK = 0,
    JWTSSO_KEY_NOT_PEM,        /* no PEM public key, certificate or key */
    JWTSSO_KEY_UNSUPPORTED,    /* a key type we do not verify with (DSA, X25519, ...) */
    JWTSSO_KEY_RSA_TOO_SMALL,  /* RSA modulus under 2048 bits */
    JWTSSO_KEY_BAD_CURVE,      /* EC curve other than P-256/384/521, OKP other than Ed25519 */
    JWTSSO_KEY_DUPLICATE_KID,  /* a key with this kid is already in the set */
    JWTSSO_KEY_BAD_JWKS,       /* not a JWKS: no "keys" array, or a key misses a member */
    JWTSSO_KEY_BAD_JWK,        /* a JWK member has the wrong type or value */
    JWTSSO_KEY_ALG_MISMATCH,   /* a JWK's alg does not fit its kty/crv */
    JWTSSO_KEY_INTERNAL,
    JWTSSO_KEY__COUNT
} jwtsso_keyerr_t;

/* One sentence for an administrator. Never NULL. */
const char *jwtsso_reason_keyerr(jwtsso_keyerr_t e);

/* Add a public key from PEM text: a SubjectPublicKeyInfo ("PUBLIC KEY"),
 * a PKCS#1 "RSA PUBLIC KEY", an X.509 "CERTIFICATE" (its public key), or a
 * private key, of which only the public half is kept and *was_private is
 * set (the glue warns). RSA (>= 2048 bits; serves RS* and PS*), EC P-256
 * (ES256), P-384 (ES384), P-521 (ES512), Ed25519 (EdDSA). kid may be NULL.
 * The key is parsed once here into a ready EVP_PKEY; verification only
 * reads it. */
jwtsso_keyerr_t jwtsso_pkey_add(jwtsso_keyset_t *ks, const char *kid,
                                const char *pem, size_t len,
                                int *was_private);

/* Add every signing key of a JWKS document (RFC 7517 §5): kty RSA (n, e),
 * EC (crv, x, y), OKP (crv Ed25519, x), oct (k: an HMAC secret, refused
 * under 32 bytes unless allow_short). Keys with "use" other than "sig" are
 * skipped; a key's "alg", when present, restricts it to that alg; private
 * members (d, p, q, ...) are ignored, never used; keys of an unknown kty
 * are skipped (RFC 7517 §5). On failure nothing is added and the set is
 * as before; *bad_index names the offending key (0-based), or is
 * (size_t)-1 when the document itself is wrong (not JSON, no "keys"
 * array). *added counts the keys added. Both may be NULL. */
jwtsso_keyerr_t jwtsso_jwks_add(jwtsso_keyset_t *ks, const char *json,
                                size_t len, int allow_short,
                                size_t *added, size_t *bad_index);
/* Where a JWK Set is wrong, in words for an administrator: "line 3,
 * column 7: ..." (Jansson's position) for a document that is not JSON,
 * or "key 2: member \"n\": ..." for a key (counting from 0); "" when
 * there is nothing more to say than the jwtsso_keyerr_t. */
typedef struct {
    size_t index;               /* the key at fault, or (size_t)-1 */
    char where[240];
} jwtsso_jwks_err_t;

/* jwtsso_jwks_add, saying where the set is wrong in *err (may be NULL). */
jwtsso_keyerr_t jwtsso_jwks_add_ex(jwtsso_keyset_t *ks, const char *json,
                                   size_t len, int allow_short,
                                   size_t *added, jwtsso_jwks_err_t *err);

/* ---------------------------------------------------------------------
 * Token verification (RFC 7515 compact JWS + RFC 7519 claims).
 */
typedef struct {
    unsigned algs;          /* allow-list; 0 = what the key set can serve */
    long long max_age;      /* max now - iat in seconds; < 0 = off */
    long long skew;         /* leeway in seconds for exp, nbf, iat */
    const char *user_claim; /* NULL = "sub" */
    size_t max_size;        /* size cap in bytes; 0 = 8192 */
    const char *issuer;     /* required iss, or NULL */
    const char *audience;   /* required aud member, or NULL */
    const char *api_audience; /* an aud that makes a token an API token
                             * (JWTSSOBearerAudience), or NULL; a typ of
                             * "at+jwt" (RFC 9068) always does */
    int bearer;             /* 1: an API (bearer) token is checked: with
                             * api_audience it must name it. 0: a login
                             * token: an API token is JWTSSO_R_TOKEN_TYPE */
    unsigned max_kidless;   /* keys of one family tried for a token
                             * without kid; 0 = JWTSSO_MAX_KIDLESS. More
                             * keys than that: JWTSSO_R_KID_REQUIRED */
} jwtsso_policy_t;

#define JWTSSO_MAX_KIDLESS 4

/* What a verification tells. Pointers point into memory the result owns,
 * freed by jwtsso_jws_result_clear(). On failure, fields that were known
 * before the failure are filled in (alg, kid, times) so a log line can say
 * more. */
typedef struct {
    jwtsso_alg_t alg;
    char kid[65];            /* the header's kid, truncated, "" if none */
    char typ[33];            /* the header's typ, truncated, "" if none */
    int api;                 /* typ says an API token (RFC 9068 at+jwt):
                              * never a login */
    long long iat, exp, nbf; /* valid only when has_* is set */
    int has_iat, has_exp, has_nbf;
    const char *claim;       /* name of the claim a claim failure is about */
    const char *user;        /* the user claim (NUL-terminated), or NULL */
    const char *payload;     /* the payload: a JSON object text, checked
                              * (jwtsso_view_make reads it), NUL-terminated,
                              * or NULL */
    size_t payload_len;
    const char *iss, *jti;   /* the iss and jti claims when they are
                              * strings, decoded, or NULL */
    size_t iss_len, jti_len;
    void *mem;               /* internal: what the pointers point into,
                              * when it was malloc'ed (else NULL) */
} jwtsso_result_t;

/* Verify token (len bytes, need not be NUL-terminated) at time now (Unix
 * seconds). res must be zeroed before the first call; clear it after. */
jwtsso_reason_t jwtsso_jws_verify(const jwtsso_keyset_t *ks,
                                  const jwtsso_policy_t *pol,
                                  const char *token, size_t len,
                                  long long now, jwtsso_result_t *res);
/* The same, decoding into the caller's scratch (scratch_len bytes, e.g.
 * from a request pool) instead of a malloc when it is at least
 * jwtsso_jws_scratch_len(len) bytes: res's strings then point into
 * scratch, which must outlive their use (res->mem stays NULL). A smaller
 * or NULL scratch is not an error: the verification mallocs as above. */
jwtsso_reason_t jwtsso_jws_verify_in(const jwtsso_keyset_t *ks,
                                     const jwtsso_policy_t *pol,
                                     const char *token, size_t len,
                                     long long now, jwtsso_result_t *res,
                                     void *scratch, size_t scratch_len);
size_t jwtsso_jws_scratch_len(size_t len);
void jwtsso_jws_result_clear(jwtsso_result_t *res);
/* The most keys of ks a token without kid is checked against, over the
 * algs ks serves, and in *alg (may be NULL) such an alg: with more than
 * policy max_kidless, tokens of that alg without kid are refused
 * (JWTSSO_R_KID_REQUIRED). For the start-up check. */
size_t jwtsso_keyset_kidless(const jwtsso_keyset_t *ks, jwtsso_alg_t *alg);

/* Sign an HS* token over the given header and payload JSON texts (used by
 * the tests and benchmarks). Returns a malloc'ed NUL-terminated token
 * or NULL. */
char *jwtsso_jws_sign_hmac(jwtsso_alg_t alg,
                           const unsigned char *secret, size_t secret_len,
                           const char *header_json, const char *payload_json);

/* ---------------------------------------------------------------------
 * Session records. A record is a compact string
 *     "j1." b64url(body) "." b64url(HMAC-SHA256(key, ctx || body))
 * where ctx binds the record to the realm, the public origin and, when
 * policy is not NULL, the JWTSSO_POLICY_LEN bytes of the section's policy
 * digest. The body
 * is a few newline-separated fields, percent-escaped, the claims among
 * them already flat, so checking a record needs no JSON parser.
 */
#define JWTSSO_MACKEY_LEN 32
typedef struct jwtsso_mackey jwtsso_mackey_t;

/* A record MAC key from raw key material: HMAC-SHA256(material, label)
 * with label "jwtsso session record v1", so the record key is never the
 * token secret itself. */
jwtsso_mackey_t *jwtsso_record_key_new(const unsigned char *material,
                                       size_t len);
void jwtsso_record_key_free(jwtsso_mackey_t *k);

#define JWTSSO_RECORD_CLAIMS_MAX 2048 /* bytes of claims kept in a record */
#define JWTSSO_RECORD_MAX 3600        /* a record longer is malformed */

/* One claim as the app sees it. type: 's' a string (value decoded), 'n' a
 * number, true or false (value as sent), 'z' null (value ""), 'j' an array
 * or object (value flat: elements joined with ","; json its compact JSON
 * text). */
typedef struct {
    const char *name;
    const char *value;  /* scalar as text; arrays joined with "," */
    const char *json;   /* type 'j': the compact JSON; else NULL */
    char type;
} jwtsso_claim_t;

/* The claims c[0..n) as one compact JSON object (JWTSSO_CLAIMS): written
 * to out (NUL-terminated) unless out is NULL; returns its length without
 * the NUL either way. Strings are written with JSON's escapes (", \ and
 * control characters), numbers, literals and type 'j' as they are. */
size_t jwtsso_view_json(const jwtsso_claim_t *c, size_t n, char *out);

typedef struct {
    const char *user;
    long long auth_time;    /* when the login happened */
    long long end;          /* absolute end of the session */
    const char *sid;        /* random login id, fresh per login */
    const char *claims_json;/* the kept claims as one JSON object text, or
                             * NULL: jwtsso_record_check leaves it to
                             * jwtsso_view_json, for who needs it */
    size_t nclaims;
    jwtsso_claim_t *claims; /* the kept claims, flattened */
    int truncated;          /* some claims of the token were left out */
} jwtsso_record_t;

/* The claims of a verified token as the app sees them (DESIGN §6): each
 * top-level claim flattened (strings decoded, integers in decimal, reals
 * in their shortest text that reads back the same (".0" added when it
 * would read as an integer), true / false, null as "", arrays joined with
 * ",", objects and nested arrays as compact JSON), and the kept claims as
 * one compact JSON object. The first string claim equal to user is
 * always kept, then iss and aud while they fit, then the others in
 * payload order while their cost in a record (escaped name and value,
 * twice) fits in budget bytes; kept claims stay in payload order, and
 * view->truncated says whether any was left out. The names of dropped
 * claims are written, comma-separated, into dropped (dropped_len bytes,
 * truncated, may be NULL). The payload is read again (jscan.c); all the
 * view points to is in the caller's scratch. */
typedef struct {
    const char *claims_json;
    size_t nclaims;
    jwtsso_claim_t *claims;
    size_t cost;            /* the record bytes the kept claims take */
    int truncated;          /* some claims were left out */
} jwtsso_view_t;

/* Bytes of scratch jwtsso_view_make needs for a payload of len bytes. */
size_t jwtsso_view_scratch_len(size_t len);
/* payload: a JSON object text a verification accepted (res->payload), or
 * NULL (no claims). Returns JWTSSO_OK, JWTSSO_R_BAD_PAYLOAD (not an
 * object a verification accepts) or JWTSSO_R_INTERNAL (scratch too small,
 * out of memory). */
jwtsso_reason_t jwtsso_view_make(const char *payload, size_t len,
                                 const char *user, size_t budget,
                                 jwtsso_view_t *view, void *scratch,
                                 size_t scratch_len, char *dropped,
                                 size_t dropped_len);
/* The same for the payload of a verified token (res->payload), which the
 * verification checked: its members are listed, not checked again. */
jwtsso_reason_t jwtsso_view_result(const jwtsso_result_t *res,
                                   size_t budget, jwtsso_view_t *view,
                                   void *scratch, size_t scratch_len,
                                   char *dropped, size_t dropped_len);

/* The digest of a section's verification policy that a record is bound
 * to (computed by the glue; opaque here). */
#define JWTSSO_POLICY_LEN 32

/* Build a record for a verified token: user, times, sid and the claims
 * of payload (res->payload, or NULL), kept as jwtsso_view_make keeps them
 * under JWTSSO_RECORD_CLAIMS_MAX. sid is a caller-made random string
 * ([A-Za-z0-9_-] only). Returns a malloc'ed NUL-terminated record, or
 * NULL (allocation, an empty user, or a user and sid too long for
 * JWTSSO_RECORD_MAX: users are at most 255 bytes, so this does not happen
 * for verified tokens). */
char *jwtsso_record_make(const jwtsso_mackey_t *k,
                         const char *realm, const char *origin,
                         const unsigned char *policy, const char *user, long long auth_time,
                         long long end, const char *sid,
                         const char *payload, size_t payload_len,
                         char *dropped, size_t dropped_len);

/* Bytes of scratch jwtsso_record_check needs for a record of len chars. */
size_t jwtsso_record_scratch_len(size_t len);

/* Check a record: MAC first (constant time), then format, then end > now.
 * On JWTSSO_OK, rec's strings point into scratch (scratch_len bytes, at
 * least jwtsso_record_scratch_len(len)), and rec->claims points to an array
 * also inside scratch. No JSON parsing, no allocation. */
jwtsso_reason_t jwtsso_record_check(const jwtsso_mackey_t *k,
                                    const char *realm, const char *origin,
                                    const unsigned char *policy,
                                    const char *text, size_t len,
                                    long long now, jwtsso_record_t *rec,
                                    void *scratch, size_t scratch_len);

/* The last-seen entry of a session (JWTSSOSessionInactivity), kept in the
 * session beside the record so that refreshing it never rewrites the
 * claims:
 *     "s1." decimal(t) "." b64url(HMAC-SHA256(key, "jwtsso-seen-v1" NUL
 *                                             sid NUL decimal(t)))
 * with the record key, bound to the record's sid (fresh per login): a
 * client can neither move t nor carry an entry to another login. */
#define JWTSSO_RECORD_SEEN_MAX 80       /* bytes, with the NUL */
/* Writes the entry for (sid, t) into out (JWTSSO_RECORD_SEEN_MAX bytes);
 * 0, or -1 on a NULL key or sid, or a crypto failure. */
int jwtsso_record_seen_make(const jwtsso_mackey_t *k, const char *sid,
                            long long t, char *out);
/* Checks an entry against sid; on JWTSSO_OK *t is its time.
 * JWTSSO_R_RECORD_MALFORMED for a text we could not have written,
 * JWTSSO_R_RECORD_BAD_MAC for another key or sid or an edited time. */
jwtsso_reason_t jwtsso_record_seen_check(const jwtsso_mackey_t *k,
                                         const char *sid, const char *text,
                                         size_t len, long long *t);

/* ---------------------------------------------------------------------
 * Claim requirements (match.c): what `Require jwtsso-claim NAME VALUE...`
 * asks of the claims of a login (a session record or a bearer token's
 * view). No allocation beyond Jansson's, no strings from the token.
 */
typedef enum {
    JWTSSO_MATCH_YES = 0,   /* the claim is, or contains, one of the values */
    JWTSSO_MATCH_NO,        /* the claim is there, with none of them */
    JWTSSO_MATCH_MISSING,   /* no such claim (or path) in a complete record */
    JWTSSO_MATCH_UNKNOWN,   /* not in the record, which left claims out for
                             * size (truncated): it may have been in the
                             * token; never to be taken as a "no" */
    JWTSSO_MATCH_ERROR      /* the record's claims JSON cannot be read */
} jwtsso_match_t;

/* jwtsso_match_path's errors (0 is success). */
#define JWTSSO_MATCH_PATH_EMPTY  1  /* an empty name: "", ".a", "a.", "a..b" */
#define JWTSSO_MATCH_PATH_ESCAPE 2  /* '\' before anything but '.' or '\' */

/* Split a claim path into its names: '.' goes one level down into an
 * object ("realm_access.roles"), "\." is a dot inside a name
 * ("https://example\.com/roles") and "\\" a backslash. out (at least
 * strlen(spec) + 1 bytes) gets the names one after another, each
 * NUL-terminated, and *n their count. Returns 0 or a JWTSSO_MATCH_PATH_*
 * error. */
int jwtsso_match_path(const char *spec, char *out, size_t *n);

/* Does the claim at path[0..npath) of rec equal one of values[0..nvalues)
 * (byte for byte), or, an array, contain one? A string compares by its
 * decoded text; a number, true or false by its JSON text as the claims
 * view writes it ("3", "2.5", "true"); null and objects never match. A
 * path below the top level walks objects only. Reads rec's flat claims;
 * parses one claim's JSON (or, for a record that has no claim types, the
 * whole claims JSON) only when the claim is an array or object. */
jwtsso_match_t jwtsso_match_record(const jwtsso_record_t *rec,
                                   const char *const *path, size_t npath,
                                   const char *const *values,
                                   size_t nvalues);

/* ---------------------------------------------------------------------
 * Signing (sign.c): what the issuer handler (jwtsso-issuer) and the
 * jwtsso-token CLI make tokens with. A signer is built once (start-up,
 * single-threaded), then only read: signing with one signer from several
 * threads at once is safe.
 */
typedef struct jwtsso_signer jwtsso_signer_t;

/* An HMAC signer for alg (HS256, HS384 or HS512); the secret is copied
 * (cleansed on free); kid may be NULL. NULL on a bad alg, an empty secret,
 * a kid that is not UTF-8 or allocation failure. */
jwtsso_signer_t *jwtsso_sign_new_hmac(jwtsso_alg_t alg,
                                      const unsigned char *secret,
                                      size_t len, const char *kid);
/* A signer from a PEM private key (PKCS#8 "PRIVATE KEY", or the
 * traditional "RSA PRIVATE KEY" / "EC PRIVATE KEY"; not encrypted): RSA
 * (>= 2048 bits: RS256/384/512, PS256/384/512), EC P-256 (ES256), P-384
 * (ES384), P-521 (ES512), Ed25519 (EdDSA). alg JWTSSO_ALG_UNKNOWN picks
 * the key's first: RS256, the curve's ES*, EdDSA; any other alg must be
 * one the key allows (else JWTSSO_KEY_ALG_MISMATCH). kid may be NULL;
 * one that is not UTF-8 is JWTSSO_KEY_BAD_JWK. A public key or
 * certificate is JWTSSO_KEY_NOT_PEM, an encrypted key
 * JWTSSO_KEY_UNSUPPORTED; other keys as for jwtsso_pkey_add. */
jwtsso_keyerr_t jwtsso_sign_new_pem(const char *pem, size_t len,
                                    const char *kid, jwtsso_alg_t alg,
                                    jwtsso_signer_t **out);
/* The algs the signer's key allows (a bitmask), and the one it signs. */
unsigned jwtsso_sign_algs(const jwtsso_signer_t *s);
jwtsso_alg_t jwtsso_sign_alg(const jwtsso_signer_t *s);
/* A compact JWS of payload_json (a JSON object text, signed as given)
 * under the header {"alg":ALG,"typ":"JWT"} plus "kid" when the signer has
 * one. ES* signatures are R || S (RFC 7518 §3.4), not DER. Returns a
 * malloc'ed NUL-terminated token, or NULL. */
char *jwtsso_sign_token(const jwtsso_signer_t *s, const char *payload_json);
/* The signer's public key as a JWK (RFC 7517) JSON object text: kty,
 * n/e (RSA) or crv/x[/y] (EC, OKP), use "sig", alg, and kid when set;
 * never a private member. malloc'ed, or NULL for an HMAC signer. */
char *jwtsso_sign_jwk(const jwtsso_signer_t *s);
void jwtsso_sign_free(jwtsso_signer_t *s);

/* ---------------------------------------------------------------------
 * Secrets (secret.c): the forms a shared secret is written in, the same
 * for JWTSSOSecret (and the module's other secret directives) and for
 * jwtsso-token: "file:PATH" (the file's bytes, a trailing newline not
 * part of them), "env:NAME" (the environment variable's value),
 * "base64:DATA" (standard or URL-safe base64, padding optional), else the
 * text itself.
 */
#define JWTSSO_SECRET_MIN 32        /* bytes, as long as SHA-256's output:
                                     * shorter only when allowed */
#define JWTSSO_SECRET_FILE_MAX 65536

typedef enum {
    JWTSSO_SECRET_OK = 0,
    JWTSSO_SECRET_NO_PATH,      /* "file:" and nothing after it */
    JWTSSO_SECRET_UNREADABLE,   /* the file cannot be opened or read */
    JWTSSO_SECRET_TOO_LARGE,    /* the file is over JWTSSO_SECRET_FILE_MAX */
    JWTSSO_SECRET_NO_ENV,       /* the variable is not set, or empty */
    JWTSSO_SECRET_NOT_BASE64,   /* what follows "base64:" is not base64 */
    JWTSSO_SECRET_EMPTY,        /* the secret has no byte */
    JWTSSO_SECRET_IS_PATH,      /* the text itself, an absolute path of an
                                 * existing file: "file:" was forgotten */
    JWTSSO_SECRET_INTERNAL      /* out of memory, a NULL value */
} jwtsso_secret_err_t;

/* The words after the value of an IS_PATH error, the module's and
 * jwtsso-token's alike; the value follows them again. */
#define JWTSSO_SECRET_IS_PATH_FIX "is the path of an existing file, not " \
    "a secret; to read the secret from the file, write file:"

/* The form of value: 'f' (file:), 'e' (env:), 'b' (base64:) or 'l' (the
 * text itself); *rest (rest may be NULL) is what follows the prefix. */
int jwtsso_secret_form(const char *value, const char **rest);
/* The bytes value stands for, into *out (malloc'ed, NUL-terminated; *len
 * without the NUL; free with jwtsso_secret_free), or NULL with the error.
 * path: the file to read for a "file:" value, as the caller resolved it
 * (the module: relative to ServerRoot), or NULL for the text after
 * "file:" as it is. *err (err may be NULL): the errno of UNREADABLE, else
 * 0. */
jwtsso_secret_err_t jwtsso_secret_bytes(const char *value, const char *path,
                                        unsigned char **out, size_t *len,
                                        int *err);
/* Cleanse len bytes at p, then free it. NULL is no-op. */
void jwtsso_secret_free(unsigned char *p, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* JWTSSO_H */
