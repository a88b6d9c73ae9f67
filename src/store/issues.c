/*
 * issues.c - reading issues: one by date, the latest, all of them with
 * their article counts, and an issue's table of contents.
 *
 * Only published articles make an issue public: an issue whose articles
 * are all drafts (one being assembled) is neither listed nor "latest".
 * The table of contents is an article list in the journal's order of
 * sections, read section by section (see SQL_TOC_SECTIONS).
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_BY_DATE[] =
    "SELECT id, date, title FROM issues WHERE date = ?1";
static const char SQL_LATEST[] =
    "SELECT i.id, i.date, i.title FROM issues i WHERE EXISTS"
    " (SELECT 1 FROM articles a WHERE a.issue_id = i.id AND a.status = 1)"
    " ORDER BY i.date DESC LIMIT 1";
/* Newest first along the date index, each issue counted over its range
 * of an index, instead of grouping and sorting every published article. */
#define ISSUE_PUBLISHED                                                        \
    " FROM articles a WHERE a.issue_id = i.id AND a.status = 1"
static const char SQL_LIST[] =
    "SELECT i.id, i.date, i.title, (SELECT count(*)" ISSUE_PUBLISHED ")"
    " FROM issues i WHERE EXISTS (SELECT 1" ISSUE_PUBLISHED ")"
    " ORDER BY i.date DESC";

/*
 * The table of contents walks the sections in the journal's order
 * (position, then name: the sections_order index) with how many published
 * articles of the issue each holds, articles without a section last, and
 * reads only the slices of the sections the page spans, each in the
 * editor's order, then of publication (articles_issue_order). Sorting the
 * whole issue for each page cost 6 ms a page for 4,927 articles, and a join of
 * the two in one statement is planned with a Bloom filter built from every
 * article row.
 */
static const char SQL_TOC_SECTIONS[] =
    "SELECT s.id, (SELECT count(*) FROM articles a WHERE a.issue_id = ?1"
    " AND a.status = 1 AND a.section_id = s.id) FROM sections s"
    " ORDER BY s.position, s.name";
static const char SQL_TOC_UNFILED[] =
    "SELECT NULL, count(*) FROM articles a WHERE a.issue_id = ?1"
    " AND a.status = 1 AND a.section_id IS NULL";
static const char SQL_TOC_SLICE[] =
    "SELECT a.id FROM articles a WHERE a.issue_id = ?1 AND a.status = 1"
    " AND a.section_id IS ?2 ORDER BY a.issue_position, a.published_at, a.id"
    " LIMIT ?3 OFFSET ?4";

/* One section of a table of contents: its id (0: none) and size. */
struct toc_part {
    int64_t section, n;
};

/*
 * A reader remembers the parts of the last TOC_MEMO tables of contents
 * while the content version stays (sdb_memo_version), as count_list
 * does for lists (articles.c): every page of an issue counted each of its
 * sections again (80 index ranges; 305 issue pages and the home page in
 * an export of the Reuters corpus, 117 ms of SQL). The writer (inside
 * store_begin) never remembers (version 0).
 */
enum { TOC_MEMO = 8 };
struct sdb_toc_memo {
    struct toc_memo_entry {
        int64_t version; /* 0: empty */
        int64_t issue_id;
        struct toc_part *parts; /* heap */
        size_t np;
    } e[TOC_MEMO];
    unsigned next;
};

/* toc_recall copies the parts remembered for issue_id at version into a. */
static bool toc_recall(struct conn *c, struct arena *a, int64_t version,
                       int64_t issue_id, struct toc_part **parts, size_t *np)
{
    for (size_t i = 0; c->tocs && i < TOC_MEMO; i++) {
        const struct toc_memo_entry *m = &c->tocs->e[i];
        if (m->version != version || m->issue_id != issue_id)
            continue;
        *parts = arena_alloc(a, m->np * sizeof(**parts));
        memcpy(*parts, m->parts, m->np * sizeof(**parts));
        *np = m->np;
        return true;
    }
    return false;
}

static void toc_remember(struct conn *c, int64_t version, int64_t issue_id,
                         const struct toc_part *parts, size_t np)
{
    if (!c->tocs)
        c->tocs = xcalloc(1, sizeof(*c->tocs));
    struct toc_memo_entry *m = &c->tocs->e[c->tocs->next++ % TOC_MEMO];
    free(m->parts);
    m->parts = xmalloc(np * sizeof(*parts));
    memcpy(m->parts, parts, np * sizeof(*parts));
    m->np = np;
    m->issue_id = issue_id;
    m->version = version;
}

void sdb_toc_free(struct conn *c)
{
    if (!c->tocs)
        return;
    for (size_t i = 0; i < TOC_MEMO; i++)
        free(c->tocs->e[i].parts);
    free(c->tocs);
    c->tocs = NULL;
}

static void issue_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct issue *out = elem;
    out->id = sqlite3_column_int64(st, 0);
    out->date = sdb_col_text(a, st, 1);
    out->title = sdb_col_text(a, st, 2);
}

