/*
 * stmt_test.c - the store's statement cache stays well below its first
 * size after the whole public site has run: an export renders every page
 * kind (home, sections, issues, authors, tags, archive, feeds, sitemap,
 * search data, related articles), with the CLI's writes before it. The
 * cache grows rather than fail, but a count near SDB_STMT_SLOTS / 2 means
 * the store has grown a lot of statements: look before raising the bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "io/export_static.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define TMPDIR_NAME "/tmp/quire-stmt-XXXXXX"
#include "test_tmpdir.h"

/* Well below the cache's first size (256): other features will add many. */
#define STMT_BOUND 160

static void test_statements_well_below_slots(void **state)
{
    (void)state;
    struct store *s = NULL;
    assert_int_equal(store_open(path_of("j.db"), STORE_CREATE, &s), 0);
    static const char *const sections[] = {"Analysis", "Field Reports"};
    static const char *const tags[] = {"Caspian", "Energy", "Trade"};
    for (int i = 0; i < 24; i++) {
        char slug[32], title[64], issue[16];
        snprintf(slug, sizeof(slug), "a-%d", i);
        snprintf(title, sizeof(title), "Article %d", i);
        snprintf(issue, sizeof(issue), "2004-0%d-15", 1 + i % 6);
        const char *authors[] = {i % 2 ? "Ann Lee" : "Bo Chen", "Cy Dane"};
        struct article_input in = {.slug = slug,
                                   .title = title,
                                   .summary = "Summary.",
                                   .body_md = "Body.",
                                   .body_html = "<p>Body.</p>",
                                   .status = ARTICLE_PUBLISHED,
                                   .published_at = 1072915200 +
                                                   (int64_t)i * 86400 * 20,
                                   .hits = i,
                                   .section = sections[i % 2],
                                   .issue_date = issue,
                                   .authors = authors,
                                   .n_authors = 1 + (size_t)(i % 2),
                                   .tags = &tags[i % 3],
                                   .n_tags = 1};
        int64_t id;
        assert_int_equal(store_article_save(s, &in, &id, NULL), 0);
    }
    int64_t id;
    assert_int_equal(store_link_add(s, "Site", "https://example.org/", &id), 0);
    assert_int_equal(store_setting_set(s, "name", "Journal"), 0);

    struct export_opts o = {.dir = path_of("out"),
                            .theme_dir = "theme/default",
                            .base_url = "https://journal.example",
                            .threads = 2,
                            .err = fopen("/dev/null", "w")};
    struct export_report rep;
    char err[512] = "";
    int rc = export_static(s, &o, &rep, err, sizeof(err));
    fclose(o.err);
    assert_int_equal(rc, 0);
    assert_true(rep.files > 50);

    size_t n = store_statements(s);
    fprintf(stderr, "statements on the busiest connection: %zu of %d\n", n,
            STMT_BOUND);
    assert_true(n > 20); /* the export really ran through the store */
    assert_true(n < STMT_BOUND);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statements_well_below_slots),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
