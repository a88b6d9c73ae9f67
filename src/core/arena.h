/*
 * arena.h - a region allocator: many allocations, one release.
 *
 * Everything a request needs comes from its arena and is freed in one step
 * when the response is done. Cleanups that are not memory (a statement to
 * reset, a reference to drop) are registered with arena_defer and run in
 * reverse order by arena_release. Allocation aborts on out-of-memory, like
 * xmalloc; a single arena is not thread-safe.
 */
#ifndef QUIRE_ARENA_H
#define QUIRE_ARENA_H

#include "core/str.h"

#include <stddef.h>

struct arena_block;
struct arena_defer;

struct arena {
    struct arena_block *head;
    struct arena_defer *defers;
    size_t block_size;
};

/* arena_init prepares an empty arena whose blocks are block_size bytes. */
void arena_init(struct arena *a, size_t block_size);
/* arena_release runs deferred cleanups and frees every block; the arena
 * is then empty and ready for reuse. */
void arena_release(struct arena *a);

/* arena_alloc returns n bytes aligned for any type (uninitialised). */
void *arena_alloc(struct arena *a, size_t n);
/* arena_zalloc returns n zeroed bytes. */
void *arena_zalloc(struct arena *a, size_t n);
/* arena_strndup copies n bytes and a NUL into the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* arena_cat joins s1 and s2 (NULL counts as ""): a cheap "%s%s" printf. */
char *arena_cat(struct arena *a, const char *s1, const char *s2);
/* arena_printf formats into the arena and returns the NUL-terminated result. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* arena_defer calls fn(arg) when the arena is released (last in, first out). */
void arena_defer(struct arena *a, void (*fn)(void *), void *arg);

#define ARENA_NEW(a, type) ((type *)arena_zalloc((a), sizeof(type)))
#define ARENA_NEW_ARRAY(a, type, n)                                            \
    ((type *)arena_zalloc((a), sizeof(type) * (n)))

#endif
