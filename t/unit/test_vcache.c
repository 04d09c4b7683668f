/*
 * test_vcache.c - unit tests of the verified-token cache (src/core/vcache.c).
 *
 * Single-threaded checks of every rule of vcache.h (hit and miss, copies,
 * replacement, LRU eviction, the expiry and max_blob boundaries, a failing
 * allocator, rounding, a bound under a million distinct keys), then a
 * stress run of 8 threads over 5000 keys whose blobs are derived from the
 * key, so every hit is checked byte for byte, and a measure of the cost of
 * a hit. Meant to be clean under -fsanitize=thread and address,undefined.
 */
#define _POSIX_C_SOURCE 200809L    /* clock_gettime, getrusage */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "vcache.h"
#include "unit.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) \
    || __has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define KEYLEN JWTSSO_VCACHE_KEY_LEN
#define NOW 1700000000LL

/* ---------------------------------------------------------------------
 * Helpers
 */
static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A pseudo-random key, a function of n. */
static void make_key(unsigned char *key, uint64_t n)
{
    uint64_t s = n * 0x100000001b3ULL + 12345, v;
    int i;

    for (i = 0; i < KEYLEN; i += 8) {
        v = splitmix(&s);
        memcpy(key + i, &v, 8);
    }
}

/* A key whose set, in a cache of 16 entries (two sets), is `set`: the
 * set is chosen by the first 8 bytes, the rest differ with n. */
static void set_key(unsigned char *key, unsigned set, uint64_t n)
{
    uint64_t first;

    make_key(key, n + 1000000);
    memcpy(&first, key, 8);
    first = (first & ~(uint64_t)1) | set;
    memcpy(key, &first, 8);
}

static void *heap_alloc(void *ctx, size_t len)
{
    (void)ctx;
    return malloc(len);
}

static void *null_alloc(void *ctx, size_t len)
{
    (void)ctx;
    (void)len;
    return NULL;
}

/* A bump allocator over a fixed buffer, reset by the caller. */
typedef struct {
    unsigned char *buf;
    size_t size, off;
} bump_t;

static void *bump_alloc(void *ctx, size_t len)
{
    bump_t *b = ctx;
    void *p;

    if (len > b->size - b->off) {
        return NULL;
    }
    p = b->buf + b->off;
    b->off += len;
    return p;
}

/* Get key at now into a malloc'd copy: 1 if blob (len bytes) matches. */
static int get_is(jwtsso_vcache_t *c, const unsigned char *key, long long now,
                  const void *want, size_t want_len)
{
    void *blob = NULL;
    size_t len = 0;
    int ok;

    if (!jwtsso_vcache_get(c, key, now, heap_alloc, NULL, &blob, &len)) {
        return 0;
    }
    ok = len == want_len && memcmp(blob, want, len) == 0;
    free(blob);
    return ok;
}

static int has(jwtsso_vcache_t *c, const unsigned char *key, long long now)
{
    void *blob = NULL;
    size_t len = 0;

    if (!jwtsso_vcache_get(c, key, now, heap_alloc, NULL, &blob, &len)) {
        return 0;
    }
    free(blob);
    return 1;
}

static jwtsso_vcache_stats_t stats_of(jwtsso_vcache_t *c)
{
    jwtsso_vcache_stats_t st;

    jwtsso_vcache_stats(c, &st);
    return st;
}

/* ---------------------------------------------------------------------
 * Single-threaded rules
 */
static void test_new(void)
{
    jwtsso_vcache_t *c;
    static const struct { size_t in, out; } cases[] = {
        { 1, 16 }, { 15, 16 }, { 16, 16 }, { 17, 32 }, { 1000, 1024 },
        { 1024, 1024 }, { 1025, 2048 }
    };
    size_t i;
    char name[64];

    CHECK("new: 0 entries is NULL", jwtsso_vcache_new(0, 100) == NULL);
    CHECK("new: absurd entries is NULL",
          jwtsso_vcache_new(SIZE_MAX, 100) == NULL);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        c = jwtsso_vcache_new(cases[i].in, 100);
        snprintf(name, sizeof(name), "new: %zu entries rounds to %zu",
                 cases[i].in, cases[i].out);
        CHECK(name, c != NULL && jwtsso_vcache_capacity(c) == cases[i].out);
        jwtsso_vcache_free(c);
    }
    jwtsso_vcache_free(NULL);
    CHECK("free: NULL is fine", 1);
}

