/*
 * store_int.h - state and helpers shared by the store's files, and by no
 * one else. Internal names start with sdb_ so they cannot clash with the
 * public store_ API or with other modules.
 *
 * A struct conn is one SQLite connection with its statement cache: the
 * statements are keyed by the address of their SQL text (every statement is
 * a `static const char SQL_...[]` next to the code that runs it), prepared
 * on first use and kept until the connection closes.
 *
 * Locking: s->writer is used only while holding s->wlock, a recursive
 * mutex. store_begin takes it and store_commit/store_rollback give it back,
 * so a transaction keeps the writer for its thread from BEGIN to COMMIT.
 * Each thread has its own struct conn in s->tkey (its reader, opened on
 * first read) which also counts how deep that thread is in store_begin:
 * a read made inside a transaction goes to the writer, to see its own
 * uncommitted writes.
 */
#ifndef QUIRE_STORE_INT_H
#define QUIRE_STORE_INT_H

#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>

struct arena;

#define SDB_STMT_SLOTS 256 /* power of two; the store has ~60 statements */
#define SDB_BUSY_MS 5000
#define SDB_NAME_MAX 4096  /* longest section/author/tag name or slug base */

struct sdb_slot {
    const char *sql; /* NULL: empty slot */
    sqlite3_stmt *st;
};

/* A remembered count of a list query (articles.c), valid while the
 * connection's PRAGMA data_version stays at version. */
struct sdb_count {
    int64_t version; /* 0: empty */
    int kind;
    int64_t id, until, n;
};
#define SDB_COUNTS 16

struct conn {
    sqlite3 *db;      /* NULL until opened (readers open lazily) */
    int txn;          /* reader structs only: this thread's store_begin depth */
    struct conn *next; /* the store's list of per-thread structs */
    struct sdb_slot stmts[SDB_STMT_SLOTS];
    struct sdb_count counts[SDB_COUNTS]; /* readers only */
    unsigned counts_next;
};

struct store {
    char *path;
    pthread_mutex_t wlock; /* recursive; guards writer and depth */
    struct conn writer;
    int depth;             /* store_begin nesting on the writer */
    pthread_mutex_t rlock; /* guards readers */
    struct conn *readers;  /* one per thread that touched the store */
    pthread_key_t tkey;    /* -> this thread's struct conn */
    int have_key;
};

/* --- db.c ---------------------------------------------------------- */

/* sdb_errorf records a message as this thread's store_last_error. */
void sdb_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * sdb_fail records and logs c's last SQLite error prefixed by ctx. Returns
 * ERR_EXISTS for a UNIQUE/PRIMARY KEY violation (logged at debug level
 * only: callers expect them), ERR_DB otherwise.
 */
int sdb_fail(struct conn *c, const char *ctx);
/* sdb_invalid records "ctx: why" and returns ERR_INVALID. */
int sdb_invalid(const char *ctx, const char *why);

/* sdb_stmt returns c's cached statement for sql, reset and unbound. */
sqlite3_stmt *sdb_stmt(struct conn *c, const char *sql);
/* sdb_done resets st and clears its bindings (NULL is fine). */
void sdb_done(sqlite3_stmt *st);
/* sdb_step: 1 with a row, 0 when done, or the error of sdb_fail. */
int sdb_step(struct conn *c, sqlite3_stmt *st, const char *ctx);
/* sdb_exec runs a cached statement that takes no parameters. */
int sdb_exec(struct conn *c, const char *sql, const char *ctx);

/* Binding: NULL text binds SQL NULL; text is not copied (SQLITE_STATIC).
 * Each returns an SQLite code; callers OR them and check once. */
int sdb_bind_text(sqlite3_stmt *st, int i, const char *text);
int sdb_bind_str(sqlite3_stmt *st, int i, struct str text);
int sdb_bind_id(sqlite3_stmt *st, int i, int64_t id); /* 0 binds NULL */

/* sdb_col_text copies column i into a (NULL for SQL NULL). */
const char *sdb_col_text(struct arena *a, sqlite3_stmt *st, int i);
/*
 * sdb_list runs a parameterless query on this thread's reader and turns
 * each row into one element of elem_size bytes with row(); the array
 * comes from a. *out and *n are set only on success.
 */
typedef void (*sdb_row_fn)(struct arena *a, sqlite3_stmt *st, void *elem);
int sdb_list(struct store *s, struct arena *a, const char *sql,
             const char *ctx, size_t elem_size, sdb_row_fn row, void **out,
             size_t *n);
/* The one parameter of an sdb_one query: an integer or a text slice. */
struct sdb_key {
    bool is_text;
    int64_t i;
    struct str s;
};
#define SDB_INT(v) ((struct sdb_key){.i = (v)})
#define SDB_TEXT(v) ((struct sdb_key){.is_text = true, .s = (v)})
/*
 * sdb_one runs a one-parameter query on this thread's reader and fills
 * elem from its first row with row(). ERR_NOT_FOUND when there is none.
 */
int sdb_one(struct store *s, struct arena *a, const char *sql,
            const char *ctx, struct sdb_key key, sdb_row_fn row, void *elem);
/* sdb_grow makes room for one more element in an arena array. */
void *sdb_grow(struct arena *a, void *arr, size_t n, size_t *cap,
               size_t size);

/*
 * sdb_read_begin picks the connection for a read on this thread: the
 * writer (locked) inside this thread's store_begin, else the thread's
 * reader, opened if needed, with a read transaction so that several
 * queries see one snapshot. Always pair with sdb_read_end.
 */
int sdb_read_begin(struct store *s, struct conn **c);
void sdb_read_end(struct store *s, struct conn *c);
/* sdb_write_end ends a store_begin: commits if rc is 0, else rolls back.
 * Returns rc, or the commit's error. */
int sdb_write_end(struct store *s, int rc);

/* sdb_valid_date reports whether d is shaped YYYY-MM-DD. */
bool sdb_valid_date(const char *d);

/* --- schema.c ------------------------------------------------------ */

/* sdb_migrate brings the writer's database to store_schema_version(). */
int sdb_migrate(struct conn *w);

/* --- taxonomy.c ---------------------------------------------------- */

/*
 * sdb_slugify writes name as a slug (lowercase ASCII letters and digits,
 * other runs become one '-') into out, at most cap-1 bytes plus NUL; an
 * empty result becomes fallback.
 */
void sdb_slugify(const char *name, const char *fallback, char *out,
                 size_t cap);
/*
 * sdb_unique_slug finds the first of base, base-2, base-3... for which
 * taken_sql (one parameter, the slug) returns no row, into out (cap bytes).
 * ERR_TOO_BIG if base is too long for out.
 */
int sdb_unique_slug(struct conn *w, const char *taken_sql, const char *base,
                    char *out, size_t cap);
/* Find-or-create by name on the writer (inside a transaction). */
int sdb_section_ensure(struct conn *w, const char *name, int64_t *id);
int sdb_author_ensure(struct conn *w, const char *name, int64_t *id);
int sdb_tag_ensure(struct conn *w, const char *name, int64_t *id);
int sdb_issue_ensure(struct conn *w, const char *date, int64_t *id);

#endif
