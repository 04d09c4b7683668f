/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * test_jscan.c - unit tests of the token path's JSON scanner
 * (src/core/jscan.c), differential against json.c's jwtsso_json_object
 * (Jansson 2.14 with JSON_REJECT_DUPLICATES and our rules), which reads
 * every other JSON text and whose rules the scanner keeps.
 *
 * Every hand-written document must get jwtsso_json_object's verdict (an
 * object, a duplicate name, or anything else); for valid documents every
 * member (name, type, string value, number, nested arrays and objects)
 * must equal what Jansson parsed, in document order. Then the helpers,
 * TOO_MANY, allocation (glibc, no ASan), adversarial duplicates, and a
 * randomised round trip through json_dumps.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jscan.h"
#include "unit.h"

#define OK JWTSSO_JSCAN_OK
#define BAD JWTSSO_JSCAN_BAD
#define DUP JWTSSO_JSCAN_DUPLICATE
#define TOO_MANY JWTSSO_JSCAN_TOO_MANY
#define SAME 100            /* expect jwtsso_json_object's verdict */
#define EITHER 101          /* it says duplicate; BAD or DUP both right */

/* ---------------------------------------------------------------------
 * Counting allocations: glibc lets the program replace malloc. Not under
 * AddressSanitizer, which replaces it itself.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_MALLOC_COUNT 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NO_MALLOC_COUNT 1
#endif

#if defined(__GLIBC__) && !defined(NO_MALLOC_COUNT)
#define HAVE_MALLOC_COUNT 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
static int counting;
static unsigned long nallocs, nfrees;

void *malloc(size_t n)
{
    nallocs += counting;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    nallocs += counting;
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    nallocs += counting;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    nfrees += counting && p != NULL;
    __libc_free(p);
}
#endif

/* ---------------------------------------------------------------------
 * Helpers
 */

static void *xmalloc(size_t n)
{
    void *p = malloc(n > 0 ? n : 1);

    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

#define ORACLE_MALLOC(n) xmalloc(n)
#include "jscan_oracle.h"

/* A printable, shortened form of a document for test names. */
static const char *shown(const char *doc, size_t len)
{
    static char out[100];
    size_t i, o = 0;
    unsigned char c;

    for (i = 0; i < len && o < sizeof(out) - 8; i++) {
        c = (unsigned char)doc[i];
        if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        }
        else {
            o += (size_t)sprintf(out + o, "\\x%02x", c);
        }
    }
    if (i < len) {
        out[o++] = '.';
        out[o++] = '.';
        out[o++] = '.';
    }
    out[o] = '\0';
    return out;
}

static const char *verdict_name(int v)
{
    switch (v) {
    case OK:
        return "OK";
    case BAD:
        return "BAD";
    case DUP:
        return "DUPLICATE";
    case TOO_MANY:
        return "TOO_MANY";
    default:
        return "?";
    }
}

/* The differential check of one document. expect: SAME, or EITHER (a
 * duplicate name before a syntax error: jwtsso_json_object reports the
 * name, which Jansson meets first; the scanner, which compares names
 * when their object closes, may report the error). */
static void check_doc(const char *doc, size_t len, int expect)
{
    jwtsso_jmember_t m[256];
    json_t *root;
    char name[160];
    size_t n = 99;
    int got, want, ok;

    want = jscan_verdict(doc, len, &root);
    got = jwtsso_jscan_object(doc, len, m, 256, &n);
    snprintf(name, sizeof(name), "doc %s", shown(doc, len));
    if (expect == SAME) {
        ok = got == want;
    }
    else {
        ok = want == DUP && (got == DUP || got == BAD);
    }
    if (!CHECK(name, ok && (got == OK || got == TOO_MANY || n == 0))) {
        NOTE("scanner %s, json.c %s, expected %s", verdict_name(got),
             verdict_name(want), expect == SAME ? "the same" : "either");
    }
    if (got == OK && root != NULL) {
        snprintf(name, sizeof(name), "doc %s: members as Jansson's",
                 shown(doc, len));
        CHECK(name, jscan_same_object(doc, len, root, 1));
    }
    json_decref(root);
}

#define D(s) check_doc((s), sizeof(s) - 1, SAME)
#define E(s) check_doc((s), sizeof(s) - 1, EITHER)
/* Scan a string literal. */
#define SCAN(s, m, max, n) \
    jwtsso_jscan_object((s), sizeof(s) - 1, (m), (max), (n))
/* Scan a C string, no members kept. */
#define SCAN_S(s) jwtsso_jscan_object((s), strlen(s), NULL, 0, &(size_t){0})

/* "{" "\"a\":" ... nested levels deep, each an object or array. */
static char *nested(int levels, int arrays, const char *inner)
{
    size_t cap = (size_t)levels * 6 + strlen(inner) + 16, o = 0;
    char *s = xmalloc(cap);
    int i;

    o += (size_t)sprintf(s, "{");
    for (i = 1; i < levels; i++) {
        o += (size_t)sprintf(s + o, arrays ? (i == 1 ? "\"a\":[" : "[")
                                           : "\"a\":{");
    }
    o += (size_t)sprintf(s + o, "%s", inner);
    for (i = levels - 1; i >= 1; i--) {
        s[o++] = arrays ? ']' : '}';
    }
    s[o++] = '}';
    s[o] = '\0';
    return s;
}

/* ---------------------------------------------------------------------
 * The differential list
 */
