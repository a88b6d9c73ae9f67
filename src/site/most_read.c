/*
 * most_read.c - "Most read": /most-read (all time, articles.hits) and
 * /most-read/30-days (reads per day over the last 30 UTC days, today
 * included), most read first, with each article's count and rank.
 *
 * Both routes carry SITE_EXPIRES: the counts move with every flush of the
 * read counters, which invalidates nothing, so a cached page of them may
 * only live for a while.
 */
#include "core/arena.h"
#include "render/value.h"
#include "render/view_lists.h"
#include "site/lists.h"
#include "site/site_int.h"
#include "store/store.h"

#include <time.h>

#define PERIOD_DAYS 30

static int most_read(struct request *req, struct response *res, struct site *s,
                     int64_t since, const char *title, const char *url)
{
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    int offset = list_offset(page, SITE_PER_PAGE);
    struct article *arts;
    size_t n;
    int64_t total;

    if (store_articles_most_read(s->store, a, since, SITE_PER_PAGE, offset,
                                 &arts, &n, &total) != 0)
        return 500;
    if (n == 0 && page > 1)
        return 404;
    struct tval *c = list_context(s, a, title, url, page, SITE_PER_PAGE, total);
    if (!c)
        return 500;
    tv_set(a, c, "articles", view_ranked(a, arts, n, offset + 1));
    tv_set_bool(a, c, "has_articles", n > 0);
    tv_set_int(a, c, "start", offset + 1);
    tv_set_bool(a, c, "all_time", since == 0);
    tv_set_int(a, c, "days", PERIOD_DAYS);
    return site_render_showing(s, res, "most_read", c, "list", -1);
}

int site_most_read(struct request *req, struct response *res, void *ctx)
{
    return most_read(req, res, ctx, 0, "Most read", "/most-read");
}

int site_most_read_30(struct request *req, struct response *res, void *ctx)
{
    /* Today and the 29 days before it: the store counts from the UTC day
     * of since. */
    int64_t since = (int64_t)time(NULL) - (PERIOD_DAYS - 1) * 86400;
    return most_read(req, res, ctx, since, "Most read in the last 30 days",
                     "/most-read/30-days");
}
