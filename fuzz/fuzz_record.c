/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * fuzz_record.c - session records, jwtsso_record_check and
 * jwtsso_record_make (src/core/record.c, recbody.c, view.c).
 *
 * Fixed record key (from FUZZ_RECORD_MATERIAL), realm and origin; clock
 * FUZZ_NOW. Each input is used three ways:
 *  1. as a record text, checked as it is (scratch of exactly
 *     jwtsso_record_scratch_len() bytes, and once one byte short, which
 *     must fail without touching more);
 *  2. as a record body, MAC'd here (HMAC-SHA256 over the context and the
 *     body, as record.c documents it, computed with OpenSSL directly) so
 *     the fuzzer reaches the body parser: such a record never fails on
 *     the MAC, and the fields of one that passes, escaped again as
 *     record.c writes them, make a record that checks with the same
 *     fields;
 *  3. as "user NUL claims-JSON" (or just a user): jwtsso_record_make with
 *     those must give a record that checks OK with the same user, times,
 *     sid and kept claims (in payload order, with their flat values), the
 *     user claim kept, the dropped claims named, and that fails under
 *     another realm or origin or once expired. make may refuse only an
 *     empty user, or a user or claim name far beyond any real token.
 * Any record that checks OK has all its strings inside the scratch.
 */
#include <limits.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "fuzz.h"
#include "internal.h"

#define SID "fuzzSID_0123456789-abc"

static jwtsso_mackey_t *mackey;
static unsigned char reckey[32];

static void init(void)
{
    size_t n = 0;

    if (mackey != NULL) {
        return;
    }
    mackey = jwtsso_record_key_new((const unsigned char *)FUZZ_RECORD_MATERIAL,
                                   strlen(FUZZ_RECORD_MATERIAL));
    FUZZ_NEED(mackey);
    /* the record key: HMAC-SHA256(material, "jwtsso session record v1") */
    FUZZ_NEED(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL,
                        FUZZ_RECORD_MATERIAL, strlen(FUZZ_RECORD_MATERIAL),
                        (const unsigned char *)"jwtsso session record v1",
                        24, reckey, sizeof(reckey), &n));
    FUZZ_ASSERT(n == sizeof(reckey));
}

static int inside(const void *p, const void *scratch, size_t len)
{
    const char *c = p, *s = scratch;

    return c >= s && c < s + len;
}

static int str_inside(const char *p, const void *scratch, size_t len)
{
    return p != NULL && inside(p, scratch, len)
           && memchr(p, '\0', len - (size_t)(p - (const char *)scratch))
              != NULL;
}

/* Check text; on OK also the shape of rec. Returns the reason and leaves
 * rec (and the scratch *sp, to be freed by the caller) for a closer look. */
static jwtsso_reason_t check(const char *realm, const char *origin,
                             const char *text, size_t len, long long now,
                             jwtsso_record_t *rec, void **sp)
{
    size_t slen = jwtsso_record_scratch_len(len), i;
    jwtsso_reason_t rv;
    void *scratch;

    /* one byte short: never OK (and ASan watches the writes) */
    scratch = malloc(slen > 1 ? slen - 1 : 1);
    FUZZ_NEED(scratch);
    FUZZ_ASSERT(jwtsso_record_check(mackey, realm, origin, NULL, text, len, now,
                                    rec, scratch, slen - 1) != JWTSSO_OK);
    free(scratch);

    scratch = malloc(slen);
    FUZZ_NEED(scratch);
    rv = jwtsso_record_check(mackey, realm, origin, NULL, text, len, now, rec,
                             scratch, slen);
    FUZZ_ASSERT((unsigned)rv < JWTSSO_R__COUNT);
    if (rv == JWTSSO_OK) {
        FUZZ_ASSERT(len <= JWTSSO_RECORD_MAX);
        FUZZ_ASSERT(rec->end > now);
        FUZZ_ASSERT(str_inside(rec->user, scratch, slen));
        FUZZ_ASSERT(rec->user[0] != '\0');
        FUZZ_ASSERT(str_inside(rec->sid, scratch, slen));
        FUZZ_ASSERT(rec->claims_json == NULL);
        FUZZ_ASSERT(rec->nclaims == 0
                    || (inside(rec->claims, scratch, slen)
                        && inside((const char *)(rec->claims + rec->nclaims)
                                  - 1, scratch, slen)));
        for (i = 0; i < rec->nclaims; i++) {
            FUZZ_ASSERT(str_inside(rec->claims[i].name, scratch, slen));
            FUZZ_ASSERT(str_inside(rec->claims[i].value, scratch, slen));
            FUZZ_ASSERT(strchr("snzj", rec->claims[i].type) != NULL
                        && rec->claims[i].type != '\0');
            FUZZ_ASSERT((rec->claims[i].type == 'j')
                        == (rec->claims[i].json != NULL));
            FUZZ_ASSERT(rec->claims[i].json == NULL
                        || str_inside(rec->claims[i].json, scratch, slen));
        }
    }
    else {
        FUZZ_ASSERT(rec->user == NULL && rec->nclaims == 0);
    }
    *sp = scratch;
    return rv;
}

