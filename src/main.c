/*
 * main.c - the command line: quire [--db PATH] [--config FILE] COMMAND.
 *
 * Each command is one function taking its own arguments after the command
 * name; a table maps names to functions and help. Errors print one line
 * "quire: ..." to stderr and exit non-zero.
 */
#define LOG_MODULE "main"
#include "admin/audit.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "content/date.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/log.h"
#include "core/nocache.h"
#include "core/str.h"
#include "http/http.h"
#include "io/export_static.h"
#include "io/import_markdown.h"
#include "core/version.h"
#include "core/service.h"
#include "hooks/hooks.h"
#include "content/markdown.h"
#include "content/frontmatter.h"
#include "render/feed.h"
#include "render/xml.h"
#include "media/media.h"
#include "mail/mail.h"
#include "site/site.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_DB "data/quire.db"
#define DEFAULT_CONFIG "quire.ini"

struct command {
    const char *name;
    int (*run)(struct cli *cli, int argc, char **argv);
    const char *usage;
    const char *help;
};

/* --- init ---------------------------------------------------------- */

static int mkdir_parents(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    size_t n = (size_t)(slash - path);
    if (n >= sizeof(dir))
        return -1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int cmd_init(struct cli *cli, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return cli_fail("init takes no arguments (see quire init --help)");
    if (access(cli->db, F_OK) == 0)
        return cli_fail("%s: a journal already exists here", cli->db);
    if (mkdir_parents(cli->db) != 0)
        return cli_fail("%s: cannot create its folder: %s", cli->db,
                        strerror(errno));
    struct store *s;
    int rc = store_open(cli->db, STORE_CREATE, &s);
    if (rc != 0)
        return cli_fail("%s: cannot create the database: %s", cli->db,
                        err_str(rc));
    for (size_t i = 0; i < journal_keys_len && rc == 0; i++)
        if (journal_keys[i].def)
            rc =
                store_setting_set(s, journal_keys[i].name, journal_keys[i].def);
    store_close(s);
    if (rc != 0)
        return cli_fail("%s: cannot write the default settings", cli->db);
    printf("created a new journal in %s (schema version %d)\n", cli->db,
           store_schema_version());
    return 0;
}

/* --- config -------------------------------------------------------- */

static int cmd_config(struct cli *cli, int argc, char **argv)
{
    char err[512];
    struct store *s = NULL;
    struct arena a;
    int status = 0;
    arena_init(&a, 4096);

    if (argc < 2)
        return cli_fail(
            "config needs get, set, list or check (see quire config --help)");
    const char *verb = argv[1];
    if (strcmp(verb, "check") == 0 && argc <= 3)
        return cli_config_check(cli, argc == 3 ? argv[2] : cli->config_path);
    if (strcmp(verb, "list") == 0 && argc == 2) {
        if (cli_open_store(cli, 0, &s) != 0)
            return 1;
        struct setting *set;
        size_t n;
        if (store_settings_list(s, &a, &set, &n) != 0) {
            status = cli_fail("cannot read settings: %s", store_last_error());
            goto out;
        }
        printf("# journal settings (database %s)\n", cli->db);
        for (size_t i = 0; i < journal_keys_len; i++) {
            const char *v = NULL;
            for (size_t j = 0; j < n; j++)
                if (strcmp(set[j].key, journal_keys[i].name) == 0)
                    v = set[j].value;
            printf("%s = %s\t# %s\n", journal_keys[i].name, v ? v : "",
                   journal_keys[i].help);
        }
        printf("# server settings (%s%s)\n", cli->config_path,
               access(cli->config_path, R_OK) == 0 ? "" : ", not present");
        config_print(&cli->cfg, stdout);
    } else if (strcmp(verb, "get") == 0 && argc == 3) {
        if (!journal_key_find(argv[2])) {
            if (config_get(&cli->cfg, argv[2], err, sizeof(err)) != 0)
                return cli_fail("unknown setting '%s'", argv[2]);
            printf("%s\n", err);
            return 0;
        }
        if (cli_open_store(cli, 0, &s) != 0)
            return 1;
        const char *v;
        int rc = store_setting_get(s, &a, argv[2], &v);
        if (rc == ERR_NOT_FOUND)
            v = "";
        else if (rc != 0) {
            status = cli_fail("cannot read setting '%s'", argv[2]);
            goto out;
        }
        printf("%s\n", v);
    } else if (strcmp(verb, "set") == 0 && argc == 4) {
        int rc = journal_key_check(argv[2], argv[3], err, sizeof(err));
        char v[512];
        if (rc == ERR_NOT_FOUND &&
            config_get(&cli->cfg, argv[2], v, sizeof(v)) == 0)
            return cli_fail("%s is a server setting: put it in %s", argv[2],
                            cli->config_path);
        if (rc != 0)
            return cli_fail("%s", err);
        if (cli_open_store(cli, 0, &s) != 0)
            return 1;
        if (store_setting_set(s, argv[2], argv[3]) != 0)
            status = cli_fail("cannot write setting '%s': %s", argv[2],
                              store_last_error());
    } else {
        return cli_fail("usage: quire config get KEY | set KEY VALUE | list | "
                        "check [FILE]");
    }
out:
    if (s)
        store_close(s);
    arena_release(&a);
    return status;
}

/* --- link ---------------------------------------------------------- */

/* take_opt removes "--NAME VALUE" or "--NAME=VALUE" from argv (anywhere
 * before a "--") and sets *val; -1 when NAME has no value. */
static int take_opt(int *argc, char **argv, const char *name, const char **val)
{
    size_t n = strlen(name);
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strncmp(argv[i], "--", 2) != 0 ||
            strncmp(argv[i] + 2, name, n) != 0)
            continue;
        const char *rest = argv[i] + 2 + n;
        int used;
        if (*rest == '=') {
            *val = rest + 1;
            used = 1;
        } else if (*rest != '\0') {
            continue; /* another option that begins the same */
        } else if (i + 1 < *argc) {
            *val = argv[i + 1];
            used = 2;
        } else {
            return -1;
        }
        for (int j = i; j + used <= *argc; j++)
            argv[j] = argv[j + used];
        *argc -= used;
        return 0;
    }
    return 0;
}

