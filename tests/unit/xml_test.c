/*
 * xml_test.c - render/xml.c: text XML 1.0 cannot carry is dropped, the
 * rest is escaped, and documents come out balanced.
 */
#include "render/xml.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_arena.h"

static void clean_drops_what_xml_forbids(void **state)
{
    (void)state;
    assert_null(xml_clean(&arena, NULL));
    const char *ok = "plain \t\r\n text, caf\xc3\xa9 \xf0\x9f\x93\xb0";
    assert_ptr_equal(xml_clean(&arena, ok), ok); /* clean text is not copied */
    assert_string_equal(xml_clean(&arena, "a\x01\x02\x03\x04\x05\x06\x07\x08"
                                          "b\x0b\x0c\x0e\x1f"
                                          "c"),
                        "abc");
    /* U+FFFE and U+FFFF are not characters; U+FFFD is. */
    assert_string_equal(xml_clean(&arena, "x\xef\xbf\xbey\xef\xbf\xbfz"
                                          "\xef\xbf\xbd"),
                        "xyz\xef\xbf\xbd");
    /* Bytes that are not UTF-8 go: lone continuation, overlong, truncated,
     * a surrogate. */
    assert_string_equal(xml_clean(&arena, "a\x80"
                                          "b\xc0\xaf"
                                          "c\xed\xa0\x80"
                                          "d\xe2\x82"),
                        "abcd");
    assert_true(xml_char_ok(0x9) && xml_char_ok(0x20) && xml_char_ok(0x10FFFF));
    assert_false(xml_char_ok(0x0) || xml_char_ok(0x1F) || xml_char_ok(0xFFFE));
}

static void writer_escapes_and_balances(void **state)
{
    (void)state;
    struct xml *x = xml_new(&arena);
    xml_start(x, "feed");
    xml_attr(x, "xmlns", "urn:x");
    xml_attr(x, "skipped", NULL);
    xml_start(x, "entry");
    xml_attr(x, "label", "a \"q\" & <b> 'x'\x01");
    xml_elem(x, "title", "</script> ]]> & <script>\x02");
    xml_elem(x, "absent", NULL);
    /* Left open: xml_finish closes it. */
    char *out;
    size_t len;
    assert_int_equal(xml_finish(x, &out, &len), 0);
    assert_int_equal(strlen(out), len);
    assert_non_null(strstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_non_null(strstr(out, "<feed xmlns=\"urn:x\">"));
    assert_null(strstr(out, "skipped"));
    assert_null(strstr(out, "absent"));
    assert_non_null(strstr(out, "label=\"a &quot;q&quot; &amp; &lt;b&gt; "
                                "'x'\""));
    assert_non_null(strstr(out, "<title>&lt;/script&gt; ]]&gt; &amp; "
                                "&lt;script&gt;</title>"));
    assert_non_null(strstr(out, "</entry>"));
    assert_non_null(strstr(out, "</feed>"));
    for (size_t i = 0; i < len; i++)
        assert_true((unsigned char)out[i] >= 0x20 || out[i] == '\n');
    free(out);
}

static void an_unclosable_document_fails(void **state)
{
    (void)state;
    struct xml *x = xml_new(&arena);
    xml_end(x); /* nothing is open */
    char *out = (char *)"unchanged";
    size_t len = 7;
    assert_int_equal(xml_finish(x, &out, &len), ERR_INVALID);
    assert_null(out);
    assert_int_equal(len, 0);
    /* A document dropped unfinished is freed with the arena (ASan). */
    x = xml_new(&arena);
    xml_start(x, "never-finished");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(clean_drops_what_xml_forbids, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(writer_escapes_and_balances, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_unclosable_document_fails, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
