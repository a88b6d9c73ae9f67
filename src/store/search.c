/*
 * search.c - full-text search over published articles (FTS5).
 *
 * The index, articles_fts (schema.c, migrations 4 and V_SEARCH), has one
 * row per published article: title, intro, Markdown body, byline, with
 * prefix indexes for one to three characters. It is written only here
 * (sdb_search_reindex, called by store_article_save inside the save's
 * transaction) and by the delete trigger, so it cannot drift from the
 * articles table: a rolled back save rolls its index row back too. Beside
 * it, search_facets (V_SEARCH) holds what the filters and facets need of
 * each published article in a narrow row (date, year, section, author ids,
 * country codes), kept by triggers whoever writes: the articles rows carry
 * their bodies, so reading a date from them walks overflow pages.
 *
 * A search's cost is bounded by design (issue 17), whatever a reader types:
 * - One pass over the matches, newest added first, joined to search_facets
 *   with the filters applied, reads at most STORE_SEARCH_COUNT_MAX + 1 of
 *   them and counts the total and every facet in C. Past the cap the total
 *   is a lower bound (shown as "10,000+") and the facets count the matches
 *   read.
 * - A search is ranked (bm25) only when its matches times its terms are
 *   at most STORE_SEARCH_RANK_MAX, in one more evaluation restricted to the
 *   matched ids (bm25 over every match of a common word was the cost);
 *   otherwise it is shown newest first, picked in C from the pass's dates.
 * - The page's articles are read by id, and their snippets in one more
 *   evaluation restricted to the page's ids and rowid range, for the first
 *   SNIPPET_TERMS terms (or with the ranking, when the page is every
 *   match).
 * - Prefixes of one to three characters are read from their own index; a
 *   longer one expands to the terms it starts. query.c keeps at most
 *   QUERY_TERMS_MAX terms and QUERY_PREFIXES_MAX prefixes.
 * So a search evaluates the MATCH at most three times. The MATCH text comes
 * from content/query.c, which only ever produces quoted terms: no reader's
 * text is FTS5 syntax.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"
#include "store/xapian.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_UNINDEX[] = "DELETE FROM articles_fts WHERE rowid = ?1";
static const char SQL_INDEX[] =
    "INSERT INTO articles_fts(rowid, title, intro, body, authors) " SDB_FTS_ROW
    "WHERE a.id = ?1 AND a.status = 1";

/* ?1 the match; ?2 section id, ?3 " <author id> ", ?4 year, ?5
 * " <country code> ", each NULL when not filtered on. The index is
 * outermost (CROSS JOIN): the match is the selective part, the join a
 * lookup by primary key in a narrow table. */
#define SEARCH_FROM                                                            \
    " FROM articles_fts CROSS JOIN search_facets f"                            \
    " ON f.id = articles_fts.rowid"                                            \
    " WHERE articles_fts MATCH ?1"                                             \
    " AND (?2 IS NULL OR f.section_id = ?2)"                                   \
    " AND (?3 IS NULL OR instr(f.authors, ?3) > 0)"                            \
    " AND (?4 IS NULL OR f.year = ?4)"                                         \
    " AND (?5 IS NULL OR instr(f.countries, ?5) > 0)"

/* Weights: title, intro, body, authors (bm25 is lower for better). */
#define SEARCH_RANK "bm25(articles_fts, 10.0, 4.0, 1.0, 2.0)"
/* The markers are bytes the importer refuses in text; view_search copes
 * with a stray one anyway. */
#define SEARCH_SNIPPET "snippet(articles_fts, -1, char(1), char(2), '…', 32)"
/* The pass: every match, newest added first, at most ?6. */
static const char SQL_PASS[] =
    "SELECT f.id, f.published_at, f.year, f.section_id, f.authors,"
    " f.countries" SEARCH_FROM " ORDER BY articles_fts.rowid DESC LIMIT ?6";
/* The rank of the pass's matches (?2, a JSON array of ids), in their rowid
 * range [?3, ?4]: one more evaluation of the match, with no join or
 * filter, and bm25 for those matches only. */
