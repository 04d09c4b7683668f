/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * record.c - the session record: a MAC'd, newline-separated text that
 * mod_session stores for us (DESIGN.md §4).
 *
 *     record = "j1." b64url(body) "." b64url(HMAC-SHA256(key, ctx || body))
 *     ctx    = "jwtsso-record-v1" NUL realm NUL origin NUL [policy]
 *     body   = user LF auth_time LF end LF sid { LF claim }
 *     claim  = name "=" ( "s" string | "n" number-or-literal | "z"
 *                       | "j" flat LF "=J" json )
 *     [ LF "=T" ]     the last line when claims were left out (truncated)
 *
 * Each claim is kept once, already as the app gets it: strings decoded,
 * numbers, true and false as sent, null as "z", and an array or object
 * both flat (elements joined with ",") and, on a line of its own that
 * starts "=J", as compact JSON. JWTSSO_CLAIMS is written from these when
 * asked for (jwtsso_view_json), never parsed. Every field percent-escapes
 * the bytes below 0x20, 0x7f, '%' and '=' as "%XX" (upper-case hex), so LF
 * only separates fields and '=' only splits a claim. The MAC binds the
 * realm, the public origin and the digest of the section's verification
 * policy (JWTSSO_POLICY_LEN bytes, when given), so a record made for one
 * is no session for another. Checking needs no JSON parser
 * and no allocation of ours: it decodes into the caller's scratch. What
 * to do with a failed record (treat it as no session) is the glue's job.
 * This file holds the envelope (prefix, MAC, base64url); the body is
 * recbody.c's, the claims it keeps are view.c's.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"

#define PREFIX "j1."
#define PREFIX_LEN 3
#define LABEL "jwtsso session record v1"
#define CTX_TAG "jwtsso-record-v1"
#define MAC_LEN 32
#define MAC_B64_LEN 43              /* jwtsso_b64url_encoded_len(32) */

/* The longest body whose record fits in JWTSSO_RECORD_MAX. */
#define BODY_MAX ((JWTSSO_RECORD_MAX - PREFIX_LEN - 1 - MAC_B64_LEN) / 4 * 3)

struct jwtsso_mackey {
    jwtsso_hmac_t *tmpl;            /* HMAC-SHA256 keyed with the record key */
};

typedef struct {
    char c;
    jwtsso_claim_t claim;
} align_probe_t;
#define CLAIM_ALIGN offsetof(align_probe_t, claim)


/* ---------------------------------------------------------------------
 * Keys and MACs
 */
jwtsso_mackey_t *jwtsso_record_key_new(const unsigned char *material,
                                       size_t len)
{
    unsigned char key[JWTSSO_HMAC_MAX];
    jwtsso_hmac_t *derive = NULL;
    jwtsso_mackey_t *k = NULL;
    jwtsso_chunk_t label = { LABEL, sizeof(LABEL) - 1 };

    if (material == NULL || len == 0) {
        goto done;
    }
    /* Derive, so the record key is never the token secret itself. */
    derive = jwtsso_hmac_new("SHA256", material, len);
    if (derive == NULL
        || jwtsso_hmac_run(derive, &label, 1, key) != JWTSSO_MACKEY_LEN) {
        goto done;
    }
    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        goto done;
    }
    k->tmpl = jwtsso_hmac_new("SHA256", key, JWTSSO_MACKEY_LEN);
    if (k->tmpl == NULL) {
        free(k);
        k = NULL;
    }

done:
    OPENSSL_cleanse(key, sizeof(key));
    jwtsso_hmac_free(derive);
    return k;
}

void jwtsso_record_key_free(jwtsso_mackey_t *k)
{
    if (k == NULL) {
        return;
    }
    jwtsso_hmac_free(k->tmpl);
    free(k);
}

/* HMAC-SHA256(key, ctx || body) into mac (MAC_LEN bytes); 0 or -1. The
 * ctx is laid out in one buffer when it fits (it nearly always does), so
 * the hash sees two pieces, not six. */