static void test_docs_shape(void)
{
    /* valid objects */
    D("{}");
    D(" {} ");
    D("\t\r\n{\n}\r\n\t");
    D("{\"a\":1}");
    D("{\"sub\":\"bench\",\"name\":\"Bench User\",\"iat\":1700000000,"
      "\"exp\":1700003600}");
    D("{\"a\":\"b\",\"c\":[1,2,3],\"d\":{\"e\":null},\"f\":true,"
      "\"g\":false}");
    D("{ \"a\" : 1 , \"b\" : [ ] , \"c\" : { } }");
    D("{\n  \"a\": [\n    1,\n    {\"b\": 2}\n  ],\r\n\t\"c\":\"d\"\n}");
    D("{\"\":0}");
    D("{\"\":\"\",\"a\":\"\"}");
    D("{\"a\":[]}");
    D("{\"a\":{}}");
    D("{\"a\":[{}]}");
    D("{\"a\":[[],[[]],[{}]]}");
    D("{\"a\":[1,\"two\",true,false,null,[3],{\"four\":4},-5.5e-1]}");
    D("{\"a\" \n:\r1\t}");

    /* not one object */
    D("");
    D("   ");
    D("[]");
    D("[1,2]");
    D("[{\"a\":1}]");
    D("\"a\"");
    D("1");
    D("true");
    D("null");
    D("{");
    D("}");
    D("{}}");
    D("{}{}");
    D("{} []");
    D("{}x");
    D("{} 1");
    D("{},");
    D("\x00{}");
    D("{}\x00");
    D("{\x00}");
    D("{\"a\":1}\x00");
    D("{\"a\":1\x00\x00}");
    D("{\"a\":\"x\"\x00}");
    D("{\"a\":1 \x00}");
    /* Jansson loses one NUL byte after a number or literal: json.c
     * refuses any NUL byte, and so does the scanner */
    D("{\"a\":1\x00}");
    D("{\"a\":-1.5e3\x00 ,\"b\":2}");
    D("{\"a\":true\x00}");
    D("{\"a\":[null\x00,false\x00]}");
    D("\xef\xbb\xbf{}");         /* a byte order mark */
    D("{}\xff");

    /* literals */
    D("{\"a\":true}");
    D("{\"a\":false}");
    D("{\"a\":null}");
    D("{\"a\":tru}");
    D("{\"a\":True}");
    D("{\"a\":nul}");
    D("{\"a\":truex}");
    D("{\"a\":true1}");
    D("{\"a\":nulll}");
    D("{\"a\":fals}");
    D("{\"a\":NaN}");
    D("{\"a\":Infinity}");
    D("{\"a\":-Infinity}");
    D("{\"a\":undefined}");
    D("{\"a\":t}");

}

static void test_docs_numbers(void)
{
    /* numbers */
    D("{\"a\":0}");
    D("{\"a\":-0}");
    D("{\"a\":0.0}");
    D("{\"a\":-0.0}");
    D("{\"a\":1.5}");
    D("{\"a\":1e5}");
    D("{\"a\":1E5}");
    D("{\"a\":1e+5}");
    D("{\"a\":1e-5}");
    D("{\"a\":0e0}");
    D("{\"a\":-123.456E+78}");
    D("{\"a\":1700000000.999}");
    D("{\"a\":01}");
    D("{\"a\":-01}");
    D("{\"a\":00}");
    D("{\"a\":-}");
    D("{\"a\":1.}");
    D("{\"a\":.5}");
    D("{\"a\":-.5}");
    D("{\"a\":1e}");
    D("{\"a\":1e+}");
    D("{\"a\":1e-}");
    D("{\"a\":+1}");
    D("{\"a\":1.e5}");
    D("{\"a\":0x10}");
    D("{\"a\":1_000}");
    D("{\"a\":--1}");
    D("{\"a\":1.5.5}");
    D("{\"a\":1e5e5}");
    D("{\"a\":1ee5}");
    D("{\"a\":1 2}");
    D("{\"a\":9223372036854775807}");
    D("{\"a\":-9223372036854775808}");
    D("{\"a\":1e-400}");                 /* underflow: Jansson takes 0 */
    D("{\"a\":1.7976931348623157e308}");
    /* beyond long long or a finite double: refused */
    D("{\"a\":9223372036854775808}");
    D("{\"a\":-9223372036854775809}");
    D("{\"a\":10000000000000000000}");
    D("{\"a\":-10000000000000000000}");
    D("{\"a\":123456789012345678901234567890}");
    D("{\"a\":1e400}");
    D("{\"a\":-1e400}");
    D("{\"a\":1.8e308}");
    D("{\"a\":[1,{\"b\":[1e999]}]}");
    D("{\"a\":1e400,\"a\":2}");
    D("{\"a\":1e99999999999999999999}");
    D("{\"a\":1e-99999999999999999999}");
    D("{\"a\":0e99999999999999999999}");
    D("{\"a\":-0.0e400}");
    D("{\"a\":0.00000000000000000000000000001e337}");
    D("{\"a\":0.00000000000000000000000000001e338}");
    D("{\"a\":100000000000000000000000000000e279}");
    D("{\"a\":100000000000000000000000000000e280}");
    /* around the double limit, 2^1024 - 2^970: below it rounds to
     * DBL_MAX, at it (a tie, to even) and above it to infinity */
    D("{\"a\":1.7976931348623158e308}");
    D("{\"a\":1.7976931348623159e308}");
    D("{\"a\":-1.797693134862315807937289714053e308}");
    D("{\"a\":1.797693134862315807937289714053e308}");
    D("{\"a\":1.797693134862315807937289714054e308}");
    D("{\"a\":17976931348623158079372897140530341507993413271003782693617"
      "377898044496829276475094664901797758720709633028641669288791094655"
      "554785194040263065748867150582068190890200070838367627385484581771"
      "153176447573027006985557136695962284291481986083493647529271907416"
      "8444365510704342711559699508093042880177904174497791.9999}");
    D("{\"a\":17976931348623158079372897140530341507993413271003782693617"
      "377898044496829276475094664901797758720709633028641669288791094655"
      "554785194040263065748867150582068190890200070838367627385484581771"
      "153176447573027006985557136695962284291481986083493647529271907416"
      "8444365510704342711559699508093042880177904174497792}");
    D("{\"a\":17976931348623158079372897140530341507993413271003782693617"
      "377898044496829276475094664901797758720709633028641669288791094655"
      "554785194040263065748867150582068190890200070838367627385484581771"
      "153176447573027006985557136695962284291481986083493647529271907416"
      "8444365510704342711559699508093042880177904174497792.0}");
    D("{\"a\":0.00001797693134862315807937289714053034150799341327100378269"
      "361737789804449682927647509466490179775872070963302864166928879109"
      "465555478519404026306574886715058206819089020007083836762738548458"
      "177115317644757302700698555713669596228429148198608349364752927190"
      "7416844436551070434271155969950809304288017790417449779e313}");

}

