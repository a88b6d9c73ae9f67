/*
 * slug_fuzz.c - libFuzzer harness for slugs (content/slug.c).
 *
 * The input is a title (any bytes; invalid UTF-8 included). Whatever it
 * is, slug_from_title must give a valid slug; a valid slug of at most
 * SLUG_TARGET characters is its own slug; slug_valid must not read past
 * the string.
 */
#include "content/slug.h"
#include "core/arena.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 1024);
    const char *title = arena_strndup(&a, (const char *)data, size);

    const char *slug = slug_from_title(&a, title);
    assert(slug_valid(slug));
    assert(strlen(slug) <= SLUG_TARGET);
    if (slug_valid(title) && strlen(title) <= SLUG_TARGET)
        assert(strcmp(slug, title) == 0);
    arena_release(&a);
    return 0;
}
