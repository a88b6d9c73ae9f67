/*
 * schema.c - the database schema and its migrations.
 *
 * PRAGMA user_version is the number of migrations applied; migrations[i]
 * takes the schema from version i to i+1. Pending ones run in one
 * IMMEDIATE transaction, re-reading the version inside it so two processes
 * opening a new file at once do not both migrate. PRAGMA application_id
 * marks the file as Quire's, so an unrelated SQLite file is refused rather
 * than filled with our tables. A file whose version is newer than this
 * program knows is refused too: an old binary must not write a new schema.
 *
 * The join tables are rowid tables on purpose: with foreign keys on,
 * "DELETE FROM article_tags WHERE article_id = ?" on a WITHOUT ROWID table
 * opens an ephemeral table (a fresh page cache) per call, which made an
 * import 2-3x slower.
 *
 * To change the schema, append a migration; never edit a published one.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/log.h"

#include <stdio.h>

/* The schema's SQL is laid out by hand, as SQL. */
// clang-format off
static const char V1[] =
    "CREATE TABLE settings("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"

    "CREATE TABLE sections("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL UNIQUE,"
    "  position INTEGER NOT NULL DEFAULT 0"
    ");"

    "CREATE TABLE issues("
    "  id INTEGER PRIMARY KEY,"
    "  date TEXT NOT NULL UNIQUE CHECK (date GLOB"
    "    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),"
    "  title TEXT"
    ");"

    "CREATE TABLE authors("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL UNIQUE,"
    "  bio TEXT"
    ");"

    "CREATE TABLE articles("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  source TEXT UNIQUE,"
    "  title TEXT NOT NULL,"
    "  summary TEXT,"
    "  body_md TEXT,"
    "  body_html TEXT,"
    "  status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1)),"
    "  published_at INTEGER NOT NULL DEFAULT 0,"
    "  updated_at INTEGER NOT NULL DEFAULT 0,"
    "  section_id INTEGER REFERENCES sections(id) ON DELETE SET NULL,"
    "  issue_id INTEGER REFERENCES issues(id) ON DELETE SET NULL,"
    "  hits INTEGER NOT NULL DEFAULT 0"
    ");"
    /* Scanned backwards for "newest first": published_at DESC, id DESC. */
    "CREATE INDEX articles_status_published"
    "  ON articles(status, published_at);"
    /* status in the middle: section pages filter on it and count with it. */
    "CREATE INDEX articles_section"
    "  ON articles(section_id, status, published_at);"
    "CREATE INDEX articles_issue ON articles(issue_id);"

    "CREATE TABLE article_authors("
    "  article_id INTEGER NOT NULL"
    "    REFERENCES articles(id) ON DELETE CASCADE,"
    "  author_id INTEGER NOT NULL"
    "    REFERENCES authors(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  PRIMARY KEY (article_id, author_id)"
    ");"
    "CREATE INDEX article_authors_author ON article_authors(author_id);"

    "CREATE TABLE tags("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL UNIQUE"
    ");"

    "CREATE TABLE article_tags("
    "  article_id INTEGER NOT NULL"
    "    REFERENCES articles(id) ON DELETE CASCADE,"
    "  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (article_id, tag_id)"
    ");"
    "CREATE INDEX article_tags_tag ON article_tags(tag_id);"

    "CREATE TABLE links("
    "  id INTEGER PRIMARY KEY,"
    "  title TEXT NOT NULL,"
    "  url TEXT NOT NULL,"
    "  position INTEGER NOT NULL DEFAULT 0"
    ");"

    "CREATE TABLE publications("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  date TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  url TEXT"
    ");"
    "CREATE INDEX publications_date ON publications(date);"

    "CREATE TABLE subscribers("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  created_at INTEGER NOT NULL"
    ");"

    /* Reads per article per UTC day, for "most read this week". */
    "CREATE TABLE hits_daily("
    "  article_id INTEGER NOT NULL"
    "    REFERENCES articles(id) ON DELETE CASCADE,"
    "  day TEXT NOT NULL,"
    "  count INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (article_id, day)"
    ") WITHOUT ROWID;";

/*
 * Version 2: the change log the server's page cache follows. Triggers name
 * what each write touched ("article:12", "section:3", "year:2004", "list"
 * for journal-wide lists, "site" for what every page shows), appended in
 * order (the rowid is the sequence number; appending is the cheapest write
 * SQLite has, which keeps an import of 15,000 articles fast). The server
 * prunes what it has read, always keeping the newest row so that rowids
 * never go back. Triggers catch every writer: the server, the CLI, an
 * importer. Read counts (articles.hits) are not content and are left out.
 */
#define CHANGE(name)                                                         \
    "INSERT INTO changes(name) SELECT " name " WHERE (" name ") IS NOT NULL;"
#define ARTICLE_CHANGES(r)                                                   \
    CHANGE("'article:' || " r ".id")                                         \
    CHANGE("'section:' || " r ".section_id")                                 \
    CHANGE("'issue:' || " r ".issue_id")                                     \
    CHANGE("'year:' || strftime('%Y', " r ".published_at, 'unixepoch')")     \
    CHANGE("'list'")
#define SITE_TRIGGERS(table)                                                 \
    "CREATE TRIGGER " table "_ins AFTER INSERT ON " table                    \
    " BEGIN " CHANGE("'site'") " END;"                                       \
    "CREATE TRIGGER " table "_upd AFTER UPDATE ON " table                    \
    " BEGIN " CHANGE("'site'") " END;"                                       \
    "CREATE TRIGGER " table "_del AFTER DELETE ON " table                    \
    " BEGIN " CHANGE("'site'") " END;"
