/*
 * media.h - the store's side of the media library (schema V_MEDIA): one
 * row per uploaded file, named by the hash of its bytes, and the derived
 * files made from it. The files themselves live in the media folder
 * (media/media.h); the store only knows their names.
 */
#ifndef QUIRE_STORE_MEDIA_H
#define QUIRE_STORE_MEDIA_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct store;

struct media_variant {
    const char *file; /* name in the media folder, e.g. "<hash>-480.webp" */
    const char *mime; /* image/webp, image/jpeg, image/avif */
    int width, height;
};

struct media {
    int64_t id;
    const char *hash;  /* hex, also the start of every file name */
    const char *kind;  /* "image" or "document" */
    const char *mime;  /* of the stored main file */
    const char *file;  /* the main file's name in the media folder */
    int width, height; /* 0 for documents */
    int64_t bytes;     /* of the upload */
    const char *alt;   /* NULL when none was given */
    bool decorative;   /* an image that says on purpose it needs no alt */
    const char *caption, *credit;
    const char *created_at;
    struct media_variant *variants; /* narrowest first */
    size_t nvariants;
};

/*
 * store_media_add records m and its variants in one transaction and sets
 * *id. If a file of the same hash is already in the library, nothing is
 * written, *id is the existing row's and *existed is set (the files are
 * the same bytes, so nothing is lost). ERR_INVALID for a row without
 * hash, kind, mime or file.
 */
int store_media_add(struct store *s, const struct media *m, int64_t *id,
                    bool *existed) WUR;

/* store_media_get fills m (with its variants) for id; ERR_NOT_FOUND. */
int store_media_get(struct store *s, struct arena *a, int64_t id,
                    struct media *m) WUR;
/* store_media_by_hash is store_media_get by the hex hash (or a prefix of
 * at least 8 characters that names one row only). */
int store_media_by_hash(struct store *s, struct arena *a, const char *hash,
                        struct media *m) WUR;

/* store_media_ref is store_media_get for ref written as a number (a
 * media id, as the admin API and `quire media list` show it), else
 * store_media_by_hash: what an editor types to name a picture. */
int store_media_ref(struct store *s, struct arena *a, const char *ref,
                    struct media *m) WUR;

/* store_media_list lists every row, newest first, without variants. */
int store_media_list(struct store *s, struct arena *a, struct media **out,
                     size_t *n) WUR;

/* store_media_files lists every file name the library expects in its
 * folder (main files and variants), sorted, for `quire media check`. */
int store_media_files(struct store *s, struct arena *a, const char ***out,
                      size_t *n) WUR;

/* store_article_feature_set sets (NULL: clears) article id's feature
 * image: a media hash or an http(s) URL, and its alt text. */
int store_article_feature_set(struct store *s, int64_t id, const char *ref,
                              const char *alt) WUR;
/* store_article_feature reads them (NULLs when unset) from a. */
int store_article_feature(struct store *s, struct arena *a, int64_t id,
                          const char **ref, const char **alt) WUR;

#endif