static void test_docs_strings(void)
{
    /* escapes */
    D("{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}");
    D("{\"\\\"\\\\\\/\\b\\f\\n\\r\\t\":1}");
    D("{\"a\":\"\\u0041\\u00e9\\u20AC\\uFFFF\\u0001\\u001f\\u007F\"}");
    D("{\"a\":\"\\ud83d\\ude00\"}");
    D("{\"a\":\"\\uD83D\\uDE00\"}");
    D("{\"a\":\"\\uDBFF\\uDFFF\\uD800\\uDC00\"}");
    D("{\"a\":\"x\\ud83d\"}");
    D("{\"a\":\"\\ude00\"}");
    D("{\"a\":\"\\ude00\\ud83d\"}");
    D("{\"a\":\"\\ud83d\\ud83d\"}");
    D("{\"a\":\"\\ud83dx\"}");
    D("{\"a\":\"\\ud83d\\n\"}");
    D("{\"a\":\"\\ud83d\\u0041\"}");
    D("{\"a\":\"\\ud83d\\\\ude00\"}");
    D("{\"a\":\"\\ud83d\\ude0\"}");
    D("{\"a\":\"\\u0000\"}");
    D("{\"\\u0000\":1}");
    D("{\"a\":[\"\\u0000\"]}");
    D("{\"a\":\"\\u\"}");
    D("{\"a\":\"\\u12\"}");
    D("{\"a\":\"\\u12g4\"}");
    D("{\"a\":\"\\x41\"}");
    D("{\"a\":\"\\a\"}");
    D("{\"a\":\"\\'\"}");
    D("{\"a\":\"\\U0041\"}");
    D("{\"a\":\"\\0\"}");
    D("{\"a\":\"\\ \"}");
    D("{\"a\":\"\\\"}");
    D("{\"a\":\"abc");

    /* raw bytes in strings: control characters and UTF-8 */
    D("{\"a\":\"\x01\"}");
    D("{\"a\":\"\x1f\"}");
    D("{\"a\":\"\t\"}");
    D("{\"a\":\"\n\"}");
    D("{\"a\":\"\x00\"}");
    D("{\"a\x00\":1}");
    D("{\"a\":\"\x7f\"}");
    D("{\"a\":\"\xc3\xa9\"}");                  /* U+00E9 */
    D("{\"\xc3\xa9\":\"\xe2\x82\xac\"}");       /* U+00E9, U+20AC */
    D("{\"a\":\"\xf0\x9f\x98\x80\"}");          /* U+1F600 */
    D("{\"a\":\"\xf4\x8f\xbf\xbf\"}");          /* U+10FFFF */
    D("{\"a\":\"\xf4\x90\x80\x80\"}");          /* above U+10FFFF */
    D("{\"a\":\"\xf5\x80\x80\x80\"}");
    D("{\"a\":\"\xf8\x88\x80\x80\x80\"}");      /* five bytes */
    D("{\"a\":\"\xff\"}");
    D("{\"a\":\"\xfe\"}");
    D("{\"a\":\"\xc0\x80\"}");                  /* overlong NUL */
    D("{\"a\":\"\xc1\xbf\"}");                  /* overlong */
    D("{\"a\":\"\xc2\x80\"}");                  /* U+0080 */
    D("{\"a\":\"\xe0\x80\x80\"}");              /* overlong */
    D("{\"a\":\"\xe0\x9f\xbf\"}");              /* overlong */
    D("{\"a\":\"\xe0\xa0\x80\"}");              /* U+0800 */
    D("{\"a\":\"\xf0\x80\x80\x80\"}");          /* overlong */
    D("{\"a\":\"\xf0\x8f\xbf\xbf\"}");          /* overlong */
    D("{\"a\":\"\xf0\x90\x80\x80\"}");          /* U+10000 */
    D("{\"a\":\"\xed\xa0\x80\"}");              /* U+D800 */
    D("{\"a\":\"\xed\xbf\xbf\"}");              /* U+DFFF */
    D("{\"a\":\"\xed\xa0\xbd\xed\xb8\x80\"}");  /* CESU-8 pair */
    D("{\"a\":\"\xed\x9f\xbf\"}");              /* U+D7FF */
    D("{\"a\":\"\xee\x80\x80\"}");              /* U+E000 */
    D("{\"a\":\"\xef\xbf\xbf\"}");              /* U+FFFF */
    D("{\"a\":\"\xef\xbb\xbf\"}");              /* U+FEFF */
    D("{\"a\":\"\x80\"}");
    D("{\"a\":\"\xbf\"}");
    D("{\"a\":\"\xc3\"}");
    D("{\"a\":\"\xc3");
    D("{\"a\":\"\xe2\x82\"}");
    D("{\"a\":\"\xf0\x9f\x98\"}");
    D("{\"a\":\"\xc3" "A\"}");
    D("{\"a\":\"\xe2\x28\xa1\"}");
    D("{\"a\":\"\xf0\x9f\x98\x80\x80\"}");
    D("{\"\xff\":1}");
    D("{\"a\":1}\xc3\xa9");
    D("{\"a\":\xc3\xa9}");

    /* structure */
    D("{\"a\":1,}");
    D("{\"a\":[1,]}");
    D("{,}");
    D("{,\"a\":1}");
    D("{\"a\"}");
    D("{\"a\":}");
    D("{\"a\"::1}");
    D("{\"a\" 1}");
    D("{\"a\":1 \"b\":2}");
    D("{a:1}");
    D("{'a':1}");
    D("{\"a\":1,,\"b\":2}");
    D("{\"a\":[1 2]}");
    D("{\"a\":[,1]}");
    D("{\"a\":[1,,2]}");
    D("{\"a\":{\"b\"}}");
    D("{1:1}");
    D("{\"a\":1]");
    D("{\"a\":[1}");
    D("{\"a\":[1]]}");
    D("{\"a\":{]}");
    D("{\"a\":1");
    D("{\"a\":\"b");
    D("{\"a");
    D("{\"a\":[");
    D("{\"a\":{");
    D("{\"a\":[1,");

    /* whitespace */
    D("{\f}");
    D("\f{}");
    D("{}\f");
    D("{\v}");
    D("{\"a\":\f1}");
    D("{\xc2\xa0}");
    D("{/*x*/}");
    D("{} // x");
    D("{\"a\":\"\f\"}");
    D("{\"a\":\"\\f\"}");

}

