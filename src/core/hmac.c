/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * hmac.c - HMAC-SHA256/384/512 (RFC 2104) over OpenSSL's EVP digests.
 *
 * A key is absorbed once, at start-up: two EVP_MD_CTX hold the hash
 * states after the (key ^ ipad) and (key ^ opad) blocks. A MAC copies
 * them (EVP_MD_CTX_copy_ex) into a context of its own and hashes the
 * message: no key schedule per call, and the key object is only read,
 * so any number of threads can share it. The hash is the provider's
 * (FIPS or default, whichever OPENSSL_CONF loads).
 *
 * Not EVP_MAC: a keyed EVP_MAC_CTX duplicated per call (EVP_MAC_CTX_dup)
 * copies three digest contexts and the key: bench/micro's record-check
 * and HS256 rows measured it well below this.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "internal.h"

struct jwtsso_hmac {
    EVP_MD *md;
    EVP_MD_CTX *pad[2];         /* after (key ^ ipad), after (key ^ opad) */
    size_t maclen;
};

jwtsso_hmac_t *jwtsso_hmac_new(const char *digest,
                               const unsigned char *key, size_t len)
{
    static const unsigned char padbyte[2] = { 0x36, 0x5c };
    unsigned char k0[128], pad[128];
    jwtsso_hmac_t *m = NULL, *rv = NULL;
    size_t i, block = 0;
    int w;

    memset(k0, 0, sizeof(k0));
    memset(pad, 0, sizeof(pad));
    if (digest == NULL || (key == NULL && len > 0)
        || (strcmp(digest, "SHA256") != 0 && strcmp(digest, "SHA384") != 0
            && strcmp(digest, "SHA512") != 0)) {
        goto done;
    }
    m = calloc(1, sizeof(*m));
    if (m == NULL || (m->md = EVP_MD_fetch(NULL, digest, NULL)) == NULL) {
        goto done;
    }
    block = (size_t)EVP_MD_get_block_size(m->md);
    m->maclen = (size_t)EVP_MD_get_size(m->md);
    if (block > sizeof(k0) || m->maclen > JWTSSO_HMAC_MAX) {
        goto done;
    }
    /* RFC 2104 §2: a key longer than a block is hashed first */
    if (len > block) {
        if (!EVP_Digest(key, len, k0, NULL, m->md, NULL)) {
            goto done;
        }
    }
    else if (len > 0) {
        memcpy(k0, key, len);
    }
    for (w = 0; w < 2; w++) {
        for (i = 0; i < block; i++) {
            pad[i] = k0[i] ^ padbyte[w];
        }
        m->pad[w] = EVP_MD_CTX_new();
        if (m->pad[w] == NULL || !EVP_DigestInit_ex(m->pad[w], m->md, NULL)
            || !EVP_DigestUpdate(m->pad[w], pad, block)) {
            goto done;
        }
    }
    rv = m;
    m = NULL;

done:
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(pad, sizeof(pad));
    jwtsso_hmac_free(m);
    return rv;
}

void jwtsso_hmac_free(jwtsso_hmac_t *m)
{
    if (m != NULL) {
        /* the providers' digest contexts are cleansed when freed */
        EVP_MD_CTX_free(m->pad[0]);
        EVP_MD_CTX_free(m->pad[1]);
        EVP_MD_free(m->md);
        free(m);
    }
}

size_t jwtsso_hmac_run(const jwtsso_hmac_t *m, const jwtsso_chunk_t *c,
                       size_t n, unsigned char *out)
{
    unsigned char ih[JWTSSO_HMAC_MAX];
    EVP_MD_CTX *s = NULL;
    size_t i, rv = 0;

    if (m == NULL || (s = EVP_MD_CTX_new()) == NULL
        || !EVP_MD_CTX_copy_ex(s, m->pad[0])) {
        goto done;
    }
    for (i = 0; i < n; i++) {
        if (!EVP_DigestUpdate(s, c[i].p, c[i].len)) {
            goto done;
        }
    }
    if (!EVP_DigestFinal_ex(s, ih, NULL)
        || !EVP_MD_CTX_copy_ex(s, m->pad[1])
        || !EVP_DigestUpdate(s, ih, m->maclen)
        || !EVP_DigestFinal_ex(s, out, NULL)) {
        goto done;
    }
    rv = m->maclen;

done:
    /* s is freed (and its keyed state cleansed) here; ih is the inner
     * digest, no secret, like the MAC made from it */
    EVP_MD_CTX_free(s);
    return rv;
}
