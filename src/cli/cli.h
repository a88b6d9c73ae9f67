/*
 * cli.h - what every command of the command line shares.
 *
 * main.c parses the global options and dispatches to a command; each
 * command is one function `int cmd_NAME(struct cli *, int argc, char
 * **argv)` (argv[0] is the command's name) in src/cli/NAME.c or main.c,
 * listed once in main.c's table. A command returns the process's exit
 * status; errors go through cli_fail, one line on stderr.
 */
#ifndef QUIRE_CLI_H
#define QUIRE_CLI_H

#include "core/config.h"

#include <stdbool.h>
#include <stdint.h>

struct store;

struct cli {
    const char *db;          /* --db, $QUIRE_DB or the default */
    const char *config_path; /* --config, $QUIRE_CONFIG or quire.ini */
    bool config_explicit;    /* the INI file was named, so it must exist */
    struct config cfg;       /* the server settings, loaded */
};

/* cli_fail prints "quire: MESSAGE" on stderr and returns 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cli_wants_help tells whether argv holds --help or -h before any "--". */
bool cli_wants_help(int argc, char **argv);

/* cli_open_store opens the journal's database, which must exist, with
 * store_open's flags; on failure it reports and returns 1. */
int cli_open_store(struct cli *cli, int flags, struct store **s);

/* cli_parse_id reads a positive id; on failure it reports and returns 1. */
int cli_parse_id(const char *text, int64_t *id);

#endif
