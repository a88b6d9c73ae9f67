/*
 * public_pages.c - every page the public site has, for the sitemap.
 *
 * The journal's public pages are the home page and the indexes (issues,
 * authors, tags, archive), one page per section, per issue, per author and
 * per tag that has a published article, per year with one, and per
 * published article. One UNION ALL over those, ordered by (kind, key),
 * gives them a stable order, so a sitemap can be cut into files of N
 * pages with LIMIT/OFFSET and every file agrees with the index about its
 * share. The store names pages by kind and key; site/ turns them into
 * URLs.
 *
 * Last modified: an article's updated_at; a list's, the newest updated_at
 * of the published articles on it; the home page's and indexes', the
 * newest of all. Sections without published articles have no date (0).
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

/* The collections (home, indexes) first, in enum public_kind order. */
#define PUBLIC_PAGES                                                           \
    "WITH pub AS (SELECT id, slug, section_id, issue_id, published_at,"        \
    "   updated_at FROM articles WHERE status = 1),"                           \
    " pages(kind, key, lastmod) AS ("                                          \
    "  SELECT column1, NULL, (SELECT max(updated_at) FROM pub)"                \
    "   FROM (VALUES (0), (1), (2), (3), (4))"                                 \
    "  UNION ALL SELECT 5, s.slug,"                                            \
    "   (SELECT max(updated_at) FROM pub WHERE section_id = s.id)"             \
    "   FROM sections s"                                                       \
    "  UNION ALL SELECT 6, i.date, max(p.updated_at) FROM issues i"            \
    "   JOIN pub p ON p.issue_id = i.id GROUP BY i.id"                         \
    "  UNION ALL SELECT 7, au.slug, max(p.updated_at) FROM authors au"         \
    "   JOIN article_authors aa ON aa.author_id = au.id"                       \
    "   JOIN pub p ON p.id = aa.article_id GROUP BY au.id"                     \
    "  UNION ALL SELECT 8, t.slug, max(p.updated_at) FROM tags t"              \
    "   JOIN article_tags at ON at.tag_id = t.id"                              \
    "   JOIN pub p ON p.id = at.article_id GROUP BY t.id"                      \
    "  UNION ALL SELECT 9, strftime('%Y', published_at, 'unixepoch'),"         \
    "   max(updated_at) FROM pub GROUP BY 2"                                   \
    "  UNION ALL SELECT 10, slug, updated_at FROM pub) "

static const char SQL_PAGES[] = PUBLIC_PAGES
    "SELECT kind, key, lastmod FROM pages"
    " ORDER BY kind, key LIMIT ?1 OFFSET ?2";
static const char SQL_CHUNKS[] = PUBLIC_PAGES
    "SELECT chunk, max(lastmod), count(*) FROM"
    " (SELECT (row_number() OVER (ORDER BY kind, key) - 1) / ?1 AS chunk,"
    "  lastmod FROM pages) GROUP BY chunk ORDER BY chunk";

_Static_assert(PUBLIC_ARTICLE == 10 && PUBLIC_SECTION == 5,
               "enum public_kind must match the kinds in PUBLIC_PAGES");

int store_public_pages(struct store *s, struct arena *a, int64_t limit,
                       int64_t offset, struct public_page **out, size_t *n)
{
    struct conn *c;
    struct public_page *v = NULL;
    size_t len = 0, cap = 0;
    *out = NULL;
    *n = 0;
    if (limit < 0 || offset < 0)
        return sdb_invalid("public_pages", "negative limit or offset");
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_PAGES);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int64(st, 1, limit) |
         sqlite3_bind_int64(st, 2, offset)) != SQLITE_OK) {
        rc = sdb_fail(c, "public_pages");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "public_pages");
        if (rc != 1)
            break;
        v = sdb_grow(a, v, len, &cap, sizeof(*v));
        v[len++] = (struct public_page){
            .kind = (enum public_kind)sqlite3_column_int(st, 0),
            .key = sdb_col_text(a, st, 1),
            .lastmod = sqlite3_column_int64(st, 2),
        };
    }
    if (rc == 0) {
        *out = v;
        *n = len;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

int store_public_page_chunks(struct store *s, struct arena *a,
                             int64_t per_chunk, struct public_chunk **out,
                             size_t *n)
{
    struct conn *c;
    struct public_chunk *v = NULL;
    size_t len = 0, cap = 0;
    *out = NULL;
    *n = 0;
    if (per_chunk < 1)
        return sdb_invalid("public_page_chunks", "chunk size below 1");
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_CHUNKS);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if (sqlite3_bind_int64(st, 1, per_chunk) != SQLITE_OK) {
        rc = sdb_fail(c, "public_page_chunks");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "public_page_chunks");
        if (rc != 1)
            break;
        v = sdb_grow(a, v, len, &cap, sizeof(*v));
        v[len++] = (struct public_chunk){
            .lastmod = sqlite3_column_int64(st, 1),
            .pages = sqlite3_column_int64(st, 2),
        };
    }
    if (rc == 0) {
        *out = v;
        *n = len;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}
