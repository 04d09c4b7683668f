/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * fuzz_jwks.c - key sets from JWKS documents, jwtsso_jwks_add
 * (src/core/jwks.c).
 *
 * The input is the JWKS JSON (not NUL-terminated). It is added twice: to
 * an empty set without allow_short, and to a set already holding an HMAC
 * secret (kid "pre") with allow_short. Checks, besides memory safety and
 * leaks:
 *  - an error in range, with a text; on error the set is as before (same
 *    count and algs) and bad_index names a member of "keys" when the
 *    error is about one key;
 *  - on success the count grows by *added, at most one per member of
 *    "keys", and HS* algs appear only if some key has kty "oct";
 *  - what passes without allow_short passes with it, adding as many keys;
 *  - fixed HS256, RS256, ES256 and EdDSA tokens verify against the sets
 *    without crashing, and only for an alg the set serves.
 */
#include <string.h>

#include <jansson.h>

#include "fuzz.h"

#ifndef JWTSSO_FUZZ_PKEY
#error "fuzz_jwks needs jwtsso_jwks_add: build with -DJWTSSO_FUZZ_PKEY (fuzz/build.sh does once the core has it)"
#endif

#include "tokens.h"

static void try_tokens(const jwtsso_keyset_t *ks)
{
    static const jwtsso_policy_t pol = { .max_age = -1 };
    jwtsso_result_t res;
    jwtsso_reason_t rv;
    size_t i;

    for (i = 0; i < sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]); i++) {
        memset(&res, 0, sizeof(res));
        rv = jwtsso_jws_verify(ks, &pol, fuzz_tokens[i],
                               strlen(fuzz_tokens[i]), FUZZ_NOW, &res);
        FUZZ_ASSERT((unsigned)rv < JWTSSO_R__COUNT);
        FUZZ_ASSERT(rv != JWTSSO_OK
                    || (jwtsso_keyset_algs(ks) & JWTSSO_ALGBIT(res.alg)));
        jwtsso_jws_result_clear(&res);
    }
}

static int about_one_key(jwtsso_keyerr_t e)
{
    return e == JWTSSO_KEY_UNSUPPORTED || e == JWTSSO_KEY_RSA_TOO_SMALL
           || e == JWTSSO_KEY_BAD_CURVE || e == JWTSSO_KEY_DUPLICATE_KID
           || e == JWTSSO_KEY_BAD_JWK || e == JWTSSO_KEY_ALG_MISMATCH;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *json = (const char *)data;
    json_t *doc, *keys, *k;
    jwtsso_keyset_t *a, *b;
    jwtsso_keyerr_t ea, eb;
    size_t added_a = 0, added_b = 0, bad_a = 0, bad_b = 0, nkeys = 0, i;
    int have_keys = 0, have_oct = 0;

    /* what the document holds, read here independently of the core */
    doc = json_loadb(json, size, JSON_REJECT_DUPLICATES, NULL);
    keys = json_object_get(doc, "keys");
    if (json_is_array(keys)) {
        have_keys = 1;
        nkeys = json_array_size(keys);
        json_array_foreach(keys, i, k) {
            const char *kty = json_string_value(json_object_get(k, "kty"));

            have_oct |= kty != NULL && strcmp(kty, "oct") == 0;
        }
    }

    a = jwtsso_keyset_new();
    FUZZ_NEED(a);
    ea = jwtsso_jwks_add(a, json, size, 0, &added_a, &bad_a);
    FUZZ_ASSERT((unsigned)ea < JWTSSO_KEY__COUNT);
    FUZZ_ASSERT(jwtsso_reason_keyerr(ea) != NULL);
    if (ea == JWTSSO_KEY_OK) {
        FUZZ_ASSERT(jwtsso_keyset_count(a) == added_a);
        FUZZ_ASSERT(!have_keys || added_a <= nkeys);
        FUZZ_ASSERT(have_oct || !have_keys
                    || (jwtsso_keyset_algs(a) & JWTSSO_ALGS_HMAC) == 0);
    }
    else {
        FUZZ_ASSERT(jwtsso_keyset_count(a) == 0);
        FUZZ_ASSERT(jwtsso_keyset_algs(a) == 0);
        FUZZ_ASSERT(!have_keys || !about_one_key(ea) || bad_a < nkeys);
    }
    try_tokens(a);

    b = jwtsso_keyset_new();
    FUZZ_NEED(b);
    FUZZ_ASSERT(jwtsso_keyset_add_hmac(b, "pre",
                    (const unsigned char *)FUZZ_SECRET,
                    strlen(FUZZ_SECRET)) == 0);
    eb = jwtsso_jwks_add(b, json, size, 1, &added_b, &bad_b);
    FUZZ_ASSERT((unsigned)eb < JWTSSO_KEY__COUNT);
    if (eb == JWTSSO_KEY_OK) {
        FUZZ_ASSERT(jwtsso_keyset_count(b) == 1 + added_b);
    }
    else {
        FUZZ_ASSERT(jwtsso_keyset_count(b) == 1);
        FUZZ_ASSERT(jwtsso_keyset_algs(b) == JWTSSO_ALGS_HMAC);
        FUZZ_ASSERT(!have_keys || !about_one_key(eb) || bad_b < nkeys);
    }
    /* allow_short only widens; "pre" may clash with a kid in the doc */
    if (ea == JWTSSO_KEY_OK && eb != JWTSSO_KEY_DUPLICATE_KID) {
        FUZZ_ASSERT(eb == JWTSSO_KEY_OK);
        FUZZ_ASSERT(added_b >= added_a);
    }
    try_tokens(b);

    jwtsso_keyset_free(a);
    jwtsso_keyset_free(b);
    json_decref(doc);
    return 0;
}
