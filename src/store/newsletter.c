/*
 * newsletter.c - subscribers' states, campaigns and the durable outbox.
 *
 * Everything that decides whether a mail goes out is one transaction here:
 * a sign-up records the subscriber and queues its confirmation together; a
 * campaign and one outbox row per confirmed subscriber are queued together.
 * The sender (mail/sender.c) reads due rows and marks each one only after
 * the SMTP server answered, so a crash leaves a row queued, never lost.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

enum {
    CONFIRM_AGAIN_PENDING_S = 300, /* a lost confirmation may be asked again */
    CONFIRM_AGAIN_CONFIRMED_S = 3600, /* no mail bombing of subscribers */
};

static const char SQL_SECRET[] =
    "SELECT secret FROM newsletter_secret WHERE id = 1";
static const char SQL_FIND[] =
    "SELECT id, state, confirm_sent_at FROM subscribers WHERE email = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO subscribers(email, created_at, state, confirmed_at,"
    " confirm_sent_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_PENDING_AGAIN[] =
    "UPDATE subscribers SET state = CASE state WHEN 2 THEN 0 ELSE state END,"
    " unsubscribed_at = NULL, confirm_sent_at = ?2 WHERE id = ?1";
static const char SQL_QUEUE_CONFIRM[] =
    "INSERT INTO outbox(kind, subscriber_id, rcpt, message_id, next_at,"
    " created_at) SELECT 0, id, email,"
    " '<' || lower(hex(randomblob(12))) || '@' || ?3 || '>', ?2, ?2"
    " FROM subscribers WHERE id = ?1";
static const char SQL_CONFIRM[] =
    "UPDATE subscribers SET state = 1, confirmed_at = coalesce(CASE state"
    " WHEN 1 THEN confirmed_at END, ?2), unsubscribed_at = NULL"
    " WHERE id = ?1";
static const char SQL_UNSUBSCRIBE[] =
    "UPDATE subscribers SET state = 2, unsubscribed_at = coalesce(CASE state"
    " WHEN 2 THEN unsubscribed_at END, ?2) WHERE id = ?1";
static const char SQL_REMOVE[] = "DELETE FROM subscribers WHERE email = ?1";
static const char SQL_GET[] =
    "SELECT id, email, state, created_at, coalesce(confirmed_at, 0)"
    " FROM subscribers WHERE id = ?1";
static const char SQL_LIST_ALL[] =
    "SELECT id, email, state, created_at, coalesce(confirmed_at, 0)"
    " FROM subscribers ORDER BY id";
static const char SQL_LIST_STATE[] =
    "SELECT id, email, state, created_at, coalesce(confirmed_at, 0)"
    " FROM subscribers WHERE state = ?1 ORDER BY id";
static const char SQL_COUNTS[] =
    "SELECT state, count(*) FROM subscribers GROUP BY state";
static const char SQL_CAMPAIGN_ADD[] =
    "INSERT INTO campaigns(issue_date, subject, text_body, html_body,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_CAMPAIGN_ROWS[] =
    "INSERT INTO outbox(campaign_id, kind, subscriber_id, rcpt, message_id,"
    " next_at, created_at) SELECT ?1, 1, id, email,"
    " '<' || lower(hex(randomblob(12))) || '@' || ?3 || '>', ?2, ?2"
    " FROM subscribers WHERE state = 1 ORDER BY id";
static const char SQL_CAMPAIGN_GET[] =
    "SELECT id, issue_date, subject, text_body, html_body, created_at"
    " FROM campaigns WHERE id = ?1";
static const char SQL_STATUS[] =
    "SELECT c.id, c.issue_date, c.subject, c.created_at,"
    " count(o.id) FILTER (WHERE o.state = 0 AND o.attempts = 0),"
    " count(o.id) FILTER (WHERE o.state = 1),"
    " count(o.id) FILTER (WHERE o.state = 0 AND o.attempts > 0),"
    " count(o.id) FILTER (WHERE o.state = 2),"
    " count(o.id) FILTER (WHERE o.state = 3)"
    " FROM campaigns c LEFT JOIN outbox o ON o.campaign_id = c.id"
    " WHERE c.test = 0 GROUP BY c.id ORDER BY c.id";
