/*
 * places.c - the countries and organizations of each article (V_PLACES).
 *
 * sdb_places_tag runs inside every article save (store_article_save), so
 * an import, the CLI, the back office and the API all tag without knowing
 * it. It writes only what changed (an upsert that leaves an equal score
 * alone, a delete of what is gone), so the change log names just the
 * countries and organizations whose pages differ. An editor's decisions
 * (place_decisions) are applied after the tagger every time: a removal
 * always wins, an addition is always there (hand = 1).
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "content/places.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <stdlib.h>

#include <string.h>

static const char SQL_TEXT[] =
    "SELECT title, summary, body_md,"
    " (SELECT value FROM settings WHERE key = 'places_home')"
    " FROM articles WHERE id = ?1";
static const char SQL_DROP_GONE[] =
    "DELETE FROM article_places WHERE article_id = ?1"
    " AND kind || ':' || code NOT IN (SELECT value FROM json_each(?2))"
    " AND NOT EXISTS (SELECT 1 FROM place_decisions d"
    "  WHERE d.article_id = ?1 AND d.kind = article_places.kind"
    "  AND d.code = article_places.code AND d.keep = 1)";
static const char SQL_PUT[] =
    "INSERT INTO article_places(article_id, kind, code, score, key)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET score = "
    "excluded.score"
    " WHERE score <> excluded.score";
static const char SQL_ADDS[] =
    "SELECT kind, code FROM place_decisions WHERE article_id = ?1 AND keep = 1";
static const char SQL_HAND_ADD[] =
    "INSERT INTO article_places(article_id, kind, code, score, hand, key)"
    " VALUES (?1, ?2, ?3, 0, 1, ?4)"
    " ON CONFLICT DO UPDATE SET hand = 1 WHERE hand = 0";
static const char SQL_HAND_CLEAR[] =
    "UPDATE article_places SET hand = 0 WHERE article_id = ?1 AND hand = 1"
    " AND NOT EXISTS (SELECT 1 FROM place_decisions d"
    "  WHERE d.article_id = ?1 AND d.kind = article_places.kind"
    "  AND d.code = article_places.code AND d.keep = 1)";
static const char SQL_HAND_REMOVE[] =
    "DELETE FROM article_places WHERE article_id = ?1"
    " AND EXISTS (SELECT 1 FROM place_decisions d"
    "  WHERE d.article_id = ?1 AND d.kind = article_places.kind"
    "  AND d.code = article_places.code AND d.keep = 0)";
static const char SQL_MARK[] =
    "INSERT INTO places_tagged(article_id, version) VALUES (?1, ?2)"
    " ON CONFLICT DO UPDATE SET version = excluded.version";

int64_t store_place_key(bool is_org, const char *code)
{
    uint64_t h = 14695981039346656037u;
    h = (h ^ (is_org ? '1' : '0')) * 1099511628211u;
    for (const char *c = code; c && *c; c++)
        h = (h ^ (uint8_t)*c) * 1099511628211u;
    return (int64_t)(h >> 2); /* positive: prints and compares plainly */
}

/* run1 binds the article id (and an optional text) and steps once. */
static int run1(struct conn *w, const char *sql, int64_t id, const char *text,
                const char *ctx)
{
    sqlite3_stmt *st = sdb_stmt(w, sql);
    if (!st)
        return ERR_DB;
    int rc;
    if ((sqlite3_bind_int64(st, 1, id) |
         (text ? sdb_bind_text(st, 2, text) : SQLITE_OK)) != SQLITE_OK)
        rc = sdb_fail(w, ctx);
    else
        rc = sdb_step(w, st, ctx);
    sdb_done(st);
    return rc < 0 ? rc : 0;
}

