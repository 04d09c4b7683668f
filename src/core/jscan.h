/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jscan.h - the token path's JSON reader: a validating scanner that
 * builds no tree (jscan.c; its strings in jstr.c, its numbers in jnum.c).
 *
 * A token's header and payload are read once per request: a tree of
 * Jansson values (a malloc per value) cost more than the signature check
 * of an HS256 token, so the token path (jws.c, claims.c, view.c) reads
 * them with this scanner, and Jansson (json.c) reads everything else.
 *
 * jwtsso_jscan_object() accepts and refuses exactly what json.c's
 * jwtsso_json_object() does (DESIGN §3; fuzz/fuzz_jscan.c holds the two
 * side by side): one JSON text (RFC 8259) whose value is an object,
 * optionally surrounded by JSON whitespace; no member name twice in any
 * object (compared after decoding escapes); strings of valid UTF-8
 * (RFC 3629) and valid escapes, "\u0000" and lone surrogates refused; no
 * raw NUL byte anywhere; arrays and objects at most JWTSSO_JSCAN_MAX_DEPTH
 * deep (the top-level object is depth 1); integers that fit in long long
 * and reals that round to a finite double. It lists the top-level
 * members as pointers into the text; nothing is decoded or copied until a
 * helper below is asked to.
 *
 * Where a text breaks two rules, the rule reported is Jansson's too (a
 * NUL byte first; a repeated name before a later error), but for one
 * case: a text nested deeper than JWTSSO_JSCAN_MAX_DEPTH that repeats a
 * name after that point is BAD here and a duplicate to json.c (Jansson
 * nests 2048 deep before json.c counts). Both refuse it.
 *
 * No allocation, as long as every object has at most 64 members and the
 * objects open at any one time have at most 256 member names between
 * them; beyond that the scanner uses malloc for scratch space (freed
 * before it returns; out of memory gives JWTSSO_JSCAN_BAD). Duplicate
 * detection stays O(n log n) per object for adversarial input. No
 * globals; thread-safe; no recursion.
 */
#ifndef JWTSSO_JSCAN_H
#define JWTSSO_JSCAN_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    JWTSSO_J_STRING, JWTSSO_J_NUMBER, JWTSSO_J_TRUE, JWTSSO_J_FALSE,
    JWTSSO_J_NULL, JWTSSO_J_ARRAY, JWTSSO_J_OBJECT
} jwtsso_jtype_t;

/* A member of an object (or, from jwtsso_jscan_next, an element of an
 * array: name NULL). All pointers point into the scanned text. */
typedef struct {
    const char *name;       /* raw bytes between the quotes */
    size_t name_len;
    const char *value;      /* a string: the raw bytes between its quotes;
                             * else the whole value's text (number,
                             * literal, or [..] / {..} with the brackets) */
    size_t value_len;
    jwtsso_jtype_t type;
    unsigned char name_esc;  /* the raw name holds a backslash */
    unsigned char value_esc; /* a string value's raw text holds one */
} jwtsso_jmember_t;

#define JWTSSO_JSCAN_OK 0
#define JWTSSO_JSCAN_BAD (-1)       /* not a text jwtsso_json_object takes */
#define JWTSSO_JSCAN_DUPLICATE (-2) /* valid but for a repeated name */
#define JWTSSO_JSCAN_TOO_MANY (-3)  /* valid, more than max members */
#define JWTSSO_JSCAN_MAX_DEPTH 64

/* Check buf[0..len) (need not be NUL-terminated) and fill members[0..*n)
 * with its top-level members in document order (members may be NULL when
 * max is 0). Returns JWTSSO_JSCAN_OK (*n = the number of members);
 * JWTSSO_JSCAN_TOO_MANY when the text is valid but has more than max
 * members (*n = max, the first max filled in); JWTSSO_JSCAN_DUPLICATE or
 * JWTSSO_JSCAN_BAD (*n = 0). A text with both a syntax error and a
 * repeated name gives either. */
int jwtsso_jscan_object(const char *buf, size_t len,
                        jwtsso_jmember_t *members, size_t max, size_t *n);

/* Walk an array's or an object's text ("[..]" or "{..}", e.g. a member's
 * value, or a whole payload: whitespace around it is skipped): *pos
 * starts at 0; each call fills *m with the next element or
 * member (strings without their quotes; an array element's name is
 * NULL) and returns 1; returns 0 after the last. It does not validate:
 * on a text the scanner accepted it gives what the scanner saw; on any
 * other text it never reads outside raw[0..len) and always ends. */
int jwtsso_jscan_next(const char *raw, size_t len, size_t *pos,
                      jwtsso_jmember_t *m);

/* ---------------------------------------------------------------------
 * Strings (jstr.c)
 */
/* Decode a string's raw text (from a successful scan) into out (room for
 * raw_len + 1 bytes); NUL-terminates; returns the decoded length (UTF-8
 * for \u escapes, surrogate pairs combined). Other text is decoded
 * leniently, never past raw_len + 1 bytes of out. */
size_t jwtsso_jstr_decode(const char *raw, size_t raw_len, char *out);

/* Do the raw string text a (escapes allowed; raw_esc 0 says it has none)
 * and the plain bytes b decode to the same bytes? 1 or 0; no
 * allocation. */
int jwtsso_jstr_equals(const char *raw, size_t raw_len, int raw_esc,
                       const char *b, size_t b_len);

/* ---------------------------------------------------------------------
 * Numbers (jnum.c)
 */
/* Is a number's text an integer (no fraction, no exponent) that fits in
 * long long (one from a successful scan does)? Then *out is its value.
 * 1, or 0 for a real (or any other text; *out untouched). */
int jwtsso_jnum_integer(const char *raw, size_t len, long long *out);

/* A number's text as the double strtod makes of it (correctly rounded,
 * whatever the locale): 0, or -1 when it is no number or does not round
 * to a finite double (or out of memory, for a text of over 90 significant
 * digits). */
int jwtsso_jnum_real(const char *raw, size_t len, double *out);

/* A NumericDate (RFC 7519 §2) as whole seconds, as json.c's
 * jwtsso_json_seconds reads the same number: an integer as it is, a real
 * floored when its value as a double is at most 2^53 in magnitude. 0, or
 * -1 (*out untouched). */
int jwtsso_jnum_seconds(const char *raw, size_t len, long long *out);

/* ---------------------------------------------------------------------
 * Between the scanner's files
 */
/* A member name on the scanner's name stack: raw text, and its raw
 * length shifted left by one with the low bit set when it holds a
 * backslash. */
typedef struct {
    const unsigned char *p;
    size_t lenx;
} jwtsso_jname_t;

/* Check a string's body from p (just after the opening quote): returns
 * the closing quote, or NULL. Sets *esc when it meets a backslash. */
const unsigned char *jwtsso_jstr_scan(const unsigned char *p,
                                      const unsigned char *end, int *esc);
/* Do the names v[0..k) of one object repeat one (compared decoded)? 1,
 * 0, or -1 (out of memory). */
int jwtsso_jstr_repeats(const jwtsso_jname_t *v, size_t k);
/* Is a number's text (the grammar's) one Jansson holds: an integer in
 * long long, a real that rounds to a finite double? 1 or 0. */
int jwtsso_jnum_fits(const char *raw, size_t len);

#endif /* JWTSSO_JSCAN_H */
