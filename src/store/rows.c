/*
 * rows.c - lists of rows with integer parameters, and pages of them.
 *
 * The index pages (authors, tags, archive months) are plain aggregates
 * that differ only in their SQL and row reader; these two helpers run
 * them on this thread's reader. A page and its count are read in one
 * snapshot so the pager never disagrees with the rows shown.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

int sdb_rows(struct conn *c, struct arena *a, const char *sql, const char *ctx,
             const int64_t *args, size_t nargs, size_t elem_size,
             sdb_row_fn row, void **out, size_t *n)
{
    char *v = NULL;
    size_t len = 0, cap = 0;
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st)
        return ERR_DB;
    int rc = SQLITE_OK;
    for (size_t i = 0; i < nargs; i++)
        rc |= sqlite3_bind_int64(st, (int)i + 1, args[i]);
    if (rc != SQLITE_OK) {
        rc = sdb_fail(c, ctx);
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, ctx);
        if (rc != 1)
            break;
        v = sdb_grow(a, v, len, &cap, elem_size);
        row(a, st, v + len * elem_size);
        len++;
    }
    if (rc == 0) {
        *out = v;
        *n = len;
    }
out:
    sdb_done(st);
    return rc;
}

int sdb_select(struct store *s, struct arena *a, const char *sql,
               const char *ctx, const int64_t *args, size_t nargs,
               size_t elem_size, sdb_row_fn row, void **out, size_t *n)
{
    struct conn *c;
    *out = NULL;
    *n = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = sdb_rows(c, a, sql, ctx, args, nargs, elem_size, row, out, n);
    sdb_read_end(s, c);
    return rc;
}

static void count_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    (void)a;
    *(int64_t *)elem = sqlite3_column_int64(st, 0);
}

int sdb_select_page(struct store *s, struct arena *a, const char *count_sql,
                    const char *page_sql, const char *ctx, int limit,
                    int offset, size_t elem_size, sdb_row_fn row, void **out,
                    size_t *n, int64_t *total)
{
    struct conn *c;
    *out = NULL;
    *n = 0;
    if (total)
        *total = 0;
    if (limit < 0 || offset < 0)
        return sdb_invalid(ctx, "negative limit or offset");
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    if (total) {
        void *cv;
        size_t cn;
        rc = sdb_rows(c, a, count_sql, ctx, NULL, 0, sizeof(int64_t), count_row,
                      &cv, &cn);
        if (rc == 0 && cn == 1)
            *total = *(int64_t *)cv;
    }
    const int64_t args[] = {limit, offset};
    if (rc == 0 && limit > 0)
        rc = sdb_rows(c, a, page_sql, ctx, args, 2, elem_size, row, out, n);
    sdb_read_end(s, c);
    return rc;
}
