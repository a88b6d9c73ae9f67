/*
 * store_lists_test.c - the reader's lists: issues, authors, tags, archive
 * months, most read, and the pruning of per-day read counts.
 *
 * One small journal is built once (setup) in a temp file; every test
 * reads it. Tests that write (hits) use their own file.
 */
#include "core/arena.h"
#include "core/log.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <sqlite3.h>

#define TMPDIR_NAME "/tmp/quire-lists-XXXXXX"
#include "test_sql.h"
#include "test_tmpdir.h"
#include "test_undo_import.h"
#include "test_undo_v6.h"
#include "test_undo_webhooks.h"
static struct store *st;
static struct arena arena;

#define DAY 86400
#define T2004_06_30 1088553600 /* 2004-06-30T00:00:00Z */

struct art {
    const char *slug, *title, *section, *issue;
    int64_t at;
    const char *authors[3];
    const char *tags[3];
    bool draft;
    int64_t hits;
};

/*
 * The journal: sections are created in order of first use, so
 * "Analysis" gets position 1, "Field Reports" 2, "News" 3.
 */
static const struct art journal[] = {
    {"a1",
     "Caspian Oil",
     "Analysis",
     "2004-06-30",
     T2004_06_30,
     {"Svante Cornell", "Johan Engvall"},
     {"Energy", "Caspian"},
     false,
     50},
    {"a2",
     "Field Notes",
     "Field Reports",
     "2004-06-30",
     T2004_06_30 + 60,
     {"Zahid Anwar"},
     {"Pakistan"},
     false,
     7},
    {"a3",
     "No Section",
     NULL,
     "2004-06-30",
     T2004_06_30 + 120,
     {"Zahid Anwar"},
     {"Energy"},
     false,
     0},
    {"a4",
     "Brief",
     "News",
     "2004-06-30",
     T2004_06_30 - 60,
     {"Johan Engvall"},
     {0},
     false,
     3},
    {"a5",
     "Earlier Analysis",
     "Analysis",
     "2004-06-30",
     T2004_06_30 - 120,
     {"Albert Barro"},
     {0},
     false,
     3},
    {"b1",
     "July Piece",
     "Analysis",
     "2004-07-14",
     T2004_06_30 + 14 * DAY,
     {"Johan Engvall", "Svante Cornell"},
     {"Caspian"},
     false,
     100},
    {"b2",
     "Unfinished",
     "Analysis",
     "2004-07-28",
     T2004_06_30 + 28 * DAY,
     {"Draft Writer"},
     {"Secret"},
     true,
     0},
    {"c1",
     "Old Piece",
     "News",
     "2003-12-01",
     T2004_06_30 - 212 * DAY,
     {"albert barro"},
     {"energy policy"},
     false,
     1},
};
#define NJOURNAL (sizeof(journal) / sizeof(journal[0]))

static int64_t ids[NJOURNAL];

static int64_t count_of(const char *const *v, size_t cap)
{
    size_t n = 0;
    while (n < cap && v[n])
        n++;
    return (int64_t)n;
}

