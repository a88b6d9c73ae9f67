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
#include "core/xalloc.h"
#include "store/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAX (8u << 20)

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* The tagger's own CPU time: on a shared machine, wall time also counts
 * the moments another process had the core. */
static double cpu_now(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

struct tag_run {
    struct arena arena;
    size_t files, failed;
    double tag_seconds, tag_cpu;
    char *data; /* the file being tagged, cap + 1 bytes */
    size_t cap;
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
    /* One buffer for every file: a fresh 8 MB a file cost more than
     * the tagging (a mapping and its page faults each time). */
    arena_release(&r->arena);
    struct stat st;
    size_t want = fstat(fileno(f), &st) == 0 && st.st_size >= 0 &&
                          (uint64_t)st.st_size < FILE_MAX
                      ? (size_t)st.st_size + 1
                      : FILE_MAX;
    if (want > r->cap) {
        free(r->data);
        r->data = xmalloc(want + 1);
        r->cap = want;
    }
    char *data = r->data;
    size_t len = fread(data, 1, r->cap, f);
    fclose(f);
    if (len > FILE_MAX)
        len = FILE_MAX;
    data[len] = '\0';
    struct frontmatter fm;
    struct str body;
    int line = 0;
    const char *msg = NULL;
    if (frontmatter_parse(&r->arena, data, len, &fm, &body, &line, &msg) != 0) {
        fprintf(stderr, "%s:%d: %s\n", path, line, msg ? msg : "bad file");
        r->failed++;
        return;
    }
    struct place_hit hits[PLACES_MAX];
    size_t n = 0;
    double t0 = now(), c0 = cpu_now();
    (void)places_tag(&r->arena, fm.title, fm.summary, body.ptr, r->home, hits,
                     PLACES_MAX, &n);
    r->tag_seconds += now() - t0;
    r->tag_cpu += cpu_now() - c0;
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
    arena_init(&r.arena, 256u << 10);
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
                "places: %zu files in %.3f s, of which tagging %.3f s "
                "(%.3f s of CPU)\n",
                r.files, now() - t0, r.tag_seconds, r.tag_cpu);
    arena_release(&r.arena);
    free(r.data);
    return r.failed ? 1 : 0;
}

/* The progress bar goes to stderr when it is a terminal, else one line at
 * the end, so logs stay clean. */
static void progress(void *arg, int64_t done, int64_t total)
{
    bool tty = *(bool *)arg;
    if (!tty && done < total)
        return;
    int width = 40, fill = total ? (int)(done * width / total) : width;
    char bar[41];
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(width - fill));
    bar[width] = '\0';
    fprintf(stderr, "%s[%s] %lld/%lld articles%s", tty ? "\r" : "", bar,
            (long long)done, (long long)total, done >= total ? "\n" : "");
}

/* code_arg reads CODE, "country:CODE" or "org:CODE"; a bare code is a
 * country when the gazetteer has one by that code. */
static bool code_arg(const char *arg, bool *is_org, const char **code)
{
    if (strncmp(arg, "org:", 4) == 0) {
        *is_org = true;
        *code = arg + 4;
    } else if (strncmp(arg, "country:", 8) == 0) {
        *is_org = false;
        *code = arg + 8;
    } else {
        *code = arg;
        *is_org = places_find(false, arg) < 0;
    }
    return places_find(*is_org, *code) >= 0;
}

static int show(struct store *s, const char *slug)
{
    struct arena a;
    struct article art;
    struct article_place *p;
    size_t n;
    arena_init(&a, 64 * 1024);
    int rc = store_article_by_slug(s, &a, str_from(slug), true, &art);
    if (rc == 0)
        rc = store_article_places(s, &a, art.id, &p, &n);
    if (rc == 0)
        for (size_t i = 0; i < n; i++)
            printf("%s\t%s\t%.2f\t%s%s\n", p[i].is_org ? "org" : "country",
                   p[i].code, p[i].score, p[i].name,
                   p[i].hand ? "\t(added by hand)" : "");
    arena_release(&a);
    return rc == 0 ? 0 : cli_fail("places show %s: %s", slug, err_str(rc));
}

int cmd_places(struct cli *cli, int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        printf("usage: quire places tag PATH... | retag [--all] | show SLUG"
               " | add SLUG CODE | remove SLUG CODE\n");
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "tag") == 0)
        return tag_paths(argc - 2, argv + 2);
    const char *sub = argv[1];
    bool retag = strcmp(sub, "retag") == 0, all = false;
    bool decide = strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0;
    bool is_org = false;
    const char *code = NULL;
    if (retag && argc == 3 && strcmp(argv[2], "--all") == 0)
        all = true;
    else if (retag && argc != 2)
        return cli_fail("usage: quire places retag [--all]");
    if (decide && argc != 4)
        return cli_fail("usage: quire places %s SLUG CODE", sub);
    if (decide && !code_arg(argv[3], &is_org, &code))
        return cli_fail("places %s: '%s' is neither a country code (kz) nor"
                        " an organization (sco)",
                        sub, argv[3]);
    if (strcmp(sub, "show") == 0 && argc != 3)
        return cli_fail("usage: quire places show SLUG");
    if (!retag && !decide && strcmp(sub, "show") != 0)
        return cli_fail("places: unknown subcommand '%s'", sub);

    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    int rc = 0, status = 0;
    if (retag) {
        bool tty = isatty(2) == 1;
        int64_t done = 0;
        double t0 = now();
        rc = store_places_retag(s, all, progress, &tty, &done);
        if (rc == 0)
            printf("retagged %lld articles in %.2f s\n", (long long)done,
                   now() - t0);
    } else if (decide) {
        rc = store_places_decide(s, argv[2], is_org, code,
                                 strcmp(sub, "add") == 0);
        if (rc == 0)
            printf("%s: %s %s%s\n", argv[2],
                   strcmp(sub, "add") == 0 ? "added" : "removed", code,
                   " (kept across retagging)");
    } else {
        status = show(s, argv[2]);
    }
    if (rc != 0)
        status = cli_fail("places %s: %s", sub, store_last_error());
    store_close(s);
    return status;
}
