/* markdown_test.c - Markdown rendering, extensions and safety. */
#include "content/markdown.h"
#include "core/buf.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static struct buf out;

static const char *render(const char *md)
{
    buf_reset(&out);
    assert_int_equal(markdown_to_html(md, strlen(md), &out), 0);
    return out.ptr;
}

#define CONTAINS(hay, needle)                                                  \
    do {                                                                       \
        if (!strstr((hay), (needle)))                                          \
            fail_msg("'%s' not found in:\n%s", (needle), (hay));               \
    } while (0)
#define LACKS(hay, needle)                                                     \
    do {                                                                       \
        if (strstr((hay), (needle)))                                           \
            fail_msg("'%s' unexpectedly found in:\n%s", (needle), (hay));      \
    } while (0)

static int setup(void **state)
{
    (void)state;
    buf_init(&out, 1 << 20);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    buf_release(&out);
    return 0;
}

static void test_commonmark(void **state)
{
    (void)state;
    assert_string_equal(render("# Title\n\nSome *emphasis* and `code`.\n"),
                        "<h1>Title</h1>\n<p>Some <em>emphasis</em> and "
                        "<code>code</code>.</p>\n");
    const char *h = render("- one\n- two\n\n> quoted\n");
    CONTAINS(h, "<li>one</li>");
    CONTAINS(h, "<blockquote>");
    /* Text is escaped. */
    CONTAINS(render("AT&T < 3 > 2 q\n"), "AT&amp;T &lt; 3 &gt; 2 q");
    /* Smart punctuation (issue 14): typographic quotes and dashes. */
    const char *q = render("\"quoted\" -- dash, it's --- done\n");
    CONTAINS(q, "\xE2\x80\x9Cquoted\xE2\x80\x9D"); /* “quoted” */
    CONTAINS(q, "\xE2\x80\x93 dash");              /* en dash */
    CONTAINS(q, "it\xE2\x80\x99s");                /* it’s */
    CONTAINS(q, "\xE2\x80\x94 done");              /* em dash */
}

static void test_table(void **state)
{
    (void)state;
    const char *h = render("| Country | Capital |\n|:--|--:|\n"
                           "| Georgia | Tbilisi |\n");
    CONTAINS(h, "<table>");
    CONTAINS(h, "<th align=\"left\">Country</th>");
    CONTAINS(h, "<td align=\"right\">Tbilisi</td>");
}

static void test_strikethrough_tasklist(void **state)
{
    (void)state;
    CONTAINS(render("~~gone~~\n"), "<del>gone</del>");
    const char *h = render("- [x] done\n- [ ] todo\n");
    CONTAINS(h, "checked=\"\" disabled=\"\"");
    CONTAINS(h, "type=\"checkbox\"");
}

static void test_autolink(void **state)
{
    (void)state;
    CONTAINS(render("See https://www.cacianalyst.org/ now.\n"),
             "<a href=\"https://www.cacianalyst.org/\">");
    CONTAINS(render("Visit www.example.org today\n"),
             "<a href=\"http://www.example.org\">www.example.org</a>");
    CONTAINS(render("<https://example.com/x>\n"),
             "<a href=\"https://example.com/x\">");
}

static void test_footnotes(void **state)
{
    (void)state;
    const char *h = render("A claim.[^1]\n\n[^1]: The source.\n");
    CONTAINS(h, "<sup class=\"footnote-ref\">");
    CONTAINS(h, "<section class=\"footnotes\"");
    CONTAINS(h, "The source.");
}

static void test_no_raw_html(void **state)
{
    (void)state;
    const char *h = render("<script>alert(1)</script>\n\nText\n");
    LACKS(h, "<script");
    CONTAINS(h, "raw HTML omitted");
    h = render("Inline <img src=x onerror=alert(1)> tag\n");
    LACKS(h, "<img");
    LACKS(h, "onerror");
    h = render("<iframe src=\"https://evil\"></iframe>\n");
    LACKS(h, "<iframe");
}

static void test_dangerous_links(void **state)
{
    (void)state;
    const char *h = render("[click](javascript:alert(1))\n");
    LACKS(h, "javascript:");
    CONTAINS(h, "<a href=\"\">click</a>");
    h = render("[x](JaVaScRiPt:alert(1)) [y](vbscript:msgbox) "
               "[z](data:text/html;base64,PHNjcmlwdD4=)\n");
    LACKS(h, "avascript");
    LACKS(h, "vbscript");
    LACKS(h, "data:text/html");
    h = render("![i](javascript:alert(1))\n");
    LACKS(h, "javascript:");
    /* Ordinary links are untouched. */
    CONTAINS(render("[ok](https://example.com/a?b=1&c=2)\n"),
             "href=\"https://example.com/a?b=1&amp;c=2\"");
    /* Attribute breaking is escaped. */
    LACKS(render("[x](\"onmouseover=alert(1))\n"), "\"onmouseover");
}

static void test_invalid_utf8_and_limit(void **state)
{
    (void)state;
    const char *h = render("bad \xFF byte\n");
    CONTAINS(h, "\xEF\xBF\xBD"); /* U+FFFD */
    struct buf small;
    buf_init(&small, 8);
    assert_int_equal(markdown_to_html("a long paragraph", 16, &small),
                     ERR_TOO_BIG);
    buf_release(&small);
    /* Appends to what is already there. */
    buf_reset(&out);
    buf_append_cstr(&out, "<div>");
    assert_int_equal(markdown_to_html("x", 1, &out), 0);
    assert_string_equal(out.ptr, "<div><p>x</p>\n");
}

/* cmark-gfm 0.29.0.gfm.6 toggles global tables per parse; markdown.c
 * serialises parsing. Without that, this lost ~2% of the extensions. */
static void *render_many(void *arg)
{
    const char *md = "Some ~~struck~~ text and www.example.org here, with "
                     "enough plain words after it to keep a parse going "
                     "while another thread starts or finishes its own.\n";
    struct buf b;
    int *bad = arg;
    buf_init(&b, 1 << 16);
    for (int i = 0; i < 3000; i++) {
        buf_reset(&b);
        if (markdown_to_html(md, strlen(md), &b) != 0 ||
            !strstr(b.ptr, "<del>struck</del>") ||
            !strstr(b.ptr, "<a href=\"http://www.example.org\">"))
            (*bad)++;
    }
    buf_release(&b);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    int bad[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, render_many, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(bad[i], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commonmark),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_strikethrough_tasklist),
        cmocka_unit_test(test_autolink),
        cmocka_unit_test(test_footnotes),
        cmocka_unit_test(test_no_raw_html),
        cmocka_unit_test(test_dangerous_links),
        cmocka_unit_test(test_invalid_utf8_and_limit),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
