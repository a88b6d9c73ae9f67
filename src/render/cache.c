/*
 * cache.c - the page cache: an open hash table of path -> page.
 *
 * Entries also form a FIFO list in insertion order for eviction. The table
 * doubles when 3/4 full. A read-write lock lets worker threads look up in
 * parallel; inserts and clears are rare (one per cache miss or edit).
 */
#include "render/cache.h"

#include "core/nocache.h"

#include "core/xalloc.h"
#include "core/page.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    char *key;
    size_t key_len;
    uint64_t hash;
    struct page *page;
    struct entry *older, *newer; /* FIFO for eviction */
};

struct page_cache {
    pthread_rwlock_t lock;
    struct entry **slots; /* NULL, TOMB, or an entry */
    size_t cap, used, live;
    size_t bytes, max_bytes;
    uint64_t gen;
    struct entry *oldest, *newest;
    atomic_ullong hits, misses; /* for /metrics */
    uint64_t evictions;         /* under the write lock */
};

static struct entry tomb_entry;
#define TOMB (&tomb_entry)

static uint64_t hash_key(struct str k)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < k.len; i++) {
        h ^= (unsigned char)k.ptr[i];
        h *= 1099511628211ull;
    }
    return h;
}

struct page_cache *cache_new(size_t max_bytes)
{
    struct page_cache *c = xcalloc(1, sizeof(*c));
    pthread_rwlock_init(&c->lock, NULL);
    c->cap = 1024;
    c->slots = xcalloc(c->cap, sizeof(*c->slots));
    c->max_bytes = max_bytes;
    return c;
}

static void entry_free(struct entry *e)
{
    page_unref(e->page);
    free(e->key);
    free(e);
}

static void clear_locked(struct page_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        if (c->slots[i] && c->slots[i] != TOMB)
            entry_free(c->slots[i]);
        c->slots[i] = NULL;
    }
    c->used = c->live = c->bytes = 0;
    c->oldest = c->newest = NULL;
    c->gen++;
}