static int record_mac(const jwtsso_mackey_t *k, const char *realm,
                      const char *origin, const unsigned char *policy,
                      const unsigned char *body, size_t len,
                      unsigned char *mac)
{
    unsigned char out[JWTSSO_HMAC_MAX];
    char ctx[256 + JWTSSO_POLICY_LEN];
    jwtsso_chunk_t c[6];
    size_t got, rl, ol, pl, n = 0;

    realm = realm != NULL ? realm : "";
    origin = origin != NULL ? origin : "";
    rl = strlen(realm);
    ol = strlen(origin);
    pl = policy != NULL ? JWTSSO_POLICY_LEN : 0;
    if (sizeof(CTX_TAG) + rl + ol + 2 + pl <= sizeof(ctx)) {
        memcpy(ctx, CTX_TAG, sizeof(CTX_TAG));  /* with its NUL */
        memcpy(ctx + sizeof(CTX_TAG), realm, rl + 1);
        memcpy(ctx + sizeof(CTX_TAG) + rl + 1, origin, ol + 1);
        if (pl > 0) {
            memcpy(ctx + sizeof(CTX_TAG) + rl + ol + 2, policy, pl);
        }
        c[n].p = ctx;
        c[n++].len = sizeof(CTX_TAG) + rl + ol + 2 + pl;
    }
    else {
        c[n].p = CTX_TAG;
        c[n++].len = sizeof(CTX_TAG);
        c[n].p = realm;
        c[n++].len = rl + 1;                    /* with its NUL */
        c[n].p = origin;
        c[n++].len = ol + 1;
        if (pl > 0) {
            c[n].p = policy;
            c[n++].len = pl;
        }
    }
    c[n].p = body;
    c[n++].len = len;
    got = jwtsso_hmac_run(k->tmpl, c, n, out);
    /* no cleansing: a record's MAC is no secret (the cookie carries it) */
    memcpy(mac, out, MAC_LEN);
    return got == MAC_LEN ? 0 : -1;
}

/* ---------------------------------------------------------------------
 * Making records
 */
char *jwtsso_record_make(const jwtsso_mackey_t *k,
                         const char *realm, const char *origin,
                         const unsigned char *policy, const char *user,
                         long long auth_time, long long end, const char *sid,
                         const char *payload, size_t payload_len,
                         char *dropped, size_t dropped_len)
{
    unsigned char mac[MAC_LEN];
    jwtsso_view_t v;
    void *scratch = NULL;
    char *body = NULL, *out = NULL, *p;
    char num[2][24];
    size_t fixed, budget, blen, slen;
    int ok = 0;

    if (dropped != NULL && dropped_len > 0) {
        dropped[0] = '\0';
    }
    if (k == NULL || user == NULL || *user == '\0') {
        goto done;
    }
    sid = sid != NULL ? sid : "";
    snprintf(num[0], sizeof(num[0]), "%lld", auth_time);
    snprintf(num[1], sizeof(num[1]), "%lld", end);
    /* the fixed fields, and room for the "=T" line */
    fixed = jwtsso_recbody_len(user, num[0], num[1], sid, NULL, 0, 1);
    budget = fixed < BODY_MAX ? BODY_MAX - fixed : 0;
    if (budget > JWTSSO_RECORD_CLAIMS_MAX) {
        budget = JWTSSO_RECORD_CLAIMS_MAX;
    }
    slen = jwtsso_view_scratch_len(payload != NULL ? payload_len : 2);
    scratch = malloc(slen);
    if (scratch == NULL
        || jwtsso_view_make(payload, payload_len, user, budget, &v, scratch,
                            slen, dropped, dropped_len) != JWTSSO_OK) {
        goto done;
    }
    blen = jwtsso_recbody_len(user, num[0], num[1], sid, v.claims,
                              v.nclaims, v.truncated);
    /* Only a user or sid far beyond what a token carries gets here. */
    if (blen > BODY_MAX) {
        goto done;
    }
    body = malloc(blen + 1);
    if (body == NULL) {
        goto done;
    }
    jwtsso_recbody_write(body, user, num[0], num[1], sid, v.claims,
                         v.nclaims, v.truncated);
    body[blen] = '\0';

    if (record_mac(k, realm, origin, policy, (unsigned char *)body, blen,
                   mac)) {
        goto done;
    }
    out = malloc(PREFIX_LEN + jwtsso_b64url_encoded_len(blen) + 1
                 + MAC_B64_LEN + 1);
    if (out == NULL) {
        goto done;
    }
    memcpy(out, PREFIX, PREFIX_LEN);
    p = out + PREFIX_LEN;
    p += jwtsso_b64url_encode((unsigned char *)body, blen, p);
    *p++ = '.';
    jwtsso_b64url_encode(mac, MAC_LEN, p);
    ok = 1;

done:
    free(scratch);
    free(body);
    if (!ok) {
        free(out);
        out = NULL;
    }
    return out;
}

