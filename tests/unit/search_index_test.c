/*
 * search_index_test.c - the Xapian index (store/search_index.c,
 * store/xapian.cc): it answers the same searches as FTS5 (the same
 * matches, totals and facets), follows every kind of write once stepped,
 * leaves searches to FTS5 while it lags, keeps what it has not read in the
 * change log, and is rebuilt when it sits beside another database. Each
 * test builds its own small journal in a temp folder.
 */
#include "content/query.h"
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
#include <cmocka.h>
#include <sqlite3.h>

static char dir[64];
static char path[128];
static struct store *st;    /* keeps a Xapian index */
static struct store *plain; /* the same file, FTS5 only */
static struct arena arena;

#define T2004 1088553600 /* 2004-06-30T00:00:00Z */
#define T2010 1277856000 /* 2010-06-30T00:00:00Z */
enum { NARTICLES = 60 };

static const char *const words[] = {
    "pipeline", "caspian", "gas",    "border", "election", "wheat",
    "tariff",   "bank",    "steppe", "river",  "harvest",  "parliament"};
static const char *const sections[] = {"News", "Analysis", "Field Reports"};
static const char *const names[] = {"Zahid Anwar", "Svante Cornell",
                                    "Ana Souza", "Mirza Khan"};

static int save_article(struct store *s, int i, const char *body, bool draft)
{
    char slug[32], title[128];
    snprintf(slug, sizeof(slug), "a%d", i);
    snprintf(title, sizeof(title), "The %s and the %s", words[i % 12],
             words[(i * 5 + 3) % 12]);
    const char *authors[2] = {names[i % 4],
                              i % 3 == 0 ? names[(i + 1) % 4] : NULL};
    struct article_input in = {
        .slug = slug,
        .title = title,
        .summary = "An intro on the region.",
        .body_md = body,
        .body_html = "<p>x</p>",
        .status = draft ? ARTICLE_DRAFT : ARTICLE_PUBLISHED,
        .published_at = i % 2 ? T2004 + i : T2010 + i,
        .hits = -1,
        .section = sections[i % 3],
        .authors = authors,
        .n_authors = authors[1] ? 2 : 1,
    };
    return store_article_save(s, &in, NULL, NULL);
}

static char *body_of(int i)
{
    static char b[512];
    snprintf(b, sizeof(b), "On the %s near the %s, a %s of %s. Numbers %d.",
             words[(i * 7) % 12], words[(i * 3 + 1) % 12], words[(i + 4) % 12],
             words[(i * 11 + 2) % 12], i);
    return b;
}

/* index runs the index's work to its end, as the server's thread does. */
static void index_all(struct store *s)
{
    bool more = true;
    for (int k = 0; more && k < 1000; k++)
        assert_int_equal(store_search_index_step(s, &more), 0);
    assert_false(more);
}

static int setup(void **state)
{
    (void)state;
    log_level = LOG_ERROR;
    snprintf(dir, sizeof(dir), "/tmp/quire-xapian-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/s.db", dir);
    if (store_open(path, STORE_CREATE, &st) != 0 ||
        store_open(path, 0, &plain) != 0)
        return -1;
    for (int i = 0; i < NARTICLES; i++)
        if (save_article(st, i, body_of(i), i == 7) != 0)
            return -1;
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "INSERT INTO article_places(article_id, kind, code, "
                     "score, key) SELECT id, 0, CASE id % 3 WHEN 0 THEN 'kz' "
                     "WHEN 1 THEN 'az' ELSE 'ge' END, 1.0, 7 FROM articles",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    sqlite3_close(db);
    store_search_engine_set(st, STORE_SEARCH_XAPIAN);
    arena_init(&arena, 4096);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&arena);
    store_close(st);
    store_close(plain);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct search_result run(struct store *s, const char *text,
                                const char *section, const char *author,
                                int year, const char *country)
{
    struct search_result r;
    struct search_query q = {
        .match = query_to_fts(&arena, str_from(text)),
        .section = section,
        .author = author,
        .year = year,
        .country = country,
        .limit = 100,
    };
    assert_int_equal(store_search(s, &arena, &q, &r), 0);
    return r;
}

