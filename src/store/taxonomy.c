/*
 * taxonomy.c - sections, issues, authors and tags.
 *
 * They are created on demand when an article names them (by name, or by
 * date for issues), so saving an article never fails for want of one. A
 * new section, author or tag gets a slug made from its name, made unique
 * with -2, -3...; names themselves are unique, so "find by name" is one
 * index lookup. Sections are appended to the journal's order of sections.
 *
 * The *_ensure helpers run on the writer and expect the caller's
 * transaction; the public reads go through sdb_read_begin.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "content/slug.h"

#include "core/arena.h"
#include "core/log.h"

#include <stdio.h>
#include <string.h>

#define SLUG_CAP 128 /* slugs made here: 100 bytes, then room for -N */

static const char SQL_SECTION_FIND[] =
    "SELECT id FROM sections WHERE name = ?1";
static const char SQL_SECTION_TAKEN[] =
    "SELECT 1 FROM sections WHERE slug = ?1";
static const char SQL_SECTION_INSERT[] =
    "INSERT INTO sections(slug, name, position) VALUES (?1, ?2,"
    " (SELECT coalesce(max(position), 0) + 1 FROM sections))";
static const char SQL_AUTHOR_FIND[] = "SELECT id FROM authors WHERE name = ?1";
static const char SQL_AUTHOR_TAKEN[] = "SELECT 1 FROM authors WHERE slug = ?1";
static const char SQL_AUTHOR_INSERT[] =
    "INSERT INTO authors(slug, name) VALUES (?1, ?2)";
static const char SQL_TAG_FIND[] = "SELECT id FROM tags WHERE name = ?1";
static const char SQL_TAG_TAKEN[] = "SELECT 1 FROM tags WHERE slug = ?1";
static const char SQL_TAG_INSERT[] =
    "INSERT INTO tags(slug, name) VALUES (?1, ?2)";
static const char SQL_ISSUE_FIND[] = "SELECT id FROM issues WHERE date = ?1";
static const char SQL_ISSUE_INSERT[] = "INSERT INTO issues(date) VALUES (?1)";

static const char SQL_SECTION_BY_SLUG[] =
    "SELECT id, slug, name, position FROM sections WHERE slug = ?1";
static const char SQL_SECTIONS_LIST[] =
    "SELECT id, slug, name, position FROM sections ORDER BY position, id";

/* What differs between sections, authors and tags. */
struct named {
    const char *what;
    const char *find, *taken, *insert;
};

static const struct named SECTIONS = {"section", SQL_SECTION_FIND,
                                      SQL_SECTION_TAKEN, SQL_SECTION_INSERT};
static const struct named AUTHORS = {"author", SQL_AUTHOR_FIND,
                                     SQL_AUTHOR_TAKEN, SQL_AUTHOR_INSERT};
static const struct named TAGS = {"tag", SQL_TAG_FIND, SQL_TAG_TAKEN,
                                  SQL_TAG_INSERT};

/* One slug rule for the whole program: content/slug.c's. */
void sdb_slugify(const char *name, const char *fallback, char *out, size_t cap)
{
    struct arena a;
    const char *text = name ? name : "";
    arena_init(&a, 1024);
    const char *slug = slug_from_title(&a, text);
    /* slug_from_title says "article" for a name without Latin letters. */
    bool none = strcmp(slug, "article") == 0 &&
                !str_casestr(str_from(text), "article");
    snprintf(out, cap, "%s", none ? fallback : slug);
    arena_release(&a);
}

int sdb_unique_slug(struct conn *w, const char *taken_sql, const char *base,
                    char *out, size_t cap)
{
    size_t len = strlen(base);
    if (len + 24 > cap) /* room for "-N" */
        return sdb_invalid("slug", "too long");
    memcpy(out, base, len + 1);
    sqlite3_stmt *st = sdb_stmt(w, taken_sql);
    if (!st)
        return ERR_DB;
    /* Linear probing: collisions are rare and each probe is one index
     * lookup, so even a thousand "Untitled" articles stay cheap. */
    for (long long k = 2;; k++) {
        int rc = sdb_bind_text(st, 1, out);
        rc = rc == SQLITE_OK ? sdb_step(w, st, "slug") : sdb_fail(w, "slug");
        sdb_done(st);
        if (rc <= 0)
            return rc;
        snprintf(out + len, cap - len, "-%lld", k);
    }
}

