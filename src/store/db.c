/*
 * db.c - connections, the statement cache, transactions, errors.
 *
 * One writer connection, shared and guarded by a recursive mutex; one
 * reader connection per thread, opened on the thread's first read and
 * closed by store_close (every per-thread struct is on s->readers). WAL
 * lets the readers run while the writer writes; each read runs in its own
 * short read transaction so a page assembled from several queries sees one
 * snapshot.
 *
 * Transactions nest: the outermost store_begin is BEGIN IMMEDIATE (the
 * write lock is taken up front, so a transaction never fails half-way on a
 * lock upgrade), inner ones are SAVEPOINTs, so an inner rollback undoes
 * only its own part. The mutex is held from the outermost begin to its
 * commit or rollback, by the thread that began.
 *
 * Invariants: a statement from sdb_stmt is reset before it is handed out
 * and reset again (sdb_done) before the function using it returns, so no
 * statement keeps a read transaction open; s->depth and s->writer are only
 * touched with s->wlock held.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"
#include "store/xapian.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <assert.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

static _Thread_local char last_error[512];

static const char SQL_BEGIN[] = "BEGIN";
static const char SQL_BEGIN_IMMEDIATE[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT nest";
static const char SQL_RELEASE[] = "RELEASE nest";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO nest";

/* --- errors -------------------------------------------------------- */

void sdb_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
}

/* Per thread, not per store: the thread that got the code reads the
 * message, whichever store (or none yet, for store_open) it came from. */
const char *store_last_error(void)
{
    return last_error;
}

void store_clear_error(void)
{
    last_error[0] = '\0';
}

int sdb_code(int sqlite_code)
{
    int primary = sqlite_code & 0xff;
    if (sqlite_code == SQLITE_CONSTRAINT_UNIQUE ||
        sqlite_code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return ERR_EXISTS;
    /* The storage failed, not the statement: callers stop rather than go
     * on to the next item (SQLite may have rolled the transaction back). */
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
        return ERR_IO;
    return ERR_DB;
}

int sdb_fail(struct conn *c, const char *ctx)
{
    int code = c->db ? sqlite3_extended_errcode(c->db) : SQLITE_NOMEM;
    const char *msg = c->db ? sqlite3_errmsg(c->db) : "out of memory";
    /* Recorded, not logged: the caller decides whether and how to report
     * it (one line, in its own words), as with curl's error buffer. */
    sdb_errorf("%s: %s", ctx, msg);
    log_debug("%s: %s (sqlite code %d)", ctx, msg, code);
    return sdb_code(code);
}

int sdb_invalid(const char *ctx, const char *why)
{
    sdb_errorf("%s: %s", ctx, why);
    log_debug("%s: %s", ctx, why);
    return ERR_INVALID;
}

/* --- statements ---------------------------------------------------- */

/* Fibonacci hashing of the address; the top bits pick the slot. */
static size_t stmt_home(const char *sql, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)sql * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 40) & (cap - 1);
}

/* stmt_grow doubles c's statement table (or makes its first). */
static void stmt_grow(struct conn *c)
{
    size_t cap = c->stmt_cap ? c->stmt_cap * 2 : SDB_STMT_SLOTS;
    struct sdb_slot *t = xcalloc(cap, sizeof(*t));
    for (size_t i = 0; i < c->stmt_cap; i++) {
        if (!c->stmts[i].sql)
            continue;
        size_t j = stmt_home(c->stmts[i].sql, cap);
        while (t[j].sql)
            j = (j + 1) & (cap - 1);
        t[j] = c->stmts[i];
    }
    free(c->stmts);
    c->stmts = t;
    c->stmt_cap = cap;
}

sqlite3_stmt *sdb_stmt(struct conn *c, const char *sql)
{
    /* At most half full, so a probe always ends at the statement or at
     * an empty slot: the cache never refuses a statement. */
    if ((c->nstmts + 1) * 2 > c->stmt_cap)
        stmt_grow(c);
    size_t i = stmt_home(sql, c->stmt_cap);
    for (;; i = (i + 1) & (c->stmt_cap - 1)) {
        struct sdb_slot *sl = &c->stmts[i];
        if (sl->sql == sql) {
            sdb_done(sl->st); /* in case an earlier path forgot */
            return sl->st;
        }
        if (!sl->sql)
            break;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK) {
        sdb_fail(c, "prepare");
        log_debug("statement: %s", sql);
        return NULL;
    }
    c->stmts[i] = (struct sdb_slot){sql, st};
    c->nstmts++;
    return st;
}