static bool found(struct search_result r, const char *slug)
{
    for (size_t i = 0; i < r.n; i++)
        if (strcmp(r.hits[i].article.slug, slug) == 0)
            return true;
    return false;
}

static void same_facets(const struct facet *a, size_t na, const struct facet *b,
                        size_t nb)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        bool seen = false;
        for (size_t j = 0; j < nb; j++)
            if (strcmp(a[i].key, b[j].key) == 0) {
                assert_int_equal(a[i].count, b[j].count);
                seen = true;
            }
        assert_true(seen);
    }
}

/* same checks that Xapian and FTS5 give the same matches and facets. */
static void same(const char *text, const char *section, const char *author,
                 int year, const char *country)
{
    struct search_result x = run(st, text, section, author, year, country);
    struct search_result f = run(plain, text, section, author, year, country);
    assert_true(x.xapian);
    assert_false(f.xapian);
    assert_int_equal(x.total, f.total);
    assert_int_equal(x.n, f.n);
    /* Ranked by relevance under the same rule; the newest first alike. */
    assert_int_equal(x.by_date, f.by_date);
    for (size_t i = 0; x.by_date && i < f.n; i++)
        assert_string_equal(x.hits[i].article.slug, f.hits[i].article.slug);
    for (size_t i = 0; i < f.n; i++) {
        assert_true(found(x, f.hits[i].article.slug));
        assert_non_null(x.hits[i].snippet);
    }
    same_facets(x.sections, x.n_sections, f.sections, f.n_sections);
    same_facets(x.authors, x.n_authors, f.authors, f.n_authors);
    same_facets(x.years, x.n_years, f.years, f.n_years);
    same_facets(x.countries, x.n_countries, f.countries, f.n_countries);
}

static void test_same_answers_as_fts5(void **state)
{
    (void)state;
    struct search_index_state xs;
    assert_int_equal(store_search_index_state(st, &xs), 0);
    assert_false(xs.exact); /* not built yet: FTS5 answers */
    assert_false(run(st, "pipeline", NULL, NULL, 0, NULL).xapian);
    /* Words cut as FTS5 cuts them: diacritics, scripts, "U.S.", "'s". */
    assert_int_equal(save_article(st, 400,
                                  "A fair in São Paulo. Россия и Пакистан. "
                                  "U.S. officials; Russia's gas.",
                                  false),
                     0);
    index_all(st);
    assert_int_equal(store_search_index_state(st, &xs), 0);
    assert_true(xs.kept && xs.exact && !xs.building);
    assert_int_equal(xs.documents, NARTICLES); /* not the draft, a400 */

    const char *const queries[] = {"pipeline",      "caspian gas",
                                   "pip*",          "p*",
                                   "ca*",           "zahid",
                                   "\"the wheat\"", "region",
                                   "nothingatall",  "numbers 42",
                                   "sao paulo",     "São",
                                   "\"sao paulo\"", "РОССИЯ",
                                   "u.s*",          "u.s. officials",
                                   "russia's",      "\"harvests of steppes\""};
    for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
        same(queries[i], NULL, NULL, 0, NULL);
        same(queries[i], "analysis", NULL, 0, NULL);
        same(queries[i], NULL, "ana-souza", 0, NULL);
        same(queries[i], NULL, NULL, 2004, NULL);
        same(queries[i], NULL, NULL, 0, "kz");
        same(queries[i], "news", "zahid-anwar", 2010, "ge");
    }
    /* The draft is not found; the matched word is marked in snippets. */
    assert_false(found(run(st, "a7", NULL, NULL, 0, NULL), "a7"));
    assert_true(found(run(st, "sao paulo", NULL, NULL, 0, NULL), "a400"));
    /* A phrase is stemmed, word by word, as FTS5's porter tokens are. */
    assert_true(run(st, "\"harvests of steppes\"", NULL, NULL, 0, NULL).total >
                0);
    struct search_result r = run(st, "steppe", NULL, NULL, 0, NULL);
    assert_true(r.xapian && r.n > 0);
    assert_non_null(strstr(r.hits[0].snippet, STORE_MARK_OPEN "steppe"));
    /* Hostile text is words, never query syntax. */
    const char *const hostile[] = {"AND OR NOT",  "(pipeline", "-gas +bank",
                                   "title:wheat", "pipe* *",   "\"unclosed gas",
                                   "NEAR(a b)"};
    for (size_t i = 0; i < sizeof(hostile) / sizeof(*hostile); i++)
        same(hostile[i], NULL, NULL, 0, NULL);
    /* Several words ending in a prefix: all of them (FTS5: a phrase). */
    assert_true(run(st, "u.s*", NULL, NULL, 0, NULL).xapian);
    /* Bytes that are not UTF-8 (the site refuses them before): no error. */
    assert_true(run(st, "\xc3\x28 bank", NULL, NULL, 0, NULL).xapian);
}

