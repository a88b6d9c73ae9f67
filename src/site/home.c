/*
 * home.c - the home page: on the first page, the newest article as the
 * lead with its feature image (when it has one a reader may be shown)
 * and the latest issue's table of contents, above the newest articles,
 * paginated. The lead is not listed again below it; without an image
 * there is no lead and the list is as on every other page.
 */
#include "core/arena.h"
#include "render/value.h"
#include "render/view.h"
#include "render/view_lists.h"
#include "site/lists.h"
#include "site/pictures.h"
#include "site/site_int.h"
#include "store/store.h"

/*
 * latest_issue sets latest_issue {view_issue + articles, more} and toc
 * (its first LIST_TOC_PER_PAGE entries) when there is a public issue.
 */
static int latest_issue(struct site *s, struct arena *a, struct tval *c)
{
    struct issue is;
    struct article *arts;
    size_t n;
    int64_t total;
    int rc = store_issue_latest(s->store, a, &is);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc == 0)
        rc = store_issue_toc(s->store, a, is.id, LIST_TOC_PER_PAGE, 0, &arts,
                             &n, &total);
    if (rc != 0)
        return rc;
    struct tval *im = view_issue(a, &is);
    tv_set_int(a, im, "articles", total);
    tv_set_bool(a, im, "articles_one", total == 1);
    tv_set_bool(a, im, "more", total > (int64_t)n);
    tv_set(a, c, "latest_issue", im);
    tv_set(a, c, "toc", view_toc(a, arts, n));
    return 0;
}

/* The lead's picture spans the main column (style.css), the whole width
 * on a phone; it is the first thing on the page, so eager. */
#define LEAD_SIZES "(min-width: 48rem) 40rem, 100vw"

/*
 * lead sets "lead" (the view of arts[0] with "image") when the newest
 * article has a feature image to show; *used is then 1, else 0.
 */
static int lead(struct site *s, struct arena *a, struct tval *c,
                const struct article *arts, size_t n, size_t *used)
{
    const char *html = NULL;
    *used = 0;
    int rc = n ? site_feature_picture(s, a, arts[0].id, false, LEAD_SIZES,
                                      "lead-image", &html)
               : 0;
    if (rc != 0 || !html)
        return rc;
    struct tval *one = view_article_list(a, arts, 1);
    struct tval *item = one->u.list.items[0];
    tv_set(a, item, "image", tv_html(a, html));
    tv_set(a, c, "lead", item);
    *used = 1;
    return 0;
}

int site_home(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct article *arts;
    size_t n;
    int64_t total;

    struct list_query q = {.kind = LIST_ALL,
                           .limit = SITE_PER_PAGE,
                           .offset = (page - 1) * SITE_PER_PAGE};
    if (store_articles_list(s->store, a, &q, &arts, &n, &total) != 0)
        return 500;
    if (n == 0 && page > 1)
        return 404; /* unknown page numbers are not empty pages */
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    size_t led = 0;
    if (page == 1 &&
        (lead(s, a, c, arts, n, &led) != 0 || latest_issue(s, a, c) != 0))
        return 500;
    /* arts is NULL in an empty journal: no pointer arithmetic on it */
    if (list_set_articles(s, a, c, n ? arts + led : arts, n - led) != 0)
        return 500;
    if (led) {
        tv_set_bool(a, c, "has_articles", true);
        /* The journal's only article: no empty "Latest articles". */
        tv_set_bool(a, c, "lead_only", n == led);
    }
    struct tval *pager = view_pager(a, "/", page, total, SITE_PER_PAGE);
    if (pager)
        tv_set(a, c, "pager", pager);
    return site_render_showing(s, res, "home", c, "list", -1);
}
