/*
 * assets.c - the theme's static files under /assets/.
 */
#include "http/static.h"
#include "site/site_int.h"

int site_asset(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    return static_serve(req, res, s->assets_dir, req->params[0]);
}
