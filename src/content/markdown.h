/*
 * markdown.h - Markdown to HTML.
 *
 * CommonMark plus the GitHub extensions a journal uses: tables,
 * strikethrough, autolinks, task lists and footnotes. Raw HTML is never
 * passed through (it becomes "<!-- raw HTML omitted -->") and links or
 * images with dangerous schemes (javascript:, vbscript:, file:, data:
 * other than images) get an empty URL, so the output is safe to insert
 * into a page unescaped. Thread-safe (parsing is serialised internally: see
 * markdown.c).
 */
#ifndef QUIRE_MARKDOWN_H
#define QUIRE_MARKDOWN_H

#include "core/err.h"

#include <stddef.h>

struct buf;

/*
 * markdown_to_html renders the len bytes at md and appends the HTML to out.
 * Invalid UTF-8 in md is replaced by U+FFFD. Returns 0, or ERR_TOO_BIG when
 * out reached its maximum (out then holds a truncated prefix).
 */
int markdown_to_html(const char *md, size_t len, struct buf *out) WUR;

/* markdown_lib_version: cmark-gfm in use, for quire --version. */
const char *markdown_lib_version(void);

#endif
