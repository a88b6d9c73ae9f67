/*
 * compress_test.c - encodings around a spliced count (core/compress.c):
 * joined with any text of the length they were made for, gzip and brotli
 * decode to the page with that text in; another length is refused; the
 * count at the very start or end of a page; a page the check refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/compress.h"
#include "core/xalloc.h"

#include <brotli/decode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* page makes an HTML-like page of about n bytes with a mark at *at. */
static char *page(size_t n, size_t *at)
{
    char *p = xmalloc(n + 1);
    size_t len = 0;
    for (int i = 0; len + 80 < n; i++)
        len += (size_t)snprintf(p + len, n - len,
                                "<li><a href=\"/articles/a-%d\">Article %d "
                                "on the Caspian</a></li>\n",
                                i % 37, i);
    *at = len / 2;
    p[len] = '\0';
    return p;
}

static char *decoded(bool brotli, const char *enc, size_t n, size_t want)
{
    char *d = xmalloc(want + 16);
    if (brotli) {
        size_t dlen = want + 16;
        assert_int_equal(BrotliDecoderDecompress(n, (const uint8_t *)enc, &dlen,
                                                 (uint8_t *)d),
                         BROTLI_DECODER_RESULT_SUCCESS);
        assert_int_equal(dlen, want);
    } else {
        z_stream z;
        memset(&z, 0, sizeof(z));
        assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
        z.next_in = (Bytef *)(uintptr_t)enc;
        z.avail_in = (uInt)n;
        z.next_out = (Bytef *)d;
        z.avail_out = (uInt)(want + 16);
        assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
        assert_int_equal(z.total_out, want);
        inflateEnd(&z);
    }
    return d;
}

/* check encodes src around at for texts of tlen bytes and joins each. */
static void check(bool brotli, const char *src, size_t at, size_t tlen)
{
    size_t n = strlen(src), elen;
    char *enc;
    struct compress_splice sp;
    int rc = brotli ? compress_brotli_around(src, n, at, tlen, &enc, &elen, &sp)
                    : compress_gzip_around(src, n, at, tlen, &enc, &elen, &sp);
    if (rc != 0)
        fail_msg("%s around %zu for %zu bytes: refused", brotli ? "br" : "gz",
                 at, tlen);
    assert_true(elen < n / 2);
    static const char *const texts[] = {"Read 3093 times", "Read once",
                                        "Lu 9 999 fois", "0123456789"};
    for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
        char text[64];
        /* any text, cut or padded to the length made for */
        snprintf(text, sizeof(text), "%-*.*s", (int)tlen, (int)tlen, texts[k]);
        size_t jlen;
        char *j = compress_join(brotli, enc, elen, &sp, text, tlen, &jlen);
        assert_non_null(j);
        char *d = decoded(brotli, j, jlen, n + tlen);
        assert_memory_equal(d, src, at);
        assert_memory_equal(d + at, text, tlen);
        assert_memory_equal(d + at + tlen, src + at, n - at);
        free(d);
        free(j);
    }
    size_t jlen;
    assert_null(compress_join(brotli, enc, elen, &sp, "x", tlen + 1, &jlen));
    free(enc);
}

static void joined_texts_decode(void **state)
{
    (void)state;
    size_t at;
    char *p = page(20000, &at);
    for (int brotli = 0; brotli < 2; brotli++) {
        check(brotli, p, at, 15);
        check(brotli, p, at, 9);
        check(brotli, p, at, 0);
        check(brotli, p, 0, 12);             /* the count first */
        check(brotli, p, strlen(p) - 2, 12); /* last but two (brotli's
                                                carry needs two after) */
    }
    check(false, p, strlen(p), 12); /* gzip: the count last */
    free(p);
}

static void refused(void **state)
{
    (void)state;
    size_t at, elen;
    char *p = page(20000, &at), *enc;
    struct compress_splice sp;
    /* No room after the count for brotli's two carried bytes. */
    assert_int_equal(
        compress_brotli_around(p, strlen(p), strlen(p), 5, &enc, &elen, &sp),
        -1);
    assert_int_equal(
        compress_gzip_around(p, strlen(p), strlen(p) + 1, 5, &enc, &elen, &sp),
        -1);
    /* Too short to be worth it. */
    assert_int_equal(
        compress_gzip_around("<p>x</p>", 8, 3, 4, &enc, &elen, &sp), -1);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(joined_texts_decode),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
