/*
 * feeds.c - /feed.atom, /feed.rss, /feed.json, and the same for one
 * section, author or tag (/sections/<slug>/feed.atom ...).
 *
 * One handler for the twelve routes: the path's last segment picks the
 * format and its first the scope. A feed holds the FEED_ENTRIES newest
 * published articles: one list query (with bylines) and one fill (bodies
 * and tags), then render/feed.c writes the format. The journal setting
 * feed_content (full | summary) says whether bodies go in. Feeds are
 * cached like pages, per origin (their URLs are absolute).
 */
#include "core/arena.h"
#include "render/feed.h"
#include "core/page.h"
#include "render/view.h"
#include "site/site_int.h"
#include "store/store.h"

#include <string.h>

enum { FEED_ENTRIES = 20 };

static const struct {
    const char *suffix;
    enum feed_format fmt;
} formats[] = {
    {"/feed.atom", FEED_ATOM},
    {"/feed.rss", FEED_RSS},
    {"/feed.json", FEED_JSON},
};

static const struct {
    const char *prefix;
    enum list_kind kind;
    enum public_kind page;
} scopes[] = {
    {"/sections/", LIST_SECTION, PUBLIC_SECTION},
    {"/authors/", LIST_AUTHOR, PUBLIC_AUTHOR},
    {"/tags/", LIST_TAG, PUBLIC_TAG},
};

static bool ends_with(struct str s, const char *suffix)
{
    size_t n = strlen(suffix);
    return s.len >= n && memcmp(s.ptr + s.len - n, suffix, n) == 0;
}

static const char *setting(const struct setting *set, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i].key, key) == 0 && set[i].value && *set[i].value)
            return set[i].value;
    return NULL;
}

int site_feed(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    struct str path = req->path;
    size_t fi = 0, si;

    while (fi < sizeof(formats) / sizeof(formats[0]) &&
           !ends_with(path, formats[fi].suffix))
        fi++;
    if (fi == sizeof(formats) / sizeof(formats[0]))
        return 404; /* cannot happen: the routes end so */
    for (si = 0; si < sizeof(scopes) / sizeof(scopes[0]); si++)
        if (str_starts_with(path, str_from(scopes[si].prefix)))
            break;

    struct setting *set;
    size_t nset;
    if (store_settings_list(s->store, a, &set, &nset) != 0)
        return 500;
    const char *journal = setting(set, nset, "name");
    const char *content = setting(set, nset, "feed_content");
    struct feed f = {
        .origin = site_origin(s, req),
        .journal = journal ? journal : "Quire",
        .title = journal ? journal : "Quire",
        .subtitle = setting(set, nset, "tagline"),
        .home_path = "/",
        .full = !content || strcmp(content, "summary") != 0,
    };
    if (!f.origin)
        return 500;

    struct list_query q = {.kind = LIST_ALL, .limit = FEED_ENTRIES};
    const char *shows = "list"; /* the change-log name of what it lists */
    if (si < sizeof(scopes) / sizeof(scopes[0])) {
        struct list_scope sc;
        int rc = store_scope_by_slug(s->store, a, scopes[si].kind,
                                     req->params[0], &sc);
        if (rc == ERR_NOT_FOUND)
            return 404;
        if (rc != 0)
            return 500;
        q.kind = sc.kind;
        q.id = sc.id;
        shows = sc.kind == LIST_SECTION  ? "section"
                : sc.kind == LIST_AUTHOR ? "author"
                                         : "tag";
        f.title = arena_printf(a, "%s: %s", f.journal, sc.name);
        f.home_path = view_url(a, scopes[si].page, sc.slug);
    }
    f.self_path = arena_printf(a, "%s%s",
                               strcmp(f.home_path, "/") ? f.home_path : "",
                               formats[fi].suffix);

    struct article *arts;
    size_t n;
    if (store_articles_list(s->store, a, &q, &arts, &n, NULL) != 0 ||
        store_articles_fill(s->store, a, arts, n) != 0)
        return 500;
    f.entries = arts;
    f.n = n;

    char *bytes;
    size_t len;
    if (feed_render(a, &f, formats[fi].fmt, &bytes, &len) != 0)
        return 500;
    res->page = page_new(bytes, len, feed_content_type(formats[fi].fmt),
                         PAGE_NO_SPLICE);
    page_depend(res->page, shows, q.kind == LIST_ALL ? -1 : q.id);
    return 200;
}
