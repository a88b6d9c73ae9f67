/*
 * accounts.c - users, sessions, API tokens, recovery codes and the audit
 * log (see accounts.h; schema V_ACCOUNTS).
 *
 * Every write is one transaction on the writer; the few multi-statement
 * writes (a password change ending sessions) run their statements inside
 * one store_begin so nothing is half done. Reads go through this thread's
 * reader like the rest of the store.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"
#include "store/accounts.h"

#include "core/arena.h"

#include <string.h>

/* One bound parameter: text (t != NULL or is_null) or an integer. */
struct acc_arg {
    const char *t;
    int64_t i;
    bool is_text;
};
#define AT(v) ((struct acc_arg){.t = (v), .is_text = true})
#define AI(v) ((struct acc_arg){.i = (v)})

static int bind_all(sqlite3_stmt *st, const struct acc_arg *args, size_t n)
{
    int rc = SQLITE_OK;
    for (size_t i = 0; i < n; i++)
        rc |= args[i].is_text ? sdb_bind_text(st, (int)i + 1, args[i].t)
                              : sqlite3_bind_int64(st, (int)i + 1, args[i].i);
    return rc;
}

/* run runs one write on the writer (inside the caller's store_begin);
 * *changed gets the rows it changed. */
static int run(struct store *s, const char *sql, const char *ctx,
               const struct acc_arg *args, size_t n, int64_t *changed)
{
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st)
        return ERR_DB;
    int rc = bind_all(st, args, n) == SQLITE_OK ? sdb_step(w, st, ctx)
                                                : sdb_fail(w, ctx);
    if (rc == 1)
        rc = 0;
    if (rc == 0 && changed)
        *changed = sqlite3_changes64(w->db);
    sdb_done(st);
    return rc;
}

/* write1 is run in its own transaction; ERR_NOT_FOUND if nothing changed
 * and must_change. */
static int write1(struct store *s, const char *sql, const char *ctx,
                  const struct acc_arg *args, size_t n, bool must_change)
{
    int64_t changed = 0;
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    rc = run(s, sql, ctx, args, n, &changed);
    if (rc == 0 && must_change && changed == 0)
        rc = ERR_NOT_FOUND;
    return sdb_write_end(s, rc);
}

/* query reads rows with several parameters on this thread's reader. */
static int query(struct store *s, struct arena *a, const char *sql,
                 const char *ctx, const struct acc_arg *args, size_t n,
                 size_t elem_size, sdb_row_fn row, void **out, size_t *nout)
{
    struct conn *c;
    char *v = NULL;
    size_t len = 0, cap = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if (bind_all(st, args, n) != SQLITE_OK) {
        rc = sdb_fail(c, ctx);
        goto out;
    }
    while ((rc = sdb_step(c, st, ctx)) == 1) {
        v = sdb_grow(a, v, len, &cap, elem_size);
        row(a, st, v + len * elem_size);
        len++;
    }
    if (rc == 0) {
        *out = v;
        *nout = len;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

/* --- users --------------------------------------------------------- */

#define USER_COLS                                                              \
    "SELECT id, email, name, role, pw_hash, totp_secret, disabled,"            \
    " created_at FROM users"
static const char SQL_USER_ADD[] =
    "INSERT INTO users(email, name, role, pw_hash, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
static const char SQL_USER_EMAIL[] = USER_COLS " WHERE email = ?1";
static const char SQL_USER_ID[] = USER_COLS " WHERE id = ?1";
static const char SQL_USERS[] = USER_COLS " ORDER BY email";
static const char SQL_USERS_COUNT[] = "SELECT count(*) FROM users";
static const char SQL_USER_PW[] =
    "UPDATE users SET pw_hash = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_USER_ROLE[] =
    "UPDATE users SET role = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_USER_NAME[] =
    "UPDATE users SET name = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_USER_DISABLED[] =
    "UPDATE users SET disabled = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_USER_TOTP[] =
    "UPDATE users SET totp_secret = ?2, totp_step = 0, updated_at = ?3"
    " WHERE id = ?1";
/* A code's step is taken once, and only later steps after it (V_ASSEMBLY). */
static const char SQL_USER_TOTP_STEP[] =
    "UPDATE users SET totp_step = ?2 WHERE id = ?1 AND totp_step < ?2";
static const char SQL_SESSIONS_END_BUT[] =
    "DELETE FROM sessions WHERE user_id = ?1 AND id_hash IS NOT ?2";
static const char SQL_RECOVERY_CLEAR[] =
    "DELETE FROM recovery_codes WHERE user_id = ?1";
static const char SQL_RECOVERY_ADD[] =
    "INSERT OR IGNORE INTO recovery_codes(user_id, hash) VALUES (?1, ?2)";
static const char SQL_RECOVERY_USE[] =
    "DELETE FROM recovery_codes WHERE user_id = ?1 AND hash = ?2";
static const char SQL_RECOVERY_COUNT[] =
    "SELECT count(*) FROM recovery_codes WHERE user_id = ?1";

static void user_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct user *u = elem;
    u->id = sqlite3_column_int64(st, 0);
    u->email = sdb_col_text(a, st, 1);
    u->name = sdb_col_text(a, st, 2);
    u->role = sdb_col_text(a, st, 3);
    u->pw_hash = sdb_col_text(a, st, 4);
    u->totp_secret = sdb_col_text(a, st, 5);
    u->disabled = sqlite3_column_int64(st, 6) != 0;
    u->created_at = sqlite3_column_int64(st, 7);
}

static void int_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    (void)a;
    *(int64_t *)elem = sqlite3_column_int64(st, 0);
}

