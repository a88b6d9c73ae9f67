/*
 * request_test.c - path decoding (bad escapes, NUL, control bytes, strict
 * UTF-8), urlencoded query and form parsing, If-None-Match matching, bot
 * detection, method names, response headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/arena.h"
#include "http/http_int.h"

#include <string.h>

static struct arena a;

static int setup(void **state)
{
    (void)state;
    arena_init(&a, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&a);
    return 0;
}

static int decode(const char *raw, struct str *out)
{
    return http_decode_path(&a, str_from(raw), out);
}

static void path_decoding(void **state)
{
    (void)state;
    struct str p;
    assert_int_equal(decode("/", &p), 0);
    assert_true(str_eq_cstr(p, "/"));
    assert_int_equal(decode("/a%20b/c%2Fd", &p), 0);
    assert_true(str_eq_cstr(p, "/a b/c/d"));
    assert_int_equal(decode("/caf%c3%A9", &p), 0);
    assert_true(str_eq_cstr(p, "/caf\xc3\xa9"));
    assert_int_equal(decode("/a+b", &p), 0); /* '+' is literal in paths */
    assert_true(str_eq_cstr(p, "/a+b"));
    assert_int_equal(decode("/\xe2\x82\xac/\xf0\x9f\x98\x80", &p), 0);
    assert_int_equal(decode("/%F4%8F%BF%BF", &p), 0); /* U+10FFFF */
    assert_int_equal(decode("/%EF%BB%BF", &p), 0);

    static const char *const bad[] = {
        "",    /* empty */
        "a/b", /* relative */
        "*",   /* not a path */
        "/%",  /* truncated escapes */
        "/%2",
        "/%zz", /* not hex */
        "/%g0",
        "/a%00b", /* encoded NUL */
        "/%0a",   /* encoded control bytes */
        "/%7f",
        "/a\tb",         /* raw control byte */
        "/%c0%af",       /* overlong '/' */
        "/%c1%bf",       /* overlong */
        "/%e0%80%af",    /* 3-byte overlong */
        "/%f0%80%80%af", /* 4-byte overlong */
        "/%ed%a0%80",    /* surrogate */
        "/%f4%90%80%80", /* above U+10FFFF */
        "/%f5%80%80%80",
        "/%ff",
        "/%80", /* lone continuation */
        "/%c3", /* truncated sequence */
        "/%e2%82",
        "/%c3(", /* bad continuation */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (decode(bad[i], &p) != ERR_PARSE)
            fail_msg("accepted %s", bad[i]);
    struct str nul = {"/a\0b", 4}; /* a raw NUL byte */
    assert_int_equal(http_decode_path(&a, nul, &p), ERR_PARSE);
}

static const char *lookup(const char *data, const char *name)
{
    return http_form_lookup(&a, str_from(data), name);
}

static void form_and_query(void **state)
{
    (void)state;
    const char *d = "email=a%40b.org&name=J+Doe&empty=&bare&x=1&x=2&"
                    "caf%C3%A9=yes&sp%20k=v";
    assert_string_equal(lookup(d, "email"), "a@b.org");
    assert_string_equal(lookup(d, "name"), "J Doe");
    assert_string_equal(lookup(d, "empty"), "");
    assert_string_equal(lookup(d, "bare"), "");
    assert_string_equal(lookup(d, "x"), "1"); /* the first wins */
    assert_string_equal(lookup(d, "caf\xc3\xa9"), "yes");
    assert_string_equal(lookup(d, "sp k"), "v");
    assert_null(lookup(d, "nope"));
    assert_null(lookup(d, "mail"));
    assert_null(lookup(d, "Email")); /* names are case-sensitive */
    assert_null(lookup("", "a"));
    assert_null(lookup("&&&", "a"));
    assert_string_equal(lookup("&&a=1&&", "a"), "1");
    assert_string_equal(lookup("a=b=c", "a"), "b=c");
    assert_string_equal(lookup("a=%2B1", "a"), "+1");
    /* Broken values are absent, never guessed at. */
    assert_null(lookup("a=%zz", "a"));
    assert_null(lookup("a=%2", "a"));
    assert_null(lookup("a=x%00y", "a"));
    /* The slice need not be NUL-terminated. */
    struct str part = {"a=12345", 4};
    assert_string_equal(http_form_lookup(&a, part, "a"), "12");

    /* Through struct request: the query is kept raw and decoded on ask. */
    struct request req = {.arena = &a,
                          .query = STR("page=3&q=hello+w%C3%B6rld")};
    assert_string_equal(request_query_arg(&req, "page"), "3");
    assert_string_equal(request_query_arg(&req, "q"), "hello w\xc3\xb6rld");
    assert_null(request_query_arg(&req, "x"));
    /* No Content-Type (no connection here): not a form. */
    req.body = STR("a=1");
    assert_null(request_form_field(&req, "a"));
}

