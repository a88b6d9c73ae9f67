/*
 * pictures.h - library images outside an article's body: side-module
 * logos and covers, author photos, feature images as list cards.
 */
#ifndef QUIRE_SITE_PICTURES_H
#define QUIRE_SITE_PICTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct article;
struct author;
struct link;
struct publication;
struct site;
struct store;
struct tval;

/*
 * site_picture returns the <picture> of library image hash, with the
 * library's alt text, else fallback_alt (plain text; "" for decorative),
 * else none; lazy below the fold, sizes as for picture_html, css a class
 * for the <img>. NULL when hash names no image in the library. From a.
 */
const char *site_picture(struct store *st, struct arena *a, const char *hash,
                         const char *fallback_alt, bool lazy, const char *sizes,
                         const char *css);

/* site_picture_decorative is site_picture with alt="" whatever the
 * library says, loaded eagerly: a picture beside words that say it all. */
const char *site_picture_decorative(struct store *st, struct arena *a,
                                    const char *hash, const char *sizes,
                                    const char *css);

/* site_side_pictures sets "image" on each of the side modules' entries
 * (links[i] the logo of l[i], pubs[i] the cover of p[i]) that has one. */
void site_side_pictures(struct store *st, struct arena *a, const struct link *l,
                        size_t nl, struct tval *links,
                        const struct publication *p, size_t np,
                        struct tval *pubs);

/* site_author_photos sets "photo" on list's entries (the views of the n
 * authors au, in order) whose author has one: large on the author's
 * page, small in a byline. */
int site_author_photos(struct site *s, struct arena *a, const struct author *au,
                       size_t n, struct tval *list, bool large);

/* site_author_photo sets "photo" on map, the view of author au on their
 * own page, when they have one. */
int site_author_photo(struct site *s, struct arena *a, const struct author *au,
                      struct tval *map);

/*
 * site_feature_picture sets *out to article id's feature image (NULL when
 * it has none, or none a reader may be shown: a hash not in the library,
 * an image without alt text that is not decorative, a URL without alt):
 * a library image's <picture> with srcset and sizes, else a plain <img>;
 * css is the <img>'s class, lazy for below the fold. From a. 0 or a
 * store error.
 */
int site_feature_picture(struct site *s, struct arena *a, int64_t id, bool lazy,
                         const char *sizes, const char *css, const char **out);

/* site_cards sets "card" (the feature image, if the article has one
 * the page can show) on list's entries, the views of the n articles arts. */
int site_cards(struct site *s, struct arena *a, const struct article *arts,
               size_t n, struct tval *list);

#endif
