/*
 * api_json.h - the content API's JSON documents (jansson, as feed_json.c):
 * the shapes docs/content-api.md and docs/content-api.openapi.json
 * describe. Each function appends one whole document to b.
 */
#ifndef QUIRE_API_JSON_H
#define QUIRE_API_JSON_H

#include "core/buf.h"
#include "store/store.h"

struct api_page {
    int page, limit;
    int64_t total;
};

/* {"articles":[...], "meta":{"pagination":...}}: list items. */
int api_json_articles(struct buf *b, struct arena *a, const char *origin,
                      const struct article *arts, size_t n,
                      const struct api_page *pg);
/* {"articles":[one article with html, plaintext and tags]}. */
int api_json_article(struct buf *b, struct arena *a, const char *origin,
                     const struct article *art);
/* {"sections":[...]}. */
int api_json_sections(struct buf *b, const struct section *secs, size_t n);
/* {"issues":[...]} with counts; no pagination (every issue). */
int api_json_issues(struct buf *b, const struct issue_entry *is, size_t n);
/* {"issues":[{date,title,articles:[list items]}]}: a table of contents. */
int api_json_issue(struct buf *b, struct arena *a, const char *origin,
                   const struct issue *is, const struct article *arts,
                   size_t n);
/* {"authors":[...]} and {"tags":[...]}, paginated. */
int api_json_authors(struct buf *b, const struct author_entry *as, size_t n,
                     const struct api_page *pg);
int api_json_tags(struct buf *b, const struct tag_entry *ts, size_t n,
                  const struct api_page *pg);
/* {"errors":[{"message":...}]}. */
int api_json_error(struct buf *b, const char *message);

#endif