static const char SQL_CAMPAIGN_TEST[] =
    "INSERT INTO campaigns(issue_date, subject, text_body, html_body,"
    " created_at, test) VALUES (?1, ?2, ?3, ?4, ?5, 1)";
static const char SQL_TEST_ROW[] =
    "INSERT INTO outbox(campaign_id, kind, rcpt, message_id, next_at,"
    " created_at) VALUES (?1, 2, ?4,"
    " '<' || lower(hex(randomblob(12))) || '@' || ?3 || '>', ?2, ?2)";
static const char SQL_DUE[] =
    "SELECT o.id, coalesce(o.campaign_id, 0), coalesce(o.subscriber_id, 0),"
    " o.kind, o.rcpt, o.message_id, coalesce(s.state, -1), o.attempts,"
    " o.created_at FROM outbox o LEFT JOIN subscribers s"
    " ON s.id = o.subscriber_id WHERE o.state = 0 AND o.next_at <= ?1"
    " AND o.id % ?2 = ?3 ORDER BY o.next_at, o.id LIMIT ?4";
static const char SQL_MARK[] =
    "UPDATE outbox SET state = ?2, attempts = ?3, next_at = ?4,"
    " last_error = ?5, sent_at = CASE ?2 WHEN 1 THEN ?6 END WHERE id = ?1";
static const char SQL_FAILURES[] =
    "SELECT rcpt, coalesce(last_error, '') FROM outbox WHERE state = 2"
    " AND campaign_id = ?1 ORDER BY id";

int store_newsletter_secret(struct store *s, unsigned char out[32])
{
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_SECRET);
    rc = st ? sdb_step(c, st, "newsletter_secret") : ERR_DB;
    if (rc == 1 && sqlite3_column_bytes(st, 0) == 32) {
        memcpy(out, sqlite3_column_blob(st, 0), 32);
        rc = 0;
    } else if (rc >= 0) {
        rc = sdb_invalid("newsletter_secret", "no secret");
    }
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

/* run binds up to three integers (?1..) and one text (?tpos) and steps. */
static int run(struct conn *w, const char *sql, const char *ctx, int64_t a1,
               int64_t a2, int tpos, const char *text)
{
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st)
        return ERR_DB;
    int rc, np = sqlite3_bind_parameter_count(st);
    if (((tpos != 1 ? sqlite3_bind_int64(st, 1, a1) : SQLITE_OK) |
         (np >= 2 && tpos != 2 ? sqlite3_bind_int64(st, 2, a2) : SQLITE_OK) |
         (tpos ? sdb_bind_text(st, tpos, text) : SQLITE_OK)) != SQLITE_OK)
        rc = sdb_fail(w, ctx);
    else
        rc = sdb_step(w, st, ctx);
    sdb_done(st);
    return rc;
}

