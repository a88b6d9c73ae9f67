/*
 * import_k2.c - Joomla + K2 out of its live MariaDB/MySQL database.
 *
 * Order: extra fields (to find the issue field), users with their K2
 * profiles, categories, tags and the item-tag links are read whole (they
 * are small); then the items are streamed (mysql_use_result) one row at a
 * time, so memory stays bounded whatever the archive's size. Everything is
 * read in one READ ONLY transaction: one consistent snapshot, and the
 * server refuses any write. Writes to the journal are batched in
 * transactions of K2_BATCH items; a dry run writes nothing and counts what
 * it would do.
 *
 * Row conventions of K2: dates in UTC with "0000-00-00 00:00:00" for none;
 * published, trash 0/1; extra_fields a JSON array of {"id","value"} (read
 * by a small scanner below: only two keys are wanted, and the library that
 * parses JSON is another module's).
 */
#define LOG_MODULE "import"
#include "io/import_k2.h"

#include "content/date.h"
#include "content/html_md.h"
#include "content/markdown.h"
#include "content/slug.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "store/store.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    K2_BATCH = 500,
    K2_AUTHORS_MAX = 16,
    K2_TAGS_MAX = 64,
    K2_FIELD_MAX = 8 << 20, /* a text column we convert: 8 MB */
    LEGACY_TAG_KEY = 600,
};

struct k2_user {
    long id;
    char *name;
    char *bio; /* Markdown, or NULL */
};

struct k2_cat {
    long id, parent;
    char *name;    /* K2's name */
    char *alias;   /* K2's alias, "" if none */
    char *section; /* its section's name (see name_sections); NULL: none */
    bool usable;   /* published, not trashed: its items may be published */
};

struct k2_tag {
    long id;
    char *name;
};

struct k2_xref {
    long item, tag;
};

struct k2 {
    MYSQL *db;
    struct k2_url url;
    const struct k2_opts *o;
    struct k2_report *rep;
    struct store *s;
    struct k2_user *users;
    size_t n_users;
    struct k2_cat *cats;
    size_t n_cats;
    struct k2_tag *tags;
    size_t n_tags;
    struct k2_xref *xref;
    size_t n_xref;
    long issue_field; /* extra field id, or 0 */
    char *err;
    size_t errlen;
};

/* --- the URL ------------------------------------------------------- */

static int hexv(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* take copies [s, s+n) percent-decoded into out. */
static bool take(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n && hexv(s[i + 1]) >= 0 &&
            hexv(s[i + 2]) >= 0) {
            c = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
            i += 2;
        }
        if (k + 1 >= cap || c == 0)
            return false;
        out[k++] = c;
    }
    out[k] = 0;
    return true;
}

int k2_url_parse(const char *url, struct k2_url *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof(*u));
    const char *p = url;
    if (strncmp(p, "mysql://", 8) != 0 && strncmp(p, "mariadb://", 10) != 0)
        goto bad;
    p = strstr(p, "://") + 3;
    const char *at = strchr(p, '@');
    const char *slash = strchr(p, '/');
    if (!at || !slash || at > slash)
        goto bad;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    if (!take(p, (size_t)((colon ? colon : at) - p), u->user,
              sizeof(u->user)) ||
        !*u->user)
        goto bad;
    if (colon && !take(colon + 1, (size_t)(at - colon - 1), u->password,
                       sizeof(u->password)))
        goto bad;
    const char *h = at + 1;
    const char *pc = memchr(h, ':', (size_t)(slash - h));
    if (!take(h, (size_t)((pc ? pc : slash) - h), u->host, sizeof(u->host)))
        goto bad;
    if (pc) {
        char *end;
        unsigned long port = strtoul(pc + 1, &end, 10);
        if (end != slash || port == 0 || port > 65535)
            goto bad;
        u->port = (unsigned)port;
    }
    const char *q = strchr(slash, '?');
    if (!take(slash + 1, (size_t)((q ? q : slash + strlen(slash)) - slash - 1),
              u->db, sizeof(u->db)) ||
        !*u->db)
        goto bad;
    while (q && *q) {
        q++;
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        if (n > 7 && strncmp(q, "prefix=", 7) == 0) {
            if (!take(q + 7, n - 7, u->prefix, sizeof(u->prefix)))
                goto bad;
        } else if (n > 7 && strncmp(q, "socket=", 7) == 0) {
            if (!take(q + 7, n - 7, u->socket, sizeof(u->socket)))
                goto bad;
        } else {
            snprintf(err, errlen,
                     "%s: unknown option '%.*s' (prefix= or "
                     "socket=)",
                     url, (int)n, q);
            return ERR_INVALID;
        }
        q = amp;
    }
    for (const char *c = u->prefix; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              (*c >= '0' && *c <= '9') || *c == '_')) {
            snprintf(err, errlen, "prefix '%s': letters, digits and _ only",
                     u->prefix);
            return ERR_INVALID;
        }
    if (!*u->host && !*u->socket)
        goto bad;
    return 0;
