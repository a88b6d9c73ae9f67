/*
 * issues_api.c - /api/admin/issues (create; publish a whole issue at once)
 * and /api/admin/authors (list; name, slug and Markdown bio, shown on the
 * author's public page). Editors and admins only.
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

int admin_api_issue_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    static const struct json_field f[] = {{"date", JF_STRING, true, 10},
                                          {"title", JF_STRING, false, 500}};
    struct json_value v[2];
    (void)req;
    int st = admin_json_read(ar, res, f, 2, v);
    if (st != 0)
        return st;
    if (!date_valid_ymd(v[0].s))
        return admin_json_error(res, 400, "invalid",
                                "field 'date' must be a date YYYY-MM-DD");
    if (v[1].present && strpbrk(v[1].s, "\r\n"))
        return admin_json_error(res, 400, "invalid",
                                "field 'title' must be one line");
    int64_t id;
    int rc = store_issue_create(ar->ad->store, v[0].s,
                                v[1].present ? v[1].s : NULL, &id);
    if (rc == ERR_EXISTS)
        return admin_json_error(res, 409, "exists",
                                "an issue of this date exists");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot save");
    admin_audit(ar, "issue.create", "issue:%s", v[0].s);
    return admin_json_reply(
        res, 201,
        json_pack("{s:I,s:s,s:s?,s:s}", "id", (json_int_t)id, "date", v[0].s,
                  "title", v[1].present ? v[1].s : NULL, "url",
                  arena_cat(ar->req->arena, "/issues/", v[0].s)));
}

int admin_api_issue_publish(struct request *req, struct response *res,
                            void *ctx)
{
    struct admin_req *ar = ctx;
    struct str d = req->params[0];
    char date[11];
    if (d.len != 10)
        return admin_json_error(res, 404, "not_found", "no such issue");
    memcpy(date, d.ptr, 10);
    date[10] = '\0';
    if (!date_valid_ymd(date))
        return admin_json_error(res, 404, "not_found", "no such issue");
    int n = 0;
    int rc = store_issue_publish(ar->ad->store, date, &n);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such issue");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot publish");
    admin_audit(ar, "issue.publish", "issue:%s (%d articles)", date, n);
    return admin_json_reply(
        res, 200, json_pack("{s:s,s:i}", "issue", date, "published", n));
}

int admin_api_authors(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_author *list;
    size_t n;
    if (store_edit_authors(ar->ad->store, req->arena, &list, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot list");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, admin_author_json(&list[i]));
    return admin_json_reply(res, 200, json_pack("{s:o}", "authors", arr));
}

int admin_api_author_put(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    static const struct json_field f[] = {{"name", JF_STRING, false, 200},
                                          {"slug", JF_STRING, false, 100},
                                          {"bio", JF_STRING, false, 100000},
                                          {"photo", JF_STRING, false, 0}};
    struct json_value v[4];
    long long id;
    if (str_to_i64(req->params[0], 1, INT64_MAX, &id) != 0)
        return admin_json_error(res, 404, "not_found", "no such author");
    int st = admin_json_read(ar, res, f, 4, v);
    if (st != 0)
        return st;
    if (v[0].present && (!*v[0].s || strpbrk(v[0].s, "\r\n")))
        return admin_json_error(res, 400, "invalid",
                                "field 'name' must be one non-empty line");
    if (v[1].present) {
        if (!*v[1].s)
            return admin_json_error(res, 400, "invalid",
                                    "field 'slug' must not be empty");
        for (const char *p = v[1].s; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                  *p == '-'))
                return admin_json_error(res, 400, "invalid",
                                        "field 'slug' may hold only a-z, "
                                        "0-9 and -");
    }
    struct edit_author au;
    int rc = store_edit_author(ar->ad->store, req->arena, id, &au);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such author");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read");
    /* The photo: absent keeps it, null or "" takes it away. */
    bool set_photo = v[3].present || admin_json_null(ar, "photo");
    const char *photo = NULL, *why = NULL;
    st = v[3].present ? admin_picture(ar, v[3].s, &photo, &why) : 0;
    if (st != 0)
        return admin_json_error(res, st,
                                st == 422 ? "unknown_media" : "internal",
                                "field 'photo': %s", why);
    rc = store_edit_author_set(ar->ad->store, id, v[0].present ? v[0].s : NULL,
                               v[1].present ? v[1].s : NULL,
                               v[2].present ? v[2].s : NULL);
    if (rc == 0 && set_photo)
        rc = store_author_photo_set(ar->ad->store, id, photo);
    if (rc == ERR_INVALID)
        return admin_json_error(res, 422, "unknown_media",
                                "the photo is not an image in the media "
                                "library");
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such author");
    if (rc == ERR_EXISTS)
        return admin_json_error(res, 409, "exists",
                                "another author has this name or slug");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot save");
    admin_audit(ar, "author.update", "author:%lld", id);
    if (store_edit_author(ar->ad->store, req->arena, id, &au) != 0)
        return admin_json_error(res, 500, "internal", "cannot read");
    return admin_json_reply(res, 200, admin_author_json(&au));
}

