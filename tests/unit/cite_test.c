/*
 * cite_test.c - render/cite: plain text, base URLs, keys, and each format's
 * escaping of hostile text (LaTeX specials, control characters, </script>).
 */
#include "core/buf.h"
#include "render/cite.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit/test_arena.h"

static struct author authors[] = {
    {1, "svante-e-cornell", "Svante E. Cornell", NULL},
    {2, "s-frederick-starr", "S. Frederick Starr", NULL},
    {3, "ludwig-van-der-berg", "Ludwig van der Berg", NULL},
};

static struct article sample(void)
{
    return (struct article){
        .id = 7,
        .slug = "the-caspian-voices",
        .title = "Three Voices on the Caspian",
        .summary = "An intro.",
        .published_at = 1089763200, /* 2004-07-14 */
        .updated_at = 1089763200,
        .section = {3, "analytical-articles", "Analytical Articles", 0},
        .issue = {4, "2004-07-14", NULL},
        .authors = authors,
        .n_authors = 3,
    };
}

static const struct cite_journal journal = {"the CACI Analyst",
                                            "https://journal.example"};

static void test_plain(void **state)
{
    (void)state;
    assert_null(cite_plain(&arena, NULL));
    assert_string_equal(cite_plain(&arena, "  a\tb\r\n\x01 c  "), "a b c");
    assert_string_equal(cite_plain(&arena, "x\x7f\xc2\x85y"),
                        "x y"); /* DEL, NEL */
    assert_string_equal(cite_plain(&arena, "p\xe2\x80\xa8q"),
                        "p q"); /* U+2028 */
    /* Invalid bytes become U+FFFD; valid UTF-8 stays as it is. */
    assert_string_equal(cite_plain(&arena, "a\xff"
                                           "b\xef\xbf"),
                        "a\xef\xbf\xbd"
                        "b\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(cite_plain(&arena, "\xc3\x96zt\xc3\xbcrk"),
                        "\xc3\x96zt\xc3\xbcrk");
}

static void test_base_url(void **state)
{
    (void)state;
    assert_string_equal(cite_base_url(&arena, "https://j.example//"),
                        "https://j.example");
    assert_string_equal(cite_base_url(&arena, "http://j.example/journal"),
                        "http://j.example/journal");
    assert_null(cite_base_url(&arena, NULL));
    assert_null(cite_base_url(&arena, ""));
    assert_null(cite_base_url(&arena, "journal.example"));
    assert_null(cite_base_url(&arena, "javascript:alert(1)"));
    assert_null(cite_base_url(&arena, "https://"));
    assert_null(cite_base_url(&arena, "https:///x"));
    assert_null(cite_base_url(&arena, "https://j.example/\"><script>"));
    assert_null(cite_base_url(&arena, "https://j.example/a b"));
}

static void test_key(void **state)
{
    (void)state;
    struct article art = sample();
    assert_string_equal(cite_key(&arena, &art), "cornell2004caspian");
    struct author cyr = {9, "x",
                         "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd "
                         "\xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2",
                         NULL};
    art.authors = &cyr;
    art.n_authors = 1;
    assert_string_equal(cite_key(&arena, &art), "anon2004caspian");
    art.n_authors = 0;
    art.slug = "the-of-a";
    assert_string_equal(cite_key(&arena, &art), "anon2004");
}

static void test_chicago_authors(void **state)
{
    (void)state;
    struct article art = sample();
    assert_string_equal(cite_authors_chicago(&arena, &art),
                        "Cornell, Svante E., S. Frederick Starr, and Ludwig "
                        "van der Berg");
    art.n_authors = 2;
    assert_string_equal(cite_authors_chicago(&arena, &art),
                        "Cornell, Svante E., and S. Frederick Starr");
    art.n_authors = 1;
    assert_string_equal(cite_authors_chicago(&arena, &art),
                        "Cornell, Svante E.");
    art.n_authors = 0;
    assert_null(cite_authors_chicago(&arena, &art));
}

