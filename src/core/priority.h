/*
 * priority.h - background threads give way to requests.
 *
 * The newsletter's senders and the webhook deliverer sign, encode and
 * wait on the network; on a two-core machine a 10,000-message send at
 * full speed took a fifth of the readers' throughput. They run at a
 * lower priority (nice 10, Linux's per-thread nice), so requests come
 * first and the background work uses what is left, at full speed when
 * the site is idle.
 */
#ifndef QUIRE_PRIORITY_H
#define QUIRE_PRIORITY_H

#define BACKGROUND_NICE 10

/* thread_background names the calling thread (at most 15 characters, for
 * top and /proc) and lowers its priority to BACKGROUND_NICE. */
void thread_background(const char *name);

#endif