int store_subscriber_signup(struct store *s, const char *email,
                            const char *domain, int64_t now, bool *queued)
{
    *queued = false;
    if (!email || !*email || strlen(email) > 320 || !domain)
        return sdb_invalid("subscriber_signup", "no usable address");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    int64_t id = 0, state = -1, sent = 0;
    sqlite3_stmt *st = sdb_stmt(w, SQL_FIND);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    rc = sdb_bind_text(st, 1, email) == SQLITE_OK
             ? sdb_step(w, st, "subscriber_signup")
             : sdb_fail(w, "subscriber_signup");
    if (rc == 1) {
        id = sqlite3_column_int64(st, 0);
        state = sqlite3_column_int64(st, 1);
        sent = sqlite3_column_int64(st, 2);
    }
    sdb_done(st);
    if (rc < 0)
        goto out;
    if (id == 0) {
        st = sdb_stmt(w, SQL_INSERT);
        if (!st) {
            rc = ERR_DB;
            goto out;
        }
        if ((sdb_bind_text(st, 1, email) | sqlite3_bind_int64(st, 2, now) |
             sqlite3_bind_int64(st, 3, 0) | sqlite3_bind_null(st, 4) |
             sqlite3_bind_int64(st, 5, now)) != SQLITE_OK)
            rc = sdb_fail(w, "subscriber_signup");
        else
            rc = sdb_step(w, st, "subscriber_signup");
        sdb_done(st);
        if (rc < 0)
            goto out;
        id = sqlite3_last_insert_rowid(w->db);
    } else {
        int64_t wait = state == 1 ? CONFIRM_AGAIN_CONFIRMED_S
                                  : CONFIRM_AGAIN_PENDING_S;
        if (sent != 0 && now - sent < wait) {
            rc = 0;
            goto out;
        }
        rc = run(w, SQL_PENDING_AGAIN, "subscriber_signup", id, now, 0, NULL);
        if (rc < 0)
            goto out;
    }
    rc = run(w, SQL_QUEUE_CONFIRM, "subscriber_signup", id, now, 3, domain);
    if (rc >= 0) {
        rc = 0;
        *queued = true;
    }
out:
    return sdb_write_end(s, rc);
}

int store_subscriber_set_state(struct store *s, int64_t id, int state,
                               int64_t now)
{
    if (state != SUB_CONFIRMED && state != SUB_UNSUBSCRIBED)
        return sdb_invalid("subscriber_set_state", "bad state");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    rc = run(w, state == SUB_CONFIRMED ? SQL_CONFIRM : SQL_UNSUBSCRIBE,
             "subscriber_set_state", id, now, 0, NULL);
    if (rc == 0 && sqlite3_changes(w->db) == 0)
        rc = ERR_NOT_FOUND;
    return sdb_write_end(s, rc);
}

int store_subscriber_import(struct store *s, const char *email, bool confirmed,
                            int64_t now)
{
    if (!email || !*email || strlen(email) > 320)
        return sdb_invalid("subscriber_import", "no usable address");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_INSERT);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sdb_bind_text(st, 1, email) | sqlite3_bind_int64(st, 2, now) |
         sqlite3_bind_int64(st, 3, confirmed ? 1 : 0) |
         (confirmed ? sqlite3_bind_int64(st, 4, now)
                    : sqlite3_bind_null(st, 4)) |
         sqlite3_bind_null(st, 5)) != SQLITE_OK)
        rc = sdb_fail(w, "subscriber_import");
    else
        rc = sdb_step(w, st, "subscriber_import"); /* ERR_EXISTS: dup */
    sdb_done(st);
out:
    return sdb_write_end(s, rc);
}

int store_subscriber_remove(struct store *s, const char *email)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    rc = run(w, SQL_REMOVE, "subscriber_remove", 0, 0, 1, email);
    if (rc == 0 && sqlite3_changes(w->db) == 0)
        rc = ERR_NOT_FOUND;
    return sdb_write_end(s, rc);
}

static void sub_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct subscriber *v = elem;
    v->id = sqlite3_column_int64(st, 0);
    v->email = sdb_col_text(a, st, 1);
    v->state = (int)sqlite3_column_int64(st, 2);
    v->created_at = sqlite3_column_int64(st, 3);
    v->confirmed_at = sqlite3_column_int64(st, 4);
}

int store_subscriber_get(struct store *s, struct arena *a, int64_t id,
                         struct subscriber *out)
{
    return sdb_one(s, a, SQL_GET, "subscriber_get", SDB_INT(id), sub_row, out);
}

int store_subscribers_list(struct store *s, struct arena *a, int state,
                           struct subscriber **out, size_t *n)
{
    int64_t arg = state;
    if (state < 0)
        return sdb_list(s, a, SQL_LIST_ALL, "subscribers_list", sizeof(**out),
                        sub_row, (void **)out, n);
    return sdb_select(s, a, SQL_LIST_STATE, "subscribers_list", &arg, 1,
                      sizeof(**out), sub_row, (void **)out, n);
}

struct count_row {
    int64_t state, n;
};

