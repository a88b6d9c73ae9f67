/*
 * files.h - the media folder as a set of content-addressed files.
 */
#ifndef QUIRE_MEDIA_FILES_H
#define QUIRE_MEDIA_FILES_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* media_dir_list lists the file names in dir, sorted, from a (temporary
 * ".name.tmp" files left by a crash are not listed). A missing dir is an
 * empty list; ERR_IO if it cannot be read. */
int media_dir_list(const char *dir, struct arena *a, const char ***out,
                   size_t *n) WUR;

/* media_dir_copy copies every file of from that to lacks (created if
 * needed); *copied counts them. A missing from copies nothing. ERR_IO
 * with the reason in err. */
int media_dir_copy(const char *from, const char *to, size_t *copied, char *err,
                   size_t errlen) WUR;

#endif
