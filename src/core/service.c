/*
 * service.c - sd_notify and sd_listen_fds from libsystemd (see service.h).
 */
#include "core/service.h"

#include <systemd/sd-daemon.h>

int service_listen_fd(void)
{
    int n = sd_listen_fds(1); /* unsets LISTEN_FDS: children do not see it */
    if (n <= 0)
        return -1;
    if (n > 1)
        return -2;
    return SD_LISTEN_FDS_START;
}

void service_ready(const char *status)
{
    sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void service_reloading(void)
{
    sd_notify(0, "RELOADING=1");
}

void service_reloaded(void)
{
    sd_notify(0, "READY=1");
}

void service_stopping(void)
{
    sd_notify(0, "STOPPING=1");
}
