/*
 * format.c - dates, counts and the read-count phrase as a theme writes
 * them (see format.h).
 *
 * Dates: the pattern is walked once; %A %a %B %b %h are filled from the
 * theme's name lists, every other conversion is handed to strftime_l in
 * the "C" locale (a locale object made once), so the process locale never
 * changes a page. Patterns are checked when set, so formatting cannot
 * fail: an unknown conversion is a theme.ini error at start-up, not a
 * broken page.
 *
 * The read-count phrase is HTML-escaped when set: it is spliced into
 * cached HTML at send time, after the template engine has had its say.
 */
#include "render/format.h"

#include "content/date.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PATTERN_MAX = 100, PHRASE_MAX = 200, NAME_MAX_BYTES = 64 };

static const char *const default_dates[FMT_DATES] = {
    [FMT_DATE_LONG] = "%A, %-d %B %Y",
    [FMT_DATE_SHORT] = "%-m/%-d/%Y",
    [FMT_MONTH_YEAR] = "%B %Y",
};
static const char *const default_names[FMT_NAMES][12] = {
    [FMT_MONTHS] = {"January", "February", "March", "April", "May", "June",
                    "July", "August", "September", "October", "November",
                    "December"},
    [FMT_MONTHS_SHORT] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                          "Aug", "Sep", "Oct", "Nov", "Dec"},
    [FMT_DAYS] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                  "Friday", "Saturday"},
    [FMT_DAYS_SHORT] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
};
static const char default_hits[] = "Read {n} times";

static const size_t name_count[FMT_NAMES] = {12, 12, 7, 7};

/* Conversions strftime knows (C99 and POSIX, plus glibc's %P %k %l %s). */
static const char strftime_convs[] = "CcDdeFGgHIjklMmnPpRrSsTtUuVWwXxYyZz%";

static const struct theme_format *current;

struct theme_format *format_default(void)
{
    struct theme_format *f = xcalloc(1, sizeof(*f));
    for (int i = 0; i < FMT_DATES; i++)
        f->date[i] = xstrdup(default_dates[i]);
    f->grouping = xstrdup("");
    f->hits[FMT_HITS_OTHER] = xstrdup(default_hits);
    for (int k = 0; k < FMT_NAMES; k++)
        for (size_t i = 0; i < name_count[k]; i++)
            f->names[k][i] = xstrdup(default_names[k][i]);
    return f;
}

void format_free(struct theme_format *f)
{
    if (!f)
        return;
    for (int i = 0; i < FMT_DATES; i++)
        free(f->date[i]);
    free(f->grouping);
    for (int i = 0; i < FMT_HITS; i++)
        free(f->hits[i]);
    for (int k = 0; k < FMT_NAMES; k++)
        for (size_t i = 0; i < 12; i++)
            free(f->names[k][i]);
    free(f);
}

/* plain_text: valid UTF-8 without control characters, at most max bytes. */
static bool plain_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max || !utf8_valid(s, n, NULL))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* spec_len measures the conversion at p ('%' [flags] [width] [E|O] conv);
 * 0 if it is not one strftime or the names support. */
static size_t spec_len(const char *p)
{
    /* The default patterns' conversions first, without the searches. */
    switch (p[1]) {
    case 'A':
    case 'a':
    case 'B':
    case 'b':
    case 'd':
    case 'm':
    case 'Y': return 2;
    }
    if (p[1] == '-' && (p[2] == 'd' || p[2] == 'm'))
        return 3;
    size_t i = 1;
    while (p[i] && strchr("-_0^#", p[i]))
        i++;
    while (p[i] >= '0' && p[i] <= '9')
        i++;
    if (p[i] == 'E' || p[i] == 'O')
        i++;
    if (!p[i] || !(strchr("AaBbh", p[i]) || strchr(strftime_convs, p[i])))
        return 0;
    return i + 1;
}

int format_set_date(struct theme_format *f, enum fmt_date which,
                    const char *pattern, char *err, size_t errlen)
{
    if (!plain_text(pattern, PATTERN_MAX) || !*pattern) {
        snprintf(err, errlen, "a date pattern is 1 to %d bytes of text",
                 PATTERN_MAX);
        return ERR_INVALID;
    }
    for (const char *p = pattern; *p; p++) {
        if (*p != '%')
            continue;
        size_t n = spec_len(p);
        if (n == 0) {
            snprintf(err, errlen, "unknown conversion '%.3s' in '%s'", p,
                     pattern);
            return ERR_INVALID;
        }
        p += n - 1;
    }
    free(f->date[which]);
    f->date[which] = xstrdup(pattern);
    return 0;
}

int format_set_hits(struct theme_format *f, enum fmt_hits which,
                    const char *phrase, char *err, size_t errlen)
{
    if (!plain_text(phrase, PHRASE_MAX)) {
        snprintf(err, errlen, "the phrase is at most %d bytes of text",
                 PHRASE_MAX);
        return ERR_INVALID;
    }
    struct buf b;
    buf_init(&b, PHRASE_MAX * 6);
    buf_append_html(&b, phrase, strlen(phrase));
    free(f->hits[which]);
    f->hits[which] = buf_take(&b, NULL);
    if (!f->hits[which])
        f->hits[which] = xstrdup("");
    return 0;
}

int format_set_grouping(struct theme_format *f, const char *sep, char *err,
                        size_t errlen)
{
    if (!plain_text(sep, 8) || strpbrk(sep, "0123456789-")) {
        snprintf(err, errlen, "the separator is at most 8 bytes, no digits");
        return ERR_INVALID;
    }
    free(f->grouping);
    f->grouping = xstrdup(sep);
    return 0;
}

