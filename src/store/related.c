/*
 * related.c - the articles related to one article.
 *
 * Ranking: more shared tags first, then the same section, then the newer.
 * Only articles sharing a tag or the section are candidates; the article
 * itself and drafts never are. Two queries in one snapshot: the ranked
 * page, and its bylines.
 *
 * The candidates are every article sharing a tag (with the count, from
 * the article_tags indexes) plus only the newest `limit` of the section:
 * when fewer than `limit` articles share a tag, the places left go to
 * section articles that share none, newest first, and those are always
 * among the newest `limit` of the section. The ranking runs on the
 * narrow columns first and loads full rows for the winners only.
 *
 * Measured on the Reuters fixture (15,055 articles): an article whose one
 * tag ("earn") has 3,198 articles takes about 9 ms, one with a rarer tag
 * under 1 ms; the plan uses article_tags' primary key, article_tags_tag
 * and articles_section, so no new index is needed.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

/* ?1 the article, ?2 the limit. */
static const char SQL_RELATED[] =
    "WITH shared(id, n) AS ("
    "  SELECT o.article_id, count(*) FROM article_tags t"
    "  JOIN article_tags o ON o.tag_id = t.tag_id"
    "  WHERE t.article_id = ?1 AND o.article_id <> ?1"
    "  GROUP BY o.article_id ORDER BY 2 DESC, 1 DESC LIMIT 64),"
    " near(id) AS ("
    "  SELECT a.id FROM articles a"
    "  WHERE a.section_id = (SELECT section_id FROM articles WHERE id = ?1)"
    "    AND a.status = 1 AND a.id <> ?1"
    "  ORDER BY a.published_at DESC, a.id DESC LIMIT ?2),"
    " cand(id, n) AS ("
    "  SELECT id, n FROM shared"
    "  UNION ALL SELECT id, 0 FROM near WHERE id NOT IN (SELECT id FROM shared)),"
    " top(id, n, same, pub) AS ("
    "  SELECT c.id, c.n,"
    "   r.section_id IS (SELECT section_id FROM articles WHERE id = ?1),"
    "   r.published_at"
    "  FROM cand c JOIN articles r ON r.id = c.id WHERE r.status = 1"
    "  ORDER BY 2 DESC, 3 DESC, 4 DESC, 1 DESC LIMIT ?2) "
    SDB_ARTICLE_COLS("NULL, NULL")
    "JOIN top ON top.id = a.id"
    " ORDER BY top.n DESC, top.same DESC, top.pub DESC, top.id DESC";

/* The bylines of up to STORE_RELATED_MAX articles; unbound ids are NULL. */
static const char SQL_RELATED_AUTHORS[] =
    "SELECT aa.article_id, au.id, au.slug, au.name, au.bio"
    " FROM article_authors aa JOIN authors au ON au.id = aa.author_id"
    " WHERE aa.article_id IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ORDER BY aa.article_id, aa.position";

_Static_assert(STORE_RELATED_MAX == 8, "SQL_RELATED_AUTHORS binds 8 ids");

static int load_bylines(struct conn *c, struct arena *a, struct article *v,
                        size_t n)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_RELATED_AUTHORS);
    if (!st)
        return ERR_DB;
    int rc, brc = SQLITE_OK;
    size_t cap[STORE_RELATED_MAX] = {0};
    for (size_t i = 0; i < n; i++)
        brc |= sqlite3_bind_int64(st, (int)i + 1, v[i].id);
    if (brc != SQLITE_OK) {
        rc = sdb_fail(c, "articles_related: authors");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "articles_related: authors");
        if (rc != 1)
            break;
        int64_t id = sqlite3_column_int64(st, 0);
        for (size_t i = 0; i < n; i++) {
            if (v[i].id != id)
                continue;
            v[i].authors = sdb_grow(a, v[i].authors, v[i].n_authors, &cap[i],
                                    sizeof(*v[i].authors));
            sdb_read_author(a, st, 1, &v[i].authors[v[i].n_authors++]);
            break;
        }
    }
out:
    sdb_done(st);
    return rc;
}

int store_articles_related(struct store *s, struct arena *a,
                           int64_t article_id, int limit,
                           struct article **out, size_t *n)
{
    struct conn *c;
    sqlite3_stmt *st = NULL;
    struct article *v = NULL;
    size_t len = 0;

    *out = NULL;
    *n = 0;
    if (limit < 0 || limit > STORE_RELATED_MAX)
        return sdb_invalid("articles_related", "limit out of range");
    if (limit == 0)
        return 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    st = sdb_stmt(c, SQL_RELATED);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int64(st, 1, article_id) |
         sqlite3_bind_int(st, 2, limit)) != SQLITE_OK) {
        rc = sdb_fail(c, "articles_related");
        goto out;
    }
    v = arena_zalloc(a, (size_t)limit * sizeof(*v));
    for (;;) {
        rc = sdb_step(c, st, "articles_related");
        if (rc != 1)
            break;
        if (len < (size_t)limit) /* LIMIT ?2 says so; stay safe anyway */
            sdb_read_article(a, st, &v[len++]);
    }
    sdb_done(st);
    st = NULL;
    if (rc == 0 && len > 0)
        rc = load_bylines(c, a, v, len);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}