/* hand_adds puts in the editor's additions (read first, then written). */
static int hand_adds(struct conn *w, struct arena *a, int64_t id)
{
    struct add {
        int kind;
        const char *code;
    } *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = sdb_stmt(w, SQL_ADDS);
    int rc;
    if (!st)
        return ERR_DB;
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
        rc = sdb_fail(w, "places: adds");
    } else {
        while ((rc = sdb_step(w, st, "places: adds")) == 1) {
            v = sdb_grow(a, v, n, &cap, sizeof(*v));
            v[n].kind = sqlite3_column_int(st, 0);
            v[n++].code = sdb_col_text(a, st, 1);
        }
    }
    sdb_done(st);
    for (size_t i = 0; i < n && rc == 0; i++) {
        st = sdb_stmt(w, SQL_HAND_ADD);
        if (!st)
            return ERR_DB;
        if ((sqlite3_bind_int64(st, 1, id) |
             sqlite3_bind_int(st, 2, v[i].kind) |
             sdb_bind_text(st, 3, v[i].code) |
             sqlite3_bind_int64(st, 4,
                                store_place_key(v[i].kind != 0, v[i].code))) !=
            SQLITE_OK)
            rc = sdb_fail(w, "places: hand add");
        else
            rc = sdb_step(w, st, "places: hand add");
        sdb_done(st);
    }
    return rc;
}

int sdb_places_tag(struct conn *w, int64_t id)
{
    struct arena a;
    struct place_hit hits[PLACES_MAX];
    size_t n = 0;
    struct buf list;
    int rc;

    arena_init(&a, 64 * 1024);
    buf_init_arena(&list, &a, 64 * 1024);
    sqlite3_stmt *st = sdb_stmt(w, SQL_TEXT);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
        rc = sdb_fail(w, "places: read");
        sdb_done(st);
        goto out;
    }
    rc = sdb_step(w, st, "places: read");
    if (rc == 1) {
        const char *t = sdb_col_text(&a, st, 0), *s = sdb_col_text(&a, st, 1),
                   *b = sdb_col_text(&a, st, 2), *h = sdb_col_text(&a, st, 3);
        rc = places_tag(&a, t, s, b, h, hits, PLACES_MAX, &n);
    } else if (rc == 0) {
        rc = ERR_NOT_FOUND;
    }
    sdb_done(st);
    if (rc != 0)
        goto out;

    buf_append_char(&list, '[');
    for (size_t i = 0; i < n; i++) {
        const struct place_entity *e = &places_entities[hits[i].entity];
        /* codes are [a-z0-9-] from the generator: no JSON escaping */
        buf_printf(&list, "%s\"%d:%s\"", i ? "," : "", e->is_org, e->code);
    }
    buf_append_char(&list, ']');
    if (buf_error(&list)) {
        rc = ERR_TOO_BIG;
        goto out;
    }
    rc = run1(w, SQL_DROP_GONE, id, list.ptr, "places: drop");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct place_entity *e = &places_entities[hits[i].entity];
        st = sdb_stmt(w, SQL_PUT);
        if (!st) {
            rc = ERR_DB;
            break;
        }
        if ((sqlite3_bind_int64(st, 1, id) |
             sqlite3_bind_int(st, 2, e->is_org) |
             sdb_bind_text(st, 3, e->code) |
             sqlite3_bind_double(st, 4, hits[i].score) |
             sqlite3_bind_int64(st, 5, store_place_key(e->is_org, e->code))) !=
            SQLITE_OK)
            rc = sdb_fail(w, "places: put");
        else
            rc = sdb_step(w, st, "places: put");
        sdb_done(st);
    }
    if (rc == 0)
        rc = hand_adds(w, &a, id);
    if (rc == 0)
        rc = run1(w, SQL_HAND_CLEAR, id, NULL, "places: hand clear");
    if (rc == 0)
        rc = run1(w, SQL_HAND_REMOVE, id, NULL, "places: hand remove");
    if (rc == 0)
        rc = run1(w, SQL_MARK, id, places_version, "places: mark");
out:
    arena_release(&a);
    return rc;
}

/* --- reading ------------------------------------------------------- */

static const char SQL_OF[] =
    "SELECT kind, code, score, hand FROM article_places"
    " WHERE article_id = ?1 ORDER BY kind, hand DESC, score DESC, code";

