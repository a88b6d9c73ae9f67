/*
 * article.c - the article page: /articles/<slug>, with its metadata
 * (canonical link, OpenGraph, JSON-LD, Scholar tags), "Cite this" and
 * related articles. /articles/<slug>.<ext> goes to the citation downloads.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "render/cite.h"
#include "render/meta.h"
#include "core/page.h"
#include "render/picture.h"
#include "render/value.h"
#include "render/view.h"
#include "site/hits.h"
#include "site/pictures.h"
#include "site/site_int.h"
#include "store/editorial.h"
#include "store/media.h"
#include "store/store.h"

#include <string.h>

enum {
    SITE_RELATED = 5,         /* related articles shown under an article */
    SITE_RELATED_STALE_S = 1, /* a page with a lagging ranking, cached */
};

/* json_str appends s as a JSON string safe inside <script>: < > & as
 * \u escapes, control characters dropped. */
static void json_str(struct buf *b, const char *s)
{
    buf_append_char(b, '"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c == '<' || c == '>' || c == '&')
            buf_printf(b, "\\u%04x", c);
        else if (c >= 0x20)
            buf_append_char(b, (char)c);
    }
    buf_append_char(b, '"');
}

/*
 * set_places puts the article's countries and organizations in the page:
 * links (countries, organizations), about (all) and spatialCoverage
 * (countries) in the article's JSON-LD, and citation_keywords.
 */
static int set_places(struct site *s, struct arena *a, struct tval *c,
                      const struct article *art)
{
    struct article_place *p;
    size_t n;
    if (store_article_places(s->store, a, art->id, &p, &n) != 0)
        return 500;
    struct tval *lists[2] = {tv_list(a), tv_list(a)};
    struct buf ld, kw;
    buf_init_arena(&ld, a, 64 * 1024);
    buf_init_arena(&kw, a, 16 * 1024);
    for (int pass = 0; pass < 2; pass++) {
        buf_append_cstr(&ld, pass ? ",\n  \"spatialCoverage\": ["
                                  : ",\n  \"about\": [");
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            if (pass && p[i].is_org)
                continue;
            const char *link = arena_printf(
                a, "%s/%s", p[i].is_org ? "/organizations" : "/countries",
                p[i].code);
            buf_append_cstr(&ld, first ? "{\"@type\":" : ",{\"@type\":");
            buf_append_cstr(&ld,
                            p[i].is_org ? "\"Organization\"" : "\"Country\"");
            buf_append_cstr(&ld, ",\"name\":");
            json_str(&ld, p[i].name);
            buf_append_char(&ld, '}');
            first = false;
            if (pass)
                continue;
            struct tval *m = tv_map(a);
            tv_set_str(a, m, "name", p[i].name);
            tv_set_str(a, m, "code", p[i].code);
            tv_set_str(a, m, "url", link);
            tv_push(a, lists[p[i].is_org], m);
            buf_printf(&kw, "%s%s", kw.len ? "; " : "", p[i].name);
        }
        buf_append_char(&ld, ']');
    }
    bool any[2] = {false, false};
    for (size_t i = 0; i < n; i++)
        any[p[i].is_org] = true;
    tv_set(a, c, "countries", lists[0]);
    tv_set_bool(a, c, "has_countries", any[0]);
    tv_set(a, c, "organizations", lists[1]);
    tv_set_bool(a, c, "has_organizations", any[1]);
    if (!n || buf_error(&ld) || buf_error(&kw))
        return 0;
    tv_set_str(a, c, "places_keywords", kw.ptr);
    /* One JSON-LD object: the members go before the article's closing
     * brace (render/cite writes an object, "}" last). */
    struct tval *meta = tv_get(c, STR("meta"));
    struct tval *j = meta ? tv_get(meta, STR("jsonld")) : NULL;
    if (j && j->u.s.len && j->u.s.ptr[j->u.s.len - 1] == '}') {
        size_t keep = j->u.s.len - 1;
        while (keep &&
               (j->u.s.ptr[keep - 1] == '\n' || j->u.s.ptr[keep - 1] == ' '))
            keep--;
        tv_set_str(a, meta, "jsonld",
                   arena_printf(a, "%.*s%s\n}", (int)keep, j->u.s.ptr, ld.ptr));
    }
    return 0;
}

/* The feature image spans the wider column (style.css). */
#define FEATURE_SIZES "(min-width: 64rem) 60rem, 100vw"

struct lookup {
    struct store *store;
    struct arena *a;
};

/* feature adds the article's feature image to the article's map (html,
 * url, width, height, alt) and to its metadata (image, image_width,
 * image_height, image_alt for og:image/twitter:image; "image" spliced
 * into the JSON-LD). A hash not in the library, or a URL without alt
 * text, shows nothing. */
