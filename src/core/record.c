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
 * asked for (jwtsso_claims_json), never parsed. Every field percent-escapes
 * the bytes below 0x20, 0x7f, '%' and '=' as "%XX" (upper-case hex), so LF
 * only separates fields and '=' only splits a claim. The MAC binds the
 * realm, the public origin and the digest of the section's verification
 * policy (JWTSSO_POLICY_LEN bytes, when given), so a record made for one
 * is no session for another. Checking needs no JSON parser
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
#define NFIXED 4                    /* user, auth_time, end, sid */

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
    char c;
    jwtsso_jmember_t m;
} member_probe_t;
#define MEMBER_ALIGN offsetof(member_probe_t, m)
#define VIEW_ALIGN (CLAIM_ALIGN > MEMBER_ALIGN ? CLAIM_ALIGN : MEMBER_ALIGN)

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
 * The claims view
 */

/* The record type letter of a JSON value (record.c's header). */
static char claim_type(jwtsso_jtype_t t)
{
    switch (t) {
    case JWTSSO_J_STRING:
        return 's';
    case JWTSSO_J_NULL:
        return 'z';
    case JWTSSO_J_ARRAY:
    case JWTSSO_J_OBJECT:
        return 'j';
    default:
        return 'n';
    }
}

/* The bytes a claim takes in a record body, its LFs included. */
static size_t record_cost(const jwtsso_claim_t *c)
{
    size_t n = 1 + esc_len(c->name) + 2 + esc_len(c->value);

    if (c->type == 'j') {
        n += 3 + esc_len(c->json);
    }
    return n;
}

/* The flat text of a value (jwtsso_view_t) at d, NUL-terminated; returns
 * the end (the NUL). */
static char *flat_put(char *d, const char *raw, size_t len,
                      jwtsso_jtype_t type, int esc, int in_array)
{
    const char *e;
    size_t pos = 0, elen;
    jwtsso_jtype_t etype;
    int eesc, first = 1;

    switch (type) {
    case JWTSSO_J_STRING:
        if (esc) {
            return d + jwtsso_jstr_decode(raw, len, d);
        }
        memcpy(d, raw, len);
        d += len;
        break;
    case JWTSSO_J_NULL:
        break;
    case JWTSSO_J_OBJECT:
        return d + jwtsso_jcompact(raw, len, d);
    case JWTSSO_J_ARRAY:
        if (in_array) {
            return d + jwtsso_jcompact(raw, len, d);
        }
        while (jwtsso_jarray_next(raw, len, &pos, &e, &elen, &etype,
                                  &eesc)) {
            if (!first) {
                *d++ = ',';
            }
            first = 0;
            d = flat_put(d, e, elen, etype, eesc, 1);
        }
        break;
    default:                        /* numbers as sent, true, false */
        memcpy(d, raw, len);
        d += len;
        break;
    }
    *d = '\0';
    return d;
}

/* The registered claims a record keeps before any other (after the user
 * claim): iss and aud, which say whose login it is. */
static int reserved(const char *name)
{
    return strcmp(name, "iss") == 0 || strcmp(name, "aud") == 0;
}

size_t jwtsso_view_scratch_len(size_t len)
{
    size_t n = len / 4 + 2;

    /* alignment slack, the scanned members, the claims, then text: each
     * member's decoded name, flat value and (arrays, objects) compact
     * value (each no longer than its JSON, plus NULs), and the kept
     * members' compact JSON (no longer than the payload, plus a separator
     * each and the braces) */
    return (VIEW_ALIGN - 1) + n * sizeof(jwtsso_jmember_t)
           + n * sizeof(jwtsso_claim_t) + 3 * len + 4 * n + 16;
}

