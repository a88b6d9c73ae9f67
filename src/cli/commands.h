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
int cmd_media(struct cli *cli, int argc, char **argv); /* media.c */
/* cli_media_copy copies the media folder beside db to the folder
 * "BACKUP.media" beside the backup file (or back, if restore): files the
 * target lacks only, as names are content hashes. Returns the exit status. */
int cli_media_copy(const char *db, const char *backup, bool restore);
/* cli_who names the shell's user for the audit log: "cli:NAME". */
const char *cli_who(void);

#endif
