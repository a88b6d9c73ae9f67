/*
 * dump.c - every table of a journal, row by row, for `quire export json`
 * and `quire import json` (io/json_dump.c writes and reads the JSON).
 *
 * TABLES lists what is dumped, in the order a load must insert it
 * (referenced rows first). Adding a table is one line: its name, its
 * columns, and the order that makes the dump deterministic (so a round
 * trip is byte-identical). Ids are kept, so links between rows survive.
 * Derived state is not dumped: the change log (changes) and the search
 * index (articles_fts, rebuilt at the end of a load).
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dump_table {
    const char *name;
    const char *const *cols;
    const char *order;
};

#define COLS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct dump_table TABLES[] = {
    {"settings", COLS("key", "value"), "key"},
    {"sections", COLS("id", "slug", "name", "position", "description"), "id"},
    {"issues", COLS("id", "date", "title"), "id"},
    {"authors", COLS("id", "slug", "name", "bio", "photo"), "id"},
    {"tags", COLS("id", "slug", "name"), "id"},
    {"articles",
     COLS("id", "slug", "source", "title", "summary", "body_md", "body_html",
          "status", "published_at", "updated_at", "section_id", "issue_id",
          "hits", "language", "meta_description", "feature_image",
          "feature_image_alt", "issue_position"),
     "id"},
    {"article_authors", COLS("article_id", "author_id", "position"),
     "article_id, position, author_id"},
    {"article_tags", COLS("article_id", "tag_id", "position"),
     "article_id, position, tag_id"},
    /* the editors' side: revisions, schedule, old slugs (V_EDITORIAL) */
    {"article_edit",
     COLS("article_id", "revision", "scheduled", "created_at", "owner"),
     "article_id"},
    {"article_revisions",
     COLS("article_id", "n", "who", "at", "title", "summary", "body_md",
          "section", "issue", "authors", "tags", "slug", "status",
          "publish_at"),
     "article_id, n"},
    {"slug_history", COLS("old_slug", "article_id"), "old_slug"},
    /* countries and organizations, with editors' decisions (V_PLACES) */
    {"article_places",
     COLS("article_id", "kind", "code", "score", "hand", "key"),
     "article_id, kind, code"},
    {"place_decisions", COLS("article_id", "kind", "code", "keep"),
     "article_id, kind, code"},
    {"places_tagged", COLS("article_id", "version"), "article_id"},
    /* the media library's records (the files travel with quire backup) */
    {"media",
     COLS("id", "hash", "kind", "mime", "file", "width", "height", "bytes",
          "alt", "decorative", "caption", "credit", "created_at"),
     "id"},
    {"media_variants",
     COLS("id", "media_id", "file", "mime", "width", "height"), "id"},
    {"links", COLS("id", "title", "url", "position", "image"), "id"},
    {"publications", COLS("id", "kind", "date", "title", "url", "image"), "id"},
    {"subscribers",
     COLS("id", "email", "created_at", "state", "confirmed_at",
          "unsubscribed_at", "confirm_sent_at"),
     "id"},
    {"hits_daily", COLS("article_id", "day", "count"), "article_id, day"},
    {"redirects", COLS("path", "target", "origin"), "path"},
    {"legacy_ids", COLS("key", "target_kind", "target_id"), "key"},
};
#define NTABLES (sizeof(TABLES) / sizeof(TABLES[0]))

static size_t ncols(const struct dump_table *t)
{
    size_t n = 0;
    while (t->cols[n])
        n++;
    return n;
}

static void cols_sql(struct buf *b, const struct dump_table *t)
{
    for (size_t i = 0; t->cols[i]; i++)
        buf_printf(b, "%s%s", i ? ", " : "", t->cols[i]);
}