int store_article_places(struct store *s, struct arena *a, int64_t id,
                         struct article_place **out, size_t *n)
{
    struct conn *c;
    size_t cap = 0;
    struct article_place *v = NULL;
    *out = NULL;
    *n = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_OF);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
        rc = sdb_fail(c, "article_places");
        goto out;
    }
    while ((rc = sdb_step(c, st, "article_places")) == 1) {
        v = sdb_grow(a, v, *n, &cap, sizeof(*v));
        struct article_place *p = &v[(*n)++];
        p->is_org = sqlite3_column_int(st, 0) != 0;
        p->code = sdb_col_text(a, st, 1);
        p->score = sqlite3_column_double(st, 2);
        p->hand = sqlite3_column_int(st, 3) != 0;
        int k = places_find(p->is_org, p->code);
        p->name = k >= 0 ? places_entities[k].name : p->code;
    }
    if (rc == 0)
        *out = v;
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

/* --- an editor's decisions ------------------------------------------- */

static const char SQL_ID[] = "SELECT id FROM articles WHERE slug = ?1";
static const char SQL_DECIDE[] =
    "INSERT INTO place_decisions(article_id, kind, code, keep)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET keep = excluded.keep";

int store_places_decide(struct store *s, const char *slug, bool is_org,
                        const char *code, bool keep)
{
    if (!slug || !code || places_find(is_org, code) < 0)
        return sdb_invalid("places", is_org ? "no such organization"
                                            : "no such country code");
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    int64_t id = 0;
    sqlite3_stmt *st = sdb_stmt(w, SQL_ID);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if (sdb_bind_text(st, 1, slug) != SQLITE_OK) {
        rc = sdb_fail(w, "places: article");
    } else {
        rc = sdb_step(w, st, "places: article");
        if (rc == 1) {
            id = sqlite3_column_int64(st, 0);
            rc = 0;
        } else if (rc == 0) {
            sdb_errorf("places: no article '%.200s'", slug);
            rc = ERR_NOT_FOUND;
        }
    }
    sdb_done(st);
    if (rc != 0)
        goto out;
    st = sdb_stmt(w, SQL_DECIDE);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if ((sqlite3_bind_int64(st, 1, id) | sqlite3_bind_int(st, 2, is_org) |
         sdb_bind_text(st, 3, code) | sqlite3_bind_int(st, 4, keep)) !=
        SQLITE_OK)
        rc = sdb_fail(w, "places: decide");
    else
        rc = sdb_step(w, st, "places: decide");
    sdb_done(st);
    if (rc == 0)
        rc = sdb_places_tag(w, id);
out:
    return sdb_write_end(s, rc);
}

/* --- retagging --------------------------------------------------------- */

static const char SQL_TODO_ALL[] = "SELECT id FROM articles ORDER BY id";
static const char SQL_TODO[] =
    "SELECT id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM places_tagged"
    " t WHERE t.article_id = a.id AND t.version = ?1) ORDER BY id";

#define RETAG_BATCH 500 /* articles per transaction: short writer holds */

int store_places_retag(struct store *s, bool all, store_progress_fn progress,
                       void *arg, int64_t *done)
{
    struct conn *c;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    *done = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, all ? SQL_TODO_ALL : SQL_TODO);
    if (!st) {
        rc = ERR_DB;
    } else if (!all && sdb_bind_text(st, 1, places_version) != SQLITE_OK) {
        rc = sdb_fail(c, "places: retag");
    } else {
        while ((rc = sdb_step(c, st, "places: retag")) == 1) {
            if (n == cap) {
                cap = cap * 2 + 1024;
                ids = xrealloc(ids, cap * sizeof(*ids));
            }
            ids[n++] = sqlite3_column_int64(st, 0);
        }
    }
    sdb_done(st);
    sdb_read_end(s, c);
    for (size_t i = 0; i < n && rc == 0; i += RETAG_BATCH) {
        rc = store_begin(s);
        if (rc != 0)
            break;
        for (size_t k = i; k < n && k < i + RETAG_BATCH && rc == 0; k++)
            rc = sdb_places_tag(&s->writer, ids[k]);
        rc = sdb_write_end(s, rc);
        if (rc == 0) {
            *done = (int64_t)(i + RETAG_BATCH < n ? i + RETAG_BATCH : n);
            if (progress)
                progress(arg, *done, (int64_t)n);
        }
    }
    free(ids);
    return rc;
}

