/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * fuzz_pem.c - public keys from PEM text, jwtsso_pkey_add
 * (src/core/key.c).
 *
 * The input is the PEM text (not NUL-terminated: ASan sees any read past
 * its end). Checks, besides memory safety and leaks:
 *  - an error in range, with a text; on error the key set is unchanged
 *    (no key, no algs);
 *  - an added key serves exactly one public-key family and never an HS*
 *    alg (no alg confusion): RS* and PS* together, or one ES*, or EdDSA;
 *    was_private is 0 or 1;
 *  - the same text again under a kid is added, and a third time under the
 *    same kid is refused as a duplicate, leaving the set as it was;
 *  - fixed RS256, ES256 and EdDSA tokens (fuzz/keys/) verify against the
 *    set without crashing, and only for an alg the set serves.
 */
#include <string.h>

#include "fuzz.h"

#ifndef JWTSSO_FUZZ_PKEY
#error "fuzz_pem needs jwtsso_pkey_add: build with -DJWTSSO_FUZZ_PKEY (fuzz/build.sh does once the core has it)"
#endif

#include "tokens.h"

static int one_family(unsigned algs)
{
    const unsigned rsa = JWTSSO_ALGBIT(JWTSSO_ALG_RS256)
        | JWTSSO_ALGBIT(JWTSSO_ALG_RS384) | JWTSSO_ALGBIT(JWTSSO_ALG_RS512)
        | JWTSSO_ALGBIT(JWTSSO_ALG_PS256) | JWTSSO_ALGBIT(JWTSSO_ALG_PS384)
        | JWTSSO_ALGBIT(JWTSSO_ALG_PS512);

    return algs == rsa
           || algs == JWTSSO_ALGBIT(JWTSSO_ALG_ES256)
           || algs == JWTSSO_ALGBIT(JWTSSO_ALG_ES384)
           || algs == JWTSSO_ALGBIT(JWTSSO_ALG_ES512)
           || algs == JWTSSO_ALGBIT(JWTSSO_ALG_EDDSA);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const jwtsso_policy_t pol = { .max_age = -1 };
    const char *pem = (const char *)data;
    jwtsso_keyset_t *ks;
    jwtsso_keyerr_t e;
    jwtsso_result_t res;
    jwtsso_reason_t rv;
    unsigned algs;
    int was_private = -1;
    size_t i;

    ks = jwtsso_keyset_new();
    FUZZ_NEED(ks);
    e = jwtsso_pkey_add(ks, NULL, pem, size, &was_private);
    FUZZ_ASSERT((unsigned)e < JWTSSO_KEY__COUNT);
    FUZZ_ASSERT(jwtsso_reason_keyerr(e) != NULL);
    if (e != JWTSSO_KEY_OK) {
        FUZZ_ASSERT(jwtsso_keyset_count(ks) == 0);
        FUZZ_ASSERT(jwtsso_keyset_algs(ks) == 0);
        jwtsso_keyset_free(ks);
        return 0;
    }
    FUZZ_ASSERT(was_private == 0 || was_private == 1);
    FUZZ_ASSERT(jwtsso_keyset_count(ks) == 1);
    algs = jwtsso_keyset_algs(ks);
    FUZZ_ASSERT((algs & JWTSSO_ALGS_HMAC) == 0);
    FUZZ_ASSERT(one_family(algs));

    FUZZ_ASSERT(jwtsso_pkey_add(ks, "a", pem, size, &was_private)
          == JWTSSO_KEY_OK);
    FUZZ_ASSERT(jwtsso_pkey_add(ks, "a", pem, size, &was_private)
          == JWTSSO_KEY_DUPLICATE_KID);
    FUZZ_ASSERT(jwtsso_keyset_count(ks) == 2);
    FUZZ_ASSERT(jwtsso_keyset_algs(ks) == algs);

    for (i = 0; i < sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]); i++) {
        memset(&res, 0, sizeof(res));
        rv = jwtsso_jws_verify(ks, &pol, fuzz_tokens[i],
                               strlen(fuzz_tokens[i]), FUZZ_NOW, &res);
        FUZZ_ASSERT((unsigned)rv < JWTSSO_R__COUNT);
        FUZZ_ASSERT(rv != JWTSSO_OK || (algs & JWTSSO_ALGBIT(res.alg)));
        jwtsso_jws_result_clear(&res);
    }
    jwtsso_keyset_free(ks);
    return 0;
}
