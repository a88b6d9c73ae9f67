/*
 * settings.c - the journal's key/value settings (name, tagline, about...).
 *
 * A setting is either set to a string or absent; setting NULL removes it,
 * so "unset" and "empty" stay distinct.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

static const char SQL_GET[] = "SELECT value FROM settings WHERE key = ?1";
static const char SQL_SET[] =
    "INSERT INTO settings(key, value) VALUES (?1, ?2)"
    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_DELETE[] = "DELETE FROM settings WHERE key = ?1";
static const char SQL_LIST[] = "SELECT key, value FROM settings ORDER BY key";

static void value_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(const char **)elem = sdb_col_text(a, st, 0);
}

int store_setting_get(struct store *s, struct arena *a, const char *key,
                      const char **value)
{
    *value = NULL;
    if (!key)
        return sdb_invalid("setting_get", "no key");
    return sdb_one(s, a, SQL_GET, "setting_get", SDB_TEXT(str_from(key)),
                   value_row, value);
}

int store_setting_set(struct store *s, const char *key, const char *value)
{
    if (!key || !*key)
        return sdb_invalid("setting_set", "no key");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, value ? SQL_SET : SQL_DELETE);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sdb_bind_text(st, 1, key) |
         (value ? sdb_bind_text(st, 2, value) : SQLITE_OK)) != SQLITE_OK) {
        rc = sdb_fail(w, "setting_set");
        goto out;
    }
    rc = sdb_step(w, st, "setting_set");
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}

static void setting_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct setting *v = elem;
    v->key = sdb_col_text(a, st, 0);
    v->value = sdb_col_text(a, st, 1);
}

int store_settings_list(struct store *s, struct arena *a, struct setting **out,
                        size_t *n)
{
    return sdb_list(s, a, SQL_LIST, "settings_list", sizeof(**out), setting_row,
                    (void **)out, n);
}
