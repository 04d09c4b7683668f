/*
 * b64url.c - strict base64url (RFC 4648 §5), as RFC 7515 §2 uses it.
 *
 * Only the canonical text of some bytes is accepted: the URL alphabet, no
 * padding, no whitespace, no length of 1 mod 4, and zero unused bits in
 * the last character. So each byte string has exactly one encoding and a
 * token cannot be varied without changing its signed text.
 *
 * Decoding is on every request's path (a token's three parts, a session
 * record of a few hundred characters): on x86-64 CPUs with SSSE3 (all
 * since about 2008) it takes 16 characters a step with SIMD, chosen at
 * run time; elsewhere, and for the last few characters, a table-driven
 * scalar loop. Both accept and produce exactly the same (the fuzz target
 * fuzz_b64url and t/unit/test_b64.c compare them).
 */

#include <stdint.h>
#include <string.h>

#include "jwtsso.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The value of each byte as a base64url character: 0..63, or BAD (the
 * high bit) for any other byte, so a whole run of characters is checked by
 * OR-ing their values once at the end instead of branching on each. */
#define BAD 0x80
static const unsigned char values[256] = {
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,  62, 128, 128,
     52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 128, 128, 128, 128, 128, 128,
    128,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
     15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 128, 128, 128, 128,  63,
    128,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
     41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
};

size_t jwtsso_b64url_decoded_max(size_t len)
{
    size_t rem = len % 4;

    return len / 4 * 3 + (rem > 1 ? rem - 1 : 0);
}

size_t jwtsso_b64url_encoded_len(size_t len)
{
    size_t rem = len % 3;

    return len / 3 * 4 + (rem ? rem + 1 : 0);
}

/* ---------------------------------------------------------------------
 * Scalar decoding: the reference, used for short texts, for the last
 * characters of the vector path, and where there is no vector path.
 */

/* Decode s[i..len) to d + i / 4 * 3: the whole quads, then the 2 or 3
 * characters of a last partial quad. i is a multiple of 4 and the caller
 * has refused len % 4 == 1. Returns 0, or non-zero if a character is not
 * in the alphabet or the unused bits of the last one are not zero. */
static unsigned decode_from(const unsigned char *restrict s, size_t i,
                            size_t len, unsigned char *restrict d)
{
    size_t o = i / 4 * 3, full = len / 4 * 4, rem = len % 4;
    unsigned v0, v1, v2, v3, x, bad = 0;

    for (; i < full; i += 4) {
        v0 = values[s[i]];
        v1 = values[s[i + 1]];
        v2 = values[s[i + 2]];
        v3 = values[s[i + 3]];
        bad |= v0 | v1 | v2 | v3;
        x = v0 << 18 | v1 << 12 | v2 << 6 | v3;
        d[o] = (unsigned char)(x >> 16);
        d[o + 1] = (unsigned char)(x >> 8);
        d[o + 2] = (unsigned char)x;
        o += 3;
    }
    if (rem) {
        v0 = values[s[i]];
        v1 = values[s[i + 1]];
        v2 = rem == 3 ? values[s[i + 2]] : 0;
        bad |= v0 | v1 | v2;
        /* RFC 4648 §3.5: the unused bits must be zero (canonical). */
        if (rem == 2 ? (v1 & 0x0f) != 0 : (v2 & 0x03) != 0) {
            bad |= BAD;
        }
        d[o++] = (unsigned char)(v0 << 2 | v1 >> 4);
        if (rem == 3) {
            d[o] = (unsigned char)(v1 << 4 | v2 >> 2);
        }
    }
    return bad & BAD;
}

/* Not in jwtsso.h: the scalar decoder under its own name, so the fuzz
 * target and the unit test can hold the vector path against it. Same
 * contract as jwtsso_b64url_decode. */
int jwtsso_b64url_decode_scalar(const char *in, size_t len,
                                unsigned char *out, size_t *outlen);

