/*
 * slab.c - the page cache's files on disk (slab.h).
 */
#include "render/slab.h"

#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct slab *slab_open(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
                   errno == EINVAL)) { /* a file system without O_TMPFILE */
        size_t n = strlen(dir) + sizeof("/.quire-cache-XXXXXX");
        char *path = xmalloc(n);
        snprintf(path, n, "%s/.quire-cache-XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
        free(path);
    }
    if (fd < 0)
        return NULL;
    struct slab *s = xcalloc(1, sizeof(*s));
    atomic_init(&s->refs, 1);
    s->fd = fd;
    return s;
}

void slab_ref(struct slab *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void slab_unref(struct slab *s)
{
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    close(s->fd);
    free(s);
}

/* move_all repeats preadv/pwritev until all of iov moved. */
static int move_all(struct slab *s, uint64_t off, const struct iovec *iov,
                    int n, bool write)
{
    struct iovec v[4];
    if (n < 1 || n > 4) {
        errno = EINVAL;
        return -1;
    }
    memcpy(v, iov, (size_t)n * sizeof(*v));
    int i = 0;
    while (i < n) {
        ssize_t got = write ? pwritev(s->fd, v + i, n - i, (off_t)off)
                            : preadv(s->fd, v + i, n - i, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0) {
            errno = EIO; /* a read past the end: never published */
            return -1;
        }
        off += (uint64_t)got;
        size_t left = (size_t)got;
        while (i < n && left >= v[i].iov_len)
            left -= v[i++].iov_len;
        if (i < n) {
            v[i].iov_base = (char *)v[i].iov_base + left;
            v[i].iov_len -= left;
        }
    }
    return 0;
}

int slab_write(struct slab *s, uint64_t off, const struct iovec *iov, int n)
{
    return move_all(s, off, iov, n, true);
}

int slab_read(struct slab *s, uint64_t off, const struct iovec *iov, int n)
{
    return move_all(s, off, iov, n, false);
}
