/* legacy_url_test.c - K2/Joomla and WordPress URL forms to legacy keys. */
#include "content/legacy_url.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static void one(const char *path, const char *query, const char *key,
                const char *suffix)
{
    struct legacy_match m[LEGACY_MATCH_MAX];
    size_t n =
        legacy_url_match(str_from(path), str_from(query), m, LEGACY_MATCH_MAX);
    if (!key) {
        assert_int_equal(n, 0);
        return;
    }
    assert_true(n >= 1);
    assert_string_equal(m[0].key, key);
    assert_string_equal(m[0].suffix, suffix);
}

/* second: the key tried after the first (a nested category's alias). */
static void second(const char *path, const char *key, const char *suffix)
{
    struct legacy_match m[LEGACY_MATCH_MAX];
    size_t n =
        legacy_url_match(str_from(path), str_from(""), m, LEGACY_MATCH_MAX);
    assert_true(n >= 2);
    assert_string_equal(m[1].key, key);
    assert_string_equal(m[1].suffix, suffix);
}

static void test_k2(void **state)
{
    (void)state;
    one("/publications/earnings/item/11223-svenska-cellulosa.html", "",
        "k2/item/11223", "");
    one("/a/b/c/item/7.html", "", "k2/item/7", "");
    one("/component/k2/item/11223-x", "", "k2/item/11223", "");
    one("/component/k2/item/11223", "utm_source=x", "k2/item/11223", "");
    one("/index.php",
        "option=com_k2&view=item&id=11223:svenska&Itemid=116&fbclid=z",
        "k2/item/11223", "");
    one("/index.php", "option=com_k2&view=itemlist&task=category&id=16",
        "k2/category/16", "");
    one("/index.php", "option=com_k2&view=itemlist&task=tag&tag=Oil%20Price",
        "k2/tag/Oil Price", "");
    one("/itemlist/category/16-earnings", "", "k2/category/16", "");
    one("/publications/itemlist/tag/Oil Price.html", "", "k2/tag/Oil Price",
        "");
    /* <parent-alias>/<alias> first (a nested category), then the alias */
    one("/publications/earnings.html", "start=20",
        "k2/category-alias/publications/earnings", "");
    second("/publications/earnings.html", "k2/category-alias/earnings", "");
    one("/publications/earnings.feed", "type=rss",
        "k2/category-alias/publications/earnings", "/feed.rss");
    second("/publications/earnings.feed", "k2/category-alias/earnings",
           "/feed.rss");
    one("/a/europe/analysis.html", "", "k2/category-alias/europe/analysis", "");
    one("/earnings.html", "", "k2/category-alias/earnings", "");
    one("/item/abc-x.html", "", "k2/category-alias/item/abc-x", "");
    second("/item/abc-x.html", "k2/category-alias/abc-x", "");
    one("/about", "", NULL, NULL);
}

static void test_wordpress(void **state)
{
    (void)state;
    one("/", "p=42", "wp/post/42", "");
    one("/", "page_id=7&utm_campaign=x", "wp/post/7", "");
    one("/", "cat=3", "wp/category/3", "");
    one("/category/news/", "", "wp/category-slug/news", "");
    one("/blog/tag/oil/", "", "wp/tag-slug/oil", "");
    one("/", "page=2", NULL, NULL);
}

static void test_clean_query(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(
        legacy_url_clean_query(str_from("utm_source=a&p=1&fbclid=b&x=2"), out,
                               sizeof(out)),
        7);
    assert_string_equal(out, "p=1&x=2");
    assert_int_equal(
        legacy_url_clean_query(str_from("gclid=1"), out, sizeof(out)), 0);
    assert_int_equal(
        legacy_url_clean_query(str_from("aaaaaaaaaaaaaaaaaaaaaaaa=1"), out, 8),
        (size_t)-1);
}

static void test_home_prefilter(void **state)
{
    (void)state;
    assert_true(legacy_url_home_query(str_from("p=42")));
    assert_true(legacy_url_home_query(str_from("utm_source=x&page_id=7")));
    assert_true(legacy_url_home_query(str_from("option=com_k2&view=item")));
    assert_false(legacy_url_home_query(str_from("page=2")));
    assert_false(legacy_url_home_query(str_from("pp=1&q=p")));
    assert_false(legacy_url_home_query(str_from("")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k2),
        cmocka_unit_test(test_wordpress),
        cmocka_unit_test(test_clean_query),
        cmocka_unit_test(test_home_prefilter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
