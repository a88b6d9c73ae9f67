/* utf8_test.c - strict UTF-8 validation. */
#include "core/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define VALID(lit) utf8_valid((lit), sizeof(lit) - 1, NULL)

static size_t bad_at(const char *s, size_t n)
{
    size_t off = (size_t)-1;
    assert_false(utf8_valid(s, n, &off));
    return off;
}
#define BAD_AT(lit) bad_at((lit), sizeof(lit) - 1)

static void test_valid(void **state)
{
    (void)state;
    assert_true(VALID(""));
    assert_true(VALID("plain ASCII"));
    assert_true(VALID("caf\xC3\xA9"));        /* é */
    assert_true(VALID("\xE2\x82\xAC"));       /* € */
    assert_true(VALID("\xF0\x9F\x98\x80"));   /* U+1F600 */
    assert_true(VALID("\xC2\x80"));           /* U+0080 */
    assert_true(VALID("\xE0\xA0\x80"));       /* U+0800 */
    assert_true(VALID("\xED\x9F\xBF"));       /* U+D7FF */
    assert_true(VALID("\xEE\x80\x80"));       /* U+E000 */
    assert_true(VALID("\xEF\xBF\xBF"));       /* U+FFFF */
    assert_true(VALID("\xF0\x90\x80\x80"));   /* U+10000 */
    assert_true(VALID("\xF4\x8F\xBF\xBF"));   /* U+10FFFF */
    assert_true(utf8_valid("a\0b", 3, NULL)); /* NUL is UTF-8 */
}

static void test_overlong(void **state)
{
    (void)state;
    assert_int_equal(BAD_AT("\xC0\xAF"), 0); /* overlong '/' */
    assert_int_equal(BAD_AT("ab\xC1\xBF"), 2);
    assert_int_equal(BAD_AT("\xE0\x80\xAF"), 0); /* 3-byte overlong */
    assert_int_equal(BAD_AT("\xE0\x9F\xBF"), 0);
    assert_int_equal(BAD_AT("\xF0\x80\x80\xAF"), 0); /* 4-byte overlong */
    assert_int_equal(BAD_AT("\xF0\x8F\xBF\xBF"), 0);
}

static void test_surrogates_and_range(void **state)
{
    (void)state;
    assert_int_equal(BAD_AT("x\xED\xA0\x80"), 1);    /* U+D800 */
    assert_int_equal(BAD_AT("\xED\xBF\xBF"), 0);     /* U+DFFF */
    assert_int_equal(BAD_AT("\xF4\x90\x80\x80"), 0); /* U+110000 */
    assert_int_equal(BAD_AT("\xF5\x80\x80\x80"), 0);
    assert_int_equal(BAD_AT("\xFF"), 0);
    assert_int_equal(BAD_AT("\xFE"), 0);
}

static void test_truncated_and_stray(void **state)
{
    (void)state;
    assert_int_equal(BAD_AT("abc\xC3"), 3); /* cut at the end */
    assert_int_equal(BAD_AT("\xE2\x82"), 0);
    assert_int_equal(BAD_AT("\xF0\x9F\x98"), 0);
    assert_int_equal(BAD_AT("\xE2\x82x"), 0);    /* cut by ASCII */
    assert_int_equal(BAD_AT("ok\x80"), 2);       /* lone continuation */
    assert_int_equal(BAD_AT("\xC3\xA9\xA9"), 2); /* one too many */
    /* A valid sequence just past the length is not read. */
    assert_false(utf8_valid("\xC3\xA9", 1, NULL));
}

static void test_decode(void **state)
{
    (void)state;
    uint32_t cp = 0;
    assert_int_equal(utf8_decode("\xC3\xA9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(utf8_decode("\xED\xA0\x80", 3, &cp), 0);
    assert_int_equal(utf8_decode("", 0, &cp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_overlong),
        cmocka_unit_test(test_surrogates_and_range),
        cmocka_unit_test(test_truncated_and_stray),
        cmocka_unit_test(test_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
