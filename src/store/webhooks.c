/*
 * webhooks.c - webhooks and their delivery queue (schema V_WEBHOOKS).
 *
 * The queue is filled by triggers (schema.c) in the transaction of the
 * write that caused the event; the server's webhook thread (hooks/) takes
 * due deliveries here and records each attempt.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

static const char SQL_ADD[] =
    "INSERT INTO webhooks(url, events, secret, created_at)"
    " VALUES (?1, ?2, ?3, CAST(strftime('%s', 'now') AS INTEGER))";
static const char SQL_REMOVE[] = "DELETE FROM webhooks WHERE id = ?1";
static const char SQL_LIST[] =
    "SELECT w.id, w.url, w.events, w.secret IS NOT NULL,"
    " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id"
    "  AND d.state = 'pending'),"
    " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id"
    "  AND d.state = 'delivered'),"
    " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id"
    "  AND d.state = 'failed')"
    " FROM webhooks w ORDER BY w.id";
static const char SQL_DUE[] =
    "SELECT d.id, d.uuid, d.event, d.payload, w.url, w.secret, d.attempts,"
    " d.created_at FROM webhook_deliveries d JOIN webhooks w"
    " ON w.id = d.webhook_id WHERE d.state = 'pending' AND d.next_at <= ?1"
    " ORDER BY d.next_at, d.id LIMIT ?2";
static const char SQL_ATTEMPT[] =
    "INSERT INTO webhook_attempts(delivery_id, at, status, response, error)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_AFTER[] =
    "UPDATE webhook_deliveries SET attempts = attempts + 1, state = ?2,"
    " next_at = ?3, last_status = ?4,"
    " delivered_at = CASE WHEN ?2 = 'delivered' THEN ?5 END WHERE id = ?1";
static const char SQL_LOG[] =
    "SELECT d.id, d.uuid, d.event, d.state, d.attempts, a.at, a.status,"
    " coalesce(a.error, a.response) FROM webhook_attempts a"
    " JOIN webhook_deliveries d ON d.id = a.delivery_id"
    " WHERE ?1 = 0 OR d.webhook_id = ?1 ORDER BY a.id DESC LIMIT ?2";

int store_webhook_add(struct store *s, const char *url, const char *events,
                      const char *secret, int64_t *id)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_ADD);
    if (!st) {
        rc = ERR_DB;
    } else if ((sdb_bind_text(st, 1, url) | sdb_bind_text(st, 2, events) |
                sdb_bind_text(st, 3, secret)) != SQLITE_OK) {
        rc = sdb_fail(w, "webhook_add");
    } else {
        rc = sdb_step(w, st, "webhook_add");
        if (rc == 0)
            *id = sqlite3_last_insert_rowid(w->db);
    }
    sdb_done(st);
    return sdb_write_end(s, rc);
}

int store_webhook_remove(struct store *s, int64_t id)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_REMOVE);
    if (!st) {
        rc = ERR_DB;
    } else if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
        rc = sdb_fail(w, "webhook_remove");
    } else {
        rc = sdb_step(w, st, "webhook_remove");
        if (rc == 0 && sqlite3_changes(w->db) == 0) {
            sdb_errorf("webhook_remove: no webhook %lld", (long long)id);
            rc = ERR_NOT_FOUND;
        }
    }
    sdb_done(st);
    return sdb_write_end(s, rc);
}

static void webhook_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(struct webhook *)elem = (struct webhook){
        .id = sqlite3_column_int64(st, 0),
        .url = sdb_col_text(a, st, 1),
        .events = sdb_col_text(a, st, 2),
        .has_secret = sqlite3_column_int(st, 3) != 0,
        .pending = sqlite3_column_int64(st, 4),
        .delivered = sqlite3_column_int64(st, 5),
        .failed = sqlite3_column_int64(st, 6),
    };
}

int store_webhooks_list(struct store *s, struct arena *a, struct webhook **out,
                        size_t *n)
{
    return sdb_list(s, a, SQL_LIST, "webhooks_list", sizeof(**out), webhook_row,
                    (void **)out, n);
}

int store_webhook_due(struct store *s, struct arena *a, int64_t now, int max,
                      struct webhook_delivery **out, size_t *n)
{
    struct conn *c;
    *out = NULL;
    *n = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_DUE);
    if (!st || (sqlite3_bind_int64(st, 1, now) |
                sqlite3_bind_int(st, 2, max)) != SQLITE_OK) {
        rc = st ? sdb_fail(c, "webhook_due") : ERR_DB;
        goto out;
    }
    struct webhook_delivery *d = arena_alloc(a, sizeof(*d) * (size_t)max);
    size_t k = 0;
    while (k < (size_t)max && (rc = sdb_step(c, st, "webhook_due")) == 1) {
        d[k++] = (struct webhook_delivery){
            .id = sqlite3_column_int64(st, 0),
            .uuid = sdb_col_text(a, st, 1),
            .event = sdb_col_text(a, st, 2),
            .payload = sdb_col_text(a, st, 3),
            .url = sdb_col_text(a, st, 4),
            .secret = sdb_col_text(a, st, 5),
            .attempts = sqlite3_column_int(st, 6),
            .created_at = sqlite3_column_int64(st, 7),
        };
    }
    if (rc >= 0) {
        rc = 0;
        *out = d;
        *n = k;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

int store_webhook_attempt(struct store *s, const struct webhook_attempt *at)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_ATTEMPT);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int64(st, 1, at->delivery_id) |
         sqlite3_bind_int64(st, 2, at->at) |
         (at->status ? sqlite3_bind_int(st, 3, at->status)
                     : sqlite3_bind_null(st, 3)) |
         sdb_bind_text(st, 4, at->response) |
         sdb_bind_text(st, 5, at->error)) != SQLITE_OK) {
        rc = sdb_fail(w, "webhook_attempt");
        goto out;
    }
    rc = sdb_step(w, st, "webhook_attempt");
    sdb_done(st);
    st = NULL;
    if (rc != 0)
        goto out;
    st = sdb_stmt(w, SQL_AFTER);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int64(st, 1, at->delivery_id) |
         sdb_bind_text(st, 2, at->state) |
         sqlite3_bind_int64(st, 3, at->next_at) |
         (at->status ? sqlite3_bind_int(st, 4, at->status)
                     : sqlite3_bind_null(st, 4)) |
         sqlite3_bind_int64(st, 5, at->at)) != SQLITE_OK) {
        rc = sdb_fail(w, "webhook_attempt");
        goto out;
    }
    rc = sdb_step(w, st, "webhook_attempt");
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}

int store_webhook_log(struct store *s, struct arena *a, int64_t webhook_id,
                      int max, struct webhook_log **out, size_t *n)
{
    struct conn *c;
    *out = NULL;
    *n = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_LOG);
    if (!st || (sqlite3_bind_int64(st, 1, webhook_id) |
                sqlite3_bind_int(st, 2, max)) != SQLITE_OK) {
        rc = st ? sdb_fail(c, "webhook_log") : ERR_DB;
        goto out;
    }
    struct webhook_log *l = arena_alloc(a, sizeof(*l) * (size_t)max);
    size_t k = 0;
    while (k < (size_t)max && (rc = sdb_step(c, st, "webhook_log")) == 1) {
        l[k++] = (struct webhook_log){
            .delivery_id = sqlite3_column_int64(st, 0),
            .uuid = sdb_col_text(a, st, 1),
            .event = sdb_col_text(a, st, 2),
            .state = sdb_col_text(a, st, 3),
            .attempts = sqlite3_column_int(st, 4),
            .at = sqlite3_column_int64(st, 5),
            .status = sqlite3_column_int(st, 6),
            .response = sdb_col_text(a, st, 7),
        };
    }
    if (rc >= 0) {
        rc = 0;
        *out = l;
        *n = k;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}
