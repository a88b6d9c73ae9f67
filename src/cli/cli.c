/*
 * cli.c - helpers every command shares: one-line errors, --help, opening
 * the journal.
 */
#include "cli/cli.h"

#include "core/err.h"
#include "core/str.h"
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("quire: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

int cli_open_store(struct cli *cli, int flags, struct store **s)
{
    int rc = store_open(cli->db, flags, s);
    if (rc == ERR_NOT_FOUND)
        return cli_fail("%s: no journal here; create one with 'quire init'",
                        cli->db);
    if (rc != 0)
        return cli_fail("cannot open the database: %s", store_last_error());
    return 0;
}

int cli_parse_id(const char *text, int64_t *id)
{
    long long v;
    if (str_to_i64(str_from(text), 1, INT64_MAX, &v) != 0)
        return cli_fail("'%s' is not an id (see the list command)", text);
    *id = v;
    return 0;
}