static void test_docs_names(void)
{
    char *s, *big;
    size_t o, i;

    /* duplicates */
    D("{\"a\":1,\"a\":1}");
    D("{\"a\":1,\"b\":2,\"a\":3}");
    D("{\"a\":1,\"\\u0061\":2}");
    D("{\"\\u0061\":1,\"\\u0061\":2}");
    D("{\"\\u0061\":1,\"a\":2}");
    D("{\"ab\":1,\"a\\u0062\":2}");
    D("{\"\\/\":1,\"/\":2}");
    D("{\"\\\\\":1,\"\\u005c\":2}");
    D("{\"\xc3\xa9\":1,\"\\u00e9\":2}");
    D("{\"\xc3\xa9\":1,\"\\u00E9\":2}");
    D("{\"\xf0\x9f\x98\x80\":1,\"\\ud83d\\ude00\":2}");
    D("{\"\":1,\"\":2}");
    D("{\"a\":1,\"A\":2}");
    D("{\"a\":1,\"a \":2}");
    D("{\"a\":1,\"\\u0061\\u0000\":2}");
    D("{\"a\":{\"b\":{\"c\":1,\"c\":2}}}");
    D("{\"a\":{\"b\":{\"c\":1}},\"b\":{\"c\":2}}");
    D("{\"a\":[{\"x\":1},{\"x\":2}]}");
    D("{\"a\":[{\"x\":1,\"x\":2}]}");
    D("{\"a\":[[{\"x\":1,\"y\":2,\"\\u0078\":3}]]}");
    D("{\"a\":{\"x\":1},\"b\":{\"x\":1}}");
    D("{\"x\":{\"a\":1},\"a\":2}");
    D("{\"a\":{\"a\":{\"a\":{}}}}");
    D("{\"\\u0000\":1,\"\\u0000\":2}");
    /* a repeated name, then an error: Jansson meets the name first */
    D("{\"a\":1,\"a\":2,}");
    D("{\"a\":1,\"a\":2");
    D("{\"a\":1,\"a\"");
    D("{\"a\":1,\"a\":");
    D("{\"a\":1,\"a\":[1,{\"b\":1e400}]}");
    D("{\"a\":{\"b\":1,\"b\":2,\"c\":[}}");
    D("{\"x\":{\"b\":1,\"b\":2},\"c\":[}");
    D("{\"a\":1,\"b\":{},\"a\":2 x");
    D("[{\"a\":1,\"a\":2}]");
    D("[{\"a\":1,\"a\":2}");
    D("[1,{\"a\":1},{\"a\":1}]");
    D("{\"a\":1,\"a\":2}x");
    D("{\"a\":1,\"a\":2}\x00");
    D("{\"x\":{\"a\":1,\"a\":2},\"y\":\"\x00\"}");
    /* an error, then a repeated name: the error */
    D("{\"a\":tru,\"a\":2}");
    D("{\"a\":[},\"a\":2}");

    /* nesting: the top-level object is depth 1. Deeper than 64 and a
     * name repeated after that: json.c reports the name (Jansson nests
     * 2048 deep), the scanner the depth: both refuse */
    s = xmalloc(1024);
    o = (size_t)sprintf(s, "{");
    for (i = 0; i < 64; i++) {
        o += (size_t)sprintf(s + o, "\"a\":{");
    }
    for (i = 0; i < 64; i++) {
        s[o++] = '}';
    }
    o += (size_t)sprintf(s + o, ",\"b\":1,\"b\":2}");
    check_doc(s, o, EITHER);
    CHECK("65 deep, then a repeated name: BAD", SCAN_S(s) == BAD);
    free(s);
    s = nested(64, 0, "");
    check_doc(s, strlen(s), SAME);
    CHECK("64 deep: valid", SCAN_S(s) == TOO_MANY);
    free(s);
    s = nested(64, 1, "1");
    check_doc(s, strlen(s), SAME);
    free(s);
    s = nested(64, 0, "\"x\":[]");      /* an array at 65 */
    check_doc(s, strlen(s), SAME);
    CHECK("deeper than 64: BAD", SCAN_S(s) == BAD);
    free(s);
    s = nested(65, 0, "");
    check_doc(s, strlen(s), SAME);
    CHECK("deeper than 64: BAD", SCAN_S(s) == BAD);
    free(s);
    s = nested(65, 1, "");
    check_doc(s, strlen(s), SAME);
    CHECK("deeper than 64: BAD", SCAN_S(s) == BAD);
    free(s);
    s = nested(3000, 1, "");            /* beyond Jansson's 2048 too */
    check_doc(s, strlen(s), SAME);
    free(s);
    s = nested(5, 0, "\"c\":1,\"c\":2");
    check_doc(s, strlen(s), SAME);
    free(s);

    /* many members: the pairwise check up to 64, sorting beyond */
    big = xmalloc(64 * 1024);
    for (i = 60; i <= 70; i += 2) {
        size_t k;

        for (k = 0; k < 3; k++) {
            size_t j;

            o = (size_t)sprintf(big, "{");
            for (j = 0; j < i; j++) {
                o += (size_t)sprintf(big + o, "%s\"m%zu\":%zu",
                                     j ? "," : "", j, j);
            }
            if (k == 1) {       /* the first name again, escaped */
                o += (size_t)sprintf(big + o, ",\"\\u006d0\":0");
            }
            if (k == 2) {       /* a repeat in the middle */
                o += (size_t)sprintf(big + o, ",\"m%zu\":0", i / 2);
            }
            big[o++] = '}';
            check_doc(big, o, SAME);
        }
    }
    free(big);
}

/* ---------------------------------------------------------------------
 * The helpers
 */
