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
 * an index older than its own data. Readers share one immutable index by
 * reference count; a rebuild replaces it under s->xlock.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"
#include "core/nocache.h"
#include "core/xalloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Every published article, by section (0: none), then date, then id, so a
 * section's newest articles end its run. */
static const char SQL_ARTICLES[] =
    "SELECT id, coalesce(section_id, 0), published_at FROM articles"
    " WHERE status = 1 ORDER BY 2, 3, 1";
static const char SQL_TAGS[] =
    "SELECT article_id, tag_id FROM article_tags ORDER BY article_id";

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

struct rel_article {
    int64_t id, section, published;
    uint32_t section_last; /* index of the newest article of its section */
    uint32_t tags, ntags;  /* its tags: related_index.tags[tags..+ntags] */
};

struct rel_member {
    int64_t tag;
    uint32_t art;   /* index into arts */
    uint32_t fresh; /* arts' place in the order of publication */
};

struct rel_id {
    int64_t id;
    uint32_t art; /* index into arts */
};

struct related_index {
    atomic_int refs;
    int64_t seq;              /* the change log's sequence it was built at */
    struct rel_article *arts; /* in SQL_ARTICLES order */
    struct rel_id *by_id;     /* every article, by id */
    uint32_t *fresh;          /* each article's place by (published_at, id) */
    uint32_t *section_no;     /* its section's run number in arts */
    size_t n;
    int64_t *tags;               /* each article's tags, in arts order */
    struct rel_member *members;  /* (tag, article) by tag, then article */
    struct rel_member *by_fresh; /* the same by tag, then newest first */
    size_t nmembers;
};

static void index_unref(struct related_index *ix)
{
    if (!ix ||
        atomic_fetch_sub_explicit(&ix->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(ix->arts);
    free(ix->by_id);
    free(ix->fresh);
    free(ix->section_no);
    free(ix->tags);
    free(ix->members);
    free(ix->by_fresh);
    free(ix);
}

void sdb_related_free(struct store *s)
{
    index_unref(s->related);
    s->related = NULL;
}

/* find returns the index in ix->arts of article id, or -1. */
static int64_t find(const struct related_index *ix, int64_t id)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = ix->by_id[mid].id;
        if (v == id)
            return ix->by_id[mid].art;
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int cmp_by_id(const void *x, const void *y)
{
    int64_t a = ((const struct rel_id *)x)->id;
    int64_t b = ((const struct rel_id *)y)->id;
    return (a > b) - (a < b);
}

struct rel_date {
    int64_t published, id;
    uint32_t art; /* index into arts */
};

static int cmp_published(const void *x, const void *y)
{
    const struct rel_date *a = x, *b = y;
    if (a->published != b->published)
        return (a->published > b->published) - (a->published < b->published);
    return (a->id > b->id) - (a->id < b->id);
}

static int cmp_fresh(const void *x, const void *y)
{
    const struct rel_member *a = x, *b = y;
    if (a->tag != b->tag)
        return (a->tag > b->tag) - (a->tag < b->tag);
    return (a->fresh < b->fresh) - (a->fresh > b->fresh); /* newest first */
}

static int cmp_member(const void *x, const void *y)
{
    const struct rel_member *a = x, *b = y;
    if (a->tag != b->tag)
        return (a->tag > b->tag) - (a->tag < b->tag);
    return (a->art > b->art) - (a->art < b->art);
}

static int load_articles(struct conn *c, struct related_index *ix)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_ARTICLES);
    if (!st)
        return ERR_DB;
    size_t cap = 0;
    int rc;
    while ((rc = sdb_step(c, st, "related: articles")) == 1) {
        if (ix->n == UINT32_MAX) {
            rc = sdb_invalid("related", "too many articles");
            break;
        }
        if (ix->n == cap) {
            cap = cap ? cap * 2 : 1024;
            ix->arts = xrealloc(ix->arts, cap * sizeof(*ix->arts));
        }
        ix->arts[ix->n++] = (struct rel_article){
            .id = sqlite3_column_int64(st, 0),
            .section = sqlite3_column_int64(st, 1),
            .published = sqlite3_column_int64(st, 2),
        };
    }
    sdb_done(st);
    if (rc != 0)
        return rc;
    /* Walk back so each article learns where its section's run ends. */
    for (size_t i = ix->n; i-- > 0;)
        ix->arts[i].section_last = i + 1 < ix->n && ix->arts[i + 1].section ==
                                                        ix->arts[i].section
                                       ? ix->arts[i + 1].section_last
                                       : (uint32_t)i;
    ix->by_id = xmalloc((ix->n ? ix->n : 1) * sizeof(*ix->by_id));
    for (size_t i = 0; i < ix->n; i++)
        ix->by_id[i] = (struct rel_id){ix->arts[i].id, (uint32_t)i};
    if (ix->n > 1) /* qsort wants a non-NULL base, even for none */
        qsort(ix->by_id, ix->n, sizeof(*ix->by_id), cmp_by_id);
    /* Each article's place in the order of publication, and its section
     * as a run number: the ranking compares small integers. */
    size_t bytes = (ix->n ? ix->n : 1) * sizeof(uint32_t);
    ix->fresh = xmalloc(bytes);
    ix->section_no = xmalloc(bytes);
    struct rel_date *by_date = xmalloc((ix->n ? ix->n : 1) * sizeof(*by_date));
    for (size_t i = 0; i < ix->n; i++) {
        by_date[i] = (struct rel_date){ix->arts[i].published, ix->arts[i].id,
                                       (uint32_t)i};
        ix->section_no[i] =
            i == 0 ? 0
                   : ix->section_no[i - 1] +
                         (ix->arts[i].section != ix->arts[i - 1].section);
    }
    if (ix->n > 1) /* qsort wants a non-NULL base, even for none */
        qsort(by_date, ix->n, sizeof(*by_date), cmp_published);
    for (size_t i = 0; i < ix->n; i++)
        ix->fresh[by_date[i].art] = (uint32_t)i;
    free(by_date);
    return 0;
}

