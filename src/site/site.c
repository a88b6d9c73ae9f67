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
 * Each cached page lists what it shows (page_depend: "section:3", "list").
 * A background thread ("ticker") wakes every second: it reads the store's
 * change log and drops just the pages that show what changed, whichever
 * process wrote it, and flushes read counts every hits_flush seconds.
 */
#define LOG_MODULE "site"
#include "site/site_int.h"

#include "content/legacy_url.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/xalloc.h"
#include "admin/admin.h"
#include "http/router.h"
#include "render/cache.h"
#include "render/format.h"
#include "render/mustache.h"
#include "core/page.h"
#include "render/theme_ini.h"
#include "render/value.h"
#include "render/view.h"
#include "site/hits.h"
#include "store/editorial.h"
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    SITE_PAGED = 1 << 8,     /* the route takes ?page=N */
    SITE_EXPIRES = 1 << 9,   /* cached for SITE_EXPIRES_S only (read counts) */
    SITE_ABSOLUTE = 1 << 12, /* absolute URLs: cached per origin */
};
enum {
    SITE_EXPIRES_S = 60,
    SITE_CHANGES_MAX = 1000, /* more changed names at once: drop them all */
};

static const struct route routes[] = {
    {HTTP_GET, "/", site_home, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/articles/{}", site_article, ROUTE_CACHED},
    {HTTP_GET, "/sections/{}", site_section, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/issues", site_issues, ROUTE_CACHED},
    {HTTP_GET, "/issues/{}", site_issue, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/authors", site_authors, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/authors/{}", site_author, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/tags", site_tags, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/tags/{}", site_tag, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/archive", site_archive, ROUTE_CACHED},
    {HTTP_GET, "/archive/{}", site_archive_year, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/archive/{}/{}", site_archive_month, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/most-read", site_most_read,
     ROUTE_CACHED | SITE_PAGED | SITE_EXPIRES},
    {HTTP_GET, "/most-read/30-days", site_most_read_30,
     ROUTE_CACHED | SITE_PAGED | SITE_EXPIRES},
    /* Not ROUTE_CACHED: search.c keys its cache on the normalised query. */
    {HTTP_GET, "/countries", site_countries, ROUTE_CACHED},
    {HTTP_GET, "/countries/{}", site_country, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/countries/{}/feed.atom", site_place_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/countries/{}/feed.rss", site_place_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/countries/{}/feed.json", site_place_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/organizations", site_organizations, ROUTE_CACHED},
    {HTTP_GET, "/organizations/{}", site_organization,
     ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/organizations/{}/feed.atom", site_place_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/organizations/{}/feed.rss", site_place_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/organizations/{}/feed.json", site_place_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    /* Not ROUTE_CACHED: relations.c keys its cache on ?from, ?to, ?section. */
    {HTTP_GET, "/relations", site_relations, 0},
    {HTTP_GET, "/relations/{}", site_relation, ROUTE_CACHED | SITE_PAGED},
    {HTTP_GET, "/search", site_search, 0},
    {HTTP_POST, "/newsletter", site_newsletter, ROUTE_FORM},
    {HTTP_GET | HTTP_POST, "/newsletter/confirm/{}", site_newsletter_confirm,
     ROUTE_FORM},
    {HTTP_GET | HTTP_POST, "/newsletter/unsubscribe/{}",
     site_newsletter_unsubscribe, ROUTE_FORM},
    {HTTP_GET, "/assets/*", site_asset, 0},
    {HTTP_GET, "/media/*", site_media, 0},
    {HTTP_GET, "/feed.atom", site_feed, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/feed.rss", site_feed, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/feed.json", site_feed, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/sections/{}/feed.atom", site_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/sections/{}/feed.rss", site_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/sections/{}/feed.json", site_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/authors/{}/feed.atom", site_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/authors/{}/feed.rss", site_feed, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/authors/{}/feed.json", site_feed,
     ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/tags/{}/feed.atom", site_feed, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/tags/{}/feed.rss", site_feed, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/tags/{}/feed.json", site_feed, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/sitemap.xml", site_sitemap, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/sitemap-{}", site_sitemap_part, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/robots.txt", site_robots, ROUTE_CACHED | SITE_ABSOLUTE},
    {HTTP_GET, "/healthz", site_healthz, 0},
    /* Not ROUTE_CACHED: api.c keys its cache on origin, path and query. */
    {HTTP_GET, "/api/content/articles", site_api_articles, 0},
    {HTTP_GET, "/api/content/articles/{}", site_api_article, 0},
    {HTTP_GET, "/api/content/sections", site_api_sections, 0},
    {HTTP_GET, "/api/content/issues", site_api_issues, 0},
    {HTTP_GET, "/api/content/issues/{}", site_api_issue, 0},
    {HTTP_GET, "/api/content/authors", site_api_authors, 0},
    {HTTP_GET, "/api/content/tags", site_api_tags, 0},
    {HTTP_GET, "/metrics", site_metrics, 0},
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
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = tpl_render(s->tpl, name, ctx, &b);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    atomic_fetch_add(&s->renders, 1);
    atomic_fetch_add(&s->render_us,
                     (unsigned long long)((t1.tv_sec - t0.tv_sec) * 1000000 +
                                          (t1.tv_nsec - t0.tv_nsec) / 1000));
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
    hit_counter_hold(p->counter); /* the page's own reference */
    if (p->counter) {
        /* The compressed variants are made around a count text of this
         * length: the phrase of the reader after this render's own, the
         * first they can serve (they are made in the background). */
        struct arena ta;
        arena_init(&ta, 512);
        const char *t = format_hits(&ta, s->fmt, hits_total(counter) + 2);
        p->splice_len = t ? strlen(t) : 0;
        arena_release(&ta);
    }
    res->page = p;
    return 200;
}

void site_want_compressed(struct site *s, const struct request *req,
                          struct str key, struct page *p)
{
    if (!page_variants(p) && request_takes_compressed(req))
        cache_want_compressed(s->cache, key, p);
}

int site_render_showing(struct site *s, struct response *res, const char *name,
                        struct tval *ctx, const char *kind, int64_t id)
{
    int rc = site_render(s, res, name, ctx, NULL);
    if (rc == 200)
        page_depend(res->page, kind, id);
    return rc;
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
static int error_page(struct site *s, struct request *req, struct response *res,
                      int status)
{
    char key[8];
    /* The one report of a failure below: the store only records it. */
    if (status >= 500 && store_last_error()[0])
        log_error("%s %.*s: %s", req->method_name, STR_FMT(req->path),
                  store_last_error());
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
        page_depend(p, "site", -1);
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
static int send_page(struct site *s, struct request *req, struct response *res)
{
    struct page *p = res->page;
    res->content_type = p->content_type;
    res->cache_control = "no-cache";
    if (!p->counter) {
        res->etag = s->no_etags ? NULL : page_etag(p);
        return 200;
    }
    int64_t n;
    if (s->no_etags) { /* the export: no ETag, so no 304 either */
        n = req->method == HTTP_GET && !request_is_bot(req)
                ? hits_count(p->counter)
                : hits_total(p->counter);
    } else {
        /* The ETag carries the count, so a reader's copy goes stale. */
        n = hits_total(p->counter);
        const char *tag = page_etag(p) + 1; /* drop the opening quote */
        int taglen = (int)strlen(tag) - 1;
        res->etag =
            arena_printf(req->arena, "\"%.*s-%" PRId64 "\"", taglen, tag, n);
        /* A reader who holds this count, in any coding, reads nothing
         * new: not counted; server.c answers 304 for the coding it picks
         * (a tag with -gz or -br is the compressed variant's). */
        bool fresh = request_is_fresh(req, res->etag);
        for (int k = 0; k < 2 && !fresh; k++)
            fresh = request_is_fresh(
                req, arena_printf(req->arena, "\"%.*s-%" PRId64 "-%s\"", taglen,
                                  tag, n, k ? "br" : "gz"));
        if (!fresh && req->method == HTTP_GET && !request_is_bot(req)) {
            n = hits_count(p->counter);
            res->etag = arena_printf(req->arena, "\"%.*s-%" PRId64 "\"", taglen,
                                     tag, n);
        }
    }
    /* The theme's whole phrase ("Read 3,093 times"), not just the number. */
    res->splice = str_from(format_hits(req->arena, s->fmt, n));
    if (page_variants(p) && res->splice.len > p->splice_len)
        page_outgrown(p); /* compressed again at the next render */
    return 200;
}

static struct str cache_key(struct site *s, struct request *req,
                            const struct route *r, int page)
{
    if (r->flags & SITE_ABSOLUTE) {
        const char *origin = site_origin(s, req);
        if (!origin)
            return (struct str){NULL, 0};
        return str_from(
            arena_printf(req->arena, "%s%.*s", origin, STR_FMT(req->path)));
    }
    if (!(r->flags & SITE_PAGED) || page == 1)
        return req->path;
    /* \n cannot be in a decoded path ('?' can, sent as %3F). */
    return str_from(
        arena_printf(req->arena, "%.*s\npage=%d", STR_FMT(req->path), page));
}

int site_app(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    const struct route *r;
    const char *allow;
    store_clear_error(); /* so a 500 reports this request's failure only */
    if (s->admin && admin_claims(req->path))
        return admin_app(req, res, s->admin);
    int rc = router_match(routes, NROUTES, req, &r, &allow);
    /* Old URLs of an imported archive: only where nothing else answers
     * (WordPress put posts at /?p=N, which the home route would take). */
    if (rc == ERR_NOT_FOUND ||
        (req->query.len && req->path.len == 1 && req->method == HTTP_GET &&
         legacy_url_home_query(req->query))) {
        int moved = site_redirect(s, req, res);
        if (moved)
            return moved;
    }
    if (rc == ERR_NOT_FOUND)
        return error_page(s, req, res, 404);
    if (rc == ERR_PARSE)
        return error_page(s, req, res, 415);
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
    struct str key = cache_key(s, req, r, page);
    if (!key.ptr)
        return error_page(s, req, res, 500);
    res->page = cache_get(s->cache, key);
    response_header(res, "X-Cache", res->page ? "hit" : "miss");
    if (!res->page) {
        uint64_t gen = cache_generation(s->cache);
        /* One snapshot, one read transaction, for the whole page. */
        store_read_hold(s->store);
        int status = r->handler(req, res, s);
        store_read_release(s->store);
        if (status != 200 || !res->page)
            return error_page(s, req, res, status == 200 ? 500 : status);
        if (r->flags & SITE_EXPIRES)
            page_expire_in(res->page, SITE_EXPIRES_S);
        cache_put(s->cache, key, res->page, gen);
    }
    site_want_compressed(s, req, key, res->page);
    return send_page(s, req, res);
}

/*
 * follow_changes drops the cached pages showing what changed since *seq.
 * "site" (settings, sections, side modules) is on every page: all go.
 */
static void follow_changes(struct site *s, int64_t *seq)
{
    struct arena a;
    struct change_set cs;
    arena_init(&a, 4096);
    if (store_changes_since(s->store, &a, *seq, SITE_CHANGES_MAX, &cs) != 0) {
        log_warn("cannot read the change log (%s); clearing the page cache",
                 store_last_error());
        cache_clear(s->cache);
        goto out;
    }
    bool all = cs.all;
    uint64_t *deps = arena_alloc(&a, (cs.n + 1) * sizeof(*deps));
    for (size_t i = 0; i < cs.n && !all; i++) {
        all = strcmp(cs.names[i], "site") == 0;
        deps[i] = page_dep_hash(cs.names[i]);
    }
    if (all) {
        log_info("journal changed; clearing the page cache");
        cache_clear(s->cache);
        site_https_refresh(s); /* base_url may have changed */
    } else if (cs.n > 0) {
        log_debug("%zu changes; dropping the pages that show them", cs.n);
        cache_invalidate(s->cache, deps, cs.n);
    }
    *seq = cs.seq;
out:
    arena_release(&a);
}

/* wait_a_second sleeps up to a second, or until site_close wakes it, with
 * s->lock held; false when the site is stopping. */
static bool wait_a_second(struct site *s)
{
    if (s->stopping)
        return false;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    pthread_cond_timedwait(&s->wake, &s->lock, &until);
    return !s->stopping;
}

static void *ticker(void *arg)
{
    struct site *s = arg;
    int64_t seq = s->changes_seq, pruned = seq;
    time_t last_flush = time(NULL);

    pthread_mutex_lock(&s->lock);
    while (wait_a_second(s)) {
        pthread_mutex_unlock(&s->lock);

        int flipped = 0; /* scheduled articles whose time has come */
        if (store_schedule_run(s->store, (int64_t)time(NULL), &flipped) != 0)
            log_warn("scheduled articles not published; will retry");
        follow_changes(s, &seq);
        /* After the pages were dropped: at a million articles this takes
         * seconds, which readers need not wait (store_related_refresh). */
        if (store_related_refresh(s->store) != 0)
            log_warn("related articles not reindexed (%s); will retry",
                     store_last_error());
        time_t now = time(NULL);
        if (now - last_flush >= (time_t)s->hits_flush) {
            last_flush = now;
            if (hits_flush(s->hits) != 0)
                log_warn("read counts not written; will retry");
            /* What this server has read, no one else needs. */
            if (seq != pruned && store_changes_prune(s->store, seq) == 0)
                pruned = seq;
        }
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* changes_start finds where the change log is: the cache starts empty. */
static int changes_start(struct site *s, char *err, size_t errlen)
{
    struct arena a;
    struct change_set cs;
    arena_init(&a, 256);
    int rc = store_changes_since(s->store, &a, 0, 0, &cs);
    s->changes_seq = cs.seq;
    arena_release(&a);
    if (rc == 0)
        rc = store_changes_prune(s->store, cs.seq);
    if (rc != 0)
        snprintf(err, errlen, "cannot read the change log: %s",
                 store_last_error());
    return rc;
}

/*
 * indexer keeps the Xapian search index following the journal: slices of
 * work back to back while there are some, else a look every second. Its
 * own thread, because a build takes an hour at a million articles, which
 * neither readers nor the ticker can wait.
 */
static void *indexer(void *arg)
{
    struct site *s = arg;
    int last = 0; /* the last failure, logged once */
    bool more = false;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping && (more || wait_a_second(s))) {
        pthread_mutex_unlock(&s->lock);
        int rc = store_search_index_step(s->store, &more);
        if (rc != 0 && rc != last)
            log_warn("search index: %s; will retry (searches use FTS5 "
                     "meanwhile)",
                     store_last_error());
        last = rc;
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
    s->no_etags = o->no_etags;
    s->metrics_token = o->metrics_token && *o->metrics_token ? o->metrics_token
                                                             : NULL;
    s->mail_from = o->mail_from;
    /* Newsletter: the hourly allowance as a burst, refilled over the
     * hour; 3 mails per target address an hour. Searches: a minute's
     * allowance as a burst. */
    double signups = o->signups_per_client ? o->signups_per_client : 10.0;
    s->signup_client =
        ratelimit_new(SITE_LIMIT_SLOTS, signups, signups / 3600.0);
    s->signup_target = ratelimit_new(SITE_LIMIT_SLOTS, 3.0, 3.0 / 3600.0);
    double searches = o->search_per_minute ? o->search_per_minute
                                           : LIMIT_SEARCH_PER_MINUTE;
    s->search_client =
        ratelimit_new(SITE_LIMIT_SLOTS, searches, searches / 60.0);
    s->search_concurrent = o->search_concurrent ? o->search_concurrent
                                                : LIMIT_SEARCH_CONCURRENT;
    s->search_query_max = o->search_query_max ? o->search_query_max
                                              : LIMIT_SEARCH_QUERY_MAX;
    s->tpl = tpl_set_new();
    size_t n = strlen(o->theme_dir) + sizeof("/templates");
    dir = xmalloc(n);
    snprintf(dir, n, "%s/templates", o->theme_dir);
    s->assets_dir = xmalloc(n);
    snprintf(s->assets_dir, n, "%s/assets", o->theme_dir);
    s->media_dir = o->media_dir ? xstrdup(o->media_dir) : NULL;
    site_assets_fingerprint(s);
    rc = tpl_set_load_dir(s->tpl, dir, err, errlen);
    if (rc != 0)
        goto out;
    static const char *const required[] = {
        "home", "section", "article", "error", "newsletter",
        /* the reader's lists */
        "issues", "issue", "authors", "author", "tags", "tag", "archive",
        "archive_period", "most_read", "search"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (!tpl_set_has(s->tpl, required[i])) {
            snprintf(err, errlen, "%s/%s.mustache: missing from the theme", dir,
                     required[i]);
            rc = ERR_NOT_FOUND;
            goto out;
        }
    }
    free(dir);
    n = strlen(o->theme_dir) + sizeof("/theme.ini");
    dir = xmalloc(n);
    snprintf(dir, n, "%s/theme.ini", o->theme_dir);
    rc = theme_ini_load(dir, &s->fmt, err, errlen);
    if (rc != 0)
        goto out;
    format_use(s->fmt);
    site_https_refresh(s);
    if (o->admin_dir) {
        struct admin_opts ao = {.store = o->store,
                                .dir = o->admin_dir,
                                .is_https = site_is_https,
                                .https_ctx = s,
                                .preview = site_article_preview,
                                .preview_ctx = s,
                                .media_dir = o->media_dir,
                                .upload_max = o->upload_max,
                                .theme_dir = o->theme_dir,
                                .mail_from = o->mail_from};
        /* The readers' site must not go down with the back office. */
        if (admin_open(&ao, &s->admin, err, errlen) != 0) {
            log_error("back office off: %s", err);
            s->admin = NULL;
        }
    }
    s->cache = cache_new(o->cache_max);
    if (cache_spill_to(s->cache, o->cache_disk_dir, o->cache_disk_max) != 0)
        log_warn("page cache: no files in %s (%s): pages evicted from memory "
                 "are dropped (cache.disk_dir)",
                 o->cache_disk_dir, strerror(errno));
    rc = changes_start(s, err, errlen);
    if (rc != 0)
        goto out;
    s->side = side_cache_new();
    s->hits = hits_new(o->store);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_mutex_init(&s->origin_lock, NULL);
    if (pthread_create(&s->ticker, NULL, ticker, s) != 0) {
        snprintf(err, errlen, "cannot start the background thread");
        rc = ERR_IO;
        goto out;
    }
    if (pthread_create(&s->indexer, NULL, indexer, s) != 0) {
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_broadcast(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->ticker, NULL);
        snprintf(err, errlen, "cannot start the search index thread");
        rc = ERR_IO;
        goto out;
    }
    *out = s;
    s = NULL;
out:
    free(dir);
    if (s) {
        if (format_current() == s->fmt)
            format_use(NULL);
        format_free(s->fmt);
        admin_close(s->admin);
        side_cache_free(s->side);
        cache_free(s->cache);
        hits_free(s->hits);
        tpl_set_free(s->tpl);
        free(s->assets_dir);
        free(s->media_dir);
        ratelimit_free(s->signup_client);
        ratelimit_free(s->signup_target);
        ratelimit_free(s->search_client);
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
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->ticker, NULL);
    pthread_join(s->indexer, NULL);
    if (hits_flush(s->hits) != 0)
        log_error("read counts could not be written at shutdown");
    side_cache_free(s->side);
    admin_close(s->admin);
    cache_free(s->cache);
    hits_free(s->hits);
    tpl_set_free(s->tpl);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->origin_lock);
    free(s->origin_base);
    if (format_current() == s->fmt)
        format_use(NULL);
    format_free(s->fmt);
    free(s->assets_dir);
    free(s->media_dir);
    ratelimit_free(s->signup_client);
    ratelimit_free(s->signup_target);
    ratelimit_free(s->search_client);
    free(s);
}
