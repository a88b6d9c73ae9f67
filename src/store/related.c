/*
 * related.c - the articles related to one article.
 *
 * Ranking: more shared tags first, then the same section, then the newer,
 * then the higher id. Candidates share a tag or the section; the article
 * itself and drafts never are.
 *
 * As one SQL query this cost 0.5 ms on average and 9 ms for an article
 * whose one tag has 3,198 articles (Reuters, "earn"), on every cold
 * article page: counting shared tags means visiting every article of each
 * tag. So the ranking runs in memory over an index of each published
 * article's section, date and tags (about 1 MB for 15,000 articles, built
 * in a few milliseconds), and only the winners' rows are read from SQLite.
 *
 * The index is versioned by the change log's sequence number, which every
 * content write moves (schema version 2): a reader whose snapshot is newer
 * than the index rebuilds it from that snapshot, so no reader ranks with
 * an index older than its own data. Except on a server whose builds are
 * slow: there its background thread rebuilds (store_related_refresh) and
 * readers meanwhile rank with the older index and say so (*stale), so the
 * page is shown at once and rendered again a moment later. Readers share
 * one immutable index by reference count; a rebuild replaces it under
 * s->xlock.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"
#include "core/nocache.h"
#include "core/xalloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every published article, by section (0: none), then date, then id, so a
 * section's newest articles end its run. From search_facets, the narrow
 * row each published article has (search.c): the articles rows carry
 * their bodies, and reading them took 6.5 s at a million, this 0.6 s. */
static const char SQL_ARTICLES[] =
    "SELECT id, coalesce(section_id, 0), published_at FROM search_facets"
    " ORDER BY 2, 3, 1";
/* Every tag's articles, from the index on (tag_id, article_id). */
static const char SQL_TAGS[] =
    "SELECT tag_id, article_id FROM article_tags ORDER BY tag_id, article_id";

/* A winner's row, one id at a time: a list "IN (?1, ..., ?8)" built an
 * ephemeral index per article page (a pager page zeroed, each id inserted,
 * then walked): 22 us for five rows, now 5 rowid lookups. A draft in this
 * snapshot stays out even if a newer index ranked it. */
/* clang-format off */
static const char SQL_ROW[] =
    SDB_ARTICLE_COLS("NULL, NULL") "WHERE a.id = ?1 AND a.status = 1";
/* clang-format on */
/* A winner's byline, in index order (by author id) with each author's
 * place, which load_bylines sorts by: ORDER BY here, or an IN list of the
 * winners, cost a temporary b-tree per article page. */
static const char SQL_BYLINE[] =
    "SELECT aa.position, au.id, au.slug, au.name, au.bio"
    " FROM article_authors aa JOIN authors au ON au.id = aa.author_id"
    " WHERE aa.article_id = ?1";

/*
 * An article is its index in SQL_ARTICLES order ("arts"), and the index
 * holds 4-byte indexes, not ids, in arrays of one field each, with each
 * tag's articles as a run of one array (tag_start) and each article's tags
 * as a run of another (tag_off): about 50 bytes an article (50 MB at a
 * million; 165 before, with an id beside each and a struct per article).
 */
struct related_index {
    atomic_int refs;
    int64_t seq;           /* the change log's sequence it was built at */
    int64_t *ids;          /* each article's id, in SQL_ARTICLES order */
    uint32_t *by_id;       /* arts' indexes, by id */
    uint32_t *fresh;       /* each article's place by (published_at, id) */
    uint32_t *section_no;  /* its section's run number in arts */
    uint32_t *section_end; /* by run number: the run's last (newest) */
    uint32_t no_section;   /* the run of those with none, or UINT32_MAX */
    size_t n;
    uint32_t *tag_off;   /* article i's tags: tags[tag_off[i]..tag_off[i+1]) */
    uint32_t *tags;      /* each article's tags (numbers), in arts order */
    uint32_t *tag_start; /* tag k's articles: [tag_start[k], tag_start[k+1]) */
    size_t ntags;        /* tags (numbers) */
    uint32_t *members;   /* arts' indexes by tag number, then index */
    size_t nmembers;
    uint32_t nsections; /* section runs (section_end's length) */
};

