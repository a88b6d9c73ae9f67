/*
 * json.c - `quire export json FILE` and `quire import json FILE`: the
 * commands around io/json_dump (docs/json-format.md). The export is
 * written to FILE.tmp and renamed into place when complete; "-" is
 * standard output / input.
 */
#include "cli/commands.h"

#include "io/json_dump.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cmd_export_json(struct cli *cli, int argc, char **argv)
{
    if (argc != 2)
        return cli_fail("usage: quire export json FILE");
    const char *path = argv[1];
    bool out = strcmp(path, "-") == 0;
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    struct store *s;
    if (cli_open_store(cli, STORE_MAP, &s) != 0)
        return 1;
    FILE *f = out ? stdout : fopen(tmp, "w");
    if (!f) {
        store_close(s);
        return cli_fail("%s: %s", tmp, strerror(errno));
    }
    size_t rows = 0;
    char err[1024];
    int rc = json_export(s, f, &rows, err, sizeof(err));
    store_close(s);
    if (!out && (fclose(f) != 0 || rc != 0)) {
        remove(tmp);
        return cli_fail("export json: %s", rc ? err : strerror(errno));
    }
    if (!out && rename(tmp, path) != 0)
        return cli_fail("%s: %s", path, strerror(errno));
    if (rc != 0)
        return cli_fail("export json: %s", err);
    fprintf(stderr, "exported %zu rows to %s\n", rows, path);
    return 0;
}

int cmd_import_json(struct cli *cli, int argc, char **argv)
{
    if (argc != 2)
        return cli_fail("usage: quire import json FILE");
    bool in = strcmp(argv[1], "-") == 0;
    FILE *f = in ? stdin : fopen(argv[1], "r");
    if (!f)
        return cli_fail("%s: %s", argv[1], strerror(errno));
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0) {
        if (!in)
            fclose(f);
        return 1;
    }
    size_t rows = 0;
    char err[1024];
    int rc = json_import(s, f, argv[1], &rows, err, sizeof(err));
    store_close(s);
    if (!in)
        fclose(f);
    if (rc != 0)
        return cli_fail("import json: %s; nothing imported", err);
    printf("imported %zu rows from %s\n", rows, argv[1]);
    return 0;
}
