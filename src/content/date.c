/*
 * date.c - parsing and printing dates.
 *
 * Parsing is by hand over fixed-width fields (no sscanf, which accepts
 * signs, spaces and short fields), then utc_seconds converts the validated
 * broken-down UTC time. Printing uses date_gmtime and our own English name
 * tables rather than strftime, whose %A and %B follow the process locale.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "content/date.h"

#include "core/arena.h"
#include "core/buf.h"

#include <limits.h>
#include <string.h>
#include <time.h>

static const char *const weekdays[7] = {"Sunday",    "Monday",   "Tuesday",
                                        "Wednesday", "Thursday", "Friday",
                                        "Saturday"};
static const char *const months[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

/* digits reads n ASCII digits at s; -1 if any is not a digit. */
static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* ymd parses the 10 bytes "YYYY-MM-DD" at s into tm. */
static int ymd(const char *s, struct tm *tm)
{
    if (s[4] != '-' || s[7] != '-')
        return ERR_PARSE;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return ERR_PARSE;
    memset(tm, 0, sizeof(*tm));
    tm->tm_year = y - 1900;
    tm->tm_mon = m - 1;
    tm->tm_mday = d;
    return 0;
}

/*
 * utc_seconds is timegm for the dates ymd accepts (years 1 to 9999), by
 * Howard Hinnant's days_from_civil: pages parse several dates each and
 * timegm costs ten times as much.
 */
static int64_t utc_seconds(const struct tm *tm)
{
    int y = tm->tm_year + 1900, m = tm->tm_mon + 1;
    y -= m <= 2;
    int era = y / 400; /* y >= 0 here */
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + tm->tm_mday - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return days * 86400 + tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

int date_parse_ymd(const char *s, size_t n, int64_t *out)
{
    struct tm tm;
    if (n != 10 || ymd(s, &tm) != 0)
        return ERR_PARSE;
    *out = utc_seconds(&tm);
    return 0;
}

int date_parse_rfc3339(const char *s, size_t n, int64_t *out)
{
    struct tm tm;
    /* date-time = full-date "T" partial-time time-offset (RFC 3339 s5.6);
     * s5.6 allows lowercase t/z and, in its note, a space for the T. */
    if (n < 20 || ymd(s, &tm) != 0)
        return ERR_PARSE;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return ERR_PARSE;
    if (s[13] != ':' || s[16] != ':')
        return ERR_PARSE;
    int hh = digits(s + 11, 2), mi = digits(s + 14, 2), ss = digits(s + 17, 2);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
        return ERR_PARSE;
    size_t i = 19;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return ERR_PARSE;
    }
    long offset = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        if (n - i < 6 || s[i + 3] != ':')
            return ERR_PARSE;
        int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return ERR_PARSE;
        offset = (oh * 60L + om) * 60L;
        if (s[i] == '-')
            offset = -offset;
        i += 6;
    } else {
        return ERR_PARSE;
    }
    if (i != n)
        return ERR_PARSE;
    tm.tm_hour = hh;
    tm.tm_min = mi;
    tm.tm_sec = ss;
    *out = utc_seconds(&tm) - offset;
    return 0;
}

int date_parse(const char *s, size_t n, int64_t *out)
{
    if (n == 10)
        return date_parse_ymd(s, n, out);
    return date_parse_rfc3339(s, n, out);
}

bool date_valid_ymd(const char *s)
{
    int64_t t;
    return s && date_parse_ymd(s, strlen(s), &t) == 0;
}

/* Seconds of 0001-01-01 and 10000-01-01 (UTC): date_gmtime's own range. */
#define YEAR1_S (-62135596800LL)
#define YEAR10000_S 253402300800LL

