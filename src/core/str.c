/*
 * str.c - helpers on string slices.
 */
#include "core/str.h"

#include "core/err.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

struct str str_trim(struct str s)
{
    while (s.len && isspace((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && isspace((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

bool str_casestr(struct str s, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (size_t i = 0; i + n <= s.len; i++) {
        size_t j = 0;
        while (j < n && tolower((unsigned char)s.ptr[i + j]) ==
                            tolower((unsigned char)needle[j]))
            j++;
        if (j == n)
            return true;
    }
    return false;
}

int str_to_i64(struct str s, long long min, long long max, long long *out)
{
    size_t i = 0;
    bool neg = false;
    unsigned long long v = 0;

    if (s.len && (s.ptr[0] == '-' || s.ptr[0] == '+')) {
        neg = s.ptr[0] == '-';
        i = 1;
    }
    if (i == s.len)
        return ERR_PARSE;
    for (; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return ERR_PARSE;
        if (v > (ULLONG_MAX - 9) / 10)
            return ERR_INVALID;
        v = v * 10 + (unsigned)(s.ptr[i] - '0');
    }
    if (v > (unsigned long long)LLONG_MAX + (neg ? 1u : 0u))
        return ERR_INVALID;
    long long r = neg ? (long long)(0 - v) : (long long)v;
    if (r < min || r > max)
        return ERR_INVALID;
    *out = r;
    return 0;
}

bool str_http_url(const char *u)
{
    size_t n = strlen(u);
    return (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) &&
           n > 8 && n <= 2048 && !strpbrk(u, " \t\r\n\"'<>");
}
