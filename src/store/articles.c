/*
 * articles.c - saving and reading articles.
 *
 * A save is one unit: the article row, its section and issue (created if
 * new), its byline and its tags all change together or not at all. It runs
 * as one level of store_begin, i.e. a SAVEPOINT when the caller already has
 * a transaction open (an import batches thousands of saves in one) and a
 * transaction of its own otherwise.
 *
 * Identity: an article is matched by its slug when the input names one,
 * else (or when that slug is unknown) by the file it came from. A match by
 * source with an explicit new slug renames the article. A new article
 * without an explicit slug takes slug_base, then slug_base-2, -3...
 *
 * Reads assemble a struct article from a few queries in one snapshot: the
 * row joined with its section and issue, then its authors (and tags). A
 * list page costs three queries whatever its length: the count (remembered
 * while nothing changes), the page, and all the page's authors at once,
 * for the page's ids bound as one JSON array (as article_fill.c does).
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char SQL_ID_BY_SLUG[] = "SELECT id FROM articles WHERE slug = ?1";
static const char SQL_ID_BY_SOURCE[] =
    "SELECT id FROM articles WHERE source = ?1";
static const char SQL_SLUG_TAKEN[] = "SELECT 1 FROM articles WHERE slug = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO articles(slug, source, title, summary, body_md, body_html,"
    " status, published_at, updated_at, section_id, issue_id, hits)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, max(?12, 0))";
static const char SQL_UPDATE[] =
    "UPDATE articles SET slug = coalesce(?1, slug),"
    " source = coalesce(?2, source), title = ?3, summary = ?4, body_md = ?5,"
    " body_html = ?6, status = ?7, published_at = ?8, updated_at = ?9,"
    " section_id = ?10, issue_id = ?11,"
    " hits = CASE WHEN ?12 < 0 THEN hits ELSE ?12 END"
    " WHERE id = ?13";
static const char SQL_AUTHORS_CLEAR[] =
    "DELETE FROM article_authors WHERE article_id = ?1";
static const char SQL_AUTHOR_LINK[] =
    "INSERT OR IGNORE INTO article_authors(article_id, author_id, position)"
    " VALUES (?1, ?2, ?3)";
static const char SQL_TAGS_CLEAR[] =
    "DELETE FROM article_tags WHERE article_id = ?1";
static const char SQL_TAG_LINK[] =
    "INSERT OR IGNORE INTO article_tags(article_id, tag_id, position)"
    " VALUES (?1, ?2, ?3)";

/* Rows are SDB_ARTICLE_COLS (store_int.h), as sdb_read_article expects;
 * lists select NULL for the bodies. */
#define NEWEST " ORDER BY a.published_at DESC, a.id DESC"

/*
 * One list query per enum list_kind: the page and the count. ?1 and ?2 are
 * LIMIT and OFFSET, ?3 the id or range start, ?4 the range end. The page's
 * ids come from an index-only subquery in the index's order, so a deep
 * OFFSET skips index entries instead of joining and then dropping
 * thousands of rows (page 700 of the home page: 100 ms before, 2 ms
 * after), and only the page's rows are read and sorted.
 */
/* clang-format off */
#define PAGE_OF(ids) SDB_ARTICLE_COLS("NULL, NULL") "WHERE a.id IN (" ids ")" NEWEST
#define AFTER(pub, id) " AND (" pub ", " id ") < (?5, ?6)"
/* after: cond for the page after a known row, whose key bounds it. */
#define LIST_SQL_AFTER(from, cond, after)                                    \
    {PAGE_OF("SELECT a.id FROM " from " WHERE " cond NEWEST                  \
             " LIMIT ?1 OFFSET ?2"),                                         \
     "SELECT count(*) FROM articles a WHERE " cond,                          \
     PAGE_OF("SELECT a.id FROM " from " WHERE " after                        \
             AFTER("a.published_at", "a.id") NEWEST " LIMIT ?1 OFFSET ?2"),  \
     "SELECT a.published_at, a.id FROM " from " WHERE " cond NEWEST}
#define LIST_SQL_FROM(from, cond) LIST_SQL_AFTER(from, cond, cond)
#define LIST_SQL(cond) LIST_SQL_FROM("articles a", cond)
/* Tags and bylines carry their article's status and published_at (schema
 * migration 6): a tag's or an author's page is one range of their index. */
