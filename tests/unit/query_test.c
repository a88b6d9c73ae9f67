/*
 * query_test.c - the search box's text to FTS5: words, phrases and
 * prefixes pass; every other piece of FTS5 syntax is neutralised. The
 * last test feeds hostile inputs to a real FTS5 table: none may be a
 * syntax error.
 */
#include "content/query.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "test_arena.h"

static const char *fts(const char *in)
{
    return query_to_fts(&arena, str_from(in));
}

static void test_words(void **state)
{
    (void)state;
    assert_string_equal(fts("oil"), "\"oil\"");
    assert_string_equal(fts("  caspian \t oil\n"), "\"caspian\" \"oil\"");
    assert_string_equal(fts("Россия Пакистан"), "\"Россия\" \"Пакистан\"");
    assert_string_equal(fts(""), "");
    assert_string_equal(fts("   "), "");
}

static void test_phrases(void **state)
{
    (void)state;
    assert_string_equal(fts("\"oil price\" gas"), "\"oil price\" \"gas\"");
    /* An unterminated quote runs to the end. */
    assert_string_equal(fts("gas \"oil price"), "\"gas\" \"oil price\"");
    /* A quote ends a word: no quote ever lands inside an FTS5 string. */
    assert_string_equal(fts("a\"b c\""), "\"a\" \"b c\"");
    assert_string_equal(fts("\"\""), "");
    assert_string_equal(fts("\""), "");
    /* '*' inside a phrase is text, not a prefix. */
    assert_string_equal(fts("\"nucl*\""), "\"nucl*\"");
}

static void test_prefix(void **state)
{
    (void)state;
    assert_string_equal(fts("nucl*"), "\"nucl\"*");
    assert_string_equal(fts("nucl***"), "\"nucl\"*");
    assert_string_equal(fts("*"), "");
    assert_string_equal(fts("**"), "");
    assert_string_equal(fts("*nucl"), "\"*nucl\"");
}

static void test_syntax_neutralised(void **state)
{
    (void)state;
    assert_string_equal(fts("NEAR(oil gas)"), "\"NEAR(oil\" \"gas)\"");
    assert_string_equal(fts("title:oil"), "\"title:oil\"");
    assert_string_equal(fts("^oil"), "\"^oil\"");
    assert_string_equal(fts("oil OR gas"), "\"oil\" \"OR\" \"gas\"");
    assert_string_equal(fts("oil NOT gas"), "\"oil\" \"NOT\" \"gas\"");
    assert_string_equal(fts("oil AND gas"), "\"oil\" \"gas\"");
    assert_string_equal(fts("( ) ^ : + - * \" \""), "");
    assert_string_equal(fts("{title body}: oil"),
                        "\"{title\" \"body}:\" \"oil\"");
    /* Control characters become spaces inside the string. */
    assert_string_equal(fts("a\x01"
                            "b"),
                        "\"a b\"");
}

static void test_terms_capped(void **state)
{
    (void)state;
    char in[4 * (QUERY_TERMS_MAX + 10) + 1] = "";
    for (int i = 0; i < QUERY_TERMS_MAX + 10; i++)
        strcat(in, "ab ");
    const char *out = fts(in);
    size_t n = 0;
    for (const char *p = out; *p; p++)
        n += *p == '"';
    assert_int_equal(n, 2 * QUERY_TERMS_MAX);
}

/* Prefixes past QUERY_PREFIXES_MAX are searched as whole words. */
static void test_prefixes_capped(void **state)
{
    (void)state;
    _Static_assert(QUERY_PREFIXES_MAX == 3, "the expected text below");
    assert_string_equal(fts("a* bb* \"c d\"* e* f"),
                        "\"a\"* \"bb\"* \"c d\"* \"e\" \"f\"");
}

static void test_display(void **state)
{
    (void)state;
    assert_string_equal(
        query_display(&arena, fts("  oil   \"gas  price\" nucl* (")),
        "oil \"gas  price\" nucl*");
    assert_string_equal(query_display(&arena, fts("^^")), "");
    /* Displaying and translating again is stable. */
    const char *d = query_display(&arena, fts("a:b NEAR( \"x y\" z*"));
    assert_string_equal(fts(d), fts("a:b NEAR( \"x y\" z*"));
}

/* Every translation is valid FTS5: run each against a real table. */
static void test_fts5_accepts(void **state)
{
    (void)state;
    static const char *const hostile[] = {
        "\"",
        "*",
        "NEAR(",
        "NEAR(a b, 2)",
        "a:b",
        "^",
        "^a",
        "a OR",
        "OR",
        "NOT",
        "AND",
        "(",
        ")",
        "a AND (b OR",
        "-a",
        "+",
        "{a b}: c",
        "\\",
        "'",
        "a'b",
        "''",
        "\"a\" \"",
        "*a*",
        "a**b",
        "\xd0\x9f*",
        "—",
        "<script>alert(1)</script>",
        "title:",
        ":",
        "a:",
        "col:\"x\"",
        "\x7f",
        "a\tb\nc",
        "NEAR",
        "near(a)",
        "a NEAR b",
    };
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(title, body,"
                     " tokenize='porter unicode61 remove_diacritics 2');"
                     "INSERT INTO t VALUES ('near a b', 'or not and');",
                     NULL, NULL, NULL),
        SQLITE_OK);
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        const char *q = fts(hostile[i]);
        if (!*q)
            continue;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT count(*) FROM t"
                                            " WHERE t MATCH ?1",
                                            -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            fail_msg("'%s' -> '%s': %s", hostile[i], q, sqlite3_errmsg(db));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phrases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_neutralised, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_terms_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefixes_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_display, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fts5_accepts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