bad:
    snprintf(err, errlen,
             "'%s' is not mysql://USER[:PASSWORD]@HOST[:PORT]/"
             "DATABASE?prefix=jos_ (or ?socket=/path)",
             url);
    return ERR_INVALID;
}

/* --- reading ------------------------------------------------------- */

static int fail_db(struct k2 *k, const char *what)
{
    snprintf(k->err, k->errlen, "%s: %s", what, mysql_error(k->db));
    return ERR_IO;
}

/* query runs sql (with {P} replaced by the prefix) and stores or streams
 * its result. */
static MYSQL_RES *query(struct k2 *k, const char *sql, bool stream)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    for (const char *p = sql; *p; p++) {
        if (p[0] == '{' && p[1] == 'P' && p[2] == '}') {
            buf_append_cstr(&b, k->url.prefix);
            p += 2;
        } else {
            buf_append_char(&b, *p);
        }
    }
    MYSQL_RES *r = NULL;
    if (mysql_real_query(k->db, b.ptr, b.len) == 0)
        r = stream ? mysql_use_result(k->db) : mysql_store_result(k->db);
    if (!r)
        fail_db(k, b.ptr);
    buf_release(&b);
    return r;
}

static char *dup_col(MYSQL_ROW row, unsigned long *len, int i)
{
    if (!row[i])
        return NULL;
    char *s = xmalloc(len[i] + 1);
    memcpy(s, row[i], len[i]);
    s[len[i]] = 0;
    return s;
}

static long col_long(MYSQL_ROW row, int i)
{
    return row[i] ? strtol(row[i], NULL, 10) : 0;
}

/* text cleans a plain-text column (title, name): repaired, entities
 * decoded; heap string. */
static char *text(const char *s, size_t n, struct html_md_report *r)
{
    struct buf b;
    buf_init(&b, K2_FIELD_MAX);
    if (s && html_to_text(s, n, &b, r) != 0)
        buf_reset(&b);
    return buf_take(&b, NULL);
}

static char *markdown(const char *s, size_t n, struct html_md_report *r)
{
    struct buf b;
    buf_init(&b, K2_FIELD_MAX);
    if (s && n && html_to_markdown(s, n, &b, r) != 0) {
        buf_release(&b);
        return NULL;
    }
    return buf_take(&b, NULL);
}

static int load_fields(struct k2 *k)
{
    if (!k->o->issue_field)
        return 0;
    MYSQL_RES *r = query(k, "SELECT id, name FROM {P}k2_extra_fields", false);
    if (!r)
        return ERR_IO;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r)))
        if (row[1] && strcmp(row[1], k->o->issue_field) == 0)
            k->issue_field = col_long(row, 0);
    mysql_free_result(r);
    if (!k->issue_field) {
        snprintf(k->err, k->errlen,
                 "--issue-field: no K2 extra field "
                 "named '%s'",
                 k->o->issue_field);
        return ERR_NOT_FOUND;
    }
    return 0;
}

