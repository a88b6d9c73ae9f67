/*
 * email_list_fuzz.c - libFuzzer harness for `quire subscriber import`'s
 * reader (content/email_list.c): any bytes, read as one address a line or
 * as a CSV with an email column. Checks that every address handed on is
 * non-empty, NUL-terminated within its bound, and that line numbers only
 * grow.
 */
#include "content/email_list.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *ud, size_t line, const char *email, const char *why)
{
    size_t *last = ud;
    assert(line >= *last);
    *last = line;
    assert(email ? (*email && strlen(email) < 1024) : why != NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    size_t last = 0;
    (void)email_list_parse(s, size, check, &last);
    free(s);
    return 0;
}
