/*
 * related_test.c - store_articles_related against a real SQLite file:
 * the ranking (shared tags, then section, then recency), the exclusions
 * (itself, drafts, unrelated articles) and the bylines; that the ranking,
 * which runs in memory, follows writes; and that it agrees with the same
 * ranking written as one plain SQL query on a few hundred random articles.
 */
#include "core/arena.h"
#include "core/log.h"
#include "store/store.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* The store's memo (store_read_memo) with 4 rows instead of 2,048, so the
 * ids of these few articles collide in it: this copy replaces the one in
 * libquire.a, whose object then is never linked. */
#define MEMO_ROWS_BITS 2
#include "store/memo.c"

#define TMPDIR_NAME "/tmp/quire-related-XXXXXX"
#include "test_tmpdir.h"

static struct store *store;
static struct arena arena;

struct row {
    const char *slug;
    const char *section;
    int64_t day; /* published on day N */
    enum article_status status;
    const char *tags[5];
    const char *authors[2];
};

static const struct row rows[] = {
    {"me",
     "Field Reports",
     10,
     ARTICLE_PUBLISHED,
     {"russia", "pakistan", "gas"},
     {"Zahid Anwar"}},
    {"two-tags-old",
     "Other",
     1,
     ARTICLE_PUBLISHED,
     {"russia", "pakistan"},
     {"A One", "B Two"}},
    {"three-tags-draft",
     "Field Reports",
     11,
     ARTICLE_DRAFT,
     {"russia", "pakistan", "gas"}},
    {"one-tag-same-section",
     "Field Reports",
     2,
     ARTICLE_PUBLISHED,
     {"gas"},
     {"B Two", "A One"}}, /* not in the authors' id order */
    {"one-tag-other-new", "Other", 9, ARTICLE_PUBLISHED, {"russia"}},
    {"one-tag-other-old", "Other", 3, ARTICLE_PUBLISHED, {"pakistan"}},
    {"section-only-new", "Field Reports", 8, ARTICLE_PUBLISHED, {"x"}},
    {"section-only-old", "Field Reports", 4, ARTICLE_PUBLISHED, {0}},
    {"unrelated", "Other", 12, ARTICLE_PUBLISHED, {"y"}},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))
static int64_t ids[NROWS];

static int count(const char *const *v, int max)
{
    int n = 0;
    while (n < max && v[n])
        n++;
    return n;
}

static int save(struct store *st, const struct row *r, int64_t *id)
{
    struct article_input in = {
        .slug = r->slug,
        .title = r->slug,
        .status = r->status,
        .published_at = r->day * 86400,
        .hits = -1,
        .section = r->section,
        .tags = r->tags,
        .n_tags = (size_t)count(r->tags, 5),
        .authors = r->authors,
        .n_authors = (size_t)count(r->authors, 2),
    };
    return store_article_save(st, &in, id, NULL);
}

static int setup(void **state)
{
    if (tmpdir_setup(state) != 0 ||
        store_open(path_of("related.db"), STORE_CREATE, &store) != 0)
        return -1;
    for (size_t i = 0; i < NROWS; i++)
        if (save(store, &rows[i], &ids[i]) != 0)
            return -1;
    arena_init(&arena, 4096);
    return 0;
}

static int teardown(void **state)
{
    arena_release(&arena);
    store_close(store);
    return tmpdir_teardown(state);
}

static void test_ranking(void **state)
{
    (void)state;
    struct article *v;
    size_t n;
    assert_int_equal(
        store_articles_related(store, &arena, ids[0], 8, &v, &n, NULL), 0);
    static const char *const want[] = {
        "two-tags-old",         /* 2 shared tags beats everything */
        "one-tag-same-section", /* 1 tag, same section */
        "one-tag-other-new",    /* 1 tag, other section, newer */
        "one-tag-other-old",
        "section-only-new", /* no tag, same section, newest first */
        "section-only-old",
    };
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].slug, want[i]);
        assert_null(v[i].body_html);
    }
    /* Bylines come along, in order. */
    assert_int_equal(v[0].n_authors, 2);
    assert_string_equal(v[0].authors[0].name, "A One");
    assert_string_equal(v[0].authors[1].name, "B Two");
    assert_int_equal(v[1].n_authors, 2);
    assert_string_equal(v[1].authors[0].name, "B Two");
    assert_string_equal(v[1].authors[1].name, "A One");
    assert_int_equal(v[2].n_authors, 0);
    assert_string_equal(v[1].section.name, "Field Reports");
}

