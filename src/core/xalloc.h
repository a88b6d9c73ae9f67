/*
 * xalloc.h - allocation that aborts on failure.
 *
 * Small allocations cannot meaningfully fail on Linux; checking each one
 * scatters dead branches. Buffers filled from outside input have their own
 * limits (see buf.h) so they fail with ERR_TOO_BIG before memory runs out.
 */
#ifndef QUIRE_XALLOC_H
#define QUIRE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