#define LINK_NEWEST " ORDER BY published_at DESC, article_id DESC"
#define LINK_SQL(table, key)                                                 \
    {PAGE_OF("SELECT article_id FROM " table " WHERE " key " = ?3"           \
             " AND status = 1" LINK_NEWEST " LIMIT ?1 OFFSET ?2"),           \
     "SELECT count(*) FROM " table " WHERE " key " = ?3 AND status = 1",     \
     PAGE_OF("SELECT article_id FROM " table " WHERE " key " = ?3"           \
             " AND status = 1" AFTER("published_at", "article_id")           \
             LINK_NEWEST " LIMIT ?1 OFFSET ?2"),                             \
     "SELECT published_at, article_id FROM " table " WHERE " key " = ?3"     \
     " AND status = 1" LINK_NEWEST}

static const struct sdb_list_sql list_sql[] = {
    [LIST_ALL] = LIST_SQL("a.status = 1"),
    [LIST_SECTION] = LIST_SQL("a.section_id = ?3 AND a.status = 1"),
    /* Not articles_issue_section, which has the table of contents' order
     * (issues.c) and which SQLite picked without statistics. */
    [LIST_ISSUE] = LIST_SQL_FROM("articles a INDEXED BY articles_issue",
                                 "a.issue_id = ?3 AND a.status = 1"),
    [LIST_AUTHOR] = LINK_SQL("article_authors", "author_id"),
    [LIST_TAG] = LINK_SQL("article_tags", "tag_id"),
    /* After a known row, the range's end is the row's key: SQLite takes
     * one upper bound, and "< ?4" would have it scan from the end again. */
    [LIST_RANGE] = LIST_SQL_AFTER("articles a",
                                  "a.status = 1 AND a.published_at >= ?3"
                                  " AND a.published_at < ?4",
                                  "a.status = 1 AND a.published_at >= ?3"),
};
/* clang-format on */
/* The bylines of a page, and a page's rows by id in any order. */
static const char SQL_PAGE_AUTHORS[] =
    "SELECT aa.article_id, au.id, au.slug, au.name, au.bio"
    " FROM article_authors aa JOIN authors au ON au.id = aa.author_id"
    " WHERE aa.article_id IN (SELECT value FROM json_each(?1))"
    " ORDER BY aa.article_id, aa.position";
static const char SQL_BY_IDS[] = SDB_ARTICLE_COLS(
    "NULL, NULL") "WHERE a.id IN (SELECT value FROM json_each(?1))";
static const char SQL_BY_SLUG[] = SDB_ARTICLE_COLS(
    "a.body_md, a.body_html") "WHERE a.slug = ?1 AND (?2 OR a.status = 1)";
static const char SQL_AUTHORS_OF[] =
    "SELECT au.id, au.slug, au.name, au.bio FROM article_authors aa"
    " JOIN authors au ON au.id = aa.author_id"
    " WHERE aa.article_id = ?1 ORDER BY aa.position";
static const char SQL_TAGS_OF[] =
    "SELECT t.id, t.slug, t.name FROM article_tags at"
    " JOIN tags t ON t.id = at.tag_id"
    " WHERE at.article_id = ?1 ORDER BY at.position";
static const char SQL_COUNT[] = "SELECT count(*) FROM articles";

/* --- saving -------------------------------------------------------- */

static bool blank(const char *s)
{
    return !s || !*s;
}

/* find_id looks an article up by one text key; *id stays 0 if absent. */
static int find_id(struct conn *w, const char *sql, const char *key,
                   int64_t *id)
{
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st)
        return ERR_DB;
    int rc;
    if (sdb_bind_text(st, 1, key) != SQLITE_OK) {
        rc = sdb_fail(w, "article_save: find");
    } else {
        rc = sdb_step(w, st, "article_save: find");
        if (rc == 1)
            *id = sqlite3_column_int64(st, 0);
    }
    sdb_done(st);
    return rc < 0 ? rc : 0;
}

