/*
 * import_markdown.c - the Markdown-with-front-matter importer.
 *
 * One pass: walk, read, validate, parse, render, save. Per-file memory
 * comes from one arena reset between files and one read buffer and one
 * HTML buffer reused for the whole run, so importing ten thousand files
 * costs a handful of allocations per file (cmark's own aside). Saves are
 * grouped into transactions of IMPORT_BATCH files: SQLite's cost is per
 * commit, and the bound keeps the write-ahead log small. A failing save
 * is undone by the store's own savepoint, so it costs only that file;
 * but when the disk is full or fails (ERR_IO) SQLite may have rolled the
 * whole batch back, so the run stops there. Counts reach the report only
 * when their batch commits: the report never claims what was rolled back.
 *
 * Reports go to the report's stream, not the log: "FILE:LINE: reason" is
 * the compiler-style format editors jump to. Problems with no line (the
 * file cannot be opened or saved) are reported as "FILE: reason".
 */
#include "io/import_markdown.h"

#include "content/date.h"
#include "content/frontmatter.h"
#include "content/markdown.h"
#include "content/slug.h"
#include "core/utf8.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "store/media.h"
#include "store/store.h"

#define LOG_MODULE "import"
#include "core/log.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define HTML_MAX ((size_t)64 << 20)

struct importer {
    struct store *s;
    struct import_report *rep;
    FILE *errs;
    struct arena arena; /* per file, reset between files */
    struct buf html;    /* per file, reset between files */
    char *data;         /* the file being imported, NUL-terminated */
    size_t cap;
    size_t in_batch;  /* files since the last commit */
    size_t batch_new; /* articles created and updated in this batch */
    size_t batch_updated;
    bool in_txn; /* a batch transaction is open */
    int fatal;   /* ERR_IO from a save: stop the run */
};

__attribute__((format(printf, 4, 5))) static void
report(struct importer *im, const char *path, int line, const char *fmt, ...)
{
    va_list ap;
    if (line > 0)
        fprintf(im->errs, "%s:%d: ", path, line);
    else
        fprintf(im->errs, "%s: ", path);
    va_start(ap, fmt);
    vfprintf(im->errs, fmt, ap);
    va_end(ap);
    fputc('\n', im->errs);
    im->rep->failed++;
}

/* read_file reads path into im->data; reports and returns nonzero on error. */
static int read_file(struct importer *im, const char *path, size_t *len,
                     int64_t *mtime)
{
    const size_t limit = IMPORT_FILE_MAX + 1; /* reading this many: too big */
    int rc = 0;
    struct stat st;
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        report(im, path, 0, "cannot open: %s", strerror(errno));
        return ERR_IO;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        report(im, path, 0, "not a readable regular file");
        rc = ERR_IO;
        goto out;
    }
    if (st.st_size >= 0 && (size_t)st.st_size >= limit)
        goto too_big;
    /* Read to EOF rather than trusting st_size: the file may change. */
    for (;;) {
        if (n == im->cap) {
            if (im->cap >= limit)
                goto too_big;
            size_t want = im->cap * 2 > (size_t)st.st_size + 1
                              ? im->cap * 2
                              : (size_t)st.st_size + 1;
            if (want < 4096)
                want = 4096;
            if (want > limit)
                want = limit;
            im->data = xrealloc(im->data, want + 1); /* + the NUL */
            im->cap = want;
        }
        ssize_t r = read(fd, im->data + n, im->cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            report(im, path, 0, "cannot read: %s", strerror(errno));
            rc = ERR_IO;
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n >= limit)
        goto too_big;
    im->data[n] = '\0';
    *len = n;
    *mtime = (int64_t)st.st_mtime;
    goto out;
too_big:
    report(im, path, 1, "file is larger than %zu MB", IMPORT_FILE_MAX >> 20);
    rc = ERR_TOO_BIG;
out:
    close(fd);
    return rc;
}

