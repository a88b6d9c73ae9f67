/*
 * editorial_assembly_test.c - the editors' store functions for issues,
 * authors and sections (src/store/editorial_assembly.c): counts that
 * include drafts, the hand-made order of an issue and the public table of
 * contents following it, deletes refused while articles remain, sections
 * created, changed and deleted, the change log they feed; and a user's
 * TOTP steps, each taken once (the V_ASSEMBLY migration's other part).
 */
#include "core/arena.h"
#include "core/log.h"
#include "store/accounts.h"
#include "store/editorial.h"
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

#define TMPDIR_NAME "/tmp/quire-assembly-XXXXXX"
#include "test_sql.h"
#include "test_tmpdir.h"

static struct store *open_fresh(const char *name)
{
    struct store *s;
    assert_int_equal(store_open(path_of(name), STORE_CREATE, &s), 0);
    return s;
}

/* save makes an article; returns its id. */
static int64_t save(struct store *s, const char *title, const char *section,
                    const char *issue, const char *author, bool published,
                    int64_t at)
{
    const char *authors[] = {author};
    struct edit_article e = {
        .title = title,
        .body_md = "Body.\n",
        .section = section,
        .issue = issue,
        .authors = authors,
        .n_authors = author ? 1 : 0,
        .status = published ? EDIT_PUBLISHED : EDIT_DRAFT,
        .publish_at = at,
    };
    int64_t id = 0, rev = 0;
    assert_int_equal(store_edit_save(s, &e, 0, "test", &id, &rev), 0);
    return id;
}

static void toc_is(struct store *s, int64_t issue_id, const int64_t *want,
                   size_t n)
{
    struct arena a;
    arena_init(&a, 4096);
    struct article *l;
    size_t got;
    int64_t total;
    assert_int_equal(store_issue_toc(s, &a, issue_id, 50, 0, &l, &got, &total),
                     0);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(l[i].id, want[i]);
    arena_release(&a);
}

