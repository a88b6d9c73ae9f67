// xapian.cc - the Xapian index of published articles (xapian.h): the one
// C++ file of Quire, because Xapian's API is C++. It knows Xapian, not the
// store: search_index.c feeds it, search.c asks it. docs/internals/search.md.
//
// A document is an article, its document id 2^32 - 1 - the article id:
// Xapian reads posting lists in ascending document ids and stops once it
// has counted enough, so the newest added come first (ties of relevance,
// and the matches a date-ordered query counts), as FTS5's rowid DESC.
// - its text as FTS5 has it (title, intro, Markdown body, byline; words
//   cut by fold.c), each word's English stem (Z + stem) with its
//   position, as FTS5's porter tokenizer keeps them: queries and phrases
//   are stemmed alike; the title's words count 10 times, the intro's 4, the
//   byline's 2 (FTS5's bm25 weights);
// - K + the first one, two and three letters of each stem, so that a
//   short prefix ("s*") is one posting list, not thousands merged;
// - filter terms XS<section id>, XA<author id>, XY<year>, XC<country>;
// - one value, SLOT_FACETS: "<date>\t<year>\t<section>\t<author ids>\t
//   <countries>", what the facets and the date order read of each match
//   (one value stream read per match, not five).
// Metadata (keys and values) is search_index.c's.
#include "store/xapian.h"

#include "core/err.h"

#include <xapian.h>

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <new>
#include <set>
#include <string>
#include <vector>

extern "C" void sdb_errorf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

namespace
{

enum { SLOT_FACETS };
enum { WEIGHT_TITLE = 10, WEIGHT_INTRO = 4, WEIGHT_BYLINE = 2 };
enum { PREFIX_CHARS = 3 };         // K terms: prefixes this short or shorter
enum { WILDCARD_TERMS = 100 };     // a longer prefix: its most frequent words
enum { RANKED_PREFIX_MAX = 2000 }; // a short prefix this rare is ranked too
enum { SNIPPET_BYTES = 200 };      // about FTS5's 32 tokens
const char STEMMER[] = "english";

// docid and article_id map one to the other (ids up to 2^32 - 2).
Xapian::docid docid(int64_t id)
{
    return (Xapian::docid)(UINT32_MAX - (uint32_t)id);
}

int64_t article_id(Xapian::docid d)
{
    return (int64_t)(UINT32_MAX - d);
}

bool indexable(int64_t id)
{
    return id > 0 && id < (int64_t)UINT32_MAX;
}

// fail records what went wrong as the thread's store error.
int fail(const char *what)
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        sdb_errorf("search index: %s: %s", what, e.get_msg().c_str());
        return ERR_BUSY;
    } catch (const Xapian::DatabaseOpeningError &e) {
        sdb_errorf("search index: %s: %s", what, e.get_msg().c_str());
        return ERR_NOT_FOUND;
    } catch (const Xapian::Error &e) {
        sdb_errorf("search index: %s: %s", what, e.get_description().c_str());
        return ERR_IO;
    } catch (const std::bad_alloc &) {
        sdb_errorf("search index: %s: out of memory", what);
        return ERR_IO;
    } catch (const std::exception &e) {
        sdb_errorf("search index: %s: %s", what, e.what());
        return ERR_IO;
    }
}

void copy(const std::string &t, char *out, size_t cap)
{
    size_t n = t.size() < cap - 1 ? t.size() : cap - 1;
    memcpy(out, t.data(), n);
    out[n] = '\0';
}

// words splits text as the term generator does, lowercased.
std::vector<std::string> words(const std::string &text)
{
    std::vector<std::string> out;
    std::string w;
    for (Xapian::Utf8Iterator i(text); i != Xapian::Utf8Iterator(); ++i) {
        unsigned ch = *i;
        if (Xapian::Unicode::is_wordchar(ch)) {
            Xapian::Unicode::append_utf8(w, Xapian::Unicode::tolower(ch));
        } else if (!w.empty()) {
            out.push_back(w);
            w.clear();
        }
    }
    if (!w.empty())
        out.push_back(w);
    return out;
}

// leading returns the first n characters of the UTF-8 word w (all of it
// if shorter).
std::string leading(const std::string &w, size_t n)
{
    Xapian::Utf8Iterator i(w);
    for (size_t k = 0; k < n && i != Xapian::Utf8Iterator(); k++)
        ++i;
    return w.substr(0, w.size() - i.left());
}

size_t chars(const std::string &w)
{
    size_t n = 0;
    for (Xapian::Utf8Iterator i(w); i != Xapian::Utf8Iterator(); ++i)
        n++;
    return n;
}

