/*
 * service.h - talking to systemd (libsystemd, only here): readiness and
 * reload notices for Type=notify units, and sockets passed by socket
 * activation (LISTEN_FDS). Without systemd every call is a no-op.
 */
#ifndef QUIRE_SERVICE_H
#define QUIRE_SERVICE_H

/* service_listen_fd: the one socket systemd passed (a quire.socket unit),
 * or -1 when there is none. More than one is an error: -2. */
int service_listen_fd(void);
/* service_ready: "READY=1" with a status line, once serving. */
void service_ready(const char *status);
/* service_reloading / service_reloaded: around a SIGHUP reload. */
void service_reloading(void);
void service_reloaded(void);
/* service_stopping: "STOPPING=1". */
void service_stopping(void);

#endif
