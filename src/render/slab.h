/*
 * slab.h - the page cache's files on disk: unnamed, append-only.
 *
 * A slab is a file with no name (O_TMPFILE, or made and unlinked at once):
 * it goes away with its last reference, and with the process if it dies,
 * so a crash leaves nothing to clean up and no other process can open it.
 * The cache reserves a range (slab->size, under its own lock), writes it
 * outside the lock and publishes it; readers read published ranges only.
 */
#ifndef QUIRE_SLAB_H
#define QUIRE_SLAB_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/uio.h>

struct slab {
    atomic_int refs;
    int fd;
    uint64_t size; /* bytes reserved so far (the cache's lock) */
};

/* slab_open makes an empty slab in dir; NULL with errno set on failure. */
struct slab *slab_open(const char *dir);
void slab_ref(struct slab *s);
/* slab_unref closes the file (and frees its blocks) with the last one. */
void slab_unref(struct slab *s);
/* slab_write/slab_read move all of iov at off: 0, or -1 with errno (EIO
 * for a short read). */
int slab_write(struct slab *s, uint64_t off, const struct iovec *iov, int n);
int slab_read(struct slab *s, uint64_t off, const struct iovec *iov, int n);

#endif