static void count_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    (void)a;
    struct count_row *v = elem;
    v->state = sqlite3_column_int64(st, 0);
    v->n = sqlite3_column_int64(st, 1);
}

int store_subscriber_counts(struct store *s, int64_t counts[3])
{
    struct arena a;
    struct count_row *rows;
    size_t n;
    arena_init(&a, 256);
    counts[0] = counts[1] = counts[2] = 0;
    int rc = sdb_list(s, &a, SQL_COUNTS, "subscriber_counts", sizeof(*rows),
                      count_row, (void **)&rows, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (rows[i].state >= 0 && rows[i].state < 3)
            counts[rows[i].state] = rows[i].n;
    arena_release(&a);
    return rc;
}

int store_campaign_queue(struct store *s, const struct campaign *c,
                         const char *domain, int64_t now, int64_t *id,
                         int64_t *queued)
{
    return store_campaign_queue_to(s, c, domain, NULL, now, id, queued);
}

int store_campaign_queue_to(struct store *s, const struct campaign *c,
                            const char *domain, const char *test_rcpt,
                            int64_t now, int64_t *id, int64_t *queued)
{
    if (!c->subject || !c->text_body || !c->html_body || !domain)
        return sdb_invalid("campaign_queue", "incomplete campaign");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st =
        sdb_stmt(w, test_rcpt ? SQL_CAMPAIGN_TEST : SQL_CAMPAIGN_ADD);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sdb_bind_text(st, 1, c->issue_date) |
         sdb_bind_text(st, 2, c->subject) | sdb_bind_text(st, 3, c->text_body) |
         sdb_bind_text(st, 4, c->html_body) | sqlite3_bind_int64(st, 5, now)) !=
        SQLITE_OK)
        rc = sdb_fail(w, "campaign_queue");
    else
        rc = sdb_step(w, st, "campaign_queue");
    sdb_done(st);
    if (rc < 0)
        goto out;
    *id = sqlite3_last_insert_rowid(w->db);
    if (test_rcpt) {
        st = sdb_stmt(w, SQL_TEST_ROW);
        if (!st) {
            rc = ERR_DB;
            goto out;
        }
        if ((sqlite3_bind_int64(st, 1, *id) | sqlite3_bind_int64(st, 2, now) |
             sdb_bind_text(st, 3, domain) | sdb_bind_text(st, 4, test_rcpt)) !=
            SQLITE_OK)
            rc = sdb_fail(w, "campaign_queue");
        else
            rc = sdb_step(w, st, "campaign_queue");
        sdb_done(st);
        if (rc >= 0) {
            rc = 0;
            *queued = 1;
        }
        goto out;
    }
    rc = run(w, SQL_CAMPAIGN_ROWS, "campaign_queue", *id, now, 3, domain);
    if (rc >= 0) {
        rc = 0;
        *queued = sqlite3_changes(w->db);
    }
out:
    return sdb_write_end(s, rc);
}

static void campaign_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct campaign *v = elem;
    v->id = sqlite3_column_int64(st, 0);
    v->issue_date = sdb_col_text(a, st, 1);
    v->subject = sdb_col_text(a, st, 2);
    v->text_body = sdb_col_text(a, st, 3);
    v->html_body = sdb_col_text(a, st, 4);
    v->created_at = sqlite3_column_int64(st, 5);
}

int store_campaign_get(struct store *s, struct arena *a, int64_t id,
                       struct campaign *out)
{
    return sdb_one(s, a, SQL_CAMPAIGN_GET, "campaign_get", SDB_INT(id),
                   campaign_row, out);
}

static void status_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct campaign_status *v = elem;
    v->id = sqlite3_column_int64(st, 0);
    v->issue_date = sdb_col_text(a, st, 1);
    v->subject = sdb_col_text(a, st, 2);
    v->created_at = sqlite3_column_int64(st, 3);
    v->queued = sqlite3_column_int64(st, 4);
    v->sent = sqlite3_column_int64(st, 5);
    v->retrying = sqlite3_column_int64(st, 6);
    v->failed = sqlite3_column_int64(st, 7);
    v->skipped = sqlite3_column_int64(st, 8);
}

