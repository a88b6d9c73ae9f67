/*
 * editorial.c - the editors' side of articles (see editorial.h).
 *
 * A save is one transaction: the revision check, store_article_save (the
 * importer's save path: row, section, issue, byline, tags, search index),
 * the editorial row (revision, scheduled flag, owner) and the revision's
 * copy of the fields. The revision check and the write happen under the
 * writer's lock, so two editors saving revision 4 cannot both win.
 *
 * Scheduling keeps articles.status the public flag: a scheduled article is
 * hidden (status 0) until store_schedule_run flips it, so no public query
 * can show it before its time however late the flip runs.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"
#include "store/editorial.h"

#include "content/markdown.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EDIT_BODY_MAX = 16 << 20 }; /* bytes of rendered HTML */

static const char SQL_GET[] =
    "SELECT a.id, a.slug, a.title, a.summary, a.body_md, a.status,"
    " a.published_at, a.updated_at, s.name, i.date,"
    " coalesce(e.revision, 0), coalesce(e.scheduled, 0),"
    " coalesce(e.created_at, a.published_at), e.owner"
    " FROM articles a LEFT JOIN sections s ON s.id = a.section_id"
    " LEFT JOIN issues i ON i.id = a.issue_id"
    " LEFT JOIN article_edit e ON e.article_id = a.id WHERE a.id = ?1";
static const char SQL_AUTHOR_NAMES[] =
    "SELECT au.name FROM article_authors aa JOIN authors au"
    " ON au.id = aa.author_id WHERE aa.article_id = ?1 ORDER BY aa.position";
static const char SQL_TAG_NAMES[] =
    "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id"
    " WHERE at.article_id = ?1 ORDER BY at.position";
static const char SQL_CURRENT[] =
    "SELECT coalesce(e.revision, 0), a.published_at FROM articles a"
    " LEFT JOIN article_edit e ON e.article_id = a.id WHERE a.id = ?1";
static const char SQL_EDIT_UPSERT[] =
    "INSERT INTO article_edit(article_id, revision, scheduled, created_at,"
    " owner) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(article_id) DO UPDATE"
    " SET revision = excluded.revision, scheduled = excluded.scheduled";
static const char SQL_SLUG_OF[] = "SELECT slug FROM articles WHERE id = ?1";
static const char SQL_REV_INSERT[] =
    "INSERT INTO article_revisions(article_id, n, who, at, title, summary,"
    " body_md, section, issue, authors, tags, slug, status, publish_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char SQL_REVS[] =
    "SELECT n, who, at, title, summary, NULL, section, issue, authors, tags,"
    " slug, status, publish_at FROM article_revisions WHERE article_id = ?1"
    " ORDER BY n DESC";
static const char SQL_REV[] =
    "SELECT n, who, at, title, summary, body_md, section, issue, authors,"
    " tags, slug, status, publish_at FROM article_revisions"
    " WHERE article_id = ?1 AND n = ?2";
static const char SQL_DELETE[] = "DELETE FROM articles WHERE id = ?1";
static const char SQL_DUE[] =
    "SELECT e.article_id FROM article_edit e JOIN articles a"
    " ON a.id = e.article_id WHERE e.scheduled = 1 AND a.published_at <= ?1";
static const char SQL_FLIP[] =
    "UPDATE articles SET status = 1 WHERE id = ?1 AND status = 0";
static const char SQL_UNSCHEDULE[] =
    "UPDATE article_edit SET scheduled = 0 WHERE article_id = ?1";
static const char SQL_SLUG_NOW[] =
    "SELECT a.slug FROM slug_history h JOIN articles a ON a.id = h.article_id"
    " WHERE h.old_slug = ?1 AND a.status = 1";
/* ?1 status (-1 any), ?2 section, ?3 author, ?4 issue, ?5 text, ?6 owner,
 * ?7 limit, ?8 offset. */
