/*
 * ratelimit.c - token buckets per key in a fixed table (ratelimit.h).
 * Written here: a bucket is a dozen lines, no Debian library offers one.
 */
#include "core/ratelimit.h"

#include "core/xalloc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

struct slot {
    uint64_t key; /* 0: empty */
    double tokens;
    double at;
};

struct ratelimit {
    pthread_mutex_t lock;
    size_t mask;
    double burst, rate;
    struct slot *slots;
};

struct ratelimit *ratelimit_new(size_t slots, double burst, double per_second)
{
    size_t n = 1;
    while (n < slots)
        n <<= 1;
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));
    pthread_mutex_init(&rl->lock, NULL);
    rl->mask = n - 1;
    rl->burst = burst;
    rl->rate = per_second;
    rl->slots = xcalloc(n, sizeof(*rl->slots));
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->slots);
    free(rl);
}

/* FNV-1a, case-folded (e-mail addresses), never 0 (the empty slot). */
static uint64_t hash_ci(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h = (h ^ c) * 1099511628211ULL;
    }
    return h | 1;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, double now,
                    unsigned *retry_after)
{
    uint64_t h = hash_ci(key ? key : "");
    pthread_mutex_lock(&rl->lock);
    struct slot *s = &rl->slots[h & rl->mask];
    if (s->key != h)
        *s = (struct slot){.key = h, .tokens = rl->burst, .at = now};
    if (now > s->at)
        s->tokens = fmin(rl->burst, s->tokens + (now - s->at) * rl->rate);
    s->at = now;
    bool ok = s->tokens >= 1.0;
    if (ok)
        s->tokens -= 1.0;
    double wait = ok || rl->rate <= 0 ? 0 : (1.0 - s->tokens) / rl->rate;
    pthread_mutex_unlock(&rl->lock);
    if (retry_after)
        *retry_after = ok ? 0 : (unsigned)fmax(1.0, ceil(wait));
    return ok;
}
