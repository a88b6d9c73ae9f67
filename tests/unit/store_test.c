/*
 * store_test.c - the store against real SQLite files in a temp dir.
 *
 * Each test opens its own database file, so tests do not depend on each
 * other's rows. The test reaches into the file with sqlite3 directly only to
 * fake databases the store must refuse.
 */
#include "core/arena.h"
#include "core/log.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#define TMPDIR_NAME "/tmp/quire-store-XXXXXX"
#include "test_sql.h"
#include "test_tmpdir.h"

static struct store *open_new(const char *name)
{
    struct store *s = NULL;
    assert_int_equal(store_open(path_of(name), STORE_CREATE, &s), 0);
    assert_non_null(s);
    return s;
}

/* recent: the home (section 0) or a section's list, as site/ asks. */
static int recent(struct store *s, struct arena *a, int64_t section_id,
                  int limit, int offset, struct article **out, size_t *n,
                  int64_t *total)
{
    struct list_query q = {.kind = section_id ? LIST_SECTION : LIST_ALL,
                           .id = section_id,
                           .limit = limit,
                           .offset = offset};
    return store_articles_list(s, a, &q, out, n, total);
}

/* save is store_article_save with the common fields. */
static int64_t save(struct store *s, const char *slug, const char *base,
                    const char *source, const char *title, const char *section,
                    int64_t published_at, bool *created)
{
    struct article_input in = {
        .slug = slug,
        .slug_base = base,
        .source = source,
        .title = title,
        .body_md = "Body.",
        .body_html = "<p>Body.</p>",
        .status = ARTICLE_PUBLISHED,
        .published_at = published_at,
        .hits = -1,
        .section = section,
    };
    int64_t id = 0;
    assert_int_equal(store_article_save(s, &in, &id, created), 0);
    assert_true(id > 0);
    return id;
}

/* --- opening ------------------------------------------------------- */

static void test_open_create_reopen(void **state)
{
    (void)state;
    struct store *s = NULL;
    assert_int_equal(store_open(path_of("missing.db"), 0, &s), ERR_NOT_FOUND);
    assert_null(s);
    assert_non_null(strstr(store_last_error(), "missing.db"));

    s = open_new("open.db");
    /* Other features append migrations: at least the readers' six. */
    assert_true(store_schema_version() >= 6);
    assert_int_equal(store_setting_set(s, "name", "The Analyst"), 0);
    store_close(s);
    char path[700];
    snprintf(path, sizeof(path), "%s", path_of("open.db"));
    assert_int_equal(sql_int(path, "PRAGMA user_version"),
                     store_schema_version());
    assert_int_equal(sql_int(path, "SELECT count(*) FROM pragma_journal_mode"
                                   " WHERE journal_mode = 'wal'"),
                     1);

    assert_int_equal(store_open(path, 0, &s), 0);
    struct arena a;
    arena_init(&a, 1024);
    const char *v = NULL;
    assert_int_equal(store_setting_get(s, &a, "name", &v), 0);
    assert_string_equal(v, "The Analyst");
    arena_release(&a);
    store_close(s);
    store_close(NULL);
}

static void test_open_refuses(void **state)
{
    (void)state;
    struct store *s = NULL;
    char path[700];

    /* Not SQLite at all. */
    snprintf(path, sizeof(path), "%s", path_of("garbage.db"));
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database, just text. ", f);
    fclose(f);
    assert_int_equal(store_open(path, 0, &s), ERR_DB);
    assert_null(s);
    assert_non_null(strstr(store_last_error(), "not a database"));
    assert_int_equal(store_open(path, STORE_CREATE, &s), ERR_DB);

    /* A newer schema than this program knows. */
    s = open_new("newer.db");
    store_close(s);
    snprintf(path, sizeof(path), "%s", path_of("newer.db"));
    sql_exec(path, "PRAGMA user_version = 99");
    assert_int_equal(store_open(path, 0, &s), ERR_DB);
    assert_null(s);
    assert_non_null(strstr(store_last_error(), "newer"));

    /* Somebody else's SQLite database. */
    snprintf(path, sizeof(path), "%s", path_of("other.db"));
    sql_exec(path, "CREATE TABLE t(x); INSERT INTO t VALUES (1)");
    assert_int_equal(store_open(path, 0, &s), ERR_DB);
    assert_non_null(strstr(store_last_error(), "not a Quire database"));
    assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master"), 1);

    assert_int_equal(store_open("", STORE_CREATE, &s), ERR_INVALID);
}

/* --- settings ------------------------------------------------------ */

/* A held read sees one snapshot: a write in between shows after release. */
static void test_read_hold(void **state)
{
    (void)state;
    struct store *s = open_new("hold.db");
    struct arena a;
    arena_init(&a, 1024);
    const char *v;
    assert_int_equal(store_setting_set(s, "name", "Before"), 0);
    store_read_hold(s);
    assert_int_equal(store_setting_get(s, &a, "name", &v), 0);
    assert_string_equal(v, "Before");
    assert_int_equal(store_setting_set(s, "name", "After"), 0);
    store_read_hold(s); /* nested: still the same snapshot */
    assert_int_equal(store_setting_get(s, &a, "name", &v), 0);
    assert_string_equal(v, "Before");
    store_read_release(s);
    assert_int_equal(store_setting_get(s, &a, "name", &v), 0);
    assert_string_equal(v, "Before");
    store_read_release(s);
    assert_int_equal(store_setting_get(s, &a, "name", &v), 0);
    assert_string_equal(v, "After");
    store_read_release(s); /* one too many is harmless */
    assert_int_equal(store_setting_get(s, &a, "name", &v), 0);
    assert_string_equal(v, "After");
    arena_release(&a);
    store_close(s);
}

/*
 * store_read_memo: in a held snapshot, store_article_by_slug answers a
 * repeated slug from memory. What it answers must be what SQLite would:
 * the slug asked for, drafts only when asked for, the caller's own copy
 * (still whole after the memo moves on: ASan poisons a reset arena), a
 * write transaction's own writes, and after the hold, the new data.
 */
