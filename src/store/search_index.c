/*
 * search_index.c - keeps the Xapian index ("<path>.xapian") following the
 * database, for search.c (store.h, docs/internals/search.md).
 *
 * The index records in its metadata, with the documents of each commit:
 * - quire.token: the database it was built from (search_index_id) and
 *   the documents' layout (XAPIAN_FORMAT);
 * - quire.seq: the change-log seq it is exact for, once built;
 * - quire.build: "<next article id> <seq at the start>" while a build runs,
 *   so a restarted server resumes it (a million articles take an hour).
 * A build reads the published articles in batches of BUILD_BATCH, each in
 * its own read snapshot (a snapshot held for an hour would stop the WAL's
 * checkpoints), then replays the change log from the seq it started at:
 * whatever changed meanwhile is indexed again. Following reads the
 * article ids the log names ("article:<id>", "search:<id>") in windows of
 * FOLLOW_ROWS rows, indexes or removes each article, and records the seq.
 * The log keeps what the index has not read yet (sdb_xapian_keep, used by
 * store_changes_prune).
 *
 * Searches never wait for the index: sdb_xapian_exact sends a search to
 * FTS5 while the index lags its snapshot by an article.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"
#include "store/xapian.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define META_TOKEN "quire.token"
#define META_SEQ "quire.seq"
#define META_BUILD "quire.build"

enum {
    BUILD_BATCH = 500,    /* articles per step of a build */
    COMMIT_EVERY = 1000,  /* a build commits (and can resume) this often */
    FOLLOW_ROWS = 5000,   /* change-log rows per step when following */
    LAG_SCAN_MAX = 10000, /* a longer lag is not scanned: FTS5 answers */
    AUTO_RECHECK_S = 60,  /* auto: how often the journal's size is read */
    TOKEN_MAX = 64,
};

struct sdb_xapian {
    char *dir;
    enum store_search_engine engine;
    char token[TOKEN_MAX]; /* this database's; set before on */
    bool on;               /* atomic: searches may try the index */
    int64_t keep;          /* atomic: the log keeps rows after this */
    /* The indexing thread's own. */
    struct xapian_writer *w;
    bool kept;          /* an index is wanted */
    time_t checked;     /* auto: when the size was last read */
    int64_t seq;        /* exact for this seq; -1 while building */
    int64_t build_next; /* building: the next article id to index */
    int64_t build_seq;  /* building: the log's seq at its start */
    int64_t build_docs; /* building: articles indexed so far */
    struct timespec build_t0;
    int64_t uncommitted;
};

/* The published articles from id ?1 (or just ?1), with what the index
 * keeps of each: search_facets holds exactly the published ones. */
#define SQL_DOCS_FROM                                                          \
    "SELECT a.id, a.title, a.summary, a.body_md,"                              \
    " (SELECT group_concat(name, ', ') FROM (SELECT au.name"                   \
    "  FROM article_authors aa JOIN authors au ON au.id = aa.author_id"        \
    "  WHERE aa.article_id = a.id ORDER BY aa.position)),"                     \
    " f.published_at, f.year, f.section_id, f.authors, f.countries"            \
    " FROM search_facets f CROSS JOIN articles a ON a.id = f.id"
static const char SQL_BATCH[] = SQL_DOCS_FROM
    " WHERE f.id >= ?1 ORDER BY f.id LIMIT ?2";
static const char SQL_ONE[] = SQL_DOCS_FROM " WHERE f.id = ?1";
#define ARTICLE_NAMES "(name GLOB 'article:*' OR name GLOB 'search:*')"
static const char SQL_CHANGED[] =
    "SELECT DISTINCT CAST(substr(name, instr(name, ':') + 1) AS INTEGER)"
    " FROM changes WHERE seq > ?1 AND seq <= ?2 AND " ARTICLE_NAMES;
static const char SQL_LAG[] = "SELECT 1 FROM changes WHERE seq > ?1"
                              " AND seq <= ?2 AND " ARTICLE_NAMES " LIMIT 1";
static const char SQL_TOKEN[] = "SELECT token FROM search_index_id";
static const char SQL_PUBLISHED[] = "SELECT count(*) FROM search_facets";
/* The oldest row the log still has (seqs are consecutive: rows before it
 * were pruned). */