int store_campaigns_status(struct store *s, struct arena *a,
                           struct campaign_status **out, size_t *n)
{
    return sdb_list(s, a, SQL_STATUS, "campaigns_status", sizeof(**out),
                    status_row, (void **)out, n);
}

static void failure_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct outbox_failure *v = elem;
    v->rcpt = sdb_col_text(a, st, 0);
    v->error = sdb_col_text(a, st, 1);
}

int store_campaign_failures(struct store *s, struct arena *a, int64_t id,
                            struct outbox_failure **out, size_t *n)
{
    return sdb_select(s, a, SQL_FAILURES, "campaign_failures", &id, 1,
                      sizeof(**out), failure_row, (void **)out, n);
}

static void due_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct outbox_row *v = elem;
    v->id = sqlite3_column_int64(st, 0);
    v->campaign_id = sqlite3_column_int64(st, 1);
    v->subscriber_id = sqlite3_column_int64(st, 2);
    v->kind = (int)sqlite3_column_int64(st, 3);
    v->rcpt = sdb_col_text(a, st, 4);
    v->message_id = sdb_col_text(a, st, 5);
    v->sub_state = (int)sqlite3_column_int64(st, 6);
    v->attempts = sqlite3_column_int64(st, 7);
    v->created_at = sqlite3_column_int64(st, 8);
}

int store_outbox_due(struct store *s, struct arena *a, int64_t now,
                     int nworkers, int worker, int limit,
                     struct outbox_row **out, size_t *n)
{
    int64_t args[4] = {now, nworkers, worker, limit};
    return sdb_select(s, a, SQL_DUE, "outbox_due", args, 4, sizeof(**out),
                      due_row, (void **)out, n);
}

int store_outbox_mark(struct store *s, int64_t id, int state, int64_t attempts,
                      int64_t next_at, const char *error, int64_t now)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_MARK);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int64(st, 1, id) | sqlite3_bind_int64(st, 2, state) |
         sqlite3_bind_int64(st, 3, attempts) |
         sqlite3_bind_int64(st, 4, next_at) | sdb_bind_text(st, 5, error) |
         sqlite3_bind_int64(st, 6, now)) != SQLITE_OK)
        rc = sdb_fail(w, "outbox_mark");
    else
        rc = sdb_step(w, st, "outbox_mark");
    sdb_done(st);
out:
    return sdb_write_end(s, rc);
}

static const char SQL_SEARCH[] =
    "SELECT id, email, state, created_at, coalesce(confirmed_at, 0)"
    " FROM subscribers WHERE (?1 < 0 OR state = ?1)"
    " AND (?2 IS NULL OR email LIKE '%' || ?2 || '%' ESCAPE '\\')"
    " ORDER BY id LIMIT ?3";

int store_subscribers_search(struct store *s, struct arena *a, int state,
                             const char *q, int limit, struct subscriber **out,
                             size_t *n)
{
    char pat[400];
    size_t k = 0;
    if (q && strlen(q) > 320)
        return sdb_invalid("subscribers_search", "query too long");
    for (const char *p = q; p && *p; p++) { /* LIKE's wildcards are data */
        if (*p == '%' || *p == '_' || *p == '\\')
            pat[k++] = '\\';
        pat[k++] = *p;
    }
    pat[k] = '\0';
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_SEARCH);
    size_t cap = 0, len = 0;
    struct subscriber *v = NULL;
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int(st, 1, state) |
         sdb_bind_text(st, 2, q && *q ? pat : NULL) |
         sqlite3_bind_int(st, 3, limit)) != SQLITE_OK) {
        rc = sdb_fail(c, "subscribers_search");
        goto out;
    }
    while ((rc = sdb_step(c, st, "subscribers_search")) == 1) {
        v = sdb_grow(a, v, len, &cap, sizeof(*v));
        sub_row(a, st, &v[len++]);
    }
    if (rc == 0) {
        *out = v;
        *n = len;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}