int store_user_add(struct store *s, const char *email, const char *name,
                   const char *role, const char *pw_hash, int64_t now,
                   int64_t *id)
{
    const struct acc_arg args[] = {AT(email), AT(name), AT(role), AT(pw_hash),
                                   AI(now)};
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    rc = run(s, SQL_USER_ADD, "user_add", args, 5, NULL);
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(s->writer.db);
    return sdb_write_end(s, rc);
}

int store_user_by_email(struct store *s, struct arena *a, const char *email,
                        struct user *u)
{
    return sdb_one(s, a, SQL_USER_EMAIL, "user_by_email",
                   SDB_TEXT(str_from(email)), user_row, u);
}

int store_user_by_id(struct store *s, struct arena *a, int64_t id,
                     struct user *u)
{
    return sdb_one(s, a, SQL_USER_ID, "user_by_id", SDB_INT(id), user_row, u);
}

int store_users_list(struct store *s, struct arena *a, struct user **out,
                     size_t *n)
{
    return sdb_list(s, a, SQL_USERS, "users_list", sizeof(**out), user_row,
                    (void **)out, n);
}

int store_users_count(struct store *s, int64_t *n)
{
    struct arena a;
    arena_init(&a, 256);
    int64_t *v;
    size_t k = 0;
    int rc = sdb_list(s, &a, SQL_USERS_COUNT, "users_count", sizeof(*v),
                      int_row, (void **)&v, &k);
    *n = rc == 0 && k == 1 ? v[0] : 0;
    arena_release(&a);
    return rc;
}

int store_user_set_password(struct store *s, int64_t id, const char *pw_hash,
                            const char *keep, int64_t now)
{
    const struct acc_arg a1[] = {AI(id), AT(pw_hash), AI(now)};
    const struct acc_arg a2[] = {AI(id), AT(keep)};
    int64_t changed = 0;
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    rc = run(s, SQL_USER_PW, "user_set_password", a1, 3, &changed);
    if (rc == 0 && changed == 0)
        rc = ERR_NOT_FOUND;
    if (rc == 0)
        rc = run(s, SQL_SESSIONS_END_BUT, "user_set_password", a2, 2, NULL);
    return sdb_write_end(s, rc);
}

int store_user_set_role(struct store *s, int64_t id, const char *role,
                        int64_t now)
{
    const struct acc_arg args[] = {AI(id), AT(role), AI(now)};
    return write1(s, SQL_USER_ROLE, "user_set_role", args, 3, true);
}

int store_user_set_name(struct store *s, int64_t id, const char *name,
                        int64_t now)
{
    const struct acc_arg args[] = {AI(id), AT(name), AI(now)};
    return write1(s, SQL_USER_NAME, "user_set_name", args, 3, true);
}

int store_user_set_disabled(struct store *s, int64_t id, bool disabled,
                            int64_t now)
{
    const struct acc_arg a1[] = {AI(id), AI(disabled), AI(now)};
    const struct acc_arg a2[] = {AI(id), AT(NULL)};
    int64_t changed = 0;
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    rc = run(s, SQL_USER_DISABLED, "user_set_disabled", a1, 3, &changed);
    if (rc == 0 && changed == 0)
        rc = ERR_NOT_FOUND;
    if (rc == 0 && disabled)
        rc = run(s, SQL_SESSIONS_END_BUT, "user_set_disabled", a2, 2, NULL);
    return sdb_write_end(s, rc);
}