int format_set_names(struct theme_format *f, enum fmt_names which,
                     const char *list, char *err, size_t errlen)
{
    char *names[12];
    size_t n = 0;
    int rc = 0;
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (n == name_count[which] || len == 0 || len > NAME_MAX_BYTES) {
            rc = ERR_INVALID;
            break;
        }
        names[n] = xstrndup(p, len);
        if (!plain_text(names[n++], NAME_MAX_BYTES)) {
            rc = ERR_INVALID;
            break;
        }
        if (!end)
            break;
        p = end + 1;
    }
    if (rc == 0 && n != name_count[which])
        rc = ERR_INVALID;
    if (rc != 0) {
        snprintf(err, errlen, "expected %zu comma-separated names",
                 name_count[which]);
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        free(f->names[which][i]);
        f->names[which][i] = names[i];
    }
    return 0;
}

void format_use(const struct theme_format *f)
{
    current = f;
}

const struct theme_format *format_current(void)
{
    return current;
}

/* --- writing ------------------------------------------------------- */

static pthread_once_t c_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static const char *name_of(const struct theme_format *f, enum fmt_names k,
                           int i)
{
    return f ? f->names[k][i] : default_names[k][i];
}

/*
 * numeric writes the day, month and four-digit year conversions (%d %-d
 * %m %-m %Y), which every default pattern uses, without strftime_l: same
 * bytes, a tenth of the cost. false: not one of those, use strftime_l.
 */
static bool numeric(struct buf *b, const char *p, size_t n, const struct tm *tm)
{
    bool pad = n == 2;
    char conv = p[n - 1];
    int v, width;
    if (!(n == 2 || (n == 3 && p[1] == '-')))
        return false;
    if (conv == 'd') {
        v = tm->tm_mday;
        width = pad ? 2 : 1;
    } else if (conv == 'm') {
        v = tm->tm_mon + 1;
        width = pad ? 2 : 1;
    } else if (conv == 'Y' && pad && tm->tm_year >= 1000 - 1900 &&
               tm->tm_year <= 9999 - 1900) {
        v = tm->tm_year + 1900;
        width = 4;
    } else {
        return false;
    }
    char s[4]; /* gmtime_r keeps v within width digits */
    int len = width > 1 ? width : (v >= 10 ? 2 : 1);
    for (int i = len; i-- > 0; v /= 10)
        s[i] = (char)('0' + v % 10);
    buf_append(b, s, (size_t)len);
    return true;
}

char *format_date(struct arena *a, const struct theme_format *f,
                  enum fmt_date which, int64_t t)
{
    const char *p = f ? f->date[which] : default_dates[which];
    struct tm tm;
    time_t tt = (time_t)t;
    if (!date_gmtime(t, &tm)) {
        tt = 0;
        gmtime_r(&tt, &tm);
    }
    pthread_once(&c_once, make_c_locale);
    struct buf b;
    buf_init_arena(&b, a, 4096);
    for (; *p; p++) {
        if (*p != '%') { /* a run of literal text in one append */
            size_t lit = strcspn(p, "%");
            buf_append(&b, p, lit);
            p += lit - 1;
            continue;
        }
        size_t n = spec_len(p);
        if (n == 0) {
            buf_append_char(&b, *p);
            continue;
        }
        char conv = p[n - 1];
        if (conv == 'A')
            buf_append_cstr(&b, name_of(f, FMT_DAYS, tm.tm_wday));
        else if (conv == 'a')
            buf_append_cstr(&b, name_of(f, FMT_DAYS_SHORT, tm.tm_wday));
        else if (conv == 'B')
            buf_append_cstr(&b, name_of(f, FMT_MONTHS, tm.tm_mon));
        else if (conv == 'b' || conv == 'h')
            buf_append_cstr(&b, name_of(f, FMT_MONTHS_SHORT, tm.tm_mon));
        else if (!numeric(&b, p, n, &tm)) {
            char spec[PATTERN_MAX + 1], out[128];
            memcpy(spec, p, n);
            spec[n] = '\0';
            size_t len = c_locale
                             ? strftime_l(out, sizeof(out), spec, &tm, c_locale)
                             : strftime(out, sizeof(out), spec, &tm);
            buf_append(&b, out, len);
        }
        p += n - 1;
    }
    return b.len ? b.ptr : arena_strdup(a, "");
}

char *format_count(struct arena *a, const struct theme_format *f, int64_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof(digits), "%" PRId64, n);
    const char *sep = f ? f->grouping : "";
    if (!*sep)
        return arena_strndup(a, digits, (size_t)len);
    struct buf b;
    buf_init_arena(&b, a, 256);
    int i = 0;
    if (digits[0] == '-')
        buf_append_char(&b, digits[i++]);
    for (; i < len; i++) {
        buf_append_char(&b, digits[i]);
        int left = len - i - 1;
        if (left > 0 && left % 3 == 0)
            buf_append_cstr(&b, sep);
    }
    return b.ptr;
}

char *format_hits(struct arena *a, const struct theme_format *f, int64_t n)
{
    const char *phrase = default_hits;
    if (f) {
        int k = n == 0 ? FMT_HITS_ZERO : n == 1 ? FMT_HITS_ONE : FMT_HITS_OTHER;
        /* A form the theme leaves out falls back to "other". */
        phrase = f->hits[k] ? f->hits[k] : f->hits[FMT_HITS_OTHER];
    }
    const char *count = format_count(a, f, n);
    struct buf b;
    buf_init_arena(&b, a, 4096);
    for (const char *p = phrase; *p;) {
        const char *at = strstr(p, "{n}");
        if (!at) {
            buf_append_cstr(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(at - p));
        buf_append_html(&b, count, strlen(count));
        p = at + 3;
    }
    return b.len ? b.ptr : arena_strdup(a, "");
}