#define CONTENT_COLS                                                         \
    "slug, title, summary, body_html, status, published_at, section_id,"     \
    " issue_id"

static const char V2[] =
    "CREATE TABLE changes("
    "  seq INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL"
    ");"

    "CREATE TRIGGER articles_ins AFTER INSERT ON articles"
    " BEGIN " ARTICLE_CHANGES("new") " END;"
    "CREATE TRIGGER articles_upd AFTER UPDATE OF " CONTENT_COLS " ON articles"
    " BEGIN " ARTICLE_CHANGES("old") ARTICLE_CHANGES("new") " END;"
    "CREATE TRIGGER articles_del AFTER DELETE ON articles"
    " BEGIN " ARTICLE_CHANGES("old") " END;"
    "CREATE TRIGGER article_authors_ins AFTER INSERT ON article_authors"
    " BEGIN " CHANGE("'author:' || new.author_id") " END;"
    "CREATE TRIGGER article_authors_del AFTER DELETE ON article_authors"
    " BEGIN " CHANGE("'author:' || old.author_id") " END;"
    "CREATE TRIGGER article_tags_ins AFTER INSERT ON article_tags"
    " BEGIN " CHANGE("'tag:' || new.tag_id") " END;"
    "CREATE TRIGGER article_tags_del AFTER DELETE ON article_tags"
    " BEGIN " CHANGE("'tag:' || old.tag_id") " END;"
    /* Names and titles shown on many pages: everything goes. */
    "CREATE TRIGGER authors_upd AFTER UPDATE ON authors"
    " BEGIN " CHANGE("'site'") " END;"
    "CREATE TRIGGER issues_upd AFTER UPDATE ON issues"
    " BEGIN " CHANGE("'site'") " END;"
    SITE_TRIGGERS("sections")
    SITE_TRIGGERS("settings")
    SITE_TRIGGERS("links")
    SITE_TRIGGERS("publications");

/*
 * Version 3: indexes the list pages need (measured on the 15,055-article
 * Reuters corpus): an issue's contents and counts (24 ms -> 0.7 ms), most
 * read all time (47 ms -> 0.05 ms), and the 30-day sum and the daily
 * prune, which read only the days they need.
 */
static const char V3[] =
    "DROP INDEX articles_issue;"
    "CREATE INDEX articles_issue ON articles(issue_id, status, published_at);"
    "CREATE INDEX articles_status_hits ON articles(status, hits);"
    "CREATE INDEX hits_daily_day ON hits_daily(day, count);";

/*
 * Version 4: full-text search (search.c). articles_fts holds its own copy
 * of each published article's title, intro, Markdown body and byline
 * (rowid = article id): a regular FTS5 table rather than external content,
 * because the byline lives in other tables and an external-content delete
 * must repeat the old values exactly; the copy costs disk, not time, and
 * lets snippet() read the text. store_article_save rewrites an article's
 * row in its own transaction; the trigger catches deletes by any writer.
 * Existing published articles are indexed here.
 */
static const char V4[] =
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, intro, body,"
    " authors, tokenize = 'porter unicode61 remove_diacritics 2');"
    "INSERT INTO articles_fts(rowid, title, intro, body, authors) "
    SDB_FTS_ROW "WHERE a.status = 1;"
    "CREATE TRIGGER articles_del_fts AFTER DELETE ON articles"
    " BEGIN DELETE FROM articles_fts WHERE rowid = old.id; END;";

/*
 * Version 5: related articles count shared tags over a tag's articles; with
 * the article id in the index that is an index-only scan (an article
 * tagged "earn", shared with 3,198 others, rendered in 10-30 ms before).
 */
static const char V5[] =
    "DROP INDEX article_tags_tag;"
    "CREATE INDEX article_tags_tag ON article_tags(tag_id, article_id);";

/*
 * Version 6: every list page reads its page in index order, index only
 * (measured on the Reuters corpus, docs/benchmarks.md).
 * - article_tags and article_authors carry a copy of their article's
 *   status and published_at, kept by triggers whoever writes, so a tag's or
 *   an author's newest published articles are one index range: the tag
 *   "earn" (3,198 articles) read every article row and sorted them on each
 *   page. The new author index leads with author_id, so it replaces the old.
 * - An issue's table of contents walks the sections in the journal's order
 *   (sections_order; name is unique, so the pair is too) and, within each,
 *   the issue's articles by date (articles_issue_section); it sorted the
 *   whole issue (4,927 articles) for each page of 50.
 * - The indexes of tags and authors by name, as the pages list them.
 */
static const char V6[] =
    "ALTER TABLE article_tags ADD COLUMN status INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE article_tags"
    "  ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE article_authors"
    "  ADD COLUMN status INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE article_authors"
    "  ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;"
    "UPDATE article_tags SET (status, published_at) ="
    "  (SELECT status, published_at FROM articles WHERE id = article_id);"
    "UPDATE article_authors SET (status, published_at) ="
    "  (SELECT status, published_at FROM articles WHERE id = article_id);"
    "CREATE INDEX article_tags_published"
    "  ON article_tags(tag_id, status, published_at, article_id);"
    "DROP INDEX article_authors_author;"
    "CREATE INDEX article_authors_published"
    "  ON article_authors(author_id, status, published_at, article_id);"
    "CREATE TRIGGER article_tags_pub AFTER INSERT ON article_tags BEGIN"
    "  UPDATE article_tags SET (status, published_at) ="
    "  (SELECT status, published_at FROM articles WHERE id = new.article_id)"
    "  WHERE rowid = new.rowid; END;"
    "CREATE TRIGGER article_authors_pub AFTER INSERT ON article_authors BEGIN"
    "  UPDATE article_authors SET (status, published_at) ="
    "  (SELECT status, published_at FROM articles WHERE id = new.article_id)"
    "  WHERE rowid = new.rowid; END;"
    "CREATE TRIGGER articles_pub AFTER UPDATE OF status, published_at"
    " ON articles WHEN old.status IS NOT new.status"
    " OR old.published_at IS NOT new.published_at BEGIN"
    "  UPDATE article_tags SET status = new.status,"
    "  published_at = new.published_at WHERE article_id = new.id;"
    "  UPDATE article_authors SET status = new.status,"
    "  published_at = new.published_at WHERE article_id = new.id; END;"
    "CREATE INDEX articles_issue_section"
    "  ON articles(issue_id, status, section_id, published_at);"
    "CREATE UNIQUE INDEX sections_order ON sections(position, name);"
    "CREATE INDEX tags_name ON tags(name COLLATE NOCASE);"
    "CREATE INDEX authors_name ON authors(name COLLATE NOCASE);";

