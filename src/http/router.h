/*
 * router.h - match a request against one greppable route table.
 *
 * A pattern is a path of literal segments, "{}" capturing exactly one
 * non-empty segment, and a final "*" capturing the (possibly empty) rest.
 * Captures land in req->params in order. Routes are tried in table order;
 * the first whose pattern and method match wins. A path that matches some
 * pattern under another method is a 405, with the union of allowed
 * methods; a path matching no pattern is a 404. A route allowing GET
 * allows HEAD too.
 */
#ifndef QUIRE_ROUTER_H
#define QUIRE_ROUTER_H

#include "http/http.h"

enum route_flag {
    ROUTE_CACHED = 1, /* public page: served from the page cache */
    ROUTE_FORM = 2,   /* takes an urlencoded form body: the only routes
                         whose handlers can read form fields, and a body
                         of another type to one is refused (415) */
};

struct route {
    unsigned methods; /* HTTP_GET | HTTP_POST ... */
    const char *pattern;
    int (*handler)(struct request *req, struct response *res, void *ctx);
    unsigned flags;
};

/*
 * router_match finds the route for req. Returns 0 and sets *out (and
 * req->params, req->form); ERR_NOT_FOUND for 404; ERR_INVALID for 405,
 * with *allow set to the allowed methods ("GET, HEAD, POST") from
 * req->arena; ERR_PARSE for 415: a ROUTE_FORM route sent a body that is
 * not an urlencoded form.
 */
int router_match(const struct route *routes, size_t n, struct request *req,
                 const struct route **out, const char **allow) WUR;

#endif
