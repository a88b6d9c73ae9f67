/*
 * search.c - /search?q=...&section=<slug>&author=<slug>&year=<YYYY>&page=N
 *            &country=<iso2>
 *
 * Checks the input first (every input is hostile): a ?q= that cannot be
 * decoded (bad escape, %00) or is not UTF-8 is a 400, one longer than
 * limits.search_query_max a 400 that says the limit; both on the theme's
 * search page. No q: the search form. A q of nothing searchable (only
 * punctuation or FTS5 syntax): "no results" without touching the index.
 *
 * Caching: the route is not ROUTE_CACHED because site.c keys pages on the
 * path and page only; this handler keys them on the client's address, the
 * normalised FTS5 expression (content/query.c) and the filters, so
 * "oil  gas" and "oil gas" share one page for one reader, the box shows
 * the normalised text, and no reader sees (no X-Cache, no speed-up) what
 * another searched for. Uncached searches are limited per client and in
 * number at once (search_uncached). The
 * pages depend on "list" (any article change drops them) and count against
 * the cache's byte budget like every page, so odd queries cannot grow the
 * cache without bound; error pages are not cached.
 */
#include "content/query.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/utf8.h"
#include "render/cache.h"
#include "core/page.h"
#include "render/value.h"
#include "render/view.h"
#include "render/view_search.h"
#include "site/lists.h"
#include "site/site_int.h"
#include "content/places.h"
#include "store/store.h"

#include <string.h>
#include <time.h>

struct search_args {
    const char *q;       /* as typed, NULL if absent */
    const char *match;   /* FTS5 expression, "" if nothing searchable */
    const char *section; /* filters, NULL if absent */
    const char *author;
    const char *country; /* iso2, checked against the gazetteer */
    int year;            /* 0 if absent */
    int page;
};

/* has_arg: is name present in the raw query string (even undecodable)? */
static bool has_arg(struct str query, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i + n <= query.len;) {
        if ((i == 0 || query.ptr[i - 1] == '&') &&
            memcmp(query.ptr + i, name, n) == 0 &&
            (i + n == query.len || query.ptr[i + n] == '=' ||
             query.ptr[i + n] == '&'))
            return true;
        const char *amp = memchr(query.ptr + i, '&', query.len - i);
        if (!amp)
            break;
        i = (size_t)(amp - query.ptr) + 1;
    }
    return false;
}

/* text_arg reads a decoded, valid UTF-8 argument; -1 if malformed. */
static int text_arg(const struct request *req, const char *name,
                    const char **out)
{
    const char *v = request_query_arg(req, name);
    *out = NULL;
    if (!v)
        return has_arg(req->query, name) ? -1 : 0;
    if (!utf8_valid(v, strlen(v), NULL))
        return -1;
    *out = *v ? v : NULL;
    return 0;
}

/* page_ctx starts the search page: the site, the title, the box's text. */
static struct tval *page_ctx(struct site *s, struct arena *a, const char *q)
{
    struct tval *c = site_context(s, a);
    if (!c)
        return NULL;
    tv_set_str(a, c, "page_title",
               q && *q ? arena_printf(a, "Search: %s", q) : "Search");
    tv_set_str(a, c, "query", q ? q : "");
    return c;
}

/* refuse answers status with the search page saying why. */
static int refuse(struct site *s, struct request *req, struct response *res,
                  int status, const char *why)
{
    struct tval *c = page_ctx(s, req->arena, NULL);
    if (!c)
        return 500;
    tv_set_str(req->arena, c, "error", why);
    int rc = site_render(s, res, "search", c, NULL);
    if (rc != 200)
        return rc;
    res->content_type = res->page->content_type;
    res->cache_control = "no-cache";
    return status;
}

/* url builds /search?q=... with the filters, leaving out skip's. */
static const char *url(struct arena *a, const struct search_args *x,
                       const char *q, const char *skip)
{
    struct buf b;
    buf_init_arena(&b, a, BUF_MAX_DEFAULT);
    buf_append_cstr(&b, "/search?q=");
    view_url_encode(&b, q);
    if (x->section && strcmp(skip, "section") != 0) {
        buf_append_cstr(&b, "&section=");
        view_url_encode(&b, x->section);
    }
    if (x->author && strcmp(skip, "author") != 0) {
        buf_append_cstr(&b, "&author=");
        view_url_encode(&b, x->author);
    }
    if (x->year && strcmp(skip, "year") != 0)
        buf_printf(&b, "&year=%d", x->year);
    if (x->country && strcmp(skip, "country") != 0)
        buf_printf(&b, "&country=%s", x->country); /* [a-z]: no escaping */
    return b.ptr;
}

