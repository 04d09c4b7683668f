/* SPDX-License-Identifier: Apache-2.0
 * Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE) */
/*
 * bench/micro.c - single-threaded micro-benchmark of the token core
 * (built and run by scripts/bench; see bench/README.md).
 *
 *   micro [--seconds S] [--rounds N] [--smoke] [--only KEY]
 *         [--openssl-rsa2048-verify N] [--openssl-ecdsap256-verify N]
 *
 * Measures, on one core, each for about S seconds in total (N rounds,
 * interleaved, the median round reported):
 *   - HS256 verification of one token (made here, iat/exp fresh) through
 *     our core: jwtsso_jws_verify with JSON parsing and every claim check;
 *   - the same token through libjwt 1.10: jwt_decode with the key, then
 *     the claim checks by hand with jwt_get_grant(_int) (a fair equivalent);
 *   - a bare floor: split, base64url-decode the three parts, one
 *     HMAC-SHA256 with a key set once, CRYPTO_memcmp; twice: with
 *     OpenSSL's EVP_MAC re-initialised without a key, and with the
 *     (key ^ ipad), (key ^ opad) SHA-256 states in two EVP_MD_CTX copied
 *     per call (EVP_MD_CTX_copy_ex), as src/core/hmac.c does;
 *   - jwtsso_record_check of a record made by jwtsso_record_make;
 *   - RS256 (RSA 2048) and ES256 (P-256) verification through our core
 *     (and libjwt), beside OpenSSL's `speed` verify rate passed in by
 *     scripts/bench.
 * Every measured call is checked to succeed; a failure exits non-zero.
 * --smoke: a few milliseconds each, only the checks (no figure means
 * anything). --only KEY measures one contender (for perf record): core,
 * libjwt, floor, floor-midstate, record, rs256, rs256-libjwt, es256,
 * es256-libjwt.
 *
 * Output: a markdown table on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#ifdef HAVE_LIBJWT
#include <jwt.h>
#ifndef LIBJWT_VERSION_STR
#define LIBJWT_VERSION_STR ""
#endif
#endif

#include "jwtsso.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "micro: %s\n", what);
    exit(1);
}

/* ---------------------------------------------------------------------
 * The contenders: each verifies the same input once, returns 0 on success.
 */
typedef int (*op_fn)(void *ctx);

typedef struct {
    const char *name;
    op_fn fn;
    void *ctx;
    double rounds[16];
    int ok;          /* set when the op was available and measured */
    const char *why; /* why not, when !ok */
} item_t;

/* Run fn for about secs seconds (batches of 64 between clock reads);
 * returns operations per second. */
