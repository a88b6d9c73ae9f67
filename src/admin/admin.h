/*
 * admin.h - the back office (/admin/...) and the admin API
 * (/api/admin/...) as the public site sees them.
 *
 * The site's app hands every request whose path admin_claims() to
 * admin_app; nothing else of admin/ is visible outside it. The back
 * office renders its own templates from its own folder (server.admin),
 * never the journal's theme, so a theme change cannot break it.
 */
#ifndef QUIRE_ADMIN_H
#define QUIRE_ADMIN_H

#include "core/err.h"
#include "core/str.h"
#include "http/http.h"

#include <stdbool.h>

struct admin;
struct article;
struct store;

/*
 * admin_preview_fn renders art as the public site renders its article
 * page (the editor's preview); returns an HTTP status. The site gives it,
 * so the back office never reaches into the journal's theme itself.
 */
typedef int (*admin_preview_fn)(void *ctx, struct request *req,
                                struct response *res,
                                const struct article *art);

struct admin_opts {
    struct store *store;
    const char *dir;       /* holds templates/ and assets/ */
    http_flag_fn is_https; /* base_url is https: cookies get Secure */
    void *https_ctx;
    admin_preview_fn preview; /* NULL: no preview */
    void *preview_ctx;
    const char *media_dir; /* the media library's folder; NULL: no uploads */
    size_t upload_max;     /* limits.upload_max, bytes */
    const char *theme_dir; /* the journal's theme (its mail templates) */
    const char *mail_from; /* mail.mail_from (Message-ID domain); or NULL */
};

/*
 * admin_open compiles the back office's templates. ERR_PARSE with
 * "FILE:LINE: reason" in err, ERR_IO if the folder cannot be read.
 */
int admin_open(const struct admin_opts *o, struct admin **out, char *err,
               size_t errlen) WUR;
void admin_close(struct admin *a);
/* admin_claims: is path the back office's or the admin API's? */
bool admin_claims(struct str path);
/* admin_app answers one request (an http_app_fn; ctx is the admin). */
int admin_app(struct request *req, struct response *res, void *ctx);

#endif
