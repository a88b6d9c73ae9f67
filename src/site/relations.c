/*
 * relations.c - the archive as a map of relations: /relations draws the
 * countries most written about as nodes (area by articles) on a circle,
 * joined by lines weighted by how many articles are about both, and lists
 * the strongest pairs in a table (the accessible alternative, and what a
 * reader without SVG reads). ?from=YYYY&to=YYYY&section=<slug> narrow it.
 * /relations/<a>-<b> lists the articles behind one line.
 *
 * Layout: a circle, nodes ordered by region then code, so the same
 * countries always sit in the same places whatever the counts (stable
 * across renders, comparable between filters), computed here in C; no
 * script. Hand-written: no Debian library lays out a small graph as SVG
 * text without pulling in Graphviz.
 */
#include "content/date.h"
#include "content/places.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "core/page.h"
#include "render/cache.h"
#include "render/value.h"
#include "render/view.h"
#include "site/lists.h"
#include "site/site_int.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REL_NODES = 40, REL_PAIRS = 400, REL_TABLE = 30 };

static const char *name_of(const char *code)
{
    int k = places_find(false, code);
    return k >= 0 ? places_entities[k].name : code;
}

static int by_region(const void *x, const void *y)
{
    const struct place_count *a = x, *b = y;
    int i = places_find(false, a->key), j = places_find(false, b->key);
    const char *ra = i >= 0 ? places_entities[i].region : "";
    const char *rb = j >= 0 ? places_entities[j].region : "";
    int c = strcmp(ra, rb);
    return c ? c : strcmp(a->key, b->key);
}

/* year_arg reads ?name=YYYY (1000..9999); def when absent, -1 if bad. */
static int year_arg(const struct request *req, const char *name, int def)
{
    const char *v = request_query_arg(req, name);
    long long y;
    if (!v || !*v)
        return def;
    if (str_to_i64(str_from(v), 1000, 9999, &y) != 0)
        return -1;
    return (int)y;
}

static int64_t year_start(int y)
{
    char d[32];
    int64_t t = 0;
    snprintf(d, sizeof(d), "%04d-01-01", y % 10000);
    return date_parse_ymd(d, 10, &t) == 0 ? t : 0;
}

