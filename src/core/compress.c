/*
 * compress.c - gzip (libdeflate) and brotli (libbrotlienc) of whole
 * buffers; and, for pages with a spliced read count, encodings around
 * the count (zlib's streaming deflate and sync flushes, which libdeflate
 * has not, and brotli's flushes), checked with zlib's inflate and
 * libbrotlidec.
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

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

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

/* --- encodings around a spliced text ------------------------------- */

/* placeholder fills b with n control bytes, which the HTML escaper keeps
 * out of every page, all different up to 27 (a brotli encoder finds no
 * copy inside it, so its distance cache stays as the stored block leaves
 * it). */
static void placeholder(char *b, size_t n)
{
    static const char ctl[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f"
                              "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
                              "\x1b\x1c\x1d\x1e\x1f";
    for (size_t i = 0; i < n; i++)
        b[i] = ctl[i % (sizeof(ctl) - 1)];
}

/* expected is src with a sample text of tlen bytes at at, malloc'd. */
static char *expected(const char *src, size_t n, size_t at, size_t tlen)
{
    char *x = xmalloc(n + tlen + 1);
    memcpy(x, src, at);
    memset(x + at, 'x', tlen);
    memcpy(x + at + tlen, src + at, n - at);
    return x;
}

/* joined_ok decodes enc joined with a sample text and compares. */
static bool joined_ok(bool brotli, const char *enc, size_t enc_len,
                      const struct compress_splice *sp, const char *src,
                      size_t n)
{
    size_t tlen = sp->text_len, jlen, want = n + tlen;
    char *x = expected(src, n, sp->at, tlen);
    char *j = compress_join(brotli, enc, enc_len, sp, x + sp->at, tlen, &jlen);
    char *d = xmalloc(want + 1);
    bool ok = false;
    if (brotli) {
        size_t dlen = want + 1;
        ok = BrotliDecoderDecompress(jlen, (const uint8_t *)j, &dlen,
                                     (uint8_t *)d) ==
                 BROTLI_DECODER_RESULT_SUCCESS &&
             dlen == want;
    } else {
        z_stream z;
        memset(&z, 0, sizeof(z));
        if (inflateInit2(&z, 15 + 16) == Z_OK) {
            z.next_in = (Bytef *)j;
            z.avail_in = (uInt)jlen;
            z.next_out = (Bytef *)d;
            z.avail_out = (uInt)(want + 1);
            ok = inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == want &&
                 z.avail_in == 0;
            inflateEnd(&z);
        }
    }
    ok = ok && memcmp(d, x, want) == 0;
    free(d);
    free(j);
    free(x);
    return ok;
}

static bool deflate_part(z_stream *z, const char *in, size_t n, int flush)
{
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)n;
    int rc = deflate(z, flush);
    return z->avail_in == 0 &&
           (flush == Z_FINISH ? rc == Z_STREAM_END : rc == Z_OK);
}

int compress_gzip_around(const char *src, size_t n, size_t at, size_t text_len,
                         char **out, size_t *out_len,
                         struct compress_splice *sp)
{
    if (at > n || text_len > 65535)
        return -1;
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&z, (uLong)(n + text_len)) + 64;
    char *b = xmalloc(cap), *ph = xmalloc(text_len + 1);
    placeholder(ph, text_len);
    z.next_out = (Bytef *)b;
    z.avail_out = (uInt)cap;
    /* Sync flushes end the bytes before and the placeholder on a byte
     * boundary, so a stored block can take the placeholder's place. */
    bool ok = deflate_part(&z, src, at, Z_SYNC_FLUSH);
    size_t cut = cap - z.avail_out;
    /* (a second sync flush with nothing new would fail: Z_BUF_ERROR) */
    ok = ok && (text_len == 0 || deflate_part(&z, ph, text_len, Z_SYNC_FLUSH));
    size_t resume = cap - z.avail_out;
    ok = ok && deflate_part(&z, src + at, n - at, Z_FINISH);
    size_t len = cap - z.avail_out;
    deflateEnd(&z);
    free(ph);
    if (!ok || len < resume + 8) {
        free(b);
        return -1;
    }
    /* Kept: the header and the bytes before, then the bytes after without
     * the trailer (its CRC and length include the text: compress_join). */
    memmove(b + cut, b + resume, len - 8 - resume);
    size_t elen = len - 8 - (resume - cut);
    *sp = (struct compress_splice){
        .at = at,
        .cut = cut,
        .text_len = text_len,
        .total = n + text_len,
        .crc_head = (uint32_t)crc32(0, (const Bytef *)src, (uInt)at),
        .crc_tail =
            (uint32_t)crc32(0, (const Bytef *)src + at, (uInt)(n - at))};
    if (elen + 13 >= n || !joined_ok(false, b, elen, sp, src, n)) {
        free(b);
        return -1;
    }
    *out = xrealloc(b, elen);
    *out_len = elen;
    return 0;
}

