/*
 * pictures.c - library images outside an article's body: the logos of
 * the "Visit also" links and the covers of the staff publications (built
 * once per side snapshot), author photos on author pages and bylines,
 * and feature images as cards in article lists and as the home page's
 * lead.
 *
 * Each is a responsive <picture> (render/picture.c) from the media
 * library, named by its hash. A hash that names no image any more (the
 * file was removed from the library) shows no picture rather than a
 * broken one; every page is dropped from the cache when the library
 * changes (the media table's triggers), so the page follows.
 *
 * Alt text comes from the library. Where the library has none the
 * caller says what stands in: a logo inside a link names the link's
 * destination (its title); a cover or a photo beside the words it
 * illustrates is decorative (alt=""), so a screen reader does not read
 * the title twice.
 */
#include "site/pictures.h"

#include "core/arena.h"
#include "core/buf.h"
#include "render/picture.h"
#include "render/value.h"
#include "site/site_int.h"
#include "store/media.h"
#include "store/store.h"

#include <string.h>

/* The side column is 18rem wide (style.css), the whole width on a phone:
 * logos two to a row, covers a thumbnail beside the entry. */
#define LOGO_SIZES "(min-width: 50rem) 8rem, 40vw"
#define COVER_SIZES "5rem"
/* A byline photo is a small round image; the author page's is larger. */
#define BYLINE_SIZES "2.5rem"
#define AUTHOR_SIZES "8rem"
/* A card image is a thumbnail beside the item's text. */
#define CARD_SIZES "(min-width: 40rem) 10rem, 7rem"

const char *site_picture(struct store *st, struct arena *a, const char *hash,
                         const char *fallback_alt, bool lazy, const char *sizes,
                         const char *css)
{
    struct media m;
    if (!hash || !*hash || store_media_by_hash(st, a, hash, &m) != 0 ||
        strcmp(m.kind, "image") != 0)
        return NULL;
    const char *alt = m.alt && *m.alt ? m.alt : fallback_alt;
    if (!alt && m.decorative)
        alt = "";
    if (!alt)
        return NULL; /* never an image without a reason for its alt */
    struct buf e;
    buf_init_arena(&e, a, 8192);
    buf_append_html(&e, alt, strlen(alt));
    if (buf_error(&e))
        return NULL;
    const char *html =
        picture_html(a, &m, e.ptr ? e.ptr : "", lazy, sizes, css);
    return *html ? html : NULL;
}

const char *site_picture_decorative(struct store *st, struct arena *a,
                                    const char *hash, const char *sizes,
                                    const char *css)
{
    struct media m;
    if (!hash || !*hash || store_media_by_hash(st, a, hash, &m) != 0 ||
        strcmp(m.kind, "image") != 0)
        return NULL;
    const char *html = picture_html(a, &m, "", false, sizes, css);
    return *html ? html : NULL;
}

void site_side_pictures(struct store *st, struct arena *a, const struct link *l,
                        size_t nl, struct tval *links,
                        const struct publication *p, size_t np,
                        struct tval *pubs)
{
    /* The side column comes after the article: lazy. */
    for (size_t i = 0; i < nl && i < links->u.list.n; i++) {
        const char *html = site_picture(st, a, l[i].image, l[i].title, true,
                                        LOGO_SIZES, "logo");
        if (html)
            tv_set(a, links->u.list.items[i], "image", tv_html(a, html));
    }
    for (size_t i = 0; i < np && i < pubs->u.list.n; i++) {
        const char *html =
            site_picture(st, a, p[i].image, "", true, COVER_SIZES, "cover");
        if (html)
            tv_set(a, pubs->u.list.items[i], "image", tv_html(a, html));
    }
}

int site_author_photos(struct site *s, struct arena *a, const struct author *au,
                       size_t n, struct tval *list, bool large)
{
    if (n == 0 || !list || list->type != TV_LIST)
        return 0;
    int64_t *ids = arena_alloc(a, n * sizeof(*ids));
    const char **photos = arena_alloc(a, n * sizeof(*photos));
    for (size_t i = 0; i < n; i++)
        ids[i] = au[i].id;
    int rc = store_author_photos(s->store, a, ids, n, photos);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && i < list->u.list.n; i++) {
        const char *html;
        if (large) {
            /* Top of the author's page: eager, the library's alt. */
            html = site_picture(s->store, a, photos[i], "", false, AUTHOR_SIZES,
                                "author-photo");
        } else {
            /* In the byline's link beside the name, which says it all:
             * decorative whatever the library says; in the article's
             * header, so eager. */
            html = site_picture_decorative(s->store, a, photos[i], BYLINE_SIZES,
                                           "byline-photo");
        }
        if (html)
            tv_set(a, list->u.list.items[i], "photo", tv_html(a, html));
    }
    return 0;
}

int site_author_photo(struct site *s, struct arena *a, const struct author *au,
                      struct tval *map)
{
    struct tval *one = tv_list(a);
    tv_push(a, one, map);
    return site_author_photos(s, a, au, 1, one, true);
}

int site_feature_picture(struct site *s, struct arena *a, int64_t id, bool lazy,
                         const char *sizes, const char *css, const char **out)
{
    const char *ref = NULL, *alt = NULL;
    *out = NULL;
    int rc = store_article_feature(s->store, a, id, &ref, &alt);
    if (rc == ERR_NOT_FOUND || (rc == 0 && !ref))
        return 0;
    if (rc != 0)
        return rc;
    const char *html;
    if (strncmp(ref, "http", 4) != 0) {
        /* The article's own alt text wins over the library's. */
        struct media m;
        if (store_media_by_hash(s->store, a, ref, &m) != 0 ||
            strcmp(m.kind, "image") != 0)
            return 0;
        const char *text = alt && *alt ? alt : m.alt;
        if ((!text || !*text) && !m.decorative)
            return 0;
        struct buf e;
        buf_init_arena(&e, a, 8192);
        buf_append_html(&e, text ? text : "", text ? strlen(text) : 0);
        if (buf_error(&e))
            return 0;
        html = picture_html(a, &m, e.ptr ? e.ptr : "", lazy, sizes, css);
    } else {
        if (!alt || !*alt || strpbrk(ref, "\"<> "))
            return 0;
        struct buf b;
        buf_init_arena(&b, a, 16384);
        buf_printf(&b, "<img class=\"%s\" src=\"", css);
        buf_append_html(&b, ref, strlen(ref));
        buf_append_cstr(&b, "\" alt=\"");
        buf_append_html(&b, alt, strlen(alt));
        buf_printf(&b, "\"%s decoding=\"async\">",
                   lazy ? " loading=\"lazy\"" : "");
        if (buf_error(&b))
            return 0;
        html = b.ptr;
    }
    if (html && *html)
        *out = html;
    return 0;
}

int site_cards(struct site *s, struct arena *a, const struct article *arts,
               size_t n, struct tval *list)
{
    if (!list || list->type != TV_LIST)
        return 0;
    for (size_t i = 0; i < n && i < list->u.list.n; i++) {
        /* The first two may be on the first screen: eager. The CSS
         * gives .card-image a fixed ratio, so it does not move the text. */
        const char *html;
        int rc = site_feature_picture(s, a, arts[i].id, i >= 2, CARD_SIZES,
                                      "card-image", &html);
        if (rc != 0)
            return rc;
        if (html)
            tv_set(a, list->u.list.items[i], "card", tv_html(a, html));
    }
    return 0;
}
