/*
 * redirects_nginx.h - the old URLs of an imported archive as nginx maps,
 * written by `quire export static` as redirects.nginx.conf.
 */
#ifndef QUIRE_REDIRECTS_NGINX_H
#define QUIRE_REDIRECTS_NGINX_H

#include "core/err.h"

struct buf;
struct store;

/*
 * redirects_nginx appends the configuration to out: `map`s for the http
 * block that set $quire_redirect to the new path of an old URL (the
 * redirects table by exact path; K2 items, categories, tags and feeds by
 * their URL forms; WordPress ?p=N), and how to use it in a server block.
 * A store error, or ERR_TOO_BIG if out filled up.
 */
int redirects_nginx(struct store *s, struct buf *out) WUR;

#endif
