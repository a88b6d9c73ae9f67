/*
 * nocache.h - the switch that turns every cache off (QUIRE_NO_CACHE=1).
 *
 * Read once, at start-up (main calls nocache_init; a program that does
 * not gets it read on first use), never again: a cache turned off half
 * way would mix pages of both kinds. With it on, every page is rendered
 * from the database for every request, every store memo misses, and what
 * is served must be byte for byte what the caches serve (tests/e2e/
 * test_caches.py compares the two). docs/internals/caches.md lists what
 * it turns off.
 */
#ifndef QUIRE_NOCACHE_H
#define QUIRE_NOCACHE_H

#include <stdbool.h>

/* nocache_init reads QUIRE_NO_CACHE ("1" turns the caches off). */
void nocache_init(void);
/* nocache_on: are the caches off? */
bool nocache_on(void);

#endif