int jwtsso_b64url_decode_scalar(const char *in, size_t len,
                                unsigned char *out, size_t *outlen)
{
    *outlen = 0;
    /* out may hold bytes of a text that turned out bad: the caller gets
     * only -1 and *outlen 0 then */
    if (len % 4 == 1
        || decode_from((const unsigned char *)in, 0, len, out) != 0) {
        return -1;
    }
    *outlen = jwtsso_b64url_decoded_max(len);
    return 0;
}

/* ---------------------------------------------------------------------
 * SSSE3 decoding (x86-64), chosen at run time: the build stays baseline
 * x86-64. After Wojciech Muła and Daniel Lemire, "Faster Base64 Encoding
 * and Decoding Using AVX2 Instructions" (ACM TWEB 2018) and Muła's
 * "Base64 decoding with SIMD instructions", with the URL alphabet.
 *
 * 16 characters a round, each byte c split into its high nibble h and
 * low nibble l:
 *
 * 1. Validate. The valid characters, by high nibble:
 *        h = 2: only l = 0xd ('-')
 *        h = 3: l = 0..9 ('0'-'9')
 *        h = 4, 6: l = 1..f ('A'-'O', 'a'-'o')
 *        h = 5: l = 0..a ('P'-'Z') or l = 0xf ('_')
 *        h = 7: l = 0..a ('p'-'z')
 *        h = 0, 1, 8..f: none
 *    Each row is one bit class: lut_hi[h] is the bit of h's class and
 *    lut_lo[l] has the bits of the classes in which l is NOT valid. c is
 *    valid iff lut_lo[l] & lut_hi[h] == 0; two pshufb and one pand. The
 *    results are OR-ed over all rounds and tested once at the end (what
 *    was written for a bad text does not matter: the caller gets -1).
 *
 * 2. Translate. Within a row the value is c plus one offset, except in
 *    row 5 where '_' (95 -> 63) differs from 'P'-'Z' (-65). So the
 *    offset is looked up (pshufb) by h, with '_' moved to the unused row
 *    13 (h | 8 where c == '_'):
 *        row 2: +17 ('-' 45 -> 62)     row 3: +4 ('0' 48 -> 52)
 *        rows 4, 5: -65 ('A' -> 0)     rows 6, 7: -71 ('a' -> 26)
 *        row 13: -32 ('_' 95 -> 63)
 *    Invalid characters get some value; step 1 already condemned them.
 *
 * 3. Pack the 6-bit values a b c d of each group of 4 into 3 bytes:
 *    pmaddubsw with bytes (64, 1) makes each 16-bit word a << 6 | b,
 *    pmaddwd with words (4096, 1) makes each dword
 *    a << 18 | b << 12 | c << 6 | d (24 bits, little-endian), and one
 *    pshufb takes bytes 2, 1, 0 of each dword: 12 bytes in order, then 4
 *    zero bytes.
 *
 * 4. Store. A 16-byte store writes those 4 bytes too: it is used only
 *    while 16 bytes of out are left from the write position (out has
 *    exactly jwtsso_b64url_decoded_max(len) bytes). One more round, if
 *    16 characters remain, stores its 12 bytes exactly (8 + 4). The last
 *    0..15 characters, with the unused-bits rule, go to decode_from.
 */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define B64_SSSE3 1
#define B64_TARGET __attribute__((target("ssse3")))
#include <tmmintrin.h>

/* One round: 16 characters in, their 12 bytes (then 4 zero bytes) out;
 * the invalid-character bits are OR-ed into *err. */