/* picture_arg resolves a MEDIA argument (or --none: *hash NULL). */
static int picture_arg(struct store *s, struct arena *a, const char *ref,
                       const char **hash)
{
    *hash = NULL;
    if (strcmp(ref, "--none") == 0)
        return 0;
    return cli_media_image(s, a, ref, hash);
}

/* audit_row records a side module's write as the back office does. */
static void audit_row(struct store *s, const char *action, const char *kind,
                      int64_t id)
{
    char obj[64];
    snprintf(obj, sizeof(obj), "%s:%" PRId64, kind, id);
    audit_log(s, cli_who(), action, obj);
}

static const char link_usage[] =
    "usage: quire link add TITLE URL [--image MEDIA] | list | remove ID"
    " | image ID MEDIA|--none";

static int cmd_link(struct cli *cli, int argc, char **argv)
{
    struct store *s;
    struct arena a;
    int status = 0;
    int64_t id;
    const char *image = NULL, *hash = NULL;

    if (argc < 2)
        return cli_fail("link needs add, list, remove or image (see quire "
                        "link --help)");
    const char *verb = argv[1];
    if (strcmp(verb, "add") == 0 && take_opt(&argc, argv, "image", &image))
        return cli_fail("--image needs a media id or hash");
    bool add = strcmp(verb, "add") == 0 && argc == 4;
    bool list = strcmp(verb, "list") == 0 && argc == 2;
    bool rm = strcmp(verb, "remove") == 0 && argc == 3;
    bool img = strcmp(verb, "image") == 0 && argc == 4;
    if (!add && !list && !rm && !img)
        return cli_fail("%s", link_usage);
    if (add && (!*argv[2] || strlen(argv[2]) > 200))
        return cli_fail("a link title must have 1 to 200 characters");
    if (add && !str_http_url(argv[3]))
        return cli_fail("'%s' is not an http(s) URL", argv[3]);
    if ((rm || img) && cli_parse_id(argv[2], &id) != 0)
        return 1;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    arena_init(&a, 4096);
    if ((image && cli_media_image(s, &a, image, &hash) != 0) ||
        (img && picture_arg(s, &a, argv[3], &hash) != 0)) {
        status = 1;
    } else if (add) {
        if (store_link_add_image(s, argv[2], argv[3], hash, &id) != 0) {
            status = cli_fail("cannot add the link: %s", store_last_error());
        } else {
            audit_row(s, "link.create", "link", id);
            printf("%" PRId64 "\n", id);
        }
    } else if (rm) {
        int rc = store_link_remove(s, id);
        if (rc == ERR_NOT_FOUND)
            status = cli_fail("no link with id %" PRId64, id);
        else if (rc != 0)
            status = cli_fail("cannot remove the link: %s", store_last_error());
        else
            audit_row(s, "link.delete", "link", id);
    } else {
        struct link *l;
        size_t n;
        if (store_links_list(s, &a, &l, &n) != 0) {
            status = cli_fail("cannot list links: %s", store_last_error());
        } else if (img) {
            size_t i = 0;
            while (i < n && l[i].id != id)
                i++;
            if (i == n) {
                status = cli_fail("no link with id %" PRId64, id);
            } else {
                l[i].image = hash;
                if (store_link_update(s, &l[i]) != 0)
                    status = cli_fail("cannot change the link: %s",
                                      store_last_error());
                else
                    audit_row(s, "link.update", "link", id);
            }
        } else {
            /* The logo's hash is a fourth column, only when there is one. */
            for (size_t i = 0; i < n; i++)
                printf("%" PRId64 "\t%s\t%s%s%s\n", l[i].id, l[i].title,
                       l[i].url, l[i].image ? "\t" : "",
                       l[i].image ? l[i].image : "");
        }
    }
    arena_release(&a);
    store_close(s);
    return status;
}