/* --- the pages' reads -------------------------------------------------- */

// clang-format off
#define PUBLISHED_OF(p) " JOIN articles a ON a.id = " p ".article_id AND a.status = 1"
static const char SQL_INDEX[] =
    "SELECT p.code, NULL, count(*) FROM article_places p" PUBLISHED_OF("p")
    " WHERE p.kind = ?1 GROUP BY p.code ORDER BY p.code";
static const char SQL_YEARS[] =
    "SELECT strftime('%Y', a.published_at, 'unixepoch'), NULL, count(*)"
    " FROM article_places p" PUBLISHED_OF("p") " WHERE p.key = ?1"
    " GROUP BY 1 ORDER BY 1";
static const char SQL_AUTHORS[] =
    "SELECT au.slug, au.name, count(*) FROM article_places p"
    PUBLISHED_OF("p")
    " JOIN article_authors aa ON aa.article_id = a.id"
    " JOIN authors au ON au.id = aa.author_id WHERE p.key = ?1"
    " GROUP BY au.id ORDER BY 3 DESC, au.name LIMIT 10";
static const char SQL_WITH[] =
    "SELECT q.code, NULL, count(*) FROM article_places p" PUBLISHED_OF("p")
    " JOIN article_places q ON q.article_id = p.article_id AND q.kind = 0"
    " AND q.key <> p.key WHERE p.key = ?1"
    " GROUP BY q.code ORDER BY 3 DESC, q.code LIMIT 10";

