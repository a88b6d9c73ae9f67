/*
 * media.h - uploads turned into safe web images: checked by content,
 * decoded and re-encoded with libvips, stored under the hash of their
 * bytes in the media folder beside the database.
 *
 * Only media.c includes vips.h and magic.h. Every refusal (wrong type,
 * SVG, a decompression bomb, a truncated file, a polyglot, too big) is
 * ERR_INVALID or ERR_TOO_BIG with one clear sentence in err.
 */
#ifndef QUIRE_MEDIA_H
#define QUIRE_MEDIA_H

#include "core/err.h"
#include "store/media.h"

#include <stddef.h>

struct arena;

/* The widths of the derived images; never more than the original's. */
#define MEDIA_WIDTHS                                                           \
    {                                                                          \
        480, 960, 1600                                                         \
    }
/* More pixels than this is refused before decoding (a 24 MP camera
 * image is 6000 x 4000; a "bomb" claims 50,000 x 50,000). */
#define MEDIA_MAX_PIXELS 100000000ull
#define MEDIA_MAX_SIDE 30000

/* media_init starts libvips once per process (thread-safe, idempotent);
 * ERR_IO if it cannot start. */
int media_init(void) WUR;

/*
 * media_dir_for_db returns the media folder of the database at db: the
 * folder "media" beside it (malloc'd, the caller frees).
 */
char *media_dir_for_db(const char *db);

/*
 * media_ingest checks the len bytes at data (at most max), and writes the
 * re-encoded main file and its variants into dir (created if missing),
 * each file written to a temporary name, synced and renamed, so a crash
 * leaves no half file. m is filled (strings and variants from a) ready
 * for store_media_add; alt, caption, credit and decorative are the
 * caller's to set. Files already present (the same upload before) are
 * kept. Returns 0, ERR_TOO_BIG, ERR_INVALID (the upload is refused: err
 * says why), or ERR_IO (the folder cannot be written).
 */
int media_ingest(const char *dir, const void *data, size_t len, size_t max,
                 struct arena *a, struct media *m, char *err,
                 size_t errlen) WUR;

/* media_sniff names the type of data by its content (libmagic), e.g.
 * "image/png"; into out. */
void media_sniff(const void *data, size_t len, char *out, size_t outlen);

#endif