size_t store_statements(struct store *s)
{
    pthread_mutex_lock(&s->wlock);
    size_t most = s->writer.nstmts;
    pthread_mutex_unlock(&s->wlock);
    pthread_mutex_lock(&s->rlock);
    for (const struct conn *c = s->readers; c; c = c->next)
        if (c->nstmts > most)
            most = c->nstmts;
    pthread_mutex_unlock(&s->rlock);
    return most;
}

void sdb_done(sqlite3_stmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

int sdb_step(struct conn *c, sqlite3_stmt *st, const char *ctx)
{
    int rc;
    if (sdb_profiling) {
        uint64_t t0 = sdb_profile_now();
        rc = sqlite3_step(st);
        sdb_profile_add(st, sdb_profile_now() - t0);
    } else {
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return sdb_fail(c, ctx);
}

int sdb_exec(struct conn *c, const char *sql, const char *ctx)
{
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st)
        return ERR_DB;
    int rc = sdb_step(c, st, ctx);
    sdb_done(st);
    return rc < 0 ? rc : 0;
}

int sdb_bind_text(sqlite3_stmt *st, int i, const char *text)
{
    if (!text)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text64(st, i, text, strlen(text), SQLITE_STATIC,
                               SQLITE_UTF8);
}

int sdb_bind_str(sqlite3_stmt *st, int i, struct str text)
{
    /* A NULL pointer would bind SQL NULL; an empty slice is "". */
    return sqlite3_bind_text64(st, i, text.ptr ? text.ptr : "", text.len,
                               SQLITE_STATIC, SQLITE_UTF8);
}

int sdb_bind_id(sqlite3_stmt *st, int i, int64_t id)
{
    return id ? sqlite3_bind_int64(st, i, id) : sqlite3_bind_null(st, i);
}

const char *sdb_col_text(struct arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    return arena_strndup(a, (const char *)t, n);
}

void *sdb_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = arena_alloc(a, ncap * size);
    if (n)
        memcpy(p, arr, n * size);
    *cap = ncap;
    return p;
}

