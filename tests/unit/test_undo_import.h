/*
 * test_undo_import.h - SQL that takes back migration V_IMPORT (redirects,
 * legacy ids, the imported articles' language and meta description, the
 * sections' description), for tests that lower PRAGMA user_version to
 * migrate an older file again. Run it before the older undos.
 */
#ifndef QUIRE_TEST_UNDO_IMPORT_H
#define QUIRE_TEST_UNDO_IMPORT_H

#define UNDO_MIGRATION_IMPORT                                                  \
    "DROP TABLE redirects; DROP TABLE legacy_ids;"                             \
    "ALTER TABLE articles DROP COLUMN language;"                               \
    "ALTER TABLE articles DROP COLUMN meta_description;"                       \
    "ALTER TABLE sections DROP COLUMN description;"

#endif
