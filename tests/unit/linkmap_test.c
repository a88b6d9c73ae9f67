/*
 * linkmap_test.c - static-export URLs and the link rewriter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_arena.h"

#include "core/buf.h"
#include "io/linkmap.h"

#include <stdio.h>
#include <string.h>

struct seen {
    char keys[16][128];
    size_t n;
};

static void on_found(void *ctx, struct str key)
{
    struct seen *s = ctx;
    if (s->n < 16)
        snprintf(s->keys[s->n++], sizeof(s->keys[0]), "%.*s", STR_FMT(key));
}

static const char *rewrite(const struct linkmap *m, enum linkmap_kind k,
                           const char *in, struct seen *s)
{
    struct buf b;
    buf_init_arena(&b, &arena, 1 << 20);
    linkmap_rewrite(m, k, str_from(in), &b, on_found, s);
    assert_int_equal(buf_error(&b), 0);
    return b.ptr;
}

static void test_keys_and_files(void **state)
{
    (void)state;
    assert_string_equal(linkmap_key(&arena, STR("/articles/x#top")),
                        "/articles/x");
    assert_string_equal(linkmap_key(&arena, STR("/?page=3")), "/?page=3");
    assert_string_equal(linkmap_key(&arena, STR("/?page=1")), "/");
    assert_null(linkmap_key(&arena, STR("/a/../etc/passwd")));
    assert_null(linkmap_key(&arena, STR("/a/./b")));
    assert_null(linkmap_key(&arena, STR("/a//b")));
    assert_null(linkmap_key(&arena, STR("/a%2e%2e/b")));
    assert_null(linkmap_key(&arena, STR("/x?page=0")));
    assert_null(linkmap_key(&arena, STR("/x?page=02")));
    assert_null(linkmap_key(&arena, STR("/x?page=2&q=1")));
    assert_null(linkmap_key(&arena, STR("/feed.atom?page=2")));
    assert_null(linkmap_key(&arena, STR("/search?q=x")));
    assert_null(linkmap_key(&arena, STR("//evil.example/x")));

    assert_string_equal(linkmap_file(&arena, "/"), "index.html");
    assert_string_equal(linkmap_file(&arena, "/articles/x"),
                        "articles/x/index.html");
    assert_string_equal(linkmap_file(&arena, "/?page=2"), "page/2/index.html");
    assert_string_equal(linkmap_file(&arena, "/sections/s?page=12"),
                        "sections/s/page/12/index.html");
    assert_string_equal(linkmap_file(&arena, "/feed.atom"), "feed.atom");
    assert_string_equal(linkmap_file(&arena, "/articles/x.bib"),
                        "articles/x.bib");
}

static void test_html_links(void **state)
{
    (void)state;
    struct linkmap m;
    struct seen s = {0};
    linkmap_init(&m, "https://j.example", NULL, NULL);
    const char *out = rewrite(
        &m, LINKMAP_HTML,
        "<a href=\"/articles/x\">x</a> <A HREF='/sections/s?page=2#p'>"
        "<link rel=stylesheet href=\"/assets/style.css\">"
        "<a href=\"https://j.example/tags/t\">t</a>"
        "<a href=\"https://j.example.org/x\">other host</a>"
        "<a href=\"//cdn.example/x\">cdn</a> <a href=\"#top\">top</a>"
        "<p>See https://j.example/articles/y, or &lt;a href=\"/no\"&gt;</p>",
        &s);
    assert_string_equal(
        out,
        "<a href=\"/articles/x/\">x</a> <A HREF='/sections/s/page/2/#p'>"
        "<link rel=stylesheet href=\"/assets/style.css\">"
        "<a href=\"https://j.example/tags/t/\">t</a>"
        "<a href=\"https://j.example.org/x\">other host</a>"
        "<a href=\"//cdn.example/x\">cdn</a> <a href=\"#top\">top</a>"
        "<p>See https://j.example/articles/y/, or &lt;a href=\"/no\"&gt;</p>");
    assert_int_equal(s.n, 5);
    assert_string_equal(s.keys[0], "/articles/x");
    assert_string_equal(s.keys[1], "/sections/s?page=2");
    assert_string_equal(s.keys[2], "/assets/style.css");
    assert_string_equal(s.keys[3], "/tags/t");
    assert_string_equal(s.keys[4], "/articles/y");
}

static void test_base_path_and_forms(void **state)
{
    (void)state;
    struct linkmap m;
    struct seen s = {0};
    linkmap_init(&m, "http://127.0.0.1:8080", "https://static.example/j", NULL);
    const char *out = rewrite(
        &m, LINKMAP_HTML,
        "<a href=\"/\">home</a><form method=post action=\"/newsletter\">"
        "<input name=email><a href=\"/x\">in form</a></form>"
        "<form action=\"/search\"><input name=q></form>"
        "<a href=\"/search?q=oil\" class=s>oil</a>"
        "<link rel=canonical href=\"http://127.0.0.1:8080/articles/a\">"
        "<script type=\"application/ld+json\">{\"url\":"
        "\"http://127.0.0.1:8080/articles/a\",\"x\":\"<a href='/zz'>\"}"
        "</script><form action=\"https://elsewhere.example/s\"></form>",
        &s);
    assert_string_equal(
        out,
        "<a href=\"/j/\">home</a>"
        "<a class=s>oil</a>"
        "<link rel=canonical href=\"https://static.example/j/articles/a/\">"
        "<script type=\"application/ld+json\">{\"url\":"
        "\"https://static.example/j/articles/a/\",\"x\":\"<a href='/zz'>\"}"
        "</script><form action=\"https://elsewhere.example/s\"></form>");

    linkmap_init(&m, "http://127.0.0.1:8080", NULL,
                 "https://search.example/?site=j&x=1");
    out = rewrite(&m, LINKMAP_HTML,
                  "<form action=\"/search\" role=search><input name=q></form>"
                  "<a href=\"/search?q=oil\">oil</a>",
                  &s);
    assert_string_equal(
        out, "<form action=\"https://search.example/?site=j&amp;x=1\" "
             "role=search><input name=q></form>"
             "<a href=\"https://search.example/?site=j&amp;x=1&amp;q=oil\">"
             "oil</a>");
}

static void test_xml_and_text(void **state)
{
    (void)state;
    struct linkmap m;
    struct seen s = {0};
    linkmap_init(&m, "https://j.example", "https://mirror.example", NULL);
    const char *out = rewrite(
        &m, LINKMAP_XML,
        "<?xml version=\"1.0\"?><urlset><url><loc>https://j.example/articles/a"
        "</loc></url><url><loc>https://j.example/</loc></url></urlset>"
        "<link href=\"https://j.example/feed.atom\" rel=\"self\"/>"
        "<content><![CDATA[<a href=\"https://j.example/articles/b\">b</a>]]>"
        "</content>",
        &s);
    assert_string_equal(
        out, "<?xml version=\"1.0\"?><urlset><url><loc>"
             "https://mirror.example/articles/a/</loc></url><url><loc>"
             "https://mirror.example/</loc></url></urlset>"
             "<link href=\"https://mirror.example/feed.atom\" rel=\"self\"/>"
             "<content><![CDATA[<a href=\"https://mirror.example/articles/b/\">"
             "b</a>]]></content>");
    out = rewrite(&m, LINKMAP_TEXT,
                  "Sitemap: https://j.example/sitemap.xml\n"
                  "{\"url\":\"https://j.example/articles/a?page=2\"}",
                  &s);
    assert_string_equal(out, "Sitemap: https://mirror.example/sitemap.xml\n"
                             "{\"url\":\"https://mirror.example/articles/a/"
                             "page/2/\"}");
}

static void test_hostile_markup(void **state)
{
    (void)state;
    struct linkmap m;
    struct seen s = {0};
    linkmap_init(&m, "https://j.example", NULL, NULL);
    /* unterminated constructs are copied, never read past the end */
    static const char *const bad[] = {
        "<a href=\"/x",
        "<a href=",
        "<!--",
        "<![CDATA[x",
        "<",
        "<form action=/newsletter",
        "<a href='/y'",
        "<script>",
        "https://j.example",
        "<a\thref\n=\n/z>z</a>",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        (void)rewrite(&m, LINKMAP_HTML, bad[i], &s);
    assert_string_equal(rewrite(&m, LINKMAP_HTML, "<a\thref\n=\n/z>z</a>", &s),
                        "<a\thref\n=\n/z/>z</a>");
}