static int load_users(struct k2 *k)
{
    MYSQL_RES *r = query(k,
                         "SELECT u.id, u.name, p.description FROM {P}users u"
                         " LEFT JOIN {P}k2_users p ON p.userID = u.id"
                         " ORDER BY u.id",
                         false);
    if (!r)
        return ERR_IO;
    k->users = xcalloc(mysql_num_rows(r) + 1, sizeof(*k->users));
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        unsigned long *len = mysql_fetch_lengths(r);
        struct k2_user *u = &k->users[k->n_users++];
        u->id = col_long(row, 0);
        u->name = text(row[1], row[1] ? len[1] : 0, NULL);
        u->bio = row[2] && len[2] ? markdown(row[2], len[2], NULL) : NULL;
        if (u->bio && !*u->bio) {
            free(u->bio);
            u->bio = NULL;
        }
    }
    mysql_free_result(r);
    return 0;
}

static const struct k2_cat *cat(const struct k2 *k, long id)
{
    for (size_t i = 0; i < k->n_cats; i++)
        if (k->cats[i].id == id)
            return &k->cats[i];
    return NULL;
}

/* earlier_section: does a category before i have the section name? */
static bool earlier_section(const struct k2 *k, size_t i, const char *name)
{
    for (size_t j = 0; j < i; j++)
        if (k->cats[j].section && strcmp(k->cats[j].section, name) == 0)
            return true;
    return false;
}

/* earlier_alias: does a category before i have the same alias (and, with
 * same_parent_alias, a parent of the same alias)? */
static bool earlier_alias(const struct k2 *k, size_t i, bool same_parent_alias)
{
    const struct k2_cat *c = &k->cats[i];
    const struct k2_cat *p = cat(k, c->parent);
    for (size_t j = 0; j < i; j++) {
        const struct k2_cat *o = &k->cats[j];
        if (!o->section || strcmp(o->alias, c->alias) != 0)
            continue;
        if (!same_parent_alias)
            return true;
        const struct k2_cat *op = cat(k, o->parent);
        if (p && op && strcmp(p->alias, op->alias) == 0)
            return true;
    }
    return false;
}

/*
 * name_sections gives each named category its own section, in the order
 * read (parent, ordering, id), so every run names them alike. Section
 * names are unique, but K2 lets categories under different parents share
 * a name ("Analysis" under both "Europe" and "Asia"): the first keeps its
 * name, a later one becomes "Analysis (Asia)" (then "Analysis (Asia) 2",
 * ...), so no category is merged into another or lost.
 */
static void name_sections(struct k2 *k)
{
    for (size_t i = 0; i < k->n_cats; i++) {
        struct k2_cat *c = &k->cats[i];
        if (!*c->name)
            continue;
        if (!earlier_section(k, i, c->name)) {
            c->section = xstrdup(c->name);
            continue;
        }
        const struct k2_cat *p = cat(k, c->parent);
        char id[32];
        snprintf(id, sizeof(id), "%ld", c->id);
        const char *pname = p && *p->name ? p->name : id;
        struct buf b;
        buf_init(&b, 1 << 12);
        for (int n = 1;; n++) {
            buf_reset(&b);
            if (n == 1)
                buf_printf(&b, "%s (%s)", c->name, pname);
            else
                buf_printf(&b, "%s (%s) %d", c->name, pname, n);
            if (buf_error(&b) || !earlier_section(k, i, b.ptr))
                break;
        }
        c->section = buf_error(&b) ? NULL : buf_take(&b, NULL);
        if (!c->section)
            buf_release(&b);
    }
}

/* cat_section imports category i (its section, and the keys its old URLs
 * are found by: its id, its alias, its parent's alias with its alias). */
