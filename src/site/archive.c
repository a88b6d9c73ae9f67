/*
 * archive.c - the archive by date: /archive (years and their months with
 * counts), /archive/<YYYY> (the year's months and its articles) and
 * /archive/<YYYY>/<MM> (a month's articles), newest first. Months are UTC.
 *
 * Years are four digits (0001-9999) and months two (01-12), exactly: any
 * other spelling, or a period with nothing published, is a 404, so each
 * period has one URL and the cache holds no near-duplicates.
 */
#include "core/arena.h"
#include "render/value.h"
#include "render/view_lists.h"
#include "site/lists.h"
#include "site/site_int.h"
#include "store/store.h"

#include <stdint.h>
#include <time.h>

/* month_start is the Unix time of the first of month (1-13) of year. */
static int64_t month_start(int year, int month)
{
    struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = 1};
    return (int64_t)timegm(&tm); /* month 13 is January of year + 1 */
}

int site_archive(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    const struct month_entry *v;
    size_t n;

    if (site_archive_months(s, a, 0, &v, &n) != 0)
        return 500;
    struct tval *c = list_context(s, a, "Archive", "/archive", 1, 1, 0);
    if (!c)
        return 500;
    tv_set(a, c, "years", view_archive_years(a, v, n));
    tv_set_bool(a, c, "has_years", n > 0);
    return site_render_showing(s, res, "archive", c, "list", -1);
}

/*
 * period answers the page of a year (month 0) or of one of its months:
 * the articles of [from, until), and for a year its months with counts.
 */
static int period(struct site *s, struct request *req, struct response *res,
                  int year, int month)
{
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct article *arts;
    const struct month_entry *mv = NULL;
    size_t n, nm = 0;
    int64_t total;
    int64_t from = month_start(year, month ? month : 1);
    int64_t until = month_start(month ? year : year + 1, month ? month + 1 : 1);
    struct list_query q = {.kind = LIST_RANGE,
                           .id = from,
                           .until = until,
                           .limit = SITE_PER_PAGE,
                           .offset = list_offset(page, SITE_PER_PAGE)};

    if (store_articles_list(s->store, a, &q, &arts, &n, &total) != 0)
        return 500;
    if (n == 0)
        return 404; /* nothing published then, or a page past the end */
    if (month == 0 && site_archive_months(s, a, year, &mv, &nm) != 0)
        return 500;
    const char *url = view_archive_url(a, year, month);
    struct tval *p;
    if (month) {
        struct month_entry m = {year, month, total};
        p = view_archive_month(a, &m);
        tv_set_str(a, p, "title", tv_get(p, STR("label"))->u.s.ptr);
        tv_set_str(a, p, "year_url", view_archive_url(a, year, 0));
        tv_set_bool(a, p, "has_months", false);
    } else {
        p = tv_map(a);
        tv_set_str(a, p, "title", arena_printf(a, "%d", year));
        tv_set_int(a, p, "year", year);
        tv_set_str(a, p, "url", url);
        tv_set_int(a, p, "articles", total);
        tv_set_bool(a, p, "articles_one", total == 1);
        struct tval *months = tv_list(a);
        for (size_t i = 0; i < nm; i++)
            tv_push(a, months, view_archive_month(a, &mv[i]));
        tv_set(a, p, "months", months);
        tv_set_bool(a, p, "has_months", nm > 0);
    }
    struct tval *c = list_context(s, a, tv_get(p, STR("title"))->u.s.ptr, url,
                                  page, SITE_PER_PAGE, total);
    if (!c)
        return 500;
    tv_set(a, c, "period", p);
    if (list_set_articles(s, a, c, arts, n) != 0)
        return 500;
    return site_render_showing(s, res, "archive_period", c, "year", year);
}

int site_archive_year(struct request *req, struct response *res, void *ctx)
{
    int year = list_number(req->params[0], 4, 1, 9999);
    if (year < 0)
        return 404;
    return period(ctx, req, res, year, 0);
}

int site_archive_month(struct request *req, struct response *res, void *ctx)
{
    int year = list_number(req->params[0], 4, 1, 9999);
    int month = list_number(req->params[1], 2, 1, 12);
    if (year < 0 || month < 0)
        return 404;
    return period(ctx, req, res, year, month);
}
