/*
 * record.c - the session record: a MAC'd, newline-separated text that
 * mod_session stores for us (DESIGN.md §4).
 *
 *     record = "j1." b64url(body) "." b64url(HMAC-SHA256(key, ctx || body))
 *     ctx    = "jwtsso-record-v1" NUL realm NUL origin NUL
 *     body   = user LF auth_time LF end LF sid LF claims_json
 *              { LF name "=" value }
 *
 * Every field percent-escapes the bytes below 0x20, 0x7f, '%' and '=' as
 * "%XX" (upper-case hex), so LF only separates fields and '=' only splits
 * a claim. The MAC binds the realm and the public origin, so a record
 * made for one is no session for another. Checking needs no JSON parser
 * and no allocation of ours: it decodes into the caller's scratch. What
 * to do with a failed record (treat it as no session) is the glue's job.
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
#define NFIXED 5                    /* user, auth_time, end, sid, json */

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

typedef struct {
    const char *name;
    json_t *value;
    char *flat;
    size_t cost;
    int keep;
} member_t;

/* ---------------------------------------------------------------------
 * Keys and MACs
 */
jwtsso_mackey_t *jwtsso_mackey_new(const unsigned char *material,
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

void jwtsso_mackey_free(jwtsso_mackey_t *k)
{
    if (k == NULL) {
        return;
    }
    jwtsso_hmac_free(k->tmpl);
    free(k);
}

/* HMAC-SHA256(key, ctx || body) into mac (MAC_LEN bytes); 0 or -1. */
static int record_mac(const jwtsso_mackey_t *k, const char *realm,
                      const char *origin, const unsigned char *body,
                      size_t len, unsigned char *mac)
{
    unsigned char out[JWTSSO_HMAC_MAX];
    jwtsso_chunk_t c[6];
    size_t got;

    realm = realm != NULL ? realm : "";
    origin = origin != NULL ? origin : "";
    c[0].p = CTX_TAG;
    c[0].len = sizeof(CTX_TAG);         /* with its NUL */
    c[1].p = realm;
    c[1].len = strlen(realm);
    c[2].p = "";
    c[2].len = 1;
    c[3].p = origin;
    c[3].len = strlen(origin);
    c[4].p = "";
    c[4].len = 1;
    c[5].p = body;
    c[5].len = len;
    got = jwtsso_hmac_run(k->tmpl, c, 6, out);
    memcpy(mac, out, MAC_LEN);
    OPENSSL_cleanse(out, sizeof(out));
    return got == MAC_LEN ? 0 : -1;
}

/* ---------------------------------------------------------------------
 * Escaping
 */
static int must_escape(unsigned char c)
{
    return c < 0x20 || c == 0x7f || c == '%' || c == '=';
}

static size_t esc_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++) {
        n += must_escape((unsigned char)*s) ? 3 : 1;
    }
    return n;
}

static char *esc_put(char *d, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char c;

    for (; *s; s++) {
        c = (unsigned char)*s;
        if (must_escape(c)) {
            *d++ = '%';
            *d++ = hex[c >> 4];
            *d++ = hex[c & 0x0f];
        }
        else {
            *d++ = (char)c;
        }
    }
    return d;
}

/* Append name to the comma-separated list in out (size bytes), cut off
 * where it no longer fits; out stays NUL-terminated. */
static void note_dropped(char *out, size_t size, const char *name)
{
    size_t len, n;

    if (out == NULL || size == 0) {
        return;
    }
    len = strlen(out);
    if (len > 0 && len + 1 < size) {
        out[len++] = ',';
    }
    n = strlen(name);
    if (n > size - 1 - len) {
        n = size - 1 - len;
    }
    memcpy(out + len, name, n);
    out[len + n] = '\0';
}

/* ---------------------------------------------------------------------
 * Making records
 */

/* The record cost of a claim: its escaped "name":value in claims_json
 * (with a comma) plus its escaped "name=value" field (with its LF). */
