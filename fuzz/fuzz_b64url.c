/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * fuzz_b64url.c - strict base64url (src/core/b64url.c).
 *
 * The input is taken as text to decode. Checks, besides memory safety
 * (buffers are exactly the sizes the API promises to need):
 *  - decode accepts exactly the canonical texts, as an independent
 *    predicate here defines them (alphabet, no length 1 mod 4, zero
 *    unused bits), and fills exactly jwtsso_b64url_decoded_max() bytes;
 *  - round trip: what decodes re-encodes to the same text;
 *  - the other way: the input taken as bytes encodes to
 *    jwtsso_b64url_encoded_len() alphabet characters that decode back to
 *    the same bytes;
 *  - the same verdict for the input without its first byte (another
 *    alignment and length).
 */
#include <string.h>

#include "fuzz.h"

static int b64val(unsigned char c)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *p = c != '\0' ? strchr(abc, c) : NULL;

    return p != NULL ? (int)(p - abc) : -1;
}

/* RFC 4648 §5 without padding, canonical (§3.5). */
static int canonical(const uint8_t *s, size_t len)
{
    size_t i;
    int last;

    if (len % 4 == 1) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (b64val(s[i]) < 0) {
            return 0;
        }
    }
    if (len % 4 == 0) {
        return 1;
    }
    last = b64val(s[len - 1]);
    return len % 4 == 2 ? (last & 0x0f) == 0 : (last & 0x03) == 0;
}

/* Decode text into a buffer of exactly decoded_max(len) bytes (ASan sees
 * a byte past it): accepted exactly when canonical, with that length. */
static void decodes_as_predicted(const char *text, size_t len)
{
    size_t max = jwtsso_b64url_decoded_max(len), outlen = 1;
    unsigned char *out = malloc(max > 0 ? max : 1);
    int rc;

    FUZZ_NEED(out);
    rc = jwtsso_b64url_decode(text, len, out, &outlen);
    FUZZ_ASSERT((rc == 0) == canonical((const uint8_t *)text, len));
    FUZZ_ASSERT(rc == 0 ? outlen == max : outlen == 0);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *out, *back;
    char *text;
    size_t outlen = 0, max, n, i;
    int rc;

    if (size > 0) {
        decodes_as_predicted((const char *)data + 1, size - 1);
    }

    /* decode, and re-encode what decodes */
    max = jwtsso_b64url_decoded_max(size);
    out = malloc(max > 0 ? max : 1);
    FUZZ_NEED(out);
    rc = jwtsso_b64url_decode((const char *)data, size, out, &outlen);
    FUZZ_ASSERT(rc == 0 || rc == -1);
    FUZZ_ASSERT((rc == 0) == canonical(data, size));
    if (rc == 0) {
        FUZZ_ASSERT(outlen == max);
        FUZZ_ASSERT(jwtsso_b64url_encoded_len(outlen) == size);
        text = malloc(size + 1);
        FUZZ_NEED(text);
        n = jwtsso_b64url_encode(out, outlen, text);
        FUZZ_ASSERT(n == size);
        FUZZ_ASSERT(text[n] == '\0');
        FUZZ_ASSERT(memcmp(text, data, size) == 0);
        free(text);
    }
    else {
        FUZZ_ASSERT(outlen == 0);
    }
    free(out);

    /* encode the input as bytes, and decode that back */
    n = jwtsso_b64url_encoded_len(size);
    text = malloc(n + 1);
    FUZZ_NEED(text);
    FUZZ_ASSERT(jwtsso_b64url_encode(data, size, text) == n);
    FUZZ_ASSERT(text[n] == '\0');
    for (i = 0; i < n; i++) {
        FUZZ_ASSERT(b64val((unsigned char)text[i]) >= 0);
    }
    max = jwtsso_b64url_decoded_max(n);
    FUZZ_ASSERT(max == size);
    back = malloc(max > 0 ? max : 1);
    FUZZ_NEED(back);
    FUZZ_ASSERT(jwtsso_b64url_decode(text, n, back, &outlen) == 0);
    FUZZ_ASSERT(outlen == size);
    FUZZ_ASSERT(size == 0 || memcmp(back, data, size) == 0);
    free(back);
    free(text);
    return 0;
}