// each_word calls f on each space-separated word of " 12 34 ".
template <typename F> void each_word(const char *s, F f)
{
    std::string w;
    for (; s && *s; s++) {
        if (*s != ' ') {
            w += *s;
        } else if (!w.empty()) {
            f(w);
            w.clear();
        }
    }
    if (!w.empty())
        f(w);
}

Xapian::Document document(const xapian_doc *d)
{
    Xapian::Document doc;
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem(STEMMER));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
    tg.set_document(doc);
    struct {
        const char *text;
        unsigned weight;
    } fields[] = {{d->title, WEIGHT_TITLE},
                  {d->intro, WEIGHT_INTRO},
                  {d->body, 1},
                  {d->byline, WEIGHT_BYLINE}};
    for (auto &f : fields) {
        if (f.text)
            tg.index_text(f.text, f.weight);
        tg.increase_termpos(); // no phrase across two fields
    }
    std::set<std::string> prefixes;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        const std::string &z = *t;
        if (z.size() < 2 || z[0] != 'Z')
            continue; // not a stem (K, X)
        std::string w = z.substr(1);
        for (size_t n = 1; n <= PREFIX_CHARS; n++)
            prefixes.insert("K" + leading(w, n));
    }
    for (const std::string &p : prefixes)
        doc.add_boolean_term(p);
    if (d->section_id)
        doc.add_boolean_term("XS" + std::to_string(d->section_id));
    doc.add_boolean_term("XY" + std::to_string(d->year));
    each_word(d->authors,
              [&](const std::string &a) { doc.add_boolean_term("XA" + a); });
    each_word(d->countries,
              [&](const std::string &c) { doc.add_boolean_term("XC" + c); });
    doc.add_value(SLOT_FACETS,
                  std::to_string(d->published_at) + "\t" +
                      std::to_string(d->year) + "\t" +
                      (d->section_id ? std::to_string(d->section_id) : "") +
                      "\t" + (d->authors ? d->authors : "") + "\t" +
                      (d->countries ? d->countries : ""));
    return doc;
}

// Counter passes each counted match's facet values to the caller and,
// for a query ranked by date, keeps the newest `keep` of them.
class Counter : public Xapian::MatchSpy
{
    const xapian_query *q;
    size_t keep;

  public:
    struct dated {
        long long at;
        int64_t id;
        bool operator<(const dated &o) const // newer first
        {
            return at != o.at ? at > o.at : id > o.id;
        }
    };
    std::vector<dated> newest; // a heap: its top the oldest kept

