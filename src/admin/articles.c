/*
 * articles.c - the back office's articles: the list with filters and
 * paging, the editor (new and existing), saving with optimistic
 * concurrency (a stale revision shows a conflict message and keeps the
 * editor's text), revisions with a line diff against the current text,
 * and restore. Authors create articles and edit their own drafts only.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "content/date.h"
#include "content/markdown.h"
#include "content/slug.h"
#include "core/buf.h"
#include "content/linediff.h"
#include "core/arena.h"
#include "core/str.h"
#include "render/value.h"
#include "store/editorial.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { LIST_PAGE = 25 };

static const char *when(struct arena *a, int64_t t)
{
    if (t <= 0)
        return "";
    char s[32];
    time_t tt = (time_t)t;
    struct tm tm;
    strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", gmtime_r(&tt, &tm));
    return arena_strdup(a, s);
}

/* local_input: the value of a datetime-local input (UTC). */
static const char *local_input(struct arena *a, int64_t t)
{
    if (t <= 0)
        return "";
    char s[32];
    time_t tt = (time_t)t;
    struct tm tm;
    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", gmtime_r(&tt, &tm));
    return arena_strdup(a, s);
}

static bool editor(const struct admin_req *ar)
{
    return admin_role_can(ar->role, ROLE_EDITOR);
}

static bool mine(const struct admin_req *ar, const struct edit_article *e)
{
    return e->owner && ar->who && strcmp(e->owner, ar->who) == 0;
}

static bool may_edit(const struct admin_req *ar, const struct edit_article *e)
{
    return editor(ar) || (mine(ar, e) && e->status == EDIT_DRAFT);
}

static const char *join_names(struct arena *a, const char *const *l, size_t n,
                              const char *sep)
{
    const char *out = "";
    for (size_t i = 0; i < n; i++)
        out = arena_printf(a, "%s%s%s", out, i ? sep : "", l[i]);
    return out;
}

/* split_names cuts text at any of seps into trimmed, non-empty names. */
static const char *const *split_names(struct arena *a, const char *text,
                                      const char *seps, size_t *n)
{
    const char **l = NULL;
    size_t k = 0, cap = 0;
    *n = 0;
    if (!text)
        return NULL;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, seps);
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > b) {
            if (k == cap) {
                cap = cap ? cap * 2 : 8;
                const char **nl = arena_alloc(a, cap * sizeof(*nl));
                if (k)
                    memcpy(nl, l, k * sizeof(*nl));
                l = nl;
            }
            l[k++] = arena_strndup(a, b, (size_t)(e - b));
        }
        p += len;
        if (*p)
            p++;
    }
    *n = k;
    return l;
}

static void put_status_options(struct arena *a, struct tval *c,
                               enum edit_status cur, bool can_publish)
{
    struct tval *l = tv_list(a);
    for (int i = 0; i < 3; i++) {
        if (i != EDIT_DRAFT && !can_publish)
            continue;
        struct tval *o = tv_map(a);
        tv_set_str(a, o, "value", edit_status_name((enum edit_status)i));
        tv_set_bool(a, o, "selected", (int)cur == i);
        tv_push(a, l, o);
    }
    tv_set(a, c, "statuses", l);
}