static int load_tags(struct conn *c, struct related_index *ix)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_TAGS);
    if (!st)
        return ERR_DB;
    size_t cap = 0;
    int rc;
    while ((rc = sdb_step(c, st, "related: tags")) == 1) {
        int64_t i = find(ix, sqlite3_column_int64(st, 0));
        if (i < 0)
            continue; /* a draft's tags */
        if (ix->nmembers == cap) {
            cap = cap ? cap * 2 : 1024;
            ix->members = xrealloc(ix->members, cap * sizeof(*ix->members));
        }
        ix->members[ix->nmembers++] = (struct rel_member){
            .tag = sqlite3_column_int64(st, 1), .art = (uint32_t)i};
        ix->arts[i].ntags++;
    }
    sdb_done(st);
    if (rc != 0)
        return rc;
    /* Each article's tags, then the members by tag. */
    ix->tags = xmalloc((ix->nmembers ? ix->nmembers : 1) * sizeof(*ix->tags));
    uint32_t off = 0;
    for (size_t i = 0; i < ix->n; i++) {
        ix->arts[i].tags = off;
        off += ix->arts[i].ntags;
        ix->arts[i].ntags = 0;
    }
    for (size_t m = 0; m < ix->nmembers; m++) {
        struct rel_article *r = &ix->arts[ix->members[m].art];
        ix->tags[r->tags + r->ntags++] = ix->members[m].tag;
    }
    if (ix->nmembers > 1) /* qsort wants a non-NULL base, even for none */
        qsort(ix->members, ix->nmembers, sizeof(*ix->members), cmp_member);
    size_t bytes = (ix->nmembers ? ix->nmembers : 1) * sizeof(*ix->by_fresh);
    ix->by_fresh = xmalloc(bytes);
    for (size_t m = 0; m < ix->nmembers; m++) {
        ix->members[m].fresh = ix->fresh[ix->members[m].art];
        ix->by_fresh[m] = ix->members[m];
    }
    if (ix->nmembers > 1) /* qsort wants a non-NULL base, even for none */
        qsort(ix->by_fresh, ix->nmembers, sizeof(*ix->by_fresh), cmp_fresh);
    return 0;
}

/* index_get returns a reference to an index no older than c's snapshot. */
static int index_get(struct store *s, struct conn *c,
                     struct related_index **out)
{
    int64_t seq;
    int rc = sdb_changes_seq(c, &seq);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&s->xlock);
    struct related_index *ix = s->related;
    if (!ix || ix->seq < seq || nocache_on()) {
        ix = xcalloc(1, sizeof(*ix));
        atomic_init(&ix->refs, 1);
        ix->seq = seq;
        rc = load_articles(c, ix);
        if (rc == 0)
            rc = load_tags(c, ix);
        if (rc != 0) {
            index_unref(ix);
            pthread_mutex_unlock(&s->xlock);
            return rc;
        }
        index_unref(s->related);
        s->related = ix;
    }
    atomic_fetch_add_explicit(&ix->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&s->xlock);
    *out = ix;
    return 0;
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

