/*
 * feed.h - Atom 1.0, RSS 2.0 and JSON Feed 1.1 documents from articles.
 *
 * A handler gathers what a feed says (struct feed: the journal, the scope,
 * the entries with bodies and tags) and asks for one format. Every URL in
 * the output is absolute, built from f->origin and view_url. Text passes
 * through xml_clean in every format, so the three carry the same words and
 * never a character XML 1.0 forbids.
 *
 * Entry ids are tag: URIs (RFC 4151) made of the origin's host, the day
 * the article was published and its path, e.g.
 * "tag:journal.example,2004-06-30:/articles/pakistan-russia": stable as
 * long as the host and the slug are, and the same in all three formats.
 */
#ifndef QUIRE_FEED_H
#define QUIRE_FEED_H

#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum feed_format { FEED_ATOM, FEED_RSS, FEED_JSON };

struct feed {
    const char *origin;    /* "https://journal.example", no trailing '/' */
    const char *journal;   /* the journal's name: the feed's author */
    const char *title;     /* the feed's title */
    const char *subtitle;  /* may be NULL */
    const char *home_path; /* the page the feed mirrors: "/", "/tags/x" */
    const char *self_path; /* the feed itself: "/tags/x/feed.atom" */
    bool full;             /* full text, or summaries only */
    const struct article *entries; /* newest first, with bodies and tags */
    size_t n;
};

/* feed_content_type is the Content-Type to serve fmt with (static). */
const char *feed_content_type(enum feed_format fmt);
/*
 * feed_render writes f as fmt into a malloc'd buffer (*out, *len; the
 * caller frees it), using a for scratch. ERR_INVALID if the document
 * could not be built (out of memory inside a library).
 */
int feed_render(struct arena *a, const struct feed *f, enum feed_format fmt,
                char **out, size_t *len) WUR;

/* feed_json writes JSON Feed 1.1 (feed_json.c; feed_render calls it). */
int feed_json(struct arena *a, const struct feed *f, char **out,
              size_t *len) WUR;
/* feed_entry_id is an entry's tag: URI (see above), from a. */
const char *feed_entry_id(struct arena *a, const struct feed *f,
                          const struct article *art);
/* feed_updated is when an entry last changed (never before publication). */
int64_t feed_updated(const struct article *art);

/* feed_json_lib_version: jansson in use, for quire --version. */
const char *feed_json_lib_version(void);

#endif
