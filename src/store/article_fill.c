/*
 * article_fill.c - the bodies and tags of a list of articles, for feeds.
 *
 * store_articles_list leaves bodies out (list pages never show them) and
 * tags (list pages do not show them either). A feed shows both for its 20
 * entries, so this fills them in afterwards: one query for every body and
 * one for every tag, whatever the number of articles. The ids travel as
 * one JSON array bound to one parameter (SQLite's json_each), so the two
 * statements are fixed texts that the statement cache keeps.
 *
 * An article that vanished between the list and the fill keeps a NULL
 * body and no tags; callers treat that as "no full text".
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"
#include "core/buf.h"

#include <stdlib.h>

static const char SQL_BODIES[] =
    "SELECT id, body_html FROM articles"
    " WHERE id IN (SELECT value FROM json_each(?1))";
static const char SQL_TAGS[] =
    "SELECT at.article_id, t.id, t.slug, t.name FROM article_tags at"
    " JOIN tags t ON t.id = at.tag_id"
    " WHERE at.article_id IN (SELECT value FROM json_each(?1))"
    " ORDER BY at.article_id, at.position";

/* find returns the article with id, or NULL (n is at most a page). */
static struct article *find(struct article *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].id == id)
            return &v[i];
    return NULL;
}

static int fill_bodies(struct conn *c, struct arena *a, const char *ids,
                       struct article *v, size_t n)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_BODIES);
    if (!st)
        return ERR_DB;
    int rc;
    if (sdb_bind_text(st, 1, ids) != SQLITE_OK) {
        rc = sdb_fail(c, "articles_fill: bodies");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "articles_fill: bodies");
        if (rc != 1)
            break;
        struct article *art = find(v, n, sqlite3_column_int64(st, 0));
        if (art)
            art->body_html = sdb_col_text(a, st, 1);
    }
out:
    sdb_done(st);
    return rc;
}

static int fill_tags(struct conn *c, struct arena *a, const char *ids,
                     struct article *v, size_t n)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_TAGS);
    if (!st)
        return ERR_DB;
    size_t *cap = arena_zalloc(a, n * sizeof(*cap));
    int rc;
    if (sdb_bind_text(st, 1, ids) != SQLITE_OK) {
        rc = sdb_fail(c, "articles_fill: tags");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "articles_fill: tags");
        if (rc != 1)
            break;
        struct article *art = find(v, n, sqlite3_column_int64(st, 0));
        if (!art)
            continue;
        size_t i = (size_t)(art - v);
        art->tags =
            sdb_grow(a, art->tags, art->n_tags, &cap[i], sizeof(*art->tags));
        struct tag *t = &art->tags[art->n_tags++];
        t->id = sqlite3_column_int64(st, 1);
        t->slug = sdb_col_text(a, st, 2);
        t->name = sdb_col_text(a, st, 3);
    }
out:
    sdb_done(st);
    return rc;
}

int store_articles_fill(struct store *s, struct arena *a, struct article *v,
                        size_t n)
{
    if (n == 0)
        return 0;
    if (n > STORE_FILL_MAX)
        return sdb_invalid("articles_fill", "too many articles");
    struct buf ids;
    buf_init_arena(&ids, a, 32 * STORE_FILL_MAX);
    buf_append_char(&ids, '[');
    for (size_t i = 0; i < n; i++) {
        v[i].body_html = NULL;
        v[i].tags = NULL;
        v[i].n_tags = 0;
        buf_printf(&ids, "%s%lld", i ? "," : "", (long long)v[i].id);
    }
    buf_append_char(&ids, ']');
    if (buf_error(&ids))
        return sdb_invalid("articles_fill", "id list too long");

    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = fill_bodies(c, a, ids.ptr, v, n);
    if (rc == 0)
        rc = fill_tags(c, a, ids.ptr, v, n);
    sdb_read_end(s, c);
    return rc;
}
