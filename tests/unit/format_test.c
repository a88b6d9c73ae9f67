/*
 * format_test.c - render/format.c and render/theme_ini.c: the built-in
 * formats match what Quire always printed; a theme.ini changes them; bad
 * values are refused with the file and line.
 */
#include "content/date.h"
#include "render/format.h"
#include "render/theme_ini.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_arena.h"

static const int64_t JUNE_30_2004 = 1088553600; /* a Wednesday */
static const int64_t JULY_1_2004 = 1088640000;

static void defaults_match_the_old_output(void **state)
{
    (void)state;
    struct theme_format *f = format_default();
    /* date.c's fixed writers were the old output: compare over a range. */
    for (int64_t t = 0; t < 4000000000; t += 86400 * 37 + 3601) {
        assert_string_equal(format_date(&arena, NULL, FMT_DATE_LONG, t),
                            date_long(&arena, t));
        assert_string_equal(format_date(&arena, f, FMT_DATE_LONG, t),
                            date_long(&arena, t));
        assert_string_equal(format_date(&arena, f, FMT_DATE_SHORT, t),
                            date_us(&arena, t));
        assert_string_equal(format_date(&arena, f, FMT_MONTH_YEAR, t),
                            date_month_year(&arena, t));
    }
    assert_string_equal(format_date(&arena, f, FMT_DATE_LONG, JULY_1_2004),
                        "Thursday, 1 July 2004");
    assert_string_equal(format_hits(&arena, NULL, 3093), "Read 3093 times");
    assert_string_equal(format_hits(&arena, f, 1), "Read 1 times");
    assert_string_equal(format_count(&arena, f, 1234567), "1234567");
    format_free(f);
}