/* The newsletter (issue 11): subscriber states (0 pending, 1 confirmed,
 * 2 unsubscribed; sign-ups made before double opt-in stay pending), the
 * token secret, campaigns and the durable outbox. An outbox row keeps its
 * Message-ID for life, so a resend after a crash is recognisably the same
 * message. Outbox states: 0 queued, 1 sent, 2 failed, 3 skipped. */
static const char V_NEWSLETTER[] =
    "ALTER TABLE subscribers ADD COLUMN state INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE subscribers ADD COLUMN confirmed_at INTEGER;"
    "ALTER TABLE subscribers ADD COLUMN unsubscribed_at INTEGER;"
    "ALTER TABLE subscribers ADD COLUMN confirm_sent_at INTEGER;"
    "CREATE INDEX subscribers_state ON subscribers(state);"
    "CREATE TABLE newsletter_secret("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  secret BLOB NOT NULL"
    ");"
    "INSERT INTO newsletter_secret(id, secret) VALUES (1, randomblob(32));"
    "CREATE TABLE campaigns("
    "  id INTEGER PRIMARY KEY,"
    "  issue_date TEXT,"
    "  subject TEXT NOT NULL,"
    "  text_body TEXT NOT NULL,"
    "  html_body TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  test INTEGER NOT NULL DEFAULT 0" /* a test send to one editor */
    ");"
    "CREATE TABLE outbox("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL," /* 0 confirmation, 1 campaign, 2 test */
    "  subscriber_id INTEGER REFERENCES subscribers(id) ON DELETE SET NULL,"
    "  rcpt TEXT NOT NULL,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  sent_at INTEGER,"
    "  last_error TEXT"
    ");"
    "CREATE INDEX outbox_due ON outbox(state, next_at);"
    "CREATE INDEX outbox_campaign ON outbox(campaign_id, state);";

/*
 * V_ACCOUNTS: the back office's people and their traces. Users log in with
 * an argon2id hash; sessions and API tokens are kept only as the hex of a
 * BLAKE2b hash of the secret, so a copy of the file opens no door. The
 * audit log is append-only by convention (no code deletes from it).
 * Independent of every other table, so it merges in any order; IF NOT
 * EXISTS because tests rewind user_version past it to replay older
 * migrations, and it must then run again as a no-op.
 */
static const char V_ACCOUNTS[] =
    "CREATE TABLE IF NOT EXISTS users("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author')),"
    "  pw_hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  totp_secret TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE IF NOT EXISTS sessions("
    "  id_hash TEXT PRIMARY KEY NOT NULL,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  csrf TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  seen_at INTEGER NOT NULL,"
    "  pending INTEGER NOT NULL DEFAULT 0"
    ") WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);"
    "CREATE TABLE IF NOT EXISTS api_tokens("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author')),"
    "  hash TEXT NOT NULL UNIQUE,"
    "  created_at INTEGER NOT NULL,"
    "  last_used_at INTEGER"
    ");"
    "CREATE TABLE IF NOT EXISTS recovery_codes("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  hash TEXT NOT NULL,"
    "  PRIMARY KEY (user_id, hash)"
    ") WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS audit_log("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  who TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  object TEXT NOT NULL DEFAULT ''"
    ");";

/*
 * V_EDITORIAL: the editors' side of articles. articles.status stays the
 * public flag (0 hidden, 1 shown): a scheduled article is hidden with
 * article_edit.scheduled = 1 until the server's ticker flips it at its
 * published_at, so no public query can show it early. Every save keeps a
 * revision (its fields as text); a slug change leaves the old slug
 * pointing at the article's id, so chains of renames all reach the
 * current slug in one lookup.
 */