bool date_gmtime(int64_t t, struct tm *tm)
{
    if (t < YEAR1_S || t >= YEAR10000_S) {
        time_t tt = (time_t)t;
        return gmtime_r(&tt, tm) != NULL;
    }
    /* Howard Hinnant's civil_from_days; every value here is positive. */
    int64_t days = (t - YEAR1_S) / 86400, secs = (t - YEAR1_S) % 86400;
    int64_t z = days + 306; /* days since 0000-03-01 */
    int era = (int)(z / 146097), doe = (int)(z - era * 146097LL);
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
    static const int before[12] = {0,   31,  59,  90,  120, 151,
                                   181, 212, 243, 273, 304, 334};
    *tm = (struct tm){
        .tm_year = y - 1900,
        .tm_mon = m - 1,
        .tm_mday = doy - (153 * mp + 2) / 5 + 1,
        .tm_hour = (int)(secs / 3600),
        .tm_min = (int)(secs / 60 % 60),
        .tm_sec = (int)(secs % 60),
        .tm_wday = (int)((days + 1) % 7), /* 0001-01-01 was a Monday */
        .tm_gmtoff = 0,
        .tm_zone = "GMT",
    };
    tm->tm_yday = before[m - 1] + tm->tm_mday - 1 + (m > 2 && leap(y));
    return true;
}

/* utc breaks t down; dates outside what struct tm holds, or whose year
 * (tm_year + 1900, as the printers compute it) overflows an int, print as
 * epoch. */
static void utc(int64_t t, struct tm *tm)
{
    time_t tt;
    if (!date_gmtime(t, tm) || tm->tm_year > INT_MAX - 1900) {
        tt = 0;
        gmtime_r(&tt, tm);
    }
}

void date_format_long(struct buf *b, int64_t t)
{
    struct tm tm;
    utc(t, &tm);
    buf_printf(b, "%s, %d %s %d", weekdays[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900);
}

void date_format_us(struct buf *b, int64_t t)
{
    struct tm tm;
    utc(t, &tm);
    buf_printf(b, "%d/%d/%d", tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900);
}

/* put_digits writes v (0 <= v < 10^n) as n digits at p. */
static void put_digits(char *p, int v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

/*
 * put_ymd writes "YYYY-MM-DD" (10 bytes) at p; false for a year outside
 * 0..9999, which the callers print with buf_printf instead. By hand, as
 * pages print several dates each and printf costs ten times as much.
 */
static bool put_ymd(char *p, const struct tm *tm)
{
    int y = tm->tm_year + 1900;
    if (y < 0 || y > 9999)
        return false;
    put_digits(p, y, 4);
    p[4] = '-';
    put_digits(p + 5, tm->tm_mon + 1, 2);
    p[7] = '-';
    put_digits(p + 8, tm->tm_mday, 2);
    return true;
}

void date_format_rfc3339(struct buf *b, int64_t t)
{
    struct tm tm;
    char s[20];
    utc(t, &tm);
    if (!put_ymd(s, &tm)) {
        buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        return;
    }
    s[10] = 'T';
    put_digits(s + 11, tm.tm_hour, 2);
    s[13] = ':';
    put_digits(s + 14, tm.tm_min, 2);
    s[16] = ':';
    put_digits(s + 17, tm.tm_sec, 2);
    s[19] = 'Z';
    buf_append(b, s, sizeof(s));
}

void date_format_rfc822(struct buf *b, int64_t t)
{
    struct tm tm;
    utc(t, &tm);
    buf_printf(b, "%.3s, %02d %.3s %04d %02d:%02d:%02d +0000",
               weekdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
               tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void date_format_ymd(struct buf *b, int64_t t)
{
    struct tm tm;
    char s[10];
    utc(t, &tm);
    if (put_ymd(s, &tm))
        buf_append(b, s, sizeof(s));
    else
        buf_printf(b, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                   tm.tm_mday);
}

void date_format_month_year(struct buf *b, int64_t t)
{
    struct tm tm;
    utc(t, &tm);
    buf_printf(b, "%s %d", months[tm.tm_mon], tm.tm_year + 1900);
}

/* Every result is under 40 bytes, far below the 64-byte cap. */
#define DATE_TO_ARENA(name, fmt)                                               \
    char *name(struct arena *a, int64_t t)                                     \
    {                                                                          \
        struct buf b;                                                          \
        buf_init_arena(&b, a, 64);                                             \
        fmt(&b, t);                                                            \
        return b.len ? b.ptr : arena_strdup(a, "");                            \
    }

DATE_TO_ARENA(date_long, date_format_long)
DATE_TO_ARENA(date_us, date_format_us)
DATE_TO_ARENA(date_rfc3339, date_format_rfc3339)
DATE_TO_ARENA(date_rfc822, date_format_rfc822)
DATE_TO_ARENA(date_ymd, date_format_ymd)
DATE_TO_ARENA(date_month_year, date_format_month_year)
