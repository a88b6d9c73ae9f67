/*
 * commands.h - the commands that live in src/cli/, one line each; main.c's
 * table lists them with their usage and help.
 */
#ifndef QUIRE_CLI_COMMANDS_H
#define QUIRE_CLI_COMMANDS_H

#include "cli/cli.h"

int cmd_theme(struct cli *cli, int argc, char **argv);
/* cli_theme_dir: server.theme, or the built-in theme unpacked into a
 * temporary folder (*unpacked, for cli_theme_done); 1 on error. */
int cli_theme_dir(struct cli *cli, const char **dir, char **unpacked);
void cli_theme_done(char *unpacked);

#endif
