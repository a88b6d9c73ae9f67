/*
 * cache.c - the page cache: an open hash table of path -> page, in memory
 * and, past its memory budget, on disk.
 *
 * Entries in memory ("hot") also form a FIFO list in insertion order for
 * eviction. The table doubles when 3/4 full. A read-write lock lets worker
 * threads look up in parallel; inserts and clears are rare (one per cache
 * miss or edit).
 *
 * One background thread (quire-cache, at nice 10) does what a request must
 * not wait for:
 * - spills: a page evicted from memory is appended to a slab file on disk
 *   and stays in the table as a "cold" entry (its shell: metadata, no
 *   bytes). Until written it stays "pending": out of the FIFO and the
 *   byte count (the spill queue's bound holds it), still served from
 *   memory, so no reader renders a page that is on its way to disk. A hit on it
 * reads the bytes back (one preadv, from the kernel's page cache when warm)
 * instead of rendering, which is what lets a whole archive be served at about
 * the cost of static files while the process keeps only max_bytes of pages. Two
 * slabs of disk_max/2 each: when the newer is full the older goes, with its
 * entries (a log-structured cache).
 * - compression: a page a client wants in gzip or brotli and that has no
 *   variants yet gets them here (cache_want_compressed), never on the
 *   request's path; until then it goes out as it is.
 * An invalidation removes pending entries like any other, and a spill
 * whose entry is gone (or no longer the same page) is dropped; a render
 * begun before an invalidation is dropped by the generation guard.
 */
#include "render/cache.h"

#include "render/slab.h"

#include "core/log.h"
#include "core/nocache.h"
#include "core/page.h"
#include "core/priority.h"
#include "core/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    char *key;
    size_t key_len;
    uint64_t hash;
    struct page *page; /* hot: the page; cold: its shell (page_shell) */
    struct slab *slab; /* cold: the slab holding its bytes; hot: NULL */
    uint64_t off;      /* cold: where bytes, gz, br follow one another */
    size_t cost;       /* what it counts against its budget */
    struct entry *older, *newer; /* hot: FIFO for eviction */
    bool pending; /* evicted, its spill queued: page held, not in FIFO */
};

/* Work for the background thread: a page to spill or a key to compress. */
struct job {
    struct job *next;
    char *key;
    size_t key_len;
    uint64_t hash;
    struct page *page; /* spill: the evicted page (a reference) */
};

struct queue {
    struct job *head, *tail;
    size_t n, bytes;
};

#define ZIP_QUEUE_MAX 1024         /* keys waiting for compression */
#define SPILL_QUEUE_MIN (1u << 20) /* bytes of evicted pages waiting */
#define COLD_MIN (4u << 20)        /* cold entries' memory, at least */

struct page_cache {
    pthread_rwlock_t lock;
    struct entry **slots; /* NULL, TOMB, or an entry */
    size_t cap, used, live;
    size_t bytes, max_bytes;
    uint64_t gen;
    struct entry *oldest, *newest;
    atomic_ullong hits, misses, disk_hits; /* for /metrics */
    uint64_t evictions;                    /* under the write lock */
    /* The disk tier, under the write lock (cur->size too). */
    char *disk_dir; /* NULL: evicted pages are dropped */
    size_t disk_max;
    struct slab *cur, *prev;
    size_t cold; /* entries on disk (of live) */
    /* What the cold entries take in memory (cold_cost), at most
     * cold_max (max_bytes, or COLD_MIN if more): past it the older slab
     * goes with its entries. A million-article archive's would take 40 MB
     * of a full 1 GB tier, five times the pages' own budget; 15,000
     * articles take 6. */
    size_t cold_mem, cold_max;
    /* The background thread and its queues, under qlock. */
    pthread_mutex_t qlock;
    pthread_cond_t qwake, qidle;
    struct queue spill, zip;
    size_t spill_max;
    bool worker_on, stopping, busy;
    pthread_t worker;
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
    pthread_mutex_init(&c->qlock, NULL);
    pthread_cond_init(&c->qwake, NULL);
    pthread_cond_init(&c->qidle, NULL);
    c->spill_max = max_bytes / 8 > SPILL_QUEUE_MIN ? max_bytes / 8
                                                   : SPILL_QUEUE_MIN;
    c->cold_max = max_bytes > COLD_MIN ? max_bytes : COLD_MIN;
    return c;
}

