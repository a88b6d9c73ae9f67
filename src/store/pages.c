/*
 * pages.c - where each page of a long article list starts.
 *
 * A deep page's OFFSET steps over every index entry before it: 0.35 ms at
 * 15,000 entries, for each of the 753 pages of the Reuters home page, and
 * a crawler or the static export asks for every page (from both ends: the
 * pager links the last page). So the first deep page of a list reads the
 * key (published_at, id) of each page's last row in one index-only scan,
 * and every page of that list then seeks to the key before it
 * (sdb_list_sql.after). An index belongs to one version of the content,
 * the change log's sequence number (sdb_changes_seq), which every write
 * that can move an article in a list moves; the store keeps the latest
 * SDB_PAGE_LISTS of them, shared by every reader.
 *
 * A list's count (its pager's last page) is remembered the same way, per
 * version and for every reader: each reader counting for itself made one
 * scan of the whole list per reader thread and version (ms at 100,000
 * articles). The page index's scan counts the list too, so a deep page
 * reads the list once.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/nocache.h"
#include "core/xalloc.h"

#include <stdlib.h>

/* Lists of fewer than SDB_DEEP pages before the asked one use OFFSET. */
enum { SDB_PAGE_LISTS = 16, SDB_DEEP = 5 };

struct sdb_page_list {
    const char *sql; /* sdb_list_sql.keys; NULL: an empty slot */
    int64_t seq, id, until;
    int limit;
    size_t n;
    int64_t (*ends)[2]; /* ends[k]: the key of page k's last row */
};

static void list_clear(struct sdb_page_list *l)
{
    free(l->ends);
    *l = (struct sdb_page_list){0};
}

void sdb_pages_free(struct store *s)
{
    for (size_t i = 0; s->pages && i < SDB_PAGE_LISTS; i++)
        list_clear(&s->pages[i]);
    free(s->pages);
    s->pages = NULL;
}

bool sdb_count_known(struct store *s, int64_t version, const char *count_sql,
                     const struct list_query *q, int64_t *n)
{
    bool found = false;
    pthread_mutex_lock(&s->xlock);
    for (size_t i = 0; version && !found && i < SDB_COUNTS; i++) {
        const struct sdb_count *m = &s->counts[i];
        found = m->version == version && m->sql == count_sql &&
                m->id == q->id && m->until == q->until;
        if (found)
            *n = m->n;
    }
    pthread_mutex_unlock(&s->xlock);
    return found;
}

void sdb_count_keep(struct store *s, int64_t version, const char *count_sql,
                    const struct list_query *q, int64_t n)
{
    if (!version)
        return;
    pthread_mutex_lock(&s->xlock);
    s->counts[s->counts_next++ % SDB_COUNTS] =
        (struct sdb_count){version, count_sql, q->id, q->until, n};
    pthread_mutex_unlock(&s->xlock);
}

static bool same_list(const struct sdb_page_list *l, const char *sql,
                      int64_t seq, const struct list_query *q)
{
    return l->sql == sql && l->seq == seq && l->id == q->id &&
           l->until == q->until && l->limit == q->limit;
}

/* find copies the key before q's page from a known index; *known says
 * whether the list had one. Under s->xlock. */
static bool find(struct store *s, const char *sql, int64_t seq,
                 const struct list_query *q, int64_t key[2], bool *known)
{
    *known = false;
    for (size_t i = 0; s->pages && i < SDB_PAGE_LISTS; i++) {
        const struct sdb_page_list *l = &s->pages[i];
        if (!same_list(l, sql, seq, q))
            continue;
        *known = true;
        size_t k = (size_t)(q->offset / q->limit);
        if (k == 0 || k > l->n)
            return false; /* the first page, or past the end */
        key[0] = l->ends[k - 1][0];
        key[1] = l->ends[k - 1][1];
        return true;
    }
    return false;
}

/* build reads every page's last key of q's list on c into l. */
static int build(struct conn *c, const struct sdb_list_sql *sql,
                 const struct list_query *q, struct sdb_page_list *l,
                 int64_t *rows)
{
    sqlite3_stmt *st = sdb_stmt(c, sql->keys);
    if (!st)
        return ERR_DB;
    const int64_t v[] = {q->limit, q->offset, q->id, q->until};
    int rc = SQLITE_OK;
    for (int i = 0; i < sqlite3_bind_parameter_count(st) && i < 4; i++)
        rc |= sqlite3_bind_int64(st, i + 1, v[i]);
    if (rc != SQLITE_OK) {
        sdb_done(st);
        return sdb_fail(c, "articles_list: pages");
    }
    size_t cap = 0;
    int64_t row = 0;
    while ((rc = sdb_step(c, st, "articles_list: pages")) == 1) {
        if (++row % q->limit != 0)
            continue;
        if (l->n == cap) {
            cap = cap ? cap * 2 : 64;
            l->ends = xrealloc(l->ends, cap * sizeof(*l->ends));
        }
        l->ends[l->n][0] = sqlite3_column_int64(st, 0);
        l->ends[l->n][1] = sqlite3_column_int64(st, 1);
        l->n++;
    }
    sdb_done(st);
    *rows = row;
    return rc;
}

int sdb_page_start(struct store *s, struct conn *c,
                   const struct sdb_list_sql *sql, int64_t seq,
                   const struct list_query *q, int64_t key[2], int *skip)
{
    bool known, found;
    *skip = 0;
    if (!sql->keys || q->limit <= 0 || q->offset < SDB_DEEP * q->limit ||
        nocache_on())
        return 0;
    pthread_mutex_lock(&s->xlock);
    found = find(s, sql->keys, seq, q, key, &known);
    pthread_mutex_unlock(&s->xlock);
    if (!known) {
        /* Read without the lock; a thread that built it meanwhile wins. */
        struct sdb_page_list l = {sql->keys, seq, q->id, q->until,
                                  q->limit,  0,   NULL};
        int64_t rows = 0;
        int rc = build(c, sql, q, &l, &rows);
        if (rc != 0) {
            free(l.ends);
            return rc;
        }
        if (!sql->by_reads)
            sdb_count_keep(s, seq + 1, sql->count, q, rows);
        pthread_mutex_lock(&s->xlock);
        found = find(s, sql->keys, seq, q, key, &known);
        if (!known) {
            if (!s->pages)
                s->pages = xcalloc(SDB_PAGE_LISTS, sizeof(*s->pages));
            struct sdb_page_list *slot =
                &s->pages[s->pages_next++ % SDB_PAGE_LISTS];
            list_clear(slot);
            *slot = l;
            found = find(s, sql->keys, seq, q, key, &known);
        } else {
            free(l.ends);
        }
        pthread_mutex_unlock(&s->xlock);
    }
    if (found)
        *skip = q->offset % q->limit;
    return found ? 1 : 0;
}