static void test_bibtex_escapes_latex(void **state)
{
    (void)state;
    struct article art = sample();
    struct author hostile[] = {
        {1, "a", "Ludwig van der Berg", NULL},
        {2, "b",
         "G\xc3\xbcl\xc5\x9f"
         "en \xc3\x96zt\xc3\xbcrk",
         NULL},
    };
    art.authors = hostile;
    art.n_authors = 2;
    art.title = "100% {braces} & $money$ #1 a_b ^up ~t \\cmd}";
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    cite_bibtex(&b, &arena, &art, &journal);
    assert_int_equal(buf_error(&b), 0);
    assert_non_null(strstr(
        b.ptr, "  title = {100\\% \\{braces\\} \\& \\$money\\$ \\#1 a\\_b "
               "\\textasciicircum{}up \\textasciitilde{}t "
               "\\textbackslash{}cmd\\}},\n"));
    /* Particles lead the family name; UTF-8 names stay as they are. */
    assert_non_null(strstr(b.ptr, "author = {van der Berg, Ludwig and "
                                  "\xc3\x96zt\xc3\xbcrk, G\xc3\xbcl\xc5\x9f"
                                  "en},"));
    assert_non_null(strstr(b.ptr, "  month = jul,\n"));
    assert_non_null(strstr(b.ptr, "  year = {2004},\n"));
    /* Braces balance: every { has its }. */
    int depth = 0;
    for (const char *c = b.ptr; *c; c++) {
        if (*c == '\\' && c[1]) {
            c++;
            continue;
        }
        depth += *c == '{' ? 1 : *c == '}' ? -1 : 0;
        assert_true(depth >= 0);
    }
    assert_int_equal(depth, 0);
}

static void test_bibtex_groups_and_names(void **state)
{
    (void)state;
    struct article art = sample();
    struct author au[] = {{1, "a", "Tom and Jerry Smith", NULL},
                          {2, "b", "Plato", NULL},
                          {3, "c", "Smith Jr.", NULL}};
    art.authors = au;
    art.n_authors = 3;
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    cite_bibtex(&b, &arena, &art, &journal);
    assert_non_null(strstr(b.ptr,
                           "author = {Smith, {Tom and Jerry} and Plato and "
                           "{Smith Jr.}},"));
}

static void test_ris_lines(void **state)
{
    (void)state;
    struct article art = sample();
    art.title = "Line\none\r\ntwo";
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    cite_ris(&b, &arena, &art, &journal);
    assert_string_equal(b.ptr, "TY  - JOUR\r\n"
                               "TI  - Line one two\r\n"
                               "AU  - Cornell, Svante E.\r\n"
                               "AU  - Starr, S. Frederick\r\n"
                               "AU  - van der Berg, Ludwig\r\n"
                               "PY  - 2004\r\n"
                               "DA  - 2004/07/14\r\n"
                               "JO  - the CACI Analyst\r\n"
                               "T2  - the CACI Analyst\r\n"
                               "IS  - 2004-07-14\r\n"
                               "UR  - https://journal.example/articles/"
                               "the-caspian-voices\r\n"
                               "AB  - An intro.\r\n"
                               "ER  - \r\n");
}

static void test_jsonld_cannot_close_script(void **state)
{
    (void)state;
    struct article art = sample();
    art.title = "</script><script>alert(1)</script> & <!-- \xe2\x80\xa8";
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    assert_int_equal(cite_jsonld(&b, &arena, &art, &journal), 0);
    assert_null(strchr(b.ptr, '<'));
    assert_null(strchr(b.ptr, '>'));
    assert_null(strchr(b.ptr, '&'));
    assert_null(strstr(b.ptr, "\xe2\x80\xa8"));
    /* ...and it is still the same JSON. */
    json_error_t err;
    json_t *v = json_loads(b.ptr, 0, &err);
    assert_non_null(v);
    /* cite_plain made U+2028 a space and trimmed it. */
    assert_string_equal(json_string_value(json_object_get(v, "headline")),
                        "</script><script>alert(1)</script> & <!--");
    json_t *issue = json_object_get(v, "isPartOf");
    assert_string_equal(json_string_value(json_object_get(issue, "@type")),
                        "PublicationIssue");
    json_decref(v);
}

