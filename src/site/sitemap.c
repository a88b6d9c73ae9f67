/*
 * sitemap.c - /sitemap.xml, /sitemap-<n>.xml and /robots.txt.
 *
 * The sitemap lists every public page with its lastmod, as absolute URLs
 * (sitemaps.org protocol 0.9). A file may hold at most 50,000 URLs, so the
 * store cuts the pages into parts of at most that many
 * (store_public_parts: by windows of ids, so the index costs a seek per
 * part and a part only its own rows). A journal that fits in one part gets
 * it at /sitemap.xml; a larger one gets a sitemap index there naming
 * /sitemap-1.xml, /sitemap-2.xml..., each with its newest lastmod where the
 * store knows it without a scan (the protocol makes it optional).
 * /sitemap-1.xml is the one part of a small journal too.
 * QUIRE_SITEMAP_MAX (read once, 1 to 50,000) lowers the limit so tests can
 * reach the index without 50,000 articles. All three are cached pages, per
 * origin.
 */
#include "content/date.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/page.h"
#include "render/view.h"
#include "render/xml.h"
#include "site/site_int.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { SITEMAP_MAX = 50000, SITEMAP_PARTS_MAX = 1000000 };

static const char NS_SITEMAP[] = "http://www.sitemaps.org/schemas/sitemap/0.9";
static const char xml_type[] = "application/xml; charset=utf-8";
static const char text_type[] = "text/plain; charset=utf-8";

static pthread_once_t limit_once = PTHREAD_ONCE_INIT;
static long long per_file = SITEMAP_MAX;

static void read_limit(void)
{
    const char *v = getenv("QUIRE_SITEMAP_MAX");
    long long n;
    if (v && str_to_i64(str_from(v), 1, SITEMAP_MAX, &n) == 0)
        per_file = n;
}

static long long limit(void)
{
    pthread_once(&limit_once, read_limit);
    return per_file;
}

static int send_xml(struct response *res, struct xml *x)
{
    char *bytes;
    size_t len;
    if (xml_finish(x, &bytes, &len) != 0)
        return 500;
    res->page = page_new(bytes, len, xml_type, PAGE_NO_SPLICE);
    page_depend(res->page, "list", -1);
    return 200;
}

static void lastmod(struct arena *a, struct xml *x, int64_t t)
{
    if (t > 0)
        xml_elem(x, "lastmod", date_rfc3339(a, t));
}

/* urlset answers with one sitemap file of the n pages p. */
static int urlset(struct site *s, struct request *req, struct response *res,
                  const struct public_page *p, size_t n)
{
    struct arena *a = req->arena;
    const char *origin = site_origin(s, req);
    if (!origin)
        return 500;
    struct xml *x = xml_new(a);
    xml_start(x, "urlset");
    xml_attr(x, "xmlns", NS_SITEMAP);
    for (size_t i = 0; i < n; i++) {
        xml_start(x, "url");
        xml_elem(
            x, "loc",
            arena_printf(a, "%s%s", origin, view_url(a, p[i].kind, p[i].key)));
        lastmod(a, x, p[i].lastmod);
        xml_end(x);
    }
    return send_xml(res, x);
}

/* sitemap_index names the n parts c, one file each. */
static int sitemap_index(struct site *s, struct request *req,
                         struct response *res, const struct public_part *c,
                         size_t n)
{
    struct arena *a = req->arena;
    const char *origin = site_origin(s, req);
    if (!origin)
        return 500;
    struct xml *x = xml_new(a);
    xml_start(x, "sitemapindex");
    xml_attr(x, "xmlns", NS_SITEMAP);
    for (size_t i = 0; i < n; i++) {
        xml_start(x, "sitemap");
        xml_elem(x, "loc",
                 arena_printf(a, "%s/sitemap-%zu.xml", origin, i + 1));
        lastmod(a, x, c[i].lastmod);
        xml_end(x);
    }
    return send_xml(res, x);
}

/* part answers with part number part, 404 past the last. */
static int part(struct site *s, struct request *req, struct response *res,
                long long number)
{
    struct public_page *p;
    size_t n;
    if (store_public_part(s->store, req->arena, limit(), number, &p, &n) != 0)
        return 500;
    if (n == 0)
        return 404;
    return urlset(s, req, res, p, n);
}

int site_sitemap(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct public_part *c;
    size_t n;
    if (store_public_parts(s->store, req->arena, limit(), &c, &n) != 0)
        return 500;
    if (n > 1)
        return sitemap_index(s, req, res, c, n);
    return part(s, req, res, 1);
}

int site_sitemap_part(struct request *req, struct response *res, void *ctx)
{
    struct str p = req->params[0]; /* "<n>.xml" */
    long long number;
    if (p.len < 5 || memcmp(p.ptr + p.len - 4, ".xml", 4) != 0 ||
        p.ptr[0] == '0' || p.ptr[0] == '+' || p.ptr[0] == '-' ||
        str_to_i64((struct str){p.ptr, p.len - 4}, 1, SITEMAP_PARTS_MAX,
                   &number) != 0)
        return 404;
    return part(ctx, req, res, number);
}

int site_robots(struct request *req, struct response *res, void *ctx)
{
    const char *origin = site_origin(ctx, req);
    if (!origin)
        return 500;
    struct buf b;
    buf_init(&b, 4096);
    buf_printf(&b, "User-agent: *\nAllow: /\n\nSitemap: %s/sitemap.xml\n",
               origin);
    if (buf_error(&b)) {
        buf_release(&b);
        return 500;
    }
    size_t len;
    char *bytes = buf_take(&b, &len);
    res->page = page_new(bytes, len, text_type, PAGE_NO_SPLICE);
    page_depend(res->page, "site", -1);
    return 200;
}