static const char SQL_OLDEST[] = "SELECT coalesce(min(seq), 0) FROM changes";

static int commit_build(struct sdb_xapian *x);

int store_search_engine_parse(const char *name)
{
    static const char *const names[] = {"fts5", "auto", "xapian"};
    for (int i = 0; i < 3; i++)
        if (name && strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void store_search_engine_set(struct store *s, enum store_search_engine e)
{
    if ((e != STORE_SEARCH_AUTO && e != STORE_SEARCH_XAPIAN) || s->xapian)
        return; /* set once, before the threads start */
    struct sdb_xapian *x = xcalloc(1, sizeof(*x));
    size_t n = strlen(s->path) + sizeof(".xapian");
    x->dir = xmalloc(n);
    snprintf(x->dir, n, "%s.xapian", s->path);
    x->engine = e;
    x->keep = 0; /* keep every row until the index says what it read */
    x->seq = -1;
    s->xapian = x;
}

void sdb_xapian_free(struct store *s)
{
    struct sdb_xapian *x = s->xapian;
    if (!x)
        return;
    /* Closing commits what was indexed: say how far a build got. */
    if (x->w && x->build_next && commit_build(x) != 0)
        log_warn("%s", store_last_error());
    xapian_writer_close(x->w);
    free(x->dir);
    free(x);
    s->xapian = NULL;
}

int64_t sdb_xapian_keep(struct store *s)
{
    return s->xapian ? __atomic_load_n(&s->xapian->keep, __ATOMIC_ACQUIRE)
                     : INT64_MAX;
}

static void set_keep(struct sdb_xapian *x, int64_t seq)
{
    __atomic_store_n(&x->keep, seq, __ATOMIC_RELEASE);
}

/* meta_int reads an integer a reader's or the writer's metadata holds:
 * -1 when absent or not a number. */
static int64_t meta_int(const char *v)
{
    char *end;
    long long n = strtoll(v, &end, 10);
    return *v && *end == '\0' && n >= 0 ? (int64_t)n : -1;
}

static int64_t lag_rows(int64_t head, int64_t seq)
{
    return head > seq ? head - seq : 0;
}

/* lags: does an article change lie in (seq, head] of c's log? */
static int lags(struct conn *c, int64_t seq, int64_t head, bool *out)
{
    *out = lag_rows(head, seq) > LAG_SCAN_MAX;
    if (*out || head <= seq)
        return 0;
    sqlite3_stmt *st = sdb_stmt(c, SQL_LAG);
    if (!st)
        return ERR_DB;
    int rc;
    if ((sqlite3_bind_int64(st, 1, seq) | sqlite3_bind_int64(st, 2, head)) !=
        SQLITE_OK)
        rc = sdb_fail(c, "search index: lag");
    else
        rc = sdb_step(c, st, "search index: lag");
    sdb_done(st);
    *out = rc == 1;
    return rc < 0 ? rc : 0;
}

bool sdb_xapian_exact(struct store *s, struct conn *c)
{
    struct sdb_xapian *x = s->xapian;
    if (!x || !__atomic_load_n(&x->on, __ATOMIC_ACQUIRE))
        return false;
    if (!c->xapian && xapian_reader_open(x->dir, &c->xapian) != 0)
        return false; /* none yet */
    char token[TOKEN_MAX], seq[32];
    if (xapian_reader_refresh(c->xapian) != 0 ||
        xapian_reader_get(c->xapian, META_TOKEN, token, sizeof(token)) != 0 ||
        xapian_reader_get(c->xapian, META_SEQ, seq, sizeof(seq)) != 0) {
        log_warn("%s", store_last_error());
        xapian_reader_close(c->xapian); /* opened again next time */
        c->xapian = NULL;
        return false;
    }
    int64_t at = meta_int(seq), head;
    bool behind;
    if (strcmp(token, x->token) != 0 || at < 0 ||
        sdb_changes_seq(c, &head) != 0 || lags(c, at, head, &behind) != 0)
        return false;
    return !behind;
}

/* --- the indexing thread ------------------------------------------------ */

/* The text fields of a document, folded (fold.c): reused row to row. */
struct texts {
    struct buf f[4];
};

static void texts_init(struct texts *t)
{
    for (int i = 0; i < 4; i++)
        buf_init(&t->f[i], BUF_MAX_DEFAULT);
}

static void texts_release(struct texts *t)
{
    for (int i = 0; i < 4; i++)
        buf_release(&t->f[i]);
}

/* doc_row reads one row of SQL_DOCS_FROM into d, its text folded into t
 * (the other strings live in st). */
static int doc_row(struct conn *c, sqlite3_stmt *st, struct texts *t,
                   struct xapian_doc *d)
{
    const char *text[4];
    for (int i = 0; i < 4; i++) {
        buf_reset(&t->f[i]);
        int rc =
            sdb_fold(c, (const char *)sqlite3_column_text(st, 1 + i), &t->f[i]);
        if (rc == 0 && buf_error(&t->f[i]))
            rc = sdb_invalid("search index", "an article's text too long");
        if (rc != 0)
            return rc;
        text[i] = t->f[i].ptr;
    }
    *d = (struct xapian_doc){
        .id = sqlite3_column_int64(st, 0),
        .title = text[0],
        .intro = text[1],
        .body = text[2],
        .byline = text[3],
        .published_at = sqlite3_column_int64(st, 5),
        .year = sqlite3_column_int(st, 6),
        .section_id = sqlite3_column_int64(st, 7),
        .authors = (const char *)sqlite3_column_text(st, 8),
        .countries = (const char *)sqlite3_column_text(st, 9),
    };
    return 0;
}

/* one_int reads sql's one integer (or text, into text) in c's snapshot. */
static int one_value(struct conn *c, const char *sql, int64_t *n, char *text,
                     size_t cap)
{
    sqlite3_stmt *st = sdb_stmt(c, sql);
    int rc = st ? sdb_step(c, st, "search index") : ERR_DB;
    if (rc == 1) {
        if (n)
            *n = sqlite3_column_int64(st, 0);
        if (text) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            snprintf(text, cap, "%s", t ? t : "");
        }
        rc = 0;
    } else if (rc == 0) {
        rc = sdb_invalid("search index", "no row");
    }
    sdb_done(st);
    return rc;
}

/* wanted decides whether an index is kept (auto: by the journal's size). */
static int wanted(struct store *s, struct sdb_xapian *x)
{
    if (x->kept)
        return 0;
    if (x->engine == STORE_SEARCH_XAPIAN) {
        x->kept = true;
        return 0;
    }
    time_t now = time(NULL);
    if (x->checked && now - x->checked < AUTO_RECHECK_S)
        return 0;
    x->checked = now;
    struct conn *c;
    int64_t n = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = one_value(c, SQL_PUBLISHED, &n, NULL, 0);
    sdb_read_end(s, c);
    x->kept = rc == 0 && n >= STORE_XAPIAN_AUTO_MIN;
    if (x->kept)
        log_info("%" PRId64 " published articles: keeping a Xapian index "
                 "for searches",
                 n);
    return rc;
}

/* start_build empties the index and starts over at the log's seq now. */
static int start_build(struct store *s, struct sdb_xapian *x)
{
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = sdb_changes_seq(c, &x->build_seq);
    sdb_read_end(s, c);
    if (rc != 0)
        return rc;
    set_keep(x, x->build_seq);
    xapian_writer_close(x->w);
    x->w = NULL;
    rc = xapian_writer_open(x->dir, true, &x->w);
    if (rc != 0)
        return rc;
    x->seq = -1;
    x->build_next = 1;
    x->build_docs = 0;
    x->uncommitted = 0;
    clock_gettime(CLOCK_MONOTONIC, &x->build_t0);
    log_info("building the search index %s", x->dir);
    return 0;
}

/*
 * open_index opens the writer and reads where the index stands: exact for
 * a seq of this database (follow from there), a build of this database to
 * resume, or anything else (start over). An index ahead of the log was
 * built from a newer copy of this database (a restored backup), and one
 * behind the log's oldest row misses what was pruned: over too.
 */
static int open_index(struct store *s, struct sdb_xapian *x)
{
    struct conn *c;
    int64_t head = 0, oldest = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    if (!x->token[0]) {
        char t[TOKEN_MAX - 8];
        rc = one_value(c, SQL_TOKEN, NULL, t, sizeof(t));
        snprintf(x->token, sizeof(x->token), "%s/" XAPIAN_FORMAT, t);
    }
    if (rc == 0)
        rc = sdb_changes_seq(c, &head);
    if (rc == 0)
        rc = one_value(c, SQL_OLDEST, &oldest, NULL, 0);
    sdb_read_end(s, c);
    if (rc != 0)
        return rc;
    __atomic_store_n(&x->on, true, __ATOMIC_RELEASE); /* token is set */
    rc = xapian_writer_open(x->dir, false, &x->w);
    if (rc != 0)
        return rc;
    char token[TOKEN_MAX], seq[32], build[64];
    rc = xapian_writer_get(x->w, META_TOKEN, token, sizeof(token));
    if (rc == 0)
        rc = xapian_writer_get(x->w, META_SEQ, seq, sizeof(seq));
    if (rc == 0)
        rc = xapian_writer_get(x->w, META_BUILD, build, sizeof(build));
    if (rc != 0)
        return rc;
    /* The log from where the index stopped, unless a server that kept no
     * index (search.engine = fts5) pruned it meanwhile. */
    long long next, from, at = meta_int(seq);
    if (strcmp(token, x->token) == 0 && at >= 0 && at <= head &&
        (at == head || oldest <= at + 1)) {
        x->seq = meta_int(seq);
        set_keep(x, x->seq);
        return 0;
    }
    if (strcmp(token, x->token) == 0 &&
        sscanf(build, "%lld %lld", &next, &from) == 2 && next > 0 &&
        from >= 0 && from <= head && (from == head || oldest <= from + 1)) {
        x->seq = -1;
        x->build_next = next;
        x->build_seq = from;
        x->build_docs = 0;
        set_keep(x, from);
        clock_gettime(CLOCK_MONOTONIC, &x->build_t0);
        log_info("resuming the search index build at article %lld", next);
        return 0;
    }
    return start_build(s, x);
}

static int commit_build(struct sdb_xapian *x)
{
    char build[64];
    snprintf(build, sizeof(build), "%" PRId64 " %" PRId64, x->build_next,
             x->build_seq);
    int rc = xapian_writer_set(x->w, META_TOKEN, x->token);
    if (rc == 0)
        rc = xapian_writer_set(x->w, META_BUILD, build);
    if (rc == 0)
        rc = xapian_writer_commit(x->w);
    x->uncommitted = 0;
    return rc;
}

/* build_step indexes the next batch; the last one finishes the build. */
static int build_step(struct store *s, struct sdb_xapian *x, bool *more)
{
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_BATCH);
    size_t n = 0;
    struct texts t;
    texts_init(&t);
    if (!st) {
        rc = ERR_DB;
    } else if ((sqlite3_bind_int64(st, 1, x->build_next) |
                sqlite3_bind_int(st, 2, BUILD_BATCH)) != SQLITE_OK) {
        rc = sdb_fail(c, "search index: build");
    } else {
        while ((rc = sdb_step(c, st, "search index: build")) == 1) {
            struct xapian_doc d;
            rc = doc_row(c, st, &t, &d);
            if (rc == 0)
                rc = xapian_writer_put(x->w, &d);
            if (rc != 0)
                break;
            x->build_next = d.id + 1;
            n++;
        }
    }
    sdb_done(st);
    sdb_read_end(s, c);
    texts_release(&t);
    if (rc != 0)
        return rc;
    x->build_docs += (int64_t)n;
    x->uncommitted += (int64_t)n;
    *more = true;
    if (n == BUILD_BATCH)
        return x->uncommitted >= COMMIT_EVERY ? commit_build(x) : 0;
    /* Done: exact for the seq it started at; following does the rest. */
    char seq[32];
    snprintf(seq, sizeof(seq), "%" PRId64, x->build_seq);
    rc = xapian_writer_set(x->w, META_TOKEN, x->token);
    if (rc == 0)
        rc = xapian_writer_set(x->w, META_SEQ, seq);
    if (rc == 0)
        rc = xapian_writer_set(x->w, META_BUILD, "");
    if (rc == 0)
        rc = xapian_writer_commit(x->w);
    if (rc != 0)
        return rc;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - x->build_t0.tv_sec) +
                  (double)(t1.tv_nsec - x->build_t0.tv_nsec) / 1e9;
    log_info("search index built: %" PRId64 " articles in %.1f s",
             x->build_docs, secs);
    x->seq = x->build_seq;
    x->build_next = 0;
    x->uncommitted = 0;
    return 0;
}

