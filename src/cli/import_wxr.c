/*
 * import_wxr.c - `quire import wxr [--pages] FILE...`: the command around
 * io/import_wxr. Each file is imported whole or not at all; a bad one is
 * reported as FILE:LINE: reason and the others still run (exit status 1).
 */
#include "cli/commands.h"

#include "io/import_wxr.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_import_wxr(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"pages", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    bool pages = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'p')
            return cli_fail("usage: quire import wxr [--pages] FILE...");
        pages = true;
    }
    if (optind >= argc)
        return cli_fail("usage: quire import wxr [--pages] FILE...");
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    int status = 0;
    for (int i = optind; i < argc; i++) {
        struct wxr_report rep = {0};
        char err[1024];
        if (import_wxr(s, argv[i], pages, &rep, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s; nothing imported from it\n", err);
            status = 1;
            continue;
        }
        printf("%s: imported %zu, updated %zu, %zu drafts, %zu attachments "
               "recorded, skipped %zu (other types, trash)\n",
               argv[i], rep.imported, rep.updated, rep.drafts, rep.attachments,
               rep.skipped);
    }
    store_close(s);
    return status;
}
