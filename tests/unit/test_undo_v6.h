/*
 * test_undo_v6.h - SQL that takes a database at schema version 6 back to
 * what migration 5 left (before PRAGMA user_version is lowered), for tests
 * that migrate an older file.
 */
#ifndef QUIRE_TEST_UNDO_V6_H
#define QUIRE_TEST_UNDO_V6_H

/* What the migrations after 6 add (V_NEWSLETTER, V_ACCOUNTS), dropped
 * first so lowering user_version re-runs them cleanly. A helper appending
 * a migration adds its undo here. */
#define UNDO_AFTER_6                                                         \
    "DROP TABLE IF EXISTS outbox; DROP TABLE IF EXISTS campaigns;"           \
    "DROP TABLE IF EXISTS newsletter_secret;"                                \
    "DROP INDEX IF EXISTS subscribers_state;"                                \
    "ALTER TABLE subscribers DROP COLUMN state;"                             \
    "ALTER TABLE subscribers DROP COLUMN confirmed_at;"                      \
    "ALTER TABLE subscribers DROP COLUMN unsubscribed_at;"                   \
    "ALTER TABLE subscribers DROP COLUMN confirm_sent_at;"                   \
    "DROP TABLE IF EXISTS audit_log; DROP TABLE IF EXISTS recovery_codes;"   \
    "DROP TABLE IF EXISTS api_tokens; DROP TABLE IF EXISTS sessions;"        \
    "DROP TABLE IF EXISTS users;"

#define UNDO_MIGRATION_6                                                     \
    UNDO_AFTER_6                                                             \
    "DROP TRIGGER article_tags_pub; DROP TRIGGER article_authors_pub;"       \
    "DROP TRIGGER articles_pub;"                                             \
    "DROP INDEX article_tags_published;"                                     \
    "DROP INDEX article_authors_published;"                                  \
    "DROP INDEX articles_issue_section; DROP INDEX sections_order;"          \
    "DROP INDEX tags_name; DROP INDEX authors_name;"                         \
    "ALTER TABLE article_tags DROP COLUMN status;"                           \
    "ALTER TABLE article_tags DROP COLUMN published_at;"                     \
    "ALTER TABLE article_authors DROP COLUMN status;"                        \
    "ALTER TABLE article_authors DROP COLUMN published_at;"                  \
    "CREATE INDEX article_authors_author ON article_authors(author_id);"

#endif
