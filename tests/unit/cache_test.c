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

#define TMPDIR_NAME "/tmp/quire-cache-XXXXXX"
#include "test_tmpdir.h"

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

static char *html_text(size_t n)
{
    char *text = xmalloc(n);
    for (size_t i = 0; i < n; i++)
        text[i] = "<p>Caspian voices</p>\n"[i % 22];
    return text;
}

/* A compressible page gets gzip and brotli variants when a client wants
 * them, in the background, and the budget counts them from then; a small
 * one or an image gets none. */
static void variants_counted_in_budget(void **state)
{
    (void)state;
    struct page_cache *c = cache_new(1 << 20);
    struct page *p =
        page_new(html_text(8000), 8000, "text/html", PAGE_NO_SPLICE);
    cache_put(c, STR("/big"), p, cache_generation(c));
    assert_null(page_variants(p)); /* nothing on the request's path */
    size_t n, bytes;
    cache_stats(c, &n, &bytes);
    assert_int_equal(bytes, 8000 + strlen("/big"));
    cache_want_compressed(c, STR("/big"), p);
    cache_settle(c);
    const struct page_variants *v = page_variants(p);
    assert_non_null(v);
    assert_non_null(v->gz);
    assert_non_null(v->br);
    assert_true(v->gz_len < 8000 && v->br_len < 8000);
    cache_stats(c, &n, &bytes);
    assert_int_equal(bytes, 8000 + v->gz_len + v->br_len + strlen("/big"));
    char *png = xmalloc(8000);
    memcpy(png, p->bytes, 8000);
    struct page *img = page_new(png, 8000, "image/png", PAGE_NO_SPLICE);
    cache_put(c, STR("/i"), img, cache_generation(c));
    cache_want_compressed(c, STR("/i"), img);
    struct page *small = mk("tiny page");
    cache_put(c, STR("/s"), small, cache_generation(c));
    cache_want_compressed(c, STR("/s"), small);
    cache_settle(c);
    assert_null(page_variants(img));
    assert_null(page_variants(small));
    cache_stats(c, &n, &bytes);
    assert_int_equal(bytes, 8000 + v->gz_len + v->br_len + 4 + 8000 + 2 +
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

/* A cache of room for about two pages, with a disk tier in dir. */
static struct page_cache *spilling(size_t disk_max)
{
    struct page_cache *c = cache_new(2 * 8000 + 100);
    assert_int_equal(cache_spill_to(c, path_of("."), disk_max), 0);
    return c;
}

static struct page *numbered(int i)
{
    char *t = html_text(8000);
    snprintf(t, 32, "<h1>page %06d</h1>", i); /* distinct bytes each */
    t[strlen(t)] = ' ';
    struct page *p = page_new(t, 8000, "text/html", PAGE_NO_SPLICE);
    page_depend(p, "article", i);
    return p;
}

static void put_numbered(struct page_cache *c, int i)
{
    char key[32];
    snprintf(key, sizeof(key), "/a/%d", i);
    struct page *p = numbered(i);
    cache_put(c, str_from(key), p, cache_generation(c));
    page_unref(p);
}

/* got_numbered: is /a/<i> cached (in memory or on disk) with its bytes? */
static bool got_numbered(struct page_cache *c, int i)
{
    char key[32];
    snprintf(key, sizeof(key), "/a/%d", i);
    struct page *p = cache_get(c, str_from(key));
    if (!p)
        return false;
    struct page *want = numbered(i);
    assert_int_equal(p->len, want->len);
    assert_memory_equal(p->bytes, want->bytes, want->len);
    assert_string_equal(p->etag, page_etag(want));
    page_unref(want);
    page_unref(p);
    return true;
}

/* all_come_back waits for the background thread, then finds /a/0 to
 * /a/<n-1> each cached with its bytes. */
static void all_come_back(struct page_cache *c, int n)
{
    cache_settle(c);
    for (int i = 0; i < n; i++)
        assert_true(got_numbered(c, i));
}

/* Pages evicted from memory go to disk and come back byte for byte, with
 * their ETag, variants and deps; invalidation and clear reach them. */
static void evicted_pages_come_back_from_disk(void **state)
{
    (void)state;
    struct page_cache *c = spilling(64u << 20);
    put_numbered(c, 0);
    struct page *first = cache_get(c, STR("/a/0"));
    cache_want_compressed(c, STR("/a/0"), first);
    page_unref(first);
    cache_settle(c);
    for (int i = 1; i < 50; i++)
        put_numbered(c, i);
    cache_settle(c);
    size_t mem, bytes, disk, file;
    cache_stats(c, &mem, &bytes);
    cache_disk_stats(c, &disk, &file);
    assert_true(bytes <= 2 * 8000 + 100);
    assert_true(mem <= 2);
    assert_int_equal(mem + disk, 50);
    for (int i = 0; i < 50; i++)
        assert_true(got_numbered(c, i));
    uint64_t hits, misses, evictions, disk_hits;
    cache_counts(c, &hits, &misses, &evictions, &disk_hits);
    assert_int_equal(disk_hits, 48);
    /* The variants went to disk with the page and come back with it. */
    struct page *p0 = cache_get(c, STR("/a/0"));
    const struct page_variants *v = page_variants(p0);
    assert_non_null(v);
    assert_non_null(v->gz);
    assert_non_null(v->br);
    page_unref(p0);

    /* A change drops the pages showing it, on disk too. */
    uint64_t dep = page_dep_hash("article:7");
    cache_invalidate(c, &dep, 1);
    assert_false(got_numbered(c, 7));
    assert_true(got_numbered(c, 8));
    cache_clear(c);
    assert_false(got_numbered(c, 8));
    cache_disk_stats(c, &disk, &file);
    assert_int_equal(disk, 0);
    assert_int_equal(file, 0);
    /* After a clear it spills again, into a new file. */
    for (int i = 0; i < 10; i++)
        put_numbered(c, i);
    all_come_back(c, 10);
    cache_free(c);
}

/* A page on its way to disk is still served, from memory: no reader
 * renders it again in the moment between its eviction and its spill. */
static void evicted_page_served_before_its_spill(void **state)
{
    (void)state;
    struct page_cache *c = spilling(64u << 20);
    put_numbered(c, 0);
    put_numbered(c, 1);
    for (int i = 2; i < 40; i++) {
        put_numbered(c, i); /* evicts /a/<i-2>, its spill queued */
        assert_true(got_numbered(c, i - 2));
    }
    all_come_back(c, 40);
    cache_free(c);
}

/* An invalidation reaches a page whose spill is queued: it is not listed
 * after it, while one the change does not show spills and comes back. */
static void invalidation_reaches_queued_spills(void **state)
{
    (void)state;
    struct page_cache *c = spilling(64u << 20);
    for (int i = 0; i < 4; i++)
        put_numbered(c, i); /* /a/0 and /a/1 evicted: spills queued */
    uint64_t dep = page_dep_hash("article:0");
    cache_invalidate(c, &dep, 1);
    assert_false(got_numbered(c, 0));
    cache_settle(c);
    assert_false(got_numbered(c, 0));
    assert_true(got_numbered(c, 1));
    size_t disk, file;
    cache_disk_stats(c, &disk, &file);
    assert_int_equal(disk, 1);
    cache_free(c);
}

/* The disk tier is bounded: two files of half the budget each, the older
 * going with its pages when the newer is full. */
static void disk_tier_is_bounded(void **state)
{
    (void)state;
    struct page_cache *c = spilling(10 * 8000); /* 5 pages a file */
    for (int i = 0; i < 40; i++) {
        put_numbered(c, i);
        cache_settle(c);
    }
    size_t mem, bytes, disk, file;
    cache_stats(c, &mem, &bytes);
    cache_disk_stats(c, &disk, &file);
    assert_true(file <= 10 * 8000);
    assert_true(disk >= 5 && disk <= 10);
    assert_false(got_numbered(c, 0));            /* went with the oldest file */
    assert_true(got_numbered(c, 39 - (int)mem)); /* the last spilled */
    cache_free(c);
}

/* The disk tier's entries are bounded in memory too (their keys and
 * shells, at least 4 MB' worth): small pages in a tier with room on disk
 * for all of them still push the oldest out, with their file. */
static void disk_tier_index_is_bounded(void **state)
{
    (void)state;
    enum { N = 40000 };
    struct page_cache *c = spilling(1u << 30);
    char key[32];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof(key), "/small/%d", i);
        char *t = html_text(200);
        struct page *p = page_new(t, 200, "text/html", PAGE_NO_SPLICE);
        page_depend(p, "article", i);
        cache_put(c, str_from(key), p, cache_generation(c));
        page_unref(p);
        if (i % 500 == 0)
            cache_settle(c); /* no spill dropped for a full queue */
    }
    cache_settle(c);
    size_t disk, file;
    cache_disk_stats(c, &disk, &file);
    assert_true(file < (1u << 29)); /* the disk had room for all */
    assert_true(disk > 2000);       /* at 4 MB, thousands stay */
    assert_true(disk < N * 3 / 4);  /* but not all: the older file went */
    struct page *p = cache_get(c, STR("/small/0"));
    assert_null(p);
    snprintf(key, sizeof(key), "/small/%d", N - 100);
    p = cache_get(c, str_from(key));
    assert_non_null(p);
    page_unref(p);
    cache_free(c);
}

/* A folder that cannot hold files is refused at once (the caller warns). */
static void unwritable_disk_dir_is_refused(void **state)
{
    (void)state;
    struct page_cache *c = cache_new(1 << 20);
    assert_int_equal(cache_spill_to(c, "/nonexistent/quire", 1 << 20), -1);
    /* and the cache works in memory as before */
    put_numbered(c, 1);
    assert_true(got_numbered(c, 1));
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
        cmocka_unit_test(evicted_pages_come_back_from_disk),
        cmocka_unit_test(evicted_page_served_before_its_spill),
        cmocka_unit_test(invalidation_reaches_queued_spills),
        cmocka_unit_test(disk_tier_is_bounded),
        cmocka_unit_test(disk_tier_index_is_bounded),
        cmocka_unit_test(unwritable_disk_dir_is_refused),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