static void test_hit_miss(void)
{
    jwtsso_vcache_t *c = jwtsso_vcache_new(64, 256);
    unsigned char a[KEYLEN], b[KEYLEN];
    const char *blob = "alice\0{\"sub\":\"alice\"}";
    void *out = (void *)&out;
    size_t len = 12345;
    jwtsso_vcache_stats_t st;

    make_key(a, 1);
    make_key(b, 2);
    CHECK("empty: miss", !jwtsso_vcache_get(c, a, NOW, heap_alloc, NULL,
                                            &out, &len));
    CHECK("miss leaves *blob and *len", out == (void *)&out && len == 12345);
    CHECK("put: stored", jwtsso_vcache_put(c, a, NOW, NOW + 60, blob, 21));
    CHECK("hit: same bytes", get_is(c, a, NOW, blob, 21));
    CHECK("other key: miss", !has(c, b, NOW));

    /* The key is compared in full: differ only in its last byte, and in
     * a tag byte (8..15). */
    memcpy(b, a, KEYLEN);
    b[KEYLEN - 1] ^= 1;
    CHECK("key differing in last byte: miss", !has(c, b, NOW));
    memcpy(b, a, KEYLEN);
    b[9] ^= 0x80;
    CHECK("key differing in a tag byte: miss", !has(c, b, NOW));

    st = stats_of(c);
    CHECK("stats: hits 1 misses 4 stores 1 used 1",
          st.hits == 1 && st.misses == 4 && st.stores == 1 && st.used == 1
          && st.evictions == 0);
    CHECK("stats: bytes", st.bytes == 21);
    jwtsso_vcache_free(c);
}

static void test_copies(void)
{
    jwtsso_vcache_t *c = jwtsso_vcache_new(16, 64);
    unsigned char k[KEYLEN];
    char src[32] = "the original blob";
    void *out;
    size_t len;

    make_key(k, 3);
    jwtsso_vcache_put(c, k, NOW, NOW + 10, src, 18);
    src[0] = 'X';
    CHECK("put copies: changing the source changes nothing",
          get_is(c, k, NOW, "the original blob", 18));
    if (jwtsso_vcache_get(c, k, NOW, heap_alloc, NULL, &out, &len)) {
        memset(out, 'Y', len);
        free(out);
    }
    CHECK("get copies: changing the result changes nothing",
          get_is(c, k, NOW, "the original blob", 18));
    jwtsso_vcache_free(c);
}

static void test_replace(void)
{
    jwtsso_vcache_t *c = jwtsso_vcache_new(16, 64);
    unsigned char k[KEYLEN];
    jwtsso_vcache_stats_t st;

    make_key(k, 4);
    jwtsso_vcache_put(c, k, NOW, NOW + 10, "first, a long one", 17);
    CHECK("replace: stored", jwtsso_vcache_put(c, k, NOW, NOW + 100,
                                               "second", 6));
    CHECK("replace: new blob", get_is(c, k, NOW, "second", 6));
    CHECK("replace: new until", get_is(c, k, NOW + 50, "second", 6));
    st = stats_of(c);
    CHECK("replace: one entry, buffer reused, no eviction",
          st.used == 1 && st.bytes == 17 && st.evictions == 0
          && st.stores == 2);
    CHECK("replace: longer blob", jwtsso_vcache_put(c, k, NOW, NOW + 100,
                                                    "a third, longer blob",
                                                    20));
    CHECK("replace: longer blob read back",
          get_is(c, k, NOW, "a third, longer blob", 20));
    st = stats_of(c);
    CHECK("replace: buffer grown", st.used == 1 && st.bytes == 20);
    /* A put that does nothing keeps the entry. */
    CHECK("replace: refused put (expired until)",
          !jwtsso_vcache_put(c, k, NOW, NOW, "x", 1));
    CHECK("replace: refused put keeps the entry",
          get_is(c, k, NOW, "a third, longer blob", 20));
    jwtsso_vcache_free(c);
}

