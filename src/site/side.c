/*
 * side.c - what every render of one cache generation shares: the part of
 * every page's context that no page changes (the journal's settings, the
 * sections of the masthead, the side modules), the journal's name and
 * base URL for citations, and the archive's months with their counts.
 *
 * Reading and building it was a third of every cold render (four queries,
 * 80 sections of Reuters turned into maps, each URL printed: callgrind,
 * docs/benchmarks.md). It is built once per page-cache generation into an
 * arena of its own and shared, read-only, by every render of that
 * generation; a content change clears the page cache, which moves the
 * generation, so the next page builds a fresh one. A snapshot is
 * reference-counted: each request that uses it holds a reference until its
 * arena is released, so a snapshot replaced mid-render stays valid.
 *
 * The archive's months (one aggregate over every article, 7 ms on Reuters)
 * were counted again by each of the 754 pages of a year's archive; they
 * are counted once per snapshot, when a page first asks.
 */
#include "site/site_int.h"

#include "core/arena.h"
#include "core/xalloc.h"
#include "render/cache.h"
#include "render/cite.h"
#include "render/value.h"
#include "render/view.h"
#include "site/pictures.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct side {
    atomic_int refs;
    uint64_t gen;
    struct arena arena;
    struct tval *journal, *sections, *links, *publications;
    bool has_sections, has_links, has_publications;
    struct cite_journal cite;
    pthread_mutex_t months_lock; /* guards the three below */
    bool has_months;
    struct month_entry *months; /* every month with articles, newest first */
    size_t nmonths;
};

struct side_cache {
    pthread_mutex_t lock;
    struct side *cur; /* one reference held here */
};

static void side_unref(void *p)
{
    struct side *sd = p;
    if (atomic_fetch_sub_explicit(&sd->refs, 1, memory_order_acq_rel) == 1) {
        pthread_mutex_destroy(&sd->months_lock);
        arena_release(&sd->arena);
        free(sd);
    }
}

static struct side *side_build(struct site *s, uint64_t gen)
{
    struct side *sd = xcalloc(1, sizeof(*sd));
    struct arena *a = &sd->arena;
    struct setting *set;
    struct section *sec;
    struct link *links;
    struct publication *pubs;
    size_t nset, nsec, nlinks, npubs;

    arena_init(a, 16 * 1024);
    atomic_init(&sd->refs, 1);
    pthread_mutex_init(&sd->months_lock, NULL);
    sd->gen = gen;
    if (store_settings_list(s->store, a, &set, &nset) != 0 ||
        store_sections_list(s->store, a, &sec, &nsec) != 0 ||
        store_links_list(s->store, a, &links, &nlinks) != 0 ||
        store_publications_list(s->store, a, &pubs, &npubs) != 0) {
        side_unref(sd);
        return NULL;
    }
    sd->journal = view_journal(a, set, nset);
    sd->sections = view_sections(a, sec, nsec);
    sd->has_sections = nsec > 0;
    sd->links = view_links(a, links, nlinks);
    sd->has_links = nlinks > 0;
    sd->publications = view_publications(a, pubs, npubs);
    sd->has_publications = npubs > 0;
    /* Logos and covers: looked up once per snapshot, not per page. */
    site_side_pictures(s->store, a, links, nlinks, sd->links, pubs, npubs,
                       sd->publications);
    const char *base = NULL;
    for (size_t i = 0; i < nset; i++) {
        if (strcmp(set[i].key, "name") == 0)
            sd->cite.name = set[i].value;
        else if (strcmp(set[i].key, "base_url") == 0)
            base = set[i].value;
    }
    sd->cite.base_url = cite_base_url(a, base);
    return sd;
}

struct side_cache *side_cache_new(void)
{
    struct side_cache *c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void side_cache_free(struct side_cache *c)
{
    if (!c)
        return;
    if (c->cur)
        side_unref(c->cur);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* side_get returns the current snapshot, referenced until a is released. */
static struct side *side_get(struct site *s, struct arena *a)
{
    struct side_cache *c = s->side;
    uint64_t gen = cache_generation(s->cache);
    pthread_mutex_lock(&c->lock);
    if (!c->cur || c->cur->gen != gen) {
        struct side *sd = side_build(s, gen);
        if (!sd) {
            pthread_mutex_unlock(&c->lock);
            return NULL;
        }
        if (c->cur)
            side_unref(c->cur);
        c->cur = sd;
    }
    struct side *sd = c->cur;
    atomic_fetch_add_explicit(&sd->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&c->lock);
    arena_defer(a, side_unref, sd);
    return sd;
}

struct tval *site_context(struct site *s, struct arena *a)
{
    struct side *sd = side_get(s, a);
    if (!sd)
        return NULL;
    struct tval *ctx = tv_map(a);
    tv_set(a, ctx, "journal", sd->journal);
    tv_set_str(a, ctx, "asset_v", s->asset_v);
    tv_set(a, ctx, "sections", sd->sections);
    tv_set_bool(a, ctx, "has_sections", sd->has_sections);
    /* An empty module is not shown: the has_ flags let templates skip it. */
    tv_set(a, ctx, "links", sd->links);
    tv_set_bool(a, ctx, "has_links", sd->has_links);
    tv_set(a, ctx, "publications", sd->publications);
    tv_set_bool(a, ctx, "has_publications", sd->has_publications);
    return ctx;
}

int site_cite_journal(struct site *s, struct arena *a, struct cite_journal *j)
{
    struct side *sd = side_get(s, a);
    if (!sd)
        return ERR_DB;
    *j = sd->cite;
    return 0;
}

int site_archive_months(struct site *s, struct arena *a, int year,
                        const struct month_entry **out, size_t *n)
{
    struct side *sd = side_get(s, a);
    if (!sd)
        return ERR_DB;
    int rc = 0;
    pthread_mutex_lock(&sd->months_lock);
    if (!sd->has_months) {
        rc = store_archive_months(s->store, &sd->arena, INT64_MIN, INT64_MAX,
                                  &sd->months, &sd->nmonths);
        sd->has_months = rc == 0;
    }
    pthread_mutex_unlock(&sd->months_lock);
    if (rc != 0)
        return rc;
    /* Newest first: a year's months are one run. */
    size_t i = 0;
    while (year && i < sd->nmonths && sd->months[i].year > year)
        i++;
    size_t end = i;
    while (end < sd->nmonths && (!year || sd->months[end].year == year))
        end++;
    *out = sd->months + i;
    *n = end - i;
    return 0;
}