int store_user_set_totp(struct store *s, int64_t id, const char *secret,
                        const char *const *code_hashes, size_t n, int64_t now)
{
    const struct acc_arg a1[] = {AI(id), AT(secret), AI(now)};
    const struct acc_arg a2[] = {AI(id)};
    int64_t changed = 0;
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    rc = run(s, SQL_USER_TOTP, "user_set_totp", a1, 3, &changed);
    if (rc == 0 && changed == 0)
        rc = ERR_NOT_FOUND;
    if (rc == 0)
        rc = run(s, SQL_RECOVERY_CLEAR, "user_set_totp", a2, 1, NULL);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct acc_arg a3[] = {AI(id), AT(code_hashes[i])};
        rc = run(s, SQL_RECOVERY_ADD, "user_set_totp", a3, 2, NULL);
    }
    return sdb_write_end(s, rc);
}

int store_recovery_use(struct store *s, int64_t user_id, const char *code_hash)
{
    const struct acc_arg args[] = {AI(user_id), AT(code_hash)};
    return write1(s, SQL_RECOVERY_USE, "recovery_use", args, 2, true);
}

int store_recovery_count(struct store *s, int64_t user_id, int64_t *n)
{
    struct arena a;
    arena_init(&a, 256);
    int64_t *v = NULL;
    size_t k = 0;
    const struct acc_arg args[] = {AI(user_id)};
    int rc = query(s, &a, SQL_RECOVERY_COUNT, "recovery_count", args, 1,
                   sizeof(*v), int_row, (void **)&v, &k);
    *n = rc == 0 && k == 1 ? v[0] : 0;
    arena_release(&a);
    return rc;
}

/* --- sessions ------------------------------------------------------ */

static const char SQL_SESSION_ADD[] =
    "INSERT INTO sessions(id_hash, user_id, csrf, created_at, seen_at,"
    " pending) VALUES (?1, ?2, ?3, ?4, ?4, ?5)";
static const char SQL_SESSION_GET[] =
    "SELECT user_id, csrf, created_at, seen_at, pending FROM sessions"
    " WHERE id_hash = ?1";
static const char SQL_SESSION_TOUCH[] =
    "UPDATE sessions SET seen_at = ?2,"
    " pending = CASE WHEN ?3 THEN 0 ELSE pending END WHERE id_hash = ?1";
static const char SQL_SESSION_DELETE[] =
    "DELETE FROM sessions WHERE id_hash = ?1";
static const char SQL_SESSIONS_PRUNE[] =
    "DELETE FROM sessions WHERE seen_at < ?1 OR created_at < ?2";

static void session_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct session *v = elem;
    v->user_id = sqlite3_column_int64(st, 0);
    v->csrf = sdb_col_text(a, st, 1);
    v->created_at = sqlite3_column_int64(st, 2);
    v->seen_at = sqlite3_column_int64(st, 3);
    v->pending = sqlite3_column_int64(st, 4) != 0;
}

int store_session_add(struct store *s, const char *id_hash, int64_t user_id,
                      const char *csrf, bool pending, int64_t now)
{
    const struct acc_arg args[] = {AT(id_hash), AI(user_id), AT(csrf), AI(now),
                                   AI(pending)};
    return write1(s, SQL_SESSION_ADD, "session_add", args, 5, false);
}

int store_session_get(struct store *s, struct arena *a, const char *id_hash,
                      struct session *out)
{
    return sdb_one(s, a, SQL_SESSION_GET, "session_get",
                   SDB_TEXT(str_from(id_hash)), session_row, out);
}

int store_session_touch(struct store *s, const char *id_hash, int64_t now,
                        bool clear_pending)
{
    const struct acc_arg args[] = {AT(id_hash), AI(now), AI(clear_pending)};
    return write1(s, SQL_SESSION_TOUCH, "session_touch", args, 3, true);
}

int store_session_delete(struct store *s, const char *id_hash)
{
    const struct acc_arg args[] = {AT(id_hash)};
    return write1(s, SQL_SESSION_DELETE, "session_delete", args, 1, false);
}