static const char V_EDITORIAL[] =
    "CREATE TABLE IF NOT EXISTS article_edit("
    "  article_id INTEGER PRIMARY KEY REFERENCES articles(id)"
    "    ON DELETE CASCADE,"
    "  revision INTEGER NOT NULL DEFAULT 0,"
    "  scheduled INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  owner TEXT"
    ");"
    "CREATE INDEX IF NOT EXISTS article_edit_due ON article_edit(scheduled)"
    "  WHERE scheduled = 1;"
    "CREATE TABLE IF NOT EXISTS article_revisions("
    "  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  n INTEGER NOT NULL,"
    "  who TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  title TEXT NOT NULL, summary TEXT, body_md TEXT NOT NULL,"
    "  section TEXT, issue TEXT, authors TEXT NOT NULL, tags TEXT NOT NULL,"
    "  slug TEXT NOT NULL, status TEXT NOT NULL, publish_at INTEGER,"
    "  PRIMARY KEY (article_id, n)"
    ") WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS slug_history("
    "  old_slug TEXT PRIMARY KEY NOT NULL,"
    "  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE"
    ") WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS slug_history_article ON slug_history(article_id);"
    "DROP TRIGGER IF EXISTS articles_slug_hist;"
    "CREATE TRIGGER articles_slug_hist AFTER UPDATE OF slug ON articles"
    " WHEN old.slug IS NOT new.slug BEGIN"
    "  INSERT OR REPLACE INTO slug_history(old_slug, article_id)"
    "    VALUES (old.slug, new.id);"
    "  DELETE FROM slug_history WHERE old_slug = new.slug;"
    "END;"
    "DROP TRIGGER IF EXISTS articles_slug_new;"
    "CREATE TRIGGER articles_slug_new AFTER INSERT ON articles BEGIN"
    "  DELETE FROM slug_history WHERE old_slug = new.slug;"
    "END;"
    /* Drafts are on no public page: an editor saving a draft every few
     * seconds must not empty the readers' page cache. Only writes to an
     * article that is or was public feed the change log now. */
    "DROP TRIGGER IF EXISTS articles_ins;"
    "DROP TRIGGER IF EXISTS articles_upd;"
    "DROP TRIGGER IF EXISTS articles_del;"
    "DROP TRIGGER IF EXISTS article_authors_ins;"
    "DROP TRIGGER IF EXISTS article_authors_del;"
    "DROP TRIGGER IF EXISTS article_tags_ins;"
    "DROP TRIGGER IF EXISTS article_tags_del;"
    "CREATE TRIGGER articles_ins AFTER INSERT ON articles"
    " WHEN new.status = 1 BEGIN " ARTICLE_CHANGES("new") " END;"
    "CREATE TRIGGER articles_upd AFTER UPDATE OF " CONTENT_COLS " ON articles"
    " WHEN old.status = 1 OR new.status = 1"
    " BEGIN " ARTICLE_CHANGES("old") ARTICLE_CHANGES("new")
    /* going public or private: its byline's and tags' pages change */
    "  INSERT INTO changes(name) SELECT 'author:' || author_id"
    "  FROM article_authors WHERE article_id = new.id"
    "  AND old.status IS NOT new.status;"
    "  INSERT INTO changes(name) SELECT 'tag:' || tag_id"
    "  FROM article_tags WHERE article_id = new.id"
    "  AND old.status IS NOT new.status;"
    " END;"
    "CREATE TRIGGER articles_del AFTER DELETE ON articles"
    " WHEN old.status = 1 BEGIN " ARTICLE_CHANGES("old") " END;"
    /* before the byline goes with it (ON DELETE CASCADE) */
    "DROP TRIGGER IF EXISTS articles_del_byline;"
    "CREATE TRIGGER articles_del_byline BEFORE DELETE ON articles"
    " WHEN old.status = 1 BEGIN"
    "  INSERT INTO changes(name) SELECT 'author:' || author_id"
    "  FROM article_authors WHERE article_id = old.id;"
    "  INSERT INTO changes(name) SELECT 'tag:' || tag_id"
    "  FROM article_tags WHERE article_id = old.id;"
    " END;"
    "CREATE TRIGGER article_authors_ins AFTER INSERT ON article_authors"
    " WHEN EXISTS (SELECT 1 FROM articles WHERE id = new.article_id"
    "  AND status = 1)"
    " BEGIN " CHANGE("'author:' || new.author_id") " END;"
    "CREATE TRIGGER article_authors_del AFTER DELETE ON article_authors"
    " WHEN EXISTS (SELECT 1 FROM articles WHERE id = old.article_id"
    "  AND status = 1)"
    " BEGIN " CHANGE("'author:' || old.author_id") " END;"
    "CREATE TRIGGER article_tags_ins AFTER INSERT ON article_tags"
    " WHEN EXISTS (SELECT 1 FROM articles WHERE id = new.article_id"
    "  AND status = 1)"
    " BEGIN " CHANGE("'tag:' || new.tag_id") " END;"
    "CREATE TRIGGER article_tags_del AFTER DELETE ON article_tags"
    " WHEN EXISTS (SELECT 1 FROM articles WHERE id = old.article_id"
    "  AND status = 1)"
    " BEGIN " CHANGE("'tag:' || old.tag_id") " END;";


/*
 * V_IMPORT: where imported things lived before (issue 12).
 * - redirects: an old path (with its query, if it matters) -> a new
 *   target, added by hand (`quire redirect add`), from a CSV, or by an
 *   importer for URLs no pattern covers (a WordPress post's link). Only
 *   read on the 404 path, so it costs nothing for normal pages.
 * - legacy_ids: an imported item's id in the old system (K2 item,
 *   category, tag; WordPress post) -> the row it became. Redirects by
 *   pattern (content/legacy_url.c) resolve through it at request time, so
 *   a later slug change still lands on the right page.
 * - articles.language and articles.meta_description: K2's language and
 *   metadesc; sections.description: a K2 category's. Kept so nothing the
 *   old site had is lost.
 */
