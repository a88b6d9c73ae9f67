/*
 * assets.c - the theme's static files under /assets/, and the media
 * library's under /media/ (content-addressed names, so the immutable
 * caching static_serve gives them is always right).
 *
 * The theme's files are cached for a year as immutable too, which is
 * only safe if their URL changes when they do: templates link them as
 * /assets/style.css?v={{asset_v}}, asset_v being a hash of style.css
 * taken when the server starts (a theme change needs a restart anyway).
 */
#include "http/static.h"
#include "site/site_int.h"

#include <stdint.h>
#include <stdio.h>

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

/* FNV-1a: not for security, only to tell one stylesheet from the next. */
static uint64_t fnv1a64(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

void site_assets_fingerprint(struct site *s)
{
    char path[4096];
    unsigned char buf[8192];
    uint64_t h = 0xcbf29ce484222325ull;
    snprintf(path, sizeof(path), "%s/style.css", s->assets_dir);
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            h = fnv1a64(buf, n, h);
        fclose(f);
    }
    snprintf(s->asset_v, sizeof(s->asset_v), "%016llx", (unsigned long long)h);
}