static void test_limit_cuts_the_ranked_list(void **state)
{
    (void)state;
    struct article *v;
    size_t n;
    assert_int_equal(
        store_articles_related(store, &arena, ids[0], 5, &v, &n, NULL), 0);
    assert_int_equal(n, 5);
    assert_string_equal(v[4].slug, "section-only-new");
    assert_int_equal(
        store_articles_related(store, &arena, ids[0], 1, &v, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].slug, "two-tags-old");
    assert_int_equal(
        store_articles_related(store, &arena, ids[0], 0, &v, &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_int_equal(
        store_articles_related(store, &arena, ids[0], 9, &v, &n, NULL),
        ERR_INVALID);
    assert_int_equal(
        store_articles_related(store, &arena, ids[0], -1, &v, &n, NULL),
        ERR_INVALID);
}

static void test_nothing_related(void **state)
{
    (void)state;
    struct article *v;
    size_t n;
    /* "unrelated" shares its section "Other" only. */
    assert_int_equal(
        store_articles_related(store, &arena, ids[NROWS - 1], 8, &v, &n, NULL),
        0);
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(v[i].slug, "unrelated");
        assert_string_equal(v[i].section.name, "Other");
    }
    assert_int_equal(n, 3);
    /* An id that does not exist has nothing related, and no error. */
    assert_int_equal(
        store_articles_related(store, &arena, 999999, 5, &v, &n, NULL), 0);
    assert_int_equal(n, 0);
}

/* related_lagging lists the slugs related to id, space-separated, and
 * tells in *stale whether they came from a lagging index. */
static const char *related_lagging(struct store *st, int64_t id, int limit,
                                   bool *stale)
{
    static char out[512];
    struct article *v;
    size_t n, len = 0;
    out[0] = 0;
    assert_int_equal(
        store_articles_related(st, &arena, id, limit, &v, &n, stale), 0);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
                                i ? " " : "", v[i].slug);
    return out;
}

static const char *related_slugs(struct store *st, int64_t id, int limit)
{
    bool stale;
    const char *out = related_lagging(st, id, limit, &stale);
    assert_false(stale); /* no store_related_refresh: always exact */
    return out;
}

/* open_with_me opens a new store in file holding one article, "me" (Field
 * Reports, tagged gas, published on day), whose id goes to *me_id. */
static struct store *open_with_me(const char *file, int64_t day, int64_t *me_id)
{
    struct store *st;
    assert_int_equal(store_open(path_of(file), STORE_CREATE, &st), 0);
    struct row me = {"me", "Field Reports", day, ARTICLE_PUBLISHED, {"gas"},
                     {0}};
    assert_int_equal(save(st, &me, me_id), 0);
    return st;
}

static void test_follows_writes(void **state)
{
    (void)state;
    int64_t me_id, id;
    struct store *st = open_with_me("follow.db", 10, &me_id);
    struct row old = {"old", "Other", 1, ARTICLE_PUBLISHED, {"gas"}, {0}};
    assert_int_equal(save(st, &old, &id), 0);
    assert_string_equal(related_slugs(st, me_id, 5), "old");

    /* A newer article with the tag comes first at once. */
    struct row fresh = {"fresh", "Other", 5, ARTICLE_PUBLISHED, {"gas"}, {0}};
    assert_int_equal(save(st, &fresh, &id), 0);
    assert_string_equal(related_slugs(st, me_id, 5), "fresh old");
    /* A draft leaves the list; losing its tag does too. */
    fresh.status = ARTICLE_DRAFT;
    assert_int_equal(save(st, &fresh, &id), 0);
    assert_string_equal(related_slugs(st, me_id, 5), "old");
    old.tags[0] = "oil";
    assert_int_equal(save(st, &old, &id), 0);
    assert_string_equal(related_slugs(st, me_id, 5), "");
    /* Moving into the section makes it related again. */
    old.section = "Field Reports";
    assert_int_equal(save(st, &old, &id), 0);
    assert_string_equal(related_slugs(st, me_id, 5), "old");
    assert_int_equal(store_article_delete(st, STR("old")), 0);
    assert_string_equal(related_slugs(st, me_id, 5), "");
    store_close(st);
}

/* On a server (store_related_refresh called) whose builds are slow, as at
 * a million articles (here every build counts as slow), a reader whose
 * index lags ranks with it and says so instead of waiting for a build,
 * and still never shows a draft; the next refresh brings it up to date. */
