/*
 * store.h - the journal's database: the only module that speaks SQL.
 *
 * One SQLite file in WAL mode with foreign keys and a busy timeout. Reads go
 * through a connection private to the calling thread (opened on first use,
 * closed by store_close); writes go through one writer connection guarded by
 * a mutex. Prepared statements are kept per connection and reused.
 *
 * Everything a read returns is allocated from the caller's arena and stays
 * valid until that arena is released. Strings are NUL-terminated UTF-8;
 * optional text that is absent is NULL. Every fallible call returns 0 or a
 * negative enum quire_err (ERR_NOT_FOUND, ERR_DB, ERR_EXISTS, ERR_INVALID;
 * ERR_IO when the disk is full or failed: SQLite may then have rolled an
 * enclosing store_begin transaction back, so stop and end it; ERR_BUSY from
 * store_open while `quire restore` replaces the file).
 */
#ifndef QUIRE_STORE_H
#define QUIRE_STORE_H

#include "core/err.h"
#include "core/str.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct store;

enum article_status { ARTICLE_DRAFT = 0, ARTICLE_PUBLISHED = 1 };

struct section {
    int64_t id; /* 0: none */
    const char *slug;
    const char *name;
    int position; /* the journal's order of sections */
};

struct issue {
    int64_t id;       /* 0: none */
    const char *date; /* YYYY-MM-DD, the issue's publication date */
    const char *title;
};

struct author {
    int64_t id;
    const char *slug;
    const char *name;
    const char *bio; /* Markdown; may be NULL */
};

struct tag {
    int64_t id;
    const char *slug;
    const char *name;
};

struct article {
    int64_t id;
    const char *slug;
    const char *title;
    const char *summary;   /* the intro; may be NULL */
    const char *body_md;   /* NULL in list queries */
    const char *body_html; /* rendered once on save; NULL in list queries */
    enum article_status status;
    int64_t published_at; /* Unix seconds, UTC */
    int64_t updated_at;
    int64_t hits;
    struct section section; /* section.id == 0 when none */
    struct issue issue;     /* issue.id == 0 when none */
    struct author *authors; /* in byline order */
    size_t n_authors;
    struct tag *tags;
    size_t n_tags;
};

/* What an importer or editor hands to store_article_save. */
struct article_input {
    int64_t id;            /* nonzero: update this article (editor) */
    const char *slug;      /* NULL: derive from title (see slug_base) */
    const char *slug_base; /* the slug derived from the title */
    const char *source;    /* the file it came from, or NULL */
    const char *title;
    const char *summary;
    const char *body_md;
    const char *body_html;
    enum article_status status;
    int64_t published_at;
    int64_t hits;               /* starting count; -1: keep the stored one */
    const char *section;        /* section name, created if new; NULL: none */
    const char *issue_date;     /* YYYY-MM-DD, created if new; NULL: none */
    const char *const *authors; /* names in byline order */
    size_t n_authors;
    const char *const *tags;
    size_t n_tags;
};

struct link {
    int64_t id;
    const char *title;
    const char *url;
    int position;
    const char *image; /* its logo: a media hash, or NULL */
};

struct publication {
    int64_t id;
    const char *kind; /* "Silk Road Paper", "Op-ed", ... */
    const char *date; /* YYYY-MM-DD */
    const char *title;
    const char *url;   /* may be NULL */
    const char *image; /* its cover: a media hash, or NULL */
};

struct setting {
    const char *key;
    const char *value;
};

struct hit_delta {
    int64_t article_id;
    int64_t count;
};

/*
 * store_open flags. STORE_CREATE creates the file if missing. STORE_MAP
 * has readers map the file into memory (PRAGMA mmap_size) instead of
 * reading each page with a pread into their own cache: a static export
 * of Reuters took 18 s instead of 12. For batch commands: the mapped
 * pages count in the process's RSS, which the server keeps small.
 */
enum { STORE_CREATE = 1, STORE_MAP = 2 };

/*
 * store_open opens (and with STORE_CREATE creates) the database at path,
 * applying any pending migrations. ERR_NOT_FOUND if the file is missing and
 * STORE_CREATE is not given; ERR_DB if it is not a Quire database.
 */
int store_open(const char *path, int flags, struct store **out) WUR;
/* store_close closes every connection; no thread may still use the store. */
void store_close(struct store *s);
/*
 * store_last_error is the message of the last failed store call on this
 * thread (static storage, "" if none since store_clear_error). The store
 * never logs a failure itself: it returns a code and records this message,
 * and the caller reports it once, in its own words.
 */
const char *store_last_error(void);
void store_clear_error(void);
/*
 * store_statements: the most prepared statements any one connection of s
 * holds (a test keeps it well below the cache's first size, 256).
 */
size_t store_statements(struct store *s);
/* store_schema_version is the PRAGMA user_version the store migrated to. */
int store_schema_version(void);

/* Transactions on the writer, for batching many saves (import). Nestable. */
int store_begin(struct store *s) WUR;
int store_commit(struct store *s) WUR;
void store_rollback(struct store *s);