static void if_none_match(void **state)
{
    (void)state;
    const char *tag = "\"abc\"";
    assert_true(http_etag_list_matches("\"abc\"", tag));
    assert_true(http_etag_list_matches("W/\"abc\"", tag));
    assert_true(http_etag_list_matches("\"x\", \"abc\"", tag));
    assert_true(http_etag_list_matches("\"x\",W/\"abc\" ,\"y\"", tag));
    assert_true(http_etag_list_matches("  \"abc\"  ", tag));
    assert_true(http_etag_list_matches("*", tag));
    assert_true(http_etag_list_matches("\"abc\"", "W/\"abc\""));
    assert_true(http_etag_list_matches("\"a,b\"", "\"a,b\""));
    assert_false(http_etag_list_matches("\"abcd\"", tag));
    assert_false(http_etag_list_matches("\"ab\"", tag));
    assert_false(http_etag_list_matches("abc", tag));
    assert_false(http_etag_list_matches("\"x\", \"y\"", tag));
    assert_false(http_etag_list_matches("", tag));
    assert_false(http_etag_list_matches(NULL, tag));
    assert_false(http_etag_list_matches("*", NULL));
    assert_false(http_etag_list_matches("\"abc", tag));
    assert_false(http_etag_list_matches("\"a,b\"", "\"a\""));
    /* Without a connection there is no header: never fresh. */
    struct request req = {.arena = &a};
    assert_false(request_is_fresh(&req, tag));
}

static void accept_encoding(void **state)
{
    (void)state;
    unsigned both = 1u << HTTP_ENC_GZIP | 1u << HTTP_ENC_BR;
    assert_int_equal(http_pick_encoding(NULL, both), HTTP_ENC_IDENTITY);
    assert_int_equal(http_pick_encoding("", both), HTTP_ENC_IDENTITY);
    assert_int_equal(http_pick_encoding("gzip", both), HTTP_ENC_GZIP);
    assert_int_equal(http_pick_encoding("gzip, deflate, br", both),
                     HTTP_ENC_BR);
    assert_int_equal(http_pick_encoding("gzip, deflate, br", 1u << 1),
                     HTTP_ENC_GZIP);
    assert_int_equal(http_pick_encoding("br;q=0.5, GZIP;q=0.8", both),
                     HTTP_ENC_GZIP);
    assert_int_equal(http_pick_encoding("br;q=0, gzip;q=0", both),
                     HTTP_ENC_IDENTITY);
    assert_int_equal(http_pick_encoding("*", both), HTTP_ENC_BR);
    assert_int_equal(http_pick_encoding("br;q=0, *;q=0.1", both),
                     HTTP_ENC_GZIP);
    assert_int_equal(http_pick_encoding("identity;q=1, gzip;q=0.5", both),
                     HTTP_ENC_IDENTITY);
    /* Nothing acceptable: identity anyway (RFC 9110 12.5.3 allows it). */
    assert_int_equal(http_pick_encoding("identity;q=0", both),
                     HTTP_ENC_IDENTITY);
    assert_int_equal(http_pick_encoding("*;q=0", both), HTTP_ENC_IDENTITY);
    /* Malformed q-values drop their item, never the header. */
    assert_int_equal(http_pick_encoding("br;q=2, gzip", both), HTTP_ENC_GZIP);
    assert_int_equal(http_pick_encoding("br;q=abc,gzip;q=0.001", both),
                     HTTP_ENC_GZIP);
    assert_int_equal(http_pick_encoding(",,;;q=,br ; q=1.000", both),
                     HTTP_ENC_BR);
    assert_int_equal(http_pick_encoding("gzip", 0), HTTP_ENC_IDENTITY);
}

static void bots(void **state)
{
    (void)state;
    assert_true(http_ua_is_bot(NULL));
    assert_true(http_ua_is_bot(""));
    assert_true(http_ua_is_bot("   "));
    assert_true(http_ua_is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)"));
    assert_true(http_ua_is_bot("BINGBOT"));
    assert_true(http_ua_is_bot("Some Crawler 1.0"));
    assert_true(http_ua_is_bot("Baiduspider"));
    assert_false(
        http_ua_is_bot("Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"));
    assert_false(http_ua_is_bot("curl/8.5.0"));
    struct request req = {.arena = &a};
    assert_true(request_is_bot(&req)); /* no User-Agent at all */
}

static void methods_and_headers(void **state)
{
    (void)state;
    assert_int_equal(http_method_of("GET"), HTTP_GET);
    assert_int_equal(http_method_of("HEAD"), HTTP_HEAD);
    assert_int_equal(http_method_of("POST"), HTTP_POST);
    assert_int_equal(http_method_of("PUT"), HTTP_PUT);
    assert_int_equal(http_method_of("DELETE"), HTTP_DELETE);
    assert_int_equal(http_method_of("get"), HTTP_OTHER);
    assert_int_equal(http_method_of("OPTIONS"), HTTP_OTHER);
    assert_int_equal(http_method_of("PATCH"), HTTP_OTHER);

    struct response res = {.fd = -1};
    for (int i = 0; i < HTTP_MAX_HEADERS + 2; i++)
        response_header(&res, "X-N", "v");
    assert_int_equal(res.n_headers, HTTP_MAX_HEADERS);
    assert_string_equal(http_status_text(404), "Not Found");
    assert_string_equal(http_status_text(431),
                        "Request Header Fields Too Large");
    assert_string_equal(http_status_text(304), "Not Modified");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(path_decoding),
        cmocka_unit_test(form_and_query),
        cmocka_unit_test(if_none_match),
        cmocka_unit_test(bots),
        cmocka_unit_test(methods_and_headers),
        cmocka_unit_test(accept_encoding),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
