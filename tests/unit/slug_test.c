/* slug_test.c - slugs from titles, and slug validation. */
#include "content/slug.h"
#include "core/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit/test_arena.h"

#define SLUG(title, want)                                                      \
    assert_string_equal(slug_from_title(&arena, (title)), (want))

static void test_punctuation(void **state)
{
    (void)state;
    SLUG("BAHIA COCOA REVIEW", "bahia-cocoa-review");
    SLUG("ROGERS <ROG> SEES 1ST QTR NET UP SIGNIFICANTLY",
         "rogers-rog-sees-1st-qtr-net-up-significantly");
    SLUG("PAPANDREOU SHOWS \"RESTRICTED OPTIMISM\" OVER CRISIS",
         "papandreou-shows-restricted-optimism-over-crisis");
    SLUG("  Hello,   World!  ", "hello-world");
    SLUG("U.S. & Iran: a 2004 view", "u-s-iran-a-2004-view");
    SLUG("ORION'S <OPC> \"PLATOON\"", "orions-opc-platoon");
    SLUG("Don\xE2\x80\x99t stop", "dont-stop"); /* typographic apostrophe */
    SLUG("--already-a-slug--", "already-a-slug");
    SLUG("a_b/c\\d", "a-b-c-d");
}

static void test_accents(void **state)
{
    (void)state;
    SLUG("Caf\xC3\xA9 Cr\xC3\xA8me", "cafe-creme"); /* é è */
    SLUG("Stra\xC3\x9F"
         "e",
         "strasse"); /* ß */
    SLUG("\xC3\x98resund Br\xC3\xB8"
         "d",
         "oresund-brod");                             /* Ø ø */
    SLUG("\xC3\x86sir \xC5\x92uvre", "aesir-oeuvre"); /* Æ Œ */
    SLUG("\xC5\x81\xC3\xB3"
         "d\xC5\xBA",
         "lodz");                          /* Łódź */
    SLUG("Bucure\xC8\x99ti", "bucuresti"); /* ș */
    SLUG("T\xC3\xBCrkiye \xC4\xB0stanbul", "turkiye-istanbul");
    SLUG("Baku \xC6\x8FL\xC6\x8F", "baku-ele"); /* Ə */
    /* Decomposed: e + combining acute. */
    SLUG("Cafe\xCC\x81 noir", "cafe-noir");
}

static void test_other_scripts(void **state)
{
    (void)state;
    /* Cyrillic only: nothing usable, so the fallback. */
    SLUG("\xD0\x9F\xD1\x83\xD1\x82\xD0\xB8\xD0\xBD", "article");
    SLUG("", "article");
    SLUG(NULL, "article");
    SLUG("!!! ???", "article");
    /* Mixed: the Latin words stay, the others separate. */
    SLUG("Putin \xD0\x9F\xD1\x83\xD1\x82\xD0\xB8\xD0\xBD visit", "putin-visit");
    SLUG("Tokyo\xE6\x9D\xB1\xE4\xBA\xAC"
         "2020",
         "tokyo-2020");
    /* Invalid UTF-8 separates and does not crash. */
    SLUG("abc\xFF"
         "def\xC3",
         "abc-def");
}

static void test_length(void **state)
{
    (void)state;
    const char *title =
        "The Geopolitics of Central Asian Energy Pipelines and the Future of "
        "Caspian Sea Cooperation Between Russia and Its Neighbours";
    char *s = slug_from_title(&arena, title);
    assert_true(strlen(s) <= SLUG_TARGET);
    assert_true(strlen(s) > 60);
    assert_true(slug_valid(s));
    assert_string_equal(s, "the-geopolitics-of-central-asian-energy-pipelines-"
                           "and-the-future-of-caspian-sea");
    /* One giant word is cut hard. */
    char big[300];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    s = slug_from_title(&arena, big);
    assert_int_equal(strlen(s), SLUG_TARGET);
    assert_true(slug_valid(s));
    /* A word ending exactly at the target is kept whole. */
    char exact[200];
    memset(exact, 'a', 80);
    memcpy(exact + 80, " bbb", 5);
    s = slug_from_title(&arena, exact);
    assert_int_equal(strlen(s), 80);
    /* Many separators and multibyte letters still give a valid slug. */
    char many[2000];
    size_t m = 0;
    for (int i = 0; i < 150; i++, m += 6)
        memcpy(many + m, "\xC3\xA9t\xC3\xA9 ", 6);
    many[m] = '\0';
    s = slug_from_title(&arena, many);
    assert_true(slug_valid(s));
    assert_true(strlen(s) <= SLUG_TARGET);
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(slug_valid("a"));
    assert_true(slug_valid("reuters-1"));
    assert_true(slug_valid("2004-06-30-pipelines"));
    assert_false(slug_valid(NULL));
    assert_false(slug_valid(""));
    assert_false(slug_valid("-a"));
    assert_false(slug_valid("a-"));
    assert_false(slug_valid("a--b"));
    assert_false(slug_valid("A"));
    assert_false(slug_valid("a b"));
    assert_false(slug_valid("a_b"));
    assert_false(slug_valid("caf\xC3\xA9"));
    assert_false(slug_valid("../etc"));
    char s[130];
    memset(s, 'a', sizeof(s));
    s[120] = '\0';
    assert_true(slug_valid(s));
    s[120] = 'a';
    s[121] = '\0';
    assert_false(slug_valid(s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_punctuation),   cmocka_unit_test(test_accents),
        cmocka_unit_test(test_other_scripts), cmocka_unit_test(test_length),
        cmocka_unit_test(test_valid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