/* Tag and attribute names are matched in any case, closing tags too. */
static void test_names_any_case(void **state)
{
    (void)state;
    struct linkmap m;
    struct seen s = {0};
    linkmap_init(&m, "https://j.example", NULL, NULL);
    const char *out =
        rewrite(&m, LINKMAP_HTML,
                "<IMG SRC=\"/a.png\"><Form Method=post ACTION=\"/newsletter\">"
                "<a href=\"/in\">in</a></FORM><p>"
                "<SCRIPT>var u = '<a href=\"/s\">'; // <scrip\n"
                "x = 'https://j.example/q';</Script><a hReF=\"/after\">a</a>"
                "<abbr href=\"/not-a-link-tag\">x</abbr>"
                "<STYLE>p{}</sTyLe><Meta Content=\"https://j.example/m\">",
                &s);
    assert_string_equal(
        out, "<IMG SRC=\"/a.png\"><p>"
             "<SCRIPT>var u = '<a href=\"/s\">'; // <scrip\n"
             "x = 'https://j.example/q/';</Script><a hReF=\"/after/\">a</a>"
             "<abbr href=\"/not-a-link-tag\">x</abbr>"
             "<STYLE>p{}</sTyLe><Meta Content=\"https://j.example/m/\">");
    assert_int_equal(s.n, 4);
    assert_string_equal(s.keys[0], "/a.png");
    assert_string_equal(s.keys[1], "/q");
    assert_string_equal(s.keys[2], "/after");
    assert_string_equal(s.keys[3], "/m");
}

