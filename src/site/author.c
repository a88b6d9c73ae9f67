/*
 * author.c - the authors: /authors, an index by name with article
 * counts, and /authors/<slug>, an author's bio and every article with
 * their name in the byline (co-authored ones included), newest first.
 */
#define LOG_MODULE "site"
#include "content/markdown.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "render/value.h"
#include "render/view_lists.h"
#include "site/lists.h"
#include "site/pictures.h"
#include "site/site_int.h"
#include "store/store.h"

#include <string.h>

#define BIO_MAX (256u << 10) /* rendered bio; a longer one is left out */

int site_authors(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct author_entry *v;
    size_t n;
    int64_t total;

    if (store_authors_list(s->store, a, LIST_INDEX_PER_PAGE,
                           list_offset(page, LIST_INDEX_PER_PAGE), &v, &n,
                           &total) != 0)
        return 500;
    if (n == 0 && page > 1)
        return 404;
    struct tval *c = list_context(s, a, "Authors", "/authors", page,
                                  LIST_INDEX_PER_PAGE, total);
    if (!c)
        return 500;
    tv_set(a, c, "authors", view_author_index(a, v, n));
    tv_set_bool(a, c, "has_authors", n > 0);
    return site_render_showing(s, res, "authors", c, "list", -1);
}

/* bio_html renders an author's Markdown bio, or NULL if there is none. */
static const char *bio_html(struct arena *a, const struct author *au)
{
    struct buf b;
    if (!au->bio || !*au->bio)
        return NULL;
    buf_init_arena(&b, a, BIO_MAX);
    if (markdown_to_html(au->bio, strlen(au->bio), &b) != 0) {
        log_warn("the bio of author '%s' is too long to show", au->slug);
        return NULL;
    }
    return b.ptr;
}

int site_author(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct author au;
    struct article *arts;
    size_t n;
    int64_t total;

    int rc = store_author_by_slug(s->store, a, req->params[0], &au);
    if (rc == ERR_NOT_FOUND)
        return 404;
    if (rc != 0)
        return 500;
    struct list_query q = {.kind = LIST_AUTHOR,
                           .id = au.id,
                           .limit = SITE_PER_PAGE,
                           .offset = list_offset(page, SITE_PER_PAGE)};
    if (store_articles_list(s->store, a, &q, &arts, &n, &total) != 0)
        return 500;
    if (n == 0)
        return 404; /* nothing published, or a page past the end */
    struct tval *am = view_author(a, &au);
    struct tval *c = list_context(s, a, au.name,
                                  tv_get(am, STR("url"))->u.s.ptr, page,
                                  SITE_PER_PAGE, total);
    if (!c)
        return 500;
    tv_set_str(a, am, "bio_html", bio_html(a, &au));
    tv_set_int(a, am, "articles", total);
    tv_set_bool(a, am, "articles_one", total == 1);
    if (site_author_photo(s, a, &au, am) != 0)
        return 500;
    tv_set(a, c, "author", am);
    if (list_set_articles(s, a, c, arts, n) != 0)
        return 500;
    return site_render_showing(s, res, "author", c, "author", au.id);
}
