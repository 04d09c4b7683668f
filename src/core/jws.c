/*
 * jws.c - verify and sign compact JWS tokens (RFC 7515 §7.1).
 *
 * Verification goes from cheap to expensive and from outside to inside:
 * size cap, shape, strict base64url, header, alg and key choice, the
 * signature, and only then the payload and its claims (claims.c). Nothing
 * from the payload is looked at before the signature verifies. Header
 * members that point at keys elsewhere (jku, x5u, jwk, x5c) are never
 * read: keys come from the configuration only.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jscan.h"

/* Members of a JOSE header we make room for (more: a bad header), and of
 * a payload on the stack (more: one allocation). */
#define HEADER_MEMBERS 32
#define PAYLOAD_MEMBERS 32
/* Longer than any alg name we implement, with its NUL. */
#define ALG_NAME_MAX 64

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

/* The member of m[0..n) named name (plain), or NULL. Names are short: the
 * length is compared first, so most members cost one comparison. */
static const jwtsso_jmember_t *member(const jwtsso_jmember_t *m, size_t n,
                                      const char *name)
{
    size_t i, len = strlen(name);

    for (i = 0; i < n; i++) {
        if (m[i].name_esc ? jwtsso_jstr_equals(m[i].name, m[i].name_len, 1,
                                               name, len)
                          : m[i].name_len == len
                            && memcmp(m[i].name, name, len) == 0) {
            return &m[i];
        }
    }
    return NULL;
}

static jwtsso_reason_t scan_reason(int rc, jwtsso_reason_t bad)
{
    return rc == JWTSSO_JSCAN_DUPLICATE ? JWTSSO_R_DUPLICATE_MEMBER : bad;
}

size_t jwtsso_jws_scratch_len(size_t len)
{
    /* what jwtsso_jws_verify_in allocates below for a token of len bytes:
     * 1 + the three decoded parts + the header and payload again + 8;
     * a decoded part is at most 3/4 of its text, the parts' texts add up
     * to len - 2 */
    return len + len / 2 + 16;
}

jwtsso_reason_t jwtsso_jws_verify(const jwtsso_keyset_t *ks,
                                  const jwtsso_policy_t *pol,
                                  const char *token, size_t len,
                                  long long now, jwtsso_result_t *res)
{
    return jwtsso_jws_verify_in(ks, pol, token, len, now, res, NULL, 0);
}