/* "j1." b64url(body) "." b64url(mac), MAC'd here (malloc'ed). */
static char *seal(const uint8_t *body, size_t blen, size_t *len)
{
    static const char ctx[] = "jwtsso-record-v1\0" FUZZ_REALM "\0"
                              FUZZ_ORIGIN;
    unsigned char mac[EVP_MAX_MD_SIZE], *in;
    size_t mlen = 0;
    char *rec;
    size_t n;

    in = malloc(sizeof(ctx) + blen);
    FUZZ_NEED(in);
    memcpy(in, ctx, sizeof(ctx));           /* with the last NUL */
    memcpy(in + sizeof(ctx), body, blen);
    FUZZ_NEED(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, reckey,
                        sizeof(reckey), in, sizeof(ctx) + blen, mac,
                        sizeof(mac), &mlen));
    free(in);
    rec = malloc(3 + jwtsso_b64url_encoded_len(blen) + 1 + 43 + 1);
    FUZZ_NEED(rec);
    memcpy(rec, "j1.", 3);
    n = 3 + jwtsso_b64url_encode(body, blen, rec + 3);
    rec[n++] = '.';
    n += jwtsso_b64url_encode(mac, mlen, rec + n);
    *len = n;
    return rec;
}

static int must_escape(unsigned char c)
{
    return c < 0x20 || c == 0x7f || c == '%' || c == '=';
}

/* Append s escaped as record.c documents it. */
static char *esc(char *d, const char *s)
{
    for (; *s; s++) {
        if (must_escape((unsigned char)*s)) {
            d += sprintf(d, "%%%02X", (unsigned char)*s);
        }
        else {
            *d++ = *s;
        }
    }
    return d;
}

/* 2: the input as a body */
static void body_mode(const uint8_t *data, size_t size)
{
    jwtsso_record_t rec;
    jwtsso_reason_t rv;
    void *scratch;
    size_t len, i;
    char *text, *again, *p;

    text = seal(data, size, &len);
    rv = check(FUZZ_REALM, FUZZ_ORIGIN, text, len, FUZZ_NOW, &rec, &scratch);
    if (len <= JWTSSO_RECORD_MAX) {
        FUZZ_ASSERT(rv != JWTSSO_R_RECORD_BAD_MAC && rv != JWTSSO_R_INTERNAL);
    }
    else {
        FUZZ_ASSERT(rv == JWTSSO_R_RECORD_MALFORMED);
    }
    if (rv == JWTSSO_OK) {
        /* each byte of the body escapes to at most 3 */
        again = malloc(3 * size + 64);
        FUZZ_NEED(again);
        p = esc(again, rec.user);
        p += sprintf(p, "\n%lld\n%lld\n", rec.auth_time, rec.end);
        p = esc(p, rec.sid);
        for (i = 0; i < rec.nclaims; i++) {
            *p++ = '\n';
            p = esc(p, rec.claims[i].name);
            *p++ = '=';
            *p++ = rec.claims[i].type;
            p = esc(p, rec.claims[i].value);
            if (rec.claims[i].type == 'j') {
                p += sprintf(p, "\n=J");
                p = esc(p, rec.claims[i].json);
            }
        }
        /* the body the parse understood, written as record.c writes it,
         * is a record with the same fields (the MAC, not the parse, is
         * what refuses a body we did not write) */
        {
            jwtsso_record_t rec2;
            void *scratch2;
            size_t len2;
            char *text2 = seal((const uint8_t *)again, (size_t)(p - again),
                               &len2);

            if (len2 <= JWTSSO_RECORD_MAX) {
                FUZZ_ASSERT(check(FUZZ_REALM, FUZZ_ORIGIN, text2, len2,
                                  FUZZ_NOW, &rec2, &scratch2) == JWTSSO_OK);
                FUZZ_ASSERT(strcmp(rec.user, rec2.user) == 0
                            && rec.auth_time == rec2.auth_time
                            && rec.end == rec2.end
                            && strcmp(rec.sid, rec2.sid) == 0
                            && rec.nclaims == rec2.nclaims);
                for (i = 0; i < rec.nclaims; i++) {
                    FUZZ_ASSERT(strcmp(rec.claims[i].name,
                                       rec2.claims[i].name) == 0
                                && strcmp(rec.claims[i].value,
                                          rec2.claims[i].value) == 0
                                && rec.claims[i].type == rec2.claims[i].type
                                && (rec.claims[i].json == NULL
                                    || strcmp(rec.claims[i].json,
                                              rec2.claims[i].json) == 0));
                }
                free(scratch2);
            }
            free(text2);
        }
        free(again);
    }
    free(scratch);
    free(text);
}

