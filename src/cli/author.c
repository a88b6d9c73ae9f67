/*
 * author.c - `quire author`: what an author shows beside their name.
 *
 *   quire author photo SLUG MEDIA|--none
 *
 * The photo is an image of the media library (MEDIA: its id, hash or
 * file name as `quire media list` shows it), shown on the author's page
 * and in the bylines of their articles; --none takes it away. Authors
 * themselves come with the articles (import, back office), so there is
 * nothing to add or remove here.
 */
#include "cli/commands.h"

#include "admin/audit.h"
#include "core/arena.h"
#include "core/str.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "usage: quire author photo SLUG MEDIA|--none";

int cmd_author(struct cli *cli, int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[1], "photo") != 0)
        return cli_fail("%s", usage);
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    struct arena a;
    arena_init(&a, 4096);
    int status = 0;
    struct author au;
    const char *hash = NULL;
    int rc = store_author_by_slug(s, &a, str_from(argv[2]), &au);
    if (rc == ERR_NOT_FOUND) {
        status = cli_fail("no author with slug '%s'", argv[2]);
        goto out;
    }
    if (rc != 0) {
        status = cli_fail("cannot read the author: %s", store_last_error());
        goto out;
    }
    if (strcmp(argv[3], "--none") != 0 &&
        cli_media_image(s, &a, argv[3], &hash) != 0) {
        status = 1;
        goto out;
    }
    if (store_author_photo_set(s, au.id, hash) != 0) {
        status = cli_fail("cannot set the photo: %s", store_last_error());
    } else {
        char obj[64];
        snprintf(obj, sizeof(obj), "author:%" PRId64, au.id);
        audit_log(s, cli_who(), "author.update", obj);
    }
out:
    arena_release(&a);
    store_close(s);
    return status;
}