#define SEARCH_IDS                                                             \
    " FROM articles_fts WHERE articles_fts MATCH ?1"                           \
    " AND rowid >= ?3 AND rowid <= ?4"                                         \
    " AND +rowid IN (SELECT value FROM json_each(?2))" /* + : not a lookup */
static const char SQL_RANK[] = "SELECT rowid, " SEARCH_RANK ", NULL" SEARCH_IDS
                               " ORDER BY rowid DESC";
/* The same with the snippets, when the page is every match: one evaluation
 * fewer. */
static const char SQL_RANK_SNIPPETS[] = "SELECT rowid, " SEARCH_RANK
                                        ", " SEARCH_SNIPPET SEARCH_IDS
                                        " ORDER BY rowid DESC";
/* The snippets of the page's articles (?2, a JSON array of ids) within
 * their rowid range [?3, ?4]: one evaluation of the match. (Asking for each
 * article by rowid evaluates the match once per article, and a rowid seek
 * costs FTS5 about as much as reading the whole doclist: 10 M instructions
 * for a snippet of a 16-word query.) */
static const char SQL_SNIPPETS[] = "SELECT rowid, " SEARCH_SNIPPET SEARCH_IDS;
static const char SQL_SECTION_ID[] = "SELECT id FROM sections WHERE slug = ?1";
static const char SQL_AUTHOR_ID[] = "SELECT id FROM authors WHERE slug = ?1";
static const char SQL_SECTION[] =
    "SELECT slug, name FROM sections WHERE id = ?1";
static const char SQL_AUTHOR[] = "SELECT slug, name FROM authors WHERE id = ?1";

int sdb_search_reindex(struct conn *w, int64_t id)
{
    int rc = 0;
    const char *const steps[] = {SQL_UNINDEX, SQL_INDEX};
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        sqlite3_stmt *st = sdb_stmt(w, steps[i]);
        if (!st)
            return ERR_DB;
        if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
            rc = sdb_fail(w, "search index");
        else
            rc = sdb_step(w, st, "search index");
        sdb_done(st);
    }
    return rc;
}

/* --- counting: a small open-addressing map from an integer key ------- */

struct tally_slot {
    int64_t key; /* 0: empty (ids, years and packed codes are never 0) */
    int64_t count;
};
struct tally {
    struct tally_slot *slot;
    size_t cap, n; /* cap: a power of two */
};

static void tally_add(struct arena *a, struct tally *t, int64_t key)
{
    if (key == 0)
        return;
    if (2 * (t->n + 1) > t->cap) {
        struct tally old = *t;
        t->cap = old.cap ? 2 * old.cap : 64;
        t->slot = arena_zalloc(a, t->cap * sizeof(*t->slot));
        t->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i].key) {
                size_t h = (size_t)(old.slot[i].key * 0x9E3779B97F4A7C15ull);
                for (h &= t->cap - 1; t->slot[h].key;
                     h = (h + 1) & (t->cap - 1))
                    ;
                t->slot[h] = old.slot[i];
                t->n++;
            }
    }
    size_t h = (size_t)((uint64_t)key * 0x9E3779B97F4A7C15ull) & (t->cap - 1);
    while (t->slot[h].key && t->slot[h].key != key)
        h = (h + 1) & (t->cap - 1);
    if (!t->slot[h].key) {
        t->slot[h].key = key;
        t->n++;
    }
    t->slot[h].count++;
}

/* tally_words adds each space-separated word of s ("␠12␠34␠") by key(). */
static void tally_words(struct arena *a, struct tally *t, const char *s,
                        int64_t (*key)(const char *w, size_t n))
{
    while (s && *s) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        if (n)
            tally_add(a, t, key(s, n));
        s += n;
    }
}

static int64_t id_key(const char *w, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n && w[i] >= '0' && w[i] <= '9'; i++)
        v = v * 10 + (w[i] - '0');
    return v;
}

/* code_key packs a code of up to 8 bytes into an integer (and back). */
static int64_t code_key(const char *w, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        v |= (uint64_t)(unsigned char)w[i] << (8 * i);
    return (int64_t)v;
}

static const char *code_text(struct arena *a, int64_t key)
{
    char *s = arena_alloc(a, 9);
    size_t i = 0;
    for (uint64_t v = (uint64_t)key; v && i < 8; v >>= 8)
        s[i++] = (char)(v & 0xff);
    s[i] = '\0';
    return s;
}

