/*
 * import_markdown.h - import Markdown files with YAML front matter.
 *
 * Each path is a file, imported whatever its name, or a directory walked
 * recursively for *.md and *.markdown files in sorted order, skipping
 * names that start with '.' and not following symbolic links to
 * directories (so link loops cannot trap the walk). See frontmatter.h for
 * the keys a file may carry.
 *
 * Per file: at most IMPORT_FILE_MAX bytes, valid UTF-8, front matter with
 * a title; the body is rendered to HTML once here. The article is matched
 * to an existing one by its front-matter slug, else by its source (the
 * path as given plus the walk below it), so importing again updates rather
 * than duplicates. Without a slug one is derived from the title. The
 * publication time is the 'date' key, else the 'issue' date, else the
 * file's modification time. 'draft: true' imports a draft.
 *
 * A file that cannot be imported is reported as "FILE:LINE: reason" on the
 * report's stream (stderr by default) and skipped; the others are still
 * imported. The whole run is batched in transactions of IMPORT_BATCH files.
 */
#ifndef QUIRE_IMPORT_MARKDOWN_H
#define QUIRE_IMPORT_MARKDOWN_H

#include "core/err.h"

#include <stddef.h>
#include <stdio.h>

struct store;

#define IMPORT_FILE_MAX ((size_t)8 << 20)
#define IMPORT_BATCH 1000

struct import_report {
    size_t imported; /* new articles */
    size_t updated;  /* existing articles saved again */
    size_t failed;   /* files reported and skipped */
    FILE *errors;    /* where "FILE:LINE: reason" lines go; NULL: stderr */
};

/*
 * import_markdown_paths imports the n paths into s, adding to the counts in
 * *rep (set them to zero first). Returns 0 when every file was imported,
 * ERR_PARSE when some were reported and skipped (the CLI exits 1), or
 * ERR_DB / ERR_IO when the store failed as a whole (the disk is full):
 * the run stops, articles committed before stay, and the counts in *rep
 * are those committed.
 */
int import_markdown_paths(struct store *s, const char *const *paths, size_t n,
                          struct import_report *rep) WUR;

#endif
