/*
 * ops.c - what an operator's tools read: GET /healthz for a load balancer
 * and GET /metrics for Prometheus.
 *
 * /healthz answers 200 {"status":"ok","db":"ok","version":...} when the
 * database answers a read and 503 otherwise; never cached (no-store),
 * not counted in /metrics, logged only at debug level (http/metrics.c).
 * /metrics is for loopback clients, or anyone sending
 * "Authorization: Bearer <server.metrics_token>", so it is never public by
 * accident (a proxy on the same host should not forward it).
 */
#define LOG_MODULE "site"
#include "site/site_int.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/version.h"
#include "render/cache.h"
#include "site/hits.h"
#include "store/store.h"

#include <string.h>

int site_healthz(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    bool ok = store_health(s->store, req->arena) == 0;
    if (!ok)
        log_warn("health check: the database does not answer: %s",
                 store_last_error());
    res->content_type = "application/json";
    res->cache_control = "no-store";
    buf_printf(&res->body,
               "{\"status\":\"%s\",\"db\":\"%s\","
               "\"version\":\"%s\"}\n",
               ok ? "ok" : "error", ok ? "ok" : "unreadable", quire_version);
    return ok ? 200 : 503;
}

static bool is_loopback(const char *addr)
{
    return addr && (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
                    strncmp(addr, "::ffff:127.", 11) == 0);
}

/* token_ok compares in time independent of where the strings differ. */
static bool token_ok(const char *auth, const char *token)
{
    if (!auth || strncmp(auth, "Bearer ", 7) != 0)
        return false;
    auth += 7;
    size_t n = strlen(token), m = strlen(auth);
    unsigned char diff = n != m;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(token[i] ^ (i < m ? auth[i] : 0));
    return diff == 0;
}

