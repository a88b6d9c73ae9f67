/*
 * hits.c - read counters.
 *
 * The site counts reads in memory and hands them here in batches; a batch
 * is one transaction, so a flush of a thousand counters is one fsync (at
 * most: synchronous=NORMAL in WAL syncs at checkpoints). Each delta also
 * lands in hits_daily under today's UTC date. A delta for an article that
 * no longer exists is dropped, not an error: it may have been deleted
 * since it was read. store_hits_prune keeps hits_daily to the days the
 * "most read" periods look at; the running totals stay in articles.hits.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/log.h"

static const char SQL_ADD[] =
    "UPDATE articles SET hits = hits + ?2 WHERE id = ?1";
static const char SQL_DAILY[] = "INSERT INTO hits_daily(article_id, day, count)"
                                " VALUES (?1, date('now'), ?2)"
                                " ON CONFLICT(article_id, day) DO UPDATE SET "
                                "count = count + excluded.count";
static const char SQL_GET[] = "SELECT hits FROM articles WHERE id = ?1";
static const char SQL_PRUNE[] =
    "DELETE FROM hits_daily WHERE day < date(?1, 'unixepoch')";

/* bump runs sql with (article_id, count); *changed reports a row hit. */
static int bump(struct conn *w, const char *sql, const struct hit_delta *d,
                bool *changed)
{
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st)
        return ERR_DB;
    int rc;
    if ((sqlite3_bind_int64(st, 1, d->article_id) |
         sqlite3_bind_int64(st, 2, d->count)) != SQLITE_OK)
        rc = sdb_fail(w, "hits_add");
    else
        rc = sdb_step(w, st, "hits_add");
    if (rc == 0 && changed)
        *changed = sqlite3_changes(w->db) > 0;
    sdb_done(st);
    return rc;
}

int store_hits_add(struct store *s, const struct hit_delta *d, size_t n)
{
    if (n == 0)
        return 0;
    if (!d)
        return sdb_invalid("hits_add", "no deltas");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    size_t dropped = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        bool exists = false;
        if (d[i].count == 0)
            continue;
        rc = bump(w, SQL_ADD, &d[i], &exists);
        if (rc == 0 && exists)
            rc = bump(w, SQL_DAILY, &d[i], NULL);
        else if (rc == 0)
            dropped++;
    }
    if (dropped)
        log_debug("hits for %zu missing articles dropped", dropped);
    return sdb_write_end(s, rc);
}

static void hits_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    (void)a;
    *(int64_t *)elem = sqlite3_column_int64(st, 0);
}

int store_article_hits(struct store *s, int64_t article_id, int64_t *hits)
{
    *hits = 0;
    int rc = sdb_one(s, NULL, SQL_GET, "article_hits", SDB_INT(article_id),
                     hits_row, hits);
    if (rc == ERR_NOT_FOUND)
        sdb_errorf("article_hits: no article %lld", (long long)article_id);
    return rc;
}

int store_hits_prune(struct store *s, int64_t before, int64_t *deleted)
{
    if (deleted)
        *deleted = 0;
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_PRUNE);
    if (!st)
        return sdb_write_end(s, ERR_DB);
    if (sqlite3_bind_int64(st, 1, before) != SQLITE_OK)
        rc = sdb_fail(w, "hits_prune");
    else
        rc = sdb_step(w, st, "hits_prune");
    if (rc == 0 && deleted)
        *deleted = sqlite3_changes(w->db);
    sdb_done(st);
    return sdb_write_end(s, rc);
}
