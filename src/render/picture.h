/*
 * picture.h - media library images as responsive HTML: <picture> with an
 * AVIF, a WebP and a JPEG srcset, sizes, width/height (no layout shift),
 * loading="lazy" below the fold and decoding="async".
 */
#ifndef QUIRE_PICTURE_H
#define QUIRE_PICTURE_H

#include "store/media.h"

#include <stdbool.h>

struct arena;

/* The reading column is at most 44rem wide (style.css): what the
 * browser needs to pick a width before the CSS is there. */
#define PICTURE_SIZES "(min-width: 48rem) 44rem, 100vw"

/*
 * picture_html returns the <picture> element for image m (with its
 * variants), alt_html its alt text already HTML-escaped ("" only for a
 * decorative image),
 * lazy for images below the fold, sizes as in PICTURE_SIZES, css a class
 * for the <img> or NULL. From a.
 */
const char *picture_html(struct arena *a, const struct media *m,
                         const char *alt_html, bool lazy, const char *sizes,
                         const char *css);

/* The lookup picture_rewrite uses: fill m for a hash; nonzero if none. */
typedef int (*picture_lookup_fn)(void *ctx, const char *hash, struct media *m);

/*
 * picture_rewrite replaces each <img src="media:HASH" alt="..."> that
 * cmark-gfm wrote for the Markdown ![alt](media:HASH) by its <picture>:
 * the alt text written in the article wins, else the library's; an image
 * with neither and not marked decorative, or not in the library, is left
 * out (an <img> pointing at "media:" would be broken) and *missing
 * counts it. The first image loads eagerly, the others lazily. Returns
 * html itself when it holds no such image.
 */
const char *picture_rewrite(struct arena *a, const char *html,
                            picture_lookup_fn fn, void *ctx, int *missing);

#endif