static const char V_IMPORT[] =
    "CREATE TABLE redirects("
    "  path TEXT PRIMARY KEY NOT NULL,"
    "  target TEXT NOT NULL,"
    "  origin TEXT NOT NULL DEFAULT 'manual'"
    ") WITHOUT ROWID;"
    /* key: "<system>/<kind>/<old id>", e.g. "k2/item/11223",
     * "k2/category-alias/earnings", "k2/tag/Oil", "wp/post/42". */
    "CREATE TABLE legacy_ids("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  target_kind TEXT NOT NULL CHECK (target_kind IN"
    "    ('article', 'section', 'tag', 'author')),"
    "  target_id INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "ALTER TABLE articles ADD COLUMN language TEXT;"
    "ALTER TABLE articles ADD COLUMN meta_description TEXT;"
    "ALTER TABLE sections ADD COLUMN description TEXT;";

/*
 * V_PLACES: the countries (kind 0, ISO 3166-1 alpha-2) and international
 * organizations (kind 1, a slug) each article is about, with the tagger's
 * score (src/content/places.c); hand = 1 marks an editor's addition. An
 * editor's decisions (keep 1 add, 0 remove) sit apart so that retagging
 * never loses them; places_tagged says which gazetteer tagged an article
 * (quire places retag redoes the others). The change log names
 * "country:<code>", "org:<slug>", the article and "places" (the indexes
 * and /relations).
 */
static const char V_PLACES[] =
    "CREATE TABLE article_places("
    "  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL CHECK (kind IN (0, 1)),"
    "  code TEXT NOT NULL,"
    "  score REAL NOT NULL,"
    "  hand INTEGER NOT NULL DEFAULT 0,"
    "  key INTEGER NOT NULL,"   /* hash of kind and code: one int to list by */
    "  PRIMARY KEY (article_id, kind, code)"
    ") WITHOUT ROWID;"
    "CREATE INDEX article_places_key ON article_places(key, article_id);"
    "CREATE TABLE place_decisions("
    "  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL CHECK (kind IN (0, 1)),"
    "  code TEXT NOT NULL,"
    "  keep INTEGER NOT NULL CHECK (keep IN (0, 1)),"
    "  PRIMARY KEY (article_id, kind, code)"
    ") WITHOUT ROWID;"
    "CREATE TABLE places_tagged("
    "  article_id INTEGER PRIMARY KEY"
    "    REFERENCES articles(id) ON DELETE CASCADE,"
    "  version TEXT NOT NULL"
    ");"
#define PLACE_CHANGES(r)                                                     \
    CHANGE("CASE " r ".kind WHEN 0 THEN 'country:' ELSE 'org:' END"          \
           " || " r ".code")                                                 \
    CHANGE("'article:' || " r ".article_id")                                 \
    CHANGE("'places'")
    "CREATE TRIGGER article_places_ins AFTER INSERT ON article_places"
    " BEGIN " PLACE_CHANGES("new") " END;"
    "CREATE TRIGGER article_places_del AFTER DELETE ON article_places"
    " BEGIN " PLACE_CHANGES("old") " END;"
    "CREATE TRIGGER article_places_upd AFTER UPDATE ON article_places"
    " BEGIN " PLACE_CHANGES("new") " END;";

/*
 * V_WEBHOOKS: webhooks, and their durable delivery queue filled by
 * triggers in the same transaction as the write that causes an event,
 * whoever makes it (back office, admin API, a CLI import while the server
 * runs); the server's webhook thread (hooks/) delivers from the queue and
 * writes each attempt to webhook_attempts. The secret is kept as given:
 * signing needs it (HMAC), so it cannot be hashed; `webhook list` never
 * shows it.
 */
#define WH_QUEUE(event, r)                                                   \
    "INSERT INTO webhook_deliveries(uuid, webhook_id, event, payload,"       \
    " created_at, next_at)"                                                  \
    " SELECT lower(hex(randomblob(16))), w.id, '" event "',"                 \
    " json_object('event', '" event "', 'created_at',"                       \
    "  strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'article', json_object("      \
    "  'id', " r ".id, 'slug', " r ".slug, 'title', " r ".title,"            \
    "  'published_at', strftime('%Y-%m-%dT%H:%M:%SZ', " r ".published_at,"   \
    "  'unixepoch'), 'issue', (SELECT date FROM issues WHERE id = "          \
    r ".issue_id))),"                                                        \
    " CAST(strftime('%s', 'now') AS INTEGER),"                               \
    " CAST(strftime('%s', 'now') AS INTEGER)"                                \
    " FROM webhooks w WHERE instr(',' || w.events || ',', ',"                \
    event ",') > 0;"
#define WH_CHANGED(c) "old." c " IS NOT new." c
#define WH_ISSUE_FIRST                                                       \
    "SELECT 1 FROM articles a WHERE a.issue_id = new.issue_id"               \
    " AND a.status = 1 AND a.id <> new.id"
#define WH_ISSUE_QUEUE                                                       \
    "INSERT INTO webhook_deliveries(uuid, webhook_id, event, payload,"       \
    " created_at, next_at)"                                                  \
    " SELECT lower(hex(randomblob(16))), w.id, 'issue.published',"           \
    " json_object('event', 'issue.published', 'created_at',"                 \
    "  strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'issue', json_object("        \
    "  'id', i.id, 'date', i.date, 'title', i.title)),"                      \
    " CAST(strftime('%s', 'now') AS INTEGER),"                               \
    " CAST(strftime('%s', 'now') AS INTEGER)"                                \
    " FROM webhooks w, issues i WHERE i.id = new.issue_id"                   \
    " AND instr(',' || w.events || ',', ',issue.published,') > 0;"
static const char V_WEBHOOKS[] =
    "CREATE TABLE webhooks("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL,"
    "  events TEXT NOT NULL,"
    "  secret TEXT,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE webhook_deliveries("
    "  id INTEGER PRIMARY KEY,"
    "  uuid TEXT NOT NULL UNIQUE,"
    "  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,"
    "  event TEXT NOT NULL,"
    "  payload TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  next_at INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL DEFAULT 'pending'," /* pending, delivered, failed */
    "  last_status INTEGER,"
    "  delivered_at INTEGER"
    ");"
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_at);"
    "CREATE TABLE webhook_attempts("
    "  id INTEGER PRIMARY KEY,"
    "  delivery_id INTEGER NOT NULL"
    "    REFERENCES webhook_deliveries(id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  status INTEGER," /* HTTP status, NULL when none came */
    "  response TEXT,"  /* the first KB of the body, or the error */
    "  error TEXT"
    ");"
    "CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id);"
    /* article.published: inserted published, or a draft published */
    "CREATE TRIGGER webhooks_article_ins AFTER INSERT ON articles"
    " WHEN new.status = 1 BEGIN " WH_QUEUE("article.published", "new")
    " END;"
    "CREATE TRIGGER webhooks_article_pub AFTER UPDATE OF status ON articles"
    " WHEN old.status <> 1 AND new.status = 1 BEGIN "
    WH_QUEUE("article.published", "new") " END;"
    /* article.updated: a published article's content changed (an import
     * of the same file again changes nothing, and read counts are not
     * content) */
    "CREATE TRIGGER webhooks_article_upd AFTER UPDATE ON articles"
    " WHEN old.status = 1 AND new.status = 1 AND (" WH_CHANGED("slug") " OR "
    WH_CHANGED("title") " OR " WH_CHANGED("summary") " OR "
    WH_CHANGED("body_html") " OR " WH_CHANGED("published_at") " OR "
    WH_CHANGED("section_id") " OR " WH_CHANGED("issue_id") ") BEGIN "
    WH_QUEUE("article.updated", "new") " END;"
    /* article.deleted: a published article deleted or unpublished */
    "CREATE TRIGGER webhooks_article_del AFTER DELETE ON articles"
    " WHEN old.status = 1 BEGIN " WH_QUEUE("article.deleted", "old") " END;"
    "CREATE TRIGGER webhooks_article_unpub AFTER UPDATE OF status ON articles"
    " WHEN old.status = 1 AND new.status <> 1 BEGIN "
    WH_QUEUE("article.deleted", "old") " END;"
    /* issue.published: an issue's first published article, inserted
     * published or a draft published */
    "CREATE TRIGGER webhooks_issue_pub AFTER INSERT ON articles"
    " WHEN new.status = 1 AND new.issue_id IS NOT NULL AND NOT EXISTS ("
    WH_ISSUE_FIRST ") BEGIN " WH_ISSUE_QUEUE " END;"
    "CREATE TRIGGER webhooks_issue_pub2 AFTER UPDATE OF status ON articles"
    " WHEN old.status <> 1 AND new.status = 1 AND new.issue_id IS NOT NULL"
    " AND NOT EXISTS (" WH_ISSUE_FIRST ") BEGIN " WH_ISSUE_QUEUE " END;";