/* --- the pass ----------------------------------------------------------- */

struct match {
    int64_t id, published_at;
    double rank;         /* bm25, when ranked */
    const char *snippet; /* when ranked with SQL_RANK_SNIPPETS */
};

struct pass {
    struct match *m; /* newest added first */
    size_t n;
    struct tally years, sections, authors, countries;
};

static int bind_filters(sqlite3_stmt *st, const struct search_query *q,
                        int64_t section_id, const char *author,
                        const char *country)
{
    int rc = sdb_bind_text(st, 1, q->match) | sdb_bind_id(st, 2, section_id) |
             sdb_bind_text(st, 3, author) | sdb_bind_text(st, 5, country);
    if (q->year)
        rc |= sqlite3_bind_int(st, 4, q->year);
    return rc;
}

/* slug_id reads the id of a slug (sql: one column), 0 if there is none. */
static int slug_id(struct conn *c, const char *sql, const char *slug,
                   int64_t *id)
{
    *id = 0;
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st)
        return ERR_DB;
    int rc;
    if (sdb_bind_text(st, 1, slug) != SQLITE_OK)
        rc = sdb_fail(c, "search: filter");
    else
        rc = sdb_step(c, st, "search: filter");
    if (rc == 1) {
        *id = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sdb_done(st);
    return rc;
}

static int run_pass(struct conn *c, struct arena *a, sqlite3_stmt *st,
                    struct pass *p)
{
    size_t cap = 0;
    for (;;) {
        int rc = sdb_step(c, st, "search");
        if (rc != 1)
            return rc;
        p->m = sdb_grow(a, p->m, p->n, &cap, sizeof(*p->m));
        p->m[p->n++] = (struct match){sqlite3_column_int64(st, 0),
                                      sqlite3_column_int64(st, 1), 0, NULL};
        if (p->n > STORE_SEARCH_COUNT_MAX)
            continue; /* only tells that there are more */
        tally_add(a, &p->years, sqlite3_column_int64(st, 2));
        tally_add(a, &p->sections, sqlite3_column_int64(st, 3));
        tally_words(a, &p->authors, (const char *)sqlite3_column_text(st, 4),
                    id_key);
        tally_words(a, &p->countries, (const char *)sqlite3_column_text(st, 5),
                    code_key);
    }
}

/* --- facets: the most frequent values, with their names --------------- */

static int by_count(const void *x, const void *y)
{
    const struct tally_slot *a = x, *b = y;
    return a->count != b->count ? (a->count < b->count ? 1 : -1)
                                : (a->key > b->key) - (a->key < b->key);
}

static int by_count_name(const void *x, const void *y)
{
    const struct facet *a = x, *b = y;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return strcmp(a->name, b->name);
}

static int by_year_desc(const void *x, const void *y)
{
    const struct facet *a = x, *b = y;
    return strcmp(b->key, a->key);
}

/*
 * top_facets turns a tally into its STORE_FACETS_MAX most frequent values,
 * most first, ties by name (names from sql by id; codes are their own
 * names when sql is NULL). Values tied with the last one kept are named
 * too, so the cut is the same as ORDER BY count DESC, name LIMIT 20.
 */
static int top_facets(struct conn *c, struct arena *a, const struct tally *t,
                      const char *sql, struct facet **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (t->n == 0)
        return 0;
    struct tally_slot *v = arena_alloc(a, t->n * sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i].key)
            v[k++] = t->slot[i];
    qsort(v, k, sizeof(*v), by_count);
    size_t named = k < STORE_FACETS_MAX ? k : STORE_FACETS_MAX;
    while (named < k && v[named].count == v[STORE_FACETS_MAX - 1].count)
        named++;
    struct facet *f = arena_zalloc(a, named * sizeof(*f));
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; i < named && rc == 0; i++) {
        if (!sql) {
            f[m].key = f[m].name = code_text(a, v[i].key);
            f[m++].count = v[i].count;
            continue;
        }
        sqlite3_stmt *st = sdb_stmt(c, sql);
        if (!st)
            return ERR_DB;
        if (sqlite3_bind_int64(st, 1, v[i].key) != SQLITE_OK)
            rc = sdb_fail(c, "search: facet");
        else
            rc = sdb_step(c, st, "search: facet");
        if (rc == 1) { /* a value whose row is gone is left out */
            f[m].key = sdb_col_text(a, st, 0);
            f[m].name = sdb_col_text(a, st, 1);
            if (!f[m].name)
                f[m].name = f[m].key;
            f[m++].count = v[i].count;
            rc = 0;
        }
        sdb_done(st);
    }
    if (rc != 0)
        return rc;
    if (m > 1)
        qsort(f, m, sizeof(*f), by_count_name);
    *out = f;
    *n = m < STORE_FACETS_MAX ? m : STORE_FACETS_MAX;
    return 0;
}

