/*
 * redirects.c - old URLs of an imported archive: the redirects table (old
 * path -> target) and the legacy ids of imported items (legacy_ids).
 *
 * Both are read only on the public site's 404 path, so a normal page never
 * pays for them. A legacy id points at a row (article, section, tag,
 * author), not at a path: the path is made from the row's slug when asked,
 * so a slug changed later still redirects to the right page.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

#include <stdio.h>
#include <string.h>

#define REDIRECT_MAX 2048 /* longest old path or target kept */

static const char SQL_SET[] =
    "INSERT INTO redirects(path, target, origin) VALUES (?1, ?2, ?3)"
    " ON CONFLICT(path) DO UPDATE SET target = excluded.target,"
    " origin = excluded.origin";
static const char SQL_REMOVE[] = "DELETE FROM redirects WHERE path = ?1";
static const char SQL_LIST[] =
    "SELECT path, target, origin FROM redirects ORDER BY path";
static const char SQL_GET[] = "SELECT target FROM redirects WHERE path = ?1";
static const char SQL_LEGACY_SET[] =
    "INSERT INTO legacy_ids(key, target_kind, target_id) VALUES (?1, ?2, ?3)"
    " ON CONFLICT(key) DO UPDATE SET target_kind = excluded.target_kind,"
    " target_id = excluded.target_id";
static const char SQL_LEGACY_ID[] =
    "SELECT target_id, target_kind FROM legacy_ids WHERE key = ?1";
// clang-format off
#define LEGACY_PATH_OF(l)                                                    \
    "CASE " l ".target_kind"                                                 \
    " WHEN 'article' THEN (SELECT '/articles/' || slug FROM articles"        \
    "   WHERE id = " l ".target_id)"                                         \
    " WHEN 'section' THEN (SELECT '/sections/' || slug FROM sections"        \
    "   WHERE id = " l ".target_id)"                                         \
    " WHEN 'tag' THEN (SELECT '/tags/' || slug FROM tags"                    \
    "   WHERE id = " l ".target_id)"                                         \
    " WHEN 'author' THEN (SELECT '/authors/' || slug FROM authors"           \
    "   WHERE id = " l ".target_id) END"
static const char SQL_LEGACY_PATH[] =
    "SELECT " LEGACY_PATH_OF("l") " FROM legacy_ids l WHERE l.key = ?1";
static const char SQL_LEGACY_LIST[] =
    "SELECT key, target_kind, target_id, " LEGACY_PATH_OF("l")
    " FROM legacy_ids l ORDER BY key";
// clang-format on
static const char SQL_ARTICLE_EXTRA[] =
    "UPDATE articles SET language = ?2, meta_description = ?3 WHERE id = ?1";
static const char SQL_AUTHOR_BIO[] =
    "UPDATE authors SET bio = ?2 WHERE name = ?1 AND bio IS NOT ?2";

/* write runs one statement of text parameters (NULL binds NULL) on the
 * writer; *changes (may be NULL) gets the rows it changed. */
static int write_texts(struct store *s, const char *sql, const char *ctx,
                       const char *const *texts, int n, int *changes)
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
    rc = brc == SQLITE_OK ? sdb_step(w, st, ctx) : sdb_fail(w, ctx);
    if (rc == 0 && changes)
        *changes = sqlite3_changes(w->db);
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}

static bool usable(const char *p)
{
    return p && *p && strlen(p) <= REDIRECT_MAX;
}

int store_redirect_set(struct store *s, const char *path, const char *target,
                       const char *origin)
{
    if (!usable(path) || path[0] != '/' || !usable(target))
        return sdb_invalid("redirect_set", "a redirect needs an old path "
                                           "starting with / and a target");
    if (strcmp(path, target) == 0)
        return sdb_invalid("redirect_set", "a path cannot redirect to "
                                           "itself");
    const char *texts[] = {path, target, origin ? origin : "manual"};
    return write_texts(s, SQL_SET, "redirect_set", texts, 3, NULL);
}

int store_redirect_remove(struct store *s, const char *path)
{
    int changes = 0;
    const char *texts[] = {path};
    int rc = write_texts(s, SQL_REMOVE, "redirect_remove", texts, 1, &changes);
    if (rc == 0 && changes == 0) {
        sdb_errorf("redirect_remove: no redirect from %s", path);
        rc = ERR_NOT_FOUND;
    }
    return rc;
}

