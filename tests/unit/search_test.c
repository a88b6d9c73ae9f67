/*
 * search_test.c - the store's full-text search: ranking, stemming,
 * non-Latin text, folded diacritics, filters and facets, and the index
 * following saves, updates, deletes and rollbacks. Each test builds its
 * own small journal in a temp file.
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

#include "test_undo_import.h"
#include "test_undo_v6.h"
#include "test_undo_webhooks.h"

static char dir[64];
static char path[128];
static struct store *st;
static struct arena arena;

#define T2004 1088553600 /* 2004-06-30T00:00:00Z */
#define T2010 1277856000 /* 2010-06-30T00:00:00Z */

struct art {
    const char *slug, *title, *summary, *body, *section;
    int64_t at;
    const char *authors[2];
    bool draft;
};

static const struct art journal[] = {
    {"body-only",
     "Regional Trade",
     "Notes.",
     "The pipeline carries gas from the Caspian.",
     "News",
     T2004,
     {"Zahid Anwar"},
     false},
    {"title-match",
     "The Caspian Pipeline",
     "An intro.",
     "Nothing more.",
     "Analysis",
     T2010,
     {"Svante Cornell"},
     false},
    {"economy",
     "Growth",
     "The economy of Kazakhstan grew.",
     "Figures.",
     "Analysis",
     T2010,
     {"Svante Cornell", "Zahid Anwar"},
     false},
    {"russia",
     "Россия и Пакистан",
     NULL,
     "Отношения двух стран.",
     NULL,
     T2004,
     {"Заид Анвар"},
     false},
    {"sao-paulo",
     "Trade Fair in São Paulo",
     NULL,
     "Brazil.",
     "News",
     T2004,
     {0},
     false},
    {"draft",
     "Secret Pipeline Plans",
     NULL,
     "Unpublished pipeline.",
     "News",
     T2010,
     {0},
     true},
};
#define NJOURNAL (sizeof(journal) / sizeof(journal[0]))

static int save(const struct art *j)
{
    size_t na = 0;
    while (na < 2 && j->authors[na])
        na++;
    struct article_input in = {
        .slug = j->slug,
        .title = j->title,
        .summary = j->summary,
        .body_md = j->body,
        .body_html = "<p>x</p>",
        .status = j->draft ? ARTICLE_DRAFT : ARTICLE_PUBLISHED,
        .published_at = j->at,
        .hits = -1,
        .section = j->section,
        .authors = j->authors,
        .n_authors = na,
    };
    return store_article_save(st, &in, NULL, NULL);
}

static int setup(void **state)
{
    (void)state;
    log_level = LOG_ERROR;
    snprintf(dir, sizeof(dir), "/tmp/quire-search-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/s.db", dir);
    if (store_open(path, STORE_CREATE, &st) != 0)
        return -1;
    for (size_t i = 0; i < NJOURNAL; i++)
        if (save(&journal[i]) != 0)
            return -1;
    arena_init(&arena, 4096);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&arena);
    store_close(st);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* search runs the reader's text q (filters optional) and returns it. */
static struct search_result search_f(const char *q, const char *section,
                                     const char *author, int year)
{
    struct search_result r;
    struct search_query sq = {
        .match = query_to_fts(&arena, str_from(q)),
        .section = section,
        .author = author,
        .year = year,
        .limit = 20,
    };
    assert_true(*sq.match);
    assert_int_equal(store_search(st, &arena, &sq, &r), 0);
    assert_int_equal(r.n, r.total); /* all fit on one page here */
    return r;
}

static struct search_result search(const char *q)
{
    return search_f(q, NULL, NULL, 0);
}

static bool found(struct search_result r, const char *slug)
{
    for (size_t i = 0; i < r.n; i++)
        if (strcmp(r.hits[i].article.slug, slug) == 0)
            return true;
    return false;
}