/* years lists every year, newest first. */
static void years(struct arena *a, const struct tally *t, struct facet **out,
                  size_t *n)
{
    *out = arena_zalloc(a, (t->n ? t->n : 1) * sizeof(**out));
    *n = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i].key) {
            const char *y =
                arena_printf(a, "%04lld", (long long)t->slot[i].key);
            (*out)[(*n)++] = (struct facet){y, y, t->slot[i].count};
        }
    if (*n > 1)
        qsort(*out, *n, sizeof(**out), by_year_desc);
}

/* --- the page ----------------------------------------------------------- */

static int newest_first(const void *x, const void *y)
{
    const struct match *a = x, *b = y;
    if (a->published_at != b->published_at)
        return a->published_at < b->published_at ? 1 : -1;
    return (a->id < b->id) - (a->id > b->id);
}

/*
 * newest_k puts the k newest of m[0..n) first, newest first: a heap of the
 * k newest so far (its root the oldest of them), O(n log k), where sorting
 * all the pass's matches was a third of a common word's search.
 */
static void newest_k(struct match *m, size_t n, size_t k)
{
    if (k >= n) {
        qsort(m, n, sizeof(*m), newest_first);
        return;
    }
    /* m[0..k) is a heap whose root is the element newest_first puts last */
    for (size_t i = 0; i < n; i++) {
        size_t j;
        if (i < k) {
            for (j = i; j > 0 && newest_first(&m[(j - 1) / 2], &m[j]) < 0;
                 j = (j - 1) / 2) {
                struct match t = m[j];
                m[j] = m[(j - 1) / 2];
                m[(j - 1) / 2] = t;
            }
            continue;
        }
        if (newest_first(&m[i], &m[0]) >= 0)
            continue; /* not newer than the oldest kept */
        m[0] = m[i];
        for (j = 0;;) {
            size_t l = 2 * j + 1, r = l + 1, big = j;
            if (l < k && newest_first(&m[l], &m[big]) > 0)
                big = l;
            if (r < k && newest_first(&m[r], &m[big]) > 0)
                big = r;
            if (big == j)
                break;
            struct match t = m[j];
            m[j] = m[big];
            m[big] = t;
            j = big;
        }
    }
    qsort(m, k, sizeof(*m), newest_first);
}

static int best_first(const void *x, const void *y)
{
    const struct match *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static const char *ids_json(struct arena *a, const int64_t *ids, size_t n)
{
    struct buf b;
    buf_init_arena(&b, a, 24 * n + 3);
    buf_append_char(&b, '[');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, i ? ",%lld" : "%lld", (long long)ids[i]);
    buf_append_char(&b, ']');
    return buf_error(&b) ? NULL : b.ptr;
}

/*
 * snippet_match is the first SNIPPET_TERMS terms of a match (query.c's
 * `"t" "t"* ...`): the snippets highlight those. FTS5's snippet() weighs
 * every instance of every phrase in the article, so with many common words
 * a snippet cost millions of instructions (4.6 M each with 16 terms); and
 * the fewer terms also match a superset of the rows, the page's among them.
 */
enum { SNIPPET_TERMS = 3 };
static const char *snippet_match(struct arena *a, const char *match)
{
    const char *p = match;
    for (int k = 0; k < SNIPPET_TERMS && *p; k++) {
        const char *open = strchr(p, '"');
        const char *close = open ? strchr(open + 1, '"') : NULL;
        if (!close)
            return match;
        p = close + 1 + (close[1] == '*');
    }
    size_t n = (size_t)(p - match);
    char *out = arena_alloc(a, n + 1);
    memcpy(out, match, n);
    out[n] = '\0';
    return out;
}

