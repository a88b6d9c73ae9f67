/*
 * public_pages.c - every page the public site has, cut into sitemap parts.
 *
 * The journal's public pages are the home page and the indexes (issues,
 * authors, tags, archive), one page per section, per issue, per author and
 * per tag that has a published article, per year with one, and per
 * published article. Each comes from a source (sources[] below) whose pages
 * have an integer key (a table's id; the year; for the collections 1 +
 * their kind); each source lists its pages with keys in a range, in key
 * order, through an index.
 *
 * Parts without a scan. A source's keys are cut into windows aligned on
 * the part size N ([1, N], [N + 1, 2N]...). The windows that hold a page
 * are found with two index seeks each: the first listed key after the
 * previous window, and the largest key of the table up to the window's
 * end, so the window holds at most (last - first + 1) pages, never more
 * than N. They are packed greedily, in source order, into parts whose
 * bounds add up to at most N. Describing the parts thus costs two seeks
 * per window whatever the number of pages, and a part makes the same
 * seeks up to its own windows, then reads only its own rows. A large
 * source's windows stay put as pages come and go (the article with id
 * 123,456 stays in the window [100,001, 150,000]), so most parts keep
 * their pages when the journal grows. A part may hold fewer than N pages
 * (drafts and deleted articles leave gaps in the ids), and there may be a
 * few more parts than the fewest that could hold every page; none is
 * empty.
 *
 * Last modified: an article's updated_at. A list's (section, issue,
 * author, tag, year) is when its newest article was published, and the
 * home page's and indexes' when the journal's newest was: one seek each in
 * the (..., status, published_at) indexes the lists are read through,
 * where the newest updated_at would read every article on the list. A
 * section without published articles has no date (0). A part's lastmod is
 * given only where one seek tells it: the part with the home page and no
 * articles has the journal's newest date (no list is newer); other parts
 * have none (the sitemaps protocol makes it optional in an index), since
 * the newest updated_at of a window of articles is a scan of the window.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

/* Each source's pages: (key, slug or date, lastmod) for keys in [?1, ?2],
 * by key; LIMIT -1 keeps the lastmod's seek from being run twice. */
// clang-format off
#define NEWEST_PUBLISHED                                                       \
    "(SELECT max(published_at) FROM articles WHERE status = 1)"
#define LISTED(cols, from)                                                     \
    "SELECT * FROM (SELECT " cols " FROM " from " WHERE x.id BETWEEN ?1"     \
    " AND ?2 ORDER BY x.id LIMIT -1) WHERE m IS NOT NULL"
#define NEWEST_OF(table, col)                                                  \
    "(SELECT max(published_at) FROM " table " WHERE " col " = x.id"          \
    " AND status = 1) AS m"

/* The collections: key 1 + their kind. A recursive query's rows come out
 * in the order its ORDER BY gives, with no sort. */
static const char SQL_FIXED[] =
    "WITH RECURSIVE keys(v) AS (SELECT max(?1, 1) WHERE max(?1, 1) <= ?2"
    " AND ?1 <= 5"
    " UNION ALL SELECT v + 1 FROM keys WHERE v < min(?2, 5) ORDER BY 1)"
    " SELECT v, NULL, " NEWEST_PUBLISHED " FROM keys";
static const char SQL_FIXED_MAX[] = "SELECT min(5, ?1)";
/* Every section has a page, with or without articles. */
static const char SQL_SECTIONS[] =
    "SELECT x.id, x.slug, " NEWEST_OF("articles", "section_id")
    " FROM sections x WHERE x.id BETWEEN ?1 AND ?2 ORDER BY x.id";
static const char SQL_SECTIONS_MAX[] =
    "SELECT max(id) FROM sections WHERE id <= ?1";
static const char SQL_ISSUES[] =
    LISTED("x.id, x.date, " NEWEST_OF("articles", "issue_id"), "issues x");
static const char SQL_ISSUES_MAX[] =
    "SELECT max(id) FROM issues WHERE id <= ?1";
static const char SQL_AUTHORS[] =
    LISTED("x.id, x.slug, " NEWEST_OF("article_authors", "author_id"),
           "authors x");
static const char SQL_AUTHORS_MAX[] =
    "SELECT max(id) FROM authors WHERE id <= ?1";
static const char SQL_TAGS[] =
    LISTED("x.id, x.slug, " NEWEST_OF("article_tags", "tag_id"), "tags x");
static const char SQL_TAGS_MAX[] =
    "SELECT max(id) FROM tags WHERE id <= ?1";
/* Years (UTC) from the first published to the last, each with the newest
 * article published in it (the key text is that article's year, as the
 * archive names it); years without one are left out. */
#define YEAR_OF(t) "CAST(strftime('%Y', " t ", 'unixepoch') AS INTEGER)"
#define YEAR_START(y)                                                          \
    "CAST(strftime('%s', printf('%04d-01-01', " y ")) AS INTEGER)"
