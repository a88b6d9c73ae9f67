/*
 * editorial_assembly.c - the editors' reads and writes of issues,
 * authors and sections (see editorial.h): every issue with its counts,
 * an issue's articles in table-of-contents order and their hand-made
 * order (V_ASSEMBLY's articles.issue_position), deleting an empty issue
 * or author, and sections created, renamed, reordered and deleted.
 *
 * A delete that would take articles with it (or silently detach them) is
 * refused with ERR_CONFLICT, checked in the same transaction as the
 * delete. The change log's triggers name what each write touched.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"
#include "store/editorial.h"

#include "core/arena.h"

#include <string.h>

#define ISSUE_COUNTS                                                           \
    " (SELECT count(*) FROM articles a WHERE a.issue_id = i.id),"              \
    " (SELECT count(*) FROM articles a WHERE a.issue_id = i.id"                \
    "  AND a.status = 1)"
static const char SQL_ISSUES[] = "SELECT i.id, i.date, i.title," ISSUE_COUNTS
                                 " FROM issues i"
                                 " ORDER BY i.date DESC";
static const char SQL_ISSUE[] = "SELECT i.id, i.date, i.title," ISSUE_COUNTS
                                " FROM issues i"
                                " WHERE i.id = ?1";
static const char SQL_ISSUE_BY_DATE[] =
    "SELECT i.id, i.date, i.title," ISSUE_COUNTS " FROM issues i"
    " WHERE i.date = ?1";
/* The public table of contents' order (issues.c), drafts included. */
static const char SQL_ISSUE_ARTICLES[] =
    "SELECT a.id, a.title, a.slug, s.name, a.status,"
    " coalesce(e.scheduled, 0), a.issue_position, a.published_at"
    " FROM articles a LEFT JOIN sections s ON s.id = a.section_id"
    " LEFT JOIN article_edit e ON e.article_id = a.id"
    " WHERE a.issue_id = ?1 ORDER BY s.id IS NULL, s.position, s.name,"
    " a.issue_position, a.published_at, a.id";
static const char SQL_ISSUE_HAS[] =
    "SELECT 1 FROM articles WHERE issue_id = ?1 LIMIT 1";
static const char SQL_ISSUE_DELETE[] = "DELETE FROM issues WHERE id = ?1";
static const char SQL_ISSUE_TITLE[] =
    "UPDATE issues SET title = ?2 WHERE id = ?1";
static const char SQL_IN_ISSUE[] =
    "SELECT 1 FROM articles WHERE id = ?1 AND issue_id = ?2";
static const char SQL_PLACE[] =
    "UPDATE articles SET issue_position = ?2 WHERE id = ?1"
    " AND issue_position IS NOT ?2";
static const char SQL_UNPLACE[] =
    "UPDATE articles SET issue_position = 1000000000 WHERE issue_id = ?1"
    " AND issue_position <> 1000000000";
static const char SQL_AUTHOR[] = SDB_EDIT_AUTHOR_COLS
    " FROM authors WHERE id = ?1";
static const char SQL_AUTHOR_HAS[] =
    "SELECT 1 FROM article_authors WHERE author_id = ?1 LIMIT 1";
static const char SQL_AUTHOR_DELETE[] = "DELETE FROM authors WHERE id = ?1";
#define SECTION_COLS                                                           \
    "SELECT id, slug, name, description, position, (SELECT count(*)"           \
    " FROM articles a WHERE a.section_id = sections.id) FROM sections"
static const char SQL_SECTIONS[] = SECTION_COLS " ORDER BY position, name";
static const char SQL_SECTION[] = SECTION_COLS " WHERE id = ?1";
static const char SQL_SECTION_TAKEN[] =
    "SELECT 1 FROM sections WHERE slug = ?1";
static const char SQL_SECTION_ADD[] =
    "INSERT INTO sections(slug, name, description, position) VALUES (?1, ?2,"
    " ?3, coalesce(?4, (SELECT coalesce(max(position), 0) + 1"
    " FROM sections)))";
static const char SQL_SECTION_SET[] =
    "UPDATE sections SET name = coalesce(?2, name), slug = coalesce(?3, slug),"
    " description = CASE WHEN ?4 IS NULL THEN description"
    "  WHEN ?4 = '' THEN NULL ELSE ?4 END,"
    " position = coalesce(?5, position) WHERE id = ?1";
static const char SQL_SECTION_HAS[] =
    "SELECT 1 FROM articles WHERE section_id = ?1 LIMIT 1";