// clang-format on
static int counts(struct store *s, struct arena *a, const char *sql,
                  int64_t arg, struct place_count **out, size_t *n)
{
    struct conn *c;
    struct place_count *v = NULL;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    if (sqlite3_bind_int64(st, 1, arg) != SQLITE_OK) {
        rc = sdb_fail(c, "places: counts");
        goto out;
    }
    while ((rc = sdb_step(c, st, "places: counts")) == 1) {
        v = sdb_grow(a, v, *n, &cap, sizeof(*v));
        v[*n].key = sdb_col_text(a, st, 0);
        v[*n].name = sdb_col_text(a, st, 1);
        v[(*n)++].n = sqlite3_column_int64(st, 2);
    }
    if (rc == 0)
        *out = v;
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

int store_places_index(struct store *s, struct arena *a, bool is_org,
                       struct place_count **out, size_t *n)
{
    return counts(s, a, SQL_INDEX, is_org, out, n);
}

int store_place_stats(struct store *s, struct arena *a, bool is_org,
                      const char *code, struct place_stats *out)
{
    int64_t key = store_place_key(is_org, code);
    *out = (struct place_stats){0};
    int rc = counts(s, a, SQL_YEARS, key, &out->years, &out->n_years);
    if (rc == 0)
        rc = counts(s, a, SQL_AUTHORS, key, &out->authors, &out->n_authors);
    if (rc == 0)
        rc = counts(s, a, SQL_WITH, key, &out->with, &out->n_with);
    return rc;
}

// clang-format off
static const struct sdb_list_sql place_sql = {
    SDB_ARTICLE_SELECT("NULL, NULL", "a.hits")
    "JOIN article_places p ON p.article_id = a.id"
    " WHERE p.key = ?3 AND a.status = 1"
    " ORDER BY a.published_at DESC, a.id DESC LIMIT ?1 OFFSET ?2",
    "SELECT count(*) FROM article_places p" PUBLISHED_OF("p")
    " WHERE p.key = ?3",
};
// clang-format on

int store_place_articles(struct store *s, struct arena *a, bool is_org,
                         const char *code, int limit, int offset,
                         struct article **out, size_t *n, int64_t *total)
{
    struct list_query q = {
        .id = store_place_key(is_org, code), .limit = limit, .offset = offset};
    return sdb_articles_query(s, a, &place_sql, &q, out, n, total);
}

/* --- relations ---------------------------------------------------------- */

#define REL_FILTER                                                             \
    " AND a.published_at >= ?1 AND a.published_at < ?2"                        \
    " AND (?3 IS NULL OR a.section_id ="                                       \
    " (SELECT id FROM sections WHERE slug = ?3))"
// clang-format off
static const char SQL_REL_NODES[] =
    "SELECT p.code, NULL, count(*) FROM article_places p" PUBLISHED_OF("p")
    " WHERE p.kind = 0" REL_FILTER
    " GROUP BY p.code ORDER BY 3 DESC, p.code LIMIT ?4";
static const char SQL_REL_PAIRS[] =
    "SELECT p.code, q.code, count(*) FROM article_places p" PUBLISHED_OF("p")
    " JOIN article_places q ON q.article_id = p.article_id AND q.kind = 0"
    " AND q.code > p.code WHERE p.kind = 0" REL_FILTER
    " GROUP BY p.code, q.code ORDER BY 3 DESC, p.code, q.code LIMIT ?4";

// clang-format on
static int rel_counts(struct conn *c, struct arena *a, const char *sql,
                      const struct relations_query *rq, int limit,
                      struct place_count **out, size_t *n)
{
    struct place_count *v = NULL;
    size_t cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st)
        return ERR_DB;
    if ((sqlite3_bind_int64(st, 1, rq->from) |
         sqlite3_bind_int64(st, 2, rq->until) |
         sdb_bind_text(st, 3, rq->section) | sqlite3_bind_int(st, 4, limit)) !=
        SQLITE_OK) {
        rc = sdb_fail(c, "relations");
    } else {
        while ((rc = sdb_step(c, st, "relations")) == 1) {
            v = sdb_grow(a, v, *n, &cap, sizeof(*v));
            v[*n].key = sdb_col_text(a, st, 0);
            v[*n].name = sdb_col_text(a, st, 1);
            v[(*n)++].n = sqlite3_column_int64(st, 2);
        }
    }
    sdb_done(st);
    if (rc == 0)
        *out = v;
    return rc;
}

int store_relations(struct store *s, struct arena *a,
                    const struct relations_query *rq, struct relations *out)
{
    struct conn *c;
    *out = (struct relations){0};
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = rel_counts(c, a, SQL_REL_NODES, rq, rq->max_nodes, &out->nodes,
                    &out->n_nodes);
    if (rc == 0)
        rc = rel_counts(c, a, SQL_REL_PAIRS, rq, rq->max_pairs, &out->pairs,
                        &out->n_pairs);
    sdb_read_end(s, c);
    return rc;
}

// clang-format off
static const struct sdb_list_sql pair_sql = {
    SDB_ARTICLE_SELECT("NULL, NULL", "a.hits")
    "JOIN article_places p ON p.article_id = a.id AND p.key = ?3"
    " JOIN article_places q ON q.article_id = a.id AND q.key = ?4"
    " WHERE a.status = 1"
    " ORDER BY a.published_at DESC, a.id DESC LIMIT ?1 OFFSET ?2",
    "SELECT count(*) FROM article_places p" PUBLISHED_OF("p")
    " JOIN article_places q ON q.article_id = a.id AND q.key = ?4"
    " WHERE p.key = ?3",
};
// clang-format on

int store_pair_articles(struct store *s, struct arena *a, const char *x,
                        const char *y, int limit, int offset,
                        struct article **out, size_t *n, int64_t *total)
{
    struct list_query q = {.id = store_place_key(false, x),
                           .until = store_place_key(false, y),
                           .limit = limit,
                           .offset = offset};
    return sdb_articles_query(s, a, &pair_sql, &q, out, n, total);
}
