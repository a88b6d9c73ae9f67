/*
 * media.c - `quire media`: the media library from the command line.
 *
 *   quire media add FILE [--alt TEXT | --decorative] [--caption TEXT]
 *                        [--credit TEXT]
 *   quire media list
 *   quire media check      missing and orphaned files; exit 1 if any
 *
 * add reads FILE (at most limits.upload_max bytes), checks and re-encodes
 * it (media/media.c) into the media folder beside the database, then
 * records it; the files are written before the row, so a crash between
 * the two leaves an orphan that `media check` reports, never a row
 * without its files.
 */
#include "cli/commands.h"

#include "admin/audit.h"
#include "core/arena.h"
#include "core/xalloc.h"
#include "media/files.h"
#include "media/media.h"
#include "store/media.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: quire media add FILE [--alt TEXT | --decorative] "
    "[--caption TEXT] [--credit TEXT] | list | check";

/* read_all reads path into a malloc'd buffer of at most max + 1 bytes (one
 * more than allowed, so media_ingest can say the file is too big). */
static int read_all(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cli_fail("%s: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > max)
                break;
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t want = cap - n;
        if (n + want > max + 1)
            want = max + 1 - n;
        if (want == 0)
            break;
        size_t r = fread(buf + n, 1, want, f);
        n += r;
        if (r < want)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return cli_fail("%s: cannot read", path);
    }
    *out = buf;
    *len = n;
    return 0;
}

static int media_add(struct cli *cli, struct store *s, int argc, char **argv)
{
    static const struct option opts[] = {
        {"alt", required_argument, NULL, 'a'},
        {"decorative", no_argument, NULL, 'd'},
        {"caption", required_argument, NULL, 'c'},
        {"credit", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    const char *alt = NULL, *caption = NULL, *credit = NULL;
    bool decorative = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'a')
            alt = optarg;
        else if (c == 'd')
            decorative = true;
        else if (c == 'c')
            caption = optarg;
        else if (c == 'r')
            credit = optarg;
        else
            return cli_fail("%s", usage);
    }
    if (argc - optind != 1)
        return cli_fail("%s", usage);
    if (decorative && alt && *alt)
        return cli_fail("--decorative and --alt contradict each other: a "
                        "decorative image has no alt text");
    const char *path = argv[optind];
    char *data = NULL, err[1024];
    size_t len = 0;
    if (read_all(path, cli->cfg.upload_max, &data, &len) != 0)
        return 1;
    struct arena a;
    arena_init(&a, 4096);
    struct media m;
    char *dir = media_dir_for_db(cli->db);
    int rc = media_ingest(dir, data, len, cli->cfg.upload_max, &a, &m, err,
                          sizeof(err));
    free(data);
    if (rc != 0) {
        rc = cli_fail("%s: refused: %s", path, err);
        goto out;
    }
    m.alt = alt;
    m.decorative = decorative;
    m.caption = caption;
    m.credit = credit;
    int64_t id = 0;
    bool existed = false;
    if (store_media_add(s, &m, &id, &existed) != 0) {
        rc = cli_fail("%s: %s", path, store_last_error());
        goto out;
    }
    if (existed) {
        printf("already in the library: media %" PRId64 " (%s)\n", id, m.hash);
    } else {
        char obj[160];
        snprintf(obj, sizeof(obj), "media:%" PRId64 " %s", id, m.file);
        audit_log(s, cli_who(), "media.add", obj);
        printf("media %" PRId64 ": %s %s %dx%d, /media/%s, %zu variants\n", id,
               m.kind, m.mime, m.width, m.height, m.file, m.nvariants);
        if (!strcmp(m.kind, "image") && !alt && !decorative)
            fprintf(stderr, "quire: note: no alt text; an article cannot "
                            "use this image until it has one (or is marked "
                            "--decorative)\n");
    }
out:
    free(dir);
    arena_release(&a);
    return rc;
}