static void test_ranking(void **state)
{
    (void)state;
    struct search_result r = search("caspian pipeline");
    assert_int_equal(r.total, 2); /* not the draft */
    assert_string_equal(r.hits[0].article.slug, "title-match");
    assert_string_equal(r.hits[1].article.slug, "body-only");
    /* The hit comes with its byline and section for the page. */
    assert_int_equal(r.hits[0].article.n_authors, 1);
    assert_string_equal(r.hits[0].article.authors[0].name, "Svante Cornell");
    assert_string_equal(r.hits[0].article.section.slug, "analysis");
    /* The snippet marks the matched words. */
    assert_non_null(
        strstr(r.hits[1].snippet, STORE_MARK_OPEN "Caspian" STORE_MARK_CLOSE));
}

static void test_stemming_and_scripts(void **state)
{
    (void)state;
    assert_true(found(search("economies"), "economy"));
    assert_true(found(search("россия"), "russia"));
    assert_true(found(search("пакистан"), "russia"));
    assert_true(found(search("Sao Paulo"), "sao-paulo"));
    assert_true(found(search("\"sao paulo\""), "sao-paulo"));
    assert_true(found(search("kazakh*"), "economy"));
    assert_int_equal(search("\"paulo sao\"").total, 0); /* phrase order */
    /* Author names are searchable. */
    struct search_result r = search("anwar");
    assert_int_equal(r.total, 2);
    assert_true(found(search("Анвар"), "russia"));
    assert_int_equal(search("unpublished").total, 0); /* drafts: no */
}

static void test_filters_and_facets(void **state)
{
    (void)state;
    struct search_result r = search("anwar");
    /* Years newest first; sections and authors most first. */
    assert_int_equal(r.n_years, 2);
    assert_string_equal(r.years[0].key, "2010");
    assert_int_equal(r.years[0].count + r.years[1].count, r.total);
    assert_int_equal(r.n_authors, 2);
    assert_string_equal(r.authors[0].key, "zahid-anwar");
    assert_int_equal(r.authors[0].count, 2);
    assert_int_equal(r.n_sections, 2);

    r = search_f("anwar", "analysis", NULL, 0);
    assert_int_equal(r.total, 1);
    assert_string_equal(r.hits[0].article.slug, "economy");
    r = search_f("anwar", NULL, NULL, 2004);
    assert_int_equal(r.total, 1);
    assert_string_equal(r.hits[0].article.slug, "body-only");
    r = search_f("caspian", NULL, "svante-cornell", 2010);
    assert_int_equal(r.total, 1);
    r = search_f("caspian", "news", "svante-cornell", 0);
    assert_int_equal(r.total, 0);
    assert_int_equal(r.n_years, 0);
    r = search_f("caspian", "no-such-section", NULL, 0);
    assert_int_equal(r.total, 0);
}

static void test_index_follows_writes(void **state)
{
    (void)state;
    /* Update: the old words go, the new come. */
    struct art j = journal[0];
    j.body = "Now about hydropower only.";
    assert_int_equal(save(&j), 0);
    assert_false(found(search("caspian"), "body-only"));
    assert_true(found(search("hydropower"), "body-only"));
    /* Unpublishing removes it, publishing brings it back. */
    j.draft = true;
    assert_int_equal(save(&j), 0);
    assert_int_equal(search("hydropower").total, 0);
    j.draft = false;
    assert_int_equal(save(&j), 0);
    assert_int_equal(search("hydropower").total, 1);
    /* Delete. */
    assert_int_equal(store_article_delete(st, STR("body-only")), 0);
    assert_int_equal(search("hydropower").total, 0);
    assert_int_equal(store_article_delete(st, STR("body-only")), ERR_NOT_FOUND);
    struct article a;
    assert_int_equal(
        store_article_by_slug(st, &arena, STR("body-only"), true, &a),
        ERR_NOT_FOUND);
}

