/*
 * site_int.h - state and helpers shared by the public handlers.
 */
#ifndef QUIRE_SITE_INT_H
#define QUIRE_SITE_INT_H

#include "http/http.h"
#include "site/site.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct tval;
struct tpl_set;
struct page_cache;
struct hits;
struct hit_counter;
struct side_cache;

struct site {
    struct store *store;
    struct tpl_set *tpl;
    struct page_cache *cache;
    struct hits *hits;
    struct side_cache *side; /* site_context's shared part (side.c) */
    char *assets_dir;
    unsigned hits_flush;
    pthread_t ticker;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
};

enum { SITE_PER_PAGE = 20, SITE_MAX_PAGE = 100000 };

/*
 * site_context returns the map every page template starts from: journal,
 * sections, links, publications, has_* flags. NULL on a store error. The
 * values under those keys are shared by every render of the current cache
 * generation (side.c): add keys to the returned map, never change them.
 */
struct tval *site_context(struct site *s, struct arena *a);
/* side_cache_new/free: site_context's snapshot holder (side.c). */
struct side_cache *side_cache_new(void);
void side_cache_free(struct side_cache *c);
/*
 * site_render renders template name with ctx into a new page set on
 * res->page (splicing the read count of counter, if given). Returns 200,
 * or 500 on a template error.
 */
int site_render(struct site *s, struct response *res, const char *name,
                struct tval *ctx, struct hit_counter *counter);
/* site_page_arg parses ?page=N (1 if absent); 0 if malformed or too big. */
int site_page_arg(const struct request *req);

int site_home(struct request *req, struct response *res, void *ctx);
int site_section(struct request *req, struct response *res, void *ctx);
int site_article(struct request *req, struct response *res, void *ctx);
int site_newsletter(struct request *req, struct response *res, void *ctx);
int site_asset(struct request *req, struct response *res, void *ctx);

#endif
