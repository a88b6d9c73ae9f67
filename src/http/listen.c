/*
 * listen.c - a listening Unix socket (`listen = unix:/run/quire/quire.sock`)
 * for a proxy on the same host; the server takes it as an open socket
 * (http_server_opts.listen_fd), as it takes one from socket activation.
 */
#define LOG_MODULE "http"
#include "http/http.h"

#include "core/log.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

bool http_listen_is_unix(const char *listen)
{
    return listen && strncmp(listen, "unix:", 5) == 0;
}

int http_listen_unix(const char *where, int *fd)
{
    const char *path = where + 5;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
        log_error("%s: a Unix socket path of 1 to %zu bytes is needed", where,
                  sizeof(sa.sun_path) - 1);
        return ERR_INVALID;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    /* A socket left by a previous run would make bind fail: only a socket
     * is removed, never another kind of file. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return ERR_IO;
    mode_t old = umask(0117); /* rw for owner and group: the proxy's */
    int r = bind(s, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (r != 0 || listen(s, 1024) != 0) {
        log_error("%s: %s", where, strerror(errno));
        close(s);
        return ERR_IO;
    }
    *fd = s;
    return 0;
}