static const char SQL_LIST[] =
    "SELECT a.id, a.slug, a.title, a.summary, NULL, a.status,"
    " a.published_at, a.updated_at, s.name, i.date,"
    " coalesce(e.revision, 0), coalesce(e.scheduled, 0),"
    " coalesce(e.created_at, a.published_at), e.owner, count(*) OVER ()"
    " FROM articles a LEFT JOIN sections s ON s.id = a.section_id"
    " LEFT JOIN issues i ON i.id = a.issue_id"
    " LEFT JOIN article_edit e ON e.article_id = a.id"
    " WHERE (?1 < 0 OR (?1 = 2 AND a.status = 1)"
    "  OR (?1 = 1 AND a.status = 0 AND coalesce(e.scheduled, 0) = 1)"
    "  OR (?1 = 0 AND a.status = 0 AND coalesce(e.scheduled, 0) = 0))"
    " AND (?2 IS NULL OR s.slug = ?2 OR s.name = ?2)"
    " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM article_authors aa"
    "  JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id"
    "  AND (au.name = ?3 OR au.slug = ?3)))"
    " AND (?4 IS NULL OR i.date = ?4)"
    " AND (?5 IS NULL OR instr(lower(a.title), lower(?5)) > 0)"
    " AND (?6 IS NULL OR e.owner = ?6)"
    " ORDER BY a.updated_at DESC, a.id DESC LIMIT ?7 OFFSET ?8";

static const char *const status_names[] = {"draft", "scheduled", "published"};

const char *edit_status_name(enum edit_status st)
{
    return (unsigned)st < 3 ? status_names[st] : "draft";
}

int edit_status_of(const char *name)
{
    for (int i = 0; name && i < 3; i++)
        if (strcmp(name, status_names[i]) == 0)
            return i;
    return -1;
}

static bool blank(const char *s)
{
    return !s || !*s;
}

/* names reads one column of names for id into an arena array. */
static int names(struct conn *c, struct arena *a, const char *sql, int64_t id,
                 const char *const **out, size_t *n)
{
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st)
        return ERR_DB;
    const char **list = NULL;
    size_t cap = 0, k = 0;
    int rc = sqlite3_bind_int64(st, 1, id) == SQLITE_OK
                 ? 1
                 : sdb_fail(c, "edit: names");
    while (rc == 1) {
        rc = sdb_step(c, st, "edit: names");
        if (rc != 1)
            break;
        list = sdb_grow(a, list, k, &cap, sizeof(*list));
        list[k++] = sdb_col_text(a, st, 0);
    }
    sdb_done(st);
    if (rc != 0)
        return rc;
    *out = list;
    *n = k;
    return 0;
}

/* read_edit reads SQL_GET's / SQL_LIST's first 14 columns. */
static void read_edit(struct arena *a, sqlite3_stmt *st,
                      struct edit_article *out)
{
    bool shown = sqlite3_column_int(st, 5) != 0;
    bool sched = sqlite3_column_int(st, 11) != 0;
    *out = (struct edit_article){
        .id = sqlite3_column_int64(st, 0),
        .slug = sdb_col_text(a, st, 1),
        .title = sdb_col_text(a, st, 2),
        .summary = sdb_col_text(a, st, 3),
        .body_md = sdb_col_text(a, st, 4),
        .status = shown   ? EDIT_PUBLISHED
                  : sched ? EDIT_SCHEDULED
                          : EDIT_DRAFT,
        .publish_at = sqlite3_column_int64(st, 6),
        .updated_at = sqlite3_column_int64(st, 7),
        .section = sdb_col_text(a, st, 8),
        .issue = sdb_col_text(a, st, 9),
        .revision = sqlite3_column_int64(st, 10),
        .created_at = sqlite3_column_int64(st, 12),
        .owner = sdb_col_text(a, st, 13),
    };
}

static int load(struct conn *c, struct arena *a, int64_t id,
                struct edit_article *out)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_GET);
    if (!st)
        return ERR_DB;
    int rc = sqlite3_bind_int64(st, 1, id) == SQLITE_OK
                 ? sdb_step(c, st, "edit: get")
                 : sdb_fail(c, "edit: get");
    if (rc == 1)
        read_edit(a, st, out);
    sdb_done(st);
    if (rc == 0)
        return ERR_NOT_FOUND;
    if (rc != 1)
        return rc;
    rc = names(c, a, SQL_AUTHOR_NAMES, id, &out->authors, &out->n_authors);
    if (rc == 0)
        rc = names(c, a, SQL_TAG_NAMES, id, &out->tags, &out->n_tags);
    return rc;
}