jwtsso_reason_t jwtsso_jws_verify_in(const jwtsso_keyset_t *ks,
                                     const jwtsso_policy_t *pol,
                                     const char *token, size_t len,
                                     long long now, jwtsso_result_t *res,
                                     void *scratch, size_t scratch_len)
{
    const char *part[3];
    size_t plen[3], dlen[3], i, n, cap, size, nh, np, kidlen = 0;
    unsigned char *buf = NULL, *dec[3];
    int owned = 0;                  /* buf is ours to free (not scratch) */
    jwtsso_jmember_t hm[HEADER_MEMBERS], pm_small[PAYLOAD_MEMBERS];
    jwtsso_jmember_t *pm = pm_small;
    const jwtsso_jmember_t *alg, *kid, *typ;
    char *strings, algname[ALG_NAME_MAX], *kidtext = NULL;
    size_t alglen;
    unsigned allowed;
    jwtsso_reason_t rv;
    int rc;

    if (res == NULL) {
        return JWTSSO_R_INTERNAL;
    }
    jwtsso_result_clear(res);
    if (pol == NULL || (token == NULL && len > 0)) {
        rv = JWTSSO_R_INTERNAL;
        goto done;
    }

    /* The cap comes first: nothing else looks at an oversized token. */
    cap = pol->max_size > 0 ? pol->max_size : JWTSSO_DEFAULT_MAX_SIZE;
    if (len > cap) {
        rv = JWTSSO_R_TOO_LARGE;
        goto done;
    }

    /* RFC 7515 §7.1: exactly three parts; none may be empty here (an
     * empty signature is an unsecured JWS, which we never accept). */
    part[0] = token;
    for (n = 0; n < 2; n++) {
        const char *dot = memchr(part[n], '.', (size_t)(token + len - part[n]));

        if (dot == NULL) {
            rv = JWTSSO_R_MALFORMED;
            goto done;
        }
        plen[n] = (size_t)(dot - part[n]);
        part[n + 1] = dot + 1;
    }
    if (memchr(part[2], '.', (size_t)(token + len - part[2])) != NULL) {
        rv = JWTSSO_R_MALFORMED;
        goto done;
    }
    plen[2] = (size_t)(token + len - part[2]);
    /* an empty signature is refused below, once the header has said
     * whether this is the alg "none" attack, so the log names it */
    if (plen[0] == 0 || plen[1] == 0) {
        rv = JWTSSO_R_MALFORMED;
        goto done;
    }

    /* One allocation: the three decoded parts (the payload NUL-terminated,
     * so the result can hand it out as text), then room for the strings
     * decoded from the header and the payload (kid, typ, user, iss, jti:
     * each no longer than its JSON text, and each member decoded once
     * whatever roles it has, so the parts' length bounds them; claims.c,
     * fuzz/fuzz_userclaim.c). */
    size = 1;
    for (i = 0; i < 3; i++) {
        size += jwtsso_b64url_decoded_max(plen[i]);
    }
    size += jwtsso_b64url_decoded_max(plen[0])
            + jwtsso_b64url_decoded_max(plen[1]) + 8;
    if (scratch != NULL && scratch_len >= size) {
        buf = scratch;
    }
    else {
        buf = malloc(size);
        if (buf == NULL) {
            rv = JWTSSO_R_INTERNAL;
            goto done;
        }
        owned = 1;
    }
    dec[0] = buf;
    for (i = 0; i < 3; i++) {
        if (jwtsso_b64url_decode(part[i], plen[i], dec[i], &dlen[i]) != 0) {
            rv = JWTSSO_R_BAD_BASE64;
            goto done;
        }
        if (i < 2) {
            dec[i + 1] = dec[i] + dlen[i] + (i == 1);
        }
    }
    dec[1][dlen[1]] = '\0';
    strings = (char *)dec[2] + dlen[2];

    /* The JOSE header (RFC 7515 §4). */
    rc = jwtsso_jscan_object((const char *)dec[0], dlen[0], hm,
                             HEADER_MEMBERS, &nh);
    if (rc != JWTSSO_JSCAN_OK) {
        rv = scan_reason(rc, JWTSSO_R_BAD_HEADER);
        goto done;
    }
    alg = member(hm, nh, "alg");
    if (alg == NULL || alg->type != JWTSSO_J_STRING) {
        rv = JWTSSO_R_BAD_HEADER;
        goto done;
    }
    kid = member(hm, nh, "kid");
    if (kid != NULL && kid->type == JWTSSO_J_STRING) {
        kidtext = strings;
        kidlen = jwtsso_jstr_decode(kid->value, kid->value_len, kidtext);
        strings += kidlen + 1;
        n = kidlen < sizeof(res->kid) ? kidlen : sizeof(res->kid) - 1;
        memcpy(res->kid, kidtext, n);
        res->kid[n] = '\0';
    }
    /* RFC 7515 §4.1.9 typ, for the glue (RFC 9068 "at+jwt"): decoded where
     * the payload's strings go later, its first bytes kept */
    typ = member(hm, nh, "typ");
    if (typ != NULL && typ->type == JWTSSO_J_STRING) {
        n = jwtsso_jstr_decode(typ->value, typ->value_len, strings);
        n = n < sizeof(res->typ) ? n : sizeof(res->typ) - 1;
        memcpy(res->typ, strings, n);
        res->typ[n] = '\0';
    }
    /* no alg name is longer than ALG_NAME_MAX - 1 bytes, even spelled
     * with escapes ("\u006eone" is "none") */
    if (alg->value_len < sizeof(algname)) {
        alglen = jwtsso_jstr_decode(alg->value, alg->value_len, algname);
    }
    else {
        alglen = 0;
        algname[0] = '\0';
    }
    if (is_none(algname, alglen)) {
        rv = JWTSSO_R_ALG_NONE;
        goto done;
    }
    if (plen[2] == 0) {
        rv = JWTSSO_R_MALFORMED;
        goto done;
    }
    res->alg = alglen > 0 ? jwtsso_alg_from_name(algname, alglen)
                          : JWTSSO_ALG_UNKNOWN;
    if (res->alg == JWTSSO_ALG_UNKNOWN) {
        rv = JWTSSO_R_ALG_UNKNOWN;
        goto done;
    }
    allowed = pol->algs != 0 ? pol->algs : jwtsso_keyset_algs(ks);
    if (!(allowed & JWTSSO_ALGBIT(res->alg))) {
        rv = JWTSSO_R_ALG_NOT_ALLOWED;
        goto done;
    }
    /* RFC 7515 §4.1.11: we implement no extension, so any crit (and a
     * malformed one all the more) names one we do not understand. */
    if (member(hm, nh, "crit") != NULL) {
        rv = JWTSSO_R_CRIT;
        goto done;
    }
    if ((kid != NULL && kid->type != JWTSSO_J_STRING)
        || (typ != NULL && typ->type != JWTSSO_J_STRING)) {
        rv = JWTSSO_R_BAD_HEADER;
        goto done;
    }

    /* The signing input is the ASCII text "header.payload". */
    rv = jwtsso_keyset_verify(ks, res->alg, kidtext, kidlen,
                   pol->max_kidless > 0 ? pol->max_kidless
                                        : JWTSSO_MAX_KIDLESS,
                   (const unsigned char *)token, plen[0] + 1 + plen[1],
                   dec[2], dlen[2]);
    if (rv != JWTSSO_OK) {
        goto done;
    }

    /* The payload: a few members on the stack, more (a big token) in one
     * more allocation; a member takes at least 4 bytes ("":0 and a comma). */
    rc = jwtsso_jscan_object((const char *)dec[1], dlen[1], pm,
                             PAYLOAD_MEMBERS, &np);
    if (rc == JWTSSO_JSCAN_TOO_MANY) {
        pm = malloc((dlen[1] / 4 + 2) * sizeof(*pm));
        if (pm == NULL) {
            rv = JWTSSO_R_INTERNAL;
            goto done;
        }
        rc = jwtsso_jscan_object((const char *)dec[1], dlen[1], pm,
                                 dlen[1] / 4 + 2, &np);
    }
    if (rc != JWTSSO_JSCAN_OK) {
        rv = scan_reason(rc, JWTSSO_R_BAD_PAYLOAD);
        goto done;
    }
    rv = jwtsso_claims_check(pol, pm, np, now, res, strings);
    if (rv != JWTSSO_OK) {
        goto done;
    }
    res->payload = (const char *)dec[1];
    res->payload_len = dlen[1];
    res->mem = owned ? buf : NULL;
    buf = NULL;

done:
    if (pm != pm_small) {
        free(pm);
    }
    if (owned) {
        free(buf);
    }
    if (rv != JWTSSO_OK && res != NULL) {
        res->user = NULL;
        res->iss = res->jti = NULL;
        res->iss_len = res->jti_len = 0;
    }
    return rv;
}

