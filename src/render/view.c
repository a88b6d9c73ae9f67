/*
 * view.c - build template contexts from store structs.
 *
 * URLs are built here and only here, so the URL scheme (/articles/<slug>,
 * /sections/<slug>, /issues/<date>, /authors/<slug>, /tags/<slug>) has one
 * home. Slugs are [a-z0-9-] by construction and need no escaping in paths.
 */
#include "render/view.h"

#include "content/date.h"
#include "core/arena.h"
#include "core/buf.h"
#include "render/format.h"
#include "render/value.h"

#include <string.h>

/* date_as writes t as the theme says (theme.ini, render/format.h). */
static const char *date_as(struct arena *a, enum fmt_date which, int64_t t)
{
    return format_date(a, format_current(), which, t);
}

struct tval *view_journal(struct arena *a, const struct setting *s, size_t n)
{
    struct tval *m = tv_map(a);
    for (size_t i = 0; i < n; i++)
        if (s[i].value && s[i].value[0])
            tv_set_str(a, m, s[i].key, s[i].value);
    return m;
}

struct tval *view_section(struct arena *a, const struct section *s)
{
    struct tval *m = tv_map(a);
    tv_set_str(a, m, "name", s->name);
    tv_set_str(a, m, "slug", s->slug);
    tv_set_str(a, m, "url", arena_cat(a, "/sections/", s->slug));
    return m;
}

struct tval *view_sections(struct arena *a, const struct section *s, size_t n)
{
    struct tval *l = tv_list(a);
    for (size_t i = 0; i < n; i++)
        tv_push(a, l, view_section(a, &s[i]));
    return l;
}

struct tval *view_links(struct arena *a, const struct link *l, size_t n)
{
    struct tval *list = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "title", l[i].title);
        tv_set_str(a, m, "url", l[i].url);
        tv_push(a, list, m);
    }
    return list;
}

struct tval *view_publications(struct arena *a, const struct publication *p,
                               size_t n)
{
    struct tval *list = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "kind", p[i].kind);
        tv_set_str(a, m, "title", p[i].title);
        tv_set_str(a, m, "url", p[i].url);
        tv_set_str(a, m, "date", p[i].date);
        int64_t t;
        if (p[i].date && date_parse_ymd(p[i].date, strlen(p[i].date), &t) == 0)
            tv_set_str(a, m, "date_text", date_as(a, FMT_MONTH_YEAR, t));
        tv_push(a, list, m);
    }
    return list;
}

/* authors joins names naturally: "A", "A and B", "A, B and C". */
static struct tval *authors(struct arena *a, const struct author *au, size_t n)
{
    struct tval *l = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "name", au[i].name);
        tv_set_str(a, m, "url", arena_cat(a, "/authors/", au[i].slug));
        tv_set_str(a, m, "sep", i + 2 == n ? " and " : i + 1 < n ? ", " : "");
        tv_push(a, l, m);
    }
    return l;
}

static struct tval *article(struct arena *a, const struct article *art,
                            bool full)
{
    struct tval *m = tv_map(a);
    tv_set_str(a, m, "title", art->title);
    tv_set_str(a, m, "slug", art->slug);
    tv_set_str(a, m, "url", arena_cat(a, "/articles/", art->slug));
    tv_set_str(a, m, "date_long", date_as(a, FMT_DATE_LONG, art->published_at));
    tv_set_str(a, m, "date_iso", date_rfc3339(a, art->published_at));
    tv_set_str(a, m, "summary", art->summary);
    if (full)
        tv_set_str(a, m, "body_html", art->body_html);
    if (art->section.id)
        tv_set(a, m, "section", view_section(a, &art->section));
    if (art->issue.id) {
        struct tval *is = tv_map(a);
        tv_set_str(a, is, "date", art->issue.date);
        int64_t t;
        if (date_parse_ymd(art->issue.date, strlen(art->issue.date), &t) == 0) {
            const char *d = date_as(a, FMT_DATE_SHORT, t);
            tv_set_str(a, is, "date_short", d);
            tv_set_str(a, is, "date_us", d); /* its older name */
        }
        tv_set_str(a, is, "url", arena_cat(a, "/issues/", art->issue.date));
        tv_set(a, m, "issue", is);
    }
    tv_set(a, m, "authors", authors(a, art->authors, art->n_authors));
    tv_set_bool(a, m, "has_authors", art->n_authors > 0);
    struct tval *tags = tv_list(a);
    for (size_t i = 0; i < art->n_tags; i++) {
        struct tval *t = tv_map(a);
        tv_set_str(a, t, "name", art->tags[i].name);
        tv_set_str(a, t, "url", arena_cat(a, "/tags/", art->tags[i].slug));
        tv_push(a, tags, t);
    }
    tv_set(a, m, "tags", tags);
    tv_set_bool(a, m, "has_tags", art->n_tags > 0);
    tv_set(a, m, "hits", tv_html(a, VIEW_HITS_MARK));
    return m;
}

struct tval *view_article(struct arena *a, const struct article *art)
{
    return article(a, art, true);
}

struct tval *view_article_list(struct arena *a, const struct article *arts,
                               size_t n)
{
    struct tval *l = tv_list(a);
    for (size_t i = 0; i < n; i++)
        tv_push(a, l, article(a, &arts[i], false));
    return l;
}

static const char *page_url(struct arena *a, const char *base, int page)
{
    /* A base with a query string (search) takes &page=. */
    return page == 1 ? base
                     : arena_printf(a, "%s%cpage=%d", base,
                                    strchr(base, '?') ? '&' : '?', page);
}

struct tval *view_pager(struct arena *a, const char *base_path, int page,
                        int64_t total, int per_page)
{
    int pages = (int)((total + per_page - 1) / per_page);
    if (pages <= 1)
        return NULL;
    struct tval *m = tv_map(a);
    tv_set_int(a, m, "page", page);
    tv_set_int(a, m, "pages", pages);
    if (page > 1)
        tv_set_str(a, m, "prev_url", page_url(a, base_path, page - 1));
    if (page < pages)
        tv_set_str(a, m, "next_url", page_url(a, base_path, page + 1));
    /* Numbers around the current page, plus first and last. */
    struct tval *nums = tv_list(a);
    for (int i = 1; i <= pages; i++) {
        if (i != 1 && i != pages && (i < page - 3 || i > page + 3))
            continue;
        struct tval *n = tv_map(a);
        tv_set_int(a, n, "n", i);
        tv_set_str(a, n, "url", page_url(a, base_path, i));
        tv_set_bool(a, n, "current", i == page);
        tv_push(a, nums, n);
    }
    tv_set(a, m, "numbers", nums);
    return m;
}

const char *view_url(struct arena *a, enum public_kind kind, const char *key)
{
    static const char *const prefix[] = {
        [PUBLIC_HOME] = "/",
        [PUBLIC_ISSUES] = "/issues",
        [PUBLIC_AUTHORS] = "/authors",
        [PUBLIC_TAGS] = "/tags",
        [PUBLIC_ARCHIVE] = "/archive",
        [PUBLIC_SECTION] = "/sections/",
        [PUBLIC_ISSUE] = "/issues/",
        [PUBLIC_AUTHOR] = "/authors/",
        [PUBLIC_TAG] = "/tags/",
        [PUBLIC_YEAR] = "/archive/",
        [PUBLIC_ARTICLE] = "/articles/",
    };
    if ((unsigned)kind >= sizeof(prefix) / sizeof(prefix[0]))
        return "/";
    if (kind < PUBLIC_SECTION || !key)
        return prefix[kind];
    return arena_cat(a, prefix[kind], key);
}
