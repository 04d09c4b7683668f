/*
 * jscan.h - a validating, non-allocating JSON scanner for the token core.
 *
 * jwtsso_jscan_object() checks that a buffer is exactly one JSON text
 * (RFC 8259) whose value is an object, as strictly as Jansson 2.14 with
 * JSON_REJECT_DUPLICATES, and lists the top-level members as pointers
 * into the buffer. Nothing is decoded or copied: the helpers below decode
 * a string, compare a name, read a NumericDate, compact a value or walk an
 * array when the caller needs it. A nested object's text (a member of
 * type JWTSSO_J_OBJECT) is itself a JSON text the scanner accepts, so
 * nested objects are read by scanning that text again.
 *
 * Deliberate differences from Jansson (everything else is refused or
 * accepted exactly as Jansson does):
 *  - numbers are checked against the RFC 8259 grammar only: an integer
 *    that does not fit in long long, or a real beyond the range of a
 *    double ("1e400"), is accepted as number text, where Jansson refuses
 *    it. jwtsso_jnum_seconds() says what such a number means to us;
 *  - arrays and objects nested more than JWTSSO_JSCAN_MAX_DEPTH deep
 *    (the top-level object is depth 1) are refused; Jansson allows 2048
 *    levels of values;
 *  - a raw NUL byte is refused wherever it is. Jansson skips one NUL byte
 *    right after a number or true/false/null ({"a":1<NUL>} is an object
 *    to it): its reader marks the end of its look-ahead buffer with NUL,
 *    so a pushed-back NUL byte is lost.
 *
 * No allocation, as long as every object has at most 64 members and the
 * objects open at any one time (an object and the objects around it) have
 * at most 256 member names between them (so any such document nesting
 * objects at most four deep). Beyond that the scanner uses malloc for scratch space
 * (freed before it returns; running out of memory gives JWTSSO_JSCAN_BAD).
 * Duplicate detection stays O(n log n) per object for adversarial input.
 * No globals; thread-safe; the recursion is an explicit 64-entry stack.
 */
#ifndef JWTSSO_JSCAN_H
#define JWTSSO_JSCAN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    JWTSSO_J_STRING, JWTSSO_J_NUMBER, JWTSSO_J_TRUE, JWTSSO_J_FALSE,
    JWTSSO_J_NULL, JWTSSO_J_ARRAY, JWTSSO_J_OBJECT
} jwtsso_jtype_t;

/* One top-level member. All pointers point into the scanned buffer. */
typedef struct {
    const char *name;      /* raw bytes between the quotes, escapes not decoded */
    size_t name_len;
    const char *value;     /* string: raw bytes between the quotes; other types: the whole value text (number, literal, or [..] / {..} including brackets) */
    size_t value_len;
    jwtsso_jtype_t type;
    unsigned char name_esc;   /* 1 if the raw name contains a backslash */
    unsigned char value_esc;  /* 1 if a string value's raw text contains a backslash */
} jwtsso_jmember_t;

#define JWTSSO_JSCAN_OK 0
#define JWTSSO_JSCAN_BAD (-1)        /* not exactly one valid JSON text, or not an object */
#define JWTSSO_JSCAN_DUPLICATE (-2)  /* some object (at any depth) repeats a member name */
#define JWTSSO_JSCAN_TOO_MANY (-3)   /* valid so far but the top level has more than max members; *n = how many were needed is NOT required, just report TOO_MANY */
#define JWTSSO_JSCAN_MAX_DEPTH 64

/* Validate buf[0..len) (not NUL-terminated; a raw NUL byte anywhere makes
 * it invalid) as one JSON text whose value is an object, optionally
 * surrounded by JSON whitespace (space, tab, LF, CR), and fill
 * members[0..*n) with its top-level members in document order. members
 * may be NULL when max is 0.
 *
 * Returns JWTSSO_JSCAN_OK (*n = the number of members), or
 * JWTSSO_JSCAN_TOO_MANY when the whole text is valid and free of duplicate
 * names but has more than max top-level members (*n = max: the first max
 * members are filled in), or JWTSSO_JSCAN_DUPLICATE / JWTSSO_JSCAN_BAD
 * (*n = 0). A text that is valid but for a repeated name (compared after
 * decoding escapes, in every object separately) gives DUPLICATE; a text
 * with both a syntax error and a repeated name gives either. */
int jwtsso_jscan_object(const char *buf, size_t len,
                        jwtsso_jmember_t *members, size_t max, size_t *n);

/* Decode a string's raw text (from a successful scan: escapes valid) into
 * out, which has room for raw_len + 1 bytes; NUL-terminates; returns the
 * decoded length (UTF-8 for \u escapes, surrogate pairs combined).
 * Any other text is decoded leniently and never past raw_len + 1 bytes of
 * out: a backslash that starts no valid escape is copied as it is, a lone
 * surrogate becomes its three-byte (CESU-style) form. */
size_t jwtsso_jstr_decode(const char *raw, size_t raw_len, char *out);

/* Do the raw string text a (escapes allowed) and the plain bytes b
 * (b_len, no escapes) decode to the same bytes? No allocation. raw_esc is
 * the scanner's name_esc / value_esc for raw: with 0, raw is compared as
 * it is. Returns 1 or 0. */
int jwtsso_jstr_equals(const char *raw, size_t raw_len, int raw_esc,
                       const char *b, size_t b_len);

/* A number's text (from a successful scan) as whole Unix seconds
 * (RFC 7519 NumericDate): an integer that fits in long long exactly; or,
 * for text with a fraction or exponent, the value floored, when its
 * absolute value is at most 2^53 (9007199254740992). Exact decimal
 * arithmetic on the digits (no strtod, no locale, no libm): e.g. "1.9"->1,
 * "-1.5"->-2, "17e8"->1700000000, "1.7e9"->1700000000, "0.5e1"->5,
 * "1e300"->-1, "9007199254740993.0"->-1, "-0.0"->0. Returns 0, or -1
 * (also for text that is not a JSON number; *out is then untouched). */
int jwtsso_jnum_seconds(const char *raw, size_t len, long long *out);

/* Copy a value's text (from a successful scan) without the whitespace
 * outside strings into out (room for len + 1 bytes; NUL-terminated);
 * returns the length written. Strings are copied as they are (escapes
 * untouched). */
size_t jwtsso_jcompact(const char *raw, size_t len, char *out);

/* Iterate an array value's elements (the raw "[...]" text from a
 * successful scan): *pos starts at 0; each call sets *elem and *elem_len
 * to the next element's text as in jwtsso_jmember_t (strings without
 * quotes) and its *type and *esc, and returns 1; returns 0 after the last.
 * On other text it never reads outside raw[0..len) and always ends. */
int jwtsso_jarray_next(const char *raw, size_t len, size_t *pos,
                       const char **elem, size_t *elem_len,
                       jwtsso_jtype_t *type, int *esc);

#ifdef __cplusplus
}
#endif

#endif /* JWTSSO_JSCAN_H */
