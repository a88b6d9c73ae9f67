/*
 * places.c - the archive by country and organization: /countries (every
 * country with articles, grouped by region, with counts), /countries/<iso2>
 * (its articles newest first, a bar chart of articles per year drawn as
 * SVG on the server with a table and a sentence saying the same, the
 * authors who write most on it and the countries it is discussed with),
 * /organizations and /organizations/<slug> alike, and their feeds.
 *
 * The chart is plain SVG text with role="img", a <title> and a <desc>; the
 * table after it is the accessible alternative and what a reader without
 * SVG sees. Pages depend on "places" and "list" (the indexes),
 * "country:<code>" or
 * "org:<slug>" (the triggers of V_PLACES name them) and "list" (titles and
 * dates of the articles listed).
 */
#include "content/places.h"
#include "core/arena.h"
#include "core/buf.h"
#include "render/feed.h"
#include "core/page.h"
#include "render/value.h"
#include "render/view.h"
#include "site/lists.h"
#include "site/site_int.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

enum { FEED_ENTRIES = 20 };

static const char *base(bool is_org)
{
    return is_org ? "/organizations" : "/countries";
}

static struct tval *entity_map(struct arena *a, bool is_org, const char *code,
                               int64_t n)
{
    int k = places_find(is_org, code);
    struct tval *m = tv_map(a);
    tv_set_str(a, m, "code", code);
    tv_set_str(a, m, "name", k >= 0 ? places_entities[k].name : code);
    tv_set_str(a, m, "url", arena_printf(a, "%s/%s", base(is_org), code));
    tv_set_int(a, m, "articles", n);
    tv_set_bool(a, m, "articles_one", n == 1);
    return m;
}

static int index_page(struct request *req, struct response *res, struct site *s,
                      bool is_org)
{
    struct arena *a = req->arena;
    struct place_count *v;
    size_t n;
    if (store_places_index(s->store, a, is_org, &v, &n) != 0)
        return 500;
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    tv_set_str(a, c, "page_title", is_org ? "Organizations" : "Countries");
    /* Regions in a fixed order; countries by name within each. */
    static const char *const regions[] = {"Africa", "Americas", "Asia",
                                          "Europe", "Oceania",  ""};
    struct tval *groups = tv_list(a);
    size_t shown = 0;
    for (size_t r = 0; r < (is_org ? 1 : sizeof(regions) / sizeof(*regions));
         r++) {
        struct tval *items = tv_list(a);
        size_t in = 0;
        for (size_t i = 0; i < n; i++) {
            int k = places_find(is_org, v[i].key);
            const char *reg = k >= 0 ? places_entities[k].region : "";
            if (!is_org && strcmp(reg, regions[r]) != 0 &&
                !(r == sizeof(regions) / sizeof(*regions) - 1 &&
                  (k < 0 || !*reg)))
                continue;
            tv_push(a, items, entity_map(a, is_org, v[i].key, v[i].n));
            in++;
        }
        if (!in)
            continue;
        struct tval *g = tv_map(a);
        tv_set_str(a, g, "name",
                   is_org        ? "Organizations"
                   : *regions[r] ? regions[r]
                                 : "Elsewhere");
        tv_set(a, g, "items", items);
        tv_push(a, groups, g);
        shown += in;
    }
    tv_set(a, c, "groups", groups);
    tv_set_bool(a, c, "has_groups", shown > 0);
    tv_set_str(a, c, "kind", is_org ? "organizations" : "countries");
    /* "places": tags changed; "list": an article published or withdrawn */
    int rc = site_render_showing(s, res, "places", c, "places", -1);
    if (rc == 200)
        page_depend(res->page, "list", -1);
    return rc;
}

int site_countries(struct request *req, struct response *res, void *ctx)
{
    return index_page(req, res, ctx, false);
}

int site_organizations(struct request *req, struct response *res, void *ctx)
{
    return index_page(req, res, ctx, true);
}

/* code_of checks the URL's code: lower case, and in the gazetteer. */
static const char *code_of(struct arena *a, struct str p, bool is_org)
{
    if (p.len == 0 || p.len > 40)
        return NULL;
    for (size_t i = 0; i < p.len; i++) {
        char ch = p.ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-'))
            return NULL;
    }
    const char *code = arena_strndup(a, p.ptr, p.len);
    return places_find(is_org, code) >= 0 ? code : NULL;
}

