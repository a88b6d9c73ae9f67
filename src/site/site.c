/*
 * site.c - the public site's route table, page cache front and upkeep.
 *
 * Every request passes site_app: the router picks a route; a cached route
 * is answered from the page cache when it can be, else its handler renders
 * a page that is stored for the next reader. Article pages carry a read
 * counter: its live value is spliced into the cached bytes at send time and
 * is part of the ETag, so a cached page never shows a stale count for long
 * and a 304 is only sent when the reader already has the current count.
 *
 * A background thread ("ticker") wakes every second: it flushes read
 * counts every hits_flush seconds and clears the cache when another
 * process committed to the database (PRAGMA data_version moved).
 */
#define LOG_MODULE "site"
#include "site/site_int.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/router.h"
#include "render/cache.h"
#include "render/mustache.h"
#include "render/page.h"
#include "render/value.h"
#include "render/view.h"
#include "site/hits.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SITE_PAGED = 1 << 8 }; /* the route takes ?page=N */

static const struct route routes[] = {
    {HTTP_GET, "/", site_home, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/articles/{}", site_article, ROUTE_CACHED},
    {HTTP_GET, "/sections/{}", site_section, ROUTE_CACHED | SITE_PAGED},
    {HTTP_POST, "/newsletter", site_newsletter, ROUTE_FORM},
    {HTTP_GET, "/assets/*", site_asset, 0},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const char *const html_type = "text/html; charset=utf-8";

/* site_context (the shared part of every page's context) is in side.c. */

/* cut_mark removes every hits mark from b; returns the first one's offset. */
static size_t cut_mark(struct buf *b)
{
    const size_t mlen = sizeof(VIEW_HITS_MARK) - 1;
    size_t first = PAGE_NO_SPLICE;
    char *at = b->ptr;
    while ((at = memmem(at, b->len - (size_t)(at - b->ptr), VIEW_HITS_MARK,
                        mlen))) {
        size_t off = (size_t)(at - b->ptr);
        if (first == PAGE_NO_SPLICE)
            first = off;
        memmove(at, at + mlen, b->len - off - mlen + 1);
        b->len -= mlen;
    }
    return first;
}

int site_render(struct site *s, struct response *res, const char *name,
                struct tval *ctx, struct hit_counter *counter)
{
    struct buf b;
    buf_init(&b, 64u << 20);
    int rc = tpl_render(s->tpl, name, ctx, &b);
    if (rc == 0)
        rc = buf_error(&b);
    if (rc != 0) {
        log_error("rendering template '%s': %s", name, err_str(rc));
        buf_release(&b);
        return 500;
    }
    size_t splice = counter ? cut_mark(&b) : PAGE_NO_SPLICE;
    size_t len;
    char *bytes = buf_take(&b, &len);
    struct page *p = page_new(bytes, len, html_type, splice);
    p->counter = splice == PAGE_NO_SPLICE ? NULL : counter;
    res->page = p;
    return 200;
}

int site_page_arg(const struct request *req)
{
    const char *v = request_query_arg(req, "page");
    long long n;
    if (!v)
        return 1;
    if (str_to_i64(str_from(v), 1, SITE_MAX_PAGE, &n) != 0)
        return 0;
    return (int)n;
}

/*
 * error_page answers status with the theme's error page. Error pages are
 * cached under "!<status>" so a flood of bad URLs costs no rendering.
 */
static int error_page(struct site *s, struct request *req,
                      struct response *res, int status)
{
    char key[8];
    int n = snprintf(key, sizeof(key), "!%d", status);
    struct page *p = cache_get(s->cache, (struct str){key, (size_t)n});
    if (!p) {
        uint64_t gen = cache_generation(s->cache);
        struct tval *ctx = site_context(s, req->arena);
        if (!ctx)
            return status; /* http/ sends its plain page */
        tv_set_int(req->arena, ctx, "status", status);
        tv_set_str(req->arena, ctx, "reason", http_status_text(status));
        tv_set_str(req->arena, ctx, "page_title", http_status_text(status));
        if (site_render(s, res, "error", ctx, NULL) != 200)
            return status;
        p = res->page;
        cache_put(s->cache, (struct str){key, (size_t)n}, p, gen);
        res->page = NULL;
    }
    if (res->page)
        page_unref(res->page);
    res->page = p;
    res->etag = NULL;
    return status;
}

/* send_page sets up a cached page for sending, counting a read if due. */
static int send_page(struct request *req, struct response *res)
{
    struct page *p = res->page;
    res->content_type = p->content_type;
    res->cache_control = "no-cache";
    if (!p->counter) {
        res->etag = p->etag;
        return 200;
    }
    /* The ETag carries the count, so a reader's copy goes stale with it. */
    int64_t n = hits_total(p->counter);
    const char *tag = p->etag + 1; /* drop the opening quote */
    int taglen = (int)strlen(tag) - 1;
    res->etag = arena_printf(req->arena, "\"%.*s-%" PRId64 "\"", taglen, tag, n);
    if (request_is_fresh(req, res->etag))
        return 304;
    if (req->method == HTTP_GET && !request_is_bot(req)) {
        n = hits_count(p->counter);
        res->etag = arena_printf(req->arena, "\"%.*s-%" PRId64 "\"", taglen,
                                 tag, n);
    }
    res->splice = str_from(arena_printf(req->arena, "%" PRId64, n));
    return 200;
}

static struct str cache_key(struct request *req, const struct route *r,
                            int page)
{
    if (!(r->flags & SITE_PAGED) || page == 1)
        return req->path;
    return str_from(arena_printf(req->arena, "%.*s?page=%d",
                                 STR_FMT(req->path), page));
}

int site_app(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    const struct route *r;
    const char *allow;
    int rc = router_match(routes, NROUTES, req, &r, &allow);
    if (rc == ERR_NOT_FOUND)
        return error_page(s, req, res, 404);
    if (rc != 0) {
        res->allow = allow;
        return error_page(s, req, res, 405);
    }
    if (!(r->flags & ROUTE_CACHED)) {
        int status = r->handler(req, res, s);
        if (status >= 400 && !res->page && res->body.len == 0 && res->fd < 0)
            return error_page(s, req, res, status);
        return status;
    }

    int page = r->flags & SITE_PAGED ? site_page_arg(req) : 1;
    if (page == 0)
        return error_page(s, req, res, 404);
    struct str key = cache_key(req, r, page);
    res->page = cache_get(s->cache, key);
    if (!res->page) {
        uint64_t gen = cache_generation(s->cache);
        int status = r->handler(req, res, s);
        if (status != 200 || !res->page)
            return error_page(s, req, res, status == 200 ? 500 : status);
        cache_put(s->cache, key, res->page, gen);
    }
    return send_page(req, res);
}

void site_invalidate(struct site *s)
{
    cache_clear(s->cache);
}

static void *ticker(void *arg)
{
    struct site *s = arg;
    int64_t version = store_data_version(s->store);
    time_t last_flush = time(NULL);

    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
        if (s->stopping)
            break;
        pthread_mutex_unlock(&s->lock);

        int64_t v = store_data_version(s->store);
        if (v != version) {
            version = v;
            log_info("database changed by another process; clearing cache");
            cache_clear(s->cache);
        }
        time_t now = time(NULL);
        if (now - last_flush >= (time_t)s->hits_flush) {
            last_flush = now;
            if (hits_flush(s->hits) != 0)
                log_warn("read counts not written; will retry");
        }
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int site_open(const struct site_opts *o, struct site **out, char *err,
              size_t errlen)
{
    struct site *s = xcalloc(1, sizeof(*s));
    char *dir = NULL;
    int rc;

    s->store = o->store;
    s->hits_flush = o->hits_flush ? o->hits_flush : 5;
    s->tpl = tpl_set_new();
    size_t n = strlen(o->theme_dir) + sizeof("/templates");
    dir = xmalloc(n);
    snprintf(dir, n, "%s/templates", o->theme_dir);
    s->assets_dir = xmalloc(n);
    snprintf(s->assets_dir, n, "%s/assets", o->theme_dir);
    rc = tpl_set_load_dir(s->tpl, dir, err, errlen);
    if (rc != 0)
        goto out;
    static const char *const required[] = {"home", "section", "article",
                                           "error", "newsletter"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (!tpl_set_has(s->tpl, required[i])) {
            snprintf(err, errlen, "%s/%s.mustache: missing from the theme",
                     dir, required[i]);
            rc = ERR_NOT_FOUND;
            goto out;
        }
    }
    s->cache = cache_new(o->cache_max);
    s->side = side_cache_new();
    s->hits = hits_new(o->store);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->ticker, NULL, ticker, s) != 0) {
        snprintf(err, errlen, "cannot start the background thread");
        rc = ERR_IO;
        goto out;
    }
    *out = s;
    s = NULL;
out:
    free(dir);
    if (s) {
        side_cache_free(s->side);
        cache_free(s->cache);
        hits_free(s->hits);
        tpl_set_free(s->tpl);
        free(s->assets_dir);
        free(s);
    }
    return rc;
}

void site_close(struct site *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->ticker, NULL);
    if (hits_flush(s->hits) != 0)
        log_error("read counts could not be written at shutdown");
    side_cache_free(s->side);
    cache_free(s->cache);
    hits_free(s->hits);
    tpl_set_free(s->tpl);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s->assets_dir);
    free(s);
}