B64_TARGET
static inline __m128i decode16(__m128i in, __m128i *err)
{
    const __m128i lut_lo = _mm_setr_epi8(
        0x25, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21,
        0x21, 0x21, 0x23, 0x3b, 0x3b, 0x3a, 0x3b, 0x33);
    const __m128i lut_hi = _mm_setr_epi8(
        0x20, 0x20, 0x01, 0x02, 0x04, 0x08, 0x04, 0x10,
        0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20);
    const __m128i lut_roll = _mm_setr_epi8(
        0, 0, 17, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, -32, 0, 0);
    const __m128i pack = _mm_setr_epi8(
        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    const __m128i nib = _mm_set1_epi8(0x0f);
    __m128i hi, lo, idx, v;

    /* step 1 */
    hi = _mm_and_si128(_mm_srli_epi32(in, 4), nib);
    lo = _mm_and_si128(in, nib);
    *err = _mm_or_si128(*err,
                        _mm_and_si128(_mm_shuffle_epi8(lut_lo, lo),
                                      _mm_shuffle_epi8(lut_hi, hi)));
    /* step 2 */
    idx = _mm_or_si128(hi, _mm_and_si128(_mm_cmpeq_epi8(in,
                                                        _mm_set1_epi8('_')),
                                         _mm_set1_epi8(8)));
    v = _mm_add_epi8(in, _mm_shuffle_epi8(lut_roll, idx));
    /* step 3 */
    v = _mm_maddubs_epi16(v, _mm_set1_epi32(0x01400140));
    v = _mm_madd_epi16(v, _mm_set1_epi32(0x00011000));
    return _mm_shuffle_epi8(v, pack);
}

B64_TARGET
static int decode_ssse3(const char *in, size_t len, unsigned char *out,
                        size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t max = jwtsso_b64url_decoded_max(len), i = 0, o = 0;
    __m128i err = _mm_setzero_si128(), v;
    unsigned bad;
    uint32_t last4;

    *outlen = 0;
    if (len % 4 == 1) {
        return -1;
    }
    /* step 4: 16-byte stores while out has room for them */
    for (; i + 16 <= len && o + 16 <= max; i += 16, o += 12) {
        v = decode16(_mm_loadu_si128((const __m128i *)(s + i)), &err);
        _mm_storeu_si128((__m128i *)(out + o), v);
    }
    /* at most one more whole round: its 12 bytes exactly */
    if (i + 16 <= len) {
        v = decode16(_mm_loadu_si128((const __m128i *)(s + i)), &err);
        _mm_storel_epi64((__m128i *)(out + o), v);
        last4 = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(v, 8));
        memcpy(out + o + 8, &last4, 4);
        i += 16;
    }
    bad = decode_from(s, i, len, out);
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(err, _mm_setzero_si128()))
        != 0xffff) {
        bad = 1;
    }
    if (bad) {
        return -1;
    }
    *outlen = max;
    return 0;
}
#endif /* SSSE3 */

int jwtsso_b64url_decode(const char *in, size_t len,
                         unsigned char *out, size_t *outlen)
{
#ifdef B64_SSSE3
    /* below one round there is nothing to vectorise */
    if (len >= 16 && __builtin_cpu_supports("ssse3")) {
        return decode_ssse3(in, len, out, outlen);
    }
#endif
    return jwtsso_b64url_decode_scalar(in, len, out, outlen);
}

size_t jwtsso_b64url_encode(const unsigned char *in, size_t len, char *out)
{
    size_t i, o = 0, full = len / 3 * 3;

    for (i = 0; i < full; i += 3) {
        out[o++] = alphabet[in[i] >> 2];
        out[o++] = alphabet[(in[i] & 0x03) << 4 | in[i + 1] >> 4];
        out[o++] = alphabet[(in[i + 1] & 0x0f) << 2 | in[i + 2] >> 6];
        out[o++] = alphabet[in[i + 2] & 0x3f];
    }
    if (len - full == 1) {
        out[o++] = alphabet[in[i] >> 2];
        out[o++] = alphabet[(in[i] & 0x03) << 4];
    }
    else if (len - full == 2) {
        out[o++] = alphabet[in[i] >> 2];
        out[o++] = alphabet[(in[i] & 0x03) << 4 | in[i + 1] >> 4];
        out[o++] = alphabet[(in[i + 1] & 0x0f) << 2];
    }
    out[o] = '\0';
    return o;
}
