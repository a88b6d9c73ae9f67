/*
 * scopes.c - what a list of articles can be narrowed to, found by slug.
 *
 * A feed (or any list) of one section, author or tag starts from the slug
 * in its URL; this turns it into the id store_articles_list takes and the
 * name a page shows. One table of statements, one per enum list_kind that
 * has slugs.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

static const char SQL_SECTION[] =
    "SELECT id, slug, name FROM sections WHERE slug = ?1";
static const char SQL_AUTHOR[] =
    "SELECT id, slug, name FROM authors WHERE slug = ?1";
static const char SQL_TAG[] = "SELECT id, slug, name FROM tags WHERE slug = ?1";

static void scope_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct list_scope *out = elem;
    out->id = sqlite3_column_int64(st, 0);
    out->slug = sdb_col_text(a, st, 1);
    out->name = sdb_col_text(a, st, 2);
}

int store_scope_by_slug(struct store *s, struct arena *a, enum list_kind kind,
                        struct str slug, struct list_scope *out)
{
    const char *sql = kind == LIST_SECTION  ? SQL_SECTION
                      : kind == LIST_AUTHOR ? SQL_AUTHOR
                      : kind == LIST_TAG    ? SQL_TAG
                                            : NULL;
    *out = (struct list_scope){.kind = kind};
    if (!sql)
        return sdb_invalid("scope_by_slug", "kind has no slugs");
    int rc =
        sdb_one(s, a, sql, "scope_by_slug", SDB_TEXT(slug), scope_row, out);
    out->kind = kind;
    return rc;
}
