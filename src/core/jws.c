/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * jws.c - verify compact JWS tokens (RFC 7515 §7.1); signing is sign.c's.
 *
 * Verification goes from cheap to expensive and from outside to inside:
 * size cap, shape, strict base64url, header, alg and key choice, the
 * signature, and only then the payload and its claims (claims.c). Nothing
 * from the payload is looked at before the signature verifies. Header
 * members that point at keys elsewhere (jku, x5u, jwk, x5c) are never
 * read: keys come from the configuration only. Header and payload are
 * read by the scanner (jscan.c: json.c's rules, no tree built).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Members of a header or payload listed on the stack (more: one
 * allocation). */
#define SMALL_MEMBERS 32
/* Longer than any alg name we implement, with its NUL. */
#define ALG_NAME_MAX 64

/* A token's parts: their text in the token, then decoded. */
typedef struct {
    const char *part[3];
    size_t plen[3];
    unsigned char *dec[3];
    size_t dlen[3];
    char *strings;      /* room for the header's and the payload's
                         * strings (kid, typ; claims.c) */
    unsigned char *buf; /* what dec points into, when malloc'ed */
} parts_t;

/* A JSON object's top-level members: in small, or malloc'ed in m. */
typedef struct {
    jwtsso_jmember_t small[SMALL_MEMBERS];
    jwtsso_jmember_t *m;
    size_t n;
} members_t;

/* ASCII case-insensitive "none" (RFC 7518 §3.6; refuse any spelling). */
static int is_none(const char *s, size_t len)
{
    static const char none[] = "none";
    size_t i;

    if (len != 4) {
        return 0;
    }
    for (i = 0; i < 4; i++) {
        if ((s[i] | 0x20) != none[i]) {
            return 0;
        }
    }
    return 1;
}

size_t jwtsso_jws_scratch_len(size_t len)
{
    /* what decode() below needs for a token of len bytes: 1 + the three
     * decoded parts + the header and payload again + 8; a decoded part
     * is at most 3/4 of its text, the parts' texts add up to len - 2 */
    return len + len / 2 + 16;
}

/* RFC 7515 §7.1: exactly three parts; header and payload not empty. An
 * empty signature is refused by header(), once the header has said
 * whether this is the alg "none" attack, so the log names it. */
static jwtsso_reason_t split(const char *token, size_t len, parts_t *p)
{
    const char *dot, *end = token + len;
    size_t n;

    p->part[0] = token;
    for (n = 0; n < 2; n++) {
        dot = memchr(p->part[n], '.', (size_t)(end - p->part[n]));
        if (dot == NULL) {
            return JWTSSO_R_MALFORMED;
        }
        p->plen[n] = (size_t)(dot - p->part[n]);
        p->part[n + 1] = dot + 1;
    }
    if (memchr(p->part[2], '.', (size_t)(end - p->part[2])) != NULL) {
        return JWTSSO_R_MALFORMED;
    }
    p->plen[2] = (size_t)(end - p->part[2]);
    return p->plen[0] == 0 || p->plen[1] == 0 ? JWTSSO_R_MALFORMED
                                              : JWTSSO_OK;
}

/* Strict base64url of the three parts into one buffer (scratch when big
 * enough, else malloc'ed into p->buf): the payload NUL-terminated, so
 * the result can hand it out as text, then room for the strings copied
 * from the payload (user, iss, jti: each no longer than its JSON text,
 * and each member copied once whatever roles it has, so the payload's
 * length bounds them; claims.c, fuzz/fuzz_userclaim.c). */
static jwtsso_reason_t decode(parts_t *p, void *scratch, size_t scratch_len)
{
    size_t i, size = 1;
    unsigned char *buf;

    for (i = 0; i < 3; i++) {
        size += jwtsso_b64url_decoded_max(p->plen[i]);
    }
    size += jwtsso_b64url_decoded_max(p->plen[0])
            + jwtsso_b64url_decoded_max(p->plen[1]) + 8;
    if (scratch != NULL && scratch_len >= size) {
        buf = scratch;
    }
    else if ((buf = p->buf = malloc(size)) == NULL) {
        return JWTSSO_R_INTERNAL;
    }
    p->dec[0] = buf;
    for (i = 0; i < 3; i++) {
        if (jwtsso_b64url_decode(p->part[i], p->plen[i], p->dec[i],
                                 &p->dlen[i]) != 0) {
            return JWTSSO_R_BAD_BASE64;
        }
        if (i < 2) {
            p->dec[i + 1] = p->dec[i] + p->dlen[i] + (i == 1);
        }
    }
    p->dec[1][p->dlen[1]] = '\0';
    p->strings = (char *)p->dec[2] + p->dlen[2];
    return JWTSSO_OK;
}

