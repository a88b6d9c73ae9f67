/*
 * public_pages_test.c - the store reads behind feeds and the sitemap:
 * store_articles_fill, store_scope_by_slug, store_public_part and
 * store_public_parts, against a real SQLite file, and the query plans of
 * the sitemap's statements (no table scanned, nothing sorted).
 */
/* Its statements, for their plans: this copy replaces the one in
 * libquire.a, whose object then is never linked. It comes first, as it
 * names the log module. */
#include "store/public_pages.c"

#include "core/arena.h"
#include "core/log.h"
#include "store/store.h"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define TMPDIR_NAME "/tmp/quire-pubpages-XXXXXX"
#include "test_tmpdir.h"
static struct store *db;
static struct arena arena;

static int64_t save(const char *slug, const char *section, const char *issue,
                    const char *const *authors, size_t n_authors,
                    const char *const *tags, size_t n_tags, int64_t when,
                    enum article_status status)
{
    char html[64];
    snprintf(html, sizeof(html), "<p>%s</p>", slug);
    struct article_input in = {
        .slug = slug,
        .title = slug,
        .body_md = slug,
        .body_html = html,
        .status = status,
        .published_at = when,
        .hits = -1,
        .section = section,
        .issue_date = issue,
        .authors = authors,
        .n_authors = n_authors,
        .tags = tags,
        .n_tags = n_tags,
    };
    int64_t id = 0;
    assert_int_equal(store_article_save(db, &in, &id, NULL), 0);
    return id;
}

static int setup(void **state)
{
    if (tmpdir_setup(state) != 0 ||
        store_open(path_of("p.db"), STORE_CREATE, &db) != 0)
        return -1;
    static const char *const ab[] = {"Ann B", "Bo C"};
    static const char *const tags[] = {"Oil", "Gas"};
    /* 2003: one article; 2004: two; a draft that must never show. */
    save("a1", "Field Reports", "2003-05-01", ab, 1, tags, 1, 1051747200,
         ARTICLE_PUBLISHED);
    save("a2", "Field Reports", "2004-06-30", ab, 2, tags, 2, 1088553600,
         ARTICLE_PUBLISHED);
    save("a3", "Analysis", NULL, NULL, 0, NULL, 0, 1088640000,
         ARTICLE_PUBLISHED);
    static const char *const secret[] = {"Secret Author"};
    static const char *const stag[] = {"Secret Tag"};
    save("draft", "Hidden Section", "2005-01-01", secret, 1, stag, 1,
         1104537600, ARTICLE_DRAFT);
    arena_init(&arena, 4096);
    return 0;
}

static int teardown(void **state)
{
    arena_release(&arena);
    store_close(db);
    return tmpdir_teardown(state);
}

static void fill_loads_bodies_and_tags_in_order(void **state)
{
    (void)state;
    struct article *v;
    size_t n;
    int64_t total;
    struct list_query q = {.kind = LIST_ALL, .limit = 20};
    assert_int_equal(store_articles_list(db, &arena, &q, &v, &n, &total), 0);
    assert_int_equal(n, 3);
    assert_null(v[0].body_html);
    assert_int_equal(store_articles_fill(db, &arena, v, n), 0);
    for (size_t i = 0; i < n; i++) {
        char want[64];
        snprintf(want, sizeof(want), "<p>%s</p>", v[i].slug);
        assert_string_equal(v[i].body_html, want);
    }
    assert_string_equal(v[0].slug, "a3");
    assert_int_equal(v[0].n_tags, 0);
    assert_string_equal(v[1].slug, "a2");
    assert_int_equal(v[1].n_tags, 2);
    assert_string_equal(v[1].tags[0].name, "Oil");
    assert_string_equal(v[1].tags[1].name, "Gas");
    assert_string_equal(v[1].tags[1].slug, "gas");
    assert_int_equal(v[2].n_tags, 1);
    /* Authors from the list stay. */
    assert_int_equal(v[1].n_authors, 2);

    assert_int_equal(store_articles_fill(db, &arena, v, 0), 0);
    assert_int_equal(store_articles_fill(db, &arena, v, STORE_FILL_MAX + 1),
                     ERR_INVALID);
    /* An article that is gone keeps no body and no tags. */
    struct article ghost = {.id = 999999, .body_html = "stale"};
    assert_int_equal(store_articles_fill(db, &arena, &ghost, 1), 0);
    assert_null(ghost.body_html);
    assert_int_equal(ghost.n_tags, 0);
}

