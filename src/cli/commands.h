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
int cmd_media(struct cli *cli, int argc, char **argv); /* media.c */
/* cli_media_copy copies the media folder beside db to the folder
 * "BACKUP.media" beside the backup file (or back, if restore): files the
 * target lacks only, as names are content hashes. Returns the exit status. */
int cli_media_copy(const char *db, const char *backup, bool restore);
/* cli_media_image sets *hash (from a) to the hash of the library image
 * ref names (an id, a hash or its file name); else reports, returns 1. */
struct arena;
int cli_media_image(struct store *s, struct arena *a, const char *ref,
                    const char **hash);
/* cli_who names the shell's user for the audit log: "cli:NAME". */
const char *cli_who(void);
int cmd_redirect(struct cli *cli, int argc, char **argv);
int cmd_import_k2(struct cli *cli, int argc, char **argv);
int cmd_import_wxr(struct cli *cli, int argc, char **argv);
int cmd_export_json(struct cli *cli, int argc, char **argv);
int cmd_import_json(struct cli *cli, int argc, char **argv);
int cmd_places(struct cli *cli, int argc, char **argv);
int cmd_search_index(struct cli *cli, int argc, char **argv);
int cmd_theme(struct cli *cli, int argc, char **argv);
int cmd_webhook(struct cli *cli, int argc, char **argv);
int cmd_author(struct cli *cli, int argc, char **argv);
/* cli_theme_dirs: server.theme and server.admin, or, for "builtin", the
 * built-in ones unpacked into a private folder (*unpacked, removed by
 * cli_theme_done); admin may be NULL when only the theme is wanted. */
int cli_theme_dirs(struct cli *cli, const char **theme, const char **admin,
                   char **unpacked);
void cli_theme_done(char *unpacked);
/* live.c: the site `quire serve` answers with, swapped on SIGHUP. */
struct live;
struct request;
struct response;
int live_open(struct cli *cli, struct store *s, struct live **out);
int live_app(struct request *req, struct response *res, void *ctx);
bool live_is_https(void *ctx);
void live_reload(struct live *l, struct cli *cli, const char *theme_flag);
void live_close(struct live *l);
/* cli_config_check: `quire config check [FILE]` (config_check.c). */
int cli_config_check(struct cli *cli, const char *path);

#endif
