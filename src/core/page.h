/*
 * page.h - a response body the server sends: a rendered public page, shared
 * by the page cache and in-flight sends. In core/, not render/, so http/
 * knows nothing of rendering (DESIGN.md layering).
 *
 * A page's bytes are immutable once made and it is reference-counted: the
 * page cache holds one reference, each response being sent holds one. Its
 * compressed variants may come later, published once (page_compress). The read
 * counter is not part of the bytes: when splice_at is not PAGE_NO_SPLICE the
 * sender inserts the current count there, so a cached page shows live counts.
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
 * A read counter is the site's (site/hits.c), and begins with this: the
 * references held to it, one by each page that shows it, so the site can
 * forget the counters of articles no page shows any more (a million-article
 * archive would otherwise keep one per article ever shown).
 */
struct hit_counter_head {
    atomic_int refs;
};
/* hit_counter_hold / hit_counter_release take and give back a reference
 * (NULL: nothing). */
void hit_counter_hold(struct hit_counter *c);
void hit_counter_release(struct hit_counter *c);

/*
 * What the sender keeps with a page to send it again (http/reuse.c): an
 * opaque object freed by its own function when the page goes.
 */
struct page_sent {
    void (*free)(struct page_sent *);
};

/*
 * A page's gzip and brotli encodings (page_compress). For a page with a
 * spliced count they are made for a count text of the page's splice_len
 * bytes and lack it: compress_join puts it in when sent. A shell's
 * (page_shell) have their lengths and no bytes.
 */
struct page_variants {
    char *gz, *br; /* NULL: none in that coding */
    size_t gz_len, br_len;
    struct compress_splice gz_splice, br_splice;
};

struct page {
    atomic_int refs;
    int status;
    const char *content_type; /* static string */
    char *bytes;
    size_t len;
    size_t splice_at;            /* byte offset or PAGE_NO_SPLICE */
    struct hit_counter *counter; /* the article's read counter (a
                                    reference), or NULL */
    char etag[24]; /* quoted hash of bytes ("\"9f..\""); "" until page_etag */
    unsigned n_deps, deps_room; /* deps (below): used, room for */
    bool deps_all;
    int64_t expires; /* CLOCK_MONOTONIC seconds after which it is stale; 0 */
    struct page_sent *sent; /* the sender's, under the sender's own lock */
    /*
     * The encodings, published once by the cache's background thread
     * after the page is shared (page_compress): read them only through
     * page_variants. NULL until then, or for ever for what is not worth it.
     */
    _Atomic(struct page_variants *) variants;
    size_t splice_len;     /* the count text's length at render; 0: unknown */
    atomic_bool outgrown;  /* the count's text outgrew splice_len (below) */
    atomic_bool zip_asked; /* page_compress is queued (cache.c) */
    struct page *shell;    /* a page read back from disk: its shell */
    /*
     * What the page shows, as hashed change-log names (store.h: "section:3",
     * "list"...). No deps means "depends on everything": a page that does
     * not say what it shows is dropped on any change, which is safe. Room
     * for PAGE_MAX_DEPS, except in a shell: n_deps (page_shell).
     */
    uint64_t deps[];
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
 * are worth it and it has none yet; with a spliced count, around a count
 * text of splice_len bytes (compress.h). Safe on a shared page: the
 * variants are published whole, once; returns the bytes they added.
 */
size_t page_compress(struct page *p);
/* page_compressible: would p get variants (its status, type and size)? */
bool page_compressible(const struct page *p);
/* page_variants: p's encodings, or NULL (none yet, or not worth it). */
const struct page_variants *page_variants(const struct page *p);
/*
 * page_shell: a new page with p's metadata (type, ETag, deps, count,
 * expiry, the variants' lengths) and none of its bytes, kept by the
 * cache for a page whose bytes went to disk.
 */
struct page *page_shell(const struct page *p);
/*
 * page_thaw: a new page made from shell and the bytes read back for it
 * (malloc'd, taken over): bytes of shell->len, gz and br of the
 * variants' lengths (NULL without). It keeps a reference to shell, so
 * page_outgrown on it reaches the cached shell too.
 */
struct page *page_thaw(struct page *shell, char *bytes, char *gz, char *br);
size_t page_bytes(const struct page *p);
/* page_meta_bytes: the memory p takes besides its bytes and variants'
 * bytes (what a shell costs the cache). */
size_t page_meta_bytes(const struct page *p);
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
