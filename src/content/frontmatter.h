/*
 * frontmatter.h - YAML front matter of a Markdown article.
 *
 * A file with front matter starts with a line "---" (after an optional
 * UTF-8 byte order mark); the YAML runs to the next line that is "---" or
 * "...", and the Markdown body follows. Recognised keys (others are
 * ignored):
 *
 *   title     string, required
 *   date      YYYY-MM-DD or RFC 3339
 *   author    string, or authors: string or list (byline order kept)
 *   section   string
 *   issue     YYYY-MM-DD
 *   tags      list of strings, or one string
 *   summary   string
 *   slug      a valid slug (see slug.h)
 *   hits      non-negative integer
 *   draft     true/false/yes/no
 *   feature_image      a media library hash (or a prefix of 8+ of its
 *                      hex digits), or an http(s) URL
 *   feature_image_alt  its alt text (required with a URL; with a media
 *                      hash the library's alt text is the default)
 *
 * Strings are trimmed; an empty or null value ("", ~, null) means unset.
 * Duplicate authors and tags are dropped, keeping the first. Limits: the
 * front matter is at most FRONTMATTER_MAX bytes, lists at most
 * FRONTMATTER_LIST_MAX items, each value at most FRONTMATTER_VALUE_MAX
 * bytes.
 */
#ifndef QUIRE_FRONTMATTER_H
#define QUIRE_FRONTMATTER_H

#include "core/err.h"
#include "core/str.h"

#include <stdbool.h>
#include <stddef.h>

struct arena;

#define FRONTMATTER_MAX (64 * 1024)
#define FRONTMATTER_LIST_MAX 100
#define FRONTMATTER_VALUE_MAX 4096

struct frontmatter {
    const char *title;
    const char *date; /* as written; validated by date_parse */
    const char *section;
    const char *issue; /* YYYY-MM-DD, validated */
    const char *summary;
    const char *slug; /* validated by slug_valid */
    const char **authors;
    size_t n_authors;
    const char **tags;
    size_t n_tags;
    const char *feature_image; /* media hash or http(s) URL */
    const char *feature_image_alt;
    long long hits; /* -1: unset */
    bool draft;
};

/*
 * frontmatter_parse splits the len bytes at text (a whole Markdown file,
 * need not be NUL-terminated) into front matter, parsed into *out, and the
 * body, a slice of text put in *body. Every string in *out comes from a
 * and lives as long as it; absent optional strings are NULL.
 *
 * Returns 0, or on failure ERR_PARSE (malformed YAML, missing title, no
 * front matter, wrong types, bad values) or ERR_TOO_BIG (a limit above),
 * with *err_line set to the 1-based line in text where the problem is and
 * *err_msg to a message (static or from a). Errors about a key's value
 * point at the line of the key; errors about a list item at the item.
 * *body is set even on failure when the front matter could be delimited
 * (the whole text when there is none), so an editor can still preview it.
 */
int frontmatter_parse(struct arena *a, const char *text, size_t len,
                      struct frontmatter *out, struct str *body, int *err_line,
                      const char **err_msg) WUR;

/* frontmatter_lib_version: libyaml in use, for quire --version. */
const char *frontmatter_lib_version(void);

#endif