jwtsso_reason_t jwtsso_view_make(const char *payload, size_t len,
                                 const char *user, size_t budget,
                                 jwtsso_view_t *view, void *scratch,
                                 size_t scratch_len, char *dropped,
                                 size_t dropped_len)
{
    jwtsso_jmember_t *m;
    jwtsso_claim_t *claims;
    char *text, *json, *p, *name, *flat;
    size_t i, n = 0, nmax, pad, jw, total = 0, forced = SIZE_MAX, kept = 0;
    size_t cost;
    int rc;

    if (dropped != NULL && dropped_len > 0) {
        dropped[0] = '\0';
    }
    if (view == NULL) {
        return JWTSSO_R_INTERNAL;
    }
    memset(view, 0, sizeof(*view));
    if (payload == NULL) {
        payload = "{}";
        len = 2;
    }
    if (scratch == NULL || scratch_len < jwtsso_view_scratch_len(len)) {
        return JWTSSO_R_INTERNAL;
    }
    nmax = len / 4 + 2;
    pad = (VIEW_ALIGN - (uintptr_t)scratch % VIEW_ALIGN) % VIEW_ALIGN;
    m = (jwtsso_jmember_t *)((char *)scratch + pad);
    claims = (jwtsso_claim_t *)(m + nmax);
    text = (char *)(claims + nmax);
    rc = jwtsso_jscan_object(payload, len, m, nmax, &n);
    if (rc != JWTSSO_JSCAN_OK) {
        return rc == JWTSSO_JSCAN_DUPLICATE || rc == JWTSSO_JSCAN_BAD
               ? JWTSSO_R_BAD_PAYLOAD : JWTSSO_R_INTERNAL;
    }

    /* Pass 1: each member's name, flat value and compact JSON, and what
     * it would cost in a record. The compact JSON goes to json, one after
     * the other with a byte to spare between them. From here on m[i].name
     * and name_len are that JSON, and m[i].value_len the cost (claims[i]
     * keeps the decoded name and the flat value). */
    json = text + 2 * len + 3 * n + 2;
    jw = 1;                         /* json[0] is the '{' */
    p = text;
    for (i = 0; i < n; i++) {
        name = p;
        p = flat_put(p, m[i].name, m[i].name_len, JWTSSO_J_STRING,
                     m[i].name_esc, 0) + 1;
        flat = p;
        p = flat_put(p, m[i].value, m[i].value_len, m[i].type,
                     m[i].value_esc, 0) + 1;
        claims[i].name = name;
        claims[i].value = flat;
        claims[i].json = NULL;
        claims[i].type = claim_type(m[i].type);
        if (claims[i].type == 'j') {
            claims[i].json = p;
            p += jwtsso_jcompact(m[i].value, m[i].value_len, p) + 1;
        }

        {
            char *j0 = json + jw;
            char *jp = j0;

            *jp++ = '"';
            memcpy(jp, m[i].name, m[i].name_len);
            jp += m[i].name_len;
            *jp++ = '"';
            *jp++ = ':';
            if (m[i].type == JWTSSO_J_STRING) {
                *jp++ = '"';
                memcpy(jp, m[i].value, m[i].value_len);
                jp += m[i].value_len;
                *jp++ = '"';
            }
            else {
                jp += jwtsso_jcompact(m[i].value, m[i].value_len, jp);
            }
            m[i].name = j0;
            m[i].name_len = (size_t)(jp - j0);
            jw += m[i].name_len + 1;
        }
        cost = record_cost(&claims[i]);
        m[i].value_len = cost;
        /* The user claim is always kept: the first string member equal to
         * user (the view does not know the claim's name). */
        if (forced == SIZE_MAX && user != NULL
            && m[i].type == JWTSSO_J_STRING && strcmp(flat, user) == 0) {
            forced = i;
            total = cost;
        }
    }

    /* Pass 2: the IdP's own claims first (the user claim, always, then
     * iss and aud while they fit), so a large claim a user can set never
     * pushes them out; then the others in order while the budget lasts.
     * m[i].value_esc now marks a kept member. Pass 3: the kept members'
     * JSON moved together (only ever left) into one object. */
    for (i = 0; i < n; i++) {
        m[i].value_esc = i == forced;
        if (i != forced && reserved(claims[i].name)
            && total + m[i].value_len <= budget) {
            m[i].value_esc = 1;
            total += m[i].value_len;
        }
    }
    for (i = 0; i < n; i++) {
        if (!m[i].value_esc && total + m[i].value_len <= budget) {
            m[i].value_esc = 1;
            total += m[i].value_len;
        }
    }
    jw = 0;
    json[jw++] = '{';
    for (i = 0; i < n; i++) {
        if (!m[i].value_esc) {
            note_dropped(dropped, dropped_len, claims[i].name);
            view->truncated = 1;
            continue;
        }
        if (kept > 0) {
            json[jw++] = ',';
        }
        memmove(json + jw, m[i].name, m[i].name_len);
        jw += m[i].name_len;
        claims[kept++] = claims[i];
    }
    json[jw++] = '}';
    json[jw] = '\0';
    view->claims_json = json;
    view->claims = claims;
    view->nclaims = kept;
    view->cost = total;
    return JWTSSO_OK;
}