int store_dump(struct store *s, store_dump_fn fn, void *ctx)
{
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    struct buf sql;
    buf_init(&sql, 4096);
    for (size_t t = 0; rc == 0 && t < NTABLES; t++) {
        const struct dump_table *d = &TABLES[t];
        size_t n = ncols(d);
        buf_reset(&sql);
        buf_append_cstr(&sql, "SELECT ");
        cols_sql(&sql, d);
        buf_printf(&sql, " FROM %s ORDER BY %s", d->name, d->order);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(c->db, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
            rc = sdb_fail(c, "dump");
            break;
        }
        rc = fn(ctx, d->name, d->cols, n, NULL); /* the table starts */
        struct dump_value v[32];
        while (rc == 0) {
            int step = sqlite3_step(st);
            if (step == SQLITE_DONE)
                break;
            if (step != SQLITE_ROW) {
                rc = sdb_fail(c, "dump");
                break;
            }
            for (size_t i = 0; i < n && i < 32; i++) {
                int ty = sqlite3_column_type(st, (int)i);
                v[i] = (struct dump_value){.type = ty == SQLITE_NULL ? DUMP_NULL
                                                   : ty == SQLITE_INTEGER
                                                       ? DUMP_INT
                                                       : DUMP_TEXT};
                if (ty == SQLITE_INTEGER)
                    v[i].i = sqlite3_column_int64(st, (int)i);
                else if (ty != SQLITE_NULL) {
                    v[i].s = (const char *)sqlite3_column_text(st, (int)i);
                    v[i].len = (size_t)sqlite3_column_bytes(st, (int)i);
                }
            }
            rc = fn(ctx, d->name, d->cols, n, v);
        }
        sqlite3_finalize(st);
    }
    buf_release(&sql);
    sdb_read_end(s, c);
    return rc;
}

struct store_load {
    struct store *s;
    const struct dump_table *table;
    sqlite3_stmt *insert;
};

/*
 * load_settings sets the writer up for a load's one transaction, before it
 * begins, or back to SQLite's defaults after it. Each row's insert (its
 * triggers and indexes touch some twenty pages) kept a statement journal,
 * which spilled past 64 KB to a temporary file: 16 times the database's
 * size written (2.6 GB for 20,000 articles). In memory (decided when the
 * transaction begins) it is a copy, freed with the statement. And 256 MB
 * of pages rather than 2 MB keep the indexes' hot pages.
 */
static int load_settings(struct conn *w, bool load)
{
    int rc = sdb_exec(
        w, load ? "PRAGMA temp_store=MEMORY" : "PRAGMA temp_store=DEFAULT",
        "load");
    if (rc == 0)
        rc = sdb_exec(
            w, load ? "PRAGMA cache_size=-262144" : "PRAGMA cache_size=-2000",
            "load");
    return rc;
}

int store_load_begin(struct store *s, struct store_load **out)
{
    static const char SQL_EMPTY[] =
        "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM"
        " sections) + (SELECT count(*) FROM authors) + (SELECT count(*)"
        " FROM tags) + (SELECT count(*) FROM issues) + (SELECT count(*)"
        " FROM redirects)";
    struct conn *w = &s->writer;
    pthread_mutex_lock(&s->wlock);
    int rc = s->depth ? sdb_invalid("load", "inside a transaction")
                      : load_settings(w, true);
    if (rc == 0)
        rc = store_begin(s);
    pthread_mutex_unlock(&s->wlock);
    if (rc != 0) {
        (void)load_settings(w, false);
        return rc;
    }
    sqlite3_stmt *st = sdb_stmt(w, SQL_EMPTY);
    rc = st ? sdb_step(w, st, "load") : ERR_DB;
    if (rc == 1 && sqlite3_column_int64(st, 0) != 0) {
        sdb_errorf("the journal is not empty: import json restores into a "
                   "new journal (quire init)");
        rc = ERR_EXISTS;
    } else if (rc == 1) {
        rc = 0;
    }
    sdb_done(st);
    if (rc != 0) {
        store_rollback(s);
        (void)load_settings(w, false);
        return rc;
    }
    struct store_load *l = calloc(1, sizeof(*l));
    if (!l)
        abort();
    l->s = s;
    *out = l;
    return 0;
}

/*
 * value_sql appends the VALUES term of column i of t to sql: "?N", or
 * "coalesce(?N, DEFAULT)" when the column is NOT NULL with a default, so
 * that a row without the column (a file from before it existed) gets the
 * default, as a new journal would, instead of a NULL the table refuses.
 */