static int media_list(struct store *s)
{
    struct arena a;
    struct media *m;
    size_t n;
    arena_init(&a, 4096);
    int rc = store_media_list(s, &a, &m, &n);
    if (rc != 0) {
        rc = cli_fail("%s", store_last_error());
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%" PRId64 "\t%s\t%s\t%dx%d\t/media/%s\t%s\n", m[i].id,
                   m[i].kind, m[i].mime, m[i].width, m[i].height, m[i].file,
                   m[i].decorative ? "(decorative)"
                                   : (m[i].alt ? m[i].alt : "(no alt)"));
    }
    arena_release(&a);
    return rc;
}

/* media_check walks the two sorted lists side by side. */
static int media_check(struct cli *cli, struct store *s)
{
    struct arena a;
    const char **want, **have;
    size_t nw, nh, missing = 0, orphaned = 0;
    char *dir = media_dir_for_db(cli->db);
    arena_init(&a, 4096);
    int rc = store_media_files(s, &a, &want, &nw);
    if (rc != 0) {
        rc = cli_fail("%s", store_last_error());
        goto out;
    }
    if (media_dir_list(dir, &a, &have, &nh) != 0) {
        rc = cli_fail("%s: cannot read: %s", dir, strerror(errno));
        goto out;
    }
    size_t i = 0, j = 0;
    while (i < nw || j < nh) {
        int cmp = i == nw ? 1 : j == nh ? -1 : strcmp(want[i], have[j]);
        if (cmp < 0) {
            printf("missing: %s/%s\n", dir, want[i++]);
            missing++;
        } else if (cmp > 0) {
            printf("orphaned: %s/%s\n", dir, have[j++]);
            orphaned++;
        } else {
            i++;
            j++;
        }
    }
    printf("%zu files expected, %zu missing, %zu orphaned\n", nw, missing,
           orphaned);
    rc = missing || orphaned ? 1 : 0;
out:
    arena_release(&a);
    free(dir);
    return rc;
}

int cmd_media(struct cli *cli, int argc, char **argv)
{
    struct store *s = NULL;
    if (argc < 2)
        return cli_fail("%s", usage);
    const char *sub = argv[1];
    if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "check"))
        return cli_fail("%s", usage);
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    int rc;
    if (!strcmp(sub, "add"))
        rc = media_add(cli, s, argc - 1, argv + 1);
    else if (argc != 2)
        rc = cli_fail("%s", usage);
    else if (!strcmp(sub, "list"))
        rc = media_list(s);
    else
        rc = media_check(cli, s);
    store_close(s);
    return rc;
}

int cli_media_copy(const char *db, const char *backup, bool restore)
{
    char *dir = media_dir_for_db(db), err[1024];
    size_t n = strlen(backup) + sizeof(".media");
    char *side = xmalloc(n);
    snprintf(side, n, "%s.media", backup);
    const char *from = restore ? side : dir, *to = restore ? dir : side;
    size_t copied = 0;
    int rc = 0;
    if (media_dir_copy(from, to, &copied, err, sizeof(err)) != 0)
        rc = cli_fail("media files: %s", err);
    else if (copied)
        printf("media: %zu files copied from %s to %s\n", copied, from, to);
    free(side);
    free(dir);
    return rc;
}

int cli_media_image(struct store *s, struct arena *a, const char *ref,
                    const char **hash)
{
    struct media m;
    int rc = store_media_ref(s, a, ref, &m);
    if (rc == ERR_NOT_FOUND)
        return cli_fail("no file '%s' in the media library (quire media "
                        "list shows their ids and names)",
                        ref);
    if (rc != 0)
        return cli_fail("cannot read the media library: %s",
                        store_last_error());
    if (strcmp(m.kind, "image") != 0)
        return cli_fail("media %" PRId64 " is a %s (%s), not an image", m.id,
                        m.kind, m.mime);
    *hash = m.hash;
    return 0;
}
