/*
 * issues.c - reading issues: one by date, the latest, all of them with
 * their article counts, and an issue's table of contents.
 *
 * Only published articles make an issue public: an issue whose articles
 * are all drafts (one being assembled) is neither listed nor "latest".
 * The table of contents is an article list (sdb_articles_query) in the
 * journal's order of sections, so a page of it costs three queries.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

static const char SQL_BY_DATE[] =
    "SELECT id, date, title FROM issues WHERE date = ?1";
static const char SQL_LATEST[] =
    "SELECT i.id, i.date, i.title FROM issues i WHERE EXISTS"
    " (SELECT 1 FROM articles a WHERE a.issue_id = i.id AND a.status = 1)"
    " ORDER BY i.date DESC LIMIT 1";
static const char SQL_LIST[] =
    "SELECT i.id, i.date, i.title, count(*) FROM issues i"
    " JOIN articles a ON a.issue_id = i.id WHERE a.status = 1"
    " GROUP BY i.id ORDER BY i.date DESC";

/* Sections in the journal's order, articles without one last. */
#define TOC_FROM                                                             \
    " WHERE a.issue_id = ?3 AND a.status = 1 ORDER BY s.id IS NULL,"         \
    " s.position, s.name, a.published_at, a.id LIMIT ?1 OFFSET ?2"
static const struct sdb_list_sql toc_sql = {
    SDB_ARTICLE_SELECT("NULL, NULL", "a.hits") TOC_FROM,
    "SELECT count(*) FROM articles a WHERE a.issue_id = ?3 AND a.status = 1",
    SDB_PAGE_AUTHORS "(SELECT a.id FROM articles a"
    " LEFT JOIN sections s ON s.id = a.section_id" TOC_FROM ")"
    " ORDER BY aa.article_id, aa.position",
};

static void issue_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct issue *out = elem;
    out->id = sqlite3_column_int64(st, 0);
    out->date = sdb_col_text(a, st, 1);
    out->title = sdb_col_text(a, st, 2);
}

static void entry_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct issue_entry *out = elem;
    issue_row(a, st, &out->issue);
    out->articles = sqlite3_column_int64(st, 3);
}

int store_issue_by_date(struct store *s, struct arena *a, struct str date,
                        struct issue *out)
{
    *out = (struct issue){0};
    return sdb_one(s, a, SQL_BY_DATE, "issue_by_date", SDB_TEXT(date),
                   issue_row, out);
}

int store_issue_latest(struct store *s, struct arena *a, struct issue *out)
{
    struct issue *v;
    size_t n;
    *out = (struct issue){0};
    int rc = sdb_list(s, a, SQL_LATEST, "issue_latest", sizeof(*v), issue_row,
                      (void **)&v, &n);
    if (rc != 0)
        return rc;
    if (n == 0)
        return ERR_NOT_FOUND;
    *out = v[0];
    return 0;
}

int store_issues_list(struct store *s, struct arena *a,
                      struct issue_entry **out, size_t *n)
{
    return sdb_list(s, a, SQL_LIST, "issues_list", sizeof(**out), entry_row,
                    (void **)out, n);
}

int store_issue_toc(struct store *s, struct arena *a, int64_t issue_id,
                    int limit, int offset, struct article **out, size_t *n,
                    int64_t *total)
{
    struct list_query q = {.kind = LIST_ISSUE, .id = issue_id,
                           .limit = limit, .offset = offset};
    return sdb_articles_query(s, a, &toc_sql, &q, out, n, total);
}