static void scopes_are_found_by_slug(void **state)
{
    (void)state;
    struct list_scope sc;
    assert_int_equal(store_scope_by_slug(db, &arena, LIST_SECTION,
                                         STR("field-reports"), &sc),
                     0);
    assert_int_equal(sc.kind, LIST_SECTION);
    assert_string_equal(sc.name, "Field Reports");
    assert_true(sc.id > 0);
    assert_int_equal(
        store_scope_by_slug(db, &arena, LIST_AUTHOR, STR("bo-c"), &sc), 0);
    assert_string_equal(sc.name, "Bo C");
    assert_int_equal(store_scope_by_slug(db, &arena, LIST_TAG, STR("gas"), &sc),
                     0);
    assert_string_equal(sc.slug, "gas");
    struct article *v;
    size_t n;
    struct list_query q = {.kind = LIST_TAG, .id = sc.id, .limit = 20};
    assert_int_equal(store_articles_list(db, &arena, &q, &v, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].slug, "a2");

    assert_int_equal(
        store_scope_by_slug(db, &arena, LIST_TAG, STR("nope"), &sc),
        ERR_NOT_FOUND);
    assert_int_equal(
        store_scope_by_slug(db, &arena, LIST_SECTION, STR("oil"), &sc),
        ERR_NOT_FOUND);
    assert_int_equal(store_scope_by_slug(db, &arena, LIST_ISSUE, STR("x"), &sc),
                     ERR_INVALID);
}

static void public_pages_list_what_is_published(void **state)
{
    (void)state;
    struct public_page *p;
    size_t n;
    assert_int_equal(store_public_part(db, &arena, 1000, 1, &p, &n), 0);
    /* By source, then by id (the order the rows were made in); a list's
     * lastmod is when its newest article was published. */
    static const struct {
        enum public_kind kind;
        const char *key;
        int64_t lastmod; /* -1: an article's updated_at, checked below */
    } want[] = {
        {PUBLIC_HOME, NULL, 1088640000},
        {PUBLIC_ISSUES, NULL, 1088640000},
        {PUBLIC_AUTHORS, NULL, 1088640000},
        {PUBLIC_TAGS, NULL, 1088640000},
        {PUBLIC_ARCHIVE, NULL, 1088640000},
        {PUBLIC_SECTION, "field-reports", 1088553600},
        {PUBLIC_SECTION, "analysis", 1088640000},
        /* the draft's section exists, so its page does (empty, no date) */
        {PUBLIC_SECTION, "hidden-section", 0},
        {PUBLIC_ISSUE, "2003-05-01", 1051747200},
        {PUBLIC_ISSUE, "2004-06-30", 1088553600},
        {PUBLIC_AUTHOR, "ann-b", 1088553600},
        {PUBLIC_AUTHOR, "bo-c", 1088553600},
        {PUBLIC_TAG, "oil", 1088553600},
        {PUBLIC_TAG, "gas", 1088553600},
        {PUBLIC_YEAR, "2003", 1051747200},
        {PUBLIC_YEAR, "2004", 1088640000},
        {PUBLIC_ARTICLE, "a1", -1},
        {PUBLIC_ARTICLE, "a2", -1},
        {PUBLIC_ARTICLE, "a3", -1},
    };
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(p[i].kind, want[i].kind);
        if (want[i].key)
            assert_string_equal(p[i].key, want[i].key);
        else
            assert_null(p[i].key);
        if (want[i].lastmod >= 0)
            assert_int_equal(p[i].lastmod, want[i].lastmod);
        else
            assert_true(p[i].lastmod > 0);
    }
    struct public_part *c;
    assert_int_equal(store_public_parts(db, &arena, 1000, &c, &n), 0);
    assert_int_equal(n, 1);
    int64_t newest = 0; /* the part's, where an article is in it */
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (p[i].lastmod > newest)
            newest = p[i].lastmod;
    assert_true(c[0].lastmod == 0 || c[0].lastmod == newest);

    assert_int_equal(store_public_part(db, &arena, 1000, 2, &p, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_public_part(db, &arena, 0, 1, &p, &n), ERR_INVALID);
    assert_int_equal(store_public_part(db, &arena, 10, 0, &p, &n), ERR_INVALID);
}