/* brotli_part feeds n bytes with op, appending to out[*pos..cap). */
static bool brotli_part(BrotliEncoderState *e, const char *in, size_t n,
                        BrotliEncoderOperation op, char *out, size_t cap,
                        size_t *pos)
{
    size_t avail_in = n, avail_out = cap - *pos;
    const uint8_t *next_in = (const uint8_t *)in;
    uint8_t *next_out = (uint8_t *)out + *pos;
    do {
        if (!BrotliEncoderCompressStream(e, op, &avail_in, &next_in, &avail_out,
                                         &next_out, NULL) ||
            avail_out == 0)
            return false;
    } while (avail_in > 0 || BrotliEncoderHasMoreOutput(e) ||
             (op == BROTLI_OPERATION_FINISH && !BrotliEncoderIsFinished(e)));
    *pos = cap - avail_out;
    return true;
}

int compress_brotli_around(const char *src, size_t n, size_t at,
                           size_t text_len, char **out, size_t *out_len,
                           struct compress_splice *sp)
{
    if (at + 2 > n || text_len + 2 > 65536)
        return -1;
    BrotliEncoderState *e = BrotliEncoderCreateInstance(NULL, NULL, NULL);
    if (!e)
        return -1;
    BrotliEncoderSetParameter(e, BROTLI_PARAM_QUALITY, BROTLI_QUALITY);
    BrotliEncoderSetParameter(e, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
    BrotliEncoderSetParameter(e, BROTLI_PARAM_SIZE_HINT,
                              (uint32_t)(n + text_len));
    size_t cap = BrotliEncoderMaxCompressedSize(n + text_len) + 1024, pos = 0;
    char *b = xmalloc(cap), *ph = xmalloc(text_len + 2);
    /* The placeholder and the two bytes after it, so the literals after
     * the stored meta-block see the same two previous bytes. */
    placeholder(ph, text_len);
    memcpy(ph + text_len, src + at, 2);
    bool ok = brotli_part(e, src, at, BROTLI_OPERATION_FLUSH, b, cap, &pos);
    size_t cut = pos;
    ok = ok &&
         brotli_part(e, ph, text_len + 2, BROTLI_OPERATION_FLUSH, b, cap, &pos);
    size_t resume = pos;
    ok = ok && brotli_part(e, src + at + 2, n - at - 2, BROTLI_OPERATION_FINISH,
                           b, cap, &pos);
    BrotliEncoderDestroyInstance(e);
    free(ph);
    if (!ok) {
        free(b);
        return -1;
    }
    memmove(b + cut, b + resume, pos - resume);
    size_t elen = pos - (resume - cut);
    *sp = (struct compress_splice){
        .at = at, .cut = cut, .text_len = text_len, .total = n + text_len};
    memcpy(sp->carry, src + at, 2);
    if (elen + 5 >= n || !joined_ok(true, b, elen, sp, src, n)) {
        free(b);
        return -1;
    }
    *out = xrealloc(b, elen);
    *out_len = elen;
    return 0;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

char *compress_join(bool brotli, const char *enc, size_t enc_len,
                    const struct compress_splice *sp, const char *text,
                    size_t tlen, size_t *out_len)
{
    if (tlen != sp->text_len || sp->cut > enc_len)
        return NULL;
    /* brotli: an uncompressed meta-block (ISLAST 0, four nibbles of
     * MLEN - 1, ISUNCOMPRESSED 1, padding: 20 bits in 3 bytes) holding
     * the text and the two bytes carried; gzip: a stored block (BFINAL
     * 0, BTYPE 00, then LEN and NLEN) and, at the end, the trailer. */
    size_t mid = brotli ? 3 + tlen + 2 : 5 + tlen, tail = brotli ? 0 : 8;
    size_t n = enc_len + mid + tail;
    unsigned char *o = xmalloc(n), *m = o + sp->cut;
    memcpy(o, enc, sp->cut);
    if (brotli) {
        uint32_t h = ((uint32_t)(tlen + 2 - 1) << 3) | (1u << 19);
        m[0] = (unsigned char)h;
        m[1] = (unsigned char)(h >> 8);
        m[2] = (unsigned char)(h >> 16);
        memcpy(m + 3, text, tlen);
        memcpy(m + 3 + tlen, sp->carry, 2);
    } else {
        m[0] = 0;
        m[1] = (unsigned char)tlen;
        m[2] = (unsigned char)(tlen >> 8);
        m[3] = (unsigned char)~tlen;
        m[4] = (unsigned char)(~tlen >> 8);
        memcpy(m + 5, text, tlen);
    }
    memcpy(m + mid, enc + sp->cut, enc_len - sp->cut);
    if (!brotli) {
        uLong crc = crc32_combine(sp->crc_head,
                                  crc32(0, (const Bytef *)text, (uInt)tlen),
                                  (z_off_t)tlen);
        crc = crc32_combine(crc, sp->crc_tail,
                            (z_off_t)(sp->total - tlen - sp->at));
        put_le32(o + n - 8, (uint32_t)crc);
        put_le32(o + n - 4, (uint32_t)sp->total);
    }
    *out_len = n;
    return (char *)o;
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