int store_edit_get(struct store *s, struct arena *a, int64_t id,
                   struct edit_article *out)
{
    struct conn *c;
    *out = (struct edit_article){0};
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = load(c, a, id, out);
    sdb_read_end(s, c);
    return rc;
}

/* join puts names one a line (a name may not hold a line break). */
static int join(struct buf *b, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!list[i] || strpbrk(list[i], "\r\n"))
            return sdb_invalid("edit", "a name holds a line break");
        if (i)
            buf_append_cstr(b, "\n");
        buf_append_cstr(b, list[i]);
    }
    return b->err;
}

/* split is join's inverse, into the arena. */
static void split(struct arena *a, const char *text, const char *const **out,
                  size_t *n)
{
    const char **list = NULL;
    size_t cap = 0, k = 0;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        list = sdb_grow(a, list, k, &cap, sizeof(*list));
        list[k++] = arena_strndup(a, p, len);
        p += len + (nl ? 1 : 0);
    }
    *out = list;
    *n = k;
}

static int current(struct conn *w, int64_t id, int64_t *rev, int64_t *pub)
{
    sqlite3_stmt *st = sdb_stmt(w, SQL_CURRENT);
    if (!st)
        return ERR_DB;
    int rc = sqlite3_bind_int64(st, 1, id) == SQLITE_OK
                 ? sdb_step(w, st, "edit: current")
                 : sdb_fail(w, "edit: current");
    if (rc == 1) {
        *rev = sqlite3_column_int64(st, 0);
        *pub = sqlite3_column_int64(st, 1);
        rc = 0;
    } else if (rc == 0) {
        rc = ERR_NOT_FOUND;
    }
    sdb_done(st);
    return rc;
}

/* record writes the editorial row and the revision's copy. */
static int record(struct conn *w, const struct edit_article *in, int64_t id,
                  int64_t rev, bool sched, int64_t pub, int64_t now,
                  const char *who)
{
    struct buf au, tg;
    char *slug = NULL;
    buf_init(&au, 1 << 20);
    buf_init(&tg, 1 << 20);
    int rc = join(&au, in->authors, in->n_authors);
    if (rc == 0)
        rc = join(&tg, in->tags, in->n_tags);
    sqlite3_stmt *st = rc == 0 ? sdb_stmt(w, SQL_EDIT_UPSERT) : NULL;
    if (rc == 0 && !st)
        rc = ERR_DB;
    if (rc == 0) {
        if ((sqlite3_bind_int64(st, 1, id) | sqlite3_bind_int64(st, 2, rev) |
             sqlite3_bind_int(st, 3, sched) | sqlite3_bind_int64(st, 4, now) |
             sdb_bind_text(st, 5, in->owner ? in->owner : who)) != SQLITE_OK)
            rc = sdb_fail(w, "edit: state");
        else
            rc = sdb_step(w, st, "edit: state");
        sdb_done(st);
    }
    if (rc == 0 && (st = sdb_stmt(w, SQL_SLUG_OF)) != NULL) {
        rc = sqlite3_bind_int64(st, 1, id) == SQLITE_OK
                 ? sdb_step(w, st, "edit: slug")
                 : sdb_fail(w, "edit: slug");
        if (rc == 1) {
            slug = xstrdup((const char *)sqlite3_column_text(st, 0));
            rc = 0;
        } else if (rc == 0) {
            rc = ERR_NOT_FOUND;
        }
        sdb_done(st);
    } else if (rc == 0) {
        rc = ERR_DB;
    }
    if (rc == 0 && (st = sdb_stmt(w, SQL_REV_INSERT)) != NULL) {
        enum edit_status es = in->status;
        if (es == EDIT_SCHEDULED && !sched)
            es = EDIT_PUBLISHED;
        if ((sqlite3_bind_int64(st, 1, id) | sqlite3_bind_int64(st, 2, rev) |
             sdb_bind_text(st, 3, who) | sqlite3_bind_int64(st, 4, now) |
             sdb_bind_text(st, 5, in->title) |
             sdb_bind_text(st, 6, in->summary) |
             sdb_bind_text(st, 7, in->body_md ? in->body_md : "") |
             sdb_bind_text(st, 8, blank(in->section) ? NULL : in->section) |
             sdb_bind_text(st, 9, blank(in->issue) ? NULL : in->issue) |
             sdb_bind_text(st, 10, au.ptr) | sdb_bind_text(st, 11, tg.ptr) |
             sdb_bind_text(st, 12, slug) |
             sdb_bind_text(st, 13, edit_status_name(es)) |
             sqlite3_bind_int64(st, 14, pub)) != SQLITE_OK)
            rc = sdb_fail(w, "edit: revision");
        else
            rc = sdb_step(w, st, "edit: revision");
        sdb_done(st);
    } else if (rc == 0) {
        rc = ERR_DB;
    }
    free(slug);
    buf_release(&au);
    buf_release(&tg);
    return rc;
}

