/*
 * api.c - the public, read-only content API under /api/content/ (after
 * Ghost's Content API; docs/content-api.md, docs/content-api.openapi.json).
 *
 * Published articles only: drafts and scheduled articles (published_at in
 * the future) never appear. Documents are cached in the page cache under
 * their origin, path and query, with the change-log names they show
 * ("list" for lists, "article:ID" for one article), so they go when the
 * pages showing the same data go; read counts make them expire after a
 * minute like the most-read pages. Strong ETags and 304s come from the
 * cached bytes; CORS is open (public data, no credentials).
 */
#define LOG_MODULE "site"
#include "site/site_int.h"

#include "content/date.h"
#include "core/arena.h"
#include "core/log.h"
#include "render/api_json.h"
#include "render/cache.h"
#include "core/page.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { API_LIMIT_DEFAULT = 15, API_LIMIT_MAX = 100, API_EXPIRES_S = 60 };

/* What a builder writes: the document, or an error status and message. */
struct api_doc {
    struct buf b;
    const char *error; /* message when the status is not 200 */
    const char *dep_kind;
    int64_t dep_id;
};

typedef int (*api_build_fn)(struct site *s, struct request *req,
                            const char *origin, struct api_doc *d);

static int fail(struct api_doc *d, int status, const char *msg)
{
    d->error = msg;
    return status;
}

/* page_args reads ?page= and ?limit=; 0, or 400 with a message. */
static int page_args(struct request *req, struct api_doc *d, int *page,
                     int *limit)
{
    long long v;
    const char *p = request_query_arg(req, "page");
    const char *l = request_query_arg(req, "limit");
    *page = 1;
    *limit = API_LIMIT_DEFAULT;
    if (p) {
        if (str_to_i64(str_from(p), 1, SITE_MAX_PAGE, &v) != 0)
            return fail(d, 400, "page must be a number from 1");
        *page = (int)v;
    }
    if (l) {
        if (str_to_i64(str_from(l), 1, API_LIMIT_MAX, &v) != 0)
            return fail(d, 400, "limit must be a number from 1 to 100");
        *limit = (int)v;
    }
    return 0;
}

static int build_articles(struct site *s, struct request *req,
                          const char *origin, struct api_doc *d)
{
    struct arena *a = req->arena;
    struct api_filter f = {.now = (int64_t)time(NULL)};
    int page, limit;
    int rc = page_args(req, d, &page, &limit);
    if (rc)
        return rc;
    bool none = false; /* a filter names nothing: the list is empty */
    const char *v;
    if ((v = request_query_arg(req, "section"))) {
        struct section sec;
        rc = store_section_by_slug(s->store, a, str_from(v), &sec);
        none |= rc == ERR_NOT_FOUND;
        if (rc == 0)
            f.section_id = sec.id;
        else if (rc != ERR_NOT_FOUND)
            return 500;
    }
    if ((v = request_query_arg(req, "tag"))) {
        struct tag t;
        rc = store_tag_by_slug(s->store, a, str_from(v), &t);
        none |= rc == ERR_NOT_FOUND;
        if (rc == 0)
            f.tag_id = t.id;
        else if (rc != ERR_NOT_FOUND)
            return 500;
    }
    if ((v = request_query_arg(req, "author"))) {
        struct author au;
        rc = store_author_by_slug(s->store, a, str_from(v), &au);
        none |= rc == ERR_NOT_FOUND;
        if (rc == 0)
            f.author_id = au.id;
        else if (rc != ERR_NOT_FOUND)
            return 500;
    }
    if ((v = request_query_arg(req, "issue"))) {
        struct issue is;
        if (!date_valid_ymd(v))
            return fail(d, 400, "issue must be a date YYYY-MM-DD");
        rc = store_issue_by_date(s->store, a, str_from(v), &is);
        none |= rc == ERR_NOT_FOUND;
        if (rc == 0)
            f.issue_id = is.id;
        else if (rc != ERR_NOT_FOUND)
            return 500;
    }
    if ((v = request_query_arg(req, "since")) &&
        date_parse(v, strlen(v), &f.since) != 0)
        return fail(d, 400,
                    "since must be a date YYYY-MM-DD or an RFC 3339 "
                    "date-time");
    struct article *arts = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (!none && store_api_articles(s->store, a, &f, limit, (page - 1) * limit,
                                    &arts, &n, &total) != 0)
        return 500;
    d->dep_kind = "list";
    struct api_page pg = {page, limit, total};
    return api_json_articles(&d->b, a, origin, arts, n, &pg) ? 500 : 200;
}

static int build_article(struct site *s, struct request *req,
                         const char *origin, struct api_doc *d)
{
    struct article art;
    int rc = store_article_by_slug(s->store, req->arena, req->params[0], false,
                                   &art);
    if (rc == ERR_NOT_FOUND || (rc == 0 && art.published_at > time(NULL)))
        return fail(d, 404, "no such article");
    if (rc != 0)
        return 500;
    int64_t hits;
    if (store_article_hits(s->store, art.id, &hits) == 0 && hits > art.hits)
        art.hits = hits;
    d->dep_kind = "article";
    d->dep_id = art.id;
    return api_json_article(&d->b, req->arena, origin, &art) ? 500 : 200;
}