static int cat_section(struct k2 *k, size_t i, int position, const char *desc)
{
    struct k2_cat *c = &k->cats[i];
    const struct k2_cat *p = cat(k, c->parent);
    bool alias_taken = *c->alias && earlier_alias(k, i, false);
    /* A shared alias: the later section's slug is its parent's alias, a
     * dash, its own ("asia-analysis"); the store adds -2... if taken. */
    struct buf base;
    buf_init(&base, 1 << 12);
    if (alias_taken && p && *p->alias)
        buf_printf(&base, "%s-%s", p->alias, c->alias);
    else
        buf_append_cstr(&base, c->alias);
    int64_t sid = 0;
    int rc = store_section_import(
        k->s, c->section, base.len && !buf_error(&base) ? base.ptr : NULL,
        position, desc, &sid);
    buf_release(&base);
    char key[LEGACY_TAG_KEY];
    if (rc == 0) {
        k->rep->sections++;
        snprintf(key, sizeof(key), "k2/category/%ld", c->id);
        rc = store_legacy_set(k->s, key, "section", sid);
    }
    /* /<path>/<alias>.html names the first category with that alias;
     * /<path>/<parent-alias>/<alias>.html each nested one. */
    if (rc == 0 && *c->alias && !alias_taken &&
        snprintf(key, sizeof(key), "k2/category-alias/%s", c->alias) <
            (int)sizeof(key))
        rc = store_legacy_set(k->s, key, "section", sid);
    if (rc == 0 && *c->alias && p && *p->alias && !earlier_alias(k, i, true) &&
        snprintf(key, sizeof(key), "k2/category-alias/%s/%s", p->alias,
                 c->alias) < (int)sizeof(key))
        rc = store_legacy_set(k->s, key, "section", sid);
    return rc;
}

static int load_cats(struct k2 *k)
{
    MYSQL_RES *r = query(k,
                         "SELECT id, name, alias, description, published,"
                         " trash, ordering, parent FROM {P}k2_categories"
                         " ORDER BY parent, ordering, id",
                         false);
    if (!r)
        return ERR_IO;
    size_t rows = mysql_num_rows(r);
    k->cats = xcalloc(rows + 1, sizeof(*k->cats));
    char **desc = xcalloc(rows + 1, sizeof(*desc));
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        unsigned long *len = mysql_fetch_lengths(r);
        size_t i = k->n_cats++;
        struct k2_cat *c = &k->cats[i];
        c->id = col_long(row, 0);
        c->parent = col_long(row, 7);
        c->name = text(row[1], row[1] ? len[1] : 0, NULL);
        c->alias = dup_col(row, len, 2);
        if (!c->alias)
            c->alias = xstrdup("");
        c->usable = col_long(row, 4) == 1 && col_long(row, 5) == 0;
        if (!k->o->dry_run && row[3] && len[3])
            desc[i] = markdown(row[3], len[3], NULL);
    }
    mysql_free_result(r);
    /* Names first: a later category's name depends on its parent's. */
    name_sections(k);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < k->n_cats; i++)
        if (k->cats[i].section && !k->o->dry_run)
            rc = cat_section(k, i, (int)i + 1,
                             desc[i] && *desc[i] ? desc[i] : NULL);
    for (size_t i = 0; i < k->n_cats; i++)
        free(desc[i]);
    free(desc);
    if (rc != 0)
        snprintf(k->err, k->errlen, "sections: %s", store_last_error());
    return rc;
}

