/*
 * commands.h - the commands that live in src/cli/, one line each; main.c's
 * table lists them with their usage and help.
 */
#ifndef QUIRE_CLI_COMMANDS_H
#define QUIRE_CLI_COMMANDS_H

#include "cli/cli.h"

int cmd_subscriber(struct cli *cli, int argc, char **argv);
int cmd_newsletter(struct cli *cli, int argc, char **argv);
int cmd_mail(struct cli *cli, int argc, char **argv);
/* cli_mail_config fills mc from the [mail] settings (mail.c). */
struct mail_config;
void cli_mail_config(struct cli *cli, struct mail_config *mc,
                     const char *fallback_base);
int cmd_user(struct cli *cli, int argc, char **argv);  /* user.c */
int cmd_token(struct cli *cli, int argc, char **argv); /* token.c */
int cmd_audit(struct cli *cli, int argc, char **argv); /* audit.c */
/* cli_who names the shell's user for the audit log: "cli:NAME". */
const char *cli_who(void);

#endif