/* new_slug picks a free slug for a new article (heap; free it). */
static int new_slug(struct conn *w, const struct article_input *in, char **out)
{
    char derived[128];
    const char *base = in->slug_base;
    *out = NULL;
    if (blank(base)) {
        sdb_slugify(in->title, "article", derived, sizeof(derived));
        base = derived;
    }
    size_t cap = strlen(base) + 24;
    if (cap > SDB_NAME_MAX)
        return sdb_invalid("article_save", "slug too long");
    char *slug = xmalloc(cap);
    int rc = sdb_unique_slug(w, SQL_SLUG_TAKEN, base, slug, cap);
    if (rc != 0) {
        free(slug);
        return rc;
    }
    *out = slug;
    return 0;
}

/* write_row inserts (id == 0) or updates the article's own row. */
static int write_row(struct conn *w, const struct article_input *in,
                     const char *slug, int64_t section_id, int64_t issue_id,
                     int64_t *id)
{
    sqlite3_stmt *st = sdb_stmt(w, *id ? SQL_UPDATE : SQL_INSERT);
    if (!st)
        return ERR_DB;
    int rc;
    int brc = sdb_bind_text(st, 1, slug) |
              sdb_bind_text(st, 2, blank(in->source) ? NULL : in->source) |
              sdb_bind_text(st, 3, in->title) |
              sdb_bind_text(st, 4, in->summary) |
              sdb_bind_text(st, 5, in->body_md) |
              sdb_bind_text(st, 6, in->body_html) |
              sqlite3_bind_int(st, 7, (int)in->status) |
              sqlite3_bind_int64(st, 8, in->published_at) |
              sqlite3_bind_int64(st, 9, (int64_t)time(NULL)) |
              sdb_bind_id(st, 10, section_id) | sdb_bind_id(st, 11, issue_id) |
              sqlite3_bind_int64(st, 12, in->hits < 0 ? -1 : in->hits);
    if (*id)
        brc |= sqlite3_bind_int64(st, 13, *id);
    if (brc != SQLITE_OK) {
        rc = sdb_fail(w, "article_save: bind");
        goto out;
    }
    rc = sdb_step(w, st, *id ? "article_save: update" : "article_save: insert");
    if (rc == 0 && !*id)
        *id = sqlite3_last_insert_rowid(w->db);
out:
    sdb_done(st);
    return rc;
}

typedef int (*ensure_fn)(struct conn *w, const char *name, int64_t *id);

/* relink replaces the article's rows in a join table, keeping order. */
static int relink(struct conn *w, const char *clear_sql, const char *link_sql,
                  ensure_fn ensure, int64_t article_id, bool is_new,
                  const char *const *names, size_t n)
{
    sqlite3_stmt *st;
    int rc = 0;
    if (!is_new) {
        st = sdb_stmt(w, clear_sql);
        if (!st)
            return ERR_DB;
        rc = sqlite3_bind_int64(st, 1, article_id) == SQLITE_OK
                 ? sdb_step(w, st, "article_save: clear")
                 : sdb_fail(w, "article_save: clear");
        sdb_done(st);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t other = 0;
        if (blank(names[i]))
            continue;
        rc = ensure(w, names[i], &other);
        if (rc != 0)
            break;
        st = sdb_stmt(w, link_sql);
        if (!st)
            return ERR_DB;
        /* INSERT OR IGNORE: a name listed twice keeps its first place. */
        if ((sqlite3_bind_int64(st, 1, article_id) |
             sqlite3_bind_int64(st, 2, other) |
             sqlite3_bind_int64(st, 3, (int64_t)i)) != SQLITE_OK)
            rc = sdb_fail(w, "article_save: link");
        else
            rc = sdb_step(w, st, "article_save: link");
        sdb_done(st);
    }
    return rc;
}

