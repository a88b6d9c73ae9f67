/*
 * config.h - the server's settings: one table, an INI file, flag overrides.
 *
 * Every key is described once in config.c (name, type, bounds, default,
 * help). Values come from the defaults, then the INI file (inih), then
 * command-line flags, in that order. Journal settings that editors change
 * (name, tagline, about, base_url) live in the database instead; their
 * names and help are listed here too so `quire config` can tell the two
 * apart.
 */
#ifndef QUIRE_CONFIG_H
#define QUIRE_CONFIG_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config {
    char *listen;                 /* server.listen, "ADDR:PORT" */
    unsigned threads;             /* server.threads, 0 = number of cores */
    char *theme;                  /* server.theme, a theme folder */
    char *admin;                  /* server.admin, the back office's folder */
    char *access_log;             /* server.access_log: common | json | off */
    char *log_level;              /* server.log_level */
    unsigned hits_flush;          /* server.hits_flush, seconds */
    char *metrics_token;          /* server.metrics_token; "" = loopback only */
    char *webhooks_allow_private; /* webhooks.allow_private: true | false */
    unsigned webhooks_retry_min;  /* webhooks.retry_min, seconds */
    size_t request_line_max;      /* limits.request_line_max, bytes */
    size_t header_max;            /* limits.header_max, bytes */
    unsigned header_count;        /* limits.header_count */
    size_t body_max;              /* limits.body_max, bytes */
    unsigned form_fields;         /* limits.form_fields */
    size_t upload_max;            /* limits.upload_max, bytes */
    unsigned connections;         /* limits.connections */
    unsigned connections_per_ip;  /* limits.connections_per_ip */
    unsigned request_timeout;     /* limits.request_timeout, seconds */
    unsigned idle_timeout;        /* limits.idle_timeout, seconds */
    size_t cache_max;             /* cache.max_bytes */
    char *cache_disk_dir;         /* cache.disk_dir; "": the database's */
    size_t cache_disk_max;        /* cache.disk_max_bytes; 0: no disk tier */
    size_t search_query_max;      /* limits.search_query_max, bytes */
    unsigned search_per_minute;   /* limits.search_per_minute */
    unsigned search_concurrent;   /* limits.search_concurrent */
    char *search_engine;          /* search.engine: auto | fts5 | xapian */
    char *smtp_url;               /* mail.smtp_url; "" = no sending */
    char *smtp_user, *smtp_password; /* mail.smtp_user/_password */
    char *mail_from, *mail_reply_to; /* mail.mail_from/_reply_to */
    unsigned mail_rate;              /* mail.mail_rate, messages per minute */
    unsigned mail_workers;           /* mail.mail_workers, SMTP connections */
    unsigned signups_per_client;     /* mail.signups_per_client, per hour */
    char *dkim_domain, *dkim_selector, *dkim_key_file;   /* mail.dkim_* */
    char *dkim_ed25519_selector, *dkim_ed25519_key_file; /* alongside RSA */
};

/* config_init fills every key with its default; release frees strings. */
void config_init(struct config *c);
void config_release(struct config *c);

/*
 * config_load reads an INI file over the current values. Errors name the
 * file and line ("quire.ini:7: unknown key 'lisen' in [server]") in err.
 * ERR_NOT_FOUND if the file does not exist, ERR_PARSE/ERR_INVALID else.
 */
int config_load(struct config *c, const char *path, char *err,
                size_t errlen) WUR;

/*
 * config_set sets "section.name" (or a unique bare "name") from text,
 * checking type and bounds; used for command-line flags.
 */
int config_set(struct config *c, const char *key, const char *value, char *err,
               size_t errlen) WUR;

/*
 * config_get formats the value of "section.name" (or a unique bare name)
 * into out; ERR_NOT_FOUND if there is no such server key.
 */
int config_get(const struct config *c, const char *key, char *out,
               size_t outlen) WUR;

/* config_print writes every server key as "section.name = value  # help". */
void config_print(const struct config *c, FILE *f);

/* Journal keys kept in the database, with their help text. */
struct journal_key {
    const char *name;
    const char *help;
    const char *def; /* shown when unset; may be NULL */
};
extern const struct journal_key journal_keys[];
extern const size_t journal_keys_len;
/* journal_key_find returns the entry for name or NULL. */
const struct journal_key *journal_key_find(const char *name);
/* journal_key_check validates a value for a key; message in err. */
int journal_key_check(const char *name, const char *value, char *err,
                      size_t errlen) WUR;

#endif
