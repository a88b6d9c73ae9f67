/*
 * compose.c - the newsletter's mails from the theme's templates
 * (templates/mail/NAME.mustache, editable like the rest of the theme):
 * confirm_text, confirm_html, digest_text, digest_html. Text templates use
 * {{{ }}} (no HTML escaping); links are absolute, built from base_url.
 */
#include "mail/mail.h"

#include "core/arena.h"
#include "core/xalloc.h"
#include "render/mustache.h"
#include "render/value.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAIL_BODY_MAX = 4 << 20 };

const char *mail_base_url(struct store *s, struct arena *a,
                          const char *fallback)
{
    const char *v = NULL;
    if (store_setting_get(s, a, "base_url", &v) != 0 || !v || !*v)
        v = fallback ? fallback : "http://localhost";
    return v;
}

static const char *journal_name(struct store *s, struct arena *a)
{
    const char *v = NULL;
    if (store_setting_get(s, a, "name", &v) != 0 || !v || !*v)
        v = "Quire Journal";
    return v;
}

struct tpl_set *mail_load_templates(const char *theme_dir, char *err,
                                    size_t errlen)
{
    struct tpl_set *t = tpl_set_new();
    size_t n = strlen(theme_dir) + sizeof("/templates");
    char *dir = xmalloc(n);
    snprintf(dir, n, "%s/templates", theme_dir);
    int rc = tpl_set_load_dir(t, dir, err, errlen);
    static const char *const need[] = {"mail/confirm_text", "mail/confirm_html",
                                       "mail/digest_text", "mail/digest_html"};
    for (size_t i = 0; rc == 0 && i < 4; i++)
        if (!tpl_set_has(t, need[i])) {
            snprintf(err, errlen, "%s/%s.mustache: missing from the theme", dir,
                     need[i]);
            rc = ERR_NOT_FOUND;
        }
    free(dir);
    if (rc != 0) {
        tpl_set_free(t);
        return NULL;
    }
    return t;
}

static int render2(const struct tpl_set *tpl, struct arena *a, const char *name,
                   struct tval *c, struct mail_parts *out)
{
    struct buf t, h;
    char tn[64], hn[64];
    snprintf(tn, sizeof(tn), "mail/%s_text", name);
    snprintf(hn, sizeof(hn), "mail/%s_html", name);
    buf_init_arena(&t, a, MAIL_BODY_MAX);
    buf_init_arena(&h, a, MAIL_BODY_MAX);
    int rc = tpl_render(tpl, tn, c, &t);
    if (rc == 0)
        rc = tpl_render(tpl, hn, c, &h);
    if (rc == 0)
        rc = buf_error(&t) ? buf_error(&t) : buf_error(&h);
    out->text = t.ptr;
    out->html = h.ptr;
    return rc;
}

int mail_compose_confirm(struct store *s, const struct tpl_set *tpl,
                         struct arena *a, const char *confirm_url,
                         const char *unsub_url, struct mail_parts *out)
{
    struct tval *c = tv_map(a);
    const char *name = journal_name(s, a);
    tv_set_str(a, c, "journal_name", name);
    tv_set_str(a, c, "confirm_url", confirm_url);
    tv_set_str(a, c, "unsubscribe_url", unsub_url);
    out->subject = arena_printf(a, "Confirm your subscription to %s", name);
    return render2(tpl, a, "confirm", c, out);
}

int mail_compose_digest(struct store *s, const struct tpl_set *tpl,
                        struct arena *a, const char *date, const char *base,
                        const char *subject, struct mail_parts *out)
{
    struct issue is;
    int rc = store_issue_by_date(s, a, str_from(date), &is);
    if (rc != 0)
        return rc;
    struct article *arts;
    size_t n;
    rc = store_issue_toc(s, a, is.id, 10000, 0, &arts, &n, NULL);
    if (rc != 0)
        return rc;
    if (n == 0)
        return ERR_NOT_FOUND;
    const char *name = journal_name(s, a);
    struct tval *c = tv_map(a);
    tv_set_str(a, c, "journal_name", name);
    tv_set_str(a, c, "base_url", base);
    tv_set_str(a, c, "issue_date", is.date);
    tv_set_str(a, c, "issue_title", is.title ? is.title : is.date);
    tv_set_str(a, c, "issue_url",
               arena_printf(a, "%s/issues/%s", base, is.date));
    tv_set_str(a, c, "unsubscribe_url", MAIL_UNSUB_MARK);
    struct tval *sections = tv_list(a), *cur = NULL, *list = NULL;
    int64_t cur_id = -1;
    for (size_t i = 0; i < n; i++) {
        struct article *ar = &arts[i];
        if (!cur || ar->section.id != cur_id) {
            cur = tv_map(a);
            cur_id = ar->section.id;
            tv_set_str(a, cur, "name",
                       ar->section.id ? ar->section.name : "Other articles");
            list = tv_list(a);
            tv_set(a, cur, "articles", list);
            tv_push(a, sections, cur);
        }
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "title", ar->title);
        tv_set_str(a, m, "url",
                   arena_printf(a, "%s/articles/%s", base, ar->slug));
        if (ar->summary)
            tv_set_str(a, m, "intro", ar->summary);
        struct buf au;
        buf_init_arena(&au, a, 4096);
        for (size_t k = 0; k < ar->n_authors; k++) {
            if (k)
                buf_append_cstr(&au, k + 1 == ar->n_authors ? " and " : ", ");
            buf_append_cstr(&au, ar->authors[k].name);
        }
        if (au.len)
            tv_set_str(a, m, "authors", au.ptr);
        tv_push(a, list, m);
    }
    tv_set(a, c, "sections", sections);
    out->subject = subject && *subject
                       ? subject
                       : arena_printf(a, "%s: the issue of %s", name, is.date);
    return render2(tpl, a, "digest", c, out);
}