static int setup(void **state)
{
    if (tmpdir_setup(state) != 0 ||
        store_open(path_of("lists.db"), STORE_CREATE, &st) != 0)
        return -1;
    for (size_t i = 0; i < NJOURNAL; i++) {
        const struct art *j = &journal[i];
        struct article_input in = {
            .slug = j->slug,
            .title = j->title,
            .body_md = "Body.",
            .body_html = "<p>Body.</p>",
            .status = j->draft ? ARTICLE_DRAFT : ARTICLE_PUBLISHED,
            .published_at = j->at,
            .hits = j->hits,
            .section = j->section,
            .issue_date = j->issue,
            .authors = j->authors,
            .n_authors = (size_t)count_of(j->authors, 3),
            .tags = j->tags,
            .n_tags = (size_t)count_of(j->tags, 3),
        };
        if (store_article_save(st, &in, &ids[i], NULL) != 0)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    store_close(st);
    return tmpdir_teardown(state);
}

static int arena_setup(void **state)
{
    (void)state;
    arena_init(&arena, 4096);
    return 0;
}

static int arena_teardown(void **state)
{
    (void)state;
    arena_release(&arena);
    return 0;
}

/* --- issues -------------------------------------------------------- */

static void test_issue_lookups(void **state)
{
    (void)state;
    struct issue is;
    assert_int_equal(store_issue_by_date(st, &arena, STR("2004-06-30"), &is),
                     0);
    assert_string_equal(is.date, "2004-06-30");
    assert_true(is.id > 0);
    assert_int_equal(store_issue_by_date(st, &arena, STR("2004-06-31"), &is),
                     ERR_NOT_FOUND);
    assert_int_equal(is.id, 0);
    assert_int_equal(store_issue_by_date(st, &arena, STR(""), &is),
                     ERR_NOT_FOUND);
    /* 2004-07-28 has only a draft: the latest public issue is 07-14. */
    assert_int_equal(store_issue_latest(st, &arena, &is), 0);
    assert_string_equal(is.date, "2004-07-14");
}

static void test_issues_list(void **state)
{
    (void)state;
    struct issue_entry *v;
    size_t n;
    assert_int_equal(store_issues_list(st, &arena, &v, &n), 0);
    assert_int_equal(n, 3); /* the draft's issue is not listed */
    assert_string_equal(v[0].issue.date, "2004-07-14");
    assert_int_equal(v[0].articles, 1);
    assert_string_equal(v[1].issue.date, "2004-06-30");
    assert_int_equal(v[1].articles, 5);
    assert_string_equal(v[2].issue.date, "2003-12-01");
    assert_int_equal(v[2].articles, 1);
}

static void test_issue_toc_order_and_pages(void **state)
{
    (void)state;
    struct issue is;
    struct article *v;
    size_t n;
    int64_t total;
    assert_int_equal(store_issue_by_date(st, &arena, STR("2004-06-30"), &is),
                     0);
    assert_int_equal(store_issue_toc(st, &arena, is.id, 10, 0, &v, &n, &total),
                     0);
    assert_int_equal(total, 5);
    assert_int_equal(n, 5);
    /* Sections in position order, publication order inside, none last. */
    const char *want[] = {"a5", "a1", "a2", "a4", "a3"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(v[i].slug, want[i]);
    assert_string_equal(v[1].section.name, "Analysis");
    assert_int_equal(v[4].section.id, 0);
    /* Bylines come with the page, co-authors in order. */
    assert_int_equal(v[1].n_authors, 2);
    assert_string_equal(v[1].authors[0].name, "Svante Cornell");
    assert_string_equal(v[1].authors[1].name, "Johan Engvall");
    assert_null(v[1].body_html);

    /* A page in the middle agrees with the whole. */
    assert_int_equal(store_issue_toc(st, &arena, is.id, 2, 2, &v, &n, &total),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 5);
    assert_string_equal(v[0].slug, "a2");
    assert_string_equal(v[1].slug, "a4");
    assert_int_equal(v[1].n_authors, 1);
    assert_string_equal(v[1].authors[0].name, "Johan Engvall");
    assert_int_equal(store_issue_toc(st, &arena, is.id, 2, 10, &v, &n, &total),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(store_issue_toc(st, &arena, is.id, -1, 0, &v, &n, &total),
                     ERR_INVALID);
}

/* --- authors and tags ---------------------------------------------- */

static void test_authors(void **state)
{
    (void)state;
    struct author_entry *v;
    size_t n;
    int64_t total;
    assert_int_equal(store_authors_list(st, &arena, 100, 0, &v, &n, &total), 0);
    /* "Draft Writer" has only a draft; names are unique byte-wise, so
     * "albert barro" is a second author, sorted case-insensitively. */
    assert_int_equal(total, 5);
    assert_int_equal(n, 5);
    const char *names[] = {"Albert Barro", "albert barro", "Johan Engvall",
                           "Svante Cornell", "Zahid Anwar"};
    const int64_t counts[] = {1, 1, 3, 2, 2};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(v[i].author.name, names[i]);
        assert_int_equal(v[i].articles, counts[i]);
        assert_null(v[i].author.bio);
    }
    assert_int_equal(store_authors_list(st, &arena, 2, 2, &v, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 5);
    assert_string_equal(v[0].author.name, "Johan Engvall");
    assert_int_equal(store_authors_list(st, &arena, 2, 6, &v, &n, &total), 0);
    assert_int_equal(n, 0);

    struct author au;
    assert_int_equal(
        store_author_by_slug(st, &arena, STR("johan-engvall"), &au), 0);
    assert_string_equal(au.name, "Johan Engvall");
    assert_int_equal(store_author_by_slug(st, &arena, STR("nobody"), &au),
                     ERR_NOT_FOUND);

    /* Co-authored articles are on each co-author's list. */
    struct article *arts;
    assert_int_equal(
        store_author_by_slug(st, &arena, STR("svante-cornell"), &au), 0);
    struct list_query q = {.kind = LIST_AUTHOR, .id = au.id, .limit = 10};
    assert_int_equal(store_articles_list(st, &arena, &q, &arts, &n, &total), 0);
    assert_int_equal(total, 2);
    assert_string_equal(arts[0].slug, "b1");
    assert_string_equal(arts[1].slug, "a1");
}

static void test_tags(void **state)
{
    (void)state;
    struct tag_entry *v;
    size_t n;
    int64_t total;
    assert_int_equal(store_tags_list(st, &arena, 100, 0, &v, &n, &total), 0);
    assert_int_equal(total, 4); /* "Secret" is on a draft only */
    assert_int_equal(n, 4);
    const char *names[] = {"Caspian", "Energy", "energy policy", "Pakistan"};
    const int64_t counts[] = {2, 2, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(v[i].tag.name, names[i]);
        assert_int_equal(v[i].articles, counts[i]);
    }
    assert_int_equal(store_tags_list(st, &arena, 1, 3, &v, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].tag.name, "Pakistan");
    struct tag t;
    assert_int_equal(store_tag_by_slug(st, &arena, STR("energy-policy"), &t),
                     0);
    assert_string_equal(t.name, "energy policy");
    assert_int_equal(store_tag_by_slug(st, &arena, STR("nope"), &t),
                     ERR_NOT_FOUND);
}

/* --- archive ------------------------------------------------------- */

static void test_archive_months(void **state)
{
    (void)state;
    struct month_entry *v;
    size_t n;
    assert_int_equal(
        store_archive_months(st, &arena, INT64_MIN, INT64_MAX, &v, &n), 0);
    /* 2004-07 (b1; b2 is a draft), 2004-06 (a1-a5, a4 and a5 on 06-29),
     * 2003-12 (c1). */
    assert_int_equal(n, 3);
    assert_int_equal(v[0].year, 2004);
    assert_int_equal(v[0].month, 7);
    assert_int_equal(v[0].articles, 1);
    assert_int_equal(v[1].year, 2004);
    assert_int_equal(v[1].month, 6);
    assert_int_equal(v[1].articles, 5);
    assert_int_equal(v[2].year, 2003);
    assert_int_equal(v[2].month, 12);
    /* The range is half-open: [2004-06-30, 2004-07-01) */
    assert_int_equal(store_archive_months(st, &arena, T2004_06_30,
                                          T2004_06_30 + DAY, &v, &n),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].articles, 3);
    assert_int_equal(store_archive_months(st, &arena, 0, 1, &v, &n), 0);
    assert_int_equal(n, 0);
}

/* --- most read and hits -------------------------------------------- */

static void test_most_read_all_time(void **state)
{
    (void)state;
    struct article *v;
    size_t n;
    int64_t total;
    assert_int_equal(
        store_articles_most_read(st, &arena, 0, 10, 0, &v, &n, &total), 0);
    /* a3 was never read, b2 is a draft; a4 and a5 tie at 3 (newer id
     * first). */
    assert_int_equal(total, 6);
    const char *want[] = {"b1", "a1", "a2", "a5", "a4", "c1"};
    assert_int_equal(n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(v[i].slug, want[i]);
    assert_int_equal(v[0].hits, 100);
    assert_int_equal(v[0].n_authors, 2);
    assert_int_equal(
        store_articles_most_read(st, &arena, 0, 2, 4, &v, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].slug, "a4");
}

static void test_most_read_period_and_prune(void **state)
{
    (void)state;
    /* Day-by-day counts written behind the store's back, as a long
     * running server would have left them. */
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "DELETE FROM hits_daily;"
             "INSERT INTO hits_daily VALUES"
             " (%lld, date('now'), 5), (%lld, date('now', '-29 days'), 4),"
             " (%lld, date('now', '-30 days'), 100),"
             " (%lld, date('now', '-1 days'), 6),"
             " (%lld, date('now', '-3 days'), 9),"
             " (%lld, date('now', '-500 days'), 70);",
             (long long)ids[1], (long long)ids[1], (long long)ids[0],
             (long long)ids[3], (long long)ids[6], (long long)ids[5]);
    sql_exec(path_of("lists.db"), sql);

    int64_t since = (int64_t)time(NULL) - 29 * DAY;
    struct article *v;
    size_t n;
    int64_t total;
    assert_int_equal(
        store_articles_most_read(st, &arena, since, 10, 0, &v, &n, &total), 0);
    /* a2: 5 + 4 within the 30 days; a4: 6; a1's 100 is a day too old;
     * b2 (9) is a draft. */
    assert_int_equal(total, 2);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].slug, "a2");
    assert_int_equal(v[0].hits, 9);
    assert_string_equal(v[1].slug, "a4");
    assert_int_equal(v[1].hits, 6);
    assert_int_equal(v[1].n_authors, 1);
    assert_int_equal(
        store_articles_most_read(st, &arena, since, 1, 1, &v, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].slug, "a4");

    /* Prune what is older than 400 days: only the -500 row goes. */
    int64_t deleted = -1;
    assert_int_equal(
        store_hits_prune(st, (int64_t)time(NULL) - 400 * DAY, &deleted), 0);
    assert_int_equal(deleted, 1);
    assert_int_equal(
        store_hits_prune(st, (int64_t)time(NULL) - 400 * DAY, &deleted), 0);
    assert_int_equal(deleted, 0);
    /* The all-time counts are untouched by pruning. */
    int64_t hits;
    assert_int_equal(store_article_hits(st, ids[5], &hits), 0);
    assert_int_equal(hits, 100);

    /* store_hits_add fills today's row that the period sums. */
    struct hit_delta d = {ids[2], 40};
    assert_int_equal(store_hits_add(st, &d, 1), 0);
    assert_int_equal(
        store_articles_most_read(st, &arena, since, 10, 0, &v, &n, &total), 0);
    assert_int_equal(total, 3);
    assert_string_equal(v[0].slug, "a3");
    assert_int_equal(v[0].hits, 40);
    /* Pruning everything before tomorrow empties the period. */
    assert_int_equal(store_hits_prune(st, (int64_t)time(NULL) + DAY, &deleted),
                     0);
    assert_int_equal(deleted, 6);
    assert_int_equal(
        store_articles_most_read(st, &arena, since, 10, 0, &v, &n, &total), 0);
    assert_int_equal(total, 0);
    assert_int_equal(n, 0);
}

