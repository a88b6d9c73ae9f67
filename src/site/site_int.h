/*
 * site_int.h - state and helpers shared by the public handlers.
 */
#ifndef QUIRE_SITE_INT_H
#define QUIRE_SITE_INT_H

#include "http/http.h"
#include "site/site.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* Buckets of each rate limit (core/ratelimit.h): 96 KB each. */
enum { SITE_LIMIT_SLOTS = 4096 };

struct tval;
struct tpl_set;
struct page_cache;
struct hits;
struct hit_counter;
struct theme_format;
struct side_cache;

struct site {
    struct store *store;
    struct tpl_set *tpl;
    struct page_cache *cache;
    struct hits *hits;
    struct side_cache *side; /* site_context's shared part (side.c) */
    char *assets_dir;
    char *media_dir;  /* NULL: /media/ answers 404 */
    char asset_v[17]; /* hash of style.css, for ?v= (assets.c) */
    unsigned hits_flush;
    int64_t changes_seq;     /* the change log position at start */
    size_t search_query_max; /* bytes of a search query */
    pthread_t ticker;
    pthread_t indexer; /* keeps the search index (store_search_index_step) */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    /* origin.c: base_url as read in cache generation origin_gen - 1 */
    pthread_mutex_t origin_lock;
    uint64_t origin_gen;
    char *origin_base;        /* heap; NULL when unset */
    struct theme_format *fmt; /* the theme's theme.ini (render/format.h) */
    atomic_bool https;        /* base_url is https (https.c) */
    bool no_etags;            /* site_opts.no_etags */
    const char *mail_from;    /* site_opts.mail_from (Message-ID domain) */
    /* newsletter.c: sign-ups per client address and per target address */
    struct ratelimit *signup_client, *signup_target;
    /* search.c: uncached searches per client, and running now (of max) */
    struct ratelimit *search_client;
    atomic_uint searching;
    unsigned search_concurrent;
    atomic_ullong searches_xapian, searches_fts5; /* answered, by engine */
    struct admin *admin;              /* the back office, or NULL (admin/) */
    const char *metrics_token;        /* site_opts.metrics_token, or NULL */
    atomic_ullong renders, render_us; /* templates rendered, their time */
};

/* ops.c: GET /healthz and GET /metrics. */
int site_healthz(struct request *req, struct response *res, void *ctx);
int site_metrics(struct request *req, struct response *res, void *ctx);

/* api.c: the content API, /api/content/... */
int site_api_articles(struct request *req, struct response *res, void *ctx);
int site_api_article(struct request *req, struct response *res, void *ctx);
int site_api_sections(struct request *req, struct response *res, void *ctx);
int site_api_issues(struct request *req, struct response *res, void *ctx);
int site_api_issue(struct request *req, struct response *res, void *ctx);
int site_api_authors(struct request *req, struct response *res, void *ctx);
int site_api_tags(struct request *req, struct response *res, void *ctx);

enum { SITE_PER_PAGE = 20, SITE_MAX_PAGE = 100000 };

/*
 * site_context returns the map every page template starts from: journal,
 * sections, links, publications, has_* flags. NULL on a store error. The
 * values under those keys are shared by every render of the current cache
 * generation (side.c): add keys to the returned map, never change them.
 */
struct tval *site_context(struct site *s, struct arena *a);
/*
 * site_archive_months gives the months with published articles of year
 * (0: all years), newest first, with counts; shared, read-only, valid
 * until a is released (side.c). 0 or a store error.
 */
struct month_entry;
int site_archive_months(struct site *s, struct arena *a, int year,
                        const struct month_entry **out, size_t *n) WUR;
/* side_cache_new/free: site_context's snapshot holder (side.c). */
struct side_cache *side_cache_new(void);
void side_cache_free(struct side_cache *c);
/*
 * site_want_compressed asks the cache for gzip and brotli variants of p
 * (cached under key) if the client takes them: made in the background, so
 * this answer goes out as it is and the next ones compressed.
 */
void site_want_compressed(struct site *s, const struct request *req,
                          struct str key, struct page *p);
/*
 * site_render renders template name with ctx into a new page set on
 * res->page (splicing the read count of counter, if given). Returns 200,
 * or 500 on a template error.
 */
int site_render(struct site *s, struct response *res, const char *name,
                struct tval *ctx, struct hit_counter *counter);
/*
 * site_render_showing is site_render for a page that shows what the
 * change-log name kind:id names (id < 0: the bare name; see store.h), so
 * the page is dropped from the cache when that changes, and only then.
 */