/* V_MEDIA: the media library. A row per uploaded file, named by the hash
 * of its bytes (so one file however often it is uploaded); its derived
 * files (re-encoded sizes and formats) in media_variants. Articles gain a
 * feature image: a media hash or a URL, with its alt text. */
static const char V_MEDIA[] =
    "CREATE TABLE media("
    "  id INTEGER PRIMARY KEY,"
    "  hash TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('image', 'document')),"
    "  mime TEXT NOT NULL,"
    "  file TEXT NOT NULL,"
    "  width INTEGER NOT NULL DEFAULT 0,"
    "  height INTEGER NOT NULL DEFAULT 0,"
    "  bytes INTEGER NOT NULL DEFAULT 0,"
    "  alt TEXT,"
    "  decorative INTEGER NOT NULL DEFAULT 0,"
    "  caption TEXT,"
    "  credit TEXT,"
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
    ");"
    "CREATE TABLE media_variants("
    "  id INTEGER PRIMARY KEY,"
    "  media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,"
    "  file TEXT NOT NULL UNIQUE,"
    "  mime TEXT NOT NULL,"
    "  width INTEGER NOT NULL,"
    "  height INTEGER NOT NULL"
    ");"
    "CREATE INDEX media_variants_media ON media_variants(media_id, width);"
    "ALTER TABLE articles ADD COLUMN feature_image TEXT;"
    "ALTER TABLE articles ADD COLUMN feature_image_alt TEXT;"
    /* Pages show library images by hash: a change may touch any page. */
    SITE_TRIGGERS("media")
    "CREATE TRIGGER articles_feature_upd AFTER UPDATE OF feature_image,"
    " feature_image_alt ON articles"
    " BEGIN " CHANGE("'article:' || new.id") CHANGE("'list'") " END;";

/* V_MEDIA_SIDE: pictures outside articles, by media hash as a feature
 * image is: a logo for each "Visit also" link, a cover for each staff
 * publication, a photo for each author. The side modules' and authors'
 * existing triggers already mark every page changed. A feature image is
 * now also a card in every list that shows the article (its section,
 * issue, year, authors and tags), so changing it names them all. */
static const char V_MEDIA_SIDE[] =
    "ALTER TABLE links ADD COLUMN image TEXT;"
    "ALTER TABLE publications ADD COLUMN image TEXT;"
    "ALTER TABLE authors ADD COLUMN photo TEXT;"
    "DROP TRIGGER articles_feature_upd;"
    "CREATE TRIGGER articles_feature_upd AFTER UPDATE OF feature_image,"
    " feature_image_alt ON articles"
    " BEGIN " ARTICLE_CHANGES("new")
    "INSERT INTO changes(name) SELECT 'author:' || author_id"
    " FROM article_authors WHERE article_id = new.id;"
    "INSERT INTO changes(name) SELECT 'tag:' || tag_id"
    " FROM article_tags WHERE article_id = new.id;"
    " END;";