/* snippet_rows reads snippets from st's rows (id, snippet) into out. */
static int snippet_rows(struct conn *c, struct arena *a, sqlite3_stmt *st,
                        struct search_result *out)
{
    for (;;) {
        int rc = sdb_step(c, st, "search: snippets");
        if (rc != 1)
            return rc;
        int64_t id = sqlite3_column_int64(st, 0);
        for (size_t i = 0; i < out->n; i++)
            if (out->hits[i].article.id == id)
                out->hits[i].snippet = sdb_col_text(a, st, 1);
    }
}

/* bind_ids binds SEARCH_IDS's parameters: the match, and ids[0..n) with
 * their range. An SQLite code. */
static int bind_ids(struct arena *a, sqlite3_stmt *st, const char *match,
                    const int64_t *ids, size_t n)
{
    int64_t lo = ids[0], hi = ids[0];
    for (size_t i = 1; i < n; i++) {
        lo = ids[i] < lo ? ids[i] : lo;
        hi = ids[i] > hi ? ids[i] : hi;
    }
    const char *json = ids_json(a, ids, n);
    if (!json)
        return SQLITE_TOOBIG;
    return sdb_bind_text(st, 1, match) | sdb_bind_text(st, 2, json) |
           sqlite3_bind_int64(st, 3, lo) | sqlite3_bind_int64(st, 4, hi);
}

/* hits reads the page's articles (m[0..n), in order) and their snippets
 * (unless the rank read them). */
static int hits(struct conn *c, struct arena *a, const struct search_query *q,
                const struct match *m, size_t n, struct search_result *out)
{
    int64_t *ids = arena_alloc(a, n * sizeof(*ids));
    for (size_t i = 0; i < n; i++)
        ids[i] = m[i].id;
    struct article *arts;
    size_t len;
    int rc = sdb_articles_by_ids(c, a, ids, n, &arts, &len);
    if (rc != 0 || len == 0)
        return rc;
    out->hits = arena_zalloc(a, len * sizeof(*out->hits));
    for (size_t i = 0, j = 0; i < len; i++) {
        out->hits[i].article = arts[i];
        while (m[j].id != arts[i].id) /* arts is ids less any gone */
            j++;
        out->hits[i].snippet = m[j].snippet;
    }
    out->n = len;
    if (m[0].snippet)
        return 0;
    sqlite3_stmt *st = sdb_stmt(c, SQL_SNIPPETS);
    if (!st)
        return ERR_DB;
    if (bind_ids(a, st, snippet_match(a, q->match), ids, n) != SQLITE_OK) {
        rc = sdb_fail(c, "search: snippets");
        goto out;
    }
    rc = snippet_rows(c, a, st, out);
out:
    sdb_done(st);
    return rc;
}

/* terms counts the terms of a match (query.c's `"t" "t"* ...`). */
static size_t terms(const char *match)
{
    size_t quotes = 0;
    for (const char *p = match; *p; p++)
        quotes += *p == '"';
    return quotes / 2;
}

/* rank gives each of the pass's n matches its bm25 (SQL_RANK), and its
 * snippet too with SQL_RANK_SNIPPETS. */
static int rank(struct conn *c, struct arena *a, const struct search_query *q,
                const char *sql, struct match *m, size_t n)
{
    int64_t *ids = arena_alloc(a, n * sizeof(*ids));
    for (size_t i = 0; i < n; i++)
        ids[i] = m[i].id;
    sqlite3_stmt *st = sdb_stmt(c, sql);
    if (!st)
        return ERR_DB;
    int rc;
    if (bind_ids(a, st, q->match, ids, n) != SQLITE_OK) {
        rc = sdb_fail(c, "search: rank");
        goto out;
    }
    /* Both in descending rowid order: the pass's, and FTS5's for DESC. */
    size_t i = 0;
    for (;;) {
        rc = sdb_step(c, st, "search: rank");
        if (rc != 1)
            break;
        int64_t id = sqlite3_column_int64(st, 0);
        while (i < n && m[i].id != id)
            i++;
        if (i < n) {
            m[i].rank = sqlite3_column_double(st, 1);
            m[i].snippet = sdb_col_text(a, st, 2);
        }
    }
out:
    sdb_done(st);
    return rc;
}

