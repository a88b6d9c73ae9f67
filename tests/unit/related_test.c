/*
 * related_test.c - store_articles_related against a real SQLite file:
 * the ranking (shared tags, then section, then recency), the exclusions
 * (itself, drafts, unrelated articles) and the bylines.
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
#include <unistd.h>
#include <cmocka.h>

#define TMPDIR_NAME "/tmp/quire-related-XXXXXX"
#include "test_tmpdir.h"

static struct store *store;
static struct arena arena;

struct row {
    const char *slug;
    const char *section;
    int64_t day; /* published on day N */
    enum article_status status;
    const char *tags[3];
    const char *authors[2];
};

static const struct row rows[] = {
    {"me", "Field Reports", 10, ARTICLE_PUBLISHED, {"russia", "pakistan",
     "gas"}, {"Zahid Anwar"}},
    {"two-tags-old", "Other", 1, ARTICLE_PUBLISHED, {"russia", "pakistan"},
     {"A One", "B Two"}},
    {"three-tags-draft", "Field Reports", 11, ARTICLE_DRAFT,
     {"russia", "pakistan", "gas"}},
    {"one-tag-same-section", "Field Reports", 2, ARTICLE_PUBLISHED,
     {"gas"}},
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

static int setup(void **state)
{
    if (tmpdir_setup(state) != 0 ||
        store_open(path_of("related.db"), STORE_CREATE, &store) != 0)
        return -1;
    for (size_t i = 0; i < NROWS; i++) {
        struct article_input in = {
            .slug = rows[i].slug,
            .title = rows[i].slug,
            .status = rows[i].status,
            .published_at = rows[i].day * 86400,
            .hits = -1,
            .section = rows[i].section,
            .tags = rows[i].tags,
            .n_tags = (size_t)count(rows[i].tags, 3),
            .authors = rows[i].authors,
            .n_authors = (size_t)count(rows[i].authors, 2),
        };
        if (store_article_save(store, &in, &ids[i], NULL) != 0)
            return -1;
    }
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
    assert_int_equal(store_articles_related(store, &arena, ids[0], 8, &v, &n),
                     0);
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
    assert_int_equal(v[1].n_authors, 0);
    assert_string_equal(v[1].section.name, "Field Reports");
}

static void test_limit_cuts_the_ranked_list(void **state)
{
    (void)state;
    struct article *v;
    size_t n;
    assert_int_equal(store_articles_related(store, &arena, ids[0], 5, &v, &n),
                     0);
    assert_int_equal(n, 5);
    assert_string_equal(v[4].slug, "section-only-new");
    assert_int_equal(store_articles_related(store, &arena, ids[0], 1, &v, &n),
                     0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].slug, "two-tags-old");
    assert_int_equal(store_articles_related(store, &arena, ids[0], 0, &v, &n),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(store_articles_related(store, &arena, ids[0], 9, &v, &n),
                     ERR_INVALID);
    assert_int_equal(store_articles_related(store, &arena, ids[0], -1, &v, &n),
                     ERR_INVALID);
}

static void test_nothing_related(void **state)
{
    (void)state;
    struct article *v;
    size_t n;
    /* "unrelated" shares its section "Other" only. */
    assert_int_equal(
        store_articles_related(store, &arena, ids[NROWS - 1], 8, &v, &n), 0);
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(v[i].slug, "unrelated");
        assert_string_equal(v[i].section.name, "Other");
    }
    assert_int_equal(n, 3);
    /* An id that does not exist has nothing related, and no error. */
    assert_int_equal(store_articles_related(store, &arena, 999999, 5, &v, &n),
                     0);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_limit_cuts_the_ranked_list),
        cmocka_unit_test(test_nothing_related),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