#define YEAR_END(y)                                                            \
    "CAST(strftime('%s', printf('%04d-12-31 23:59:59', " y ")) AS INTEGER)"
static const char SQL_YEARS[] =
    "WITH RECURSIVE keys(v) AS ("
    " SELECT max(?1, (SELECT " YEAR_OF("min(published_at)")
    "  FROM articles WHERE status = 1)) AS v WHERE v <= ?2"
    " UNION ALL SELECT v + 1 FROM keys WHERE v < min(?2, (SELECT "
    YEAR_OF("max(published_at)") " FROM articles WHERE status = 1))"
    " ORDER BY 1)"
    " SELECT v, strftime('%Y', m, 'unixepoch'), m FROM (SELECT v,"
    " (SELECT max(published_at) FROM articles WHERE status = 1"
    "  AND published_at >= " YEAR_START("v")
    "  AND published_at <= " YEAR_END("v") ") AS m"
    " FROM keys LIMIT -1) WHERE m IS NOT NULL";
static const char SQL_YEARS_MAX[] =
    "SELECT min(?1, " YEAR_OF("max(published_at)") ") FROM articles"
    " WHERE status = 1";
/* A range of the table itself (+status: not through an index on status,
 * which would need a sort). */
static const char SQL_ARTICLES[] =
    "SELECT id, slug, updated_at FROM articles"
    " WHERE id BETWEEN ?1 AND ?2 AND +status = 1 ORDER BY id";
static const char SQL_ARTICLES_MAX[] =
    "SELECT max(id) FROM articles WHERE id <= ?1";
// clang-format on

/* The sources, in the sitemap's order. */
enum source { SRC_FIXED, SRC_ARTICLES = 6, SRC_N };
static const struct {
    enum public_kind kind; /* of its pages; SRC_FIXED's are key - 1 */
    const char *pages;     /* SQL: (key, text, lastmod) for keys in ?1..?2 */
    const char *last;      /* SQL: at least its largest key up to ?1 */
} sources[SRC_N] = {
    {PUBLIC_HOME, SQL_FIXED, SQL_FIXED_MAX},
    {PUBLIC_SECTION, SQL_SECTIONS, SQL_SECTIONS_MAX},
    {PUBLIC_ISSUE, SQL_ISSUES, SQL_ISSUES_MAX},
    {PUBLIC_AUTHOR, SQL_AUTHORS, SQL_AUTHORS_MAX},
    {PUBLIC_TAG, SQL_TAGS, SQL_TAGS_MAX},
    {PUBLIC_YEAR, SQL_YEARS, SQL_YEARS_MAX},
    {PUBLIC_ARTICLE, SQL_ARTICLES, SQL_ARTICLES_MAX},
};

_Static_assert(PUBLIC_HOME == 0 && PUBLIC_ARCHIVE == 4 && PUBLIC_SECTION == 5,
               "SQL_FIXED lists kinds 0 to 4: the collections");

/* A window: the keys [lo, hi] of one source, holding at most bound pages,
 * in part number part (0-based). */
struct window {
    enum source src;
    int64_t lo, hi, bound;
    int64_t part;
};

/* one_int reads the first column of the first row of sql, with ?1 (if
 * it has one) bound to arg; *found is false for no row or NULL. */
static int one_int(struct conn *c, const char *sql, int64_t arg, int64_t *v,
                   bool *found)
{
    *found = false;
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st)
        return ERR_DB;
    int rc = sqlite3_bind_parameter_count(st) == 0 ||
                     sqlite3_bind_int64(st, 1, arg) == SQLITE_OK
                 ? sdb_step(c, st, "public_pages")
                 : sdb_fail(c, "public_pages");
    if (rc == 1) {
        *found = sqlite3_column_type(st, 0) != SQLITE_NULL;
        *v = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sdb_done(st);
    return rc;
}

/* first_key finds the smallest key of src's pages at or after from. */
static int first_key(struct conn *c, enum source src, int64_t from,
                     int64_t *key, bool *found)
{
    *found = false;
    sqlite3_stmt *st = sdb_stmt(c, sources[src].pages);
    if (!st)
        return ERR_DB;
    int rc;
    if ((sqlite3_bind_int64(st, 1, from) |
         sqlite3_bind_int64(st, 2, INT64_MAX)) != SQLITE_OK) {
        rc = sdb_fail(c, "public_pages");
        goto out;
    }
    rc = sdb_step(c, st, "public_pages");
    if (rc == 1) {
        *found = true;
        *key = sqlite3_column_int64(st, 0);
        rc = 0;
    }
out:
    sdb_done(st);
    return rc;
}

/* window_end is the last key of the window of size n holding key k (the
 * windows are [j*n + 1, (j+1)*n], as ids start at 1), saturating at
 * INT64_MAX. */
static int64_t window_end(int64_t k, int64_t n)
{
    int64_t r = ((k % n) - 1 + n) % n; /* (k - 1) mod n, without overflow */
    int64_t end;
    if (__builtin_add_overflow(k, n - 1 - r, &end))
        return INT64_MAX;
    return end;
}