static int line_of(const char *s, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

/* import_file imports one file; problems are reported, not returned. */
static void import_file(struct importer *im, const char *path)
{
    size_t len, bad;
    int64_t mtime;
    struct frontmatter fm;
    struct str body;
    int line, rc;
    const char *msg;

    arena_release(&im->arena);
    buf_reset(&im->html);
    if (read_file(im, path, &len, &mtime) != 0)
        return;
    const char *data = im->data;
    if (!utf8_valid(data, len, &bad)) {
        report(im, path, line_of(data, bad), "invalid UTF-8");
        return;
    }
    /* Not text; and a NUL would silently cut the store's C strings. */
    size_t ctl = utf8_find_control(data, len);
    if (ctl < len) {
        if (data[ctl] == '\0')
            report(im, path, line_of(data, ctl), "NUL byte");
        else
            report(im, path, line_of(data, ctl), "control character U+%04X",
                   (unsigned)(unsigned char)data[ctl]);
        return;
    }
    rc = frontmatter_parse(&im->arena, data, len, &fm, &body, &line, &msg);
    if (rc != 0) {
        report(im, path, line, "%s", msg ? msg : err_str(rc));
        return;
    }
    if (markdown_to_html(body.ptr, body.len, &im->html) != 0) {
        report(im, path, line_of(data, (size_t)(body.ptr - data)),
               "the body's HTML is larger than %zu MB", HTML_MAX >> 20);
        return;
    }

    int64_t published = mtime;
    if (fm.date) {
        rc = date_parse(fm.date, strlen(fm.date), &published);
        assert(rc == 0); /* frontmatter_parse validated it */
    } else if (fm.issue) {
        rc = date_parse_ymd(fm.issue, strlen(fm.issue), &published);
        assert(rc == 0);
    }

    struct article_input in = {
        .slug = fm.slug,
        .slug_base = fm.slug ? fm.slug : slug_from_title(&im->arena, fm.title),
        .source = path,
        .title = fm.title,
        .summary = fm.summary,
        .body_md = body.ptr, /* runs to the end of data: NUL-terminated */
        .body_html = im->html.ptr,
        .status = fm.draft ? ARTICLE_DRAFT : ARTICLE_PUBLISHED,
        .published_at = published,
        .hits = fm.hits,
        .section = fm.section,
        .issue_date = fm.issue,
        .authors = fm.authors,
        .n_authors = fm.n_authors,
        .tags = fm.tags,
        .n_tags = fm.n_tags,
    };
    int64_t id = 0;
    bool created = false;
    rc = store_article_save(im->s, &in, &id, &created);
    if (rc != 0) {
        report(im, path, 0, "cannot save: %s (%s)", err_str(rc),
               store_last_error());
        if (rc == ERR_IO)
            im->fatal = rc;
        return;
    }
    if (fm.feature_image && !strncmp(fm.feature_image, "http", 4) &&
        !fm.feature_image_alt) {
        report(im, path, 0,
               "'feature_image' is a URL: 'feature_image_alt' "
               "must say what it shows");
        return;
    }
    rc = store_article_feature_set(im->s, id, fm.feature_image,
                                   fm.feature_image_alt);
    if (rc != 0) {
        report(im, path, 0, "cannot save its feature image: %s",
               store_last_error());
        return;
    }
    if (created)
        im->batch_new++;
    else
        im->batch_updated++;
    log_debug("%s: article %lld (%s)", path, (long long)id,
              created ? "new" : "updated");
}

/* commit ends the batch (either way) and counts it if it committed. */
static int commit(struct importer *im)
{
    im->in_batch = 0;
    im->in_txn = false;
    int rc = store_commit(im->s);
    if (rc != 0) {
        log_error("cannot commit: %s", store_last_error());
        return rc;
    }
    im->rep->imported += im->batch_new;
    im->rep->updated += im->batch_updated;
    im->batch_new = im->batch_updated = 0;
    return 0;
}

/* tick commits every IMPORT_BATCH files; nonzero if the store failed. */
static int tick(struct importer *im)
{
    if (im->fatal)
        return im->fatal;
    if (++im->in_batch < IMPORT_BATCH)
        return 0;
    int rc = commit(im);
    if (rc == 0)
        rc = store_begin(im->s);
    if (rc != 0) {
        log_error("transaction failed: %s", store_last_error());
        return rc;
    }
    im->in_txn = true;
    return 0;
}

static bool is_markdown(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && dot != name &&
           (strcasecmp(dot, ".md") == 0 || strcasecmp(dot, ".markdown") == 0);
}

static int by_name(const FTSENT **a, const FTSENT **b)
{
    return strcmp((*a)->fts_name, (*b)->fts_name);
}

/* walk imports the Markdown files below dir; nonzero if the store failed. */
static int walk(struct importer *im, const char *dir)
{
    int rc = 0;
    char *root = xstrdup(dir); /* fts_open's argv is not const */
    char *argv[] = {root, NULL};
    FTS *fts =
        fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR | FTS_COMFOLLOW, by_name);
    if (!fts) {
        report(im, dir, 0, "cannot walk: %s", strerror(errno));
        goto out;
    }
    for (;;) {
        errno = 0;
        FTSENT *e = fts_read(fts);
        if (!e) {
            if (errno != 0)
                report(im, dir, 0, "cannot walk: %s", strerror(errno));
            break;
        }
        bool hidden = e->fts_level > 0 && e->fts_name[0] == '.';
        switch (e->fts_info) {
        case FTS_D:
            if (hidden)
                fts_set(fts, e, FTS_SKIP);
            break;
        case FTS_DNR:
        case FTS_ERR:
            report(im, e->fts_path, 0, "cannot read: %s",
                   strerror(e->fts_errno));
            break;
        case FTS_F:
        case FTS_SL: /* a link to a file is imported; to a dir, not walked */
        case FTS_SLNONE:
        case FTS_NS:
            if (hidden || !is_markdown(e->fts_name))
                break;
            if (e->fts_info == FTS_SL) {
                struct stat st;
                if (stat(e->fts_accpath, &st) == 0 && !S_ISREG(st.st_mode))
                    break;
            }
            import_file(im, e->fts_path);
            rc = tick(im);
            if (rc != 0)
                goto out;
            break;
        default: break;
        }
    }
out:
    if (fts)
        fts_close(fts);
    free(root);
    return rc;
}

int import_markdown_paths(struct store *s, const char *const *paths, size_t n,
                          struct import_report *rep)
{
    struct importer im = {.s = s, .rep = rep};
    size_t failed_before = rep->failed;
    int rc;

    im.errs = rep->errors ? rep->errors : stderr;
    arena_init(&im.arena, 64 * 1024);
    buf_init(&im.html, HTML_MAX);
    rc = store_begin(s);
    if (rc != 0) {
        log_error("cannot start a transaction: %s", store_last_error());
        goto out;
    }
    im.in_txn = true;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            report(&im, paths[i], 0, "%s", strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(&im, paths[i]);
        } else {
            import_file(&im, paths[i]);
            rc = tick(&im);
        }
    }
    if (rc == 0)
        rc = commit(&im);
    if (rc != 0) {
        if (im.in_txn)
            store_rollback(s);
        fprintf(im.errs,
                "import stopped: the database could not be "
                "written; the %zu articles read since the last "
                "commit were rolled back; import again once it is "
                "fixed\n",
                im.batch_new + im.batch_updated);
        goto out;
    }
    if (rep->failed > failed_before)
        rc = ERR_PARSE;
out:
    free(im.data);
    buf_release(&im.html);
    arena_release(&im.arena);
    return rc;
}
