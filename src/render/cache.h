/*
 * cache.h - rendered public pages kept in memory, keyed by path.
 *
 * A hit returns a referenced struct page without touching SQLite or the
 * templates. A content change drops the pages that show what changed
 * (cache_invalidate, by the deps each page lists) or all of them
 * (cache_clear); a render that started before either is not stored (the
 * generation guard), so a stale page cannot slip back in. A page past its
 * expiry time is a miss. Thread-safe; lookups take a read lock.
 * Above max_bytes the oldest pages are evicted first: dropped, or, with a
 * disk tier (cache_spill_to), written to disk by a background thread and
 * read back on a hit. The same thread makes gzip and brotli variants for
 * pages clients want compressed (cache_want_compressed).
 */
#ifndef QUIRE_CACHE_H
#define QUIRE_CACHE_H

#include "core/str.h"

#include <stddef.h>
#include <stdint.h>

struct page;
struct page_cache;

struct page_cache *cache_new(size_t max_bytes);
/*
 * cache_spill_to gives c a disk tier of up to max_bytes in unnamed files
 * in dir (none: dir NULL or "", or max_bytes 0). -1 with errno if dir
 * cannot hold one.
 */
int cache_spill_to(struct page_cache *c, const char *dir, size_t max_bytes);
/* cache_free stops the background thread and frees all (files too). */
void cache_free(struct page_cache *c);

/* cache_get returns a new reference to the page at key, or NULL. */
struct page *cache_get(struct page_cache *c, struct str key);
/* cache_generation is read before rendering and handed to cache_put. */
uint64_t cache_generation(struct page_cache *c);
/* cache_put stores p under key (taking a reference) unless cleared since gen.
 */
void cache_put(struct page_cache *c, struct str key, struct page *p,
               uint64_t gen);
/*
 * cache_invalidate drops every page that depends on one of the n hashed
 * change-log names in deps (page_dep_hash), or on everything.
 */
void cache_invalidate(struct page_cache *c, const uint64_t *deps, size_t n);
/* cache_clear drops every page (in-flight sends keep their references). */
void cache_clear(struct page_cache *c);
/*
 * cache_want_compressed asks for gzip and brotli variants of p, cached
 * under key, if it has none and is worth it (compress_worth): made in the
 * background, once; p goes out as it is until then.
 */
void cache_want_compressed(struct page_cache *c, struct str key,
                           struct page *p);
/* cache_settle waits until the background thread has nothing left to do
 * (for tests). */
void cache_settle(struct page_cache *c);
/* cache_stats reports the number of pages in memory and their bytes. */
void cache_stats(struct page_cache *c, size_t *pages, size_t *bytes);
/* cache_disk_stats: pages on disk and the bytes of the files (with what
 * dropped pages left there until their file goes). */
void cache_disk_stats(struct page_cache *c, size_t *pages, size_t *file_bytes);
/* cache_counts: lookups that hit (of them, read back from disk) and
 * missed, pages evicted from memory for room. */
void cache_counts(struct page_cache *c, uint64_t *hits, uint64_t *misses,
                  uint64_t *evictions, uint64_t *disk_hits);

#endif