static double measure(op_fn fn, void *ctx, double secs)
{
    double t0 = now_s(), t;
    unsigned long n = 0;
    int i;

    do {
        for (i = 0; i < 64; i++) {
            if (fn(ctx) != 0) {
                return -1;
            }
        }
        n += 64;
        t = now_s();
    } while (t - t0 < secs);
    return (double)n / (t - t0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
    double s[16];

    memcpy(s, v, (size_t)n * sizeof(double));
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ---------------------------------------------------------------------
 * Our core
 */
typedef struct {
    jwtsso_keyset_t *ks;
    jwtsso_policy_t pol;
    const char *token;
    size_t len;
    long long now;
} core_ctx_t;

static int op_core(void *p)
{
    core_ctx_t *c = p;
    jwtsso_result_t res;
    jwtsso_reason_t r;

    memset(&res, 0, sizeof(res));
    r = jwtsso_jws_verify(c->ks, &c->pol, c->token, c->len, c->now, &res);
    if (r == JWTSSO_OK && (res.user == NULL || strcmp(res.user, "bench"))) {
        r = JWTSSO_R_INTERNAL;
    }
    jwtsso_jws_result_clear(&res);
    return r == JWTSSO_OK ? 0 : -1;
}

typedef struct {
    jwtsso_mackey_t *key;
    const char *realm, *origin, *text;
    size_t len;
    long long now;
    void *scratch;
    size_t scratch_len;
} rec_ctx_t;

static int op_record(void *p)
{
    rec_ctx_t *c = p;
    jwtsso_record_t rec;

    if (jwtsso_record_check(c->key, c->realm, c->origin, NULL, c->text, c->len,
                            c->now, &rec, c->scratch, c->scratch_len)
        != JWTSSO_OK) {
        return -1;
    }
    return rec.user != NULL && rec.user[0] == 'b' ? 0 : -1;
}

/* ---------------------------------------------------------------------
 * libjwt 1.10: jwt_decode verifies the signature with the key given (the
 * alg comes from the header, so we check it is the expected one), then
 * the claims our core checks: exp (required), nbf, iat (not in the
 * future, max age) and a non-empty user.
 */
#ifdef HAVE_LIBJWT
typedef struct {
    const char *token;
    const unsigned char *key;
    int keylen;
    jwt_alg_t alg;
    long now, skew, max_age;
} ljwt_ctx_t;

static int op_libjwt(void *p)
{
    ljwt_ctx_t *c = p;
    jwt_t *jwt = NULL;
    const char *sub;
    long exp, iat, nbf;
    int rv = -1;

    if (jwt_decode(&jwt, c->token, c->key, c->keylen) != 0 || jwt == NULL) {
        return -1;
    }
    if (jwt_get_alg(jwt) != c->alg) {
        goto out;
    }
    errno = 0;
    exp = jwt_get_grant_int(jwt, "exp");
    if (errno || exp + c->skew <= c->now) {
        goto out;
    }
    errno = 0;
    nbf = jwt_get_grant_int(jwt, "nbf");
    if (errno == 0 && nbf - c->skew > c->now) {
        goto out;
    }
    errno = 0;
    iat = jwt_get_grant_int(jwt, "iat");
    if (errno || iat - c->skew > c->now || c->now - iat > c->max_age + c->skew) {
        goto out;
    }
    sub = jwt_get_grant(jwt, "sub");
    if (sub == NULL || *sub == '\0' || strcmp(sub, "bench")) {
        goto out;
    }
    rv = 0;
out:
    jwt_free(jwt);
    return rv;
}
#endif

/* ---------------------------------------------------------------------
 * The floor: what any HS256 verifier must at least do.
 */
static signed char b64v[256];

static void b64_init(void)
{
    const char *a =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int i;

    memset(b64v, -1, sizeof(b64v));
    for (i = 0; i < 64; i++) {
        b64v[(unsigned char)a[i]] = (signed char)i;
    }
}

static long b64_dec(const char *s, size_t n, unsigned char *out)
{
    size_t i;
    unsigned long acc = 0;
    int bits = 0;
    long o = 0;

    for (i = 0; i < n; i++) {
        int v = b64v[(unsigned char)s[i]];

        if (v < 0) {
            return -1;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return o;
}

typedef struct {
    EVP_MAC_CTX *mac;       /* NULL: the midstate HMAC below */
    EVP_MD_CTX *ipad, *opad; /* states after (key ^ ipad), (key ^ opad) */
    const char *token;
    size_t len;
} floor_ctx_t;

static void midstates(floor_ctx_t *c, const unsigned char *key, size_t len)
{
    unsigned char pad[64];
    size_t i;

    for (i = 0; i < 64; i++) {
        pad[i] = (unsigned char)((i < len ? key[i] : 0) ^ 0x36);
    }
    c->ipad = EVP_MD_CTX_new();
    if (!c->ipad || !EVP_DigestInit_ex(c->ipad, EVP_sha256(), NULL)
        || !EVP_DigestUpdate(c->ipad, pad, 64)) {
        die("EVP_MD_CTX SHA-256");
    }
    for (i = 0; i < 64; i++) {
        pad[i] = (unsigned char)((i < len ? key[i] : 0) ^ 0x5c);
    }
    c->opad = EVP_MD_CTX_new();
    if (!c->opad || !EVP_DigestInit_ex(c->opad, EVP_sha256(), NULL)
        || !EVP_DigestUpdate(c->opad, pad, 64)) {
        die("EVP_MD_CTX SHA-256");
    }
}

static int op_floor(void *p)
{
    floor_ctx_t *c = p;
    unsigned char buf[2048], sig[64], mac[32];
    const char *d1, *d2;
    size_t maclen = 0;
    long n;

    d1 = memchr(c->token, '.', c->len);
    if (!d1) {
        return -1;
    }
    d2 = memchr(d1 + 1, '.', c->len - (size_t)(d1 + 1 - c->token));
    if (!d2 || d1 - c->token > 1000 || d2 - d1 > 1000) {
        return -1;
    }
    if (b64_dec(c->token, (size_t)(d1 - c->token), buf) < 0
        || b64_dec(d1 + 1, (size_t)(d2 - d1 - 1), buf + 1024) < 0) {
        return -1;
    }
    n = b64_dec(d2 + 1, c->len - (size_t)(d2 + 1 - c->token), sig);
    if (n != 32) {
        return -1;
    }
    if (c->mac == NULL) {
        EVP_MD_CTX *s = EVP_MD_CTX_new();
        int ok = s && EVP_MD_CTX_copy_ex(s, c->ipad)
                 && EVP_DigestUpdate(s, c->token, (size_t)(d2 - c->token))
                 && EVP_DigestFinal_ex(s, mac, NULL)
                 && EVP_MD_CTX_copy_ex(s, c->opad)
                 && EVP_DigestUpdate(s, mac, 32)
                 && EVP_DigestFinal_ex(s, mac, NULL);

        EVP_MD_CTX_free(s);
        if (!ok) {
            return -1;
        }
    }
    else if (!EVP_MAC_init(c->mac, NULL, 0, NULL)
        || !EVP_MAC_update(c->mac, (const unsigned char *)c->token,
                           (size_t)(d2 - c->token))
        || !EVP_MAC_final(c->mac, mac, &maclen, sizeof(mac))) {
        return -1;
    }
    return CRYPTO_memcmp(mac, sig, 32) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------------
 * Token making
 */
static char *b64url(const unsigned char *in, size_t len)
{
    char *out = malloc(jwtsso_b64url_encoded_len(len) + 1);

    if (!out) {
        die("out of memory");
    }
    jwtsso_b64url_encode(in, len, out);
    return out;
}

/* Sign header.payload with an RSA (RS256) or EC P-256 (ES256, JOSE r||s)
 * private key. */
static char *sign_pkey(EVP_PKEY *pk, int ec, const char *hdr,
                       const char *payload)
{
    char *h = b64url((const unsigned char *)hdr, strlen(hdr));
    char *p = b64url((const unsigned char *)payload, strlen(payload));
    size_t inlen = strlen(h) + 1 + strlen(p), siglen = 0;
    char *in = malloc(inlen + 1), *tok, *s;
    unsigned char *sig, raw[64];
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (!in || !md) {
        die("out of memory");
    }
    sprintf(in, "%s.%s", h, p);
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk) <= 0
        || EVP_DigestSign(md, NULL, &siglen, (unsigned char *)in, inlen) <= 0
        || !(sig = malloc(siglen))
        || EVP_DigestSign(md, sig, &siglen, (unsigned char *)in, inlen) <= 0) {
        die("signing failed");
    }
    if (ec) {
        const unsigned char *q = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)siglen);

        if (!es) {
            die("bad ECDSA signature");
        }
        BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
        ECDSA_SIG_free(es);
        s = b64url(raw, 64);
    }
    else {
        s = b64url(sig, siglen);
    }
    tok = malloc(inlen + 1 + strlen(s) + 1);
    if (!tok) {
        die("out of memory");
    }
    sprintf(tok, "%s.%s", in, s);
    EVP_MD_CTX_free(md);
    free(sig);
    free(s);
    free(in);
    free(h);
    free(p);
    return tok;
}

static char *pubkey_pem(EVP_PKEY *pk)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data, *out;
    long n;

    if (!b || !PEM_write_bio_PUBKEY(b, pk)) {
        die("PEM_write_bio_PUBKEY");
    }
    n = BIO_get_mem_data(b, &data);
    out = malloc((size_t)n + 1);
    if (!out) {
        die("out of memory");
    }
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    BIO_free(b);
    return out;
}

