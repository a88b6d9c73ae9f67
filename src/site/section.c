/*
 * section.c - a section's page: /sections/<slug>, its articles newest first.
 */
#include "core/arena.h"
#include "render/value.h"
#include "render/view.h"
#include "site/lists.h"
#include "site/site_int.h"
#include "store/store.h"

int site_section(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct section sec;
    struct article *arts;
    size_t n;
    int64_t total;

    int rc = store_section_by_slug(s->store, a, req->params[0], &sec);
    if (rc == ERR_NOT_FOUND)
        return 404;
    if (rc != 0)
        return 500;
    struct list_query q = {.kind = LIST_SECTION,
                           .id = sec.id,
                           .limit = SITE_PER_PAGE,
                           .offset = (page - 1) * SITE_PER_PAGE};
    if (store_articles_list(s->store, a, &q, &arts, &n, &total) != 0)
        return 500;
    if (n == 0 && page > 1)
        return 404;
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    struct tval *sm = view_section(a, &sec);
    tv_set(a, c, "section", sm);
    tv_set_str(a, c, "page_title", sec.name);
    if (list_set_articles(s, a, c, arts, n) != 0)
        return 500;
    struct tval *pager = view_pager(a, tv_get(sm, STR("url"))->u.s.ptr, page,
                                    total, SITE_PER_PAGE);
    if (pager)
        tv_set(a, c, "pager", pager);
    return site_render_showing(s, res, "section", c, "section", sec.id);
}
