/*
 * places_fuzz.c - libFuzzer harness for the places tagger
 * (content/places.c).
 *
 * The input is an article: title, intro and body separated by \x01 (any
 * bytes, invalid UTF-8 included). Whatever it is, places_tag must return
 * at most PLACES_MAX hits, each a real entity with a score at or above
 * zero, best first, with no entity twice; places_norm must give only
 * [a-z0-9 ] within its bound.
 */
#include "content/places.h"
#include "core/arena.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 4096);
    char *text = arena_strndup(&a, (const char *)data, size);
    const char *part[3] = {NULL, NULL, NULL};
    char *p = text;
    for (int i = 0; i < 3 && p; i++) {
        part[i] = p;
        p = strchr(p, '\x01');
        if (p)
            *p++ = '\0';
    }
    struct place_hit h[PLACES_MAX];
    size_t n = 99;
    int rc = places_tag(&a, part[0], part[1], part[2], "us", h, PLACES_MAX, &n);
    assert(rc == 0);
    assert(n <= PLACES_MAX);
    for (size_t i = 0; i < n; i++) {
        assert(h[i].entity >= 0 && (size_t)h[i].entity < places_n_entities);
        assert(h[i].score >= 0);
        if (i)
            assert(h[i - 1].score >= h[i].score);
        for (size_t j = 0; j < i; j++)
            assert(h[j].entity != h[i].entity);
    }
    char norm[97];
    places_norm(part[0], norm, sizeof(norm));
    assert(strlen(norm) < sizeof(norm));
    for (const char *c = norm; *c; c++)
        assert((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
               *c == ' ');
    arena_release(&a);
    return 0;
}