/* --- every page against the plain query ---------------------------- */

/*
 * A second journal where order is decided by ties: sections sharing a
 * position (then by name), articles sharing a time (then by id), drafts
 * in between, articles without a section. Every page of the table of
 * contents, a tag, an author, a section and the whole journal must be
 * the same slice of one plain ORDER BY over the whole set (the queries the
 * index-ordered ones replaced), also after articles are unpublished or
 * moved in time, and after migration 6 fills in an older file. Pages are
 * read in order, so most start where a page before ended: they come by
 * the remembered boundary (articles.c), not by OFFSET.
 */
#define NREF 41
static const char *const ref_sections[] = {"Zeta", "Alpha", NULL, "Mid"};

#define REF_TOC                                                                \
    "SELECT a.id FROM articles a LEFT JOIN sections s"                         \
    " ON s.id = a.section_id WHERE a.issue_id = ?1 AND a.status = 1"           \
    " ORDER BY s.id IS NULL, s.position, s.name, a.published_at, a.id"
#define REF_NEWEST " AND a.status = 1 ORDER BY a.published_at DESC, a.id DESC"
#define REF_TAG                                                                \
    "SELECT a.id FROM articles a WHERE a.id IN (SELECT article_id"             \
    " FROM article_tags WHERE tag_id = ?1)" REF_NEWEST