static void test_expiry(void)
{
    jwtsso_vcache_t *c = jwtsso_vcache_new(16, 64);
    unsigned char k[KEYLEN];
    jwtsso_vcache_stats_t st;

    make_key(k, 5);
    CHECK("put: until == now refused", !jwtsso_vcache_put(c, k, NOW, NOW,
                                                          "b", 1));
    CHECK("put: until < now refused",
          !jwtsso_vcache_put(c, k, NOW, NOW - 1, "b", 1));
    CHECK("put: until == now + 1 stored",
          jwtsso_vcache_put(c, k, NOW, NOW + 1, "b", 1));
    CHECK("expiry: hit at until - 1", get_is(c, k, NOW, "b", 1));
    CHECK("expiry: miss at until", !has(c, k, NOW + 1));
    st = stats_of(c);
    CHECK("expiry: the expired entry was dropped and freed",
          st.used == 0 && st.bytes == 0);
    CHECK("expiry: still a miss at until - 1 once dropped", !has(c, k, NOW));

    jwtsso_vcache_put(c, k, NOW, NOW + 100, "b", 1);
    CHECK("expiry: miss long after until", !has(c, k, NOW + 100000));
    jwtsso_vcache_put(c, k, NOW, NOW + 100, "b", 1);
    CHECK("expiry: a clock going back still hits", get_is(c, k, NOW - 5,
                                                          "b", 1));
    jwtsso_vcache_free(c);
}

static void test_max_blob(void)
{
    jwtsso_vcache_t *c = jwtsso_vcache_new(16, 300), *z;
    unsigned char k1[KEYLEN], k2[KEYLEN], k3[KEYLEN];
    unsigned char big[301];
    jwtsso_vcache_stats_t st;

    memset(big, 0xa5, sizeof(big));
    make_key(k1, 6);
    make_key(k2, 7);
    make_key(k3, 8);
    CHECK("max_blob: len == max_blob stored",
          jwtsso_vcache_put(c, k1, NOW, NOW + 10, big, 300));
    CHECK("max_blob: read back", get_is(c, k1, NOW, big, 300));
    CHECK("max_blob: len == max_blob + 1 not stored",
          !jwtsso_vcache_put(c, k2, NOW, NOW + 10, big, 301));
    CHECK("max_blob: and not found", !has(c, k2, NOW));
    CHECK("max_blob: len 0 not stored",
          !jwtsso_vcache_put(c, k3, NOW, NOW + 10, big, 0));
    CHECK("max_blob: too long a replacement keeps the entry",
          !jwtsso_vcache_put(c, k1, NOW, NOW + 10, big, 301)
          && get_is(c, k1, NOW, big, 300));
    st = stats_of(c);
    CHECK("max_blob: one entry", st.used == 1 && st.stores == 1);
    jwtsso_vcache_free(c);

    z = jwtsso_vcache_new(16, 0);
    CHECK("max_blob 0: a cache that stores nothing",
          z != NULL && !jwtsso_vcache_put(z, k1, NOW, NOW + 10, big, 1));
    jwtsso_vcache_free(z);
}

static void test_alloc_null(void)
{
    jwtsso_vcache_t *c = jwtsso_vcache_new(16, 64);
    unsigned char k[KEYLEN], buf[8];
    void *out = NULL;
    size_t len = 0;
    bump_t small = { buf, sizeof(buf), 0 };
    jwtsso_vcache_stats_t st;

    make_key(k, 9);
    jwtsso_vcache_put(c, k, NOW, NOW + 10, "twelve bytes", 12);
    CHECK("alloc NULL: a miss",
          !jwtsso_vcache_get(c, k, NOW, null_alloc, NULL, &out, &len)
          && out == NULL && len == 0);
    CHECK("alloc short of room: a miss",
          !jwtsso_vcache_get(c, k, NOW, bump_alloc, &small, &out, &len));
    st = stats_of(c);
    CHECK("alloc NULL: counted as misses", st.misses == 2 && st.hits == 0);
    CHECK("alloc NULL: the entry stays", get_is(c, k, NOW, "twelve bytes",
                                                12));
    jwtsso_vcache_free(c);
}

/* Eviction is LRU within a set, after free and expired slots. A cache of
 * 16 entries has two sets of 8 ways; all keys here go to set 1. */