/*
 * A read snapshot: every read this thread makes between store_read_hold and
 * store_read_release sees the database at one moment and shares one read
 * transaction (one BEGIN and COMMIT for a page, not one per query).
 * Nestable; hold it briefly, since the WAL cannot be checkpointed past an
 * open reader. A thread that writes in between reads its own writes as
 * before (through the writer).
 */
void store_read_hold(struct store *s);
void store_read_release(struct store *s);
/*
 * store_read_memo: until the hold this thread is in ends, this thread's
 * store_article_by_slug remembers the last article it read and answers the
 * same slug again from memory, and store_articles_related the rows it read
 * (the snapshot cannot change under them). For a thread that renders many
 * pages in one hold (the export: an article page, then its citation files;
 * neighbours sharing related articles). Call it after store_read_hold;
 * without a hold it does nothing (memo.c).
 */
void store_read_memo(struct store *s);

/*
 * The change log. Every write names what it touched: "article:<id>",
 * "section:<id>", "issue:<id>", "author:<id>", "tag:<id>", "year:<YYYY>",
 * "list" (any article: journal-wide lists) and "site" (settings, sections,
 * side modules, names: every page). store_changes_since returns the names
 * changed after sequence number since (0: the whole log), and in seq the
 * number to pass next time. When more than max names changed, all is set
 * and names is empty.
 */
struct change_set {
    const char **names;
    size_t n;
    bool all;
    int64_t seq;
};
int store_changes_since(struct store *s, struct arena *a, int64_t since,
                        size_t max, struct change_set *out) WUR;
/* store_changes_prune forgets changes before seq (the newest stays). */
int store_changes_prune(struct store *s, int64_t seq) WUR;

/* Journal settings (name, tagline, about, base_url, ...). */
int store_setting_get(struct store *s, struct arena *a, const char *key,
                      const char **value) WUR; /* ERR_NOT_FOUND if unset */
int store_setting_set(struct store *s, const char *key, const char *value) WUR;
int store_settings_list(struct store *s, struct arena *a, struct setting **out,
                        size_t *n) WUR;

/*
 * store_article_save inserts or updates one article with its section,
 * issue, authors and tags (created as needed) atomically. The article is
 * matched by in->slug when given, else by in->source; a new article without
 * a slug gets in->slug_base, or slug_base-2, -3... if taken. *id and
 * *created report what happened (either may be NULL).
 */
int store_article_save(struct store *s, const struct article_input *in,
                       int64_t *id, bool *created) WUR;

/* store_article_by_slug loads a published article (or any, if drafts). */
int store_article_by_slug(struct store *s, struct arena *a, struct str slug,
                          bool drafts, struct article *out) WUR;
/* What store_articles_list selects: published articles, newest first. */
enum list_kind {
    LIST_ALL,
    LIST_SECTION, /* id: section id */
    LIST_ISSUE,   /* id: issue id */
    LIST_AUTHOR,  /* id: author id (co-authored articles included) */
    LIST_TAG,     /* id: tag id */
    LIST_RANGE,   /* published_at in [id, until): Unix seconds */
};

struct list_query {
    enum list_kind kind;
    int64_t id;
    int64_t until;
    int limit;
    int offset;
};

/*
 * store_articles_list lists one page of what q selects, without bodies but
 * with section, issue and authors (tags are not loaded). *total (may be
 * NULL) receives the count of everything q selects.
 */
int store_articles_list(struct store *s, struct arena *a,
                        const struct list_query *q, struct article **out,
                        size_t *n, int64_t *total) WUR;
/*
 * Related articles (related.c): at most limit (0..STORE_RELATED_MAX)
 * published articles sharing tags or the section with article_id, ranked
 * by shared tags, then same section, then newest; never the article
 * itself. Without bodies or tags, with section, issue and authors.
 * *stale (may be NULL) is set when the ranking came from an index older
 * than the caller's snapshot (see store_related_refresh): show it, but not
 * for long. It never lists a draft or a deleted article.
 */
enum { STORE_RELATED_MAX = 8 };
int store_articles_related(struct store *s, struct arena *a, int64_t article_id,
                           int limit, struct article **out, size_t *n,
                           bool *stale) WUR;
/*
 * store_related_refresh brings the related index up to the latest
 * snapshot when its builds are slow (seconds at a million articles),
 * building it here; quick ones and the first are left to the readers that
 * need them. A server calls it from a background thread after each change;
 * from the first call on, a reader whose index is out of date and whose
 * builds are slow ranks with the older index (*stale) instead of waiting
 * for a new one. Without it, readers build what they need themselves.
 */
int store_related_refresh(struct store *s) WUR;

/* store_article_count counts articles (published and drafts). */
int store_article_count(struct store *s, int64_t *n) WUR;

int store_section_by_slug(struct store *s, struct arena *a, struct str slug,
                          struct section *out) WUR;
int store_sections_list(struct store *s, struct arena *a, struct section **out,
                        size_t *n) WUR;

/* "Visit also" links, in position order. */
int store_link_add(struct store *s, const char *title, const char *url,
                   int64_t *id) WUR;
int store_link_remove(struct store *s, int64_t id) WUR; /* ERR_NOT_FOUND */
int store_links_list(struct store *s, struct arena *a, struct link **out,
                     size_t *n) WUR;

