/* frontmatter_test.c - splitting files and reading YAML front matter. */
#include "content/frontmatter.h"
#include "core/arena.h"
#include "core/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static struct arena arena;
static struct frontmatter fm;
static struct str body;
static int line;
static const char *msg;

static int setup(void **state)
{
    (void)state;
    arena_init(&arena, 8192);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&arena);
    return 0;
}

static int parse(const char *text)
{
    return frontmatter_parse(&arena, text, strlen(text), &fm, &body, &line,
                             &msg);
}

static void ok(const char *text)
{
    int rc = parse(text);
    if (rc != 0)
        fail_msg("unexpected error at line %d: %s", line, msg);
}

/* fails expects rc with an error at want_line whose message has needle. */
static void fails(const char *text, int rc, int want_line, const char *needle)
{
    assert_int_equal(parse(text), rc);
    assert_non_null(msg);
    if (line != want_line || !strstr(msg, needle))
        fail_msg("got line %d '%s', want line %d with '%s'", line, msg,
                 want_line, needle);
}

static void test_all_keys(void **state)
{
    (void)state;
    ok("---\n"
       "title: \"Pipelines: the next decade\"\n"
       "date: 2004-06-30T09:15:00+05:00\n"
       "authors:\n"
       "  - Zahid Anwar\n"
       "  - 'S. Frederick Starr'\n"
       "section: Analytical Articles\n"
       "issue: 2004-06-30\n"
       "tags: [energy, pipelines, Caspian]\n"
       "summary: >\n"
       "  Folded summary\n"
       "  over two lines.\n"
       "slug: pipelines-next-decade\n"
       "hits: 3093\n"
       "draft: yes\n"
       "layout: post\n"            /* unknown: ignored */
       "extra: {nested: [1, 2]}\n" /* unknown and complex: ignored */
       "---\n"
       "Body *text*.\n");
    assert_string_equal(fm.title, "Pipelines: the next decade");
    assert_string_equal(fm.date, "2004-06-30T09:15:00+05:00");
    assert_int_equal(fm.n_authors, 2);
    assert_string_equal(fm.authors[0], "Zahid Anwar");
    assert_string_equal(fm.authors[1], "S. Frederick Starr");
    assert_string_equal(fm.section, "Analytical Articles");
    assert_string_equal(fm.issue, "2004-06-30");
    assert_int_equal(fm.n_tags, 3);
    assert_string_equal(fm.tags[0], "energy");
    assert_string_equal(fm.tags[2], "Caspian");
    assert_string_equal(fm.summary, "Folded summary over two lines.");
    assert_string_equal(fm.slug, "pipelines-next-decade");
    assert_int_equal(fm.hits, 3093);
    assert_true(fm.draft);
    assert_int_equal(body.len, strlen("Body *text*.\n"));
    assert_memory_equal(body.ptr, "Body *text*.\n", body.len);
}

static void test_minimal_defaults(void **state)
{
    (void)state;
    ok("---\ntitle: Only a title\n---\n");
    assert_string_equal(fm.title, "Only a title");
    assert_null(fm.date);
    assert_null(fm.section);
    assert_null(fm.issue);
    assert_null(fm.summary);
    assert_null(fm.slug);
    assert_null(fm.authors);
    assert_int_equal(fm.n_authors, 0);
    assert_int_equal(fm.n_tags, 0);
    assert_int_equal(fm.hits, -1);
    assert_false(fm.draft);
    assert_int_equal(body.len, 0);
    /* Null and empty values mean unset. */
    ok("---\ntitle: T\nsummary:\nsection: ~\nhits: null\ndate: ''\n"
       "tags: []\ndraft:\n---\nb");
    assert_null(fm.summary);
    assert_null(fm.section);
    assert_int_equal(fm.hits, -1);
    assert_null(fm.date);
    assert_int_equal(fm.n_tags, 0);
    assert_false(fm.draft);
    /* A quoted "null" is a string. */
    ok("---\ntitle: \"null\"\n---\n");
    assert_string_equal(fm.title, "null");
}

static void test_authors_forms(void **state)
{
    (void)state;
    ok("---\ntitle: T\nauthor: Zahid Anwar\n---\n");
    assert_int_equal(fm.n_authors, 1);
    assert_string_equal(fm.authors[0], "Zahid Anwar");
    ok("---\ntitle: T\nauthors: Svante E. Cornell\n---\n");
    assert_int_equal(fm.n_authors, 1);
    assert_string_equal(fm.authors[0], "Svante E. Cornell");
    ok("---\ntitle: T\nauthors: [B, A, B, '', C]\n---\n");
    assert_int_equal(fm.n_authors, 3); /* order kept, duplicate dropped */
    assert_string_equal(fm.authors[0], "B");
    assert_string_equal(fm.authors[1], "A");
    assert_string_equal(fm.authors[2], "C");
    ok("---\ntitle: T\ntags: single\n---\n");
    assert_int_equal(fm.n_tags, 1);
    assert_string_equal(fm.tags[0], "single");
    fails("---\ntitle: T\nauthor: A\nauthors: [B]\n---\n", ERR_PARSE, 4,
          "twice");
    fails("---\ntitle: T\ntitle: U\n---\n", ERR_PARSE, 3, "twice");
}

