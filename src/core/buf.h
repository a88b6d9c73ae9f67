/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * A buffer has a maximum size; growing past it, like running out of an
 * arena, sets a sticky error so a caller may append many times and check
 * once at the end (buf_error). The bytes come from the heap, or from an
 * arena when buf_init_arena is used (then buf_release is a no-op).
 */
#ifndef QUIRE_BUF_H
#define QUIRE_BUF_H

#include "core/str.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct arena;

struct buf {
    char *ptr;           /* NUL-terminated contents; never NULL after init */
    size_t len;          /* bytes used, excluding the NUL */
    size_t cap;          /* bytes allocated */
    size_t max;          /* growth limit in bytes (excluding the NUL) */
    struct arena *arena; /* NULL: heap */
    int err;             /* 0 or the first error (ERR_TOO_BIG) */
};

#define BUF_MAX_DEFAULT ((size_t)1 << 30)

/* buf_init prepares an empty heap buffer that may grow to max bytes. */
void buf_init(struct buf *b, size_t max);
/* buf_init_arena prepares an empty buffer whose storage comes from a. */
void buf_init_arena(struct buf *b, struct arena *a, size_t max);
/* buf_release frees a heap buffer's storage; the buffer is empty after. */
void buf_release(struct buf *b);
/* buf_reset empties the buffer, keeping its storage and clearing errors. */
void buf_reset(struct buf *b);
/* buf_take hands the heap bytes to the caller (free() them); b is emptied. */
char *buf_take(struct buf *b, size_t *len);

/* buf_append_grow is buf_append's slow path: growing, limits, errors. */
void buf_append_grow(struct buf *b, const void *p, size_t n);
/* buf_append appends n bytes; inline for the common case of room left. */
static inline void buf_append(struct buf *b, const void *p, size_t n)
{
    if (n && n < b->cap - b->len && n <= b->max - b->len && !b->err) {
        memcpy(b->ptr + b->len, p, n);
        b->len += n;
        b->ptr[b->len] = '\0';
        return;
    }
    buf_append_grow(b, p, n);
}
void buf_append_str(struct buf *b, struct str s);
void buf_append_cstr(struct buf *b, const char *s);
void buf_append_char(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/*
 * buf_append_html appends s with & < > " ' escaped for HTML text and
 * attributes, dropping C0 control characters other than tab, CR and LF.
 */
void buf_append_html(struct buf *b, const char *s, size_t n);

/* buf_error returns 0 or the sticky error of every append so far. */
static inline int buf_error(const struct buf *b)
{
    return b->err;
}
static inline struct str buf_str(const struct buf *b)
{
    return (struct str){b->ptr, b->len};
}

#endif
