/*
 * export_static.h - write the public site as files for any web server.
 *
 * The pages are rendered in-process by the very code that serves them
 * (site_app with a synthetic GET request and a per-page arena), starting
 * from the home page, the feeds, /sitemap.xml, /robots.txt, every
 * published article and section, and the theme's assets, then following
 * every same-site link the rendered pages carry (a crawl with a visited
 * set), so each page a handler can answer and a page links to is written.
 * Links are moved to the export's URL scheme by io/linkmap (pages become
 * directory indexes, ?page=N becomes page/N/). A worker pool renders.
 *
 * The export is built in DIR.tmp-XXXXXX beside DIR and swapped into place
 * only when complete; the previous export is then removed. A failure
 * removes the temporary folder and leaves DIR as it was. An existing DIR
 * is only replaced if it is empty or a previous export (it holds the
 * marker file EXPORT_MARKER).
 */
#ifndef QUIRE_EXPORT_STATIC_H
#define QUIRE_EXPORT_STATIC_H

#include "core/err.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;

#define EXPORT_MARKER ".quire-export"

/* Which precompressed variants the export writes beside each text file of
 * at least COMPRESS_MIN_BYTES (for nginx's gzip_static / brotli_static). */
enum export_compress {
    EXPORT_COMPRESS_ALL = 0, /* .gz and .br */
    EXPORT_COMPRESS_GZIP,    /* .gz only: brotli clients get gzip */
    EXPORT_COMPRESS_NONE,    /* neither: the server compresses, or not */
};

struct export_opts {
    const char *dir;               /* the folder to (re)place */
    const char *theme_dir;         /* templates/ and assets/ */
    const char *media_dir;         /* the media library's files, exported
                                      as /media/ (NULL: those links break) */
    const char *base_url;          /* NULL: the journal's base_url setting */
    unsigned threads;              /* workers; 0: one per core, at least 2 */
    enum export_compress compress; /* variants written (default: both) */
    bool progress;                 /* draw a progress bar on err */
    FILE *err;                     /* progress and warnings (stderr if NULL) */
    volatile sig_atomic_t *stop;   /* set (by a signal handler): give up,
                                      cleaning up as after a failure */
};

struct export_report {
    size_t files;         /* written */
    uint64_t bytes;       /* written */
    size_t broken;        /* links the site answers 3xx or 4xx */
    size_t articles;      /* article pages rendered */
    double seconds;       /* wall time, start to rename */
    double render_p50_us; /* article render (cache off): median, */
    double render_p95_us; /* and 95th percentile, microseconds */
};

/*
 * export_static writes the site. Returns 0; ERR_EXISTS if DIR is in the way
 * (a file, or a folder that is not an export); ERR_IO if a file cannot be
 * written; ERR_PARSE for a theme error; ERR_DB if a page cannot be
 * rendered (the site answers 5xx). err receives one line on failure.
 */
int export_static(struct store *s, const struct export_opts *o,
                  struct export_report *rep, char *err, size_t errlen) WUR;

#endif
