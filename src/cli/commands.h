/*
 * commands.h - the commands that live in src/cli/, one line each; main.c's
 * table lists them with their usage and help.
 */
#ifndef QUIRE_CLI_COMMANDS_H
#define QUIRE_CLI_COMMANDS_H

#include "cli/cli.h"

int cmd_places(struct cli *cli, int argc, char **argv);

#endif