int store_article_save(struct store *s, const struct article_input *in,
                       int64_t *id, bool *created)
{
    int64_t aid = 0, section_id = 0, issue_id = 0;
    char *slug = NULL;
    bool is_new = false;

    if (!in || blank(in->title))
        return sdb_invalid("article_save", "an article needs a title");
    if (in->status != ARTICLE_DRAFT && in->status != ARTICLE_PUBLISHED)
        return sdb_invalid("article_save", "unknown status");
    if ((in->n_authors && !in->authors) || (in->n_tags && !in->tags))
        return sdb_invalid("article_save", "author or tag list missing");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;

    if (in->id) {
        /* The editor saves by id; a slug taken by another is refused. */
        int64_t other = 0;
        aid = in->id; /* the caller checked that it exists */
        if (!blank(in->slug))
            rc = find_id(w, SQL_ID_BY_SLUG, in->slug, &other);
        if (rc == 0 && other != 0 && other != in->id)
            rc = ERR_EXISTS;
    } else if (!blank(in->slug))
        rc = find_id(w, SQL_ID_BY_SLUG, in->slug, &aid);
    if (rc == 0 && aid == 0 && !blank(in->source))
        rc = find_id(w, SQL_ID_BY_SOURCE, in->source, &aid);
    if (rc == 0 && !blank(in->section))
        rc = sdb_section_ensure(w, in->section, &section_id);
    if (rc == 0 && !blank(in->issue_date))
        rc = sdb_issue_ensure(w, in->issue_date, &issue_id);
    if (rc != 0)
        goto out;

    if (aid == 0) {
        is_new = true;
        if (!blank(in->slug))
            slug = xstrdup(in->slug); /* free: find_id said so */
        else
            rc = new_slug(w, in, &slug);
    } else if (!blank(in->slug)) {
        slug = xstrdup(in->slug); /* same, or a rename when matched by source */
    }
    if (rc == 0)
        rc = write_row(w, in, slug, section_id, issue_id, &aid);
    if (rc == 0)
        rc = relink(w, SQL_AUTHORS_CLEAR, SQL_AUTHOR_LINK, sdb_author_ensure,
                    aid, is_new, in->authors, in->n_authors);
    if (rc == 0)
        rc = relink(w, SQL_TAGS_CLEAR, SQL_TAG_LINK, sdb_tag_ensure, aid,
                    is_new, in->tags, in->n_tags);
    if (rc == 0)
        rc = sdb_search_reindex(w, aid); /* same transaction as the row */
    if (rc == 0)
        rc = sdb_places_tag(w, aid); /* countries, organizations */
out:
    free(slug);
    rc = sdb_write_end(s, rc);
    if (rc == 0) {
        if (id)
            *id = aid;
        if (created)
            *created = is_new;
    }
    return rc;
}

/* --- reading ------------------------------------------------------- */

static void read_article(struct arena *a, sqlite3_stmt *st, struct article *out)
{
    *out = (struct article){
        .id = sqlite3_column_int64(st, 0),
        .slug = sdb_col_text(a, st, 1),
        .title = sdb_col_text(a, st, 2),
        .summary = sdb_col_text(a, st, 3),
        .body_md = sdb_col_text(a, st, 4),
        .body_html = sdb_col_text(a, st, 5),
        .status = sqlite3_column_int(st, 6) ? ARTICLE_PUBLISHED : ARTICLE_DRAFT,
        .published_at = sqlite3_column_int64(st, 7),
        .updated_at = sqlite3_column_int64(st, 8),
        .hits = sqlite3_column_int64(st, 9),
    };
    if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
        out->section.id = sqlite3_column_int64(st, 10);
        out->section.slug = sdb_col_text(a, st, 11);
        out->section.name = sdb_col_text(a, st, 12);
        out->section.position = sqlite3_column_int(st, 13);
    }
    if (sqlite3_column_type(st, 14) != SQLITE_NULL) {
        out->issue.id = sqlite3_column_int64(st, 14);
        out->issue.date = sdb_col_text(a, st, 15);
        out->issue.title = sdb_col_text(a, st, 16);
    }
}

/* read_author reads an author from columns col..col+3. */
static void read_author(struct arena *a, sqlite3_stmt *st, int col,
                        struct author *out)
{
    out->id = sqlite3_column_int64(st, col);
    out->slug = sdb_col_text(a, st, col + 1);
    out->name = sdb_col_text(a, st, col + 2);
    out->bio = sdb_col_text(a, st, col + 3);
}

static int load_authors(struct conn *c, struct arena *a, struct article *art)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_AUTHORS_OF);
    if (!st)
        return ERR_DB;
    size_t cap = 0;
    int rc = SQLITE_OK;
    if (sqlite3_bind_int64(st, 1, art->id) != SQLITE_OK) {
        rc = sdb_fail(c, "article authors");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "article authors");
        if (rc != 1)
            break;
        art->authors = sdb_grow(a, art->authors, art->n_authors, &cap,
                                sizeof(*art->authors));
        read_author(a, st, 0, &art->authors[art->n_authors++]);
    }
out:
    sdb_done(st);
    return rc;
}

