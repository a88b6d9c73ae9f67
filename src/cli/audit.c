/*
 * audit.c - `quire audit [--limit N]`: the newest entries of the audit
 * log (every write of the back office, the admin API and the CLI), one a
 * line: time (UTC), who, action, object.
 */
#include "cli/commands.h"

#include "core/arena.h"
#include "core/str.h"
#include "store/accounts.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int cmd_audit(struct cli *cli, int argc, char **argv)
{
    long long limit = 50;
    if (argc == 3 && strcmp(argv[1], "--limit") == 0) {
        if (str_to_i64(str_from(argv[2]), 1, 1000000, &limit) != 0)
            return cli_fail("--limit takes a number from 1 to 1000000");
    } else if (argc != 1) {
        return cli_fail("usage: quire audit [--limit N]");
    }
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    struct arena a;
    struct audit_entry *e;
    size_t n;
    int status = 0;
    arena_init(&a, 4096);
    if (store_audit_list(s, &a, limit, &e, &n) != 0)
        status = cli_fail("cannot read the audit log: %s", store_last_error());
    for (size_t i = 0; status == 0 && i < n; i++) {
        char when[32];
        time_t t = (time_t)e[i].at;
        struct tm tm;
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        printf("%s\t%s\t%s\t%s\n", when, e[i].who, e[i].action, e[i].object);
    }
    arena_release(&a);
    store_close(s);
    return status;
}