static void test_eviction(void)
{
    jwtsso_vcache_t *c = jwtsso_vcache_new(16, 64);
    unsigned char k[12][KEYLEN], o[KEYLEN];
    jwtsso_vcache_stats_t st;
    int i, all;

    for (i = 0; i < 12; i++) {
        set_key(k[i], 1, (uint64_t)i);
    }
    set_key(o, 0, 99);
    jwtsso_vcache_put(c, o, NOW, NOW + 1000, "other set", 9);

    /* k0..k7 fill set 1; k1, the oldest after k0 is hit, has the latest
     * until: LRU, not the nearest expiry, decides. k5 and k6 expire
     * first, the others at NOW + 1000. */
    for (i = 0; i < 8; i++) {
        jwtsso_vcache_put(c, k[i], NOW,
                          i == 1 ? NOW + 5000 : i == 5 ? NOW + 105
                          : i == 6 ? NOW + 106 : NOW + 1000, "v", 1);
    }
    st = stats_of(c);
    CHECK("eviction: set full, none evicted", st.used == 9
          && st.evictions == 0);
    CHECK("eviction: k0 hit", has(c, k[0], NOW));
    jwtsso_vcache_put(c, k[8], NOW, NOW + 1000, "v", 1);
    st = stats_of(c);
    CHECK("eviction: one evicted", st.evictions == 1 && st.used == 9);
    CHECK("eviction: the LRU entry (k1, latest until) went",
          !has(c, k[1], NOW));
    all = 1;
    for (i = 0; i < 9; i++) {
        all &= i == 1 || has(c, k[i], NOW);
    }
    CHECK("eviction: the others stayed", all);
    CHECK("eviction: the other set untouched", has(c, o, NOW));

    /* The has() calls above made the LRU order k0 k2 k3 k4 k5 k6 k7 k8.
     * At NOW + 105, k5 (until NOW + 105) is expired: it goes, not k0. */
    jwtsso_vcache_put(c, k[9], NOW + 105, NOW + 200, "v", 1);
    st = stats_of(c);
    CHECK("eviction: an expired slot is taken first, no eviction",
          st.evictions == 1 && st.used == 9);
    CHECK("eviction: k0 (LRU, live) kept", has(c, k[0], NOW + 105));
    CHECK("eviction: k5 (expired) replaced", !has(c, k[5], NOW)
          && has(c, k[9], NOW + 105));

    /* A free slot before anything: drop k6 by finding it expired; the
     * LRU order is now k2 k3 k4 k7 k8 k0 k9. */
    CHECK("eviction: k6 found expired", !has(c, k[6], NOW + 106));
    st = stats_of(c);
    CHECK("eviction: k6 dropped", st.used == 8);
    jwtsso_vcache_put(c, k[10], NOW, NOW + 100, "v", 1);
    st = stats_of(c);
    CHECK("eviction: a free slot is taken, no eviction",
          st.evictions == 1 && st.used == 9);
    CHECK("eviction: k2 (LRU) kept", has(c, k[2], NOW));
    jwtsso_vcache_free(c);
}

/* A million distinct keys into 1024 entries: the cache stays bounded. */
static void test_bounded(void)
{
    const size_t cap = 1024, max_blob = 256, n = 1000000;
    jwtsso_vcache_t *c = jwtsso_vcache_new(cap, max_blob);
    unsigned char key[KEYLEN], blob[256];
    jwtsso_vcache_stats_t st;
    struct rusage ru0, ru1;
    size_t i, max_used = 0, max_bytes = 0;
    long grow_kb;
    int stored = 1;

    memset(blob, 0x5a, sizeof(blob));
    getrusage(RUSAGE_SELF, &ru0);
    for (i = 0; i < n; i++) {
        make_key(key, (uint64_t)i + 50000000);
        stored &= jwtsso_vcache_put(c, key, NOW, NOW + 3600, blob,
                                    1 + (i * 97) % max_blob);
        if (i % 4096 == 0) {
            st = stats_of(c);
            max_used = st.used > max_used ? st.used : max_used;
            max_bytes = st.bytes > max_bytes ? st.bytes : max_bytes;
        }
    }
    getrusage(RUSAGE_SELF, &ru1);
    st = stats_of(c);
    CHECK("bounded: every put stored", stored && st.stores == n);
    CHECK("bounded: used <= capacity throughout",
          max_used <= cap && st.used <= cap);
    CHECK("bounded: full at the end", st.used == cap);
    CHECK("bounded: bytes <= capacity x max_blob throughout",
          max_bytes <= cap * max_blob && st.bytes <= cap * max_blob);
    CHECK("bounded: evictions + used == stores",
          st.evictions + st.used == st.stores);
    grow_kb = ru1.ru_maxrss - ru0.ru_maxrss;
    NOTE("bounded: %zu puts, used %zu, blob bytes %zu, max RSS grew %ld kB",
         n, st.used, st.bytes, grow_kb);
    if (!SANITIZED) {
        /* The cache is ~1024 x (80 + 256) bytes; allow for malloc. */
        CHECK("bounded: max RSS grew < 16 MB", grow_kb < 16 * 1024);
    }
    jwtsso_vcache_free(c);
}

