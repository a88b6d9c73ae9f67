/*
 * reuse.c - a page's response, made once and sent again while unchanged.
 *
 * A cached page goes out the same way many times: the same bytes, the
 * same read count, the same header lines. Making its libmicrohttpd
 * response for every request meant a dozen header copies and, when a
 * count is spliced in, a copy of the whole page, per request. So the
 * response is kept with the page (page->sent) under a key of everything
 * that goes into it besides the page's bytes (the spliced count and the
 * header lines, see server.c); a request with the same key queues the
 * same response, which libmicrohttpd reference-counts and lets several
 * connections send at once. A different key (a new count) replaces it.
 * A response is kept only when a page goes out a second time the same way
 * (the first time leaves just its key): a page with a count is copied to
 * splice it in, and keeping a copy of every page sent once would double
 * the page cache's memory (peak RSS 52 -> 61 MB in the bench's page mix).
 *
 * Lifetimes. The kept response holds no page reference (that would be a
 * cycle): its body points into the page's bytes, or owns its spliced
 * copy. Each request sending it holds a page reference until its
 * completion notice, after which libmicrohttpd no longer reads the body;
 * the page's last reference drops the kept response's reference.
 *
 * The lock: reading page->sent and queueing what it holds must be one
 * step, or a replacement could free the response in between. Pages hash
 * onto a few mutexes, held for a key comparison and a queue call.
 */
#include "http/http_int.h"

#include "core/nocache.h"
#include "core/xalloc.h"
#include "core/page.h"

#include <microhttpd.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STRIPES 64

static pthread_mutex_t stripes[STRIPES] = {
    [0 ... STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER};

struct kept {
    struct page_sent base;  /* first: page->sent points here */
    struct MHD_Response *r; /* NULL: only the key of a first send */
    uint64_t size;
    size_t keylen;
    char key[];
};

static pthread_mutex_t *stripe(const struct page *p)
{
    uintptr_t h = (uintptr_t)p;
    h ^= h >> 17;
    h *= UINT64_C(0x9e3779b97f4a7c15);
    return &stripes[(h >> 32) % STRIPES];
}

static void kept_free(struct page_sent *ps)
{
    struct kept *k = (struct kept *)ps;
    if (k->r)
        MHD_destroy_response(k->r);
    free(k);
}

static bool same_key(const struct kept *k, struct str key)
{
    return k && k->keylen == key.len && memcmp(k->key, key.ptr, key.len) == 0;
}

/* reuse_keep makes p's slot hold r (or only key: r NULL), freeing what it
 * held. */
void reuse_keep(struct page *p, struct str key, struct MHD_Response *r,
                uint64_t size)
{
    struct kept *k = xmalloc(sizeof(*k) + key.len);
    k->base.free = kept_free;
    k->r = r;
    k->size = size;
    k->keylen = key.len;
    memcpy(k->key, key.ptr, key.len);
    pthread_mutex_t *m = stripe(p);
    pthread_mutex_lock(m);
    struct page_sent *old = p->sent;
    p->sent = &k->base;
    pthread_mutex_unlock(m);
    if (old)
        old->free(old);
}

bool reuse_queue(struct MHD_Connection *c, struct page *p, struct str key,
                 uint64_t *size, bool *ok)
{
    pthread_mutex_t *m = stripe(p);
    pthread_mutex_lock(m);
    const struct kept *k = (const struct kept *)p->sent;
    bool hit = same_key(k, key) && k->r;
    if (hit) {
        *ok = MHD_queue_response(c, MHD_HTTP_OK, k->r) == MHD_YES;
        *size = k->size;
    }
    pthread_mutex_unlock(m);
    return hit;
}

bool reuse_worth_keeping(struct page *p, struct str key)
{
    if (nocache_on())
        return false; /* QUIRE_NO_CACHE: every response made afresh */
    pthread_mutex_t *m = stripe(p);
    pthread_mutex_lock(m);
    bool again = same_key((const struct kept *)p->sent, key);
    pthread_mutex_unlock(m);
    if (!again)
        reuse_keep(p, key, NULL, 0);
    return again;
}