/* --- article ------------------------------------------------------- */

static int cmd_article(struct cli *cli, int argc, char **argv)
{
    struct store *s;
    if (argc != 3 || strcmp(argv[1], "delete") != 0)
        return cli_fail("usage: quire article delete SLUG");
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    int status = 0;
    int rc = store_article_delete(s, str_from(argv[2]));
    if (rc == ERR_NOT_FOUND)
        status = cli_fail("no article with slug '%s'", argv[2]);
    else if (rc != 0)
        status = cli_fail("cannot delete the article: %s", store_last_error());
    store_close(s);
    return status;
}

/* --- publication ---------------------------------------------------- */

static const char pub_add_usage[] =
    "usage: quire publication add --kind KIND --date YYYY-MM-DD TITLE [URL]"
    " [--cover MEDIA]";

static int cmd_publication(struct cli *cli, int argc, char **argv)
{
    struct store *s;
    struct arena a;
    int status = 0;
    int64_t id;
    const char *cover = NULL, *hash = NULL;

    if (argc < 2)
        return cli_fail("publication needs add, list, remove or cover "
                        "(see quire publication --help)");
    const char *verb = argv[1];
    if (strcmp(verb, "add") == 0) {
        struct publication p = {0};
        static const struct option opts[] = {
            {"kind", required_argument, NULL, 'k'},
            {"date", required_argument, NULL, 'd'},
            {NULL, 0, NULL, 0},
        };
        int c;
        if (take_opt(&argc, argv, "cover", &cover) != 0)
            return cli_fail("--cover needs a media id or hash");
        optind = 1;
        while ((c = getopt_long(argc - 1, argv + 1, "+", opts, NULL)) != -1) {
            if (c == 'k')
                p.kind = optarg;
            else if (c == 'd')
                p.date = optarg;
            else
                return cli_fail("%s", pub_add_usage);
        }
        int rest = argc - 1 - optind;
        char **args = argv + 1 + optind;
        if (!p.kind || !p.date || rest < 1 || rest > 2)
            return cli_fail("%s", pub_add_usage);
        if (!*p.kind || strlen(p.kind) > 100)
            return cli_fail("a kind must have 1 to 100 characters");
        if (!date_valid_ymd(p.date))
            return cli_fail("'%s' is not a date (YYYY-MM-DD)", p.date);
        p.title = args[0];
        if (!*p.title || strlen(p.title) > 1000)
            return cli_fail("a title must have 1 to 1000 characters");
        p.url = rest == 2 ? args[1] : NULL;
        if (p.url && !str_http_url(p.url))
            return cli_fail("'%s' is not an http(s) URL", p.url);
        if (cli_open_store(cli, 0, &s) != 0)
            return 1;
        arena_init(&a, 4096);
        if (cover && cli_media_image(s, &a, cover, &hash) != 0) {
            status = 1;
        } else {
            p.image = hash;
            if (store_publication_add(s, &p, &id) != 0) {
                status = cli_fail("cannot add the publication: %s",
                                  store_last_error());
            } else {
                audit_row(s, "publication.create", "publication", id);
                printf("%" PRId64 "\n", id);
            }
        }
        arena_release(&a);
        store_close(s);
        return status;
    }
    bool list = strcmp(verb, "list") == 0 && argc == 2;
    bool rm = strcmp(verb, "remove") == 0 && argc == 3;
    bool cov = strcmp(verb, "cover") == 0 && argc == 4;
    if (!list && !rm && !cov)
        return cli_fail("usage: quire publication add ... | list | remove ID"
                        " | cover ID MEDIA|--none");
    if ((rm || cov) && cli_parse_id(argv[2], &id) != 0)
        return 1;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    arena_init(&a, 4096);
    if (cov && picture_arg(s, &a, argv[3], &hash) != 0) {
        status = 1;
    } else if (rm) {
        int rc = store_publication_remove(s, id);
        if (rc == ERR_NOT_FOUND)
            status = cli_fail("no publication with id %" PRId64, id);
        else if (rc != 0)
            status = cli_fail("cannot remove the publication: %s",
                              store_last_error());
        else
            audit_row(s, "publication.delete", "publication", id);
    } else {
        struct publication *p;
        size_t n;
        if (store_publications_list(s, &a, &p, &n) != 0) {
            status =
                cli_fail("cannot list publications: %s", store_last_error());
        } else if (cov) {
            size_t i = 0;
            while (i < n && p[i].id != id)
                i++;
            if (i == n) {
                status = cli_fail("no publication with id %" PRId64, id);
            } else {
                p[i].image = hash;
                if (store_publication_update(s, &p[i]) != 0)
                    status = cli_fail("cannot change the publication: %s",
                                      store_last_error());
                else
                    audit_row(s, "publication.update", "publication", id);
            }
        } else {
            /* The cover's hash is a sixth column, only when there is one. */
            for (size_t i = 0; i < n; i++)
                printf("%" PRId64 "\t%s\t%s\t%s\t%s%s%s\n", p[i].id, p[i].date,
                       p[i].kind, p[i].title, p[i].url ? p[i].url : "",
                       p[i].image ? "\t" : "", p[i].image ? p[i].image : "");
        }
    }
    arena_release(&a);
    store_close(s);
    return status;
}