/* A key set of one PEM key; frees pem (from pubkey_pem). */
static jwtsso_keyset_t *pem_keyset(char *pem)
{
    jwtsso_keyset_t *ks = jwtsso_keyset_new();
    int was_private = 0;

    if (!ks || jwtsso_pkey_add(ks, NULL, pem, strlen(pem), &was_private)
         != JWTSSO_KEY_OK) {
        die("jwtsso_pkey_add failed");
    }
    free(pem);
    return ks;
}

/* ---------------------------------------------------------------------
 */
static void usage(void)
{
    fprintf(stderr, "usage: micro [--seconds S] [--rounds N] [--smoke] [--only KEY] "
                    "[--openssl-rsa2048-verify N] "
                    "[--openssl-ecdsap256-verify N]\n");
    exit(2);
}

static void fmt_rate(char *buf, size_t n, double r)
{
    if (r >= 1e6) {
        snprintf(buf, n, "%.2f M/s", r / 1e6);
    }
    else if (r >= 1e3) {
        snprintf(buf, n, "%.1f k/s", r / 1e3);
    }
    else {
        snprintf(buf, n, "%.0f /s", r);
    }
}

enum { I_CORE, I_LIBJWT, I_FLOOR, I_FLOOR2, I_RECORD, I_RS_CORE, I_RS_LIBJWT,
       I_ES_CORE, I_ES_LIBJWT, I__N };