int store_edit_save(struct store *s, const struct edit_article *in,
                    int64_t expect, const char *who, int64_t *id,
                    int64_t *revision)
{
    if (!in || blank(in->title))
        return sdb_invalid("edit", "an article needs a title");
    if ((unsigned)in->status > EDIT_PUBLISHED)
        return sdb_invalid("edit", "unknown status");
    if (!blank(in->issue) && !sdb_valid_date(in->issue))
        return sdb_invalid("edit", "issue must be YYYY-MM-DD");
    if (blank(who))
        return sdb_invalid("edit", "a save needs its author");
    const char *md = in->body_md ? in->body_md : "";
    struct buf html;
    buf_init(&html, EDIT_BODY_MAX);
    int rc = markdown_to_html(md, strlen(md), &html);
    if (rc != 0) {
        buf_release(&html);
        return rc;
    }
    int64_t now = (int64_t)time(NULL), rev = 0, pub = 0, aid = in->id;
    rc = store_begin(s);
    if (rc != 0) {
        buf_release(&html);
        return rc;
    }
    struct conn *w = &s->writer;
    if (in->id) {
        rc = current(w, in->id, &rev, &pub);
        if (rc == 0 && rev != expect) {
            sdb_errorf("edit: article %lld is at revision %lld, not %lld",
                       (long long)in->id, (long long)rev, (long long)expect);
            rc = ERR_CONFLICT;
        }
    }
    if (in->publish_at > 0)
        pub = in->publish_at;
    else if (pub == 0 || in->status == EDIT_SCHEDULED)
        pub = now;
    /* A scheduled time already past publishes now. */
    bool sched = in->status == EDIT_SCHEDULED && pub > now;
    bool shown = in->status == EDIT_PUBLISHED ||
                 (in->status == EDIT_SCHEDULED && !sched);
    struct article_input ai = {
        .id = in->id,
        .slug = blank(in->slug) ? NULL : in->slug,
        .title = in->title,
        .summary = blank(in->summary) ? NULL : in->summary,
        .body_md = md,
        .body_html = html.ptr,
        .status = shown ? ARTICLE_PUBLISHED : ARTICLE_DRAFT,
        .published_at = pub,
        .hits = -1,
        .section = blank(in->section) ? NULL : in->section,
        .issue_date = blank(in->issue) ? NULL : in->issue,
        .authors = in->authors,
        .n_authors = in->n_authors,
        .tags = in->tags,
        .n_tags = in->n_tags,
    };
    if (rc == 0 && !in->id && ai.slug) {
        /* A new article naming a taken slug must not update that one. */
        sqlite3_stmt *st =
            sdb_stmt(w, "SELECT 1 FROM articles WHERE slug = ?1");
        rc = !st ? ERR_DB
             : sdb_bind_text(st, 1, ai.slug) == SQLITE_OK
                 ? sdb_step(w, st, "edit: slug taken")
                 : sdb_fail(w, "edit: slug taken");
        sdb_done(st);
        if (rc == 1) {
            sdb_errorf("edit: slug '%.100s' is taken", ai.slug);
            rc = ERR_EXISTS;
        }
    }
    if (rc == 0)
        rc = store_article_save(s, &ai, &aid, NULL);
    if (rc == ERR_EXISTS)
        sdb_errorf("edit: slug is taken by another article");
    if (rc == 0)
        rc = record(w, in, aid, rev + 1, sched, pub, now, who);
    buf_release(&html);
    rc = sdb_write_end(s, rc);
    if (rc == 0) {
        if (id)
            *id = aid;
        if (revision)
            *revision = rev + 1;
    }
    return rc;
}