static void test_lagging_index_on_a_server(void **state)
{
    (void)state;
    int64_t me_id, id;
    bool stale;
    struct store *st = open_with_me("lag.db", 10, &me_id);
    st->related_slow_ms = 0;
    struct row old = {"old", "Other", 1, ARTICLE_PUBLISHED, {"gas"}, {0}};
    assert_int_equal(save(st, &old, &id), 0);
    assert_string_equal(related_slugs(st, me_id, 5), "old");
    assert_int_equal(store_related_refresh(st), 0);
    assert_string_equal(related_lagging(st, me_id, 5, &stale), "old");
    assert_false(stale);

    struct row fresh = {"fresh", "Other", 5, ARTICLE_PUBLISHED, {"gas"}, {0}};
    assert_int_equal(save(st, &fresh, &id), 0);
    assert_string_equal(related_lagging(st, me_id, 5, &stale), "old");
    assert_true(stale);
    old.status = ARTICLE_DRAFT; /* the lagging index still ranks it */
    assert_int_equal(save(st, &old, &id), 0);
    assert_string_equal(related_lagging(st, me_id, 5, &stale), "");
    assert_true(stale);

    /* The refresh's build is quick: readers are exact again. */
    st->related_slow_ms = SDB_RELATED_SLOW_MS * 1000;
    assert_int_equal(store_related_refresh(st), 0);
    assert_string_equal(related_lagging(st, me_id, 5, &stale), "fresh");
    assert_false(stale);
    old.status = ARTICLE_PUBLISHED;
    assert_int_equal(save(st, &old, &id), 0);
    assert_string_equal(related_lagging(st, me_id, 5, &stale), "fresh old");
    assert_false(stale);
    store_close(st);
}

/* Readers on four threads while articles are added: the index is rebuilt
 * by one thread at a time, outside the store's lock, and every answer is
 * a ranking: the newest first, each once. (An index built for a newer
 * snapshot than a reader's may rank articles that reader cannot see yet:
 * they are left out, so a list may be shorter for a moment.) */
struct reader_arg {
    struct store *st;
    int64_t me;
    int bad;
};

static void *read_related(void *p)
{
    struct reader_arg *r = p;
    for (int i = 0; i < 200; i++) {
        struct arena a;
        arena_init(&a, 4096);
        struct article *v;
        size_t n;
        int rc = store_articles_related(r->st, &a, r->me, 5, &v, &n, NULL);
        int prev = 1000;
        for (size_t k = 0; rc == 0 && k < n; k++) {
            int num = -1;
            if (sscanf(v[k].slug, "gas-%d", &num) != 1 || num >= prev)
                r->bad++;
            prev = num;
        }
        r->bad += rc != 0 || n > 5;
        arena_release(&a);
    }
    return NULL;
}

static void test_concurrent_readers_and_rebuilds(void **state)
{
    (void)state;
    int64_t me_id, id;
    struct store *st = open_with_me("threads.db", 50, &me_id);
    struct reader_arg args[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct reader_arg){st, me_id, 0};
        assert_int_equal(pthread_create(&t[i], NULL, read_related, &args[i]),
                         0);
    }
    char slug[16];
    for (int i = 0; i < 20; i++) {
        snprintf(slug, sizeof(slug), "gas-%d", i);
        struct row r = {slug, "Other", i, ARTICLE_PUBLISHED, {"gas"}, {0}};
        assert_int_equal(save(st, &r, &id), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(args[i].bad, 0);
    }
    assert_string_equal(related_slugs(st, me_id, 3), "gas-19 gas-18 gas-17");
    store_close(st);
}

/* The ranking as one SQL query: every published article but ?1 that
 * shares a tag, or the section (not none) with it. */
static const char SQL_RANKING[] =
    "WITH me AS (SELECT section_id s FROM articles WHERE id = ?1),"
    " cand AS (SELECT a.id, a.published_at pub,"
    "  (SELECT count(*) FROM article_tags t JOIN article_tags o"
    "   ON o.tag_id = t.tag_id WHERE t.article_id = ?1"
    "   AND o.article_id = a.id) n,"
    "  a.section_id IS (SELECT s FROM me) same"
    "  FROM articles a WHERE a.status = 1 AND a.id <> ?1)"
    " SELECT group_concat(slug, ' ') FROM (SELECT a.slug FROM cand"
    " JOIN articles a ON a.id = cand.id"
    " WHERE n > 0 OR (same AND (SELECT s FROM me) IS NOT NULL)"
    " ORDER BY n DESC, same DESC, pub DESC, cand.id DESC LIMIT ?2)";