static int cost_member(member_t *m)
{
    json_t *one = NULL;
    char *text = NULL;
    int rv = -1;

    one = json_object();
    if (one == NULL || json_object_set(one, m->name, m->value) != 0) {
        goto done;
    }
    text = jwtsso_json_compact(one);
    m->flat = jwtsso_json_flat(m->value);
    if (text == NULL || m->flat == NULL) {
        goto done;
    }
    /* "{...}" less its braces, plus a comma */
    m->cost = esc_len(text) - 2 + 1
              + esc_len(m->name) + 1 + esc_len(m->flat) + 1;
    rv = 0;

done:
    free(text);
    json_decref(one);
    return rv;
}

char *jwtsso_record_make(const jwtsso_mackey_t *k,
                         const char *realm, const char *origin,
                         const char *user, long long auth_time,
                         long long end, const char *sid, const void *claims,
                         char *dropped, size_t dropped_len)
{
    const json_t *obj = claims;
    unsigned char mac[MAC_LEN];
    member_t *m = NULL;
    json_t *kept = NULL, *value;
    const char *name;
    char *cjson = NULL, *body = NULL, *out = NULL, *p;
    char num[2][24];
    size_t i, n = 0, fixed, budget, total = 0, blen, forced = SIZE_MAX;
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
    fixed = esc_len(user) + strlen(num[0]) + strlen(num[1]) + esc_len(sid)
            + (NFIXED - 1) + 2;     /* the LFs, and "{}" */

    kept = json_object();
    if (kept == NULL) {
        goto done;
    }
    if (json_is_object(obj) && json_object_size(obj) > 0) {
        m = calloc(json_object_size(obj), sizeof(*m));
        if (m == NULL) {
            goto done;
        }
        /* Jansson (>= 2.8) keeps members in insertion, so payload, order. */
        json_object_foreach((json_t *)obj, name, value) {
            m[n].name = name;
            m[n].value = value;
            if (cost_member(&m[n]) != 0) {
                n++;
                goto done;
            }
            /* The user claim is always kept: the first string member
             * equal to user (the record does not know the claim name). */
            if (forced == SIZE_MAX && json_is_string(value)
                && strcmp(json_string_value(value), user) == 0) {
                forced = n;
                total = m[n].cost;
                m[n].keep = 1;
            }
            n++;
        }
        /* Keep what fits the claims budget and the record size cap. */
        budget = fixed < BODY_MAX ? BODY_MAX - fixed : 0;
        if (budget > JWTSSO_RECORD_CLAIMS_MAX) {
            budget = JWTSSO_RECORD_CLAIMS_MAX;
        }
        for (i = 0; i < n; i++) {
            if (i == forced) {
                continue;
            }
            if (total + m[i].cost <= budget) {
                total += m[i].cost;
                m[i].keep = 1;
            }
            else {
                note_dropped(dropped, dropped_len, m[i].name);
            }
        }
        for (i = 0; i < n; i++) {
            if (m[i].keep
                && json_object_set(kept, m[i].name, m[i].value) != 0) {
                goto done;
            }
        }
    }
    cjson = jwtsso_json_compact(kept);
    if (cjson == NULL) {
        goto done;
    }

    blen = fixed - 2 + esc_len(cjson);
    for (i = 0; i < n; i++) {
        if (m[i].keep) {
            blen += 1 + esc_len(m[i].name) + 1 + esc_len(m[i].flat);
        }
    }
    /* Only a user or sid far beyond what a token carries gets here. */
    if (blen > BODY_MAX) {
        goto done;
    }
    body = malloc(blen + 1);
    if (body == NULL) {
        goto done;
    }
    p = esc_put(body, user);
    *p++ = '\n';
    p = esc_put(p, num[0]);
    *p++ = '\n';
    p = esc_put(p, num[1]);
    *p++ = '\n';
    p = esc_put(p, sid);
    *p++ = '\n';
    p = esc_put(p, cjson);
    for (i = 0; i < n; i++) {
        if (m[i].keep) {
            *p++ = '\n';
            p = esc_put(p, m[i].name);
            *p++ = '=';
            p = esc_put(p, m[i].flat);
        }
    }
    *p = '\0';

    if (record_mac(k, realm, origin, (unsigned char *)body, blen, mac)) {
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
    for (i = 0; i < n; i++) {
        free(m[i].flat);
    }
    free(m);
    free(cjson);
    free(body);
    json_decref(kept);
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

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* A decimal long long exactly as "%lld" writes it. */
static int parse_num(const char *s, long long *out)
{
    unsigned long long v = 0, lim;
    int neg = 0;

    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (*s < '0' || *s > '9' || (*s == '0' && (s[1] != '\0' || neg))) {
        return -1;
    }
    lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    for (; *s; s++) {
        if (*s < '0' || *s > '9'
            || v > (lim - (unsigned long long)(*s - '0')) / 10) {
            return -1;
        }
        v = v * 10 + (unsigned long long)(*s - '0');
    }
    *out = neg ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
                                                         : -(long long)v)
               : (long long)v;
    return 0;
}

/* Split the decoded body (blen bytes, with room for one more) into its
 * fields, unescaping each in place: a field only shrinks, so writing
 * never overtakes reading. Only what jwtsso_record_make writes passes. */
static int parse_body(char *b, size_t blen, jwtsso_record_t *rec,
                      jwtsso_claim_t *claims, size_t nmax)
{
    const char *fields[NFIXED];
    size_t r = 0, w = 0, nf = 0;
    char *start, *value;
    unsigned char c;
    int hi, lo;

    for (;;) {
        start = b + w;
        value = NULL;
        while (r < blen && b[r] != '\n') {
            c = (unsigned char)b[r];
            if (c == '%') {
                if (blen - r < 3) {
                    return -1;
                }
                hi = hexval((unsigned char)b[r + 1]);
                lo = hexval((unsigned char)b[r + 2]);
                if (hi < 0 || lo < 0) {
                    return -1;
                }
                c = (unsigned char)(hi << 4 | lo);
                /* canonical: only what must be escaped, and never NUL */
                if (c == 0 || !must_escape(c)) {
                    return -1;
                }
                b[w++] = (char)c;
                r += 3;
            }
            else if (c == '=' && nf >= NFIXED && value == NULL) {
                b[w++] = '\0';
                value = b + w;
                r++;
            }
            else if (must_escape(c)) {
                return -1;
            }
            else {
                b[w++] = b[r++];
            }
        }
        b[w++] = '\0';
        if (nf < NFIXED) {
            fields[nf] = start;
        }
        else {
            if (value == NULL || nf - NFIXED >= nmax) {
                return -1;
            }
            claims[nf - NFIXED].name = start;
            claims[nf - NFIXED].value = value;
        }
        nf++;
        if (r >= blen) {
            break;
        }
        r++;                        /* the LF */
    }
    if (nf < NFIXED || fields[0][0] == '\0'
        || parse_num(fields[1], &rec->auth_time) != 0
        || parse_num(fields[2], &rec->end) != 0
        || fields[4][0] != '{') {
        return -1;
    }
    rec->user = fields[0];
    rec->sid = fields[3];
    rec->claims_json = fields[4];
    rec->nclaims = nf - NFIXED;
    rec->claims = claims;
    return 0;
}

jwtsso_reason_t jwtsso_record_check(const jwtsso_mackey_t *k,
                                    const char *realm, const char *origin,
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
    dot = memchr(text + PREFIX_LEN, '.', len - PREFIX_LEN);
    if (dot == NULL || dot == text + PREFIX_LEN
        || (size_t)(text + len - (dot + 1)) != MAC_B64_LEN) {
        rv = JWTSSO_R_RECORD_MALFORMED;
        goto done;
    }
    blen64 = (size_t)(dot - (text + PREFIX_LEN));

    if (scratch == NULL || scratch_len < jwtsso_record_scratch_len(len)) {
        rv = JWTSSO_R_INTERNAL;
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
    if (record_mac(k, realm, origin, (unsigned char *)body, blen, want)) {
        rv = JWTSSO_R_INTERNAL;
        goto done;
    }
    if (CRYPTO_memcmp(mac, want, MAC_LEN) != 0) {
        rv = JWTSSO_R_RECORD_BAD_MAC;
        goto done;
    }
    if (parse_body(body, blen, rec, claims, nmax) != 0) {
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
