/*
 * hmac.c - HMAC-SHA256/384/512 (RFC 2104) from precomputed midstates.
 *
 * A key is absorbed once, at start-up: the hash states after the
 * (key ^ ipad) and (key ^ opad) blocks are kept. A MAC then copies those
 * two plain structs and hashes the message: no allocation, no lock, no
 * key schedule per call, and the object is only read, so any number of
 * threads can share it. This is what lets a session-record check cost
 * "one MAC" (DESIGN §2, §8).
 *
 * It uses OpenSSL's SHA-256/512 block functions (SHA256_Init & co.),
 * which OpenSSL 3 marks deprecated in favour of EVP_MD/EVP_MAC; those
 * allocate a context per call (EVP_MAC_CTX_dup, EVP_MD_CTX_copy_ex), which
 * we do not want on every request. The functions are still part of
 * OpenSSL 3's API and use the same assembly.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "internal.h"

typedef enum { H_SHA256, H_SHA384, H_SHA512 } hash_t;

struct jwtsso_hmac {
    hash_t hash;
    size_t maclen;
    union {
        SHA256_CTX s256[2];     /* inner, outer */
        SHA512_CTX s512[2];
    } st;
};

static int hash_of(const char *digest, hash_t *h, size_t *maclen,
                   size_t *block)
{
    if (strcmp(digest, "SHA256") == 0) {
        *h = H_SHA256;
        *maclen = 32;
        *block = 64;
    }
    else if (strcmp(digest, "SHA384") == 0) {
        *h = H_SHA384;
        *maclen = 48;
        *block = 128;
    }
    else if (strcmp(digest, "SHA512") == 0) {
        *h = H_SHA512;
        *maclen = 64;
        *block = 128;
    }
    else {
        return -1;
    }
    return 0;
}

static void absorb(jwtsso_hmac_t *m, int which, const unsigned char *blk,
                   size_t len)
{
    switch (m->hash) {
    case H_SHA256:
        SHA256_Init(&m->st.s256[which]);
        SHA256_Update(&m->st.s256[which], blk, len);
        break;
    case H_SHA384:
        SHA384_Init(&m->st.s512[which]);
        SHA384_Update(&m->st.s512[which], blk, len);
        break;
    case H_SHA512:
        SHA512_Init(&m->st.s512[which]);
        SHA512_Update(&m->st.s512[which], blk, len);
        break;
    }
}

jwtsso_hmac_t *jwtsso_hmac_new(const char *digest,
                               const unsigned char *key, size_t len)
{
    unsigned char k0[128], pad[128];
    jwtsso_hmac_t *m;
    size_t i, block, maclen;
    hash_t h;

    if (digest == NULL || (key == NULL && len > 0)
        || hash_of(digest, &h, &maclen, &block) != 0) {
        return NULL;
    }
    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    m->hash = h;
    m->maclen = maclen;
    /* RFC 2104 §2: a key longer than a block is hashed first */
    memset(k0, 0, sizeof(k0));
    if (len > block) {
        switch (h) {
        case H_SHA256:
            SHA256(key, len, k0);
            break;
        case H_SHA384:
            SHA384(key, len, k0);
            break;
        case H_SHA512:
            SHA512(key, len, k0);
            break;
        }
    }
    else if (len > 0) {
        memcpy(k0, key, len);
    }
    for (i = 0; i < block; i++) {
        pad[i] = k0[i] ^ 0x36;
    }
    absorb(m, 0, pad, block);
    for (i = 0; i < block; i++) {
        pad[i] = k0[i] ^ 0x5c;
    }
    absorb(m, 1, pad, block);
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(pad, sizeof(pad));
    return m;
}

void jwtsso_hmac_free(jwtsso_hmac_t *m)
{
    if (m != NULL) {
        OPENSSL_cleanse(m, sizeof(*m));
        free(m);
    }
}

size_t jwtsso_hmac_run(const jwtsso_hmac_t *m, const jwtsso_chunk_t *c,
                       size_t n, unsigned char *out)
{
    unsigned char ih[64];
    size_t i;

    if (m == NULL) {
        return 0;
    }
    if (m->hash == H_SHA256) {
        SHA256_CTX s = m->st.s256[0];

        for (i = 0; i < n; i++) {
            SHA256_Update(&s, c[i].p, c[i].len);
        }
        SHA256_Final(ih, &s);
        s = m->st.s256[1];
        SHA256_Update(&s, ih, 32);
        SHA256_Final(out, &s);
    }
    else {
        SHA512_CTX s = m->st.s512[0];

        /* SHA-384 is SHA-512 with other initial values, cut to 48 */
        for (i = 0; i < n; i++) {
            SHA512_Update(&s, c[i].p, c[i].len);
        }
        if (m->hash == H_SHA384) {
            SHA384_Final(ih, &s);
        }
        else {
            SHA512_Final(ih, &s);
        }
        s = m->st.s512[1];
        SHA512_Update(&s, ih, m->maclen);
        if (m->hash == H_SHA384) {
            SHA384_Final(out, &s);
        }
        else {
            SHA512_Final(out, &s);
        }
    }
    /* Nothing is cleansed here: s started as a copy of a keyed midstate,
     * but each Final replaced its chaining value with a digest and wiped
     * its data block (md32_common.h / sha512.c), so neither s nor ih
     * holds anything the key could be learned from: only the inner
     * digest, which the MAC is computed from and which, like the MAC, is
     * no secret. The midstates themselves stay in m, cleansed on free. */
    return m->maclen;
}
