/*
 * query.h - a reader's search box text turned into a safe FTS5 query.
 *
 * The reader types words, "quoted phrases" and prefixes ending in '*'.
 * Nothing else of FTS5's syntax gets through: every word and phrase is
 * written out as an FTS5 string ("..."), so NEAR(, column filters (a:b),
 * '^', parentheses, '+' and AND/OR/NOT are plain text that the tokenizer
 * splits into words or drops. The result is the same for inputs that
 * differ only in spacing, so it also serves as the normalised query in
 * cache keys.
 */
#ifndef QUIRE_QUERY_H
#define QUIRE_QUERY_H

#include "core/str.h"

struct arena;

/*
 * What a search may cost is bounded here too (issue 17): every term is one
 * more doclist read through, so a query keeps QUERY_TERMS_MAX of them, and
 * every prefix one more expansion, so only the first QUERY_PREFIXES_MAX
 * terms ending in '*' are prefixes; later ones are searched as typed,
 * without the '*'.
 */
enum {
    QUERY_TERMS_MAX = 8,    /* words and phrases kept; the rest are ignored */
    QUERY_PREFIXES_MAX = 3, /* prefixes kept; the rest are whole words */
};

/*
 * query_to_fts translates in (UTF-8; the caller checked it) into an FTS5
 * MATCH expression allocated from a: terms separated by spaces (all must
 * match), each `"word"`, `"word"*` (prefix), `"several words"` (phrase)
 * or `"several words"*` (a prefix on its last word).
 * Returns an empty string when in has no searchable term (only spaces or
 * punctuation): the caller then shows "no results" without searching.
 */
const char *query_to_fts(struct arena *a, struct str in);

/*
 * query_display writes an expression from query_to_fts back as the reader
 * would type it (words, "phrases", prefix*): the canonical text shown in
 * the search box, so pages cached under one expression look the same.
 */
const char *query_display(struct arena *a, const char *fts);

#endif
