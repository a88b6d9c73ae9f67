/*
 * places.c - `quire places`: the country and organization tagger from the
 * command line.
 *
 *   tag [--home CC] PATH...  tag Markdown files (or folders of them) without a
 *                        database: one line per file, "slug TAB countries
 *                        TAB organizations" (codes by score); for
 *                        scripts/eval-places and the benchmark
 *   retag [--all]        tag the journal's articles again (those tagged by
 *                        another gazetteer, or all), with a progress bar
 *   show SLUG            an article's entities with scores and hand marks
 *   add SLUG CODE        an editor's decision: the article is about CODE
 *   remove SLUG CODE     ... or is not; both survive retagging
 *
 * CODE is a country's ISO 3166-1 alpha-2 code (kz) or an organization's
 * slug (sco); "org:CODE" or "country:CODE" settles a clash.
 */
#include "cli/commands.h"
#include "content/frontmatter.h"
#include "content/places.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "store/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAX (8u << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct tag_run {
    struct arena arena;
    size_t files, failed;
    double tag_seconds;
    const char *home;
};

static void print_hits(const struct place_hit *h, size_t n, int is_org)
{
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        const struct place_entity *e = &places_entities[h[i].entity];
        if (e->is_org != is_org)
            continue;
        printf("%s%s", first ? "" : ",", e->code);
        first = 0;
    }
}

static void tag_file(struct tag_run *r, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "quire: %s: cannot open\n", path);
        r->failed++;
        return;
    }
    arena_reset(&r->arena);
    char *data = arena_alloc(&r->arena, FILE_MAX + 1);
    size_t len = fread(data, 1, FILE_MAX, f);
    fclose(f);
    data[len] = '\0';
    struct frontmatter fm;
    struct str body;
    int line = 0;
    const char *msg = NULL;
    if (frontmatter_parse(&r->arena, data, len, &fm, &body, &line, &msg) !=
        0) {
        fprintf(stderr, "%s:%d: %s\n", path, line, msg ? msg : "bad file");
        r->failed++;
        return;
    }
    struct place_hit hits[PLACES_MAX];
    size_t n = 0;
    double t0 = now();
    (void)places_tag(&r->arena, fm.title, fm.summary, body.ptr, r->home,
                     hits, PLACES_MAX, &n);
    r->tag_seconds += now() - t0;
    const char *slug = fm.slug;
    if (!slug) {
        slug = strrchr(path, '/');
        slug = slug ? slug + 1 : path;
    }
    printf("%s\t", slug);
    print_hits(hits, n, 0);
    putchar('\t');
    print_hits(hits, n, 1);
    putchar('\n');
    r->files++;
}

static int tag_paths(int argc, char **argv)
{
    struct tag_run r = {0};
    bool stats = false;
    arena_init(&r.arena, FILE_MAX + 4096);
    double t0 = now();
    for (int i = 0; i < argc; i++) {
        struct stat st;
        if (strcmp(argv[i], "--stats") == 0) {
            stats = true;
            continue;
        }
        if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
            r.home = argv[++i];
            continue;
        }
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "quire: %s: no such file\n", argv[i]);
            r.failed++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            tag_file(&r, argv[i]);
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL) {
            size_t nl = strlen(de->d_name);
            if (nl < 4 || strcmp(de->d_name + nl - 3, ".md") != 0)
                continue;
            char path[4096];
            int w = snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
            if (w > 0 && (size_t)w < sizeof(path))
                tag_file(&r, path);
        }
        if (d)
            closedir(d);
    }
    if (stats)
        fprintf(stderr,
                "places: %zu files in %.3f s, of which tagging %.3f s\n",
                r.files, now() - t0, r.tag_seconds);
    arena_release(&r.arena);
    return r.failed ? 1 : 0;
}

int cmd_places(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc < 2 || cli_wants_help(argc, argv)) {
        printf("usage: quire places tag PATH... | retag [--all] | show SLUG"
               " | add SLUG CODE | remove SLUG CODE\n");
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "tag") == 0)
        return tag_paths(argc - 2, argv + 2);
    return cli_fail("places: unknown subcommand '%s'", argv[1]);
}
