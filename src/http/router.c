/*
 * router.c - first-match routing over a static table.
 *
 * Patterns are matched byte by byte against the decoded path: a literal
 * must match exactly, "{}" takes one non-empty segment (up to the next
 * '/'), and a trailing "*" takes the rest, '/' included. The table is tiny
 * and the walk allocates nothing, so a linear scan is the fastest router
 * there is; only a 405 allocates (the Allow value).
 */
#include "http/router.h"

#include "http/http_int.h"

#include "core/arena.h"

#include <assert.h>
#include <string.h>

/* match_pattern: does path match pattern? Captures go to caps/ncaps. */
static bool match_pattern(const char *pattern, struct str path,
                          struct str *caps, size_t *ncaps)
{
    const char *p = pattern;
    size_t i = 0, n = 0;

    while (*p) {
        if (p[0] == '*' && p[1] == '\0') {
            assert(n < HTTP_MAX_PARAMS);
            caps[n++] = (struct str){path.ptr + i, path.len - i};
            i = path.len;
            p++;
            break;
        }
        if (p[0] == '{' && p[1] == '}') {
            size_t start = i;
            while (i < path.len && path.ptr[i] != '/')
                i++;
            if (i == start)
                return false;
            assert(n < HTTP_MAX_PARAMS);
            caps[n++] = (struct str){path.ptr + start, i - start};
            p += 2;
            continue;
        }
        if (i == path.len || path.ptr[i] != *p)
            return false;
        i++;
        p++;
    }
    if (i != path.len)
        return false;
    *ncaps = n;
    return true;
}

static unsigned effective_methods(unsigned methods)
{
    return methods & HTTP_GET ? methods | HTTP_HEAD : methods;
}

static const char *allow_string(struct arena *a, unsigned methods)
{
    static const struct {
        unsigned bit;
        const char *name;
    } order[] = {
        {HTTP_GET, "GET"}, {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},
        {HTTP_PUT, "PUT"}, {HTTP_DELETE, "DELETE"},
    };
    char tmp[64];
    size_t len = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!(methods & order[i].bit))
            continue;
        size_t n = strlen(order[i].name);
        if (len) {
            memcpy(tmp + len, ", ", 2);
            len += 2;
        }
        memcpy(tmp + len, order[i].name, n);
        len += n;
    }
    return arena_strndup(a, tmp, len);
}

int router_match(const struct route *routes, size_t n, struct request *req,
                 const struct route **out, const char **allow)
{
    unsigned allowed = 0;
    struct str caps[HTTP_MAX_PARAMS];
    size_t ncaps;

    for (size_t i = 0; i < n; i++) {
        if (!match_pattern(routes[i].pattern, req->path, caps, &ncaps))
            continue;
        unsigned m = effective_methods(routes[i].methods);
        if (m & (unsigned)req->method) {
            memcpy(req->params, caps, ncaps * sizeof(caps[0]));
            req->n_params = ncaps;
            *out = &routes[i];
            /* Forms are declared per route: a handler elsewhere never
             * reads one, and a form route says so when sent another. */
            req->form = (routes[i].flags & ROUTE_FORM) != 0;
            if (req->form && req->body.len > 0 &&
                !http_is_urlencoded(request_header(req, "Content-Type")))
                return ERR_PARSE;
            return 0;
        }
        allowed |= m;
    }
    if (!allowed)
        return ERR_NOT_FOUND;
    if (allow)
        *allow = allow_string(req->arena, allowed);
    return ERR_INVALID;
}