/* ---------------------------------------------------------------------
 * Checking records
 */
size_t jwtsso_record_scratch_len(size_t len)
{
    size_t d;

    /* Longer records are refused before the scratch is touched. */
    if (len > JWTSSO_RECORD_MAX) {
        len = JWTSSO_RECORD_MAX;
    }
    d = jwtsso_b64url_decoded_max(len);
    /* alignment slack, the claims array (a claim takes at least "=" and
     * its LF, so at most d / 2 + 1 of them), the body and a NUL */
    return (CLAIM_ALIGN - 1) + (d / 2 + 1) * sizeof(jwtsso_claim_t) + d + 1;
}

jwtsso_reason_t jwtsso_record_check(const jwtsso_mackey_t *k,
                                    const char *realm, const char *origin,
                                    const unsigned char *policy,
                                    const char *text, size_t len,
                                    long long now, jwtsso_record_t *rec,
                                    void *scratch, size_t scratch_len)
{
    unsigned char mac[MAC_LEN], want[MAC_LEN];
    const char *dot;
    size_t blen64, d, nmax, pad, blen, mlen;
    jwtsso_claim_t *claims;
    char *body;
    jwtsso_reason_t rv;

    if (rec == NULL) {
        return JWTSSO_R_INTERNAL;
    }
    memset(rec, 0, sizeof(*rec));
    if (k == NULL || (text == NULL && len > 0)) {
        rv = JWTSSO_R_INTERNAL;
        goto done;
    }
    if (len > JWTSSO_RECORD_MAX || len < PREFIX_LEN
        || memcmp(text, PREFIX, PREFIX_LEN) != 0) {
        rv = JWTSSO_R_RECORD_MALFORMED;
        goto done;
    }
    /* The '.' before the MAC's fixed MAC_B64_LEN characters, after a
     * body of at least one: looked for there, not along the record. A
     * '.' anywhere else fails the base64url decoding below, as
     * malformed as before. */
    if (len < PREFIX_LEN + 2 + MAC_B64_LEN
        || text[len - MAC_B64_LEN - 1] != '.') {
        rv = JWTSSO_R_RECORD_MALFORMED;
        goto done;
    }
    dot = text + len - MAC_B64_LEN - 1;
    blen64 = (size_t)(dot - (text + PREFIX_LEN));

    if (scratch == NULL || scratch_len < jwtsso_record_scratch_len(len)) {
        /* a '.' in the body: malformed, as a search from the prefix
         * always said, before the scratch was looked at */
        rv = memchr(text + PREFIX_LEN, '.', blen64) != NULL
             ? JWTSSO_R_RECORD_MALFORMED : JWTSSO_R_INTERNAL;
        goto done;
    }
    d = jwtsso_b64url_decoded_max(len);
    nmax = d / 2 + 1;
    pad = (CLAIM_ALIGN - (uintptr_t)scratch % CLAIM_ALIGN) % CLAIM_ALIGN;
    claims = (jwtsso_claim_t *)((char *)scratch + pad);
    body = (char *)(claims + nmax);

    if (jwtsso_b64url_decode(text + PREFIX_LEN, blen64,
                             (unsigned char *)body, &blen) != 0
        || jwtsso_b64url_decode(dot + 1, MAC_B64_LEN, mac, &mlen) != 0
        || mlen != MAC_LEN) {
        rv = JWTSSO_R_RECORD_MALFORMED;
        goto done;
    }
    if (record_mac(k, realm, origin, policy, (unsigned char *)body, blen,
                   want)) {
        rv = JWTSSO_R_INTERNAL;
        goto done;
    }
    if (CRYPTO_memcmp(mac, want, MAC_LEN) != 0) {
        rv = JWTSSO_R_RECORD_BAD_MAC;
        goto done;
    }
    if (jwtsso_recbody_parse(body, blen, rec, claims, nmax) != 0) {
        rv = JWTSSO_R_RECORD_MALFORMED;
        goto done;
    }
    rv = rec->end > now ? JWTSSO_OK : JWTSSO_R_RECORD_EXPIRED;

done:
    if (rv != JWTSSO_OK) {
        memset(rec, 0, sizeof(*rec));
    }
    return rv;
}