/* --- the back office's issues page --- */

static int issues_page(struct admin_req *ar, struct response *res,
                       const char *ok, const char *error, int status)
{
    struct arena *a = ar->req->arena;
    struct edit_issue *l;
    size_t n;
    if (store_edit_issues(ar->ad->store, a, &l, &n) != 0)
        return admin_error_page(ar, res, 500, "The issues cannot be read.");
    struct tval *c = admin_context(ar, "Issues");
    struct tval *rows = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *r = tv_map(a);
        tv_set_int(a, r, "id", l[i].id);
        tv_set_str(a, r, "date", l[i].date);
        tv_set_str(a, r, "title", l[i].title ? l[i].title : "");
        tv_set_int(a, r, "count", l[i].articles);
        tv_set_int(a, r, "published", l[i].published);
        tv_push(a, rows, r);
    }
    tv_set(a, c, "issues", rows);
    if (!ok && request_query_arg(ar->req, "deleted"))
        ok = "The issue is deleted.";
    if (ok)
        tv_set_str(a, c, "ok", ok);
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "issues", c, status);
}

int admin_issues(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return issues_page(ctx, res, NULL, NULL, 200);
}

int admin_issue_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    const char *date = admin_form(ar, "date");
    const char *title = admin_form(ar, "title");
    (void)req;
    if (!date || !date_valid_ymd(date))
        return issues_page(ar, res, NULL, "The date must be YYYY-MM-DD.", 422);
    if (title && strpbrk(title, "\r\n"))
        return issues_page(ar, res, NULL, "The title must be one line.", 422);
    int64_t id;
    int rc = store_issue_create(ar->ad->store, date, title, &id);
    if (rc != 0 && rc != ERR_EXISTS)
        return issues_page(ar, res, NULL, "The issue cannot be saved.", 500);
    admin_audit(ar, "issue.create", "issue:%s", date);
    return issues_page(ar, res,
                       rc == ERR_EXISTS ? "The issue exists; its title is "
                                          "updated."
                                        : "Issue created. Open it to add and "
                                          "order its articles, then publish "
                                          "the issue.",
                       NULL, 200);
}

int admin_issue_publish(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    const char *date = admin_form(ar, "date");
    (void)req;
    if (!date || !date_valid_ymd(date))
        return issues_page(ar, res, NULL, "The date must be YYYY-MM-DD.", 422);
    int n = 0;
    int rc = store_issue_publish(ar->ad->store, date, &n);
    if (rc == ERR_NOT_FOUND)
        return issues_page(ar, res, NULL, "There is no issue of that date.",
                           404);
    if (rc != 0)
        return issues_page(ar, res, NULL, "The issue cannot be published.",
                           500);
    admin_audit(ar, "issue.publish", "issue:%s (%d articles)", date, n);
    return issues_page(ar, res,
                       arena_printf(ar->req->arena,
                                    "Issue %s published: %d articles went "
                                    "public.",
                                    date, n),
                       NULL, 200);
}
