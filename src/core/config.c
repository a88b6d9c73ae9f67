/*
 * config.c - the table of every server setting and its INI reader.
 *
 * One static table (after Redis's static_configs[]) drives loading,
 * flag overrides, validation and `quire config list`, so a key cannot be
 * documented in one place and parsed differently in another.
 */
#include "core/config.h"

#include "core/limits.h"
#include "core/str.h"
#include "core/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <ini.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum cfg_type { CFG_STR, CFG_UINT, CFG_SIZE };

struct cfg_key {
    const char *section;
    const char *name;
    enum cfg_type type;
    size_t offset;
    unsigned long long min, max;
    const char *def;
    const char *help;
    const char *const *choices; /* CFG_STR with a fixed set, NULL-ended */
};

static const char *const log_formats[] = {"common", "json", "off", NULL};
static const char *const booleans[] = {"true", "false", NULL};
static const char *const log_levels[] = {"error", "warn", "info", "debug",
                                         NULL};
static const char *const search_engines[] = {"auto", "fts5", "xapian", NULL};

#define OFF(f) offsetof(struct config, f)
#define STR_(x) #x
#define XSTR(x) STR_(x) /* a limits.h constant as a default string */
static const struct cfg_key keys[] = {
    {"server", "listen", CFG_STR, OFF(listen), 0, 0, "127.0.0.1:8080",
     "address and port to serve on", NULL},
    {"server", "threads", CFG_UINT, OFF(threads), 0, 256, "0",
     "worker threads; 0 = one per core", NULL},
    {"server", "theme", CFG_STR, OFF(theme), 0, 0, "builtin",
     "theme folder (templates/ and assets/); builtin: the default theme "
     "compiled into quire",
     NULL},
    {"server", "admin", CFG_STR, OFF(admin), 0, 0, "builtin",
     "the back office's templates/ and assets/ (apart from the theme); "
     "builtin: the one compiled into quire",
     NULL},
    {"server", "access_log", CFG_STR, OFF(access_log), 0, 0, "common",
     "access log format: common, json or off", log_formats},
    {"server", "log_level", CFG_STR, OFF(log_level), 0, 0, "info",
     "error, warn, info or debug", log_levels},
    {"server", "hits_flush", CFG_UINT, OFF(hits_flush), 1, 3600, "5",
     "seconds between writes of read counts to the database", NULL},
    {"server", "metrics_token", CFG_STR, OFF(metrics_token), 0, 0, "",
     "bearer token that opens /metrics to other than loopback; empty: "
     "loopback only",
     NULL},
    {"webhooks", "allow_private", CFG_STR, OFF(webhooks_allow_private), 0, 0,
     "false", "true: webhooks may go to loopback and private addresses",
     booleans},
    {"webhooks", "retry_min", CFG_UINT, OFF(webhooks_retry_min), 1, 3600, "30",
     "seconds before a failed webhook's first retry (then doubled, "
     "for 24 hours)",
     NULL},
    {"limits", "request_line_max", CFG_SIZE, OFF(request_line_max), 256,
     1 << 20, XSTR(LIMIT_REQUEST_LINE_MAX),
     "bytes of the request line (414 above)", NULL},
    {"limits", "header_max", CFG_SIZE, OFF(header_max), 1024, 1 << 20,
     XSTR(LIMIT_HEADER_MAX), "bytes of request line and headers (431 above)",
     NULL},
    {"limits", "header_count", CFG_UINT, OFF(header_count), 8, 10000,
     XSTR(LIMIT_HEADER_COUNT), "header fields in a request (431 above)", NULL},
    {"limits", "body_max", CFG_SIZE, OFF(body_max), 1024, 1ull << 32,
     XSTR(LIMIT_BODY_MAX), "bytes of request body (413 above)", NULL},
    {"limits", "form_fields", CFG_UINT, OFF(form_fields), 1, 1000000,
     XSTR(LIMIT_FORM_FIELDS), "fields in a form body (413 above)", NULL},
    {"limits", "upload_max", CFG_SIZE, OFF(upload_max), 1024, 1ull << 40,
     XSTR(LIMIT_UPLOAD_MAX), "bytes of a file upload (for the back office)",
     NULL},
    {"limits", "connections", CFG_UINT, OFF(connections), 1, 1000000,
     XSTR(LIMIT_CONNECTIONS), "open connections in total", NULL},
    {"limits", "connections_per_ip", CFG_UINT, OFF(connections_per_ip), 0,
     1000000, XSTR(LIMIT_CONNECTIONS_PER_IP),
     "open connections per client address; 0 = no limit", NULL},
    {"limits", "request_timeout", CFG_UINT, OFF(request_timeout), 1, 3600,
     XSTR(LIMIT_REQUEST_TIMEOUT),
     "seconds to send a whole request once it began (408 above)", NULL},
    {"limits", "idle_timeout", CFG_UINT, OFF(idle_timeout), 1, 3600,
     XSTR(LIMIT_IDLE_TIMEOUT),
     "seconds of silence before a connection is closed", NULL},
    {"limits", "search_query_max", CFG_SIZE, OFF(search_query_max), 16, 65536,
     XSTR(LIMIT_SEARCH_QUERY_MAX),
     "bytes of a search query (a friendly 400 above)", NULL},
    {"limits", "search_per_minute", CFG_UINT, OFF(search_per_minute), 1,
     1000000, XSTR(LIMIT_SEARCH_PER_MINUTE),
     "uncached searches per client address per minute (429 above)", NULL},
    {"limits", "search_concurrent", CFG_UINT, OFF(search_concurrent), 1, 1024,
     XSTR(LIMIT_SEARCH_CONCURRENT),
     "uncached searches run at once, all clients (503 above)", NULL},
    {"search", "engine", CFG_STR, OFF(search_engine), 0, 0, "auto",
     "full-text search: fts5 (SQLite's, in the database), xapian (an index "
     "beside it, kept by the server; ranks a million articles in "
     "milliseconds) or auto (xapian from 50,000 published articles)",
     search_engines},
    {"cache", "max_bytes", CFG_SIZE, OFF(cache_max), 0, 1ull << 40, "8388608",
     "bytes of rendered pages kept in memory", NULL},
    {"cache", "disk_dir", CFG_STR, OFF(cache_disk_dir), 0, 0, "",
     "folder of the page cache's files (unnamed: they go with the process); "
     "empty: the database's folder",
     NULL},
    {"cache", "disk_max_bytes", CFG_SIZE, OFF(cache_disk_max), 0, 1ull << 44,
     "1073741824",
     "bytes of pages kept on disk once evicted from memory; 0: none", NULL},
    {"mail", "smtp_url", CFG_STR, OFF(smtp_url), 0, 0, "",
     "smtp://host:port or smtps://host:port; empty: no mail is sent", NULL},
    {"mail", "smtp_user", CFG_STR, OFF(smtp_user), 0, 0, "",
     "SMTP AUTH user; empty: no AUTH", NULL},
    {"mail", "smtp_password", CFG_STR, OFF(smtp_password), 0, 0, "",
     "SMTP AUTH password", NULL},
    {"mail", "mail_from", CFG_STR, OFF(mail_from), 0, 0, "",
     "From: address of every mail (Name <addr@domain> or addr@domain)", NULL},
    {"mail", "mail_reply_to", CFG_STR, OFF(mail_reply_to), 0, 0, "",
     "Reply-To: address; empty: none", NULL},
    {"mail", "mail_rate", CFG_UINT, OFF(mail_rate), 0, 1000000, "0",
     "messages per minute; 0 = unlimited", NULL},
    {"mail", "mail_workers", CFG_UINT, OFF(mail_workers), 1, 16, "2",
     "SMTP connections used in parallel by the sender", NULL},
    {"mail", "dkim_domain", CFG_STR, OFF(dkim_domain), 0, 0, "",
     "d= of DKIM signatures; with dkim_selector and dkim_key_file", NULL},
    {"mail", "dkim_selector", CFG_STR, OFF(dkim_selector), 0, 0, "",
     "s= of DKIM signatures (the DNS name SELECTOR._domainkey.DOMAIN)", NULL},
    {"mail", "dkim_key_file", CFG_STR, OFF(dkim_key_file), 0, 0, "",
     "RSA private key (PEM) that signs every mail", NULL},
    {"mail", "dkim_ed25519_selector", CFG_STR, OFF(dkim_ed25519_selector), 0, 0,
     "", "s= of the Ed25519 signature (RFC 8463); not dkim_selector", NULL},
    {"mail", "dkim_ed25519_key_file", CFG_STR, OFF(dkim_ed25519_key_file), 0, 0,
     "", "Ed25519 private key (PEM) that signs every mail alongside RSA", NULL},
    {"mail", "signups_per_client", CFG_UINT, OFF(signups_per_client), 1,
     1000000, "10", "newsletter sign-ups per client address per hour", NULL},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const struct journal_key journal_keys[] = {
    {"name", "the journal's name", "Quire Journal"},
    {"tagline", "one line under the name", NULL},
    {"about", "the about blurb shown beside every article", NULL},
    {"base_url",
     "public URL feeds and canonical links are built from; "
     "unset or empty: the request's Host",
     NULL},
    {"newsletter", "the newsletter sign-up invitation", NULL},
    {"feed_content", "what feeds carry: full (the whole text) or summary",
     "full"},
    {"static_search_url",
     "where a static export's search form goes (empty: no search form)", NULL},
    {"places_home",
     "the country (ISO code, e.g. kz) given to an article "
     "that names none; empty: none (docs/places.md)",
     NULL},
};
const size_t journal_keys_len = sizeof(journal_keys) / sizeof(journal_keys[0]);

static char **str_field(struct config *c, const struct cfg_key *k)
{
    return (char **)((char *)c + k->offset);
}

static int set_value(struct config *c, const struct cfg_key *k,
                     const char *value, char *err, size_t errlen)
{
    if (k->type == CFG_STR) {
        if (k->choices) {
            const char *const *ch = k->choices;
            while (*ch && strcmp(*ch, value) != 0)
                ch++;
            if (!*ch) {
                snprintf(err, errlen,
                         "%s.%s: '%s' is not one of the allowed "
                         "values",
                         k->section, k->name, value);
                return ERR_INVALID;
            }
        }
        if (*value == '\0' && *k->def) { /* "" is allowed if default */
            snprintf(err, errlen, "%s.%s: must not be empty", k->section,
                     k->name);
            return ERR_INVALID;
        }
        char **f = str_field(c, k);
        free(*f);
        *f = xstrdup(value);
        return 0;
    }
    long long v;
    struct str s = str_trim(str_from(value));
    unsigned long long mult = 1;
    /* Sizes may carry a K, M or G suffix (powers of 1024). */
    if (k->type == CFG_SIZE && s.len > 1) {
        char u = s.ptr[s.len - 1];
        if (u == 'K' || u == 'k')
            mult = 1024;
        else if (u == 'M' || u == 'm')
            mult = 1024 * 1024;
        else if (u == 'G' || u == 'g')
            mult = 1024 * 1024 * 1024;
        if (mult != 1)
            s.len--;
    }
    if (str_to_i64(s, 0, INT64_MAX / 1024 / 1024 / 1024, &v) != 0 ||
        (unsigned long long)v * mult < k->min ||
        (unsigned long long)v * mult > k->max) {
        snprintf(err, errlen, "%s.%s: '%s' is not a number in %llu..%llu",
                 k->section, k->name, value, k->min, k->max);
        return ERR_INVALID;
    }
    unsigned long long n = (unsigned long long)v * mult;
    if (k->type == CFG_UINT)
        *(unsigned *)((char *)c + k->offset) = (unsigned)n;
    else
        *(size_t *)((char *)c + k->offset) = (size_t)n;
    return 0;
}

void config_init(struct config *c)
{
    char err[256];
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < NKEYS; i++) {
        int rc = set_value(c, &keys[i], keys[i].def, err, sizeof(err));
        assert(rc == 0); /* defaults must satisfy their own bounds */
        (void)rc;
    }
}