/* store_link_add_image is store_link_add with a logo (a media hash of
 * an image in the library, or NULL); ERR_INVALID if it names none. */
int store_link_add_image(struct store *s, const char *title, const char *url,
                         const char *image, int64_t *id) WUR;
/* store_link_update sets l->id's title, url and image (NULL: none);
 * ERR_NOT_FOUND, ERR_INVALID as for adding. */
int store_link_update(struct store *s, const struct link *l) WUR;
/* store_link_get reads link id into out (strings from a); ERR_NOT_FOUND. */
int store_link_get(struct store *s, struct arena *a, int64_t id,
                   struct link *out) WUR;
/* store_link_move puts link id at place position (1 = first; past the
 * end = last) and renumbers the list 1..n in one transaction;
 * ERR_NOT_FOUND. */
int store_link_move(struct store *s, int64_t id, int64_t position) WUR;

/* Staff publications, newest date first. */
int store_publication_add(struct store *s, const struct publication *p,
                          int64_t *id) WUR;
int store_publication_remove(struct store *s, int64_t id) WUR;
int store_publications_list(struct store *s, struct arena *a,
                            struct publication **out, size_t *n) WUR;
/* store_publication_update sets every field of p->id (image NULL: none);
 * ERR_NOT_FOUND, ERR_INVALID as for adding (p->image names no image). */
int store_publication_update(struct store *s, const struct publication *p) WUR;
/* store_publication_get reads publication id into out; ERR_NOT_FOUND. */
int store_publication_get(struct store *s, struct arena *a, int64_t id,
                          struct publication *out) WUR;

/* store_author_photo_set sets (NULL: clears) author id's photo, a media
 * hash of an image in the library; ERR_NOT_FOUND, ERR_INVALID. */
int store_author_photo_set(struct store *s, int64_t id, const char *hash) WUR;
/* store_author_photos reads the photos (media hashes, NULL when none) of
 * the n authors ids into out[n], from a. */
int store_author_photos(struct store *s, struct arena *a, const int64_t *ids,
                        size_t n, const char **out) WUR;

/*
 * store_subscriber_add records a newsletter sign-up (address as given,
 * matched case-insensitively); ERR_EXISTS if already subscribed.
 */
int store_subscriber_add(struct store *s, const char *email, int64_t *id) WUR;

/* store_hits_add adds every delta in one transaction. */
int store_hits_add(struct store *s, const struct hit_delta *d, size_t n) WUR;
/* store_article_hits reads the stored count of one article. */
int store_article_hits(struct store *s, int64_t article_id, int64_t *hits) WUR;

/*
 * The reader's lists: issues, authors, tags, the archive and "most read"
 * (issues.c, authors.c, tags.c, archive.c, most_read.c). Only published
 * articles count: an issue, author or tag without any is not listed.
 * Lists of articles come without bodies or tags, with bylines.
 */
struct issue_entry {
    struct issue issue;
    int64_t articles; /* published articles in it */
};
struct author_entry {
    struct author author; /* bio is NULL in lists */
    int64_t articles;     /* published articles with them in the byline */
};
struct tag_entry {
    struct tag tag;
    int64_t articles;
};
struct month_entry {
    int year;  /* UTC */
    int month; /* 1-12 */
    int64_t articles;
};

/* store_issue_by_date: the issue of date (YYYY-MM-DD); ERR_NOT_FOUND. */
int store_issue_by_date(struct store *s, struct arena *a, struct str date,
                        struct issue *out) WUR;
/* store_issue_latest: the newest issue with a published article. */
int store_issue_latest(struct store *s, struct arena *a,
                       struct issue *out) WUR; /* ERR_NOT_FOUND if none */
/* store_issues_list: every issue with published articles, newest first. */
int store_issues_list(struct store *s, struct arena *a,
                      struct issue_entry **out, size_t *n) WUR;
/*
 * store_issue_toc lists one page of an issue's table of contents: its
 * published articles grouped by section in the journal's order of sections
 * (position, then name; articles without a section last), in order of
 * publication within a section. *total (may be NULL) gets the count.
 */
int store_issue_toc(struct store *s, struct arena *a, int64_t issue_id,
                    int limit, int offset, struct article **out, size_t *n,
                    int64_t *total) WUR;

/* store_author_by_slug: an author with bio; ERR_NOT_FOUND. */
int store_author_by_slug(struct store *s, struct arena *a, struct str slug,
                         struct author *out) WUR;
/* store_authors_list: one page of authors by name, *total of them all. */
int store_authors_list(struct store *s, struct arena *a, int limit, int offset,
                       struct author_entry **out, size_t *n,
                       int64_t *total) WUR;
/* store_tag_by_slug: a tag; ERR_NOT_FOUND. */
int store_tag_by_slug(struct store *s, struct arena *a, struct str slug,
                      struct tag *out) WUR;
/* store_tags_list: one page of tags by name, *total of them all. */
int store_tags_list(struct store *s, struct arena *a, int limit, int offset,
                    struct tag_entry **out, size_t *n, int64_t *total) WUR;

/*
 * store_archive_months counts published articles per UTC month with
 * published_at in [from, until), newest month first.
 */