bool sdb_valid_date(const char *d)
{
    if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
            return false;
    int month = (d[5] - '0') * 10 + (d[6] - '0');
    int day = (d[8] - '0') * 10 + (d[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* --- connections --------------------------------------------------- */

static void conn_close(struct conn *c)
{
    xapian_reader_close(c->xapian);
    c->xapian = NULL;
    sdb_fold_free(c);
    sdb_memo_free(c);
    sdb_toc_free(c);
    for (size_t i = 0; i < c->stmt_cap; i++)
        if (c->stmts[i].st)
            sqlite3_finalize(c->stmts[i].st);
    free(c->stmts);
    c->stmts = NULL;
    c->nstmts = c->stmt_cap = 0;
    if (c->db && sqlite3_close(c->db) != SQLITE_OK)
        log_error("close: %s", sqlite3_errmsg(c->db));
    c->db = NULL;
}

/* conn_exec runs one-off SQL (pragmas) without caching it. */
static int conn_exec(struct conn *c, const char *sql, const char *ctx)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    sqlite3_free(msg); /* sqlite3_errmsg still has it */
    return sdb_fail(c, ctx);
}

static int journal_mode_cb(void *arg, int n, char **vals, char **cols)
{
    (void)cols;
    if (n > 0 && vals[0])
        snprintf(arg, 16, "%s", vals[0]);
    return 0;
}

/* Readers of a STORE_MAP store map up to this much of the file. */
enum { SDB_MAP_BYTES = 1 << 30 };

/* Process-wide, for /metrics: times a connection waited for a lock. */
static atomic_ullong busy_retries;

/*
 * on_busy is sqlite3_busy_timeout's wait (the same delays, up to
 * SDB_BUSY_MS in all), written out so each retry can be counted: SQLite
 * has no counter of its own for this.
 */
static int on_busy(void *arg, int count)
{
    static const int delays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
    enum { NDELAYS = sizeof(delays) / sizeof(delays[0]) };
    (void)arg;
    int prior = 0, delay;
    if (count < NDELAYS) {
        for (int i = 0; i < count; i++)
            prior += delays[i];
        delay = delays[count];
    } else {
        prior = 328 + (count - NDELAYS) * 100; /* 328: the sum of delays[] */
        delay = 100;
    }
    if (prior >= SDB_BUSY_MS)
        return 0;
    if (prior + delay > SDB_BUSY_MS)
        delay = SDB_BUSY_MS - prior;
    atomic_fetch_add(&busy_retries, 1);
    sqlite3_sleep(delay);
    return 1;
}

uint64_t store_busy_retries(void)
{
    return atomic_load(&busy_retries);
}

int store_file_sizes(struct store *s, int64_t *db, int64_t *wal)
{
    struct stat st;
    char path[4096];
    *db = *wal = 0;
    if (stat(s->path, &st) != 0)
        return ERR_IO;
    *db = (int64_t)st.st_size;
    if (snprintf(path, sizeof(path), "%s-wal", s->path) < (int)sizeof(path) &&
        stat(path, &st) == 0)
        *wal = (int64_t)st.st_size;
    return 0;
}

int store_health(struct store *s, struct arena *a)
{
    /* A reader's pages may be cached in memory: look at the file too, so
     * a database deleted, replaced or unreadable on disk shows. */
    char head[16];
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ERR_IO;
    ssize_t n = pread(fd, head, sizeof(head), 0);
    close(fd);
    if (n != (ssize_t)sizeof(head) ||
        memcmp(head, "SQLite format 3", sizeof(head)) != 0)
        return ERR_IO;
    const char *v;
    int rc = store_setting_get(s, a, "name", &v);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int conn_open(struct conn *c, const char *path, bool writer, bool create,
                     bool map)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (create)
        flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        rc = sdb_fail(c, path);
        goto fail;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_handler(c->db, on_busy, NULL);
    if (writer) {
        /* The first statement to read the file: a file that is not a
         * database fails here with "file is not a database". */
        char mode[16] = "";
        char *msg = NULL;
        if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", journal_mode_cb,
                         mode, &msg) != SQLITE_OK) {
            sqlite3_free(msg);
            rc = sdb_fail(c, path);
            goto fail;
        }
        if (strcmp(mode, "wal") != 0) {
            sdb_errorf("%s: cannot use WAL mode (journal mode is '%s')", path,
                       mode);
            rc = ERR_DB;
            goto fail;
        }
        rc = conn_exec(c, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
                       path);
    } else {
        /* SQLite's default 2 MB of pages each: the kernel caches the file
         * anyway. 8 MB cost 18 MB of RSS at a million articles (three
         * readers) and made cold article pages no faster (docs/benchmarks.md,
         * 2026-12-06). */
        rc = conn_exec(c,
                       "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"
                       " PRAGMA cache_size=-2000",
                       path);
        if (rc == 0 && map) {
            char sql[64];
            snprintf(sql, sizeof(sql), "PRAGMA mmap_size=%d", SDB_MAP_BYTES);
            rc = conn_exec(c, sql, path);
        }
    }
    if (rc != 0)
        goto fail;
    return 0;
fail:
    conn_close(c);
    return rc < 0 ? rc : ERR_DB;
}

/* thread_conn returns this thread's struct conn for s, creating it. */
static struct conn *thread_conn(struct store *s)
{
    struct conn *c = pthread_getspecific(s->tkey);
    if (c)
        return c;
    c = xcalloc(1, sizeof(*c));
    if (pthread_setspecific(s->tkey, c) != 0) {
        free(c);
        sdb_errorf("cannot create per-thread state");
        return NULL;
    }
    pthread_mutex_lock(&s->rlock);
    c->next = s->readers;
    s->readers = c;
    pthread_mutex_unlock(&s->rlock);
    return c;
}

