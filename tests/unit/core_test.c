/* core_test.c - the shared primitives: buffers, arenas, string slices. */
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* ---------------------------------------------------------------------- */
/* buf                                                                    */
/* ---------------------------------------------------------------------- */

static void test_buf_append(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_string_equal(b.ptr, ""); /* NUL-terminated from the start */
    assert_int_equal(b.len, 0);
    buf_append(&b, "ab", 2);
    buf_append(&b, NULL, 0);
    buf_append_str(&b, STR("cd"));
    buf_append_cstr(&b, "ef");
    buf_append_char(&b, 'g');
    buf_printf(&b, "-%d-%s", 42, "x");
    assert_string_equal(b.ptr, "abcdefg-42-x");
    assert_int_equal(b.len, 12);
    assert_true(str_eq(buf_str(&b), STR("abcdefg-42-x")));
    assert_int_equal(buf_error(&b), 0);

    /* Growth well past the first allocation keeps every byte. */
    for (int i = 0; i < 10000; i++)
        buf_append_char(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 10012);
    assert_int_equal(b.ptr[12], 'a');
    assert_int_equal(b.ptr[10011], 'a' + 9999 % 26);
    assert_int_equal(b.ptr[b.len], '\0');

    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.ptr, "");
    buf_release(&b);
    buf_release(&b); /* twice is harmless */
}

static void test_buf_limit(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    buf_append_cstr(&b, "12345678");
    assert_int_equal(buf_error(&b), 0);
    buf_append_char(&b, '9'); /* over the limit: dropped whole, sticky */
    assert_int_equal(buf_error(&b), ERR_TOO_BIG);
    assert_string_equal(b.ptr, "12345678");
    buf_reset(&b); /* clears the error */
    buf_append_cstr(&b, "123456789");
    assert_int_equal(buf_error(&b), ERR_TOO_BIG);
    assert_int_equal(b.len, 0);
    buf_append_cstr(&b, "1"); /* fits, but the error is sticky */
    assert_int_equal(b.len, 0);
    buf_reset(&b);
    buf_printf(&b, "%s", "far too long for eight bytes");
    assert_int_equal(buf_error(&b), ERR_TOO_BIG);
    buf_release(&b);
}

static void test_buf_html(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 10);
    const char s[] = "<a href=\"x\">Tom & Jerry's</a>";
    buf_append_html(&b, s, strlen(s));
    assert_string_equal(b.ptr, "&lt;a href=&quot;x&quot;&gt;Tom &amp; "
                               "Jerry&#39;s&lt;/a&gt;");
    buf_reset(&b);
    buf_append_html(&b, "plain", 5);
    buf_append_html(&b, "", 0);
    assert_string_equal(b.ptr, "plain");
    buf_release(&b);
}

/* The escaper as the spec reads, one byte at a time. */
static void html_ref(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '&')
            buf_append_cstr(b, "&amp;");
        else if (c == '<')
            buf_append_cstr(b, "&lt;");
        else if (c == '>')
            buf_append_cstr(b, "&gt;");
        else if (c == '"')
            buf_append_cstr(b, "&quot;");
        else if (c == '\'')
            buf_append_cstr(b, "&#39;");
        else if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
            buf_append_char(b, (char)c);
    }
}

/* Every byte value at every place in runs longer than the 16-byte scan,
 * with plain bytes of both halves (ASCII and UTF-8) around it. */
static void test_buf_html_every_byte(void **state)
{
    (void)state;
    char s[80];
    struct buf got, want;
    buf_init(&got, 1 << 12);
    buf_init(&want, 1 << 12);
    for (int c = 0; c < 256; c++) {
        for (size_t at = 0; at < sizeof(s); at += 7) {
            for (size_t i = 0; i < sizeof(s); i++)
                s[i] = i % 3 ? 'a' + (char)(i % 26) : (char)0xC3;
            s[at] = (char)c;
            for (size_t n = at + 1; n <= sizeof(s); n += 13) {
                buf_reset(&got);
                buf_reset(&want);
                buf_append_html(&got, s, n);
                html_ref(&want, s, n);
                assert_int_equal(got.len, want.len);
                assert_memory_equal(got.ptr, want.ptr, want.len);
            }
        }
    }
    buf_release(&got);
    buf_release(&want);
}

static void test_buf_take(void **state)
{
    (void)state;
    struct buf b;
    size_t len;
    buf_init(&b, 100);
    char *p = buf_take(&b, &len); /* empty: still a heap string */
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);
    buf_append_cstr(&b, "owned");
    p = buf_take(&b, &len);
    assert_string_equal(p, "owned");
    assert_int_equal(len, 5);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 100); /* reusable with the same limit */
    free(p);
    buf_release(&b);
}

static void test_buf_arena(void **state)
{
    (void)state;
    struct arena a;
    struct buf b;
    arena_init(&a, 256);
    buf_init_arena(&b, &a, 1 << 20);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 2000);
    assert_memory_equal(b.ptr, "0,1,2,", 6);
    buf_release(&b); /* no-op for arena storage */
    arena_release(&a);
}

