/*
 * arena.c - region allocator.
 *
 * Blocks form a singly linked list, newest first; allocation bumps a
 * pointer in the newest block. A request larger than a quarter block gets a
 * block of its own so big objects do not waste the rest of a block. Under
 * AddressSanitizer the unused tail of each block is poisoned, so reading
 * past an allocation is caught as it would be with malloc.
 */
#include "core/arena.h"

#include "core/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#endif
#endif
#ifndef POISON
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ALIGN 16

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    _Alignas(ALIGN) unsigned char data[];
};

struct arena_defer {
    struct arena_defer *next;
    void (*fn)(void *);
    void *arg;
};

void arena_init(struct arena *a, size_t block_size)
{
    *a = (struct arena){.block_size = block_size ? block_size : 8192};
}

void arena_release(struct arena *a)
{
    /* Deferred cleanups may still read arena memory, so they run first. */
    while (a->defers) {
        struct arena_defer *d = a->defers;
        a->defers = d->next;
        d->fn(d->arg);
    }
    while (a->head) {
        struct arena_block *b = a->head;
        a->head = b->next;
        UNPOISON(b->data, b->size);
        free(b);
    }
}

static struct arena_block *new_block(size_t size)
{
    struct arena_block *b = xmalloc(sizeof(*b) + size);
    b->used = 0;
    b->size = size;
    POISON(b->data, size);
    return b;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need == 0)
        need = ALIGN;
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < need) {
        if (need > a->block_size / 4) {
            /* Big allocation: own block, linked behind the current one. */
            struct arena_block *big = new_block(need);
            big->used = need;
            UNPOISON(big->data, n);
            if (b) {
                big->next = b->next;
                b->next = big;
            } else {
                big->next = NULL;
                a->head = big;
            }
            return big->data;
        }
        b = new_block(a->block_size);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    UNPOISON(p, n);
    return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_cat(struct arena *a, const char *s1, const char *s2)
{
    if (!s1)
        s1 = "";
    if (!s2)
        s2 = "";
    size_t n1 = strlen(s1), n2 = strlen(s2);
    char *p = arena_alloc(a, n1 + n2 + 1);
    memcpy(p, s1, n1);
    memcpy(p + n1, s2, n2 + 1);
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
    struct arena_defer *d = arena_alloc(a, sizeof(*d));
    d->fn = fn;
    d->arg = arg;
    d->next = a->defers;
    a->defers = d;
}
