/*
 * memo.c - a reader's memo of the last article read by slug, for a thread
 * that renders many pages in one held snapshot: the static export renders
 * an article page and then, on the same worker, its three citation files
 * (.bib, .ris, .json), each of which read the same article again (about
 * 9 % of the export).
 *
 * Design. store_read_memo turns it on for this thread's reader until the
 * hold it was called in ends (store_read_release drops it). The snapshot
 * cannot change during the hold, so a hit is exactly what SQLite would
 * answer. It keeps one article, deep-copied into its own arena, and hands
 * out deep copies in the caller's arena: a caller's article stays valid
 * until its own arena goes, whatever is read after it.
 *
 * Invariants: only a reader holding a snapshot has a memo (c->hold > 0);
 * reads made inside store_begin go to the writer and never see it. The
 * server never turns it on: a citation served live reads the article.
 */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct sdb_memo {
    struct arena a; /* slug and art; reset when another article comes */
    bool full;      /* slug, drafts and art hold an article */
    struct str slug;
    bool drafts;
    struct article art;
};

/* dup copies s into a; NULL stays NULL. */
static const char *dup(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

/* copy_article deep-copies src into dst, every string from a. */
static void copy_article(struct arena *a, struct article *dst,
                         const struct article *src)
{
    *dst = *src;
    dst->slug = dup(a, src->slug);
    dst->title = dup(a, src->title);
    dst->summary = dup(a, src->summary);
    dst->body_md = dup(a, src->body_md);
    dst->body_html = dup(a, src->body_html);
    dst->section.slug = dup(a, src->section.slug);
    dst->section.name = dup(a, src->section.name);
    dst->issue.date = dup(a, src->issue.date);
    dst->issue.title = dup(a, src->issue.title);
    dst->authors = NULL;
    dst->tags = NULL;
    if (src->n_authors) {
        dst->authors = arena_alloc(a, src->n_authors * sizeof(*dst->authors));
        for (size_t i = 0; i < src->n_authors; i++) {
            const struct author *f = &src->authors[i];
            dst->authors[i] = (struct author){f->id, dup(a, f->slug),
                                              dup(a, f->name), dup(a, f->bio)};
        }
    }
    if (src->n_tags) {
        dst->tags = arena_alloc(a, src->n_tags * sizeof(*dst->tags));
        for (size_t i = 0; i < src->n_tags; i++) {
            const struct tag *f = &src->tags[i];
            dst->tags[i] = (struct tag){f->id, dup(a, f->slug), dup(a, f->name)};
        }
    }
}

void store_read_memo(struct store *s)
{
    struct conn *c = pthread_getspecific(s->tkey);
    if (!c || c->hold == 0 || c->memo)
        return;
    c->memo = xcalloc(1, sizeof(*c->memo));
    arena_init(&c->memo->a, 16 * 1024);
}

bool sdb_memo_get(struct conn *c, struct arena *a, struct str slug,
                  bool drafts, struct article *out)
{
    const struct sdb_memo *m = c->memo;
    if (!m || !m->full || c->hold == 0 || m->drafts != drafts ||
        !str_eq(m->slug, slug))
        return false;
    copy_article(a, out, &m->art);
    return true;
}

void sdb_memo_put(struct conn *c, struct str slug, bool drafts,
                  const struct article *art)
{
    struct sdb_memo *m = c->memo;
    if (!m || c->hold == 0)
        return;
    arena_reset(&m->a);
    m->slug = (struct str){arena_strndup(&m->a, slug.ptr, slug.len), slug.len};
    m->drafts = drafts;
    copy_article(&m->a, &m->art, art);
    m->full = true;
}

void sdb_memo_free(struct conn *c)
{
    if (!c->memo)
        return;
    arena_release(&c->memo->a);
    free(c->memo);
    c->memo = NULL;
}
