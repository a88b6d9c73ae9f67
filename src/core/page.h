/*
 * page.h - a response body the server sends: a rendered public page, shared
 * by the page cache and in-flight sends. In core/, not render/, so http/
 * knows nothing of rendering (DESIGN.md layering).
 *
 * A page is immutable once made and reference-counted: the page cache holds
 * one reference, each response being sent holds one. The read counter is
 * not part of the bytes: when splice_at is not PAGE_NO_SPLICE the sender
 * inserts the current count there, so a cached page shows live counts.
 */
#ifndef QUIRE_PAGE_H
#define QUIRE_PAGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/compress.h"

#define PAGE_NO_SPLICE SIZE_MAX
#define PAGE_MAX_DEPS 16 /* beyond this a page depends on everything */

struct hit_counter;

/*
 * What the sender keeps with a page to send it again (http/reuse.c): an
 * opaque object freed by its own function when the page goes.
 */
struct page_sent {
    void (*free)(struct page_sent *);
};

struct page {
    atomic_int refs;
    int status;
    const char *content_type; /* static string */
    char *bytes;
    size_t len;
    size_t splice_at;            /* byte offset or PAGE_NO_SPLICE */
    struct hit_counter *counter; /* the article's read counter, or NULL */
    char etag[24]; /* quoted hash of bytes ("\"9f..\""); "" until page_etag */
    /*
     * What the page shows, as hashed change-log names (store.h: "section:3",
     * "list"...). No deps means "depends on everything": a page that does
     * not say what it shows is dropped on any change, which is safe.
     */
    uint64_t deps[PAGE_MAX_DEPS];
    unsigned n_deps;
    bool deps_all;
    int64_t expires; /* CLOCK_MONOTONIC seconds after which it is stale; 0 */
    struct page_sent *sent; /* the sender's, under the sender's own lock */
    /*
     * gzip and brotli encodings of bytes (page_compress), or NULL. For a
     * page with a spliced count they are made for a count text of
     * splice_len bytes and lack it: compress_join puts it in when sent.
     */
    char *gz, *br;
    size_t gz_len, br_len;
    size_t splice_len;    /* the count text's length at render; 0: unknown */
    atomic_bool outgrown; /* the count's text outgrew splice_len (below) */
    struct compress_splice gz_splice, br_splice;
};

/*
 * page_new takes ownership of bytes (malloc'd). The ETag is not computed
 * yet: a page rendered for the static export is never sent with one, and
 * hashing every byte was a tenth of the export's own CPU.
 */
struct page *page_new(char *bytes, size_t len, const char *content_type,
                      size_t splice_at);
/*
 * page_etag returns p's ETag, hashing its bytes on the first call (the
 * result lives as long as p). It writes p, so call it before p is shared
 * (cache_put does) or while the caller holds the only reference.
 */
const char *page_etag(struct page *p);
/*
 * page_depend records that p shows what the change-log name kind:id names
 * (id < 0: the bare name, e.g. "list"). Call before the page is shared.
 */
void page_depend(struct page *p, const char *kind, int64_t id);
/*
 * page_compress makes p's gzip and brotli variants, if its type and size
 * are worth it; with a spliced count, around a count text of splice_len
 * bytes (compress.h). Like page_etag, call it before p is shared
 * (cache_put does).
 */
void page_compress(struct page *p);
/* page_bytes: what p holds in memory (body and its variants). */
size_t page_bytes(const struct page *p);
/* page_expire_in makes p stale seconds from now (the cache then misses). */
void page_expire_in(struct page *p, int seconds);
/* page_expired: is p past its expiry time, or outgrown? */
bool page_expired(const struct page *p);
/*
 * page_outgrown marks a shared page whose count text has grown longer
 * than its compressed variants were made for ("Read 999 times" became
 * "Read 1,000 times"): the cache then misses, once, and the next render
 * makes them for the new length. Until then the page goes out as it is.
 */
void page_outgrown(struct page *p);
/* page_dep_hash hashes a change-log name as page_depend does. */
uint64_t page_dep_hash(const char *name);
void page_ref(struct page *p);
/* page_unref drops a reference, freeing the page with the last one. */
void page_unref(struct page *p);

#endif
