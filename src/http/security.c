/*
 * security.c - the security headers every response carries.
 *
 * One place, called from server.c for every response Quire queues (pages,
 * assets, errors, http/'s own refusals), so no handler can forget them.
 * They go on every response, not only HTML: on CSS they cost a few bytes,
 * on an SVG or JSON file opened directly they are what keeps a script in
 * it from running as the site.
 *
 * The policy: everything from the site itself; no inline script or style
 * (the theme has none; JSON-LD data blocks are not scripts to CSP);
 * images also from https: and data: URLs, because imported articles embed
 * pictures hosted elsewhere; no plugins; the site may not be framed; forms
 * post only to the site. HSTS only when the journal's base_url is https,
 * for a year, without includeSubDomains (the journal may not own them).
 */
#define LOG_MODULE "http"
#include "http/http_int.h"

#include "core/log.h"

#include <microhttpd.h>
#include <strings.h>

static const struct http_header policy[] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; "
     "img-src 'self' data: https:; font-src 'self'; object-src 'none'; "
     "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "strict-origin-when-cross-origin"},
    {"X-Frame-Options", "DENY"},
};
static const struct http_header hsts = {"Strict-Transport-Security",
                                        "max-age=31536000"};

static bool app_has(const struct response *res, const char *name)
{
    for (size_t i = 0; res && i < res->n_headers; i++)
        if (strcasecmp(res->headers[i].name, name) == 0)
            return true;
    return false;
}

static void add(struct MHD_Response *r, const struct response *res,
                const struct http_header *h)
{
    if (app_has(res, h->name))
        return;
    if (MHD_add_response_header(r, h->name, h->value) != MHD_YES)
        log_warn("security header '%s' refused", h->name);
}

void http_security_headers(struct MHD_Response *r, const struct response *res,
                           bool https)
{
    for (size_t i = 0; i < sizeof(policy) / sizeof(policy[0]); i++)
        add(r, res, &policy[i]);
    if (https)
        add(r, res, &hsts);
}