static void test_seconds(void)
{
    /* json.c's reading: an integer as it is, a real as a double, floored
     * when at most 2^53 in magnitude */
    static const struct {
        const char *text;
        int rc;
        long long want;
    } cases[] = {
        { "0", 0, 0 },
        { "-0", 0, 0 },
        { "1700000000", 0, 1700000000LL },
        { "-1", 0, -1 },
        { "9223372036854775807", 0, LLONG_MAX },
        { "-9223372036854775808", 0, LLONG_MIN },
        { "9223372036854775808", -1, 0 },
        { "-9223372036854775809", -1, 0 },
        { "99999999999999999999", -1, 0 },
        { "1.9", 0, 1 },
        { "-1.5", 0, -2 },
        { "-1.0", 0, -1 },
        { "-0.5", 0, -1 },
        { "0.5", 0, 0 },
        { "17e8", 0, 1700000000LL },
        { "1.7e9", 0, 1700000000LL },
        { "0.5e1", 0, 5 },
        { "1E+2", 0, 100 },
        { "12.5E-1", 0, 1 },
        { "-12.5E-1", 0, -2 },
        { "1e300", -1, 0 },
        { "-1e300", -1, 0 },
        /* as doubles: 2^53 + 1 rounds to 2^53 */
        { "9007199254740993.0", 0, 9007199254740992LL },
        { "9007199254740992.0", 0, 9007199254740992LL },
        { "-9007199254740992.0", 0, -9007199254740992LL },
        { "9007199254740994.0", -1, 0 },
        { "9.007199254740993e15", 0, 9007199254740992LL },
        { "9999999999999999.0", -1, 0 },
        { "-0.0", 0, 0 },
        { "0.0e-5", 0, 0 },
        { "1e-400", 0, 0 },
        { "-1e-400", 0, 0 },
        { "0e99999999999", 0, 0 },
        { "1e99999999999999999999", -1, 0 },
        { "1e-99999999999999999999", 0, 0 },
        { "1e400", -1, 0 },
        { "1000000000000000000000000000000e-30", 0, 1 },
        { "100000000000000000000e-5", 0, 1000000000000000LL },
        { "123456789.123456789123456789", 0, 123456789 },
        { "1700000000.000000000000000000001", 0, 1700000000LL },
        { "-1700000000.000000000000000000001", 0, -1700000000LL },
        { "1699999999.99999999999999999999", 0, 1700000000LL },
        { "1699999999.5", 0, 1699999999LL },
        /* not JSON numbers */
        { "", -1, 0 },
        { "-", -1, 0 },
        { "01", -1, 0 },
        { "1.", -1, 0 },
        { ".5", -1, 0 },
        { "+1", -1, 0 },
        { "1e", -1, 0 },
        { "1e+", -1, 0 },
        { " 1", -1, 0 },
        { "1 ", -1, 0 },
        { "abc", -1, 0 },
    };
    char name[96], doc[96];
    long long got, jgot;
    json_t *v;
    size_t i;
    int rc, jrc;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        got = 12345;
        rc = jwtsso_jnum_seconds(cases[i].text, strlen(cases[i].text), &got);
        snprintf(name, sizeof(name), "jnum_seconds(\"%s\")", cases[i].text);
        if (!CHECK(name, rc == cases[i].rc
                         && (rc != 0 || got == cases[i].want)
                         && (rc == 0 || got == 12345))) {
            NOTE("rc %d, value %lld", rc, got);
        }
        /* and as json.c reads the same number (whitespace around a
         * number text is no part of it) */
        snprintf(doc, sizeof(doc), "[%s]", cases[i].text);
        v = strchr(cases[i].text, ' ') == NULL
            ? json_loadb(doc, strlen(doc), 0, NULL) : NULL;
        if (v != NULL && json_array_size(v) == 1
            && json_is_number(json_array_get(v, 0))) {
            jgot = 12345;
            jrc = jwtsso_json_seconds(json_array_get(v, 0), &jgot);
            snprintf(name, sizeof(name), "jnum_seconds(\"%s\") as json.c",
                     cases[i].text);
            CHECK(name, jrc == rc && jgot == got);
        }
        json_decref(v);
    }
}

static void test_decode_equals(void)
{
    static const struct {
        const char *raw;
        const char *dec;
        size_t dec_len;
    } cases[] = {
        { "", "", 0 },
        { "abc", "abc", 3 },
        { "a\\\"b", "a\"b", 3 },
        { "\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t", 8 },
        { "\\u0041\\u00e9\\u20AC", "A\xc3\xa9\xe2\x82\xac", 6 },
        { "\\ud83d\\ude00!", "\xf0\x9f\x98\x80!", 5 },
        { "\\uD834\\uDD1E", "\xf0\x9d\x84\x9e", 4 },
        { "\\uDBFF\\uDFFF", "\xf4\x8f\xbf\xbf", 4 },
        { "\\u07ff\\u0800\\uffff", "\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 8 },
        { "x\xc3\xa9y", "x\xc3\xa9y", 4 },
        /* lenient on text no scan accepts */
        { "\\", "\\", 1 },
        { "\\q", "\\q", 2 },
        { "\\u12", "\\u12", 4 },
        { "\\ud83d", "\xed\xa0\xbd", 3 },
    };
    char name[96], out[64];
    size_t i, n, len;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        len = strlen(cases[i].raw);
        memset(out, 'Z', sizeof(out));
        n = jwtsso_jstr_decode(cases[i].raw, len, out);
        snprintf(name, sizeof(name), "jstr_decode(\"%s\")",
                 shown(cases[i].raw, len));
        CHECK(name, n == cases[i].dec_len && n <= len && out[n] == '\0'
                    && memcmp(out, cases[i].dec, n) == 0
                    && out[len + 1] == 'Z');
        snprintf(name, sizeof(name), "jstr_equals(\"%s\")",
                 shown(cases[i].raw, len));
        CHECK(name, jwtsso_jstr_equals(cases[i].raw, len,
                                       memchr(cases[i].raw, '\\', len) != 0,
                                       cases[i].dec, cases[i].dec_len));
    }
    CHECK("jstr_equals: plain, equal",
          jwtsso_jstr_equals("exp", 3, 0, "exp", 3));
    CHECK("jstr_equals: plain, different",
          !jwtsso_jstr_equals("exp", 3, 0, "exq", 3));
    CHECK("jstr_equals: plain, prefix",
          !jwtsso_jstr_equals("exp", 3, 0, "ex", 2)
          && !jwtsso_jstr_equals("ex", 2, 0, "exp", 3));
    CHECK("jstr_equals: escaped, equal",
          jwtsso_jstr_equals("\\u0065xp", 8, 1, "exp", 3));
    CHECK("jstr_equals: escaped, different",
          !jwtsso_jstr_equals("\\u0065xp", 8, 1, "exq", 3)
          && !jwtsso_jstr_equals("\\u0065xp", 8, 1, "ex", 2)
          && !jwtsso_jstr_equals("\\u0065xp", 8, 1, "expp", 4)
          && !jwtsso_jstr_equals("\\u0065xp", 8, 1, "\\u0065xp", 8));
    CHECK("jstr_equals: raw_esc 0 compares the raw text",
          jwtsso_jstr_equals("\\u0065", 6, 0, "\\u0065", 6)
          && !jwtsso_jstr_equals("\\u0065", 6, 0, "e", 1));
    CHECK("jstr_equals: empty",
          jwtsso_jstr_equals("", 0, 0, "", 0)
          && jwtsso_jstr_equals("", 0, 1, "", 0)
          && !jwtsso_jstr_equals("", 0, 1, "a", 1));
    CHECK("jstr_equals: NUL in b",
          !jwtsso_jstr_equals("a", 1, 1, "a\0", 2)
          && jwtsso_jstr_equals("a\\nb", 4, 1, "a\nb", 3));
}