int store_archive_months(struct store *s, struct arena *a, int64_t from,
                         int64_t until, struct month_entry **out,
                         size_t *n) WUR;

/*
 * store_articles_most_read lists one page of published articles by reads,
 * most first: all time when since is 0 (article.hits is the stored count),
 * else the reads counted per day from the UTC day of since (Unix seconds)
 * on, which article.hits then holds. Articles never read are left out.
 */
int store_articles_most_read(struct store *s, struct arena *a, int64_t since,
                             int limit, int offset, struct article **out,
                             size_t *n, int64_t *total) WUR;
/*
 * store_hits_prune deletes the per-day read counts of days before the UTC
 * day of before (Unix seconds); the totals in articles.hits stay.
 * *deleted (may be NULL) gets the number of rows removed.
 */
int store_hits_prune(struct store *s, int64_t before, int64_t *deleted) WUR;

/*
 * Backup and restore (backup.c). Both take paths, not an open store, and
 * put a file in place only when it is complete, verified (PRAGMA
 * integrity_check, application_id, a known schema version) and synced:
 * they write "<target>.tmp", fsync it, then rename it over the target.
 * Errors carry a message (store_last_error): ERR_NOT_FOUND (no such
 * file), ERR_EXISTS (dest exists and !force), ERR_INVALID (not a Quire
 * database, damaged, newer schema, or the database itself), ERR_BUSY
 * (restore: a quire process has db open; backup: a restore is running),
 * ERR_IO (a file operation failed or the disk is full), ERR_DB.
 */
struct backup_stats {
    int64_t pages; /* pages copied */
    int64_t bytes; /* size of the file put in place */
    int steps;     /* chunks copied (sqlite3_backup_step calls) */
    int schema;    /* its schema version (PRAGMA user_version) */
};
/* store_backup copies the live database db to dest, online. */
int store_backup(const char *db, const char *dest, bool force,
                 struct backup_stats *st) WUR;
/* store_restore replaces db with the backup src (refused while in use). */
int store_restore(const char *db, const char *src, struct backup_stats *st) WUR;

/* --- feeds and the sitemap (article_fill.c, scopes.c, public_pages.c) --- */

enum { STORE_FILL_MAX = 1000 }; /* most articles store_articles_fill takes */
/*
 * store_articles_fill loads body_html and tags (in order) for each of the
 * n articles of v (from store_articles_list), in two queries whatever n.
 * An article deleted meanwhile keeps body_html NULL and no tags.
 * ERR_INVALID if n > STORE_FILL_MAX.
 */
int store_articles_fill(struct store *s, struct arena *a, struct article *v,
                        size_t n) WUR;

/* A section, author or tag that a list is narrowed to. */
struct list_scope {
    enum list_kind kind; /* LIST_SECTION, LIST_AUTHOR or LIST_TAG */
    int64_t id;
    const char *slug;
    const char *name;
};
/*
 * store_scope_by_slug finds the section, author or tag (by kind) with that
 * slug. ERR_NOT_FOUND if none; ERR_INVALID for another kind.
 */
int store_scope_by_slug(struct store *s, struct arena *a, enum list_kind kind,
                        struct str slug, struct list_scope *out) WUR;

/* The kinds of public page, in the order the sitemap lists them. */
enum public_kind {
    PUBLIC_HOME,    /* key NULL */
    PUBLIC_ISSUES,  /* the index of issues; key NULL */
    PUBLIC_AUTHORS, /* key NULL */
    PUBLIC_TAGS,    /* key NULL */
    PUBLIC_ARCHIVE, /* key NULL */
    PUBLIC_SECTION, /* key: slug */
    PUBLIC_ISSUE,   /* key: YYYY-MM-DD (issues with published articles) */
    PUBLIC_AUTHOR,  /* key: slug (authors of published articles) */
    PUBLIC_TAG,     /* key: slug (tags of published articles) */
    PUBLIC_YEAR,    /* key: YYYY (years with published articles) */
    PUBLIC_ARTICLE, /* key: slug (published articles) */
};
struct public_page {
    enum public_kind kind;
    const char *key;
    int64_t lastmod; /* Unix seconds; 0: nothing published there yet */
};
struct public_part {
    int64_t lastmod; /* newest lastmod of its pages; 0: not given */
};
/*
 * The public pages cut into sitemap parts of at most per_part pages each
 * (public_pages.c says how: by windows of ids, two index seeks per window,
 * so neither call reads pages it does not return). store_public_parts
 * describes every part (at least one: the home page always exists);
 * store_public_part lists the pages of part number part (from 1), in the
 * order of enum public_kind and then by id (years by year); none (*n 0)
 * past the last. A part's lastmod is given only where one lookup tells
 * it. Results come from a. ERR_INVALID for a size or number below 1.
 */
int store_public_parts(struct store *s, struct arena *a, int64_t per_part,
                       struct public_part **out, size_t *n) WUR;
int store_public_part(struct store *s, struct arena *a, int64_t per_part,
                      int64_t part, struct public_page **out, size_t *n) WUR;

