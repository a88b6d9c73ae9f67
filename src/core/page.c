/*
 * page.c - rendered pages shared between the page cache and senders.
 *
 * A page's bytes never change after page_new, so any number of threads
 * may read them without a lock; only the reference count moves, and the
 * variants pointer, set once (page_compress), atomically.
 * The thread that drops the last reference frees it. The ETag is a 64-bit
 * FNV-1a hash of the bytes in hex, quoted: equal bytes, equal tag, so a
 * re-render of unchanged content keeps readers' caches valid. It is hashed
 * on first use (page_etag), which comes before the page is shared: the
 * cache hashes before it publishes, and an uncached page has one holder.
 */
#include "core/page.h"

#include "core/compress.h"
#include "core/xalloc.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_int *counter_refs(struct hit_counter *c)
{
    return &((struct hit_counter_head *)(void *)c)->refs;
}

void hit_counter_hold(struct hit_counter *c)
{
    if (c)
        atomic_fetch_add_explicit(counter_refs(c), 1, memory_order_relaxed);
}

void hit_counter_release(struct hit_counter *c)
{
    /* release: the site frees it at 0 (hits_flush), after our last use */
    if (c)
        atomic_fetch_sub_explicit(counter_refs(c), 1, memory_order_release);
}

/* page_size: the bytes of a page with room for n deps. */
static size_t page_size(unsigned n)
{
    return sizeof(struct page) + n * sizeof(uint64_t);
}