/* --- import -------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_import(struct cli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "k2") == 0)
        return cmd_import_k2(cli, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "wxr") == 0)
        return cmd_import_wxr(cli, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "json") == 0)
        return cmd_import_json(cli, argc - 1, argv + 1);
    if (argc < 3 || strcmp(argv[1], "markdown") != 0)
        return cli_fail("usage: quire import markdown PATH...");
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    struct import_report rep = {0};
    double t0 = now_s();
    int rc = import_markdown_paths(s, (const char *const *)argv + 2,
                                   (size_t)argc - 2, &rep);
    store_close(s);
    fprintf(stderr, "imported %zu new, updated %zu, failed %zu in %.2f s\n",
            rep.imported, rep.updated, rep.failed, now_s() - t0);
    return rc == 0 ? 0 : 1;
}

/* --- backup and restore -------------------------------------------- */

static int cmd_backup(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"force", no_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    bool force = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c != 'f')
            return cli_fail("usage: quire backup [--force] FILE");
        force = true;
    }
    if (argc - optind != 1)
        return cli_fail("usage: quire backup [--force] FILE");
    const char *dest = argv[optind];
    struct backup_stats st;
    double t0 = now_s();
    if (store_backup(cli->db, dest, force, &st) != 0)
        return cli_fail("backup failed: %s", store_last_error());
    printf("backed up %s to %s: %" PRId64 " bytes (%" PRId64 " pages in "
           "%d steps), schema version %d, integrity ok, in %.2f s\n",
           cli->db, dest, st.bytes, st.pages, st.steps, st.schema,
           now_s() - t0);
    return cli_media_copy(cli->db, dest, false);
}

static int cmd_restore(struct cli *cli, int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return cli_fail("usage: quire restore FILE");
    if (mkdir_parents(cli->db) != 0)
        return cli_fail("%s: cannot create its folder: %s", cli->db,
                        strerror(errno));
    struct backup_stats st;
    double t0 = now_s();
    if (store_restore(cli->db, argv[1], &st) != 0)
        return cli_fail("restore refused: %s", store_last_error());
    printf("restored %s from %s: %" PRId64 " bytes, schema version %d, "
           "integrity ok, in %.2f s\n",
           cli->db, argv[1], st.bytes, st.schema, now_s() - t0);
    return cli_media_copy(cli->db, argv[1], true);
}

/* --- export -------------------------------------------------------- */

static volatile sig_atomic_t export_stop;

static void on_export_signal(int sig)
{
    (void)sig;
    export_stop = 1;
}

static int cmd_export(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"base-url", required_argument, NULL, 'b'},
        {"threads", required_argument, NULL, 't'},
        {"compress", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    static const char usage_text[] =
        "usage: quire export static DIR [--base-url URL] [--threads N] "
        "[--compress all|gzip|none]";
    struct export_opts o = {.threads = cli->cfg.threads};
    char err[1024];
    int c;
    if (argc >= 2 && strcmp(argv[1], "json") == 0)
        return cmd_export_json(cli, argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "static") != 0)
        return cli_fail("%s", usage_text);
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (c == 'b') {
            if (journal_key_check("base_url", optarg, err, sizeof(err)) != 0)
                return cli_fail("--base-url: '%s' must be an http(s) URL "
                                "without a trailing slash",
                                optarg);
            o.base_url = optarg;
        } else if (c == 't') {
            long long n;
            if (str_to_i64(str_from(optarg), 0, 256, &n) != 0)
                return cli_fail("--threads: '%s' is not a number of threads "
                                "(0 to 256)",
                                optarg);
            o.threads = (unsigned)n;
        } else if (c == 'c') {
            if (strcmp(optarg, "all") == 0)
                o.compress = EXPORT_COMPRESS_ALL;
            else if (strcmp(optarg, "gzip") == 0)
                o.compress = EXPORT_COMPRESS_GZIP;
            else if (strcmp(optarg, "none") == 0)
                o.compress = EXPORT_COMPRESS_NONE;
            else
                return cli_fail("--compress: '%s' is not all, gzip or none",
                                optarg);
        } else {
            return cli_fail("%s", usage_text);
        }
    }
    if (optind + 1 != argc - 1)
        return cli_fail("%s", usage_text);
    o.dir = argv[1 + optind];
    o.progress = isatty(STDERR_FILENO);
    /* Ctrl-C removes the half-built copy instead of leaving it behind. */
    struct sigaction sa = {.sa_handler = on_export_signal,
                           .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    o.stop = &export_stop;
    struct store *s;
    char *unpacked;
    if (cli_theme_dirs(cli, &o.theme_dir, NULL, &unpacked) != 0)
        return 1;
    if (cli_open_store(cli, STORE_MAP, &s) != 0) {
        cli_theme_done(unpacked);
        return 1;
    }
    struct export_report rep;
    /* Pages show library images: the files they use go along. */
    char *media_dir = media_dir_for_db(cli->db);
    o.media_dir = media_dir;
    int rc = export_static(s, &o, &rep, err, sizeof(err));
    free(media_dir);
    store_close(s);
    cli_theme_done(unpacked);
    if (rc != 0)
        return cli_fail("export: %s", err);
    fprintf(stderr,
            "exported %zu files (%.1f MB) to %s in %.2f s; %zu articles, "
            "render median %.0f us, p95 %.0f us; %zu broken links\n",
            rep.files, (double)rep.bytes / 1e6, o.dir, rep.seconds,
            rep.articles, rep.render_p50_us, rep.render_p95_us, rep.broken);
    return 0;
}