/* exec_sql runs SQL on the file as another writer would (the tagger). */
static void exec_sql(const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static struct search_result search_country(const char *q, const char *cc)
{
    struct search_result r;
    struct search_query sq = {
        .match = query_to_fts(&arena, str_from(q)), .country = cc, .limit = 20};
    assert_int_equal(store_search(st, &arena, &sq, &r), 0);
    return r;
}

/* The filters and facets read search_facets, which triggers keep: saves,
 * the places tagger's rows, a deleted section. */
static void test_filters_follow_writes(void **state)
{
    (void)state;
    /* A save that changes the section, the authors and the year. */
    struct art j = journal[2]; /* economy: Analysis, 2010, two authors */
    j.section = "News";
    j.at = T2004;
    j.authors[0] = "Ana Souza";
    j.authors[1] = NULL;
    assert_int_equal(save(&j), 0);
    assert_true(
        found(search_f("economy", "news", "ana-souza", 2004), "economy"));
    assert_int_equal(search_f("economy", "analysis", NULL, 0).total, 0);
    assert_int_equal(search_f("economy", NULL, "svante-cornell", 0).total, 0);
    assert_int_equal(search_f("economy", NULL, NULL, 2010).total, 0);
    struct search_result r = search("economy");
    assert_int_equal(r.n_authors, 1);
    assert_string_equal(r.authors[0].key, "ana-souza");
    assert_string_equal(r.years[0].key, "2004");

    /* Countries come from the tagger, which writes article_places only. */
    assert_int_equal(search_country("economy", "nz").total, 0);
    exec_sql("INSERT INTO article_places(article_id, kind, code, score, key)"
             " SELECT id, 0, 'nz', 1.0, 7 FROM articles"
             " WHERE slug = 'economy'");
    r = search_country("economy", "nz");
    assert_int_equal(r.total, 1);
    bool nz = false; /* beside what the save's own tagging found */
    for (size_t i = 0; i < r.n_countries; i++)
        nz |= strcmp(r.countries[i].key, "nz") == 0 &&
              r.countries[i].count == 1;
    assert_true(nz);
    exec_sql("DELETE FROM article_places WHERE code = 'nz'");
    assert_int_equal(search_country("economy", "nz").total, 0);

    /* A deleted section leaves its articles without one. */
    exec_sql("DELETE FROM sections WHERE slug = 'news'");
    r = search("economy");
    assert_int_equal(r.total, 1);
    assert_int_equal(r.n_sections, 0);
}

static void test_rollback_leaves_no_row(void **state)
{
    (void)state;
    struct art j = {
        "rolled", "Zanzibar Cloves", NULL, "Spice.", NULL, T2004, {0}, false};
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(save(&j), 0);
    assert_int_equal(search("zanzibar").total, 1); /* seen inside */
    store_rollback(st);
    assert_int_equal(search("zanzibar").total, 0);

    /* The index holds exactly the published articles. */
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT count(*) FROM articles_fts),"
                           " (SELECT count(*) FROM articles WHERE status = 1)",
                           -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), NJOURNAL - 1);
    assert_int_equal(sqlite3_column_int(q, 1), NJOURNAL - 1);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* A database from before migration 4 gets its articles indexed. */
static void test_migration_indexes_old_articles(void **state)
{
    (void)state;
    store_close(st);
    st = NULL;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     UNDO_V_WEBHOOKS UNDO_MIGRATION_IMPORT UNDO_MIGRATION_6
                     "DROP TRIGGER articles_del_fts;"
                     "DROP TABLE articles_fts;"
                     "PRAGMA user_version = 3;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(path, 0, &st), 0);
    assert_true(store_schema_version() >= 6); /* later features add more */
    assert_true(found(search("economies"), "economy"));
    assert_true(found(search("россия"), "russia"));
    assert_int_equal(search("unpublished").total, 0);
    struct search_result r = search("anwar");
    assert_int_equal(r.total, 2); /* bylines were indexed too */
}

static void test_bad_queries(void **state)
{
    (void)state;
    struct search_result r;
    struct search_query q = {.match = "", .limit = 20};
    assert_int_equal(store_search(st, &arena, &q, &r), ERR_INVALID);
    q.match = "\"x\"";
    q.offset = -1;
    assert_int_equal(store_search(st, &arena, &q, &r), ERR_INVALID);
    /* Past the last page: no hits, same total. */
    q.match = query_to_fts(&arena, STR("anwar"));
    q.offset = 40;
    assert_int_equal(store_search(st, &arena, &q, &r), 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.total, 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_ranking),
        T(test_stemming_and_scripts),
        T(test_filters_and_facets),
        T(test_index_follows_writes),
        T(test_filters_follow_writes),
        T(test_rollback_leaves_no_row),
        T(test_migration_indexes_old_articles),
        T(test_bad_queries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
