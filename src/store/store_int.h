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

/* The statement cache's first size (a power of two). It doubles when half
 * full, so it never refuses a statement; store_statements' test keeps the
 * count (about 110 in 2026) well below it, so it never needs to. */
#define SDB_STMT_SLOTS 256
#define SDB_BUSY_MS 5000
#define SDB_NAME_MAX 4096     /* longest section/author/tag name or slug base */
#define SDB_APP_ID 0x51756972 /* PRAGMA application_id of ours: "Quir" */

struct sdb_slot {
    const char *sql; /* NULL: empty slot */
    sqlite3_stmt *st;
};

/* A remembered count of a list query (articles.c), valid while the
 * content version (sdb_memo_version) stays at version. */
struct sdb_count {
    int64_t version; /* 0: empty */
    const char *sql; /* the count statement (its SQL text's address) */
    int64_t id, until, n;
};
#define SDB_COUNTS 16

struct conn {
    sqlite3 *db; /* NULL until opened (readers open lazily) */
    int txn;     /* reader structs only: this thread's store_begin depth */
    int hold;    /* reader structs only: store_read_hold depth */
    struct conn *next;      /* the store's list of per-thread structs */
    struct sdb_slot *stmts; /* open addressing; NULL until the first */
    size_t nstmts, stmt_cap;
    struct sdb_memo *memo;     /* memo.c: readers in a memo'd hold, else NULL */
    struct sdb_toc_memo *tocs; /* issues.c: readers only; NULL until used */
    int64_t held_seq;  /* readers: the change-log seq of the held snapshot */
    bool has_held_seq; /* held_seq was read in this hold */
    struct xapian_reader *xapian; /* search.c: readers only; NULL until used */
    struct sdb_fold *fold;        /* fold.c: NULL until used */
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
    int lockfd;                    /* shared flock on "<path>.lock" (lock.c) */
    bool map;                      /* STORE_MAP: readers mmap the file */
    pthread_mutex_t xlock;         /* guards related, pages and counts */
    struct related_index *related; /* related.c; one reference held here */
    bool related_building;         /* related.c: a thread builds one */
    pthread_cond_t related_built;  /* signalled (xlock) when it is done */
    bool related_refreshed;  /* related.c: store_related_refresh is called */
    bool related_slow;       /* related.c: the last build took long, */
    int64_t related_slow_ms; /* at least this (SDB_RELATED_SLOW_MS) */
    struct sdb_page_list *pages; /* pages.c: page indexes, or NULL */
    unsigned pages_next;
    struct sdb_count counts[SDB_COUNTS]; /* pages.c: list counts */
    unsigned counts_next;
    struct sdb_xapian *xapian; /* search_index.c: the Xapian index */
};

/*
 * The index of tags or of authors, by name (the tags_name and authors_name
 * indexes), each entry with its count of published articles: one range of
 * the link table's (key, status) index, as links carry their article's
 * status (schema migration 6). Counting every published article's links
 * and sorting cost 6 ms a page on the Reuters fixture. SDB_NAMED_COUNT
 * counts the entries; SDB_NAMED_PAGE selects id, slug, name, count with
 * LIMIT ?1 OFFSET ?2.
 */
#define SDB_HAS_PUBLISHED(table, link, key)                                    \
    " FROM " table " x WHERE EXISTS (SELECT 1 FROM " link " l"                 \
    " WHERE l." key " = x.id AND l.status = 1)"
#define SDB_NAMED_COUNT(table, link, key)                                      \
    "SELECT count(*)" SDB_HAS_PUBLISHED(table, link, key)
#define SDB_NAMED_PAGE(table, link, key)                                       \
    "SELECT x.id, x.slug, x.name, (SELECT count(*) FROM " link " l"            \
    " WHERE l." key " = x.id AND l.status = 1)" SDB_HAS_PUBLISHED(             \
        table, link,                                                           \
        key) " ORDER BY x.name COLLATE NOCASE, x.id LIMIT ?1 OFFSET ?2"

/* --- changes.c ----------------------------------------------------- */

/*
 * sdb_changes_seq reads the change log's highest sequence number in c's
 * snapshot: it moves with every content write, never goes back, so it
 * versions whatever is derived from the content (related.c).
 */
