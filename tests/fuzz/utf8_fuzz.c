/*
 * utf8_fuzz.c - libFuzzer harness for the UTF-8 validator and decoder
 * (core/utf8.c), checked against a reference written the other way round.
 *
 * utf8.c validates by restricting the second byte's range per lead byte
 * (Unicode Table 3-7). The reference here decodes naively (length from
 * the lead byte, then any continuation bytes) and refuses the result by
 * value: overlong for its length, a surrogate, or above U+10FFFF. The two
 * must agree on every input: validity, the offset of the first bad
 * sequence, and every decoded code point.
 */
#include "core/utf8.h"

#include <assert.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ref_decode: the length of a valid sequence at s, 0 if invalid. */
static size_t ref_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len;
    uint32_t v;
    if (s[0] < 0x80)
        len = 1, v = s[0];
    else if ((s[0] & 0xE0) == 0xC0)
        len = 2, v = s[0] & 0x1F;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3, v = s[0] & 0x0F;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4, v = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min[len] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        return 0;
    *cp = v;
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i = 0, bad = (size_t)-1;
    bool ok = true;
    while (i < size) {
        uint32_t a = 0, b = 0;
        size_t la = utf8_decode((const char *)data + i, size - i, &a);
        size_t lb = ref_decode(data + i, size - i, &b);
        assert(la == lb);
        if (la == 0) {
            ok = false;
            bad = i;
            break;
        }
        assert(a == b);
        i += la;
    }
    size_t off = (size_t)-1;
    assert(utf8_valid((const char *)data, size, &off) == ok);
    if (!ok)
        assert(off == bad);
    return 0;
}
