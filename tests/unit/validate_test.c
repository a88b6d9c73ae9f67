/*
 * validate_test.c - the request sanity checks of http/validate.c: tokens,
 * methods, the Content-Length / Transfer-Encoding verdicts that stop
 * request smuggling, and form field counting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "http/http_int.h"

#include <string.h>

/* verdict scans name/value pairs (NULL-ended) as one request's headers. */
static int verdict(bool http10, unsigned max, const char *const *kv)
{
    struct http_scan sc = {0};
    for (size_t i = 0; kv[i]; i += 2)
        http_scan_header(&sc, kv[i], kv[i + 1]);
    return http_scan_verdict(&sc, http10, max);
}

#define V(...) verdict(false, 100, (const char *const[]){__VA_ARGS__, NULL})
#define V10(...) verdict(true, 100, (const char *const[]){__VA_ARGS__, NULL})

static void test_tokens_and_methods(void **state)
{
    (void)state;
    assert_true(http_is_token("GET"));
    assert_true(http_is_token("X-Custom_Header.1~"));
    assert_false(http_is_token(""));
    assert_false(http_is_token(NULL));
    assert_false(http_is_token("G(T"));
    assert_false(http_is_token("Transfer-Encoding "));
    assert_false(http_is_token("XTransfer-Encoding: chunked"));
    assert_false(http_is_token("a\tb"));
    assert_false(http_is_token("caf\xc3\xa9"));

    assert_true(http_method_registered("GET"));
    assert_true(http_method_registered("OPTIONS"));
    assert_true(http_method_registered("PATCH"));
    assert_false(http_method_registered("get")); /* case-sensitive */
    assert_false(http_method_registered("FOO"));
    assert_false(http_method_registered("PROPFIND"));
}

static void test_plain_requests_pass(void **state)
{
    (void)state;
    assert_int_equal(V("Host", "x"), 0);
    assert_int_equal(V("Host", "x", "Content-Length", "12"), 0);
    assert_int_equal(V("Host", "x", "Content-Length", " 12 "), 0);
    assert_int_equal(V("Host", "x", "Transfer-Encoding", "chunked"), 0);
    assert_int_equal(V("Host", "x", "transfer-encoding", "  Chunked"), 0);
    assert_int_equal(
        V("Host", "x", "User-Agent", "Mozilla/5.0 (X11)\t\xc3\xa9"), 0);
    assert_int_equal(V10("User-Agent", "x"), 0); /* HTTP/1.0: Host optional */
    assert_int_equal(V10("Host", "x"), 0);
}

/* RFC 9112 3.2: HTTP/1.1 needs exactly one Host; none or two is a 400. */
static void test_host_required(void **state)
{
    (void)state;
    assert_int_equal(V("User-Agent", "x"), 400);
    assert_int_equal(V("Host", "a", "Host", "b"), 400);
    assert_int_equal(V("Host", "a", "host", "a"), 400);
    assert_int_equal(V10("Host", "a", "Host", "b"), 400);
    assert_int_equal(V("host", "x"), 0);
}

static void test_smuggling_shapes_refused(void **state)
{
    (void)state;
    /* CL.TE and TE.CL */
    assert_int_equal(V("Content-Length", "13", "Transfer-Encoding", "chunked"),
                     400);
    assert_int_equal(V("Transfer-Encoding", "chunked", "Content-Length", "4"),
                     400);
    /* two lengths, equal or not */
    assert_int_equal(V("Content-Length", "5", "Content-Length", "6"), 400);
    assert_int_equal(V("Content-Length", "5", "content-length", "5"), 400);
    assert_int_equal(V("Content-Length", "5, 5"), 400);
    assert_int_equal(V("Content-Length", "-1"), 400);
    assert_int_equal(V("Content-Length", "0x10"), 400);
    /* TE.TE: obfuscated or repeated codings */
    assert_int_equal(V("Transfer-Encoding", "xchunked"), 501);
    assert_int_equal(V("Transfer-Encoding", "chunked, identity"), 501);
    assert_int_equal(V("Transfer-Encoding", "gzip, chunked"), 501);
    assert_int_equal(V("Transfer-Encoding", "chunked\x0b"), 400);
    assert_int_equal(
        V("Transfer-Encoding", "chunked", "Transfer-Encoding", "identity"),
        400);
    assert_int_equal(V("Transfer-Encoding", "xchunked", "Content-Length", "4"),
                     400);
    /* a space before the colon, or a folded line as libmicrohttpd
     * 0.9.75 leaves it: the header name is no token */
    assert_int_equal(V("Transfer-Encoding ", "chunked"), 400);
    assert_int_equal(V("XTransfer-Encoding: chunked", "y"), 400);
    /* HTTP/1.0 has no chunked coding */
    assert_int_equal(V10("Transfer-Encoding", "chunked"), 400);
    assert_int_equal(V10("Content-Length", "3"), 0);
    /* control bytes in a value */
    assert_int_equal(V("X-A", "a\x01b"), 400);
    assert_int_equal(V("X-A", "a\x7f"), 400);
}

static void test_header_count(void **state)
{
    (void)state;
    struct http_scan sc = {0};
    http_scan_header(&sc, "Host", "x");
    for (int i = 0; i < 99; i++)
        http_scan_header(&sc, "X-A", "1");
    assert_int_equal(http_scan_verdict(&sc, false, 100), 0);
    http_scan_header(&sc, "X-A", "1");
    assert_int_equal(http_scan_verdict(&sc, false, 100), 431);
    assert_int_equal(http_scan_verdict(&sc, false, 0), 0); /* no limit */
}

static void test_forms(void **state)
{
    (void)state;
    assert_true(http_is_urlencoded("application/x-www-form-urlencoded"));
    assert_true(
        http_is_urlencoded("Application/X-WWW-Form-Urlencoded; charset=utf-8"));
    assert_false(http_is_urlencoded("application/x-www-form-urlencodedx"));
    assert_false(http_is_urlencoded("multipart/form-data; boundary=x"));
    assert_false(http_is_urlencoded(NULL));

    assert_int_equal(http_form_field_count(str_from("")), 0);
    assert_int_equal(http_form_field_count(str_from("a=1")), 1);
    assert_int_equal(http_form_field_count(str_from("a=1&b=2&c")), 3);
    assert_int_equal(http_form_field_count(str_from("&&a=1&&&b&")), 2);
    char many[3000];
    size_t n = 0;
    for (int i = 0; i < 1000; i++) {
        memcpy(many + n, "a&", 2);
        n += 2;
    }
    assert_int_equal(http_form_field_count((struct str){many, n}), 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens_and_methods),
        cmocka_unit_test(test_plain_requests_pass),
        cmocka_unit_test(test_host_required),
        cmocka_unit_test(test_smuggling_shapes_refused),
        cmocka_unit_test(test_header_count),
        cmocka_unit_test(test_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