    Counter(const xapian_query *query, size_t k) : q(query), keep(k) {}
    void operator()(const Xapian::Document &doc, double) override
    {
        std::string v = doc.get_value(SLOT_FACETS);
        char *f[5] = {nullptr};
        char *p = &v[0];
        for (int i = 0; i < 5 && p; i++) {
            f[i] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (!f[4])
            return; // not a document of ours
        if (q->count)
            q->count(q->ctx, f[1], f[2], f[3], f[4]);
        if (!keep)
            return;
        dated d{strtoll(f[0], nullptr, 10), article_id(doc.get_docid())};
        if (newest.size() < keep) {
            newest.push_back(d);
            std::push_heap(newest.begin(), newest.end());
        } else if (d < newest.front()) {
            std::pop_heap(newest.begin(), newest.end());
            newest.back() = d;
            std::push_heap(newest.begin(), newest.end());
        }
    }
};

// prefix_query: a prefix search for the words of text, the last one a
// prefix. A short one (PREFIX_CHARS letters or fewer) matches its K term,
// one posting list, ranked by its words when its articles are few enough;
// a longer one ORs its WILDCARD_TERMS most frequent words (Xapian's bound:
// an article with only rarer ones is not found). *weighed: it ranks.
Xapian::Query prefix_query(const Xapian::Database &db, const std::string &text,
                           bool *weighed)
{
    std::vector<std::string> ws = words(text);
    if (ws.empty())
        return Xapian::Query();
    const std::string &last = ws.back();
    Xapian::Query expansion(Xapian::Query::OP_WILDCARD, "Z" + last,
                            WILDCARD_TERMS,
                            Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    bool k = chars(last) <= PREFIX_CHARS;
    bool rank = !k || db.get_termfreq("K" + last) <= RANKED_PREFIX_MAX;
    Xapian::Query q;
    if (!k)
        q = expansion;
    else if (!rank)
        q = Xapian::Query("K" + last);
    else // the K term's matches, ranked by the words they contain
        q = Xapian::Query(Xapian::Query::OP_AND_MAYBE,
                          Xapian::Query("K" + last), expansion);
    *weighed |= rank || ws.size() > 1;
    if (ws.size() == 1)
        return q;
    // Several words ("u.s*"): all of them, the last a prefix. FTS5 reads a
    // phrase; Xapian 1.4's phrases take only terms, not an expansion.
    Xapian::Stem stem(STEMMER);
    std::vector<Xapian::Query> all;
    for (size_t i = 0; i + 1 < ws.size(); i++)
        all.emplace_back("Z" + stem(ws[i]));
    all.push_back(q);
    return Xapian::Query(Xapian::Query::OP_AND, all.begin(), all.end());
}

// parse turns query.c's `"term" "a phrase" "prefix"*` into a query; *weighed
// says whether any part has a relevance weight (a K term has none).
Xapian::Query parse(const Xapian::Database &db, const char *match,
                    bool *weighed)
{
    Xapian::QueryParser qp;
    qp.set_stemmer(Xapian::Stem(STEMMER));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL_Z);
    qp.set_default_op(Xapian::Query::OP_AND);
    std::vector<Xapian::Query> parts;
    *weighed = false;
    for (const char *p = match; (p = strchr(p, '"'));) {
        const char *end = strchr(p + 1, '"');
        if (!end)
            break;
        std::string text(p + 1, (size_t)(end - p - 1));
        bool prefix = end[1] == '*';
        p = end + 1 + prefix;
        Xapian::Query part;
        if (prefix) {
            part = prefix_query(db, text, weighed);
        } else {
            // The reader's text is never query syntax: one word goes to
            // the parser with no flags (stemmed), several as a phrase.
            size_t n = words(text).size();
            if (n == 1)
                part = qp.parse_query(text, 0);
            else if (n > 1)
                part = qp.parse_query("\"" + text + "\"",
                                      Xapian::QueryParser::FLAG_PHRASE);
            *weighed |= n > 0;
        }
        if (!part.empty())
            parts.push_back(part);
    }
    if (parts.empty())
        return Xapian::Query::MatchNothing;
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

// unescape undoes the HTML escaping MSet::snippet applies: the caller
// escapes for where it shows the text (hand-written: four entities).
std::string unescape(const std::string &s)
{
    static const struct {
        const char *entity;
        char c;
    } map[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}};
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        bool done = false;
        if (s[i] == '&')
            for (auto &m : map)
                if (s.compare(i, strlen(m.entity), m.entity) == 0) {
                    out += m.c;
                    i += strlen(m.entity);
                    done = true;
                    break;
                }
        if (!done)
            out += s[i++];
    }
    return out;
}

} // namespace

struct xapian_writer {
    Xapian::WritableDatabase db;
};

struct xapian_reader {
    std::string dir;
    Xapian::Database db;
};

struct xapian_result {
    Xapian::Enquire enquire;
    Xapian::MSet mset;
    std::vector<int64_t> ids;
    int64_t total;
    bool more, by_date;
    explicit xapian_result(const Xapian::Database &db) : enquire(db) {}
};

