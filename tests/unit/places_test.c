/* places_test.c - the country and organization tagger on the hard cases:
 * ambiguous names, case, possessives, hyphens, diacritics, headlines in
 * capitals, acronyms that are words, ranking, the home country, and
 * hostile bytes. */
#include "content/places.h"
#include "core/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "unit/test_arena.h"

/* tag returns "cc,cc|org,org" (by score) for title, intro, body. */
static const char *tag_home(const char *title, const char *intro,
                            const char *body, const char *home)
{
    struct place_hit h[PLACES_MAX];
    size_t n = 0;
    static char out[512];
    size_t o = 0;
    assert_int_equal(
        places_tag(&arena, title, intro, body, home, h, PLACES_MAX, &n), 0);
    for (int org = 0; org < 2; org++) {
        if (org)
            out[o++] = '|';
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            const struct place_entity *e = &places_entities[h[i].entity];
            if (e->is_org != org)
                continue;
            o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s",
                                  first ? "" : ",", e->code);
            first = false;
        }
    }
    out[o] = '\0';
    return out;
}

static const char *tag(const char *title, const char *body)
{
    return tag_home(title, NULL, body, NULL);
}

#define TAG(title, body, want) assert_string_equal(tag((title), (body)), want)

static void test_names_and_forms(void **state)
{
    (void)state;
    TAG("Russia's new course", NULL, "ru|");             /* possessive */
    TAG("Russia\xE2\x80\x99s new course", NULL, "ru|");  /* ’s */
    TAG("Pakistan-Russia talks", NULL, "pk,ru|");        /* hyphen */
    TAG("T\xC3\xBCrkiye and the Caucasus", NULL, "tr|"); /* Türkiye */
    TAG("C\xC3\xB4te d'Ivoire votes", NULL, "ci|");      /* Côte */
    TAG("The Kyrgyz Republic", NULL, "kg|");
    TAG("Kirghizia decides", NULL, "kg|");
    TAG("Kyrgyzstan decides", NULL, "kg|");
    TAG("Soviet Union and USSR", NULL, "su|");
    TAG("Burma", NULL, "mm|");
    TAG("West Germany grows", NULL, "de|");
    TAG("Moscow said on Tuesday", NULL, "ru|"); /* metonym */
}

static void test_case_and_acronyms(void **state)
{
    (void)state;
    TAG("Let us all think of us", NULL, "|"); /* us */
    TAG("The US and Japan agree", NULL, "jp,us|");
    TAG("U.S. SAYS JAPAN MUST OPEN MARKETS", NULL, "jp,us|"); /* headline */
    TAG("LET US TALK ABOUT IT", NULL, "|");
    TAG("fine china and a roast turkey", NULL, "|"); /* common nouns */
    TAG("NATO and the UN", NULL, "|nato,un");
    /* ECO is a word: only with the organization's full name nearby */
    TAG("An ECO label for cars", NULL, "|");
    TAG("The ECO summit", "The Economic Cooperation Organization met.", "|eco");
    TAG("The AU stands", NULL, "|");
}

static void test_ambiguous_places(void **state)
{
    (void)state;
    /* Georgia: the country only beside its region */
    TAG("Georgia votes", "The governor of Georgia spoke in Atlanta.",
        "us|"); /* the state: Atlanta, weak evidence, says the US */
    TAG("Georgia and Russia", "Tbilisi and Moscow talk.", "ge,ru|");
    /* first names */
    TAG("Chad Smith joins the board", NULL, "|");
    TAG("Chad and Sudan sign a treaty", NULL, "sd,td|");
    TAG("Michael Jordan retires", NULL, "|");
    TAG("Jordan and Israel", NULL, "il,jo|");
    /* China Sea, the Congos, Guineas and Koreas */
    TAG("Patrols in the South China Sea", NULL, "|");
    TAG("Democratic Republic of the Congo", NULL, "cd|");
    TAG("Republic of the Congo", NULL, "cg|");
    TAG("Congo-Brazzaville", NULL, "cg|");
    TAG("Guinea-Bissau", NULL, "gw|");
    TAG("Equatorial Guinea", NULL, "gq|");
    TAG("Papua New Guinea", NULL, "pg|");
    TAG("Guinea", NULL, "gn|");
    TAG("North Korea tests", NULL, "kp|");
    TAG("South Korea", NULL, "kr|");
    TAG("Andalusia, Ala., plant", NULL, "us|"); /* AP state */
    TAG("Ala la la", NULL, "|");
    /* countries and organizations are two name spaces: Ecuador and the
     * European Community are both "ec", Australia and the African Union
     * "au" */
    TAG("Ecuador exports oil", NULL, "ec|");
    TAG("The African Union meets", NULL, "|au");
    TAG("The Arab League meets", NULL, "|al");
    TAG("European Community farm talks", NULL, "|ec");
}

