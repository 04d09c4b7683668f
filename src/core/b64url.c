/*
 * b64url.c - strict base64url (RFC 4648 §5), as RFC 7515 §2 uses it.
 *
 * Only the canonical text of some bytes is accepted: the URL alphabet, no
 * padding, no whitespace, no length of 1 mod 4, and zero unused bits in
 * the last character. So each byte string has exactly one encoding and a
 * token cannot be varied without changing its signed text.
 */
#include "jwtsso.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The value of a base64url character, or -1 for any other byte. */
static int value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

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

int jwtsso_b64url_decode(const char *in, size_t len,
                         unsigned char *out, size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i, o = 0, full = len / 4 * 4, rem = len % 4;
    int v[4];

    *outlen = 0;
    if (rem == 1) {
        return -1;
    }
    for (i = 0; i < full; i += 4) {
        v[0] = value(s[i]);
        v[1] = value(s[i + 1]);
        v[2] = value(s[i + 2]);
        v[3] = value(s[i + 3]);
        if ((v[0] | v[1] | v[2] | v[3]) < 0) {
            return -1;
        }
        out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        out[o++] = (unsigned char)((v[1] & 0x0f) << 4 | v[2] >> 2);
        out[o++] = (unsigned char)((v[2] & 0x03) << 6 | v[3]);
    }
    if (rem) {
        v[0] = value(s[i]);
        v[1] = value(s[i + 1]);
        v[2] = rem == 3 ? value(s[i + 2]) : 0;
        if ((v[0] | v[1] | v[2]) < 0) {
            return -1;
        }
        /* RFC 4648 §3.5: the unused bits must be zero (canonical). */
        if (rem == 2 ? (v[1] & 0x0f) != 0 : (v[2] & 0x03) != 0) {
            return -1;
        }
        out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        if (rem == 3) {
            out[o++] = (unsigned char)((v[1] & 0x0f) << 4 | v[2] >> 2);
        }
    }
    *outlen = o;
    return 0;
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