/* --- serve --------------------------------------------------------- */

static enum log_format access_log_format(const char *s)
{
    if (strcmp(s, "json") == 0)
        return ACCESS_LOG_JSON;
    if (strcmp(s, "off") == 0)
        return ACCESS_LOG_OFF;
    return ACCESS_LOG_COMMON;
}

/*
 * warn_host_reflection: with base_url empty, absolute URLs (feeds,
 * sitemap, robots.txt) take their origin from the request's Host header;
 * on a public address anyone can choose it (docs/security.md).
 */
static void warn_host_reflection(struct store *s, const char *listen)
{
    struct arena a;
    const char *base = NULL;
    arena_init(&a, 256);
    if (store_setting_get(s, &a, "base_url", &base) != 0)
        base = NULL;
    if ((!base || !*base) && !http_listen_is_loopback(listen))
        log_warn("base_url is not set and %s is not a loopback address: "
                 "feeds, the sitemap and robots.txt will name whatever "
                 "host a request's Host header says; set it with 'quire "
                 "config set base_url https://...' (docs/security.md)",
                 listen);
    arena_release(&a);
}

static int cmd_serve(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"theme", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    char err[512];
    int c;
    const char *theme_flag = NULL; /* kept over a SIGHUP reload */
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        const char *key = c == 'l'   ? "server.listen"
                          : c == 't' ? "server.threads"
                          : c == 'T' ? "server.theme"
                                     : NULL;
        if (!key)
            return cli_fail("usage: quire serve [--listen ADDR:PORT] "
                            "[--threads N] [--theme DIR]");
        if (config_set(&cli->cfg, key, optarg, err, sizeof(err)) != 0)
            return cli_fail("%s", err);
        if (c == 'T')
            theme_flag = optarg;
    }
    if (optind != argc)
        return cli_fail("serve takes no arguments besides its options");

    /* Block the stop and reload signals in every thread; the main thread
     * waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Two malloc arenas, not glibc's eight a core: what one thread frees,
     * another reuses (9 MB less peak RSS at a million articles, no slower;
     * docs/benchmarks.md). MALLOC_ARENA_MAX, if set, decides instead. */
    if (!getenv("MALLOC_ARENA_MAX"))
        mallopt(M_ARENA_MAX, 2);

    /* Where to listen: a socket from systemd, a Unix socket, an address. */
    int fd = service_listen_fd();
    if (fd == -2)
        return cli_fail("socket activation passed more than one socket");
    if (fd < 0 && http_listen_is_unix(cli->cfg.listen) &&
        http_listen_unix(cli->cfg.listen, &fd) != 0)
        return cli_fail("cannot listen on %s", cli->cfg.listen);
    struct store *s;
    if (cli_open_store(cli, 0, &s) != 0)
        return 1;
    struct live *live;
    if (live_open(cli, s, &live) != 0) {
        store_close(s);
        return 1;
    }
    struct http_server_opts ho = {
        .listen = cli->cfg.listen,
        .use_listen_fd = fd >= 0,
        .listen_fd = fd,
        .limits =
            {
                .request_line_max = cli->cfg.request_line_max,
                .header_max = cli->cfg.header_max,
                .header_count = cli->cfg.header_count,
                .body_max = cli->cfg.body_max,
                .form_fields = cli->cfg.form_fields,
                .upload_max = cli->cfg.upload_max,
                .connections_max = cli->cfg.connections,
                /* a Unix socket's peers have no address to count by */
                .connections_per_ip = fd >= 0 ? 0 : cli->cfg.connections_per_ip,
                .request_timeout_s = cli->cfg.request_timeout,
                .timeout_s = cli->cfg.idle_timeout,
                .threads = cli->cfg.threads,
            },
        .access_log = access_log_format(cli->cfg.access_log),
        .app = live_app,
        .app_ctx = live,
        .is_https = live_is_https,
    };
    struct http_server *srv;
    int hrc = http_server_start(&ho, &srv);
    if (hrc != 0) {
        live_close(live);
        store_close(s);
        if (hrc == ERR_INVALID)
            return cli_fail("%s", http_library_check());
        if (hrc == ERR_PARSE)
            return cli_fail("'%s' is not a listen address (ADDR:PORT or "
                            "[ADDR]:PORT)",
                            cli->cfg.listen);
        return cli_fail("cannot listen on %s", cli->cfg.listen);
    }
    char where[600];
    if (fd >= 0)
        snprintf(where, sizeof(where), "%s",
                 http_listen_is_unix(cli->cfg.listen)
                     ? cli->cfg.listen
                     : "a socket from systemd");
    else
        snprintf(where, sizeof(where), "http://%s (port %u)", cli->cfg.listen,
                 (unsigned)http_server_port(srv));
    struct hooks *hooks = NULL;
    struct hooks_opts hko = {
        .store = s,
        .allow_private = strcmp(cli->cfg.webhooks_allow_private, "true") == 0,
        .retry_min_s = cli->cfg.webhooks_retry_min,
    };
    if (hooks_start(&hko, &hooks) != 0)
        log_error("webhooks: cannot start the delivery thread");
    warn_host_reflection(s, cli->cfg.listen);
    log_info("serving %s on %s", cli->db, where);
    service_ready(where);
    /* The newsletter's outbox sender (mail/sender.c). */
    char fallback[300];
    snprintf(fallback, sizeof(fallback), "http://%s", cli->cfg.listen);
    struct mail_config mc;
    cli_mail_config(cli, &mc, fallback);
    struct mail_sender *ms = NULL;
    if (mail_sender_start(s, &mc, &ms, err, sizeof(err)) != 0)
        log_error("newsletter sender not started: %s", err);
    int sig = 0;
    while (sigwait(&stop, &sig) == 0 && sig == SIGHUP)
        live_reload(live, cli, theme_flag);
    log_info("signal %d: finishing in-flight requests", sig);
    service_stopping();
    hooks_stop(hooks);
    mail_sender_stop(ms); /* finishes the messages in flight */
    http_server_stop(srv);
    live_close(live);
    store_close(s);
    log_info("stopped");
    return 0;
}

