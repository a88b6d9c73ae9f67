/*
 * articles_api.c - /api/admin/articles: create, list, read, update (with
 * the revision it read: optimistic concurrency), delete, revisions and
 * restore. Ghost's Admin API is the model: a write answers with the
 * article as GET gives it.
 *
 * Roles: an author creates articles and edits or deletes their own drafts
 * only, and cannot publish or schedule; editors and admins do everything.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "content/date.h"
#include "core/arena.h"
#include "core/str.h"
#include "store/editorial.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum { API_PAGE = 20 };

static const char *rfc3339(struct arena *a, int64_t t)
{
    struct tm tm;
    if (t <= 0 || !date_gmtime(t, &tm))
        return NULL;
    char out[32];
    strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return arena_strdup(a, out);
}

static json_t *names_json(const char *const *list, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(list[i]));
    return arr;
}

static json_t *article_json(struct arena *a, const struct edit_article *e)
{
    json_t *o = json_pack(
        "{s:I,s:s,s:s?,s:s?,s:s?,s:s?,s:o,s:o,s:s,s:s,s:s?,s:I,s:s?,s:s?,s:s}",
        "id", (json_int_t)e->id, "title", e->title, "body", e->body_md,
        "summary", e->summary, "section", e->section, "issue", e->issue,
        "authors", names_json(e->authors, e->n_authors), "tags",
        names_json(e->tags, e->n_tags), "slug", e->slug, "status",
        edit_status_name(e->status), "publish_at", rfc3339(a, e->publish_at),
        "revision", (json_int_t)e->revision, "created_at",
        rfc3339(a, e->created_at), "updated_at", rfc3339(a, e->updated_at),
        "url", arena_cat(a, "/articles/", e->slug));
    return o;
}

static bool is_editor(const struct admin_req *ar)
{
    return admin_role_can(ar->role, ROLE_EDITOR);
}

/* id_param reads the route's capture i as an article id. */
static bool id_param(struct admin_req *ar, int i, int64_t *id)
{
    long long v;
    if (str_to_i64(ar->req->params[i], 1, INT64_MAX, &v) != 0)
        return false;
    *id = v;
    return true;
}

/* reply_article answers status with article id as GET gives it. */
static int reply_article(struct admin_req *ar, struct response *res, int64_t id,
                         int status)
{
    struct edit_article e;
    int rc = store_edit_get(ar->ad->store, ar->req->arena, id, &e);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such article");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read");
    return admin_json_reply(res, status, article_json(ar->req->arena, &e));
}

/* save_error maps a store error of a save to its JSON answer. */
static int save_error(struct response *res, int rc)
{
    if (rc == ERR_CONFLICT)
        return admin_json_error(res, 409, "conflict",
                                "the article was saved by someone else "
                                "meanwhile; reload it and apply your change");
    if (rc == ERR_EXISTS)
        return admin_json_error(res, 409, "exists",
                                "field 'slug' is taken by another article");
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such article");
    if (rc == ERR_INVALID)
        return admin_json_error(res, 422, "invalid", "%s", store_last_error());
    if (rc == ERR_TOO_BIG)
        return admin_json_error(res, 413, "too_big", "field 'body' too big");
    return admin_json_error(res, 500, "internal", "cannot save");
}

static const struct json_field article_fields[] = {
    {"title", JF_STRING, true, 1000},     {"body", JF_STRING, false, 0},
    {"summary", JF_STRING, false, 10000}, {"section", JF_STRING, false, 200},
    {"issue", JF_STRING, false, 10},      {"authors", JF_STRINGS, false, 100},
    {"tags", JF_STRINGS, false, 100},     {"slug", JF_STRING, false, 100},
    {"status", JF_STRING, false, 16},     {"publish_at", JF_STRING, false, 40},
    {"revision", JF_INT, false, 0},
};
#define N_FIELDS (sizeof(article_fields) / sizeof(article_fields[0]))
/* Bits of admin_article_parse's *present, in article_fields' order. */
enum {
    F_BODY = 1u << 1,
    F_SUMMARY = 1u << 2,
    F_SECTION = 1u << 3,
    F_ISSUE = 1u << 4,
    F_AUTHORS = 1u << 5,
    F_TAGS = 1u << 6,
    F_STATUS = 1u << 8,
    F_PUBLISH_AT = 1u << 9,
};

static bool has_break(const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strpbrk(list[i], "\r\n") || !*list[i])
            return true;
    return false;
}

static bool slug_ok(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            return false;
    return true;
}