static int load_tags(struct k2 *k)
{
    MYSQL_RES *r =
        query(k, "SELECT id, name FROM {P}k2_tags ORDER BY id", false);
    if (!r)
        return ERR_IO;
    k->tags = xcalloc(mysql_num_rows(r) + 1, sizeof(*k->tags));
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        unsigned long *len = mysql_fetch_lengths(r);
        struct k2_tag *t = &k->tags[k->n_tags++];
        t->id = col_long(row, 0);
        t->name = text(row[1], row[1] ? len[1] : 0, NULL);
    }
    mysql_free_result(r);
    r = query(k,
              "SELECT itemID, tagID FROM {P}k2_tags_xref"
              " ORDER BY itemID, id",
              false);
    if (!r)
        return ERR_IO;
    k->xref = xcalloc(mysql_num_rows(r) + 1, sizeof(*k->xref));
    while ((row = mysql_fetch_row(r)))
        k->xref[k->n_xref++] =
            (struct k2_xref){col_long(row, 0), col_long(row, 1)};
    mysql_free_result(r);
    return 0;
}

static const struct k2_user *user(const struct k2 *k, long id)
{
    for (size_t i = 0; i < k->n_users; i++) /* users are few */
        if (k->users[i].id == id)
            return &k->users[i];
    return NULL;
}

static const char *tag_name(const struct k2 *k, long id)
{
    for (size_t i = 0; i < k->n_tags; i++)
        if (k->tags[i].id == id)
            return k->tags[i].name;
    return NULL;
}

/* k2_time reads "YYYY-MM-DD HH:MM:SS" (UTC); 0 for none or the zero date. */
static int64_t k2_time(const char *s)
{
    if (!s || strlen(s) != 19 || strncmp(s, "0000", 4) == 0)
        return 0;
    char iso[24];
    snprintf(iso, sizeof(iso), "%.10sT%.8sZ", s, s + 11);
    int64_t t = 0;
    if (date_parse_rfc3339(iso, strlen(iso), &t) != 0)
        return 0;
    return t;
}

/* extra_value finds the value of field id in K2's extra_fields JSON
 * ([{"id":"1","value":"2004-06-30"}]) into out. */
static bool extra_value(const char *json, long id, char *out, size_t cap)
{
    char want[32];
    int wn = snprintf(want, sizeof(want), "%ld", id);
    for (const char *p = json ? strstr(json, "\"id\"") : NULL; p;
         p = strstr(p + 4, "\"id\"")) {
        const char *v = p + 4;
        while (*v == ' ' || *v == ':' || *v == '"')
            v++;
        if (strncmp(v, want, (size_t)wn) != 0 || (v[wn] >= '0' && v[wn] <= '9'))
            continue;
        const char *end = strchr(v, '}');
        const char *val = strstr(v, "\"value\"");
        if (!val || (end && val > end))
            return false;
        val += 7;
        while (*val == ' ' || *val == ':')
            val++;
        if (*val != '"')
            return false;
        val++;
        size_t n = 0;
        while (val[n] && val[n] != '"' && n + 1 < cap) {
            out[n] = val[n];
            n++;
        }
        out[n] = 0;
        return val[n] == '"';
    }
    return false;
}

/* split_byline splits created_by_alias on ",", "&" and " and " into
 * names (trimmed, in order) written into store, pointed to by names. */
static size_t split_byline(char *s, const char **names, size_t max)
{
    size_t n = 0;
    char *p = s;
    while (*p && n < max) {
        char *end = p;
        char *next = NULL;
        for (; *end; end++) {
            if (*end == ',' || *end == '&') {
                next = end + 1;
                break;
            }
            if ((end == p || end[-1] == ' ') &&
                strncasecmp(end, "and ", 4) == 0 && end > p) {
                next = end + 4;
                break;
            }
        }
        char *stop = end;
        while (stop > p && (stop[-1] == ' ' || stop[-1] == '\t'))
            stop--;
        while (p < stop && (*p == ' ' || *p == '\t'))
            p++;
        if (next)
            *end = 0;
        *stop = 0;
        if (*p)
            names[n++] = p;
        if (!next)
            break;
        p = next;
    }
    return n;
}