void config_release(struct config *c)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (keys[i].type == CFG_STR) {
            free(*str_field(c, &keys[i]));
            *str_field(c, &keys[i]) = NULL;
        }
}

static const struct cfg_key *find(const char *section, const char *name)
{
    const struct cfg_key *found = NULL;
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(keys[i].name, name) != 0)
            continue;
        if (section && strcmp(keys[i].section, section) != 0)
            continue;
        if (found)
            return NULL; /* ambiguous bare name */
        found = &keys[i];
    }
    return found;
}

struct load_ctx {
    struct config *c;
    const char *path;
    char *err;
    size_t errlen;
    int rc;
    int line;
    FILE *f;
};

/* Debian's inih has no line numbers in callbacks: count lines as read. */
static char *read_line(char *str, int num, void *stream)
{
    struct load_ctx *lc = stream;
    char *r = fgets(str, num, lc->f);
    if (r)
        lc->line++;
    return r;
}

static int on_ini(void *user, const char *section, const char *name,
                  const char *value)
{
    struct load_ctx *lc = user;
    int line = lc->line;
    if (lc->rc)
        return 0;
    const struct cfg_key *k = find(section, name);
    if (!k) {
        snprintf(lc->err, lc->errlen, "%s:%d: unknown key '%s' in [%s]",
                 lc->path, line, name, section);
        lc->rc = ERR_PARSE;
        return 0;
    }
    char msg[200];
    if (set_value(lc->c, k, value, msg, sizeof(msg)) != 0) {
        snprintf(lc->err, lc->errlen, "%s:%d: %s", lc->path, line, msg);
        lc->rc = ERR_INVALID;
        return 0;
    }
    return 1;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? ERR_NOT_FOUND : ERR_IO;
    }
    struct load_ctx lc = {c, path, err, errlen, 0, 0, f};
    int line = ini_parse_stream(read_line, &lc, on_ini, &lc);
    fclose(f);
    if (lc.rc)
        return lc.rc;
    if (line != 0) {
        snprintf(err, errlen, "%s:%d: syntax error", path, line);
        return ERR_PARSE;
    }
    return 0;
}