/* A real as view.c writes it (DESIGN §6 leaves the form open): the
 * shortest of %.15g, %.16g, %.17g that reads back as d, and ".0" when it
 * would read as an integer. That the kept claims' JSON reads back equal
 * (json_equal, in make_mode) checks the round trip independently. */
static char *oracle_real(double d)
{
    char buf[40];
    int p;

    for (p = 15; p <= 17; p++) {
        snprintf(buf, sizeof(buf) - 2, "%.*g", p, d);
        if (strtod(buf, NULL) == d) {
            break;
        }
    }
    if (strpbrk(buf, ".e") == NULL) {
        strcat(buf, ".0");
    }
    return jwtsso_json_strndup(buf, strlen(buf));
}

/* Append n bytes of s to the NUL-terminated *out of *len bytes. */
static void grow(char **out, size_t *len, const char *s, size_t n)
{
    char *g = realloc(*out, *len + n + 1);

    FUZZ_NEED(g);
    memcpy(g + *len, s, n);
    *len += n;
    g[*len] = '\0';
    *out = g;
}

/* Append the text t (malloc'ed, freed here). */
static void grow_take(char **out, size_t *len, char *t)
{
    FUZZ_NEED(t);
    grow(out, len, t, strlen(t));
    free(t);
}

/* Compact JSON as Jansson writes it (JSON_COMPACT), but reals as
 * oracle_real. */
static void oracle_compact(char **out, size_t *len, const json_t *v)
{
    const char *name;
    const json_t *e;
    json_t *k;
    size_t i = 0;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        grow(out, len, "{", 1);
        json_object_foreach((json_t *)v, name, e) {
            if (i++ > 0) {
                grow(out, len, ",", 1);
            }
            k = json_string(name);
            FUZZ_NEED(k);
            grow_take(out, len, json_dumps(k, JSON_ENCODE_ANY));
            json_decref(k);
            grow(out, len, ":", 1);
            oracle_compact(out, len, e);
        }
        grow(out, len, "}", 1);
        break;
    case JSON_ARRAY:
        grow(out, len, "[", 1);
        json_array_foreach(v, i, e) {
            if (i > 0) {
                grow(out, len, ",", 1);
            }
            oracle_compact(out, len, e);
        }
        grow(out, len, "]", 1);
        break;
    case JSON_REAL:
        grow_take(out, len, oracle_real(json_real_value(v)));
        break;
    default:
        grow_take(out, len, json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY));
        break;
    }
}

/* The flat text of a claim as DESIGN §6 says, computed with Jansson: the
 * oracle for record.c's own (strings decoded, integers as Jansson writes
 * them, reals as oracle_real, true/false, null as "", arrays joined
 * with ",", containers inside them and objects as oracle_compact). */
static char *oracle_scalar(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return jwtsso_json_strndup(json_string_value(v), json_string_length(v));
    case JSON_TRUE:
        return jwtsso_json_strndup("true", 4);
    case JSON_FALSE:
        return jwtsso_json_strndup("false", 5);
    case JSON_NULL:
        return jwtsso_json_strndup("", 0);
    case JSON_REAL:
        return oracle_real(json_real_value(v));
    case JSON_OBJECT:
    case JSON_ARRAY: {
        char *out = NULL;
        size_t len = 0;

        grow(&out, &len, "", 0);
        oracle_compact(&out, &len, v);
        return out;
    }
    default:
        return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    }
}

static char *oracle_flat(const json_t *v)
{
    char *out, *part, *grown;
    size_t i, len = 0, plen;

    if (!json_is_array(v)) {
        return oracle_scalar(v);
    }
    out = jwtsso_json_strndup("", 0);
    for (i = 0; out != NULL && i < json_array_size(v); i++) {
        part = oracle_scalar(json_array_get(v, i));
        FUZZ_NEED(part);
        plen = strlen(part);
        grown = realloc(out, len + (i > 0) + plen + 1);
        FUZZ_NEED(grown);
        out = grown;
        if (i > 0) {
            out[len++] = ',';
        }
        memcpy(out + len, part, plen + 1);
        len += plen;
        free(part);
    }
    return out;
}