/* --- dispatch ------------------------------------------------------ */

static const struct command commands[] = {
    {"init", cmd_init, "quire init",
     "Create a new, empty journal database (see --db)."},
    {"config", cmd_config,
     "quire config get KEY | set KEY VALUE | list | check [FILE]",
     "Read or change the journal's settings: name, tagline, about, base_url,\n"
     "newsletter. 'list' also shows the server settings from the INI file.\n"
     "'check' validates an INI file (default: --config) and names the line\n"
     "of any error; it warns when the journal's base_url is empty."},
    {"link", cmd_link,
     "quire link add TITLE URL [--image MEDIA] | list | remove ID\n"
     "       quire link image ID MEDIA|--none",
     "Edit the \"Visit also\" links shown beside every article. --image\n"
     "shows a logo from the media library (MEDIA: an id or name that\n"
     "`quire media list` shows) in place of the title."},
    {"publication", cmd_publication,
     "quire publication add --kind KIND --date YYYY-MM-DD TITLE [URL]\n"
     "            [--cover MEDIA]\n"
     "       quire publication list | remove ID | cover ID MEDIA|--none",
     "Edit the \"Staff Publications\" list (kinds such as Silk Road Paper,\n"
     "Analysis, Op-ed, Book). --cover shows a cover image from the media\n"
     "library beside the entry."},
    {"author", cmd_author, "quire author photo SLUG MEDIA|--none",
     "Show a photo from the media library on the author's page and beside\n"
     "their name in article bylines."},
    {"article", cmd_article, "quire article delete SLUG",
     "Delete an article with its byline, tags, read counts and search\n"
     "index entry."},
    {"places", cmd_places,
     "quire places tag PATH... | retag [--all] | show SLUG\n"
     "       quire places add SLUG CODE | remove SLUG CODE",
     "Countries and organizations articles are about (docs/places.md):\n"
     "tag files, retag the journal, or record an editor's decision."},
    {"search-index", cmd_search_index, "quire search-index build",
     "Build the Xapian search index beside the database, or bring it up\n"
     "to date, in the foreground (a server keeping it does this itself,\n"
     "in the background; search.engine in the configuration)."},
    {"import", cmd_import,
     "quire import markdown PATH...\n"
     "       quire import k2 "
     "mysql://USER[:PASSWORD]@HOST[:PORT]/DB?prefix=jos_\n"
     "            [--dry-run] [--limit N] [--issue-field NAME]\n"
     "       quire import wxr [--pages] FILE...\n"
     "       quire import json FILE",
     "Import Markdown files with YAML front matter, or folders of them\n"
     "(recursively). Bad files are reported as FILE:LINE: reason and\n"
     "skipped; the exit status is 1 if any failed.\n"
     "k2: import a Joomla + K2 journal from its MariaDB/MySQL database\n"
     "(read only; socket=/path instead of HOST for a Unix socket); a\n"
     "re-run updates what it imported before, by K2 item id.\n"
     "wxr: import a WordPress export (posts; pages with --pages), each\n"
     "file whole or not at all.\n"
     "json: restore a `quire export json` file into a new, empty journal."},
    {"redirect", cmd_redirect,
     "quire redirect add OLD NEW | list | remove OLD | import FILE.csv",
     "Answer an old URL (a path, with ?query if it matters) with 301 to a\n"
     "new path or URL. import reads a CSV of old,new rows, all or none."},
    {"backup", cmd_backup, "quire backup [--force] FILE",
     "Copy the database to FILE, online: the server may run and write.\n"
     "The copy is one consistent snapshot, written to FILE.tmp, checked\n"
     "with PRAGMA integrity_check, synced and renamed to FILE. An existing\n"
     "FILE is kept unless --force is given."},
    {"restore", cmd_restore, "quire restore FILE",
     "Put the backup FILE in place of the database (--db).\n"
     "FILE must be an intact Quire database of a schema this program knows.\n"
     "Refused while a server or another quire command has the database\n"
     "open (they hold DB.lock); the old database is replaced atomically."},
    {"export", cmd_export,
     "quire export static DIR [--base-url URL] [--threads N]\n"
     "                        [--compress all|gzip|none]\n"
     "       quire export json FILE",
     "Write the public site into DIR as files any web server can serve:\n"
     "pages become folders with an index.html, ?page=N becomes page/N/.\n"
     "Built beside DIR and swapped in when complete. --base-url sets the\n"
     "absolute URLs (default: the base_url setting). --compress: the\n"
     "precompressed variants written beside each text file of 1 KB or\n"
     "more, for nginx's gzip_static and brotli_static: .gz and .br (all,\n"
     "the default), .gz only, or none.\n"
     "json: the whole journal as one JSON file (docs/json-format.md)."},
    {"subscriber", cmd_subscriber,
     "quire subscriber list [--state pending|confirmed|unsubscribed]\n"
     "       quire subscriber import FILE.csv [--confirmed] | remove EMAIL",
     "Manage newsletter subscribers. import reads one address a line or a\n"
     "CSV with an 'email' column; duplicates and bad lines are reported,\n"
     "the rest imported (pending, or confirmed with --confirmed)."},
    {"newsletter", cmd_newsletter,
     "quire newsletter send --issue YYYY-MM-DD [--subject TEXT] | status",
     "Queue an issue's digest to every confirmed subscriber (the server's\n"
     "sender delivers it), or show each campaign's counts."},
    {"mail", cmd_mail, "quire mail test ADDRESS | dkim-record",
     "test: send one message through mail.smtp_url and print the outcome.\n"
     "dkim-record: print the DNS TXT record of the DKIM key to publish."},
    {"user", cmd_user,
     "quire user add EMAIL --name NAME --role ROLE [--password-stdin]\n"
     "       quire user list | passwd EMAIL [--password-stdin]\n"
     "       quire user role EMAIL ROLE | disable EMAIL",
     "Manage the back office's accounts (roles admin, editor, author).\n"
     "Passwords have at least 10 characters; without --password-stdin they\n"
     "are asked on the terminal. passwd and disable end the user's sessions."},
    {"token", cmd_token,
     "quire token add --name NAME --role ROLE | list | revoke NAME",
     "Bearer tokens for the admin API; add prints the token once."},
    {"audit", cmd_audit, "quire audit [--limit N]",
     "Show the newest entries of the audit log (default 50)."},
    {"theme", cmd_theme, "quire theme export DIR",
     "Write the built-in default theme into DIR (new or empty), as a\n"
     "starting point for a custom theme (--theme DIR or server.theme)."},
    {"webhook", cmd_webhook,
     "quire webhook add URL --events EVENT[,EVENT...] [--secret S]\n"
     "       quire webhook list | remove ID | log [ID]",
     "Tell other systems what happened: each event (article.published,\n"
     "article.updated, article.deleted, issue.published) is POSTed as JSON\n"
     "to URL by the running server, signed with S (X-Quire-Signature:\n"
     "sha256=HMAC) when given, retried for 24 hours; 'log' shows attempts."},
    {"media", cmd_media,
     "quire media add FILE [--alt TEXT | --decorative] [--caption TEXT]\n"
     "       [--credit TEXT] | list | check",
     "The media library: add an image (JPEG, PNG, WebP, AVIF, GIF) or a PDF;\n"
     "images are re-encoded without metadata, in WebP/JPEG/AVIF at 480,\n"
     "960 and 1600 px, into the folder media/ beside the database. 'check'\n"
     "lists missing and orphaned files (exit status 1 if any)."},
    {"serve", cmd_serve,
     "quire serve [--listen ADDR:PORT] [--threads N] [--theme DIR]",
     "Serve the journal until SIGINT or SIGTERM, then finish in-flight\n"
     "requests, write the read counts and close the database. SIGHUP\n"
     "reloads the INI file's theme, cache, log and metrics settings\n"
     "without dropping a connection. --listen unix:/PATH serves a Unix\n"
     "socket; a socket passed by systemd (LISTEN_FDS) is used if present."},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* summary writes help's first sentence (a '.' then a space, a newline or
 * the end; "docs/places.md" is not an end) on one line into out, cut at a
 * word with "..." if it does not fit. */