/* find_dotted looks up "section.name" or a bare, unambiguous "name". */
static const struct cfg_key *find_dotted(const char *key)
{
    char section[32];
    const char *dot = strchr(key, '.');
    if (!dot)
        return find(NULL, key);
    if ((size_t)(dot - key) >= sizeof(section))
        return NULL;
    memcpy(section, key, (size_t)(dot - key));
    section[dot - key] = '\0';
    return find(section, dot + 1);
}

static void format_value(const struct config *c, const struct cfg_key *k,
                         char *out, size_t outlen)
{
    const char *at = (const char *)c + k->offset;
    if (k->type == CFG_STR)
        snprintf(out, outlen, "%s", *(char *const *)(const void *)at);
    else if (k->type == CFG_UINT)
        snprintf(out, outlen, "%u", *(const unsigned *)(const void *)at);
    else
        snprintf(out, outlen, "%zu", *(const size_t *)(const void *)at);
}

int config_get(const struct config *c, const char *key, char *out,
               size_t outlen)
{
    const struct cfg_key *k = find_dotted(key);
    if (!k)
        return ERR_NOT_FOUND;
    format_value(c, k, out, outlen);
    return 0;
}

int config_set(struct config *c, const char *key, const char *value, char *err,
               size_t errlen)
{
    const struct cfg_key *k = find_dotted(key);
    if (!k) {
        snprintf(err, errlen, "unknown setting '%s'", key);
        return ERR_NOT_FOUND;
    }
    return set_value(c, k, value, err, errlen);
}