/* facets names the pass's most frequent values. */
static int facets(struct conn *c, struct arena *a, const struct pass *p,
                  struct search_result *out)
{
    years(a, &p->years, &out->years, &out->n_years);
    int rc = top_facets(c, a, &p->sections, SQL_SECTION, &out->sections,
                        &out->n_sections);
    if (rc == 0)
        rc = top_facets(c, a, &p->authors, SQL_AUTHOR, &out->authors,
                        &out->n_authors);
    if (rc == 0)
        rc = top_facets(c, a, &p->countries, NULL, &out->countries,
                        &out->n_countries);
    return rc;
}

/* --- Xapian: the same result from the index search_index.c keeps ------- */

struct counting {
    struct arena *a;
    struct pass *p;
    size_t n;
};

/* count_match tallies a match's facets, as run_pass does. */
static void count_match(void *ctx, const char *year, const char *section,
                        const char *authors, const char *countries)
{
    struct counting *k = ctx;
    if (k->n++ >= STORE_SEARCH_COUNT_MAX)
        return;
    tally_add(k->a, &k->p->years, id_key(year, strlen(year)));
    tally_add(k->a, &k->p->sections, id_key(section, strlen(section)));
    tally_words(k->a, &k->p->authors, authors, id_key);
    tally_words(k->a, &k->p->countries, countries, code_key);
}

/* The text a snippet is cut from: the intro, then the Markdown body. */
static const char SQL_SNIPPET_TEXT[] =
    "SELECT coalesce(summary, '') || char(10, 10) || coalesce(body_md, '')"
    " FROM articles WHERE id = ?1";

/* xapian_hits reads the page's articles and cuts their snippets. */
static int xapian_hits(struct conn *c, struct arena *a,
                       const struct xapian_result *res,
                       struct search_result *out)
{
    size_t n;
    const int64_t *ids = xapian_result_ids(res, &n);
    if (n == 0)
        return 0;
    struct article *arts;
    size_t len;
    int rc = sdb_articles_by_ids(c, a, ids, n, &arts, &len);
    if (rc != 0 || len == 0)
        return rc;
    out->hits = arena_zalloc(a, len * sizeof(*out->hits));
    for (size_t i = 0; i < len && rc == 0; i++) {
        out->hits[i].article = arts[i];
        sqlite3_stmt *st = sdb_stmt(c, SQL_SNIPPET_TEXT);
        if (!st)
            return ERR_DB;
        if (sqlite3_bind_int64(st, 1, arts[i].id) != SQLITE_OK)
            rc = sdb_fail(c, "search: snippet");
        else
            rc = sdb_step(c, st, "search: snippet");
        if (rc == 1) {
            char *snip = xapian_result_snippet(
                res, (const char *)sqlite3_column_text(st, 0), STORE_MARK_OPEN,
                STORE_MARK_CLOSE);
            out->hits[i].snippet = snip ? arena_strdup(a, snip) : NULL;
            free(snip);
            rc = 0;
        }
        sdb_done(st);
    }
    out->n = len;
    return rc;
}

/* search_xapian answers q from the Xapian index: one pass ranks the page,
 * counts up to STORE_SEARCH_COUNT_MAX + 1 matches and their facets. */
