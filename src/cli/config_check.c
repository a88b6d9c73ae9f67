/*
 * config_check.c - `quire config check [FILE]`: what an operator runs
 * before a reload or restart (as `nginx -t`). It reads the INI file as the
 * server would, reports the first error as FILE:LINE: reason, checks that
 * a theme folder named there has its templates, and warns when the
 * journal has no base_url (absolute links then follow the request's Host
 * header; see docs on base_url).
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/arena.h"
#include "io/theme_embed.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_config_check(struct cli *cli, const char *path)
{
    char err[1024];
    struct config c;
    config_init(&c);
    int rc = config_load(&c, path, err, sizeof(err));
    int status = 0;
    if (rc != 0) {
        status = cli_fail("%s", err);
        goto out;
    }
    if (strcmp(c.theme, THEME_BUILTIN) != 0) {
        char dir[4096];
        struct stat st;
        snprintf(dir, sizeof(dir), "%s/templates", c.theme);
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            status = cli_fail("%s: server.theme: %s has no templates/ "
                              "folder",
                              path, c.theme);
            goto out;
        }
    }
    printf("%s: ok\n", path);
    if (access(cli->db, R_OK) == 0) {
        struct store *s;
        struct arena a;
        arena_init(&a, 1024);
        if (store_open(cli->db, 0, &s) == 0) {
            const char *v = NULL;
            if (store_setting_get(s, &a, "base_url", &v) != 0 || !v || !*v)
                fprintf(stderr,
                        "quire: warning: base_url is empty: feeds, "
                        "sitemaps and canonical links take their host from "
                        "each request's Host header; set it with quire "
                        "config set base_url https://...\n");
            store_close(s);
        }
        arena_release(&a);
    }
out:
    config_release(&c);
    return status;
}
