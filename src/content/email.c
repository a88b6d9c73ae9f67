/*
 * email.c - a strict, practical address check (RFC 5321 lengths, the
 * dot-atom subset of RFC 5322 that real sign-up forms see). Hand-written:
 * no Debian library validates addresses without also resolving them.
 */
#include "content/email.h"

#include <ctype.h>
#include <string.h>

static bool atext(unsigned char c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~.", c));
}

bool email_valid(const char *s)
{
    size_t n = strlen(s);
    const char *at = strrchr(s, '@');
    if (n > 254 || !at || at == s || (size_t)(at - s) > 64)
        return false;
    for (const char *p = s; p < at; p++)
        if (!atext((unsigned char)*p) ||
            (*p == '.' && (p == s || p[1] == '.' || p + 1 == at)))
            return false;
    const char *d = at + 1;
    int labels = 0;
    size_t len = 0;
    for (const char *p = d;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.' || c == '\0') {
            if (len == 0 || len > 63 || p[-1] == '-')
                return false;
            labels++;
            len = 0;
            if (c == '\0')
                break;
            continue;
        }
        if (!isalnum(c) && c != '-')
            return false;
        if (len == 0 && c == '-')
            return false;
        len++;
    }
    return labels >= 2;
}