int main(int argc, char **argv)
{
    double secs = 1.5, ossl_rsa = 0, ossl_ec = 0;
    int rounds = 3, smoke = 0, i, r;
    static const char *const keys[] = { "core", "libjwt", "floor",
        "floor-midstate", "record", "rs256", "rs256-libjwt", "es256",
        "es256-libjwt" };
    const char *only = NULL;
    unsigned char secret[48];
    char hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload[256];
    long long now = (long long)time(NULL);
    item_t it[I__N];
    core_ctx_t core, rs_core, es_core;
    rec_ctx_t rec;
    floor_ctx_t flo, flo2;
    jwtsso_result_t res;
    jwtsso_mackey_t *mk;
    char *hs, *rs, *es, *record;
    EVP_PKEY *rsa_k, *ec_k;
    EVP_MAC *mac;
    OSSL_PARAM params[2];
#ifdef HAVE_LIBJWT
    ljwt_ctx_t lj, lj_rs, lj_es;
    char *rs_pem, *es_pem;
#endif

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--smoke")) {
            smoke = 1;
        }
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        }
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            secs = atof(argv[++i]);
        }
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
            rounds = atoi(argv[++i]);
        }
        else if (!strcmp(argv[i], "--openssl-rsa2048-verify") && i + 1 < argc) {
            ossl_rsa = atof(argv[++i]);
        }
        else if (!strcmp(argv[i], "--openssl-ecdsap256-verify") && i + 1 < argc) {
            ossl_ec = atof(argv[++i]);
        }
        else {
            usage();
        }
    }
    if (smoke) {
        secs = 0.02;
        rounds = 1;
    }
    if (rounds < 1 || rounds > 15 || secs <= 0) {
        usage();
    }
    b64_init();
    memset(it, 0, sizeof(it));

    /* HS256: one token, iat/exp fresh, sub "bench" */
    if (RAND_bytes(secret, sizeof(secret)) != 1) {
        die("RAND_bytes");
    }
    snprintf(payload, sizeof(payload),
             "{\"sub\":\"bench\",\"name\":\"Bench User\",\"iat\":%lld,"
             "\"exp\":%lld}", now, now + 3600);
    hs = jwtsso_jws_sign_hmac(JWTSSO_ALG_HS256, secret, sizeof(secret), hdr,
                              payload);
    if (!hs) {
        die("jwtsso_jws_sign_hmac failed");
    }
    memset(&core, 0, sizeof(core));
    core.ks = jwtsso_keyset_new();
    if (!core.ks || jwtsso_keyset_add_hmac(core.ks, NULL, secret,
                                           sizeof(secret)) != 0) {
        die("jwtsso_keyset_add_hmac failed");
    }
    core.pol.max_age = 600;   /* the run takes well under that */
    core.pol.skew = 5;
    core.token = hs;
    core.len = strlen(hs);
    core.now = now;
    it[I_CORE] = (item_t){ "HS256 verify: our core (jwtsso_jws_verify)",
                           op_core, &core, {0}, 1, NULL };

#ifdef HAVE_LIBJWT
    lj = (ljwt_ctx_t){ hs, secret, (int)sizeof(secret), JWT_ALG_HS256, (long)now,
                       5, 600 };
    it[I_LIBJWT] = (item_t){ "HS256 verify: libjwt " LIBJWT_VERSION_STR
                             " (jwt_decode + grant checks)",
                             op_libjwt, &lj, {0}, 1, NULL };
#else
    it[I_LIBJWT] = (item_t){ "HS256 verify: libjwt", NULL, NULL, {0}, 0,
                             "libjwt-dev not installed" };