/*
 * V_ASSEMBLY: an editor orders an issue's articles by hand, and a TOTP
 * code works once.
 * - articles.issue_position: the place of an article within its section
 *   of its issue. Unplaced articles (the default, also after a move to
 *   another issue) come after the placed ones, in order of publication
 *   as before. The table of contents' index gains it, so a page of a
 *   4,927-article issue is still one index range. Moving articles in a
 *   published issue names the issue and the lists (the home page shows
 *   the latest issue).
 * - Deleting an issue or an author (the back office refuses while they
 *   hold articles) names "site": their names were on many pages.
 * - users.totp_step: the last 30-second step whose code logged the user
 *   in (RFC 6238 5.2: a code is accepted once).
 */
static const char V_ASSEMBLY[] =
    "ALTER TABLE articles ADD COLUMN issue_position INTEGER NOT NULL"
    "  DEFAULT 1000000000;"
    "DROP INDEX articles_issue_section;"
    "CREATE INDEX articles_issue_order ON articles(issue_id, status,"
    "  section_id, issue_position, published_at);"
    "CREATE TRIGGER articles_issue_pos AFTER UPDATE OF issue_position"
    " ON articles WHEN new.status = 1 AND new.issue_id IS NOT NULL"
    " BEGIN " CHANGE("'issue:' || new.issue_id") CHANGE("'list'") " END;"
    "CREATE TRIGGER articles_issue_move AFTER UPDATE OF issue_id ON articles"
    " WHEN old.issue_id IS NOT new.issue_id BEGIN"
    "  UPDATE articles SET issue_position = 1000000000 WHERE id = new.id;"
    " END;"
    "CREATE TRIGGER issues_del AFTER DELETE ON issues"
    " BEGIN " CHANGE("'site'") " END;"
    "CREATE TRIGGER authors_del AFTER DELETE ON authors"
    " BEGIN " CHANGE("'site'") " END;"
    "ALTER TABLE users ADD COLUMN totp_step INTEGER NOT NULL DEFAULT 0;";

/*
 * V_SEARCH: searches with a bounded cost (issue 17, search.c).
 * - The index is rebuilt with prefix indexes for one to three characters:
 *   "s*" read every term starting with s and merged their doclists (277 ms
 *   on the Reuters corpus); now it is one doclist.
 * - search_facets: what the filters and facets need of each published
 *   article, in a narrow row: the date and its UTC year, the section, the
 *   author ids and country codes as " 12 34 " (a filter is an instr()).
 *   Reading the date or section from the articles row walked the overflow
 *   pages of its bodies, for every match. Triggers keep it, whoever writes
 *   (saves, the places tagger, a JSON load).
 */
#define SF_AUTHORS(id)                                                       \
    "' ' || coalesce((SELECT group_concat(author_id, ' ') FROM"             \
    " article_authors WHERE article_id = " id "), '') || ' '"
#define SF_COUNTRIES(id)                                                     \
    "' ' || coalesce((SELECT group_concat(code, ' ') FROM article_places"   \
    " WHERE article_id = " id " AND kind = 0), '') || ' '"
#define SF_ROW(r)                                                            \
    "INSERT OR REPLACE INTO search_facets(id, published_at, year,"          \
    " section_id, authors, countries) SELECT " r ".id, " r ".published_at,"  \
    " CAST(strftime('%Y', " r ".published_at, 'unixepoch') AS INTEGER), "    \
    r ".section_id, " SF_AUTHORS(r ".id") ", " SF_COUNTRIES(r ".id")        \
    " WHERE " r ".status = 1;"
static const char V_SEARCH[] =
    "DROP TABLE articles_fts;"
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, intro, body,"
    " authors, tokenize = 'porter unicode61 remove_diacritics 2',"
    " prefix = '1 2 3');"
    "INSERT INTO articles_fts(rowid, title, intro, body, authors) "
    SDB_FTS_ROW "WHERE a.status = 1;"
    "CREATE TABLE search_facets("
    "  id INTEGER PRIMARY KEY," /* the article's */
    "  published_at INTEGER NOT NULL,"
    "  year INTEGER NOT NULL,"
    "  section_id INTEGER,"
    "  authors TEXT NOT NULL,"
    "  countries TEXT NOT NULL"
    ");"
    "INSERT INTO search_facets(id, published_at, year, section_id, authors,"
    " countries) SELECT a.id, a.published_at,"
    " CAST(strftime('%Y', a.published_at, 'unixepoch') AS INTEGER),"
    " a.section_id, " SF_AUTHORS("a.id") ", " SF_COUNTRIES("a.id")
    " FROM articles a WHERE a.status = 1;"
    "CREATE TRIGGER search_facets_ins AFTER INSERT ON articles"
    " WHEN new.status = 1 BEGIN " SF_ROW("new") " END;"
    "CREATE TRIGGER search_facets_upd AFTER UPDATE OF status, published_at,"
    " section_id ON articles BEGIN"
    " DELETE FROM search_facets WHERE id = old.id; " SF_ROW("new") " END;"
    "CREATE TRIGGER search_facets_del AFTER DELETE ON articles BEGIN"
    " DELETE FROM search_facets WHERE id = old.id; END;"
    "CREATE TRIGGER search_facets_au_ins AFTER INSERT ON article_authors"
    " BEGIN UPDATE search_facets SET authors = " SF_AUTHORS("new.article_id")
    " WHERE id = new.article_id; END;"
    "CREATE TRIGGER search_facets_au_del AFTER DELETE ON article_authors"
    " BEGIN UPDATE search_facets SET authors = " SF_AUTHORS("old.article_id")
    " WHERE id = old.article_id; END;"
    "CREATE TRIGGER search_facets_au_upd AFTER UPDATE ON article_authors"
    " BEGIN UPDATE search_facets SET authors = " SF_AUTHORS("search_facets.id")
    " WHERE id IN (old.article_id, new.article_id); END;"
    "CREATE TRIGGER search_facets_pl_ins AFTER INSERT ON article_places"
    " WHEN new.kind = 0 BEGIN UPDATE search_facets SET countries = "
    SF_COUNTRIES("new.article_id") " WHERE id = new.article_id; END;"
    "CREATE TRIGGER search_facets_pl_del AFTER DELETE ON article_places"
    " WHEN old.kind = 0 BEGIN UPDATE search_facets SET countries = "
    SF_COUNTRIES("old.article_id") " WHERE id = old.article_id; END;"
    "CREATE TRIGGER search_facets_pl_upd AFTER UPDATE ON article_places"
    " BEGIN UPDATE search_facets SET countries = "
    SF_COUNTRIES("search_facets.id")
    " WHERE id IN (old.article_id, new.article_id); END;";