static void issue_order_and_toc(void **state)
{
    (void)state;
    struct store *s = open_fresh("order.db");
    struct arena a;
    arena_init(&a, 4096);
    int64_t at = 1100000000; /* 2004 */
    int64_t x1 = save(s, "One", "Analysis", "2004-11-01", "A", true, at);
    int64_t x2 = save(s, "Two", "Analysis", "2004-11-01", "A", true, at + 60);
    int64_t x3 =
        save(s, "Three", "Analysis", "2004-11-01", "A", true, at + 120);
    int64_t f1 = save(s, "Field", "Field", "2004-11-01", "B", true, at + 1);
    int64_t d1 = save(s, "Draft", "Analysis", "2004-11-01", "B", false, at);
    struct edit_issue is;
    assert_int_equal(store_edit_issue(s, &a, 0, "2004-11-01", &is), 0);
    assert_int_equal(is.articles, 5);
    assert_int_equal(is.published, 4);
    struct edit_issue by_id;
    assert_int_equal(store_edit_issue(s, &a, is.id, NULL, &by_id), 0);
    assert_string_equal(by_id.date, "2004-11-01");
    assert_int_equal(store_edit_issue(s, &a, 0, "2004-11-02", &by_id),
                     ERR_NOT_FOUND);

    /* by publication first; sections in the journal's order */
    int64_t before[] = {x1, x2, x3, f1};
    toc_is(s, is.id, before, 4);

    int64_t order[] = {x3, x1, x2};
    assert_int_equal(store_edit_issue_order(s, is.id, order, 3), 0);
    int64_t after[] = {x3, x1, x2, f1};
    toc_is(s, is.id, after, 4);
    struct edit_issue_article *l;
    size_t n;
    assert_int_equal(store_edit_issue_articles(s, &a, is.id, &l, &n), 0);
    assert_int_equal(n, 5);
    /* placed first, then the unplaced draft; Field's section after */
    assert_int_equal(l[0].id, x3);
    assert_int_equal(l[0].position, 1);
    assert_int_equal(l[2].id, x2);
    assert_int_equal(l[3].id, d1);
    assert_int_equal(l[3].position, 0);
    assert_int_equal(l[3].status, EDIT_DRAFT);
    assert_int_equal(l[4].id, f1);
    assert_string_equal(l[4].section, "Field");

    /* an article of another issue: refused, nothing changes */
    int64_t other = save(s, "Other", "Analysis", "2004-12-01", "A", true, at);
    int64_t bad[] = {x1, other};
    assert_int_equal(store_edit_issue_order(s, is.id, bad, 2), ERR_INVALID);
    toc_is(s, is.id, after, 4);

    /* the order names the issue in the change log (the page cache) */
    sql_exec(path_of("order.db"), "DELETE FROM changes");
    int64_t again[] = {x1, x2, x3};
    assert_int_equal(store_edit_issue_order(s, is.id, again, 3), 0);
    assert_true(sql_int(path_of("order.db"),
                        "SELECT count(*) FROM changes WHERE name = 'issue:' ||"
                        " (SELECT id FROM issues WHERE date = '2004-11-01')") >
                0);

    /* title set and cleared */
    assert_int_equal(store_edit_issue_title(s, is.id, "November"), 0);
    assert_int_equal(store_edit_issue(s, &a, is.id, NULL, &by_id), 0);
    assert_string_equal(by_id.title, "November");
    assert_int_equal(store_edit_issue_title(s, is.id, ""), 0);
    assert_int_equal(store_edit_issue(s, &a, is.id, NULL, &by_id), 0);
    assert_null(by_id.title);
    assert_int_equal(store_edit_issue_title(s, 999, "x"), ERR_NOT_FOUND);

    /* the list counts drafts-only issues too */
    int64_t iid;
    assert_int_equal(store_issue_create(s, "2005-01-01", NULL, &iid), 0);
    struct edit_issue *all;
    assert_int_equal(store_edit_issues(s, &a, &all, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(all[0].date, "2005-01-01");
    assert_int_equal(all[0].articles, 0);

    /* delete: only an empty issue */
    assert_int_equal(store_edit_issue_delete(s, is.id), ERR_CONFLICT);
    assert_int_equal(store_edit_issue_delete(s, iid), 0);
    assert_int_equal(store_edit_issue_delete(s, iid), ERR_NOT_FOUND);
    arena_release(&a);
    store_close(s);
}

static void authors_delete_only_unused(void **state)
{
    (void)state;
    struct store *s = open_fresh("authors.db");
    struct arena a;
    arena_init(&a, 4096);
    int64_t x = save(s, "By Kim", "Analysis", NULL, "Kim Writer", false, 0);
    struct edit_author *l;
    size_t n;
    assert_int_equal(store_edit_authors(s, &a, &l, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(l[0].articles, 1);
    struct edit_author au;
    assert_int_equal(store_edit_author(s, &a, l[0].id, &au), 0);
    assert_string_equal(au.name, "Kim Writer");
    assert_string_equal(au.slug, "kim-writer");
    assert_int_equal(store_edit_author_delete(s, au.id), ERR_CONFLICT);
    assert_int_equal(store_edit_author(s, &a, au.id, &au), 0);
    assert_int_equal(store_edit_delete(s, x), 0);
    assert_int_equal(store_edit_author_delete(s, au.id), 0);
    assert_int_equal(store_edit_author(s, &a, au.id, &au), ERR_NOT_FOUND);
    assert_int_equal(store_edit_author_delete(s, au.id), ERR_NOT_FOUND);
    arena_release(&a);
    store_close(s);
}

static void sections_add_set_delete(void **state)
{
    (void)state;
    struct store *s = open_fresh("sections.db");
    struct arena a;
    arena_init(&a, 4096);
    int64_t first, second;
    struct edit_section in = {.name = "Field Reports"};
    assert_int_equal(store_edit_section_add(s, &in, &first), 0);
    in = (struct edit_section){.name = "Analytical Articles",
                               .slug = "analysis",
                               .description = "Long pieces."};
    assert_int_equal(store_edit_section_add(s, &in, &second), 0);
    struct edit_section *l;
    size_t n;
    assert_int_equal(store_edit_sections(s, &a, &l, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(l[0].slug, "field-reports");
    assert_int_equal(l[0].position, 1);
    assert_string_equal(l[1].slug, "analysis");
    assert_string_equal(l[1].description, "Long pieces.");
    assert_int_equal(l[1].position, 2);
    /* taken name or slug */
    in = (struct edit_section){.name = "Field Reports"};
    assert_int_equal(store_edit_section_add(s, &in, NULL), ERR_EXISTS);
    in = (struct edit_section){.name = "Other", .slug = "analysis"};
    assert_int_equal(store_edit_section_add(s, &in, NULL), ERR_EXISTS);
    in = (struct edit_section){.name = ""};
    assert_int_equal(store_edit_section_add(s, &in, NULL), ERR_INVALID);
    /* move Analysis first, clear its description, rename */
    struct edit_section ch = {
        .name = "Analysis", .description = "", .position = 0};
    assert_int_equal(store_edit_section_set(s, second, &ch), 0);
    ch = (struct edit_section){.position = 1};
    assert_int_equal(store_edit_section_set(s, second, &ch), 0);
    ch = (struct edit_section){.position = 3};
    assert_int_equal(store_edit_section_set(s, first, &ch), 0);
    assert_int_equal(store_edit_sections(s, &a, &l, &n), 0);
    assert_string_equal(l[0].name, "Analysis");
    assert_null(l[0].description);
    assert_string_equal(l[1].name, "Field Reports");
    ch = (struct edit_section){.slug = "field-reports"};
    assert_int_equal(store_edit_section_set(s, second, &ch), ERR_EXISTS);
    assert_int_equal(store_edit_section_set(s, 999, &ch), ERR_NOT_FOUND);
    /* delete: only without articles */
    int64_t x = save(s, "Filed", "Analysis", NULL, NULL, false, 0);
    assert_int_equal(store_edit_section_delete(s, second), ERR_CONFLICT);
    assert_int_equal(store_edit_delete(s, x), 0);
    assert_int_equal(store_edit_section_delete(s, second), 0);
    assert_int_equal(store_edit_section_delete(s, second), ERR_NOT_FOUND);
    struct edit_section one;
    assert_int_equal(store_edit_section(s, &a, first, &one), 0);
    assert_string_equal(one.name, "Field Reports");
    arena_release(&a);
    store_close(s);
}

/* A TOTP step is taken once; later steps only; a new secret starts over. */
static void totp_steps_are_used_once(void **state)
{
    (void)state;
    struct store *s = open_fresh("totp.db");
    int64_t uid;
    assert_int_equal(store_user_add(s, "t@example.org", "T", "editor",
                                    "$argon2id$x", 1, &uid),
                     0);
    assert_int_equal(store_user_totp_use(s, uid, 100), 0);
    assert_int_equal(store_user_totp_use(s, uid, 100), ERR_CONFLICT);
    assert_int_equal(store_user_totp_use(s, uid, 99), ERR_CONFLICT);
    assert_int_equal(store_user_totp_use(s, uid, 101), 0);
    assert_int_equal(store_user_totp_use(s, uid + 1, 500), ERR_CONFLICT);
    assert_int_equal(store_user_set_totp(s, uid, "ABC", NULL, 0, 2), 0);
    assert_int_equal(store_user_totp_use(s, uid, 50), 0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(issue_order_and_toc),
        cmocka_unit_test(authors_delete_only_unused),
        cmocka_unit_test(sections_add_set_delete),
        cmocka_unit_test(totp_steps_are_used_once),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