/* ---------------------------------------------------------------------- */
/* arena                                                                  */
/* ---------------------------------------------------------------------- */

static int order[4], norder;

static void record(void *arg)
{
    order[norder++] = (int)(intptr_t)arg;
}

static void test_arena(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024);
    for (int i = 0; i < 100; i++) {
        void *p = arena_alloc(&a, (size_t)i + 1);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)i + 1);
    }
    unsigned char *z = arena_zalloc(&a, 64);
    for (int i = 0; i < 64; i++)
        assert_int_equal(z[i], 0);
    /* A big allocation gets a block of its own. */
    char *big = arena_alloc(&a, 100000);
    memset(big, 'x', 100000);
    assert_string_equal(arena_strndup(&a, "hello world", 5), "hello");
    assert_string_equal(arena_strdup(&a, ""), "");
    assert_string_equal(arena_printf(&a, "%s/%03d", "issue", 7), "issue/007");
    int *arr = ARENA_NEW_ARRAY(&a, int, 10);
    assert_int_equal(arr[9], 0);

    norder = 0;
    arena_defer(&a, record, (void *)1);
    arena_defer(&a, record, (void *)2);
    arena_defer(&a, record, (void *)3);
    arena_release(&a);
    assert_int_equal(norder, 3); /* last in, first out */
    assert_int_equal(order[0], 3);
    assert_int_equal(order[2], 1);

    /* Released arenas can be used again. */
    assert_string_equal(arena_strdup(&a, "again"), "again");
    arena_release(&a);
    arena_release(&a);
}

/* ---------------------------------------------------------------------- */
/* str                                                                    */
/* ---------------------------------------------------------------------- */

static void test_str(void **state)
{
    (void)state;
    assert_true(str_eq(STR("abc"), str_from("abc")));
    assert_false(str_eq(STR("abc"), STR("abd")));
    assert_false(str_eq(STR("ab"), STR("abc")));
    assert_true(str_eq(STR_NULL, STR("")));
    assert_int_equal(str_from(NULL).len, 0);
    assert_true(str_eq_cstr(STR("x"), "x"));
    assert_true(str_starts_with(STR("/articles/x"), STR("/articles/")));
    assert_false(str_starts_with(STR("/a"), STR("/articles/")));

    assert_true(str_eq(str_trim(STR(" \t a b \n")), STR("a b")));
    assert_int_equal(str_trim(STR("   ")).len, 0);
    assert_int_equal(str_trim(STR_NULL).len, 0);

    assert_true(str_casestr(STR("The Caspian Sea"), "caspian"));
    assert_true(str_casestr(STR("x"), ""));
    assert_false(str_casestr(STR("Cas"), "caspian"));
}

static void test_str_to_i64(void **state)
{
    (void)state;
    long long v = 0;
    assert_int_equal(str_to_i64(STR("2004"), 0, 9999, &v), 0);
    assert_int_equal(v, 2004);
    assert_int_equal(str_to_i64(STR("-12"), -100, 100, &v), 0);
    assert_int_equal(v, -12);
    assert_int_equal(str_to_i64(STR("+7"), 0, 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(str_to_i64(STR("9223372036854775807"), 0, INT64_MAX, &v),
                     0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(str_to_i64(STR("-9223372036854775808"), INT64_MIN, 0, &v),
                     0);
    assert_true(v == INT64_MIN);
    v = 99;
    assert_int_equal(str_to_i64(STR(""), 0, 10, &v), ERR_PARSE);
    assert_int_equal(str_to_i64(STR("-"), 0, 10, &v), ERR_PARSE);
    assert_int_equal(str_to_i64(STR("12a"), 0, 100, &v), ERR_PARSE);
    assert_int_equal(str_to_i64(STR(" 1"), 0, 10, &v), ERR_PARSE);
    assert_int_equal(str_to_i64(STR("11"), 0, 10, &v), ERR_INVALID);
    assert_int_equal(str_to_i64(STR("9223372036854775808"), 0, INT64_MAX, &v),
                     ERR_INVALID);
    assert_int_equal(
        str_to_i64(STR("99999999999999999999999"), 0, INT64_MAX, &v),
        ERR_INVALID);
    assert_int_equal(v, 99); /* untouched on error */
}

static void test_err_str(void **state)
{
    (void)state;
    assert_string_equal(err_str(0), "success");
    assert_string_equal(err_str(ERR_TOO_BIG), "input too large");
    assert_string_equal(err_str(-1000), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_append),
        cmocka_unit_test(test_buf_limit),
        cmocka_unit_test(test_buf_html),
        cmocka_unit_test(test_buf_html_every_byte),
        cmocka_unit_test(test_buf_take),
        cmocka_unit_test(test_buf_arena),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_str),
        cmocka_unit_test(test_str_to_i64),
        cmocka_unit_test(test_err_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
