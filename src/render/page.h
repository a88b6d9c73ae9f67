/*
 * page.h - a rendered public page, shared by the cache and in-flight sends.
 *
 * A page is immutable once made and reference-counted: the page cache holds
 * one reference, each response being sent holds one. The read counter is
 * not part of the bytes: when splice_at is not PAGE_NO_SPLICE the sender
 * inserts the current count there, so a cached page shows live counts.
 */
#ifndef QUIRE_PAGE_H
#define QUIRE_PAGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_NO_SPLICE SIZE_MAX

struct hit_counter;

struct page {
    atomic_int refs;
    int status;
    const char *content_type;  /* static string */
    char *bytes;
    size_t len;
    size_t splice_at;            /* byte offset or PAGE_NO_SPLICE */
    struct hit_counter *counter; /* the article's read counter, or NULL */
    char etag[24];               /* quoted hash of bytes, e.g. "\"9f..\"" */
};

/* page_new takes ownership of bytes (malloc'd) and computes the ETag. */
struct page *page_new(char *bytes, size_t len, const char *content_type,
                      size_t splice_at);
void page_ref(struct page *p);
/* page_unref drops a reference, freeing the page with the last one. */
void page_unref(struct page *p);

#endif
