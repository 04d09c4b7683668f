/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * verify.c - jwtsso-token verify: the module's verdict on a token, from a
 * shell. The same call as the module's (jwtsso_jws_verify), with the
 * module's defaults (JWTSSOMaxAge 60, JWTSSOClockSkew 5,
 * JWTSSOMaxTokenSize 8192, JWTSSOMaxKeysWithoutKid 4, the algorithms the
 * key serves, a login token unless --bearer) and the same policy for a
 * bearer token (src/httpd/verify.c policy_for). On success the claims,
 * as pretty JSON; on a refusal "reason: NAME" (the names of the README's
 * reason table and of the log lines) and one line saying why.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"

static const char usage_text[] =
    "usage: jwtsso-token verify (--secret SECRET | --key PEM | --jwks FILE)\n"
    "                           [--kid KID] [--alg ALG]... [--max-age S|off]\n"
    "                           [--skew S] [--iss ISSUER] [--aud AUDIENCE]\n"
    "                           [--user-claim NAME] [--max-size BYTES]\n"
    "                           [--bearer] [--bearer-audience AUDIENCE]\n"
    "                           [--now SECONDS] [--allow-short-secret]\n"
    "                           TOKEN|-\n"
    "\n"
    "Checks TOKEN (or the token on standard input, for -) as the module\n"
    "does. Valid: prints its claims as JSON, exit 0. Refused: prints\n"
    "'reason: NAME' and a line saying why, exit 1. Exit 2: bad arguments.\n"
    "\n"
    "  --secret SECRET   the HMAC secret (as JWTSSOSecret: literal,\n"
    "                    file:PATH, env:NAME or base64:DATA)\n"
    "  --key PEM         a PEM public key, certificate or private key\n"
    "                    (as JWTSSOVerifyKey)\n"
    "  --jwks FILE       a JWK Set (as JWTSSOVerifyJWKS)\n"
    "  --kid KID         the kid of the --secret or --key\n"
    "  --alg ALG         allowed algorithms, repeatable or comma-separated\n"
    "                    (JWTSSOAlgorithms; default: what the key serves)\n"
    "  --max-age S|off   JWTSSOMaxAge (default 60): iat at most S seconds\n"
    "                    old; off accepts exp-only tokens\n"
    "  --skew S          JWTSSOClockSkew (default 5)\n"
    "  --iss ISSUER      JWTSSOIssuer: the iss required\n"
    "  --aud AUDIENCE    JWTSSOAudience: the aud required\n"
    "  --user-claim NAME JWTSSOUserClaim (default sub)\n"
    "  --max-size BYTES  JWTSSOMaxTokenSize (default 8192)\n"
    "  --bearer          check it as a bearer (API) token, not a login\n"
    "  --bearer-audience AUDIENCE  JWTSSOBearerAudience\n"
    "  --now SECONDS     check at this Unix time (default: now)\n"
    "  --allow-short-secret  accept a secret under 32 bytes\n";

typedef struct {
    const char *secret, *key, *jwks, *kid, *token;
    int allow_short;
    unsigned nsources;
    long long now;
    jwtsso_policy_t pol;
} verify_args_t;

/* One option into a (an option's value: optarg); CLI_OK or a status. */
static int option(int c, const char *opt, verify_args_t *a)
{
    long long v;

    switch (c) {
    case 's':
        a->secret = optarg;
        a->nsources++;
        return CLI_OK;
    case 'k':
        a->key = optarg;
        a->nsources++;
        return CLI_OK;
    case 'j':
        a->jwks = optarg;
        a->nsources++;
        return CLI_OK;
    case 'K':
        a->kid = optarg;
        return CLI_OK;
    case 'a':
        return jwtsso_common_algs("verify", optarg, &a->pol.algs) == 0
               ? CLI_OK : CLI_USAGE;
    case 'm':
        if (strcmp(optarg, "off") == 0) {
            a->pol.max_age = -1;
            return CLI_OK;
        }
        return jwtsso_common_number("verify", opt, optarg, 1, 31536000,
                                    &a->pol.max_age) == 0 ? CLI_OK
                                                          : CLI_USAGE;
    case 'w':
        return jwtsso_common_number("verify", opt, optarg, 0, 3600,
                                    &a->pol.skew) == 0 ? CLI_OK : CLI_USAGE;
    case 'z':
        if (jwtsso_common_number("verify", opt, optarg, 256, 65536, &v)
            != 0) {
            return CLI_USAGE;
        }
        a->pol.max_size = (size_t)v;
        return CLI_OK;
    case 'n':
        return jwtsso_common_number("verify", opt, optarg, 0,
                                    253402300799LL, &a->now) == 0
               ? CLI_OK : CLI_USAGE;
    case 'i':
        a->pol.issuer = optarg;
        return CLI_OK;
    case 'A':
        a->pol.audience = optarg;
        return CLI_OK;
    case 'u':
        a->pol.user_claim = optarg;
        return CLI_OK;
    case 'b':
        a->pol.bearer = 1;
        return CLI_OK;
    case 'B':
        a->pol.api_audience = optarg;
        return CLI_OK;
    case 'S':
        a->allow_short = 1;
        return CLI_OK;
    case 'h':
        fputs(usage_text, stdout);
        return CLI_HELP;
    default:
        return jwtsso_common_usage("verify", "unknown option or missing "
                                   "value: %s", opt);
    }
}

