/*
 * compress.h - gzip and brotli encodings of a body, for the page cache's
 * variants (core/page.c) and the static export's .gz/.br files. The one
 * module that includes libdeflate and libbrotli.
 */
#ifndef QUIRE_COMPRESS_H
#define QUIRE_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bodies shorter than this are sent as they are (headers cost more). */
#define COMPRESS_MIN_BYTES 1024

/*
 * compress_gzip / compress_brotli return a malloc'd encoding of n bytes at
 * src in *out (*out_len), or -1 (nothing allocated) when it fails or would
 * not be smaller.
 */
int compress_gzip(const char *src, size_t n, char **out, size_t *out_len);
int compress_brotli(const char *src, size_t n, char **out, size_t *out_len);
/*
 * A page with a read count spliced in at send time (core/page.h) keeps
 * encodings made around a placeholder of the count text's length: the
 * bytes before the text, then the bytes after it, each compressed as
 * they will be sent; compress_join puts the text between them, stored
 * as it is (a stored deflate block; an uncompressed brotli meta-block),
 * so a new count costs a copy, not a compression. The placeholder is
 * control bytes no page holds, so nothing after it refers back into it,
 * and distances across it stay right because its length is the text's.
 */
struct compress_splice {
    size_t at;                   /* where the text goes in the decoded bytes */
    size_t cut;                  /* where the text goes in the encoding */
    size_t text_len;             /* the text length the encoding was made for */
    size_t total;                /* gzip: the decoded length, text included */
    uint32_t crc_head, crc_tail; /* gzip: CRC-32 of before and after */
    char carry[2]; /* brotli: the two bytes after the text, stored with it
                      so the context of what follows is the same */
};

/*
 * compress_gzip_around / compress_brotli_around encode the n bytes at src
 * as if text_len bytes were inserted at offset at, into *out (malloc'd)
 * and *sp; the result is checked by decoding it once. -1 (nothing
 * allocated) when that fails, or the encoding would not be smaller.
 */
int compress_gzip_around(const char *src, size_t n, size_t at, size_t text_len,
                         char **out, size_t *out_len,
                         struct compress_splice *sp);
int compress_brotli_around(const char *src, size_t n, size_t at,
                           size_t text_len, char **out, size_t *out_len,
                           struct compress_splice *sp);
/*
 * compress_join returns enc (made by compress_*_around) with the tlen
 * bytes of text put in, malloc'd, its length in *out_len; NULL when tlen
 * is not the length the encoding was made for.
 */
char *compress_join(bool brotli, const char *enc, size_t enc_len,
                    const struct compress_splice *sp, const char *text,
                    size_t tlen, size_t *out_len);
/* compress_worth: is a body of this type and size worth encoding? */
bool compress_worth(const char *content_type, size_t n);

#endif