int cache_spill_to(struct page_cache *c, const char *dir, size_t max_bytes)
{
    if (!dir || !dir[0] || max_bytes == 0 || c->max_bytes == 0)
        return 0;
    struct slab *s = slab_open(dir); /* here, so a bad folder shows now */
    if (!s)
        return -1;
    pthread_rwlock_wrlock(&c->lock);
    free(c->disk_dir);
    c->disk_dir = xstrdup(dir);
    c->disk_max = max_bytes;
    slab_unref(c->cur);
    c->cur = s;
    pthread_rwlock_unlock(&c->lock);
    return 0;
}

static void job_free(struct job *j)
{
    page_unref(j->page);
    free(j->key);
    free(j);
}

static void queue_push(struct queue *q, struct job *j, size_t bytes)
{
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->n++;
    q->bytes += bytes;
}

static struct job *queue_pop(struct queue *q)
{
    struct job *j = q->head;
    if (!j)
        return NULL;
    q->head = j->next;
    if (!q->head)
        q->tail = NULL;
    q->n--;
    q->bytes -= j->page ? page_bytes(j->page) : 0;
    return j;
}

static void queue_drop(struct queue *q)
{
    struct job *j;
    while ((j = queue_pop(q)))
        job_free(j);
}

static void entry_free(struct entry *e)
{
    page_unref(e->page);
    slab_unref(e->slab);
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
    c->used = c->live = c->bytes = c->cold = c->cold_mem = 0;
    c->oldest = c->newest = NULL;
    c->gen++;
    /* The files go too (when in-flight reads and writes let go of them),
     * so a clear gives the disk back; the next spill starts a new one. */
    slab_unref(c->prev);
    slab_unref(c->cur);
    c->prev = c->cur = NULL;
}

void cache_free(struct page_cache *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->qlock);
    c->stopping = true;
    pthread_cond_signal(&c->qwake);
    pthread_mutex_unlock(&c->qlock);
    if (c->worker_on)
        pthread_join(c->worker, NULL);
    queue_drop(&c->spill);
    queue_drop(&c->zip);
    clear_locked(c);
    free(c->disk_dir);
    free(c->slots);
    pthread_rwlock_destroy(&c->lock);
    pthread_mutex_destroy(&c->qlock);
    pthread_cond_destroy(&c->qwake);
    pthread_cond_destroy(&c->qidle);
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

/*
 * thaw reads a cold page's bytes back: one preadv of the body and its
 * variants, which follow one another in the slab. NULL if the read fails
 * (the caller renders).
 */
static struct page *thaw(struct page *shell, struct slab *s, uint64_t off)
{
    const struct page_variants *v = page_variants(shell);
    size_t gz_len = v ? v->gz_len : 0, br_len = v ? v->br_len : 0;
    char *bytes = xmalloc(shell->len ? shell->len : 1);
    char *gz = gz_len ? xmalloc(gz_len) : NULL;
    char *br = br_len ? xmalloc(br_len) : NULL;
    struct iovec iov[3];
    int n = 0;
    if (shell->len)
        iov[n++] = (struct iovec){bytes, shell->len};
    if (gz)
        iov[n++] = (struct iovec){gz, gz_len};
    if (br)
        iov[n++] = (struct iovec){br, br_len};
    if (n && slab_read(s, off, iov, n) != 0) {
        log_warn("page cache: reading a page back from disk: %s",
                 strerror(errno));
        free(bytes);
        free(gz);
        free(br);
        page_outgrown(shell); /* the next lookup misses and renders it */
        return NULL;
    }
    return page_thaw(shell, bytes, gz, br);
}

