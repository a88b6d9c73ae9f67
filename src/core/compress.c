/*
 * compress.c - gzip (zlib) and brotli (libbrotlienc) of whole buffers.
 *
 * Both levels are fixed and shared by the page cache and the export, so a
 * page served by Quire and the same page served by nginx's gzip_static /
 * brotli_static from the export are the same bytes. Brotli 11 would cost
 * tens of milliseconds per page at export time (64,000 files); 6 is within
 * a few percent of its size at a fraction of the CPU.
 */
#include "core/compress.h"

#include "core/xalloc.h"

#include <brotli/encode.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define GZIP_LEVEL 6
#define BROTLI_QUALITY 6

int compress_gzip(const char *src, size_t n, char **out, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    /* 15 + 16: a gzip wrapper, not zlib's. */
    if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&z, (uLong)n);
    char *b = xmalloc(cap);
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)b;
    z.avail_out = (uInt)cap;
    int zrc = deflate(&z, Z_FINISH);
    size_t len = cap - z.avail_out;
    deflateEnd(&z);
    if (zrc != Z_STREAM_END || len >= n) {
        free(b);
        return -1;
    }
    *out = xrealloc(b, len);
    *out_len = len;
    return 0;
}

int compress_brotli(const char *src, size_t n, char **out, size_t *out_len)
{
    size_t cap = BrotliEncoderMaxCompressedSize(n);
    if (cap == 0)
        return -1;
    char *b = xmalloc(cap);
    size_t len = cap;
    if (!BrotliEncoderCompress(BROTLI_QUALITY, BROTLI_DEFAULT_WINDOW,
                               BROTLI_MODE_TEXT, n, (const uint8_t *)src, &len,
                               (uint8_t *)b) ||
        len >= n) {
        free(b);
        return -1;
    }
    *out = xrealloc(b, len);
    *out_len = len;
    return 0;
}

bool compress_worth(const char *ct, size_t n)
{
    if (n < COMPRESS_MIN_BYTES || !ct)
        return false;
    /* Text only: images, PDFs and fonts are compressed already. */
    static const char *const types[] = {
        "text/",
        "application/xml",
        "application/json",
        "application/feed+json",
        "application/atom+xml",
        "application/rss+xml",
        "application/javascript",
        "application/x-bibtex",
        "application/vnd.citationstyles.csl+json",
        "application/x-research-info-systems",
        "image/svg+xml",
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strncasecmp(ct, types[i], strlen(types[i])) == 0)
            return true;
    return false;
}