/* follow_step indexes the articles the next window of the log names. */
static int follow_step(struct store *s, struct sdb_xapian *x, bool *more)
{
    struct conn *c;
    struct arena a;
    int64_t head, *ids = NULL, upto;
    size_t n = 0, cap = 0;
    struct texts t;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    arena_init(&a, 4096);
    texts_init(&t);
    rc = sdb_changes_seq(c, &head);
    if (rc != 0 || head <= x->seq)
        goto out;
    upto = head - x->seq > FOLLOW_ROWS ? x->seq + FOLLOW_ROWS : head;
    sqlite3_stmt *st = sdb_stmt(c, SQL_CHANGED);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int64(st, 1, x->seq) | sqlite3_bind_int64(st, 2, upto)) !=
        SQLITE_OK)
        rc = sdb_fail(c, "search index: changes");
    else
        while ((rc = sdb_step(c, st, "search index: changes")) == 1) {
            ids = sdb_grow(&a, ids, n, &cap, sizeof(*ids));
            ids[n++] = sqlite3_column_int64(st, 0);
        }
    sdb_done(st);
    for (size_t i = 0; i < n && rc == 0; i++) {
        st = sdb_stmt(c, SQL_ONE);
        if (!st) {
            rc = ERR_DB;
            break;
        }
        if (sqlite3_bind_int64(st, 1, ids[i]) != SQLITE_OK)
            rc = sdb_fail(c, "search index: article");
        else
            rc = sdb_step(c, st, "search index: article");
        if (rc == 1) {
            struct xapian_doc d;
            rc = doc_row(c, st, &t, &d);
            if (rc == 0)
                rc = xapian_writer_put(x->w, &d);
        } else if (rc == 0) { /* unpublished or deleted */
            rc = xapian_writer_delete(x->w, ids[i]);
        }
        sdb_done(st);
    }
    if (rc == 0) {
        char seq[32];
        snprintf(seq, sizeof(seq), "%" PRId64, upto);
        rc = xapian_writer_set(x->w, META_SEQ, seq);
        if (rc == 0)
            rc = xapian_writer_commit(x->w);
    }
    if (rc == 0) {
        x->seq = upto;
        set_keep(x, upto);
        *more = upto < head;
    }
