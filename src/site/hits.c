/*
 * hits.c - read counters: a hash map of article id -> counter.
 *
 * Counters are created under a mutex (at render time) and each page that
 * shows one holds a reference, so the pointer a cached page keeps stays
 * valid; a flush frees those no page holds and with nothing pending, so
 * the map holds the articles the page cache shows, not every article ever
 * shown (a soak over a million articles grew by 48 bytes each). The
 * request path only does atomic adds. A flush swaps each pending count to
 * zero, writes the batch, and adds it back if the write failed, so no
 * read is lost or counted twice.
 *
 * The per-day counts behind "most read in the last 30 days" would grow
 * forever; the first flush of each UTC day deletes those older than
 * HITS_KEEP_DAYS (one indexed DELETE a day, not one per flush).
 */
#define LOG_MODULE "hits"
#include "site/hits.h"

#include "core/page.h"

#include "core/log.h"
#include "core/xalloc.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#define HITS_KEEP_DAYS 400 /* per-day counts kept: a year and a margin */

struct hit_counter {
    struct hit_counter_head head; /* first: pages' references (page.h) */
    int64_t article_id;
    atomic_llong total;
    atomic_llong pending;
    struct hit_counter *next; /* bucket chain */
    struct hit_counter *all;  /* list of every counter, for flushing */
};

#define NBUCKETS 4096

/* Process-wide, for /metrics: reads counted but not yet written, and
 * reads written to the database since the start. */
static atomic_llong reads_pending, reads_flushed;

struct hits {
    struct store *store;
    pthread_mutex_t lock;
    struct hit_counter *buckets[NBUCKETS];
    struct hit_counter *all;
    size_t n;
    int64_t pruned_day; /* UTC day number of the last prune; flusher only */
};

struct hits *hits_new(struct store *s)
{
    struct hits *h = xcalloc(1, sizeof(*h));
    h->store = s;
    pthread_mutex_init(&h->lock, NULL);
    return h;
}

void hits_free(struct hits *h)
{
    if (!h)
        return;
    struct hit_counter *c = h->all;
    while (c) {
        struct hit_counter *next = c->all;
        free(c);
        c = next;
    }
    pthread_mutex_destroy(&h->lock);
    free(h);
}

struct hit_counter *hits_counter(struct hits *h, int64_t article_id,
                                 int64_t stored)
{
    size_t b = (uint64_t)article_id % NBUCKETS;
    pthread_mutex_lock(&h->lock);
    struct hit_counter *c = h->buckets[b];
    while (c && c->article_id != article_id)
        c = c->next;
    if (!c) {
        c = xcalloc(1, sizeof(*c));
        atomic_init(&c->head.refs, 0);
        c->article_id = article_id;
        atomic_init(&c->total, stored);
        atomic_init(&c->pending, 0);
        c->next = h->buckets[b];
        h->buckets[b] = c;
        c->all = h->all;
        h->all = c;
        h->n++;
    }
    hit_counter_hold(c); /* under the lock: forget cannot free it now */
    pthread_mutex_unlock(&h->lock);
    return c;
}

/* forget frees the counters no page holds and with no read pending. */
static void forget(struct hits *h)
{
    pthread_mutex_lock(&h->lock);
    for (struct hit_counter **pp = &h->all; *pp;) {
        struct hit_counter *c = *pp;
        /* acquire: the last holder's reads of it are done */
        if (atomic_load_explicit(&c->head.refs, memory_order_acquire) != 0 ||
            atomic_load(&c->pending) != 0) {
            pp = &c->all;
            continue;
        }
        *pp = c->all;
        struct hit_counter **b =
            &h->buckets[(uint64_t)c->article_id % NBUCKETS];
        while (*b != c)
            b = &(*b)->next;
        *b = c->next;
        h->n--;
        free(c);
    }
    pthread_mutex_unlock(&h->lock);
}

size_t hits_counters(struct hits *h)
{
    pthread_mutex_lock(&h->lock);
    size_t n = h->n;
    pthread_mutex_unlock(&h->lock);
    return n;
}

int64_t hits_count(struct hit_counter *c)
{
    atomic_fetch_add(&c->pending, 1);
    atomic_fetch_add(&reads_pending, 1);
    return atomic_fetch_add(&c->total, 1) + 1;
}

int64_t hits_total(const struct hit_counter *c)
{
    return atomic_load(&c->total);
}

/* prune drops old per-day counts once per UTC day; a failure retries. */
static void prune(struct hits *h)
{
    int64_t now = (int64_t)time(NULL), day = now / 86400;
    int64_t deleted = 0;
    if (day == h->pruned_day)
        return;
    if (store_hits_prune(h->store, now - HITS_KEEP_DAYS * 86400LL, &deleted) !=
        0) {
        log_warn("old per-day read counts not pruned; will retry");
        return;
    }
    h->pruned_day = day;
    if (deleted)
        log_info("pruned %lld per-day read counts older than %d days",
                 (long long)deleted, HITS_KEEP_DAYS);
}

int hits_flush(struct hits *h)
{
    pthread_mutex_lock(&h->lock);
    size_t cap = h->n, n = 0;
    struct hit_delta *d = xmalloc(sizeof(*d) * (cap ? cap : 1));
    struct hit_counter **src = xmalloc(sizeof(*src) * (cap ? cap : 1));
    for (struct hit_counter *c = h->all; c && n < cap; c = c->all) {
        long long p = atomic_exchange(&c->pending, 0);
        if (p == 0)
            continue;
        d[n] = (struct hit_delta){c->article_id, p};
        src[n++] = c;
    }
    pthread_mutex_unlock(&h->lock);

    int rc = n ? store_hits_add(h->store, d, n) : 0;
    if (rc != 0) {
        log_error("writing %zu read counts failed (%s); keeping them pending",
                  n, store_last_error());
        for (size_t i = 0; i < n; i++)
            atomic_fetch_add(&src[i]->pending, d[i].count);
    }
    if (rc == 0) {
        long long sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += d[i].count;
        atomic_fetch_sub(&reads_pending, sum);
        atomic_fetch_add(&reads_flushed, sum);
    }
    free(d);
    free(src);
    forget(h);
    if (rc == 0)
        prune(h);
    return rc;
}

void hits_metrics(int64_t *pending, int64_t *flushed)
{
    *pending = atomic_load(&reads_pending);
    *flushed = atomic_load(&reads_flushed);
}
