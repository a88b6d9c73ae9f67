/* name_test.c - byline names split into given, family and suffix. */
#include "content/name.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

/* split checks one name: "given|family|suffix". */
static void split(const char *name, const char *want)
{
    struct name_parts p;
    char got[512];
    name_split(str_from(name), &p);
    snprintf(got, sizeof(got), "%.*s|%.*s|%.*s", STR_FMT(p.given),
             STR_FMT(p.family), STR_FMT(p.suffix));
    if (strcmp(got, want) != 0)
        fail_msg("name_split(\"%s\") = \"%s\", want \"%s\"", name, got, want);
}

static void test_bylines(void **state)
{
    (void)state;
    split("S. Frederick Starr", "S. Frederick|Starr|");
    split("Svante E. Cornell", "Svante E.|Cornell|");
    split("Zahid Anwar", "Zahid|Anwar|");
    split("Johan Engvall", "Johan|Engvall|");
    split("  Albert   Barro  ", "Albert|Barro|");
}

static void test_single_names(void **state)
{
    (void)state;
    split("Plato", "|Plato|");
    split("Reuters", "|Reuters|");
    split("", "||");
    split("   ", "||");
    /* A name in a script without spaces stays whole. */
    split("\xE6\xAF\x9B\xE6\xB3\xBD\xE4\xB8\x9C", "|\xE6\xAF\x9B\xE6\xB3\xBD"
                                                  "\xE4\xB8\x9C|");
}

static void test_particles(void **state)
{
    (void)state;
    split("Ludwig van der Berg", "Ludwig|van der Berg|");
    split("van der Berg", "|van der Berg|");
    split("Charles de Gaulle", "Charles|de Gaulle|");
    split("Jean de La Fontaine", "Jean|de La Fontaine|");
    split("Osama bin Laden", "Osama|bin Laden|");
    split("Ursula von der Leyen", "Ursula|von der Leyen|");
    split("Vincent Van Gogh", "Vincent|Van Gogh|");
    /* Lowercase throughout: the first word still counts as given. */
    split("bell hooks", "bell|hooks|");
}

static void test_suffixes_and_commas(void **state)
{
    (void)state;
    split("Martin Luther King Jr.", "Martin Luther|King|Jr.");
    split("Martin Luther King, Jr.", "Martin Luther|King|Jr.");
    split("John Smith III", "John|Smith|III");
    split("Cornell, Svante E.", "Svante E.|Cornell|");
    split("van der Berg, Ludwig", "Ludwig|van der Berg|");
    split("Smith,", "|Smith|");
    split(", Smith", "|Smith|");
    split(",", "||");
}

static void test_non_ascii(void **state)
{
    (void)state;
    /* Cyrillic and Latin with diacritics split on spaces, bytes kept. */
    split("\xD0\xA1\xD0\xB5\xD1\x80\xD0\xB3\xD0\xB5\xD0\xB9 "
          "\xD0\x9B\xD0\xB0\xD0\xB2\xD1\x80\xD0\xBE\xD0\xB2",
          "\xD0\xA1\xD0\xB5\xD1\x80\xD0\xB3\xD0\xB5\xD0\xB9|"
          "\xD0\x9B\xD0\xB0\xD0\xB2\xD1\x80\xD0\xBE\xD0\xB2|");
    split("Ilham \xC6\x8Fliyev", "Ilham|\xC6\x8Fliyev|");
    split("G\xC3\xBCl\xC5\x9F"
          "en \xC3\x96zt\xC3\xBCrk",
          "G\xC3\xBCl\xC5\x9F"
          "en|\xC3\x96zt\xC3\xBCrk|");
    /* Invalid UTF-8 is just bytes here. */
    split("\xFF\xFE Doe", "\xFF\xFE|Doe|");
}

static void test_many_words(void **state)
{
    (void)state;
    char name[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(name, "w ");
    strcat(name, "Last");
    struct name_parts p;
    name_split(str_from(name), &p);
    /* Words past the limit join the last word; nothing is lost. */
    assert_true(p.family.len > 0);
    assert_true(p.given.ptr == name);
    assert_ptr_equal(p.family.ptr + p.family.len, name + strlen(name));
    name_split((struct str){NULL, 0}, &p);
    assert_int_equal(p.family.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bylines),
        cmocka_unit_test(test_single_names),
        cmocka_unit_test(test_particles),
        cmocka_unit_test(test_suffixes_and_commas),
        cmocka_unit_test(test_non_ascii),
        cmocka_unit_test(test_many_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
