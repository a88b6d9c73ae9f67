/*
 * limiter.c - a bounded table of failure counters.
 *
 * Open addressing over a power-of-two array, keyed by a 64-bit hash of
 * the key (FNV-1a with a per-process random basis so a client cannot
 * aim collisions). A lookup probes PROBE slots; a new key takes an empty
 * or expired slot there, else the slot whose window started first: under
 * a flood of addresses the oldest counters go, the table never grows.
 * Written by hand: no Debian library offers a bounded rate limiter.
 */
#include "admin/limiter.h"

#include "admin/auth.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { PROBE = 8 };

struct slot {
    uint64_t key;  /* 0: empty */
    int64_t start; /* window start */
    uint32_t count;
};

struct limiter {
    pthread_mutex_t lock;
    struct slot *slots;
    size_t mask;
    unsigned window;
    uint64_t basis;
};

struct limiter *limiter_new(size_t slots, unsigned window)
{
    size_t n = 16;
    while (n < slots)
        n <<= 1;
    struct limiter *l = xcalloc(1, sizeof(*l));
    l->slots = xcalloc(n, sizeof(*l->slots));
    l->mask = n - 1;
    l->window = window;
    auth_random_bytes(&l->basis, sizeof(l->basis));
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

void limiter_free(struct limiter *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    free(l->slots);
    free(l);
}

static uint64_t hash(const struct limiter *l, const char *key)
{
    uint64_t h = l->basis ^ 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h ? h : 1;
}

/* rank: how gladly a slot is given to a new key (lower: sooner). */
static int rank(const struct limiter *l, const struct slot *s, int64_t now)
{
    if (s->key == 0)
        return 0;
    return now - s->start >= l->window ? 1 : 2;
}

/* find returns key's slot or NULL; with make, a slot for it. */
static struct slot *find(struct limiter *l, uint64_t h, int64_t now, bool make)
{
    struct slot *victim = NULL;
    for (size_t i = 0; i < PROBE; i++) {
        struct slot *s = &l->slots[(h + i) & l->mask];
        if (s->key == h)
            return s;
        if (!make)
            continue;
        int r = rank(l, s, now);
        if (!victim || r < rank(l, victim, now) ||
            (r == rank(l, victim, now) && s->start < victim->start))
            victim = s;
    }
    if (!make)
        return NULL;
    victim->key = h;
    victim->start = now;
    victim->count = 0;
    return victim;
}

bool limiter_blocked(struct limiter *l, const char *key, unsigned max,
                     int64_t now, unsigned *retry_after)
{
    bool blocked = false;
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l, hash(l, key), now, false);
    if (s && now - s->start < l->window && s->count >= max) {
        blocked = true;
        int64_t left = s->start + l->window - now;
        *retry_after = left < 1 ? 1 : (unsigned)left;
    }
    pthread_mutex_unlock(&l->lock);
    return blocked;
}

void limiter_fail(struct limiter *l, const char *key, int64_t now)
{
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l, hash(l, key), now, true);
    if (now - s->start >= l->window) {
        s->start = now;
        s->count = 0;
    }
    if (s->count < UINT32_MAX)
        s->count++;
    pthread_mutex_unlock(&l->lock);
}

void limiter_clear(struct limiter *l, const char *key)
{
    pthread_mutex_lock(&l->lock);
    struct slot *s = find(l, hash(l, key), 0, false);
    if (s)
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&l->lock);
}
