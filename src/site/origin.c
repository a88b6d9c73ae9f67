/*
 * origin.c - the absolute origin ("https://journal.example") that feeds,
 * the sitemap and robots.txt build their URLs from.
 *
 * The journal setting base_url wins. When it is unset (or empty) the
 * request's Host header is used, but only when it is a plain host[:port]
 * (a DNS name, IPv4 or bracketed IPv6 literal, and a port in 1..65535);
 * anything else becomes http://localhost, so a forged Host cannot put
 * markup or another scheme into a feed. Without base_url the scheme is
 * always http: a proxy terminating TLS should set base_url.
 *
 * Pages that carry absolute URLs are cached per origin (site.c puts the
 * origin into their cache key). With base_url set there is one origin, so
 * a flood of made-up Host headers cannot fill the cache with copies.
 *
 * base_url is read from the store once per cache generation: whatever
 * changes it (the CLI) also clears the cache, so a cache hit never costs
 * a query and a new value is seen as soon as the pages are.
 */
#include "site/site_int.h"

#include "core/arena.h"
#include "core/xalloc.h"
#include "render/cache.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

enum { HOST_MAX = 255 };

static bool dns_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool v6_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

bool site_host_ok(const char *host)
{
    if (!host)
        return false;
    size_t n = strlen(host), i = 0;
    if (n == 0 || n > HOST_MAX)
        return false;
    if (host[0] == '[') {
        for (i = 1; i < n && v6_char(host[i]); i++)
            ;
        if (i < 3 || i == n || host[i] != ']')
            return false;
        i++;
    } else {
        for (; i < n && dns_char(host[i]); i++)
            ;
        if (i == 0 || host[0] == '.' || host[0] == '-' || host[i - 1] == '-' ||
            memmem(host, i, "..", 2))
            return false;
    }
    if (i == n)
        return true;
    if (host[i] != ':' || n - i - 1 < 1 || n - i - 1 > 5)
        return false;
    long port = 0;
    for (size_t k = i + 1; k < n; k++) {
        if (host[k] < '0' || host[k] > '9')
            return false;
        port = port * 10 + (host[k] - '0');
    }
    return port >= 1 && port <= 65535;
}

/* configured returns base_url for this cache generation (NULL: unset). */
static int configured(struct site *s, struct arena *a, const char **out)
{
    uint64_t gen = cache_generation(s->cache) + 1; /* 0 means "not read" */
    pthread_mutex_lock(&s->origin_lock);
    if (s->origin_gen == gen) {
        *out = s->origin_base ? arena_strdup(a, s->origin_base) : NULL;
        pthread_mutex_unlock(&s->origin_lock);
        return 0;
    }
    pthread_mutex_unlock(&s->origin_lock);

    const char *v = NULL;
    int rc = store_setting_get(s->store, a, "base_url", &v);
    if (rc == ERR_NOT_FOUND || (rc == 0 && !*v))
        v = NULL;
    else if (rc != 0)
        return rc;
    pthread_mutex_lock(&s->origin_lock);
    free(s->origin_base);
    s->origin_base = v ? xstrdup(v) : NULL;
    s->origin_gen = gen;
    pthread_mutex_unlock(&s->origin_lock);
    *out = v;
    return 0;
}

const char *site_origin(struct site *s, const struct request *req)
{
    const char *base;
    if (configured(s, req->arena, &base) != 0)
        return NULL;
    if (base)
        return base;
    const char *host = request_header(req, "Host");
    if (!site_host_ok(host))
        return "http://localhost";
    char *h = arena_printf(req->arena, "http://%s", host);
    for (char *p = h; *p; p++) /* hosts are case-insensitive: one key */
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return h;
}
