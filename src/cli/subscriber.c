/*
 * subscriber.c - `quire subscriber list | import | remove`: the editor's
 * hands on the newsletter list from the command line.
 */
#include "cli/cli.h"
#include "cli/commands.h"

#include "content/email.h"
#include "content/email_list.h"
#include "core/arena.h"
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IMPORT_MAX (256u << 20)

static const char *const state_names[] = {"pending", "confirmed",
                                          "unsubscribed"};

static const char USAGE[] =
    "usage: quire subscriber list [--state pending|confirmed|unsubscribed]"
    " | import FILE.csv [--confirmed] | remove EMAIL";

struct import_ctx {
    struct store *s;
    const char *file;
    bool confirmed;
    size_t added, dups, bad;
    int fatal;
};

static int import_one(void *ud, size_t line, const char *email, const char *why)
{
    struct import_ctx *ic = ud;
    if (!email) {
        fprintf(stderr, "%s:%zu: %s\n", ic->file, line, why);
        ic->bad++;
        return 0;
    }
    if (!email_valid(email)) {
        fprintf(stderr, "%s:%zu: not an e-mail address\n", ic->file, line);
        ic->bad++;
        return 0;
    }
    int rc = store_subscriber_import(ic->s, email, ic->confirmed,
                                     (int64_t)time(NULL));
    if (rc == ERR_EXISTS) {
        fprintf(stderr, "%s:%zu: %s is already on the list\n", ic->file, line,
                email);
        ic->dups++;
        return 0;
    }
    if (rc != 0) {
        ic->fatal = cli_fail("%s:%zu: cannot store %s: %s", ic->file, line,
                             email, store_last_error());
        return 1;
    }
    ic->added++;
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *b = malloc(cap + 1);
    size_t k;
    while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            if (cap >= IMPORT_MAX) {
                free(b);
                b = NULL;
                errno = EFBIG;
                break;
            }
            cap *= 2;
            char *nb = realloc(b, cap + 1);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = n;
    }
    return b;
}

int cmd_subscriber(struct cli *cli, int argc, char **argv)
{
    struct store *s = NULL;
    int status = 0;
    if (argc < 2)
        return cli_fail("%s", USAGE);
    const char *verb = argv[1];
    if (strcmp(verb, "list") == 0) {
        int state = -1;
        if (argc == 4 && strcmp(argv[2], "--state") == 0) {
            for (int i = 0; i < 3; i++)
                if (strcmp(argv[3], state_names[i]) == 0)
                    state = i;
            if (state < 0)
                return cli_fail("--state must be pending, confirmed or "
                                "unsubscribed");
        } else if (argc != 2) {
            return cli_fail("%s", USAGE);
        }
        if (cli_open_store(cli, 0, &s) != 0)
            return 1;
        struct arena a;
        arena_init(&a, 1 << 16);
        struct subscriber *v;
        size_t n;
        if (store_subscribers_list(s, &a, state, &v, &n) != 0) {
            status =
                cli_fail("cannot list subscribers: %s", store_last_error());
        } else {
            for (size_t i = 0; i < n; i++) {
                char when[32] = "";
                time_t t = (time_t)v[i].created_at;
                struct tm tm;
                gmtime_r(&t, &tm);
                strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
                printf("%s\t%s\t%s\n", v[i].email,
                       v[i].state >= 0 && v[i].state < 3
                           ? state_names[v[i].state]
                           : "?",
                       when);
            }
        }
        arena_release(&a);
    } else if (strcmp(verb, "import") == 0) {
        const char *file = NULL;
        bool confirmed = false;
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--confirmed") == 0)
                confirmed = true;
            else if (!file && argv[i][0] != '-')
                file = argv[i];
            else
                return cli_fail("%s", USAGE);
        }
        if (!file)
            return cli_fail("%s", USAGE);
        size_t len = 0;
        char *data = read_file(file, &len);
        if (!data)
            return cli_fail("%s: %s", file, strerror(errno));
        if (cli_open_store(cli, 0, &s) != 0) {
            free(data);
            return 1;
        }
        struct import_ctx ic = {.s = s, .file = file, .confirmed = confirmed};
        int rc = email_list_parse(data, len, import_one, &ic);
        free(data);
        if (ic.fatal)
            status = 1;
        else if (rc == ERR_PARSE)
            status = 1;
        fprintf(stderr, "imported %zu (%s), %zu already on the list, %zu bad\n",
                ic.added, confirmed ? "confirmed" : "pending", ic.dups, ic.bad);
    } else if (strcmp(verb, "remove") == 0 && argc == 3) {
        if (cli_open_store(cli, 0, &s) != 0)
            return 1;
        int rc = store_subscriber_remove(s, argv[2]);
        if (rc == ERR_NOT_FOUND)
            status = cli_fail("%s is not on the list", argv[2]);
        else if (rc != 0)
            status =
                cli_fail("cannot remove %s: %s", argv[2], store_last_error());
    } else {
        return cli_fail("%s", USAGE);
    }
    if (s)
        store_close(s);
    return status;
}
