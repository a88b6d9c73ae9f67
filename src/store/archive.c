/*
 * archive.c - how many articles were published in each month.
 *
 * One aggregate over the (status, published_at) index, restricted to a
 * range so a year's page reads only that year's entries. Months are UTC,
 * like every date Quire prints.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

static const char SQL_MONTHS[] =
    "SELECT CAST(strftime('%Y', published_at, 'unixepoch') AS INTEGER) y,"
    " CAST(strftime('%m', published_at, 'unixepoch') AS INTEGER) m,"
    " count(*) FROM articles WHERE status = 1 AND published_at >= ?1"
    " AND published_at < ?2 GROUP BY y, m ORDER BY y DESC, m DESC";

static void month_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    (void)a;
    struct month_entry *out = elem;
    out->year = sqlite3_column_int(st, 0);
    out->month = sqlite3_column_int(st, 1);
    out->articles = sqlite3_column_int64(st, 2);
}

int store_archive_months(struct store *s, struct arena *a, int64_t from,
                         int64_t until, struct month_entry **out, size_t *n)
{
    const int64_t args[] = {from, until};
    return sdb_select(s, a, SQL_MONTHS, "archive_months", args, 2,
                      sizeof(**out), month_row, (void **)out, n);
}
