/*
 * modules.c - the side modules' lists: "Visit also" links and staff
 * publications.
 *
 * Both are short lists edited by hand and read on every page (through the
 * page cache), so they are plain tables without indexes beyond what the
 * ordering needs. A new link goes to the end of the list.
 *
 * Each entry may show a picture (V_MEDIA_SIDE): a link its logo, a
 * publication its cover, named by the media hash as a feature image is.
 * The statements accept only the hash of an image in the library, so a
 * typo cannot leave a broken picture on every page.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An image reference is NULL or the hash of an image in the library. */
#define IMAGE_OK(p)                                                            \
    "(" p " IS NULL OR EXISTS (SELECT 1 FROM media WHERE hash = " p            \
    " AND kind = 'image'))"
static const char SQL_LINK_ADD[] =
    "INSERT INTO links(title, url, position, image) SELECT ?1, ?2,"
    " (SELECT coalesce(max(position), 0) + 1 FROM links), ?3"
    " WHERE " IMAGE_OK("?3");
static const char SQL_LINK_UPDATE[] =
    "UPDATE links SET title = ?2, url = ?3, image = ?4"
    " WHERE id = ?1 AND " IMAGE_OK("?4");
static const char SQL_PUB_UPDATE[] =
    "UPDATE publications SET kind = ?2, date = ?3, title = ?4, url = ?5,"
    " image = ?6 WHERE id = ?1 AND " IMAGE_OK("?6");
static const char SQL_EXISTS_LINK[] = "SELECT 1 FROM links WHERE id = ?1";
static const char SQL_EXISTS_PUB[] = "SELECT 1 FROM publications WHERE id = ?1";
static const char SQL_LINK_REMOVE[] = "DELETE FROM links WHERE id = ?1";
static const char SQL_LINKS_LIST[] =
    "SELECT id, title, url, position, image FROM links ORDER BY position, id";
static const char SQL_LINK_GET[] =
    "SELECT id, title, url, position, image FROM links WHERE id = ?1";
static const char SQL_LINK_IDS[] = "SELECT id FROM links ORDER BY position, id";
static const char SQL_LINK_PLACE[] =
    "UPDATE links SET position = ?2 WHERE id = ?1 AND position IS NOT ?2";
static const char SQL_PUB_GET[] =
    "SELECT id, kind, date, title, url, image FROM publications WHERE id = ?1";
static const char SQL_PUB_ADD[] =
    "INSERT INTO publications(kind, date, title, url, image)"
    " SELECT ?1, ?2, ?3, ?4, ?5 WHERE " IMAGE_OK("?5");
static const char SQL_PUB_REMOVE[] = "DELETE FROM publications WHERE id = ?1";
static const char SQL_PUBS_LIST[] =
    "SELECT id, kind, date, title, url, image FROM publications"
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
    if (rc == 0 && sqlite3_changes(w->db) == 0) {
        sdb_errorf("%s: the image is not an image in the media library", ctx);
        rc = ERR_INVALID;
    }
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
    return store_link_add_image(s, title, url, NULL, id);
}

int store_link_add_image(struct store *s, const char *title, const char *url,
                         const char *image, int64_t *id)
{
    if (!title || !*title || !url || !*url)
        return sdb_invalid("link_add", "a link needs a title and a URL");
    const char *texts[] = {title, url, image && *image ? image : NULL};
    return insert(s, SQL_LINK_ADD, "link_add", texts, 3, id);
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
        .image = sdb_col_text(a, st, 4),
    };
}

int store_links_list(struct store *s, struct arena *a, struct link **out,
                     size_t *n)
{
    return sdb_list(s, a, SQL_LINKS_LIST, "links_list", sizeof(**out), link_row,
                    (void **)out, n);
}

int store_link_get(struct store *s, struct arena *a, int64_t id,
                   struct link *out)
{
    *out = (struct link){0};
    return sdb_one(s, a, SQL_LINK_GET, "link_get", SDB_INT(id), link_row, out);
}

/* place sets link id's position; only a real change writes a row, so
 * the page cache drops its pages once per move, not once per link. */
static int place(struct conn *w, int64_t id, int64_t position)
{
    sqlite3_stmt *st = sdb_stmt(w, SQL_LINK_PLACE);
    if (!st)
        return ERR_DB;
    int rc = (sqlite3_bind_int64(st, 1, id) |
              sqlite3_bind_int64(st, 2, position)) != SQLITE_OK
                 ? sdb_fail(w, "link_move")
                 : sdb_step(w, st, "link_move");
    sdb_done(st);
    return rc;
}

int store_link_move(struct store *s, int64_t id, int64_t position)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0, at = SIZE_MAX;
    sqlite3_stmt *st = sdb_stmt(w, SQL_LINK_IDS);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    int x;
    while ((x = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            ids = xrealloc(ids, cap * sizeof(*ids));
        }
        if (sqlite3_column_int64(st, 0) == id)
            at = n;
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sdb_done(st);
    if (x != SQLITE_DONE) {
        rc = sdb_fail(w, "link_move");
        goto out;
    }
    if (at == SIZE_MAX) {
        sdb_errorf("link_move: no row with id %lld", (long long)id);
        rc = ERR_NOT_FOUND;
        goto out;
    }
    size_t to = position < 1 ? 0 : (size_t)(position - 1);
    if (to >= n)
        to = n - 1;
    /* Take it out at `at`, put it back at `to`. */
    if (to < at)
        memmove(ids + to + 1, ids + to, (at - to) * sizeof(*ids));
    else
        memmove(ids + at, ids + at + 1, (to - at) * sizeof(*ids));
    ids[to] = id;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = place(w, ids[i], (int64_t)i + 1);
out:
    free(ids);
    return sdb_write_end(s, rc);
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
                           p->url && *p->url ? p->url : NULL,
                           p->image && *p->image ? p->image : NULL};
    return insert(s, SQL_PUB_ADD, "publication_add", texts, 5, id);
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
        .image = sdb_col_text(a, st, 5),
    };
}