int site_metrics(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    res->cache_control = "no-store";
    res->content_type = "text/plain; charset=utf-8";
    if (s->metrics_token) {
        if (!token_ok(request_header(req, "Authorization"), s->metrics_token)) {
            response_header(res, "WWW-Authenticate", "Bearer");
            buf_append_cstr(&res->body, "metrics need the bearer token\n");
            return 401;
        }
    } else if (!is_loopback(req->remote_addr)) {
        buf_append_cstr(&res->body, "metrics are served to loopback "
                                    "clients only (or set metrics_token)\n");
        return 403;
    }
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    struct buf *b = &res->body;
    http_metrics_write(b);

    uint64_t hits, misses, evictions, disk_hits;
    size_t pages, bytes, disk_pages, file_bytes;
    cache_counts(s->cache, &hits, &misses, &evictions, &disk_hits);
    cache_stats(s->cache, &pages, &bytes);
    cache_disk_stats(s->cache, &disk_pages, &file_bytes);
    buf_printf(b,
               "# HELP quire_page_cache_hits_total Pages answered from "
               "the page cache.\n"
               "# TYPE quire_page_cache_hits_total counter\n"
               "quire_page_cache_hits_total %llu\n"
               "# HELP quire_page_cache_disk_hits_total Of those, pages "
               "read back from the cache's files on disk.\n"
               "# TYPE quire_page_cache_disk_hits_total counter\n"
               "quire_page_cache_disk_hits_total %llu\n"
               "# HELP quire_page_cache_misses_total Pages rendered "
               "because they were not cached.\n"
               "# TYPE quire_page_cache_misses_total counter\n"
               "quire_page_cache_misses_total %llu\n"
               "# HELP quire_page_cache_evictions_total Pages moved out "
               "of memory to make room (to disk, or dropped).\n"
               "# TYPE quire_page_cache_evictions_total counter\n"
               "quire_page_cache_evictions_total %llu\n"
               "# HELP quire_page_cache_bytes Bytes of cached pages in "
               "memory.\n"
               "# TYPE quire_page_cache_bytes gauge\n"
               "quire_page_cache_bytes %zu\n"
               "# HELP quire_page_cache_pages Pages in the cache, in "
               "memory.\n"
               "# TYPE quire_page_cache_pages gauge\n"
               "quire_page_cache_pages %zu\n"
               "# HELP quire_page_cache_disk_pages Pages in the cache, "
               "on disk.\n"
               "# TYPE quire_page_cache_disk_pages gauge\n"
               "quire_page_cache_disk_pages %zu\n"
               "# HELP quire_page_cache_disk_bytes Bytes of the cache's "
               "files on disk (cache.disk_max_bytes bounds them).\n"
               "# TYPE quire_page_cache_disk_bytes gauge\n"
               "quire_page_cache_disk_bytes %zu\n",
               (unsigned long long)hits, (unsigned long long)disk_hits,
               (unsigned long long)misses, (unsigned long long)evictions, bytes,
               pages, disk_pages, file_bytes);
    buf_printf(b,
               "# HELP quire_renders_total Templates rendered.\n"
               "# TYPE quire_renders_total counter\n"
               "quire_renders_total %llu\n"
               "# HELP quire_render_seconds_total Time spent rendering "
               "templates.\n"
               "# TYPE quire_render_seconds_total counter\n"
               "quire_render_seconds_total %.6f\n",
               atomic_load(&s->renders),
               (double)atomic_load(&s->render_us) / 1e6);
    int64_t pending, flushed;
    hits_metrics(&pending, &flushed);
    buf_printf(b,
               "# HELP quire_read_counts_pending Article reads counted "
               "in memory, not yet written.\n"
               "# TYPE quire_read_counts_pending gauge\n"
               "quire_read_counts_pending %lld\n"
               "# HELP quire_read_counts_flushed_total Article reads "
               "written to the database.\n"
               "# TYPE quire_read_counts_flushed_total counter\n"
               "quire_read_counts_flushed_total %lld\n",
               (long long)pending, (long long)flushed);
    int64_t db = 0, wal = 0;
    if (store_file_sizes(s->store, &db, &wal) != 0)
        log_warn("metrics: cannot stat the database file");
    buf_printf(b,
               "# HELP quire_db_bytes Size of the database file.\n"
               "# TYPE quire_db_bytes gauge\n"
               "quire_db_bytes %lld\n"
               "# HELP quire_db_wal_bytes Size of the write-ahead log.\n"
               "# TYPE quire_db_wal_bytes gauge\n"
               "quire_db_wal_bytes %lld\n"
               "# HELP quire_db_busy_retries_total Waits for a "
               "database lock held by another connection.\n"
               "# TYPE quire_db_busy_retries_total counter\n"
               "quire_db_busy_retries_total %llu\n",
               (long long)db, (long long)wal,
               (unsigned long long)store_busy_retries());
    struct queue_depths q;
    if (store_queue_depths(s->store, &q) != 0) {
        log_warn("metrics: cannot count the queues");
    } else {
        static const char *const mail_states[OUTBOX_NSTATES] = {
            "queued", "sent", "failed", "skipped"};
        static const char *const hook_states[3] = {"pending", "delivered",
                                                   "failed"};
        buf_append_cstr(b, "# HELP quire_mail_outbox_messages Mail in the "
                           "outbox by state: queued is the depth, sent and "
                           "failed the send results.\n"
                           "# TYPE quire_mail_outbox_messages gauge\n");
        for (int i = 0; i < OUTBOX_NSTATES; i++)
            buf_printf(b, "quire_mail_outbox_messages{state=\"%s\"} %lld\n",
                       mail_states[i], (long long)q.mail[i]);
        buf_append_cstr(b, "# HELP quire_webhook_deliveries Webhook "
                           "deliveries by state: pending is the depth.\n"
                           "# TYPE quire_webhook_deliveries gauge\n");
        for (int i = 0; i < 3; i++)
            buf_printf(b, "quire_webhook_deliveries{state=\"%s\"} %lld\n",
                       hook_states[i], (long long)q.hooks[i]);
    }
    buf_printf(b,
               "# HELP quire_searches_total Searches run (not served from "
               "the cache), by the engine that answered.\n"
               "# TYPE quire_searches_total counter\n"
               "quire_searches_total{engine=\"xapian\"} %llu\n"
               "quire_searches_total{engine=\"fts5\"} %llu\n",
               (unsigned long long)atomic_load(&s->searches_xapian),
               (unsigned long long)atomic_load(&s->searches_fts5));
    struct search_index_state x;
    if (store_search_index_state(s->store, &x) != 0) {
        log_warn("metrics: cannot read the search index's state");
    } else if (x.kept) {
        buf_printf(b,
                   "# HELP quire_search_index_documents Articles in the "
                   "Xapian search index.\n"
                   "# TYPE quire_search_index_documents gauge\n"
                   "quire_search_index_documents %lld\n"
                   "# HELP quire_search_index_building 1 while the Xapian "
                   "index is built (searches use FTS5).\n"
                   "# TYPE quire_search_index_building gauge\n"
                   "quire_search_index_building %d\n"
                   "# HELP quire_search_index_exact 1 when searches use the "
                   "Xapian index: it has every change.\n"
                   "# TYPE quire_search_index_exact gauge\n"
                   "quire_search_index_exact %d\n",
                   (long long)(x.documents > 0 ? x.documents : 0),
                   x.building ? 1 : 0, x.exact ? 1 : 0);
    }
    return buf_error(b) ? 500 : 200;
}
