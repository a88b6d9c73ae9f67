/*
 * json_dump.c - the journal as one JSON file, streamed both ways.
 *
 * The file is valid JSON, and also laid out one row per line (see
 * docs/json-format.md), which is what lets both sides stream: the writer
 * encodes one row at a time with jansson, the reader takes one line at a
 * time and parses only that line with jansson, so memory stays bounded by
 * the largest row (ROW_MAX), whatever the journal's size. A line that is
 * not what the layout expects is FILE:LINE: reason.
 */
#include "io/json_dump.h"

#include "core/buf.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ROW_MAX ((size_t)64 << 20)
#define HEADER "{\"format\":\"quire-journal\",\"version\":1,\"tables\":["

struct writer {
    FILE *f;
    size_t rows;
    bool first_table, first_row;
    char *err;
    size_t errlen;
};

static int write_row(void *ctx, const char *table, const char *const *cols,
                     size_t n, const struct dump_value *v)
{
    struct writer *w = ctx;
    if (!v) {
        fprintf(w->f, "%s\n{\"table\":\"%s\",\"rows\":[",
                w->first_table ? "" : "\n]},", table);
        w->first_table = false;
        w->first_row = true;
        return 0;
    }
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *x = v[i].type == DUMP_INT    ? json_integer(v[i].i)
                    : v[i].type == DUMP_TEXT ? json_stringn(v[i].s, v[i].len)
                                             : json_null();
        if (!x) {
            snprintf(w->err, w->errlen, "%s: a %s that is not UTF-8", table,
                     cols[i]);
            json_decref(o);
            return ERR_INVALID;
        }
        json_object_set_new(o, cols[i], x);
    }
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!line)
        return ERR_INVALID;
    fprintf(w->f, "%s\n%s", w->first_row ? "" : ",", line);
    free(line);
    w->first_row = false;
    w->rows++;
    return 0;
}

int json_export(struct store *s, FILE *f, size_t *rows, char *err,
                size_t errlen)
{
    struct writer w = {
        .f = f, .first_table = true, .err = err, .errlen = errlen};
    err[0] = 0;
    fputs(HEADER, f);
    int rc = store_dump(s, write_row, &w);
    if (rc == 0)
        fputs("\n]}\n]}\n", f);
    if (rc == 0 && (fflush(f) != 0 || ferror(f))) {
        snprintf(err, errlen, "cannot write the file");
        rc = ERR_IO;
    }
    if (rc != 0 && !err[0])
        snprintf(err, errlen, "%s", store_last_error());
    *rows = w.rows;
    return rc;
}

/* --- reading ------------------------------------------------------- */

struct reader {
    struct store_load *load; /* NULL: only check */
    const char *path;
    long line;
    size_t rows;
    char *err;
    size_t errlen;
    enum { R_HEADER, R_TABLE, R_ROWS, R_END, R_DONE } state;
    bool more; /* the previous row ended with a comma */
    bool any;  /* the table has had a row */
};

static int bad(struct reader *r, const char *why)
{
    snprintf(r->err, r->errlen, "%s:%ld: %s", r->path, r->line, why);
    return ERR_PARSE;
}

static int row(struct reader *r, const char *s, size_t n)
{
    json_error_t je;
    json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return bad(r, o ? "a row must be an object" : je.text);
    }
    const char *names[64];
    struct dump_value v[64];
    size_t k = 0;
    const char *key;
    json_t *x;
    int rc = 0;
    json_object_foreach(o, key, x)
    {
        if (k == 64) {
            rc = bad(r, "a row has more than 64 columns");
            break;
        }
        names[k] = key;
        if (json_is_integer(x))
            v[k] = (struct dump_value){.type = DUMP_INT,
                                       .i = json_integer_value(x)};
        else if (json_is_string(x))
            v[k] = (struct dump_value){.type = DUMP_TEXT,
                                       .s = json_string_value(x),
                                       .len = json_string_length(x)};
        else if (json_is_null(x))
            v[k] = (struct dump_value){.type = DUMP_NULL};
        else {
            rc = bad(r, "a value must be an integer, a string or null");
            break;
        }
        k++;
    }
    if (rc == 0 && r->load && store_load_row(r->load, names, v, k) != 0) {
        char why[512];
        snprintf(why, sizeof(why), "%s", store_last_error());
        rc = bad(r, why);
    }
    json_decref(o);
    if (rc == 0)
        r->rows++;
    return rc;
}