static uint64_t fnv1a64(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

struct page *page_new(char *bytes, size_t len, const char *content_type,
                      size_t splice_at)
{
    assert(splice_at == PAGE_NO_SPLICE || splice_at <= len);
    struct page *p = xcalloc(1, page_size(PAGE_MAX_DEPS));
    atomic_init(&p->refs, 1);
    p->deps_room = PAGE_MAX_DEPS;
    p->status = 200;
    p->content_type = content_type;
    p->bytes = bytes;
    p->len = len;
    p->splice_at = splice_at;
    p->counter = NULL;
    return p;
}

const char *page_etag(struct page *p)
{
    if (!p->etag[0])
        snprintf(p->etag, sizeof(p->etag), "\"%016" PRIx64 "\"",
                 fnv1a64(p->bytes, p->len));
    return p->etag;
}

bool page_compressible(const struct page *p)
{
    return p->status == 200 && compress_worth(p->content_type, p->len) &&
           (p->splice_at == PAGE_NO_SPLICE ||
            (p->splice_len > 0 && p->splice_at <= p->len));
}

size_t page_compress(struct page *p)
{
    if (page_variants(p) || !page_compressible(p))
        return 0;
    struct page_variants *v = xcalloc(1, sizeof(*v));
    if (p->splice_at != PAGE_NO_SPLICE) {
        /* Around the count: a new count costs a copy (compress_join). */
        if (compress_gzip_around(p->bytes, p->len, p->splice_at, p->splice_len,
                                 &v->gz, &v->gz_len, &v->gz_splice) != 0)
            v->gz = NULL;
        if (compress_brotli_around(p->bytes, p->len, p->splice_at,
                                   p->splice_len, &v->br, &v->br_len,
                                   &v->br_splice) != 0)
            v->br = NULL;
    } else {
        if (compress_gzip(p->bytes, p->len, &v->gz, &v->gz_len) != 0)
            v->gz = NULL;
        if (compress_brotli(p->bytes, p->len, &v->br, &v->br_len) != 0)
            v->br = NULL;
    }
    if (!v->gz)
        v->gz_len = 0;
    if (!v->br)
        v->br_len = 0;
    struct page_variants *none = NULL;
    if ((!v->gz && !v->br) || !atomic_compare_exchange_strong_explicit(
                                  &p->variants, &none, v, memory_order_release,
                                  memory_order_relaxed)) {
        free(v->gz);
        free(v->br);
        free(v);
        return 0;
    }
    return v->gz_len + v->br_len;
}

const struct page_variants *page_variants(const struct page *p)
{
    /* acquire: whoever sees the pointer sees the bytes behind it */
    return atomic_load_explicit(&((struct page *)(uintptr_t)p)->variants,
                                memory_order_acquire);
}

size_t page_meta_bytes(const struct page *p)
{
    return page_size(p->deps_room) +
           (page_variants(p) ? sizeof(struct page_variants) : 0);
}

size_t page_bytes(const struct page *p)
{
    const struct page_variants *v = page_variants(p);
    return p->len + (v ? v->gz_len + v->br_len : 0);
}

/* copy_meta: what a shell and a thawed page keep of src, bytes aside;
 * room for max_deps (no fewer than src's). */
static struct page *copy_meta(const struct page *src, unsigned max_deps)
{
    struct page *p = xcalloc(1, page_size(max_deps));
    p->deps_room = max_deps;
    atomic_init(&p->refs, 1);
    p->status = src->status;
    p->content_type = src->content_type;
    p->len = src->len;
    p->splice_at = src->splice_at;
    p->counter = src->counter;
    hit_counter_hold(p->counter);
    memcpy(p->etag, src->etag, sizeof(p->etag));
    memcpy(p->deps, src->deps, src->n_deps * sizeof(*p->deps));
    p->n_deps = src->n_deps;
    p->deps_all = src->deps_all;
    p->expires = src->expires;
    p->splice_len = src->splice_len;
    return p;
}

struct page *page_shell(const struct page *p)
{
    struct page *s = copy_meta(p, p->n_deps); /* thousands are kept */
    const struct page_variants *v = page_variants(p);
    if (v) {
        struct page_variants *sv = xmalloc(sizeof(*sv));
        *sv = *v;
        sv->gz = sv->br = NULL; /* lengths only: the bytes are on disk */
        atomic_init(&s->variants, sv);
    }
    return s;
}

struct page *page_thaw(struct page *shell, char *bytes, char *gz, char *br)
{
    struct page *p = copy_meta(shell, shell->n_deps);
    p->bytes = bytes;
    const struct page_variants *sv = page_variants(shell);
    if (sv && (gz || br)) {
        struct page_variants *v = xmalloc(sizeof(*v));
        *v = *sv;
        v->gz = gz;
        v->br = br;
        if (!gz)
            v->gz_len = 0;
        if (!br)
            v->br_len = 0;
        atomic_init(&p->variants, v);
    } else {
        free(gz);
        free(br);
    }
    page_ref(shell);
    p->shell = shell;
    return p;
}

static int64_t now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

void page_expire_in(struct page *p, int seconds)
{
    p->expires = now_s() + seconds;
}

bool page_expired(const struct page *p)
{
    return (p->expires && p->expires <= now_s()) ||
           atomic_load_explicit(&p->outgrown, memory_order_relaxed);
}

void page_outgrown(struct page *p)
{
    atomic_store_explicit(&p->outgrown, true, memory_order_relaxed);
    if (p->shell) /* the cached shell it was read for goes stale too */
        atomic_store_explicit(&p->shell->outgrown, true, memory_order_relaxed);
}

uint64_t page_dep_hash(const char *name)
{
    return fnv1a64(name, strlen(name));
}

void page_depend(struct page *p, const char *kind, int64_t id)
{
    char name[64];
    if (id < 0)
        snprintf(name, sizeof(name), "%s", kind);
    else
        snprintf(name, sizeof(name), "%s:%" PRId64, kind, id);
    uint64_t h = page_dep_hash(name);
    for (unsigned i = 0; i < p->n_deps; i++)
        if (p->deps[i] == h)
            return;
    if (p->n_deps == p->deps_room)
        p->deps_all = true;
    else
        p->deps[p->n_deps++] = h;
}

void page_ref(struct page *p)
{
    int old = atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    assert(old > 0);
    (void)old;
}

void page_unref(struct page *p)
{
    if (!p)
        return;
    /* acq_rel: the freeing thread must see every other holder's reads done. */
    int old = atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel);
    assert(old > 0);
    if (old != 1)
        return;
    if (p->sent)
        p->sent->free(p->sent);
    free(p->bytes);
    struct page_variants *v = atomic_load(&p->variants);
    if (v) {
        free(v->gz);
        free(v->br);
        free(v);
    }
    hit_counter_release(p->counter);
    page_unref(p->shell);
    free(p);
}
