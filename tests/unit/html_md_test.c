/* html_md_test.c - old HTML bodies to Markdown, and text repair. */
#include "content/html_md.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static char *md(const char *html)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(html_to_markdown(html, strlen(html), &b, NULL), 0);
    return buf_take(&b, NULL);
}

#define MD(html, want)                                                         \
    do {                                                                       \
        char *got_ = md(html);                                                 \
        assert_string_equal(got_, want);                                       \
        free(got_);                                                            \
    } while (0)

static void test_blocks(void **state)
{
    (void)state;
    MD("<p>One</p><p>Two  words</p>", "One\n\nTwo words");
    MD("<h2>Title</h2><p>x</p>", "## Title\n\nx");
    MD("<ul><li>a</li><li>b</li></ul>", "- a\n- b");
    MD("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b");
    MD("<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2");
    MD("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2|3</td></tr>"
       "</table>",
       "| A | B |\n| --- | --- |\n| 1 | 2\\|3 |");
    MD("bare text<div>in a div</div>", "bare text\n\nin a div");
    MD("line<br>break", "line\\\nbreak");
}

static void test_inline(void **state)
{
    (void)state;
    MD("<p><em>a</em> <strong>b</strong> <i>c</i></p>", "*a* **b** *c*");
    MD("<p><b>J.M.</b>R</p>", "J.M.R"); /* CommonMark would not close it */
    MD("<p><a href=\"https://x.org/a b\">link</a></p>",
       "[link](https://x.org/a%20b)");
    MD("<p><a href=\"/rel?q=(1)\">r</a></p>", "[r](/rel?q=%281%29)");
    MD("<p><img src=\"/images/map.jpg\" alt=\"A map\"></p>",
       "[A map](/images/map.jpg)");
    MD("<p>Wow!<a href=\"/x\">y</a></p>", "Wow\\![y](/x)");
    MD("<p>Wow!<em><a href=\"/x\">y</a></em></p>", "Wow\\![y](/x)");
    MD("<blockquote><pre>a\r\rb</pre></blockquote>",
       "> ```\n> a\n>\n> b\n> ```");
}

static void test_hostile(void **state)
{
    (void)state;
    MD("<p>a<script>alert(1)</script>b</p>", "ab");
    MD("<a href=\"javascript:alert(1)\">click</a>", "click");
    MD("<a href=\" JaVaScRiPt:x\">c</a><img src=\"data:x\" alt=\"d\">", "c");
    MD("<iframe src=\"//evil\"></iframe><p>ok</p>", "ok");
    MD("<p>&lt;b&gt;not a tag&lt;/b&gt; *star* [br]</p>",
       "\\<b\\>not a tag\\</b\\> \\*star\\* \\[br\\]");
    MD("<p># not a heading</p><p>1. not a list</p>",
       "\\# not a heading\n\n1\\. not a list");
}

static void test_entities_and_repair(void **state)
{
    (void)state;
    MD("<p>caf&eacute; &amp; &#8217;s &#x2014;</p>",
       "caf\xC3\xA9 & \xE2\x80\x99s \xE2\x80\x94");
    /* "’" decoded as Windows-1252 and encoded again, then a 1252 byte */
    MD("<p>it\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2s caf\xE9 \x93q\x94</p>",
       "it\xE2\x80\x99s caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D");
    MD("<p>&lt;PAC&g</strong>t;</p>", "\\<PAC\\>");
    struct html_md_report r = {0};
    struct buf b;
    buf_init(&b, 1024);
    const char *t = "a\xE9\xC3\xA2\xE2\x82\xAC\xE2\x80\x9C";
    text_repair(t, strlen(t), &b, &r);
    assert_string_equal(b.ptr, "a\xC3\xA9\xE2\x80\x93");
    assert_int_equal(r.bad_utf8, 1);
    assert_int_equal(r.mojibake, 1);
    buf_reset(&b);
    assert_int_equal(html_to_text("SCAB <SCAB.ST> &amp;  co", 24, &b, NULL), 0);
    assert_string_equal(b.ptr, "SCAB <SCAB.ST> & co");
    buf_reset(&b);
    const char *h = "<p>Intro <b>bold</b></p><script>x</script><p>two</p>";
    assert_int_equal(html_to_plain(h, strlen(h), &b, NULL), 0);
    assert_string_equal(b.ptr, "Intro bold two");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_inline),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_entities_and_repair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
