/*
 * static.h - theme assets (CSS, JavaScript, fonts, images) from a folder.
 */
#ifndef QUIRE_STATIC_H
#define QUIRE_STATIC_H

#include "http/http.h"

/*
 * static_serve fills res to send the file relpath (already percent-decoded,
 * relative, e.g. "css/site.css") under the folder root, and returns the
 * HTTP status: 200, 304 when If-None-Match matches, 404 for a missing file
 * or any path that could leave root (".." or "." segments, an absolute
 * path, empty segments, backslashes, NUL, dotfiles, symbolic links) or
 * that is not a regular file, 500 if root cannot be opened. The file is
 * opened here and handed to http/ through res->fd, which closes it.
 * Assets are sent with Cache-Control "public, max-age=31536000, immutable"
 * and an ETag made of size and modification time.
 */
int static_serve(struct request *req, struct response *res, const char *root,
                 struct str relpath);

#endif
