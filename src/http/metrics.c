/*
 * metrics.c - what the HTTP server counts, for GET /metrics.
 *
 * Process-wide atomic counters (one server per process): requests by route
 * class and status class, a latency histogram, bytes sent, open
 * connections and 408 drops. The route class is the path's first segment
 * from a fixed list, so a flood of random URLs cannot grow the label set.
 * /healthz is never counted (a load balancer's probes are not traffic).
 */
#include "http/http.h"

#include <stdatomic.h>
#include <string.h>

static const char *const route_classes[] = {
    "home",    "articles",  "sections",   "issues", "authors", "tags",
    "archive", "most-read", "search",     "assets", "feeds",   "sitemap",
    "api",     "metrics",   "newsletter", "other"};
enum { NCLASS = sizeof(route_classes) / sizeof(route_classes[0]) };
static const char *const status_classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
enum { NSTATUS = 5 };
/* Upper bounds of the latency buckets, seconds (then +Inf). */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                 0.025,  0.05,  0.1,    0.25,  0.5,
                                 1,      2.5,   5,      10};
enum { NBUCKET = sizeof(buckets) / sizeof(buckets[0]) };

static atomic_ullong requests[NCLASS][NSTATUS];
static atomic_ullong latency[NBUCKET + 1]; /* not cumulative; +Inf last */
static atomic_ullong latency_sum_us;
static atomic_ullong bytes_sent;
static atomic_llong connections;
static atomic_ullong timeouts;

static int route_class(struct str path)
{
    if (path.len <= 1)
        return 0;
    if (memmem(path.ptr, path.len, "/feed.", 6))
        return 10;
    const char *seg = path.ptr + 1;
    size_t n = 0;
    while (n < path.len - 1 && seg[n] != '/')
        n++;
    for (int i = 1; i < NCLASS - 1; i++)
        if (strlen(route_classes[i]) == n &&
            memcmp(route_classes[i], seg, n) == 0)
            return i;
    if (n >= 7 && memcmp(seg, "sitemap", 7) == 0)
        return 11;
    return NCLASS - 1;
}

bool http_metrics_is_health(struct str path)
{
    return path.len == 8 && memcmp(path.ptr, "/healthz", 8) == 0;
}

void http_metrics_request(struct str path, int status, uint64_t bytes,
                          double seconds)
{
    if (http_metrics_is_health(path))
        return;
    int s = status >= 100 && status < 600 ? status / 100 - 1 : 4;
    atomic_fetch_add(&requests[route_class(path)][s], 1);
    int b = 0;
    while (b < NBUCKET && seconds > buckets[b])
        b++;
    atomic_fetch_add(&latency[b], 1);
    atomic_fetch_add(&latency_sum_us,
                     (unsigned long long)(seconds * 1e6 + 0.5));
    atomic_fetch_add(&bytes_sent, bytes);
}

void http_metrics_connection(int delta)
{
    atomic_fetch_add(&connections, delta);
}

void http_metrics_timeout(void)
{
    atomic_fetch_add(&timeouts, 1);
}

void http_metrics_write(struct buf *b)
{
    buf_append_cstr(b, "# HELP quire_http_requests_total HTTP requests "
                       "answered, by route class and status class.\n"
                       "# TYPE quire_http_requests_total counter\n");
    for (int i = 0; i < NCLASS; i++)
        for (int s = 0; s < NSTATUS; s++) {
            unsigned long long n = atomic_load(&requests[i][s]);
            if (n)
                buf_printf(b,
                           "quire_http_requests_total{route=\"%s\","
                           "status=\"%s\"} %llu\n",
                           route_classes[i], status_classes[s], n);
        }
    buf_append_cstr(b, "# HELP quire_http_request_duration_seconds Time "
                       "from request line to response queued.\n"
                       "# TYPE quire_http_request_duration_seconds "
                       "histogram\n");
    unsigned long long cum = 0;
    for (int i = 0; i <= NBUCKET; i++) {
        cum += atomic_load(&latency[i]);
        if (i < NBUCKET)
            buf_printf(b,
                       "quire_http_request_duration_seconds_bucket"
                       "{le=\"%g\"} %llu\n",
                       buckets[i], cum);
        else
            buf_printf(b,
                       "quire_http_request_duration_seconds_bucket"
                       "{le=\"+Inf\"} %llu\n",
                       cum);
    }
    buf_printf(b,
               "quire_http_request_duration_seconds_sum %.6f\n"
               "quire_http_request_duration_seconds_count %llu\n",
               (double)atomic_load(&latency_sum_us) / 1e6, cum);
    buf_printf(b,
               "# HELP quire_http_response_bytes_total Bytes of "
               "responses sent.\n"
               "# TYPE quire_http_response_bytes_total counter\n"
               "quire_http_response_bytes_total %llu\n",
               atomic_load(&bytes_sent));
    buf_printf(b,
               "# HELP quire_http_open_connections Connections open "
               "now.\n# TYPE quire_http_open_connections gauge\n"
               "quire_http_open_connections %lld\n",
               atomic_load(&connections));
    buf_printf(b,
               "# HELP quire_http_request_timeouts_total Slow clients "
               "answered 408 and dropped.\n"
               "# TYPE quire_http_request_timeouts_total counter\n"
               "quire_http_request_timeouts_total %llu\n",
               atomic_load(&timeouts));
}