/*
 * V_SEARCH_LOG: what the Xapian index follows (search_index.c). The change
 * log names "article:<id>" for an article's own row and its places; the
 * byline's changes now name "search:<id>" too, and so does an author's new
 * name for each of their articles (whose FTS5 rows it also rewrites: they
 * kept the old name). search_index_id holds this database's
 * token, which the index records: an index beside a database it was not
 * built from (another journal's, a restore) is rebuilt, not trusted.
 */
static const char V_SEARCH_LOG[] =
    "CREATE TABLE search_index_id(token TEXT NOT NULL);"
    "INSERT INTO search_index_id VALUES (lower(hex(randomblob(16))));"
    "CREATE TRIGGER search_log_au_ins AFTER INSERT ON article_authors"
    " BEGIN " CHANGE("'search:' || new.article_id") " END;"
    "CREATE TRIGGER search_log_au_del AFTER DELETE ON article_authors"
    " BEGIN " CHANGE("'search:' || old.article_id") " END;"
    "CREATE TRIGGER search_log_au_upd AFTER UPDATE ON article_authors"
    " BEGIN " CHANGE("'search:' || old.article_id")
    CHANGE("'search:' || new.article_id") " END;"
    "CREATE TRIGGER search_log_author_name AFTER UPDATE OF name ON authors"
    " WHEN old.name IS NOT new.name BEGIN"
    " INSERT INTO changes(name) SELECT 'search:' || article_id"
    " FROM article_authors WHERE author_id = new.id;"
    /* FTS5's copy of the byline too (it kept the old name) */
    " DELETE FROM articles_fts WHERE rowid IN (SELECT article_id"
    "  FROM article_authors WHERE author_id = new.id);"
    " INSERT INTO articles_fts(rowid, title, intro, body, authors) "
    SDB_FTS_ROW "WHERE a.status = 1 AND a.id IN (SELECT article_id"
    "  FROM article_authors WHERE author_id = new.id); END;";

// clang-format on
static const char *const migrations[] = {
    V1,           V2,           V3,         V4,       V5,           V6,
    V_ACCOUNTS,   V_EDITORIAL,  V_IMPORT,   V_PLACES, V_WEBHOOKS,   V_MEDIA,
    V_NEWSLETTER, V_MEDIA_SIDE, V_ASSEMBLY, V_SEARCH, V_SEARCH_LOG,
};
#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int store_schema_version(void)
{
    return N_MIGRATIONS;
}

/* pragma_int reads one integer (one-off statement, not cached). */
static int pragma_int(struct conn *w, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(w->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = sdb_fail(w, sql);
        sqlite3_finalize(st);
        return rc;
    }
    *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static int exec(struct conn *w, const char *sql, const char *ctx)
{
    if (sqlite3_exec(w->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    return sdb_fail(w, ctx);
}

/* check tells whether the file is ours at version *v. */
static int check(struct conn *w, int64_t *v)
{
    int64_t app = 0, tables = 0;
    const char *file = sqlite3_db_filename(w->db, "main");
    int rc = pragma_int(w, "PRAGMA user_version", v);
    if (rc == 0)
        rc = pragma_int(w, "PRAGMA application_id", &app);
    if (rc == 0)
        rc = pragma_int(w, "SELECT count(*) FROM sqlite_master", &tables);
    if (rc != 0)
        return ERR_DB;
    if (*v > N_MIGRATIONS) {
        sdb_errorf("%s: schema version %lld is newer than this program's "
                   "(%d); upgrade quire",
                   file, (long long)*v, N_MIGRATIONS);
        return ERR_DB;
    }
    if ((*v == 0 && tables > 0) || (*v > 0 && app != SDB_APP_ID)) {
        sdb_errorf("%s: not a Quire database", file);
        return ERR_DB;
    }
    return 0;
}

int sdb_migrate(struct conn *w)
{
    int64_t v = 0;
    char sql[128];

    int rc = check(w, &v);
    if (rc != 0 || v == N_MIGRATIONS)
        return rc;
    rc = exec(w, "BEGIN IMMEDIATE", "migrate: begin");
    if (rc != 0)
        return ERR_DB;
    rc = check(w, &v); /* another process may have migrated meanwhile */
    for (int i = (int)v; rc == 0 && i < N_MIGRATIONS; i++) {
        log_info("migrating the database to schema version %d", i + 1);
        rc = exec(w, migrations[i], "migrate");
    }
    if (rc == 0) {
        snprintf(sql, sizeof(sql),
                 "PRAGMA user_version = %d; PRAGMA application_id = %d",
                 N_MIGRATIONS, SDB_APP_ID);
        rc = exec(w, sql, "migrate: version");
    }
    if (rc == 0)
        rc = exec(w, "COMMIT", "migrate: commit");
    if (rc != 0) {
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
        return ERR_DB;
    }
    return 0;
}

const char *store_lib_version(void)
{
    return sqlite3_libversion();
}