/*
 * Deleting (articles.c): store_article_delete removes the article with
 * this slug, its byline, tags, read counts and search index row, in one
 * transaction. ERR_NOT_FOUND if there is none.
 */
int store_article_delete(struct store *s, struct str slug) WUR;

/*
 * Full-text search (search.c) over published articles' titles, intros,
 * bodies and bylines (FTS5, porter stemming, unicode61 with diacritics
 * folded). Ranked by bm25, the title weighing most, then the intro, the
 * byline and the body, when few enough match (else newest first). The
 * index follows every store_article_save and store_article_delete in the
 * same transaction.
 */
#define STORE_MARK_OPEN "\x01"  /* snippet: a matched word starts */
#define STORE_MARK_CLOSE "\x02" /* snippet: it ends */
enum { STORE_FACETS_MAX = 20 }; /* most frequent sections and authors */
/*
 * A search's cost is bounded (search.c): it reads at most
 * STORE_SEARCH_COUNT_MAX matches (more make the total a lower bound, and
 * the facets count those read), and ranks by relevance only when its
 * matches times its terms are at most STORE_SEARCH_RANK_MAX (else newest
 * first).
 */
enum { STORE_SEARCH_COUNT_MAX = 10000, STORE_SEARCH_RANK_MAX = 2000 };

struct search_query {
    const char *match;   /* an FTS5 expression from query_to_fts; not "" */
    const char *section; /* only this section (slug), or NULL */
    const char *author;  /* only articles with this author (slug), or NULL */
    int year;            /* only this UTC year, or 0 */
    const char *country; /* only articles about it (iso2 code), or NULL */
    int limit, offset;   /* the page */
};
struct search_hit {
    struct article article; /* without bodies or tags; with the byline */
    /* Text around the best match, raw (not HTML-escaped), matched words
     * between STORE_MARK_OPEN and STORE_MARK_CLOSE. */
    const char *snippet;
};
struct facet {
    const char *key;  /* section or author slug, or the year "2004" */
    const char *name; /* what to show */
    int64_t count;    /* matching articles */
};
struct search_result {
    struct search_hit *hits; /* the page, best first */
    size_t n;
    int64_t total; /* every match, or STORE_SEARCH_COUNT_MAX if capped */
    bool capped;   /* more matched than STORE_SEARCH_COUNT_MAX */
    bool by_date;  /* too many to rank: newest first, not best first */
    bool xapian;   /* answered by the Xapian index, not FTS5 */
    /* Counts per value for the same query and filters, most first (years:
     * newest first). Articles without a section are not in sections. */
    struct facet *sections, *authors, *years;
    size_t n_sections, n_authors, n_years;
    struct facet *countries; /* key: iso2 code; name: the code too */
    size_t n_countries;
};
/* store_search runs q in one read snapshot; everything comes from a. */
int store_search(struct store *s, struct arena *a, const struct search_query *q,
                 struct search_result *out) WUR;

/*
 * The Xapian index (search_index.c, docs/internals/search.md). FTS5 above
 * answers every search unless a Xapian index beside the database
 * ("<path>.xapian") is exact for the search's snapshot: built from this
 * database, and no article changed since the change-log seq it reached.
 * Xapian ranks the best of millions without scoring every match. One
 * thread of the server keeps the index: it builds it in batches (a restart
 * resumes), then follows the change log; searches never wait for it.
 *   fts5   - no Xapian index (the default in a store; CLI commands)
 *   xapian - keep one
 *   auto   - keep one from STORE_XAPIAN_AUTO_MIN published articles, where
 *            FTS5's AND of common words grows past a few tens of ms
 */
enum store_search_engine {
    STORE_SEARCH_FTS5,
    STORE_SEARCH_AUTO,
    STORE_SEARCH_XAPIAN
};
enum { STORE_XAPIAN_AUTO_MIN = 50000 };
/* store_search_engine parses "fts5", "auto" or "xapian"; -1 otherwise. */
int store_search_engine_parse(const char *name);
void store_search_engine_set(struct store *s, enum store_search_engine e);
/*
 * store_search_index_step does one slice of the index's work, a batch of a
 * build or of the change log, each in its own read snapshot; *more when
 * there is more to do now. One thread calls it; ERR_BUSY when another
 * process writes the index (searches still read it).
 */
int store_search_index_step(struct store *s, bool *more) WUR;
struct search_index_state {
    bool kept;         /* an index is wanted (engine, and size for auto) */
    bool building;     /* a build is under way */
    bool exact;        /* searches use it: exact for the newest snapshot */
    int64_t documents; /* articles in it */
    int64_t seq;       /* the change-log seq it reached (-1: none yet) */
};
int store_search_index_state(struct store *s,
                             struct search_index_state *out) WUR;

/*
 * Old URLs of an imported archive (redirects.c). A redirect maps an old
 * path (with "?query" when the query matters) to a target (a path or an
 * absolute URL); origin says who made it ("manual", "csv", "k2", "wp").
 * A legacy id maps "<system>/<kind>/<old id>" ("k2/item/11223") to the row
 * an import made of it; store_legacy_path turns it into that row's path
 * ("/articles/<slug>") at the time of asking. ERR_NOT_FOUND when absent.
 */
