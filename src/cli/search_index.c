/*
 * search_index.c - `quire search-index build`: build or bring up to date
 * the Xapian search index beside the database, in the foreground, as the
 * server's thread would (store_search_index_step). For an operator who
 * moves a large archive in and wants searches at full speed from the
 * first request, and for the benches. A server that keeps the index holds
 * its write lock: the command then says so and does nothing.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int cmd_search_index(struct cli *cli, int argc, char **argv)
{
    if (argc != 2 || cli_wants_help(argc, argv) ||
        strcmp(argv[1], "build") != 0) {
        printf("usage: quire search-index build\n");
        return cli_wants_help(argc, argv) ? 0 : 1;
    }
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    store_search_engine_set(s, STORE_SEARCH_XAPIAN);
    double t0 = seconds(), shown = t0;
    bool more = true, tty = isatty(2) == 1;
    int rc = 0;
    struct search_index_state st = {0};
    while (more && rc == 0) {
        rc = store_search_index_step(s, &more);
        double t = seconds();
        if (rc == 0 && tty && t - shown >= 1.0 &&
            store_search_index_state(s, &st) == 0) {
            fprintf(stderr, "\r%lld articles indexed", (long long)st.documents);
            shown = t;
        }
    }
    if (tty && shown > t0)
        fputc('\n', stderr);
    if (rc == ERR_BUSY) {
        store_close(s);
        return cli_fail("search-index: a running server keeps the index "
                        "(it builds and follows it itself)");
    }
    if (rc == 0)
        rc = store_search_index_state(s, &st);
    if (rc != 0) {
        cli_fail("search-index: %s", store_last_error());
        store_close(s);
        return 1;
    }
    printf("search index: %lld articles, exact at change %lld (%.1f s)\n",
           (long long)st.documents, (long long)st.seq, seconds() - t0);
    store_close(s);
    return 0;
}