enum {
    C_ID,
    C_TITLE,
    C_ALIAS,
    C_CATID,
    C_PUBLISHED,
    C_INTRO,
    C_FULL,
    C_EXTRA,
    C_CREATED,
    C_CREATED_BY,
    C_BYLINE,
    C_UP,
    C_DOWN,
    C_TRASH,
    C_HITS,
    C_METADESC,
    C_LANGUAGE,
    C_COUNT
};

static void progress(struct k2 *k, size_t done, size_t total)
{
    if (!k->o->progress || total == 0)
        return;
    if (done % 50 && done != total)
        return;
    int w = 40, fill = (int)((double)done / (double)total * w);
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu items", fill,
            "########################################", w - fill, "", done,
            total);
    if (done == total)
        fputc('\n', stderr);
}

static int item(struct k2 *k, MYSQL_ROW row, unsigned long *len)
{
    struct k2_report *rep = k->rep;
    long id = col_long(row, C_ID);
    rep->items++;
    if (col_long(row, C_TRASH) == 1) {
        rep->skipped_trash++;
        return 0;
    }
    struct html_md_report hr = {0};
    struct arena a;
    arena_init(&a, 4096);
    char *title = text(row[C_TITLE], row[C_TITLE] ? len[C_TITLE] : 0, &hr);
    char *intro = NULL, *full = NULL, *summary = NULL, *byline = NULL;
    char *metadesc = NULL;
    int rc = 0;
    if (!*title) {
        fprintf(stderr, "k2 item %ld: no title; skipped\n", id);
        rep->skipped_bad++;
        goto out;
    }
    bool has_full = row[C_FULL] && len[C_FULL] > 0;
    intro = markdown(row[C_INTRO], row[C_INTRO] ? len[C_INTRO] : 0, &hr);
    full = has_full ? markdown(row[C_FULL], len[C_FULL], &hr) : NULL;
    if (!intro || (has_full && !full)) {
        fprintf(stderr,
                "k2 item %ld: its text is larger than %d MB or "
                "unreadable; skipped\n",
                id, K2_FIELD_MAX >> 20);
        rep->skipped_bad++;
        goto out;
    }
    if (full && !*full) { /* markup only: the intro is the text */
        free(full);
        full = NULL;
    }
    if (full) {
        struct buf sb;
        buf_init(&sb, K2_FIELD_MAX);
        if (html_to_plain(row[C_INTRO], len[C_INTRO], &sb, NULL) == 0 && sb.len)
            summary = buf_take(&sb, NULL);
        buf_release(&sb);
    }
    const char *body = full ? full : intro;
    struct buf html;
    buf_init_arena(&html, &a, (size_t)4 * K2_FIELD_MAX);
    if (markdown_to_html(body, strlen(body), &html) != 0) {
        fprintf(stderr, "k2 item %ld: its HTML is too large; skipped\n", id);
        rep->skipped_bad++;
        goto out;
    }

    const struct k2_cat *c = cat(k, col_long(row, C_CATID));
    int64_t up = k2_time(row[C_UP]), created = k2_time(row[C_CREATED]);
    int64_t down = k2_time(row[C_DOWN]);
    int64_t published = up ? up : created;
    bool draft = col_long(row, C_PUBLISHED) != 1 || (c && !c->usable) ||
                 (down && down <= (int64_t)time(NULL));

    const char *authors[K2_AUTHORS_MAX];
    size_t n_authors = 0;
    if (row[C_BYLINE] && len[C_BYLINE]) {
        byline = text(row[C_BYLINE], len[C_BYLINE], &hr);
        n_authors = split_byline(byline, authors, K2_AUTHORS_MAX);
    }
    if (n_authors == 0) {
        const struct k2_user *u = user(k, col_long(row, C_CREATED_BY));
        if (u && u->name && *u->name)
            authors[n_authors++] = u->name;
    }

    const char *tags[K2_TAGS_MAX];
    size_t n_tags = 0;
    /* xref is sorted by item (ORDER BY itemID): binary search. */
    size_t lo = 0, hi = k->n_xref;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->xref[mid].item < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo;
         i < k->n_xref && k->xref[i].item == id && n_tags < K2_TAGS_MAX; i++) {
        const char *t = tag_name(k, k->xref[i].tag);
        if (t && *t)
            tags[n_tags++] = t;
    }

    char issue[32] = "";
    if (k->issue_field &&
        extra_value(row[C_EXTRA], k->issue_field, issue, sizeof(issue)) &&
        !date_valid_ymd(issue))
        issue[0] = 0;
    if (!issue[0] && published) {
        time_t t = (time_t)published;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(issue, sizeof(issue), "%Y-%m-%d", &tm);
    }

    char source[64];
    snprintf(source, sizeof(source), "k2:item:%ld", id);
    char *alias = dup_col(row, len, C_ALIAS);
    const char *base = alias && *alias && slug_valid(alias)
                           ? alias
                           : slug_from_title(&a, title);
    if (row[C_METADESC] && len[C_METADESC])
        metadesc = text(row[C_METADESC], len[C_METADESC], &hr);
    const char *lang = row[C_LANGUAGE] && strcmp(row[C_LANGUAGE], "*") != 0 &&
                               *row[C_LANGUAGE]
                           ? row[C_LANGUAGE]
                           : NULL;
    if (hr.bad_utf8 || hr.mojibake)
        rep->repaired++;

    char key[64];
    snprintf(key, sizeof(key), "k2/item/%ld", id);
    if (k->o->dry_run) {
        int64_t had = 0;
        if (store_legacy_id(k->s, key, "article", &had) == 0)
            rep->updated++;
        else
            rep->imported++;
        rep->drafts += draft;
        free(alias);
        goto out;
    }
    struct article_input in = {
        .slug_base = base,
        .source = source,
        .title = title,
        .summary = summary,
        .body_md = body,
        .body_html = html.ptr,
        .status = draft ? ARTICLE_DRAFT : ARTICLE_PUBLISHED,
        .published_at = published,
        .hits = col_long(row, C_HITS),
        .section = c ? c->section : NULL,
        .issue_date = issue[0] ? issue : NULL,
        .authors = authors,
        .n_authors = n_authors,
        .tags = tags,
        .n_tags = n_tags,
    };
    int64_t aid = 0;
    bool is_new = false;
    rc = store_article_save(k->s, &in, &aid, &is_new);
    free(alias);
    if (rc == 0)
        rc = store_article_set_extra(k->s, aid, lang, metadesc);
    if (rc == 0)
        rc = store_legacy_set(k->s, key, "article", aid);
    for (size_t i = 0; rc == 0 && i < n_tags; i++) {
        char tk[LEGACY_TAG_KEY];
        snprintf(tk, sizeof(tk), "k2/tag/%s", tags[i]);
        rc = store_legacy_set_named(k->s, tk, "tag", tags[i]);
    }
    if (rc != 0) {
        snprintf(k->err, k->errlen, "k2 item %ld: %s", id, store_last_error());
        goto out;
    }
    if (is_new)
        rep->imported++;
    else
        rep->updated++;
    rep->drafts += draft;
