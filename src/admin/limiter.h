/*
 * limiter.h - counts failed logins per key ("a:" account, "i:" address)
 * in a fixed window, in a fixed amount of memory.
 */
#ifndef QUIRE_ADMIN_LIMITER_H
#define QUIRE_ADMIN_LIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct limiter;

/* limiter_new: slots entries (rounded up to a power of two), window
 * seconds. Memory is slots * 24 bytes, whatever clients send. */
struct limiter *limiter_new(size_t slots, unsigned window);
void limiter_free(struct limiter *l);
/*
 * limiter_blocked: has key reached max failures in its window at now?
 * If so *retry_after is the seconds until the window ends (>= 1).
 */
bool limiter_blocked(struct limiter *l, const char *key, unsigned max,
                     int64_t now, unsigned *retry_after);
/* limiter_fail counts one failure of key at now. */
void limiter_fail(struct limiter *l, const char *key, int64_t now);
/* limiter_clear forgets key (a successful login of that account). */
void limiter_clear(struct limiter *l, const char *key);

#endif