/* A JSON string of s at d (or only its length when d is NULL): '"', '\\'
 * and the control characters escaped as Jansson writes them. */
static size_t json_str(char *d, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)s, *run;
    size_t n = 2, k;
    char e;

    if (d != NULL) {
        *d++ = '"';
    }
    for (;;) {
        /* a run of bytes written as they are, copied whole; it ends at
         * the NUL (below 0x20) or at a byte to escape */
        for (run = u; *u >= 0x20 && *u != '"' && *u != '\\'; u++) {
        }
        k = (size_t)(u - run);
        n += k;
        if (d != NULL) {
            memcpy(d, run, k);
            d += k;
        }
        if (*u == '\0') {
            break;
        }
        switch (*u) {
        case '"':  e = '"';  break;
        case '\\': e = '\\'; break;
        case '\b': e = 'b';  break;
        case '\f': e = 'f';  break;
        case '\n': e = 'n';  break;
        case '\r': e = 'r';  break;
        case '\t': e = 't';  break;
        default:   e = 'u';  break;
        }
        n += e == 'u' ? 6 : 2;
        if (d != NULL) {
            *d++ = '\\';
            *d++ = e;
            if (e == 'u') {
                *d++ = '0';
                *d++ = '0';
                *d++ = hex[*u >> 4];
                *d++ = hex[*u & 0x0f];
            }
        }
        u++;
    }
    if (d != NULL) {
        *d = '"';
    }
    return n;
}

size_t jwtsso_claims_json(const jwtsso_claim_t *c, size_t n, char *out)
{
    size_t i, len = 1, k;
    const char *v;

    if (out != NULL) {
        out[0] = '{';
    }
    for (i = 0; i < n; i++) {
        if (i > 0) {
            if (out != NULL) {
                out[len] = ',';
            }
            len++;
        }
        len += json_str(out != NULL ? out + len : NULL, c[i].name);
        if (out != NULL) {
            out[len] = ':';
        }
        len++;
        if (c[i].type == 's') {
            len += json_str(out != NULL ? out + len : NULL, c[i].value);
            continue;
        }
        v = c[i].type == 'z' ? "null"
          : c[i].type == 'j' && c[i].json != NULL ? c[i].json : c[i].value;
        k = strlen(v);
        if (out != NULL) {
            memcpy(out + len, v, k);
        }
        len += k;
    }
    if (out != NULL) {
        out[len] = '}';
        out[len + 1] = '\0';
    }
    return len + 1;
}

/* ---------------------------------------------------------------------
 * Making records
 */