void cache_free(struct page_cache *c)
{
    if (!c)
        return;
    clear_locked(c);
    free(c->slots);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

/* find returns the slot holding key, or the slot where it would go. */
static size_t find(const struct page_cache *c, struct str key, uint64_t h,
                   bool *found)
{
    size_t mask = c->cap - 1, i = h & mask, insert = SIZE_MAX;
    for (;; i = (i + 1) & mask) {
        struct entry *e = c->slots[i];
        if (!e) {
            *found = false;
            return insert != SIZE_MAX ? insert : i;
        }
        if (e == TOMB) {
            if (insert == SIZE_MAX)
                insert = i;
            continue;
        }
        if (e->hash == h && e->key_len == key.len &&
            memcmp(e->key, key.ptr, key.len) == 0) {
            *found = true;
            return i;
        }
    }
}

struct page *cache_get(struct page_cache *c, struct str key)
{
    if (nocache_on())
        return NULL;
    uint64_t h = hash_key(key);
    bool found;
    struct page *p = NULL;
    pthread_rwlock_rdlock(&c->lock);
    size_t i = find(c, key, h, &found);
    if (found) {
        p = c->slots[i]->page;
        if (page_expired(p))
            p = NULL; /* the next render replaces it */
        else
            page_ref(p);
    }
    pthread_rwlock_unlock(&c->lock);
    atomic_fetch_add(p ? &c->hits : &c->misses, 1);
    return p;
}

uint64_t cache_generation(struct page_cache *c)
{
    /* QUIRE_NO_CACHE: a new generation per render, so what follows it
     * (side.c's snapshot, origin.c's base_url) is read afresh too. */
    bool off = nocache_on();
    if (off)
        pthread_rwlock_wrlock(&c->lock);
    else
        pthread_rwlock_rdlock(&c->lock);
    uint64_t g = off ? ++c->gen : c->gen;
    pthread_rwlock_unlock(&c->lock);
    return g;
}

static void unlink_entry(struct page_cache *c, struct entry *e)
{
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    c->bytes -= page_bytes(e->page) + e->key_len;
    c->live--;
}

static void remove_slot(struct page_cache *c, size_t i)
{
    struct entry *e = c->slots[i];
    unlink_entry(c, e);
    c->slots[i] = TOMB;
    entry_free(e);
}

/* rehash moves live entries into a table of cap slots, dropping tombstones. */
static void rehash(struct page_cache *c, size_t cap)
{
    size_t old_cap = c->cap;
    struct entry **old = c->slots;
    c->cap = cap;
    c->slots = xcalloc(c->cap, sizeof(*c->slots));
    c->used = 0;
    for (size_t i = 0; i < old_cap; i++) {
        struct entry *e = old[i];
        if (!e || e == TOMB)
            continue;
        size_t j = e->hash & (c->cap - 1);
        while (c->slots[j])
            j = (j + 1) & (c->cap - 1);
        c->slots[j] = e;
        c->used++;
    }
    free(old);
}

void cache_put(struct page_cache *c, struct str key, struct page *p,
               uint64_t gen)
{
    uint64_t h = hash_key(key);
    if (p->len + key.len > c->max_bytes || nocache_on())
        return;
    (void)page_etag(p); /* now, while p is still the caller's alone */
    /*
     * The gzip and brotli variants are made here, once per render, on the
     * miss that rendered the page and before it is shared: every later hit
     * only picks a buffer (no per-hit compression, no lock, no copy). Doing
     * it lazily on the first hit that asks would need a write to a shared
     * page under a lock; the miss already pays for a render, which costs
     * more than both encodings. The budget counts them (page_bytes).
     */
    page_compress(p);
    size_t cost = page_bytes(p) + key.len;
    if (cost > c->max_bytes)
        return;
    pthread_rwlock_wrlock(&c->lock);
    if (gen != c->gen)
        goto out;
    bool found;
    size_t i = find(c, key, h, &found);
    if (found)
        remove_slot(c, i);
    while (c->bytes + cost > c->max_bytes && c->oldest) {
        bool f;
        struct entry *o = c->oldest;
        c->evictions++;
        remove_slot(c, find(c, (struct str){o->key, o->key_len}, o->hash, &f));
    }
    if ((c->used + 1) * 4 > c->cap * 3) {
        /* Grow only if live entries need it; else just drop tombstones. */
        rehash(c, (c->live + 1) * 2 > c->cap ? c->cap * 2 : c->cap);
    }
    i = find(c, key, h, &found);
    struct entry *e = xcalloc(1, sizeof(*e));
    e->key = xstrndup(key.ptr, key.len);
    e->key_len = key.len;
    e->hash = h;
    e->page = p;
    page_ref(p);
    if (c->slots[i] != TOMB)
        c->used++;
    c->slots[i] = e;
    e->older = c->newest;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
    c->bytes += cost;
    c->live++;
out:
    pthread_rwlock_unlock(&c->lock);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* shows_any: does the page depend on any of the sorted deps? */
static bool shows_any(const struct page *p, const uint64_t *deps, size_t n)
{
    if (p->n_deps == 0 || p->deps_all)
        return true;
    for (unsigned i = 0; i < p->n_deps; i++)
        if (bsearch(&p->deps[i], deps, n, sizeof(*deps), cmp_u64))
            return true;
    return false;
}

void cache_invalidate(struct page_cache *c, const uint64_t *deps, size_t n)
{
    uint64_t *sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
    memcpy(sorted, deps, n * sizeof(*sorted));
    if (n > 1) /* qsort wants a non-NULL base, even for none */
        qsort(sorted, n, sizeof(*sorted), cmp_u64);
    pthread_rwlock_wrlock(&c->lock);
    for (size_t i = 0; i < c->cap; i++) {
        struct entry *e = c->slots[i];
        if (e && e != TOMB && shows_any(e->page, sorted, n))
            remove_slot(c, i);
    }
    c->gen++; /* a render that began before this may show the old data */
    pthread_rwlock_unlock(&c->lock);
    free(sorted);
}

void cache_clear(struct page_cache *c)
{
    pthread_rwlock_wrlock(&c->lock);
    clear_locked(c);
    pthread_rwlock_unlock(&c->lock);
}

void cache_stats(struct page_cache *c, size_t *pages, size_t *bytes)
{
    pthread_rwlock_rdlock(&c->lock);
    *pages = c->live;
    *bytes = c->bytes;
    pthread_rwlock_unlock(&c->lock);
}

void cache_counts(struct page_cache *c, uint64_t *hits, uint64_t *misses,
                  uint64_t *evictions)
{
    pthread_rwlock_rdlock(&c->lock);
    *evictions = c->evictions;
    pthread_rwlock_unlock(&c->lock);
    *hits = atomic_load(&c->hits);
    *misses = atomic_load(&c->misses);
}