int sdb_changes_seq(struct conn *c, int64_t *seq);
/*
 * sdb_memo_version is the one version every store-side memo follows (list
 * counts, tables of contents, page indexes, the related index): the change
 * log's sequence number in c's snapshot (read once per store_read_hold).
 * 0 means "do not remember": on the writer (its uncommitted state is no
 * version), on error, and with QUIRE_NO_CACHE=1. docs/internals/caches.md.
 */
int64_t sdb_memo_version(struct store *s, struct conn *c);

/* --- related.c ----------------------------------------------------- */

/* A related index build this long (ms) is slow: readers on a server stop
 * waiting for it (related.c, index_get). A few tens of thousands of
 * articles build in less. */
#define SDB_RELATED_SLOW_MS 50

/* sdb_related_free drops the store's reference to its related index. */
void sdb_related_free(struct store *s);

/* --- pages.c ------------------------------------------------------- */

struct sdb_list_sql;

/*
 * sdb_page_start finds where q's page starts in list sql, for a deep page
 * (reading the list's page index on c at content version seq if it has
 * none): 1 with the key of the row before it in key and the rows to skip
 * after that in *skip, 0 to use OFFSET, or a store error.
 */
int sdb_page_start(struct store *s, struct conn *c,
                   const struct sdb_list_sql *sql, int64_t seq,
                   const struct list_query *q, int64_t key[2], int *skip);
/*
 * The count of every article of q's list (count_sql, its statement's
 * address, names the list's kind) at content version (sdb_memo_version;
 * 0 never matches), remembered for every reader: sdb_count_known finds
 * it, sdb_count_keep keeps it among the last SDB_COUNTS.
 */
bool sdb_count_known(struct store *s, int64_t version, const char *count_sql,
                     const struct list_query *q, int64_t *n);
void sdb_count_keep(struct store *s, int64_t version, const char *count_sql,
                    const struct list_query *q, int64_t n);
/* sdb_pages_free drops the page indexes. */
void sdb_pages_free(struct store *s);

/* --- articles.c --------------------------------------------------- */

/* --- issues.c ------------------------------------------------------ */

/* sdb_toc_free drops what a reader remembers of tables of contents. */
struct sdb_toc_memo;
void sdb_toc_free(struct conn *c);

/* --- memo.c ------------------------------------------------------- */

/*
 * The last article read by slug in c's held snapshot (store_read_memo).
 * sdb_memo_get copies it into a and returns true if it is slug's (read
 * with the same drafts flag); sdb_memo_put remembers art, read for slug;
 * both do nothing unless c has a memo. sdb_memo_row_get and _put do the
 * same for rows by id (related articles: no bodies, with bylines).
 * sdb_memo_free drops c's memo.
 */
struct sdb_memo;
bool sdb_memo_get(struct conn *c, struct arena *a, struct str slug, bool drafts,
                  struct article *out);
void sdb_memo_put(struct conn *c, struct str slug, bool drafts,
                  const struct article *art);
bool sdb_memo_row_get(struct conn *c, struct arena *a, int64_t id,
                      struct article *out);
void sdb_memo_row_put(struct conn *c, const struct article *art);
void sdb_memo_free(struct conn *c);

/* --- profile.c ----------------------------------------------------- */

/* sdb_profiling: QUIRE_SQL_PROFILE is set (read by sdb_profile_init, at
 * the first store_open); sdb_step then times each step and adds it. */
extern bool sdb_profiling;
void sdb_profile_init(void);
uint64_t sdb_profile_now(void);
void sdb_profile_add(sqlite3_stmt *st, uint64_t ns);

/* --- db.c ---------------------------------------------------------- */

/* sdb_errorf records a message as this thread's store_last_error. */
void sdb_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * sdb_fail records c's last SQLite error prefixed by ctx as this thread's
 * store_last_error, and returns its code (sdb_code). It does not log: the
 * store returns a code and a message, only the caller reports (one line).
 */
int sdb_fail(struct conn *c, const char *ctx);
/*
 * sdb_code maps an extended SQLite result code to core/err.h: ERR_EXISTS
 * for a UNIQUE/PRIMARY KEY violation, ERR_IO when the disk is full or
 * failed (SQLITE_FULL, SQLITE_IOERR_*), ERR_DB otherwise.
 */