static void test_currencies(void **state)
{
    (void)state;
    /* a currency of one country, in any case, is weak evidence */
    TAG("Profits rise", "Pretax profit rose to 23 mln stg.", "gb|");
    TAG("PROFITS RISE 23 MLN STG", NULL, "gb|");
    TAG("Bond issue", "It pays 200 mln marks and 5 mln guilders.", "de,nl|");
    TAG("Bond issue", "A 15 billion yen bond.", "|"); /* euroyen: London */
    /* ... that a country named outright outweighs */
    TAG("Canada sells bonds", "Canada sold 15 billion marks of bonds.", "ca|");
    /* shared currencies and words say nothing */
    TAG("Profits rise", "It paid 20 mln francs and 3 mln crowns.", "|");
    TAG("He won the mark", "Her marks were good.", "|");
}

static void test_ranking_and_threshold(void **state)
{
    (void)state;
    /* one body mention of a third country is below the threshold */
    TAG("Kazakhstan and China", "Kazakhstan's trade with China grew.",
        "kz,cn|");
    assert_string_equal(
        tag_home("Oil prices", NULL,
                 "Kazakhstan pumps. Kazakhstan exports. Kazakhstan grows. "
                 "Kazakhstan builds. Kazakhstan sells. Iran watches.",
                 NULL),
        "kz|");
    /* the home country for an article that names none */
    assert_string_equal(tag_home("Profits rise", NULL, "Shares rose.", "us"),
                        "us|");
    assert_string_equal(tag_home("Japan's profits", NULL, NULL, "us"), "jp|");
    assert_string_equal(tag_home("Profits", NULL, NULL, "zz"), "|");
    /* weak evidence alone (a city, a province) beats the home country */
    assert_string_equal(
        tag_home("Profits rise", NULL, "An Alberta company.", "us"), "ca|");
    assert_string_equal(tag_home("Profits rise", NULL,
                                 "Offices in Zurich and Frankfurt.", "us"),
                        "ch,de|");
}

static void test_hostile(void **state)
{
    (void)state;
    TAG(NULL, NULL, "|");
    TAG("", "", "|");
    TAG("\xFF\xFE\xC3 Russia \xE2\x80", "\xC3", "ru|"); /* bad UTF-8 */
    char big[20000];
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = "Kazakhstan- '.\n"[i % 15];
    big[sizeof(big) - 1] = '\0';
    TAG(NULL, big, "kz|");
    char norm[64];
    places_norm("  T\xC3\xBCrkiye's  C\xC3\xB4te-d'Ivoire  ", norm,
                sizeof(norm));
    assert_string_equal(norm, "turkiye cote d ivoire");
    places_norm("Kazakhstan Kazakhstan", norm, 12);
    assert_string_equal(norm, "kazakhstan");
    assert_true(places_find(false, "kz") >= 0);
    assert_true(places_find(true, "sco") >= 0);
    assert_int_equal(places_find(false, "sco"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names_and_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_and_acronyms, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ambiguous_places, setup, teardown),
        cmocka_unit_test_setup_teardown(test_currencies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranking_and_threshold, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