/* facets sets one facet list and its "all" link (filter removed). */
static void facets(struct arena *a, struct tval *c, const char *name,
                   const struct facet *f, size_t n, const struct search_args *x,
                   const char *q, const char *selected)
{
    struct tval *m = tv_map(a);
    tv_set(a, m, "items",
           view_facets(a, f, n, url(a, x, q, name), name, selected));
    tv_set_bool(a, m, "filtered", selected != NULL);
    tv_set_str(a, m, "all_url", url(a, x, q, name));
    tv_set_bool(a, m, "show", n > 0 || selected);
    /* "by_section": a bare "section" would shadow the hits' own. */
    tv_set(a, c, arena_printf(a, "by_%s", name), m);
}

/* count_text writes n with thousands separators ("12,166"), and a "+"
 * when it is a lower bound ("10,000+"). */
static const char *count_text(struct arena *a, int64_t n, bool more)
{
    char d[32];
    size_t k = sizeof(d);
    d[--k] = '\0';
    if (more)
        d[--k] = '+';
    uint64_t x = n < 0 ? 0 : (uint64_t)n;
    for (int i = 0;; i++) {
        if (i && i % 3 == 0)
            d[--k] = ',';
        d[--k] = (char)('0' + x % 10);
        x /= 10;
        if (!x)
            break;
    }
    return arena_strdup(a, d + k);
}

/* render_results renders the results page (the store is asked here). */
static int render_results(struct site *s, struct request *req,
                          struct response *res, const struct search_args *x)
{
    struct arena *a = req->arena;
    const char *q = query_display(a, x->match);
    struct search_result r = {0};
    if (*x->match) {
        struct search_query sq = {
            .match = x->match,
            .section = x->section,
            .author = x->author,
            .year = x->year,
            .country = x->country,
            .limit = SITE_PER_PAGE,
            .offset = list_offset(x->page, SITE_PER_PAGE),
        };
        if (store_search(s->store, a, &sq, &r) != 0)
            return 500;
        atomic_fetch_add(r.xapian ? &s->searches_xapian : &s->searches_fts5, 1);
    }
    if (r.n == 0 && x->page > 1)
        return 404;
    struct tval *c = page_ctx(s, a, *q ? q : x->q);
    if (!c)
        return 500;
    tv_set_bool(a, c, "searched", true);
    /* Past STORE_SEARCH_COUNT_MAX the count is a lower bound ("10,000+"),
     * the facets count the newest that many, and the pager stops there. */
    tv_set_str(a, c, "total", count_text(a, r.total, r.capped));
    tv_set_bool(a, c, "total_one", r.total == 1 && !r.capped);
    tv_set_bool(a, c, "capped", r.capped);
    tv_set_str(a, c, "capped_at", count_text(a, r.total, false));
    tv_set_bool(a, c, "by_date", r.by_date && r.n > 0);
    tv_set(a, c, "results", view_search_hits(a, r.hits, r.n));
    tv_set_bool(a, c, "has_results", r.n > 0);
    facets(a, c, "section", r.sections, r.n_sections, x, q, x->section);
    facets(a, c, "author", r.authors, r.n_authors, x, q, x->author);
    const char *year = x->year ? arena_printf(a, "%d", x->year) : NULL;
    facets(a, c, "year", r.years, r.n_years, x, q, year);
    for (size_t i = 0; i < r.n_countries; i++) {
        int k = places_find(false, r.countries[i].key);
        if (k >= 0)
            r.countries[i].name = places_entities[k].name;
    }
    facets(a, c, "country", r.countries, r.n_countries, x, q, x->country);
    struct tval *pager =
        view_pager(a, url(a, x, q, ""), x->page, r.total, SITE_PER_PAGE);
    if (pager)
        tv_set(a, c, "pager", pager);
    return site_render_showing(s, res, "search", c, "list", -1);
}

/*
 * refuse_busy answers a flood's 429 or 503 from the page cache: the page
 * says the same to everyone, so a flood costs a lookup per request, not
 * a render (the Retry-After header is the request's own).
 */
