/*
 * hits.h - the public read counter, kept in memory and flushed in batches.
 *
 * Each article that has been shown gets one counter: its total (the stored
 * count when first seen, plus every read since) and the reads not yet
 * written. hits_flush writes all pending reads in one transaction; the
 * site calls it every few seconds and at shutdown. Counting is two atomic
 * adds, so it never blocks a request.
 */
#ifndef QUIRE_HITS_H
#define QUIRE_HITS_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

struct store;
struct hits;
struct hit_counter;

struct hits *hits_new(struct store *s);
/* hits_free flushes nothing: call hits_flush first. */
void hits_free(struct hits *h);

/*
 * hits_counter returns a reference to the counter of an article (give it
 * back with hit_counter_release, core/page.h), creating it with the stored
 * count the first time. A counter lives while a reference is held or a
 * read is pending; hits_flush frees the others (their reads are written;
 * the next hits_counter starts again from the stored count).
 */
struct hit_counter *hits_counter(struct hits *h, int64_t article_id,
                                 int64_t stored);
/* hits_counters: how many counters h keeps now. */
size_t hits_counters(struct hits *h);
/* hits_count records one read and returns the new total. */
int64_t hits_count(struct hit_counter *c);
/* hits_total is the count to show. */
int64_t hits_total(const struct hit_counter *c);
/*
 * hits_flush writes pending reads; on failure they stay pending. Once a
 * UTC day it also prunes old per-day counts (store_hits_prune). Call it
 * from one thread at a time.
 */
int hits_flush(struct hits *h) WUR;

/* hits_metrics: reads not yet written, and written, since the start. */
void hits_metrics(int64_t *pending, int64_t *flushed);

#endif
