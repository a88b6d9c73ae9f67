/*
 * redirect.c - 301s for the old URLs of an imported archive.
 *
 * Only reached when no route matched (or for "/" with a query, where
 * WordPress kept ?p=N), so normal pages never pay for it. Two lookups, each
 * one primary-key read: the redirects table by path (then by path and the
 * query without trackers), then the URL's K2/WordPress form
 * (content/legacy_url) through the legacy ids of the import.
 */
#define LOG_MODULE "site"
#include "site/site_int.h"

#include "content/legacy_url.h"
#include "core/arena.h"
#include "store/store.h"

#include <string.h>

enum { QUERY_KEEP_MAX = 1024 };

static int moved(struct request *req, struct response *res, const char *target,
                 const char *suffix)
{
    const char *loc = suffix && *suffix
                          ? arena_printf(req->arena, "%s%s", target, suffix)
                          : target;
    response_header(res, "Location", loc);
    res->cache_control = "max-age=86400";
    return 301;
}

int site_redirect(struct site *s, struct request *req, struct response *res)
{
    const char *target = NULL;
    char q[QUERY_KEEP_MAX];
    size_t qn = legacy_url_clean_query(req->query, q, sizeof(q));
    if (qn != (size_t)-1 && qn > 0) {
        const char *full =
            arena_printf(req->arena, "%.*s?%s", STR_FMT(req->path), q);
        if (store_redirect_get(s->store, req->arena, str_from(full), &target) ==
            0)
            return moved(req, res, target, NULL);
    }
    if (store_redirect_get(s->store, req->arena, req->path, &target) == 0)
        return moved(req, res, target, NULL);
    struct legacy_match m[LEGACY_MATCH_MAX];
    size_t n = legacy_url_match(req->path, req->query, m, LEGACY_MATCH_MAX);
    for (size_t i = 0; i < n; i++)
        if (store_legacy_path(s->store, req->arena, str_from(m[i].key),
                              &target) == 0)
            return moved(req, res, target, m[i].suffix);
    return 0;
}