static int ensure(struct conn *w, const struct named *t, const char *name,
                  int64_t *id)
{
    char slug[SLUG_CAP], base[SLUG_CAP];
    int rc;

    if (strlen(name) > SDB_NAME_MAX)
        return sdb_invalid(t->what, "name too long");
    sqlite3_stmt *st = sdb_stmt(w, t->find);
    if (!st)
        return ERR_DB;
    if (sdb_bind_text(st, 1, name) != SQLITE_OK) {
        rc = sdb_fail(w, t->what);
        goto out;
    }
    rc = sdb_step(w, st, t->what);
    if (rc == 1)
        *id = sqlite3_column_int64(st, 0);
    sdb_done(st);
    if (rc != 0)
        return rc < 0 ? rc : 0;

    sdb_slugify(name, t->what, base, sizeof(base));
    rc = sdb_unique_slug(w, t->taken, base, slug, sizeof(slug));
    if (rc != 0)
        return rc;
    st = sdb_stmt(w, t->insert);
    if (!st)
        return ERR_DB;
    if ((sdb_bind_text(st, 1, slug) | sdb_bind_text(st, 2, name)) !=
        SQLITE_OK) {
        rc = sdb_fail(w, t->what);
        goto out;
    }
    rc = sdb_step(w, st, t->what);
    if (rc == 0) {
        *id = sqlite3_last_insert_rowid(w->db);
        log_debug("new %s '%s' (%s)", t->what, name, slug);
    }
out:
    sdb_done(st);
    return rc;
}

int sdb_section_ensure(struct conn *w, const char *name, int64_t *id)
{
    return ensure(w, &SECTIONS, name, id);
}

int sdb_author_ensure(struct conn *w, const char *name, int64_t *id)
{
    return ensure(w, &AUTHORS, name, id);
}

int sdb_tag_ensure(struct conn *w, const char *name, int64_t *id)
{
    return ensure(w, &TAGS, name, id);
}

int sdb_issue_ensure(struct conn *w, const char *date, int64_t *id)
{
    int rc;
    if (!sdb_valid_date(date))
        return sdb_invalid("issue", "date is not YYYY-MM-DD");
    sqlite3_stmt *st = sdb_stmt(w, SQL_ISSUE_FIND);
    if (!st)
        return ERR_DB;
    if (sdb_bind_text(st, 1, date) != SQLITE_OK) {
        rc = sdb_fail(w, "issue");
        goto out;
    }
    rc = sdb_step(w, st, "issue");
    if (rc == 1)
        *id = sqlite3_column_int64(st, 0);
    sdb_done(st);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    st = sdb_stmt(w, SQL_ISSUE_INSERT);
    if (!st)
        return ERR_DB;
    if (sdb_bind_text(st, 1, date) != SQLITE_OK) {
        rc = sdb_fail(w, "issue");
        goto out;
    }
    rc = sdb_step(w, st, "issue insert");
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(w->db);
out:
    sdb_done(st);
    return rc;
}

/* --- reads --------------------------------------------------------- */

static void section_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct section *out = elem;
    out->id = sqlite3_column_int64(st, 0);
    out->slug = sdb_col_text(a, st, 1);
    out->name = sdb_col_text(a, st, 2);
    out->position = sqlite3_column_int(st, 3);
}

int store_section_by_slug(struct store *s, struct arena *a, struct str slug,
                          struct section *out)
{
    *out = (struct section){0};
    return sdb_one(s, a, SQL_SECTION_BY_SLUG, "section_by_slug", SDB_TEXT(slug),
                   section_row, out);
}

int store_sections_list(struct store *s, struct arena *a, struct section **out,
                        size_t *n)
{
    return sdb_list(s, a, SQL_SECTIONS_LIST, "sections_list", sizeof(**out),
                    section_row, (void **)out, n);
}