static void test_follows_writes(void **state)
{
    (void)state;
    index_all(st);
    /* A new article: FTS5 finds it until the index has stepped. */
    assert_int_equal(save_article(st, 100, "A zeppelin over the steppe.", 0),
                     0);
    struct search_result r = run(st, "zeppelin", NULL, NULL, 0, NULL);
    assert_false(r.xapian);
    assert_true(found(r, "a100"));
    index_all(st);
    r = run(st, "zeppelin", NULL, NULL, 0, NULL);
    assert_true(r.xapian);
    assert_true(found(r, "a100"));
    /* An edit, a new byline, an author's new name, a country. */
    assert_int_equal(save_article(st, 100, "A balloon over the steppe.", 0), 0);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "UPDATE authors SET name = 'Mirza Qadir'"
                     " WHERE slug = 'mirza-khan';"
                     "INSERT INTO article_places(article_id, kind, code,"
                     " score, key) SELECT id, 0, 'nz', 1.0, 7 FROM articles"
                     " WHERE slug = 'a100'",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    index_all(st);
    assert_int_equal(run(st, "zeppelin", NULL, NULL, 0, NULL).total, 0);
    r = run(st, "balloon", NULL, NULL, 0, "nz");
    assert_true(r.xapian);
    assert_true(found(r, "a100"));
    same("qadir", NULL, NULL, 0, NULL);
    assert_true(run(st, "qadir", NULL, NULL, 0, NULL).total > 0);
    /* Unpublished, then deleted. */
    assert_int_equal(save_article(st, 100, "A balloon over the steppe.", 1), 0);
    index_all(st);
    r = run(st, "balloon", NULL, NULL, 0, NULL);
    assert_true(r.xapian);
    assert_int_equal(r.total, 0);
    assert_int_equal(store_article_delete(st, STR("a3")), 0);
    index_all(st);
    same("pipeline", NULL, NULL, 0, NULL);
    assert_false(found(run(st, "a3", NULL, NULL, 0, NULL), "a3"));
}

/* A short prefix in more articles than are ranked has nothing to weigh:
 * both engines show the newest by date, the same pages in the same order,
 * and the same counts. */
static void test_short_prefix_by_date(void **state)
{
    (void)state;
    assert_int_equal(store_begin(st), 0);
    for (int i = 0; i < 2100; i++) {
        char slug[32], title[64];
        snprintf(slug, sizeof(slug), "z%d", i);
        snprintf(title, sizeof(title), "Zebra %d", (i * 7919) % 2100);
        const char *authors[1] = {names[i % 4]};
        struct article_input in = {
            .slug = slug,
            .title = title,
            .body_md = "Stripes.",
            .body_html = "<p>x</p>",
            .status = ARTICLE_PUBLISHED,
            /* dates not in id order, two per second */
            .published_at = T2004 + (i * 7919) % 2100 / 2,
            .hits = -1,
            .section = sections[i % 3],
            .authors = authors,
            .n_authors = 1,
        };
        assert_int_equal(store_article_save(st, &in, NULL, NULL), 0);
    }
    assert_int_equal(store_commit(st), 0);
    index_all(st);
    for (int offset = 0; offset <= 40; offset += 20) {
        struct search_query q = {.match = query_to_fts(&arena, STR("ze*")),
                                 .limit = 20,
                                 .offset = offset};
        struct search_result x, f;
        assert_int_equal(store_search(st, &arena, &q, &x), 0);
        assert_int_equal(store_search(plain, &arena, &q, &f), 0);
        assert_true(x.xapian && x.by_date);
        assert_true(f.by_date);
        assert_int_equal(x.total, 2100);
        assert_int_equal(f.total, 2100);
        assert_int_equal(x.n, 20);
        assert_int_equal(f.n, 20);
        for (size_t i = 0; i < 20; i++)
            assert_string_equal(x.hits[i].article.slug, f.hits[i].article.slug);
        same_facets(x.sections, x.n_sections, f.sections, f.n_sections);
        same_facets(x.authors, x.n_authors, f.authors, f.n_authors);
    }
}

