/*
 * view.h - view models: store structs turned into template contexts.
 *
 * Handlers fetch structs from store/ and hand them here; templates see only
 * the maps built here. No SQL and no HTML in this module: it decides what
 * a template may say (names, URLs, dates written out, bylines joined).
 * Everything is allocated from the request's arena.
 */
#ifndef QUIRE_VIEW_H
#define QUIRE_VIEW_H

#include "store/store.h"

#include <stddef.h>

struct arena;
struct tval;

/*
 * The read count is not rendered into a page: the template's {{hits}}
 * prints this mark, which the site cuts out and replaces at send time.
 */
#define VIEW_HITS_MARK "\x01quire-hits\x01"

/* view_journal: {name, tagline, about, base_url, newsletter} from settings. */
struct tval *view_journal(struct arena *a, const struct setting *s, size_t n);
/* view_section: {name, slug, url}; view_sections: a list of them. */
struct tval *view_section(struct arena *a, const struct section *s);
struct tval *view_sections(struct arena *a, const struct section *s, size_t n);
/* view_links: the "Visit also" module, [{title, url}]. */
struct tval *view_links(struct arena *a, const struct link *l, size_t n);
/* view_publications: "Staff Publications", [{kind, title, url, date_text}]. */
struct tval *view_publications(struct arena *a, const struct publication *p,
                               size_t n);
/*
 * view_article: {title, url, slug, date_long, date_iso, summary, body_html,
 * section{name,url}, issue{date, date_us, url}, authors[{name,url,sep}],
 * has_authors, tags[{name,url}], hits (the mark)}.
 */
struct tval *view_article(struct arena *a, const struct article *art);
/* view_article_list: [view_article without bodies] */
struct tval *view_article_list(struct arena *a, const struct article *arts,
                               size_t n);
/*
 * view_pager: {page, pages, prev_url, next_url, numbers[{n, url, current}]}
 * for page (1-based) of total items, per_page each, URLs from base_path;
 * NULL when everything fits on one page.
 */
struct tval *view_pager(struct arena *a, const char *base_path, int page,
                        int64_t total, int per_page);

/*
 * view_url is the site path of a public page ("/", "/issues",
 * "/articles/<slug>", "/archive/<year>"...), from a; the one place the
 * feeds and the sitemap learn the URL scheme from.
 */
const char *view_url(struct arena *a, enum public_kind kind, const char *key);

#endif