int site_render_showing(struct site *s, struct response *res, const char *name,
                        struct tval *ctx, const char *kind, int64_t id);
/* site_article_preview renders an unsaved article as its public page
 * would show it (an admin_preview_fn; article.c). Never cached. */
struct article;
int site_article_preview(void *ctx, struct request *req, struct response *res,
                         const struct article *art);
/* site_page_arg parses ?page=N (1 if absent); 0 if malformed or too big. */
int site_page_arg(const struct request *req);
/* site_redirect answers an old URL of an imported archive with 301 and
 * its Location (redirect.c), or returns 0 when it is not one. */
int site_redirect(struct site *s, struct request *req, struct response *res);

/* site_https_refresh rereads base_url for site_is_https (https.c). */
void site_https_refresh(struct site *s);

int site_home(struct request *req, struct response *res, void *ctx);
int site_section(struct request *req, struct response *res, void *ctx);
int site_article(struct request *req, struct response *res, void *ctx);
int site_newsletter(struct request *req, struct response *res, void *ctx);
/* newsletter.c: /newsletter/confirm/<token>, /newsletter/unsubscribe/<token>
 * (GET shows a button, POST acts). */
int site_newsletter_confirm(struct request *req, struct response *res,
                            void *ctx);
int site_newsletter_unsubscribe(struct request *req, struct response *res,
                                void *ctx);
int site_asset(struct request *req, struct response *res, void *ctx);
int site_media(struct request *req, struct response *res, void *ctx);
/* site_assets_fingerprint hashes the theme's style.css into s->asset_v. */
void site_assets_fingerprint(struct site *s);
/* The reader's lists: issue.c, author.c, tag.c, archive.c, most_read.c. */
int site_issues(struct request *req, struct response *res, void *ctx);
int site_issue(struct request *req, struct response *res, void *ctx);
int site_authors(struct request *req, struct response *res, void *ctx);
int site_author(struct request *req, struct response *res, void *ctx);
int site_tags(struct request *req, struct response *res, void *ctx);
int site_tag(struct request *req, struct response *res, void *ctx);
/* places.c: countries and organizations */
int site_countries(struct request *req, struct response *res, void *ctx);
int site_country(struct request *req, struct response *res, void *ctx);
int site_organizations(struct request *req, struct response *res, void *ctx);
int site_organization(struct request *req, struct response *res, void *ctx);
int site_place_feed(struct request *req, struct response *res, void *ctx);
/* relations.c */
int site_relations(struct request *req, struct response *res, void *ctx);
int site_relation(struct request *req, struct response *res, void *ctx);
int site_archive(struct request *req, struct response *res, void *ctx);
int site_archive_year(struct request *req, struct response *res, void *ctx);
int site_archive_month(struct request *req, struct response *res, void *ctx);
int site_most_read(struct request *req, struct response *res, void *ctx);
int site_most_read_30(struct request *req, struct response *res, void *ctx);

/* Search (search.c): /search?q=...&section=&author=&year=&page=. */
int site_search(struct request *req, struct response *res, void *ctx);

/* Citations. site_cite_journal gives the journal's name and base URL for
 * render/cite from the shared snapshot (side.c; 0, or a store error).
 * site_article_cite (cite.c) answers /articles/<slug>.<ext> for ext bib,
 * ris or json (else 404). */
struct cite_journal;
int site_cite_journal(struct site *s, struct arena *a,
                      struct cite_journal *j) WUR;
int site_article_cite(struct request *req, struct response *res, struct site *s,
                      struct str slug, struct str ext);

/* --- feeds, sitemap, robots.txt (origin.c, feeds.c, sitemap.c) --- */

/*
 * site_origin is the absolute "scheme://host[:port]" to build public URLs
 * from: the base_url setting, else a well-formed Host header, else
 * http://localhost. From req->arena; NULL on a store error.
 */
const char *site_origin(struct site *s, const struct request *req);
/* site_host_ok: is host a plain "name[:port]" fit to put in a URL? */
bool site_host_ok(const char *host);
/* /feed.{atom,rss,json} and the same under /sections|authors|tags/<slug>/ */
int site_feed(struct request *req, struct response *res, void *ctx);
/* /sitemap.xml (a urlset, or an index when large) and /sitemap-<n>.xml */
int site_sitemap(struct request *req, struct response *res, void *ctx);
int site_sitemap_part(struct request *req, struct response *res, void *ctx);
int site_robots(struct request *req, struct response *res, void *ctx);

#endif