static const char *svg(struct arena *a, const struct relations *r)
{
    struct buf b;
    buf_init_arena(&b, a, 512 * 1024);
    const double W = 720, C = W / 2, R = W / 2 - 110;
    int64_t maxn = 1, maxw = 1;
    for (size_t i = 0; i < r->n_nodes; i++)
        if (r->nodes[i].n > maxn)
            maxn = r->nodes[i].n;
    for (size_t i = 0; i < r->n_pairs; i++)
        if (r->pairs[i].n > maxw)
            maxw = r->pairs[i].n;
    double *x = arena_alloc(a, (r->n_nodes + 1) * sizeof(double));
    double *y = arena_alloc(a, (r->n_nodes + 1) * sizeof(double));
    for (size_t i = 0; i < r->n_nodes; i++) {
        double t = 2 * M_PI * (double)i / (double)r->n_nodes - M_PI / 2;
        x[i] = C + R * cos(t);
        y[i] = C + R * sin(t);
    }
    buf_printf(
        &b,
        "<svg class=\"relations-map\" xmlns=\"http://www.w3.org/2000/svg\""
        " role=\"img\" aria-labelledby=\"rel-title rel-desc\""
        " viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\">"
        "<title id=\"rel-title\">Countries written about together"
        "</title><desc id=\"rel-desc\">%zu countries on a circle; a"
        " line joins two countries that articles are about together,"
        " thicker for more articles. The table below lists the"
        " strongest pairs.</desc><g class=\"links\">",
        W, W, W, W, r->n_nodes);
    for (size_t i = 0; i < r->n_pairs; i++) {
        const struct place_count *p = &r->pairs[i];
        size_t u = r->n_nodes, v = r->n_nodes;
        for (size_t k = 0; k < r->n_nodes; k++) {
            if (strcmp(r->nodes[k].key, p->key) == 0)
                u = k;
            if (strcmp(r->nodes[k].key, p->name) == 0)
                v = k;
        }
        if (u == r->n_nodes || v == r->n_nodes)
            continue;
        buf_printf(&b,
                   "<a href=\"/relations/%s-%s\"><line x1=\"%.1f\""
                   " y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke-width=\"%.1f\">"
                   "<title>",
                   p->key, p->name, x[u], y[u], x[v], y[v],
                   1.0 + 7.0 * (double)p->n / (double)maxw);
        buf_append_html(&b, name_of(p->key), strlen(name_of(p->key)));
        buf_append_cstr(&b, " and ");
        buf_append_html(&b, name_of(p->name), strlen(name_of(p->name)));
        buf_printf(&b, ": %lld article%s</title></line></a>", (long long)p->n,
                   p->n == 1 ? "" : "s");
    }
    buf_append_cstr(&b, "</g><g class=\"nodes\">");
    for (size_t i = 0; i < r->n_nodes; i++) {
        const struct place_count *nd = &r->nodes[i];
        double rad = 4 + 14 * sqrt((double)nd->n / (double)maxn);
        double lx = C + (R + rad + 8) * (x[i] - C) / R;
        double ly = C + (R + rad + 8) * (y[i] - C) / R;
        const char *nm = name_of(nd->key);
        buf_printf(&b,
                   "<a href=\"/countries/%s\"><circle cx=\"%.1f\""
                   " cy=\"%.1f\" r=\"%.1f\"><title>",
                   nd->key, x[i], y[i], rad);
        buf_append_html(&b, nm, strlen(nm));
        buf_printf(
            &b,
            ": %lld article%s</title></circle><text x=\"%.1f\""
            " y=\"%.1f\" text-anchor=\"%s\" dominant-baseline=\"middle\">",
            (long long)nd->n, nd->n == 1 ? "" : "s", lx, ly,
            lx < C - 1   ? "end"
            : lx > C + 1 ? "start"
                         : "middle");
        buf_append_html(&b, nm, strlen(nm));
        buf_append_cstr(&b, "</text></a>");
    }
    buf_append_cstr(&b, "</g></svg>");
    return buf_error(&b) ? "" : b.ptr;
}

/* render_relations renders the map for years from..to and a section. */
static int render_relations(struct site *s, struct request *req,
                            struct response *res, int from, int to,
                            const char *section)
{
    struct arena *a = req->arena;
    struct relations_query rq = {year_start(from), year_start(to + 1), section,
                                 REL_NODES, REL_PAIRS};
    if (to == 9999)
        rq.until = INT64_MAX;
    struct relations r;
    struct section *secs;
    size_t nsec;
    if (store_relations(s->store, a, &rq, &r) != 0 ||
        store_sections_list(s->store, a, &secs, &nsec) != 0)
        return 500;
    if (r.n_nodes > 0) /* qsort wants a non-NULL base even for none */
        qsort(r.nodes, r.n_nodes, sizeof(*r.nodes), by_region);
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    tv_set_str(a, c, "page_title", "Relations");
    tv_set(a, c, "map_svg", tv_html(a, svg(a, &r)));
    tv_set_bool(a, c, "has_map", r.n_nodes > 0);
    struct tval *pairs = tv_list(a);
    for (size_t i = 0; i < r.n_pairs && i < REL_TABLE; i++) {
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "a_name", name_of(r.pairs[i].key));
        tv_set_str(a, m, "a_url",
                   arena_printf(a, "/countries/%s", r.pairs[i].key));
        tv_set_str(a, m, "b_name", name_of(r.pairs[i].name));
        tv_set_str(a, m, "b_url",
                   arena_printf(a, "/countries/%s", r.pairs[i].name));
        tv_set_str(a, m, "url",
                   arena_printf(a, "/relations/%s-%s", r.pairs[i].key,
                                r.pairs[i].name));
        tv_set_int(a, m, "n", r.pairs[i].n);
        tv_push(a, pairs, m);
    }
    tv_set(a, c, "pairs", pairs);
    tv_set_bool(a, c, "has_pairs", r.n_pairs > 0);
    if (from > 1000)
        tv_set_int(a, c, "from", from);
    if (to < 9999)
        tv_set_int(a, c, "to", to);
    struct tval *sl = tv_list(a);
    for (size_t i = 0; i < nsec; i++) {
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "slug", secs[i].slug);
        tv_set_str(a, m, "name", secs[i].name);
        tv_set_bool(a, m, "selected",
                    section && strcmp(section, secs[i].slug) == 0);
        tv_push(a, sl, m);
    }
    tv_set(a, c, "sections", sl);
    /* "places": an article's countries changed; "list": an article
     * published or withdrawn; "site": a section renamed. */
    int rc = site_render_showing(s, res, "relations", c, "places", -1);
    if (rc == 200) {
        page_depend(res->page, "list", -1);
        page_depend(res->page, "site", -1);
    }
    return rc;
}

