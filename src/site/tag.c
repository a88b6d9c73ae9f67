/*
 * tag.c - the tags: /tags, every tag by name with article counts, and
 * /tags/<slug>, a tag's articles newest first.
 */
#include "core/arena.h"
#include "render/value.h"
#include "render/view_lists.h"
#include "site/lists.h"
#include "site/site_int.h"
#include "store/store.h"

int site_tags(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct tag_entry *v;
    size_t n;
    int64_t total;

    if (store_tags_list(s->store, a, LIST_INDEX_PER_PAGE,
                        list_offset(page, LIST_INDEX_PER_PAGE), &v, &n,
                        &total) != 0)
        return 500;
    if (n == 0 && page > 1)
        return 404;
    struct tval *c =
        list_context(s, a, "Tags", "/tags", page, LIST_INDEX_PER_PAGE, total);
    if (!c)
        return 500;
    tv_set(a, c, "tags", view_tag_index(a, v, n));
    tv_set_bool(a, c, "has_tags", n > 0);
    return site_render_showing(s, res, "tags", c, "list", -1);
}

int site_tag(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct tag t;
    struct article *arts;
    size_t n;
    int64_t total;

    int rc = store_tag_by_slug(s->store, a, req->params[0], &t);
    if (rc == ERR_NOT_FOUND)
        return 404;
    if (rc != 0)
        return 500;
    struct list_query q = {.kind = LIST_TAG,
                           .id = t.id,
                           .limit = SITE_PER_PAGE,
                           .offset = list_offset(page, SITE_PER_PAGE)};
    if (store_articles_list(s->store, a, &q, &arts, &n, &total) != 0)
        return 500;
    if (n == 0)
        return 404; /* on drafts only, or a page past the end */
    struct tval *tm = view_tag(a, &t);
    struct tval *c = list_context(s, a, t.name, tv_get(tm, STR("url"))->u.s.ptr,
                                  page, SITE_PER_PAGE, total);
    if (!c)
        return 500;
    tv_set_int(a, tm, "articles", total);
    tv_set_bool(a, tm, "articles_one", total == 1);
    tv_set(a, c, "tag", tm);
    if (list_set_articles(s, a, c, arts, n) != 0)
        return 500;
    return site_render_showing(s, res, "tag", c, "tag", t.id);
}
