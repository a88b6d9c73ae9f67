/*
 * commands.h - the commands that live in src/cli/, one line each; main.c's
 * table lists them with their usage and help.
 */
#ifndef QUIRE_CLI_COMMANDS_H
#define QUIRE_CLI_COMMANDS_H

#include "cli/cli.h"

int cmd_user(struct cli *cli, int argc, char **argv);  /* user.c */
int cmd_token(struct cli *cli, int argc, char **argv); /* token.c */
int cmd_audit(struct cli *cli, int argc, char **argv); /* audit.c */
/* cli_who names the shell's user for the audit log: "cli:NAME". */
const char *cli_who(void);
int cmd_redirect(struct cli *cli, int argc, char **argv);
int cmd_import_k2(struct cli *cli, int argc, char **argv);
int cmd_import_wxr(struct cli *cli, int argc, char **argv);
int cmd_export_json(struct cli *cli, int argc, char **argv);
int cmd_import_json(struct cli *cli, int argc, char **argv);
int cmd_places(struct cli *cli, int argc, char **argv);

#endif
