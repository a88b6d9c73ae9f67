/*
 * memo.c - a reader's memo for a thread that renders many pages in one
 * held snapshot (the static export): the last article read by slug, as an
 * article page is followed, on the same worker, by its three citation
 * files (.bib, .ris, .json), each of which read the same article again
 * (about 9 % of the export); and the rows of related articles with their
 * bylines, by id, as neighbouring articles share most of their related
 * articles (94 % hits with 256 rows, over the Reuters corpus).
 *
 * Design. store_read_memo turns it on for this thread's reader until the
 * hold it was called in ends (store_read_release drops it). The snapshot
 * cannot change during the hold, so a hit is exactly what SQLite would
 * answer. Each remembered article is deep-copied into an arena of its own
 * (the one by slug; one per slot of a direct-mapped table of rows), and
 * hits are deep copies in the caller's arena: a caller's article stays
 * valid until its own arena goes, whatever is read after it.
 *
 * Invariants: only a reader holding a snapshot has a memo (c->hold > 0);
 * reads made inside store_begin go to the writer and never see it. The
 * server never turns it on: a citation served live reads the article.
 */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/nocache.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#ifndef MEMO_ROWS_BITS    /* tests/unit/related_test.c makes ids collide */
#define MEMO_ROWS_BITS 11 /* 2,048 rows, a few MB per worker */
#endif

struct memo_row {
    struct arena a;     /* art's strings; reset when another comes */
    struct article art; /* art.id 0: empty */
};

struct sdb_memo {
    struct arena a; /* slug and art; reset when another article comes */
    bool full;      /* slug, drafts and art hold an article */
    struct str slug;
    bool drafts;
    struct article art;
    struct memo_row *rows; /* by id, direct-mapped; NULL until used */
};

/* memo_dup copies s into a; NULL stays NULL. */
static const char *memo_dup(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

/* copy_article deep-copies src into dst, every string from a. */
static void copy_article(struct arena *a, struct article *dst,
                         const struct article *src)
{
    *dst = *src;
    dst->slug = memo_dup(a, src->slug);
    dst->title = memo_dup(a, src->title);
    dst->summary = memo_dup(a, src->summary);
    dst->body_md = memo_dup(a, src->body_md);
    dst->body_html = memo_dup(a, src->body_html);
    dst->section.slug = memo_dup(a, src->section.slug);
    dst->section.name = memo_dup(a, src->section.name);
    dst->issue.date = memo_dup(a, src->issue.date);
    dst->issue.title = memo_dup(a, src->issue.title);
    dst->authors = NULL;
    dst->tags = NULL;
    if (src->n_authors) {
        dst->authors = arena_alloc(a, src->n_authors * sizeof(*dst->authors));
        for (size_t i = 0; i < src->n_authors; i++) {
            const struct author *f = &src->authors[i];
            dst->authors[i] = (struct author){f->id, memo_dup(a, f->slug),
                                              memo_dup(a, f->name),
                                              memo_dup(a, f->bio)};
        }
    }
    if (src->n_tags) {
        dst->tags = arena_alloc(a, src->n_tags * sizeof(*dst->tags));
        for (size_t i = 0; i < src->n_tags; i++) {
            const struct tag *f = &src->tags[i];
            dst->tags[i] =
                (struct tag){f->id, memo_dup(a, f->slug), memo_dup(a, f->name)};
        }
    }
}

void store_read_memo(struct store *s)
{
    struct conn *c = pthread_getspecific(s->tkey);
    if (!c || c->hold == 0 || c->memo || nocache_on())
        return;
    c->memo = xcalloc(1, sizeof(*c->memo));
    arena_init(&c->memo->a, 16 * 1024);
}

bool sdb_memo_get(struct conn *c, struct arena *a, struct str slug, bool drafts,
                  struct article *out)
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
    arena_release(&m->a);
    m->slug = (struct str){arena_strndup(&m->a, slug.ptr, slug.len), slug.len};
    m->drafts = drafts;
    copy_article(&m->a, &m->art, art);
    m->full = true;
}

/* row_slot is id's slot in m's rows (Fibonacci hashing of the id). */
static struct memo_row *row_slot(struct sdb_memo *m, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return &m->rows[h >> (64 - MEMO_ROWS_BITS)];
}

bool sdb_memo_row_get(struct conn *c, struct arena *a, int64_t id,
                      struct article *out)
{
    struct sdb_memo *m = c->memo;
    if (!m || !m->rows || c->hold == 0 || id == 0)
        return false;
    const struct memo_row *r = row_slot(m, id);
    if (r->art.id != id)
        return false;
    copy_article(a, out, &r->art);
    return true;
}

void sdb_memo_row_put(struct conn *c, const struct article *art)
{
    struct sdb_memo *m = c->memo;
    if (!m || c->hold == 0 || art->id == 0)
        return;
    if (!m->rows) {
        m->rows = xcalloc((size_t)1 << MEMO_ROWS_BITS, sizeof(*m->rows));
        for (size_t i = 0; i < (size_t)1 << MEMO_ROWS_BITS; i++)
            arena_init(&m->rows[i].a, 1024);
    }
    struct memo_row *r = row_slot(m, art->id);
    arena_release(&r->a);
    copy_article(&r->a, &r->art, art);
}

void sdb_memo_free(struct conn *c)
{
    if (!c->memo)
        return;
    if (c->memo->rows) {
        for (size_t i = 0; i < (size_t)1 << MEMO_ROWS_BITS; i++)
            arena_release(&c->memo->rows[i].a);
        free(c->memo->rows);
    }
    arena_release(&c->memo->a);
    free(c->memo);
    c->memo = NULL;
}