/* Scan text[0..len) as an object into ms (a malloc'ed list when it has
 * more than SMALL_MEMBERS; a member takes at least 4 bytes). */
static jwtsso_reason_t scan(const unsigned char *text, size_t len,
                            jwtsso_reason_t bad, members_t *ms)
{
    size_t max = len / 4 + 2;
    int rc;

    ms->m = ms->small;
    rc = jwtsso_jscan_object((const char *)text, len, ms->m, SMALL_MEMBERS,
                             &ms->n);
    if (rc == JWTSSO_JSCAN_TOO_MANY) {
        if ((ms->m = malloc(max * sizeof(*ms->m))) == NULL) {
            ms->m = ms->small;
            return JWTSSO_R_INTERNAL;
        }
        rc = jwtsso_jscan_object((const char *)text, len, ms->m, max,
                                 &ms->n);
    }
    return rc == JWTSSO_JSCAN_OK ? JWTSSO_OK
         : rc == JWTSSO_JSCAN_DUPLICATE ? JWTSSO_R_DUPLICATE_MEMBER : bad;
}

static void members_free(members_t *ms)
{
    if (ms->m != ms->small) {
        free(ms->m);
    }
    ms->m = ms->small;
}

/* The member of ms named name (plain), or NULL. */
static const jwtsso_jmember_t *member(const members_t *ms, const char *name)
{
    size_t i, len = strlen(name);

    for (i = 0; i < ms->n; i++) {
        if (jwtsso_jstr_equals(ms->m[i].name, ms->m[i].name_len,
                                ms->m[i].name_esc, name, len)) {
            return &ms->m[i];
        }
    }
    return NULL;
}

/* Decode the string member m into *strings (advanced past it), and keep
 * its first bytes in out (size bytes, NUL-terminated). */
static const char *keep(const jwtsso_jmember_t *m, char **strings,
                        size_t *len, char *out, size_t size)
{
    char *s = *strings;
    size_t n;

    *len = jwtsso_jstr_decode(m->value, m->value_len, s);
    *strings = s + *len + 1;
    n = *len < size ? *len : size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return s;
}

/* The JOSE header (RFC 7515 §4): its alg, and its kid (*kid, decoded, or
 * NULL) and typ. Header members that point at keys elsewhere (jku, x5u,
 * jwk, x5c) are never read. */
static jwtsso_reason_t header(parts_t *p, jwtsso_result_t *res,
                              const members_t *hdr, const char **kid,
                              size_t *kidlen)
{
    const jwtsso_jmember_t *alg, *k, *typ;
    char name[ALG_NAME_MAX];
    size_t len = 0, tlen;

    alg = member(hdr, "alg");
    if (alg == NULL || alg->type != JWTSSO_J_STRING) {
        return JWTSSO_R_BAD_HEADER;
    }
    k = member(hdr, "kid");
    if (k != NULL && k->type == JWTSSO_J_STRING) {
        *kid = keep(k, &p->strings, kidlen, res->kid, sizeof(res->kid));
    }
    /* RFC 7515 §4.1.9 typ, for the glue (RFC 9068 "at+jwt") */
    typ = member(hdr, "typ");
    if (typ != NULL && typ->type == JWTSSO_J_STRING) {
        keep(typ, &p->strings, &tlen, res->typ, sizeof(res->typ));
    }
    /* decoded: "\u006eone" is "none"; no alg name we know is as long as
     * ALG_NAME_MAX even spelled with escapes */
    if (alg->value_len < sizeof(name)) {
        len = jwtsso_jstr_decode(alg->value, alg->value_len, name);
    }
    if (is_none(name, len)) {
        return JWTSSO_R_ALG_NONE;
    }
    if (p->plen[2] == 0) {
        return JWTSSO_R_MALFORMED;
    }
    res->alg = len > 0 ? jwtsso_alg_from_name(name, len) : JWTSSO_ALG_UNKNOWN;
    return res->alg == JWTSSO_ALG_UNKNOWN ? JWTSSO_R_ALG_UNKNOWN : JWTSSO_OK;
}

/* The alg on the allow-list, and the header's other rules. */
static jwtsso_reason_t algorithm(const jwtsso_keyset_t *ks,
                                 const jwtsso_policy_t *pol,
                                 const jwtsso_result_t *res,
                                 const members_t *hdr)
{
    unsigned allowed = pol->algs != 0 ? pol->algs : jwtsso_keyset_algs(ks);
    const jwtsso_jmember_t *kid = member(hdr, "kid");
    const jwtsso_jmember_t *typ = member(hdr, "typ");

    if (!(allowed & JWTSSO_ALGBIT(res->alg))) {
        return JWTSSO_R_ALG_NOT_ALLOWED;
    }
    /* RFC 7515 §4.1.11: we implement no extension, so any crit (and a
     * malformed one all the more) names one we do not understand. */
    if (member(hdr, "crit") != NULL) {
        return JWTSSO_R_CRIT;
    }
    if ((kid != NULL && kid->type != JWTSSO_J_STRING)
        || (typ != NULL && typ->type != JWTSSO_J_STRING)) {
        return JWTSSO_R_BAD_HEADER;
    }
    return JWTSSO_OK;
}

