// xapian-compare: the Xapian side of the search engine comparison that
// issue 17 asks for (docs/benchmarks.md, "FTS5 or Xapian"). A bench tool,
// not part of Quire: C++ because Xapian's API is C++.
//
//   xapian-compare index QUIRE.db XAPIAN_DIR
//   xapian-compare query XAPIAN_DIR ROUNDS QUERY...
//
// index: every published article of a Quire journal, the same text as
// Quire's FTS5 index (title, intro, Markdown body, byline; SDB_FTS_ROW in
// src/store/store_int.h), English stemming, positions kept, the title
// weighted 10, the intro 4, the byline 2 (as Quire's bm25 weights), the
// year and section in value slots for facets.
//
// query: for each query, as Quire's search box reads it (terms ANDed, a
// "quoted phrase", a trailing * for a prefix), ROUNDS timings of two
// modes on a database opened once, as a server keeps it:
//   top10  - the ten best by relevance, no count asked for (Xapian's
//            strength: it skips what cannot reach the top ten)
//   facets - the same with at least 10,001 matches checked and the year
//            and section counted over them: what Quire's results page
//            shows (a total up to "10,000+", and facet counts)
// A prefix expands to its 100 most frequent terms (Xapian's own bound).
// Printed: one line per query and mode, median and p95 in ms, and the
// estimated number of matches.
#include <xapian.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

static const char SQL_ROWS[] =
    "SELECT a.id, a.title, a.summary, a.body_md,"
    " (SELECT group_concat(name, ', ') FROM (SELECT au.name"
    "  FROM article_authors aa JOIN authors au ON au.id = aa.author_id"
    "  WHERE aa.article_id = a.id ORDER BY aa.position)),"
    " strftime('%Y', a.published_at, 'unixepoch'), a.section_id"
    " FROM articles a WHERE a.status = 1";

static std::string col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? std::string(reinterpret_cast<const char *>(t)) : std::string();
}

static int index_journal(const char *quire_db, const char *dir)
{
    sqlite3 *db;
    if (sqlite3_open_v2(quire_db, &db, SQLITE_OPEN_READONLY, nullptr) !=
        SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", quire_db, sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, SQL_ROWS, -1, &st, nullptr) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", quire_db, sqlite3_errmsg(db));
        return 1;
    }
    Xapian::WritableDatabase x(dir, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    auto t0 = std::chrono::steady_clock::now();
    long n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        Xapian::Document doc;
        tg.set_document(doc);
        tg.index_text(col(st, 1), 10);
        tg.increase_termpos();
        tg.index_text(col(st, 2), 4);
        tg.increase_termpos();
        tg.index_text(col(st, 3), 1);
        tg.increase_termpos();
        tg.index_text(col(st, 4), 2);
        doc.add_value(0, col(st, 5));
        doc.add_value(1, col(st, 6));
        x.replace_document(Xapian::docid(sqlite3_column_int64(st, 0)), doc);
        if (++n % 100000 == 0)
            fprintf(stderr, "%ld articles\n", n);
    }
    x.commit();
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    printf("indexed %ld articles in %.1f s (%.0f/s)\n", n, s, n / s);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}

static Xapian::Query parse(const Xapian::Database &x, const std::string &q)
{
    Xapian::QueryParser qp;
    qp.set_database(x);
    qp.set_stemmer(Xapian::Stem("english"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_default_op(Xapian::Query::OP_AND);
    qp.set_max_expansion(100, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    return qp.parse_query(q, Xapian::QueryParser::FLAG_PHRASE |
                                 Xapian::QueryParser::FLAG_WILDCARD);
}

static double run(const Xapian::Database &x, const std::string &q, bool facets,
                  Xapian::doccount *matches)
{
    auto t0 = std::chrono::steady_clock::now();
    Xapian::Enquire e(x);
    e.set_query(parse(x, q));
    Xapian::ValueCountMatchSpy years(0), sections(1);
    if (facets) {
        e.add_matchspy(&years);
        e.add_matchspy(&sections);
    }
    Xapian::MSet m = e.get_mset(0, 10, facets ? 10001 : 0);
    for (auto it = m.begin(); it != m.end(); ++it)
        (void)it.get_document().get_value(1); // read the page's documents
    if (facets)
        for (auto it = years.top_values_begin(10);
             it != years.top_values_end(10); ++it)
            (void)*it;
    *matches = m.get_matches_estimated();
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - t0)
        .count();
}

static int query(const char *dir, int rounds, int argc, char **argv)
{
    Xapian::Database x(dir); // open once, as a server would
    Xapian::doccount n;
    run(x, "warm", true, &n); // the OS's page cache, as Quire's warm-up
    for (int i = 0; i < argc; i++) {
        for (bool facets : {false, true}) {
            std::vector<double> ms;
            run(x, argv[i], facets, &n); // the first one warms
            for (int r = 0; r < rounds; r++)
                ms.push_back(run(x, argv[i], facets, &n));
            std::sort(ms.begin(), ms.end());
            size_t p95 = (ms.size() * 95 + 99) / 100 - 1;
            printf("%-44.44s %-6s median %8.2f ms  p95 %8.2f ms  matches %u\n",
                   argv[i], facets ? "facets" : "top10", ms[ms.size() / 2],
                   ms[p95], n);
            fflush(stdout);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    try {
        if (argc == 4 && std::string(argv[1]) == "index")
            return index_journal(argv[2], argv[3]);
        if (argc >= 5 && std::string(argv[1]) == "query")
            return query(argv[2], atoi(argv[3]) > 0 ? atoi(argv[3]) : 1,
                         argc - 4, argv + 4);
    } catch (const Xapian::Error &err) {
        fprintf(stderr, "xapian-compare: %s\n", err.get_description().c_str());
        return 1;
    }
    fprintf(stderr, "usage: xapian-compare index QUIRE.db XAPIAN_DIR\n"
                    "       xapian-compare query XAPIAN_DIR ROUNDS QUERY...\n");
    return 2;
}
