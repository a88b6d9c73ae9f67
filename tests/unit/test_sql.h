/*
 * test_sql.h - SQL run straight on a database file, past the store: for
 * tests that set up or check what the store itself would not write or
 * say. Include after <cmocka.h>.
 */
#ifndef QUIRE_TEST_SQL_H
#define QUIRE_TEST_SQL_H

#include <sqlite3.h>
#include <stdint.h>

/* sql_exec runs sql (one or more statements) on the database at path. */
static inline void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* sql_int returns the first column of sql's first row, which must exist. */
static inline int64_t sql_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

#endif