out:
    free(title);
    free(intro);
    free(full);
    free(summary);
    free(byline);
    free(metadesc);
    arena_release(&a);
    return rc;
}

static int items(struct k2 *k)
{
    size_t total = 0;
    MYSQL_RES *r = query(k, "SELECT count(*) FROM {P}k2_items", false);
    if (!r)
        return ERR_IO;
    MYSQL_ROW row = mysql_fetch_row(r);
    total = row && row[0] ? strtoul(row[0], NULL, 10) : 0;
    mysql_free_result(r);
    if (k->o->limit > 0 && (size_t)k->o->limit < total)
        total = (size_t)k->o->limit;

    r = query(k,
              "SELECT id, title, alias, catid, published, introtext,"
              " `fulltext`, extra_fields, created, created_by,"
              " created_by_alias, publish_up, publish_down, trash, hits,"
              " metadesc, language FROM {P}k2_items ORDER BY id",
              true);
    if (!r)
        return ERR_IO;
    int rc = 0;
    size_t n = 0;
    bool open = false;
    while ((row = mysql_fetch_row(r))) {
        if (k->o->limit > 0 && n >= (size_t)k->o->limit)
            continue; /* drain the stream */
        if (rc != 0)
            continue;
        if (!k->o->dry_run && !open) {
            rc = store_begin(k->s);
            open = rc == 0;
        }
        if (rc == 0)
            rc = item(k, row, mysql_fetch_lengths(r));
        n++;
        if (open && (rc != 0 || n % K2_BATCH == 0)) {
            if (rc == 0)
                rc = store_commit(k->s);
            else
                store_rollback(k->s);
            open = false;
        }
        progress(k, n, total);
    }
    if (mysql_errno(k->db) && rc == 0)
        rc = fail_db(k, "reading items");
    if (open) {
        if (rc == 0)
            rc = store_commit(k->s);
        else
            store_rollback(k->s);
    }
    if (rc != 0 && !k->err[0])
        snprintf(k->err, k->errlen, "%s", store_last_error());
    mysql_free_result(r);
    return rc;
}

