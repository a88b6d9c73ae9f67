/*
 * mustache.h - a Mustache template engine (hand-written: Debian has none).
 *
 * Follows the official spec (comments, set delimiters, interpolation,
 * sections, inverted sections, partials with standalone indentation,
 * dynamic partial names, inheritance with parents and blocks); lambdas are
 * not supported. Templates are compiled once into an instruction array and
 * rendered many times from any thread: a compiled set is immutable.
 * {{x}} is HTML-escaped, {{{x}}} and {{& x}} are raw.
 *
 * Templates live in a set under names; partials and parents are looked up
 * in the same set by name at render time, a missing one renders as empty.
 */
#ifndef QUIRE_MUSTACHE_H
#define QUIRE_MUSTACHE_H

#include "core/err.h"

#include <stddef.h>

struct buf;
struct tval;
struct tpl_set;

/* tpl_set_new returns an empty set; free with tpl_set_free. */
struct tpl_set *tpl_set_new(void);
void tpl_set_free(struct tpl_set *set);

/*
 * tpl_set_add compiles src under name (replacing any earlier one). On a
 * syntax error returns ERR_PARSE and writes "NAME:LINE: reason" into err.
 */
int tpl_set_add(struct tpl_set *set, const char *name, const char *src,
                size_t len, char *err, size_t errlen) WUR;

/*
 * tpl_set_load_dir compiles every DIR/NAME.mustache under NAME (one level;
 * a file in a subfolder "partials/x.mustache" becomes "partials/x").
 * Errors name the file and line. ERR_IO if dir cannot be read.
 */
int tpl_set_load_dir(struct tpl_set *set, const char *dir, char *err,
                     size_t errlen) WUR;

/* tpl_set_has reports whether a template of that name exists. */
int tpl_set_has(const struct tpl_set *set, const char *name);

/*
 * tpl_render renders template name against ctx, appending to out.
 * ERR_NOT_FOUND if there is no such template; ERR_TOO_BIG if out
 * overflows or partials nest too deeply.
 */
int tpl_render(const struct tpl_set *set, const char *name,
               const struct tval *ctx, struct buf *out) WUR;

#endif
