/*
 * theme.c - `quire theme export DIR`, and the theme folder serve and
 * export use: server.theme, or the embedded default theme unpacked into a
 * private temporary folder (removed again by cli_theme_done).
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "io/rmtree.h"
#include "io/theme_embed.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_theme_dirs(struct cli *cli, const char **theme, const char **admin,
                   char **unpacked)
{
    char err[512];
    bool theme_builtin = strcmp(cli->cfg.theme, THEME_BUILTIN) == 0;
    bool admin_builtin = admin && strcmp(cli->cfg.admin, THEME_BUILTIN) == 0;
    *unpacked = NULL;
    *theme = cli->cfg.theme;
    if (admin)
        *admin = cli->cfg.admin;
    if (!theme_builtin && !admin_builtin)
        return 0;
    char *root = theme_embed_unpack(err, sizeof(err));
    if (!root)
        return cli_fail("cannot unpack the built-in theme: %s", err);
    /* Both live in the one folder, as default/ and admin/; one block
     * "ROOT\0ROOT/default\0ROOT/admin\0" so cli_theme_done frees all. */
    size_t n = strlen(root);
    char *block = xmalloc(3 * n + sizeof("/default") + sizeof("/admin") + 1);
    snprintf(block, n + 1, "%s", root);
    char *t = block + n + 1, *ad = t + n + sizeof("/default");
    snprintf(t, n + sizeof("/default"), "%s/default", root);
    snprintf(ad, n + sizeof("/admin"), "%s/admin", root);
    free(root);
    *unpacked = block;
    if (theme_builtin)
        *theme = t;
    if (admin_builtin)
        *admin = ad;
    return 0;
}

void cli_theme_done(char *unpacked)
{
    if (unpacked && rmtree(unpacked) != 0)
        fprintf(stderr, "quire: %s: could not be removed\n", unpacked);
    free(unpacked);
}

int cmd_theme(struct cli *cli, int argc, char **argv)
{
    char err[512];
    (void)cli;
    if (argc != 3 || strcmp(argv[1], "export") != 0)
        return cli_fail("usage: quire theme export DIR");
    if (theme_embed_write(argv[2], err, sizeof(err)) != 0)
        return cli_fail("theme export: %s", err);
    printf("wrote the built-in theme (%zu files) to %s; use it with "
           "--theme %s or server.theme\n",
           theme_embedded_len, argv[2], argv[2]);
    return 0;
}