static void test_bad_yaml_line(void **state)
{
    (void)state;
    /* Line 4 of the file is the bad one. */
    fails("---\ntitle: T\nsection: S\n  bad: indent: here\n---\n", ERR_PARSE, 4,
          "invalid YAML");
    fails("---\ntitle: T\ntags: [a, b\ndate: 2004-01-01\n---\nbody\n",
          ERR_PARSE, 4, "while parsing a flow sequence at line 3");
    fails("---\ntitle: T\n\"unclosed: x\n---\n", ERR_PARSE, 4, "line 3");
    fails("---\ntitle: T\n\tsection: tab\n---\n", ERR_PARSE, 3, "invalid YAML");
    fails("---\ntitle: *nowhere\n---\n", ERR_PARSE, 2, "invalid YAML");
    /* Control characters are refused by libyaml's reader. */
    fails("---\ntitle: T\nsummary: a\x01z\n---\n", ERR_PARSE, 3,
          "invalid YAML");
}

static void test_missing_title(void **state)
{
    (void)state;
    fails("---\ndate: 2004-06-30\nsection: S\n---\nbody\n", ERR_PARSE, 1,
          "title");
    fails("---\n---\nbody\n", ERR_PARSE, 1, "title");
    fails("---\ntitle: ''\n---\n", ERR_PARSE, 2, "empty");
    fails("---\ntitle:    \n---\n", ERR_PARSE, 2, "empty");
}

static void test_bad_values_line(void **state)
{
    (void)state;
    fails("---\ntitle: T\nsection: S\ndate: 2004-02-30\n---\n", ERR_PARSE, 4,
          "'date'");
    fails("---\ntitle: T\ndate: yesterday\n---\n", ERR_PARSE, 3, "'date'");
    fails("---\ntitle: T\nissue: 2004-06-30T00:00:00Z\n---\n", ERR_PARSE, 3,
          "'issue'");
    fails("---\ntitle: T\nslug: Not A Slug\n---\n", ERR_PARSE, 3, "'slug'");
    fails("---\ntitle: T\nhits: -4\n---\n", ERR_PARSE, 3, "'hits'");
    fails("---\ntitle: T\nhits: lots\n---\n", ERR_PARSE, 3, "'hits'");
    fails("---\ntitle: T\ndraft: maybe\n---\n", ERR_PARSE, 3, "'draft'");
    ok("---\ntitle: T\ndraft: False\nhits: 0\n---\n");
    assert_false(fm.draft);
    assert_int_equal(fm.hits, 0);
    ok("---\ntitle: T\ndraft: true\ndate: 2004-06-30\n---\n");
    assert_true(fm.draft);
}

static void test_wrong_types(void **state)
{
    (void)state;
    fails("---\ntitle: {a: b}\n---\n", ERR_PARSE, 2,
          "'title' must be a string, not a mapping");
    fails("---\ntitle: T\nsection: [a, b]\n---\n", ERR_PARSE, 3, "not a list");
    fails("---\ntitle: T\nsummary:\n  key: value\n---\n", ERR_PARSE, 3,
          "'summary' must be a string");
    fails("---\ntitle: T\ntags: {a: 1}\n---\n", ERR_PARSE, 3, "mapping");
    /* A bad item points at the item's own line. */
    fails("---\ntitle: T\ntags:\n  - ok\n  - [nested]\n---\n", ERR_PARSE, 5,
          "'tags' must be a string");
    fails("---\n- a\n- b\n---\n", ERR_PARSE, 2, "must be a mapping");
    fails("---\njust a string\n---\n", ERR_PARSE, 2, "must be a mapping");
    fails("---\n[a]: b\ntitle: T\n---\n", ERR_PARSE, 2, "keys must be");
}

static void test_no_front_matter(void **state)
{
    (void)state;
    const char *t = "# Just Markdown\n\nNo header here.\n";
    fails(t, ERR_PARSE, 1, "no front matter");
    assert_ptr_equal(body.ptr, t); /* the body is still the whole text */
    assert_int_equal(body.len, strlen(t));
    fails("", ERR_PARSE, 1, "no front matter");
    fails("--- \n", ERR_PARSE, 1, "not closed");
    fails("---\ntitle: T\n", ERR_PARSE, 1, "not closed");
    fails("----\ntitle: T\n----\n", ERR_PARSE, 1, "no front matter");
    fails("\n---\ntitle: T\n---\n", ERR_PARSE, 1, "no front matter");
}

