/*
 * home.c - the home page: the newest articles, paginated.
 */
#include "core/arena.h"
#include "render/page.h"
#include "render/value.h"
#include "render/view.h"
#include "site/site_int.h"
#include "store/store.h"

int site_home(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct article *arts;
    size_t n;
    int64_t total;
    int rc;

    if (store_articles_recent(s->store, a, 0, SITE_PER_PAGE,
                              (page - 1) * SITE_PER_PAGE, &arts, &n,
                              &total) != 0)
        return 500;
    if (n == 0 && page > 1)
        return 404; /* unknown page numbers are not empty pages */
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    tv_set(a, c, "articles", view_article_list(a, arts, n));
    tv_set_bool(a, c, "has_articles", n > 0);
    struct tval *pager = view_pager(a, "/", page, total, SITE_PER_PAGE);
    if (pager)
        tv_set(a, c, "pager", pager);
    rc = site_render(s, res, "home", c, NULL);
    if (rc == 200)
        page_depend(res->page, "list", -1);
    return rc;
}
