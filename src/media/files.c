/*
 * files.c - the media folder as a set of files: listing it (for `quire
 * media check`) and copying it (backup and restore).
 *
 * Names are content hashes, so a file of a given name never changes: a
 * copy skips every file the target already has, which makes repeated
 * backups into the same place incremental. Copies go through a temporary
 * name, are synced and renamed, like every file Quire writes.
 */
#define LOG_MODULE "media"
#include "media/files.h"

#include "core/arena.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* is_media_name: a visible regular name (not a temporary ".x.tmp"). */
static bool is_media_name(const char *n)
{
    return n[0] != '.' && strchr(n, '/') == NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int media_dir_list(const char *dir, struct arena *a, const char ***out,
                   size_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : ERR_IO;
    size_t cap = 0;
    const char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_media_name(e->d_name))
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            const char **grown = arena_alloc(a, ncap * sizeof(*grown));
            if (cap)
                memcpy(grown, names, cap * sizeof(*grown));
            names = grown;
            cap = ncap;
        }
        names[(*n)++] = arena_strdup(a, e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof(*names), cmp_str);
    *out = names;
    return 0;
}

/* copy_file copies src to dst through dst's temporary name. */
static int copy_file(const char *src, const char *dst)
{
    char tmp[4200], buf[65536];
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", dst, (long)getpid());
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return ERR_IO;
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = out < 0 ? ERR_IO : 0;
    while (rc == 0) {
        ssize_t r = read(in, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            rc = ERR_IO;
        if (r <= 0)
            break;
        for (ssize_t off = 0; rc == 0 && off < r;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                rc = ERR_IO;
            else
                off += w;
        }
    }
    close(in);
    if (out >= 0) {
        if (rc == 0 && fsync(out) != 0)
            rc = ERR_IO;
        if (close(out) != 0)
            rc = ERR_IO;
        if (rc == 0 && rename(tmp, dst) != 0)
            rc = ERR_IO;
        if (rc != 0)
            unlink(tmp);
    }
    return rc;
}

int media_dir_copy(const char *from, const char *to, size_t *copied, char *err,
                   size_t errlen)
{
    struct arena a;
    const char **names;
    size_t n;
    *copied = 0;
    arena_init(&a, 4096);
    int rc = media_dir_list(from, &a, &names, &n);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot read: %s", from, strerror(errno));
        goto out;
    }
    if (n && mkdir(to, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create: %s", to, strerror(errno));
        rc = ERR_IO;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char src[4096], dst[4096];
        snprintf(src, sizeof(src), "%s/%s", from, names[i]);
        snprintf(dst, sizeof(dst), "%s/%s", to, names[i]);
        if (access(dst, F_OK) == 0)
            continue; /* same name, same bytes */
        rc = copy_file(src, dst);
        if (rc != 0) {
            snprintf(err, errlen, "cannot copy %s to %s: %s", src, dst,
                     strerror(errno));
            goto out;
        }
        (*copied)++;
    }
    if (*copied) {
        int dfd = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
out:
    arena_release(&a);
    return rc;
}