int sdb_code(int sqlite_code);
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
int sdb_list(struct store *s, struct arena *a, const char *sql, const char *ctx,
             size_t elem_size, sdb_row_fn row, void **out, size_t *n);
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
int sdb_one(struct store *s, struct arena *a, const char *sql, const char *ctx,
            struct sdb_key key, sdb_row_fn row, void *elem);
/* The back office's author (struct edit_author), read by
 * sdb_edit_author_row: one list and one lookup share them. */
#define SDB_EDIT_AUTHOR_COLS                                                   \
    "SELECT id, slug, name, bio, (SELECT count(*) FROM article_authors"        \
    " WHERE author_id = authors.id), photo"
void sdb_edit_author_row(struct arena *a, sqlite3_stmt *st, void *elem);
/* sdb_grow makes room for one more element in an arena array. */
void *sdb_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size);

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

/* --- articles.c: article lists, shared by the list files ----------- */

/*
 * The columns every article read returns, in the order articles.c's row
 * reader expects: bodies is "NULL, NULL" in lists, hits the expression
 * read into article.hits ("a.hits", or a count over a period). The
 * statement continues after the joins with WHERE (or more joins).
 */
#define SDB_ARTICLE_SELECT(bodies, hits)                                       \
    "SELECT a.id, a.slug, a.title, a.summary, " bodies ", a.status,"           \
    " a.published_at, a.updated_at, " hits ", s.id, s.slug, s.name,"           \
    " s.position, i.id, i.date, i.title FROM articles a"                       \
    " LEFT JOIN sections s ON s.id = a.section_id"                             \
    " LEFT JOIN issues i ON i.id = a.issue_id "
/*
 * One article list as two statements: the page (the columns of
 * SDB_ARTICLE_SELECT) and the count of all it selects. ?1 and ?2 are LIMIT
 * and OFFSET; ?3 and ?4 take list_query.id and .until.
 */
struct sdb_list_sql {
    const char *page, *count;
    /* For deep pages (pages.c), NULL where the order is another: the
     * page after a known row, page's query with the keyset condition
     * "(published_at, id) < (?5, ?6)"; and keys, the (published_at, id)
     * of every row the list selects, in its order. */
    const char *after, *keys;
    /* The list follows the read counts, which the change log (the memos'
     * version) leaves out: its count is never remembered. */
    bool by_reads;
};
/*
 * sdb_articles_query runs one such list in one read snapshot: *out gets
 * the page (without bodies or tags, with bylines), *total (may be NULL)
 * the count. Only q's limit, offset, id and until are used.
 */
int sdb_articles_query(struct store *s, struct arena *a,
                       const struct sdb_list_sql *sql,
                       const struct list_query *q, struct article **out,
                       size_t *n, int64_t *total);
/*
 * sdb_articles_by_ids reads the articles ids[0..n) on c (inside the
 * caller's sdb_read_begin), in that order, like a list page: without
 * bodies or tags, with bylines. An id without an article is left out.
 */
int sdb_articles_by_ids(struct conn *c, struct arena *a, const int64_t *ids,
                        size_t n, struct article **out, size_t *len);

/* --- rows.c: parameterised lists and pages of rows ---------------- */

/*
 * sdb_rows runs a cached statement with integer parameters (args[i] binds
 * ?i+1) on c, inside the caller's sdb_read_begin, and collects its rows as
 * sdb_list does. *out and *n are set only on success.
 */
int sdb_rows(struct conn *c, struct arena *a, const char *sql, const char *ctx,
             const int64_t *args, size_t nargs, size_t elem_size,
             sdb_row_fn row, void **out, size_t *n);
/*
 * sdb_select is sdb_list for a query with integer parameters: args[i]
 * binds ?i+1 (nargs of them).
 */
int sdb_select(struct store *s, struct arena *a, const char *sql,
               const char *ctx, const int64_t *args, size_t nargs,
               size_t elem_size, sdb_row_fn row, void **out, size_t *n);
/*
 * sdb_select_page runs count_sql (no parameters; one integer) and
 * page_sql (?1 LIMIT, ?2 OFFSET) in one read snapshot: one page of rows
 * and *total (may be NULL), the count of all rows.
 */
