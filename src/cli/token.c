/*
 * token.c - `quire token`: bearer tokens for the admin API.
 *
 *   quire token add --name NAME --role ROLE   prints the token, once
 *   quire token list | revoke NAME
 *
 * Only the token's BLAKE2b hash is stored; a lost token is revoked and
 * replaced, never shown again.
 */
#include "cli/commands.h"

#include "admin/audit.h"
#include "admin/auth.h"
#include "core/arena.h"
#include "store/accounts.h"
#include "store/store.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: quire token add --name NAME --role ROLE | list | revoke NAME";

/* Token names: 1-64 of letters, digits, '-', '_', '.', so they are safe
 * to print and to type. */
static bool name_valid(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len > 64)
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

static int token_add(struct store *s, int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    const char *name = NULL, *role = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'n')
            name = optarg;
        else if (c == 'r')
            role = optarg;
        else
            return cli_fail("%s", usage);
    }
    if (optind != argc || !name || !role)
        return cli_fail("%s", usage);
    if (!name_valid(name))
        return cli_fail("a token name has 1 to 64 letters, digits, '-', '_' "
                        "or '.'");
    if (strcmp(role, "admin") != 0 && strcmp(role, "editor") != 0 &&
        strcmp(role, "author") != 0)
        return cli_fail("'%s' is not a role: use admin, editor or author",
                        role);
    if (auth_init() != 0)
        return cli_fail("libsodium cannot start");
    char tok[AUTH_TOKEN_LEN + 1], hash[AUTH_HEX_LEN + 1];
    auth_random_token(tok);
    auth_hash_hex(tok, strlen(tok), hash);
    int rc = store_token_add(s, name, role, hash, (int64_t)time(NULL));
    if (rc == ERR_EXISTS)
        return cli_fail("a token named %s exists", name);
    if (rc != 0)
        return cli_fail("cannot add the token: %s", store_last_error());
    char obj[128];
    snprintf(obj, sizeof(obj), "token:%s role=%s", name, role);
    audit_log(s, cli_who(), "token.add", obj);
    printf("%s\n", tok);
    return 0;
}

int cmd_token(struct cli *cli, int argc, char **argv)
{
    if (argc < 2)
        return cli_fail("%s", usage);
    bool add = strcmp(argv[1], "add") == 0;
    bool list = strcmp(argv[1], "list") == 0 && argc == 2;
    bool revoke = strcmp(argv[1], "revoke") == 0 && argc == 3;
    if (!add && !list && !revoke)
        return cli_fail("%s", usage);
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    int status = 0;
    if (add) {
        status = token_add(s, argc - 1, argv + 1);
    } else if (revoke) {
        int rc = store_token_revoke(s, argv[2]);
        if (rc == ERR_NOT_FOUND)
            status = cli_fail("no token named %s", argv[2]);
        else if (rc != 0)
            status = cli_fail("cannot revoke: %s", store_last_error());
        else
            audit_log(s, cli_who(), "token.revoke",
                      argv[2]); /* the name is the object */
    } else {
        struct arena a;
        struct api_token *t;
        size_t n;
        arena_init(&a, 4096);
        if (store_tokens_list(s, &a, &t, &n) != 0)
            status = cli_fail("cannot list tokens: %s", store_last_error());
        for (size_t i = 0; status == 0 && i < n; i++) {
            char made[32], used[32] = "never";
            time_t c = (time_t)t[i].created_at, u = (time_t)t[i].last_used_at;
            struct tm tm;
            strftime(made, sizeof(made), "%Y-%m-%dT%H:%M:%SZ",
                     gmtime_r(&c, &tm));
            if (u)
                strftime(used, sizeof(used), "%Y-%m-%dT%H:%M:%SZ",
                         gmtime_r(&u, &tm));
            printf("%s\t%s\tcreated %s\tlast used %s\n", t[i].name, t[i].role,
                   made, used);
        }
        arena_release(&a);
    }
    store_close(s);
    return status;
}
