/*
 * api_json.c - the content API's documents, built with jansson.
 */
#include "render/api_json.h"

#include "content/date.h"
#include "core/arena.h"
#include "render/xml.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *article_item(struct arena *a, const char *origin,
                            const struct article *art)
{
    json_t *o = json_object();
    json_object_set_new(o, "slug", json_string(art->slug));
    json_object_set_new(o, "title", json_string(art->title));
    json_object_set_new(o, "summary", str_or_null(art->summary));
    json_t *au = json_array();
    for (size_t i = 0; i < art->n_authors; i++)
        json_array_append_new(au, json_pack("{s:s,s:s}", "slug",
                                            art->authors[i].slug, "name",
                                            art->authors[i].name));
    json_object_set_new(o, "authors", au);
    json_object_set_new(o, "section",
                        art->section.id
                            ? json_pack("{s:s,s:s}", "slug", art->section.slug,
                                        "name", art->section.name)
                            : json_null());
    json_object_set_new(o, "issue",
                        art->issue.id
                            ? json_pack("{s:s,s:o}", "date", art->issue.date,
                                        "title", str_or_null(art->issue.title))
                            : json_null());
    json_object_set_new(o, "published_at",
                        json_string(date_rfc3339(a, art->published_at)));
    json_object_set_new(o, "updated_at",
                        json_string(date_rfc3339(a, art->updated_at)));
    json_object_set_new(
        o, "url",
        json_string(arena_printf(a, "%s/articles/%s", origin, art->slug)));
    json_object_set_new(o, "read_count", json_integer(art->hits));
    return o;
}

static json_t *pagination(const struct api_page *pg)
{
    int64_t pages = pg->limit ? (pg->total + pg->limit - 1) / pg->limit : 0;
    return json_pack(
        "{s:{s:i,s:i,s:I,s:I,s:o,s:o}}", "pagination", "page", pg->page,
        "limit", pg->limit, "pages", (json_int_t)pages, "total",
        (json_int_t)pg->total, "next",
        pg->page < pages ? json_integer(pg->page + 1) : json_null(), "prev",
        pg->page > 1 ? json_integer(pg->page - 1) : json_null());
}

/* dump appends root (taken) to b, pretty for people reading it by hand. */
static int dump(struct buf *b, json_t *root)
{
    if (!root)
        return ERR_INVALID;
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return ERR_INVALID;
    buf_append_cstr(b, text);
    buf_append_char(b, '\n');
    free(text);
    return buf_error(b);
}

int api_json_articles(struct buf *b, struct arena *a, const char *origin,
                      const struct article *arts, size_t n,
                      const struct api_page *pg)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, article_item(a, origin, &arts[i]));
    return dump(
        b, json_pack("{s:o,s:o}", "articles", list, "meta", pagination(pg)));
}

/* squeeze: runs of white space become one space, or one newline when
 * they hold a line break (block ends); trimmed. In place. */
static const char *squeeze(struct arena *a, const char *text)
{
    size_t n = strlen(text), o = 0;
    char *out = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n;) {
        if (!strchr(" \t\r\n", text[i])) {
            out[o++] = text[i++];
            continue;
        }
        bool nl = false;
        while (i < n && strchr(" \t\r\n", text[i]))
            nl |= text[i++] == '\n';
        if (o > 0 && i < n)
            out[o++] = nl ? '\n' : ' ';
    }
    out[o] = '\0';
    return out;
}

int api_json_article(struct buf *b, struct arena *a, const char *origin,
                     const struct article *art)
{
    json_t *o = article_item(a, origin, art);
    const char *html = art->body_html ? art->body_html : "";
    json_object_set_new(o, "html", json_string(html));
    json_object_set_new(o, "plaintext",
                        json_string(squeeze(a, xml_html_text(a, html))));
    json_t *tags = json_array();
    for (size_t i = 0; i < art->n_tags; i++)
        json_array_append_new(tags,
                              json_pack("{s:s,s:s}", "slug", art->tags[i].slug,
                                        "name", art->tags[i].name));
    json_object_set_new(o, "tags", tags);
    return dump(b, json_pack("{s:[o]}", "articles", o));
}

int api_json_sections(struct buf *b, const struct section *secs, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s,s:s}", "slug", secs[i].slug,
                                              "name", secs[i].name));
    return dump(b, json_pack("{s:o}", "sections", list));
}

int api_json_issues(struct buf *b, const struct issue_entry *is, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:s,s:o,s:I}", "date", is[i].issue.date, "title",
                            str_or_null(is[i].issue.title), "article_count",
                            (json_int_t)is[i].articles));
    return dump(b, json_pack("{s:o}", "issues", list));
}

int api_json_issue(struct buf *b, struct arena *a, const char *origin,
                   const struct issue *is, const struct article *arts, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, article_item(a, origin, &arts[i]));
    return dump(b,
                json_pack("{s:[{s:s,s:o,s:o}]}", "issues", "date", is->date,
                          "title", str_or_null(is->title), "articles", list));
}

int api_json_authors(struct buf *b, const struct author_entry *as, size_t n,
                     const struct api_page *pg)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:I}", "slug", as[i].author.slug, "name",
                            as[i].author.name, "article_count",
                            (json_int_t)as[i].articles));
    return dump(
        b, json_pack("{s:o,s:o}", "authors", list, "meta", pagination(pg)));
}

int api_json_tags(struct buf *b, const struct tag_entry *ts, size_t n,
                  const struct api_page *pg)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list,
                              json_pack("{s:s,s:s,s:I}", "slug", ts[i].tag.slug,
                                        "name", ts[i].tag.name, "article_count",
                                        (json_int_t)ts[i].articles));
    return dump(b,
                json_pack("{s:o,s:o}", "tags", list, "meta", pagination(pg)));
}

int api_json_error(struct buf *b, const char *message)
{
    return dump(b, json_pack("{s:[{s:s}]}", "errors", "message", message));
}