/* Cut at every size, the parts hold every page once, none is empty or
 * over size, and a lastmod given is the part's newest. */
static void parts_agree_with_pages(void **state)
{
    (void)state;
    struct public_page *all;
    size_t total;
    assert_int_equal(store_public_part(db, &arena, 1000, 1, &all, &total), 0);
    for (int64_t size = 1; size <= 21; size++) {
        struct public_part *c;
        size_t n;
        assert_int_equal(store_public_parts(db, &arena, size, &c, &n), 0);
        assert_true(n >= (total + (size_t)size - 1) / (size_t)size);
        size_t seen = 0;
        for (size_t i = 0; i < n; i++) {
            struct public_page *p;
            size_t m;
            assert_int_equal(
                store_public_part(db, &arena, size, (int64_t)i + 1, &p, &m), 0);
            assert_true(m >= 1 && m <= (size_t)size);
            int64_t newest = 0;
            for (size_t k = 0; k < m; k++) {
                /* the same pages, in the same order, cut anywhere */
                assert_true(seen + k < total);
                assert_int_equal(p[k].kind, all[seen + k].kind);
                if (all[seen + k].key)
                    assert_string_equal(p[k].key, all[seen + k].key);
                if (p[k].lastmod > newest)
                    newest = p[k].lastmod;
            }
            assert_true(c[i].lastmod == 0 || c[i].lastmod == newest);
            seen += m;
        }
        assert_int_equal(seen, total);
        struct public_page *p;
        size_t m;
        assert_int_equal(
            store_public_part(db, &arena, size, (int64_t)n + 1, &p, &m), 0);
        assert_int_equal(m, 0);
    }
    /* The part with the home page and no articles has its date. */
    struct public_part *c;
    size_t n;
    assert_int_equal(store_public_parts(db, &arena, 16, &c, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(c[0].lastmod, 1088640000);
    assert_int_equal(c[1].lastmod, 0);
    assert_int_equal(store_public_parts(db, &arena, 0, &c, &n), ERR_INVALID);
}

/* plan_ok tells whether sql's plan reads every table through an index
 * (or its rowid) and sorts nothing; it prints the plan if not. */
static bool plan_ok(sqlite3 *h, const char *sql)
{
    char q[4096];
    snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
    bool ok = true;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(st, 3);
        bool scan = strncmp(d, "SCAN ", 5) == 0 &&
                    strcmp(d, "SCAN CONSTANT ROW") != 0 &&
                    strcmp(d, "SCAN keys") != 0 && /* a recursive CTE */
                    strncmp(d, "SCAN (subquery", 14) != 0;
        if (scan || strstr(d, "TEMP B-TREE") || strstr(d, "AUTOMATIC")) {
            fprintf(stderr, "%s\n  %s\n", sql, d);
            ok = false;
        }
    }
    sqlite3_finalize(st);
    return ok;
}

static void plans_read_indexes_only(void **state)
{
    (void)state;
    sqlite3 *h;
    assert_int_equal(
        sqlite3_open_v2(path_of("p.db"), &h, SQLITE_OPEN_READONLY, NULL),
        SQLITE_OK);
    bool ok = plan_ok(h, "SELECT " NEWEST_PUBLISHED);
    for (int i = 0; i < SRC_N; i++) {
        ok &= plan_ok(h, sources[i].pages);
        ok &= plan_ok(h, sources[i].last);
    }
    sqlite3_close(h);
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fill_loads_bodies_and_tags_in_order),
        cmocka_unit_test(scopes_are_found_by_slug),
        cmocka_unit_test(public_pages_list_what_is_published),
        cmocka_unit_test(parts_agree_with_pages),
        cmocka_unit_test(plans_read_indexes_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
