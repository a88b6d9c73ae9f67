/*
 * view_search.h - the search page's view models: hits with highlighted
 * snippets, and facet links. Everything comes from the request's arena.
 */
#ifndef QUIRE_VIEW_SEARCH_H
#define QUIRE_VIEW_SEARCH_H

#include "store/store.h"

#include <stddef.h>

struct arena;
struct buf;
struct tval;

/*
 * view_search_snippet turns a store snippet (raw text, matched words
 * between STORE_MARK_OPEN and STORE_MARK_CLOSE) into safe HTML: the text
 * HTML-escaped, each marked run in <mark>...</mark>. Stray or unbalanced
 * markers never produce unbalanced tags.
 */
const char *view_search_snippet(struct arena *a, const char *snippet);
/* view_search_hits: [view_article + {snippet (HTML)}] for the page. */
struct tval *view_search_hits(struct arena *a, const struct search_hit *h,
                              size_t n);
/*
 * view_facets: [{name, count, url, current}] where url is base (a URL
 * that already has a query string) plus "&param=<key>" percent-encoded;
 * current is set for the entry whose key equals selected (may be NULL).
 */
struct tval *view_facets(struct arena *a, const struct facet *f, size_t n,
                         const char *base, const char *param,
                         const char *selected);
/* view_url_encode appends s percent-encoded for a query value to b. */
void view_url_encode(struct buf *b, const char *s);

#endif