/* ---------------------------------------------------------------------
 * The last-seen entry (JWTSSOSessionInactivity)
 */
#define SEEN_PREFIX "s1."
#define SEEN_PREFIX_LEN 3
#define SEEN_TAG "jwtsso-seen-v1"

/* The MAC of (sid, the decimal time tnum[0..tlen)). The tag differs from
 * the record's ("jwtsso-record-v1"), so no record MAC is ever a seen MAC
 * and the other way round, under the one key. */
static int seen_mac(const jwtsso_mackey_t *k, const char *sid,
                    const char *tnum, size_t tlen, unsigned char *mac)
{
    unsigned char out[JWTSSO_HMAC_MAX];
    jwtsso_chunk_t c[3];

    c[0].p = SEEN_TAG;
    c[0].len = sizeof(SEEN_TAG);                /* with its NUL */
    c[1].p = sid;
    c[1].len = strlen(sid) + 1;
    c[2].p = tnum;
    c[2].len = tlen;
    if (jwtsso_hmac_run(k->tmpl, c, 3, out) != MAC_LEN) {
        return -1;
    }
    memcpy(mac, out, MAC_LEN);
    return 0;
}

int jwtsso_record_seen_make(const jwtsso_mackey_t *k, const char *sid,
                            long long t, char *out)
{
    unsigned char mac[MAC_LEN];
    char num[24];
    int n;

    if (k == NULL || sid == NULL || out == NULL || t < 0) {
        return -1;
    }
    n = snprintf(num, sizeof(num), "%lld", t);
    if (n <= 0 || seen_mac(k, sid, num, (size_t)n, mac) != 0) {
        return -1;
    }
    /* 3 + 19 + 1 + 43 + 1 bytes at most: within JWTSSO_RECORD_SEEN_MAX */
    memcpy(out, SEEN_PREFIX, SEEN_PREFIX_LEN);
    memcpy(out + SEEN_PREFIX_LEN, num, (size_t)n);
    out[SEEN_PREFIX_LEN + n] = '.';
    out[SEEN_PREFIX_LEN + n + 1
        + jwtsso_b64url_encode(mac, MAC_LEN,
                               out + SEEN_PREFIX_LEN + n + 1)] = '\0';
    return 0;
}

jwtsso_reason_t jwtsso_record_seen_check(const jwtsso_mackey_t *k,
                                         const char *sid, const char *text,
                                         size_t len, long long *t)
{
    unsigned char mac[MAC_LEN], want[MAC_LEN];
    size_t i, nlen, mlen;
    long long v = 0;

    if (k == NULL || sid == NULL || t == NULL) {
        return JWTSSO_R_INTERNAL;
    }
    /* "s1." 1..18 digits "." and the MAC's fixed 43 characters: 18
     * digits keep v from overflowing */
    if (text == NULL || len < SEEN_PREFIX_LEN + 2 + MAC_B64_LEN
        || len > SEEN_PREFIX_LEN + 18 + 1 + MAC_B64_LEN
        || memcmp(text, SEEN_PREFIX, SEEN_PREFIX_LEN) != 0
        || text[len - MAC_B64_LEN - 1] != '.') {
        return JWTSSO_R_RECORD_MALFORMED;
    }
    nlen = len - MAC_B64_LEN - 1 - SEEN_PREFIX_LEN;
    for (i = 0; i < nlen; i++) {
        char c = text[SEEN_PREFIX_LEN + i];

        /* the digits as we write them: no sign, no leading zero */
        if (c < '0' || c > '9' || (i == 0 && c == '0' && nlen > 1)) {
            return JWTSSO_R_RECORD_MALFORMED;
        }
        v = v * 10 + (c - '0');
    }
    if (jwtsso_b64url_decode(text + len - MAC_B64_LEN, MAC_B64_LEN, mac,
                             &mlen) != 0 || mlen != MAC_LEN) {
        return JWTSSO_R_RECORD_MALFORMED;
    }
    if (seen_mac(k, sid, text + SEEN_PREFIX_LEN, nlen, want) != 0) {
        return JWTSSO_R_INTERNAL;
    }
    if (CRYPTO_memcmp(mac, want, MAC_LEN) != 0) {
        return JWTSSO_R_RECORD_BAD_MAC;
    }
    *t = v;
    return JWTSSO_OK;
}