/*
 * sqlite_setup turns off SQLite's memory statistics, which take a global
 * mutex on every allocation (seen in perf on the export); we never read
 * them. Must run before SQLite initialises, so once, at the first open.
 */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, int flags, struct store **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct stat st;
    int rc;

    pthread_once(&once, sqlite_setup);
    sdb_profile_init();
    *out = NULL;
    if (!path || !*path)
        return sdb_invalid("store_open", "empty path");
    if (!(flags & STORE_CREATE) && stat(path, &st) != 0 && errno == ENOENT) {
        sdb_errorf("%s: no such file", path);
        return ERR_NOT_FOUND;
    }
    struct store *s = xcalloc(1, sizeof(*s));
    s->path = xstrdup(path);
    s->lockfd = -1;
    s->map = (flags & STORE_MAP) != 0;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&s->wlock, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_mutex_init(&s->rlock, NULL);
    pthread_mutex_init(&s->xlock, NULL);
    pthread_cond_init(&s->related_built, NULL);
    s->related_slow_ms = SDB_RELATED_SLOW_MS;
    if (pthread_key_create(&s->tkey, NULL) != 0) {
        sdb_errorf("cannot create a thread key");
        rc = ERR_DB;
        goto fail;
    }
    s->have_key = 1;

    rc = sdb_lock(path, SDB_LOCK_SHARED, &s->lockfd);
    if (rc != 0)
        goto fail;
    rc = conn_open(&s->writer, path, true, (flags & STORE_CREATE) != 0, false);
    if (rc != 0)
        goto fail;
    rc = sdb_migrate(&s->writer);
    if (rc != 0)
        goto fail;
    *out = s;
    return 0;
fail:
    store_close(s);
    /* ERR_IO (the disk), ERR_BUSY (the lock), ERR_NOT_FOUND stay; any
     * other failure means the file is not a database we can use. */
    return rc == ERR_NOT_FOUND || rc == ERR_BUSY || rc == ERR_IO ? rc : ERR_DB;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    struct conn *c = s->readers;
    while (c) {
        struct conn *next = c->next;
        conn_close(c);
        free(c);
        c = next;
    }
    if (s->writer.db) {
        assert(s->depth == 0);
        /* Cheap; keeps the planner's statistics fresh. */
        sqlite3_exec(s->writer.db, "PRAGMA optimize", NULL, NULL, NULL);
    }
    conn_close(&s->writer);
    if (s->have_key) {
        pthread_setspecific(s->tkey, NULL);
        pthread_key_delete(s->tkey);
    }
    sdb_related_free(s);
    sdb_pages_free(s);
    sdb_xapian_free(s);
    pthread_mutex_destroy(&s->xlock);
    pthread_cond_destroy(&s->related_built);
    pthread_mutex_destroy(&s->rlock);
    pthread_mutex_destroy(&s->wlock);
    sdb_unlock(s->lockfd); /* after the last connection is closed */
    free(s->path);
    free(s);
}

/* --- reads --------------------------------------------------------- */

int sdb_read_begin(struct store *s, struct conn **out)
{
    int rc;
    *out = NULL;
    struct conn *c = thread_conn(s);
    if (!c)
        return ERR_DB;
    if (c->txn > 0) {
        pthread_mutex_lock(&s->wlock);
        *out = &s->writer;
        return 0;
    }
    if (!c->db) {
        rc = conn_open(c, s->path, false, false, s->map);
        if (rc != 0)
            return ERR_DB;
    }
    if (!sqlite3_get_autocommit(c->db)) {
        if (c->hold > 0) { /* the held snapshot */
            *out = c;
            return 0;
        }
        (void)sdb_exec(c, SQL_ROLLBACK, "read rollback"); /* never ended */
    }
    rc = sdb_exec(c, SQL_BEGIN, "read begin");
    if (rc != 0)
        return ERR_DB;
    *out = c;
    return 0;
}

void sdb_read_end(struct store *s, struct conn *c)
{
    if (!c)
        return;
    if (c == &s->writer) {
        pthread_mutex_unlock(&s->wlock);
        return;
    }
    if (c->hold > 0)
        return; /* store_read_release ends it */
    if (sdb_exec(c, SQL_COMMIT, "read end") != 0)
        (void)sdb_exec(c, SQL_ROLLBACK, "read rollback");
}

void store_read_hold(struct store *s)
{
    struct conn *c = thread_conn(s);
    if (c && c->hold++ == 0)
        c->has_held_seq = false;
}