int sdb_select_page(struct store *s, struct arena *a, const char *count_sql,
                    const char *page_sql, const char *ctx, int limit,
                    int offset, size_t elem_size, sdb_row_fn row, void **out,
                    size_t *n, int64_t *total);
/* SDB_ARTICLE_COLS is SDB_ARTICLE_SELECT with the stored read count. */
#define SDB_ARTICLE_COLS(bodies) SDB_ARTICLE_SELECT(bodies, "a.hits")
/* sdb_read_article fills out (no authors or tags) from a row of those. */
void sdb_read_article(struct arena *a, sqlite3_stmt *st, struct article *out);
/* sdb_read_author reads (id, slug, name, bio) from columns col..col+3. */
void sdb_read_author(struct arena *a, sqlite3_stmt *st, int col,
                     struct author *out);

/* --- schema.c ------------------------------------------------------ */

/*
 * SDB_FTS_ROW selects the search index's columns (rowid, title, intro,
 * body, authors) of the articles a; append the WHERE clause. The byline is
 * the authors' names in order. Shared by migration 4 and search.c so the
 * index is built one way.
 */
#define SDB_FTS_ROW                                                            \
    "SELECT a.id, a.title, a.summary, a.body_md,"                              \
    " (SELECT group_concat(name, ', ') FROM (SELECT au.name"                   \
    "  FROM article_authors aa JOIN authors au ON au.id = aa.author_id"        \
    "  WHERE aa.article_id = a.id ORDER BY aa.position))"                      \
    " FROM articles a "

/* sdb_migrate brings the writer's database to store_schema_version(). */
int sdb_migrate(struct conn *w);

/* --- search_index.c ------------------------------------------------ */

/*
 * The Xapian index beside the database ("<path>.xapian"), which
 * search_index.c keeps following the change log. sdb_xapian_exact tells
 * whether it is exact for c's snapshot (built for this database, and no
 * article changed since the seq it reached), and opens c's reader of it.
 */
struct xapian_reader;
bool sdb_xapian_exact(struct store *s, struct conn *c);
/* fold.c: text's words as FTS5 cuts them (lowercase, no diacritics),
 * separated by spaces, appended to b; sdb_fold_match does the same to
 * each term of a match (query.c's form), NULL on error. */
struct buf;
int sdb_fold(struct conn *c, const char *text, struct buf *b);
const char *sdb_fold_match(struct conn *c, struct arena *a, const char *match);
void sdb_fold_free(struct conn *c);
/* sdb_xapian_keep: the change log must keep the rows after this seq for
 * the index (INT64_MAX: nothing to keep). */
int64_t sdb_xapian_keep(struct store *s);
void sdb_xapian_free(struct store *s);

/* --- search.c ------------------------------------------------------ */

/*
 * sdb_search_reindex rewrites article id's row of the search index on the
 * writer, inside the caller's transaction: removed, then added again if
 * the article is published.
 */
int sdb_search_reindex(struct conn *w, int64_t id);

/* sdb_places_tag tags article id's countries and organizations again on
 * the writer, inside the caller's transaction (places.c). */
int sdb_places_tag(struct conn *w, int64_t id);

/* --- taxonomy.c ---------------------------------------------------- */

/*
 * sdb_slugify writes name as a slug (lowercase ASCII letters and digits,
 * other runs become one '-') into out, at most cap-1 bytes plus NUL; an
 * empty result becomes fallback.
 */
void sdb_slugify(const char *name, const char *fallback, char *out, size_t cap);
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

/* --- lock.c -------------------------------------------------------- */

enum {
    SDB_LOCK_SHARED = 0,    /* any quire process using the database */
    SDB_LOCK_EXCLUSIVE = 1, /* replacing it: no one else may have it open */
    SDB_LOCK_IF_EXISTS = 2, /* only if the lock file exists, else *fd = -1 */
};
/*
 * sdb_lock takes a flock on "<db>.lock" as `how` says, without waiting;
 * *fd holds it until sdb_unlock. ERR_BUSY (with a message) if a
 * conflicting lock is held, ERR_IO if the lock file cannot be opened.
 */
int sdb_lock(const char *db, int how, int *fd);
void sdb_unlock(int fd);

#endif
