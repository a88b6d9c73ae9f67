/*
 * test_arena.h - one arena per test, for cmocka tests that allocate from
 * an arena: pass setup/teardown to cmocka_unit_test_setup_teardown.
 * Include after <cmocka.h>.
 */
#ifndef QUIRE_TEST_ARENA_H
#define QUIRE_TEST_ARENA_H

#include "core/arena.h"

static struct arena arena;

static int setup(void **state)
{
    (void)state;
    arena_init(&arena, 4096);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&arena);
    return 0;
}

#endif
