/*
 * view_lists.h - view models of the reader's list pages: issues, tables
 * of contents, authors, tags, the archive and "most read".
 *
 * Like view.h: store structs in, template maps out, everything from the
 * caller's arena, URLs built here. Counts come as numbers with a *_one
 * flag, so a theme words them itself ("1 article", "5 articles").
 */
#ifndef QUIRE_VIEW_LISTS_H
#define QUIRE_VIEW_LISTS_H

#include "store/store.h"

#include <stddef.h>

struct arena;
struct tval;

/* view_issue: {date, date_long, date_us, title, url}. */
struct tval *view_issue(struct arena *a, const struct issue *is);
/*
 * view_issues_by_year: the issues (newest first) grouped by year:
 * [{year, issues [view_issue + {articles, articles_one}]}].
 */
struct tval *view_issues_by_year(struct arena *a, const struct issue_entry *v,
                                 size_t n);
/*
 * view_toc: a table of contents (articles already in section order)
 * grouped by runs of one section: [{has_section, section {name, url}
 * (absent when the articles have none), articles [view_article_list]}].
 */
struct tval *view_toc(struct arena *a, const struct article *arts, size_t n);
/* view_author: {name, slug, url}; view_tag: {name, slug, url}. */
struct tval *view_author(struct arena *a, const struct author *au);
struct tval *view_tag(struct arena *a, const struct tag *t);
/* The indexes: [view_author/view_tag + {articles, articles_one}]. */
struct tval *view_author_index(struct arena *a, const struct author_entry *v,
                               size_t n);
struct tval *view_tag_index(struct arena *a, const struct tag_entry *v,
                            size_t n);
/*
 * view_archive_years: months (newest first) grouped by year: [{year, url,
 * articles, articles_one, months [view_archive_month]}].
 */
struct tval *view_archive_years(struct arena *a, const struct month_entry *v,
                                size_t n);
/* view_archive_month: {year, month (01-12), label ("June 2004"), url,
 * articles, articles_one}. */
struct tval *view_archive_month(struct arena *a, const struct month_entry *m);
/* view_archive_url: "/archive/2004" (month 0) or "/archive/2004/06". */
const char *view_archive_url(struct arena *a, int year, int month);
/*
 * view_ranked: articles as view_article_list plus {rank (first_rank,
 * first_rank + 1, ...), reads (article.hits), reads_one}.
 */
struct tval *view_ranked(struct arena *a, const struct article *arts, size_t n,
                         int64_t first_rank);

#endif
