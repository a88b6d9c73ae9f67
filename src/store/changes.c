/*
 * changes.c - the change log: what each write touched, for the page cache.
 *
 * Triggers (schema version 2) append one row per touched name; the rowid
 * is the sequence number. A reader remembers the highest number it has
 * seen and asks for the names changed since; the answer is exact whichever
 * process wrote, because the triggers run in the writer's own transaction.
 * A name may come several times (an import touches "list" thousands of
 * times): the query folds duplicates.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"
#include "core/nocache.h"

static const char SQL_LATEST[] = "SELECT coalesce(max(seq), 0) FROM changes";
static const char SQL_SINCE[] =
    "SELECT DISTINCT name FROM changes WHERE seq > ?1 LIMIT ?2";
static const char SQL_PRUNE[] = "DELETE FROM changes WHERE seq < ?1";

int sdb_changes_seq(struct conn *c, int64_t *seq)
{
    /* One snapshot, one value: a held read asks once. */
    if (c->hold > 0 && c->has_held_seq) {
        *seq = c->held_seq;
        return 0;
    }
    sqlite3_stmt *st = sdb_stmt(c, SQL_LATEST);
    int rc = st ? sdb_step(c, st, "changes: latest") : ERR_DB;
    if (rc == 1) {
        *seq = sqlite3_column_int64(st, 0);
        rc = 0;
        if (c->hold > 0) {
            c->held_seq = *seq;
            c->has_held_seq = true;
        }
    }
    sdb_done(st);
    return rc;
}

int64_t sdb_memo_version(struct store *s, struct conn *c)
{
    int64_t seq;
    if (c == &s->writer || nocache_on() || sdb_changes_seq(c, &seq) != 0)
        return 0;
    /* +1: an empty log (seq 0) is a version too, and 0 means none. */
    return seq + 1;
}

int store_changes_since(struct store *s, struct arena *a, int64_t since,
                        size_t max, struct change_set *out)
{
    struct conn *c;
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    *out = (struct change_set){.seq = since};
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = sdb_changes_seq(c, &out->seq);
    if (rc != 0 || out->seq == since)
        goto out;
    st = sdb_stmt(c, SQL_SINCE);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int64(st, 1, since) |
         sqlite3_bind_int64(st, 2, (int64_t)max + 1)) != SQLITE_OK) {
        rc = sdb_fail(c, "changes");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "changes");
        if (rc != 1)
            break;
        if (out->n == max) {
            out->all = true; /* too many to name: the caller drops all */
            out->n = 0;
            rc = 0;
            break;
        }
        out->names = sdb_grow(a, out->names, out->n, &cap, sizeof(*out->names));
        out->names[out->n++] = sdb_col_text(a, st, 0);
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    if (rc != 0)
        *out = (struct change_set){.seq = since};
    return rc;
}

int store_changes_prune(struct store *s, int64_t seq)
{
    int64_t keep = sdb_xapian_keep(s); /* the search index follows too */
    if (keep < seq)
        seq = keep + 1;
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_PRUNE);
    if (!st)
        rc = ERR_DB;
    else if (sqlite3_bind_int64(st, 1, seq) != SQLITE_OK)
        rc = sdb_fail(w, "changes: prune");
    else
        rc = sdb_step(w, st, "changes: prune");
    sdb_done(st);
    return sdb_write_end(s, rc);
}
