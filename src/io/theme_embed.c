/*
 * theme_embed.c - write the embedded default theme out as a folder.
 *
 * Used by `quire theme export DIR` (a starting point for a custom theme)
 * and, into a private temporary folder, by serve and export when no theme
 * folder is configured (see theme_embed.h for why a folder).
 */
#define LOG_MODULE "theme"
#include "io/theme_embed.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "io/rmtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* make_parents creates every folder of path's parent below root. */
static int make_parents(char *path, size_t root_len)
{
    for (char *p = path + root_len + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir(path, 0755);
        *p = '/';
        if (r != 0 && errno != EEXIST)
            return ERR_IO;
    }
    return 0;
}

static int write_all(const char *path, const unsigned char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return ERR_IO;
    int rc = 0;
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = ERR_IO;
            break;
        }
        data += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0)
        rc = ERR_IO;
    return rc;
}

static bool empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* write_into writes the embedded files whose path starts with prefix
 * ("default/", or "" for all) into dir, without the prefix. */
static int write_into(const char *dir, const char *prefix, char *err,
                      size_t errlen)
{
    size_t root = strlen(dir), plen = strlen(prefix);
    for (size_t i = 0; i < theme_embedded_len; i++) {
        const struct theme_file *f = &theme_embedded[i];
        if (strncmp(f->path, prefix, plen) != 0)
            continue;
        size_t n = root + 1 + strlen(f->path + plen) + 1;
        char *path = xmalloc(n);
        snprintf(path, n, "%s/%s", dir, f->path + plen);
        int rc = make_parents(path, root);
        if (rc == 0)
            rc = write_all(path, f->data, f->len);
        if (rc != 0)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(path);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int theme_embed_write(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0755) != 0) {
        if (errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", dir, strerror(errno));
            return ERR_IO;
        }
        if (!empty_dir(dir)) {
            snprintf(err, errlen,
                     "%s: exists and is not an empty folder "
                     "(a theme is never overwritten)",
                     dir);
            return ERR_EXISTS;
        }
    }
    return write_into(dir, "default/", err, errlen);
}

char *theme_embed_unpack(char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    size_t n = strlen(tmp) + sizeof("/quire-theme-XXXXXX");
    char *dir = xmalloc(n);
    snprintf(dir, n, "%s/quire-theme-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    if (write_into(dir, "", err, errlen) != 0) {
        if (rmtree(dir) != 0) { /* logged by rmtree */
        }
        free(dir);
        return NULL;
    }
    return dir;
}
