/*
 * imports.c - what importers write beyond store_article_save: sections
 * with their old slug, order and description, and legacy ids of rows
 * known by name (a K2 tag, a WordPress category).
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include <string.h>

#define SLUG_CAP 128 /* as taxonomy.c: 100 bytes, then room for -N */

static const char SQL_SECTION_FIND[] =
    "SELECT id FROM sections WHERE name = ?1";
static const char SQL_SECTION_TAKEN[] =
    "SELECT 1 FROM sections WHERE slug = ?1";
static const char SQL_SECTION_INSERT[] =
    "INSERT INTO sections(slug, name, position, description)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_SECTION_UPDATE[] =
    "UPDATE sections SET position = ?2, description = ?3 WHERE id = ?1"
    " AND (position IS NOT ?2 OR description IS NOT ?3)";
static const char SQL_LEGACY_NAMED_TAG[] =
    "INSERT INTO legacy_ids(key, target_kind, target_id)"
    " SELECT ?1, 'tag', id FROM tags WHERE name = ?2"
    " ON CONFLICT(key) DO UPDATE SET target_kind = excluded.target_kind,"
    " target_id = excluded.target_id";
static const char SQL_LEGACY_NAMED_SECTION[] =
    "INSERT INTO legacy_ids(key, target_kind, target_id)"
    " SELECT ?1, 'section', id FROM sections WHERE name = ?2"
    " ON CONFLICT(key) DO UPDATE SET target_kind = excluded.target_kind,"
    " target_id = excluded.target_id";

int store_section_import(struct store *s, const char *name,
                         const char *slug_base, int position,
                         const char *description, int64_t *id)
{
    char base[SLUG_CAP], slug[SLUG_CAP];
    if (!name || !*name || strlen(name) > SDB_NAME_MAX)
        return sdb_invalid("section_import", "a section needs a name");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_SECTION_FIND);
    *id = 0;
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    rc = sdb_bind_text(st, 1, name) == SQLITE_OK
             ? sdb_step(w, st, "section_import")
             : sdb_fail(w, "section_import");
    if (rc == 1)
        *id = sqlite3_column_int64(st, 0);
    sdb_done(st);
    if (rc < 0)
        goto out;
    if (*id) {
        st = sdb_stmt(w, SQL_SECTION_UPDATE);
        if (!st) {
            rc = ERR_DB;
            goto out;
        }
        rc = (sqlite3_bind_int64(st, 1, *id) |
              sqlite3_bind_int(st, 2, position) |
              sdb_bind_text(st, 3, description)) == SQLITE_OK
                 ? sdb_step(w, st, "section_import")
                 : sdb_fail(w, "section_import");
        sdb_done(st);
        goto out;
    }
    if (slug_base && *slug_base && strlen(slug_base) < sizeof(base) - 24)
        sdb_slugify(slug_base, "section", base, sizeof(base));
    else
        sdb_slugify(name, "section", base, sizeof(base));
    rc = sdb_unique_slug(w, SQL_SECTION_TAKEN, base, slug, sizeof(slug));
    if (rc != 0)
        goto out;
    st = sdb_stmt(w, SQL_SECTION_INSERT);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    rc = (sdb_bind_text(st, 1, slug) | sdb_bind_text(st, 2, name) |
          sqlite3_bind_int(st, 3, position) |
          sdb_bind_text(st, 4, description)) == SQLITE_OK
             ? sdb_step(w, st, "section_import")
             : sdb_fail(w, "section_import");
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(w->db);
    sdb_done(st);
out:
    return sdb_write_end(s, rc);
}

int store_legacy_set_named(struct store *s, const char *key,
                           const char *target_kind, const char *name)
{
    const char *sql = strcmp(target_kind, "tag") == 0 ? SQL_LEGACY_NAMED_TAG
                      : strcmp(target_kind, "section") == 0
                          ? SQL_LEGACY_NAMED_SECTION
                          : NULL;
    if (!sql || !key || !name)
        return sdb_invalid("legacy_set_named", "unknown kind");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st)
        return sdb_write_end(s, ERR_DB);
    rc = (sdb_bind_text(st, 1, key) | sdb_bind_text(st, 2, name)) == SQLITE_OK
             ? sdb_step(w, st, "legacy_set_named")
             : sdb_fail(w, "legacy_set_named");
    sdb_done(st);
    return sdb_write_end(s, rc);
}
