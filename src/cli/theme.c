/*
 * theme.c - `quire theme export DIR`, and the theme folder serve and
 * export use: server.theme, or the embedded default theme unpacked into a
 * private temporary folder (removed again by cli_theme_done).
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "io/rmtree.h"
#include "io/theme_embed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_theme_dir(struct cli *cli, const char **dir, char **unpacked)
{
    char err[512];
    *unpacked = NULL;
    if (strcmp(cli->cfg.theme, THEME_BUILTIN) != 0) {
        *dir = cli->cfg.theme;
        return 0;
    }
    *unpacked = theme_embed_unpack(err, sizeof(err));
    if (!*unpacked)
        return cli_fail("cannot unpack the built-in theme: %s", err);
    *dir = *unpacked;
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
           "--theme %s or server.theme\n", theme_embedded_len, argv[2],
           argv[2]);
    return 0;
}
