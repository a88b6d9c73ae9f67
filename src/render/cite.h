/*
 * cite.h - one article described for machines: BibTeX, RIS, CSL-JSON and
 * schema.org JSON-LD, plus the pieces of a human reference.
 *
 * Every text that goes out is first made plain (cite_plain): valid UTF-8,
 * one line, no control characters. Then each format escapes it its own
 * way: LaTeX specials for BibTeX, JSON (jansson's escapes and layout, written
 * directly) for CSL-JSON and JSON-LD, with JSON-LD also made safe inside an
 * HTML <script> element. Absolute
 * URLs need the journal's base_url; without one the formats leave their
 * URL fields out rather than print a URL that points nowhere.
 */
#ifndef QUIRE_CITE_H
#define QUIRE_CITE_H

#include "core/err.h"
#include "store/store.h"

struct arena;
struct buf;

struct cite_journal {
    const char *name;     /* the journal's name; may be NULL */
    const char *base_url; /* from cite_base_url: absolute, or NULL */
};

/*
 * cite_base_url cleans the base_url setting: its value without trailing
 * slashes when it is an absolute http(s) URL without spaces, quotes or
 * angle brackets, else NULL. The result comes from a.
 */
const char *cite_base_url(struct arena *a, const char *setting);
/*
 * cite_plain returns s as one plain line from a: invalid UTF-8 becomes
 * U+FFFD, control characters (C0, DEL, C1) and line/paragraph separators
 * become spaces, runs of spaces collapse, ends are trimmed. NULL for NULL.
 */
char *cite_plain(struct arena *a, const char *s);
/*
 * cite_url returns base_url + path from a, or NULL without a base URL.
 * path starts with '/'.
 */
char *cite_url(struct arena *a, const struct cite_journal *j, const char *path);
/* cite_issue_label is the issue's title if it has one, else its date. */
const char *cite_issue_label(const struct article *art);
/*
 * cite_key is the article's BibTeX key and CSL id: the first author's
 * family name in ASCII, the year and the first word of the slug that is
 * not a stop word ("anwar2004pakistan"), so it stays the same while the
 * article does. From a.
 */
char *cite_key(struct arena *a, const struct article *art);
/*
 * cite_authors_chicago is the byline as a Chicago bibliography starts:
 * "Cornell, Svante E., S. Frederick Starr, and Albert Barro". From a;
 * NULL without authors.
 */
char *cite_authors_chicago(struct arena *a, const struct article *art);

/* The formats append to b; a full buffer shows as buf_error(b). */
void cite_bibtex(struct buf *b, struct arena *a, const struct article *art,
                 const struct cite_journal *j);
/* RIS, with CRLF line ends as the format asks. */
void cite_ris(struct buf *b, struct arena *a, const struct article *art,
              const struct cite_journal *j);
/* CSL-JSON: an array of one article-journal item, indented by two spaces
 * as jansson's JSON_INDENT(2). Returns 0. */
int cite_csl_json(struct buf *b, struct arena *a, const struct article *art,
                  const struct cite_journal *j) WUR;
/*
 * cite_jsonld: a schema.org ScholarlyArticle, compact, with < > & U+2028
 * and U+2029 written as \uXXXX so that it can sit inside <script> as is.
 */
int cite_jsonld(struct buf *b, struct arena *a, const struct article *art,
                const struct cite_journal *j) WUR;

#endif