static int load_tags(struct conn *c, struct arena *a, struct article *art)
{
    sqlite3_stmt *st = sdb_stmt(c, SQL_TAGS_OF);
    if (!st)
        return ERR_DB;
    size_t cap = 0;
    int rc = SQLITE_OK;
    if (sqlite3_bind_int64(st, 1, art->id) != SQLITE_OK) {
        rc = sdb_fail(c, "article tags");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "article tags");
        if (rc != 1)
            break;
        art->tags =
            sdb_grow(a, art->tags, art->n_tags, &cap, sizeof(*art->tags));
        struct tag *t = &art->tags[art->n_tags++];
        t->id = sqlite3_column_int64(st, 0);
        t->slug = sdb_col_text(a, st, 1);
        t->name = sdb_col_text(a, st, 2);
    }
out:
    sdb_done(st);
    return rc;
}

int store_article_by_slug(struct store *s, struct arena *a, struct str slug,
                          bool drafts, struct article *out)
{
    struct conn *c;
    sqlite3_stmt *st = NULL;
    *out = (struct article){0};
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    if (sdb_memo_get(c, a, slug, drafts, out))
        goto out;
    st = sdb_stmt(c, SQL_BY_SLUG);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sdb_bind_str(st, 1, slug) | sqlite3_bind_int(st, 2, drafts)) !=
        SQLITE_OK) {
        rc = sdb_fail(c, "article_by_slug");
        goto out;
    }
    rc = sdb_step(c, st, "article_by_slug");
    if (rc == 0) {
        sdb_errorf("article_by_slug: no article '%.*s'",
                   slug.len > 200 ? 200 : (int)slug.len,
                   slug.ptr ? slug.ptr : "");
        rc = ERR_NOT_FOUND;
    }
    if (rc < 0)
        goto out;
    read_article(a, st, out);
    sdb_done(st);
    st = NULL;
    rc = load_authors(c, a, out);
    if (rc == 0)
        rc = load_tags(c, a, out);
    if (rc == 0)
        sdb_memo_put(c, slug, drafts, out);
out:
    sdb_done(st);
    sdb_read_end(s, c);
    if (rc != 0)
        *out = (struct article){0};
    return rc;
}

struct id_index {
    int64_t id;
    size_t i;
};

static int by_id(const void *x, const void *y)
{
    const struct id_index *p = x, *q = y;
    return (p->id > q->id) - (p->id < q->id);
}

/* bind_list binds what the statement takes of LIMIT, OFFSET, ?3, ?4. */
static int bind_list(sqlite3_stmt *st, const struct list_query *q)
{
    const int64_t v[] = {q->limit, q->offset, q->id, q->until};
    int n = sqlite3_bind_parameter_count(st), brc = SQLITE_OK;
    for (int i = 0; i < n && i < 4; i++)
        brc |= sqlite3_bind_int64(st, i + 1, v[i]);
    return brc;
}

/*
 * count_list counts every article q selects, ignoring its page, or finds
 * the count the store remembers for the content version (pages.c): every
 * page of a list counted all its articles again, 8-11 ms for the home
 * page of 15,000 (docs/benchmarks.md). The writer (inside store_begin)
 * never remembers (version 0).
 */
static int count_list(struct store *s, struct conn *c, int64_t version,
                      const struct sdb_list_sql *sql,
                      const struct list_query *q, int64_t *n)
{
    if (sdb_count_known(s, version, sql->count, q, n))
        return 0;
    sqlite3_stmt *st = sdb_stmt(c, sql->count);
    if (!st)
        return ERR_DB;
    int rc;
    if (bind_list(st, q) != SQLITE_OK)
        rc = sdb_fail(c, "articles_list: count");
    else
        rc = sdb_step(c, st, "articles_list: count");
    if (rc == 1) {
        *n = sqlite3_column_int64(st, 0);
        rc = 0;
        sdb_count_keep(s, version, sql->count, q, *n);
    } else if (rc == 0) {
        rc = sdb_invalid("count", "no row"); /* cannot happen */
    }
    sdb_done(st);
    return rc;
}

/*
 * ids_json writes the ids of v as one JSON array ("[12,7,...]") into a:
 * decimal integers, the one format json_each reads, no escaping needed.
 */
