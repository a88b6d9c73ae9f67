/* value_test.c - the tval tree: constructors, lists, maps, truthiness. */
#include "core/arena.h"
#include "render/value.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit/test_arena.h"

static void test_scalars(void **state)
{
    (void)state;
    struct arena *a = &arena;
    assert_int_equal(tv_null(a)->type, TV_NULL);
    assert_true(tv_bool(a, true)->u.b);
    assert_int_equal(tv_int(a, -7)->u.i, -7);
    assert_true(tv_num(a, 1.5)->u.num == 1.5);

    struct tval *s = tv_str(a, "hello");
    assert_int_equal(s->type, TV_STR);
    assert_int_equal(s->u.s.len, 5);
    assert_memory_equal(s->u.s.ptr, "hello", 5);
    /* tv_str does not copy. */
    const char *lit = "lit";
    assert_ptr_equal(tv_str(a, lit)->u.s.ptr, lit);
    /* NULL and a NULL slice become "". */
    assert_int_equal(tv_str(a, NULL)->u.s.len, 0);
    assert_non_null(tv_strn(a, STR_NULL)->u.s.ptr);
    struct tval *n = tv_strn(a, (struct str){"abcdef", 3});
    assert_int_equal(n->u.s.len, 3);
}

static void test_list(void **state)
{
    (void)state;
    struct tval *l = tv_list(&arena);
    assert_int_equal(l->u.list.n, 0);
    for (int i = 0; i < 1000; i++)
        tv_push(&arena, l, tv_int(&arena, i));
    assert_int_equal(l->u.list.n, 1000);
    assert_true(l->u.list.cap >= 1000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(l->u.list.items[i]->u.i, i);
    /* A NULL item is stored as null, never as a NULL pointer. */
    tv_push(&arena, l, NULL);
    assert_int_equal(l->u.list.items[1000]->type, TV_NULL);
}

static void test_map(void **state)
{
    (void)state;
    struct arena *a = &arena;
    struct tval *m = tv_map(a);
    char key[16];

    tv_set_str(a, m, "title", "Oil");
    tv_set_int(a, m, "reads", 3093);
    tv_set_bool(a, m, "draft", false);
    tv_set_str(a, m, "absent", NULL); /* sets nothing */
    assert_int_equal(m->u.map.n, 3);
    assert_null(tv_get(m, STR("absent")));
    assert_int_equal(tv_get(m, STR("reads"))->u.i, 3093);
    assert_false(tv_get(m, STR("draft"))->u.b);
    /* Keys are whole words: no prefix matches. */
    assert_null(tv_get(m, STR("titl")));
    assert_null(tv_get(m, STR("titles")));
    assert_null(tv_get(m, (struct str){"title!", 5 - 1}));
    assert_non_null(tv_get(m, (struct str){"title!", 5}));

    /* Replacing keeps the position and the count. */
    tv_set_str(a, m, "title", "Gas");
    assert_int_equal(m->u.map.n, 3);
    assert_string_equal(m->u.map.kv[0].key, "title");
    assert_memory_equal(tv_get(m, STR("title"))->u.s.ptr, "Gas", 3);

    /* Growth keeps insertion order. */
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        tv_set_int(a, m, arena_strdup(a, key), i);
    }
    assert_int_equal(m->u.map.n, 103);
    assert_string_equal(m->u.map.kv[3].key, "k0");
    assert_string_equal(m->u.map.kv[102].key, "k99");
    assert_int_equal(tv_get(m, STR("k57"))->u.i, 57);

    /* tv_get on anything but a map finds nothing. */
    assert_null(tv_get(NULL, STR("x")));
    assert_null(tv_get(tv_list(a), STR("x")));
    assert_null(tv_get(tv_str(a, "x"), STR("x")));
    tv_set(a, m, "nil", NULL);
    assert_int_equal(tv_get(m, STR("nil"))->type, TV_NULL);
}

static void test_truthy(void **state)
{
    (void)state;
    struct arena *a = &arena;
    struct tval *l = tv_list(a);
    assert_false(tv_truthy(NULL));
    assert_false(tv_truthy(tv_null(a)));
    assert_false(tv_truthy(tv_bool(a, false)));
    assert_false(tv_truthy(tv_str(a, "")));
    assert_false(tv_truthy(l));
    tv_push(a, l, tv_null(a));
    assert_true(tv_truthy(l));
    assert_true(tv_truthy(tv_bool(a, true)));
    assert_true(tv_truthy(tv_str(a, "0")));
    assert_true(tv_truthy(tv_int(a, 0)));
    assert_true(tv_truthy(tv_num(a, 0.0)));
    assert_true(tv_truthy(tv_map(a)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truthy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
