/*
 * article.c - the article page: /articles/<slug>, with its metadata
 * (canonical link, OpenGraph, JSON-LD, Scholar tags), "Cite this" and
 * related articles. /articles/<slug>.<ext> goes to the citation downloads.
 */
#include "core/arena.h"
#include "render/cite.h"
#include "render/meta.h"
#include "core/page.h"
#include "render/value.h"
#include "render/view.h"
#include "site/hits.h"
#include "site/site_int.h"
#include "store/editorial.h"
#include "store/store.h"

#include <string.h>

enum { SITE_RELATED = 5 }; /* related articles shown under an article */

int site_article(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    struct article art;
    struct article *rel;
    size_t nrel;
    struct str slug = req->params[0];

    const char *dot = memchr(slug.ptr, '.', slug.len);
    if (dot) {
        struct str ext = {dot + 1, (size_t)(slug.ptr + slug.len - dot - 1)};
        slug.len = (size_t)(dot - slug.ptr);
        return site_article_cite(req, res, s, slug, ext);
    }
    int rc = store_article_by_slug(s->store, a, slug, false, &art);
    if (rc == ERR_NOT_FOUND) {
        /* Only a miss pays for the slug history: a renamed article's
         * old URL moves permanently to the current one. */
        const char *now_slug;
        if (store_slug_current(s->store, a, slug, &now_slug) != 0)
            return 404;
        response_header(res, "Location", arena_cat(a, "/articles/", now_slug));
        return 301;
    }
    if (rc != 0)
        return 500;
    if (store_articles_related(s->store, a, art.id, SITE_RELATED, &rel,
                               &nrel) != 0)
        return 500;
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    struct cite_journal j;
    if (site_cite_journal(s, a, &j) != 0)
        return 500;
    tv_set(a, c, "article", view_article(a, &art));
    tv_set(a, c, "meta", meta_article(a, &art, &j));
    tv_set(a, c, "related", view_article_list(a, rel, nrel));
    tv_set_bool(a, c, "has_related", nrel > 0);
    tv_set_str(a, c, "page_title", cite_plain(a, art.title)); /* one line */
    struct hit_counter *counter = hits_counter(s->hits, art.id, art.hits);
    rc = site_render(s, res, "article", c, counter);
    if (rc != 200)
        return rc;
    /* Related articles come by tag and section: an article gaining or
     * losing a shared tag, or joining the section, may show; and those
     * shown show their titles and bylines. */
    page_depend(res->page, "article", art.id);
    for (size_t i = 0; i < art.n_tags; i++)
        page_depend(res->page, "tag", art.tags[i].id);
    if (art.section.id)
        page_depend(res->page, "section", art.section.id);
    for (size_t i = 0; i < nrel; i++)
        page_depend(res->page, "article", rel[i].id);
    return 200;
}

int site_article_preview(void *ctx, struct request *req, struct response *res,
                         const struct article *art)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    struct tval *c = site_context(s, a);
    struct cite_journal j;
    if (!c || site_cite_journal(s, a, &j) != 0)
        return 500;
    tv_set(a, c, "article", view_article(a, art));
    tv_set(a, c, "meta", meta_article(a, art, &j));
    tv_set(a, c, "related", view_article_list(a, NULL, 0));
    tv_set_bool(a, c, "has_related", false);
    tv_set_str(a, c, "page_title", cite_plain(a, art->title));
    return site_render(s, res, "article", c, NULL);
}