int admin_article_parse(struct arena *a, struct str body, struct response *res,
                        int64_t now, bool editor, struct edit_article *e,
                        long long *revision, unsigned *present)
{
    struct json_value v[N_FIELDS];
    int st = admin_json_parse(a, body, res, article_fields, N_FIELDS, v);
    if (st != 0)
        return st;
    *present = 0;
    for (size_t i = 0; i < N_FIELDS; i++)
        if (v[i].present)
            *present |= 1u << i;
    *e = (struct edit_article){
        .title = v[0].s,
        .body_md = v[1].present ? v[1].s : "",
        .summary = v[2].present ? v[2].s : NULL,
        .section = v[3].present ? v[3].s : NULL,
        .issue = v[4].present ? v[4].s : NULL,
        .authors = v[5].list,
        .n_authors = v[5].present ? v[5].n : 0,
        .tags = v[6].list,
        .n_tags = v[6].present ? v[6].n : 0,
        .slug = v[7].present ? v[7].s : NULL,
    };
    *revision = v[10].present ? v[10].i : -1;
    if (!*e->title || strpbrk(e->title, "\r\n"))
        return admin_json_error(res, 400, "invalid",
                                "field 'title' must be one non-empty line");
    if (e->issue && *e->issue && !date_valid_ymd(e->issue))
        return admin_json_error(res, 400, "invalid",
                                "field 'issue' must be a date YYYY-MM-DD");
    if (has_break(e->authors, e->n_authors))
        return admin_json_error(res, 400, "invalid",
                                "field 'authors' holds an empty name or a "
                                "line break");
    if (has_break(e->tags, e->n_tags))
        return admin_json_error(res, 400, "invalid",
                                "field 'tags' holds an empty name or a line "
                                "break");
    if (e->slug && !slug_ok(e->slug))
        return admin_json_error(res, 400, "invalid",
                                "field 'slug' may hold only a-z, 0-9 and -");
    int es = v[8].present ? edit_status_of(v[8].s) : EDIT_DRAFT;
    if (es < 0)
        return admin_json_error(res, 400, "invalid",
                                "field 'status' must be draft, scheduled or "
                                "published");
    e->status = (enum edit_status)es;
    if (v[9].present) {
        int64_t t;
        if (date_parse_rfc3339(v[9].s, strlen(v[9].s), &t) != 0 || t <= 0)
            return admin_json_error(res, 400, "invalid",
                                    "field 'publish_at' must be an RFC 3339 "
                                    "time");
        e->publish_at = t;
    }
    if (e->status == EDIT_SCHEDULED && (!v[9].present || e->publish_at <= now))
        return admin_json_error(res, 422, "invalid",
                                "field 'publish_at' must be a future time "
                                "for a scheduled article");
    if (e->status != EDIT_DRAFT && !editor)
        return admin_json_error(res, 403, "forbidden",
                                "an author cannot publish or schedule");
    return 0;
}

/* read_article: the request's Content-Type, then admin_article_parse. */
static int read_article(struct admin_req *ar, struct response *res,
                        struct edit_article *e, long long *revision,
                        unsigned *present)
{
    const char *ct = request_header(ar->req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' '))
        return admin_json_error(res, 415, "unsupported_media_type",
                                "send Content-Type: application/json");
    return admin_article_parse(ar->req->arena, ar->req->body, res, ar->now,
                               is_editor(ar), e, revision, present);
}

int admin_api_articles(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_filter f = {.status = -1, .limit = API_PAGE};
    const char *status = request_query_arg(req, "status");
    const char *page = request_query_arg(req, "page");
    if (status && *status && (f.status = edit_status_of(status)) < 0)
        return admin_json_error(res, 400, "invalid",
                                "parameter 'status' must be draft, "
                                "scheduled or published");
    long long p = 1;
    if (page && *page && str_to_i64(str_from(page), 1, 100000, &p) != 0)
        return admin_json_error(res, 400, "invalid",
                                "parameter 'page' must be a number >= 1");
    f.offset = (int)(p - 1) * API_PAGE;
    f.section = request_query_arg(req, "section");
    f.author = request_query_arg(req, "author");
    f.issue = request_query_arg(req, "issue");
    f.q = request_query_arg(req, "q");
    struct edit_article *list;
    size_t n;
    int64_t total;
    if (store_edit_list(ar->ad->store, req->arena, &f, &list, &n, &total) != 0)
        return admin_json_error(res, 500, "internal", "cannot list");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, article_json(req->arena, &list[i]));
    return admin_json_reply(res, 200,
                            json_pack("{s:o,s:{s:I,s:I,s:I}}", "articles", arr,
                                      "meta", "page", (json_int_t)p, "limit",
                                      (json_int_t)API_PAGE, "total",
                                      (json_int_t)total));
}

int admin_api_article_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_article e;
    long long rev;
    unsigned present;
    (void)req;
    int st = read_article(ar, res, &e, &rev, &present);
    if (st != 0)
        return st;
    int64_t id, r;
    int rc = store_edit_save(ar->ad->store, &e, 0, ar->who, &id, &r);
    if (rc != 0)
        return save_error(res, rc);
    admin_audit(ar, "article.create", "article:%" PRId64 " rev %" PRId64, id,
                r);
    return reply_article(ar, res, id, 201);
}

int admin_api_article(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    (void)req;
    if (!id_param(ar, 0, &id))
        return admin_json_error(res, 404, "not_found", "no such article");
    return reply_article(ar, res, id, 200);
}

/*
 * may_touch: an author only their own drafts. Returns 0 or the status
 * of the error written.
 */
