/*
 * ratelimit.h - token buckets per key (a client address, a target
 * address) in a fixed amount of memory, for limits on what readers may
 * ask of the server: newsletter sign-ups, uncached searches.
 *
 * Keys hash (case-insensitively) into a fixed table; a key that lands on
 * a slot another key holds evicts it and starts with a full bucket, so a
 * flood of distinct keys costs nothing but can at worst forgive a client
 * its history. Thread-safe.
 */
#ifndef QUIRE_CORE_RATELIMIT_H
#define QUIRE_CORE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* ratelimit_new: slots buckets (rounded up to a power of two), each
 * holding up to burst tokens and gaining per_second tokens a second.
 * Memory is about slots * 24 bytes. */
struct ratelimit *ratelimit_new(size_t slots, double burst, double per_second);
void ratelimit_free(struct ratelimit *rl);

/* ratelimit_take takes one token from key's bucket at now (seconds);
 * false if it is empty, with *retry_after (if not NULL) the whole seconds
 * until a token is back (>= 1). */
bool ratelimit_take(struct ratelimit *rl, const char *key, double now,
                    unsigned *retry_after);

#endif
