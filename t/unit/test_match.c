/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * test_match.c - Require jwtsso-claim's test (src/core/match.c): claim
 * paths, and matching against the three shapes of claims a request can
 * have: a session record (flat claims, typed), a bearer token's view
 * (typed, with the claims JSON) and the bearer cache's record (untyped,
 * the claims JSON only).
 */
#include <stdlib.h>
#include <string.h>

#include "jwtsso.h"
#include "unit.h"

#define NOW 1900000000LL
#define ORIGIN "https://app.example.test"

static const char *const PAYLOAD =
    "{\"sub\":\"alice\",\"groups\":[\"staff\",\"Admins,ops\",7,true,"
    "[\"nested\"],{\"o\":1},null],\"dept\":\"R&D\",\"level\":3,"
    "\"ratio\":2.5,\"big\":1e2,\"admin\":true,\"off\":false,"
    "\"flag\":\"true\",\"none\":null,\"empty\":\"\","
    "\"realm_access\":{\"roles\":[\"admin\",\"user\"],\"n\":{\"x\":\"y\"}},"
    "\"https://example.com/roles\":[\"editor\"],"
    "\"a\":{\"b\":\"via path\"},\"a.b\":\"via dot\","
    "\"back\\\\slash\":\"bs\"}";

/* The kinds of record a request can carry. */
enum { VIEW, RECORD, CACHED, KINDS };
static const char *const KIND_NAME[KINDS] = { "view", "record", "cached" };

static jwtsso_view_t view;
static jwtsso_record_t recs[KINDS];
static void *scratch[2];

static int setup(const char *payload, size_t budget)
{
    size_t len = strlen(payload), slen = jwtsso_view_scratch_len(len), n;
    jwtsso_mackey_t *k;
    char *text, dropped[256];
    jwtsso_claim_t *flat;
    size_t i;
    int ok = 1;

    free(scratch[0]);
    free(scratch[1]);
    scratch[1] = NULL;
    free((void *)recs[CACHED].claims);
    memset(recs, 0, sizeof(recs));
    scratch[0] = malloc(slen);
    ok &= jwtsso_view_make(payload, len, "alice", budget, &view, scratch[0],
                           slen, dropped, sizeof(dropped)) == JWTSSO_OK;
    recs[VIEW].user = "alice";
    recs[VIEW].claims = view.claims;
    recs[VIEW].nclaims = view.nclaims;
    recs[VIEW].claims_json = view.claims_json;
    recs[VIEW].truncated = view.truncated;

    /* a real session record, made and checked (the session path) */
    k = jwtsso_record_key_new((const unsigned char *)"material", 8);
    text = jwtsso_record_make(k, "realm", ORIGIN, NULL, "alice", NOW,
                              NOW + 3600, "sid", payload, len, NULL, 0);
    ok &= text != NULL;
    if (text != NULL) {
        n = strlen(text);
        scratch[1] = malloc(jwtsso_record_scratch_len(n));
        ok &= jwtsso_record_check(k, "realm", ORIGIN, NULL, text, n, NOW,
                                  &recs[RECORD], scratch[1],
                                  jwtsso_record_scratch_len(n))
              == JWTSSO_OK;
        free(text);
    }
    jwtsso_record_key_free(k);

    /* the bearer cache's: names and flat values, no types, the JSON */
    recs[CACHED] = recs[VIEW];
    flat = calloc(view.nclaims + 1, sizeof(*flat));
    for (i = 0; i < view.nclaims; i++) {
        flat[i].name = view.claims[i].name;
        flat[i].value = view.claims[i].value;
    }
    recs[CACHED].claims = flat;
    return ok;
}

/* Split spec and match against every kind of record; each must give
 * want. */
static void expect(const char *spec, const char *const *values, size_t n,
                   jwtsso_match_t want)
{
    char buf[256], label[512];
    const char *path[16], *p;
    size_t np = 0, i;
    int kind;

    if (!CHECK(spec, jwtsso_match_path(spec, buf, &np) == 0 && np < 16)) {
        return;
    }
    for (p = buf, i = 0; i < np; i++) {
        path[i] = p;
        p += strlen(p) + 1;
    }
    for (kind = 0; kind < KINDS; kind++) {
        jwtsso_match_t got = jwtsso_match_record(&recs[kind], path, np,
                                                 values, n);

        snprintf(label, sizeof(label), "%s %s%s (%s): %d", spec,
                 values[0], n > 1 ? " ..." : "", KIND_NAME[kind], want);
        if (!CHECK(label, got == want)) {
            NOTE("got %d", got);
        }
    }
}