extern "C" {

int xapian_writer_open(const char *dir, bool fresh, struct xapian_writer **out)
{
    *out = nullptr;
    try {
        *out = new xapian_writer{
            Xapian::WritableDatabase(dir, fresh ? Xapian::DB_CREATE_OR_OVERWRITE
                                                : Xapian::DB_CREATE_OR_OPEN)};
        return 0;
    } catch (...) {
        return fail(dir);
    }
}

int xapian_writer_get(struct xapian_writer *w, const char *key, char *out,
                      size_t cap)
{
    try {
        copy(w->db.get_metadata(key), out, cap);
        return 0;
    } catch (...) {
        return fail("metadata");
    }
}

int xapian_writer_set(struct xapian_writer *w, const char *key,
                      const char *value)
{
    try {
        w->db.set_metadata(key, value);
        return 0;
    } catch (...) {
        return fail("metadata");
    }
}

int xapian_writer_put(struct xapian_writer *w, const struct xapian_doc *d)
{
    try {
        if (!indexable(d->id)) {
            sdb_errorf("search index: article id %lld out of range",
                       (long long)d->id);
            return ERR_INVALID;
        }
        w->db.replace_document(docid(d->id), document(d));
        return 0;
    } catch (...) {
        return fail("index");
    }
}

int xapian_writer_delete(struct xapian_writer *w, int64_t id)
{
    try {
        if (!indexable(id))
            return 0; // never indexed
        w->db.delete_document(docid(id));
        return 0;
    } catch (const Xapian::DocNotFoundError &) {
        return 0; // never indexed (a draft): nothing to remove
    } catch (...) {
        return fail("unindex");
    }
}

int xapian_writer_commit(struct xapian_writer *w)
{
    try {
        w->db.commit();
        return 0;
    } catch (...) {
        return fail("commit");
    }
}

void xapian_writer_close(struct xapian_writer *w)
{
    try {
        delete w; // an uncommitted batch is dropped (the log still has it)
    } catch (...) {
        (void)fail("close");
    }
}

int xapian_reader_open(const char *dir, struct xapian_reader **out)
{
    *out = nullptr;
    try {
        *out = new xapian_reader{dir, Xapian::Database(dir)};
        return 0;
    } catch (...) {
        return fail(dir);
    }
}

int xapian_reader_refresh(struct xapian_reader *r)
{
    try {
        try {
            r->db.reopen();
        } catch (const Xapian::DatabaseModifiedError &) {
            r->db = Xapian::Database(r->dir); // rebuilt under it
        }
        return 0;
    } catch (...) {
        return fail("reopen");
    }
}

int xapian_reader_get(struct xapian_reader *r, const char *key, char *out,
                      size_t cap)
{
    try {
        copy(r->db.get_metadata(key), out, cap);
        return 0;
    } catch (...) {
        return fail("metadata");
    }
}

int64_t xapian_reader_documents(struct xapian_reader *r)
{
    try {
        return (int64_t)r->db.get_doccount();
    } catch (...) {
        return fail("count");
    }
}

void xapian_reader_close(struct xapian_reader *r)
{
    delete r;
}

int xapian_search(struct xapian_reader *r, const struct xapian_query *q,
                  struct xapian_result **out)
{
    *out = nullptr;
    xapian_result *res = nullptr;
    try {
        res = new xapian_result(r->db);
        bool weighed;
        Xapian::Query query = parse(r->db, q->match, &weighed);
        std::vector<Xapian::Query> filters;
        if (q->section_id)
            filters.emplace_back("XS" + std::to_string(q->section_id));
        if (q->author_id)
            filters.emplace_back("XA" + std::to_string(q->author_id));
        if (q->year)
            filters.emplace_back("XY" + std::to_string(q->year));
        if (q->country)
            filters.emplace_back(std::string("XC") + q->country);
        if (!filters.empty())
            query =
                Xapian::Query(Xapian::Query::OP_FILTER, query,
                              Xapian::Query(Xapian::Query::OP_AND,
                                            filters.begin(), filters.end()));
        res->enquire.set_query(query);
        // The pass: up to q->check matches, newest added first, with no
        // weights (reading them stops there, whatever the archive's
        // size), counted and the newest by date kept by the spy.
        size_t page_end = (size_t)q->offset + (size_t)q->limit;
        Counter counter(q, page_end);
        res->enquire.add_matchspy(&counter);
        res->enquire.set_weighting_scheme(Xapian::BoolWeight());
        Xapian::MSet pass = res->enquire.get_mset(0, 0, q->check);
        res->enquire.clear_matchspies(); // counter goes out of scope
        res->total = (int64_t)pass.get_matches_lower_bound();
        res->more = pass.get_matches_lower_bound() <
                    pass.get_matches_upper_bound();
        // Ranked by relevance when few enough match (FTS5's rule, and
        // the cost of BM25 grows with the matches: a common word read
        // every one of a million); else the newest by date.
        res->by_date = !weighed || res->more ||
                       (uint64_t)res->total > q->rank_max;
        if (res->by_date) {
            res->mset = pass;
            std::sort_heap(counter.newest.begin(), counter.newest.end());
            for (size_t i = (size_t)q->offset; i < counter.newest.size(); i++)
                res->ids.push_back(counter.newest[i].id);
        } else {
            res->enquire.set_weighting_scheme(Xapian::BM25Weight());
            res->mset = res->enquire.get_mset((Xapian::doccount)q->offset,
                                              (Xapian::doccount)q->limit);
            for (auto it = res->mset.begin(); it != res->mset.end(); ++it)
                res->ids.push_back(article_id(*it));
        }
        *out = res;
        return 0;
    } catch (...) {
        delete res;
        return fail("search");
    }
}

const int64_t *xapian_result_ids(const struct xapian_result *res, size_t *n)
{
    *n = res->ids.size();
    return res->ids.data();
}

int64_t xapian_result_total(const struct xapian_result *res, bool *more)
{
    *more = res->more;
    return res->total;
}

bool xapian_result_by_date(const struct xapian_result *res)
{
    return res->by_date;
}

char *xapian_result_snippet(const struct xapian_result *res, const char *text,
                            const char *open, const char *close)
{
    try {
        std::string s = unescape(res->mset.snippet(
            text, SNIPPET_BYTES, Xapian::Stem(STEMMER), 0, open, close, "…"));
        return strdup(s.c_str());
    } catch (...) {
        (void)fail("snippet");
        return nullptr;
    }
}

void xapian_result_free(struct xapian_result *res)
{
    delete res;
}

} // extern "C"