int admin_articles(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    struct edit_filter f = {.status = -1, .limit = LIST_PAGE};
    const char *status = request_query_arg(req, "status");
    const char *page = request_query_arg(req, "page");
    if (status && *status)
        f.status = edit_status_of(status);
    long long p = 1;
    if (page && *page && str_to_i64(str_from(page), 1, 100000, &p) != 0)
        p = 1;
    f.offset = (int)(p - 1) * LIST_PAGE;
    f.section = request_query_arg(req, "section");
    f.author = request_query_arg(req, "author");
    f.issue = request_query_arg(req, "issue");
    f.q = request_query_arg(req, "q");
    struct edit_article *l;
    size_t n;
    int64_t total;
    if (store_edit_list(ar->ad->store, a, &f, &l, &n, &total) != 0)
        return admin_error_page(ar, res, 500, "The articles cannot be read.");
    struct tval *c = admin_context(ar, "Articles");
    struct tval *rows = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *r = tv_map(a);
        tv_set_int(a, r, "id", l[i].id);
        tv_set_str(a, r, "title", l[i].title);
        tv_set_str(a, r, "status", edit_status_name(l[i].status));
        tv_set_str(a, r, "section", l[i].section ? l[i].section : "");
        tv_set_str(a, r, "issue", l[i].issue ? l[i].issue : "");
        tv_set_str(a, r, "authors",
                   join_names(a, l[i].authors, l[i].n_authors, ", "));
        tv_set_str(a, r, "when", when(a, l[i].publish_at));
        tv_set_str(a, r, "updated", when(a, l[i].updated_at));
        tv_push(a, rows, r);
    }
    tv_set(a, c, "articles", rows);
    tv_set_int(a, c, "total", total);
    tv_set_str(a, c, "q", f.q ? f.q : "");
    tv_set_str(a, c, "f_section", f.section ? f.section : "");
    tv_set_str(a, c, "f_author", f.author ? f.author : "");
    tv_set_str(a, c, "f_issue", f.issue ? f.issue : "");
    put_status_options(
        a, c, f.status < 0 ? (enum edit_status)9 : (enum edit_status)f.status,
        true);
    const char *qs = arena_printf(
        a, "status=%s&section=%s&author=%s&issue=%s&q=%s", status ? status : "",
        f.section ? f.section : "", f.author ? f.author : "",
        f.issue ? f.issue : "", f.q ? f.q : "");
    if (p > 1)
        tv_set_str(a, c, "prev", arena_printf(a, "?%s&page=%lld", qs, p - 1));
    if ((int64_t)p * LIST_PAGE < total)
        tv_set_str(a, c, "next", arena_printf(a, "?%s&page=%lld", qs, p + 1));
    tv_set_int(a, c, "page", p);
    return admin_render(ar, res, "articles", c, 200);
}

/* editor_page renders the editor for e (id 0: new) with a message. */
static int editor_page(struct admin_req *ar, struct response *res,
                       const struct edit_article *e, const char *ok,
                       const char *error, int status)
{
    struct arena *a = ar->req->arena;
    struct tval *c = admin_context(ar, e->id ? "Edit article" : "New article");
    tv_set_int(a, c, "id", e->id);
    tv_set_bool(a, c, "has_id", e->id != 0);
    tv_set_str(a, c, "action",
               e->id ? arena_printf(a, "/admin/articles/%" PRId64, e->id)
                     : "/admin/articles");
    tv_set_str(a, c, "a_title", e->title ? e->title : "");
    tv_set_str(a, c, "body", e->body_md ? e->body_md : "");
    tv_set_str(a, c, "summary", e->summary ? e->summary : "");
    tv_set_str(a, c, "section", e->section ? e->section : "");
    tv_set_str(a, c, "issue", e->issue ? e->issue : "");
    tv_set_str(a, c, "slug", e->slug ? e->slug : "");
    tv_set_str(a, c, "authors", join_names(a, e->authors, e->n_authors, "\n"));
    tv_set_str(a, c, "tags", join_names(a, e->tags, e->n_tags, ", "));
    tv_set_str(a, c, "publish_at", local_input(a, e->publish_at));
    tv_set_int(a, c, "revision", e->revision);
    tv_set_str(a, c, "status_name", edit_status_name(e->status));
    if (e->id && e->status == EDIT_PUBLISHED && e->slug)
        tv_set_str(a, c, "public_url", arena_cat(a, "/articles/", e->slug));
    put_status_options(a, c, e->status, editor(ar));
    if (ok)
        tv_set_str(a, c, "ok", ok);
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "article_edit", c, status);
}

int admin_article_new(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    struct edit_article e = {0};
    return editor_page(ctx, res, &e, NULL, NULL, 200);
}