char *jwtsso_record_make(const jwtsso_mackey_t *k,
                         const char *realm, const char *origin,
                         const unsigned char *policy, const char *user, long long auth_time,
                         long long end, const char *sid,
                         const char *payload, size_t payload_len,
                         char *dropped, size_t dropped_len)
{
    unsigned char mac[MAC_LEN];
    jwtsso_view_t v;
    void *scratch = NULL;
    char *body = NULL, *out = NULL, *p;
    char num[2][24];
    size_t i, fixed, budget, blen, slen;
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
            + (NFIXED - 1)          /* and their LFs */
            + 3;                    /* room for the "=T" line */
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

    blen = fixed - (v.truncated ? 0 : 3);
    for (i = 0; i < v.nclaims; i++) {
        blen += record_cost(&v.claims[i]);
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
    for (i = 0; i < v.nclaims; i++) {
        *p++ = '\n';
        p = esc_put(p, v.claims[i].name);
        *p++ = '=';
        *p++ = v.claims[i].type;
        p = esc_put(p, v.claims[i].value);
        if (v.claims[i].type == 'j') {
            *p++ = '\n';
            *p++ = '=';
            *p++ = 'J';
            p = esc_put(p, v.claims[i].json);
        }
    }
    if (v.truncated) {              /* claims were left out: say so */
        memcpy(p, "\n=T", 3);
        p += 3;
    }
    *p = '\0';

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

/* A decimal long long exactly as "%lld" writes it. LLONG_MAX has 19
 * digits and any 19 digits fit in an unsigned long long (< 1.9e19), so
 * the digits are summed without a check each, a longer run is refused by
 * its length (the sum may wrap then: unsigned, so defined), and the range
 * is checked once at the end. */
static int parse_num(const char *s, long long *out)
{
    unsigned long long v = 0, lim;
    const char *p;
    unsigned dig;
    int neg = 0;

    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (*s < '0' || *s > '9' || (*s == '0' && (s[1] != '\0' || neg))) {
        return -1;
    }
    for (p = s; (dig = (unsigned)(unsigned char)*p - '0') <= 9; p++) {
        v = v * 10 + dig;
    }
    lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    if (*p != '\0' || p - s > 19 || v > lim) {
        return -1;
    }
    *out = neg ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
                                                         : -(long long)v)
               : (long long)v;
    return 0;
}

/* Move b[r..end) to b + w, turning each "%XX" into its byte: w <= r, so
 * writing never overtakes reading. Plain runs are found with memchr and
 * moved whole. Returns the new w, or (size_t)-1 for a bad escape. */
static size_t unescape(char *b, size_t w, size_t r, size_t end)
{
    const char *pct;
    size_t n;
    int hi, lo;

    while (r < end) {
        pct = memchr(b + r, '%', end - r);
        n = (pct != NULL ? (size_t)(pct - b) : end) - r;
        if (w != r) {
            memmove(b + w, b + r, n);
        }
        w += n;
        r += n;
        if (pct == NULL) {
            break;
        }
        if (end - r < 3) {
            return (size_t)-1;
        }
        hi = hexval((unsigned char)b[r + 1]);
        lo = hexval((unsigned char)b[r + 2]);
        /* canonical: only what must be escaped, and never NUL */
        if (hi < 0 || lo < 0 || (hi | lo) == 0
            || !must_escape((unsigned char)(hi << 4 | lo))) {
            return (size_t)-1;
        }
        b[w++] = (char)(hi << 4 | lo);
        r += 3;
    }
    return w;
}

/* Splitting a body without '%' (nearly all of them: only a value with a
 * control character, '%' or '=' has one) needs no unescaping: each LF,
 * and the first '=' of a claim line, becomes the NUL of its field, and
 * nothing moves. The separators are found 16 bytes a step, as a bit mask
 * (SSE2 on x86-64, where it is baseline; a plain loop elsewhere), and
 * handled in order, instead of one memchr call per field. */
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define SPLIT_SSE2 1
#include <emmintrin.h>
#endif

/* Bit k (k < 16) set where p[k] is a LF or an '='. */
static unsigned seps16(const char *p)
{
#ifdef SPLIT_SSE2
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

    return (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('='))));
#else
    unsigned m = 0, k;

    for (k = 0; k < 16; k++) {
        m |= (unsigned)(p[k] == '\n' || p[k] == '=') << k;
    }
    return m;
#endif
}

/* The index of the lowest set bit of m, which is not 0. */
static unsigned low_bit(unsigned m)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctz(m);
#else
    unsigned k = 0;

    for (; (m & 1u) == 0; m >>= 1) {
        k++;
    }
    return k;
#endif
}

/* Split b (blen bytes and the LF at b[blen]), which has no '%', into
 * fields and claims in place; *nf gets the number of lines. 0, or -1 for
 * a claim line without '=' or more than nmax claims. */
static int split_plain(char *b, size_t blen, const char **fields,
                       jwtsso_claim_t *claims, size_t nmax, size_t *nf)
{
    char last[16];
    size_t base, rest, pos, start = 0, n = 0;
    unsigned m;
    int split = 0;                  /* the claim line's '=' was seen */

    for (base = 0; base <= blen; base += 16) {
        rest = blen + 1 - base;
        if (rest >= 16) {
            m = seps16(b + base);
        }
        else if (base > 0) {
            /* the last few bytes: the 16 that end at the sentinel, less
             * those already done */
            m = seps16(b + blen + 1 - 16) >> (16 - rest);
        }
        else {
            /* a body under 16 bytes: a copy, not to read past it */
            memset(last, 0, sizeof(last));
            memcpy(last, b, rest);
            m = seps16(last);
        }
        for (; m != 0; m &= m - 1) {
            pos = base + low_bit(m);
            if (b[pos] == '\n') {
                if (n >= NFIXED && !split) {
                    return -1;
                }
                if (n < NFIXED) {
                    fields[n] = b + start;
                }
                b[pos] = '\0';
                n++;
                start = pos + 1;
                split = 0;
                if (pos < blen && n >= NFIXED && n - NFIXED >= nmax) {
                    return -1;
                }
            }
            else if (n >= NFIXED && !split) {
                /* the first '=' of a claim line; any other '=' is text */
                b[pos] = '\0';
                claims[n - NFIXED].name = b + start;
                claims[n - NFIXED].value = b + pos + 1;
                split = 1;
            }
        }
    }
    *nf = n;
    return 0;
}

