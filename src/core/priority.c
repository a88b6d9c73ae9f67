/*
 * priority.c - background threads give way to requests (priority.h).
 */
#include "core/priority.h"

#include "core/log.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

void thread_background(const char *name)
{
    (void)pthread_setname_np(pthread_self(), name);
    /* On Linux the nice value is per thread: set it on this thread's id.
     * Lowering a priority needs no privilege; failing to is harmless. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), BACKGROUND_NICE) != 0)
        log_debug("%s: cannot lower the thread's priority", name);
}