#define REF_AUTHOR                                                             \
    "SELECT a.id FROM articles a WHERE a.id IN (SELECT article_id"             \
    " FROM article_authors WHERE author_id = ?1)" REF_NEWEST
#define REF_SECTION                                                            \
    "SELECT a.id FROM articles a WHERE a.section_id = ?1" REF_NEWEST
/* Two of the four times (test_pages_match_plain_order): a range's end. */
#define REF_RANGE                                                              \
    "SELECT a.id FROM articles a WHERE a.published_at >= ?1"                   \
    " AND a.published_at < ?1 + 120" REF_NEWEST
#define REF_ALL "SELECT a.id FROM articles a WHERE ?1 = 0" REF_NEWEST

static int ref_save(struct store *s, int i, bool draft, int64_t at)
{
    char slug[16], title[32];
    snprintf(slug, sizeof(slug), "r%d", i);
    snprintf(title, sizeof(title), "Ref %d", i);
    const char *tags[] = {i % 3 ? "Big" : "Odd", "Big"};
    const char *authors[] = {i % 5 ? "Ann Main" : "Bo Co", "Ann Main"};
    struct article_input in = {
        .slug = slug,
        .title = title,
        .status = draft ? ARTICLE_DRAFT : ARTICLE_PUBLISHED,
        .published_at = at,
        .section = ref_sections[i % 4],
        .issue_date = "2010-01-01",
        .authors = authors,
        .n_authors = i % 5 ? 1 : 2,
        .tags = tags,
        .n_tags = i % 3 ? 1 : 2,
    };
    return store_article_save(s, &in, NULL, NULL);
}