#endif

    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    flo.mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!flo.mac || !EVP_MAC_init(flo.mac, secret, sizeof(secret), params)) {
        die("EVP_MAC HMAC-SHA256");
    }
    flo.token = hs;
    flo.len = strlen(hs);
    it[I_FLOOR] = (item_t){ "HS256 floor: split + base64url + HMAC (key "
                            "reused) + CRYPTO_memcmp",
                            op_floor, &flo, {0}, 1, NULL };
    flo2 = flo;
    flo2.mac = NULL;
    midstates(&flo2, secret, sizeof(secret));
    it[I_FLOOR2] = (item_t){ "HS256 floor, HMAC from SHA-256 midstates "
                             "copied per call (as src/core/hmac.c)",
                             op_floor, &flo2, {0}, 1, NULL };

    /* a session record as a login makes it: claims of the verified token */
    memset(&res, 0, sizeof(res));
    if (jwtsso_jws_verify(core.ks, &core.pol, hs, strlen(hs), now, &res)
        != JWTSSO_OK) {
        die("the HS256 token does not verify");
    }
    mk = jwtsso_record_key_new(secret, sizeof(secret));
    if (!mk) {
        die("jwtsso_record_key_new");
    }
    record = jwtsso_record_make(mk, "bench", "http://127.0.0.1:8080", NULL,
                                res.user, now, now + 28800,
                                "Zq3vS0dAmW9x1c2K7pL4nR", res.payload,
                                res.payload_len, NULL, 0);
    jwtsso_jws_result_clear(&res);
    if (!record) {
        die("jwtsso_record_make");
    }
    rec = (rec_ctx_t){ mk, "bench", "http://127.0.0.1:8080", record,
                       strlen(record), now, NULL, 0 };
    rec.scratch_len = jwtsso_record_scratch_len(rec.len);
    rec.scratch = malloc(rec.scratch_len);
    if (!rec.scratch) {
        die("out of memory");
    }
    it[I_RECORD] = (item_t){ "session record check (jwtsso_record_check)",
                             op_record, &rec, {0}, 1, NULL };

    /* RS256 / ES256 */
    rsa_k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec_k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!rsa_k || !ec_k) {
        die("key generation");
    }
    rs = sign_pkey(rsa_k, 0, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload);
    es = sign_pkey(ec_k, 1, "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", payload);
    rs_core = core;
    rs_core.ks = pem_keyset(pubkey_pem(rsa_k));
    rs_core.token = rs;
    rs_core.len = strlen(rs);
    es_core = core;
    es_core.ks = pem_keyset(pubkey_pem(ec_k));
    es_core.token = es;
    es_core.len = strlen(es);
    it[I_RS_CORE] = (item_t){ "RS256 (RSA 2048) verify: our core", op_core,
                              &rs_core, {0}, 1, NULL };
    it[I_ES_CORE] = (item_t){ "ES256 (P-256) verify: our core", op_core,
                              &es_core, {0}, 1, NULL };
#ifdef HAVE_LIBJWT
    rs_pem = pubkey_pem(rsa_k);
    es_pem = pubkey_pem(ec_k);
    lj_rs = (ljwt_ctx_t){ rs, (unsigned char *)rs_pem, (int)strlen(rs_pem),
                          JWT_ALG_RS256, (long)now, 5, 600 };
    lj_es = (ljwt_ctx_t){ es, (unsigned char *)es_pem, (int)strlen(es_pem),
                          JWT_ALG_ES256, (long)now, 5, 600 };
    it[I_RS_LIBJWT] = (item_t){ "RS256 (RSA 2048) verify: libjwt", op_libjwt,
                                &lj_rs, {0}, 1, NULL };
    it[I_ES_LIBJWT] = (item_t){ "ES256 (P-256) verify: libjwt", op_libjwt,
                                &lj_es, {0}, 1, NULL };
#else
    it[I_RS_LIBJWT] = (item_t){ "RS256 verify: libjwt", NULL, NULL, {0}, 0,
                                "libjwt-dev not installed" };
    it[I_ES_LIBJWT] = (item_t){ "ES256 verify: libjwt", NULL, NULL, {0}, 0,
                                "libjwt-dev not installed" };