void config_print(const struct config *c, FILE *f)
{
    for (size_t i = 0; i < NKEYS; i++) {
        char v[512];
        format_value(c, &keys[i], v, sizeof(v));
        if (strcmp(keys[i].name, "metrics_token") == 0 && *v)
            snprintf(v, sizeof(v), "(set, not shown)"); /* a secret */
        if (keys[i].offset == OFF(smtp_password) && *v) /* a secret */
            snprintf(v, sizeof(v), "(set)");
        fprintf(f, "%s.%s = %s\t# %s\n", keys[i].section, keys[i].name, v,
                keys[i].help);
    }
}

const struct journal_key *journal_key_find(const char *name)
{
    for (size_t i = 0; i < journal_keys_len; i++)
        if (strcmp(journal_keys[i].name, name) == 0)
            return &journal_keys[i];
    return NULL;
}

/* http_url: an http(s) URL with nothing that could break out of an
 * attribute or a header (and no trailing '/' unless slash_ok). */
static bool http_url(const char *v, bool slash_ok)
{
    size_t n = strlen(v);
    bool scheme = strncmp(v, "http://", 7) == 0 ||
                  strncmp(v, "https://", 8) == 0;
    return scheme && !strpbrk(v, " \t\r\n\"<>'") &&
           (slash_ok || v[n - 1] != '/');
}

int journal_key_check(const char *name, const char *value, char *err,
                      size_t errlen)
{
    if (!journal_key_find(name)) {
        snprintf(err, errlen, "unknown setting '%s'", name);
        return ERR_NOT_FOUND;
    }
    if (strlen(value) > 64 * 1024) {
        snprintf(err, errlen, "%s: value longer than 64 KB", name);
        return ERR_TOO_BIG;
    }
    if (strcmp(name, "feed_content") == 0 && strcmp(value, "full") != 0 &&
        strcmp(value, "summary") != 0) {
        snprintf(err, errlen, "feed_content: '%s' is not full or summary",
                 value);
        return ERR_INVALID;
    }
    /* Empty unsets these (the CLI has no "unset"). */
    if (strcmp(name, "static_search_url") == 0 && *value &&
        !http_url(value, true)) {
        snprintf(err, errlen,
                 "static_search_url: '%s' must be an http(s) "
                 "URL",
                 value);
        return ERR_INVALID;
    }
    if (strcmp(name, "base_url") == 0 && *value && !http_url(value, false)) {
        snprintf(err, errlen,
                 "base_url: '%s' must be an http(s) URL "
                 "without a trailing slash",
                 value);
        return ERR_INVALID;
    }
    return 0;
}
