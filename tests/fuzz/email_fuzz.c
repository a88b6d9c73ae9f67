/*
 * email_fuzz.c - libFuzzer harness for the sign-up form's address check
 * (content/email.c).
 *
 * The input is what a reader typed. Besides crashes, it checks the
 * promise in email.h for every address accepted: at most 254 bytes, a
 * local part of 1..64 bytes, printable ASCII only, no space, quote,
 * bracket or comma, and a dotted domain without empty labels.
 */
#include "content/email.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = strndup((const char *)data, size);
    if (email_valid(s)) {
        size_t n = strlen(s);
        const char *at = strrchr(s, '@');
        assert(n <= 254 && at && at > s && at - s <= 64);
        for (const char *p = s; *p; p++)
            assert(*p > ' ' && *p < 0x7f && !strchr("\"()<>[],;:\\", *p));
        const char *dom = at + 1;
        assert(strchr(dom, '.') && dom[0] != '.' && s[n - 1] != '.' &&
               !strstr(dom, ".."));
    }
    free(s);
    return 0;
}
