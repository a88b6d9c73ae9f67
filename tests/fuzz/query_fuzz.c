/*
 * query_fuzz.c - libFuzzer harness for the search box translator
 * (content/query.c).
 *
 * The input is what a reader types (valid UTF-8 only: the site refuses the
 * rest before translating). Whatever it is, the FTS5 expression must be
 * accepted by a real FTS5 table with the site's tokenizer (a syntax error
 * would be a 500), and translating its display form again must give the
 * same expression (the normal form used in cache keys).
 */
#include "content/query.h"
#include "core/arena.h"
#include "core/utf8.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *db;
static sqlite3_stmt *match;

static void init(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize ="
                     " 'porter unicode61 remove_diacritics 2');"
                     "INSERT INTO t VALUES ('Oil prices', 'crude oil opec');",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1,
                           &match, NULL) != SQLITE_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db)
        init();
    const char *in = (const char *)data;
    if (!utf8_valid(in, size, NULL) || memchr(in, '\0', size))
        return 0;
    struct arena a;
    arena_init(&a, 1024);
    const char *fts = query_to_fts(&a, (struct str){in, size});
    if (fts[0]) {
        sqlite3_bind_text(match, 1, fts, -1, SQLITE_STATIC);
        int rc = sqlite3_step(match);
        assert(rc == SQLITE_ROW); /* never "fts5: syntax error" */
        sqlite3_reset(match);
        const char *shown = query_display(&a, fts);
        const char *again = query_to_fts(&a, str_from(shown));
        assert(strcmp(fts, again) == 0);
    }
    arena_release(&a);
    return 0;
}