static const char *ids_json(struct arena *a, const struct article *v, size_t n)
{
    struct buf b;
    buf_init_arena(&b, a, 24 * n + 3);
    buf_append_char(&b, '[');
    for (size_t i = 0; i < n; i++) {
        /* digits by hand: a printf per id was 1,700 instructions, and
         * a list page's ids are written twice (rows, bylines) */
        char d[24];
        size_t k = sizeof(d);
        uint64_t x = v[i].id < 0 ? 0 - (uint64_t)v[i].id : (uint64_t)v[i].id;
        do {
            d[--k] = (char)('0' + x % 10);
            x /= 10;
        } while (x);
        if (v[i].id < 0)
            d[--k] = '-';
        if (i)
            buf_append_char(&b, ',');
        buf_append(&b, d + k, sizeof(d) - k);
    }
    buf_append_char(&b, ']');
    return buf_error(&b) ? NULL : b.ptr;
}

/* attach_authors gives each article of v (ids: ids_json's) its byline. */
static int attach_authors(struct conn *c, struct arena *a, const char *ids,
                          struct article *v, size_t n)
{
    struct id_index *ix = arena_alloc(a, n * sizeof(*ix));
    for (size_t i = 0; i < n; i++)
        ix[i] = (struct id_index){v[i].id, i};
    if (n > 1) /* qsort wants a non-NULL base, even for none */
        qsort(ix, n, sizeof(*ix), by_id);

    sqlite3_stmt *st = sdb_stmt(c, SQL_PAGE_AUTHORS);
    if (!st)
        return ERR_DB;
    int rc = 0;
    size_t *cap = arena_zalloc(a, n * sizeof(*cap));
    if (sdb_bind_text(st, 1, ids) != SQLITE_OK) {
        rc = sdb_fail(c, "articles_list: authors");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "articles_list: authors");
        if (rc != 1)
            break;
        struct id_index key = {sqlite3_column_int64(st, 0), 0};
        struct id_index *hit = bsearch(&key, ix, n, sizeof(*ix), by_id);
        if (!hit)
            continue; /* cannot happen: we bound these ids */
        struct article *art = &v[hit->i];
        art->authors = sdb_grow(a, art->authors, art->n_authors, &cap[hit->i],
                                sizeof(*art->authors));
        read_author(a, st, 1, &art->authors[art->n_authors++]);
    }
out:
    sdb_done(st);
    return rc;
}

/* with_authors gives the n articles of v their bylines (n may be 0). */
static int with_authors(struct conn *c, struct arena *a, struct article *v,
                        size_t n)
{
    if (n == 0)
        return 0;
    const char *ids = ids_json(a, v, n);
    if (!ids)
        return sdb_invalid("articles_list", "id list too long");
    return attach_authors(c, a, ids, v, n);
}

int sdb_articles_by_ids(struct conn *c, struct arena *a, const int64_t *ids,
                        size_t n, struct article **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (n == 0)
        return 0;
    /* v[i] takes ids[i]'s row; ix finds i from an id. */
    struct article *v = arena_zalloc(a, n * sizeof(*v));
    struct id_index *ix = arena_alloc(a, n * sizeof(*ix));
    for (size_t i = 0; i < n; i++) {
        v[i].id = ids[i];
        ix[i] = (struct id_index){ids[i], i};
    }
    if (n > 1) /* qsort wants a non-NULL base, even for none */
        qsort(ix, n, sizeof(*ix), by_id);
    const char *json = ids_json(a, v, n);
    if (!json)
        return sdb_invalid("articles_list", "id list too long");
    sqlite3_stmt *st = sdb_stmt(c, SQL_BY_IDS);
    if (!st)
        return ERR_DB;
    int rc;
    if (sdb_bind_text(st, 1, json) != SQLITE_OK) {
        rc = sdb_fail(c, "articles_list: rows");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "articles_list: rows");
        if (rc != 1)
            break;
        struct id_index key = {sqlite3_column_int64(st, 0), 0};
        struct id_index *hit = bsearch(&key, ix, n, sizeof(*ix), by_id);
        if (hit)
            read_article(a, st, &v[hit->i]);
    }
