/*
 * commands.h - the commands that live in src/cli/, one line each; main.c's
 * table lists them with their usage and help.
 */
#ifndef QUIRE_CLI_COMMANDS_H
#define QUIRE_CLI_COMMANDS_H

#include "cli/cli.h"

int cmd_redirect(struct cli *cli, int argc, char **argv);
int cmd_import_k2(struct cli *cli, int argc, char **argv);
int cmd_import_wxr(struct cli *cli, int argc, char **argv);
int cmd_export_json(struct cli *cli, int argc, char **argv);
int cmd_import_json(struct cli *cli, int argc, char **argv);

#endif