#define V(...) ((const char *const[]){ __VA_ARGS__ }), \
    (sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static void test_paths(void)
{
    char out[64];
    size_t n = 0;

    CHECK("path: plain", jwtsso_match_path("groups", out, &n) == 0 && n == 1
          && strcmp(out, "groups") == 0);
    CHECK("path: nested", jwtsso_match_path("realm_access.roles", out, &n)
          == 0 && n == 2 && strcmp(out, "realm_access") == 0
          && strcmp(out + 13, "roles") == 0);
    CHECK("path: escaped dot", jwtsso_match_path("a\\.b", out, &n) == 0
          && n == 1 && strcmp(out, "a.b") == 0);
    CHECK("path: escaped backslash then dot",
          jwtsso_match_path("a\\\\.b", out, &n) == 0 && n == 2
          && strcmp(out, "a\\") == 0 && strcmp(out + 3, "b") == 0);
    CHECK("path: empty", jwtsso_match_path("", out, &n)
          == JWTSSO_MATCH_PATH_EMPTY);
    CHECK("path: leading dot", jwtsso_match_path(".a", out, &n)
          == JWTSSO_MATCH_PATH_EMPTY);
    CHECK("path: trailing dot", jwtsso_match_path("a.", out, &n)
          == JWTSSO_MATCH_PATH_EMPTY);
    CHECK("path: double dot", jwtsso_match_path("a..b", out, &n)
          == JWTSSO_MATCH_PATH_EMPTY);
    CHECK("path: unknown escape", jwtsso_match_path("a\\b", out, &n)
          == JWTSSO_MATCH_PATH_ESCAPE);
    CHECK("path: trailing backslash", jwtsso_match_path("a\\", out, &n)
          == JWTSSO_MATCH_PATH_ESCAPE);
}

static void test_values(void)
{
    if (!CHECK("setup: view, record and cached record", setup(PAYLOAD, 2048))
        || !CHECK("setup: nothing left out", !view.truncated)) {
        return;
    }
    expect("sub", V("alice"), JWTSSO_MATCH_YES);
    expect("sub", V("bob", "alice"), JWTSSO_MATCH_YES);
    expect("sub", V("Alice"), JWTSSO_MATCH_NO);          /* no case folding */
    expect("sub", V("alic"), JWTSSO_MATCH_NO);           /* no prefix */
    expect("sub", V("alice "), JWTSSO_MATCH_NO);
    expect("dept", V("R&D"), JWTSSO_MATCH_YES);
    expect("groups", V("staff"), JWTSSO_MATCH_YES);
    expect("groups", V("Admins,ops"), JWTSSO_MATCH_YES);
    expect("groups", V("Admins"), JWTSSO_MATCH_NO);  /* not the flat text */
    expect("groups", V("staff,Admins,ops"), JWTSSO_MATCH_NO);
    expect("groups", V("staf"), JWTSSO_MATCH_NO);
    expect("groups", V("7"), JWTSSO_MATCH_YES);
    expect("groups", V("true"), JWTSSO_MATCH_YES);
    expect("groups", V("nested"), JWTSSO_MATCH_NO);  /* arrays in arrays */
    expect("groups", V("{\"o\":1}"), JWTSSO_MATCH_NO);
    expect("groups", V("null"), JWTSSO_MATCH_NO);
    expect("level", V("3"), JWTSSO_MATCH_YES);
    expect("level", V("3.0"), JWTSSO_MATCH_NO);
    expect("level", V("03"), JWTSSO_MATCH_NO);
    expect("ratio", V("2.5"), JWTSSO_MATCH_YES);
    expect("big", V("100.0"), JWTSSO_MATCH_YES);     /* the view's text */
    expect("big", V("1e2"), JWTSSO_MATCH_NO);
    expect("admin", V("true"), JWTSSO_MATCH_YES);
    expect("admin", V("True"), JWTSSO_MATCH_NO);
    expect("off", V("false"), JWTSSO_MATCH_YES);
    expect("off", V("true"), JWTSSO_MATCH_NO);
    expect("flag", V("true"), JWTSSO_MATCH_YES);     /* a string "true" */
    expect("none", V("null"), JWTSSO_MATCH_NO);
    expect("none", V(""), JWTSSO_MATCH_NO);
    expect("empty", V(""), JWTSSO_MATCH_YES);
    expect("missing", V("x"), JWTSSO_MATCH_MISSING);
    expect("realm_access.roles", V("admin"), JWTSSO_MATCH_YES);
    expect("realm_access.roles", V("user", "x"), JWTSSO_MATCH_YES);
    expect("realm_access.roles", V("Admin"), JWTSSO_MATCH_NO);
    expect("realm_access.n.x", V("y"), JWTSSO_MATCH_YES);
    expect("realm_access", V("admin"), JWTSSO_MATCH_NO);   /* an object */
    expect("realm_access.nope", V("admin"), JWTSSO_MATCH_MISSING);
    expect("realm_access.roles.x", V("admin"), JWTSSO_MATCH_MISSING);
    expect("sub.x", V("alice"), JWTSSO_MATCH_MISSING);
    expect("none.x", V("alice"), JWTSSO_MATCH_MISSING);
    expect("https://example\\.com/roles", V("editor"), JWTSSO_MATCH_YES);
    expect("https://example.com/roles", V("editor"), JWTSSO_MATCH_MISSING);
    expect("a.b", V("via path"), JWTSSO_MATCH_YES);
    expect("a.b", V("via dot"), JWTSSO_MATCH_NO);
    expect("a\\.b", V("via dot"), JWTSSO_MATCH_YES);
    expect("a\\.b", V("via path"), JWTSSO_MATCH_NO);
    expect("back\\\\slash", V("bs"), JWTSSO_MATCH_YES);
}

/* Claims left out of a record for size are unknown, never a "no". */
static void test_truncated(void)
{
    static const char *const big =
        "{\"sub\":\"alice\",\"name\":\"%s\",\"groups\":[\"admins\"],"
        "\"dept\":\"ops\"}";
    char *filler = malloc(2101), *payload = malloc(2300);

    memset(filler, 'x', 2100);
    filler[2100] = '\0';
    snprintf(payload, 2300, big, filler);
    if (CHECK("truncated: setup", setup(payload, 2048))
        && CHECK("truncated: the view left claims out", view.truncated)) {
        /* name is dropped; the claims after it still fit, and are kept */
        expect("sub", V("alice"), JWTSSO_MATCH_YES);
        expect("groups", V("admins"), JWTSSO_MATCH_YES);
        expect("dept", V("x"), JWTSSO_MATCH_NO);
        expect("name", V("x"), JWTSSO_MATCH_UNKNOWN);
        expect("name.x", V("x"), JWTSSO_MATCH_UNKNOWN);
        expect("anything", V("x"), JWTSSO_MATCH_UNKNOWN);
    }
    free(filler);
    free(payload);
}

static void test_bad(void)
{
    jwtsso_record_t rec;
    jwtsso_claim_t c = { "groups", "a", "[\"a\"", 'j' };
    const char *path[] = { "groups" }, *values[] = { "a" };

    memset(&rec, 0, sizeof(rec));
    rec.claims = &c;
    rec.nclaims = 1;
    CHECK("bad: unreadable JSON is an error",
          jwtsso_match_record(&rec, path, 1, values, 1)
          == JWTSSO_MATCH_ERROR);
    c.type = 0;
    CHECK("bad: no types and no JSON is an error",
          jwtsso_match_record(&rec, path, 1, values, 1)
          == JWTSSO_MATCH_ERROR);
    CHECK("bad: no path", jwtsso_match_record(&rec, path, 0, values, 1)
          == JWTSSO_MATCH_ERROR);
}

int main(void)
{
    test_paths();
    test_values();
    test_truncated();
    test_bad();
    free(scratch[0]);
    free(scratch[1]);
    free((void *)recs[CACHED].claims);
    return unit_done();
}