struct page *cache_get(struct page_cache *c, struct str key)
{
    if (nocache_on())
        return NULL;
    uint64_t h = hash_key(key);
    bool found;
    struct page *p = NULL;
    struct slab *slab = NULL;
    uint64_t off = 0;
    pthread_rwlock_rdlock(&c->lock);
    size_t i = find(c, key, h, &found);
    if (found) {
        struct entry *e = c->slots[i];
        p = e->page;
        if (page_expired(p)) {
            p = NULL; /* the next render replaces it */
        } else {
            page_ref(p);
            if ((slab = e->slab)) {
                slab_ref(slab);
                off = e->off;
            }
        }
    }
    pthread_rwlock_unlock(&c->lock);
    if (slab) { /* cold: read outside the lock */
        struct page *shell = p;
        p = thaw(shell, slab, off);
        page_unref(shell);
        slab_unref(slab);
        if (p)
            atomic_fetch_add(&c->disk_hits, 1);
    }
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

/* cold_cost: the memory a cold entry takes (its entry, key and shell). */
static size_t cold_cost(const struct entry *e)
{
    return sizeof(*e) + e->key_len + 1 + page_meta_bytes(e->page);
}

/* unlink_entry takes e out of the FIFO (hot) and out of the counts. */
static void unlink_entry(struct page_cache *c, struct entry *e)
{
    if (e->slab || e->pending) {
        c->cold -= e->slab != NULL;
        c->cold_mem -= e->slab ? cold_cost(e) : 0;
        c->live--;
        e->pending = false;
        return;
    }
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    c->bytes -= e->cost;
    c->live--;
}

/* take_slot empties slot i and returns its entry, still to be freed. */
static struct entry *take_slot(struct page_cache *c, size_t i)
{
    struct entry *e = c->slots[i];
    unlink_entry(c, e);
    c->slots[i] = TOMB;
    return e;
}

static void remove_slot(struct page_cache *c, size_t i)
{
    entry_free(take_slot(c, i));
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

/* fifo_push counts hot entry e in, as the newest (unlink_entry undoes). */
static void fifo_push(struct page_cache *c, struct entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
    c->bytes += e->cost;
    c->live++;
}

/* insert puts e (key and hash set) into the free slot for its key. */
static void insert(struct page_cache *c, struct entry *e)
{
    if ((c->used + 1) * 4 > c->cap * 3) {
        /* Grow only if live entries need it; else just drop tombstones. */
        rehash(c, (c->live + 1) * 2 > c->cap ? c->cap * 2 : c->cap);
    }
    bool found;
    size_t i = find(c, (struct str){e->key, e->key_len}, e->hash, &found);
    if (c->slots[i] != TOMB)
        c->used++;
    c->slots[i] = e;
    if (e->slab) {
        c->live++;
        c->cold++;
        c->cold_mem += cold_cost(e);
        return;
    }
    fifo_push(c, e);
}

/*
 * make_room evicts the oldest hot pages until cost more fits. With a disk
 * tier each becomes pending, with a spill job on *out (queued after the
 * lock is let go); without, it is dropped.
 */
static void make_room(struct page_cache *c, size_t cost, struct job **out)
{
    while (c->bytes + cost > c->max_bytes && c->oldest) {
        bool f;
        struct entry *e = c->oldest;
        c->evictions++;
        size_t i = find(c, (struct str){e->key, e->key_len}, e->hash, &f);
        if (!c->disk_dir || e->page->len == 0 || e->page->expires ||
            atomic_load(&e->page->outgrown)) {
            remove_slot(c, i);
            continue;
        }
        unlink_entry(c, e); /* out of the FIFO; back in as pending */
        e->pending = true;
        c->live++;
        struct job *j = xcalloc(1, sizeof(*j));
        j->key = xstrndup(e->key, e->key_len);
        j->key_len = e->key_len;
        j->hash = e->hash;
        j->page = e->page;
        page_ref(j->page);
        j->next = *out;
        *out = j;
    }
}

/* forget_pending_locked removes the pending entry j was queued for, if it
 * is still there: its spill will not happen. */
static void forget_pending_locked(struct page_cache *c, const struct job *j)
{
    bool found;
    size_t i = find(c, (struct str){j->key, j->key_len}, j->hash, &found);
    if (found && c->slots[i]->pending && c->slots[i]->page == j->page)
        remove_slot(c, i);
}

static void *worker(void *arg);

/* enqueue hands jobs to the background thread, starting it the first
 * time; zip: compression jobs (else spills). Over a queue's bound a job is
 * dropped: a spill is then forgotten, a compression asked again later. */
static void enqueue(struct page_cache *c, struct job *jobs, bool zip)
{
    if (!jobs)
        return;
    struct job *dropped = NULL;
    pthread_mutex_lock(&c->qlock);
    if (!c->worker_on && !c->stopping) {
        c->worker_on = pthread_create(&c->worker, NULL, worker, c) == 0;
        if (!c->worker_on)
            log_warn("page cache: cannot start its background thread");
    }
    while (jobs) {
        struct job *j = jobs;
        jobs = j->next;
        struct queue *q = zip ? &c->zip : &c->spill;
        size_t b = j->page ? page_bytes(j->page) : 0;
        if (!c->worker_on || c->stopping ||
            (zip ? q->n >= ZIP_QUEUE_MAX : q->bytes + b > c->spill_max)) {
            j->next = dropped;
            dropped = j;
            continue;
        }
        queue_push(q, j, b);
    }
    pthread_cond_signal(&c->qwake);
    pthread_mutex_unlock(&c->qlock);
    if (!dropped)
        return;
    if (!zip) /* their pages leave memory now, unwritten */
        pthread_rwlock_wrlock(&c->lock);
    while (dropped) {
        struct job *j = dropped;
        dropped = j->next;
        if (!zip)
            forget_pending_locked(c, j);
        job_free(j);
    }
    if (!zip)
        pthread_rwlock_unlock(&c->lock);
}

void cache_put(struct page_cache *c, struct str key, struct page *p,
               uint64_t gen)
{
    uint64_t h = hash_key(key);
    if (p->len + key.len > c->max_bytes || nocache_on())
        return;
    (void)page_etag(p); /* now, while p is still the caller's alone */
    size_t cost = page_bytes(p) + key.len;
    if (cost > c->max_bytes)
        return;
    struct job *spills = NULL;
    pthread_rwlock_wrlock(&c->lock);
    if (gen != c->gen)
        goto out;
    bool found;
    size_t i = find(c, key, h, &found);
    if (found)
        remove_slot(c, i);
    make_room(c, cost, &spills);
    struct entry *e = xcalloc(1, sizeof(*e));
    e->key = xstrndup(key.ptr, key.len);
    e->key_len = key.len;
    e->hash = h;
    e->page = p;
    e->cost = cost;
    page_ref(p);
    insert(c, e);
out:
    pthread_rwlock_unlock(&c->lock);
    enqueue(c, spills, false);
}

void cache_want_compressed(struct page_cache *c, struct str key, struct page *p)
{
    if (page_variants(p) || !page_compressible(p) ||
        atomic_exchange(&p->zip_asked, true))
        return;
    struct job *j = xcalloc(1, sizeof(*j));
    j->key = xstrndup(key.ptr, key.len);
    j->key_len = key.len;
    j->hash = hash_key(key);
    enqueue(c, j, true);
}

/* rotate_locked starts a new slab when cur cannot take n more bytes, or
 * the cold entries take cold_max of memory: the older one goes, with the
 * pages it held. false: no slab to write to. */
static bool rotate_locked(struct page_cache *c, size_t n)
{
    size_t half = c->disk_max / 2;
    if (n > half)
        return false;
    if (c->cur && c->cur->size + n <= half && c->cold_mem < c->cold_max)
        return true;
    struct slab *s = slab_open(c->disk_dir);
    if (!s) {
        log_warn("page cache: cannot make a file in %s (%s): pages evicted "
                 "from memory are dropped",
                 c->disk_dir, strerror(errno));
        free(c->disk_dir);
        c->disk_dir = NULL;
        return false;
    }
    if (c->prev) {
        for (size_t i = 0; i < c->cap; i++) {
            struct entry *e = c->slots[i];
            if (e && e != TOMB && e->slab == c->prev)
                remove_slot(c, i);
        }
        slab_unref(c->prev);
    }
    c->prev = c->cur;
    c->cur = s;
    return true;
}

/* spill writes an evicted page to the current slab and lists it cold. */
static void spill(struct page_cache *c, struct job *j)
{
    struct page *p = j->page;
    const struct page_variants *v = page_variants(p);
    struct iovec iov[3];
    int n = 0;
    size_t total = 0;
    iov[n++] = (struct iovec){p->bytes, p->len};
    if (v && v->gz)
        iov[n++] = (struct iovec){v->gz, v->gz_len};
    if (v && v->br)
        iov[n++] = (struct iovec){v->br, v->br_len};
    for (int k = 0; k < n; k++)
        total += iov[k].iov_len;

    struct slab *s = NULL;
    pthread_rwlock_wrlock(&c->lock);
    bool found;
    size_t i = find(c, (struct str){j->key, j->key_len}, j->hash, &found);
    if (!found || !c->slots[i]->pending || c->slots[i]->page != p)
        goto out; /* invalidated, cleared or rendered again since */
    if (!c->disk_dir || !rotate_locked(c, total)) {
        forget_pending_locked(c, j);
        goto out;
    }
    s = c->cur;
    uint64_t off = s->size;
    s->size += total;
    slab_ref(s);
    pthread_rwlock_unlock(&c->lock);

    int rc = slab_write(s, off, iov, n);
    if (rc != 0)
        log_warn("page cache: writing a page to disk: %s", strerror(errno));
    pthread_rwlock_wrlock(&c->lock);
    i = find(c, (struct str){j->key, j->key_len}, j->hash, &found);
    struct entry *e = found ? c->slots[i] : NULL;
    if (!e || !e->pending || e->page != p) {
        /* gone or replaced meanwhile: the bytes written stay unread */
    } else if (rc != 0 || (s != c->cur && s != c->prev)) {
        remove_slot(c, i); /* not on disk (or its slab already went) */
    } else {               /* pending -> cold: its shell stays, the bytes go */
        unlink_entry(c, e);
        e->page = page_shell(p);
        page_unref(p); /* the entry's reference; the job keeps its own */
        e->slab = s;
        slab_ref(s);
        e->off = off;
        e->cost = total;
        c->live++;
        c->cold++;
        c->cold_mem += cold_cost(e);
    }
out:
    pthread_rwlock_unlock(&c->lock);
    slab_unref(s);
}

/*
 * compress gives the page under j's key its variants, counting them. A
 * cold page without them (spilled before a client asked) is read back,
 * compressed and put back in memory, from where it spills again with them.
 */
static void compress(struct page_cache *c, struct job *j)
{
    struct str key = {j->key, j->key_len};
    bool found;
    struct page *p = NULL, *shell = NULL;
    struct slab *slab = NULL;
    uint64_t off = 0, gen;
    pthread_rwlock_rdlock(&c->lock);
    size_t i = find(c, key, j->hash, &found);
    if (found) {
        p = c->slots[i]->page;
        page_ref(p);
        if ((slab = c->slots[i]->slab)) {
            slab_ref(slab);
            off = c->slots[i]->off;
        }
    }
    gen = c->gen;
    pthread_rwlock_unlock(&c->lock);
    if (!p)
        return; /* gone: asked again when rendered again */
    if (slab) {
        shell = p;
        p = page_variants(shell) ? NULL : thaw(shell, slab, off);
        slab_unref(slab);
        if (!p) {
            page_unref(shell);
            return;
        }
    }
    size_t added = page_compress(p);
    struct job *spills = NULL;
    if (added) {
        pthread_rwlock_wrlock(&c->lock);
        i = find(c, key, j->hash, &found);
        struct entry *e = found ? c->slots[i] : NULL;
        if (e && shell && e->page == shell && gen == c->gen) {
            /* The cold entry becomes a hot one holding p. */
            remove_slot(c, i);
            e = xcalloc(1, sizeof(*e));
            e->key = xstrndup(key.ptr, key.len);
            e->key_len = key.len;
            e->hash = j->hash;
            e->page = p;
            e->cost = page_bytes(p) + key.len;
            page_ref(p);
            make_room(c, e->cost, &spills);
            insert(c, e);
        } else if (e && !shell && e->page == p) {
            /* Counted from now, as if it came in now: it may evict others
             * (or, in a tiny cache, go itself next time). */
            unlink_entry(c, e);
            e->cost += added;
            make_room(c, e->cost, &spills);
            fifo_push(c, e);
        }
        pthread_rwlock_unlock(&c->lock);
    }
    page_unref(shell);
    page_unref(p);
    enqueue(c, spills, false);
}

static void *worker(void *arg)
{
    struct page_cache *c = arg;
    thread_background("quire-cache");
    pthread_mutex_lock(&c->qlock);
    while (!c->stopping) {
        /* Spills first: they hold evicted pages' memory until written. */
        struct job *j = queue_pop(&c->spill);
        bool zip = !j;
        if (!j)
            j = queue_pop(&c->zip);
        if (!j) {
            c->busy = false;
            pthread_cond_broadcast(&c->qidle);
            pthread_cond_wait(&c->qwake, &c->qlock);
            continue;
        }
        c->busy = true;
        pthread_mutex_unlock(&c->qlock);
        if (zip)
            compress(c, j);
        else
            spill(c, j);
        job_free(j);
        pthread_mutex_lock(&c->qlock);
    }
    c->busy = false;
    pthread_cond_broadcast(&c->qidle);
    pthread_mutex_unlock(&c->qlock);
    return NULL;
}

void cache_settle(struct page_cache *c)
{
    pthread_mutex_lock(&c->qlock);
    while (c->worker_on && !c->stopping &&
           (c->busy || c->spill.head || c->zip.head))
        pthread_cond_wait(&c->qidle, &c->qlock);
    pthread_mutex_unlock(&c->qlock);
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
    c->gen++; /* a render or spill begun before this may show old data */
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
    *pages = c->live - c->cold;
    *bytes = c->bytes;
    pthread_rwlock_unlock(&c->lock);
}

void cache_disk_stats(struct page_cache *c, size_t *pages, size_t *file_bytes)
{
    pthread_rwlock_rdlock(&c->lock);
    *pages = c->cold;
    *file_bytes = (c->cur ? c->cur->size : 0) + (c->prev ? c->prev->size : 0);
    pthread_rwlock_unlock(&c->lock);
}

void cache_counts(struct page_cache *c, uint64_t *hits, uint64_t *misses,
                  uint64_t *evictions, uint64_t *disk_hits)
{
    pthread_rwlock_rdlock(&c->lock);
    *evictions = c->evictions;
    pthread_rwlock_unlock(&c->lock);
    *hits = atomic_load(&c->hits);
    *misses = atomic_load(&c->misses);
    *disk_hits = atomic_load(&c->disk_hits);
}
