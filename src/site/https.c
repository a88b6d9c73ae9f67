/*
 * https.c - is the journal served over https? (for HSTS)
 *
 * http/ asks for every response, so the answer is a flag read without a
 * lock or a query; it is set from the base_url setting when the site opens
 * and again whenever another process changes the database (site.c's
 * ticker), which is how `quire config set base_url` reaches a running
 * server.
 */
#define LOG_MODULE "site"
#include "site/site_int.h"

#include "core/arena.h"
#include "store/store.h"

#include <string.h>

void site_https_refresh(struct site *s)
{
    struct arena a;
    const char *url = NULL;
    arena_init(&a, 1024);
    bool https = store_setting_get(s->store, &a, "base_url", &url) == 0 &&
                 url && strncmp(url, "https://", 8) == 0;
    atomic_store(&s->https, https);
    arena_release(&a);
}

bool site_is_https(void *ctx)
{
    struct site *s = ctx;
    return atomic_load(&s->https);
}
