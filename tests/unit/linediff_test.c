/*
 * linediff_test.c - the revisions' line diff: kept, removed and added
 * lines in order, edits in the middle, empty texts, and the fallback for
 * texts too long to compare in detail.
 */
#include "content/linediff.h"
#include "core/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* render writes the diff as "op text\n" lines for comparison. */
static const char *render(struct arena *a, const char *x, const char *y)
{
    struct diff_line *d;
    size_t n;
    assert_int_equal(linediff(a, x, y, &d, &n), 0);
    static char out[4096];
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%c%s\n", d[i].op,
                                d[i].text);
    return out;
}

static void test_edits(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 4096);
    assert_string_equal(render(&a, "a\nb\nc\n", "a\nb\nc\n"), " a\n b\n c\n");
    assert_string_equal(render(&a, "a\nb\nc\n", "a\nx\nc\n"),
                        " a\n-b\n+x\n c\n");
    assert_string_equal(render(&a, "", "one\ntwo"), "+one\n+two\n");
    assert_string_equal(render(&a, "one\ntwo\n", ""), "-one\n-two\n");
    assert_string_equal(render(&a, "a\nb\nc\nd\n", "b\nc\nd\ne\n"),
                        "-a\n b\n c\n d\n+e\n");
    /* a moved line: the longest common run is kept */
    assert_string_equal(render(&a, "h\n1\n2\n3\nt\n", "h\n2\n3\n1\nt\n"),
                        " h\n-1\n 2\n 3\n+1\n t\n");
    assert_string_equal(render(&a, NULL, NULL), "");
    arena_release(&a);
}

static void test_too_long_falls_back(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1 << 16);
    size_t lines = 2100; /* 2101^2 > LINEDIFF_MAX_CELLS */
    char *x = malloc(lines * 8 + 1), *y = malloc(lines * 8 + 1);
    size_t lx = 0, ly = 0;
    for (size_t i = 0; i < lines; i++) {
        lx += (size_t)snprintf(x + lx, 9, "x%05zu\n", i);
        ly += (size_t)snprintf(y + ly, 9, "y%05zu\n", i);
    }
    struct diff_line *d;
    size_t n;
    assert_int_equal(linediff(&a, x, y, &d, &n), 0);
    assert_int_equal(n, 2 * lines);
    assert_int_equal(d[0].op, '-');
    assert_int_equal(d[lines].op, '+');
    free(x);
    free(y);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edits),
        cmocka_unit_test(test_too_long_falls_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
