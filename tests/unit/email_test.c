/*
 * email_test.c - which addresses the newsletter form accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "content/email.h"

#include <stdio.h>
#include <string.h>

static void accepts_real_addresses(void **state)
{
    (void)state;
    const char *ok[] = {"reader@example.org", "a.b+tag@sub.example.co.uk",
                        "x_y-z@a-b.example", "o'brien@example.ie"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        assert_true(email_valid(ok[i]));
}

static void refuses_malformed_and_hostile(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "@",
                         "a@",
                         "@b.org",
                         "a@b",
                         "a b@c.org",
                         "a@b..org",
                         ".a@b.org",
                         "a.@b.org",
                         "a..b@c.org",
                         "a@-b.org",
                         "a@b-.org",
                         "<script>@x.org",
                         "a@b.org\r\nBcc: x@y.org",
                         "\"q\"@b.org",
                         "a@[1.2.3.4]",
                         "a@b.org.",
                         "a,b@c.org"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(email_valid(bad[i]));
}

static void refuses_overlong(void **state)
{
    (void)state;
    char local[80], addr[300];
    memset(local, 'a', 65);
    local[65] = '\0';
    snprintf(addr, sizeof(addr), "%s@example.org", local);
    assert_false(email_valid(addr));
    memset(addr, 'a', 250);
    memcpy(addr + 250, "@b.org", 7);
    assert_false(email_valid(addr));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_real_addresses),
        cmocka_unit_test(refuses_malformed_and_hostile),
        cmocka_unit_test(refuses_overlong),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