static bool id_of(struct admin_req *ar, int i, int64_t *id)
{
    long long v;
    if (str_to_i64(ar->req->params[i], 1, INT64_MAX, &v) != 0)
        return false;
    *id = v;
    return true;
}

int admin_article_edit(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_article e;
    int64_t id;
    /* The router takes the first match: /admin/articles/new lands here. */
    if (str_eq(req->params[0], str_from("new")))
        return admin_article_new(req, res, ctx);
    if (!id_of(ar, 0, &id) ||
        store_edit_get(ar->ad->store, req->arena, id, &e) != 0)
        return admin_error_page(ar, res, 404, "No such article.");
    const char *saved = request_query_arg(req, "saved");
    return editor_page(ar, res, &e, saved ? "Saved." : NULL, NULL, 200);
}

/*
 * form_article reads the editor's form into e; returns an error message
 * (for the page) or NULL.
 */
static const char *form_article(struct admin_req *ar, struct edit_article *e,
                                long long *rev)
{
    struct arena *a = ar->req->arena;
    const char *v;
    *e = (struct edit_article){0};
    e->title = admin_form(ar, "title");
    e->body_md = admin_form(ar, "body");
    e->summary = admin_form(ar, "summary");
    e->section = admin_form(ar, "section");
    e->issue = admin_form(ar, "issue");
    e->slug = admin_form(ar, "slug");
    e->authors =
        split_names(a, admin_form(ar, "authors"), "\r\n", &e->n_authors);
    e->tags = split_names(a, admin_form(ar, "tags"), ",\r\n", &e->n_tags);
    *rev = 0;
    if ((v = admin_form(ar, "revision")) && *v &&
        str_to_i64(str_from(v), 0, INT64_MAX, rev) != 0)
        return "The form's revision is not a number.";
    if (!e->title || !*e->title || strpbrk(e->title, "\r\n"))
        return "The title must be one non-empty line.";
    if (e->issue && *e->issue && !date_valid_ymd(e->issue))
        return "The issue must be a date YYYY-MM-DD.";
    if (e->slug && *e->slug) {
        for (const char *p = e->slug; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                  *p == '-'))
                return "The slug may hold only a-z, 0-9 and -.";
    }
    int st = edit_status_of(admin_form(ar, "status"));
    e->status = st < 0 ? EDIT_DRAFT : (enum edit_status)st;
    if ((v = admin_form(ar, "publish_at")) && *v) {
        int64_t t;
        /* datetime-local: minutes, or seconds with step="1"; UTC */
        size_t vl = strlen(v);
        const char *full = vl == 16   ? arena_cat(a, v, ":00Z")
                           : vl == 19 ? arena_cat(a, v, "Z")
                                      : v;
        if (date_parse_rfc3339(full, strlen(full), &t) != 0 || t <= 0)
            return "The publish time must look like 2025-05-01T09:30 (UTC).";
        e->publish_at = t;
    }
    if (e->status == EDIT_SCHEDULED && e->publish_at <= ar->now)
        return "A scheduled article needs a publish time in the future.";
    if (e->status != EDIT_DRAFT && !editor(ar))
        return "Authors cannot publish or schedule; save it as a draft.";
    return NULL;
}

static int save(struct admin_req *ar, struct response *res, int64_t id)
{
    struct edit_article e, cur;
    long long rev;
    const char *err = form_article(ar, &e, &rev);
    e.id = id;
    if (id) {
        int rc = store_edit_get(ar->ad->store, ar->req->arena, id, &cur);
        if (rc != 0)
            return admin_error_page(ar, res, 404, "No such article.");
        if (!may_edit(ar, &cur))
            return admin_error_page(ar, res, 403,
                                    "Authors may change only their own "
                                    "drafts.");
    }
    e.revision = rev;
    if (err)
        return editor_page(ar, res, &e, NULL, err, 422);
    int64_t nid, r;
    int rc = store_edit_save(ar->ad->store, &e, rev, ar->who, &nid, &r);
    if (rc == ERR_CONFLICT)
        return editor_page(ar, res, &e, NULL,
                           "Someone else saved this article while you were "
                           "editing it. Your text is below, unsaved: open "
                           "the article again in another tab, compare, and "
                           "save once more.",
                           409);
    if (rc == ERR_EXISTS)
        return editor_page(ar, res, &e, NULL,
                           "That slug belongs to another article.", 409);
    if (rc != 0)
        return editor_page(ar, res, &e, NULL, store_last_error(), 422);
    admin_audit(ar, id ? "article.update" : "article.create",
                "article:%" PRId64 " rev %" PRId64, nid, r);
    return admin_redirect(
        res, arena_printf(ar->req->arena, "/admin/articles/%" PRId64 "?saved=1",
                          nid));
}