void jwtsso_result_clear(jwtsso_result_t *res)
{
    if (res == NULL) {
        return;
    }
    free(res->mem);
    memset(res, 0, sizeof(*res));
}

char *jwtsso_jws_sign_hmac(jwtsso_alg_t alg,
                           const unsigned char *secret, size_t secret_len,
                           const char *header_json, const char *payload_json)
{
    unsigned char mac[JWTSSO_HMAC_MAX];
    jwtsso_hmac_t *tmpl = NULL;
    jwtsso_chunk_t chunk;
    const char *digest;
    size_t hlen, plen, maclen, o;
    char *out = NULL;
    int ok = 0;

    digest = jwtsso_alg_hmac_digest(alg, &maclen);
    if (digest == NULL || secret == NULL || secret_len == 0
        || header_json == NULL || payload_json == NULL) {
        goto done;
    }
    hlen = strlen(header_json);
    plen = strlen(payload_json);
    out = malloc(jwtsso_b64url_encoded_len(hlen) + 1
                 + jwtsso_b64url_encoded_len(plen) + 1
                 + jwtsso_b64url_encoded_len(maclen) + 1);
    tmpl = jwtsso_hmac_new(digest, secret, secret_len);
    if (out == NULL || tmpl == NULL) {
        goto done;
    }
    o = jwtsso_b64url_encode((const unsigned char *)header_json, hlen, out);
    out[o++] = '.';
    o += jwtsso_b64url_encode((const unsigned char *)payload_json, plen,
                              out + o);
    chunk.p = out;
    chunk.len = o;
    if (jwtsso_hmac_run(tmpl, &chunk, 1, mac) != maclen) {
        goto done;
    }
    out[o++] = '.';
    jwtsso_b64url_encode(mac, maclen, out + o);
    ok = 1;

done:
    jwtsso_hmac_free(tmpl);
    if (!ok) {
        free(out);
        out = NULL;
    }
    return out;
}
