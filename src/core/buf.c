/*
 * buf.c - growable NUL-terminated byte buffers with a size limit.
 *
 * Invariant: ptr[len] == '\0' and len <= max. On overflow the append is
 * dropped whole and err is set to ERR_TOO_BIG; later appends are ignored.
 */
#include "core/buf.h"

#include "core/arena.h"
#include "core/err.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static char empty[1];

void buf_init(struct buf *b, size_t max)
{
    *b = (struct buf){.ptr = empty, .max = max};
}

void buf_init_arena(struct buf *b, struct arena *a, size_t max)
{
    *b = (struct buf){.ptr = empty, .max = max, .arena = a};
}

void buf_release(struct buf *b)
{
    if (!b->arena && b->ptr != empty)
        free(b->ptr);
    b->ptr = empty;
    b->len = b->cap = 0;
    b->err = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->ptr != empty)
        b->ptr[0] = '\0';
}

char *buf_take(struct buf *b, size_t *len)
{
    char *p = b->ptr == empty ? xstrdup("") : b->ptr;
    if (len)
        *len = b->len;
    *b = (struct buf){.ptr = empty, .max = b->max};
    return p;
}

/* grow makes room for n more bytes plus the NUL; false when over max. */
static bool grow(struct buf *b, size_t n)
{
    if (b->err)
        return false;
    if (n > b->max - b->len) {
        b->err = ERR_TOO_BIG;
        return false;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p;
    if (b->arena) {
        p = arena_alloc(b->arena, cap);
        if (b->len)
            memcpy(p, b->ptr, b->len);
    } else {
        p = xrealloc(b->ptr == empty ? NULL : b->ptr, cap);
    }
    b->ptr = p;
    b->cap = cap;
    return true;
}

void buf_append_grow(struct buf *b, const void *p, size_t n)
{
    if (n == 0 || !grow(b, n))
        return;
    memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void buf_append_str(struct buf *b, struct str s)
{
    buf_append(b, s.ptr, s.len);
}

void buf_append_cstr(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_append_char(struct buf *b, char c)
{
    if (b->len + 1 < b->cap && b->len < b->max && !b->err) {
        b->ptr[b->len++] = c;
        b->ptr[b->len] = '\0';
        return;
    }
    buf_append(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0 || !grow(b, (size_t)n))
        return;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/*
 * What buf_append_html does with each byte: 0 copies it, 1-5 replace it
 * with html_rep[k], 6 drops it (C0 controls other than tab, LF and CR are
 * not text in HTML or XML). A table, so the common run of plain bytes
 * costs one load per byte.
 */
static const unsigned char html_class[256] = {
    6, 6, 6,         6,         6,         6,         6,          6, 6, 0,
    0, 6, 6,         0,         6,         6,         6,          6, 6, 6,
    6, 6, 6,         6,         6,         6,         6,          6, 6, 6,
    6, 6, ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
static const struct str html_rep[] = {
    {"", 0},       {"&amp;", 5}, {"&lt;", 4}, {"&gt;", 4},
    {"&quot;", 6}, {"&#39;", 5}, {"", 0},
};

#ifdef __SSE2__
/* special16 has bit k set when byte k at p is & < > " ' or below 0x20. */
static int special16(const char *p)
{
    const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'),
                  gt = _mm_set1_epi8('>'), quot = _mm_set1_epi8('"'),
                  apos = _mm_set1_epi8('\''), c0 = _mm_set1_epi8(0x1F);
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(x, amp), _mm_cmpeq_epi8(x, lt));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, gt));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, quot));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, apos));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(x, c0), x));
    return _mm_movemask_epi8(m);
}

/*
 * plain_run returns how many of the n bytes at s come before the first
 * that may need escaping (& < > " ' or below 0x20), looking at 16 at a
 * time; a short tail is copied into a padded block first. By hand with
 * SSE2 (in every x86-64): pages escape a few hundred short strings each
 * and this is several times the table's speed.
 */
static size_t plain_run(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        int mask = special16(s + i);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
    if (i == n)
        return n;
    char tail[16];
    memset(tail, 'a', sizeof(tail));
    memcpy(tail, s + i, n - i);
    int mask = special16(tail) & ((1 << (n - i)) - 1);
    return mask ? i + (size_t)__builtin_ctz((unsigned)mask) : n;
}
#else
static size_t plain_run(const char *s, size_t n)
{
    (void)s;
    (void)n;
    return 0;
}
#endif

void buf_append_html(struct buf *b, const char *s, size_t n)
{
    size_t run = 0, i = 0;
    while (i < n) {
        i += plain_run(s + i, n - i);
        /* At most 16 bytes by table, then the fast scan again. */
        size_t stop = n - i > 16 ? i + 16 : n;
        for (; i < stop; i++) {
            unsigned k = html_class[(unsigned char)s[i]];
            if (k == 0)
                continue;
            buf_append(b, s + run, i - run);
            buf_append_str(b, html_rep[k]);
            run = i + 1;
        }
    }
    buf_append(b, s + run, n - run);
}
