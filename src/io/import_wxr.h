/*
 * import_wxr.h - import a WordPress eXtended RSS export (WXR 1.0-1.2),
 * streamed with libxml2's xmlTextReader so a 1 GB file runs in bounded
 * memory.
 *
 * Posts (pages too with pages = true) become articles: dc:creator the
 * author (display name from wp:author), the first category the section
 * and the other categories and tags the tags, wp:post_date_gmt the
 * publication time, draft/pending/private/future drafts, excerpt:encoded
 * the intro (else the content before <!--more-->), content:encoded the
 * text converted to Markdown (content/html_md). Attachments are recorded
 * by URL: their old page redirects to the file's URL. Every post id,
 * category and tag is kept as a legacy id; each post's link as a redirect.
 *
 * A file is imported whole or not at all: one transaction, rolled back
 * when the file turns out malformed (the error is "FILE:LINE: reason").
 * Matched on a re-run by post id (source "wp:post:<id>").
 */
#ifndef QUIRE_IMPORT_WXR_H
#define QUIRE_IMPORT_WXR_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

struct store;

struct wxr_report {
    size_t imported, updated, drafts, attachments;
    size_t skipped; /* other post types, trash, auto-drafts */
};

/*
 * import_wxr imports path into s. ERR_PARSE with "FILE:LINE: reason" in
 * err when the file is not a readable WXR file (nothing imported);
 * a store error when writing failed (nothing imported either).
 */
int import_wxr(struct store *s, const char *path, bool pages,
               struct wxr_report *rep, char *err, size_t errlen) WUR;

#endif