static void feature(struct site *s, struct arena *a, int64_t id,
                    const char *base, struct tval *art, struct tval *meta)
{
    const char *ref = NULL, *alt = NULL;
    if (store_article_feature(s->store, a, id, &ref, &alt) != 0 || !ref)
        return;
    struct tval *f = tv_map(a);
    const char *url = NULL;
    int w = 0, h = 0;
    struct media m;
    struct buf e;
    buf_init_arena(&e, a, 8192);
    if (strncmp(ref, "http", 4) != 0) {
        if (store_media_by_hash(s->store, a, ref, &m) != 0 ||
            strcmp(m.kind, "image"))
            return;
        if (!alt || !*alt)
            alt = m.alt;
        if ((!alt || !*alt) && !m.decorative)
            return; /* alt text is required unless decorative */
        if (alt)
            buf_append_html(&e, alt, strlen(alt));
        /* The widest JPEG, for cards shared on social sites. */
        const struct media_variant *big = NULL;
        for (size_t i = 0; i < m.nvariants; i++)
            if (!strcmp(m.variants[i].mime, "image/jpeg"))
                big = &m.variants[i];
        url = arena_cat(a, base ? base : "",
                        arena_cat(a, "/media/", big ? big->file : m.file));
        w = big ? big->width : m.width;
        h = big ? big->height : m.height;
        tv_set_str(a, f, "html",
                   picture_html(a, &m, e.ptr ? e.ptr : "", false, FEATURE_SIZES,
                                "feature-image"));
    } else {
        if (!alt || !*alt || strpbrk(ref, "\"<> "))
            return;
        buf_append_html(&e, alt, strlen(alt));
        url = ref;
        struct buf img;
        buf_init_arena(&img, a, 16384);
        buf_append_cstr(&img, "<img class=\"feature-image\" src=\"");
        buf_append_html(&img, ref, strlen(ref));
        buf_printf(&img, "\" alt=\"%s\" decoding=\"async\">", e.ptr);
        tv_set_str(a, f, "html", img.ptr);
    }
    tv_set_str(a, f, "url", url);
    tv_set_str(a, f, "alt", alt ? alt : "");
    tv_set_int(a, f, "width", w);
    tv_set_int(a, f, "height", h);
    tv_set(a, art, "feature_image", f);
    if (!meta)
        return;
    tv_set_str(a, meta, "image", url);
    tv_set_str(a, meta, "image_alt", alt ? alt : "");
    if (w) {
        tv_set_int(a, meta, "image_width", w);
        tv_set_int(a, meta, "image_height", h);
    }
    struct tval *ld = tv_get(meta, STR("jsonld"));
    const char *old = ld && ld->type == TV_STR ? ld->u.s.ptr : NULL;
    if (old && old[0] == '{' && !strpbrk(url, "\"\\<>")) {
        const char *img = w ? arena_printf(a,
                                           "\"image\":{\"@type\":"
                                           "\"ImageObject\",\"url\":\"%s\","
                                           "\"width\":%d,\"height\":%d},",
                                           url, w, h)
                            : arena_printf(a, "\"image\":\"%s\",", url);
        tv_set_str(a, meta, "jsonld",
                   arena_cat(a, arena_cat(a, "{", img), old + 1));
    }
}

/* media_lookup finds a body image by its hash (picture_lookup_fn). */
static int media_lookup(void *ctx, const char *hash, struct media *m)
{
    struct lookup *l = ctx;
    return store_media_by_hash(l->store, l->a, hash, m);
}

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
    bool rel_stale;
    if (store_articles_related(s->store, a, art.id, SITE_RELATED, &rel, &nrel,
                               &rel_stale) != 0)
        return 500;
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    struct cite_journal j;
    if (site_cite_journal(s, a, &j) != 0)
        return 500;
    /* Body images (![alt](media:HASH)) become <picture>s; the page is
     * dropped from the cache when the library changes ("site"). */
    struct lookup lk = {s->store, a};
    int missing = 0;
    art.body_html =
        picture_rewrite(a, art.body_html, media_lookup, &lk, &missing);
    struct tval *av = view_article(a, &art);
    struct tval *meta = meta_article(a, &art, &j);
    feature(s, a, art.id, j.base_url, av, meta);
    if (site_author_photos(s, a, art.authors, art.n_authors,
                           tv_get(av, STR("authors")), false) != 0)
        return 500;
    tv_set(a, c, "article", av);
    tv_set(a, c, "meta", meta);
    tv_set(a, c, "related", view_article_list(a, rel, nrel));
    tv_set_bool(a, c, "has_related", nrel > 0);
    tv_set_str(a, c, "page_title", cite_plain(a, art.title)); /* one line */
    if (set_places(s, a, c, &art) != 0)
        return 500;
    struct hit_counter *counter = hits_counter(s->hits, art.id, art.hits);
    rc = site_render(s, res, "article", c, counter);
    hit_counter_release(counter); /* the page holds its own */
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
    /* Ranked by an index the ticker is still rebuilding: render again
     * soon, since no change will come to drop this page. */
    if (rel_stale)
        page_expire_in(res->page, SITE_RELATED_STALE_S);
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