/*
 * plan finds the windows holding pages, in order, and numbers their parts
 * (packing as the file's comment says). It stops after the first window
 * of part upto + 1, so a part reads no further than it needs; upto < 0
 * plans them all. *nparts is the number of parts planned.
 */
static int plan(struct conn *c, struct arena *a, int64_t per_part, int64_t upto,
                struct window **out, size_t *n, int64_t *nparts)
{
    struct window *v = NULL;
    size_t len = 0, cap = 0;
    int64_t part = 0, used = 0;
    int rc = 0;
    *out = NULL;
    *n = 0;
    *nparts = 0;
    for (int src = 0; src < SRC_N; src++) {
        int64_t from = INT64_MIN;
        for (;;) {
            int64_t first, last;
            bool found;
            rc = first_key(c, (enum source)src, from, &first, &found);
            if (rc != 0)
                return rc;
            if (!found)
                break;
            int64_t hi = window_end(first, per_part);
            rc = one_int(c, sources[src].last, hi, &last, &found);
            if (rc != 0)
                return rc;
            int64_t bound = found && last >= first ? last - first + 1 : 1;
            if (used > 0 && used + bound > per_part) {
                part++;
                used = 0;
            }
            used += bound;
            if (upto >= 0 && part > upto)
                goto done;
            v = sdb_grow(a, v, len, &cap, sizeof(*v));
            v[len++] = (struct window){
                .src = (enum source)src,
                .lo = first,
                .hi = hi,
                .bound = bound,
                .part = part,
            };
            if (hi == INT64_MAX)
                break;
            from = hi + 1;
        }
    }
done:
    *out = v;
    *n = len;
    *nparts = len ? v[len - 1].part + 1 : 0;
    return 0;
}

/* window_pages appends the pages of w to *v. */
static int window_pages(struct conn *c, struct arena *a, const struct window *w,
                        struct public_page **v, size_t *len, size_t *cap)
{
    sqlite3_stmt *st = sdb_stmt(c, sources[w->src].pages);
    if (!st)
        return ERR_DB;
    int rc;
    if ((sqlite3_bind_int64(st, 1, w->lo) | sqlite3_bind_int64(st, 2, w->hi)) !=
        SQLITE_OK) {
        rc = sdb_fail(c, "public_pages");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "public_pages");
        if (rc != 1)
            break;
        *v = sdb_grow(a, *v, *len, cap, sizeof(**v));
        bool fixed = w->src == SRC_FIXED;
        (*v)[(*len)++] = (struct public_page){
            .kind = fixed ? (enum public_kind)(sqlite3_column_int(st, 0) - 1)
                          : sources[w->src].kind,
            .key = fixed ? NULL : sdb_col_text(a, st, 1),
            .lastmod = sqlite3_column_int64(st, 2),
        };
    }
out:
    sdb_done(st);
    return rc;
}

int store_public_part(struct store *s, struct arena *a, int64_t per_part,
                      int64_t part, struct public_page **out, size_t *n)
{
    struct conn *c;
    struct public_page *v = NULL;
    size_t len = 0, cap = 0;
    *out = NULL;
    *n = 0;
    if (per_part < 1 || part < 1)
        return sdb_invalid("public_part", "part or part size below 1");
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    struct window *w;
    size_t nw;
    int64_t nparts;
    rc = plan(c, a, per_part, part - 1, &w, &nw, &nparts);
    for (size_t i = 0; rc == 0 && i < nw; i++)
        if (w[i].part == part - 1)
            rc = window_pages(c, a, &w[i], &v, &len, &cap);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    sdb_read_end(s, c);
    return rc;
}

int store_public_parts(struct store *s, struct arena *a, int64_t per_part,
                       struct public_part **out, size_t *n)
{
    struct conn *c;
    *out = NULL;
    *n = 0;
    if (per_part < 1)
        return sdb_invalid("public_parts", "part size below 1");
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    struct window *w;
    size_t nw;
    int64_t nparts, newest = 0;
    bool found;
    rc = plan(c, a, per_part, -1, &w, &nw, &nparts);
    if (rc == 0)
        rc = one_int(c, "SELECT " NEWEST_PUBLISHED, 0, &newest, &found);
    if (rc != 0)
        goto out;
    struct public_part *v = arena_alloc(a, (size_t)nparts * sizeof(*v));
    for (int64_t p = 0; p < nparts; p++)
        v[p] = (struct public_part){.lastmod = newest};
    /* Known only for a part with the home page and no articles. */
    for (size_t i = 0; i < nw; i++) {
        if (i == 0 || w[i].part != w[i - 1].part) {
            if (w[i].src != SRC_FIXED || w[i].lo > PUBLIC_HOME + 1)
                v[w[i].part].lastmod = 0;
        }
        if (w[i].src == SRC_ARTICLES)
            v[w[i].part].lastmod = 0;
    }
    *out = v;
    *n = (size_t)nparts;
out:
    sdb_read_end(s, c);
    return rc;
}