/* A responsive image's srcset: every candidate is a file to export. */
static void test_srcset(void **state)
{
    (void)state;
    struct linkmap m;
    struct seen s = {0};
    linkmap_init(&m, "https://j.example", "https://static.example/j", NULL);
    const char *out = rewrite(
        &m, LINKMAP_HTML,
        "<picture><source type=\"image/webp\" srcset=\"/media/a-480.webp "
        "480w, /media/a-960.webp 960w\" sizes=\"5rem\"><img "
        "src=\"/media/a-960.jpg\" srcset=\"/media/a-480.jpg 480w,"
        "https://j.example/media/a-960.jpg 960w, https://cdn.example/x.jpg 2x,"
        " , /media/../x.jpg 1x\" alt=\"\"></picture>",
        &s);
    assert_string_equal(
        out, "<picture><source type=\"image/webp\" "
             "srcset=\"/j/media/a-480.webp 480w, /j/media/a-960.webp 960w\" "
             "sizes=\"5rem\"><img src=\"/j/media/a-960.jpg\" "
             "srcset=\"/j/media/a-480.jpg 480w,"
             "https://static.example/j/media/a-960.jpg 960w, "
             "https://cdn.example/x.jpg 2x, , /media/../x.jpg 1x\" "
             "alt=\"\"></picture>");
    assert_int_equal(s.n, 5);
    assert_string_equal(s.keys[0], "/media/a-480.webp");
    assert_string_equal(s.keys[1], "/media/a-960.webp");
    assert_string_equal(s.keys[2], "/media/a-960.jpg");
    assert_string_equal(s.keys[3], "/media/a-480.jpg");
    assert_string_equal(s.keys[4], "/media/a-960.jpg");
    /* Hostile srcsets: nothing read past the value, nothing crawled. */
    const char *bad[] = {"<img srcset=\"\">", "<img srcset=\",,,  ,\">",
                         "<img srcset=/x.jpg>", "<img srcset=\"/y.jpg",
                         "<img srcset>"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        (void)rewrite(&m, LINKMAP_HTML, bad[i], &s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys_and_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_path_and_forms, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_xml_and_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_markup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_any_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_srcset, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