static int value_sql(struct conn *w, const struct dump_table *t, size_t i,
                     struct buf *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(w->db,
                           "SELECT dflt_value FROM pragma_table_info(?1)"
                           " WHERE name = ?2 AND \"notnull\"",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(st, 2, t->cols[i], -1, SQLITE_STATIC) != SQLITE_OK) {
        sqlite3_finalize(st);
        return sdb_fail(w, "load");
    }
    int rc = 0;
    int x = sqlite3_step(st);
    const char *def = x == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
                                      : NULL;
    if (def)
        buf_printf(sql, "%scoalesce(?%zu, %s)", i ? ", " : "", i + 1, def);
    else if (x == SQLITE_ROW || x == SQLITE_DONE)
        buf_printf(sql, "%s?%zu", i ? ", " : "", i + 1);
    else
        rc = sdb_fail(w, "load");
    sqlite3_finalize(st);
    return rc;
}

int store_load_table(struct store_load *l, const char *table)
{
    struct conn *w = &l->s->writer;
    sqlite3_finalize(l->insert);
    l->insert = NULL;
    l->table = NULL;
    for (size_t t = 0; t < NTABLES; t++)
        if (strcmp(TABLES[t].name, table) == 0)
            l->table = &TABLES[t];
    if (!l->table) {
        sdb_errorf("unknown table '%s'", table);
        return ERR_INVALID;
    }
    struct buf sql;
    buf_init(&sql, 4096);
    buf_printf(&sql, "INSERT OR REPLACE INTO %s(", table);
    cols_sql(&sql, l->table);
    buf_append_cstr(&sql, ") VALUES (");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ncols(l->table); i++)
        rc = value_sql(w, l->table, i, &sql);
    buf_append_cstr(&sql, ")");
    if (rc == 0 &&
        sqlite3_prepare_v2(w->db, sql.ptr, -1, &l->insert, NULL) != SQLITE_OK)
        rc = sdb_fail(w, "load");
    buf_release(&sql);
    return rc;
}

int store_load_row(struct store_load *l, const char *const *names,
                   const struct dump_value *v, size_t n)
{
    struct conn *w = &l->s->writer;
    if (!l->insert) {
        sdb_errorf("a row before its table");
        return ERR_INVALID;
    }
    sqlite3_reset(l->insert);
    sqlite3_clear_bindings(l->insert);
    for (size_t k = 0; k < n; k++) {
        int col = -1;
        for (int i = 0; l->table->cols[i]; i++)
            if (strcmp(l->table->cols[i], names[k]) == 0)
                col = i;
        if (col < 0) {
            sdb_errorf("table %s has no column '%s'", l->table->name, names[k]);
            return ERR_INVALID;
        }
        int brc = v[k].type == DUMP_INT
                      ? sqlite3_bind_int64(l->insert, col + 1, v[k].i)
                  : v[k].type == DUMP_TEXT
                      ? sqlite3_bind_text(l->insert, col + 1, v[k].s,
                                          (int)v[k].len, SQLITE_TRANSIENT)
                      : sqlite3_bind_null(l->insert, col + 1);
        if (brc != SQLITE_OK)
            return sdb_fail(w, "load");
    }
    int rc = sqlite3_step(l->insert);
    if (rc != SQLITE_DONE)
        return sdb_fail(w, l->table->name);
    return 0;
}

int store_load_end(struct store_load *l, bool commit)
{
    static const char SQL_REINDEX[] = "INSERT INTO articles_fts(rowid, title, "
                                      "intro, body, authors) " SDB_FTS_ROW
                                      "WHERE a.status = 1";
    struct store *s = l->s;
    sqlite3_finalize(l->insert);
    free(l);
    int rc = 0;
    if (commit) {
        rc = sdb_exec(&s->writer, SQL_REINDEX, "load: search index");
    }
    if (commit && rc == 0)
        rc = store_commit(s);
    else
        store_rollback(s);
    int crc = load_settings(&s->writer, false); /* the pages are freed */
    return rc != 0 ? rc : crc;
}
