/*
 * webhook.c - `quire webhook add URL --events E[,E...] [--secret S]`,
 * `list`, `remove ID` and `log [ID]` (delivery is the server's: hooks/).
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/arena.h"
#include "hooks/hooks.h"
#include "store/store.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int add(struct store *s, int argc, char **argv)
{
    static const struct option opts[] = {
        {"events", required_argument, NULL, 'e'},
        {"secret", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    const char *ev = NULL, *secret = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'e')
            ev = optarg;
        else if (c == 's')
            secret = optarg;
        else
            return cli_fail("usage: quire webhook add URL --events "
                            "EVENT[,EVENT...] [--secret S]");
    }
    if (optind + 1 != argc || !ev)
        return cli_fail("usage: quire webhook add URL --events "
                        "EVENT[,EVENT...] [--secret S]");
    const char *url = argv[optind];
    if (!hooks_url_ok(url))
        return cli_fail("'%s' is not an http(s) URL", url);
    if (!hooks_events_ok(ev))
        return cli_fail("--events: '%s' is not a list of article.published, "
                        "article.updated, article.deleted, issue.published",
                        ev);
    if (secret && (strlen(secret) < 8 || strlen(secret) > 256))
        return cli_fail("--secret: 8 to 256 characters");
    int64_t id;
    if (store_webhook_add(s, url, ev, secret, &id) != 0)
        return cli_fail("cannot add the webhook: %s", store_last_error());
    printf("webhook %" PRId64 ": %s for %s%s\n", id, url, ev,
           secret ? ", signed" : "");
    return 0;
}

int cmd_webhook(struct cli *cli, int argc, char **argv)
{
    struct store *s = NULL;
    struct arena a;
    int status = 0;
    int64_t id = 0;
    if (argc < 2)
        return cli_fail("webhook needs add, list, remove or log (see quire "
                        "webhook --help)");
    const char *verb = argv[1];
    bool list = strcmp(verb, "list") == 0 && argc == 2;
    bool rm = strcmp(verb, "remove") == 0 && argc == 3;
    bool log = strcmp(verb, "log") == 0 && argc <= 3;
    bool add_ = strcmp(verb, "add") == 0;
    if (!list && !rm && !log && !add_)
        return cli_fail("usage: quire webhook add URL --events E[,E...] "
                        "[--secret S] | list | remove ID | log [ID]");
    if ((rm || (log && argc == 3)) && cli_parse_id(argv[2], &id) != 0)
        return 1;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    arena_init(&a, 4096);
    if (add_) {
        status = add(s, argc - 1, argv + 1);
    } else if (rm) {
        int rc = store_webhook_remove(s, id);
        if (rc == ERR_NOT_FOUND)
            status = cli_fail("no webhook %" PRId64, id);
        else if (rc != 0)
            status = cli_fail("cannot remove it: %s", store_last_error());
    } else if (list) {
        struct webhook *w;
        size_t n;
        if (store_webhooks_list(s, &a, &w, &n) != 0) {
            status = cli_fail("cannot read webhooks: %s", store_last_error());
        } else {
            for (size_t i = 0; i < n; i++)
                printf("%" PRId64 "\t%s\t%s\t%s\tpending %" PRId64
                       ", delivered %" PRId64 ", failed %" PRId64 "\n",
                       w[i].id, w[i].url, w[i].events,
                       w[i].has_secret ? "signed" : "unsigned", w[i].pending,
                       w[i].delivered, w[i].failed);
        }
    } else {
        struct webhook_log *l;
        size_t n;
        if (store_webhook_log(s, &a, id, 50, &l, &n) != 0) {
            status = cli_fail("cannot read the log: %s", store_last_error());
        } else {
            for (size_t i = 0; i < n; i++) {
                char when[32];
                time_t t = (time_t)l[i].at;
                struct tm tm;
                gmtime_r(&t, &tm);
                strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
                printf("%s\t%s\t%s\t%s\t%d\t%s\n", when, l[i].uuid, l[i].event,
                       l[i].state, l[i].status,
                       l[i].response ? l[i].response : "");
            }
        }
    }
    arena_release(&a);
    store_close(s);
    return status;
}