int store_sessions_prune(struct store *s, int64_t idle_before,
                         int64_t created_before)
{
    const struct acc_arg args[] = {AI(idle_before), AI(created_before)};
    return write1(s, SQL_SESSIONS_PRUNE, "sessions_prune", args, 2, false);
}

/* --- API tokens ---------------------------------------------------- */

static const char SQL_TOKEN_ADD[] =
    "INSERT INTO api_tokens(name, role, hash, created_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_TOKEN_GET[] =
    "SELECT id, name, role, created_at, coalesce(last_used_at, 0)"
    " FROM api_tokens WHERE hash = ?1";
static const char SQL_TOKEN_USED[] =
    "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1"
    " AND coalesce(last_used_at, 0) < ?2 - 60";
static const char SQL_TOKENS[] =
    "SELECT id, name, role, created_at, coalesce(last_used_at, 0)"
    " FROM api_tokens ORDER BY name";
static const char SQL_TOKEN_REVOKE[] = "DELETE FROM api_tokens WHERE name = ?1";

static void token_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct api_token *t = elem;
    t->id = sqlite3_column_int64(st, 0);
    t->name = sdb_col_text(a, st, 1);
    t->role = sdb_col_text(a, st, 2);
    t->created_at = sqlite3_column_int64(st, 3);
    t->last_used_at = sqlite3_column_int64(st, 4);
}

int store_token_add(struct store *s, const char *name, const char *role,
                    const char *hash, int64_t now)
{
    const struct acc_arg args[] = {AT(name), AT(role), AT(hash), AI(now)};
    return write1(s, SQL_TOKEN_ADD, "token_add", args, 4, false);
}

int store_token_by_hash(struct store *s, struct arena *a, const char *hash,
                        int64_t now, struct api_token *t)
{
    int rc = sdb_one(s, a, SQL_TOKEN_GET, "token_by_hash",
                     SDB_TEXT(str_from(hash)), token_row, t);
    if (rc != 0)
        return rc;
    /* At most one write a minute per token: the API's reads stay reads. */
    if (t->last_used_at < now - 60) {
        const struct acc_arg args[] = {AI(t->id), AI(now)};
        (void)write1(s, SQL_TOKEN_USED, "token_used", args, 2, false);
    }
    return 0;
}

int store_tokens_list(struct store *s, struct arena *a, struct api_token **out,
                      size_t *n)
{
    return sdb_list(s, a, SQL_TOKENS, "tokens_list", sizeof(**out), token_row,
                    (void **)out, n);
}

int store_token_revoke(struct store *s, const char *name)
{
    const struct acc_arg args[] = {AT(name)};
    return write1(s, SQL_TOKEN_REVOKE, "token_revoke", args, 1, true);
}

/* --- audit log ----------------------------------------------------- */

static const char SQL_AUDIT_ADD[] =
    "INSERT INTO audit_log(at, who, action, object) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_AUDIT_LIST[] =
    "SELECT id, at, who, action, object FROM audit_log"
    " ORDER BY id DESC LIMIT ?1";

static void audit_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct audit_entry *e = elem;
    e->id = sqlite3_column_int64(st, 0);
    e->at = sqlite3_column_int64(st, 1);
    e->who = sdb_col_text(a, st, 2);
    e->action = sdb_col_text(a, st, 3);
    e->object = sdb_col_text(a, st, 4);
}

int store_audit_add(struct store *s, const char *who, const char *action,
                    const char *object, int64_t now)
{
    const struct acc_arg args[] = {AI(now), AT(who ? who : "?"), AT(action),
                                   AT(object ? object : "")};
    return write1(s, SQL_AUDIT_ADD, "audit_add", args, 4, false);
}

int store_audit_list(struct store *s, struct arena *a, int64_t limit,
                     struct audit_entry **out, size_t *n)
{
    const struct acc_arg args[] = {AI(limit)};
    *out = NULL;
    *n = 0;
    return query(s, a, SQL_AUDIT_LIST, "audit_list", args, 1, sizeof(**out),
                 audit_row, (void **)out, n);
}

int store_user_totp_use(struct store *s, int64_t user_id, int64_t step)
{
    const struct acc_arg args[] = {AI(user_id), AI(step)};
    int rc = write1(s, SQL_USER_TOTP_STEP, "user_totp_use", args, 2, true);
    if (rc == ERR_NOT_FOUND) {
        sdb_errorf("user %lld: TOTP step %lld already used", (long long)user_id,
                   (long long)step);
        return ERR_CONFLICT;
    }
    return rc;
}