/*
 * site_relations serves /relations from the page cache, keyed on the
 * filters as read (the route is not ROUTE_CACHED: site.c keys on the path
 * and page only), so "?from=2015" and "?from=2015&to=" share one page.
 * Odd filters cost a render once, then count against the cache's budget.
 */
int site_relations(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    int from = year_arg(req, "from", 1000), to = year_arg(req, "to", 9999);
    const char *section = request_query_arg(req, "section");
    if (from < 0 || to < 0 || from > to)
        return 400;
    if (section && !*section)
        section = NULL;
    /* \x1f cannot be in a path, so keys cannot collide with site.c's. */
    struct str key =
        str_from(arena_printf(req->arena, "/relations\x1f%d\x1f%d\x1f%s", from,
                              to, section ? section : ""));
    res->page = cache_get(s->cache, key);
    response_header(res, "X-Cache", res->page ? "hit" : "miss");
    if (!res->page) {
        uint64_t gen = cache_generation(s->cache);
        int rc = render_relations(s, req, res, from, to, section);
        if (rc != 200)
            return rc;
        cache_put(s->cache, key, res->page, gen);
    }
    site_want_compressed(s, req, key, res->page);
    res->content_type = res->page->content_type;
    res->cache_control = "no-cache";
    res->etag = page_etag(res->page);
    return 200;
}

int site_relation(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct str p = req->params[0];
    const char *dash = memchr(p.ptr, '-', p.len);
    if (!dash || p.len > 16)
        return 404;
    char *x = arena_strndup(a, p.ptr, (size_t)(dash - p.ptr));
    char *y = arena_strndup(a, dash + 1, p.len - (size_t)(dash - p.ptr) - 1);
    if (places_find(false, x) < 0 || places_find(false, y) < 0 ||
        strcmp(x, y) >= 0)
        return 404; /* one URL per pair: the codes in order */
    struct article *arts;
    size_t n;
    int64_t total;
    if (store_pair_articles(s->store, a, x, y, SITE_PER_PAGE,
                            list_offset(page, SITE_PER_PAGE), &arts, &n,
                            &total) != 0)
        return 500;
    if (n == 0)
        return 404;
    const char *title = arena_printf(a, "%s and %s", name_of(x), name_of(y));
    struct tval *c = list_context(s, a, title,
                                  arena_printf(a, "/relations/%s-%s", x, y),
                                  page, SITE_PER_PAGE, total);
    if (!c)
        return 500;
    struct tval *m = tv_map(a);
    tv_set_str(a, m, "name", title);
    tv_set_str(a, m, "a_name", name_of(x));
    tv_set_str(a, m, "a_url", arena_printf(a, "/countries/%s", x));
    tv_set_str(a, m, "b_name", name_of(y));
    tv_set_str(a, m, "b_url", arena_printf(a, "/countries/%s", y));
    tv_set_int(a, m, "articles", total);
    tv_set_bool(a, m, "articles_one", total == 1);
    tv_set(a, c, "pair", m);
    if (list_set_articles(s, a, c, arts, n) != 0)
        return 500;
    int rc = site_render(s, res, "relation", c, NULL);
    if (rc == 200) {
        page_depend(res->page, arena_printf(a, "country:%s", x), -1);
        page_depend(res->page, arena_printf(a, "country:%s", y), -1);
        page_depend(res->page, "list", -1);
    }
    return rc;
}