static void test_read_memo(void **state)
{
    (void)state;
    struct store *s = open_new("memo.db");
    struct arena a;
    arena_init(&a, 1024);
    const char *authors[] = {"Svante E. Cornell", "S. Frederick Starr"};
    const char *tags[] = {"Georgia", "Oil"};
    struct article_input in = {
        .slug = "one",
        .title = "One",
        .body_md = "Body one.",
        .body_html = "<p>Body one.</p>",
        .status = ARTICLE_PUBLISHED,
        .published_at = 1000,
        .hits = -1,
        .section = "News",
        .issue_date = "2004-06-30",
        .authors = authors,
        .n_authors = 2,
        .tags = tags,
        .n_tags = 2,
    };
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    in = (struct article_input){
        .slug = "two", .title = "Two", .status = ARTICLE_PUBLISHED, .hits = -1};
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    in = (struct article_input){
        .slug = "draft", .title = "Draft", .status = ARTICLE_DRAFT, .hits = -1};
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);

    store_read_memo(s); /* no hold: nothing to remember for */
    store_read_hold(s);
    store_read_memo(s);
    struct article one, again, two;
    assert_int_equal(store_article_by_slug(s, &a, STR("one"), false, &one), 0);
    assert_int_equal(store_article_by_slug(s, &a, STR("one"), false, &again),
                     0);
    assert_int_equal(again.id, one.id);
    assert_ptr_not_equal(again.title, one.title); /* a copy of its own */
    assert_string_equal(again.title, "One");
    assert_string_equal(again.body_html, "<p>Body one.</p>");
    assert_null(again.summary);
    assert_string_equal(again.section.name, "News");
    assert_string_equal(again.issue.date, "2004-06-30");
    assert_int_equal(again.n_authors, 2);
    assert_string_equal(again.authors[1].name, "S. Frederick Starr");
    assert_int_equal(again.n_tags, 2);
    assert_string_equal(again.tags[1].name, "Oil");
    /* another slug replaces it; the copies handed out stay whole */
    assert_int_equal(store_article_by_slug(s, &a, STR("two"), false, &two), 0);
    assert_string_equal(two.title, "Two");
    assert_int_equal(two.n_authors, 0);
    assert_null(two.section.name);
    assert_string_equal(again.authors[0].name, "Svante E. Cornell");
    assert_string_equal(one.tags[0].name, "Georgia");
    /* a draft read with drafts is not an answer without them */
    struct article d;
    assert_int_equal(store_article_by_slug(s, &a, STR("draft"), true, &d), 0);
    assert_int_equal(store_article_by_slug(s, &a, STR("draft"), false, &d),
                     ERR_NOT_FOUND);
    /* a write transaction reads its own writes, not the memo */
    assert_int_equal(store_article_by_slug(s, &a, STR("two"), false, &two), 0);
    assert_int_equal(store_begin(s), 0);
    in = (struct article_input){.slug = "two",
                                .title = "Two, revised",
                                .status = ARTICLE_PUBLISHED,
                                .hits = -1};
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    assert_int_equal(store_article_by_slug(s, &a, STR("two"), false, &two), 0);
    assert_string_equal(two.title, "Two, revised");
    assert_int_equal(store_commit(s), 0);
    /* the held snapshot (and its memo) still shows the old one */
    assert_int_equal(store_article_by_slug(s, &a, STR("two"), false, &two), 0);
    assert_string_equal(two.title, "Two");
    store_read_release(s);
    /* the hold is over: the memo went with it */
    assert_int_equal(store_article_by_slug(s, &a, STR("two"), false, &two), 0);
    assert_string_equal(two.title, "Two, revised");
    arena_release(&a);
    store_close(s);
}

/*
 * A reader remembers an issue's table of contents (its sections' counts)
 * while the database stays as it was: every write, by this store's writer
 * or by another process, shows on the next read; a held snapshot keeps
 * showing its moment.
 */
static void test_issue_toc_follows_writes(void **state)
{
    (void)state;
    struct store *s = open_new("toc.db");
    struct store *other = NULL;
    assert_int_equal(store_open(path_of("toc.db"), 0, &other), 0);
    struct arena a;
    arena_init(&a, 1024);
    struct article_input in = {
        .slug = "b1",
        .title = "B1",
        .status = ARTICLE_PUBLISHED,
        .published_at = 1000,
        .hits = -1,
        .section = "Beta",
        .issue_date = "2004-06-30",
    };
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    struct issue is;
    assert_int_equal(store_issue_by_date(s, &a, STR("2004-06-30"), &is), 0);
    struct article *v;
    size_t n;
    int64_t total;
    for (int i = 0; i < 2; i++) { /* the second is remembered */
        assert_int_equal(store_issue_toc(s, &a, is.id, 10, 0, &v, &n, &total),
                         0);
        assert_int_equal(total, 1);
        assert_int_equal(n, 1);
    }
    /* this store's own write */
    in.slug = "b2";
    in.title = "B2";
    in.published_at = 2000;
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    assert_int_equal(store_issue_toc(s, &a, is.id, 10, 0, &v, &n, &total), 0);
    assert_int_equal(total, 2);
    assert_string_equal(v[1].slug, "b2");
    /* another process's write, in a section that comes first */
    in = (struct article_input){
        .slug = "u1",
        .title = "U1",
        .status = ARTICLE_PUBLISHED,
        .published_at = 500,
        .hits = -1,
        .issue_date = "2004-06-30",
    };
    assert_int_equal(store_article_save(other, &in, NULL, NULL), 0);
    store_read_hold(s);
    assert_int_equal(store_issue_toc(s, &a, is.id, 10, 0, &v, &n, &total), 0);
    assert_int_equal(total, 3);
    assert_string_equal(v[2].slug, "u1"); /* unfiled come last */
    in.slug = "u2";
    in.title = "U2";
    assert_int_equal(store_article_save(other, &in, NULL, NULL), 0);
    assert_int_equal(store_issue_toc(s, &a, is.id, 10, 0, &v, &n, &total), 0);
    assert_int_equal(total, 3); /* the held snapshot */
    store_read_release(s);
    assert_int_equal(store_issue_toc(s, &a, is.id, 10, 1, &v, &n, &total), 0);
    assert_int_equal(total, 4);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].slug, "b2");
    arena_release(&a);
    store_close(other);
    store_close(s);
}