static const char SQL_SECTION_DELETE[] = "DELETE FROM sections WHERE id = ?1";

enum { UNPLACED = 1000000000 };

/* A parameter of run(): an integer (0 binds NULL if is_id) or text. */
struct param {
    enum { P_INT, P_ID, P_TEXT } kind;
    int64_t i;
    const char *s;
};
#define PI(v) ((struct param){P_INT, (v), NULL})
#define PID(v) ((struct param){P_ID, (v), NULL})
#define PT(v) ((struct param){P_TEXT, 0, (v)})

/*
 * run executes sql on the writer with params; *row (may be NULL) is set
 * when it returned a row, *changed (may be NULL) to the rows it changed.
 * A UNIQUE violation is ERR_EXISTS.
 */
static int run(struct conn *w, const char *sql, const char *ctx,
               const struct param *p, int np, bool *row, int *changed)
{
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st)
        return ERR_DB;
    int b = SQLITE_OK, rc;
    for (int i = 0; i < np; i++)
        b |= p[i].kind == P_TEXT ? sdb_bind_text(st, i + 1, p[i].s)
             : p[i].kind == P_ID ? sdb_bind_id(st, i + 1, p[i].i)
                                 : sqlite3_bind_int64(st, i + 1, p[i].i);
    if (b != SQLITE_OK) {
        rc = sdb_fail(w, ctx);
        goto out;
    }
    rc = sdb_step(w, st, ctx);
    if (row)
        *row = rc == 1;
    if (rc == 1)
        rc = 0;
    if (rc == 0 && changed)
        *changed = sqlite3_changes(w->db);
out:
    sdb_done(st);
    return rc;
}

/* --- issues --------------------------------------------------------- */

static void issue_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct edit_issue *i = elem;
    i->id = sqlite3_column_int64(st, 0);
    i->date = sdb_col_text(a, st, 1);
    i->title = sdb_col_text(a, st, 2);
    i->articles = sqlite3_column_int64(st, 3);
    i->published = sqlite3_column_int64(st, 4);
}

int store_edit_issues(struct store *s, struct arena *a, struct edit_issue **out,
                      size_t *n)
{
    return sdb_list(s, a, SQL_ISSUES, "issues", sizeof(**out), issue_row,
                    (void **)out, n);
}

int store_edit_issue(struct store *s, struct arena *a, int64_t id,
                     const char *date, struct edit_issue *out)
{
    *out = (struct edit_issue){0};
    if (date)
        return sdb_one(s, a, SQL_ISSUE_BY_DATE, "issue",
                       SDB_TEXT(str_from(date)), issue_row, out);
    return sdb_one(s, a, SQL_ISSUE, "issue", SDB_INT(id), issue_row, out);
}

static void issue_article_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct edit_issue_article *x = elem;
    x->id = sqlite3_column_int64(st, 0);
    x->title = sdb_col_text(a, st, 1);
    x->slug = sdb_col_text(a, st, 2);
    x->section = sdb_col_text(a, st, 3);
    x->status = sqlite3_column_int(st, 4) == 1   ? EDIT_PUBLISHED
                : sqlite3_column_int(st, 5) == 1 ? EDIT_SCHEDULED
                                                 : EDIT_DRAFT;
    int64_t pos = sqlite3_column_int64(st, 6);
    x->position = pos == UNPLACED ? 0 : pos;
    x->publish_at = sqlite3_column_int64(st, 7);
}

int store_edit_issue_articles(struct store *s, struct arena *a,
                              int64_t issue_id, struct edit_issue_article **out,
                              size_t *n)
{
    return sdb_select(s, a, SQL_ISSUE_ARTICLES, "issue articles", &issue_id, 1,
                      sizeof(**out), issue_article_row, (void **)out, n);
}

int store_edit_issue_title(struct store *s, int64_t id, const char *title)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    int changed = 0;
    struct param p[] = {PI(id), PT(title && *title ? title : NULL)};
    rc = run(&s->writer, SQL_ISSUE_TITLE, "issue title", p, 2, NULL, &changed);
    if (rc == 0 && changed == 0)
        rc = ERR_NOT_FOUND;
    return sdb_write_end(s, rc);
}

/* delete_unused deletes row id unless has_sql finds a use of it. */
static int delete_unused(struct store *s, const char *has_sql,
                         const char *del_sql, int64_t id, const char *what)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    bool used = false;
    int changed = 0;
    struct param p[] = {PI(id)};
    rc = run(&s->writer, has_sql, what, p, 1, &used, NULL);
    if (rc == 0 && used) {
        sdb_errorf("%s %lld still has articles", what, (long long)id);
        rc = ERR_CONFLICT;
    }
    if (rc == 0)
        rc = run(&s->writer, del_sql, what, p, 1, NULL, &changed);
    if (rc == 0 && changed == 0)
        rc = ERR_NOT_FOUND;
    return sdb_write_end(s, rc);
}