/*
 * chart writes the articles-per-year bar chart: one bar per year from the
 * first to the last (years without articles get an empty slot, so gaps
 * show), labelled below, counts above.
 */
static const char *chart(struct arena *a, const char *name,
                         const struct place_count *y, size_t n)
{
    struct buf b;
    buf_init_arena(&b, a, 256 * 1024);
    int first = 0, last = 0;
    int64_t max = 1;
    for (size_t i = 0; i < n; i++) {
        int yr = 0;
        if (sscanf(y[i].key ? y[i].key : "", "%4d", &yr) != 1)
            continue;
        if (!first || yr < first)
            first = yr;
        if (yr > last)
            last = yr;
        if (y[i].n > max)
            max = y[i].n;
    }
    if (!first)
        return "";
    int years = last - first + 1;
    if (years > 200)
        years = 200;
    const int bw = 28, gap = 6, h = 120, top = 18, bottom = 22;
    int width = years * (bw + gap) + gap;
    buf_printf(&b,
               "<svg class=\"place-chart\" xmlns=\"http://www.w3.org/2000/svg\""
               " role=\"img\" aria-labelledby=\"chart-title chart-desc\""
               " viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">"
               "<title id=\"chart-title\">Articles per year on ",
               width, top + h + bottom, width, top + h + bottom);
    buf_append_html(&b, name, strlen(name));
    buf_printf(&b,
               "</title><desc id=\"chart-desc\">%d to %d; the table"
               " below gives the numbers.</desc>",
               first, first + years - 1);
    for (int i = 0; i < years; i++) {
        int64_t cnt = 0;
        for (size_t k = 0; k < n; k++) {
            int yr = 0;
            if (y[k].key && sscanf(y[k].key, "%4d", &yr) == 1 &&
                yr == first + i)
                cnt = y[k].n;
        }
        int bh = (int)(cnt * h / max);
        int x = gap + i * (bw + gap);
        buf_printf(&b,
                   "<g><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%lld</text>"
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>"
                   "</g>",
                   x, top + h - bh, bw, bh, x + bw / 2, top + h - bh - 4,
                   (long long)cnt, x + bw / 2, top + h + 16, first + i);
    }
    buf_append_cstr(&b, "</svg>");
    return buf_error(&b) ? "" : b.ptr;
}

static int place_page(struct request *req, struct response *res, struct site *s,
                      bool is_org)
{
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    const char *code = code_of(a, req->params[0], is_org);
    struct article *arts;
    size_t n;
    int64_t total;
    struct place_stats st;
    if (!code)
        return 404;
    if (store_place_articles(s->store, a, is_org, code, SITE_PER_PAGE,
                             list_offset(page, SITE_PER_PAGE), &arts, &n,
                             &total) != 0 ||
        store_place_stats(s->store, a, is_org, code, &st) != 0)
        return 500;
    if (n == 0)
        return 404;
    struct tval *pm = entity_map(a, is_org, code, total);
    const char *name = tv_get(pm, STR("name"))->u.s.ptr;
    const char *url = tv_get(pm, STR("url"))->u.s.ptr;
    struct tval *c = list_context(s, a, name, url, page, SITE_PER_PAGE, total);
    if (!c)
        return 500;
    tv_set_str(a, pm, "feed_url", arena_printf(a, "%s/feed.atom", url));
    tv_set_str(a, pm, "kind", is_org ? "Organization" : "Country");
    tv_set_str(a, pm, "index_url", base(is_org));
    tv_set_str(a, pm, "index_name", is_org ? "organizations" : "countries");
    tv_set(a, c, "place", pm);
    if (list_set_articles(s, a, c, arts, n) != 0)
        return 500;

    struct tval *years = tv_list(a);
    const struct place_count *most = NULL;
    for (size_t i = 0; i < st.n_years; i++) {
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "year", st.years[i].key);
        tv_set_int(a, m, "n", st.years[i].n);
        tv_push(a, years, m);
        if (!most || st.years[i].n > most->n)
            most = &st.years[i];
    }
    tv_set(a, c, "years", years);
    tv_set_bool(a, c, "has_years", st.n_years > 0);
    tv_set(a, c, "chart_svg", tv_html(a, chart(a, name, st.years, st.n_years)));
    if (most)
        tv_set_str(a, c, "chart_summary",
                   arena_printf(a,
                                "%lld article%s from %s to %s; the most,"
                                " %lld, in %s.",
                                (long long)total, total == 1 ? "" : "s",
                                st.years[0].key, st.years[st.n_years - 1].key,
                                (long long)most->n, most->key));
    struct tval *authors = tv_list(a);
    for (size_t i = 0; i < st.n_authors; i++) {
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "name", st.authors[i].name);
        tv_set_str(a, m, "url",
                   arena_printf(a, "/authors/%s", st.authors[i].key));
        tv_set_int(a, m, "articles", st.authors[i].n);
        tv_set_bool(a, m, "articles_one", st.authors[i].n == 1);
        tv_push(a, authors, m);
    }
    tv_set(a, c, "authors", authors);
    tv_set_bool(a, c, "has_authors", st.n_authors > 0);
    struct tval *with = tv_list(a);
    for (size_t i = 0; i < st.n_with; i++)
        tv_push(a, with, entity_map(a, false, st.with[i].key, st.with[i].n));
    tv_set(a, c, "with", with);
    tv_set_bool(a, c, "has_with", st.n_with > 0);
    int rc = site_render(s, res, "place", c, NULL);
    if (rc == 200) {
        page_depend(res->page,
                    arena_printf(a, "%s:%s", is_org ? "org" : "country", code),
                    -1);
        page_depend(res->page, "list", -1);
    }
    return rc;
}