#endif

    if (only) {
        for (i = 0; i < I__N && strcmp(keys[i], only); i++) {
        }
        if (i == I__N) {
            usage();
        }
        for (r = 0; r < I__N; r++) {
            if (r != i && it[r].ok) {
                it[r].ok = 0;
                it[r].why = "--only";
            }
        }
    }
    /* every contender must accept its input before it is timed */
    for (i = 0; i < I__N; i++) {
        if (it[i].ok && it[i].fn(it[i].ctx) != 0) {
            if (i == I_RS_LIBJWT || i == I_ES_LIBJWT) {
                it[i].ok = 0;       /* a peer's limit, not our failure */
                it[i].why = "refused the token";
                continue;
            }
            fprintf(stderr, "micro: %s: the token is refused\n", it[i].name);
            return 1;
        }
    }
    /* rounds interleaved across contenders: drifts hit all alike */
    for (r = 0; r < rounds; r++) {
        for (i = 0; i < I__N; i++) {
            if (!it[i].ok) {
                continue;
            }
            it[i].rounds[r] = measure(it[i].fn, it[i].ctx, secs / rounds);
            if (it[i].rounds[r] < 0) {
                fprintf(stderr, "micro: %s: a call failed while timed\n",
                        it[i].name);
                return 1;
            }
        }
    }

    {
        double m[I__N];
        char a[32], b[64];

        for (i = 0; i < I__N; i++) {
            m[i] = it[i].ok ? median(it[i].rounds, rounds) : 0;
        }
        printf("| single core, %d round%s of %.2f s, median | rate | ratio |\n",
               rounds, rounds > 1 ? "s" : "", secs / rounds);
        printf("|---|---:|---|\n");
        for (i = 0; i < I__N; i++) {
            if (!it[i].ok) {
                printf("| %s | not measured: %s | |\n", it[i].name, it[i].why);
                continue;
            }
            fmt_rate(a, sizeof(a), m[i]);
            b[0] = '\0';
            if (i == I_CORE && it[I_LIBJWT].ok) {
                snprintf(b, sizeof(b), "%.1fx libjwt (target >= 3x)%s",
                         m[I_CORE] / m[I_LIBJWT],
                         m[I_CORE] / m[I_LIBJWT] >= 3 ? "" : " **MISSED**");
            }
            else if (i == I_FLOOR || i == I_FLOOR2) {
                snprintf(b, sizeof(b), "core = %.2f of the floor",
                         m[I_CORE] / m[i]);
            }
            else if (i == I_RECORD) {
                snprintf(b, sizeof(b), "target >= 2 M/s%s",
                         m[I_RECORD] >= 2e6 ? "" : " **MISSED**");
            }
            else if (i == I_RS_CORE && ossl_rsa > 0) {
                snprintf(b, sizeof(b), "%.2f of openssl speed", m[i] / ossl_rsa);
            }
            else if (i == I_ES_CORE && ossl_ec > 0) {
                snprintf(b, sizeof(b), "%.2f of openssl speed", m[i] / ossl_ec);
            }
            else if ((i == I_RS_LIBJWT && it[I_RS_CORE].ok)
                     || (i == I_ES_LIBJWT && it[I_ES_CORE].ok)) {
                snprintf(b, sizeof(b), "core = %.2fx libjwt", m[i - 1] / m[i]);
            }
            printf("| %s | %s | %s |\n", it[i].name, a, b);
            if (i == I_RS_CORE && ossl_rsa > 0) {
                fmt_rate(a, sizeof(a), ossl_rsa);
                printf("| RSA 2048 verify: `openssl speed rsa2048` | %s | |\n", a);
            }
            if (i == I_ES_CORE && ossl_ec > 0) {
                fmt_rate(a, sizeof(a), ossl_ec);
                printf("| P-256 verify: `openssl speed ecdsap256` | %s | |\n", a);
            }
        }
    }

    free(rec.scratch);
    free(record);
    free(hs);
    free(rs);
    free(es);
#ifdef HAVE_LIBJWT
    free(rs_pem);
    free(es_pem);
#endif
    jwtsso_record_key_free(mk);
    jwtsso_keyset_free(core.ks);
    jwtsso_keyset_free(rs_core.ks);
    jwtsso_keyset_free(es_core.ks);
    EVP_MAC_CTX_free(flo.mac);
    EVP_MD_CTX_free(flo2.ipad);
    EVP_MD_CTX_free(flo2.opad);
    EVP_MAC_free(mac);
    EVP_PKEY_free(rsa_k);
    EVP_PKEY_free(ec_k);
    return 0;
}
