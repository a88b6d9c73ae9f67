/*
 * legacy_url.h - the URL forms Joomla/K2 and WordPress gave an archive's
 * pages, turned into the legacy-id keys an import recorded
 * (store_legacy_path): "k2/item/11223", "k2/category/5",
 * "k2/category-alias/earnings", "k2/category-alias/asia/analysis" (a
 * nested category: parent's alias, its own), "k2/tag/Oil", "wp/post/42",
 * "wp/category/7", "wp/category-slug/news", "wp/tag-slug/oil".
 *
 * K2 forms: /<menu path>/item/<id>[-<alias>][.html],
 * /component/k2/item/<id>[-<alias>],
 * /index.php?option=com_k2&view=item&id=<id>[:<alias>]&Itemid=<n>,
 * /[<path>/]itemlist/category/<id>[-<alias>][.html],
 * /index.php?option=com_k2&view=itemlist&task=category&id=<id>,
 * /[<path>/]itemlist/tag/<Tag Name>[.html], ...&task=tag&tag=<Tag Name>,
 * /<path>/<category-alias>.html[?start=N] and /<path>/<category-alias>.feed
 * (the section's feed). WordPress: /?p=<id>, /?page_id=<id>, /?cat=<id>,
 * /?tag=<slug>, /category/<slug>/, /tag/<slug>/.
 *
 * Pure text work: no I/O, no allocation beyond the caller's structs.
 */
#ifndef QUIRE_CONTENT_LEGACY_URL_H
#define QUIRE_CONTENT_LEGACY_URL_H

#include "core/str.h"

#include <stdbool.h>
#include <stddef.h>

enum { LEGACY_KEY_MAX = 512, LEGACY_MATCH_MAX = 4 };

struct legacy_match {
    char key[LEGACY_KEY_MAX];
    const char *suffix; /* appended to the target's path: "" or "/feed.rss" */
};

/*
 * legacy_url_match fills out (up to max) with the keys path (decoded) and
 * query (raw, after '?') may stand for, most specific first, and returns
 * how many. Tracking arguments (utm_*, fbclid, gclid) are ignored.
 */
size_t legacy_url_match(struct str path, struct str query,
                        struct legacy_match *out, size_t max);

/*
 * legacy_url_clean_query writes query without tracking arguments into out
 * (NUL-terminated, at most outlen bytes) and returns its length, or
 * (size_t)-1 if it does not fit.
 */
size_t legacy_url_clean_query(struct str query, char *out, size_t outlen);

/*
 * legacy_url_home_query: does a query on "/" carry an old argument
 * (WordPress's p, page_id, cat, tag, category_name; Joomla's option)? The
 * prefilter that keeps "/?page=2" off the redirect lookups.
 */
bool legacy_url_home_query(struct str query);

/* legacy_url_is_tracker: is this query argument name a tracker's? */
bool legacy_url_is_tracker(struct str name);

#endif
