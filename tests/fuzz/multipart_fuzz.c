/*
 * multipart_fuzz.c - libFuzzer harness for the upload body parser
 * (http/multipart.c).
 *
 * The input is a Content-Type line, a NUL byte, then the body. Whatever
 * the bytes, multipart_parse must not read outside them, and every part
 * it returns must lie inside the body and in order, with a non-empty name.
 */
#include "http/multipart.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    const char *nul = memchr(d, 0, size);
    struct str ct = {d, nul ? (size_t)(nul - d) : size};
    struct str body = nul ? (struct str){nul + 1, size - ct.len - 1}
                          : (struct str){d + size, 0};
    struct multipart_part parts[8];
    size_t n = 0;
    int rc = multipart_parse(ct, body, parts, 8, &n);
    assert(n <= 8);
    assert(rc == 0 || rc == ERR_PARSE || rc == ERR_TOO_BIG);
    const char *prev = body.ptr;
    for (size_t i = 0; i < n; i++) {
        const struct multipart_part *p = &parts[i];
        assert(p->name.len > 0);
        assert(p->data.ptr >= prev);
        assert(p->data.ptr + p->data.len <= body.ptr + body.len);
        prev = p->data.ptr + p->data.len;
        (void)multipart_find(parts, n, "file");
    }
    return 0;
}
