/*
 * assembly.c - assembling an issue: the back office's issue page (its
 * title, its articles in table-of-contents order, adding, removing and
 * moving them, deleting an empty issue) and the admin API's
 * GET/PUT/DELETE /api/admin/issues/{id} and GET /api/admin/issues.
 *
 * An issue is named by its id or by its date (YYYY-MM-DD), as
 * POST /api/admin/issues/{date}/publish names it. Adding or removing an
 * article changes the article's issue through the editors' save path
 * (store_edit_save), so it is a new revision by the editor, and an editor
 * holding the old revision gets a conflict rather than undoing it. The
 * order is the articles' places within their sections
 * (store_edit_issue_order); sections keep the journal's order.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "content/date.h"
#include "core/arena.h"
#include "core/str.h"
#include "render/value.h"
#include "store/editorial.h"
#include "store/store.h"

#include <inttypes.h>
#include <string.h>

enum { ORDER_MAX = 10000, SEARCH_MAX = 20 };

/* issue_of loads the issue named by path parameter i (id or date). */
static int issue_of(struct admin_req *ar, size_t i, struct edit_issue *out)
{
    struct str p = ar->req->params[i];
    long long id = 0;
    if (p.len == 10) {
        char date[11];
        memcpy(date, p.ptr, 10);
        date[10] = '\0';
        if (!date_valid_ymd(date))
            return ERR_NOT_FOUND;
        return store_edit_issue(ar->ad->store, ar->req->arena, 0, date, out);
    }
    if (str_to_i64(p, 1, INT64_MAX, &id) != 0)
        return ERR_NOT_FOUND;
    return store_edit_issue(ar->ad->store, ar->req->arena, id, NULL, out);
}

/* same_section: do two articles of an issue sit in the same section? */
static bool same_section(const struct edit_issue_article *x,
                         const struct edit_issue_article *y)
{
    if (!x->section || !y->section)
        return !x->section && !y->section;
    return strcmp(x->section, y->section) == 0;
}

/* --- the admin API ------------------------------------------------- */

static json_t *issue_json(const struct edit_issue *i)
{
    json_t *v = json_pack("{s:I,s:s,s:s?,s:I,s:I}", "id", (json_int_t)i->id,
                          "date", i->date, "title", i->title, "count",
                          (json_int_t)i->articles, "published",
                          (json_int_t)i->published);
    if (v)
        json_object_set_new(v, "url", json_sprintf("/issues/%s", i->date));
    return v;
}

int admin_api_issues(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_issue *l;
    size_t n;
    if (store_edit_issues(ar->ad->store, req->arena, &l, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot list issues");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, issue_json(&l[i]));
    return admin_json_reply(res, 200, json_pack("{s:o}", "issues", arr));
}

/* issue_reply answers with the issue and its articles, in order. */
static int issue_reply(struct admin_req *ar, struct response *res,
                       const struct edit_issue *is, int status)
{
    struct edit_issue_article *l;
    size_t n;
    if (store_edit_issue_articles(ar->ad->store, ar->req->arena, is->id, &l,
                                  &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot read the issue");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:I,s:s,s:s,s:s?,s:s,s:I,s:s+}", "id",
                           (json_int_t)l[i].id, "title", l[i].title, "slug",
                           l[i].slug, "section", l[i].section, "status",
                           edit_status_name(l[i].status), "position",
                           (json_int_t)l[i].position, "url", "/articles/",
                           l[i].slug));
    json_t *v = issue_json(is);
    json_object_set_new(v, "articles", arr);
    return admin_json_reply(res, status, v);
}

int admin_api_issue(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_issue is;
    (void)req;
    int rc = issue_of(ar, 0, &is);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such issue");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read the issue");
    return issue_reply(ar, res, &is, 200);
}

int admin_api_issue_put(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    static const struct json_field f[] = {
        {"title", JF_STRING, false, 500},
        {"articles", JF_INTS, false, ORDER_MAX},
    };
    struct json_value v[2];
    struct edit_issue is;
    (void)req;
    int rc = issue_of(ar, 0, &is);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such issue");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read the issue");
    int st = admin_json_read(ar, res, f, 2, v);
    if (st != 0)
        return st;
    if (v[0].present && strpbrk(v[0].s, "\r\n"))
        return admin_json_error(res, 400, "invalid",
                                "field 'title' must be one line");
    for (size_t i = 0; v[1].present && i < v[1].n; i++)
        for (size_t j = 0; j < i; j++)
            if (v[1].ints[i] == v[1].ints[j])
                return admin_json_error(res, 400, "invalid",
                                        "field 'articles' names article %lld "
                                        "twice",
                                        v[1].ints[i]);
    if (v[1].present) {
        int64_t *ids = arena_alloc(req->arena, (v[1].n + 1) * sizeof(*ids));
        for (size_t i = 0; i < v[1].n; i++)
            ids[i] = (int64_t)v[1].ints[i];
        rc = store_edit_issue_order(ar->ad->store, is.id, ids, v[1].n);
        if (rc == ERR_INVALID)
            return admin_json_error(res, 422, "invalid", "field 'articles': %s",
                                    store_last_error());
        if (rc != 0)
            return admin_json_error(res, 500, "internal", "cannot save");
        admin_audit(ar, "issue.order", "issue:%s (%zu articles)", is.date,
                    v[1].n);
    }
    if (v[0].present) {
        rc = store_edit_issue_title(ar->ad->store, is.id, v[0].s);
        if (rc != 0)
            return admin_json_error(res, 500, "internal", "cannot save");
        admin_audit(ar, "issue.update", "issue:%s", is.date);
        is.title = *v[0].s ? v[0].s : NULL;
    }
    return issue_reply(ar, res, &is, 200);
}

