/*
 * hits_test.c - the read counters (site/hits.c) against a real SQLite
 * file: a counter lives while a page holds it or a read is pending, the
 * flush writes the reads and then forgets what no page holds, and a
 * forgotten article's next counter starts from the count written.
 */
#include "core/page.h"
#include "site/hits.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define TMPDIR_NAME "/tmp/quire-hits-XXXXXX"
#include "test_tmpdir.h"

static struct store *store;
static int64_t article;

static int setup(void **state)
{
    if (tmpdir_setup(state) != 0 ||
        store_open(path_of("hits.db"), STORE_CREATE, &store) != 0)
        return -1;
    struct article_input in = {.slug = "read-me",
                               .title = "Read me",
                               .status = ARTICLE_PUBLISHED,
                               .published_at = 86400,
                               .hits = 41};
    return store_article_save(store, &in, &article, NULL);
}

static int teardown(void **state)
{
    store_close(store);
    return tmpdir_teardown(state);
}

static int64_t stored(void)
{
    int64_t n = -1;
    assert_int_equal(store_article_hits(store, article, &n), 0);
    return n;
}

static void test_counter_lives_while_held(void **state)
{
    (void)state;
    struct hits *h = hits_new(store);
    struct hit_counter *c = hits_counter(h, article, stored());
    assert_int_equal(hits_count(c), 42);
    assert_int_equal(hits_counters(h), 1);

    /* Held (by the caller, as by a cached page): the flush writes the read
     * and keeps the counter. */
    assert_int_equal(hits_flush(h), 0);
    assert_int_equal(stored(), 42);
    assert_int_equal(hits_counters(h), 1);
    struct hit_counter *again = hits_counter(h, article, 0);
    assert_ptr_equal(again, c);
    hit_counter_release(again);

    /* A page holds its own reference: still kept when the caller lets go. */
    struct page *p = page_new(strdup("<p>42</p>"), 9, "text/html", 3);
    p->counter = c;
    hit_counter_hold(c);
    hit_counter_release(c);
    assert_int_equal(hits_count(c), 43);
    assert_int_equal(hits_flush(h), 0);
    assert_int_equal(hits_counters(h), 1);
    assert_int_equal(stored(), 43);

    /* No page holds it and nothing is pending: the next flush forgets it,
     * and the article's next counter starts from what was written. */
    page_unref(p);
    assert_int_equal(hits_flush(h), 0);
    assert_int_equal(hits_counters(h), 0);
    c = hits_counter(h, article, stored());
    assert_int_equal(hits_total(c), 43);
    hit_counter_release(c);
    hits_free(h);
}

static void test_pending_reads_are_written_before_forgetting(void **state)
{
    (void)state;
    struct hits *h = hits_new(store);
    int64_t before = stored();
    struct hit_counter *c = hits_counter(h, article, before);
    for (int i = 0; i < 5; i++)
        hits_count(c);
    hit_counter_release(c); /* pending reads keep it until written */
    assert_int_equal(hits_counters(h), 1);
    assert_int_equal(hits_flush(h), 0);
    assert_int_equal(stored(), before + 5);
    assert_int_equal(hits_counters(h), 0);
    hits_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_lives_while_held),
        cmocka_unit_test(test_pending_reads_are_written_before_forgetting),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
