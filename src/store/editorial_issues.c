/*
 * editorial_issues.c - the editors' writes to issues and authors: create
 * an issue, publish a whole issue at once, set an author's name, slug and
 * bio. The change log's triggers (V2) drop the pages these show.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"
#include "store/editorial.h"

#include "core/arena.h"

#include <string.h>
#include <time.h>

static const char SQL_ISSUE_ID[] = "SELECT id FROM issues WHERE date = ?1";
static const char SQL_ISSUE_ADD[] =
    "INSERT INTO issues(date, title) VALUES (?1, ?2)";
static const char SQL_ISSUE_TITLE[] =
    "UPDATE issues SET title = ?2 WHERE id = ?1";
static const char SQL_ISSUE_DRAFTS[] =
    "SELECT id FROM articles WHERE issue_id = ?1 AND status = 0";
static const char SQL_PUBLISH[] =
    "UPDATE articles SET status = 1, published_at = CASE WHEN"
    " published_at > ?2 THEN ?2 ELSE published_at END WHERE id = ?1";
static const char SQL_BUMP[] =
    "INSERT INTO article_edit(article_id, revision, scheduled, created_at)"
    " VALUES (?1, 1, 0, ?2) ON CONFLICT(article_id) DO UPDATE"
    " SET revision = revision + 1, scheduled = 0";
static const char SQL_AUTHORS[] = SDB_EDIT_AUTHOR_COLS
    " FROM authors ORDER BY name";
static const char SQL_AUTHOR_SET[] =
    "UPDATE authors SET name = coalesce(?2, name), slug = coalesce(?3, slug),"
    " bio = coalesce(?4, bio) WHERE id = ?1";

/* one_id runs a query of one text parameter for one id (0 if none). */
static int one_id(struct conn *w, const char *sql, const char *key, int64_t *id)
{
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st)
        return ERR_DB;
    *id = 0;
    int rc = sdb_bind_text(st, 1, key) == SQLITE_OK ? sdb_step(w, st, "issue")
                                                    : sdb_fail(w, "issue");
    if (rc == 1) {
        *id = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sdb_done(st);
    return rc;
}

/* run_id_int runs sql with ?1 an id and ?2 an integer. */
static int run_id_int(struct conn *w, const char *sql, int64_t id, int64_t v)
{
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st)
        return ERR_DB;
    int rc = (sqlite3_bind_int64(st, 1, id) | sqlite3_bind_int64(st, 2, v)) ==
                     SQLITE_OK
                 ? sdb_step(w, st, "issue publish")
                 : sdb_fail(w, "issue publish");
    sdb_done(st);
    return rc;
}

int store_issue_create(struct store *s, const char *date, const char *title,
                       int64_t *id)
{
    if (!date || !sdb_valid_date(date))
        return sdb_invalid("issue", "date is not YYYY-MM-DD");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    int64_t iid = 0;
    bool existed = false;
    rc = one_id(w, SQL_ISSUE_ID, date, &iid);
    sqlite3_stmt *st = NULL;
    if (rc == 0 && iid) {
        existed = true;
        if (title && *title && (st = sdb_stmt(w, SQL_ISSUE_TITLE)) != NULL) {
            rc = (sqlite3_bind_int64(st, 1, iid) |
                  sdb_bind_text(st, 2, title)) == SQLITE_OK
                     ? sdb_step(w, st, "issue title")
                     : sdb_fail(w, "issue title");
            sdb_done(st);
        }
    } else if (rc == 0) {
        st = sdb_stmt(w, SQL_ISSUE_ADD);
        if (!st)
            rc = ERR_DB;
        else if ((sdb_bind_text(st, 1, date) |
                  sdb_bind_text(st, 2, title && *title ? title : NULL)) !=
                 SQLITE_OK)
            rc = sdb_fail(w, "issue add");
        else
            rc = sdb_step(w, st, "issue add");
        sdb_done(st);
        iid = sqlite3_last_insert_rowid(w->db);
    }
    rc = sdb_write_end(s, rc);
    if (rc == 0 && id)
        *id = iid;
    return rc == 0 && existed ? ERR_EXISTS : rc;
}

int store_issue_publish(struct store *s, const char *date, int *n)
{
    int64_t iid = 0, now = (int64_t)time(NULL);
    int64_t *ids = NULL;
    size_t k = 0, cap = 0;
    struct arena a;
    *n = 0;
    if (!date || !sdb_valid_date(date))
        return sdb_invalid("issue", "date is not YYYY-MM-DD");
    arena_init(&a, 4096);
    int rc = store_begin(s);
    if (rc != 0) {
        arena_release(&a);
        return rc;
    }
    struct conn *w = &s->writer;
    rc = one_id(w, SQL_ISSUE_ID, date, &iid);
    if (rc == 0 && iid == 0)
        rc = ERR_NOT_FOUND;
    sqlite3_stmt *st = rc == 0 ? sdb_stmt(w, SQL_ISSUE_DRAFTS) : NULL;
    if (rc == 0 && !st)
        rc = ERR_DB;
    if (rc == 0) {
        rc = sqlite3_bind_int64(st, 1, iid) == SQLITE_OK
                 ? 1
                 : sdb_fail(w, "issue drafts");
        while (rc == 1 && (rc = sdb_step(w, st, "issue drafts")) == 1) {
            ids = sdb_grow(&a, ids, k, &cap, sizeof(*ids));
            ids[k++] = sqlite3_column_int64(st, 0);
        }
        sdb_done(st);
    }
    for (size_t i = 0; i < k && rc == 0; i++) {
        rc = run_id_int(w, SQL_PUBLISH, ids[i], now);
        if (rc == 0)
            rc = run_id_int(w, SQL_BUMP, ids[i], now);
        if (rc == 0)
            rc = sdb_search_reindex(w, ids[i]);
    }
    rc = sdb_write_end(s, rc);
    if (rc == 0)
        *n = (int)k;
    arena_release(&a);
    return rc;
}

void sdb_edit_author_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct edit_author *au = elem;
    au->id = sqlite3_column_int64(st, 0);
    au->slug = sdb_col_text(a, st, 1);
    au->name = sdb_col_text(a, st, 2);
    au->bio = sdb_col_text(a, st, 3);
    au->articles = sqlite3_column_int64(st, 4);
    au->photo = sdb_col_text(a, st, 5);
}

int store_edit_authors(struct store *s, struct arena *a,
                       struct edit_author **out, size_t *n)
{
    void *list;
    int rc = sdb_list(s, a, SQL_AUTHORS, "authors", sizeof(**out),
                      sdb_edit_author_row, &list, n);
    if (rc == 0)
        *out = list;
    return rc;
}

int store_edit_author_set(struct store *s, int64_t id, const char *name,
                          const char *slug, const char *bio)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_AUTHOR_SET);
    if (!st) {
        rc = ERR_DB;
    } else if ((sqlite3_bind_int64(st, 1, id) | sdb_bind_text(st, 2, name) |
                sdb_bind_text(st, 3, slug) | sdb_bind_text(st, 4, bio)) !=
               SQLITE_OK) {
        rc = sdb_fail(w, "author set");
    } else {
        int x = sqlite3_step(st);
        if (x == SQLITE_CONSTRAINT) {
            sdb_errorf("author: name or slug taken");
            rc = ERR_EXISTS;
        } else if (x != SQLITE_DONE) {
            rc = sdb_fail(w, "author set");
        } else if (sqlite3_changes(w->db) == 0) {
            rc = ERR_NOT_FOUND;
        }
    }
    sdb_done(st);
    return sdb_write_end(s, rc);
}
