/*
 * vcache.c - a small bounded per-process cache of verified tokens.
 *
 * Set-associative: the cache is an array of sets of JWTSSO_VCACHE_WAYS
 * slots; a key's set is chosen by its first 8 bytes (keys are SHA-256
 * outputs, so uniform), and bytes 8..15 are kept as a tag beside the set
 * so a lookup compares eight words, one cache line, before any full key.
 *
 * Locking is striped: the sets are shared out over at most MAX_STRIPES
 * mutexes (set i under stripe i mod nstripes), each on its own cache
 * lines with the counters of its sets, so a hit takes one uncontended
 * lock for the scan, the caller's allocation and the copy, and touches no
 * shared counter. There is no global lock and no global atomic.
 *
 * Memory is bounded: a slot holds at most one blob buffer of at most
 * max_blob bytes, got from malloc when a blob is stored into a slot whose
 * buffer is too small (a big enough one is reused) and freed when the
 * entry is found expired or the cache is freed. Replacement within a set:
 * the same key, else a free slot, else an expired one, else the least
 * recently used (stored or hit longest ago, from a per-stripe tick).
 *
 * Expiry is checked against the caller's clock only (now < until); the
 * cache reads no clock of its own.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vcache.h"

#define WAYS JWTSSO_VCACHE_WAYS
#define MIN_ENTRIES 16
#define MAX_STRIPES 256
#define LINE 64

typedef struct {
    unsigned char key[JWTSSO_VCACHE_KEY_LEN];
    long long until;                /* valid while now < until */
    unsigned long long stamp;       /* stripe tick at the last store/hit */
    unsigned char *buf;             /* NULL or cap bytes */
    size_t cap;
    size_t len;                     /* 0: a free slot */
} slot_t;

typedef struct {
    uint64_t tag[WAYS];             /* key bytes 8..15 of each slot */
    slot_t slot[WAYS];
} set_t;

/* A lock and the counters of the sets it guards, written only under it.
 * Padded to whole cache lines so two stripes never share one. */
typedef struct {
    pthread_mutex_t mu;
    unsigned long long tick;
    unsigned long long hits, misses, stores, evictions;
    size_t used, bytes;
} stripe_body_t;

typedef union {
    stripe_body_t s;
    unsigned char pad[(sizeof(stripe_body_t) + LINE - 1) / LINE * LINE];
} stripe_t;

struct jwtsso_vcache {
    set_t *sets;
    size_t set_mask;                /* nsets - 1 */
    size_t nsets;
    stripe_t *stripes;              /* LINE-aligned, inside stripes_mem */
    void *stripes_mem;
    size_t stripe_mask;             /* nstripes - 1 */
    size_t nstripes;
    size_t entries;
    size_t max_blob;
};

