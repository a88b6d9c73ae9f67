/*
 * feed.c - Atom 1.0 (RFC 4287) and RSS 2.0 through render/xml.h; JSON
 * Feed is in feed_json.c.
 *
 * What goes where:
 *   Atom: feed id = its own URL; entry id = the tag: URI; published and
 *   updated in RFC 3339; one author per byline name (with the author's
 *   page as uri), the journal as the feed's author for entries without a
 *   byline; categories for the section and the tags (term = slug, label =
 *   name, scheme = the list's URL); summary type="text" (the intro) and,
 *   for full-text feeds, content type="html" (the body, escaped once).
 *   RSS: guid isPermaLink="false" = the same tag: URI; pubDate in RFC 822;
 *   names as dc:creator (RSS's own author element wants an e-mail);
 *   description = the intro, escaped as HTML so it shows as text (RSS
 *   descriptions are HTML), or the body when there is no intro; the body
 *   in content:encoded for full-text feeds.
 */
#include "render/feed.h"

#include "content/date.h"
#include "core/arena.h"
#include "core/buf.h"
#include "render/view.h"
#include "render/xml.h"

#include <string.h>

static const char NS_ATOM[] = "http://www.w3.org/2005/Atom";

const char *feed_content_type(enum feed_format fmt)
{
    switch (fmt) {
    case FEED_ATOM: return "application/atom+xml; charset=utf-8";
    case FEED_RSS: return "application/rss+xml; charset=utf-8";
    case FEED_JSON: break;
    }
    return "application/feed+json; charset=utf-8";
}

int64_t feed_updated(const struct article *art)
{
    return art->updated_at > art->published_at ? art->updated_at
                                               : art->published_at;
}

/* host is the origin without its scheme and port ("journal.example"). */
static const char *host(struct arena *a, const char *origin)
{
    const char *h = strstr(origin, "://");
    h = h ? h + 3 : origin;
    size_t n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/");
    if (n > strlen(h))
        n = strlen(h);
    return arena_strndup(a, h, n);
}

const char *feed_entry_id(struct arena *a, const struct feed *f,
                          const struct article *art)
{
    return arena_printf(a, "tag:%s,%s:%s", host(a, f->origin),
                        date_ymd(a, art->published_at),
                        view_url(a, PUBLIC_ARTICLE, art->slug));
}

static const char *abs_url(struct arena *a, const struct feed *f,
                           const char *path)
{
    return arena_printf(a, "%s%s", f->origin, path);
}

static int64_t newest(const struct feed *f)
{
    int64_t t = 0;
    for (size_t i = 0; i < f->n; i++)
        if (feed_updated(&f->entries[i]) > t)
            t = feed_updated(&f->entries[i]);
    return t;
}

static void link(struct xml *x, const char *rel, const char *type,
                 const char *href)
{
    xml_start(x, "link");
    xml_attr(x, "rel", rel);
    xml_attr(x, "type", type);
    xml_attr(x, "href", href);
    xml_end(x);
}

static void atom_category(struct xml *x, const char *term, const char *label,
                          const char *scheme)
{
    xml_start(x, "category");
    xml_attr(x, "term", term);
    xml_attr(x, "scheme", scheme);
    xml_attr(x, "label", label);
    xml_end(x);
}

static void atom_entry(struct arena *a, struct xml *x, const struct feed *f,
                       const struct article *art)
{
    xml_start(x, "entry");
    xml_elem(x, "title", art->title);
    link(x, "alternate", "text/html",
         abs_url(a, f, view_url(a, PUBLIC_ARTICLE, art->slug)));
    xml_elem(x, "id", feed_entry_id(a, f, art));
    xml_elem(x, "published", date_rfc3339(a, art->published_at));
    xml_elem(x, "updated", date_rfc3339(a, feed_updated(art)));
    for (size_t i = 0; i < art->n_authors; i++) {
        xml_start(x, "author");
        xml_elem(x, "name", art->authors[i].name);
        xml_elem(
            x, "uri",
            abs_url(a, f, view_url(a, PUBLIC_AUTHOR, art->authors[i].slug)));
        xml_end(x);
    }
    if (art->section.id)
        atom_category(x, art->section.slug, art->section.name,
                      abs_url(a, f, "/sections/"));
    for (size_t i = 0; i < art->n_tags; i++)
        atom_category(x, art->tags[i].slug, art->tags[i].name,
                      abs_url(a, f, "/tags/"));
    if (art->summary && *art->summary) {
        xml_start(x, "summary");
        xml_attr(x, "type", "text");
        xml_text(x, art->summary);
        xml_end(x);
    }
    if (f->full && art->body_html) {
        xml_start(x, "content");
        xml_attr(x, "type", "html");
        xml_text(x, art->body_html);
        xml_end(x);
    }
    xml_end(x);
}

