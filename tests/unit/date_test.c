/* date_test.c - parsing and formatting dates. */
#include "content/date.h"
#include "core/arena.h"
#include "core/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

static int64_t parse(const char *s)
{
    int64_t t = -12345;
    assert_int_equal(date_parse(s, strlen(s), &t), 0);
    return t;
}

static void bad(const char *s)
{
    int64_t t = -12345;
    assert_int_equal(date_parse(s, strlen(s), &t), ERR_PARSE);
    assert_int_equal(t, -12345); /* untouched on failure */
}

static void test_ymd(void **state)
{
    (void)state;
    assert_int_equal(parse("1970-01-01"), 0);
    assert_int_equal(parse("2004-06-30"), 1088553600);
    assert_int_equal(parse("1987-02-18"), 540604800);
    assert_int_equal(parse("2000-02-29"), 951782400); /* leap: /400 */
    assert_int_equal(parse("2024-02-29"), 1709164800);
    assert_true(date_valid_ymd("2004-06-30"));
    assert_true(date_valid_ymd("2024-12-31"));
    assert_false(date_valid_ymd(NULL));
    assert_false(date_valid_ymd("1900-02-29")); /* not leap: /100 */
    assert_false(date_valid_ymd("2023-02-29"));
    assert_false(date_valid_ymd("2004-02-30"));
    assert_false(date_valid_ymd("2004-04-31"));
    assert_false(date_valid_ymd("2004-13-01"));
    assert_false(date_valid_ymd("2004-00-10"));
    assert_false(date_valid_ymd("2004-01-00"));
    assert_false(date_valid_ymd("2004-1-01"));
    assert_false(date_valid_ymd("2004/01/01"));
    assert_false(date_valid_ymd("0000-01-01"));
    assert_false(date_valid_ymd("+004-01-01"));
    assert_false(date_valid_ymd(" 2004-01-01"));
    assert_false(date_valid_ymd("2004-01-01 "));
    assert_false(date_valid_ymd("2004-06-30T00:00:00Z")); /* ymd only */
    assert_false(date_valid_ymd(""));
}

static void test_rfc3339(void **state)
{
    (void)state;
    assert_int_equal(parse("1987-02-26T15:01:01Z"), 541350061);
    assert_int_equal(parse("1987-02-26t15:01:01z"), 541350061);
    assert_int_equal(parse("1987-02-26 15:01:01Z"), 541350061);
    assert_int_equal(parse("1987-02-26T15:01:01.123456Z"), 541350061);
    assert_int_equal(parse("1987-02-26T20:31:01+05:30"), 541350061);
    assert_int_equal(parse("1987-02-26T10:01:01-05:00"), 541350061);
    assert_int_equal(parse("1987-02-26T15:01:01.5+00:00"), 541350061);
    /* An offset can move the day, and the year. */
    assert_int_equal(parse("1970-01-01T00:00:00+01:00"), -3600);
    assert_int_equal(parse("2004-12-31T23:30:00-01:00"), 1104539400);
    bad("1987-02-26T15:01:01"); /* no offset */
    bad("1987-02-26T24:00:00Z");
    bad("1987-02-26T15:60:00Z");
    bad("1987-02-26T15:01:60Z"); /* leap seconds refused */
    bad("1987-02-30T15:01:01Z");
    bad("1987-02-26T15:01:01.Z"); /* empty fraction */
    bad("1987-02-26T15:01:01+0530");
    bad("1987-02-26T15:01:01+24:00");
    bad("1987-02-26T15:01:01+05:60");
    bad("1987-02-26T15:01:01Zjunk");
    bad("1987-02-26T5:01:01Z");
    bad("1987-02-26X15:01:01Z");
    bad("");
    bad("yesterday");
    bad("26 Feb 1987");
}

static void fmt(void (*f)(struct buf *, int64_t), int64_t t, const char *want)
{
    struct buf b;
    buf_init(&b, 256);
    f(&b, t);
    assert_int_equal(buf_error(&b), 0);
    assert_string_equal(b.ptr, want);
    buf_release(&b);
}

static void assert_tm_equal(const struct tm *a, const struct tm *b)
{
    assert_int_equal(a->tm_year, b->tm_year);
    assert_int_equal(a->tm_mon, b->tm_mon);
    assert_int_equal(a->tm_mday, b->tm_mday);
    assert_int_equal(a->tm_hour, b->tm_hour);
    assert_int_equal(a->tm_min, b->tm_min);
    assert_int_equal(a->tm_sec, b->tm_sec);
    assert_int_equal(a->tm_wday, b->tm_wday);
    assert_int_equal(a->tm_yday, b->tm_yday);
    assert_int_equal(a->tm_isdst, b->tm_isdst);
    assert_int_equal(a->tm_gmtoff, b->tm_gmtoff);
    assert_string_equal(a->tm_zone, b->tm_zone);
}

