/*
 * compress.h - gzip and brotli encodings of a body, for the page cache's
 * variants (core/page.c) and the static export's .gz/.br files. The one
 * module that includes libdeflate and libbrotli.
 */
#ifndef QUIRE_COMPRESS_H
#define QUIRE_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

/* Bodies shorter than this are sent as they are (headers cost more). */
#define COMPRESS_MIN_BYTES 1024

/*
 * compress_gzip / compress_brotli return a malloc'd encoding of n bytes at
 * src in *out (*out_len), or -1 (nothing allocated) when it fails or would
 * not be smaller.
 */
int compress_gzip(const char *src, size_t n, char **out, size_t *out_len);
int compress_brotli(const char *src, size_t n, char **out, size_t *out_len);
/* compress_worth: is a body of this type and size worth encoding? */
bool compress_worth(const char *content_type, size_t n);

#endif