struct redirect {
    const char *path;
    const char *target;
    const char *origin;
};
struct legacy_id {
    const char *key;
    const char *target_kind; /* "article", "section", "tag", "author" */
    int64_t target_id;
    const char *path; /* the target's path now; NULL if it is gone */
};
/* store_redirect_set adds or replaces the redirect from path. */
int store_redirect_set(struct store *s, const char *path, const char *target,
                       const char *origin) WUR;
int store_redirect_remove(struct store *s, const char *path) WUR;
int store_redirects_list(struct store *s, struct arena *a,
                         struct redirect **out, size_t *n) WUR;
int store_redirect_get(struct store *s, struct arena *a, struct str path,
                       const char **target) WUR;
int store_legacy_set(struct store *s, const char *key, const char *target_kind,
                     int64_t target_id) WUR;
/* store_legacy_id: the id of key's row if it is a target_kind. */
int store_legacy_id(struct store *s, const char *key, const char *target_kind,
                    int64_t *target_id) WUR;
int store_legacy_path(struct store *s, struct arena *a, struct str key,
                      const char **path) WUR;
int store_legacy_list(struct store *s, struct arena *a, struct legacy_id **out,
                      size_t *n) WUR;
/* store_article_set_extra keeps an imported article's language and
 * meta description (NULL: none). */
int store_article_set_extra(struct store *s, int64_t id, const char *language,
                            const char *meta_description) WUR;
/* store_author_set_bio sets the bio (Markdown) of the author named name. */
int store_author_set_bio(struct store *s, const char *name,
                         const char *bio) WUR;

/*
 * store_section_import creates the section name (slug from slug_base when
 * given, made unique) or updates its position and description (imports.c).
 */
int store_section_import(struct store *s, const char *name,
                         const char *slug_base, int position,
                         const char *description, int64_t *id) WUR;
/* store_legacy_set_named records key -> the tag or section ("tag",
 * "section") named name; nothing if there is none. */
int store_legacy_set_named(struct store *s, const char *key,
                           const char *target_kind, const char *name) WUR;

/*
 * The whole journal, table by table (dump.c), for the JSON export and
 * import. store_dump calls fn once per table with v == NULL (the table
 * starts), then once per row with its n values (cols names them), all in
 * one read snapshot; a non-zero return stops it and is returned. Texts in
 * v are valid only during the call.
 */
enum dump_type { DUMP_NULL, DUMP_INT, DUMP_TEXT };
struct dump_value {
    enum dump_type type;
    int64_t i;
    const char *s;
    size_t len;
};
typedef int (*store_dump_fn)(void *ctx, const char *table,
                             const char *const *cols, size_t n,
                             const struct dump_value *v);
int store_dump(struct store *s, store_dump_fn fn, void *ctx) WUR;
/*
 * A load into an empty journal (ERR_EXISTS otherwise), in one
 * transaction: store_load_table names the table the next rows go to
 * (ERR_INVALID if unknown), store_load_row inserts one row given as
 * column names and values (ERR_INVALID for an unknown column, a store
 * error for a constraint), store_load_end rebuilds the search index and
 * commits (commit true) or rolls everything back, and frees l.
 */
struct store_load;
int store_load_begin(struct store *s, struct store_load **l) WUR;
int store_load_table(struct store_load *l, const char *table) WUR;
int store_load_row(struct store_load *l, const char *const *names,
                   const struct dump_value *v, size_t n) WUR;
int store_load_end(struct store_load *l, bool commit) WUR;
/* --- places.c: countries and organizations of articles ------------ */

struct article_place {
    bool is_org;
    const char *code; /* iso2 (kz) or an organization's slug (sco) */
    const char *name; /* from the gazetteer */
    double score;     /* the tagger's; 0 for an editor's addition */
    bool hand;        /* an editor added it */
};

/* store_article_places lists article id's countries, then organizations,
 * best first; the array comes from a (NULL, 0 when none). */
int store_article_places(struct store *s, struct arena *a, int64_t id,
                         struct article_place **out, size_t *n) WUR;

/*
 * store_places_decide records an editor's decision for the article with
 * this slug: keep (add) or not (remove) the country or organization code,
 * and retags it. ERR_INVALID for a code the gazetteer lacks, ERR_NOT_FOUND
 * for no such article.
 */
int store_places_decide(struct store *s, const char *slug, bool is_org,
                        const char *code, bool keep) WUR;

/* A count by key: a country code, a year, an author's slug (and name). */
struct place_count {
    const char *key;
    const char *name; /* authors only */
    int64_t n;
};
/* store_places_index counts the published articles of every country (or
 * organization) that has one, by code. */
int store_places_index(struct store *s, struct arena *a, bool is_org,
                       struct place_count **out, size_t *n) WUR;
/* What a country's page shows beside its articles (published only). */
struct place_stats {
    struct place_count *years; /* "2019", oldest first */
    size_t n_years;
    struct place_count *authors; /* the ten who write most on it */
    size_t n_authors;
    struct place_count *with; /* the ten countries most tagged with it */
    size_t n_with;
};
int store_place_stats(struct store *s, struct arena *a, bool is_org,
                      const char *code, struct place_stats *out) WUR;