static int build_sections(struct site *s, struct request *req,
                          const char *origin, struct api_doc *d)
{
    (void)origin;
    struct section *secs;
    size_t n;
    if (store_sections_list(s->store, req->arena, &secs, &n) != 0)
        return 500;
    d->dep_kind = "list";
    return api_json_sections(&d->b, secs, n) ? 500 : 200;
}

static int build_issues(struct site *s, struct request *req, const char *origin,
                        struct api_doc *d)
{
    (void)origin;
    struct issue_entry *is;
    size_t n;
    if (store_issues_list(s->store, req->arena, &is, &n) != 0)
        return 500;
    d->dep_kind = "list";
    return api_json_issues(&d->b, is, n) ? 500 : 200;
}

static int build_issue(struct site *s, struct request *req, const char *origin,
                       struct api_doc *d)
{
    struct arena *a = req->arena;
    struct issue is;
    char date[16];
    struct str p = req->params[0];
    if (p.len >= sizeof(date))
        return fail(d, 404, "no such issue");
    memcpy(date, p.ptr, p.len);
    date[p.len] = '\0';
    if (!date_valid_ymd(date))
        return fail(d, 404, "no such issue");
    int rc = store_issue_by_date(s->store, a, p, &is);
    if (rc == ERR_NOT_FOUND)
        return fail(d, 404, "no such issue");
    if (rc != 0)
        return 500;
    struct api_filter f = {.issue_id = is.id, .now = (int64_t)time(NULL)};
    struct article *arts;
    size_t n;
    int64_t total;
    /* The table of contents: every published article of the issue. */
    if (store_api_articles(s->store, a, &f, 1000, 0, &arts, &n, &total) != 0)
        return 500;
    if (total == 0)
        return fail(d, 404, "no such issue");
    d->dep_kind = "list";
    return api_json_issue(&d->b, a, origin, &is, arts, n) ? 500 : 200;
}

static int build_authors(struct site *s, struct request *req,
                         const char *origin, struct api_doc *d)
{
    (void)origin;
    int page, limit;
    int rc = page_args(req, d, &page, &limit);
    if (rc)
        return rc;
    struct author_entry *as;
    size_t n;
    int64_t total;
    if (store_authors_list(s->store, req->arena, limit, (page - 1) * limit, &as,
                           &n, &total) != 0)
        return 500;
    d->dep_kind = "list";
    struct api_page pg = {page, limit, total};
    return api_json_authors(&d->b, as, n, &pg) ? 500 : 200;
}

static int build_tags(struct site *s, struct request *req, const char *origin,
                      struct api_doc *d)
{
    (void)origin;
    int page, limit;
    int rc = page_args(req, d, &page, &limit);
    if (rc)
        return rc;
    struct tag_entry *ts;
    size_t n;
    int64_t total;
    if (store_tags_list(s->store, req->arena, limit, (page - 1) * limit, &ts,
                        &n, &total) != 0)
        return 500;
    d->dep_kind = "list";
    struct api_page pg = {page, limit, total};
    return api_json_tags(&d->b, ts, n, &pg) ? 500 : 200;
}

/* serve answers from the cache, or builds, caches and answers. */
static int serve(struct site *s, struct request *req, struct response *res,
                 api_build_fn build)
{
    static const char *const json_type = "application/json; charset=utf-8";
    response_header(res, "Access-Control-Allow-Origin", "*");
    res->content_type = json_type;
    res->cache_control = "no-cache";
    const char *origin = site_origin(s, req);
    if (!origin)
        origin = "";
    struct str key =
        str_from(arena_printf(req->arena, "api\n%s%.*s?%.*s", origin,
                              STR_FMT(req->path), STR_FMT(req->query)));
    struct page *p = cache_get(s->cache, key);
    response_header(res, "X-Cache", p ? "hit" : "miss");
    if (!p) {
        uint64_t gen = cache_generation(s->cache);
        struct api_doc d = {.dep_id = -1};
        buf_init(&d.b, 64u << 20);
        store_read_hold(s->store);
        int status = build(s, req, origin, &d);
        store_read_release(s->store);
        if (status != 200) {
            buf_release(&d.b);
            if (status == 500)
                log_error("content API %.*s: %s", STR_FMT(req->path),
                          store_last_error());
            if (api_json_error(&res->body,
                               d.error ? d.error : "internal error") != 0)
                return 500;
            return status;
        }
        size_t len;
        char *bytes = buf_take(&d.b, &len);
        p = page_new(bytes, len, json_type, PAGE_NO_SPLICE);
        page_depend(p, d.dep_kind, d.dep_id);
        page_expire_in(p, API_EXPIRES_S);
        cache_put(s->cache, key, p, gen);
    }
    site_want_compressed(s, req, key, p);
    res->page = p;
    res->etag = page_etag(p);
    if (request_is_fresh(req, res->etag))
        return 304;
    return 200;
}

#define API_HANDLER(name, build)                                               \
    int name(struct request *req, struct response *res, void *ctx)             \
    {                                                                          \
        return serve(ctx, req, res, build);                                    \
    }
API_HANDLER(site_api_articles, build_articles)
API_HANDLER(site_api_article, build_article)
API_HANDLER(site_api_sections, build_sections)
API_HANDLER(site_api_issues, build_issues)
API_HANDLER(site_api_issue, build_issue)
API_HANDLER(site_api_authors, build_authors)
API_HANDLER(site_api_tags, build_tags)
