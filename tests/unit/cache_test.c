/*
 * cache_test.c - the page cache: hits, replacement, clearing, eviction,
 * the generation guard, and references outliving a clear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/xalloc.h"
#include "render/cache.h"
#include "core/page.h"

#include <stdio.h>
#include <string.h>

static struct page *mk(const char *text)
{
    return page_new(xstrdup(text), strlen(text), "text/html", PAGE_NO_SPLICE);
}

static void get_put_replace(void **state)
{
    (void)state;
    struct page_cache *c = cache_new(1 << 20);
    assert_null(cache_get(c, STR("/")));
    struct page *p = mk("home");
    cache_put(c, STR("/"), p, cache_generation(c));
    page_unref(p);
    struct page *got = cache_get(c, STR("/"));
    assert_non_null(got);
    assert_memory_equal(got->bytes, "home", 4);
    page_unref(got);

    p = mk("home v2");
    cache_put(c, STR("/"), p, cache_generation(c));
    page_unref(p);
    got = cache_get(c, STR("/"));
    assert_int_equal(got->len, 7);
    page_unref(got);
    size_t n, bytes;
    cache_stats(c, &n, &bytes);
    assert_int_equal(n, 1);
    cache_free(c);
}

/* The ETag is hashed on first use; the cache hashes before it shares. */
static void etag_hashed_before_sharing(void **state)
{
    (void)state;
    struct page_cache *c = cache_new(1 << 20);
    struct page *p = mk("same bytes"), *q = mk("same bytes");
    struct page *r = mk("other bytes");
    assert_string_equal(p->etag, ""); /* page_new does not hash */
    cache_put(c, STR("/p"), p, cache_generation(c));
    assert_int_equal(strlen(p->etag), 18); /* quoted 16 hex digits */
    assert_true(p->etag[0] == '"' && p->etag[17] == '"');
    assert_string_equal(page_etag(q), p->etag); /* equal bytes, equal tag */
    assert_string_not_equal(page_etag(r), p->etag);
    struct page *got = cache_get(c, STR("/p"));
    assert_ptr_equal(page_etag(got), got->etag);
    page_unref(got);
    page_unref(p);
    page_unref(q);
    page_unref(r);
    cache_free(c);
}

static void clear_and_generation_guard(void **state)
{
    (void)state;
    struct page_cache *c = cache_new(1 << 20);
    uint64_t gen = cache_generation(c);
    struct page *p = mk("a");
    cache_put(c, STR("/a"), p, gen);
    struct page *held = cache_get(c, STR("/a"));
    cache_clear(c);
    assert_null(cache_get(c, STR("/a")));
    /* An in-flight reference survives the clear. */
    assert_memory_equal(held->bytes, "a", 1);
    page_unref(held);
    /* A render begun before the clear is not stored. */
    cache_put(c, STR("/b"), p, gen);
    assert_null(cache_get(c, STR("/b")));
    page_unref(p);
    cache_free(c);
}

static void put_with(struct page_cache *c, const char *key, const char *dep,
                     int64_t id)
{
    struct page *p = mk(key);
    if (dep)
        page_depend(p, dep, id);
    cache_put(c, str_from(key), p, cache_generation(c));
    page_unref(p);
}

static bool cached(struct page_cache *c, const char *key)
{
    struct page *p = cache_get(c, str_from(key));
    page_unref(p);
    return p != NULL;
}

