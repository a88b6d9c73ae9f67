/*
 * live.c - the site a running `quire serve` answers with, swapped whole on
 * SIGHUP: the INI file is read again and a new site (theme compiled, page
 * cache empty) is opened beside the old one; only if that succeeds is it
 * put in place. Requests hold a read lock for the time of the application
 * call, so the swap waits for calls in progress and drops no connection;
 * a bad theme or INI file leaves the running site as it was.
 *
 * Reloaded: server.theme, cache.max_bytes, server.hits_flush,
 * limits.search_query_max, server.metrics_token, server.log_level. The
 * listening address, threads and the other limits need a restart.
 */
#define LOG_MODULE "main"
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/log.h"
#include "core/service.h"
#include "core/xalloc.h"
#include "http/http.h"
#include "media/media.h"
#include "site/site.h"
#include "store/store.h"

#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct live {
    pthread_rwlock_t lock;
    struct site *site;
    char *unpacked;     /* the built-in theme's folder, or NULL */
    struct config *cfg; /* the settings the site was opened with */
    struct store *store;
};

static int open_site(struct cli *cli, struct config *cfg, struct store *s,
                     struct site **site, char **unpacked, char *err,
                     size_t errlen)
{
    const char *theme_dir, *admin_dir;
    /* cli_theme_dirs reads cli->cfg: point it at cfg for the call. */
    struct config keep = cli->cfg;
    cli->cfg = *cfg;
    int rc = cli_theme_dirs(cli, &theme_dir, &admin_dir, unpacked);
    cli->cfg = keep;
    if (rc != 0) {
        snprintf(err, errlen, "cannot unpack the built-in theme");
        return ERR_IO;
    }
    char *media_dir = media_dir_for_db(cli->db); /* site_open copies it */
    char *db_dir = xstrdup(cli->db);
    const char *disk_dir = cfg->cache_disk_dir[0] ? cfg->cache_disk_dir
                                                  : dirname(db_dir);
    store_search_engine_set(s, store_search_engine_parse(cfg->search_engine));
    struct site_opts so = {
        .store = s,
        .theme_dir = theme_dir,
        .admin_dir = admin_dir,
        .media_dir = media_dir,
        .upload_max = cfg->upload_max,
        .mail_from = cfg->mail_from,
        .signups_per_client = cfg->signups_per_client,
        .cache_max = cfg->cache_max,
        .cache_disk_dir = disk_dir,
        .cache_disk_max = cfg->cache_disk_max,
        .hits_flush = cfg->hits_flush,
        .search_query_max = cfg->search_query_max,
        .search_per_minute = cfg->search_per_minute,
        .search_concurrent = cfg->search_concurrent,
        .metrics_token = cfg->metrics_token,
    };
    rc = site_open(&so, site, err, errlen);
    free(media_dir);
    free(db_dir);
    if (rc != 0) {
        cli_theme_done(*unpacked);
        *unpacked = NULL;
    }
    return rc;
}

int live_open(struct cli *cli, struct store *s, struct live **out)
{
    char err[512];
    struct live *l = xcalloc(1, sizeof(*l));
    l->store = s;
    l->cfg = NULL; /* cli->cfg, owned by main */
    if (open_site(cli, &cli->cfg, s, &l->site, &l->unpacked, err,
                  sizeof(err)) != 0) {
        free(l);
        return cli_fail("theme: %s", err);
    }
    pthread_rwlock_init(&l->lock, NULL);
    *out = l;
    return 0;
}

int live_app(struct request *req, struct response *res, void *ctx)
{
    struct live *l = ctx;
    pthread_rwlock_rdlock(&l->lock);
    int status = site_app(req, res, l->site);
    pthread_rwlock_unlock(&l->lock);
    return status;
}

bool live_is_https(void *ctx)
{
    struct live *l = ctx;
    pthread_rwlock_rdlock(&l->lock);
    bool https = site_is_https(l->site);
    pthread_rwlock_unlock(&l->lock);
    return https;
}

static void config_free(struct config *c)
{
    if (c) {
        config_release(c);
        free(c);
    }
}

void live_reload(struct live *l, struct cli *cli, const char *theme_flag)
{
    char err[1024];
    service_reloading();
    struct config *cfg = xcalloc(1, sizeof(*cfg));
    config_init(cfg);
    int rc = config_load(cfg, cli->config_path, err, sizeof(err));
    if (rc == ERR_NOT_FOUND && !cli->config_explicit)
        rc = 0;
    if (rc == 0 && theme_flag)
        rc = config_set(cfg, "server.theme", theme_flag, err, sizeof(err));
    struct site *site = NULL;
    char *unpacked = NULL;
    if (rc == 0)
        rc = open_site(cli, cfg, l->store, &site, &unpacked, err, sizeof(err));
    if (rc != 0) {
        log_error("reload refused, still serving as before: %s", err);
        config_free(cfg);
        service_reloaded();
        return;
    }
    int level = log_parse_level(cfg->log_level);
    if (level >= 0)
        log_level = (enum log_level)level;
    pthread_rwlock_wrlock(&l->lock);
    struct site *old = l->site;
    char *old_unpacked = l->unpacked;
    struct config *old_cfg = l->cfg;
    l->site = site;
    l->unpacked = unpacked;
    l->cfg = cfg;
    pthread_rwlock_unlock(&l->lock);
    site_close(old); /* no request uses it now: they held the read lock */
    cli_theme_done(old_unpacked);
    config_free(old_cfg);
    log_info("reloaded %s (theme %s)", cli->config_path, cfg->theme);
    service_reloaded();
}

void live_close(struct live *l)
{
    site_close(l->site);
    cli_theme_done(l->unpacked);
    config_free(l->cfg);
    pthread_rwlock_destroy(&l->lock);
    free(l);
}