/* store_place_articles lists a page of the country's (organization's)
 * published articles, newest first, as store_articles_list does. */
int store_place_articles(struct store *s, struct arena *a, bool is_org,
                         const char *code, int limit, int offset,
                         struct article **out, size_t *n, int64_t *total) WUR;

/* /relations: which articles count (published in [from, until), Unix
 * seconds; section: a section's slug or NULL for all). */
struct relations_query {
    int64_t from, until;
    const char *section;
    int max_nodes, max_pairs;
};
struct relations {
    struct place_count *nodes; /* key: country code; n: articles */
    size_t n_nodes;
    struct place_count *pairs; /* key, name: the two codes (key < name) */
    size_t n_pairs;            /* n: articles tagged with both */
};
int store_relations(struct store *s, struct arena *a,
                    const struct relations_query *rq,
                    struct relations *out) WUR;
/* store_pair_articles lists the published articles tagged with both
 * countries x and y, newest first. */
int store_pair_articles(struct store *s, struct arena *a, const char *x,
                        const char *y, int limit, int offset,
                        struct article **out, size_t *n, int64_t *total) WUR;

/* store_place_key is the number article_places.key holds for a code. */
int64_t store_place_key(bool is_org, const char *code);

typedef void (*store_progress_fn)(void *arg, int64_t done, int64_t total);
/*
 * store_places_retag tags again every article (all) or those tagged by
 * another gazetteer, 500 per transaction, calling progress after each;
 * *done receives how many were tagged.
 */
int store_places_retag(struct store *s, bool all, store_progress_fn progress,
                       void *arg, int64_t *done) WUR;
/* store_lib_version: the SQLite library in use, for quire --version. */
const char *store_lib_version(void);

/* store_busy_retries: waits for a database lock, process-wide. */
uint64_t store_busy_retries(void);
/* store_file_sizes: bytes of the database file and of its WAL. */
int store_file_sizes(struct store *s, int64_t *db, int64_t *wal) WUR;

/* store_health: is the database file there, a database, and does it
 * answer a read? 0, or ERR_IO / ERR_DB. */
int store_health(struct store *s, struct arena *a) WUR;

/* The content API's article filters (api.c); 0 leaves a filter out. */
struct api_filter {
    int64_t section_id, issue_id, author_id, tag_id;
    int64_t since; /* published_at >= since (Unix seconds) */
    int64_t now;   /* published_at <= now: scheduled articles stay out */
};
/* store_api_articles: a page of published articles matching f, newest
 * first, with bylines (no bodies, no tags); *total counts all matches. */
int store_api_articles(struct store *s, struct arena *a,
                       const struct api_filter *f, int limit, int offset,
                       struct article **out, size_t *n, int64_t *total) WUR;

/* Webhooks (webhooks.c; schema V_WEBHOOKS). */
struct webhook {
    int64_t id;
    const char *url;
    const char *events; /* comma-separated */
    bool has_secret;
    int64_t pending, delivered, failed; /* deliveries by state */
};
struct webhook_delivery {
    int64_t id;
    const char *uuid; /* X-Quire-Delivery */
    const char *event;
    const char *payload; /* the JSON body */
    const char *url;
    const char *secret; /* NULL: unsigned */
    int attempts;
    int64_t created_at;
};
struct webhook_attempt {
    int64_t delivery_id;
    int64_t at;
    int status;           /* HTTP status; 0: none came */
    const char *response; /* the start of the body, or NULL */
    const char *error;    /* why no status came, or NULL */
    const char *state;    /* the delivery's state now: pending, delivered,
                             failed */
    int64_t next_at;      /* when pending: the next try */
};
struct webhook_log {
    int64_t delivery_id;
    const char *uuid, *event, *state;
    int attempts;
    int64_t at;
    int status;
    const char *response;
};
int store_webhook_add(struct store *s, const char *url, const char *events,
                      const char *secret, int64_t *id) WUR;
int store_webhook_remove(struct store *s, int64_t id) WUR; /* ERR_NOT_FOUND */
int store_webhooks_list(struct store *s, struct arena *a, struct webhook **out,
                        size_t *n) WUR;
/* store_webhook_due: up to max pending deliveries due at now, oldest first. */
int store_webhook_due(struct store *s, struct arena *a, int64_t now, int max,
                      struct webhook_delivery **out, size_t *n) WUR;
/* store_webhook_attempt logs one attempt and moves its delivery on. */
int store_webhook_attempt(struct store *s,
                          const struct webhook_attempt *at) WUR;
/* store_webhook_log: the latest attempts (of one webhook, or all: 0). */
int store_webhook_log(struct store *s, struct arena *a, int64_t webhook_id,
                      int max, struct webhook_log **out, size_t *n) WUR;
/* --- the newsletter (newsletter.c) ----------------------------------- */

enum sub_state { SUB_PENDING = 0, SUB_CONFIRMED = 1, SUB_UNSUBSCRIBED = 2 };
enum outbox_state {
    OUTBOX_QUEUED = 0,
    OUTBOX_SENT = 1,
    OUTBOX_FAILED = 2,
    OUTBOX_SKIPPED = 3,
    OUTBOX_NSTATES
};
enum outbox_kind { OUTBOX_CONFIRM = 0, OUTBOX_CAMPAIGN = 1, OUTBOX_TEST = 2 };
/* store_queue_depths (queues.c): the mail outbox's rows by enum
 * outbox_state, the webhook deliveries' by pending, delivered, failed. */
