/*
 * import_wxr.c - WordPress WXR files through libxml2's xmlTextReader.
 *
 * The reader walks the file node by node; only the item being read is held
 * (its fields capped at WXR_FIELD_MAX), plus the authors' display names
 * and the categories (names by slug), which come before the items. Fields
 * are recognised by namespace URI and local name, not by prefix: an export
 * may bind "wp" to another URI (namespace-edge-cases.xml) and must not be
 * read as WordPress data then. Elements are only taken at the item's own
 * depth, so a comment's or a postmeta's children never overwrite a post's
 * fields.
 */
#define LOG_MODULE "import"
#include "io/import_wxr.h"

#include "content/html_md.h"
#include "content/markdown.h"
#include "content/slug.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "store/store.h"

#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    WXR_FIELD_MAX = 16 << 20,
    WXR_CATS_MAX = 64,
    WXR_NAME_MAX = 512,
};

enum ns { NS_NONE, NS_WP, NS_EXCERPT, NS_CONTENT, NS_DC, NS_OTHER };

struct named {
    char *key;  /* login or slug */
    char *name; /* display name or category name */
};

struct item {
    struct buf title, link, creator, content, excerpt, post_id, date_gmt, date,
        post_name, status, type, attachment_url;
    char *cats[WXR_CATS_MAX]; /* category names: domain="category" */
    char *cat_slugs[WXR_CATS_MAX];
    size_t n_cats;
    char *tags[WXR_CATS_MAX];
    char *tag_slugs[WXR_CATS_MAX];
    size_t n_tags;
};

struct wxr {
    struct store *s;
    const char *path;
    bool pages;
    struct wxr_report *rep;
    char *err;
    size_t errlen;
    int xml_line; /* first libxml2 error */
    char xml_msg[256];
    bool version_ok;
    struct named *authors;
    size_t n_authors, cap_authors;
};

static enum ns ns_of(xmlTextReaderPtr r)
{
    const char *u = (const char *)xmlTextReaderConstNamespaceUri(r);
    if (!u || !*u)
        return NS_NONE;
    /* WordPress.com writes https:// namespaces, WordPress http:// */
    if (strncmp(u, "https://", 8) == 0)
        u += 8;
    else if (strncmp(u, "http://", 7) == 0)
        u += 7;
    if (strncmp(u, "wordpress.org/export/", 21) == 0) {
        size_t n = strlen(u);
        return n > 9 && strcmp(u + n - 9, "/excerpt/") == 0 ? NS_EXCERPT
                                                            : NS_WP;
    }
    if (strcmp(u, "purl.org/rss/1.0/modules/content/") == 0)
        return NS_CONTENT;
    if (strcmp(u, "purl.org/dc/elements/1.1/") == 0)
        return NS_DC;
    return NS_OTHER;
}

/* on_error keeps libxml2's first fatal error. Namespace errors (an xmlns
 * that is not a valid URI, namespace-edge-cases.xml) leave the document
 * well-formed and are not fatal. */
static void on_error(void *arg, xmlErrorPtr e)
{
    struct wxr *w = arg;
    if (!e || w->xml_line || e->domain == XML_FROM_NAMESPACE ||
        e->level < XML_ERR_ERROR)
        return;
    w->xml_line = e->line > 0 ? e->line : 1;
    snprintf(w->xml_msg, sizeof(w->xml_msg), "%s",
             e->message ? e->message : "malformed");
    size_t n = strlen(w->xml_msg);
    while (n && (w->xml_msg[n - 1] == '\n' || w->xml_msg[n - 1] == ' '))
        w->xml_msg[--n] = 0;
}

static int fail(struct wxr *w, xmlTextReaderPtr r, const char *why)
{
    int line = r ? xmlTextReaderGetParserLineNumber(r) : 0;
    snprintf(w->err, w->errlen, "%s:%d: %s", w->path, line > 0 ? line : 1, why);
    return ERR_PARSE;
}

/* text reads the text of the element the reader is on into b (capped). */
static int text(xmlTextReaderPtr r, struct buf *b)
{
    xmlChar *t = xmlTextReaderReadString(r);
    buf_reset(b);
    if (t) {
        buf_append_cstr(b, (const char *)t);
        xmlFree(t);
    }
    return b->err ? ERR_TOO_BIG : 0;
}

