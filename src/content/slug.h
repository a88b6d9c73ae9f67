/*
 * slug.h - URL slugs: lowercase ASCII words joined by '-'.
 *
 * A slug is what follows /article/ in a URL. Uniqueness among articles is
 * the store's job (it appends -2, -3...); this module only makes and checks
 * the shape.
 */
#ifndef QUIRE_SLUG_H
#define QUIRE_SLUG_H

#include <stdbool.h>

struct arena;

#define SLUG_MAX 120   /* longest valid slug */
#define SLUG_TARGET 80 /* slug_from_title cuts longer slugs near here */

/*
 * slug_from_title makes a slug from a UTF-8 title: letters and digits are
 * lowercased, common Latin letters with diacritics are transliterated
 * (é -> e, ß -> ss, ø -> o, æ -> ae), apostrophes vanish ("Don't" -> dont),
 * every other run of characters becomes one '-', and other scripts are
 * dropped. Results longer than SLUG_TARGET are cut at a word boundary.
 * Never empty: a title with nothing usable gives "article". Invalid UTF-8
 * bytes are treated as separators. The result is allocated from a; title
 * may be NULL.
 */
char *slug_from_title(struct arena *a, const char *title);

/*
 * slug_valid reports whether s is 1..SLUG_MAX characters of [a-z0-9-]
 * without a leading, trailing or doubled '-'. NULL is not valid.
 */
bool slug_valid(const char *s);

#endif