static int search_xapian(struct conn *c, struct arena *a,
                         const struct search_query *q, int64_t section_id,
                         int64_t author_id, struct search_result *out)
{
    struct pass p = {0};
    struct counting k = {a, &p, 0};
    size_t n_terms = terms(q->match);
    const char *match = sdb_fold_match(c, a, q->match);
    if (!match)
        return ERR_DB;
    struct xapian_query xq = {
        .match = match,
        .section_id = section_id,
        .author_id = author_id,
        .year = q->year,
        .country = q->country,
        .offset = q->offset,
        .limit = q->limit,
        .check = STORE_SEARCH_COUNT_MAX + 1,
        /* FTS5's rule (search): matches times terms at most RANK_MAX */
        .rank_max = STORE_SEARCH_RANK_MAX / (unsigned)(n_terms ? n_terms : 1),
        .count = count_match,
        .ctx = &k,
    };
    struct xapian_result *res;
    int rc = xapian_search(c->xapian, &xq, &res);
    if (rc != 0)
        return rc;
    bool more;
    int64_t total = xapian_result_total(res, &more);
    out->capped = more || total > STORE_SEARCH_COUNT_MAX;
    out->total = out->capped ? STORE_SEARCH_COUNT_MAX : total;
    out->by_date = xapian_result_by_date(res);
    out->xapian = true;
    if (q->offset < out->total)
        rc = xapian_hits(c, a, res, out);
    xapian_result_free(res);
    if (rc == 0)
        rc = facets(c, a, &p, out);
    return rc;
}

/* search runs q inside c's read snapshot. */
static int search(struct store *s, struct conn *c, struct arena *a,
                  const struct search_query *q, struct search_result *out)
{
    int64_t section_id = 0, author_id = 0;
    int rc = 0;
    if (q->section)
        rc = slug_id(c, SQL_SECTION_ID, q->section, &section_id);
    if (rc == 0 && q->author)
        rc = slug_id(c, SQL_AUTHOR_ID, q->author, &author_id);
    if (rc != 0 || (q->section && !section_id) || (q->author && !author_id))
        return rc; /* an unknown section or author: nothing matches */
    if (sdb_xapian_exact(s, c)) {
        rc = search_xapian(c, a, q, section_id, author_id, out);
        if (rc == 0)
            return 0;
        log_warn("%s; searching with FTS5", store_last_error());
        *out = (struct search_result){0};
    }
    const char *author =
        q->author ? arena_printf(a, " %lld ", (long long)author_id) : NULL;
    const char *country = q->country ? arena_printf(a, " %s ", q->country)
                                     : NULL;

    struct pass p = {0};
    sqlite3_stmt *st = sdb_stmt(c, SQL_PASS);
    if (!st)
        return ERR_DB;
    if ((bind_filters(st, q, section_id, author, country) |
         sqlite3_bind_int(st, 6, STORE_SEARCH_COUNT_MAX + 1)) != SQLITE_OK)
        rc = sdb_fail(c, "search");
    else
        rc = run_pass(c, a, st, &p);
    sdb_done(st);
    if (rc != 0)
        return rc;
    out->capped = p.n > STORE_SEARCH_COUNT_MAX;
    out->total = out->capped ? STORE_SEARCH_COUNT_MAX : (int64_t)p.n;
    /* bm25 reads every instance of every term in each match it ranks. */
    out->by_date = (size_t)out->total * terms(q->match) > STORE_SEARCH_RANK_MAX;

    if (q->limit > 0 && q->offset < out->total) {
        size_t all = (size_t)out->total, end = (size_t)q->offset;
        end += (size_t)q->limit < all - end ? (size_t)q->limit : all - end;
        if (out->by_date) {
            newest_k(p.m, all, end);
        } else {
            /* The page is every match: their snippets with their rank,
             * if the snippets would highlight every term anyway. */
            bool page_is_all = q->offset == 0 && end == all &&
                               terms(q->match) <= SNIPPET_TERMS;
            rc = rank(c, a, q, page_is_all ? SQL_RANK_SNIPPETS : SQL_RANK, p.m,
                      all);
            qsort(p.m, all, sizeof(*p.m), best_first);
        }
        if (rc == 0)
            rc = hits(c, a, q, p.m + q->offset, end - (size_t)q->offset, out);
    }
    if (rc == 0)
        rc = facets(c, a, &p, out);
    return rc;
}

int store_search(struct store *s, struct arena *a, const struct search_query *q,
                 struct search_result *out)
{
    struct conn *c;
    *out = (struct search_result){0};
    if (!q->match || !*q->match)
        return sdb_invalid("search", "empty query");
    if (q->limit < 0 || q->offset < 0 || q->year < 0 || q->year > 9999)
        return sdb_invalid("search", "bad page or year");
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    rc = search(s, c, a, q, out);
    sdb_read_end(s, c);
    if (rc != 0)
        *out = (struct search_result){0};
    return rc;
}
