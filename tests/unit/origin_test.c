/*
 * origin_test.c - which Host headers may become a feed's origin.
 */
#include "site/site_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static void sane_hosts_pass(void **state)
{
    (void)state;
    static const char *const good[] = {
        "journal.example",
        "Journal.Example:8443",
        "127.0.0.1:8080",
        "localhost",
        "[::1]",
        "[::1]:80",
        "[2001:db8::1]:65535",
        "a-b.c",
        "x:1",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(site_host_ok(good[i]));
}

static void anything_else_is_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        NULL,        "",
        "a b",       "evil.example/<script>",
        "x\"y",      "x:0",
        "x:65536",   "x:",
        "x:123456",  ":80",
        "-x",        "x-",
        ".x",        "a..b",
        "[::1",      "[]",
        "[::1]x",    "[::1]:",
        "user@host", "x\r\nSet-Cookie: a",
        "x:8a",      "caf\xc3\xa9.example",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(site_host_ok(bad[i]));
    char long_host[300];
    memset(long_host, 'a', sizeof(long_host) - 1);
    long_host[sizeof(long_host) - 1] = '\0';
    assert_false(site_host_ok(long_host));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sane_hosts_pass),
        cmocka_unit_test(anything_else_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