static void test_delimiters(void **state)
{
    (void)state;
    /* "..." closes, trailing blanks and CRLF are fine, and a BOM. */
    ok("---\ntitle: Dots\n...\nbody");
    assert_string_equal(fm.title, "Dots");
    assert_int_equal(body.len, 4);
    ok("\xEF\xBB\xBF---  \r\ntitle: CRLF\r\ndate: 2004-06-30\r\n---\r\n"
       "body\r\n");
    assert_string_equal(fm.title, "CRLF");
    assert_memory_equal(body.ptr, "body\r\n", 6);
    /* The closing line may be the last, without a newline. */
    ok("---\ntitle: End\n---");
    assert_int_equal(body.len, 0);
    /* A later "---" belongs to the body. */
    ok("---\ntitle: T\n---\nabove\n---\nbelow\n");
    assert_memory_equal(body.ptr, "above\n---\nbelow\n", body.len);
    /* Error lines count from the file, BOM or not. */
    fails("\xEF\xBB\xBF---\ntitle: T\ndate: never\n---\n", ERR_PARSE, 3,
          "'date'");
}

static void test_limits(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);

    /* 101 tags */
    buf_append_cstr(&b, "---\ntitle: T\ntags:\n");
    for (int i = 0; i < FRONTMATTER_LIST_MAX + 1; i++)
        buf_printf(&b, "  - t%d\n", i);
    buf_append_cstr(&b, "---\n");
    fails(b.ptr, ERR_TOO_BIG, 3, "more than 100");
    /* exactly 100 is fine */
    buf_reset(&b);
    buf_append_cstr(&b, "---\ntitle: T\ntags:\n");
    for (int i = 0; i < FRONTMATTER_LIST_MAX; i++)
        buf_printf(&b, "  - t%d\n", i);
    buf_append_cstr(&b, "---\n");
    ok(b.ptr);
    assert_int_equal(fm.n_tags, 100);

    /* a value over 4 KB */
    buf_reset(&b);
    buf_append_cstr(&b, "---\ntitle: T\nsummary: ");
    for (int i = 0; i < FRONTMATTER_VALUE_MAX + 1; i++)
        buf_append_char(&b, 'x');
    buf_append_cstr(&b, "\n---\n");
    fails(b.ptr, ERR_TOO_BIG, 3, "longer than 4096");
    /* a long list item too */
    buf_reset(&b);
    buf_append_cstr(&b, "---\ntitle: T\ntags:\n - a\n - ");
    for (int i = 0; i < FRONTMATTER_VALUE_MAX + 1; i++)
        buf_append_char(&b, 'y');
    buf_append_cstr(&b, "\n---\n");
    fails(b.ptr, ERR_TOO_BIG, 5, "longer than 4096");

    /* front matter over 64 KB, closed or not */
    buf_reset(&b);
    buf_append_cstr(&b, "---\ntitle: T\n");
    for (int i = 0; i < 2000; i++)
        buf_printf(&b, "# comment line %04d, padding padding\n", i);
    buf_append_cstr(&b, "---\nbody\n");
    assert_true(b.len > FRONTMATTER_MAX);
    fails(b.ptr, ERR_TOO_BIG, 1, "longer than 64 KB");
    b.len -= strlen("---\nbody\n");
    b.ptr[b.len] = '\0';
    fails(b.ptr, ERR_TOO_BIG, 1, "longer than 64 KB");
    buf_release(&b);
}

static void test_embedded_nul_and_escapes(void **state)
{
    (void)state;
    fails("---\ntitle: \"a\\0b\"\n---\n", ERR_PARSE, 2, "NUL");
    ok("---\ntitle: \"caf\\u00e9 \\\"q\\\"\"\n---\n");
    assert_string_equal(fm.title, "caf\xC3\xA9 \"q\"");
    /* An alias to a list is read once, not expanded into the walk. */
    ok("---\ntitle: T\nx: &l [a, b]\ntags: *l\n---\n");
    assert_int_equal(fm.n_tags, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_keys),
        cmocka_unit_test(test_minimal_defaults),
        cmocka_unit_test(test_authors_forms),
        cmocka_unit_test(test_bad_yaml_line),
        cmocka_unit_test(test_missing_title),
        cmocka_unit_test(test_bad_values_line),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_no_front_matter),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_embedded_nul_and_escapes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