int admin_article_create(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return save(ctx, res, 0);
}

int admin_article_save(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    /* The router takes the first match: /admin/articles/preview lands here. */
    if (str_eq(req->params[0], str_from("preview")))
        return admin_article_preview(req, res, ctx);
    if (!id_of(ar, 0, &id))
        return admin_error_page(ar, res, 404, "No such article.");
    return save(ar, res, id);
}

int admin_article_revisions(struct request *req, struct response *res,
                            void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    struct edit_article cur;
    struct edit_revision *revs;
    size_t n;
    int64_t id;
    if (!id_of(ar, 0, &id) || store_edit_get(ar->ad->store, a, id, &cur) != 0)
        return admin_error_page(ar, res, 404, "No such article.");
    if (store_edit_revisions(ar->ad->store, a, id, &revs, &n) != 0)
        return admin_error_page(ar, res, 500, "Revisions cannot be read.");
    struct tval *c = admin_context(ar, "Revisions");
    tv_set_int(a, c, "id", id);
    tv_set_str(a, c, "a_title", cur.title);
    tv_set_int(a, c, "current", cur.revision);
    tv_set_bool(a, c, "can_restore", may_edit(ar, &cur));
    struct tval *l = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *r = tv_map(a);
        tv_set_int(a, r, "n", revs[i].n);
        tv_set_str(a, r, "who", revs[i].who);
        tv_set_str(a, r, "at", when(a, revs[i].at));
        tv_set_str(a, r, "title", revs[i].fields.title);
        tv_set_str(a, r, "status", edit_status_name(revs[i].fields.status));
        tv_set_bool(a, r, "is_current", revs[i].n == cur.revision);
        tv_push(a, l, r);
    }
    tv_set(a, c, "revisions", l);
    const char *show = request_query_arg(req, "diff");
    long long dn;
    struct edit_revision rv;
    if (show && str_to_i64(str_from(show), 1, INT64_MAX, &dn) == 0 &&
        store_edit_revision(ar->ad->store, a, id, dn, &rv) == 0) {
        struct diff_line *d;
        size_t nd;
        if (linediff(a, rv.fields.body_md, cur.body_md, &d, &nd) == 0) {
            struct tval *dl = tv_list(a);
            for (size_t i = 0; i < nd; i++) {
                struct tval *x = tv_map(a);
                tv_set_str(a, x, "cls",
                           d[i].op == '+'   ? "add"
                           : d[i].op == '-' ? "del"
                                            : "same");
                tv_set_str(a, x, "op",
                           d[i].op == '+'   ? "+"
                           : d[i].op == '-' ? "-"
                                            : " ");
                tv_set_str(a, x, "text", d[i].text);
                tv_push(a, dl, x);
            }
            tv_set(a, c, "diff", dl);
            tv_set_int(a, c, "diff_n", dn);
            if (strcmp(rv.fields.title, cur.title) != 0)
                tv_set_str(a, c, "diff_title", rv.fields.title);
        }
    }
    return admin_render(ar, res, "article_revisions", c, 200);
}