static void summary(const char *help, char *out, size_t size)
{
    size_t n = 0, i = 0, cut = 0, width = size - 4; /* room for "..." */
    for (; help[i] && n < width; i++) {
        if (help[i] == '.' &&
            (!help[i + 1] || help[i + 1] == ' ' || help[i + 1] == '\n'))
            break;
        if (help[i] == ' ' || help[i] == '\n')
            cut = n;
        out[n++] = help[i] == '\n' ? ' ' : help[i];
    }
    if (help[i] && help[i] != '.' && cut > 0) {
        memcpy(out + cut, "...", 3);
        n = cut + 3;
    }
    out[n] = '\0';
}

static void usage(FILE *f)
{
    fprintf(f, "usage: quire [--db PATH] [--config FILE] COMMAND [ARGS]\n\n"
               "Quire publishes a journal of analysis from one SQLite file.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char line[66]; /* 80 columns with the name */
        summary(commands[i].help, line, sizeof(line));
        fprintf(f, "  %-12s %s\n", commands[i].name, line);
    }
    fprintf(
        f, "\nOptions:\n"
           "  --db PATH      journal database (default $QUIRE_DB or " DEFAULT_DB
           ")\n"
           "  --config FILE  server settings (default $QUIRE_CONFIG "
           "or " DEFAULT_CONFIG " if present)\n"
           "  --version      the version and the libraries' versions\n"
           "  --help         this text; 'quire COMMAND --help' for one "
           "command\n");
}

