/*
 * search.c - full-text search over published articles (FTS5).
 *
 * The index, articles_fts (schema.c, migration 4), has one row per
 * published article: title, intro, Markdown body, byline. It is written
 * only here (sdb_search_reindex, called by store_article_save inside the
 * save's transaction) and by the delete trigger, so it cannot drift from
 * the articles table: a rolled back save rolls its index row back too.
 *
 * A search is four statements in one read snapshot: one count per facet
 * (year, section, author) for the same query and filters, so facet counts
 * add up to the total (the years' sum is the total: every article has a
 * date), and the page (ranked by bm25, with a snippet). The MATCH text comes
 * from content/query.c, which only ever produces quoted terms: no reader's text
 * is FTS5 syntax. Each query starts from the index (CROSS JOIN keeps it
 * outermost): the match is the selective part, the joins are lookups by primary
 * key.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

#include <time.h>

static const char SQL_UNINDEX[] = "DELETE FROM articles_fts WHERE rowid = ?1";
static const char SQL_INDEX[] =
    "INSERT INTO articles_fts(rowid, title, intro, body, authors) " SDB_FTS_ROW
    "WHERE a.id = ?1 AND a.status = 1";

/* ?1 the match; ?2 section slug, ?3 author slug, [?4, ?5) the year's
 * range, each NULL when not filtered on. */
#define SEARCH_FROM                                                            \
    " FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid"    \
    " LEFT JOIN sections s ON s.id = a.section_id"
#define SEARCH_WHERE                                                           \
    " WHERE articles_fts MATCH ?1 AND a.status = 1"                            \
    " AND (?2 IS NULL OR s.slug = ?2)"                                         \
    " AND (?3 IS NULL OR a.id IN (SELECT fa.article_id"                        \
    "  FROM article_authors fa JOIN authors fu ON fu.id = fa.author_id"        \
    "  WHERE fu.slug = ?3))"                                                   \
    " AND (?4 IS NULL OR (a.published_at >= ?4 AND a.published_at < ?5))"      \
    " AND (?8 IS NULL OR a.id IN (SELECT fp.article_id"                        \
    "  FROM article_places fp WHERE fp.kind = 0 AND fp.code = ?8))"

/* Weights: title, intro, body, authors (bm25 is lower for better). The
 * snippet markers are bytes the importer refuses in text; view_search
 * copes with a stray one anyway. */
static const char SQL_PAGE[] =
    "SELECT a.id, a.slug, a.title, a.summary, NULL, NULL, a.status,"
    " a.published_at, a.updated_at, a.hits, s.id, s.slug, s.name,"
    " s.position, i.id, i.date, i.title,"
    " snippet(articles_fts, -1, char(1), char(2), '…', 32)" SEARCH_FROM
    " LEFT JOIN issues i ON i.id = a.issue_id" SEARCH_WHERE
    " ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0, 2.0), a.id"
    " LIMIT ?6 OFFSET ?7";
static const char SQL_FACET_SECTIONS[] =
    "SELECT s.slug, s.name, count(*) n" SEARCH_FROM SEARCH_WHERE
    " AND s.id IS NOT NULL GROUP BY s.id ORDER BY n DESC, s.name"
    " LIMIT "
    "20" /* STORE_FACETS_MAX */;
static const char SQL_FACET_AUTHORS[] =
    "SELECT au.slug, au.name, count(*) n" SEARCH_FROM
    " JOIN article_authors aa ON aa.article_id = a.id"
    " JOIN authors au ON au.id = aa.author_id" SEARCH_WHERE
    " GROUP BY au.id ORDER BY n DESC, au.name"
    " LIMIT "
    "20" /* STORE_FACETS_MAX */;
static const char SQL_FACET_COUNTRIES[] =
    "SELECT cp.code, NULL, count(*) n" SEARCH_FROM
    " JOIN article_places cp ON cp.article_id = a.id AND cp.kind = "
    "0" SEARCH_WHERE " GROUP BY cp.code ORDER BY n DESC, cp.code"
    " LIMIT "
    "20" /* STORE_FACETS_MAX */;
static const char SQL_FACET_YEARS[] =
    "SELECT strftime('%Y', a.published_at, 'unixepoch') y, NULL, "
    "count(*)" SEARCH_FROM SEARCH_WHERE " GROUP BY y ORDER BY y DESC";
static const char SQL_HIT_AUTHORS[] =
    "SELECT au.id, au.slug, au.name, NULL FROM article_authors aa"
    " JOIN authors au ON au.id = aa.author_id"
    " WHERE aa.article_id = ?1 ORDER BY aa.position";

int sdb_search_reindex(struct conn *w, int64_t id)
{
    int rc = 0;
    const char *const steps[] = {SQL_UNINDEX, SQL_INDEX};
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        sqlite3_stmt *st = sdb_stmt(w, steps[i]);
        if (!st)
            return ERR_DB;
        if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
            rc = sdb_fail(w, "search index");
        else
            rc = sdb_step(w, st, "search index");
        sdb_done(st);
    }
    return rc;
}