static void invalidates_only_dependents(void **state)
{
    (void)state;
    struct page_cache *c = cache_new(1 << 20);
    put_with(c, "/sections/a", "section", 1);
    put_with(c, "/sections/b", "section", 2);
    put_with(c, "/", "list", -1);
    put_with(c, "/undeclared", NULL, 0);
    uint64_t gen = cache_generation(c);

    uint64_t dep = page_dep_hash("section:1");
    cache_invalidate(c, &dep, 1);
    assert_false(cached(c, "/sections/a"));
    assert_true(cached(c, "/sections/b"));
    assert_true(cached(c, "/"));
    /* A page that names no dependencies goes with any change. */
    assert_false(cached(c, "/undeclared"));
    /* And a render begun before the change is not stored. */
    struct page *p = mk("stale");
    cache_put(c, STR("/stale"), p, gen);
    page_unref(p);
    assert_false(cached(c, "/stale"));

    uint64_t two[] = {page_dep_hash("tag:9"), page_dep_hash("list")};
    cache_invalidate(c, two, 2);
    assert_false(cached(c, "/"));
    assert_true(cached(c, "/sections/b"));

    /* Past its expiry a page is a miss. */
    p = mk("expiring");
    page_expire_in(p, -1);
    cache_put(c, STR("/most-read"), p, cache_generation(c));
    page_unref(p);
    assert_false(cached(c, "/most-read"));
    cache_free(c);
}

static void evicts_oldest_and_grows(void **state)
{
    (void)state;
    struct page_cache *c = cache_new(100 * 20);
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "/p/%d", i);
        struct page *p = mk("0123456789");
        cache_put(c, str_from(key), p, cache_generation(c));
        page_unref(p);
    }
    size_t n, bytes;
    cache_stats(c, &n, &bytes);
    assert_true(bytes <= 100 * 20);
    assert_true(n > 0);
    assert_null(cache_get(c, STR("/p/0")));
    struct page *last = cache_get(c, STR("/p/4999"));
    assert_non_null(last);
    page_unref(last);
    cache_free(c);

    /* Many distinct keys with room for all: the table must grow. */
    c = cache_new(1 << 30);
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof(key), "/q/%d", i);
        struct page *p = mk("x");
        cache_put(c, str_from(key), p, cache_generation(c));
        page_unref(p);
    }
    for (int i = 0; i < 10000; i += 997) {
        snprintf(key, sizeof(key), "/q/%d", i);
        struct page *p = cache_get(c, str_from(key));
        assert_non_null(p);
        page_unref(p);
    }
    cache_free(c);
}

/* A compressible page keeps gzip and brotli variants; the budget counts
 * them, and a small one or an image gets none. */
static void variants_counted_in_budget(void **state)
{
    (void)state;
    struct page_cache *c = cache_new(1 << 20);
    char *text = xmalloc(8000);
    for (int i = 0; i < 8000; i++)
        text[i] = "<p>Caspian voices</p>\n"[i % 22];
    struct page *p = page_new(text, 8000, "text/html", PAGE_NO_SPLICE);
    cache_put(c, STR("/big"), p, cache_generation(c));
    assert_non_null(p->gz);
    assert_non_null(p->br);
    assert_true(p->gz_len < 8000 && p->br_len < 8000);
    size_t n, bytes;
    cache_stats(c, &n, &bytes);
    assert_int_equal(bytes, 8000 + p->gz_len + p->br_len + strlen("/big"));
    char *png = xmalloc(8000);
    memcpy(png, text, 8000);
    struct page *img = page_new(png, 8000, "image/png", PAGE_NO_SPLICE);
    cache_put(c, STR("/i"), img, cache_generation(c));
    assert_null(img->gz);
    assert_null(img->br);
    struct page *small = mk("tiny page");
    cache_put(c, STR("/s"), small, cache_generation(c));
    assert_null(small->gz);
    cache_stats(c, &n, &bytes);
    assert_int_equal(bytes, 8000 + p->gz_len + p->br_len + 4 + 8000 + 2 +
                                strlen("tiny page") + 2);
    /* Dropping the page gives back its variants' bytes too. */
    cache_clear(c);
    cache_stats(c, &n, &bytes);
    assert_int_equal(bytes, 0);
    page_unref(p);
    page_unref(img);
    page_unref(small);
    cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_put_replace),
        cmocka_unit_test(etag_hashed_before_sharing),
        cmocka_unit_test(clear_and_generation_guard),
        cmocka_unit_test(invalidates_only_dependents),
        cmocka_unit_test(evicts_oldest_and_grows),
        cmocka_unit_test(variants_counted_in_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
