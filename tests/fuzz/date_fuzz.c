/*
 * date_fuzz.c - libFuzzer harness for the date parsers and printers
 * (content/date.c).
 *
 * The input is a date as written in front matter. Besides crashes and UB,
 * it checks what the parsers promise: date_parse agrees with the two
 * specific parsers, date_valid_ymd with date_parse_ymd, a parsed
 * YYYY-MM-DD prints back as itself, and a parsed RFC 3339 time prints as
 * an RFC 3339 string that parses to the same instant (when the offset
 * kept its year in 0001..9999). The first 8 bytes, read as a
 * time, also go through every printer: stored times are not all parsed.
 */
#include "content/date.h"
#include "core/arena.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void print_all(struct arena *a, int64_t t)
{
    (void)date_long(a, t);
    (void)date_us(a, t);
    (void)date_rfc822(a, t);
    (void)date_month_year(a, t);
    (void)date_ymd(a, t);
    (void)date_rfc3339(a, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct arena a;
    arena_init(&a, 1024);
    int64_t t, u, v;

    int ymd = date_parse_ymd(s, size, &t);
    if (ymd == 0) {
        assert(strlen(date_ymd(&a, t)) == 10 &&
               memcmp(date_ymd(&a, t), s, 10) == 0);
        print_all(&a, t);
    }
    int rfc = date_parse_rfc3339(s, size, &u);
    if (rfc == 0) {
        const char *back = date_rfc3339(&a, u);
        /* Back in range only if the offset kept the year in 0001..9999. */
        if (strlen(back) == 20 && back[0] >= '0' && back[0] <= '9' &&
            strncmp(back, "0000", 4) != 0) {
            int rc = date_parse_rfc3339(back, 20, &v);
            assert(rc == 0 && v == u);
        }
        print_all(&a, u);
    }
    int any = date_parse(s, size, &v);
    assert((any == 0) == (size == 10 ? ymd == 0 : rfc == 0));
    if (any == 0)
        assert(v == (size == 10 ? t : u));

    char *z = arena_strndup(&a, s, size);
    if (strlen(z) == size)
        assert(date_valid_ymd(z) == (ymd == 0));

    if (size >= 8) {
        int64_t raw;
        memcpy(&raw, data, sizeof(raw));
        print_all(&a, raw);
    }
    arena_release(&a);
    return 0;
}