struct queue_depths {
    int64_t mail[OUTBOX_NSTATES];
    int64_t hooks[3];
};
int store_queue_depths(struct store *s, struct queue_depths *out) WUR;

struct subscriber {
    int64_t id;
    const char *email;
    int state;                        /* enum sub_state */
    int64_t created_at, confirmed_at; /* unix seconds; 0: never */
};

struct campaign {
    int64_t id;
    const char *issue_date; /* YYYY-MM-DD or NULL */
    const char *subject;
    const char *text_body, *html_body; /* rendered, with the unsubscribe
                                          marker where each link goes */
    int64_t created_at;
};

struct campaign_status {
    int64_t id;
    const char *issue_date, *subject;
    int64_t created_at;
    int64_t queued, sent, retrying, failed, skipped;
};

struct outbox_row {
    int64_t id, campaign_id, subscriber_id; /* 0: none */
    int kind;                               /* enum outbox_kind */
    const char *rcpt, *message_id;
    int sub_state; /* the subscriber's state now; -1: removed */
    int64_t attempts, created_at;
};

struct outbox_failure {
    const char *rcpt, *error;
};

/* store_newsletter_secret reads the 32-byte key that signs the tokens. */
int store_newsletter_secret(struct store *s, unsigned char out[32]) WUR;
/*
 * store_subscriber_signup records a sign-up and, in the same transaction,
 * queues a confirmation (Message-ID "<random@domain>") unless one went to
 * the address lately (5 min for pending, 1 hour for confirmed). An
 * unsubscribed address becomes pending again. *queued tells the outcome.
 */
int store_subscriber_signup(struct store *s, const char *email,
                            const char *domain, int64_t now, bool *queued) WUR;
/* store_subscriber_set_state confirms or unsubscribes (idempotent);
 * ERR_NOT_FOUND if there is no such subscriber. */
int store_subscriber_set_state(struct store *s, int64_t id, int state,
                               int64_t now) WUR;
/* store_subscriber_import adds an address (pending, or confirmed);
 * ERR_EXISTS if it is already on the list. */
int store_subscriber_import(struct store *s, const char *email, bool confirmed,
                            int64_t now) WUR;
/* store_subscriber_remove deletes an address; ERR_NOT_FOUND if absent. */
int store_subscriber_remove(struct store *s, const char *email) WUR;
int store_subscriber_get(struct store *s, struct arena *a, int64_t id,
                         struct subscriber *out) WUR;
/* store_subscribers_list: every subscriber (state -1) or those in state. */
int store_subscribers_list(struct store *s, struct arena *a, int state,
                           struct subscriber **out, size_t *n) WUR;
/* store_subscribers_search: up to limit subscribers in state (-1: any)
 * whose address contains q (NULL or "": all), oldest first. */
int store_subscribers_search(struct store *s, struct arena *a, int state,
                             const char *q, int limit, struct subscriber **out,
                             size_t *n) WUR;
/* store_subscriber_counts: counts[state] for the three states. */
int store_subscriber_counts(struct store *s, int64_t counts[3]) WUR;
/* store_campaign_queue stores c and one outbox row per confirmed
 * subscriber, in one transaction: *id the campaign, *queued the rows. */
int store_campaign_queue(struct store *s, const struct campaign *c,
                         const char *domain, int64_t now, int64_t *id,
                         int64_t *queued) WUR;
/* store_campaign_queue_to queues c to test_rcpt alone (an editor's test
 * send, left out of store_campaigns_status), or as store_campaign_queue
 * when test_rcpt is NULL. */
int store_campaign_queue_to(struct store *s, const struct campaign *c,
                            const char *domain, const char *test_rcpt,
                            int64_t now, int64_t *id, int64_t *queued) WUR;
int store_campaign_get(struct store *s, struct arena *a, int64_t id,
                       struct campaign *out) WUR;
/* store_campaigns_status: every campaign with its rows counted by state
 * (queued = never tried, retrying = tried and queued again). */
int store_campaigns_status(struct store *s, struct arena *a,
                           struct campaign_status **out, size_t *n) WUR;
/* store_campaign_failures: the failed rows of a campaign with the reply. */
int store_campaign_failures(struct store *s, struct arena *a, int64_t id,
                            struct outbox_failure **out, size_t *n) WUR;
/* store_outbox_due: up to limit queued rows due at now whose id % nworkers
 * is worker (so parallel senders never take the same row). */
int store_outbox_due(struct store *s, struct arena *a, int64_t now,
                     int nworkers, int worker, int limit,
                     struct outbox_row **out, size_t *n) WUR;
/* store_outbox_mark records a row's outcome (state, attempts, the next
 * try's time, the server's reply or NULL). */
int store_outbox_mark(struct store *s, int64_t id, int state, int64_t attempts,
                      int64_t next_at, const char *error, int64_t now) WUR;

#endif