/* run finds tag's run [*lo, *hi) in v (sorted by tag first). */
static void run(const struct rel_member *v, size_t n, int64_t tag, size_t *lo,
                size_t *hi)
{
    size_t a = 0, b = n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (v[mid].tag < tag)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    while (b < n && v[b].tag == tag)
        b++;
    *hi = b;
}

/* has_tag says whether article j has tag. */
static bool has_tag(const struct related_index *ix, uint32_t j, int64_t tag)
{
    const struct rel_article *r = &ix->arts[j];
    for (uint32_t t = 0; t < r->ntags; t++)
        if (ix->tags[r->tags + t] == tag)
            return true;
    return false;
}

/*
 * rank_one_tag ranks for an article with one tag, without visiting every
 * article that has it (3,198 for "earn"): they all share exactly that one,
 * so the best are the newest of its own section, then the newest of the
 * others, each found from the right end of a sorted run.
 */
static void rank_one_tag(const struct related_index *ix, struct ranking *r,
                         uint32_t x, int64_t tag)
{
    uint32_t sec = ix->section_no[x], last = ix->arts[x].section_last;
    size_t lo, hi;
    run(ix->members, ix->nmembers, tag, &lo, &hi);
    /* Its section is one run of arts, so of the tag's members too: from
     * the newest of the section (the last with art <= last) back. */
    size_t a = lo, b = hi;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (ix->members[mid].art <= last)
            a = mid + 1;
        else
            b = mid;
    }
    int taken = 0;
    for (size_t m = a; m-- > lo && taken < r->limit;) {
        uint32_t j = ix->members[m].art;
        if (ix->section_no[j] != sec)
            break;
        if (j != x) {
            consider(r, j, score(ix, j, 1, sec));
            taken++;
        }
    }
    run(ix->by_fresh, ix->nmembers, tag, &lo, &hi);
    taken = 0;
    for (size_t m = lo; m < hi && taken < r->limit; m++) {
        uint32_t j = ix->by_fresh[m].art;
        if (ix->section_no[j] != sec) {
            consider(r, j, score(ix, j, 1, sec));
            taken++;
        }
    }
}

enum { SEEN = 1u << 31 };

/* rank fills r with the best of article x's candidates. */
static void rank(struct arena *a, const struct related_index *ix,
                 struct ranking *r, uint32_t x)
{
    const struct rel_article *me = &ix->arts[x];
    uint32_t my_section = ix->section_no[x];
    uint32_t *shared = NULL;

    if (me->ntags == 1) {
        rank_one_tag(ix, r, x, ix->tags[me->tags]);
    } else if (me->ntags > 1) {
        /* Count the tags each article shares with x, then rank each
         * once. */
        shared = arena_zalloc(a, ix->n * sizeof(*shared));
        for (int pass = 0; pass < 2; pass++) {
            for (uint32_t t = 0; t < me->ntags; t++) {
                size_t lo, hi;
                run(ix->members, ix->nmembers, ix->tags[me->tags + t], &lo,
                    &hi);
                for (size_t m = lo; m < hi; m++) {
                    uint32_t j = ix->members[m].art;
                    if (j == x)
                        continue;
                    if (pass == 0) {
                        shared[j]++;
                    } else if (!(shared[j] & SEEN)) {
                        consider(r, j, score(ix, j, shared[j], my_section));
                        shared[j] |= SEEN;
                    }
                }
            }
        }
    }
    /* Then the section's newest that share no tag. */
    if (me->section == 0)
        return;
    int taken = 0;
    for (int64_t j = me->section_last;
         j >= 0 && ix->arts[j].section == me->section && taken < r->limit;
         j--) {
        uint32_t k = (uint32_t)j;
        bool shares = shared ? shared[k] != 0
                             : me->ntags == 1 &&
                                   has_tag(ix, k, ix->tags[me->tags]);
        if (k != x && !shares) {
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
                           int limit, struct article **out, size_t *n)
{
    struct conn *c;
    struct related_index *ix = NULL;

    *out = NULL;
    *n = 0;
    if (limit < 0 || limit > STORE_RELATED_MAX)
        return sdb_invalid("articles_related", "limit out of range");
    if (limit == 0)
        return 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = index_get(s, c, &ix);
    if (rc != 0)
        goto out;
    int64_t x = find(ix, article_id);
    if (x < 0)
        goto out; /* a draft, or no such article: nothing related */
    struct ranking r = {.limit = limit};
    rank(a, ix, &r, (uint32_t)x);
    if (r.n == 0)
        goto out;
    int64_t ids[STORE_RELATED_MAX];
    for (int i = 0; i < r.n; i++)
        ids[i] = ix->arts[r.art[i]].id;
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