static int refuse_busy(struct site *s, struct request *req,
                       struct response *res, int status, const char *why)
{
    char key[16];
    int n = snprintf(key, sizeof(key), "!search%d", status);
    struct page *p = cache_get(s->cache, (struct str){key, (size_t)n});
    if (!p) {
        uint64_t gen = cache_generation(s->cache);
        int rc = refuse(s, req, res, status, why);
        if (rc == status && res->page) {
            page_depend(res->page, "site", -1);
            cache_put(s->cache, (struct str){key, (size_t)n}, res->page, gen);
        }
        return rc;
    }
    res->page = p;
    res->content_type = p->content_type;
    res->cache_control = "no-cache";
    return status;
}

/*
 * search_uncached runs a search the cache cannot answer, within the
 * limits: a client's allowance (429) and the searches running at once
 * (503), both with Retry-After, so a flood of cache-busting searches
 * costs the flooder, not the readers of cached pages.
 */
static int search_uncached(struct site *s, struct request *req,
                           struct response *res, const struct search_args *x,
                           struct str key)
{
    unsigned retry;
    if (!ratelimit_take(s->search_client, req->remote_addr, (double)time(NULL),
                        &retry)) {
        response_header(res, "Retry-After",
                        arena_printf(req->arena, "%u", retry));
        return refuse_busy(s, req, res, 429,
                           "Too many searches from here just now. Please "
                           "wait a minute and search again.");
    }
    if (atomic_fetch_add(&s->searching, 1) >= s->search_concurrent) {
        atomic_fetch_sub(&s->searching, 1);
        response_header(res, "Retry-After", "1");
        return refuse_busy(s, req, res, 503,
                           "The search is busy just now. Please search "
                           "again in a moment.");
    }
    uint64_t gen = cache_generation(s->cache);
    int status = render_results(s, req, res, x);
    atomic_fetch_sub(&s->searching, 1);
    if (status == 200)
        cache_put(s->cache, key, res->page, gen);
    return status;
}

int site_search(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    struct search_args x = {.page = site_page_arg(req)};
    const char *year;

    if (x.page == 0)
        return 404; /* as on every paged list */
    if (text_arg(req, "q", &x.q) != 0 ||
        text_arg(req, "section", &x.section) != 0 ||
        text_arg(req, "author", &x.author) != 0 ||
        text_arg(req, "year", &year) != 0 ||
        text_arg(req, "country", &x.country) != 0 ||
        (x.country && places_find(false, x.country) < 0))
        return refuse(s, req, res, 400,
                      "That search could not be read: it is not valid "
                      "text. Please type it again.");
    if (x.q && strlen(x.q) > s->search_query_max)
        return refuse(s, req, res, 400,
                      arena_printf(a,
                                   "That search is too long: a search "
                                   "may have up to %zu characters. Please "
                                   "shorten it.",
                                   s->search_query_max));
    if (year) {
        x.year = list_number(str_from(year), 4, 1000, 9999);
        if (x.year < 0)
            return refuse(s, req, res, 400,
                          "The year to search in must have four digits, "
                          "like 2004.");
    }
    if (!x.q || str_trim(str_from(x.q)).len == 0) {
        struct tval *c = page_ctx(s, a, NULL);
        if (!c)
            return 500;
        int rc = site_render_showing(s, res, "search", c, "site", -1);
        if (rc == 200)
            res->content_type = res->page->content_type;
        return rc;
    }
    x.match = query_to_fts(a, str_from(x.q));

    /* \x1f cannot be in a path, so keys cannot collide with site.c's.
     * The client's address is part of the key: a reader's searches are
     * cached for that reader only, so nobody can tell from an answer (or
     * its speed) what another reader searched for. */
    const char *client = req->remote_addr ? req->remote_addr : "";
    struct str key = str_from(arena_printf(
        a, "/search\x1f%s\x1f%s\x1f%s\x1f%s\x1f%d\x1f%d\x1f%s", client, x.match,
        x.section ? x.section : "", x.author ? x.author : "", x.year, x.page,
        x.country ? x.country : ""));
    res->page = cache_get(s->cache, key);
    if (!res->page) {
        int status = search_uncached(s, req, res, &x, key);
        if (status != 200)
            return status;
    }
    site_want_compressed(s, req, key, res->page);
    res->content_type = res->page->content_type;
    res->cache_control = "no-cache";
    res->etag = page_etag(res->page);
    return 200;
}