int admin_api_issue_delete(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_issue is;
    (void)req;
    int rc = issue_of(ar, 0, &is);
    if (rc == 0)
        rc = store_edit_issue_delete(ar->ad->store, is.id);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such issue");
    if (rc == ERR_CONFLICT)
        return admin_json_error(res, 409, "not_empty",
                                "the issue still has %" PRId64
                                " articles; move or delete them first",
                                is.articles);
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot delete");
    admin_audit(ar, "issue.delete", "issue:%s", is.date);
    return 204;
}

/* --- the back office's issue page ---------------------------------- */

/* The messages a write leaves for the page it redirects to (?done=). */
static const struct {
    const char *key, *text;
} done_text[] = {
    {"title", "The issue's title is saved."},
    {"added", "The article is in this issue now."},
    {"removed", "The article is out of this issue."},
    {"moved", "The order is saved."},
};

static const char *done_message(const char *key)
{
    for (size_t i = 0; key && i < sizeof(done_text) / sizeof(done_text[0]); i++)
        if (strcmp(key, done_text[i].key) == 0)
            return done_text[i].text;
    return NULL;
}

static int issue_page(struct admin_req *ar, struct response *res,
                      const struct edit_issue *is, const char *error,
                      int status)
{
    struct arena *a = ar->req->arena;
    struct edit_issue_article *l;
    size_t n;
    if (store_edit_issue_articles(ar->ad->store, a, is->id, &l, &n) != 0)
        return admin_error_page(ar, res, 500, "The issue cannot be read.");
    struct tval *c = admin_context(
        ar, arena_printf(a, "Issue %s", is->title ? is->title : is->date));
    tv_set_int(a, c, "issue_id", is->id);
    tv_set_str(a, c, "date", is->date);
    tv_set_str(a, c, "i_title", is->title ? is->title : "");
    tv_set_int(a, c, "count", is->articles);
    tv_set_int(a, c, "published", is->published);
    tv_set_bool(a, c, "empty", is->articles == 0);
    struct tval *rows = tv_list(a);
    int64_t place = 0;
    for (size_t i = 0; i < n; i++) {
        struct tval *r = tv_map(a);
        bool first = i == 0 || !same_section(&l[i - 1], &l[i]);
        place = first ? 1 : place + 1;
        if (first)
            tv_set_str(a, r, "heading",
                       l[i].section ? l[i].section : "Without a section");
        tv_set_int(a, r, "id", l[i].id);
        tv_set_int(a, r, "place", place);
        tv_set_str(a, r, "a_title", l[i].title);
        tv_set_str(a, r, "slug", l[i].slug);
        tv_set_str(a, r, "status", edit_status_name(l[i].status));
        tv_set_bool(a, r, "can_up", !first);
        tv_set_bool(a, r, "can_down",
                    i + 1 < n && same_section(&l[i], &l[i + 1]));
        tv_push(a, rows, r);
    }
    tv_set(a, c, "articles", rows);
    /* Finding articles to add: by title, those not in this issue. */
    const char *q = request_query_arg(ar->req, "q");
    if (q && *q) {
        struct edit_filter f = {.status = -1, .q = q, .limit = SEARCH_MAX};
        struct edit_article *found;
        size_t nf;
        int64_t total;
        if (store_edit_list(ar->ad->store, a, &f, &found, &nf, &total) != 0)
            return admin_error_page(ar, res, 500,
                                    "The articles cannot be read.");
        struct tval *fl = tv_list(a);
        for (size_t i = 0; i < nf; i++) {
            if (found[i].issue && strcmp(found[i].issue, is->date) == 0)
                continue;
            struct tval *r = tv_map(a);
            tv_set_int(a, r, "id", found[i].id);
            tv_set_str(a, r, "a_title", found[i].title);
            tv_set_str(a, r, "status", edit_status_name(found[i].status));
            tv_set_str(a, r, "issue", found[i].issue ? found[i].issue : "");
            tv_push(a, fl, r);
        }
        tv_set(a, c, "found", fl);
        tv_set_str(a, c, "q", q);
        tv_set_bool(a, c, "searched", true);
    }
    const char *ok = done_message(request_query_arg(ar->req, "done"));
    if (ok)
        tv_set_str(a, c, "ok", ok);
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "issue", c, status);
}