static char *text_dup(xmlTextReaderPtr r)
{
    xmlChar *t = xmlTextReaderReadString(r);
    char *s = xstrdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

static void item_init(struct item *it)
{
    struct buf *bufs[] = {&it->title,    &it->link,    &it->creator,
                          &it->content,  &it->excerpt, &it->post_id,
                          &it->date_gmt, &it->date,    &it->post_name,
                          &it->status,   &it->type,    &it->attachment_url};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        buf_init(bufs[i], WXR_FIELD_MAX);
    it->n_cats = it->n_tags = 0;
}

static void item_release(struct item *it)
{
    struct buf *bufs[] = {&it->title,    &it->link,    &it->creator,
                          &it->content,  &it->excerpt, &it->post_id,
                          &it->date_gmt, &it->date,    &it->post_name,
                          &it->status,   &it->type,    &it->attachment_url};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        buf_release(bufs[i]);
    for (size_t i = 0; i < it->n_cats; i++) {
        free(it->cats[i]);
        free(it->cat_slugs[i]);
    }
    for (size_t i = 0; i < it->n_tags; i++) {
        free(it->tags[i]);
        free(it->tag_slugs[i]);
    }
}

/* wp_time reads "YYYY-MM-DD HH:MM:SS" as UTC; 0 for none. */
static int64_t wp_time(const char *s)
{
    struct tm tm = {0};
    if (!s || strlen(s) < 19 || strncmp(s, "0000", 4) == 0)
        return 0;
    if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static const char *author_name(struct wxr *w, const char *login)
{
    for (size_t i = 0; i < w->n_authors; i++)
        if (strcmp(w->authors[i].key, login) == 0)
            return w->authors[i].name;
    return login;
}

static int hexv(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* path_of: the path of an absolute URL, percent-decoded as the server
 * sees requests (the query kept as is), in out; NULL if there is none. */
static const char *path_of(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : (url[0] == '/' ? url : NULL);
    if (!p)
        return NULL;
    size_t k = 0;
    bool query = false;
    for (; *p; p++) {
        char c = *p;
        query = query || c == '?';
        if (c == '#')
            break;
        if (!query && c == '%' && hexv(p[1]) >= 0 && hexv(p[2]) >= 0) {
            c = (char)(hexv(p[1]) * 16 + hexv(p[2]));
            p += 2;
        }
        if (k + 1 >= cap || c == 0)
            return NULL;
        out[k++] = c;
    }
    out[k] = 0;
    return out;
}

static int save_item(struct wxr *w, struct item *it)
{
    struct wxr_report *rep = w->rep;
    const char *type = it->type.ptr;
    const char *status = it->status.ptr;
    char key[128];
    int rc = 0;
    snprintf(key, sizeof(key), "wp/post/%s", it->post_id.ptr);

    if (strcmp(type, "attachment") == 0) {
        char pbuf[2048];
        const char *from = path_of(it->link.ptr, pbuf, sizeof(pbuf));
        rep->attachments++;
        if (from && it->attachment_url.len && strlen(from) > 1 &&
            strcmp(from, it->attachment_url.ptr) != 0)
            rc = store_redirect_set(w->s, from, it->attachment_url.ptr, "wp");
        return rc == ERR_INVALID ? 0 : rc;
    }
    /* No wp:post_type: the fields are in another namespace, so this is
     * not WordPress's data (a hijacked "wp" prefix). */
    bool wanted = strcmp(type, "post") == 0 ||
                  (w->pages && strcmp(type, "page") == 0);
    if (!wanted || strcmp(status, "trash") == 0 ||
        strcmp(status, "auto-draft") == 0 || strcmp(status, "inherit") == 0) {
        rep->skipped++;
        return 0;
    }
    bool draft = strcmp(status, "publish") != 0;

    struct arena a;
    struct buf title, md, intro, html;
    arena_init(&a, 4096);
    buf_init(&title, WXR_FIELD_MAX);
    buf_init(&md, WXR_FIELD_MAX);
    buf_init(&intro, WXR_FIELD_MAX);
    buf_init_arena(&html, &a, (size_t)4 * WXR_FIELD_MAX);
    if (html_to_text(it->title.ptr, it->title.len, &title, NULL) != 0 ||
        !title.len) {
        buf_reset(&title);
        buf_printf(&title, "Untitled (post %s)", it->post_id.ptr);
    }
    const char *content = it->content.ptr;
    size_t clen = it->content.len;
    const char *more = strstr(content, "<!--more");
    if (it->excerpt.len) {
        rc = html_to_plain(it->excerpt.ptr, it->excerpt.len, &intro, NULL);
    } else if (more) {
        rc = html_to_plain(content, (size_t)(more - content), &intro, NULL);
        const char *end = strstr(more, "-->");
        if (end) {
            clen -= (size_t)(end + 3 - content);
            content = end + 3;
        }
    }
    if (rc == 0)
        rc = html_to_markdown(content, clen, &md, NULL);
    if (rc == 0)
        rc = markdown_to_html(md.ptr, md.len, &html);
    if (rc != 0) {
        snprintf(w->err, w->errlen, "%s: post %s: its text is too large",
                 w->path, it->post_id.ptr);
        goto out;
    }
    int64_t when = wp_time(it->date_gmt.ptr);
    if (!when)
        when = wp_time(it->date.ptr);
    char issue[16] = "";
    if (when) {
        time_t t = (time_t)when;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(issue, sizeof(issue), "%Y-%m-%d", &tm);
    }
    const char *author = it->creator.len ? author_name(w, it->creator.ptr)
                                         : NULL;
    const char *tags[2 * WXR_CATS_MAX];
    size_t nt = 0;
    for (size_t i = 1; i < it->n_cats; i++)
        tags[nt++] = it->cats[i];
    for (size_t i = 0; i < it->n_tags; i++)
        tags[nt++] = it->tags[i];
    /* Without a post id (theme-preview.xml) the link names the post. */
    char source[2048];
    snprintf(source, sizeof(source), "wp:%s:%s",
             it->post_id.len ? "post" : "link",
             it->post_id.len ? it->post_id.ptr
             : it->link.len  ? it->link.ptr
                             : title.ptr);
    const char *base = it->post_name.len && slug_valid(it->post_name.ptr)
                           ? it->post_name.ptr
                           : slug_from_title(&a, title.ptr);
    struct article_input in = {
        .slug_base = base,
        .source = source,
        .title = title.ptr,
        .summary = intro.len ? intro.ptr : NULL,
        .body_md = md.ptr,
        .body_html = html.ptr,
        .status = draft ? ARTICLE_DRAFT : ARTICLE_PUBLISHED,
        .published_at = when,
        .hits = -1,
        .section = it->n_cats ? it->cats[0] : NULL,
        .issue_date = issue[0] ? issue : NULL,
        .authors = author ? &author : NULL,
        .n_authors = author ? 1 : 0,
        .tags = tags,
        .n_tags = nt,
    };
    int64_t id = 0;
    bool created = false;
    rc = store_article_save(w->s, &in, &id, &created);
    if (rc == 0 && it->post_id.len)
        rc = store_legacy_set(w->s, key, "article", id);
    char pbuf[2048];
    const char *from = path_of(it->link.ptr, pbuf, sizeof(pbuf));
    if (rc == 0 && from && strlen(from) > 1) {
        /* the slug the store gave, read back through the legacy id */
        const char *p = NULL;
        if (store_legacy_path(w->s, &a, str_from(key), &p) == 0 && p &&
            strcmp(p, from) != 0) {
            int r2 = store_redirect_set(w->s, from, p, "wp");
            rc = r2 == ERR_INVALID ? 0 : r2;
        }
    }
    for (size_t i = 0; rc == 0 && i < it->n_cats; i++) {
        char k[WXR_NAME_MAX + 32];
        snprintf(k, sizeof(k), "wp/category-slug/%s", it->cat_slugs[i]);
        rc = store_legacy_set_named(w->s, k, "tag", it->cats[i]);
        if (rc == 0)
            rc = store_legacy_set_named(w->s, k, "section", it->cats[i]);
    }
    for (size_t i = 0; rc == 0 && i < it->n_tags; i++) {
        char k[WXR_NAME_MAX + 32];
        snprintf(k, sizeof(k), "wp/tag-slug/%s", it->tag_slugs[i]);
        rc = store_legacy_set_named(w->s, k, "tag", it->tags[i]);
    }
    if (rc != 0) {
        snprintf(w->err, w->errlen, "%s: post %s: %s", w->path, it->post_id.ptr,
                 store_last_error());
        goto out;
    }
    if (created)
        rep->imported++;
    else
        rep->updated++;
    rep->drafts += draft;
out:
    buf_release(&title);
    buf_release(&md);
    buf_release(&intro);
    arena_release(&a);
    return rc;
}

/* read_author reads one wp:author block (the reader is on its start). */
static void read_author(struct wxr *w, xmlTextReaderPtr r, int depth)
{
    char *login = NULL, *name = NULL;
    while (xmlTextReaderRead(r) == 1 && xmlTextReaderDepth(r) > depth) {
        if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT ||
            ns_of(r) != NS_WP)
            continue;
        const char *ln = (const char *)xmlTextReaderConstLocalName(r);
        if (strcmp(ln, "author_login") == 0 && !login)
            login = text_dup(r);
        else if (strcmp(ln, "author_display_name") == 0 && !name)
            name = text_dup(r);
    }
    if (login && *login && strlen(login) < WXR_NAME_MAX) {
        if (w->n_authors == w->cap_authors) {
            w->cap_authors = w->cap_authors ? 2 * w->cap_authors : 16;
            w->authors =
                xrealloc(w->authors, w->cap_authors * sizeof(*w->authors));
        }
        w->authors[w->n_authors].key = login;
        w->authors[w->n_authors].name = name && *name ? name : xstrdup(login);
        if (!(name && *name))
            free(name);
        w->n_authors++;
        return;
    }
    free(login);
    free(name);
}

static int read_item(struct wxr *w, xmlTextReaderPtr r, int depth)
{
    struct item it;
    item_init(&it);
    int rc = 0;
    while (rc == 0 && xmlTextReaderRead(r) == 1 &&
           xmlTextReaderDepth(r) > depth) {
        if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT ||
            xmlTextReaderDepth(r) != depth + 1)
            continue;
        const char *ln = (const char *)xmlTextReaderConstLocalName(r);
        enum ns ns = ns_of(r);
        struct buf *f = NULL;
        if (ns == NS_NONE && strcmp(ln, "title") == 0)
            f = &it.title;
        else if (ns == NS_NONE && strcmp(ln, "link") == 0)
            f = &it.link;
        else if (ns == NS_DC && strcmp(ln, "creator") == 0)
            f = &it.creator;
        else if (ns == NS_CONTENT && strcmp(ln, "encoded") == 0)
            f = &it.content;
        else if (ns == NS_EXCERPT && strcmp(ln, "encoded") == 0)
            f = &it.excerpt;
        else if (ns == NS_WP && strcmp(ln, "post_id") == 0)
            f = &it.post_id;
        else if (ns == NS_WP && strcmp(ln, "post_date_gmt") == 0)
            f = &it.date_gmt;
        else if (ns == NS_WP && strcmp(ln, "post_date") == 0)
            f = &it.date;
        else if (ns == NS_WP && strcmp(ln, "post_name") == 0)
            f = &it.post_name;
        else if (ns == NS_WP && strcmp(ln, "status") == 0)
            f = &it.status;
        else if (ns == NS_WP && strcmp(ln, "post_type") == 0)
            f = &it.type;
        else if (ns == NS_WP && strcmp(ln, "attachment_url") == 0)
            f = &it.attachment_url;
        if (f && f->len) /* the first one counts (alt:post_id after it) */
            continue;
        if (f) {
            if (text(r, f) != 0)
                rc = fail(w, r, "a field is larger than 16 MB");
            continue;
        }
        if (ns == NS_NONE && strcmp(ln, "category") == 0) {
            xmlChar *dom = xmlTextReaderGetAttribute(r, BAD_CAST "domain");
            xmlChar *nice = xmlTextReaderGetAttribute(r, BAD_CAST "nicename");
            char *name = text_dup(r);
            bool cat = !dom || strcmp((char *)dom, "category") == 0;
            bool tag = dom && strcmp((char *)dom, "post_tag") == 0;
            char *slug = xstrdup(nice ? (char *)nice : name);
            if (*name && strlen(name) < WXR_NAME_MAX && cat &&
                it.n_cats < WXR_CATS_MAX) {
                it.cat_slugs[it.n_cats] = slug;
                it.cats[it.n_cats++] = name;
            } else if (*name && strlen(name) < WXR_NAME_MAX && tag &&
                       it.n_tags < WXR_CATS_MAX) {
                it.tag_slugs[it.n_tags] = slug;
                it.tags[it.n_tags++] = name;
            } else {
                free(name);
                free(slug);
            }
            xmlFree(dom);
            xmlFree(nice);
        }
    }
    if (rc == 0 && !w->xml_line)
        rc = save_item(w, &it);
    item_release(&it);
    return rc;
}

int import_wxr(struct store *s, const char *path, bool pages,
               struct wxr_report *rep, char *err, size_t errlen)
{
    struct wxr w = {.s = s,
                    .path = path,
                    .pages = pages,
                    .rep = rep,
                    .err = err,
                    .errlen = errlen};
    struct wxr_report start = *rep;
    err[0] = 0;
    xmlTextReaderPtr r = xmlReaderForFile(
        path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOCDATA);
    if (!r) {
        snprintf(err, errlen, "%s:1: cannot open or read the file", path);
        return ERR_PARSE;
    }
    xmlTextReaderSetStructuredErrorHandler(r, on_error, &w);
    int rc = store_begin(s);
    if (rc != 0) {
        snprintf(err, errlen, "%s", store_last_error());
        xmlFreeTextReader(r);
        return rc;
    }
    bool channel = false;
    int ret;
    while (rc == 0 && !w.xml_line && (ret = xmlTextReaderRead(r)) == 1) {
        if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
            continue;
        const char *ln = (const char *)xmlTextReaderConstLocalName(r);
        enum ns ns = ns_of(r);
        int depth = xmlTextReaderDepth(r);
        if (depth == 0 && strcmp(ln, "rss") != 0) {
            rc = fail(&w, r,
                      "not a WordPress export: the root element is "
                      "not <rss>");
        } else if (ns == NS_NONE && strcmp(ln, "channel") == 0) {
            channel = true;
        } else if (ns == NS_WP && strcmp(ln, "wxr_version") == 0) {
            char *v = text_dup(r);
            w.version_ok = strcmp(v, "1.0") == 0 || strcmp(v, "1.1") == 0 ||
                           strcmp(v, "1.2") == 0;
            if (!w.version_ok) {
                char why[128];
                snprintf(why, sizeof(why),
                         "unknown WXR version '%.20s' "
                         "(1.0, 1.1 or 1.2)",
                         v);
                rc = fail(&w, r, why);
            }
            free(v);
        } else if (ns == NS_WP && strcmp(ln, "author") == 0 && depth == 2) {
            read_author(&w, r, depth);
        } else if (ns == NS_NONE && strcmp(ln, "item") == 0) {
            if (!w.version_ok)
                rc = fail(&w, r,
                          "not a WordPress export: no "
                          "<wp:wxr_version> before the first item");
            else
                rc = read_item(&w, r, depth);
        }
    }
    if (rc == 0 && w.xml_line) {
        snprintf(err, errlen, "%s:%d: %s", path, w.xml_line, w.xml_msg);
        rc = ERR_PARSE;
    }
    if (rc == 0 && !channel)
        rc = fail(&w, NULL, "not a WordPress export: no <channel>");
    if (rc == 0 && !w.version_ok)
        rc = fail(&w, NULL, "not a WordPress export: no <wp:wxr_version>");
    if (rc == 0)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc != 0) {
        *rep = start; /* nothing from this file */
        if (!err[0])
            snprintf(err, errlen, "%s: %s", path, store_last_error());
    }
    xmlFreeTextReader(r);
    for (size_t i = 0; i < w.n_authors; i++) {
        free(w.authors[i].key);
        free(w.authors[i].name);
    }
    free(w.authors);
    return rc;
}