static void index_unref(struct related_index *ix)
{
    if (!ix ||
        atomic_fetch_sub_explicit(&ix->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(ix->ids);
    free(ix->by_id);
    free(ix->fresh);
    free(ix->section_no);
    free(ix->section_end);
    free(ix->tag_off);
    free(ix->tags);
    free(ix->tag_start);
    free(ix->members);
    free(ix);
}

void sdb_related_free(struct store *s)
{
    index_unref(s->related);
    s->related = NULL;
}

/* find returns the index of article id, or -1. */
static int64_t find(const struct related_index *ix, int64_t id)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = ix->ids[ix->by_id[mid]];
        if (v == id)
            return ix->by_id[mid];
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int cmp_by_id(const void *x, const void *y, void *arg)
{
    const int64_t *ids = arg;
    int64_t a = ids[*(const uint32_t *)x], b = ids[*(const uint32_t *)y];
    return (a > b) - (a < b);
}

/* Article indexes by date, then id: the dates are in arg. */
struct by_date {
    const int64_t *ids, *published;
};

static int cmp_published(const void *x, const void *y, void *arg)
{
    const struct by_date *d = arg;
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    if (d->published[i] != d->published[j])
        return (d->published[i] > d->published[j]) -
               (d->published[i] < d->published[j]);
    return (d->ids[i] > d->ids[j]) - (d->ids[i] < d->ids[j]);
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* grow makes room for one more of size bytes in *v (n used, *cap). */
static void grow(void *v, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return;
    *cap = *cap ? *cap * 2 : 1024;
    *(void **)v = xrealloc(*(void **)v, *cap * size);
}

static int load_articles(struct conn *c, struct related_index *ix)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_ARTICLES);
    if (!st)
        return ERR_DB;
    size_t cap = 0, cap_s = 0, cap_p = 0;
    int64_t *section = NULL, *published = NULL; /* while building */
    int rc;
    while ((rc = sdb_step(c, st, "related: articles")) == 1) {
        if (ix->n == UINT32_MAX - 1) {
            rc = sdb_invalid("related", "too many articles");
            break;
        }
        grow(&ix->ids, ix->n, &cap, sizeof(*ix->ids));
        grow(&section, ix->n, &cap_s, sizeof(*section));
        grow(&published, ix->n, &cap_p, sizeof(*published));
        ix->ids[ix->n] = sqlite3_column_int64(st, 0);
        section[ix->n] = sqlite3_column_int64(st, 1);
        published[ix->n++] = sqlite3_column_int64(st, 2);
    }
    sdb_done(st);
    /* Grown by doubling: give back the rest (4 MB at a million). */
    ix->ids = xrealloc(ix->ids, (ix->n ? ix->n : 1) * sizeof(*ix->ids));
    size_t bytes = (ix->n ? ix->n : 1) * sizeof(uint32_t);
    ix->by_id = xmalloc(bytes);
    ix->fresh = xmalloc(bytes);
    ix->section_no = xmalloc(bytes);
    ix->no_section = UINT32_MAX;
    if (rc != 0)
        goto out;
    /* Each section becomes a run number (the ranking compares small
     * integers), and each run learns where it ends. */
    for (size_t i = 0; i < ix->n; i++) {
        ix->section_no[i] =
            i == 0 ? 0 : ix->section_no[i - 1] + (section[i] != section[i - 1]);
        if (section[i] == 0)
            ix->no_section = ix->section_no[i];
        ix->by_id[i] = (uint32_t)i;
    }
    size_t runs = ix->n ? ix->section_no[ix->n - 1] + 1 : 1;
    ix->nsections = (uint32_t)runs;
    ix->section_end = xmalloc(runs * sizeof(*ix->section_end));
    for (size_t i = 0; i < ix->n; i++)
        ix->section_end[ix->section_no[i]] = (uint32_t)i;
    qsort_r(ix->by_id, ix->n, sizeof(*ix->by_id), cmp_by_id, ix->ids);
    /* Each article's place in the order of publication. */
    uint32_t *order = xmalloc(bytes);
    for (size_t i = 0; i < ix->n; i++)
        order[i] = (uint32_t)i;
    struct by_date d = {ix->ids, published};
    qsort_r(order, ix->n, sizeof(*order), cmp_published, &d);
    for (size_t i = 0; i < ix->n; i++)
        ix->fresh[order[i]] = (uint32_t)i;
    free(order);
out:
    free(section);
    free(published);
    return rc;
}

static int load_tags(struct conn *c, struct related_index *ix)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_TAGS);
    if (!st)
        return ERR_DB;
    size_t cap = 0, cap_t = 0;
    int64_t last = 0;
    int rc;
    ix->tag_off = xcalloc(ix->n + 1, sizeof(*ix->tag_off)); /* counts first */
    while ((rc = sdb_step(c, st, "related: tags")) == 1) {
        int64_t tag = sqlite3_column_int64(st, 0);
        int64_t i = find(ix, sqlite3_column_int64(st, 1));
        if (i < 0)
            continue; /* a draft's tags */
        if (ix->nmembers == UINT32_MAX - 1) {
            rc = sdb_invalid("related", "too many tags");
            break;
        }
        if (ix->ntags == 0 || tag != last) { /* a new tag's run begins */
            grow(&ix->tag_start, ix->ntags + 1, &cap_t, sizeof(*ix->tag_start));
            ix->tag_start[ix->ntags++] = (uint32_t)ix->nmembers;
            last = tag;
        }
        grow(&ix->members, ix->nmembers, &cap, sizeof(*ix->members));
        ix->members[ix->nmembers++] = (uint32_t)i;
        ix->tag_off[i]++;
    }
    sdb_done(st);
    grow(&ix->tag_start, ix->ntags + 1, &cap_t, sizeof(*ix->tag_start));
    ix->tag_start[ix->ntags] = (uint32_t)ix->nmembers;
    size_t bytes = (ix->nmembers ? ix->nmembers : 1) * sizeof(uint32_t);
    ix->members = xrealloc(ix->members, bytes); /* as ids */
    ix->tags = xmalloc(bytes);
    if (rc != 0)
        return rc;
    /* Each article's tags, in tag order: the counts become where each
     * article's tags end, and filling from the last tag back moves each
     * to where they begin. */
    for (size_t i = 1; i < ix->n; i++)
        ix->tag_off[i] += ix->tag_off[i - 1];
    ix->tag_off[ix->n] = (uint32_t)ix->nmembers;
    for (uint32_t k = ix->ntags; k-- > 0;)
        for (uint32_t m = ix->tag_start[k + 1]; m-- > ix->tag_start[k];)
            ix->tags[--ix->tag_off[ix->members[m]]] = k;
    /* Each tag's run by index. */
    for (uint32_t k = 0; k < ix->ntags; k++) {
        uint32_t lo = ix->tag_start[k], n = ix->tag_start[k + 1] - lo;
        qsort(ix->members + lo, n, sizeof(*ix->members), cmp_u32);
    }
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * index_get returns a reference to an index no older than c's snapshot.
 * One thread builds at a time, outside xlock (2.7 s at a million articles:
 * list counts and page indexes, under the same lock, must not wait for
 * it); a reader that needs a newer index than the store's waits for that
 * build, then looks again.
 *
 * With stale not NULL, a reader may instead rank with the index it has,
 * older than its snapshot (*stale set), when builds are slow and a server
 * refreshes the index in the background (store_related_refresh): after an
 * edit at a million articles, article pages would otherwise wait seconds.
 * Quick builds (a journal of tens of thousands) stay exact.
 */