int store_publication_get(struct store *s, struct arena *a, int64_t id,
                          struct publication *out)
{
    *out = (struct publication){0};
    return sdb_one(s, a, SQL_PUB_GET, "publication_get", SDB_INT(id),
                   publication_row, out);
}

int store_publications_list(struct store *s, struct arena *a,
                            struct publication **out, size_t *n)
{
    return sdb_list(s, a, SQL_PUBS_LIST, "publications_list", sizeof(**out),
                    publication_row, (void **)out, n);
}

/* update runs a prepared update of row id whose other parameters are
 * texts; no row changed is ERR_NOT_FOUND when exists_sql finds no row id,
 * else the image was refused (ERR_INVALID). */
static int update(struct store *s, const char *sql, const char *exists_sql,
                  const char *ctx, int64_t id, const char *const *texts, int n)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, sql);
    sqlite3_stmt *ex = NULL;
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    int brc = sqlite3_bind_int64(st, 1, id);
    for (int i = 0; i < n; i++)
        brc |= sdb_bind_text(st, i + 2, texts[i]);
    if (brc != SQLITE_OK) {
        rc = sdb_fail(w, ctx);
        goto out;
    }
    rc = sdb_step(w, st, ctx);
    if (rc != 0 || sqlite3_changes(w->db) > 0)
        goto out;
    ex = sdb_stmt(w, exists_sql);
    if (!ex || sqlite3_bind_int64(ex, 1, id) != SQLITE_OK) {
        rc = ex ? sdb_fail(w, ctx) : ERR_DB;
        goto out;
    }
    rc = sdb_step(w, ex, ctx);
    if (rc == 1) {
        sdb_errorf("%s: the image is not an image in the media library", ctx);
        rc = ERR_INVALID;
    } else if (rc == 0) {
        sdb_errorf("%s: no row with id %lld", ctx, (long long)id);
        rc = ERR_NOT_FOUND;
    }
out:
    sdb_done(ex);
    sdb_done(st);
    return sdb_write_end(s, rc);
}

int store_link_update(struct store *s, const struct link *l)
{
    if (!l || !l->title || !*l->title || !l->url || !*l->url)
        return sdb_invalid("link_update", "a link needs a title and a URL");
    const char *texts[] = {l->title, l->url,
                           l->image && *l->image ? l->image : NULL};
    return update(s, SQL_LINK_UPDATE, SQL_EXISTS_LINK, "link_update", l->id,
                  texts, 3);
}

int store_publication_update(struct store *s, const struct publication *p)
{
    if (!p || !p->kind || !*p->kind || !p->title || !*p->title)
        return sdb_invalid("publication_update",
                           "a publication needs a kind and a title");
    if (!sdb_valid_date(p->date))
        return sdb_invalid("publication_update", "date is not YYYY-MM-DD");
    const char *texts[] = {p->kind, p->date, p->title,
                           p->url && *p->url ? p->url : NULL,
                           p->image && *p->image ? p->image : NULL};
    return update(s, SQL_PUB_UPDATE, SQL_EXISTS_PUB, "publication_update",
                  p->id, texts, 5);
}

static const char SQL_AUTHOR_PHOTO_SET[] =
    "UPDATE authors SET photo = ?2 WHERE id = ?1 AND photo IS NOT ?2"
    " AND " IMAGE_OK("?2");
static const char SQL_AUTHOR_PHOTO_CHECK[] =
    "SELECT 1 FROM authors WHERE id = ?1 AND photo IS ?2";
static const char SQL_EXISTS_AUTHOR[] = "SELECT 1 FROM authors WHERE id = ?1";

int store_author_photo_set(struct store *s, int64_t id, const char *hash)
{
    const char *texts[] = {hash && *hash ? hash : NULL};
    int rc = update(s, SQL_AUTHOR_PHOTO_SET, SQL_EXISTS_AUTHOR,
                    "author_photo_set", id, texts, 1);
    if (rc != ERR_INVALID)
        return rc;
    /* No row changed because the photo was already that one: not an
     * error (the update skips it so the page cache keeps its pages). */
    struct conn *c;
    rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_AUTHOR_PHOTO_CHECK);
    if (!st || sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
        sdb_bind_text(st, 2, texts[0]) != SQLITE_OK) {
        rc = st ? sdb_fail(c, "author_photo_set") : ERR_DB;
        goto out;
    }
    rc = sdb_step(c, st, "author_photo_set");
    if (rc == 1) {
        rc = 0;
    } else if (rc == 0) {
        sdb_errorf("author_photo_set: the image is not an image in the "
                   "media library");
        rc = ERR_INVALID;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

static const char SQL_AUTHOR_PHOTO[] =
    "SELECT photo FROM authors WHERE id = ?1";

static void photo_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(const char **)elem = sdb_col_text(a, st, 0);
}

int store_author_photos(struct store *s, struct arena *a, const int64_t *ids,
                        size_t n, const char **out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = NULL;
        int rc = sdb_one(s, a, SQL_AUTHOR_PHOTO, "author_photos",
                         SDB_INT(ids[i]), photo_row, &out[i]);
        if (rc != 0 && rc != ERR_NOT_FOUND)
            return rc;
    }
    return 0;
}
