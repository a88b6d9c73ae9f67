/*
 * format.h - how a theme writes dates, numbers and the read count.
 *
 * A theme's theme.ini (see theme_ini.h and docs/theming.md) gives:
 *   - three date patterns: date_long ("Wednesday, 30 June 2004"),
 *     date_short ("6/30/2004", the issue in a byline) and month_year
 *     ("June 2004"), in strftime syntax;
 *   - the names of months and weekdays, so a journal can write them in its
 *     own language: %A %a %B %b (%h) take them from the theme, never from
 *     the process locale; every other conversion is strftime's in the "C"
 *     locale, with glibc's flags (%-d: no padding);
 *   - number_grouping, the thousands separator for counts ("" = none);
 *   - the read-count phrase: hits_zero, hits_one, hits_other, where {n}
 *     stands for the count. The phrase is the whole text spliced into a
 *     cached page at send time, so a new count never re-renders a page.
 *
 * Built-in defaults reproduce the default theme exactly. Dates are
 * printed in UTC, like everything else in Quire.
 */
#ifndef QUIRE_FORMAT_H
#define QUIRE_FORMAT_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;

enum fmt_date { FMT_DATE_LONG, FMT_DATE_SHORT, FMT_MONTH_YEAR, FMT_DATES };
enum fmt_hits { FMT_HITS_ZERO, FMT_HITS_ONE, FMT_HITS_OTHER, FMT_HITS };
enum fmt_names {
    FMT_MONTHS,
    FMT_MONTHS_SHORT,
    FMT_DAYS,
    FMT_DAYS_SHORT,
    FMT_NAMES
};

struct theme_format {
    char *date[FMT_DATES];      /* patterns */
    char *grouping;             /* thousands separator; "" for none */
    char *hits[FMT_HITS];       /* HTML-escaped; NULL: use the next one */
    char *names[FMT_NAMES][12]; /* days use the first 7 */
};

/* format_default returns a heap copy of the built-in formats. */
struct theme_format *format_default(void);
void format_free(struct theme_format *f);
/* format_set_* replace one value, checking it; message in err. */
int format_set_date(struct theme_format *f, enum fmt_date which,
                    const char *pattern, char *err, size_t errlen) WUR;
int format_set_hits(struct theme_format *f, enum fmt_hits which,
                    const char *phrase, char *err, size_t errlen) WUR;
int format_set_grouping(struct theme_format *f, const char *sep, char *err,
                        size_t errlen) WUR;
/* format_set_names takes "January, February, ..." (12, or 7 for days). */
int format_set_names(struct theme_format *f, enum fmt_names which,
                     const char *list, char *err, size_t errlen) WUR;

/*
 * format_use makes f the formats views write with, for the whole process
 * (set once at start-up, before serving; NULL: the built-in defaults).
 * Views have no site at hand, and a theme is per process. format_current
 * is what views read.
 */
void format_use(const struct theme_format *f);
const struct theme_format *format_current(void);

/* The writers; f NULL means the built-in defaults. Results from a. */
char *format_date(struct arena *a, const struct theme_format *f,
                  enum fmt_date which, int64_t t);
char *format_count(struct arena *a, const struct theme_format *f, int64_t n);
/* format_hits is the read-count phrase for n, ready for HTML. */
char *format_hits(struct arena *a, const struct theme_format *f, int64_t n);

#endif