static void test_array(void)
{
    static const char arr[] =
        " [ 1, \"a\\nb\" ,true,false,null,[2,[3,\"]\"]],{\"x\":[4,\"}\"]}, "
        "-1.5e3 , \"\", \"plain\" ] ";
    static const struct {
        jwtsso_jtype_t type;
        const char *text;
        int esc;
    } want[] = {
        { JWTSSO_J_NUMBER, "1", 0 },
        { JWTSSO_J_STRING, "a\\nb", 1 },
        { JWTSSO_J_TRUE, "true", 0 },
        { JWTSSO_J_FALSE, "false", 0 },
        { JWTSSO_J_NULL, "null", 0 },
        { JWTSSO_J_ARRAY, "[2,[3,\"]\"]]", 0 },
        { JWTSSO_J_OBJECT, "{\"x\":[4,\"}\"]}", 0 },
        { JWTSSO_J_NUMBER, "-1.5e3", 0 },
        { JWTSSO_J_STRING, "", 0 },
        { JWTSSO_J_STRING, "plain", 0 },
    };
    static const char obj[] =
        "{ \"a\" : 1 , \"b\\u0063\":[\"]\"], \"\":{\"}\":\"{\"} }";
    jwtsso_jmember_t m[2], e;
    size_t pos = 0, i = 0, n;
    int ok = 1;

    while (jwtsso_jscan_next(arr, sizeof(arr) - 1, &pos, &e)) {
        if (i >= sizeof(want) / sizeof(want[0]) || e.type != want[i].type
            || e.name != NULL || e.value_len != strlen(want[i].text)
            || memcmp(e.value, want[i].text, e.value_len) != 0
            || e.value_esc != want[i].esc) {
            NOTE("element %zu: type %d, \"%.*s\"", i, (int)e.type,
                 (int)e.value_len, e.value);
            ok = 0;
        }
        i++;
    }
    CHECK("jscan_next: every element, type and text", ok && i == 10);
    CHECK("jscan_next: 0 again after the end",
          !jwtsso_jscan_next(arr, sizeof(arr) - 1, &pos, &e));
    pos = 0;
    CHECK("jscan_next: empty arrays and objects",
          !jwtsso_jscan_next("[]", 2, &pos, &e)
          && (pos = 0, !jwtsso_jscan_next("[ \n ]", 5, &pos, &e))
          && (pos = 0, !jwtsso_jscan_next(" { } ", 5, &pos, &e)));
    pos = 0;
    CHECK("jscan_next: not an array or object",
          !jwtsso_jscan_next("\"[]\"", 4, &pos, &e)
          && (pos = 0, !jwtsso_jscan_next("", 0, &pos, &e))
          && (pos = 0, !jwtsso_jscan_next("[", 1, &pos, &e))
          && (pos = 0, !jwtsso_jscan_next("{1}", 3, &pos, &e)));
    /* an object's members, names with their flags */
    pos = 0;
    ok = jwtsso_jscan_next(obj, sizeof(obj) - 1, &pos, &e)
         && e.name_len == 1 && e.name[0] == 'a' && !e.name_esc
         && e.type == JWTSSO_J_NUMBER && e.value_len == 1
         && jwtsso_jscan_next(obj, sizeof(obj) - 1, &pos, &e)
         && e.name_esc && jwtsso_jstr_equals(e.name, e.name_len, 1, "bc", 2)
         && e.type == JWTSSO_J_ARRAY && e.value_len == 5
         && jwtsso_jscan_next(obj, sizeof(obj) - 1, &pos, &e)
         && e.name_len == 0 && e.type == JWTSSO_J_OBJECT
         && e.value_len == 9
         && !jwtsso_jscan_next(obj, sizeof(obj) - 1, &pos, &e);
    CHECK("jscan_next: an object's members", ok);
    /* through the scanner: the "aud" of a token */
    ok = SCAN("{\"aud\":[\"a\",\"b\\u0063\"]}", m, 2, &n) == OK && n == 1
         && m[0].type == JWTSSO_J_ARRAY;
    pos = 0;
    ok = ok && jwtsso_jscan_next(m[0].value, m[0].value_len, &pos, &e)
         && jwtsso_jstr_equals(e.value, e.value_len, e.value_esc, "a", 1)
         && jwtsso_jscan_next(m[0].value, m[0].value_len, &pos, &e)
         && e.value_esc
         && jwtsso_jstr_equals(e.value, e.value_len, 1, "bc", 2)
         && !jwtsso_jscan_next(m[0].value, m[0].value_len, &pos, &e);
    CHECK("jscan_next: on a member's value", ok);
    /* truncated texts end inside the buffer */
    for (i = 0; i < sizeof(obj) - 1; i++) {
        pos = 0;
        for (n = 0; n < 10 && jwtsso_jscan_next(obj, i, &pos, &e); n++) {
            ok = ok && e.value >= obj && e.value + e.value_len <= obj + i
                 && pos <= i;
        }
        ok = ok && n < 10;
    }
    CHECK("jscan_next: truncated texts stay inside and end", ok);
}

