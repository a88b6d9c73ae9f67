/*
 * import_k2.h - import a Joomla + K2 journal from its MariaDB/MySQL
 * database (libmariadb; the only module that includes mysql.h).
 *
 * Read only: the session is READ ONLY and everything is read in one
 * consistent snapshot. Categories become sections (slug from alias, order,
 * description), items articles, K2 tags tags, the Joomla user (or
 * created_by_alias split on "and", "&" and commas) the byline, the K2 user
 * profile's description the author's bio. Every item, category and tag id
 * is recorded as a legacy id, so the old URLs answer 301 (site/redirect.c).
 * An item is matched on a re-run by its K2 id (source "k2:item:<id>"):
 * updated, never duplicated.
 */
#ifndef QUIRE_IMPORT_K2_H
#define QUIRE_IMPORT_K2_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

struct store;

struct k2_opts {
    const char *url;         /* mysql://USER[:PASS]@HOST[:PORT]/DB?prefix= */
    bool dry_run;            /* read and count, write nothing */
    long limit;              /* items to read at most; 0: all */
    const char *issue_field; /* extra field holding the issue date, or NULL */
    bool progress;           /* a progress bar on stderr */
};

struct k2_report {
    size_t items;         /* item rows read */
    size_t imported;      /* new articles */
    size_t updated;       /* articles imported before, saved again */
    size_t drafts;        /* of imported + updated, drafts */
    size_t skipped_trash; /* trash = 1 */
    size_t skipped_bad;   /* rows that could not be converted */
    size_t repaired;      /* rows whose text was repaired (mojibake, bytes) */
    size_t sections, tags, authors;
};

/*
 * k2_url_parse splits a mysql:// URL; exposed for the tests. Every out
 * string is written into the caller's buffers (cap bytes each); port is 0
 * when absent. ERR_INVALID with a message in err when the URL is bad.
 */
struct k2_url {
    char user[128], password[256], host[256], db[128], prefix[64], socket[512];
    unsigned port;
};
int k2_url_parse(const char *url, struct k2_url *out, char *err,
                 size_t errlen) WUR;

/*
 * import_k2 runs the import into s. Rows that cannot be converted are
 * reported on stderr as "k2 item ID: reason" and skipped. ERR_IO when the
 * server cannot be reached or a query fails (message in err), a store
 * error when writing fails: the import stops, what was committed stays.
 */
int import_k2(struct store *s, const struct k2_opts *o, struct k2_report *rep,
              char *err, size_t errlen) WUR;

#endif