/* print_version: the build, then the libraries it runs with (their
 * versions as loaded, which a distribution upgrade may change). */
static void print_version(void)
{
    printf("quire %s\n", quire_version);
    printf("SQLite %s\n", store_lib_version());
    printf("libmicrohttpd %s\n", http_lib_version());
    printf("cmark-gfm %s\n", markdown_lib_version());
    printf("libyaml %s\n", frontmatter_lib_version());
    printf("jansson %s\n", feed_json_lib_version());
    printf("libxml2 %s\n", xml_lib_version());
}

int main(int argc, char **argv)
{
    struct cli cli = {0};
    char err[512];
    int status;

    nocache_init(); /* QUIRE_NO_CACHE: once, before any cache exists */
    cli.db = getenv("QUIRE_DB");
    cli.config_path = getenv("QUIRE_CONFIG");
    cli.config_explicit = cli.config_path != NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            print_version();
            return 0;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            cli.db = argv[++i];
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            cli.config_path = argv[++i];
            cli.config_explicit = true;
        } else {
            usage(stderr);
            return cli_fail("unknown option '%s'", argv[i]);
        }
    }
    if (!cli.db || !*cli.db)
        cli.db = DEFAULT_DB;
    if (!cli.config_path)
        cli.config_path = DEFAULT_CONFIG;
    if (i == argc) {
        usage(stderr);
        return 2;
    }

    const struct command *cmd = NULL;
    for (size_t k = 0; k < NCOMMANDS; k++)
        if (strcmp(argv[i], commands[k].name) == 0)
            cmd = &commands[k];
    if (!cmd)
        return cli_fail("unknown command '%s' (see quire --help)", argv[i]);
    if (cli_wants_help(argc - i, argv + i)) {
        printf("usage: %s\n\n%s\n", cmd->usage, cmd->help);
        return 0;
    }

    config_init(&cli.cfg);
    int rc = config_load(&cli.cfg, cli.config_path, err, sizeof(err));
    if (rc != 0 && !(rc == ERR_NOT_FOUND && !cli.config_explicit)) {
        config_release(&cli.cfg);
        return cli_fail("%s", err);
    }
    int level = log_parse_level(cli.cfg.log_level);
    if (level >= 0)
        log_level = (enum log_level)level;
    status = cmd->run(&cli, argc - i, argv + i);
    config_release(&cli.cfg);
    return status;
}
