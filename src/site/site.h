/*
 * site.h - the public site: routes, handlers and their shared state.
 *
 * site_app is the http/ application callback. A site owns the compiled
 * theme, the page cache and the read counters, and a small background
 * thread that flushes counters and drops cached pages when another
 * process (the CLI) changed the database.
 */
#ifndef QUIRE_SITE_H
#define QUIRE_SITE_H

#include "core/limits.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

struct request;
struct response;
struct store;
struct site;

struct site_opts {
    struct store *store;
    const char *theme_dir;      /* holds templates/ and assets/ */
    const char *media_dir;      /* the media library's files, served under
                                   /media/; NULL: none */
    size_t upload_max;          /* limits.upload_max, for the back office */
    const char *admin_dir;      /* the back office's folder; NULL: none */
    size_t cache_max;           /* bytes of cached pages in memory */
    const char *cache_disk_dir; /* the cache's files; NULL: no disk tier */
    size_t cache_disk_max;      /* their bytes; 0: no disk tier */
    unsigned hits_flush;        /* seconds between counter flushes */
    size_t search_query_max;    /* bytes of ?q=; 0: LIMIT_SEARCH_QUERY_MAX */
    unsigned search_per_minute; /* per client; 0: LIMIT_SEARCH_PER_MINUTE */
    unsigned search_concurrent; /* at once; 0: LIMIT_SEARCH_CONCURRENT */
    const char *metrics_token;  /* bearer token for /metrics from other
                                   than loopback; NULL or "": none */
    bool no_etags;         /* the static export: pages become files, no ETag is
                              sent, so the pages' bytes are never hashed */
    const char *mail_from; /* mail.mail_from; may be NULL (kept, not copied) */
    unsigned signups_per_client; /* per hour; 0: 10 */
};

/*
 * site_open compiles the theme's templates and starts the background
 * thread. On a template error returns ERR_PARSE with "FILE:LINE: reason"
 * in err; ERR_IO if the theme folder cannot be read.
 */
int site_open(const struct site_opts *o, struct site **out, char *err,
              size_t errlen) WUR;
/* site_close stops the thread, flushes the read counters and frees all. */
void site_close(struct site *s);
/* site_app answers one request (the http_app_fn). */
int site_app(struct request *req, struct response *res, void *ctx);
/* site_is_https: does the journal's base_url start with https://? (the
 * http_flag_fn that turns HSTS on; ctx is the site). Kept current within
 * a second of `quire config set base_url`. */
bool site_is_https(void *ctx);

#endif