int store_edit_list(struct store *s, struct arena *a,
                    const struct edit_filter *f, struct edit_article **out,
                    size_t *n, int64_t *total)
{
    struct conn *c;
    struct edit_article *list = NULL;
    size_t cap = 0, k = 0;
    int64_t all = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_LIST);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int(st, 1, f->status) |
         sdb_bind_text(st, 2, blank(f->section) ? NULL : f->section) |
         sdb_bind_text(st, 3, blank(f->author) ? NULL : f->author) |
         sdb_bind_text(st, 4, blank(f->issue) ? NULL : f->issue) |
         sdb_bind_text(st, 5, blank(f->q) ? NULL : f->q) |
         sdb_bind_text(st, 6, blank(f->owner) ? NULL : f->owner) |
         sqlite3_bind_int(st, 7, f->limit > 0 ? f->limit : 20) |
         sqlite3_bind_int(st, 8, f->offset > 0 ? f->offset : 0)) != SQLITE_OK) {
        rc = sdb_fail(c, "edit: list");
        sdb_done(st);
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "edit: list");
        if (rc != 1)
            break;
        list = sdb_grow(a, list, k, &cap, sizeof(*list));
        read_edit(a, st, &list[k]);
        all = sqlite3_column_int64(st, 14);
        k++;
    }
    sdb_done(st);
    for (size_t i = 0; i < k && rc == 0; i++)
        rc = names(c, a, SQL_AUTHOR_NAMES, list[i].id, &list[i].authors,
                   &list[i].n_authors);
out:
    sdb_read_end(s, c);
    if (rc == 0) {
        *out = list;
        *n = k;
        if (total)
            *total = all;
    }
    return rc;
}

int store_edit_delete(struct store *s, int64_t id)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_DELETE);
    if (!st)
        rc = ERR_DB;
    else if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
        rc = sdb_fail(w, "edit: delete");
    else if ((rc = sdb_step(w, st, "edit: delete")) == 0 &&
             sqlite3_changes(w->db) == 0)
        rc = ERR_NOT_FOUND;
    sdb_done(st);
    return sdb_write_end(s, rc);
}

static void read_rev(struct arena *a, sqlite3_stmt *st, int64_t id,
                     struct edit_revision *out)
{
    *out = (struct edit_revision){
        .n = sqlite3_column_int64(st, 0),
        .who = sdb_col_text(a, st, 1),
        .at = sqlite3_column_int64(st, 2),
    };
    struct edit_article *f = &out->fields;
    f->id = id;
    f->revision = out->n;
    f->title = sdb_col_text(a, st, 3);
    f->summary = sdb_col_text(a, st, 4);
    f->body_md = sdb_col_text(a, st, 5);
    f->section = sdb_col_text(a, st, 6);
    f->issue = sdb_col_text(a, st, 7);
    split(a, sdb_col_text(a, st, 8), &f->authors, &f->n_authors);
    split(a, sdb_col_text(a, st, 9), &f->tags, &f->n_tags);
    f->slug = sdb_col_text(a, st, 10);
    int es = edit_status_of(sdb_col_text(a, st, 11));
    f->status = es < 0 ? EDIT_DRAFT : (enum edit_status)es;
    f->publish_at = sqlite3_column_int64(st, 12);
}

int store_edit_revisions(struct store *s, struct arena *a, int64_t id,
                         struct edit_revision **out, size_t *n)
{
    struct conn *c;
    struct edit_revision *list = NULL;
    size_t cap = 0, k = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_REVS);
    if (!st)
        rc = ERR_DB;
    else if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
        rc = sdb_fail(c, "edit: revisions");
    else
        for (;;) {
            rc = sdb_step(c, st, "edit: revisions");
            if (rc != 1)
                break;
            list = sdb_grow(a, list, k, &cap, sizeof(*list));
            read_rev(a, st, id, &list[k++]);
        }
    sdb_done(st);
    sdb_read_end(s, c);
    if (rc == 0) {
        *out = list;
        *n = k;
    }
    return rc;
}