/* save_many saves n small published articles from slug number `from`. */
static void save_many(struct store *s, int from, int n)
{
    assert_int_equal(store_begin(s), 0);
    for (int i = from; i < from + n; i++)
        assert_int_equal(save_article(s, i, "Bulk.", 0), 0);
    assert_int_equal(store_commit(s), 0);
}

/* A build stopped half way (a restarted server) resumes from its last
 * commit, not from nothing. */
static void test_build_resumes(void **state)
{
    (void)state;
    save_many(st, 1000, 2400);
    bool more;
    for (int k = 0; k < 3; k++) /* 1,500 articles */
        assert_int_equal(store_search_index_step(st, &more), 0);
    assert_true(more);
    store_close(st); /* commits them, and how far it got */
    assert_int_equal(store_open(path, 0, &st), 0);
    store_search_engine_set(st, STORE_SEARCH_XAPIAN);
    struct search_index_state xs;
    assert_int_equal(store_search_index_state(st, &xs), 0);
    assert_true(xs.building && !xs.exact);
    assert_int_equal(xs.documents, 1500);
    assert_int_equal(store_search_index_step(st, &more), 0);
    assert_int_equal(store_search_index_state(st, &xs), 0);
    assert_int_equal(xs.documents, 1500); /* kept: not emptied again */
    index_all(st);
    assert_int_equal(store_search_index_state(st, &xs), 0);
    assert_true(xs.exact && !xs.building);
    assert_int_equal(xs.documents, NARTICLES - 1 + 2400);
    same("bulk", NULL, NULL, 0, NULL); /* by date: the same pages */
    assert_int_equal(run(st, "pipeline", NULL, NULL, 0, NULL).total,
                     run(plain, "pipeline", NULL, NULL, 0, NULL).total);
}

/* prune_all prunes the change log as a server that has read it all. */
static void prune_all(struct store *s)
{
    struct arena a;
    struct change_set cs;
    arena_init(&a, 1024);
    assert_int_equal(store_changes_since(s, &a, 0, 1000, &cs), 0);
    assert_int_equal(store_changes_prune(s, cs.seq), 0);
    arena_release(&a);
}

/* A server prunes the change log it has read: rows the index has not read
 * yet stay until it has. */
static void test_log_keeps_what_the_index_needs(void **state)
{
    (void)state;
    index_all(st);
    assert_int_equal(save_article(st, 200, "Quince orchards.", 0), 0);
    prune_all(st);
    index_all(st);
    struct search_result r = run(st, "quince", NULL, NULL, 0, NULL);
    assert_true(r.xapian);
    assert_true(found(r, "a200"));
}

/* A server that kept no index (search.engine = fts5) pruned the log the
 * index had not read: the index is rebuilt, not followed from a hole. */
static void test_rebuilt_after_the_log_was_pruned(void **state)
{
    (void)state;
    index_all(st);
    store_close(st);
    st = NULL;
    assert_int_equal(save_article(plain, 300, "Saffron fields.", 0), 0);
    assert_int_equal(save_article(plain, 301, "More saffron.", 0), 0);
    prune_all(plain);
    assert_int_equal(store_open(path, 0, &st), 0);
    store_search_engine_set(st, STORE_SEARCH_XAPIAN);
    index_all(st);
    struct search_result r = run(st, "saffron", NULL, NULL, 0, NULL);
    assert_true(r.xapian);
    assert_int_equal(r.total, 2);
}