/* The same for a body with a '%': each field is unescaped as it is
 * split, moved left over the bytes its escapes freed (unescape). */
static int split_escaped(char *b, size_t blen, const char **fields,
                         jwtsso_claim_t *claims, size_t nmax, size_t *nf)
{
    const char *lf, *eq;
    size_t r = 0, w = 0, n = 0, end;
    char *start, *value;

    for (;;) {
        lf = memchr(b + r, '\n', blen + 1 - r);
        end = (size_t)(lf - b);
        start = b + w;
        if (n < NFIXED) {
            w = unescape(b, w, r, end);
            if (w == (size_t)-1) {
                return -1;
            }
            b[w++] = '\0';
            fields[n] = start;
        }
        else {
            eq = memchr(b + r, '=', end - r);
            if (eq == NULL || n - NFIXED >= nmax) {
                return -1;
            }
            w = unescape(b, w, r, (size_t)(eq - b));
            if (w == (size_t)-1) {
                return -1;
            }
            b[w++] = '\0';
            value = b + w;
            w = unescape(b, w, (size_t)(eq - b) + 1, end);
            if (w == (size_t)-1) {
                return -1;
            }
            b[w++] = '\0';
            claims[n - NFIXED].name = start;
            claims[n - NFIXED].value = value;
        }
        n++;
        if (end >= blen) {
            break;
        }
        r = end + 1;
    }
    *nf = n;
    return 0;
}

/* Split the decoded body (blen bytes, with room for one more) into its
 * fields, unescaping each in place. The MAC has been checked, so this is
 * a body jwtsso_record_make wrote with our key: the parse still refuses
 * anything that writer does not produce, but does not look at each byte
 * twice to do so. One memchr for '%' chooses the splitter; both give the
 * same fields for a body without '%'. */
/* Give the split claim lines c[0..n) their types (record.c's header),
 * folding each "=J" line into the container before it. Returns how many
 * claims there are, or (size_t)-1 for lines jwtsso_record_make does not
 * write. */
static size_t typed(jwtsso_claim_t *c, size_t n, int *truncated)
{
    size_t r, w = 0;
    char t;

    for (r = 0; r < n; r++) {
        t = c[r].value[0];
        if (r == n - 1 && c[r].name[0] == '\0' && t == 'T'
            && c[r].value[1] == '\0') {
            *truncated = 1;         /* the last line: claims left out */
            break;
        }
        c[w].name = c[r].name;
        c[w].json = NULL;
        c[w].type = t;
        c[w].value = c[r].value + 1;
        switch (t) {
        case 's':
        case 'n':
            break;
        case 'z':
            if (c[w].value[0] != '\0') {
                return (size_t)-1;
            }
            break;
        case 'j':
            if (r + 1 >= n || c[r + 1].name[0] != '\0'
                || c[r + 1].value[0] != 'J') {
                return (size_t)-1;
            }
            c[w].json = c[r + 1].value + 1;
            r++;
            break;
        default:
            return (size_t)-1;
        }
        w++;
    }
    return w;
}

static int parse_body(char *b, size_t blen, jwtsso_record_t *rec,
                      jwtsso_claim_t *claims, size_t nmax)
{
    const char *fields[NFIXED];
    size_t nf = 0;
    int rc;

    b[blen] = '\n';                 /* a sentinel: every field ends in LF */
    if (memchr(b, '%', blen) == NULL) {
        rc = split_plain(b, blen, fields, claims, nmax, &nf);
    }
    else {
        rc = split_escaped(b, blen, fields, claims, nmax, &nf);
    }
    if (rc != 0 || nf < NFIXED || fields[0][0] == '\0'
        || parse_num(fields[1], &rec->auth_time) != 0
        || parse_num(fields[2], &rec->end) != 0) {
        return -1;
    }
    rec->user = fields[0];
    rec->sid = fields[3];
    rec->claims_json = NULL;
    rec->truncated = 0;
    rec->nclaims = typed(claims, nf - NFIXED, &rec->truncated);
    rec->claims = claims;
    return rec->nclaims == (size_t)-1 ? -1 : 0;
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