static void test_settings(void **state)
{
    (void)state;
    struct store *s = open_new("settings.db");
    struct arena a;
    arena_init(&a, 1024);
    const char *v = "x";
    assert_int_equal(store_setting_get(s, &a, "name", &v), ERR_NOT_FOUND);
    assert_null(v);
    assert_int_equal(store_setting_set(s, "name", "First"), 0);
    assert_int_equal(store_setting_set(s, "name", "Second"), 0);
    assert_int_equal(store_setting_set(s, "about", ""), 0);
    assert_int_equal(store_setting_set(s, "tagline", "t"), 0);
    assert_int_equal(store_setting_get(s, &a, "name", &v), 0);
    assert_string_equal(v, "Second");
    assert_int_equal(store_setting_get(s, &a, "about", &v), 0);
    assert_string_equal(v, "");

    struct setting *set;
    size_t n;
    assert_int_equal(store_settings_list(s, &a, &set, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(set[0].key, "about");
    assert_string_equal(set[1].key, "name");
    assert_string_equal(set[1].value, "Second");
    assert_string_equal(set[2].key, "tagline");

    assert_int_equal(store_setting_set(s, "tagline", NULL), 0); /* removes */
    assert_int_equal(store_setting_get(s, &a, "tagline", &v), ERR_NOT_FOUND);
    assert_int_equal(store_setting_set(s, NULL, "x"), ERR_INVALID);
    assert_int_equal(store_setting_get(s, &a, NULL, &v), ERR_INVALID);
    arena_release(&a);
    store_close(s);
}

/* --- articles ------------------------------------------------------ */

static void test_article_create_update(void **state)
{
    (void)state;
    struct store *s = open_new("articles.db");
    struct arena a;
    arena_init(&a, 4096);
    const char *authors[] = {"Zahid Anwar", "S. Frederick Starr"};
    const char *tags[] = {"Energy", "Pipelines"};
    struct article_input in = {
        .slug_base = "pipelines",
        .source = "/archive/a.md",
        .title = "Pipelines",
        .summary = "Oil and gas.",
        .body_md = "Text *md*.",
        .body_html = "<p>Text <em>md</em>.</p>",
        .status = ARTICLE_PUBLISHED,
        .published_at = 1088586000,
        .hits = 3093,
        .section = "Analytical Articles",
        .issue_date = "2004-06-30",
        .authors = authors,
        .n_authors = 2,
        .tags = tags,
        .n_tags = 2,
    };
    int64_t id = 0, id2 = 0;
    bool created = false;
    time_t before = time(NULL);
    assert_int_equal(store_article_save(s, &in, &id, &created), 0);
    assert_true(created);

    struct article art;
    assert_int_equal(
        store_article_by_slug(s, &a, STR("pipelines"), false, &art), 0);
    assert_int_equal(art.id, id);
    assert_string_equal(art.title, "Pipelines");
    assert_string_equal(art.summary, "Oil and gas.");
    assert_string_equal(art.body_md, "Text *md*.");
    assert_string_equal(art.body_html, "<p>Text <em>md</em>.</p>");
    assert_int_equal(art.status, ARTICLE_PUBLISHED);
    assert_int_equal(art.published_at, 1088586000);
    assert_true(art.updated_at >= before);
    assert_int_equal(art.hits, 3093);
    assert_string_equal(art.section.name, "Analytical Articles");
    assert_string_equal(art.section.slug, "analytical-articles");
    assert_int_equal(art.section.position, 1);
    assert_string_equal(art.issue.date, "2004-06-30");
    assert_true(art.issue.id > 0);
    assert_null(art.issue.title);
    assert_int_equal(art.n_authors, 2);
    assert_string_equal(art.authors[0].name, "Zahid Anwar");
    assert_string_equal(art.authors[0].slug, "zahid-anwar");
    assert_string_equal(art.authors[1].name, "S. Frederick Starr");
    assert_string_equal(art.authors[1].slug, "s-frederick-starr");
    assert_null(art.authors[1].bio);
    assert_int_equal(art.n_tags, 2);
    assert_string_equal(art.tags[0].name, "Energy");
    assert_string_equal(art.tags[1].slug, "pipelines");

    /* Same source, no slug: an update; hits -1 keeps the count; the byline
     * is replaced and keeps its new order. */
    const char *swapped[] = {"S. Frederick Starr", "Zahid Anwar", "Zahid Anwar",
                             ""};
    in.title = "Pipelines, revised";
    in.hits = -1;
    in.authors = swapped;
    in.n_authors = 4;
    in.n_tags = 1;
    in.summary = NULL;
    assert_int_equal(store_article_save(s, &in, &id2, &created), 0);
    assert_false(created);
    assert_int_equal(id2, id);
    assert_int_equal(
        store_article_by_slug(s, &a, STR("pipelines"), false, &art), 0);
    assert_string_equal(art.title, "Pipelines, revised");
    assert_null(art.summary);
    assert_int_equal(art.hits, 3093);
    assert_int_equal(art.n_authors, 2);
    assert_string_equal(art.authors[0].name, "S. Frederick Starr");
    assert_string_equal(art.authors[1].name, "Zahid Anwar");
    assert_int_equal(art.n_tags, 1);

    /* By slug, with another source: an update that moves the source. */
    in.slug = "pipelines";
    in.source = "/archive/moved.md";
    in.hits = 5;
    in.section = NULL;
    in.issue_date = NULL;
    in.n_authors = 0;
    in.n_tags = 0;
    assert_int_equal(store_article_save(s, &in, &id2, &created), 0);
    assert_false(created);
    assert_int_equal(id2, id);
    assert_int_equal(
        store_article_by_slug(s, &a, STR("pipelines"), false, &art), 0);
    assert_int_equal(art.hits, 5);
    assert_int_equal(art.section.id, 0);
    assert_null(art.section.name);
    assert_int_equal(art.issue.id, 0);
    assert_int_equal(art.n_authors, 0);
    assert_null(art.authors);

    /* By source with an explicit new slug: a rename. */
    in.slug = "pipelines-renamed";
    assert_int_equal(store_article_save(s, &in, &id2, &created), 0);
    assert_false(created);
    assert_int_equal(id2, id);
    assert_int_equal(store_article_by_slug(s, &a, STR("pipelines"), true, &art),
                     ERR_NOT_FOUND);
    assert_int_equal(
        store_article_by_slug(s, &a, STR("pipelines-renamed"), false, &art), 0);

    /* A new article with an explicit slug and no source; NULL outputs. */
    in.slug = "explicit";
    in.source = NULL;
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    int64_t count = 0;
    assert_int_equal(store_article_count(s, &count), 0);
    assert_int_equal(count, 2);
    arena_release(&a);
    store_close(s);
}

static void test_slug_collisions(void **state)
{
    (void)state;
    struct store *s = open_new("slugs.db");
    struct arena a;
    arena_init(&a, 4096);
    bool created;
    save(s, NULL, "untitled", NULL, "Untitled", NULL, 1, &created);
    assert_true(created);
    save(s, NULL, "untitled", NULL, "Untitled", NULL, 2, &created);
    assert_true(created);
    int64_t id3 = save(s, NULL, "untitled", NULL, "Untitled", NULL, 3, NULL);
    /* No slug_base: derived from the title; non-ASCII only -> "article". */
    save(s, NULL, NULL, NULL, "  Hello, World!  ", NULL, 4, NULL);
    save(s, NULL, "", NULL, "\xd0\x9c\xd0\xb8\xd1\x80", NULL, 5, NULL);

    struct article art;
    assert_int_equal(store_article_by_slug(s, &a, STR("untitled"), false, &art),
                     0);
    assert_int_equal(
        store_article_by_slug(s, &a, STR("untitled-2"), false, &art), 0);
    assert_int_equal(
        store_article_by_slug(s, &a, STR("untitled-3"), false, &art), 0);
    assert_int_equal(art.id, id3);
    assert_int_equal(
        store_article_by_slug(s, &a, STR("hello-world"), false, &art), 0);
    assert_int_equal(store_article_by_slug(s, &a, STR("article"), false, &art),
                     0);

    /* Sections, authors and tags whose names slug alike. */
    const char *authors[] = {"Ann Lee", "ann lee", "ANN  LEE!"};
    struct article_input in = {
        .slug_base = "x",
        .title = "X",
        .status = ARTICLE_DRAFT,
        .hits = -1,
        .section = "Foo Bar",
        .authors = authors,
        .n_authors = 3,
        .tags = authors,
        .n_tags = 3,
    };
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    in.section = "foo bar";
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    assert_int_equal(store_article_by_slug(s, &a, STR("x-2"), true, &art), 0);
    assert_string_equal(art.section.slug, "foo-bar-2");
    assert_int_equal(art.section.position, 2);
    assert_int_equal(art.n_authors, 3);
    assert_string_equal(art.authors[0].slug, "ann-lee");
    assert_string_equal(art.authors[1].slug, "ann-lee-2");
    assert_string_equal(art.authors[2].slug, "ann-lee-3");
    assert_string_equal(art.tags[2].slug, "ann-lee-3");
    arena_release(&a);
    store_close(s);
}

static void test_taxonomy_reuse(void **state)
{
    (void)state;
    struct store *s = open_new("taxonomy.db");
    struct arena a;
    arena_init(&a, 4096);
    const char *authors[] = {"Svante E. Cornell"};
    const char *tags[] = {"Georgia"};
    struct article_input in = {
        .title = "One",
        .status = ARTICLE_PUBLISHED,
        .hits = -1,
        .section = "News Digest",
        .issue_date = "2004-06-30",
        .authors = authors,
        .n_authors = 1,
        .tags = tags,
        .n_tags = 1,
    };
    struct article one, two;
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    in.title = "Two";
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    in.title = "Three";
    in.section = "Analytical Articles";
    in.issue_date = "2004-07-14";
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    assert_int_equal(store_article_by_slug(s, &a, STR("one"), false, &one), 0);
    assert_int_equal(store_article_by_slug(s, &a, STR("two"), false, &two), 0);
    assert_int_equal(one.section.id, two.section.id);
    assert_int_equal(one.issue.id, two.issue.id);
    assert_int_equal(one.authors[0].id, two.authors[0].id);
    assert_int_equal(one.tags[0].id, two.tags[0].id);

    struct section *sec;
    size_t n;
    assert_int_equal(store_sections_list(s, &a, &sec, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(sec[0].name, "News Digest");
    assert_int_equal(sec[0].position, 1);
    assert_string_equal(sec[1].name, "Analytical Articles");
    assert_int_equal(sec[1].position, 2);
    struct section one_sec;
    assert_int_equal(store_section_by_slug(s, &a, STR("news-digest"), &one_sec),
                     0);
    assert_int_equal(one_sec.id, one.section.id);
    assert_int_equal(store_section_by_slug(s, &a, STR("nope"), &one_sec),
                     ERR_NOT_FOUND);
    assert_int_equal(store_section_by_slug(s, &a, STR_NULL, &one_sec),
                     ERR_NOT_FOUND);
    arena_release(&a);
    store_close(s);
}

static void test_drafts(void **state)
{
    (void)state;
    struct store *s = open_new("drafts.db");
    struct arena a;
    arena_init(&a, 4096);
    struct article_input in = {
        .slug = "draft",
        .title = "Draft",
        .status = ARTICLE_DRAFT,
        .hits = -1,
    };
    assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    struct article art;
    assert_int_equal(store_article_by_slug(s, &a, STR("draft"), false, &art),
                     ERR_NOT_FOUND);
    assert_int_equal(art.id, 0);
    assert_int_equal(store_article_by_slug(s, &a, STR("draft"), true, &art), 0);
    assert_int_equal(art.status, ARTICLE_DRAFT);
    assert_int_equal(art.hits, 0);
    assert_null(art.summary);
    assert_null(art.body_md);

    /* Drafts are not listed, but are counted by store_article_count. */
    struct article *v;
    size_t n;
    int64_t total = -1, count = 0;
    assert_int_equal(recent(s, &a, 0, 10, 0, &v, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    assert_int_equal(store_article_count(s, &count), 0);
    assert_int_equal(count, 1);
    arena_release(&a);
    store_close(s);
}

static void test_recent(void **state)
{
    (void)state;
    struct store *s = open_new("recent.db");
    struct arena a;
    arena_init(&a, 4096);
    /* 10 articles alternating two sections, each with 0, 1 or 2 authors;
     * articles 4 and 5 share a date so the id breaks the tie. */
    for (int i = 1; i <= 10; i++) {
        char slug[16], title[16], a1[16], a2[16];
        snprintf(slug, sizeof(slug), "a%d", i);
        snprintf(title, sizeof(title), "A %d", i);
        snprintf(a1, sizeof(a1), "First %d", i);
        snprintf(a2, sizeof(a2), "Second %d", i);
        const char *authors[] = {a1, a2};
        struct article_input in = {
            .slug = slug,
            .title = title,
            .status = ARTICLE_PUBLISHED,
            .published_at = i == 5 ? 4000 : i * 1000,
            .hits = -1,
            .section = i % 2 ? "Odd" : "Even",
            .authors = authors,
            .n_authors = (size_t)(i % 3),
            .body_md = "secret",
        };
        assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    }
    struct article_input draft = {
        .slug = "d",
        .title = "D",
        .status = ARTICLE_DRAFT,
        .published_at = 99999,
        .section = "Odd",
        .hits = -1,
    };
    assert_int_equal(store_article_save(s, &draft, NULL, NULL), 0);

    struct article *v;
    size_t n;
    int64_t total = 0;
    assert_int_equal(recent(s, &a, 0, 4, 0, &v, &n, &total), 0);
    assert_int_equal(total, 10);
    assert_int_equal(n, 4);
    assert_string_equal(v[0].slug, "a10");
    assert_string_equal(v[1].slug, "a9");
    assert_string_equal(v[3].slug, "a7");
    assert_null(v[0].body_md);
    assert_null(v[0].body_html);
    assert_string_equal(v[0].section.name, "Even");
    assert_int_equal(v[0].n_authors, 1); /* 10 % 3 */
    assert_string_equal(v[0].authors[0].name, "First 10");
    assert_int_equal(v[1].n_authors, 0);
    assert_null(v[1].authors);
    assert_int_equal(v[2].n_authors, 2);
    assert_string_equal(v[2].authors[0].name, "First 8");
    assert_string_equal(v[2].authors[1].name, "Second 8");

    assert_int_equal(recent(s, &a, 0, 4, 4, &v, &n, NULL), 0);
    assert_int_equal(n, 4);
    assert_string_equal(v[0].slug, "a6");
    assert_string_equal(v[1].slug, "a5"); /* same date as a4, newer id */
    assert_string_equal(v[2].slug, "a4");
    assert_int_equal(v[2].n_authors, 1);
    assert_string_equal(v[2].authors[0].name, "First 4");
    assert_int_equal(recent(s, &a, 0, 4, 8, &v, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_int_equal(recent(s, &a, 0, 4, 100, &v, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 10);

    struct section odd;
    assert_int_equal(store_section_by_slug(s, &a, STR("odd"), &odd), 0);
    assert_int_equal(recent(s, &a, odd.id, 3, 1, &v, &n, &total), 0);
    assert_int_equal(total, 5); /* the draft is not counted */
    assert_int_equal(n, 3);
    assert_string_equal(v[0].slug, "a7");
    assert_string_equal(v[1].slug, "a5");
    assert_string_equal(v[2].slug, "a3");
    assert_int_equal(v[0].n_authors, 1);
    assert_int_equal(v[1].n_authors, 2);
    assert_string_equal(v[1].authors[1].name, "Second 5");
    assert_int_equal(v[2].n_authors, 0);

    /* Unknown section, zero limit, bad arguments. */
    assert_int_equal(recent(s, &a, 9999, 3, 0, &v, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    assert_int_equal(recent(s, &a, 0, 0, 0, &v, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 10);
    assert_int_equal(recent(s, &a, 0, -1, 0, &v, &n, NULL), ERR_INVALID);
    assert_int_equal(recent(s, &a, 0, 1, -1, &v, &n, NULL), ERR_INVALID);
    arena_release(&a);
    store_close(s);
}

static void test_bad_input(void **state)
{
    (void)state;
    struct store *s = open_new("bad.db");
    struct arena a;
    arena_init(&a, 4096);
    struct article_input in = {.slug_base = "x", .hits = -1};
    assert_int_equal(store_article_save(s, &in, NULL, NULL), ERR_INVALID);
    assert_int_equal(store_article_save(s, NULL, NULL, NULL), ERR_INVALID);
    in.title = "X";
    in.status = (enum article_status)7;
    assert_int_equal(store_article_save(s, &in, NULL, NULL), ERR_INVALID);
    in.status = ARTICLE_PUBLISHED;
    in.n_authors = 2; /* and no list */
    assert_int_equal(store_article_save(s, &in, NULL, NULL), ERR_INVALID);
    in.n_authors = 0;

    /* A bad issue date fails the whole save: no article, no section. */
    in.section = "Lost";
    in.issue_date = "30/06/2004";
    assert_int_equal(store_article_save(s, &in, NULL, NULL), ERR_INVALID);
    assert_non_null(strstr(store_last_error(), "YYYY-MM-DD"));
    int64_t count = -1;
    assert_int_equal(store_article_count(s, &count), 0);
    assert_int_equal(count, 0);
    struct section *sec;
    size_t n;
    assert_int_equal(store_sections_list(s, &a, &sec, &n), 0);
    assert_int_equal(n, 0);

    /* Very long strings: a 2 MB title and body are fine; a 10 KB section
     * name is refused; a long slug base is refused, not truncated. */
    size_t big = 2u << 20;
    char *text = malloc(big + 1);
    assert_non_null(text);
    memset(text, 'a', big);
    text[big] = '\0';
    in.issue_date = NULL;
    in.section = NULL;
    in.title = text;
    in.body_md = text;
    in.slug_base = NULL; /* derived from the title, cut to 100 bytes */
    int64_t id = 0;
    assert_int_equal(store_article_save(s, &in, &id, NULL), 0);
    in.slug_base = text;
    assert_int_equal(store_article_save(s, &in, &id, NULL), ERR_INVALID);
    text[10240] = '\0';
    in.slug_base = "long";
    in.section = text;
    assert_int_equal(store_article_save(s, &in, &id, NULL), ERR_INVALID);
    free(text);

    /* Invalid ids and keys. */
    int64_t hits = -1;
    assert_int_equal(store_article_hits(s, -5, &hits), ERR_NOT_FOUND);
    assert_int_equal(store_link_remove(s, INT64_MAX), ERR_NOT_FOUND);
    assert_int_equal(store_publication_remove(s, 0), ERR_NOT_FOUND);
    struct article art;
    char weird[] = {'a', '\0', 'b'};
    assert_int_equal(
        store_article_by_slug(s, &a, (struct str){weird, 3}, true, &art),
        ERR_NOT_FOUND);
    assert_int_equal(store_article_by_slug(s, &a, STR_NULL, true, &art),
                     ERR_NOT_FOUND);
    arena_release(&a);
    store_close(s);
}

/* --- side modules -------------------------------------------------- */

static void test_links(void **state)
{
    (void)state;
    struct store *s = open_new("links.db");
    struct arena a;
    arena_init(&a, 1024);
    int64_t id1, id2, id3;
    assert_int_equal(store_link_add(s, "CACI", "https://caci.example", &id1),
                     0);
    assert_int_equal(store_link_add(s, "ISDP", "https://isdp.example", &id2),
                     0);
    assert_int_equal(store_link_add(s, "Third", "https://3.example", &id3), 0);
    assert_int_equal(store_link_add(s, NULL, "https://x", &id3), ERR_INVALID);
    struct link *l;
    size_t n;
    assert_int_equal(store_links_list(s, &a, &l, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(l[0].title, "CACI");
    assert_string_equal(l[0].url, "https://caci.example");
    assert_string_equal(l[1].title, "ISDP");
    assert_true(l[0].position < l[1].position);
    assert_int_equal(store_link_remove(s, id2), 0);
    assert_int_equal(store_link_remove(s, id2), ERR_NOT_FOUND);
    assert_int_equal(store_links_list(s, &a, &l, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(l[1].id, id3);

    /* One link, and moving: the list is renumbered 1..n. */
    struct link one;
    assert_int_equal(store_link_get(s, &a, id3, &one), 0);
    assert_string_equal(one.title, "Third");
    assert_null(one.image);
    assert_int_equal(store_link_get(s, &a, id2, &one), ERR_NOT_FOUND);
    int64_t id4;
    assert_int_equal(store_link_add(s, "Fourth", "https://4.example", &id4), 0);
    assert_int_equal(store_link_move(s, id4, 1), 0); /* to the top */
    assert_int_equal(store_links_list(s, &a, &l, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(l[0].id, id4);
    assert_int_equal(l[1].id, id1);
    assert_int_equal(l[2].id, id3);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(l[i].position, (int)i + 1);
    assert_int_equal(store_link_move(s, id4, 99), 0); /* past the end */
    assert_int_equal(store_links_list(s, &a, &l, &n), 0);
    assert_int_equal(l[2].id, id4);
    assert_int_equal(store_link_move(s, id1, 2), 0); /* down one */
    assert_int_equal(store_links_list(s, &a, &l, &n), 0);
    assert_int_equal(l[0].id, id3);
    assert_int_equal(l[1].id, id1);
    assert_int_equal(store_link_move(s, id2, 1), ERR_NOT_FOUND);
    arena_release(&a);
    store_close(s);
}

static void test_publications(void **state)
{
    (void)state;
    struct store *s = open_new("pubs.db");
    struct arena a;
    arena_init(&a, 1024);
    struct publication p = {.kind = "Op-ed",
                            .date = "2010-01-02",
                            .title = "Old",
                            .url = "https://x.example"};
    int64_t old, mid, new_;
    assert_int_equal(store_publication_add(s, &p, &old), 0);
    p = (struct publication){
        .kind = "Silk Road Paper", .date = "2020-05-06", .title = "New"};
    assert_int_equal(store_publication_add(s, &p, &new_), 0);
    p.date = "2015-01-01";
    p.title = "Mid";
    assert_int_equal(store_publication_add(s, &p, &mid), 0);
    p.date = "2015-13-01";
    assert_int_equal(store_publication_add(s, &p, NULL), ERR_INVALID);
    p.date = NULL;
    assert_int_equal(store_publication_add(s, &p, NULL), ERR_INVALID);

    struct publication *v;
    size_t n;
    assert_int_equal(store_publications_list(s, &a, &v, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].title, "New");
    assert_null(v[0].url);
    assert_string_equal(v[0].kind, "Silk Road Paper");
    assert_string_equal(v[1].title, "Mid");
    assert_string_equal(v[2].title, "Old");
    assert_string_equal(v[2].url, "https://x.example");
    assert_string_equal(v[2].date, "2010-01-02");
    assert_int_equal(store_publication_remove(s, mid), 0);
    assert_int_equal(store_publication_remove(s, mid), ERR_NOT_FOUND);
    assert_int_equal(store_publications_list(s, &a, &v, &n), 0);
    assert_int_equal(n, 2);
    struct publication one;
    assert_int_equal(store_publication_get(s, &a, old, &one), 0);
    assert_string_equal(one.title, "Old");
    assert_string_equal(one.kind, "Op-ed");
    assert_string_equal(one.url, "https://x.example");
    assert_int_equal(store_publication_get(s, &a, mid, &one), ERR_NOT_FOUND);
    arena_release(&a);
    store_close(s);
}

static void test_subscribers(void **state)
{
    (void)state;
    struct store *s = open_new("subs.db");
    int64_t id = 0;
    assert_int_equal(store_subscriber_add(s, "Reader@Example.org", &id), 0);
    assert_true(id > 0);
    assert_int_equal(store_subscriber_add(s, "reader@example.org", NULL),
                     ERR_EXISTS);
    assert_int_equal(store_subscriber_add(s, "other@example.org", NULL), 0);
    assert_int_equal(store_subscriber_add(s, "", NULL), ERR_INVALID);
    assert_int_equal(store_subscriber_add(s, NULL, NULL), ERR_INVALID);
    store_close(s);
}

/* --- hits ---------------------------------------------------------- */

static void test_hits(void **state)
{
    (void)state;
    struct store *s = open_new("hits.db");
    int64_t a1 = save(s, "h1", NULL, NULL, "H1", NULL, 1, NULL);
    int64_t a2 = save(s, "h2", NULL, NULL, "H2", NULL, 2, NULL);
    struct hit_delta d[] = {{a1, 3}, {a2, 1}, {a1, 2}, {987654, 5}, {a2, 0}};
    assert_int_equal(store_hits_add(s, d, 5), 0);
    assert_int_equal(store_hits_add(s, d, 0), 0);
    assert_int_equal(store_hits_add(s, NULL, 2), ERR_INVALID);
    int64_t h = 0;
    assert_int_equal(store_article_hits(s, a1, &h), 0);
    assert_int_equal(h, 5);
    assert_int_equal(store_article_hits(s, a2, &h), 0);
    assert_int_equal(h, 1);
    assert_int_equal(store_article_hits(s, 987654, &h), ERR_NOT_FOUND);
    /* Saving with hits -1 keeps what the counter wrote. */
    save(s, "h1", NULL, NULL, "H1 again", NULL, 1, NULL);
    assert_int_equal(store_article_hits(s, a1, &h), 0);
    assert_int_equal(h, 5);
    store_close(s);
    char path[700];
    snprintf(path, sizeof(path), "%s", path_of("hits.db"));
    assert_int_equal(sql_int(path, "SELECT sum(count) FROM hits_daily"), 6);
}

/* --- transactions -------------------------------------------------- */

static void test_transactions(void **state)
{
    (void)state;
    struct store *s = open_new("txn.db");
    struct arena a;
    arena_init(&a, 1024);
    const char *v;

    /* Nested commit: visible to this thread inside, to all after. */
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_setting_set(s, "k1", "outer"), 0);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_setting_set(s, "k2", "inner"), 0);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(store_setting_get(s, &a, "k2", &v), 0); /* own write */
    assert_string_equal(v, "inner");
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(store_setting_get(s, &a, "k1", &v), 0);
    assert_int_equal(store_setting_get(s, &a, "k2", &v), 0);

    /* Outer rollback undoes a committed inner level. */
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_setting_set(s, "k3", "x"), 0);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_setting_set(s, "k4", "x"), 0);
    assert_int_equal(store_commit(s), 0);
    store_rollback(s);
    assert_int_equal(store_setting_get(s, &a, "k3", &v), ERR_NOT_FOUND);
    assert_int_equal(store_setting_get(s, &a, "k4", &v), ERR_NOT_FOUND);

    /* Inner rollback undoes only the inner level. */
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_setting_set(s, "k5", "x"), 0);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_setting_set(s, "k6", "x"), 0);
    save(s, "in-txn", NULL, NULL, "In txn", "S", 1, NULL);
    store_rollback(s);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(store_setting_get(s, &a, "k5", &v), 0);
    assert_int_equal(store_setting_get(s, &a, "k6", &v), ERR_NOT_FOUND);
    struct article art;
    assert_int_equal(store_article_by_slug(s, &a, STR("in-txn"), true, &art),
                     ERR_NOT_FOUND);

    /* A failed save inside a transaction leaves the rest of it intact. */
    assert_int_equal(store_begin(s), 0);
    save(s, "kept", NULL, NULL, "Kept", NULL, 1, NULL);
    struct article_input bad = {
        .title = "Bad", .issue_date = "nope", .hits = -1, .section = "Ghost"};
    assert_int_equal(store_article_save(s, &bad, NULL, NULL), ERR_INVALID);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(store_article_by_slug(s, &a, STR("kept"), false, &art), 0);
    struct section *sec;
    size_t n;
    assert_int_equal(store_sections_list(s, &a, &sec, &n), 0);
    assert_int_equal(n, 0);

    /* Unbalanced calls are reported, not fatal. */
    assert_int_equal(store_commit(s), ERR_DB);
    store_rollback(s);
    arena_release(&a);
    store_close(s);
}

/*
 * A full disk at commit is ERR_IO, as store.h promises (the importer stops
 * on it), not ERR_DB. RLIMIT_FSIZE makes the WAL write fail as a full disk
 * would, without a small filesystem. The message says why, and nothing was
 * logged by the store (only the caller reports).
 */
static void test_full_disk_is_err_io(void **state)
{
    (void)state;
    struct store *s = open_new("full.db");
    char title[2048];
    memset(title, 'x', sizeof(title) - 1);
    title[sizeof(title) - 1] = '\0';
    assert_int_equal(store_begin(s), 0);
    for (int i = 0; i < 200; i++) {
        int64_t id;
        assert_int_equal(store_link_add(s, title, "https://example.org/", &id),
                         0);
    }
    struct rlimit old, low;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    struct stat st;
    char wal[512];
    snprintf(wal, sizeof(wal), "%s-wal", path_of("full.db"));
    off_t have = stat(wal, &st) == 0 ? st.st_size : 0;
    low = old;
    low.rlim_cur = (rlim_t)have + 8192; /* the 400 KB commit cannot fit */
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
    store_clear_error();
    int rc = store_commit(s);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, ERR_IO);
    assert_true(store_last_error()[0] != '\0');
    /* The level is over either way: a new transaction starts and works. */
    assert_int_equal(store_begin(s), 0);
    int64_t id;
    assert_int_equal(store_link_add(s, "t", "https://example.org/", &id), 0);
    assert_int_equal(store_commit(s), 0);
    store_close(s);
}

struct reader_arg {
    struct store *s;
    atomic_int *stop;
    int errors;
    long reads;
};

static void *reader(void *p)
{
    struct reader_arg *r = p;
    struct arena a;
    arena_init(&a, 16384);
    while (!atomic_load(r->stop)) {
        struct article *v;
        size_t n;
        int64_t total;
        struct article art;
        if (recent(r->s, &a, 0, 20, 0, &v, &n, &total) != 0)
            r->errors++;
        else if (n > 0 && (int64_t)n > total)
            r->errors++;
        int rc = store_article_by_slug(r->s, &a, STR("c1"), false, &art);
        if (rc != 0 && rc != ERR_NOT_FOUND)
            r->errors++;
        struct link *l;
        if (store_links_list(r->s, &a, &l, &n) != 0)
            r->errors++;
        r->reads++;
        arena_release(&a);
    }
    arena_release(&a);
    return NULL;
}

static void test_concurrent_readers(void **state)
{
    (void)state;
    struct store *s = open_new("concurrent.db");
    atomic_int stop = 0;
    pthread_t th[4];
    struct reader_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct reader_arg){.s = s, .stop = &stop};
        assert_int_equal(pthread_create(&th[i], NULL, reader, &args[i]), 0);
    }
    for (int batch = 0; batch < 20; batch++) {
        assert_int_equal(store_begin(s), 0);
        for (int i = 0; i < 25; i++) {
            char slug[32];
            snprintf(slug, sizeof(slug), "c%d", batch * 25 + i + 1);
            const char *authors[] = {"Writer One", "Writer Two"};
            struct article_input in = {
                .slug = slug,
                .title = slug,
                .status = ARTICLE_PUBLISHED,
                .published_at = batch * 25 + i,
                .hits = -1,
                .section = i % 2 ? "A" : "B",
                .authors = authors,
                .n_authors = 2,
                .body_html = "<p>x</p>",
            };
            assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
        }
        assert_int_equal(store_commit(s), 0);
        struct hit_delta d = {1, 1};
        assert_int_equal(store_hits_add(s, &d, 1), 0);
    }
    atomic_store(&stop, 1);
    long reads = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].errors, 0);
        reads += args[i].reads;
    }
    assert_true(reads > 0);
    int64_t count;
    assert_int_equal(store_article_count(s, &count), 0);
    assert_int_equal(count, 500);
    store_close(s); /* closes the four threads' connections too */
}

static void test_changes(void **state)
{
    (void)state;
    struct store *s1 = open_new("changes.db");
    struct store *s2 = NULL;
    char path[700];
    snprintf(path, sizeof(path), "%s", path_of("changes.db"));
    assert_int_equal(store_open(path, 0, &s2), 0);
    struct arena a;
    arena_init(&a, 4096);
    struct change_set cs;
    assert_int_equal(store_changes_since(s1, &a, 0, 100, &cs), 0);
    int64_t seq = cs.seq;

    /* Another connection's article save names what it touched. */
    const char *authors[] = {"Ann Author"};
    const char *tags[] = {"Oil"};
    struct article_input in = {
        .slug = "one",
        .title = "One",
        .status = ARTICLE_PUBLISHED,
        .published_at = 1088553600, /* 2004-06-30 */
        .section = "Field Reports",
        .issue_date = "2004-06-30",
        .authors = authors,
        .n_authors = 1,
        .tags = tags,
        .n_tags = 1,
        .hits = -1,
    };
    int64_t id;
    assert_int_equal(store_article_save(s2, &in, &id, NULL), 0);
    assert_int_equal(store_changes_since(s1, &a, seq, 100, &cs), 0);
    assert_false(cs.all);
    assert_true(cs.seq > seq);
    char want[32];
    snprintf(want, sizeof(want), "article:%lld", (long long)id);
    const char *expect[] = {want, "list", "year:2004", "site"};
    for (size_t e = 0; e < 4; e++) {
        bool found = false;
        for (size_t i = 0; i < cs.n; i++)
            found |= strcmp(cs.names[i], expect[e]) == 0;
        assert_true(found); /* "site": the new section is in the nav */
    }
    bool author = false, tag = false;
    for (size_t i = 0; i < cs.n; i++) {
        author |= strncmp(cs.names[i], "author:", 7) == 0;
        tag |= strncmp(cs.names[i], "tag:", 4) == 0;
    }
    assert_true(author && tag);

    /* Read counts are not content changes. */
    seq = cs.seq;
    struct hit_delta d = {id, 5};
    assert_int_equal(store_hits_add(s2, &d, 1), 0);
    assert_int_equal(store_changes_since(s1, &a, seq, 100, &cs), 0);
    assert_int_equal(cs.n, 0);
    assert_int_equal(cs.seq, seq);

    /* A settings change is "site"; more than max changes is "all". */
    assert_int_equal(store_setting_set(s1, "name", "J"), 0);
    assert_int_equal(store_changes_since(s1, &a, seq, 100, &cs), 0);
    assert_int_equal(cs.n, 1);
    assert_string_equal(cs.names[0], "site");
    assert_int_equal(store_changes_since(s1, &a, 0, 2, &cs), 0);
    assert_true(cs.all);
    assert_int_equal(cs.n, 0);
    arena_release(&a);
    store_close(s2);
    store_close(s1);
}

/* --- a bulk save ----------------------------------------------------- */

/* Speed is measured by `make bench`, not here: this checks that thousands
 * of saves in one transaction, with slug collisions, list back right. */
static void test_bulk_save(void **state)
{
    (void)state;
    enum { N = 3000, DISTINCT = 2800 };
    struct store *s = open_new("bulk.db");
    static const char *const sections[] = {"Analytical Articles",
                                           "Field Reports", "News Digest"};
    char body[1500];
    memset(body, 'x', sizeof(body) - 1);
    body[sizeof(body) - 1] = '\0';
    assert_int_equal(store_begin(s), 0);
    for (int i = 0; i < N; i++) {
        char title[64], source[64], a1[32], a2[32], tag[32], issue[16];
        snprintf(title, sizeof(title), "Article number %d", i);
        snprintf(source, sizeof(source), "/archive/%d.md", i);
        snprintf(a1, sizeof(a1), "Author %d", i % 400);
        snprintf(a2, sizeof(a2), "Author %d", (i * 7) % 400);
        snprintf(tag, sizeof(tag), "Tag %d", i % 50);
        snprintf(issue, sizeof(issue), "20%02d-%02d-%02d", 4 + i / 1000,
                 1 + (i / 30) % 12, 1 + i % 28);
        const char *authors[] = {a1, a2};
        const char *tags[] = {tag};
        char slug_base[64];
        snprintf(slug_base, sizeof(slug_base), "article-number-%d",
                 i % DISTINCT);
        struct article_input in = {
            .slug_base = slug_base,
            .source = source,
            .title = title,
            .summary = "A summary.",
            .body_md = body,
            .body_html = body,
            .status = ARTICLE_PUBLISHED,
            .published_at = 1000000000 + i,
            .hits = i,
            .section = sections[i % 3],
            .issue_date = issue,
            .authors = authors,
            .n_authors = 2,
            .tags = tags,
            .n_tags = 1,
        };
        assert_int_equal(store_article_save(s, &in, NULL, NULL), 0);
    }
    assert_int_equal(store_commit(s), 0);

    struct arena a;
    arena_init(&a, 65536);
    struct article *v;
    size_t n;
    int64_t total;
    for (int i = 0; i < N / 20; i++) {
        assert_int_equal(recent(s, &a, 0, 20, i * 20, &v, &n, &total), 0);
        assert_int_equal(n, 20);
        /* newest first: article N - 1 - i * 20 heads page i */
        assert_int_equal(v[0].published_at, 1000000000 + N - 1 - i * 20);
        arena_release(&a);
    }
    assert_int_equal(total, N);
    assert_int_equal(recent(s, &a, 0, 1, 0, &v, &n, NULL), 0);
    assert_string_equal(v[0].slug, "article-number-199-2");
    arena_release(&a);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_disk_is_err_io),
        cmocka_unit_test(test_open_create_reopen),
        cmocka_unit_test(test_open_refuses),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_article_create_update),
        cmocka_unit_test(test_slug_collisions),
        cmocka_unit_test(test_taxonomy_reuse),
        cmocka_unit_test(test_drafts),
        cmocka_unit_test(test_recent),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_publications),
        cmocka_unit_test(test_subscribers),
        cmocka_unit_test(test_hits),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_concurrent_readers),
        cmocka_unit_test(test_changes),
        cmocka_unit_test(test_read_hold),
        cmocka_unit_test(test_read_memo),
        cmocka_unit_test(test_issue_toc_follows_writes),
        cmocka_unit_test(test_bulk_save),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
