/*
 * article.c - the article page: /articles/<slug>.
 */
#include "core/arena.h"
#include "render/page.h"
#include "render/value.h"
#include "render/view.h"
#include "site/hits.h"
#include "site/site_int.h"
#include "store/store.h"

int site_article(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    struct article art;

    int rc = store_article_by_slug(s->store, a, req->params[0], false, &art);
    if (rc == ERR_NOT_FOUND)
        return 404;
    if (rc != 0)
        return 500;
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    tv_set(a, c, "article", view_article(a, &art));
    tv_set_str(a, c, "page_title", art.title);
    struct hit_counter *counter = hits_counter(s->hits, art.id, art.hits);
    rc = site_render(s, res, "article", c, counter);
    if (rc != 200)
        return rc;
    /* Related articles come by tag: a change in a shared tag may show. */
    page_depend(res->page, "article", art.id);
    for (size_t i = 0; i < art.n_tags; i++)
        page_depend(res->page, "tag", art.tags[i].id);
    return 200;
}
