/*
 * subscribers.c - newsletter sign-ups.
 *
 * The address is stored as given; the column's NOCASE collation makes the
 * UNIQUE constraint case-insensitive (for ASCII), so "A@x.org" and
 * "a@x.org" are one subscriber and the second sign-up is ERR_EXISTS.
 * Checking the address's shape is the caller's job (content/email).
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include <string.h>
#include <time.h>

#define EMAIL_MAX 320 /* RFC 5321: 64 + 1 + 255 */

static const char SQL_ADD[] =
    "INSERT INTO subscribers(email, created_at) VALUES (?1, ?2)";

int store_subscriber_add(struct store *s, const char *email, int64_t *id)
{
    if (!email || !*email || strlen(email) > EMAIL_MAX)
        return sdb_invalid("subscriber_add", "no usable address");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_ADD);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sdb_bind_text(st, 1, email) |
         sqlite3_bind_int64(st, 2, (int64_t)time(NULL))) != SQLITE_OK) {
        rc = sdb_fail(w, "subscriber_add");
        goto out;
    }
    rc = sdb_step(w, st, "subscriber_add"); /* ERR_EXISTS if subscribed */
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(w->db);
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}
