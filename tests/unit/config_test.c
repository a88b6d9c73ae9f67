/*
 * config_test.c - the settings table: defaults, INI loading, flags, errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/quire-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void defaults(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_int_equal(c.header_max, 16384);
    assert_int_equal(c.hits_flush, 5);
    config_release(&c);
}

static void load_file_and_sizes(void **state)
{
    (void)state;
    struct config c;
    char err[256];
    config_init(&c);
    char *p = write_tmp("; comment\n[server]\nlisten = 0.0.0.0:9000\n"
                        "threads = 4\n[limits]\nbody_max = 2M\n"
                        "[cache]\nmax_bytes = 10K\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), 0);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_int_equal(c.threads, 4);
    assert_int_equal(c.body_max, 2 * 1024 * 1024);
    assert_int_equal(c.cache_max, 10 * 1024);
    unlink(p);
    config_release(&c);
}

static void errors_name_file_and_line(void **state)
{
    (void)state;
    struct config c;
    char err[256], want[128];
    config_init(&c);
    char *p = write_tmp("[server]\nthreads = 2\nlisen = x\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), ERR_PARSE);
    snprintf(want, sizeof(want), "%s:3: unknown key 'lisen'", p);
    assert_non_null(strstr(err, want));
    unlink(p);

    p = write_tmp("[limits]\n\nidle_timeout = 0\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), ERR_INVALID);
    snprintf(want, sizeof(want), "%s:3:", p);
    assert_non_null(strstr(err, want));
    unlink(p);

    p = write_tmp("[server]\naccess_log = xml\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), ERR_INVALID);
    unlink(p);

    p = write_tmp("[server\nlisten = x\n");
    assert_int_not_equal(config_load(&c, p, err, sizeof(err)), 0);
    unlink(p);

    assert_int_equal(config_load(&c, "/nonexistent/q.ini", err, sizeof(err)),
                     ERR_NOT_FOUND);
    config_release(&c);
}

static void flags_override(void **state)
{
    (void)state;
    struct config c;
    char err[256], v[64];
    config_init(&c);
    assert_int_equal(
        config_set(&c, "server.listen", "[::1]:80", err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "threads", "8", err, sizeof(err)), 0);
    assert_int_equal(config_set(&c, "threads", "-1", err, sizeof(err)),
                     ERR_INVALID);
    assert_int_equal(
        config_set(&c, "threads", "99999999999999999999", err, sizeof(err)),
        ERR_INVALID);
    assert_int_equal(config_set(&c, "nope", "1", err, sizeof(err)),
                     ERR_NOT_FOUND);
    assert_int_equal(config_get(&c, "listen", v, sizeof(v)), 0);
    assert_string_equal(v, "[::1]:80");
    assert_int_equal(config_get(&c, "server.threads", v, sizeof(v)), 0);
    assert_string_equal(v, "8");
    config_release(&c);
}

static void journal_keys_checked(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(journal_key_check("name", "X", err, sizeof(err)), 0);
    assert_int_equal(
        journal_key_check("base_url", "https://a.example", err, sizeof(err)),
        0);
    assert_int_equal(
        journal_key_check("base_url", "https://a.example/", err, sizeof(err)),
        ERR_INVALID);
    assert_int_equal(
        journal_key_check("base_url", "javascript:x", err, sizeof(err)),
        ERR_INVALID);
    assert_int_equal(journal_key_check("colour", "x", err, sizeof(err)),
                     ERR_NOT_FOUND);
    /* Empty unsets base_url: feeds then use the request's Host. */
    assert_int_equal(journal_key_check("base_url", "", err, sizeof(err)), 0);
    assert_int_equal(
        journal_key_check("feed_content", "full", err, sizeof(err)), 0);
    assert_int_equal(
        journal_key_check("feed_content", "summary", err, sizeof(err)), 0);
    assert_int_equal(journal_key_check("feed_content", "all", err, sizeof(err)),
                     ERR_INVALID);
    assert_non_null(strstr(err, "feed_content"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(load_file_and_sizes),
        cmocka_unit_test(errors_name_file_and_line),
        cmocka_unit_test(flags_override),
        cmocka_unit_test(journal_keys_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