out:
    sdb_done(st);
    if (rc != 0)
        return rc;
    /* Same snapshot as the ids, so every row is there; keep it exact
     * anyway: an id without a row is dropped. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].slug)
            v[k++] = v[i];
    rc = with_authors(c, a, v, k);
    if (rc == 0) {
        *out = v;
        *len = k;
    }
    return rc;
}

int sdb_articles_query(struct store *s, struct arena *a,
                       const struct sdb_list_sql *sql,
                       const struct list_query *q, struct article **out,
                       size_t *n, int64_t *total)
{
    struct conn *c;
    sqlite3_stmt *st = NULL;
    struct article *v = NULL;
    size_t len = 0, cap = 0;

    *out = NULL;
    *n = 0;
    if (total)
        *total = 0;
    if (q->limit < 0 || q->offset < 0)
        return sdb_invalid("articles_list", "negative limit or offset");
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    /* A deep page seeks to where its page index says (pages.c); not on
     * the writer, whose uncommitted state is no version to remember. The
     * index's scan counts the list too, so the count comes after it. */
    int64_t seq, key[2];
    int after = 0, skip = 0;
    if (sql->keys && c != &s->writer && q->offset > 0 && q->limit > 0) {
        rc = sdb_changes_seq(c, &seq);
        if (rc == 0)
            after = sdb_page_start(s, c, sql, seq, q, key, &skip);
        if (after < 0) {
            rc = after;
            goto out;
        }
    }
    if (total && rc == 0)
        rc = count_list(s, c, sql->by_reads ? 0 : sdb_memo_version(s, c), sql,
                        q, total);
    if (rc != 0 || q->limit == 0)
        goto out;
    struct list_query from = *q;
    if (after)
        from.offset = skip;
    st = sdb_stmt(c, after ? sql->after : sql->page);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if (bind_list(st, &from) != SQLITE_OK ||
        (after && (sqlite3_bind_int64(st, 5, key[0]) |
                   sqlite3_bind_int64(st, 6, key[1])) != SQLITE_OK)) {
        rc = sdb_fail(c, "articles_list");
        goto out;
    }
    for (;;) {
        rc = sdb_step(c, st, "articles_list");
        if (rc != 1)
            break;
        v = sdb_grow(a, v, len, &cap, sizeof(*v));
        read_article(a, st, &v[len++]);
    }
    sdb_done(st);
    st = NULL;
    if (rc == 0)
        rc = with_authors(c, a, v, len);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

int store_articles_list(struct store *s, struct arena *a,
                        const struct list_query *q, struct article **out,
                        size_t *n, int64_t *total)
{
    if ((unsigned)q->kind >= sizeof(list_sql) / sizeof(list_sql[0])) {
        *out = NULL;
        *n = 0;
        if (total)
            *total = 0;
        return sdb_invalid("articles_list", "unknown kind");
    }
    return sdb_articles_query(s, a, &list_sql[q->kind], q, out, n, total);
}

int store_article_count(struct store *s, int64_t *n)
{
    struct conn *c;
    *n = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_COUNT);
    rc = st ? sdb_step(c, st, "article_count") : ERR_DB;
    if (rc == 1) {
        *n = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

/* For the other files of the store that read article rows (store_int.h). */
void sdb_read_article(struct arena *a, sqlite3_stmt *st, struct article *out)
{
    read_article(a, st, out);
}

void sdb_read_author(struct arena *a, sqlite3_stmt *st, int col,
                     struct author *out)
{
    read_author(a, st, col, out);
}

/* --- deleting ------------------------------------------------------ */

/* Byline, tags and daily hits go by ON DELETE CASCADE, the search row by
 * the articles_del_fts trigger (schema.c), the page cache by the change
 * log's articles_del trigger. */
static const char SQL_DELETE[] = "DELETE FROM articles WHERE slug = ?1";

int store_article_delete(struct store *s, struct str slug)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_DELETE);
    if (!st) {
        rc = ERR_DB;
    } else if (sdb_bind_str(st, 1, slug) != SQLITE_OK) {
        rc = sdb_fail(w, "article_delete");
    } else {
        rc = sdb_step(w, st, "article_delete");
        if (rc == 0 && sqlite3_changes(w->db) == 0) {
            sdb_errorf("article_delete: no article '%.*s'",
                       slug.len > 200 ? 200 : (int)slug.len,
                       slug.ptr ? slug.ptr : "");
            rc = ERR_NOT_FOUND;
        }
    }
    sdb_done(st);
    return sdb_write_end(s, rc);
}
