/*
 * test_undo_v6.h - SQL that takes a database at the current schema back to
 * what migration 5 left (before PRAGMA user_version is lowered), for tests
 * that migrate an older file. Later migrations are undone first
 * (UNDO_LATER_MIGRATIONS), so that migrating again can create them.
 */
#ifndef QUIRE_TEST_UNDO_V6_H
#define QUIRE_TEST_UNDO_V6_H

#define UNDO_LATER_MIGRATIONS                                                    \
    /* V_SEARCH_LOG */                                                           \
    "DROP TRIGGER search_log_au_ins; DROP TRIGGER search_log_au_del;"            \
    "DROP TRIGGER search_log_au_upd; DROP TRIGGER search_log_author_name;"       \
    "DROP TABLE search_index_id;" /* V_SEARCH (the index keeps its prefix        \
                                     indexes: V_SEARCH rebuilds it) */           \
    "DROP TRIGGER search_facets_ins; DROP TRIGGER search_facets_upd;"            \
    "DROP TRIGGER search_facets_del; DROP TRIGGER search_facets_au_ins;"         \
    "DROP TRIGGER search_facets_au_del; DROP TRIGGER search_facets_au_upd;"      \
    "DROP TRIGGER search_facets_pl_ins; DROP TRIGGER search_facets_pl_del;"      \
    "DROP TRIGGER search_facets_pl_upd; DROP TABLE search_facets;" /* V_ASSEMBLY \
                                                                    */           \
    "DROP TRIGGER articles_issue_pos; DROP TRIGGER issues_del;"                  \
    "DROP TRIGGER articles_issue_move;"                                          \
    "DROP TRIGGER authors_del; DROP INDEX articles_issue_order;"                 \
    "ALTER TABLE articles DROP COLUMN issue_position;"                           \
    "CREATE INDEX articles_issue_section"                                        \
    "  ON articles(issue_id, status, section_id, published_at);"                 \
    "ALTER TABLE users DROP COLUMN totp_step;" /* V_MEDIA_SIDE (its              \
                                                  articles_feature_upd goes      \
                                                  with V_MEDIA's) */             \
    "ALTER TABLE links DROP COLUMN image;"                                       \
    "ALTER TABLE publications DROP COLUMN image;"                                \
    "ALTER TABLE authors DROP COLUMN photo;" /* V_NEWSLETTER */                  \
    "DROP TABLE IF EXISTS outbox; DROP TABLE IF EXISTS campaigns;"               \
    "DROP TABLE IF EXISTS newsletter_secret;"                                    \
    "DROP INDEX IF EXISTS subscribers_state;"                                    \
    "ALTER TABLE subscribers DROP COLUMN state;"                                 \
    "ALTER TABLE subscribers DROP COLUMN confirmed_at;"                          \
    "ALTER TABLE subscribers DROP COLUMN unsubscribed_at;"                       \
    "ALTER TABLE subscribers DROP COLUMN confirm_sent_at;" /* V_MEDIA */         \
    "DROP TRIGGER articles_feature_upd;"                                         \
    "DROP TABLE media_variants; DROP TABLE media;"                               \
    "ALTER TABLE articles DROP COLUMN feature_image;"                            \
    "ALTER TABLE articles DROP COLUMN feature_image_alt;" /* V_PLACES (its       \
                                                             triggers go with    \
                                                             its tables) */      \
    "DROP TABLE places_tagged; DROP TABLE place_decisions;"                      \
    "DROP TABLE article_places;"

#define UNDO_MIGRATION_6                                                       \
    UNDO_LATER_MIGRATIONS                                                      \
    "DROP TRIGGER article_tags_pub; DROP TRIGGER article_authors_pub;"         \
    "DROP TRIGGER articles_pub;"                                               \
    "DROP INDEX article_tags_published;"                                       \
    "DROP INDEX article_authors_published;"                                    \
    "DROP INDEX articles_issue_section; DROP INDEX sections_order;"            \
    "DROP INDEX tags_name; DROP INDEX authors_name;"                           \
    "ALTER TABLE article_tags DROP COLUMN status;"                             \
    "ALTER TABLE article_tags DROP COLUMN published_at;"                       \
    "ALTER TABLE article_authors DROP COLUMN status;"                          \
    "ALTER TABLE article_authors DROP COLUMN published_at;"                    \
    "CREATE INDEX article_authors_author ON article_authors(author_id);"

#endif