static void test_too_many(void)
{
    static const char five[] =
        "{\"a\":1,\"b\":\"x\",\"c\":[],\"d\":{},\"e\":null}";
    jwtsso_jmember_t m[8];
    size_t n;
    int rc;

    n = 99;
    rc = jwtsso_jscan_object(five, sizeof(five) - 1, m, 5, &n);
    CHECK("five members, max 5: OK", rc == OK && n == 5);
    n = 99;
    rc = jwtsso_jscan_object(five, sizeof(five) - 1, m, 3, &n);
    CHECK("five members, max 3: TOO_MANY, the first 3 filled",
          rc == TOO_MANY && n == 3 && m[0].name_len == 1
          && m[0].name[0] == 'a' && m[2].name[0] == 'c'
          && m[2].type == JWTSSO_J_ARRAY && m[1].type == JWTSSO_J_STRING
          && m[1].value_len == 1 && m[1].value[0] == 'x');
    n = 99;
    rc = jwtsso_jscan_object(five, sizeof(five) - 1, NULL, 0, &n);
    CHECK("five members, max 0, no array: TOO_MANY", rc == TOO_MANY && n == 0);
    rc = jwtsso_jscan_object("{}", 2, NULL, 0, &n);
    CHECK("{}, max 0: OK", rc == OK && n == 0);
    rc = SCAN("{\"a\":1,\"b\":2,\"c\":3,\"a\":4}", m, 2, &n);
    CHECK("too many and a duplicate: DUPLICATE", rc == DUP && n == 0);
    rc = SCAN("{\"a\":1,\"b\":2,\"c\":3,\"d\":[}", m, 2, &n);
    CHECK("too many and bad: BAD", rc == BAD && n == 0);
    rc = SCAN("{\"a\":1,\"b\":2,\"c\":3} x", m, 2, &n);
    CHECK("too many and trailing garbage: BAD", rc == BAD && n == 0);
    rc = SCAN("{\"a\":1,\"b\":2,\"c\":{\"x\":1,\"x\":2}}", m, 2, &n);
    CHECK("too many and a nested duplicate: DUPLICATE", rc == DUP);
    rc = jwtsso_jscan_object(NULL, 0, NULL, 0, &n);
    CHECK("NULL buffer: BAD", rc == BAD && n == 0);
}

#ifdef HAVE_MALLOC_COUNT
static unsigned long allocs_of(const char *doc, size_t len, int *rc)
{
    jwtsso_jmember_t m[80];
    size_t n;

    nallocs = nfrees = 0;
    counting = 1;
    *rc = jwtsso_jscan_object(doc, len, m, 80, &n);
    counting = 0;
    return nallocs;
}
#endif

static void test_allocation(void)
{
#ifdef HAVE_MALLOC_COUNT
    char *s = xmalloc(256 * 1024), name[96];
    size_t o, i, j;
    int rc, d;

    for (d = 1; d <= 5; d++) {
        /* d nested objects of 64 members, each opening the next last */
        o = 0;
        for (i = 0; i < (size_t)d; i++) {
            s[o++] = '{';
            for (j = 0; j < 63; j++) {
                o += (size_t)sprintf(s + o, "\"n\\u00%02zx%zu\":\"v\",",
                                     j % 64 + 0x20 + (j % 64 == 2), j);
            }
            o += (size_t)sprintf(s + o, "\"next\":");
        }
        s[o++] = '1';
        for (i = 0; i < (size_t)d; i++) {
            s[o++] = '}';
        }
        snprintf(name, sizeof(name), "%s: %d level%s of 64-member objects",
                 d <= 4 ? "no allocation" : "allocation, all freed", d,
                 d > 1 ? "s" : "");
        CHECK(name, (d <= 4 ? allocs_of(s, o, &rc) == 0
                            : allocs_of(s, o, &rc) > 0 && nfrees == nallocs)
                    && rc == OK);
    }
    o = (size_t)sprintf(s, "{\"sub\":\"bench\",\"name\":\"Bench User\","
                           "\"iat\":1700000000,\"exp\":1700003600}");
    CHECK("no allocation: a typical payload",
          allocs_of(s, o, &rc) == 0 && rc == OK);
    o = (size_t)sprintf(s, "{");
    for (j = 0; j < 65; j++) {
        o += (size_t)sprintf(s + o, "%s\"m%zu\":0", j ? "," : "", j);
    }
    s[o++] = '}';
    CHECK("allocation: scratch for a 65-member object, freed",
          allocs_of(s, o, &rc) > 0 && nfrees == nallocs && rc == OK);
    free(s);
#else
    NOTE("allocation checks skipped (not glibc, or under ASan)");
#endif
}

/* ---------------------------------------------------------------------
 * Adversarial duplicate detection (the O(n log n) bound: its time is
 * bench/micro's and the fuzzer's to watch; here the verdicts)
 */