/* ref_ids runs one of the plain queries with ?1 = id on its own
 * connection; returns how many ids it wrote to out. */
static size_t ref_ids(const char *db, const char *sql, int64_t id, int64_t *out)
{
    sqlite3 *h;
    sqlite3_stmt *q;
    size_t n = 0;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_int64(q, 1, id);
    while (sqlite3_step(q) == SQLITE_ROW) {
        assert_true(n < NREF);
        out[n++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

/* ref_check compares every page of every list with the plain queries. */
static void ref_check(struct store *s, const char *db)
{
    struct issue is;
    struct section sec;
    struct list_scope tag, author;
    assert_int_equal(store_issue_by_date(s, &arena, STR("2010-01-01"), &is), 0);
    assert_int_equal(store_scope_by_slug(s, &arena, LIST_TAG, STR("big"), &tag),
                     0);
    assert_int_equal(
        store_scope_by_slug(s, &arena, LIST_AUTHOR, STR("ann-main"), &author),
        0);
    assert_int_equal(store_section_by_slug(s, &arena, STR("alpha"), &sec), 0);
    const struct {
        enum list_kind kind;
        int64_t id, until;
        const char *sql;
    } lists[] = {{LIST_ISSUE, is.id, 0, REF_TOC},
                 {LIST_TAG, tag.id, 0, REF_TAG},
                 {LIST_AUTHOR, author.id, 0, REF_AUTHOR},
                 {LIST_SECTION, sec.id, 0, REF_SECTION},
                 {LIST_RANGE, T2004_06_30 + 60, T2004_06_30 + 180, REF_RANGE},
                 {LIST_ALL, 0, 0, REF_ALL}};
    const int limits[] = {1, 3, 7, 50};
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
        int64_t want[NREF];
        size_t nwant = ref_ids(db, lists[l].sql, lists[l].id, want);
        assert_true(nwant > 5);
        if (lists[l].kind != LIST_ISSUE) {
            /* The last page first: the count comes from the page index's
             * scan (pages.c), then from the store's memo. */
            for (int again = 0; again < 2; again++) {
                struct article *v;
                size_t n;
                int64_t total = -1;
                struct list_query q = {.kind = lists[l].kind,
                                       .id = lists[l].id,
                                       .until = lists[l].until,
                                       .limit = 1,
                                       .offset = (int)nwant - 1};
                assert_int_equal(
                    store_articles_list(s, &arena, &q, &v, &n, &total), 0);
                assert_int_equal(total, (int64_t)nwant);
                assert_int_equal(n, 1);
                assert_int_equal(v[0].id, want[nwant - 1]);
            }
        }
        for (size_t k = 0; k < 4; k++) {
            for (int off = 0; off <= (int)nwant + 1; off++) {
                struct article *v;
                size_t n;
                int64_t total;
                struct list_query q = {.kind = lists[l].kind,
                                       .id = lists[l].id,
                                       .until = lists[l].until,
                                       .limit = limits[k],
                                       .offset = off};
                if (lists[l].kind == LIST_ISSUE)
                    assert_int_equal(store_issue_toc(s, &arena, q.id, q.limit,
                                                     off, &v, &n, &total),
                                     0);
                else
                    assert_int_equal(
                        store_articles_list(s, &arena, &q, &v, &n, &total), 0);
                assert_int_equal(total, (int64_t)nwant);
                size_t expect = (size_t)off >= nwant ? 0 : nwant - (size_t)off;
                if (expect > (size_t)limits[k])
                    expect = (size_t)limits[k];
                assert_int_equal(n, expect);
                for (size_t i = 0; i < n; i++) {
                    assert_int_equal(v[i].id, want[(size_t)off + i]);
                    /* Bylines came, co-authors in order (ref_save). */
                    size_t na = v[i].n_authors;
                    assert_true(na == 1 || na == 2);
                    assert_string_equal(v[i].authors[na - 1].name, "Ann Main");
                    if (na == 2)
                        assert_string_equal(v[i].authors[0].name, "Bo Co");
                }
            }
        }
    }
    /* The indexes of tags and authors count published articles only. */
    int64_t want[NREF];
    struct tag_entry *tv;
    struct author_entry *av;
    size_t n;
    int64_t total;
    assert_int_equal(store_tags_list(s, &arena, 10, 0, &tv, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_string_equal(tv[0].tag.name, "Big");
    assert_int_equal(tv[0].articles,
                     (int64_t)ref_ids(db, REF_TAG, tag.id, want));
    assert_int_equal(store_authors_list(s, &arena, 10, 0, &av, &n, &total), 0);
    assert_string_equal(av[0].author.name, "Ann Main");
    assert_int_equal(av[0].articles,
                     (int64_t)ref_ids(db, REF_AUTHOR, author.id, want));
}

static void test_pages_match_plain_order(void **state)
{
    (void)state;
    struct store *s;
    const char *db = path_of("ref.db");
    assert_int_equal(store_open(db, STORE_CREATE, &s), 0);
    /* Four times, each shared by about ten articles; every seventh a
     * draft. Ids rise with i, so ties fall back on them. */
    for (int i = 0; i < NREF; i++)
        assert_int_equal(ref_save(s, i, i % 7 == 3, T2004_06_30 + i % 4 * 60),
                         0);
    /* Zeta and Alpha share a position: the name decides; Mid comes first. */
    sql_exec(db, "UPDATE sections SET position = 5 WHERE name IN"
                 " ('Zeta', 'Alpha'); UPDATE sections SET position = 1"
                 " WHERE name = 'Mid'");
    ref_check(s, db);

    /* Unpublish two, publish a draft, move one in time. */
    assert_int_equal(ref_save(s, 4, true, T2004_06_30), 0);
    assert_int_equal(ref_save(s, 9, true, T2004_06_30), 0);
    assert_int_equal(ref_save(s, 3, false, T2004_06_30 + 60), 0);
    assert_int_equal(ref_save(s, 12, false, T2004_06_30 - 600), 0);
    ref_check(s, db);
    /* The same by any writer, without the store's relinking. */
    sql_exec(db, "UPDATE articles SET status = 0 WHERE slug = 'r6';"
                 "UPDATE articles SET published_at = published_at + 3600"
                 " WHERE slug IN ('r8', 'r15')");
    ref_check(s, db);

    /* A file from before migration 6 is filled in when opened. */
    store_close(s);
    sql_exec(db, UNDO_V_WEBHOOKS UNDO_MIGRATION_IMPORT UNDO_MIGRATION_6
             "PRAGMA user_version = 5");
    assert_int_equal(store_open(db, 0, &s), 0);
    ref_check(s, db);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_issue_lookups, arena_setup,
                                        arena_teardown),
        cmocka_unit_test_setup_teardown(test_issues_list, arena_setup,
                                        arena_teardown),
        cmocka_unit_test_setup_teardown(test_issue_toc_order_and_pages,
                                        arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_authors, arena_setup,
                                        arena_teardown),
        cmocka_unit_test_setup_teardown(test_tags, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_archive_months, arena_setup,
                                        arena_teardown),
        cmocka_unit_test_setup_teardown(test_most_read_all_time, arena_setup,
                                        arena_teardown),
        cmocka_unit_test_setup_teardown(test_most_read_period_and_prune,
                                        arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_pages_match_plain_order,
                                        arena_setup, arena_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
