/*
 * nocache.c - QUIRE_NO_CACHE, read once (see nocache.h).
 */
#include "core/nocache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool off;

static void read_env(void)
{
    const char *v = getenv("QUIRE_NO_CACHE");
    off = v && strcmp(v, "1") == 0;
}

void nocache_init(void)
{
    pthread_once(&once, read_env);
}

bool nocache_on(void)
{
    pthread_once(&once, read_env);
    return off;
}