/* ---------------------------------------------------------------------
 * Threads
 */
#define S_KEYS 5000
#define S_THREADS 8
#define S_OPS 200000
#define S_MAX_BLOB 512
#define S_HDR 12                    /* idx (4 bytes), until (8 bytes) */

static unsigned char s_keys[S_KEYS][KEYLEN];
static jwtsso_vcache_t *s_cache;

typedef struct {
    unsigned id;
    unsigned long long gets, puts, hits, bad;
    char why[128];
} worker_t;

static size_t s_len(uint32_t idx)
{
    return S_HDR + 1 + (idx * 131u) % (S_MAX_BLOB - S_HDR);
}

static unsigned char s_byte(uint32_t idx, size_t j)
{
    return (unsigned char)(s_keys[idx][j % KEYLEN] ^ (j * 13) ^ (idx >> 3));
}

/* The blob of key idx: idx, until, then bytes derived from the key. */
static size_t s_blob(unsigned char *b, uint32_t idx, long long until)
{
    size_t len = s_len(idx), j;

    memcpy(b, &idx, 4);
    memcpy(b + 4, &until, 8);
    for (j = S_HDR; j < len; j++) {
        b[j] = s_byte(idx, j);
    }
    return len;
}

/* 0 if a hit for key idx at now is right; sets w->why if not. */
static int s_check(worker_t *w, uint32_t idx, long long now,
                   const unsigned char *b, size_t len)
{
    uint32_t got;
    long long until;
    size_t j;

    if (len != s_len(idx)) {
        snprintf(w->why, sizeof(w->why), "key %u: len %zu, want %zu",
                 (unsigned)idx, len, s_len(idx));
        return -1;
    }
    memcpy(&got, b, 4);
    memcpy(&until, b + 4, 8);
    if (got != idx) {
        snprintf(w->why, sizeof(w->why), "key %u: blob of key %u",
                 (unsigned)idx, (unsigned)got);
        return -1;
    }
    if (!(now < until)) {
        snprintf(w->why, sizeof(w->why), "key %u: hit at %lld, until %lld",
                 (unsigned)idx, now, until);
        return -1;
    }
    for (j = S_HDR; j < len; j++) {
        if (b[j] != s_byte(idx, j)) {
            snprintf(w->why, sizeof(w->why), "key %u: byte %zu torn",
                     (unsigned)idx, j);
            return -1;
        }
    }
    return 0;
}

static void *worker(void *arg)
{
    worker_t *w = arg;
    uint64_t rng = 0x1234567ULL * (w->id + 1);
    unsigned char arena[S_MAX_BLOB], put[S_MAX_BLOB];
    bump_t bump = { arena, sizeof(arena), 0 };
    void *out;
    size_t len, plen;
    uint32_t idx;
    long long now, until;
    int i, hit;
    uint64_t r;

    for (i = 0; i < S_OPS; i++) {
        r = splitmix(&rng);
        /* Skewed: a third of the ops go to 200 hot keys. */
        idx = (uint32_t)((r >> 8) % 3 == 0 ? (r >> 20) % 200
                                           : (r >> 20) % S_KEYS);
        /* A clock that advances (and differs a little between threads):
         * entries live 1 to 8 seconds, so many expire. */
        now = NOW + i / 20000 + (long long)(w->id % 3);
        until = now + 1 + (long long)((r >> 40) % 8);
        if ((r & 7) == 0) {
            plen = s_blob(put, idx, until);
            jwtsso_vcache_put(s_cache, s_keys[idx], now, until, put, plen);
            w->puts++;
            continue;
        }
        bump.off = 0;
        w->gets++;
        hit = jwtsso_vcache_get(s_cache, s_keys[idx], now, bump_alloc, &bump,
                                &out, &len);
        if (hit) {
            w->hits++;
            if (s_check(w, idx, now, out, len) != 0) {
                w->bad++;
            }
        }
        else {
            /* What the glue does: verify, then store. */
            plen = s_blob(put, idx, until);
            jwtsso_vcache_put(s_cache, s_keys[idx], now, until, put, plen);
            w->puts++;
        }
    }
    return NULL;
}

