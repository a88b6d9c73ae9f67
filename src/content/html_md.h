/*
 * html_md.h - old HTML bodies (K2, WordPress) to the Markdown Quire
 * stores.
 *
 * Kept: paragraphs, headings, emphasis, links (http, https, mailto,
 * relative), lists, blockquotes, tables, preformatted text, line breaks;
 * images become links to their old URLs. Everything else is dropped: tags
 * such as <span> leave their text, <script>, <style>, <iframe>, <object>
 * and the like leave nothing. The output never holds raw HTML (every <, >,
 * & that could start markup is escaped) nor a link with another scheme
 * (javascript:, data:, vbscript: ...).
 */
#ifndef QUIRE_CONTENT_HTML_MD_H
#define QUIRE_CONTENT_HTML_MD_H

#include "core/buf.h"
#include "core/err.h"

#include <stddef.h>

struct html_md_report {
    size_t bad_utf8; /* bytes that were not UTF-8, read as Windows-1252 */
    size_t mojibake; /* UTF-8 sequences decoded twice, repaired */
    size_t dropped;  /* elements dropped with their content */
};

/*
 * text_repair appends the n bytes at s to out as valid UTF-8: bytes that
 * are not UTF-8 are read as Windows-1252, and UTF-8 that was decoded as
 * Windows-1252 and encoded again ("â€™" for "’") is put back. rep (may be
 * NULL) counts what was repaired.
 */
void text_repair(const char *s, size_t n, struct buf *out,
                 struct html_md_report *rep);

/*
 * html_to_markdown converts the n bytes of HTML at s (repaired first, as
 * text_repair does) and appends Markdown to out. ERR_TOO_BIG if out
 * reached its maximum; ERR_PARSE if libxml2 could not read anything.
 */
int html_to_markdown(const char *s, size_t n, struct buf *out,
                     struct html_md_report *rep) WUR;

/*
 * html_to_text appends a plain-text field (a title, a name) to out with
 * its character references decoded, whitespace collapsed and bytes
 * repaired as text_repair does. Tags are not parsed: K2 titles hold
 * literal "<SCAB.ST>". ERR_TOO_BIG if out is full.
 */
int html_to_text(const char *s, size_t n, struct buf *out,
                 struct html_md_report *rep) WUR;

/*
 * html_to_plain appends the text of an HTML fragment (an intro shown as
 * plain text): tags and dropped elements gone, entities decoded,
 * whitespace collapsed, blocks separated by a space.
 */
int html_to_plain(const char *s, size_t n, struct buf *out,
                  struct html_md_report *rep) WUR;

#endif