static int parse(int argc, char **argv, verify_args_t *a)
{
    static const struct option opts[] = {
        { "secret", required_argument, NULL, 's' },
        { "key", required_argument, NULL, 'k' },
        { "jwks", required_argument, NULL, 'j' },
        { "kid", required_argument, NULL, 'K' },
        { "alg", required_argument, NULL, 'a' },
        { "max-age", required_argument, NULL, 'm' },
        { "skew", required_argument, NULL, 'w' },
        { "max-size", required_argument, NULL, 'z' },
        { "now", required_argument, NULL, 'n' },
        { "iss", required_argument, NULL, 'i' },
        { "aud", required_argument, NULL, 'A' },
        { "user-claim", required_argument, NULL, 'u' },
        { "bearer", no_argument, NULL, 'b' },
        { "bearer-audience", required_argument, NULL, 'B' },
        { "allow-short-secret", no_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int c, rv;

    memset(a, 0, sizeof(*a));
    a->pol.max_age = 60;
    a->pol.skew = 5;
    a->now = (long long)time(NULL);
    opterr = 0;
    /* "-" is the token on stdin, an operand: no option starts so */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        rv = option(c, argv[optind - 1], a);
        if (rv != CLI_OK) {
            return rv;
        }
    }
    if (a->nsources != 1) {
        return jwtsso_common_usage("verify", "give one of --secret, --key "
                                   "or --jwks");
    }
    if (a->kid != NULL && a->jwks != NULL) {
        return jwtsso_common_usage("verify", "--kid names the key of "
                                   "--secret or --key; a JWKS has its own");
    }
    if (optind != argc - 1) {
        return jwtsso_common_usage("verify", optind == argc
                                   ? "no token: give TOKEN, or - to read "
                                     "it from standard input"
                                   : "one token only");
    }
    a->token = argv[optind];
    /* a bearer token where JWTSSOBearerAudience declares API tokens: its
     * own audience, alive until its exp (src/httpd/verify.c) */
    if (a->pol.bearer && a->pol.api_audience != NULL) {
        a->pol.audience = NULL;
        a->pol.max_age = -1;
    }
    return CLI_OK;
}

/* The key set the arguments name. CLI_OK or an exit status. */
static int keys(const verify_args_t *a, jwtsso_keyset_t *ks)
{
    const char *path = a->key != NULL ? a->key : a->jwks;
    unsigned char *bytes = NULL;
    jwtsso_keyerr_t ke;
    size_t len = 0, added = 0, bad = (size_t)-1;
    jwtsso_jwks_err_t jerr = { (size_t)-1, "" };
    char *text;
    int rv, priv = 0;

    if (a->secret != NULL) {
        rv = jwtsso_common_secret("verify", a->secret, a->allow_short,
                                  &bytes, &len);
        if (rv == CLI_OK
            && jwtsso_keyset_add_hmac(ks, a->kid, bytes, len) != 0) {
            rv = CLI_INTERNAL;
        }
        jwtsso_secret_free(bytes, len);
        return rv;
    }
    text = jwtsso_common_read("verify", path, &len);
    if (text == NULL) {
        return CLI_USAGE;
    }
    if (a->key != NULL) {
        ke = jwtsso_pkey_add(ks, a->kid, text, len, &priv);
        if (ke == JWTSSO_KEY_OK && priv) {
            /* as the module warns (JWTSSO00104): a private key where a
             * public one will do is one more copy of it to guard */
            fprintf(stderr, "jwtsso-token verify: note: %s is a private "
                    "key; only its public half is used\n", path);
        }
    }
    else {
        ke = jwtsso_jwks_add_ex(ks, text, len, a->allow_short, &added,
                                &jerr);
        bad = jerr.index;
    }
    jwtsso_secret_free((unsigned char *)text, len);
    if (ke != JWTSSO_KEY_OK && ke != JWTSSO_KEY_INTERNAL
        && jerr.where[0] != '\0') {
        /* as the module says it: Jansson's line and column, or the key
         * and its member */
        return jwtsso_common_usage("verify", "%s: %s: %s", path,
                                   jwtsso_reason_keyerr(ke), jerr.where);
    }
    if (ke != JWTSSO_KEY_OK && ke != JWTSSO_KEY_INTERNAL
        && bad != (size_t)-1) {
        return jwtsso_common_usage("verify", "%s: key %lu (counting from 0):"
                                   " %s", path, (unsigned long)bad,
                                   jwtsso_reason_keyerr(ke));
    }
    if (ke != JWTSSO_KEY_OK) {
        return jwtsso_common_keyerr("verify", path, ke);
    }
    if (a->jwks != NULL && added == 0) {
        return jwtsso_common_usage("verify", "%s: no signing key in the JWK "
                                   "Set", path);
    }
    return CLI_OK;
}

/* Text from the token, as it may be printed: printable ASCII only. */
static void print_safe(const char *s)
{
    for (; *s != '\0'; s++) {
        putchar(*s >= 0x20 && *s < 0x7f ? *s : '?');
    }
}

/* The line after "reason:": the reason's text, and what the result
 * knows that says more (times, claim, alg, kid). */
static void explain(jwtsso_reason_t why, const verify_args_t *a,
                    const jwtsso_result_t *res)
{
    fputs(jwtsso_reason_text(why), stdout);
    fputs(" [", stdout);
    if (res->alg != JWTSSO_ALG_UNKNOWN) {
        printf("alg %s, ", jwtsso_alg_name(res->alg));
    }
    if (res->kid[0] != '\0') {
        fputs("kid ", stdout);
        print_safe(res->kid);
        fputs(", ", stdout);
    }
    if (res->claim != NULL) {
        fputs("claim ", stdout);
        print_safe(res->claim);
        fputs(", ", stdout);
    }
    if (res->has_iat) {
        printf("iat %lld, ", res->iat);
    }
    if (res->has_nbf) {
        printf("nbf %lld, ", res->nbf);
    }
    if (res->has_exp) {
        printf("exp %lld, ", res->exp);
    }
    printf("now %lld]\n", a->now);
}

/* The claims of a valid token, pretty. */
static int print_claims(const jwtsso_result_t *res)
{
    json_t *o = json_loadb(res->payload, res->payload_len, 0, NULL);
    char *text = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;

    json_decref(o);
    if (text == NULL) {
        fprintf(stderr, "jwtsso-token verify: out of memory\n");
        return CLI_INTERNAL;
    }
    printf("%s\n", text);
    free(text);
    return CLI_OK;
}

int jwtsso_verify_run(int argc, char **argv)
{
    jwtsso_keyset_t *ks = NULL;
    jwtsso_result_t res;
    jwtsso_reason_t why;
    verify_args_t a;
    char *token = NULL;
    size_t len = 0;
    int rv;

    memset(&res, 0, sizeof(res));
    rv = parse(argc, argv, &a);
    if (rv != CLI_OK) {
        return rv == CLI_HELP ? CLI_OK : rv;
    }
    ks = jwtsso_keyset_new();
    rv = ks != NULL ? keys(&a, ks) : CLI_INTERNAL;
    if (rv == CLI_OK) {
        token = jwtsso_common_token("verify", a.token, &len);
        rv = token != NULL ? CLI_OK : CLI_USAGE;
    }
    if (rv == CLI_OK) {
        why = jwtsso_jws_verify(ks, &a.pol, token, len, a.now, &res);
        if (why == JWTSSO_OK) {
            rv = print_claims(&res);
        }
        else {
            printf("reason: %s\n", jwtsso_reason_name(why));
            explain(why, &a, &res);
            rv = why == JWTSSO_R_INTERNAL ? CLI_INTERNAL : CLI_REFUSED;
        }
    }
    jwtsso_jws_result_clear(&res);
    jwtsso_keyset_free(ks);
    free(token);
    return rv;
}
