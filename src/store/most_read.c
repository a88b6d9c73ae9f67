/*
 * most_read.c - articles by how often they were read.
 *
 * All time reads articles.hits; a period sums hits_daily (one row per
 * article per UTC day, written by store_hits_add) from its first day on,
 * and reports that sum as article.hits. Both are article lists run by
 * sdb_articles_query: three queries a page. Unread articles are left out,
 * so the list ends where reading does.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#define ALL_WHERE " WHERE a.status = 1 AND a.hits > 0"
#define ALL_ORDER " ORDER BY a.hits DESC, a.id DESC LIMIT ?1 OFFSET ?2"
// clang-format off
static const struct sdb_list_sql all_sql = {
    SDB_ARTICLE_SELECT("NULL, NULL", "a.hits") ALL_WHERE ALL_ORDER,
    "SELECT count(*) FROM articles a" ALL_WHERE,
    .by_reads = true,
};

/*
 * ?3: the period's start (Unix seconds); its UTC day is the first. The
 * "+" keeps SQLite from grouping along the primary key (article_id, day),
 * which reads every day ever kept, so an index on day can do the range.
 */
#define PERIOD                                                               \
    "(SELECT article_id, sum(count) AS n FROM hits_daily"                    \
    " WHERE day >= date(?3, 'unixepoch') GROUP BY +article_id) h"
#define PERIOD_WHERE " WHERE a.status = 1 AND h.n > 0"
#define PERIOD_ORDER " ORDER BY h.n DESC, a.id DESC LIMIT ?1 OFFSET ?2"
static const struct sdb_list_sql period_sql = {
    SDB_ARTICLE_SELECT("NULL, NULL", "h.n")
    "JOIN " PERIOD " ON h.article_id = a.id" PERIOD_WHERE PERIOD_ORDER,
    "SELECT count(*) FROM " PERIOD " JOIN articles a ON a.id = h.article_id"
    PERIOD_WHERE,
    .by_reads = true,
};
// clang-format on

int store_articles_most_read(struct store *s, struct arena *a, int64_t since,
                             int limit, int offset, struct article **out,
                             size_t *n, int64_t *total)
{
    struct list_query q = {.id = since, .limit = limit, .offset = offset};
    return sdb_articles_query(s, a, since ? &period_sql : &all_sql, &q, out, n,
                              total);
}
