/*
 * api.c - the content API's article list (site/api.c): every filter of
 * GET /api/content/articles at once (section, issue, author, tag, since),
 * newest first, published and not scheduled (published_at <= now), one
 * static statement whose unused filters are 0 ("?N = 0 OR ...").
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

#define API_WHERE                                                              \
    " FROM articles a WHERE a.status = 1 AND a.published_at <= ?8"             \
    " AND (?3 = 0 OR a.section_id = ?3) AND (?4 = 0 OR a.issue_id = ?4)"       \
    " AND (?5 = 0 OR a.id IN (SELECT article_id FROM article_authors"          \
    "   WHERE author_id = ?5))"                                                \
    " AND (?6 = 0 OR a.id IN (SELECT article_id FROM article_tags"             \
    "   WHERE tag_id = ?6))"                                                   \
    " AND a.published_at >= ?7"
static const char SQL_IDS[] =
    "SELECT a.id" API_WHERE
    " ORDER BY a.published_at DESC, a.id DESC LIMIT ?1 OFFSET ?2";
static const char SQL_COUNT[] = "SELECT count(*)" API_WHERE;

static int bind_filter(sqlite3_stmt *st, const struct api_filter *f)
{
    return sqlite3_bind_int64(st, 3, f->section_id) |
           sqlite3_bind_int64(st, 4, f->issue_id) |
           sqlite3_bind_int64(st, 5, f->author_id) |
           sqlite3_bind_int64(st, 6, f->tag_id) |
           sqlite3_bind_int64(st, 7, f->since) |
           sqlite3_bind_int64(st, 8, f->now);
}

int store_api_articles(struct store *s, struct arena *a,
                       const struct api_filter *f, int limit, int offset,
                       struct article **out, size_t *n, int64_t *total)
{
    struct conn *c;
    *out = NULL;
    *n = 0;
    *total = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    int64_t *ids =
        arena_alloc(a, sizeof(*ids) * (size_t)(limit > 0 ? limit : 1));
    size_t k = 0;
    sqlite3_stmt *st = sdb_stmt(c, SQL_COUNT);
    if (!st || bind_filter(st, f) != SQLITE_OK) {
        rc = st ? sdb_fail(c, "api_articles") : ERR_DB;
        sdb_done(st);
        goto out;
    }
    rc = sdb_step(c, st, "api_articles");
    if (rc == 1)
        *total = sqlite3_column_int64(st, 0);
    sdb_done(st);
    if (rc < 0)
        goto out;
    st = sdb_stmt(c, SQL_IDS);
    if (!st || (bind_filter(st, f) | sqlite3_bind_int(st, 1, limit) |
                sqlite3_bind_int(st, 2, offset)) != SQLITE_OK) {
        rc = st ? sdb_fail(c, "api_articles") : ERR_DB;
        sdb_done(st);
        goto out;
    }
    while ((rc = sdb_step(c, st, "api_articles")) == 1 && k < (size_t)limit)
        ids[k++] = sqlite3_column_int64(st, 0);
    sdb_done(st);
    if (rc < 0)
        goto out;
    rc = sdb_articles_by_ids(c, a, ids, k, out, n);
out:
    sdb_read_end(s, c);
    return rc < 0 ? rc : 0;
}