static void test_adversarial(void)
{
    static const char alpha[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *s = xmalloc(64 * 1024), name[128];
    jwtsso_jmember_t m[4];
    size_t o, i, n;
    int variant, rc;

    for (variant = 0; variant < 5; variant++) {
        o = (size_t)sprintf(s, "{");
        for (i = 0; i < 1500; i++) {
            char a = alpha[i % 64], b = alpha[i / 64];

            switch (variant) {
            case 0:     /* short distinct names, ~8 KiB */
            case 1:     /* the same, and the first name again at the end */
                o += (size_t)sprintf(s + o, "%s\"%c%c\":0", i ? "," : "", a,
                                     b);
                break;
            case 2:     /* every name escaped */
                o += (size_t)sprintf(s + o, "%s\"\\u00%02x%c\":0",
                                     i ? "," : "", (unsigned char)a, b);
                break;
            case 3:     /* equal length, long common prefix and suffix */
                o += (size_t)sprintf(s + o, "%s\"xxxxxxxxxxxx%c%cyyyyyyyy\":0",
                                     i ? "," : "", a, b);
                break;
            default:    /* 1500 empty objects, each a separate check */
                o += (size_t)sprintf(s + o, "%s\"%c%c\":{}", i ? "," : "", a,
                                     b);
                break;
            }
        }
        if (variant == 1) {
            o += (size_t)sprintf(s + o, ",\"AA\":1");
        }
        s[o++] = '}';
        rc = jwtsso_jscan_object(s, o, m, 4, &n);
        snprintf(name, sizeof(name),
                 "adversarial duplicates, variant %d (%zu bytes, 1500 "
                 "members)", variant, o);
        CHECK(name, rc == (variant == 1 ? DUP : TOO_MANY));
    }
    free(s);
}

/* ---------------------------------------------------------------------
 * Random round trip through json_dumps
 */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)((rng >> 11) % n);
}

static size_t rnd_utf8(char *out)
{
    static const uint32_t cps[] = {
        'a', 'Z', '0', ' ', '"', '\\', '/', 0x01, 0x1f, '\n', '\t', 0x7f,
        0xe9, 0x7ff, 0x800, 0x20ac, 0xd7ff, 0xe000, 0xfeff, 0xffff,
        0x10000, 0x1f600, 0x10ffff
    };
    uint32_t cp;

    switch (rnd(4)) {
    case 0:
        cp = cps[rnd(sizeof(cps) / sizeof(cps[0]))];
        break;
    case 1:
        cp = 1 + rnd(0x7f);
        break;
    case 2:
        do {
            cp = 0x80 + rnd(0x10ff80);
        } while (cp >= 0xd800 && cp <= 0xdfff);
        break;
    default:
        cp = 'a' + rnd(26);
        break;
    }
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static size_t rnd_string(char *buf)
{
    size_t n = rnd(4) == 0 ? rnd(40) : rnd(8), o = 0, i;

    for (i = 0; i < n; i++) {
        o += rnd_utf8(buf + o);
    }
    buf[o] = '\0';
    return o;
}

static json_t *rnd_value(int depth);

static json_t *rnd_object(int depth, size_t max)
{
    json_t *o = json_object();
    size_t n = rnd((uint32_t)max + 1), i, len;
    char key[200];

    for (i = 0; i < n; i++) {
        len = rnd_string(key);
        json_object_setn_new(o, key, len, rnd_value(depth + 1));
    }
    return o;
}

static json_t *rnd_value(int depth)
{
    static const long long ints[] = {
        0, 1, -1, 1700000000LL, LLONG_MAX, LLONG_MIN, 9007199254740993LL
    };
    static const double reals[] = {
        0.5, -1.5, 1e300, -1e-300, 1.7e9, 0.1, 9007199254740992.0,
        1700000000.25, -0.0, 4.9e-324, 1.7976931348623157e308
    };
    char buf[200];
    size_t len;
    json_t *a;
    uint32_t i, n;
    long long ll;
    double d;

    switch (rnd(depth < 5 ? 10 : 7)) {
    case 0:
    case 1:
        len = rnd_string(buf);
        return json_stringn(buf, len);
    case 2:
        if (rnd(2)) {
            return json_integer(ints[rnd(sizeof(ints) / sizeof(ints[0]))]);
        }
        i = rnd(2);
        ll = (long long)(rng >> (1 + rnd(63)));
        return json_integer(i ? -ll : ll);
    case 3:
        if (rnd(2)) {
            return json_real(reals[rnd(sizeof(reals) / sizeof(reals[0]))]);
        }
        d = (double)(int32_t)rnd(0xffffffffu) / (1 + rnd(1000));
        for (n = rnd(40); n > 0; n--) {
            d *= rnd(2) ? 10.0 : 0.1;
        }
        return json_real(d);
    case 4:
        return json_true();
    case 5:
        return json_false();
    case 6:
        return json_null();
    case 7:
    case 8:
        a = json_array();
        for (i = rnd(5); i > 0; i--) {
            json_array_append_new(a, rnd_value(depth + 1));
        }
        return a;
    default:
        return rnd_object(depth, 5);
    }
}

static void test_roundtrip(void)
{
    static const size_t flags[] = {
        0, JSON_COMPACT, JSON_INDENT(2), JSON_ENSURE_ASCII,
        JSON_COMPACT | JSON_ENSURE_ASCII,
        JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH,
        JSON_SORT_KEYS | JSON_ESCAPE_SLASH,
    };
    json_t *obj, *back;
    char *text;
    size_t f, len, n;
    int iter, rc, bad = 0, runs = 0, want;
    jwtsso_jmember_t m[2];

    for (iter = 0; iter < 3000; iter++) {
        obj = rnd_object(0, 12);
        for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
            text = json_dumps(obj, flags[f]);
            if (text == NULL) {
                bad++;
                continue;
            }
            len = strlen(text);
            runs++;
            back = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
            want = json_object_size(obj) > 1 ? TOO_MANY : OK;
            rc = jwtsso_jscan_object(text, len, m, 1, &n);
            if (back == NULL || !json_equal(back, obj) || rc != want
                || !jscan_same_object(text, len, back, 1)) {
                if (bad++ < 3) {
                    NOTE("round trip failed (flags %#zx, rc %d): %s",
                         flags[f], rc, shown(text, len));
                }
            }
            json_decref(back);
            free(text);
        }
        json_decref(obj);
    }
    printf("# %d random documents\n", runs);
    CHECK("random round trip through json_dumps (3000 objects x 7 flags)",
          bad == 0);
}

int main(void)
{
    test_docs_shape();
    test_docs_numbers();
    test_docs_strings();
    test_docs_names();
    test_seconds();
    test_decode_equals();
    test_array();
    test_too_many();
    test_allocation();
    test_adversarial();
    test_roundtrip();
    return unit_done();
}