int site_country(struct request *req, struct response *res, void *ctx)
{
    return place_page(req, res, ctx, false);
}

int site_organization(struct request *req, struct response *res, void *ctx)
{
    return place_page(req, res, ctx, true);
}

/* The feeds: the format from the path's end, the place from its start. */
int site_place_feed(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    struct str path = req->path;
    bool is_org = str_starts_with(path, STR("/organizations/"));
    const char *code = code_of(a, req->params[0], is_org);
    static const struct {
        const char *suffix;
        enum feed_format fmt;
    } formats[] = {
        {".atom", FEED_ATOM}, {".rss", FEED_RSS}, {".json", FEED_JSON}};
    size_t fi = 0;
    while (fi < 3 &&
           !(path.len > strlen(formats[fi].suffix) &&
             memcmp(path.ptr + path.len - strlen(formats[fi].suffix),
                    formats[fi].suffix, strlen(formats[fi].suffix)) == 0))
        fi++;
    if (!code || fi == 3)
        return 404;
    struct setting *set;
    size_t nset;
    if (store_settings_list(s->store, a, &set, &nset) != 0)
        return 500;
    const char *journal = NULL, *content = NULL;
    for (size_t i = 0; i < nset; i++) {
        if (strcmp(set[i].key, "name") == 0 && set[i].value && *set[i].value)
            journal = set[i].value;
        if (strcmp(set[i].key, "feed_content") == 0)
            content = set[i].value;
    }
    int k = places_find(is_org, code);
    const char *home = arena_printf(a, "%s/%s", base(is_org), code);
    struct feed f = {
        .origin = site_origin(s, req),
        .journal = journal ? journal : "Quire",
        .title = arena_printf(a, "%s: %s", journal ? journal : "Quire",
                              places_entities[k].name),
        .home_path = home,
        .self_path = arena_printf(a, "%s/feed%s", home, formats[fi].suffix),
        .full = !content || strcmp(content, "summary") != 0,
    };
    if (!f.origin)
        return 500;
    struct article *arts;
    size_t n;
    if (store_place_articles(s->store, a, is_org, code, FEED_ENTRIES, 0, &arts,
                             &n, NULL) != 0 ||
        store_articles_fill(s->store, a, arts, n) != 0)
        return 500;
    if (n == 0)
        return 404;
    f.entries = arts;
    f.n = n;
    char *bytes;
    size_t len;
    if (feed_render(a, &f, formats[fi].fmt, &bytes, &len) != 0)
        return 500;
    res->page = page_new(bytes, len, feed_content_type(formats[fi].fmt),
                         PAGE_NO_SPLICE);
    page_depend(res->page,
                arena_printf(a, "%s:%s", is_org ? "org" : "country", code), -1);
    page_depend(res->page, "list", -1);
    return 200;
}
