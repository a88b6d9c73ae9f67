/*
 * assets.c - the theme's static files under /assets/, and the media
 * library's under /media/ (content-addressed names, so the immutable
 * caching static_serve gives them is always right).
 */
#include "http/static.h"
#include "site/site_int.h"

int site_asset(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    return static_serve(req, res, s->assets_dir, req->params[0]);
}

int site_media(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    if (!s->media_dir)
        return 404;
    return static_serve(req, res, s->media_dir, req->params[0]);
}