/* load_issue loads the page's issue or answers 404/500 in *status. */
static bool load_issue(struct admin_req *ar, struct response *res,
                       struct edit_issue *is, int *status)
{
    int rc = issue_of(ar, 0, is);
    if (rc == 0)
        return true;
    *status = rc == ERR_NOT_FOUND
                  ? admin_error_page(ar, res, 404, "There is no such issue.")
                  : admin_error_page(ar, res, 500, "The issue cannot be read.");
    return false;
}

static int back_to(struct admin_req *ar, struct response *res,
                   const struct edit_issue *is, const char *done)
{
    return admin_redirect(res, arena_printf(ar->req->arena,
                                            "/admin/issues/%" PRId64 "?done=%s",
                                            is->id, done));
}

int admin_issue_page(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_issue is;
    int status;
    (void)req;
    if (!load_issue(ar, res, &is, &status))
        return status;
    return issue_page(ar, res, &is, NULL, 200);
}

int admin_issue_save(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_issue is;
    int status;
    (void)req;
    if (!load_issue(ar, res, &is, &status))
        return status;
    const char *title = admin_form(ar, "title");
    if (!title || strpbrk(title, "\r\n") || strlen(title) > 500)
        return issue_page(ar, res, &is,
                          "The title must be one line of at most 500 bytes.",
                          422);
    if (store_edit_issue_title(ar->ad->store, is.id, title) != 0)
        return issue_page(ar, res, &is, "The title cannot be saved.", 500);
    admin_audit(ar, "issue.update", "issue:%s", is.date);
    return back_to(ar, res, &is, "title");
}

/* form_id reads a form field holding an article id. */
static bool form_id(struct admin_req *ar, const char *name, int64_t *id)
{
    const char *v = admin_form(ar, name);
    long long x;
    if (!v || str_to_i64(str_from(v), 1, INT64_MAX, &x) != 0)
        return false;
    *id = x;
    return true;
}

/*
 * set_issue puts article aid in the issue of date (NULL: in none) as a new
 * revision by the editor. Returns 0, or an HTTP status with *why set.
 */
static int set_issue(struct admin_req *ar, int64_t aid, const char *date,
                     const char *only_from, const char **why)
{
    struct edit_article e;
    int rc = store_edit_get(ar->ad->store, ar->req->arena, aid, &e);
    if (rc == ERR_NOT_FOUND) {
        *why = "There is no such article.";
        return 404;
    }
    if (rc != 0) {
        *why = "The article cannot be read.";
        return 500;
    }
    if (only_from && (!e.issue || strcmp(e.issue, only_from) != 0)) {
        *why = "That article is not in this issue.";
        return 422;
    }
    e.issue = date;
    int64_t nid, rev;
    rc = store_edit_save(ar->ad->store, &e, e.revision, ar->who, &nid, &rev);
    if (rc == ERR_CONFLICT) {
        *why = "Someone saved the article meanwhile; try again.";
        return 409;
    }
    if (rc == ERR_INVALID) {
        *why = arena_printf(ar->req->arena, "The article cannot be saved: %s",
                            store_last_error());
        return 422;
    }
    if (rc != 0) {
        *why = "The article cannot be saved.";
        return 500;
    }
    return 0;
}

