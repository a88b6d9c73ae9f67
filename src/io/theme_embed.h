/*
 * theme_embed.h - the default theme, compiled into the binary.
 *
 * scripts/embed-theme turns every file of theme/default and theme/admin (the
 * back office, paths "default/..." and "admin/...") into a byte array at
 * build time ($(BUILD)/gen/theme_embedded.c), so `quire serve` and
 * `quire export static` work from any folder. The template loader, the
 * asset server (sendfile) and the export all read a theme folder, so the
 * embedded copy is written out to a private temporary folder when used
 * (theme_embed_unpack) instead of teaching each of them a second source.
 */
#ifndef QUIRE_THEME_EMBED_H
#define QUIRE_THEME_EMBED_H

#include <stdbool.h>
#include <stddef.h>

/* The server.theme value that names the embedded theme (the default). */
#define THEME_BUILTIN "builtin"

struct theme_file {
    const char *path;          /* relative, '/'-separated */
    const unsigned char *data; /* len bytes, then a NUL */
    size_t len;
};
extern const struct theme_file theme_embedded[];
extern const size_t theme_embedded_len;

/*
 * theme_embed_write writes the embedded default theme (not the back
 * office) into dir, which must not
 * exist or be an empty folder (a custom theme is never overwritten).
 * Errors name the path in err; returns 0, ERR_EXISTS or ERR_IO.
 */
int theme_embed_write(const char *dir, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * theme_embed_unpack writes the embedded themes to a new private folder
 * under $TMPDIR (or /tmp), as its default/ and admin/, and returns its path
 * (free it, and remove the folder with rmtree, when done). NULL on error, with
 * err set.
 */
char *theme_embed_unpack(char *err, size_t errlen);

#endif