/* script_safe is cite.c's pass over jansson's text, written again here. */
static char *script_safe(const char *text)
{
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    for (const char *c = text; *c; c++) {
        if (*c == '<' || *c == '>' || *c == '&') {
            buf_printf(&b, "\\u%04x", (unsigned)*c);
        } else if (c[0] == '\xE2' && c[1] == '\x80' &&
                   (c[2] == '\xA8' || c[2] == '\xA9')) {
            buf_append_cstr(&b, c[2] == '\xA8' ? "\\u2028" : "\\u2029");
            c += 2;
        } else {
            buf_append_char(&b, *c);
        }
    }
    return b.ptr;
}

/* The JSON-LD writer gives the very bytes jansson would: parsed and dumped
 * again compactly (order kept), then made script-safe, nothing changes. */
static void assert_jansson_bytes(const struct article *art,
                                 const struct cite_journal *j)
{
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    assert_int_equal(cite_jsonld(&b, &arena, art, j), 0);
    json_error_t err;
    json_t *v = json_loads(b.ptr, 0, &err);
    assert_non_null(v);
    char *text = json_dumps(v, JSON_COMPACT);
    assert_non_null(text);
    assert_string_equal(b.ptr, script_safe(text));
    free(text);
    json_decref(v);
}

static void test_jsonld_bytes_match_jansson(void **state)
{
    (void)state;
    static struct tag tags[] = {
        {1, "a", "Z\xc3\xbcrich \"quoted\" \\ back/slash"},
        {2, "b", ""},
        {3, "c", "</script> \xe2\x80\xa9 & \x7f end"},
    };
    struct article art = sample();
    art.tags = tags;
    art.n_tags = 3;
    /* Not made plain: dates and slugs go out as they are. */
    art.issue.date = "2004\x01\x1f-07\t\"14\n\r\b\f\xe2\x80\xa8";
    art.slug = "s<l>u&g";
    assert_jansson_bytes(&art, &journal);

    art.issue.id = 0;
    art.section.id = 0;
    art.n_authors = 0;
    art.updated_at = 0;
    struct cite_journal j = {"", NULL};
    assert_jansson_bytes(&art, &j);
}

static void test_jsonld_drops_invalid_utf8(void **state)
{
    (void)state;
    struct article art = sample();
    art.issue.date = "2004-07-\xff"; /* jansson refuses such a string */
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    assert_int_equal(cite_jsonld(&b, &arena, &art, &journal), 0);
    json_error_t err;
    json_t *v = json_loads(b.ptr, 0, &err);
    assert_non_null(v);
    json_t *issue = json_object_get(v, "isPartOf");
    assert_null(json_object_get(issue, "datePublished"));
    assert_non_null(json_object_get(issue, "isPartOf"));
    json_decref(v);
}

/* CSL-JSON, written directly, is the very text jansson's JSON_INDENT(2)
 * dump of the same tree gave (this text came from that dump). */
