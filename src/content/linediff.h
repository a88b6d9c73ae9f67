/*
 * linediff.h - a line diff of two texts, for an article's revisions
 * against its current text (hand-written LCS: no Debian C library offers
 * a small line diff for in-memory strings).
 */
#ifndef QUIRE_LINEDIFF_H
#define QUIRE_LINEDIFF_H

#include "core/err.h"

#include <stddef.h>

struct arena;

/* One line of the diff: ' ' kept, '-' only in old, '+' only in new. */
struct diff_line {
    char op;
    const char *text; /* without its line break, from the arena */
};

/*
 * linediff compares old and new (NUL-terminated) line by line into an
 * arena array. Texts of more than LINEDIFF_MAX_CELLS line pairs are not
 * compared in detail: every old line is removed and every new line added.
 */
enum { LINEDIFF_MAX_CELLS = 4 << 20 };
int linediff(struct arena *a, const char *old, const char *new_text,
             struct diff_line **out, size_t *n) WUR;

#endif
