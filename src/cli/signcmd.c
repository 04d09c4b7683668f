/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * signcmd.c - jwtsso-token sign: a token for tests and for trying a
 * configuration, signed by the core's signer (sign.c, as jwtsso-issuer
 * signs).
 *
 * The payload: --claims (a JSON object) first, then what the flags say,
 * which win over it: sub, iss, aud, and exp when --lifetime is given.
 * iat is always set: now, unless --claims sets one (a test token that
 * is too old, from the future or of the wrong type is made that way);
 * exp is now + --lifetime (default 3600) unless --claims sets one and
 * --lifetime is not given; --lifetime off leaves exp out, whatever
 * --claims says.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"

static const char usage_text[] =
    "usage: jwtsso-token sign --alg ALG (--secret SECRET | --key PEM)\n"
    "                         [--kid KID] [--sub USER] [--iss ISSUER]\n"
    "                         [--aud AUDIENCE] [--lifetime SECONDS|off]\n"
    "                         [--claims JSON] [--now SECONDS]\n"
    "                         [--allow-short-secret]\n"
    "\n"
    "Prints a signed token (compact JWS) on standard output.\n"
    "\n"
    "  --alg ALG        HS256 HS384 HS512 (with --secret), RS256 RS384 RS512\n"
    "                   PS256 PS384 PS512 (RSA key), ES256 (P-256), ES384\n"
    "                   (P-384), ES512 (P-521), EdDSA (Ed25519). With --key\n"
    "                   it may be left out: RS256, the curve's ES*, EdDSA\n"
    "  --secret SECRET  an HMAC secret as JWTSSOSecret takes it: literal,\n"
    "                   file:PATH, env:NAME or base64:DATA; at least 32 bytes\n"
    "                   unless --allow-short-secret\n"
    "  --key PEM        a PEM file holding an unencrypted private key\n"
    "  --kid KID        the kid header member\n"
    "  --sub USER       the sub claim\n"
    "  --iss ISSUER     the iss claim\n"
    "  --aud AUDIENCE   the aud claim (a string)\n"
    "  --lifetime S     exp = iat + S (default 3600); off: no exp\n"
    "  --claims JSON    a JSON object of claims to add; the flags above win\n"
    "                   over it, it wins over the defaults (iat, exp)\n"
    "  --now SECONDS    the time to sign at, in Unix seconds (default: now)\n";

typedef struct {
    const char *alg, *secret, *key, *kid, *sub, *iss, *aud, *lifetime;
    const char *claims, *now;
    int allow_short;
} sign_args_t;

/* 1 if s can be a JSON string. */
static int utf8(const char *s)
{
    json_t *v = json_string(s);

    json_decref(v);
    return v != NULL;
}

