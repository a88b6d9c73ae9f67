/*
 * static.c - serve theme assets without ever leaving the assets folder.
 *
 * The path is checked segment by segment (no "", ".", "..", dotfiles,
 * backslashes or NUL) and then opened one segment at a time with openat
 * and O_NOFOLLOW from a descriptor of root, so neither a crafted path nor
 * a symbolic link planted inside the theme can reach outside it. Only
 * regular files are sent; the descriptor goes to libmicrohttpd, which
 * sends it with sendfile and closes it.
 */
#define LOG_MODULE "http"
#include "http/static.h"

#include "core/arena.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_REL 1024

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"webp", "image/webp"},
    {"gif", "image/gif"},
    {"avif", "image/avif"},
    {"pdf", "application/pdf"},
    {"webmanifest", "application/manifest+json"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"ico", "image/vnd.microsoft.icon"},
    {"txt", "text/plain; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
};

static const char *type_of(struct str name)
{
    const char *dot = NULL;
    for (size_t i = name.len; i > 0; i--) {
        if (name.ptr[i - 1] == '.') {
            dot = name.ptr + i;
            break;
        }
        if (name.ptr[i - 1] == '/')
            break;
    }
    if (dot) {
        size_t n = name.len - (size_t)(dot - name.ptr);
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strlen(types[i].ext) == n &&
                strncasecmp(types[i].ext, dot, n) == 0)
                return types[i].type;
    }
    return "application/octet-stream";
}

/* safe_relpath: every segment non-empty, not starting with '.', and no
 * byte that some layer could read as a separator or terminator. */
static bool safe_relpath(struct str p)
{
    if (p.len == 0 || p.len > MAX_REL)
        return false;
    size_t seg = 0; /* start of the current segment */
    for (size_t i = 0; i <= p.len; i++) {
        char c = i < p.len ? p.ptr[i] : '/';
        if (c == '\0' || c == '\\' || (unsigned char)c < 0x20)
            return false;
        if (c != '/')
            continue;
        if (i == seg || p.ptr[seg] == '.')
            return false; /* empty (leading '/' or "//"), ".", "..", .git */
        seg = i + 1;
    }
    return true;
}

/* open_beneath opens rel under dirfd one segment at a time, following no
 * symbolic link. Returns the descriptor or -1 (errno set). */
static int open_beneath(int dirfd, char *rel)
{
    int fd = dirfd;
    char *seg = rel;
    for (;;) {
        char *slash = strchr(seg, '/');
        if (slash)
            *slash = '\0';
        int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
                    (slash ? O_DIRECTORY : O_NONBLOCK);
        int next = openat(fd, seg, flags);
        int saved = errno;
        if (fd != dirfd)
            close(fd);
        errno = saved;
        if (next < 0 || !slash)
            return next;
        fd = next;
        seg = slash + 1;
    }
}

int static_serve(struct request *req, struct response *res, const char *root,
                 struct str relpath)
{
    int dirfd = -1, fd = -1, status;
    char rel[MAX_REL + 1];
    struct stat st;

    if (!safe_relpath(relpath))
        return 404;
    memcpy(rel, relpath.ptr, relpath.len);
    rel[relpath.len] = '\0';

    dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        log_error("assets folder %s: %s", root, strerror(errno));
        status = 500;
        goto out;
    }
    fd = open_beneath(dirfd, rel);
    if (fd < 0) {
        if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
            log_warn("asset %s: %s", rel, strerror(errno));
        status = 404;
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        status = 404;
        goto out;
    }
    res->etag = arena_printf(req->arena, "\"%llx-%llx.%lx\"",
                             (unsigned long long)st.st_size,
                             (unsigned long long)st.st_mtim.tv_sec,
                             (unsigned long)st.st_mtim.tv_nsec);
    res->cache_control = "public, max-age=31536000, immutable";
    res->content_type = type_of(relpath);
    if (request_is_fresh(req, res->etag)) {
        status = 304;
        goto out;
    }
    /* O_NONBLOCK only guarded the open against FIFOs; sendfile wants none. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    res->fd = fd;
    res->fd_size = (uint64_t)st.st_size;
    fd = -1;
    status = 200;
out:
    if (fd >= 0)
        close(fd);
    if (dirfd >= 0)
        close(dirfd);
    return status;
}
