/*
 * backup_test.c - store_backup, store_restore and the database lock.
 *
 * Real files in a temp dir. The lock is tested from one process: flock
 * locks belong to open file descriptions, so two opens of the lock file in
 * one process conflict exactly as two processes do.
 */
#include "core/arena.h"
#include "core/log.h"
#include "store/store_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define TMPDIR_NAME "/tmp/quire-backup-XXXXXX"
#include "test_tmpdir.h"

static void make_db(const char *name, const char *journal)
{
    struct store *s;
    assert_int_equal(store_open(path_of(name), STORE_CREATE, &s), 0);
    assert_int_equal(store_setting_set(s, "name", journal), 0);
    store_close(s);
}

static const char *name_in(const char *name)
{
    static char value[64];
    struct store *s;
    const char *v;
    struct arena a;
    arena_init(&a, 1024);
    assert_int_equal(store_open(path_of(name), 0, &s), 0);
    assert_int_equal(store_setting_get(s, &a, "name", &v), 0);
    snprintf(value, sizeof(value), "%s", v);
    store_close(s);
    arena_release(&a);
    return value;
}

static void test_backup_and_restore_round_trip(void **state)
{
    (void)state;
    struct backup_stats st;
    make_db("a.db", "First");
    assert_int_equal(
        store_backup(path_of("a.db"), path_of("a-copy.db"), false, &st), 0);
    assert_true(st.pages > 0 && st.steps > 0 && st.bytes > 0);
    assert_int_equal(st.schema, store_schema_version());
    assert_string_equal(name_in("a-copy.db"), "First");

    /* An existing file is kept, unless forced; never the database. */
    assert_int_equal(
        store_backup(path_of("a.db"), path_of("a-copy.db"), false, &st),
        ERR_EXISTS);
    assert_non_null(strstr(store_last_error(), "--force"));
    assert_int_equal(
        store_backup(path_of("a.db"), path_of("a-copy.db"), true, &st), 0);
    assert_int_equal(store_backup(path_of("a.db"), path_of("a.db"), true, &st),
                     ERR_INVALID);
    assert_int_equal(
        store_backup(path_of("none.db"), path_of("n.db"), false, &st),
        ERR_NOT_FOUND);

    /* Restore puts the copy back over a changed database. */
    struct store *s;
    assert_int_equal(store_open(path_of("a.db"), 0, &s), 0);
    assert_int_equal(store_setting_set(s, "name", "Second"), 0);
    /* ...but not while a store has it open. */
    assert_int_equal(store_restore(path_of("a.db"), path_of("a-copy.db"), &st),
                     ERR_BUSY);
    assert_non_null(strstr(store_last_error(), "in use"));
    store_close(s);
    assert_string_equal(name_in("a.db"), "Second");
    assert_int_equal(store_restore(path_of("a.db"), path_of("a-copy.db"), &st),
                     0);
    assert_string_equal(name_in("a.db"), "First");
    assert_int_equal(access(path_of("a.db.tmp"), F_OK), -1);
}

static void test_restore_while_locked_blocks_open(void **state)
{
    (void)state;
    struct store *s;
    int fd;
    make_db("b.db", "B");
    /* What restore holds while it replaces the file. */
    assert_int_equal(sdb_lock(path_of("b.db"), SDB_LOCK_EXCLUSIVE, &fd), 0);
    assert_int_equal(store_open(path_of("b.db"), 0, &s), ERR_BUSY);
    assert_non_null(strstr(store_last_error(), "being restored"));
    sdb_unlock(fd);
    assert_int_equal(store_open(path_of("b.db"), 0, &s), 0);
    /* Shared locks do not conflict: servers and CLI commands coexist. */
    struct store *s2;
    assert_int_equal(store_open(path_of("b.db"), 0, &s2), 0);
    store_close(s2);
    store_close(s);
    /* A lock file that was never made is not made by IF_EXISTS. */
    assert_int_equal(sdb_lock(path_of("nobody.db"),
                              SDB_LOCK_EXCLUSIVE | SDB_LOCK_IF_EXISTS, &fd),
                     0);
    assert_int_equal(fd, -1);
    assert_int_equal(access(path_of("nobody.db.lock"), F_OK), -1);
}

static void test_restore_refuses_what_is_not_ours(void **state)
{
    (void)state;
    struct backup_stats st;
    make_db("c.db", "C");
    FILE *f = fopen(path_of("text.db"), "w");
    assert_non_null(f);
    fputs("not a database, just text that is long enough to look like one"
          " at first glance, which SQLite will not be fooled by at all....",
          f);
    fclose(f);
    assert_int_equal(store_restore(path_of("c.db"), path_of("text.db"), &st),
                     ERR_INVALID);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path_of("plain.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_restore(path_of("c.db"), path_of("plain.db"), &st),
                     ERR_INVALID);
    assert_non_null(strstr(store_last_error(), "not a Quire database"));
    assert_int_equal(store_restore(path_of("c.db"), path_of("gone.db"), &st),
                     ERR_NOT_FOUND);
    assert_string_equal(name_in("c.db"), "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_and_restore_round_trip),
        cmocka_unit_test(test_restore_while_locked_blocks_open),
        cmocka_unit_test(test_restore_refuses_what_is_not_ours),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