static int index_get(struct store *s, struct conn *c,
                     struct related_index **out, bool *stale)
{
    int64_t seq;
    int rc = sdb_changes_seq(c, &seq);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&s->xlock);
    struct related_index *ix;
    for (;;) {
        ix = s->related;
        bool fresh = ix && ix->seq >= seq;
        bool may_lag = ix && stale && s->related_refreshed && s->related_slow;
        if ((fresh || may_lag) && !nocache_on()) {
            atomic_fetch_add_explicit(&ix->refs, 1, memory_order_relaxed);
            pthread_mutex_unlock(&s->xlock);
            if (stale)
                *stale = !fresh;
            *out = ix;
            return 0;
        }
        if (!s->related_building)
            break;
        pthread_cond_wait(&s->related_built, &s->xlock);
    }
    s->related_building = true;
    pthread_mutex_unlock(&s->xlock);

    int64_t t0 = now_ms();
    ix = xcalloc(1, sizeof(*ix));
    atomic_init(&ix->refs, 1); /* the caller's */
    ix->seq = seq;
    rc = load_articles(c, ix);
    if (rc == 0)
        rc = load_tags(c, ix);

    pthread_mutex_lock(&s->xlock);
    s->related_building = false;
    if (rc == 0)
        s->related_slow = now_ms() - t0 >= s->related_slow_ms;
    if (rc == 0 && (!s->related || s->related->seq <= ix->seq)) {
        atomic_fetch_add_explicit(&ix->refs, 1, memory_order_relaxed);
        index_unref(s->related); /* readers still holding it keep it */
        s->related = ix;
    }
    pthread_cond_broadcast(&s->related_built);
    pthread_mutex_unlock(&s->xlock);
    if (rc != 0) {
        index_unref(ix);
        return rc;
    }
    if (stale)
        *stale = false;
    *out = ix;
    return 0;
}