int admin_article_restore(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_article cur;
    struct edit_revision rv;
    int64_t id, r;
    long long n;
    if (!id_of(ar, 0, &id) ||
        str_to_i64(req->params[1], 1, INT64_MAX, &n) != 0 ||
        store_edit_get(ar->ad->store, req->arena, id, &cur) != 0 ||
        store_edit_revision(ar->ad->store, req->arena, id, n, &rv) != 0)
        return admin_error_page(ar, res, 404, "No such revision.");
    if (!may_edit(ar, &cur) || (rv.fields.status != EDIT_DRAFT && !editor(ar)))
        return admin_error_page(ar, res, 403,
                                "Authors may change only their own drafts.");
    int rc = store_edit_restore(ar->ad->store, id, n, -1, ar->who, &r);
    if (rc == ERR_EXISTS)
        return admin_error_page(ar, res, 409,
                                "That revision's slug now belongs to another "
                                "article.");
    if (rc != 0)
        return admin_error_page(ar, res, 500,
                                "The revision cannot be "
                                "restored.");
    admin_audit(ar, "article.restore",
                "article:%" PRId64 " rev %lld -> rev %" PRId64, id, n, r);
    return admin_redirect(
        res,
        arena_printf(req->arena, "/admin/articles/%" PRId64 "?saved=1", id));
}

int admin_article_delete(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_article cur;
    int64_t id;
    if (!id_of(ar, 0, &id) ||
        store_edit_get(ar->ad->store, req->arena, id, &cur) != 0)
        return admin_error_page(ar, res, 404, "No such article.");
    if (!may_edit(ar, &cur))
        return admin_error_page(ar, res, 403,
                                "Authors may delete only their own drafts.");
    if (store_edit_delete(ar->ad->store, id) != 0)
        return admin_error_page(ar, res, 500,
                                "The article cannot be "
                                "deleted.");
    admin_audit(ar, "article.delete", "article:%" PRId64 " %s", id, cur.slug);
    return admin_redirect(res, "/admin/articles");
}

/*
 * admin_article_preview renders the editor's unsaved form with the public
 * article template, through the site (admin_preview_fn), so the preview
 * is what readers will see.
 */
int admin_article_preview(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    struct edit_article e;
    long long rev;
    if (!ar->ad->preview)
        return admin_error_page(ar, res, 404, "Preview is not available.");
    const char *err = form_article(ar, &e, &rev);
    if (err && (!e.title || !*e.title))
        return admin_error_page(ar, res, 422, err);
    struct buf html;
    buf_init_arena(&html, a, 16u << 20);
    const char *md = e.body_md ? e.body_md : "";
    if (markdown_to_html(md, strlen(md), &html) != 0)
        return admin_error_page(ar, res, 413, "The body is too long.");
    struct article art = {
        .slug = e.slug && *e.slug ? e.slug : slug_from_title(a, e.title),
        .title = e.title,
        .summary = e.summary && *e.summary ? e.summary : NULL,
        .body_md = md,
        .body_html = html.ptr,
        .status = ARTICLE_PUBLISHED,
        .published_at = e.publish_at ? e.publish_at : ar->now,
        .updated_at = ar->now,
    };
    if (e.section && *e.section) {
        art.section.id = -1;
        art.section.name = e.section;
        art.section.slug = slug_from_title(a, e.section);
    }
    if (e.issue && *e.issue) {
        art.issue.id = -1;
        art.issue.date = e.issue;
    }
    art.authors = arena_zalloc(a, (e.n_authors + 1) * sizeof(*art.authors));
    for (size_t i = 0; i < e.n_authors; i++) {
        art.authors[i].name = e.authors[i];
        art.authors[i].slug = slug_from_title(a, e.authors[i]);
    }
    art.n_authors = e.n_authors;
    art.tags = arena_zalloc(a, (e.n_tags + 1) * sizeof(*art.tags));
    for (size_t i = 0; i < e.n_tags; i++) {
        art.tags[i].name = e.tags[i];
        art.tags[i].slug = slug_from_title(a, e.tags[i]);
    }
    art.n_tags = e.n_tags;
    int st = ar->ad->preview(ar->ad->preview_ctx, req, res, &art);
    if (st == 200)
        response_header(res, "Cache-Control", "no-store");
    return st;
}
