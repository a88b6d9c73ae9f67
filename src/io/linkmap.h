/*
 * linkmap.h - the URL scheme of a static export, and the rewriter that
 * moves a rendered page's links onto it.
 *
 * The server answers "/articles/x" and "/sections/y?page=3"; a plain web
 * server without rewrite rules answers files. A static export therefore
 * stores every page as a directory index and links to it with a slash:
 *
 *   /                      -> /                     (index.html)
 *   /articles/x            -> /articles/x/          (articles/x/index.html)
 *   /sections/y?page=3     -> /sections/y/page/3/   (.../page/3/index.html)
 *   /feed.atom, /a/x.bib   -> unchanged             (a file: its name has a
 * dot)
 *
 * Every URL is prefixed with the path of the export's base URL, so a site
 * served under https://host/journal works. A crawl key is a site path as
 * the server knows it: "/p", or "/p?page=N" with N >= 2.
 *
 * Only plain paths are followed: [A-Za-z0-9._~/-], no empty, "." or ".."
 * segments, at most LINKMAP_PATH_MAX bytes, and no query but page=N. Any
 * other internal link is left as it is and not crawled.
 */
#ifndef QUIRE_LINKMAP_H
#define QUIRE_LINKMAP_H

#include "core/str.h"

#include <stddef.h>

struct arena;
struct buf;

#define LINKMAP_PATH_MAX 1024

struct linkmap {
    struct str site_base;  /* absolute base URL the pages were rendered
                              with ("https://j.example"), or empty */
    struct str out_base;   /* absolute base URL of the export, or empty */
    struct str out_prefix; /* the path of out_base ("" or "/journal") */
    struct str search_url; /* external search for /search, or empty */
};

enum linkmap_kind {
    LINKMAP_HTML, /* tags, attributes, forms, and absolute URLs in text */
    LINKMAP_XML,  /* tags and attributes, absolute URLs in text */
    LINKMAP_TEXT, /* absolute URLs anywhere (JSON, robots.txt, BibTeX) */
};

/* linkmap_found_fn is told each crawl key a page links to (may repeat). */
typedef void (*linkmap_found_fn)(void *ctx, struct str key);

/*
 * linkmap_init fills m from the base URL the pages carry (site_base, may
 * be NULL), the export's base URL (out_base: NULL keeps site_base) and an
 * external search URL (NULL or "": none). The strings must outlive m.
 */
void linkmap_init(struct linkmap *m, const char *site_base,
                  const char *out_base, const char *search_url);

/*
 * linkmap_rewrite appends in to out with every internal link moved to the
 * export's scheme, and calls found for each crawlable one. In HTML, href,
 * src and action attributes that are root-relative or start with
 * site_base are rewritten; absolute site URLs are rewritten anywhere.
 * A form posting to the site (the newsletter sign-up) cannot work on a
 * static server and is removed; a form or link to /search goes to
 * search_url, or is removed (a link keeps its text) when there is none.
 */
void linkmap_rewrite(const struct linkmap *m, enum linkmap_kind kind,
                     struct str in, struct buf *out, linkmap_found_fn found,
                     void *ctx);

/*
 * linkmap_key turns a root-relative URL ("/p?page=2#x") into its crawl key
 * ("/p?page=2"), allocated from a; NULL if it is not a crawlable path.
 */
const char *linkmap_key(struct arena *a, struct str url);

/*
 * linkmap_file is the file a crawl key is stored in, relative to the
 * export's folder ("articles/x/index.html"), allocated from a.
 */
const char *linkmap_file(struct arena *a, const char *key);

#endif