void store_read_release(struct store *s)
{
    struct conn *c = pthread_getspecific(s->tkey);
    if (!c || c->hold == 0 || --c->hold > 0)
        return;
    sdb_memo_free(c); /* it was this snapshot's */
    c->has_held_seq = false;
    if (c->db && !sqlite3_get_autocommit(c->db) &&
        sdb_exec(c, SQL_COMMIT, "read end") != 0)
        (void)sdb_exec(c, SQL_ROLLBACK, "read rollback");
}

/* --- transactions -------------------------------------------------- */

int store_begin(struct store *s)
{
    struct conn *t = thread_conn(s);
    if (!t)
        return ERR_DB;
    pthread_mutex_lock(&s->wlock);
    if (s->depth > 0 && sqlite3_get_autocommit(s->writer.db)) {
        /* SQLite rolled the outer transaction back after an error; a
         * savepoint now would start a new one and commit half of it. */
        pthread_mutex_unlock(&s->wlock);
        sdb_errorf("begin: the enclosing transaction was rolled back");
        return ERR_DB;
    }
    int rc = sdb_exec(&s->writer,
                      s->depth ? SQL_SAVEPOINT : SQL_BEGIN_IMMEDIATE, "begin");
    if (rc != 0) {
        /* sdb_exec's code: ERR_IO for a full disk (SQLITE_FULL/IOERR). */
        pthread_mutex_unlock(&s->wlock);
        return rc;
    }
    s->depth++;
    t->txn++;
    return 0; /* the mutex stays locked until commit or rollback */
}

/* end_level drops one level of nesting and the mutex it held. */
static void end_level(struct store *s)
{
    struct conn *t = pthread_getspecific(s->tkey);
    assert(t && t->txn > 0 && s->depth > 0);
    t->txn--;
    s->depth--;
    pthread_mutex_unlock(&s->wlock);
}

/* undo rolls back the innermost level (the caller holds the mutex). */
static void undo(struct store *s)
{
    struct conn *w = &s->writer;
    if (sqlite3_get_autocommit(w->db))
        return; /* SQLite already rolled everything back (e.g. disk full) */
    if (s->depth > 1) {
        if (sdb_exec(w, SQL_ROLLBACK_TO, "rollback to savepoint") == 0)
            (void)sdb_exec(w, SQL_RELEASE, "release savepoint");
    } else {
        (void)sdb_exec(w, SQL_ROLLBACK, "rollback");
    }
}

int store_commit(struct store *s)
{
    struct conn *t = pthread_getspecific(s->tkey);
    if (!t || t->txn == 0) {
        sdb_errorf("commit: no transaction on this thread");
        return ERR_DB;
    }
    int rc =
        sdb_exec(&s->writer, s->depth > 1 ? SQL_RELEASE : SQL_COMMIT, "commit");
    if (rc != 0) {
        /* A failed COMMIT leaves the transaction open; end it here so
         * the level is over either way and the mutex is released. */
        undo(s); /* rc stays: ERR_IO for a full disk, as store.h says */
    }
    end_level(s);
    return rc;
}

void store_rollback(struct store *s)
{
    struct conn *t = pthread_getspecific(s->tkey);
    if (!t || t->txn == 0) {
        log_warn("rollback without a transaction on this thread");
        return;
    }
    undo(s);
    end_level(s);
}

int sdb_write_end(struct store *s, int rc)
{
    if (rc != 0) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s);
}

int sdb_list(struct store *s, struct arena *a, const char *sql, const char *ctx,
             size_t elem_size, sdb_row_fn row, void **out, size_t *n)
{
    return sdb_select(s, a, sql, ctx, NULL, 0, elem_size, row, out, n);
}

int sdb_one(struct store *s, struct arena *a, const char *sql, const char *ctx,
            struct sdb_key key, sdb_row_fn row, void *elem)
{
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    int brc = key.is_text ? sdb_bind_str(st, 1, key.s)
                          : sqlite3_bind_int64(st, 1, key.i);
    rc = brc == SQLITE_OK ? sdb_step(c, st, ctx) : sdb_fail(c, ctx);
    if (rc == 1) {
        row(a, st, elem);
        rc = 0;
    } else if (rc == 0) {
        rc = ERR_NOT_FOUND;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}
