/*
 * side.c - the part of every page's context that no page changes: the
 * journal's settings, the sections of the masthead, and the side modules.
 *
 * Reading and building it was a third of every cold render (four queries,
 * 80 sections of Reuters turned into maps, each URL printed: callgrind,
 * docs/benchmarks.md). It is built once per page-cache generation into an
 * arena of its own and shared, read-only, by every render of that
 * generation; a content change clears the page cache, which moves the
 * generation, so the next page builds a fresh one. A snapshot is
 * reference-counted: each request that uses it holds a reference until its
 * arena is released, so a snapshot replaced mid-render stays valid.
 */
#include "site/site_int.h"

#include "core/arena.h"
#include "core/xalloc.h"
#include "render/cache.h"
#include "render/value.h"
#include "render/view.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdlib.h>

struct side {
    atomic_int refs;
    uint64_t gen;
    struct arena arena;
    struct tval *journal, *sections, *links, *publications;
    bool has_sections, has_links, has_publications;
};

struct side_cache {
    pthread_mutex_t lock;
    struct side *cur; /* one reference held here */
};

static void side_unref(void *p)
{
    struct side *sd = p;
    if (atomic_fetch_sub_explicit(&sd->refs, 1, memory_order_acq_rel) == 1) {
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

struct tval *site_context(struct site *s, struct arena *a)
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

    struct tval *ctx = tv_map(a);
    tv_set(a, ctx, "journal", sd->journal);
    tv_set(a, ctx, "sections", sd->sections);
    tv_set_bool(a, ctx, "has_sections", sd->has_sections);
    /* An empty module is not shown: the has_ flags let templates skip it. */
    tv_set(a, ctx, "links", sd->links);
    tv_set_bool(a, ctx, "has_links", sd->has_links);
    tv_set(a, ctx, "publications", sd->publications);
    tv_set_bool(a, ctx, "has_publications", sd->has_publications);
    return ctx;
}