static int may_touch(struct admin_req *ar, struct response *res, int64_t id)
{
    struct edit_article cur;
    int rc = store_edit_get(ar->ad->store, ar->req->arena, id, &cur);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such article");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read");
    if (is_editor(ar))
        return 0;
    if (!cur.owner || strcmp(cur.owner, ar->who) != 0)
        return admin_json_error(res, 403, "forbidden",
                                "an author may change only their own "
                                "articles");
    if (cur.status != EDIT_DRAFT)
        return admin_json_error(res, 403, "forbidden",
                                "an author may change only drafts");
    return 0;
}

int admin_api_article_put(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_article e;
    long long rev;
    int64_t id, r;
    (void)req;
    if (!id_param(ar, 0, &id))
        return admin_json_error(res, 404, "not_found", "no such article");
    unsigned present;
    int st = read_article(ar, res, &e, &rev, &present);
    if (st != 0)
        return st;
    if (rev < 0)
        return admin_json_error(res, 400, "missing_field",
                                "field 'revision' is required: the revision "
                                "you read");
    if ((st = may_touch(ar, res, id)) != 0)
        return st;
    /* Fields the body leaves out keep their values (as in Ghost). */
    struct edit_article cur;
    if (store_edit_get(ar->ad->store, req->arena, id, &cur) != 0)
        return admin_json_error(res, 404, "not_found", "no such article");
    if (!(present & F_BODY))
        e.body_md = cur.body_md;
    if (!(present & F_SUMMARY))
        e.summary = cur.summary;
    if (!(present & F_SECTION))
        e.section = cur.section;
    if (!(present & F_ISSUE))
        e.issue = cur.issue;
    if (!(present & F_AUTHORS)) {
        e.authors = cur.authors;
        e.n_authors = cur.n_authors;
    }
    if (!(present & F_TAGS)) {
        e.tags = cur.tags;
        e.n_tags = cur.n_tags;
    }
    if (!(present & F_STATUS))
        e.status = cur.status;
    if (!(present & F_PUBLISH_AT))
        e.publish_at = cur.publish_at;
    if (e.status != cur.status && e.status != EDIT_DRAFT && !is_editor(ar))
        return admin_json_error(res, 403, "forbidden",
                                "an author cannot publish or schedule");
    e.id = id;
    int rc = store_edit_save(ar->ad->store, &e, rev, ar->who, NULL, &r);
    if (rc != 0)
        return save_error(res, rc);
    admin_audit(ar, "article.update", "article:%" PRId64 " rev %" PRId64, id,
                r);
    return reply_article(ar, res, id, 200);
}

int admin_api_article_delete(struct request *req, struct response *res,
                             void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    (void)req;
    if (!id_param(ar, 0, &id))
        return admin_json_error(res, 404, "not_found", "no such article");
    int st = may_touch(ar, res, id);
    if (st != 0)
        return st;
    int rc = store_edit_delete(ar->ad->store, id);
    if (rc != 0)
        return save_error(res, rc);
    admin_audit(ar, "article.delete", "article:%" PRId64, id);
    res->content_type = "application/json";
    return 204;
}

int admin_api_article_revisions(struct request *req, struct response *res,
                                void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    if (!id_param(ar, 0, &id))
        return admin_json_error(res, 404, "not_found", "no such article");
    struct edit_article cur;
    int rc = store_edit_get(ar->ad->store, req->arena, id, &cur);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such article");
    struct edit_revision *revs;
    size_t n;
    if (rc != 0 ||
        store_edit_revisions(ar->ad->store, req->arena, id, &revs, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot read");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = article_json(req->arena, &revs[i].fields);
        json_object_del(o, "body");
        json_object_del(o, "url");
        json_object_del(o, "created_at");
        json_object_del(o, "updated_at");
        json_object_set_new(o, "revision", json_integer(revs[i].n));
        json_object_set_new(o, "who", json_string(revs[i].who));
        json_object_set_new(o, "at",
                            json_string(rfc3339(req->arena, revs[i].at)));
        json_array_append_new(arr, o);
    }
    return admin_json_reply(res, 200, json_pack("{s:o}", "revisions", arr));
}

int admin_api_article_restore(struct request *req, struct response *res,
                              void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id, n, r;
    long long v;
    (void)req;
    if (!id_param(ar, 0, &id) ||
        str_to_i64(ar->req->params[1], 1, INT64_MAX, &v) != 0)
        return admin_json_error(res, 404, "not_found", "no such revision");
    n = v;
    int st = may_touch(ar, res, id);
    if (st != 0)
        return st;
    struct edit_revision rv;
    int rc = store_edit_revision(ar->ad->store, req->arena, id, n, &rv);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such revision");
    if (rc == 0 && rv.fields.status != EDIT_DRAFT && !is_editor(ar))
        return admin_json_error(res, 403, "forbidden",
                                "an author cannot publish or schedule");
    if (rc == 0)
        rc = store_edit_restore(ar->ad->store, id, n, -1, ar->who, &r);
    if (rc != 0)
        return save_error(res, rc);
    admin_audit(ar, "article.restore",
                "article:%" PRId64 " rev %" PRId64 " -> rev %" PRId64, id, n,
                r);
    return reply_article(ar, res, id, 200);
}