static void test_csl_json_as_jansson_wrote_it(void **state)
{
    (void)state;
    static struct author people[] = {
        {1, "svante-e-cornell", "Svante E. Cornell", NULL},
        {2, "x", "Mart\xc3\xadn \"Q\" Luther King, Jr.", NULL},
        {3, "y", "Plato", NULL},
        {4, "z", "\xe2\x80\xa8 </b> \\ &amp;", NULL},
    };
    static struct tag tags[] = {{1, "a", "Z\xc3\xbcrich"}};
    struct article art = sample();
    art.title = "Three \"Voices\" on the\tCaspian </script> \xe2\x80\xa8 & "
                "\\ \x01 \xff end";
    art.summary = "An intro.\n\nWith <b>two</b> lines & a \"quote\".";
    art.issue.title = "Vol. 6 \"No. 14\"";
    art.authors = people;
    art.n_authors = 4;
    art.tags = tags;
    art.n_tags = 1;
    struct cite_journal j = {"the CACI \"Analyst\" <x>",
                             "https://journal.example"};
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    assert_int_equal(cite_csl_json(&b, &arena, &art, &j), 0);
    assert_string_equal(
        b.ptr,
        "[\n"
        "  {\n"
        "    \"id\": \"cornell2004caspian\",\n"
        "    \"type\": \"article-journal\",\n"
        "    \"title\": \"Three \\\"Voices\\\" on the Caspian </script> & "
        "\\\\ \xef\xbf\xbd end\",\n"
        "    \"author\": [\n"
        "      {\n"
        "        \"family\": \"Cornell\",\n"
        "        \"given\": \"Svante E.\"\n"
        "      },\n"
        "      {\n"
        "        \"family\": \"King\",\n"
        "        \"given\": \"Mart\xc3\xadn \\\"Q\\\" Luther\",\n"
        "        \"suffix\": \"Jr.\"\n"
        "      },\n"
        "      {\n"
        "        \"family\": \"Plato\"\n"
        "      },\n"
        "      {\n"
        "        \"family\": \"&amp;\",\n"
        "        \"given\": \"</b> \\\\\"\n"
        "      }\n"
        "    ],\n"
        "    \"issued\": {\n"
        "      \"date-parts\": [\n"
        "        [\n"
        "          2004,\n"
        "          7,\n"
        "          14\n"
        "        ]\n"
        "      ]\n"
        "    },\n"
        "    \"container-title\": \"the CACI \\\"Analyst\\\" <x>\",\n"
        "    \"issue\": \"Vol. 6 \\\"No. 14\\\"\",\n"
        "    \"URL\": \"https://journal.example/articles/"
        "the-caspian-voices\",\n"
        "    \"abstract\": \"An intro. With <b>two</b> lines & a "
        "\\\"quote\\\".\"\n"
        "  }\n"
        "]\n");
}

/* Parsed by jansson and dumped again with JSON_INDENT(2) (order kept), the
 * text does not change: the same escapes (a slug is not made plain) and the
 * same layout, empty author list included. */
static void test_csl_json_bytes_match_jansson(void **state)
{
    (void)state;
    struct article art = sample();
    art.slug = "s\x01\x1f<l>\"u\\g\t\x7f";
    for (int round = 0; round < 2; round++) {
        struct buf b;
        buf_init_arena(&b, &arena, 1 << 20);
        assert_int_equal(cite_csl_json(&b, &arena, &art, &journal), 0);
        json_error_t err;
        json_t *v = json_loads(b.ptr, 0, &err);
        assert_non_null(v);
        char *text = json_dumps(v, JSON_INDENT(2));
        assert_non_null(text);
        assert_memory_equal(b.ptr, text, strlen(text));
        assert_string_equal(b.ptr + strlen(text), "\n");
        free(text);
        json_decref(v);
        art.n_authors = 0;
        art.issue.id = 0;
        art.summary = NULL;
    }
    /* a string jansson refuses (invalid UTF-8) is left out, as it was */
    art.slug = "bad\xff";
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    assert_int_equal(cite_csl_json(&b, &arena, &art, &journal), 0);
    assert_null(strstr(b.ptr, "\"URL\""));
    assert_non_null(strstr(b.ptr, "\"author\": [],\n"));
}

static void test_no_base_url_no_urls(void **state)
{
    (void)state;
    struct article art = sample();
    struct cite_journal j = {NULL, NULL};
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    cite_bibtex(&b, &arena, &art, &j);
    cite_ris(&b, &arena, &art, &j);
    assert_int_equal(cite_csl_json(&b, &arena, &art, &j), 0);
    assert_int_equal(cite_jsonld(&b, &arena, &art, &j), 0);
    assert_null(strstr(b.ptr, "url"));
    assert_null(strstr(b.ptr, "URL"));
    assert_null(strstr(b.ptr, "UR  -"));
    assert_null(strstr(b.ptr, "journal ="));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chicago_authors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bibtex_escapes_latex, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bibtex_groups_and_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ris_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonld_cannot_close_script, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_jsonld_bytes_match_jansson, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_jsonld_drops_invalid_utf8, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_csl_json_as_jansson_wrote_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_csl_json_bytes_match_jansson,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_base_url_no_urls, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