static void atom(struct arena *a, struct xml *x, const struct feed *f)
{
    xml_start(x, "feed");
    xml_attr(x, "xmlns", NS_ATOM);
    xml_elem(x, "title", f->title);
    xml_elem(x, "subtitle", f->subtitle);
    link(x, "alternate", "text/html", abs_url(a, f, f->home_path));
    link(x, "self", "application/atom+xml", abs_url(a, f, f->self_path));
    xml_elem(x, "id", abs_url(a, f, f->self_path));
    xml_elem(x, "updated", date_rfc3339(a, newest(f)));
    xml_start(x, "author");
    xml_elem(x, "name", f->journal);
    xml_elem(x, "uri", abs_url(a, f, "/"));
    xml_end(x);
    xml_elem(x, "generator", "Quire");
    for (size_t i = 0; i < f->n; i++)
        atom_entry(a, x, f, &f->entries[i]);
    xml_end(x);
}

/* as_html escapes plain text for an element whose content is HTML. */
static const char *as_html(struct arena *a, const char *text)
{
    struct buf b;
    buf_init_arena(&b, a, BUF_MAX_DEFAULT);
    buf_append_html(&b, text, strlen(text));
    return b.ptr;
}

static void rss_category(struct xml *x, const char *name, const char *domain)
{
    xml_start(x, "category");
    xml_attr(x, "domain", domain);
    xml_text(x, name);
    xml_end(x);
}

static void rss_item(struct arena *a, struct xml *x, const struct feed *f,
                     const struct article *art)
{
    bool intro = art->summary && *art->summary;
    xml_start(x, "item");
    xml_elem(x, "title", art->title);
    xml_elem(x, "link", abs_url(a, f, view_url(a, PUBLIC_ARTICLE, art->slug)));
    xml_start(x, "guid");
    xml_attr(x, "isPermaLink", "false");
    xml_text(x, feed_entry_id(a, f, art));
    xml_end(x);
    xml_elem(x, "pubDate", date_rfc822(a, art->published_at));
    for (size_t i = 0; i < art->n_authors; i++)
        xml_elem(x, "dc:creator", art->authors[i].name);
    if (art->section.id)
        rss_category(x, art->section.name, abs_url(a, f, "/sections/"));
    for (size_t i = 0; i < art->n_tags; i++)
        rss_category(x, art->tags[i].name, abs_url(a, f, "/tags/"));
    if (intro)
        xml_elem(x, "description", as_html(a, art->summary));
    else if (f->full && art->body_html)
        xml_elem(x, "description", art->body_html);
    if (f->full && art->body_html)
        xml_elem(x, "content:encoded", art->body_html);
    xml_end(x);
}

static void rss(struct arena *a, struct xml *x, const struct feed *f)
{
    xml_start(x, "rss");
    xml_attr(x, "version", "2.0");
    xml_attr(x, "xmlns:atom", NS_ATOM);
    xml_attr(x, "xmlns:content", "http://purl.org/rss/1.0/modules/content/");
    xml_attr(x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
    xml_start(x, "channel");
    xml_elem(x, "title", f->title);
    xml_elem(x, "link", abs_url(a, f, f->home_path));
    /* description is required; the title stands in for a missing tagline */
    xml_elem(x, "description",
             as_html(a, f->subtitle ? f->subtitle : f->title));
    xml_start(x, "atom:link");
    xml_attr(x, "href", abs_url(a, f, f->self_path));
    xml_attr(x, "rel", "self");
    xml_attr(x, "type", "application/rss+xml");
    xml_end(x);
    xml_elem(x, "lastBuildDate", date_rfc822(a, newest(f)));
    xml_elem(x, "generator", "Quire");
    for (size_t i = 0; i < f->n; i++)
        rss_item(a, x, f, &f->entries[i]);
    xml_end(x);
    xml_end(x);
}

int feed_render(struct arena *a, const struct feed *f, enum feed_format fmt,
                char **out, size_t *len)
{
    if (fmt == FEED_JSON)
        return feed_json(a, f, out, len);
    struct xml *x = xml_new(a);
    if (fmt == FEED_ATOM)
        atom(a, x, f);
    else
        rss(a, x, f);
    return xml_finish(x, out, len);
}