int store_edit_issue_delete(struct store *s, int64_t id)
{
    return delete_unused(s, SQL_ISSUE_HAS, SQL_ISSUE_DELETE, id, "issue");
}

int store_edit_issue_order(struct store *s, int64_t issue_id,
                           const int64_t *ids, size_t n)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    struct param pi[] = {PI(issue_id)};
    rc = run(w, SQL_UNPLACE, "issue order", pi, 1, NULL, NULL);
    for (size_t i = 0; i < n && rc == 0; i++) {
        bool in = false;
        struct param p[] = {PI(ids[i]), PI(issue_id)};
        rc = run(w, SQL_IN_ISSUE, "issue order", p, 2, &in, NULL);
        if (rc == 0 && !in) {
            sdb_errorf("article %lld is not in this issue", (long long)ids[i]);
            rc = ERR_INVALID;
        }
        struct param q[] = {PI(ids[i]), PI((int64_t)i + 1)};
        if (rc == 0)
            rc = run(w, SQL_PLACE, "issue order", q, 2, NULL, NULL);
    }
    return sdb_write_end(s, rc);
}

/* --- authors -------------------------------------------------------- */

int store_edit_author(struct store *s, struct arena *a, int64_t id,
                      struct edit_author *out)
{
    *out = (struct edit_author){0};
    return sdb_one(s, a, SQL_AUTHOR, "author", SDB_INT(id), sdb_edit_author_row,
                   out);
}

int store_edit_author_delete(struct store *s, int64_t id)
{
    return delete_unused(s, SQL_AUTHOR_HAS, SQL_AUTHOR_DELETE, id, "author");
}

/* --- sections ------------------------------------------------------- */

static void section_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct edit_section *x = elem;
    x->id = sqlite3_column_int64(st, 0);
    x->slug = sdb_col_text(a, st, 1);
    x->name = sdb_col_text(a, st, 2);
    x->description = sdb_col_text(a, st, 3);
    x->position = sqlite3_column_int64(st, 4);
    x->articles = sqlite3_column_int64(st, 5);
}

int store_edit_sections(struct store *s, struct arena *a,
                        struct edit_section **out, size_t *n)
{
    return sdb_list(s, a, SQL_SECTIONS, "sections", sizeof(**out), section_row,
                    (void **)out, n);
}

int store_edit_section(struct store *s, struct arena *a, int64_t id,
                       struct edit_section *out)
{
    *out = (struct edit_section){0};
    return sdb_one(s, a, SQL_SECTION, "section", SDB_INT(id), section_row, out);
}

int store_edit_section_add(struct store *s, const struct edit_section *in,
                           int64_t *id)
{
    char slug[128];
    if (!in->name || !*in->name)
        return sdb_invalid("section", "no name");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    if (in->slug && *in->slug) {
        if (strlen(in->slug) >= sizeof(slug))
            rc = sdb_invalid("section", "slug too long");
        else
            memcpy(slug, in->slug, strlen(in->slug) + 1);
    } else {
        char base[100];
        sdb_slugify(in->name, "section", base, sizeof(base));
        rc = sdb_unique_slug(w, SQL_SECTION_TAKEN, base, slug, sizeof(slug));
    }
    struct param p[] = {
        PT(slug), PT(in->name),
        PT(in->description && *in->description ? in->description : NULL),
        PID(in->position)};
    if (rc == 0)
        rc = run(w, SQL_SECTION_ADD, "section add", p, 4, NULL, NULL);
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(w->db);
    return sdb_write_end(s, rc);
}

int store_edit_section_set(struct store *s, int64_t id,
                           const struct edit_section *in)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    int changed = 0;
    struct param p[] = {PI(id), PT(in->name), PT(in->slug), PT(in->description),
                        PID(in->position)};
    rc = run(&s->writer, SQL_SECTION_SET, "section set", p, 5, NULL, &changed);
    if (rc == 0 && changed == 0)
        rc = ERR_NOT_FOUND;
    return sdb_write_end(s, rc);
}

int store_edit_section_delete(struct store *s, int64_t id)
{
    return delete_unused(s, SQL_SECTION_HAS, SQL_SECTION_DELETE, id, "section");
}