/* An index beside a database it was not built from is rebuilt, not
 * trusted: a copy of another journal's folder, or a restored backup
 * older than the index. */
static void test_rebuilt_for_another_database(void **state)
{
    (void)state;
    index_all(st);
    char other[160], cmd[400];
    snprintf(other, sizeof(other), "%s/other.db", dir);
    struct store *o;
    assert_int_equal(store_open(other, STORE_CREATE, &o), 0);
    assert_int_equal(save_article(o, 1, "Only walnuts here.", 0), 0);
    snprintf(cmd, sizeof(cmd), "cp -r '%s.xapian' '%s.xapian'", path, other);
    assert_int_equal(system(cmd), 0);
    store_search_engine_set(o, STORE_SEARCH_XAPIAN);
    index_all(o);
    struct search_query q = {.match = query_to_fts(&arena, STR("pipeline")),
                             .limit = 10};
    struct search_result r;
    assert_int_equal(store_search(o, &arena, &q, &r), 0);
    assert_true(r.xapian);
    assert_int_equal(r.total, 0); /* the copied index has st's */
    q.match = query_to_fts(&arena, STR("walnuts"));
    assert_int_equal(store_search(o, &arena, &q, &r), 0);
    assert_true(r.xapian);
    assert_int_equal(r.total, 1);
    store_close(o);
}

/* A restored backup older than the index, then written to past the seq
 * the index reached before the server starts: the index is rebuilt (the
 * restore gave the database a new token), not followed. */
static void test_rebuilt_after_a_restore(void **state)
{
    (void)state;
    char bak[160];
    snprintf(bak, sizeof(bak), "%s/b.db", dir);
    index_all(st);
    struct backup_stats bs;
    assert_int_equal(store_backup(path, bak, false, &bs), 0);
    assert_int_equal(save_article(st, 500, "Pomegranate orchards.", 0), 0);
    index_all(st);
    assert_int_equal(run(st, "pomegranate", NULL, NULL, 0, NULL).total, 1);
    store_close(st);
    store_close(plain);
    st = plain = NULL;
    assert_int_equal(store_restore(path, bak, &bs), 0);
    assert_int_equal(store_open(path, 0, &plain), 0);
    /* The log grows past the index's seq without naming the article the
     * backup does not have: edits of another one. */
    for (int i = 0; i < 30; i++)
        assert_int_equal(save_article(plain, 1, i % 2 ? "Figs." : "Dates.", 0),
                         0);
    assert_int_equal(store_open(path, 0, &st), 0);
    store_search_engine_set(st, STORE_SEARCH_XAPIAN);
    index_all(st);
    struct search_result r = run(st, "pomegranate", NULL, NULL, 0, NULL);
    assert_true(r.xapian);
    assert_int_equal(r.total, 0);
    same("figs", NULL, NULL, 0, NULL);
}

/* auto keeps no index for a small journal: FTS5 answers, and the log is
 * pruned freely. */
static void test_auto_keeps_none_when_small(void **state)
{
    (void)state;
    struct store *a;
    assert_int_equal(store_open(path, 0, &a), 0);
    store_search_engine_set(a, STORE_SEARCH_AUTO);
    index_all(a);
    struct search_index_state xs;
    assert_int_equal(store_search_index_state(a, &xs), 0);
    assert_false(xs.kept);
    struct search_query q = {.match = query_to_fts(&arena, STR("pipeline")),
                             .limit = 10};
    struct search_result r;
    assert_int_equal(store_search(a, &arena, &q, &r), 0);
    assert_false(r.xapian);
    assert_true(r.total > 0);
    store_close(a);
    assert_int_equal(store_search_engine_parse("xapian"), STORE_SEARCH_XAPIAN);
    assert_int_equal(store_search_engine_parse("Xapian"), -1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_same_answers_as_fts5),
        T(test_follows_writes),
        T(test_short_prefix_by_date),
        T(test_build_resumes),
        T(test_log_keeps_what_the_index_needs),
        T(test_rebuilt_after_the_log_was_pruned),
        T(test_rebuilt_for_another_database),
        T(test_rebuilt_after_a_restore),
        T(test_auto_keeps_none_when_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