int store_related_refresh(struct store *s)
{
    struct conn *c;
    struct related_index *ix = NULL;
    pthread_mutex_lock(&s->xlock);
    s->related_refreshed = true;
    bool slow = s->related && s->related_slow;
    pthread_mutex_unlock(&s->xlock);
    if (!slow)
        return 0; /* readers build quick ones, and the first, as they need */
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = index_get(s, c, &ix, NULL);
    index_unref(ix);
    sdb_read_end(s, c);
    return rc;
}

/* --- ranking --------------------------------------------------------- */

/*
 * A candidate's rank as one number, higher is better: shared tags, then
 * the same section, then its place in the order of publication (unique),
 * so comparing two candidates is one integer comparison.
 */
static uint64_t score(const struct related_index *ix, uint32_t j,
                      uint32_t shared, uint32_t section_no)
{
    return (uint64_t)shared << 33 |
           (uint64_t)(ix->section_no[j] == section_no) << 32 | ix->fresh[j];
}

struct ranking {
    uint64_t top[STORE_RELATED_MAX]; /* best first */
    uint32_t art[STORE_RELATED_MAX];
    uint64_t floor; /* what a candidate must beat: the last, once full */
    int n, limit;
};

static void consider(struct ranking *r, uint32_t j, uint64_t sc)
{
    if (sc <= r->floor)
        return;
    int i = r->n < r->limit ? r->n++ : r->limit - 1;
    while (i > 0 && sc > r->top[i - 1]) {
        r->top[i] = r->top[i - 1];
        r->art[i] = r->art[i - 1];
        i--;
    }
    r->top[i] = sc;
    r->art[i] = j;
    if (r->n == r->limit)
        r->floor = r->top[r->limit - 1];
}

/* ntags_of: how many tags article i has; tags_of: them, in tag order. */
static uint32_t ntags_of(const struct related_index *ix, uint32_t i)
{
    return ix->tag_off[i + 1] - ix->tag_off[i];
}

static const uint32_t *tags_of(const struct related_index *ix, uint32_t i)
{
    return ix->tags + ix->tag_off[i];
}

/* run gives tag k's run [*lo, *hi) in members. */
static void run(const struct related_index *ix, uint32_t k, size_t *lo,
                size_t *hi)
{
    *lo = ix->tag_start[k];
    *hi = ix->tag_start[k + 1];
}

/* shared_tags counts the tags article j has of article x's. */
static uint32_t shared_tags(const struct related_index *ix, uint32_t j,
                            uint32_t x)
{
    const uint32_t *a = tags_of(ix, j), *b = tags_of(ix, x);
    uint32_t na = ntags_of(ix, j), nb = ntags_of(ix, x), n = 0;
    for (uint32_t t = 0; t < na; t++)
        for (uint32_t u = 0; u < nb; u++)
            n += a[t] == b[u];
    return n;
}

/* gallop returns the first m in [lo, hi) with v[m] >= j (v ascending),
 * stepping 1, 2, 4... from lo: a short walk when j is near. */
