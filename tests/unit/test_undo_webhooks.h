/*
 * test_undo_webhooks.h - SQL that removes what migration V_WEBHOOKS added,
 * for tests that take a database back to an older schema and migrate it
 * again (run it before their own undo).
 */
#ifndef QUIRE_TEST_UNDO_WEBHOOKS_H
#define QUIRE_TEST_UNDO_WEBHOOKS_H

#define UNDO_V_WEBHOOKS                                                        \
    "DROP TRIGGER webhooks_article_ins; DROP TRIGGER webhooks_article_pub;"    \
    "DROP TRIGGER webhooks_article_upd; DROP TRIGGER webhooks_article_del;"    \
    "DROP TRIGGER webhooks_article_unpub; DROP TRIGGER webhooks_issue_pub;"    \
    "DROP TRIGGER webhooks_issue_pub2;"                                        \
    "DROP TABLE webhook_attempts; DROP TABLE webhook_deliveries;"              \
    "DROP TABLE webhooks;"

#endif