static void test_agrees_with_sql(void **state)
{
    (void)state;
    enum { N = 300 };
    static const char *const tags[] = {"a", "b", "c", "d", "e", "f"};
    static const char *const sections[] = {NULL, "S1", "S2", "S3"};
    struct store *st;
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t id[N];
    char slugs[N][16];
    bool draft[N];
    unsigned seed = 12345;

    assert_int_equal(store_open(path_of("random.db"), STORE_CREATE, &st), 0);
    for (int i = 0; i < N; i++) {
        struct row r = {.status = rand_r(&seed) % 5 ? ARTICLE_PUBLISHED
                                                    : ARTICLE_DRAFT};
        snprintf(slugs[i], sizeof(slugs[i]), "r%d", i);
        r.slug = slugs[i];
        r.section = sections[rand_r(&seed) % 4];
        r.day = rand_r(&seed) % 40; /* many ties on the date */
        /* Up to five tags, "a" on about half the articles: one large
         * tag beside small ones, as "markets" in a big archive. */
        for (int t = rand_r(&seed) % 6, k = 0; t > 0; t--)
            r.tags[k++] = rand_r(&seed) % 3 ? tags[rand_r(&seed) % 6]
                                            : "a"; /* repeats are one */
        draft[i] = r.status == ARTICLE_DRAFT;
        assert_int_equal(save(st, &r, &id[i]), 0);
    }
    assert_int_equal(
        sqlite3_open_v2(path_of("random.db"), &db, SQLITE_OPEN_READONLY, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, SQL_RANKING, -1, &q, NULL),
                     SQLITE_OK);
    /* The second pass reads through the export's memo (store_read_memo):
     * most winners then come from it, and must be the same. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            store_read_hold(st);
            store_read_memo(st);
        }
        for (int i = 0; i < N; i++) {
            for (int limit = 1; limit <= 8; limit += 7) {
                sqlite3_bind_int64(q, 1, id[i]);
                sqlite3_bind_int(q, 2, limit);
                assert_int_equal(sqlite3_step(q), SQLITE_ROW);
                const char *want = (const char *)sqlite3_column_text(q, 0);
                const char *got = related_slugs(st, id[i], limit);
                /* A draft has no related articles in Quire. */
                assert_string_equal(got, want && !draft[i] ? want : "");
                sqlite3_reset(q);
            }
        }
        if (pass)
            store_read_release(st);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    store_close(st);
}

/* In a memo'd snapshot the rows come again from memory, whole: bylines in
 * order, sections, titles; and the copies handed out earlier stay whole. */
static void test_memo_gives_the_same_rows(void **state)
{
    (void)state;
    struct article *first, *again;
    size_t n1, n2;
    store_read_hold(store);
    store_read_memo(store);
    assert_int_equal(
        store_articles_related(store, &arena, ids[0], 8, &first, &n1, NULL), 0);
    assert_int_equal(
        store_articles_related(store, &arena, ids[0], 8, &again, &n2, NULL), 0);
    store_read_release(store);
    assert_int_equal(n1, 6);
    assert_int_equal(n2, n1);
    for (size_t i = 0; i < n1; i++) {
        assert_int_equal(again[i].id, first[i].id);
        assert_ptr_not_equal(again[i].slug, first[i].slug);
        assert_string_equal(again[i].slug, first[i].slug);
        assert_string_equal(again[i].title, first[i].title);
        assert_int_equal(again[i].n_authors, first[i].n_authors);
        assert_int_equal(again[i].section.id, first[i].section.id);
        assert_null(again[i].body_html);
    }
    assert_string_equal(again[0].authors[0].name, "A One");
    assert_string_equal(again[0].authors[1].name, "B Two");
    assert_string_equal(again[1].authors[0].name, "B Two");
    assert_string_equal(again[1].authors[1].name, "A One");
    assert_string_equal(again[1].section.name, "Field Reports");
    assert_string_equal(first[1].authors[0].name, "B Two");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_limit_cuts_the_ranked_list),
        cmocka_unit_test(test_nothing_related),
        cmocka_unit_test(test_follows_writes),
        cmocka_unit_test(test_lagging_index_on_a_server),
        cmocka_unit_test(test_concurrent_readers_and_rebuilds),
        cmocka_unit_test(test_agrees_with_sql),
        cmocka_unit_test(test_memo_gives_the_same_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