/* The options into a; CLI_OK, or the exit status to return now. */
static int parse(int argc, char **argv, sign_args_t *a)
{
    static const struct option opts[] = {
        { "alg", required_argument, NULL, 'a' },
        { "secret", required_argument, NULL, 's' },
        { "key", required_argument, NULL, 'k' },
        { "kid", required_argument, NULL, 'K' },
        { "sub", required_argument, NULL, 'u' },
        { "iss", required_argument, NULL, 'i' },
        { "aud", required_argument, NULL, 'A' },
        { "lifetime", required_argument, NULL, 'l' },
        { "claims", required_argument, NULL, 'c' },
        { "now", required_argument, NULL, 'n' },
        { "allow-short-secret", no_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char **slot;
    int c;

    memset(a, 0, sizeof(*a));
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        slot = c == 'a' ? &a->alg : c == 's' ? &a->secret : c == 'k' ? &a->key
               : c == 'K' ? &a->kid : c == 'u' ? &a->sub : c == 'i' ? &a->iss
               : c == 'A' ? &a->aud : c == 'l' ? &a->lifetime
               : c == 'c' ? &a->claims : c == 'n' ? &a->now : NULL;
        if (slot != NULL && *slot != NULL) {
            return jwtsso_common_usage("sign", "%s given twice",
                                       argv[optind - 1]);
        }
        if (slot != NULL) {
            *slot = optarg;
        }
        else if (c == 'S') {
            a->allow_short = 1;
        }
        else if (c == 'h') {
            fputs(usage_text, stdout);
            return CLI_HELP;
        }
        else {
            return jwtsso_common_usage("sign", "unknown option or missing "
                                       "value: %s", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        return jwtsso_common_usage("sign", "unexpected argument '%s'",
                                   argv[optind]);
    }
    if ((a->secret == NULL) == (a->key == NULL)) {
        return jwtsso_common_usage("sign", "give one of --secret or --key");
    }
    if (a->kid != NULL && !utf8(a->kid)) {
        return jwtsso_common_usage("sign", "--kid must be UTF-8 text");
    }
    if (a->secret != NULL && a->alg == NULL) {
        return jwtsso_common_usage("sign", "--secret needs --alg HS256, "
                                   "HS384 or HS512");
    }
    return CLI_OK;
}

/* The signer the arguments name, into *out. CLI_OK or an exit status. */
static int signer(const sign_args_t *a, jwtsso_signer_t **out)
{
    jwtsso_alg_t alg = JWTSSO_ALG_UNKNOWN;
    unsigned char *bytes = NULL;
    jwtsso_keyerr_t ke;
    char *pem;
    size_t len = 0;
    int rv;

    if (a->alg != NULL) {
        alg = jwtsso_alg_from_name_nocase(a->alg, strlen(a->alg));
        if (alg == JWTSSO_ALG_UNKNOWN) {
            return jwtsso_common_usage("sign", "--alg '%s': not an algorithm"
                                       "; use HS256 HS384 HS512 RS256 RS384 "
                                       "RS512 PS256 PS384 PS512 ES256 ES384 "
                                       "ES512 EdDSA", a->alg);
        }
    }
    if (a->secret != NULL) {
        if (!(JWTSSO_ALGBIT(alg) & JWTSSO_ALGS_HMAC)) {
            return jwtsso_common_usage("sign", "--secret signs HS256, HS384 "
                                       "or HS512, not %s; for %s give --key",
                                       a->alg, a->alg);
        }
        rv = jwtsso_common_secret("sign", a->secret, a->allow_short, &bytes,
                                  &len);
        if (rv != CLI_OK) {
            return rv;
        }
        *out = jwtsso_sign_new_hmac(alg, bytes, len, a->kid);
        jwtsso_secret_free(bytes, len);
        return *out != NULL ? CLI_OK : CLI_INTERNAL;
    }
    pem = jwtsso_common_read("sign", a->key, &len);
    if (pem == NULL) {
        return CLI_USAGE;
    }
    ke = jwtsso_sign_new_pem(pem, len, a->kid, alg, out);
    jwtsso_secret_free((unsigned char *)pem, len);
    if (ke == JWTSSO_KEY_NOT_PEM) {
        return jwtsso_common_usage("sign", "--key %s: no unencrypted "
                                   "private key in PEM (a public key or a "
                                   "certificate cannot sign)", a->key);
    }
    if (ke == JWTSSO_KEY_ALG_MISMATCH) {
        return jwtsso_common_usage("sign", "--key %s: this key cannot sign "
                                   "%s (RSA keys sign RS* and PS*, EC keys "
                                   "the ES* of their curve, Ed25519 EdDSA)",
                                   a->key, a->alg);
    }
    return ke == JWTSSO_KEY_OK ? CLI_OK : jwtsso_common_keyerr("sign", a->key,
                                                                ke);
}

/* Set a string claim; 0 or -1 (not UTF-8, out of memory). */
static int set_string(json_t *o, const char *name, const char *v)
{
    json_t *s = json_string(v);

    return s != NULL ? json_object_set_new(o, name, s) : -1;
}

/* The payload the arguments make, as JSON text. CLI_OK or an exit
 * status. */
static int payload(const sign_args_t *a, char **out)
{
    json_error_t err;
    json_t *o;
    long long now, life = 3600;
    int off, rv = 0;

    if (a->now != NULL) {
        if (jwtsso_common_number("sign", "--now", a->now, 0,
                                 253402300799LL, &now) != 0) {
            return CLI_USAGE;
        }
    }
    else {
        now = (long long)time(NULL);
    }
    if (a->lifetime != NULL && strcmp(a->lifetime, "off") != 0
        && jwtsso_common_number("sign", "--lifetime", a->lifetime, 1,
                                315360000LL, &life) != 0) {
        return CLI_USAGE;
    }
    o = a->claims != NULL
        ? json_loads(a->claims, JSON_REJECT_DUPLICATES, &err)
        : json_object();
    if (o == NULL || !json_is_object(o)) {
        json_decref(o);
        return jwtsso_common_usage("sign", "--claims: not a JSON object%s%s",
                                   a->claims != NULL && o == NULL ? ": " : "",
                                   a->claims != NULL && o == NULL ? err.text
                                                                  : "");
    }
    off = a->lifetime != NULL && strcmp(a->lifetime, "off") == 0;
    if (json_object_get(o, "iat") == NULL) {
        rv |= json_object_set_new(o, "iat", json_integer(now));
    }
    if (off) {
        json_object_del(o, "exp");
    }
    else if (a->lifetime != NULL || json_object_get(o, "exp") == NULL) {
        rv |= json_object_set_new(o, "exp", json_integer(now + life));
    }
    if ((a->sub != NULL && set_string(o, "sub", a->sub) != 0)
        || (a->iss != NULL && set_string(o, "iss", a->iss) != 0)
        || (a->aud != NULL && set_string(o, "aud", a->aud) != 0)) {
        json_decref(o);
        return jwtsso_common_usage("sign", "--sub, --iss and --aud must be "
                                   "UTF-8 text");
    }
    if (rv != 0) {
        json_decref(o);
        return CLI_INTERNAL;
    }
    *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return *out != NULL ? CLI_OK : CLI_INTERNAL;
}

int jwtsso_signcmd_run(int argc, char **argv)
{
    jwtsso_signer_t *s = NULL;
    sign_args_t a;
    char *claims = NULL, *token = NULL;
    int rv;

    rv = parse(argc, argv, &a);
    if (rv != CLI_OK) {
        return rv == CLI_HELP ? CLI_OK : rv;
    }
    rv = signer(&a, &s);
    if (rv == CLI_OK) {
        rv = payload(&a, &claims);
    }
    if (rv == CLI_OK) {
        token = jwtsso_sign_token(s, claims);
        if (token == NULL) {
            fprintf(stderr, "jwtsso-token sign: signing failed (out of "
                    "memory, or a crypto library failure)\n");
            rv = CLI_INTERNAL;
        }
        else {
            printf("%s\n", token);
        }
    }
    free(token);
    free(claims);
    jwtsso_sign_free(s);
    return rv;
}
