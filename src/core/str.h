/*
 * str.h - string slices: a pointer and a length, passed by value.
 *
 * A slice does not own its bytes and need not be NUL-terminated.
 */
#ifndef QUIRE_STR_H
#define QUIRE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct str {
    const char *ptr;
    size_t len;
};

#define STR(lit) ((struct str){(lit), sizeof(lit) - 1})
#define STR_NULL ((struct str){NULL, 0})
#define STR_FMT(s) (int)(s).len, (s).ptr /* for printf("%.*s") */

static inline struct str str_from(const char *s)
{
    return (struct str){s, s ? strlen(s) : 0};
}

static inline bool str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool str_eq_cstr(struct str a, const char *b)
{
    return str_eq(a, str_from(b));
}

static inline bool str_starts_with(struct str s, struct str prefix)
{
    return s.len >= prefix.len && memcmp(s.ptr, prefix.ptr, prefix.len) == 0;
}

/* str_trim drops ASCII whitespace from both ends. */
struct str str_trim(struct str s);

/* str_casestr reports whether needle occurs in s, ASCII case-insensitively. */
bool str_casestr(struct str s, const char *needle);

/* str_http_url reports whether u is an absolute http(s) URL of at most
 * 2,048 bytes with nothing that could break out of an attribute (no
 * whitespace, quotes or angle brackets): what a reader may be sent to. */
bool str_http_url(const char *u);

/*
 * str_to_i64 parses all of s as a decimal integer in [min, max].
 * Returns 0, ERR_PARSE on non-digits or empty input, ERR_INVALID out of range.
 */
int str_to_i64(struct str s, long long min, long long max, long long *out)
    __attribute__((warn_unused_result));

#endif