static int get_rev(struct conn *c, struct arena *a, int64_t id, int64_t n,
                   struct edit_revision *out)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_REV);
    if (!st)
        return ERR_DB;
    int rc = (sqlite3_bind_int64(st, 1, id) | sqlite3_bind_int64(st, 2, n)) ==
                     SQLITE_OK
                 ? sdb_step(c, st, "edit: revision")
                 : sdb_fail(c, "edit: revision");
    if (rc == 1) {
        read_rev(a, st, id, out);
        rc = 0;
    } else if (rc == 0) {
        rc = ERR_NOT_FOUND;
    }
    sdb_done(st);
    return rc;
}

int store_edit_revision(struct store *s, struct arena *a, int64_t id, int64_t n,
                        struct edit_revision *out)
{
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = get_rev(c, a, id, n, out);
    sdb_read_end(s, c);
    return rc;
}

int store_edit_restore(struct store *s, int64_t id, int64_t n, int64_t expect,
                       const char *who, int64_t *revision)
{
    struct arena a;
    struct edit_revision r;
    int64_t rev = 0, pub = 0;
    arena_init(&a, 16384);
    int rc = store_begin(s);
    if (rc != 0) {
        arena_release(&a);
        return rc;
    }
    struct conn *w = &s->writer;
    rc = current(w, id, &rev, &pub);
    if (rc == 0)
        rc = get_rev(w, &a, id, n, &r);
    if (rc == 0 && expect >= 0 && expect != rev) {
        sdb_errorf("edit: article %lld is at revision %lld, not %lld",
                   (long long)id, (long long)rev, (long long)expect);
        rc = ERR_CONFLICT;
    }
    if (rc == 0) {
        r.fields.owner = NULL;
        rc = store_edit_save(s, &r.fields, rev, who, NULL, revision);
    }
    rc = sdb_write_end(s, rc);
    arena_release(&a);
    return rc;
}

int store_schedule_run(struct store *s, int64_t now, int *flipped)
{
    struct conn *c;
    int64_t due[64];
    size_t k = 0;
    *flipped = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_DUE);
    if (!st)
        rc = ERR_DB;
    else if (sqlite3_bind_int64(st, 1, now) != SQLITE_OK)
        rc = sdb_fail(c, "schedule: due");
    else
        while ((rc = sdb_step(c, st, "schedule: due")) == 1 && k < 64)
            due[k++] = sqlite3_column_int64(st, 0);
    if (rc == 1)
        rc = 0; /* more than 64: the next tick takes the rest */
    sdb_done(st);
    sdb_read_end(s, c);
    if (rc != 0 || k == 0)
        return rc;
    rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    for (size_t i = 0; i < k && rc == 0; i++) {
        const char *sqls[] = {SQL_FLIP, SQL_UNSCHEDULE};
        for (int j = 0; j < 2 && rc == 0; j++) {
            st = sdb_stmt(w, sqls[j]);
            if (!st)
                rc = ERR_DB;
            else if (sqlite3_bind_int64(st, 1, due[i]) != SQLITE_OK)
                rc = sdb_fail(w, "schedule: flip");
            else
                rc = sdb_step(w, st, "schedule: flip");
            sdb_done(st);
        }
        if (rc == 0)
            rc = sdb_search_reindex(w, due[i]);
    }
    rc = sdb_write_end(s, rc);
    if (rc == 0)
        *flipped = (int)k;
    return rc;
}

int store_slug_current(struct store *s, struct arena *a, struct str old,
                       const char **slug)
{
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_SLUG_NOW);
    if (!st)
        rc = ERR_DB;
    else if (sdb_bind_str(st, 1, old) != SQLITE_OK)
        rc = sdb_fail(c, "slug history");
    else
        rc = sdb_step(c, st, "slug history");
    if (rc == 1) {
        *slug = sdb_col_text(a, st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = ERR_NOT_FOUND;
    }
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}