static void entry_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct issue_entry *out = elem;
    issue_row(a, st, &out->issue);
    out->articles = sqlite3_column_int64(st, 3);
}

int store_issue_by_date(struct store *s, struct arena *a, struct str date,
                        struct issue *out)
{
    *out = (struct issue){0};
    return sdb_one(s, a, SQL_BY_DATE, "issue_by_date", SDB_TEXT(date),
                   issue_row, out);
}

int store_issue_latest(struct store *s, struct arena *a, struct issue *out)
{
    struct issue *v;
    size_t n;
    *out = (struct issue){0};
    int rc = sdb_list(s, a, SQL_LATEST, "issue_latest", sizeof(*v), issue_row,
                      (void **)&v, &n);
    if (rc != 0)
        return rc;
    if (n == 0)
        return ERR_NOT_FOUND;
    *out = v[0];
    return 0;
}

int store_issues_list(struct store *s, struct arena *a,
                      struct issue_entry **out, size_t *n)
{
    return sdb_list(s, a, SQL_LIST, "issues_list", sizeof(**out), entry_row,
                    (void **)out, n);
}

static void part_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    (void)a;
    struct toc_part *out = elem;
    out->section = sqlite3_column_int64(st, 0); /* NULL reads as 0 */
    out->n = sqlite3_column_int64(st, 1);
}

/* slice appends the ids of articles [skip, skip+take) of one part. */
static int slice(struct conn *c, int64_t issue_id, const struct toc_part *p,
                 int64_t skip, int64_t take, int64_t *ids, size_t *n)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_TOC_SLICE);
    if (!st)
        return ERR_DB;
    int rc;
    if ((sqlite3_bind_int64(st, 1, issue_id) | sdb_bind_id(st, 2, p->section) |
         sqlite3_bind_int64(st, 3, take) | sqlite3_bind_int64(st, 4, skip)) !=
        SQLITE_OK) {
        rc = sdb_fail(c, "issue_toc");
        goto out;
    }
    while ((rc = sdb_step(c, st, "issue_toc")) == 1 && take-- > 0)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
out:
    sdb_done(st);
    return rc < 0 ? rc : 0;
}

/* toc_ids picks the ids of the page [offset, offset+limit) from parts. */
static int toc_ids(struct conn *c, struct arena *a, int64_t issue_id,
                   const struct toc_part *parts, size_t np, int64_t total,
                   int limit, int offset, int64_t **ids, size_t *n)
{
    int64_t skip = offset, need = total - offset;
    if (need > limit)
        need = limit;
    *ids = NULL;
    *n = 0;
    if (need <= 0)
        return 0;
    *ids = arena_alloc(a, (size_t)need * sizeof(**ids));
    int rc = 0;
    for (size_t i = 0; i < np && need > 0 && rc == 0; i++) {
        if (skip >= parts[i].n) {
            skip -= parts[i].n;
            continue;
        }
        int64_t take = parts[i].n - skip < need ? parts[i].n - skip : need;
        size_t before = *n;
        rc = slice(c, issue_id, &parts[i], skip, take, *ids, n);
        need -= (int64_t)(*n - before);
        skip = 0;
    }
    return rc;
}

int store_issue_toc(struct store *s, struct arena *a, int64_t issue_id,
                    int limit, int offset, struct article **out, size_t *n,
                    int64_t *total)
{
    struct toc_part *parts = NULL, *unfiled = NULL;
    size_t np = 0, nu = 0, nids = 0;
    int64_t *ids = NULL, sum = 0;
    struct conn *c;

    *out = NULL;
    *n = 0;
    if (total)
        *total = 0;
    if (limit < 0 || offset < 0)
        return sdb_invalid("issue_toc", "negative limit or offset");
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    int64_t version = sdb_memo_version(s, c);
    if (!version || !toc_recall(c, a, version, issue_id, &parts, &np)) {
        rc = sdb_rows(c, a, SQL_TOC_SECTIONS, "issue_toc", &issue_id, 1,
                      sizeof(*parts), part_row, (void **)&parts, &np);
        if (rc == 0)
            rc = sdb_rows(c, a, SQL_TOC_UNFILED, "issue_toc", &issue_id, 1,
                          sizeof(*unfiled), part_row, (void **)&unfiled, &nu);
        if (rc != 0)
            goto out;
        /* The unfiled articles are one more part, after every section. */
        size_t cap = np;
        parts = sdb_grow(a, parts, np, &cap, sizeof(*parts));
        parts[np++] = nu ? unfiled[0] : (struct toc_part){0, 0};
        if (version)
            toc_remember(c, version, issue_id, parts, np);
    }
    for (size_t i = 0; i < np; i++)
        sum += parts[i].n;
    if (total)
        *total = sum;
    rc = toc_ids(c, a, issue_id, parts, np, sum, limit, offset, &ids, &nids);
    if (rc == 0)
        rc = sdb_articles_by_ids(c, a, ids, nids, out, n);
out:
    sdb_read_end(s, c);
    return rc;
}
