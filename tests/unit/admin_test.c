/*
 * admin_test.c - the back office's pure parts: the login limiter (window,
 * eviction, bounded table), TOTP against RFC 6238's test vector, recovery
 * codes, passwords and the stored hashes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "admin/auth.h"
#include "admin/limiter.h"
#include "admin/totp.h"
#include "core/arena.h"

#include <stdio.h>
#include <string.h>

static void limiter_counts_in_a_window(void **state)
{
    (void)state;
    struct limiter *l = limiter_new(64, 900);
    unsigned wait = 0;
    for (int i = 0; i < 9; i++)
        limiter_fail(l, "a:x@example.org", 1000 + i);
    assert_false(limiter_blocked(l, "a:x@example.org", 10, 1010, &wait));
    limiter_fail(l, "a:x@example.org", 1010);
    assert_true(limiter_blocked(l, "a:x@example.org", 10, 1010, &wait));
    assert_int_equal(wait, 890); /* the window began at 1000 */
    assert_false(limiter_blocked(l, "a:y@example.org", 10, 1010, &wait));
    /* the window ends: free again */
    assert_false(limiter_blocked(l, "a:x@example.org", 10, 1900, &wait));
    limiter_fail(l, "a:x@example.org", 1900);
    assert_false(limiter_blocked(l, "a:x@example.org", 2, 1901, &wait));
    /* a success clears the account */
    for (int i = 0; i < 10; i++)
        limiter_fail(l, "a:z@example.org", 2000);
    limiter_clear(l, "a:z@example.org");
    assert_false(limiter_blocked(l, "a:z@example.org", 10, 2000, &wait));
    limiter_free(l);
}

static void limiter_stays_bounded(void **state)
{
    (void)state;
    /* 100,000 addresses through 16 slots: no growth, no crash, and the
     * newest attacker is still counted. */
    struct limiter *l = limiter_new(16, 900);
    char key[32];
    unsigned wait;
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof(key), "i:10.0.%d.%d", i / 256, i % 256);
        limiter_fail(l, key, 5000);
    }
    for (int i = 0; i < 30; i++)
        limiter_fail(l, "i:192.0.2.1", 5001);
    assert_true(limiter_blocked(l, "i:192.0.2.1", 30, 5001, &wait));
    limiter_free(l);
}

static void totp_matches_rfc6238(void **state)
{
    (void)state;
    /* RFC 6238 appendix B, SHA1 key "12345678901234567890": the 8-digit
     * codes end in these 6 digits. */
    const char *key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    static const struct {
        long long t;
        const char *code;
    } v[] = {
        {59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
        {1234567890, "005924"}, {2000000000, "279037"},
    };
    char out[7];
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_true(totp_code(key, v[i].t, out));
        assert_string_equal(out, v[i].code);
        assert_true(totp_check(key, v[i].code, v[i].t));
    }
    /* one step of drift either way, not two */
    assert_true(totp_check(key, "287082", 59 + 30));
    assert_true(totp_check(key, "287082", 59 - 30));
    assert_false(totp_check(key, "287082", 59 + 60));
    assert_false(totp_check(key, "28708", 59));
    assert_false(totp_check(key, "28708x", 59));
    assert_false(totp_check(key, NULL, 59));
}

static void totp_step_of_a_code(void **state)
{
    (void)state;
    const char *key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    int64_t step = -1;
    /* "081804" is the code of step 1111111109 / 30 = 37037036 */
    assert_true(totp_check_step(key, "081804", 1111111109, &step));
    assert_int_equal(step, 37037036);
    /* seen one step late or early, it is still that step */
    assert_true(totp_check_step(key, "081804", 1111111109 + 30, &step));
    assert_int_equal(step, 37037036);
    assert_true(totp_check_step(key, "081804", 1111111109 - 30, &step));
    assert_int_equal(step, 37037036);
    step = -1;
    assert_false(totp_check_step(key, "081804", 1111111109 + 90, &step));
    assert_int_equal(step, -1);
}

static void secrets_and_codes(void **state)
{
    (void)state;
    char s1[TOTP_SECRET_LEN + 1], s2[TOTP_SECRET_LEN + 1];
    totp_new_secret(s1);
    totp_new_secret(s2);
    assert_int_equal(strlen(s1), TOTP_SECRET_LEN);
    assert_string_not_equal(s1, s2);
    char c[TOTP_RECOVERY_LEN + 1], n[16];
    totp_recovery_code(c);
    assert_int_equal(c[5], '-');
    assert_true(totp_recovery_normal(" ABCDE-fghij ", n, sizeof(n)));
    assert_string_equal(n, "abcdefghij");
    assert_false(totp_recovery_normal("0123456789012345678", n, sizeof(n)));
    struct arena a;
    arena_init(&a, 4096);
    const char *svg = totp_qr_svg(&a, "otpauth://totp/Q:a?secret=X");
    assert_non_null(svg);
    assert_non_null(strstr(svg, "<svg"));
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "style"));
    const char *uri = totp_uri(&a, "Quire", "a b@example.org", s1);
    assert_non_null(strstr(uri, "otpauth://totp/Quire:a%20b@example.org?"));
    arena_release(&a);
}

static void passwords_and_hashes(void **state)
{
    (void)state;
    assert_int_equal(auth_init(), 0);
    char h[AUTH_HASH_MAX];
    assert_int_equal(auth_password_hash("short", h), ERR_INVALID);
    assert_int_equal(auth_password_hash("long enough pw", h), 0);
    assert_non_null(strstr(h, "$argon2id$"));
    assert_true(auth_password_check(h, "long enough pw"));
    assert_false(auth_password_check(h, "long enough pW"));
    assert_false(auth_password_check(NULL, "long enough pw"));
    char t1[AUTH_TOKEN_LEN + 1], t2[AUTH_TOKEN_LEN + 1];
    auth_random_token(t1);
    auth_random_token(t2);
    assert_int_equal(strlen(t1), AUTH_TOKEN_LEN);
    assert_string_not_equal(t1, t2);
    char x1[AUTH_HEX_LEN + 1], x2[AUTH_HEX_LEN + 1];
    auth_hash_hex(t1, strlen(t1), x1);
    auth_hash_hex(t1, strlen(t1), x2);
    assert_string_equal(x1, x2);
    assert_int_equal(strlen(x1), AUTH_HEX_LEN);
    assert_true(auth_equal(t1, t1));
    assert_false(auth_equal(t1, t2));
    assert_false(auth_equal("abc", "abcd"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limiter_counts_in_a_window),
        cmocka_unit_test(limiter_stays_bounded),
        cmocka_unit_test(totp_matches_rfc6238),
        cmocka_unit_test(totp_step_of_a_code),
        cmocka_unit_test(secrets_and_codes),
        cmocka_unit_test(passwords_and_hashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
