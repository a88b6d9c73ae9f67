/*
 * compress.c - gzip (libdeflate) and brotli (libbrotlienc) of whole
 * buffers.
 *
 * Both levels are fixed and shared by the page cache and the export, so a
 * page served by Quire and the same page served by nginx's gzip_static /
 * brotli_static from the export are the same bytes. They were chosen by
 * measurement on the export of 4,000 Reuters articles (ratio of encoded to
 * plain bytes over its 5,702 text files of 1 KB or more, 54.5 MB; and
 * instructions for 300 article pages, 2.8 MB, callgrind):
 *
 *   zlib 6        0.290   293 M   (what this used before)
 *   libdeflate 6  0.291   194 M   libdeflate 1: 0.298, 97 M
 *   brotli 6      0.267   492 M
 *   brotli 5      0.267   481 M   CPU time about 8 % below 6
 *   brotli 4      0.287   519 M   no smaller than gzip: not worth a file
 *   brotli 1      0.322   118 M   larger than gzip
 *
 * libdeflate compresses whole buffers (all either caller has) at half of
 * zlib's CPU for the same size; brotli pays off only from quality 5, and
 * 11 would cost tens of milliseconds per page.
 */
#include "core/compress.h"

#include "core/xalloc.h"

#include <brotli/encode.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GZIP_LEVEL 6
#define BROTLI_QUALITY 5

/* Each thread keeps one libdeflate compressor (a few hundred KB of match
 * finder, made on its first page and freed when the thread ends): one
 * allocation per page was an mmap and munmap, or a brk up and down. */
static pthread_key_t gz_key;
static pthread_once_t gz_once = PTHREAD_ONCE_INIT;
static bool gz_key_ok;

static void gz_free(void *c)
{
    libdeflate_free_compressor(c);
}

static void gz_key_make(void)
{
    gz_key_ok = pthread_key_create(&gz_key, gz_free) == 0;
}

int compress_gzip(const char *src, size_t n, char **out, size_t *out_len)
{
    if (n < 2)
        return -1;
    pthread_once(&gz_once, gz_key_make);
    struct libdeflate_compressor *c = gz_key_ok ? pthread_getspecific(gz_key)
                                                : NULL;
    bool own = false;
    if (!c) {
        c = libdeflate_alloc_compressor(GZIP_LEVEL);
        if (!c)
            return -1;
        own = !gz_key_ok || pthread_setspecific(gz_key, c) != 0;
    }
    /* Room for n - 1 bytes: libdeflate answers 0 when the encoding would
     * not fit, that is when it would not be smaller. */
    char *b = xmalloc(n - 1);
    size_t len = libdeflate_gzip_compress(c, src, n, b, n - 1);
    if (own)
        libdeflate_free_compressor(c);
    if (len == 0) {
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