static int bios(struct k2 *k)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < k->n_users; i++)
        if (k->users[i].bio && k->users[i].name && *k->users[i].name)
            rc = store_author_set_bio(k->s, k->users[i].name, k->users[i].bio);
    if (rc != 0)
        snprintf(k->err, k->errlen, "bios: %s", store_last_error());
    return rc;
}

int import_k2(struct store *s, const struct k2_opts *o, struct k2_report *rep,
              char *err, size_t errlen)
{
    struct k2 k = {.o = o, .rep = rep, .s = s, .err = err, .errlen = errlen};
    err[0] = 0;
    int rc = k2_url_parse(o->url, &k.url, err, errlen);
    if (rc != 0)
        return rc;
    k.db = mysql_init(NULL);
    if (!k.db) {
        snprintf(err, errlen, "out of memory");
        return ERR_IO;
    }
    mysql_options(k.db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(k.db, *k.url.socket ? NULL : k.url.host, k.url.user,
                            k.url.password, k.url.db, k.url.port,
                            *k.url.socket ? k.url.socket : NULL, 0)) {
        rc = fail_db(&k, "connect");
        goto out;
    }
    /* Read only, in one snapshot: the server itself refuses any write. */
    if (mysql_query(k.db, "SET SESSION TRANSACTION READ ONLY") != 0 ||
        mysql_query(k.db, "START TRANSACTION WITH CONSISTENT SNAPSHOT, "
                          "READ ONLY") != 0) {
        rc = fail_db(&k, "read-only transaction");
        goto out;
    }
    rc = load_fields(&k);
    if (rc == 0)
        rc = load_users(&k);
    if (rc == 0)
        rc = load_cats(&k);
    if (rc == 0)
        rc = load_tags(&k);
    if (rc == 0)
        rc = items(&k);
    if (rc == 0 && !o->dry_run)
        rc = bios(&k);
    for (size_t i = 0; i < k.n_users; i++)
        rep->authors += k.users[i].bio != NULL;
    rep->tags = k.n_tags;
    if (o->dry_run)
        rep->sections = k.n_cats;
    mysql_query(k.db, "ROLLBACK");
out:
    mysql_close(k.db);
    for (size_t i = 0; i < k.n_users; i++) {
        free(k.users[i].name);
        free(k.users[i].bio);
    }
    for (size_t i = 0; i < k.n_cats; i++) {
        free(k.cats[i].name);
        free(k.cats[i].alias);
        free(k.cats[i].section);
    }
    for (size_t i = 0; i < k.n_tags; i++)
        free(k.tags[i].name);
    free(k.users);
    free(k.cats);
    free(k.tags);
    free(k.xref);
    return rc;
}