static size_t gallop(const uint32_t *v, size_t lo, size_t hi, uint32_t j)
{
    if (lo >= hi || v[lo] >= j)
        return lo;
    size_t a = lo, step = 1; /* v[a] < j */
    while (a + step < hi && v[a + step] < j) {
        a += step;
        step *= 2;
    }
    size_t b = a + step < hi ? a + step : hi; /* b == hi or v[b] >= j */
    for (a++; a < b;) {
        size_t mid = a + (b - a) / 2;
        if (v[mid] < j)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

/*
 * rank_tag_newest ranks the articles of one of x's tags that share only
 * that tag with x, without visiting every article that has it (100,000
 * for "markets" at a million articles): they all score alike but for the
 * section and the date, so the best are the newest of x's own section,
 * then the newest of the others. Each section is one run of arts, so of
 * the tag's members too, oldest first: the newest of the others come from
 * merging those runs from their ends (a copy of every run newest first
 * cost 10 MB at a million). single: x has no other tag, so every member
 * shares one.
 */
static void rank_tag_newest(struct arena *ar, const struct related_index *ix,
                            struct ranking *r, uint32_t x, uint32_t tag,
                            bool single)
{
    uint32_t sec = ix->section_no[x];
    size_t lo, hi;
    run(ix, tag, &lo, &hi);
    /* Where each section's run of members begins and ends, from the last
     * run back: heads[i] is one past the newest not yet taken. */
    size_t *heads = arena_alloc(ar, 2 * ix->nsections * sizeof(*heads));
    size_t *floor = heads + ix->nsections, nh = 0, own = 0, own_lo = 0;
    for (size_t m = hi; m > lo;) {
        uint32_t q = ix->section_no[ix->members[m - 1]];
        uint32_t first = q == 0 ? 0 : ix->section_end[q - 1] + 1;
        size_t b = gallop(ix->members, lo, m, first);
        if (q == sec) {
            own = m;
            own_lo = b;
        } else {
            heads[nh] = m;
            floor[nh++] = b;
        }
        m = b;
    }
    int taken = 0;
    for (size_t m = own; m-- > own_lo && taken < r->limit;) {
        uint32_t j = ix->members[m];
        if (j != x && (single || shared_tags(ix, j, x) == 1)) {
            consider(r, j, score(ix, j, 1, sec));
            taken++;
        }
    }
    for (taken = 0; taken < r->limit;) {
        size_t best = SIZE_MAX;
        for (size_t h = 0; h < nh; h++)
            if (heads[h] > floor[h] &&
                (best == SIZE_MAX ||
                 ix->fresh[ix->members[heads[h] - 1]] >
                     ix->fresh[ix->members[heads[best] - 1]]))
                best = h;
        if (best == SIZE_MAX)
            break;
        uint32_t j = ix->members[--heads[best]];
        if (single || shared_tags(ix, j, x) == 1) {
            consider(r, j, score(ix, j, 1, sec));
            taken++;
        }
    }
}

/*
 * rank fills r with the best of article x's candidates. Its cost follows
 * the sizes of x's tags but the largest, never the archive's: an article
 * sharing two or more tags with x is in at least one run besides the
 * largest, so those runs are merged (each sorted by index) and each of
 * their articles looked up in the largest by a gallop forward; those
 * sharing one tag come from each tag's newest (rank_tag_newest).
 * (Counting in an array of every article, as before, zeroed 4 MB per
 * article page at a million articles and read the largest tag whole.)
 */
static void rank(struct arena *a, const struct related_index *ix,
                 struct ranking *r, uint32_t x)
{
    const uint32_t *my_tags = tags_of(ix, x);
    uint32_t my_section = ix->section_no[x], nt = ntags_of(ix, x);

    if (nt > 1) {
        size_t *cur = arena_alloc(a, 2 * nt * sizeof(*cur));
        size_t *end = cur + nt;
        uint32_t big = 0;
        for (uint32_t t = 0; t < nt; t++) {
            run(ix, my_tags[t], &cur[t], &end[t]);
            if (end[t] - cur[t] > end[big] - cur[big])
                big = t;
        }
        for (;;) {
            uint32_t j = UINT32_MAX, n = 0;
            for (uint32_t t = 0; t < nt; t++)
                if (t != big && cur[t] < end[t] && ix->members[cur[t]] < j)
                    j = ix->members[cur[t]];
            if (j == UINT32_MAX)
                break;
            for (uint32_t t = 0; t < nt; t++)
                if (t != big && cur[t] < end[t] && ix->members[cur[t]] == j) {
                    n++;
                    cur[t]++;
                }
            cur[big] = gallop(ix->members, cur[big], end[big], j);
            n += cur[big] < end[big] && ix->members[cur[big]] == j;
            if (n >= 2 && j != x)
                consider(r, j, score(ix, j, n, my_section));
        }
    }
    for (uint32_t t = 0; t < nt; t++)
        rank_tag_newest(a, ix, r, x, my_tags[t], nt == 1);
    /* Then the section's newest that share no tag. */
    if (my_section == ix->no_section)
        return;
    int taken = 0;
    for (int64_t j = ix->section_end[my_section];
         j >= 0 && ix->section_no[j] == my_section && taken < r->limit; j--) {
        uint32_t k = (uint32_t)j;
        if (k != x && (nt == 0 || shared_tags(ix, k, x) == 0)) {
            consider(r, k, score(ix, k, 0, my_section));
            taken++;
        }
    }
}

/* --- rows -------------------------------------------------------------- */

/*
 * load_rows reads the ranked ids into v in rank order; *n: those found.
 * In a memo'd snapshot (the export) a winner read before, with its byline,
 * comes from the memo (94 % of them over the Reuters corpus: neighbours in
 * the crawl share neighbours); fresh[i] marks the rows read here, whose
 * bylines load_bylines reads.
 */
static int load_rows(struct conn *c, struct arena *a, const int64_t *ids,
                     size_t nids, struct article *v, size_t *n, bool *fresh)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_ROW);
    if (!st)
        return ERR_DB;
    int rc = 0;
    *n = 0;
    for (size_t i = 0; i < nids && rc == 0; i++) {
        if (sdb_memo_row_get(c, a, ids[i], &v[*n])) {
            fresh[(*n)++] = false;
            continue;
        }
        if (sqlite3_bind_int64(st, 1, ids[i]) != SQLITE_OK) {
            rc = sdb_fail(c, "articles_related");
            break;
        }
        rc = sdb_step(c, st, "articles_related");
        if (rc == 1) {
            sdb_read_article(a, st, &v[*n]);
            fresh[(*n)++] = true;
            rc = 0;
        }
        sqlite3_reset(st);
    }
    sdb_done(st);
    return rc;
}