static double secs_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec)
           + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void test_threads(void)
{
    pthread_t th[S_THREADS];
    worker_t w[S_THREADS];
    jwtsso_vcache_stats_t st;
    struct timespec t0, t1;
    unsigned long long gets = 0, puts = 0, hits = 0, bad = 0;
    size_t max_used = 0;
    int i, started = 1, polls;

    for (i = 0; i < S_KEYS; i++) {
        make_key(s_keys[i], (uint64_t)i + 7000000);
    }
    s_cache = jwtsso_vcache_new(1024, S_MAX_BLOB);
    memset(w, 0, sizeof(w));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < S_THREADS; i++) {
        w[i].id = (unsigned)i;
        if (pthread_create(&th[i], NULL, worker, &w[i]) != 0) {
            started = 0;
            break;
        }
    }
    CHECK("threads: started", started);
    if (!started) {
        while (i-- > 0) {
            pthread_join(th[i], NULL);
        }
        jwtsso_vcache_free(s_cache);
        return;
    }
    /* Read the stats while the workers run. */
    for (polls = 0; polls < 200; polls++) {
        jwtsso_vcache_stats(s_cache, &st);
        max_used = st.used > max_used ? st.used : max_used;
    }
    for (i = 0; i < S_THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    for (i = 0; i < S_THREADS; i++) {
        gets += w[i].gets;
        puts += w[i].puts;
        hits += w[i].hits;
        bad += w[i].bad;
        if (w[i].bad > 0) {
            NOTE("thread %d: %llu bad hits, e.g. %s", i, w[i].bad, w[i].why);
        }
    }
    st = stats_of(s_cache);
    NOTE("threads: %d x %d ops in %.2f s: %llu gets, %llu hits, %llu puts, "
         "%llu evictions, used %zu", S_THREADS, S_OPS,
         secs_between(&t0, &t1), gets, hits, puts, st.evictions, st.used);
    CHECK("threads: every hit byte for byte right, unexpired", bad == 0);
    CHECK("threads: hits happened", hits > gets / 10);
    CHECK("threads: evictions happened", st.evictions > 0);
    CHECK("threads: stats add up", st.hits == hits && st.hits + st.misses
          == gets && st.stores <= puts);
    CHECK("threads: used <= capacity", st.used <= 1024 && max_used <= 1024
          && st.bytes <= 1024 * S_MAX_BLOB);
    jwtsso_vcache_free(s_cache);
    s_cache = NULL;
}

/* ---------------------------------------------------------------------
 * The cost of a hit
 */
static void test_hit_cost(void)
{
    enum { NK = 512, BLOB = 300 };
    const int rounds = SANITIZED ? 200000 : 4000000;
    static unsigned char keys[NK][KEYLEN];
    jwtsso_vcache_t *c = jwtsso_vcache_new(4096, 512);
    unsigned char blob[BLOB], arena[BLOB];
    bump_t bump = { arena, sizeof(arena), 0 };
    struct timespec t0, t1;
    void *out;
    size_t len;
    unsigned long long hits = 0;
    int i, stored = 1;
    double ns;

    for (i = 0; i < BLOB; i++) {
        blob[i] = (unsigned char)i;
    }
    for (i = 0; i < NK; i++) {
        make_key(keys[i], (uint64_t)i + 90000000);
        stored &= jwtsso_vcache_put(c, keys[i], NOW, NOW + 3600, blob, BLOB);
    }
    CHECK("hit cost: keys stored", stored);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < rounds; i++) {
        bump.off = 0;
        hits += (unsigned)jwtsso_vcache_get(c, keys[(i * 7) & (NK - 1)], NOW,
                                            bump_alloc, &bump, &out, &len);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ns = secs_between(&t0, &t1) * 1e9 / rounds;
    CHECK("hit cost: every get a hit", hits == (unsigned long long)rounds
          && memcmp(arena, blob, BLOB) == 0);
    NOTE("hit cost: %.1f ns per single-thread hit (%d-byte blob, copy "
         "included, %d keys in 4096 entries)%s", ns, BLOB, NK,
         SANITIZED ? " [sanitized build]" : "");
    jwtsso_vcache_free(c);
}

int main(void)
{
    test_new();
    test_hit_miss();
    test_copies();
    test_replace();
    test_expiry();
    test_max_blob();
    test_alloc_null();
    test_eviction();
    test_bounded();
    test_threads();
    test_hit_cost();
    return unit_done();
}
