/*
 * authors.c - reading authors: one by slug (with bio), and the index of
 * authors by name with how many published articles carry each name.
 *
 * An author is counted once per article, co-authored ones included; an
 * author with no published article is not in the index. Their articles
 * are store_articles_list's LIST_AUTHOR.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

static const char SQL_BY_SLUG[] =
    "SELECT id, slug, name, bio FROM authors WHERE slug = ?1";
static const char SQL_COUNT[] =
    SDB_NAMED_COUNT("authors", "article_authors", "author_id");
static const char SQL_PAGE[] =
    SDB_NAMED_PAGE("authors", "article_authors", "author_id");

static void author_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct author *out = elem;
    out->id = sqlite3_column_int64(st, 0);
    out->slug = sdb_col_text(a, st, 1);
    out->name = sdb_col_text(a, st, 2);
    out->bio = sdb_col_text(a, st, 3);
}

static void entry_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct author_entry *out = elem;
    out->author.id = sqlite3_column_int64(st, 0);
    out->author.slug = sdb_col_text(a, st, 1);
    out->author.name = sdb_col_text(a, st, 2);
    out->author.bio = NULL;
    out->articles = sqlite3_column_int64(st, 3);
}

int store_author_by_slug(struct store *s, struct arena *a, struct str slug,
                         struct author *out)
{
    *out = (struct author){0};
    return sdb_one(s, a, SQL_BY_SLUG, "author_by_slug", SDB_TEXT(slug),
                   author_row, out);
}

int store_authors_list(struct store *s, struct arena *a, int limit, int offset,
                       struct author_entry **out, size_t *n, int64_t *total)
{
    return sdb_select_page(s, a, SQL_COUNT, SQL_PAGE, "authors_list", limit,
                           offset, sizeof(**out), entry_row, (void **)out, n,
                           total);
}