/* load_bylines gives each fresh v[i] its authors in byline order, and
 * hands it to the memo. */
static int load_bylines(struct conn *c, struct arena *a, struct article *v,
                        size_t n, const bool *fresh)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_BYLINE);
    if (!st)
        return ERR_DB;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct article *art = &v[i];
        if (!fresh[i])
            continue;
        int *pos = NULL;
        size_t cap = 0, pcap = 0;
        if (sqlite3_bind_int64(st, 1, art->id) != SQLITE_OK) {
            rc = sdb_fail(c, "articles_related: authors");
            break;
        }
        while ((rc = sdb_step(c, st, "articles_related: authors")) == 1) {
            art->authors = sdb_grow(a, art->authors, art->n_authors, &cap,
                                    sizeof(*art->authors));
            pos = sdb_grow(a, pos, art->n_authors, &pcap, sizeof(*pos));
            /* insertion by place: a byline has a handful of names */
            int p = sqlite3_column_int(st, 0);
            size_t k = art->n_authors++;
            for (; k > 0 && pos[k - 1] > p; k--) {
                pos[k] = pos[k - 1];
                art->authors[k] = art->authors[k - 1];
            }
            pos[k] = p;
            sdb_read_author(a, st, 1, &art->authors[k]);
        }
        sqlite3_reset(st);
        if (rc == 0)
            sdb_memo_row_put(c, art);
    }
    sdb_done(st);
    return rc;
}

int store_articles_related(struct store *s, struct arena *a, int64_t article_id,
                           int limit, struct article **out, size_t *n,
                           bool *stale)
{
    struct conn *c;
    struct related_index *ix = NULL;
    bool lagging = false;

    *out = NULL;
    *n = 0;
    if (stale)
        *stale = false;
    if (limit < 0 || limit > STORE_RELATED_MAX)
        return sdb_invalid("articles_related", "limit out of range");
    if (limit == 0)
        return 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = index_get(s, c, &ix, &lagging);
    if (rc != 0)
        goto out;
    if (stale)
        *stale = lagging;
    int64_t x = find(ix, article_id);
    if (x < 0)
        goto out; /* a draft, or no such article: nothing related */
    struct ranking r = {.limit = limit};
    rank(a, ix, &r, (uint32_t)x);
    if (r.n == 0)
        goto out;
    int64_t ids[STORE_RELATED_MAX];
    for (int i = 0; i < r.n; i++)
        ids[i] = ix->ids[r.art[i]];
    struct article *v = arena_zalloc(a, (size_t)r.n * sizeof(*v));
    size_t len;
    bool fresh[STORE_RELATED_MAX];
    rc = load_rows(c, a, ids, (size_t)r.n, v, &len, fresh);
    if (rc == 0 && len > 0)
        rc = load_bylines(c, a, v, len, fresh);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
out:
    index_unref(ix);
    sdb_read_end(s, c);
    return rc;
}
