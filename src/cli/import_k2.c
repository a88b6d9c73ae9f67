/*
 * import_k2.c - `quire import k2 URL [--dry-run] [--limit N]
 * [--issue-field NAME]`: the command around io/import_k2.
 */
#include "cli/commands.h"

#include "core/str.h"
#include "io/import_k2.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cmd_import_k2(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"dry-run", no_argument, NULL, 'n'},
        {"limit", required_argument, NULL, 'l'},
        {"issue-field", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    static const char usage[] =
        "usage: quire import k2 mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
        "?prefix=jos_ [--dry-run] [--limit N] [--issue-field NAME]";
    struct k2_opts o = {.progress = isatty(STDERR_FILENO)};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'n') {
            o.dry_run = true;
        } else if (c == 'l') {
            long long n;
            if (str_to_i64(str_from(optarg), 1, 1000000000, &n) != 0)
                return cli_fail("--limit: '%s' is not a positive number",
                                optarg);
            o.limit = (long)n;
        } else if (c == 'i') {
            o.issue_field = optarg;
        } else {
            return cli_fail("%s", usage);
        }
    }
    if (optind + 1 != argc)
        return cli_fail("%s", usage);
    o.url = argv[optind];
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    struct k2_report rep = {0};
    char err[1024];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = import_k2(s, &o, &rep, err, sizeof(err));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    store_close(s);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%s%zu items read: %s %zu, %s %zu, skipped %zu (%zu in the "
           "trash, %zu unreadable), %zu drafts; %zu sections, %zu tags, "
           "%zu author bios; %zu rows repaired; %.2f s\n",
           o.dry_run ? "dry run, nothing written: " : "", rep.items,
           o.dry_run ? "would import" : "imported", rep.imported,
           o.dry_run ? "would update" : "updated", rep.updated,
           rep.skipped_trash + rep.skipped_bad, rep.skipped_trash,
           rep.skipped_bad, rep.drafts, rep.sections, rep.tags, rep.authors,
           rep.repaired, secs);
    if (rc != 0)
        return cli_fail("import k2: %s", err);
    return 0;
}
