/*
 * date.h - the dates Quire reads and prints.
 *
 * Times are Unix seconds in UTC (int64_t). Input is "YYYY-MM-DD" (midnight
 * UTC) or RFC 3339 ("1987-02-26T15:01:01Z", "...T15:01:01.25+05:30"),
 * fully validated: month and day ranges, leap years, hours 00..23,
 * minutes and seconds 00..59 (a leap second :60 is refused), offsets up
 * to +-23:59; fractional seconds are accepted and dropped. Years are
 * 0001..9999. Output is always English and independent of the locale.
 */
#ifndef QUIRE_DATE_H
#define QUIRE_DATE_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;

/*
 * date_parse_ymd parses exactly "YYYY-MM-DD" (n bytes at s) as midnight
 * UTC. Returns 0 or ERR_PARSE.
 */
int date_parse_ymd(const char *s, size_t n, int64_t *out) WUR;
/* date_parse_rfc3339 parses a full RFC 3339 date-time. 0 or ERR_PARSE. */
int date_parse_rfc3339(const char *s, size_t n, int64_t *out) WUR;
/* date_parse accepts either form above. 0 or ERR_PARSE. */
int date_parse(const char *s, size_t n, int64_t *out) WUR;
/* date_valid_ymd reports whether the C string s is a real YYYY-MM-DD day. */
bool date_valid_ymd(const char *s);

/* Formatters append to b (sticky buffer errors apply). */
/* "Wednesday, 30 June 2004" */
void date_format_long(struct buf *b, int64_t t);
/* "6/30/2004": US month/day/year without leading zeros */
void date_format_us(struct buf *b, int64_t t);
/* "2004-06-30T00:00:00Z" */
void date_format_rfc3339(struct buf *b, int64_t t);
/* "Wed, 30 Jun 2004 00:00:00 +0000" (RFC 822 as amended by RFC 1123) */
void date_format_rfc822(struct buf *b, int64_t t);
/* "2004-06-30" */
void date_format_ymd(struct buf *b, int64_t t);
/* "June 2004" */
void date_format_month_year(struct buf *b, int64_t t);

/*
 * date_gmtime is gmtime_r (every field the same), computed by hand for
 * years 1 to 9999 as pages print several dates each; false where gmtime_r
 * fails.
 */
struct tm;
bool date_gmtime(int64_t t, struct tm *tm);

/* The same, as a NUL-terminated string allocated from a. */
char *date_long(struct arena *a, int64_t t);
char *date_us(struct arena *a, int64_t t);
char *date_rfc3339(struct arena *a, int64_t t);
char *date_rfc822(struct arena *a, int64_t t);
char *date_ymd(struct arena *a, int64_t t);
char *date_month_year(struct arena *a, int64_t t);

#endif