/* date_gmtime at the edges of its own range and beyond is gmtime_r. */
static void test_gmtime_edges(void **state)
{
    (void)state;
    static const int64_t ts[] = {-62135596800LL - 1,
                                 -62135596800LL,
                                 -62135596800LL + 86399,
                                 -1,
                                 0,
                                 1,
                                 951782400 /* 2000-02-29 */,
                                 253402300800LL - 1,
                                 253402300800LL,
                                 (int64_t)1 << 40,
                                 -((int64_t)1 << 40)};
    for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
        time_t t = (time_t)ts[i];
        struct tm g, mine;
        assert_non_null(gmtime_r(&t, &g));
        assert_true(date_gmtime(ts[i], &mine));
        assert_tm_equal(&mine, &g);
    }
}

/* Parsing agrees with timegm (and printing with gmtime_r) on every third
 * day of years 1 to 9999, at a time of day that changes from day to day. */
static void test_days_round_trip(void **state)
{
    (void)state;
    struct tm tm = {.tm_year = 1 - 1900, .tm_mday = 1};
    time_t end;
    struct tm last = {.tm_year = 10000 - 1900, .tm_mday = 1};
    end = timegm(&last);
    for (time_t t = timegm(&tm); t < end; t += 3 * 86400 + 3607) {
        struct tm g;
        assert_non_null(gmtime_r(&t, &g));
        char s[80];
        snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02dZ",
                 g.tm_year + 1900, g.tm_mon + 1, g.tm_mday, g.tm_hour, g.tm_min,
                 g.tm_sec);
        struct tm mine;
        assert_true(date_gmtime((int64_t)t, &mine));
        assert_tm_equal(&mine, &g);
        int64_t got;
        assert_int_equal(date_parse_rfc3339(s, strlen(s), &got), 0);
        assert_int_equal(got, (int64_t)t);
        assert_int_equal(date_parse_ymd(s, 10, &got), 0);
        assert_int_equal(got, (int64_t)t - g.tm_hour * 3600 - g.tm_min * 60 -
                                  g.tm_sec);
        struct buf b;
        buf_init(&b, 64);
        date_format_rfc3339(&b, (int64_t)t);
        assert_string_equal(b.ptr, s);
        buf_release(&b);
    }
}

static void test_format(void **state)
{
    (void)state;
    int64_t t = parse("2004-06-30");
    fmt(date_format_long, t, "Wednesday, 30 June 2004");
    fmt(date_format_us, t, "6/30/2004");
    fmt(date_format_rfc3339, t, "2004-06-30T00:00:00Z");
    fmt(date_format_rfc822, t, "Wed, 30 Jun 2004 00:00:00 +0000");
    fmt(date_format_ymd, t, "2004-06-30");
    fmt(date_format_month_year, t, "June 2004");

    t = parse("1987-02-26T15:01:01Z");
    fmt(date_format_long, t, "Thursday, 26 February 1987");
    fmt(date_format_us, t, "2/26/1987");
    fmt(date_format_rfc3339, t, "1987-02-26T15:01:01Z");
    fmt(date_format_rfc822, t, "Thu, 26 Feb 1987 15:01:01 +0000");

    t = parse("2009-12-05T23:59:59-02:00"); /* next day in UTC */
    fmt(date_format_long, t, "Sunday, 6 December 2009");
    fmt(date_format_us, t, "12/6/2009");

    /* Round trip through RFC 3339. */
    struct buf b;
    buf_init(&b, 64);
    date_format_rfc3339(&b, 1234567890);
    int64_t back;
    assert_int_equal(date_parse_rfc3339(b.ptr, b.len, &back), 0);
    assert_int_equal(back, 1234567890);
    buf_release(&b);
}

/* Found by date_fuzz: the last second gmtime can break down is in year
 * 2147485547, whose tm_year + 1900 overflowed an int in every printer. */
static void test_format_out_of_range(void **state)
{
    (void)state;
    const int64_t last = 67768036191676799; /* tm_year == INT_MAX */
    fmt(date_format_rfc3339, last, "1970-01-01T00:00:00Z");
    fmt(date_format_long, last, "Thursday, 1 January 1970");
    fmt(date_format_us, last, "1/1/1970");
    fmt(date_format_rfc822, last, "Thu, 01 Jan 1970 00:00:00 +0000");
    fmt(date_format_ymd, last, "1970-01-01");
    fmt(date_format_month_year, last, "January 1970");
    fmt(date_format_rfc3339, INT64_MAX, "1970-01-01T00:00:00Z");
    fmt(date_format_rfc3339, INT64_MIN, "1970-01-01T00:00:00Z");
    /* Year 10000 still fits and prints as it is. */
    fmt(date_format_ymd, 253402300800, "10000-01-01");
}

static void test_arena(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024);
    int64_t t = parse("2004-06-30");
    assert_string_equal(date_long(&a, t), "Wednesday, 30 June 2004");
    assert_string_equal(date_us(&a, t), "6/30/2004");
    assert_string_equal(date_rfc3339(&a, t), "2004-06-30T00:00:00Z");
    assert_string_equal(date_rfc822(&a, t), "Wed, 30 Jun 2004 00:00:00 +0000");
    assert_string_equal(date_ymd(&a, t), "2004-06-30");
    assert_string_equal(date_month_year(&a, t), "June 2004");
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ymd),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_days_round_trip),
        cmocka_unit_test(test_gmtime_edges),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_out_of_range),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
