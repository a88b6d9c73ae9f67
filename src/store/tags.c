/*
 * tags.c - reading tags: one by slug, and the index of tags by name with
 * how many published articles carry each. A tag on drafts only is not in
 * the index. A tag's articles are store_articles_list's LIST_TAG.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

static const char SQL_BY_SLUG[] =
    "SELECT id, slug, name FROM tags WHERE slug = ?1";
static const char SQL_COUNT[] =
    SDB_NAMED_COUNT("tags", "article_tags", "tag_id");
static const char SQL_PAGE[] = SDB_NAMED_PAGE("tags", "article_tags", "tag_id");

static void tag_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct tag *out = elem;
    out->id = sqlite3_column_int64(st, 0);
    out->slug = sdb_col_text(a, st, 1);
    out->name = sdb_col_text(a, st, 2);
}

static void entry_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct tag_entry *out = elem;
    tag_row(a, st, &out->tag);
    out->articles = sqlite3_column_int64(st, 3);
}

int store_tag_by_slug(struct store *s, struct arena *a, struct str slug,
                      struct tag *out)
{
    *out = (struct tag){0};
    return sdb_one(s, a, SQL_BY_SLUG, "tag_by_slug", SDB_TEXT(slug), tag_row,
                   out);
}

int store_tags_list(struct store *s, struct arena *a, int limit, int offset,
                    struct tag_entry **out, size_t *n, int64_t *total)
{
    return sdb_select_page(s, a, SQL_COUNT, SQL_PAGE, "tags_list", limit,
                           offset, sizeof(**out), entry_row, (void **)out, n,
                           total);
}