static void formats_can_be_changed(void **state)
{
    (void)state;
    char err[256];
    struct theme_format *f = format_default();
    assert_int_equal(format_set_date(f, FMT_DATE_LONG, "%a %d.%m.%y %% %b %h",
                                     err, sizeof(err)),
                     0);
    assert_string_equal(format_date(&arena, f, FMT_DATE_LONG, JUNE_30_2004),
                        "Wed 30.06.04 % Jun Jun");
    assert_int_equal(format_set_names(f, FMT_DAYS,
                                      "dimanche, lundi, mardi, mercredi, "
                                      "jeudi, vendredi, samedi",
                                      err, sizeof(err)),
                     0);
    assert_int_equal(format_set_names(f, FMT_MONTHS,
                                      "janvier,février,mars,avril,mai,juin,"
                                      "juillet,août,septembre,octobre,"
                                      "novembre,décembre",
                                      err, sizeof(err)),
                     0);
    assert_int_equal(format_set_date(f, FMT_DATE_LONG, "%A %e %B %Y, %H:%M",
                                     err, sizeof(err)),
                     0);
    assert_string_equal(
        format_date(&arena, f, FMT_DATE_LONG, JULY_1_2004 + 3600 * 9 + 60 * 5),
        "jeudi  1 juillet 2004, 09:05");
    assert_int_equal(format_set_grouping(f, "\xe2\x80\xaf", err, sizeof(err)),
                     0); /* narrow no-break space */
    assert_string_equal(format_count(&arena, f, 1234567), "1\xe2\x80\xaf"
                                                          "234\xe2\x80\xaf"
                                                          "567");
    assert_string_equal(format_count(&arena, f, 999), "999");
    assert_string_equal(format_count(&arena, f, -1000), "-1\xe2\x80\xaf"
                                                        "000");
    assert_int_equal(format_set_grouping(f, ",", err, sizeof(err)), 0);
    assert_int_equal(format_set_hits(f, FMT_HITS_OTHER, "Lu {n} fois <b>&", err,
                                     sizeof(err)),
                     0);
    assert_int_equal(
        format_set_hits(f, FMT_HITS_ONE, "Lu une fois", err, sizeof(err)), 0);
    assert_string_equal(format_hits(&arena, f, 3093),
                        "Lu 3,093 fois &lt;b&gt;&amp;");
    assert_string_equal(format_hits(&arena, f, 1), "Lu une fois");
    assert_string_equal(format_hits(&arena, f, 0), "Lu 0 fois &lt;b&gt;&amp;");
    assert_int_equal(
        format_set_hits(f, FMT_HITS_ZERO, "Pas encore lu", err, sizeof(err)),
        0);
    assert_string_equal(format_hits(&arena, f, 0), "Pas encore lu");

    /* Refused: unknown conversions, controls, wrong name counts. */
    assert_int_equal(format_set_date(f, FMT_DATE_LONG, "%Q", err, sizeof(err)),
                     ERR_INVALID);
    assert_non_null(strstr(err, "%Q"));
    assert_int_equal(
        format_set_date(f, FMT_DATE_LONG, "100%", err, sizeof(err)),
        ERR_INVALID);
    assert_int_equal(format_set_date(f, FMT_DATE_LONG, "", err, sizeof(err)),
                     ERR_INVALID);
    assert_int_equal(
        format_set_hits(f, FMT_HITS_ONE, "a\x01", err, sizeof(err)),
        ERR_INVALID);
    assert_int_equal(format_set_names(f, FMT_DAYS, "a,b,c", err, sizeof(err)),
                     ERR_INVALID);
    assert_int_equal(
        format_set_names(f, FMT_DAYS, "a,b,c,d,e,f,g,h", err, sizeof(err)),
        ERR_INVALID);
    assert_int_equal(
        format_set_names(f, FMT_DAYS, "a,b,,d,e,f,g", err, sizeof(err)),
        ERR_INVALID);
    assert_int_equal(format_set_grouping(f, "1", err, sizeof(err)),
                     ERR_INVALID);
    /* Nothing refused changed anything. */
    assert_string_equal(format_date(&arena, f, FMT_DATE_LONG, JULY_1_2004),
                        "jeudi  1 juillet 2004, 00:00");
    format_free(f);
}

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "/tmp/quire-format-test-%d-%s", (int)getpid(),
             name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void theme_ini_is_read_with_file_and_line_errors(void **state)
{
    (void)state;
    char err[512];
    struct theme_format *f = NULL;
    assert_int_equal(
        theme_ini_load("/nonexistent/theme.ini", &f, err, sizeof(err)), 0);
    assert_non_null(f); /* a missing file means the defaults */
    assert_string_equal(format_hits(&arena, f, 5), "Read 5 times");
    format_free(f);

    const char *p = write_file("ok.ini",
                               "; comment\n[format]\n"
                               "date_short = %d/%m/%Y ; inline comment\n"
                               "number_grouping = \" \"\n"
                               "hits_other = {n} reads\n"
                               "[names]\n"
                               "months_short = a,b,c,d,e,f,g,h,i,j,k,l\n");
    assert_int_equal(theme_ini_load(p, &f, err, sizeof(err)), 0);
    assert_string_equal(format_date(&arena, f, FMT_DATE_SHORT, JUNE_30_2004),
                        "30/06/2004");
    assert_string_equal(format_hits(&arena, f, 12345), "12 345 reads");
    format_use(f);
    assert_ptr_equal(format_current(), f);
    format_use(NULL);
    format_free(f);
    remove(p);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"[format]\n\ndate_lung = %Y\n", ":3: unknown key 'date_lung' in "
                                         "[format]"},
        {"[names]\ndays = a,b\n", ":2: days: expected 7"},
        {"[format]\ndate_long = %Y\nmonth_year = %J\n", ":3: month_year: "
                                                        "unknown conversion"},
        {"[format]\nthis is not ini\n", ":2: syntax error"},
        {"date_long = %Y\n", ":1: unknown key 'date_long' in []"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = write_file("bad.ini", bad[i].text);
        f = (struct theme_format *)&f; /* must be reset */
        assert_true(theme_ini_load(p, &f, err, sizeof(err)) < 0);
        assert_null(f);
        assert_non_null(strstr(err, p));
        if (!strstr(err, bad[i].want))
            fail_msg("'%s' lacks '%s'", err, bad[i].want);
        remove(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(defaults_match_the_old_output, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(formats_can_be_changed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            theme_ini_is_read_with_file_and_line_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