static void redirect_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(struct redirect *)elem = (struct redirect){
        .path = sdb_col_text(a, st, 0),
        .target = sdb_col_text(a, st, 1),
        .origin = sdb_col_text(a, st, 2),
    };
}

int store_redirects_list(struct store *s, struct arena *a,
                         struct redirect **out, size_t *n)
{
    return sdb_list(s, a, SQL_LIST, "redirects_list", sizeof(**out),
                    redirect_row, (void **)out, n);
}

static void text_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(const char **)elem = sdb_col_text(a, st, 0);
}

int store_redirect_get(struct store *s, struct arena *a, struct str path,
                       const char **target)
{
    *target = NULL;
    if (path.len == 0 || path.len > REDIRECT_MAX)
        return ERR_NOT_FOUND;
    return sdb_one(s, a, SQL_GET, "redirect_get", SDB_TEXT(path), text_row,
                   target);
}

int store_legacy_set(struct store *s, const char *key, const char *target_kind,
                     int64_t target_id)
{
    if (!usable(key) || !target_kind || target_id <= 0)
        return sdb_invalid("legacy_set", "a legacy id needs a key and a "
                                         "target");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_LEGACY_SET);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sdb_bind_text(st, 1, key) | sdb_bind_text(st, 2, target_kind) |
         sqlite3_bind_int64(st, 3, target_id)) != SQLITE_OK)
        rc = sdb_fail(w, "legacy_set");
    else
        rc = sdb_step(w, st, "legacy_set");
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}

struct legacy_row {
    int64_t id;
    char kind[16];
};

static void legacy_id_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    (void)a;
    struct legacy_row *r = elem;
    r->id = sqlite3_column_int64(st, 0);
    const unsigned char *k = sqlite3_column_text(st, 1);
    snprintf(r->kind, sizeof(r->kind), "%s", k ? (const char *)k : "");
}

int store_legacy_id(struct store *s, const char *key, const char *target_kind,
                    int64_t *target_id)
{
    struct legacy_row r = {0};
    *target_id = 0;
    int rc = sdb_one(s, NULL, SQL_LEGACY_ID, "legacy_id",
                     SDB_TEXT(str_from(key)), legacy_id_row, &r);
    if (rc != 0)
        return rc;
    if (strcmp(r.kind, target_kind) != 0)
        return ERR_NOT_FOUND;
    *target_id = r.id;
    return 0;
}

int store_legacy_path(struct store *s, struct arena *a, struct str key,
                      const char **path)
{
    *path = NULL;
    if (key.len == 0 || key.len > REDIRECT_MAX)
        return ERR_NOT_FOUND;
    int rc = sdb_one(s, a, SQL_LEGACY_PATH, "legacy_path", SDB_TEXT(key),
                     text_row, path);
    if (rc == 0 && !*path)
        rc = ERR_NOT_FOUND; /* the row it pointed at is gone */
    return rc;
}

static void legacy_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(struct legacy_id *)elem = (struct legacy_id){
        .key = sdb_col_text(a, st, 0),
        .target_kind = sdb_col_text(a, st, 1),
        .target_id = sqlite3_column_int64(st, 2),
        .path = sdb_col_text(a, st, 3),
    };
}

int store_legacy_list(struct store *s, struct arena *a, struct legacy_id **out,
                      size_t *n)
{
    return sdb_list(s, a, SQL_LEGACY_LIST, "legacy_list", sizeof(**out),
                    legacy_row, (void **)out, n);
}

int store_article_set_extra(struct store *s, int64_t id, const char *language,
                            const char *meta_description)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_ARTICLE_EXTRA);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int64(st, 1, id) | sdb_bind_text(st, 2, language) |
         sdb_bind_text(st, 3, meta_description)) != SQLITE_OK)
        rc = sdb_fail(w, "article_set_extra");
    else
        rc = sdb_step(w, st, "article_set_extra");
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}

int store_author_set_bio(struct store *s, const char *name, const char *bio)
{
    const char *texts[] = {name, bio};
    return write_texts(s, SQL_AUTHOR_BIO, "author_set_bio", texts, 2, NULL);
}