/* 3: make a record from the input, then check it */
static void make_mode(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    json_t *claims = NULL, *kept, *v;
    jwtsso_record_t rec;
    const char *name, *first_user = NULL;
    char *user, *r, *flat, *ctext, *json, dropped[8192];
    long long at, end;
    size_t ulen, len, i, droplen = 0;
    int short_names = 1;
    void *scratch;

    ulen = nul != NULL ? (size_t)(nul - data) : size;
    user = malloc(ulen + 1);
    FUZZ_NEED(user);
    memcpy(user, data, ulen);
    user[ulen] = '\0';
    if (nul != NULL) {
        claims = json_loadb((const char *)nul + 1, size - ulen - 1,
                            JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(claims)) {
            json_decref(claims);
            claims = NULL;
        }
    }
    if (size % 2 == 0) {
        at = FUZZ_NOW - 100;
        end = FUZZ_NOW + 3600;
    }
    else {
        at = LLONG_MIN;
        end = LLONG_MAX;
    }
    json_object_foreach(claims, name, v) {
        if (strlen(name) > 64) {
            short_names = 0;
        }
        if (first_user == NULL && json_is_string(v)
            && strcmp(json_string_value(v), user) == 0) {
            first_user = name;
        }
    }

    ctext = claims != NULL ? json_dumps(claims, JSON_COMPACT) : NULL;
    r = jwtsso_record_make(mackey, FUZZ_REALM, FUZZ_ORIGIN, NULL, user, at, end,
                           SID, ctext, ctext != NULL ? strlen(ctext) : 0,
                           dropped, sizeof(dropped));
    free(ctext);
    if (ulen == 0) {
        FUZZ_ASSERT(r == NULL);
    }
    else if (ulen <= 64 && short_names) {
        FUZZ_ASSERT(r != NULL);
    }
    if (r == NULL) {
        goto done;
    }
    len = strlen(r);
    FUZZ_ASSERT(len <= JWTSSO_RECORD_MAX);

    FUZZ_ASSERT(check(FUZZ_REALM, FUZZ_ORIGIN, r, len, FUZZ_NOW, &rec,
                      &scratch) == JWTSSO_OK);
    FUZZ_ASSERT(strcmp(rec.user, user) == 0);
    FUZZ_ASSERT(rec.auth_time == at && rec.end == end);
    FUZZ_ASSERT(strcmp(rec.sid, SID) == 0);
    /* the claims' JSON, written from the record's flat claims, is what
     * Jansson reads back as the kept claims */
    json = malloc(jwtsso_view_json(rec.claims, rec.nclaims, NULL) + 1);
    FUZZ_NEED(json);
    FUZZ_ASSERT(jwtsso_view_json(rec.claims, rec.nclaims, json)
              == strlen(json));
    kept = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    free(json);
    FUZZ_ASSERT(json_is_object(kept));
    FUZZ_ASSERT(json_object_size(kept) == rec.nclaims);
    i = 0;
    json_object_foreach(kept, name, v) {
        FUZZ_ASSERT(json_equal(v, json_object_get(claims, name)));
        FUZZ_ASSERT(strcmp(rec.claims[i].name, name) == 0);
        flat = oracle_flat(v);
        FUZZ_NEED(flat);
        FUZZ_ASSERT(strcmp(rec.claims[i].value, flat) == 0);
        free(flat);
        i++;
    }
    FUZZ_ASSERT(first_user == NULL
                || json_object_get(kept, first_user) != NULL);
    json_object_foreach(claims, name, v) {
        if (json_object_get(kept, name) == NULL) {
            droplen += strlen(name) + 1;
            FUZZ_ASSERT(droplen > sizeof(dropped)
                        || strstr(dropped, name) != NULL);
        }
    }
    json_decref(kept);
    free(scratch);

    /* bound to realm and origin, and to its end */
    FUZZ_ASSERT(check("other", FUZZ_ORIGIN, r, len, FUZZ_NOW, &rec,
                      &scratch) == JWTSSO_R_RECORD_BAD_MAC);
    free(scratch);
    FUZZ_ASSERT(check(FUZZ_REALM, "https://other.example.com", r, len,
                      FUZZ_NOW, &rec, &scratch) == JWTSSO_R_RECORD_BAD_MAC);
    free(scratch);
    FUZZ_ASSERT(check(FUZZ_REALM, FUZZ_ORIGIN, r, len, end, &rec, &scratch)
                == JWTSSO_R_RECORD_EXPIRED);
    free(scratch);
    free(r);

done:
    json_decref(claims);
    free(user);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jwtsso_record_t rec;
    jwtsso_reason_t rv;
    void *scratch;

    init();
    /* 1: as a record */
    rv = check(FUZZ_REALM, FUZZ_ORIGIN, (const char *)data, size, FUZZ_NOW,
               &rec, &scratch);
    free(scratch);
    if (rv == JWTSSO_OK || rv == JWTSSO_R_RECORD_EXPIRED) {
        FUZZ_ASSERT(check("other", FUZZ_ORIGIN, (const char *)data, size,
                          FUZZ_NOW, &rec, &scratch)
                    == JWTSSO_R_RECORD_BAD_MAC);
        free(scratch);
    }
    body_mode(data, size);
    make_mode(data, size);
    return 0;
}
