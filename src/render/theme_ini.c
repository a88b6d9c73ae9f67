/*
 * theme_ini.c - reading theme.ini with inih.
 *
 * One table maps each key to the format_set_* call that checks and
 * stores it, so a key cannot be documented and parsed differently. The
 * first error stops the load and names the file and line (Debian's inih
 * has no line numbers in callbacks, so lines are counted as read, as
 * core/config.c does).
 */
#include "render/theme_ini.h"

#include "render/format.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

enum key_kind { KEY_DATE, KEY_HITS, KEY_GROUPING, KEY_NAMES };

static const struct {
    const char *section, *name;
    enum key_kind kind;
    int which;
} keys[] = {
    {"format", "date_long", KEY_DATE, FMT_DATE_LONG},
    {"format", "date_short", KEY_DATE, FMT_DATE_SHORT},
    {"format", "month_year", KEY_DATE, FMT_MONTH_YEAR},
    {"format", "number_grouping", KEY_GROUPING, 0},
    {"format", "hits_zero", KEY_HITS, FMT_HITS_ZERO},
    {"format", "hits_one", KEY_HITS, FMT_HITS_ONE},
    {"format", "hits_other", KEY_HITS, FMT_HITS_OTHER},
    {"names", "months", KEY_NAMES, FMT_MONTHS},
    {"names", "months_short", KEY_NAMES, FMT_MONTHS_SHORT},
    {"names", "days", KEY_NAMES, FMT_DAYS},
    {"names", "days_short", KEY_NAMES, FMT_DAYS_SHORT},
};

struct load {
    struct theme_format *f;
    const char *path;
    FILE *file;
    int line;
    int rc;
    char *err;
    size_t errlen;
};

static char *read_line(char *str, int num, void *stream)
{
    struct load *l = stream;
    char *r = fgets(str, num, l->file);
    if (r)
        l->line++;
    return r;
}

static int set(struct theme_format *f, size_t k, const char *v, char *msg,
               size_t len)
{
    switch (keys[k].kind) {
    case KEY_DATE:
        return format_set_date(f, (enum fmt_date)keys[k].which, v, msg, len);
    case KEY_HITS:
        return format_set_hits(f, (enum fmt_hits)keys[k].which, v, msg, len);
    case KEY_GROUPING: return format_set_grouping(f, v, msg, len);
    case KEY_NAMES: break;
    }
    return format_set_names(f, (enum fmt_names)keys[k].which, v, msg, len);
}

static int on_key(void *user, const char *section, const char *name,
                  const char *value)
{
    struct load *l = user;
    if (l->rc)
        return 0;
    size_t k = 0, n = sizeof(keys) / sizeof(keys[0]);
    while (k < n && (strcmp(keys[k].section, section) != 0 ||
                     strcmp(keys[k].name, name) != 0))
        k++;
    if (k == n) {
        snprintf(l->err, l->errlen, "%s:%d: unknown key '%s' in [%s]", l->path,
                 l->line, name, section);
        l->rc = ERR_PARSE;
        return 0;
    }
    /* "..." keeps the spaces inih would trim. */
    char unquoted[512];
    size_t len = strlen(value);
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"' &&
        len - 2 < sizeof(unquoted)) {
        memcpy(unquoted, value + 1, len - 2);
        unquoted[len - 2] = '\0';
        value = unquoted;
    }
    char msg[256];
    if (set(l->f, k, value, msg, sizeof(msg)) != 0) {
        snprintf(l->err, l->errlen, "%s:%d: %s: %s", l->path, l->line, name,
                 msg);
        l->rc = ERR_INVALID;
        return 0;
    }
    return 1;
}

int theme_ini_load(const char *path, struct theme_format **out, char *err,
                   size_t errlen)
{
    struct theme_format *f = format_default();
    *out = NULL;
    FILE *file = fopen(path, "r");
    if (!file) {
        if (errno == ENOENT) {
            *out = f;
            return 0;
        }
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        format_free(f);
        return ERR_IO;
    }
    struct load l = {f, path, file, 0, 0, err, errlen};
    int line = ini_parse_stream(read_line, &l, on_key, &l);
    fclose(file);
    int rc = l.rc;
    if (rc == 0 && line != 0) {
        snprintf(err, errlen, "%s:%d: syntax error", path, line);
        rc = ERR_PARSE;
    }
    if (rc != 0) {
        format_free(f);
        return rc;
    }
    *out = f;
    return 0;
}
