/*
 * redirect.c - `quire redirect add OLD NEW | list | remove OLD | import
 * FILE.csv`: the redirects an editor keeps by hand, beside those the
 * importers record.
 *
 * OLD is a path ("/old/page.html", with "?query" when the query matters);
 * NEW a path or an absolute http(s) URL. The CSV has two columns, old and
 * new (RFC 4180 quoting; a first row "old,new" is a header); it is read
 * whole before anything is written, and one bad row refuses the file with
 * FILE:LINE: reason, so a file is imported entirely or not at all.
 */
#include "cli/commands.h"

#include "core/arena.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CSV_FIELD_MAX = 2048, CSV_ROWS_MAX = 1000000 };

static bool target_ok(const char *t)
{
    return t[0] == '/' || strncmp(t, "http://", 7) == 0 ||
           strncmp(t, "https://", 8) == 0;
}

static bool path_ok(const char *p)
{
    if (p[0] != '/' || strlen(p) > CSV_FIELD_MAX)
        return false;
    for (; *p; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7F)
            return false;
    return true;
}

/* csv_field reads one field at *p (quoted or not) into out; returns false
 * on a bad quote or an overlong field. */
static bool csv_field(const char **p, char *out, size_t outlen)
{
    const char *s = *p;
    size_t k = 0;
    if (*s == '"') {
        s++;
        for (;;) {
            if (*s == 0)
                return false;
            if (*s == '"') {
                if (s[1] != '"') {
                    s++;
                    break;
                }
                s++;
            }
            if (k + 1 >= outlen)
                return false;
            out[k++] = *s++;
        }
    } else {
        while (*s && *s != ',' && *s != '\n' && *s != '\r') {
            if (k + 1 >= outlen)
                return false;
            out[k++] = *s++;
        }
    }
    out[k] = 0;
    *p = s;
    return true;
}

struct row {
    char *old, *new_;
};

static int import_csv(struct store *s, const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return cli_fail("%s: %s", file, strerror(errno));
    char *line = NULL;
    size_t cap = 0, n = 0, rcap = 0;
    struct row *rows = NULL;
    char a[CSV_FIELD_MAX + 1], b[CSV_FIELD_MAX + 1];
    long lineno = 0;
    int status = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0)
            continue;
        const char *p = line;
        if (!csv_field(&p, a, sizeof(a)) || *p != ',' || (p++, 0) ||
            !csv_field(&p, b, sizeof(b)) || *p != 0) {
            status =
                cli_fail("%s:%ld: expected two fields, old,new", file, lineno);
            goto out;
        }
        if (lineno == 1 && strcmp(a, "old") == 0 && strcmp(b, "new") == 0)
            continue;
        if (!path_ok(a) || !target_ok(b) || strcmp(a, b) == 0) {
            status = cli_fail("%s:%ld: '%s' must be a path starting with / "
                              "and '%s' a path or an http(s) URL",
                              file, lineno, a, b);
            goto out;
        }
        if (n == CSV_ROWS_MAX) {
            status = cli_fail("%s:%ld: more than %d rows", file, lineno,
                              CSV_ROWS_MAX);
            goto out;
        }
        if (n == rcap) {
            rcap = rcap ? rcap * 2 : 64;
            rows = realloc(rows, rcap * sizeof(*rows));
            if (!rows)
                abort();
        }
        rows[n].old = strdup(a);
        rows[n].new_ = strdup(b);
        if (!rows[n].old || !rows[n].new_)
            abort();
        n++;
    }
    if (ferror(f)) {
        status = cli_fail("%s: %s", file, strerror(errno));
        goto out;
    }
    if (store_begin(s) != 0) {
        status = cli_fail("%s", store_last_error());
        goto out;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = store_redirect_set(s, rows[i].old, rows[i].new_, "csv");
    if (rc == 0)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc != 0)
        status = cli_fail("%s: nothing imported: %s", file, store_last_error());
    else
        printf("imported %zu redirects from %s\n", n, file);
out:
    for (size_t i = 0; i < n; i++) {
        free(rows[i].old);
        free(rows[i].new_);
    }
    free(rows);
    free(line);
    fclose(f);
    return status;
}

int cmd_redirect(struct cli *cli, int argc, char **argv)
{
    static const char usage[] =
        "usage: quire redirect add OLD NEW | list | remove OLD | "
        "import FILE.csv";
    if (argc < 2)
        return cli_fail("%s", usage);
    const char *sub = argv[1];
    bool add = strcmp(sub, "add") == 0 && argc == 4;
    bool list = strcmp(sub, "list") == 0 && argc == 2;
    bool rm = strcmp(sub, "remove") == 0 && argc == 3;
    bool csv = strcmp(sub, "import") == 0 && argc == 3;
    if (!add && !list && !rm && !csv)
        return cli_fail("%s", usage);
    if (add && (!path_ok(argv[2]) || !target_ok(argv[3])))
        return cli_fail("redirect: OLD must be a path starting with / and "
                        "NEW a path or an http(s) URL");
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    int status = 0;
    if (add) {
        if (store_redirect_set(s, argv[2], argv[3], "manual") != 0)
            status = cli_fail("redirect: %s", store_last_error());
    } else if (rm) {
        if (store_redirect_remove(s, argv[2]) != 0)
            status = cli_fail("redirect: %s", store_last_error());
    } else if (csv) {
        status = import_csv(s, argv[2]);
    } else {
        struct arena a;
        struct redirect *r;
        size_t n;
        arena_init(&a, 4096);
        if (store_redirects_list(s, &a, &r, &n) != 0) {
            status = cli_fail("redirect: %s", store_last_error());
        } else {
            for (size_t i = 0; i < n; i++)
                printf("%s\t%s\t%s\n", r[i].path, r[i].target, r[i].origin);
        }
        arena_release(&a);
    }
    store_close(s);
    return status;
}
