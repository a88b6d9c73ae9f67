/*
 * feed_json.c - JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with
 * jansson.
 *
 * Required by the spec: version, title, items; each item an id and one of
 * content_html or content_text. A full-text feed gives content_html (the
 * body); a summary feed gives content_text (the intro, or the title when
 * there is none) and no body. Strings pass through xml_clean like the XML
 * formats' (jansson refuses bytes that are not UTF-8; control characters
 * would be legal here as \u escapes but are dropped for the same text in
 * every format).
 */
#include "render/feed.h"

#include "content/date.h"
#include "core/arena.h"
#include "core/xalloc.h"
#include "render/view.h"
#include "render/xml.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* put sets key to a cleaned string; NULL text sets nothing. */
static void put(struct arena *a, json_t *o, const char *key, const char *text)
{
    if (text)
        json_object_set_new(o, key, json_string(xml_clean(a, text)));
}

static const char *abs_url(struct arena *a, const struct feed *f,
                           const char *path)
{
    return arena_printf(a, "%s%s", f->origin, path);
}

static json_t *item(struct arena *a, const struct feed *f,
                    const struct article *art)
{
    json_t *it = json_object();
    put(a, it, "id", feed_entry_id(a, f, art));
    put(a, it, "url", abs_url(a, f, view_url(a, PUBLIC_ARTICLE, art->slug)));
    put(a, it, "title", art->title);
    bool intro = art->summary && *art->summary;
    if (f->full && art->body_html)
        put(a, it, "content_html", art->body_html);
    else
        put(a, it, "content_text", intro ? art->summary : art->title);
    if (intro)
        put(a, it, "summary", art->summary);
    put(a, it, "date_published", date_rfc3339(a, art->published_at));
    put(a, it, "date_modified", date_rfc3339(a, feed_updated(art)));
    if (art->n_authors) {
        json_t *authors = json_array();
        for (size_t i = 0; i < art->n_authors; i++) {
            json_t *au = json_object();
            put(a, au, "name", art->authors[i].name);
            put(a, au, "url",
                abs_url(a, f,
                        view_url(a, PUBLIC_AUTHOR, art->authors[i].slug)));
            json_array_append_new(authors, au);
        }
        json_object_set_new(it, "authors", authors);
    }
    json_t *tags = json_array();
    if (art->section.id)
        json_array_append_new(tags,
                              json_string(xml_clean(a, art->section.name)));
    for (size_t i = 0; i < art->n_tags; i++)
        json_array_append_new(tags,
                              json_string(xml_clean(a, art->tags[i].name)));
    if (json_array_size(tags))
        json_object_set_new(it, "tags", tags);
    else
        json_decref(tags);
    return it;
}

int feed_json(struct arena *a, const struct feed *f, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    json_t *doc = json_object();
    put(a, doc, "version", "https://jsonfeed.org/version/1.1");
    put(a, doc, "title", f->title);
    put(a, doc, "home_page_url", abs_url(a, f, f->home_path));
    put(a, doc, "feed_url", abs_url(a, f, f->self_path));
    put(a, doc, "description", f->subtitle);
    json_t *author = json_object();
    put(a, author, "name", f->journal);
    put(a, author, "url", abs_url(a, f, "/"));
    json_t *authors = json_array();
    json_array_append_new(authors, author);
    json_object_set_new(doc, "authors", authors);
    json_t *items = json_array();
    for (size_t i = 0; i < f->n; i++)
        json_array_append_new(items, item(a, f, &f->entries[i]));
    json_object_set_new(doc, "items", items);

    /* Key order is insertion order (JSON_PRESERVE_ORDER): stable bytes,
     * stable ETags. */
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        return ERR_INVALID;
    /* json_dumps uses jansson's allocator (malloc by default): copy to ours. */
    size_t n = strlen(text);
    *out = xmalloc(n + 2);
    memcpy(*out, text, n);
    (*out)[n] = '\n';
    (*out)[n + 1] = '\0';
    *len = n + 1;
    free(text);
    return 0;
}

const char *feed_json_lib_version(void)
{
    return jansson_version_str();
}
