/*
 * xapian.h - the Xapian index of published articles, behind a C interface
 * (xapian.cc; Xapian's API is C++). Only store/ uses it: search_index.c
 * writes it, search.c reads it. docs/internals/search.md.
 *
 * Every function catches what Xapian throws: an error is recorded as this
 * thread's store_last_error and returned as a negative enum quire_err.
 */
#ifndef QUIRE_STORE_XAPIAN_H
#define QUIRE_STORE_XAPIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The documents' layout: an index recorded with another is rebuilt. */
#define XAPIAN_FORMAT "5"

/* One article as the index keeps it (ids from 1 to 2^32 - 2). */
struct xapian_doc {
    int64_t id;
    /* The text, as fold.c cuts it (words, lowercase, no diacritics); NULL
     * for none. */
    const char *title, *intro, *body, *byline;
    int64_t published_at;  /* unix seconds */
    int year;              /* UTC */
    int64_t section_id;    /* 0: none */
    const char *authors;   /* author ids, " 12 34 " (search_facets') */
    const char *countries; /* iso2 codes, " kz ru " */
};

/* The writer: one per index, in one thread at a time. */
struct xapian_writer;
/* xapian_writer_open opens dir for writing, creating it if absent, or
 * empty when fresh. ERR_BUSY if another process writes it. */
int xapian_writer_open(const char *dir, bool fresh, struct xapian_writer **out);
/* The index's metadata: search_index.c's keys, values of at most cap - 1
 * bytes ("" when absent). Set values are committed with the documents. */
int xapian_writer_get(struct xapian_writer *w, const char *key, char *out,
                      size_t cap);
int xapian_writer_set(struct xapian_writer *w, const char *key,
                      const char *value);
int xapian_writer_put(struct xapian_writer *w, const struct xapian_doc *d);
int xapian_writer_delete(struct xapian_writer *w, int64_t id);
/* xapian_writer_commit makes the changes visible to readers. */
int xapian_writer_commit(struct xapian_writer *w);
void xapian_writer_close(struct xapian_writer *w);

/* A reader: one per thread (a store reader connection keeps one). */
struct xapian_reader;
/* xapian_reader_open: ERR_NOT_FOUND if there is no index at dir. */
int xapian_reader_open(const char *dir, struct xapian_reader **out);
/* xapian_reader_refresh moves the reader to the newest commit. */
int xapian_reader_refresh(struct xapian_reader *r);
int xapian_reader_get(struct xapian_reader *r, const char *key, char *out,
                      size_t cap);
/* xapian_reader_documents: how many articles the index holds (-1 on
 * error). */
int64_t xapian_reader_documents(struct xapian_reader *r);
void xapian_reader_close(struct xapian_reader *r);

struct xapian_query {
    /* query.c's form, "term" "a phrase" "prefix"*, folded (fold.c) */
    const char *match;
    int64_t section_id, author_id; /* 0: any */
    int year;                      /* 0: any */
    const char *country;           /* iso2, or NULL: any */
    int offset, limit;             /* the page */
    unsigned check;    /* count and facet at least this many matches */
    unsigned rank_max; /* rank by relevance when at most this many match */
    /* Called for each match counted, with its year, section id, author
     * ids and country codes as the index keeps them. */
    void (*count)(void *ctx, const char *year, const char *section,
                  const char *authors, const char *countries);
    void *ctx;
};
/* A search's result: the page's ids, best first, and what snippets need. */
struct xapian_result;
int xapian_search(struct xapian_reader *r, const struct xapian_query *q,
                  struct xapian_result **out);
/* The page: n ids, best first. */
const int64_t *xapian_result_ids(const struct xapian_result *res, size_t *n);
/* Matches: exact unless more than q->check matched (*more). */
int64_t xapian_result_total(const struct xapian_result *res, bool *more);
/* xapian_result_by_date: the newest first (too many matched, or the
 * query had nothing to weigh: short prefixes), not the best first. */
bool xapian_result_by_date(const struct xapian_result *res);
/* xapian_result_snippet: text around the best match in text, matched
 * words between open and close marks, raw (not HTML-escaped); malloc'd,
 * NULL if out of memory. */
char *xapian_result_snippet(const struct xapian_result *res, const char *text,
                            const char *open, const char *close);
void xapian_result_free(struct xapian_result *res);

#ifdef __cplusplus
}
#endif

#endif
