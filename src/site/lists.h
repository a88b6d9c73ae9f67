/*
 * lists.h - what the list pages' handlers share: one page of a list in
 * the common frame (site context, title, items, pager) and the parsing
 * of the URL parts they take.
 */
#ifndef QUIRE_SITE_LISTS_H
#define QUIRE_SITE_LISTS_H

#include "core/str.h"

#include <stddef.h>
#include <stdint.h>

struct arena;
struct article;
struct site;
struct tval;

enum {
    LIST_TOC_PER_PAGE = 50,    /* entries of an issue's table of contents */
    LIST_INDEX_PER_PAGE = 100, /* names on /authors and /tags */
};

/* list_offset is the first item of page (1-based) at per_page a page. */
int list_offset(int page, int per_page);
/*
 * list_context starts a list page: site_context with page_title, and
 * pager for page of total items (URLs from base_url). NULL on a store
 * error.
 */
struct tval *list_context(struct site *s, struct arena *a, const char *title,
                          const char *base_url, int page, int per_page,
                          int64_t total);
/* list_set_articles sets articles (view_article_list, each with its
 * feature image as "card") and has_articles; nonzero on a store error. */
int list_set_articles(struct site *s, struct arena *a, struct tval *c,
                      const struct article *arts, size_t n);
/*
 * list_number parses a URL segment of exactly width decimal digits (no
 * sign, no spaces) in [min, max]; -1 if it is anything else.
 */
int list_number(struct str s, size_t width, int min, int max);

#endif