int admin_issue_article_add(struct request *req, struct response *res,
                            void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_issue is;
    int status;
    int64_t aid;
    const char *why = NULL;
    (void)req;
    if (!load_issue(ar, res, &is, &status))
        return status;
    if (!form_id(ar, "article", &aid))
        return issue_page(ar, res, &is, "Choose an article to add.", 422);
    status = set_issue(ar, aid, is.date, NULL, &why);
    if (status != 0)
        return issue_page(ar, res, &is, why, status);
    admin_audit(ar, "issue.add_article", "issue:%s article:%" PRId64, is.date,
                aid);
    return back_to(ar, res, &is, "added");
}

int admin_issue_article_remove(struct request *req, struct response *res,
                               void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_issue is;
    int status;
    int64_t aid;
    const char *why = NULL;
    (void)req;
    if (!load_issue(ar, res, &is, &status))
        return status;
    if (!form_id(ar, "article", &aid))
        return issue_page(ar, res, &is, "Choose an article to remove.", 422);
    status = set_issue(ar, aid, NULL, is.date, &why);
    if (status != 0)
        return issue_page(ar, res, &is, why, status);
    admin_audit(ar, "issue.remove_article", "issue:%s article:%" PRId64,
                is.date, aid);
    return back_to(ar, res, &is, "removed");
}

int admin_issue_move(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    struct edit_issue is;
    int status;
    int64_t aid;
    if (!load_issue(ar, res, &is, &status))
        return status;
    const char *dir = admin_form(ar, "dir");
    bool up = dir && strcmp(dir, "up") == 0;
    if (!form_id(ar, "article", &aid) || !dir ||
        (!up && strcmp(dir, "down") != 0))
        return issue_page(ar, res, &is, "Choose an article and a direction.",
                          422);
    struct edit_issue_article *l;
    size_t n, k = 0;
    if (store_edit_issue_articles(ar->ad->store, a, is.id, &l, &n) != 0)
        return issue_page(ar, res, &is, "The issue cannot be read.", 500);
    while (k < n && l[k].id != aid)
        k++;
    if (k == n)
        return issue_page(ar, res, &is, "That article is not in this issue.",
                          422);
    size_t j = up ? k - 1 : k + 1;
    /* Within its section only: sections keep the journal's order. */
    if ((up && k == 0) || (!up && k + 1 >= n) || !same_section(&l[k], &l[j]))
        return back_to(ar, res, &is, "moved");
    struct edit_issue_article t = l[k];
    l[k] = l[j];
    l[j] = t;
    int64_t *ids = arena_alloc(a, (n + 1) * sizeof(*ids));
    for (size_t i = 0; i < n; i++)
        ids[i] = l[i].id;
    if (store_edit_issue_order(ar->ad->store, is.id, ids, n) != 0)
        return issue_page(ar, res, &is, "The order cannot be saved.", 500);
    admin_audit(ar, "issue.order", "issue:%s article:%" PRId64 " %s", is.date,
                aid, up ? "up" : "down");
    return back_to(ar, res, &is, "moved");
}

int admin_issue_delete(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_issue is;
    int status;
    (void)req;
    if (!load_issue(ar, res, &is, &status))
        return status;
    int rc = store_edit_issue_delete(ar->ad->store, is.id);
    if (rc == ERR_CONFLICT)
        return issue_page(ar, res, &is,
                          "This issue still has articles: remove them "
                          "first.",
                          409);
    if (rc != 0)
        return issue_page(ar, res, &is, "The issue cannot be deleted.", 500);
    admin_audit(ar, "issue.delete", "issue:%s", is.date);
    return admin_redirect(res, "/admin/issues?deleted=1");
}
