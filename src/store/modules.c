/*
 * modules.c - the side modules' lists: "Visit also" links and staff
 * publications.
 *
 * Both are short lists edited by hand and read on every page (through the
 * page cache), so they are plain tables without indexes beyond what the
 * ordering needs. A new link goes to the end of the list.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

static const char SQL_LINK_ADD[] =
    "INSERT INTO links(title, url, position) VALUES (?1, ?2,"
    " (SELECT coalesce(max(position), 0) + 1 FROM links))";
static const char SQL_LINK_REMOVE[] = "DELETE FROM links WHERE id = ?1";
static const char SQL_LINKS_LIST[] =
    "SELECT id, title, url, position FROM links ORDER BY position, id";
static const char SQL_PUB_ADD[] =
    "INSERT INTO publications(kind, date, title, url)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_PUB_REMOVE[] = "DELETE FROM publications WHERE id = ?1";
static const char SQL_PUBS_LIST[] =
    "SELECT id, kind, date, title, url FROM publications"
    " ORDER BY date DESC, id DESC";

/* insert runs a prepared insert whose parameters are texts. */
static int insert(struct store *s, const char *sql, const char *ctx,
                  const char *const *texts, int n, int64_t *id)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    int brc = SQLITE_OK;
    for (int i = 0; i < n; i++)
        brc |= sdb_bind_text(st, i + 1, texts[i]);
    if (brc != SQLITE_OK) {
        rc = sdb_fail(w, ctx);
        goto out;
    }
    rc = sdb_step(w, st, ctx);
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(w->db);
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}

/* remove deletes row id; ERR_NOT_FOUND if there was none. */
static int remove_row(struct store *s, const char *sql, const char *ctx,
                      int64_t id)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
        rc = sdb_fail(w, ctx);
        goto out;
    }
    rc = sdb_step(w, st, ctx);
    if (rc == 0 && sqlite3_changes(w->db) == 0) {
        sdb_errorf("%s: no row with id %lld", ctx, (long long)id);
        rc = ERR_NOT_FOUND;
    }
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}

int store_link_add(struct store *s, const char *title, const char *url,
                   int64_t *id)
{
    if (!title || !*title || !url || !*url)
        return sdb_invalid("link_add", "a link needs a title and a URL");
    const char *texts[] = {title, url};
    return insert(s, SQL_LINK_ADD, "link_add", texts, 2, id);
}

int store_link_remove(struct store *s, int64_t id)
{
    return remove_row(s, SQL_LINK_REMOVE, "link_remove", id);
}

static void link_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(struct link *)elem = (struct link){
        .id = sqlite3_column_int64(st, 0),
        .title = sdb_col_text(a, st, 1),
        .url = sdb_col_text(a, st, 2),
        .position = sqlite3_column_int(st, 3),
    };
}

int store_links_list(struct store *s, struct arena *a, struct link **out,
                     size_t *n)
{
    return sdb_list(s, a, SQL_LINKS_LIST, "links_list", sizeof(**out), link_row,
                    (void **)out, n);
}

int store_publication_add(struct store *s, const struct publication *p,
                          int64_t *id)
{
    if (!p || !p->kind || !*p->kind || !p->title || !*p->title)
        return sdb_invalid("publication_add",
                           "a publication needs a kind and a title");
    if (!sdb_valid_date(p->date))
        return sdb_invalid("publication_add", "date is not YYYY-MM-DD");
    const char *texts[] = {p->kind, p->date, p->title,
                           p->url && *p->url ? p->url : NULL};
    return insert(s, SQL_PUB_ADD, "publication_add", texts, 4, id);
}

int store_publication_remove(struct store *s, int64_t id)
{
    return remove_row(s, SQL_PUB_REMOVE, "publication_remove", id);
}

static void publication_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(struct publication *)elem = (struct publication){
        .id = sqlite3_column_int64(st, 0),
        .kind = sdb_col_text(a, st, 1),
        .date = sdb_col_text(a, st, 2),
        .title = sdb_col_text(a, st, 3),
        .url = sdb_col_text(a, st, 4),
    };
}

int store_publications_list(struct store *s, struct arena *a,
                            struct publication **out, size_t *n)
{
    return sdb_list(s, a, SQL_PUBS_LIST, "publications_list", sizeof(**out),
                    publication_row, (void **)out, n);
}