out:
    sdb_read_end(s, c);
    arena_release(&a);
    texts_release(&t);
    return rc;
}

int store_search_index_step(struct store *s, bool *more)
{
    struct sdb_xapian *x = s->xapian;
    *more = false;
    if (!x)
        return 0;
    int rc = wanted(s, x);
    if (rc != 0 || !x->kept) {
        set_keep(x, INT64_MAX);
        return rc;
    }
    if (!x->w) {
        rc = open_index(s, x);
        if (rc != 0) {
            xapian_writer_close(x->w);
            x->w = NULL;
            return rc;
        }
    }
    rc = x->build_next ? build_step(s, x, more) : follow_step(s, x, more);
    if (rc != 0) { /* opened again, and its state read again, next time */
        xapian_writer_close(x->w);
        x->w = NULL;
    }
    return rc;
}

int store_search_index_state(struct store *s, struct search_index_state *out)
{
    struct sdb_xapian *x = s->xapian;
    *out = (struct search_index_state){.seq = -1};
    if (!x)
        return 0;
    out->kept = __atomic_load_n(&x->keep, __ATOMIC_ACQUIRE) != INT64_MAX;
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    out->exact = sdb_xapian_exact(s, c);
    /* The index as it is on disk, even before this process's indexer
     * looked at it. */
    if (!c->xapian && xapian_reader_open(x->dir, &c->xapian) != 0)
        c->xapian = NULL; /* none yet */
    if (c->xapian) {
        char seq[32], build[64];
        out->documents = xapian_reader_documents(c->xapian);
        if (xapian_reader_get(c->xapian, META_SEQ, seq, sizeof(seq)) == 0)
            out->seq = meta_int(seq);
        if (xapian_reader_get(c->xapian, META_BUILD, build, sizeof(build)) == 0)
            out->building = build[0] != '\0' || out->seq < 0;
    }
    sdb_read_end(s, c);
    return 0;
}