static uint64_t load64(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

jwtsso_vcache_t *jwtsso_vcache_new(size_t entries, size_t max_blob)
{
    jwtsso_vcache_t *c;
    size_t n = MIN_ENTRIES, i;
    uintptr_t p;

    if (entries == 0) {
        return NULL;
    }
    while (n < entries) {
        if (n > SIZE_MAX / 2) {
            return NULL;
        }
        n <<= 1;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->entries = n;
    c->max_blob = max_blob;
    c->nsets = n / WAYS;
    c->set_mask = c->nsets - 1;
    c->nstripes = c->nsets < MAX_STRIPES ? c->nsets : MAX_STRIPES;
    c->stripe_mask = c->nstripes - 1;

    /* calloc: every slot free (len 0, buf NULL), every tag 0. */
    c->sets = calloc(c->nsets, sizeof(set_t));
    c->stripes_mem = calloc(1, c->nstripes * sizeof(stripe_t) + LINE - 1);
    if (c->sets == NULL || c->stripes_mem == NULL) {
        free(c->sets);
        free(c->stripes_mem);
        free(c);
        return NULL;
    }
    p = (uintptr_t)c->stripes_mem;
    c->stripes = (stripe_t *)(void *)((p + LINE - 1) & ~(uintptr_t)(LINE - 1));
    for (i = 0; i < c->nstripes; i++) {
        if (pthread_mutex_init(&c->stripes[i].s.mu, NULL) != 0) {
            while (i-- > 0) {
                pthread_mutex_destroy(&c->stripes[i].s.mu);
            }
            free(c->sets);
            free(c->stripes_mem);
            free(c);
            return NULL;
        }
    }
    return c;
}

void jwtsso_vcache_free(jwtsso_vcache_t *c)
{
    size_t i, w;

    if (c == NULL) {
        return;
    }
    for (i = 0; i < c->nsets; i++) {
        for (w = 0; w < WAYS; w++) {
            free(c->sets[i].slot[w].buf);
        }
    }
    for (i = 0; i < c->nstripes; i++) {
        pthread_mutex_destroy(&c->stripes[i].s.mu);
    }
    free(c->sets);
    free(c->stripes_mem);
    free(c);
}

size_t jwtsso_vcache_capacity(const jwtsso_vcache_t *c)
{
    return c->entries;
}

/* The set of key, the stripe guarding it and the key's tag. */
static set_t *locate(const jwtsso_vcache_t *c, const unsigned char *key,
                     stripe_body_t **st, uint64_t *tag)
{
    size_t i = (size_t)load64(key) & c->set_mask;

    *st = &c->stripes[i & c->stripe_mask].s;
    *tag = load64(key + 8);
    return &c->sets[i];
}

/* The way holding key in set s, or -1. Under the stripe's lock. */
static int find(const set_t *s, const unsigned char *key, uint64_t tag)
{
    int w;

    for (w = 0; w < WAYS; w++) {
        if (s->tag[w] == tag && s->slot[w].len != 0
            && memcmp(s->slot[w].key, key, JWTSSO_VCACHE_KEY_LEN) == 0) {
            return w;
        }
    }
    return -1;
}

/* Empty slot sl, freeing its buffer. Under the stripe's lock. */
static void drop(stripe_body_t *st, slot_t *sl)
{
    free(sl->buf);
    st->bytes -= sl->cap;
    st->used--;
    sl->buf = NULL;
    sl->cap = 0;
    sl->len = 0;
    sl->until = 0;
}

int jwtsso_vcache_get(jwtsso_vcache_t *c, const unsigned char *key,
                      long long now,
                      void *(*alloc)(void *ctx, size_t len), void *ctx,
                      void **blob, size_t *len)
{
    stripe_body_t *st;
    set_t *s;
    slot_t *sl;
    uint64_t tag;
    void *out = NULL;
    size_t n = 0;
    int w;

    s = locate(c, key, &st, &tag);
    pthread_mutex_lock(&st->mu);
    w = find(s, key, tag);
    if (w >= 0) {
        sl = &s->slot[w];
        if (sl->until <= now) {
            drop(st, sl);
        }
        else {
            n = sl->len;
            out = alloc(ctx, n);
            if (out != NULL) {
                memcpy(out, sl->buf, n);
                sl->stamp = ++st->tick;
            }
        }
    }
    if (out != NULL) {
        st->hits++;
    }
    else {
        st->misses++;
    }
    pthread_mutex_unlock(&st->mu);

    if (out == NULL) {
        return 0;
    }
    *blob = out;
    *len = n;
    return 1;
}

int jwtsso_vcache_put(jwtsso_vcache_t *c, const unsigned char *key,
                      long long now, long long until,
                      const void *blob, size_t len)
{
    stripe_body_t *st;
    set_t *s;
    slot_t *sl;
    uint64_t tag;
    unsigned char *nb;
    int w, i, evict = 0;

    if (len == 0 || len > c->max_blob || until <= now) {
        return 0;
    }
    s = locate(c, key, &st, &tag);
    pthread_mutex_lock(&st->mu);

    w = find(s, key, tag);
    if (w < 0) {
        /* A free slot, else an expired one, else the LRU entry. */
        for (i = 0; i < WAYS && w < 0; i++) {
            if (s->slot[i].len == 0) {
                w = i;
            }
        }
        for (i = 0; i < WAYS && w < 0; i++) {
            if (s->slot[i].until <= now) {
                w = i;
            }
        }
        if (w < 0) {
            w = 0;
            for (i = 1; i < WAYS; i++) {
                if (s->slot[i].stamp < s->slot[w].stamp) {
                    w = i;
                }
            }
            evict = 1;
        }
    }
    sl = &s->slot[w];

    if (sl->cap < len) {
        /* Leave the slot as it was if this fails. */
        nb = malloc(len);
        if (nb == NULL) {
            pthread_mutex_unlock(&st->mu);
            return 0;
        }
        free(sl->buf);
        st->bytes = st->bytes - sl->cap + len;
        sl->buf = nb;
        sl->cap = len;
    }
    if (sl->len == 0) {
        st->used++;
    }
    memcpy(sl->buf, blob, len);
    memcpy(sl->key, key, JWTSSO_VCACHE_KEY_LEN);
    s->tag[w] = tag;
    sl->len = len;
    sl->until = until;
    sl->stamp = ++st->tick;
    st->stores++;
    if (evict) {
        st->evictions++;
    }
    pthread_mutex_unlock(&st->mu);
    return 1;
}

void jwtsso_vcache_stats(jwtsso_vcache_t *c, jwtsso_vcache_stats_t *out)
{
    stripe_body_t *st;
    size_t i;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < c->nstripes; i++) {
        st = &c->stripes[i].s;
        pthread_mutex_lock(&st->mu);
        out->hits += st->hits;
        out->misses += st->misses;
        out->stores += st->stores;
        out->evictions += st->evictions;
        out->used += st->used;
        out->bytes += st->bytes;
        pthread_mutex_unlock(&st->mu);
    }
}
