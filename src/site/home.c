/*
 * home.c - the home page: the latest issue's table of contents (on the
 * first page) above the newest articles, paginated.
 */
#include "core/arena.h"
#include "render/value.h"
#include "render/view.h"
#include "render/view_lists.h"
#include "site/lists.h"
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
    if (page == 1 && latest_issue(s, a, c) != 0)
        return 500;
    if (list_set_articles(s, a, c, arts, n) != 0)
        return 500;
    struct tval *pager = view_pager(a, "/", page, total, SITE_PER_PAGE);
    if (pager)
        tv_set(a, c, "pager", pager);
    return site_render_showing(s, res, "home", c, "list", -1);
}