/* line handles one line of the layout (without its newline). */
static int line(struct reader *r, char *s, size_t n)
{
    static const char TABLE[] = "{\"table\":\"";
    static const char ROWS[] = "\",\"rows\":[";
    r->line++;
    switch (r->state) {
    case R_HEADER:
        if (n != strlen(HEADER) || memcmp(s, HEADER, n) != 0)
            return bad(r, "not a Quire JSON export (format quire-journal, "
                          "version 1)");
        r->state = R_TABLE;
        return 0;
    case R_TABLE:
        if (n > sizeof(TABLE) + sizeof(ROWS) - 2 &&
            memcmp(s, TABLE, sizeof(TABLE) - 1) == 0 &&
            memcmp(s + n - (sizeof(ROWS) - 1), ROWS, sizeof(ROWS) - 1) == 0) {
            s[n - (sizeof(ROWS) - 1)] = 0;
            const char *name = s + sizeof(TABLE) - 1;
            if (r->load && store_load_table(r->load, name) != 0)
                return bad(r, store_last_error());
            r->state = R_ROWS;
            r->more = false;
            r->any = false;
            return 0;
        }
        return bad(r, "expected a table: {\"table\":\"NAME\",\"rows\":[");
    case R_ROWS:
        if (n >= 2 && memcmp(s, "]}", 2) == 0) {
            if (r->more)
                return bad(r, "a comma after the table's last row");
            if (n == 3 && s[2] == ',') {
                r->state = R_TABLE;
                return 0;
            }
            if (n == 2) {
                r->state = R_END;
                return 0;
            }
            return bad(r, "expected ]} or ]},");
        }
        if (r->any && !r->more)
            return bad(r, "a comma is missing after the previous row");
        r->more = n && s[n - 1] == ',';
        if (r->more)
            n--;
        r->any = true;
        return row(r, s, n);
    case R_END:
        if (n == 2 && memcmp(s, "]}", 2) == 0) {
            r->state = R_DONE;
            return 0;
        }
        return bad(r, "expected ]} (the end of the export)");
    case R_DONE:
        if (n == 0)
            return 0;
        return bad(r, "text after the end of the export");
    }
    return bad(r, "unexpected");
}

static int finish(struct reader *r)
{
    if (r->state != R_DONE) {
        r->line++;
        return bad(r, "the export ends early (truncated file?)");
    }
    return 0;
}

int json_import(struct store *s, FILE *f, const char *path, size_t *rows,
                char *err, size_t errlen)
{
    struct reader r = {.path = path, .err = err, .errlen = errlen};
    err[0] = 0;
    *rows = 0;
    int rc = store_load_begin(s, &r.load);
    if (rc != 0) {
        snprintf(err, errlen, "%s", store_last_error());
        return rc;
    }
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    while (rc == 0 && (len = getline(&buf, &cap, f)) >= 0) {
        if ((size_t)len > ROW_MAX) {
            r.line++;
            rc = bad(&r, "a line longer than 64 MB");
            break;
        }
        if (len && buf[len - 1] == '\n')
            buf[--len] = 0;
        rc = line(&r, buf, (size_t)len);
    }
    free(buf);
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        rc = ERR_IO;
    }
    if (rc == 0)
        rc = finish(&r);
    int end = store_load_end(r.load, rc == 0);
    if (rc == 0 && end != 0) {
        snprintf(err, errlen, "%s: %s", path, store_last_error());
        rc = end;
    }
    *rows = rc == 0 ? r.rows : 0;
    return rc;
}

int json_import_check(const char *data, size_t n, char *err, size_t errlen)
{
    struct reader r = {.path = "input", .err = err, .errlen = errlen};
    char *copy = malloc(n + 1);
    if (!copy)
        abort();
    memcpy(copy, data, n);
    copy[n] = 0;
    int rc = 0;
    size_t i = 0;
    while (rc == 0 && i < n) {
        char *nl = memchr(copy + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - copy - i) : n - i;
        copy[i + len] = 0;
        rc = line(&r, copy + i, len);
        i += len + 1;
    }
    if (rc == 0)
        rc = finish(&r);
    free(copy);
    return rc;
}