/* year_range gives [start, end) of a UTC year in Unix seconds. */
static void year_range(int year, int64_t *from, int64_t *until)
{
    struct tm t = {.tm_year = year - 1900, .tm_mday = 1};
    *from = (int64_t)timegm(&t);
    t = (struct tm){.tm_year = year + 1 - 1900, .tm_mday = 1};
    *until = (int64_t)timegm(&t);
}

static int bind_query(sqlite3_stmt *st, const struct search_query *q)
{
    int rc = sdb_bind_text(st, 1, q->match) | sdb_bind_text(st, 2, q->section) |
             sdb_bind_text(st, 3, q->author) | sdb_bind_text(st, 8, q->country);
    if (q->year) {
        int64_t from, until;
        year_range(q->year, &from, &until);
        rc |= sqlite3_bind_int64(st, 4, from) |
              sqlite3_bind_int64(st, 5, until);
    }
    return rc;
}

/* hit_authors loads one hit's byline. */
static int hit_authors(struct conn *c, struct arena *a, struct article *art)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_HIT_AUTHORS);
    if (!st)
        return ERR_DB;
    size_t cap = 0;
    int rc;
    if (sqlite3_bind_int64(st, 1, art->id) != SQLITE_OK) {
        rc = sdb_fail(c, "search: authors");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "search: authors");
        if (rc != 1)
            break;
        art->authors = sdb_grow(a, art->authors, art->n_authors, &cap,
                                sizeof(*art->authors));
        sdb_read_author(a, st, 0, &art->authors[art->n_authors++]);
    }
out:
    sdb_done(st);
    return rc;
}

static int page(struct conn *c, struct arena *a, const struct search_query *q,
                struct search_result *out)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_PAGE);
    if (!st)
        return ERR_DB;
    size_t cap = 0;
    int rc;
    if ((bind_query(st, q) | sqlite3_bind_int(st, 6, q->limit) |
         sqlite3_bind_int(st, 7, q->offset)) != SQLITE_OK) {
        rc = sdb_fail(c, "search");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "search");
        if (rc != 1)
            break;
        out->hits = sdb_grow(a, out->hits, out->n, &cap, sizeof(*out->hits));
        struct search_hit *h = &out->hits[out->n++];
        sdb_read_article(a, st, &h->article);
        h->snippet = sdb_col_text(a, st, 17);
    }
    sdb_done(st);
    st = NULL;
    for (size_t i = 0; i < out->n && rc == 0; i++)
        rc = hit_authors(c, a, &out->hits[i].article);
out:
    sdb_done(st);
    return rc;
}

static int facet(struct conn *c, struct arena *a, const char *sql,
                 const struct search_query *q, struct facet **out, size_t *n)
{
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st)
        return ERR_DB;
    size_t cap = 0;
    int rc;
    if (bind_query(st, q) != SQLITE_OK) {
        rc = sdb_fail(c, "search: facet");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "search: facet");
        if (rc != 1)
            break;
        *out = sdb_grow(a, *out, *n, &cap, sizeof(**out));
        struct facet *f = &(*out)[(*n)++];
        f->key = sdb_col_text(a, st, 0);
        f->name = sdb_col_text(a, st, 1);
        if (!f->name)
            f->name = f->key;
        f->count = sqlite3_column_int64(st, 2);
    }
out:
    sdb_done(st);
    return rc;
}

int store_search(struct store *s, struct arena *a, const struct search_query *q,
                 struct search_result *out)
{
    struct conn *c;
    *out = (struct search_result){0};
    if (!q->match || !*q->match)
        return sdb_invalid("search", "empty query");
    if (q->limit < 0 || q->offset < 0 || q->year < 0 || q->year > 9999)
        return sdb_invalid("search", "bad page or year");
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    /* Every article has one year: the year facet is also the count. */
    rc = facet(c, a, SQL_FACET_YEARS, q, &out->years, &out->n_years);
    for (size_t i = 0; i < out->n_years; i++)
        out->total += out->years[i].count;
    if (rc == 0 && q->limit > 0 && out->total > q->offset)
        rc = page(c, a, q, out);
    if (rc == 0 && out->total > 0)
        rc = facet(c, a, SQL_FACET_SECTIONS, q, &out->sections,
                   &out->n_sections);
    if (rc == 0 && out->total > 0)
        rc = facet(c, a, SQL_FACET_AUTHORS, q, &out->authors, &out->n_authors);
    if (rc == 0 && out->total > 0)
        rc = facet(c, a, SQL_FACET_COUNTRIES, q, &out->countries,
                   &out->n_countries);
    sdb_read_end(s, c);
    if (rc != 0)
        *out = (struct search_result){0};
    return rc;
}

_Static_assert(STORE_FACETS_MAX == 20, "the facet queries' LIMIT says 20");
