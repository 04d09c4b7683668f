/*
 * vcache.h - a small bounded per-process cache of verified tokens.
 *
 * Checking an RS256/ES256 signature is a public-key operation; the same
 * token is presented again and again until it expires. The glue
 * keys this cache with a hash of a policy identity and the whole token and
 * stores what a later request needs (user, claims) as an opaque blob. An
 * entry is valid until an absolute time the glue gives (the token's own
 * exp, never later) and is never returned at or after it.
 *
 * The cache is an object the caller creates (the core keeps no globals),
 * shared by all the threads of a process: set-associative, one mutex per
 * stripe of sets, memory bounded by entries x (slot + max_blob). Create it
 * after fork (in httpd, at child init), so no child inherits a lock held
 * by another thread.
 */
#ifndef JWTSSO_VCACHE_H
#define JWTSSO_VCACHE_H

#include <stddef.h>

typedef struct jwtsso_vcache jwtsso_vcache_t;

/* The length of a key: a SHA-256 output. */
#define JWTSSO_VCACHE_KEY_LEN 32

/* The number of entries of a set (the cache's associativity). */
#define JWTSSO_VCACHE_WAYS 8

/* A cache of at most `entries` verified tokens (rounded up to a power of
 * two, at least 16), each blob at most max_blob bytes (larger blobs are
 * not cached). Returns NULL on allocation failure or entries == 0 (or an
 * entries count too large to round up). Blob buffers are allocated as
 * entries are stored, not here: a new cache holds only its slots (about
 * 80 bytes an entry) and its locks. */
jwtsso_vcache_t *jwtsso_vcache_new(size_t entries, size_t max_blob);

/* Free the cache and every blob it holds. NULL is fine. No other thread
 * may be using it. */
void jwtsso_vcache_free(jwtsso_vcache_t *c);

/* The number of entries the cache holds at most (entries as rounded by
 * jwtsso_vcache_new). */
size_t jwtsso_vcache_capacity(const jwtsso_vcache_t *c);

/* Look key (JWTSSO_VCACHE_KEY_LEN bytes) up at time now (Unix seconds).
 * On a hit (an entry with this key whose `until` is > now) copies the blob
 * into memory got from alloc(ctx, len) (the caller's pool allocator; if it
 * returns NULL, a miss), sets *blob and *len, and returns 1; the entry
 * becomes the most recently used of its set. Otherwise returns 0 and
 * leaves *blob and *len alone. An expired entry found is dropped (its
 * buffer freed). The key is compared in full.
 *
 * alloc is called with the lock of the key's stripe held: it must be
 * quick (a pool allocation) and must not call into this cache. */
int jwtsso_vcache_get(jwtsso_vcache_t *c, const unsigned char *key,
                      long long now,
                      void *(*alloc)(void *ctx, size_t len), void *ctx,
                      void **blob, size_t *len);

/* Store blob (len bytes, copied) under key until `until` (exclusive: valid
 * while now < until). Replaces an entry with the same key; otherwise takes
 * a free or expired slot of the key's set, else evicts the set's least
 * recently used entry (the one stored or hit longest ago; this keeps a
 * token in use however near its exp, against a flood of new ones). Does
 * nothing when len > max_blob, len == 0, until <= now (then an entry with
 * the same key is kept as it was). The slot's buffer is reused when big
 * enough, else replaced with one of len bytes. Returns 1 if stored, 0 if
 * not (malloc failing included). */
int jwtsso_vcache_put(jwtsso_vcache_t *c, const unsigned char *key,
                      long long now, long long until,
                      const void *blob, size_t len);

/* Counters for tests and a status line. hits and misses count gets (a
 * get finding an expired entry, or whose alloc fails, is a miss); stores
 * counts puts that stored; evictions counts live entries pushed out by a
 * put of another key (taking an expired slot is no eviction). used is the
 * number of entries held (expired ones not yet dropped included), bytes
 * the bytes of blob buffers allocated: used <= capacity and
 * bytes <= capacity x max_blob always. Summed stripe by stripe, each under
 * its lock: exact when no other thread is using the cache, approximate
 * otherwise. */
typedef struct {
    unsigned long long hits, misses, stores, evictions;
    size_t used;
    size_t bytes;
} jwtsso_vcache_stats_t;
void jwtsso_vcache_stats(jwtsso_vcache_t *c, jwtsso_vcache_stats_t *out);

#endif /* JWTSSO_VCACHE_H */