/* The payload, read only once the signature verified, and its claims. */
static jwtsso_reason_t payload(const parts_t *p, const jwtsso_policy_t *pol,
                               long long now, jwtsso_result_t *res)
{
    members_t pm;
    jwtsso_reason_t rv;

    rv = scan(p->dec[1], p->dlen[1], JWTSSO_R_BAD_PAYLOAD, &pm);
    if (rv == JWTSSO_OK) {
        rv = jwtsso_claims_check(pol, pm.m, pm.n, now, res, p->strings);
    }
    members_free(&pm);
    return rv;
}

jwtsso_reason_t jwtsso_jws_verify(const jwtsso_keyset_t *ks,
                                  const jwtsso_policy_t *pol,
                                  const char *token, size_t len,
                                  long long now, jwtsso_result_t *res)
{
    return jwtsso_jws_verify_in(ks, pol, token, len, now, res, NULL, 0);
}

/* Cheap to expensive, outside to inside: size cap, split, decode, header,
 * algorithm, key and signature (keyset.c), and only then the payload. */
jwtsso_reason_t jwtsso_jws_verify_in(const jwtsso_keyset_t *ks,
                                     const jwtsso_policy_t *pol,
                                     const char *token, size_t len,
                                     long long now, jwtsso_result_t *res,
                                     void *scratch, size_t scratch_len)
{
    parts_t p;
    members_t hdr;
    const char *kid = NULL;
    size_t cap, kidlen = 0;
    jwtsso_reason_t rv;

    if (res == NULL) {
        return JWTSSO_R_INTERNAL;
    }
    jwtsso_jws_result_clear(res);
    memset(&p, 0, sizeof(p));
    hdr.m = hdr.small;
    if (pol == NULL || (token == NULL && len > 0)) {
        return JWTSSO_R_INTERNAL;
    }
    /* The cap comes first: nothing else looks at an oversized token. */
    cap = pol->max_size > 0 ? pol->max_size : JWTSSO_DEFAULT_MAX_SIZE;
    rv = len > cap ? JWTSSO_R_TOO_LARGE : split(token, len, &p);
    if (rv == JWTSSO_OK) {
        rv = decode(&p, scratch, scratch_len);
    }
    if (rv == JWTSSO_OK) {
        rv = scan(p.dec[0], p.dlen[0], JWTSSO_R_BAD_HEADER, &hdr);
    }
    if (rv == JWTSSO_OK) {
        rv = header(&p, res, &hdr, &kid, &kidlen);
    }
    if (rv == JWTSSO_OK) {
        rv = algorithm(ks, pol, res, &hdr);
    }
    if (rv == JWTSSO_OK) {
        /* the signing input is the ASCII text "header.payload" */
        rv = jwtsso_keyset_verify(ks, res->alg, kid, kidlen,
                                  pol->max_kidless > 0 ? pol->max_kidless
                                                       : JWTSSO_MAX_KIDLESS,
                                  (const unsigned char *)token,
                                  p.plen[0] + 1 + p.plen[1], p.dec[2],
                                  p.dlen[2]);
    }
    members_free(&hdr);
    if (rv == JWTSSO_OK) {
        rv = payload(&p, pol, now, res);
    }
    if (rv != JWTSSO_OK) {
        free(p.buf);
        res->user = NULL;
        res->iss = res->jti = NULL;
        res->iss_len = res->jti_len = 0;
        return rv;
    }
    res->payload = (const char *)p.dec[1];
    res->payload_len = p.dlen[1];
    res->mem = p.buf;
    return JWTSSO_OK;
}

void jwtsso_jws_result_clear(jwtsso_result_t *res)
{
    if (res == NULL) {
        return;
    }
    free(res->mem);
    memset(res, 0, sizeof(*res));
}

/* Through a signer of its own (sign.c), so tokens have one writer. */
char *jwtsso_jws_sign_hmac(jwtsso_alg_t alg,
                           const unsigned char *secret, size_t secret_len,
                           const char *header_json, const char *payload_json)
{
    jwtsso_signer_t *s;
    char *token;

    if (header_json == NULL || payload_json == NULL) {
        return NULL;
    }
    s = jwtsso_sign_new_hmac(alg, secret, secret_len, NULL);
    token = jwtsso_sign_compact(s, header_json, payload_json);
    jwtsso_sign_free(s);
    return token;
}
