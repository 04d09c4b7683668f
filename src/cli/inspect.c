/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * inspect.c - jwtsso-token inspect: what a token says, decoded but NOT
 * verified (no key is needed, none is used), and, for a token that is
 * not even well formed, which part is wrong: the number of parts, a
 * segment that is empty or not strict base64url, a header or payload
 * that is not a JSON object (Jansson's message says where). The strict
 * rules are the module's (DESIGN §3), so a token this calls malformed is
 * one the module refuses before looking at its signature.
 */
#define _POSIX_C_SOURCE 200809L    /* gmtime_r */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"

static const char usage_text[] =
    "usage: jwtsso-token inspect TOKEN|-\n"
    "\n"
    "Prints the header and the payload of TOKEN (or of the token on\n"
    "standard input, for -) as JSON, under a first line saying NOT\n"
    "VERIFIED: no signature or claim is checked (use verify for that).\n"
    "A malformed token: a line 'malformed: ...' for each part that is\n"
    "wrong, exit 1.\n";

static const char *const part_name[3] = { "header", "payload", "signature" };

/* Print s (len bytes) with anything but printable ASCII as '?'. */
static void print_safe(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        putchar(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
    }
}

/* Decode part i (text t of n bytes): the bytes, malloc'ed with a NUL
 * after them, or NULL after a "malformed:" line. */
static unsigned char *decode(int i, const char *t, size_t n, size_t *len)
{
    unsigned char *b;

    if (n == 0) {
        if (i < 2) {
            printf("malformed: the %s segment is empty\n", part_name[i]);
        }
        return NULL;
    }
    b = malloc(jwtsso_b64url_decoded_max(n) + 1);
    if (b == NULL || jwtsso_b64url_decode(t, n, b, len) != 0) {
        printf("malformed: the %s segment is not base64url (RFC 4648 "
               "section 5: A-Z a-z 0-9 - _, no padding, no whitespace, "
               "unused bits zero)\n", part_name[i]);
        free(b);
        return NULL;
    }
    b[*len] = '\0';
    return b;
}

/* The JSON object of part i, printed pretty; 0, or -1 after a
 * "malformed:" line. *out: the object (the caller decrefs), or NULL. */
static int show_json(int i, const unsigned char *b, size_t len,
                     json_t **out)
{
    json_error_t err;
    json_t *o;
    char *text;

    *out = NULL;
    o = json_loadb((const char *)b, len, JSON_REJECT_DUPLICATES, &err);
    if (o == NULL || !json_is_object(o)) {
        printf("malformed: the %s segment is base64url but not a JSON "
               "object", part_name[i]);
        if (o == NULL) {
            fputs(" (", stdout);
            print_safe(err.text, strlen(err.text));
            printf(", at byte %d)", err.position);
        }
        putchar('\n');
        json_decref(o);
        return -1;
    }
    text = json_dumps(o, JSON_INDENT(2));
    printf("%s:\n%s\n", part_name[i], text != NULL ? text : "?");
    free(text);
    *out = o;
    return 0;
}

/* The time claims of payload, as dates, for the reader. */
static void show_times(const json_t *payload)
{
    static const char *const names[] = { "iat", "nbf", "exp" };
    char date[64];
    const json_t *v;
    struct tm tm;
    long long d;
    time_t t;
    size_t i;

    for (i = 0; i < 3; i++) {
        v = json_object_get(payload, names[i]);
        if (!json_is_integer(v)) {
            continue;
        }
        t = (time_t)json_integer_value(v);
        d = (long long)json_integer_value(v) - (long long)time(NULL);
        if (gmtime_r(&t, &tm) != NULL
            && strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0) {
            printf("%s: %s (%s%lld s%s)\n", names[i], date,
                   d > 0 ? "in " : "", d < 0 ? -d : d, d < 0 ? " ago" : "");
        }
    }
}

/* Inspect token (len bytes): 0 if well formed, else 1. */
static int inspect(const char *token, size_t len)
{
    const char *part[3], *dot, *end = token + len;
    unsigned char *dec[3] = { NULL, NULL, NULL };
    json_t *obj[2] = { NULL, NULL };
    size_t plen[3], dlen[3] = { 0, 0, 0 }, n = 1, i;
    int bad = 0;

    puts("NOT VERIFIED: decoded only; neither the signature nor the claims "
         "were checked");
    for (dot = token; (dot = memchr(dot, '.', (size_t)(end - dot))) != NULL;
         dot++) {
        n++;
    }
    if (n != 3) {
        printf("malformed: the token has %lu part%s separated by dots, not "
               "3 (header.payload.signature)\n", (unsigned long)n,
               n == 1 ? "" : "s");
        return CLI_REFUSED;
    }
    part[0] = token;
    for (i = 0; i < 3; i++) {
        dot = i < 2 ? memchr(part[i], '.', (size_t)(end - part[i])) : end;
        plen[i] = (size_t)(dot - part[i]);
        if (i < 2) {
            part[i + 1] = dot + 1;
        }
        dec[i] = decode((int)i, part[i], plen[i], &dlen[i]);
        if (dec[i] == NULL && (i < 2 || plen[i] > 0)) {
            bad = 1;
        }
        else if (i < 2 && show_json((int)i, dec[i], dlen[i], &obj[i]) != 0) {
            bad = 1;
        }
    }
    if (obj[1] != NULL) {
        show_times(obj[1]);
    }
    if (plen[2] == 0) {
        puts("signature: none (the segment is empty: an unsigned token)");
    }
    else if (dec[2] != NULL) {
        printf("signature: %lu bytes\n", (unsigned long)dlen[2]);
    }
    for (i = 0; i < 3; i++) {
        free(dec[i]);
    }
    json_decref(obj[0]);
    json_decref(obj[1]);
    return bad ? CLI_REFUSED : CLI_OK;
}

int jwtsso_inspect_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    char *token;
    size_t len = 0;
    int c, rv;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        return jwtsso_common_usage("inspect", "unknown option: %s",
                                   argv[optind - 1]);
    }
    if (optind != argc - 1) {
        return jwtsso_common_usage("inspect", optind == argc
                                   ? "no token: give TOKEN, or - to read "
                                     "it from standard input"
                                   : "one token only");
    }
    token = jwtsso_common_token("inspect", argv[optind], &len);
    if (token == NULL) {
        return CLI_USAGE;
    }
    rv = inspect(token, len);
    free(token);
    return rv;
}
