/*
 * subscribers.c - the newsletter's list in the back office: counts by
 * state, search, remove, CSV export (/admin/subscribers...), and the same
 * as JSON for scripts (GET /api/admin/subscribers, DELETE
 * /api/admin/subscribers/{email}). Editors and admins only.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "core/arena.h"
#include "core/buf.h"
#include "render/value.h"
#include "store/store.h"

#include <string.h>

enum { PAGE_ROWS = 200, EXPORT_MAX = 64 << 20 };

static const char *const state_names[] = {"pending", "confirmed",
                                          "unsubscribed"};

static const char *state_name(int st)
{
    return st >= 0 && st < 3 ? state_names[st] : "unknown";
}

/* state_arg: -1 for absent or "all", the state, or -2 if unknown. */
static int state_arg(const char *v)
{
    if (!v || !*v || strcmp(v, "all") == 0)
        return -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(v, state_names[i]) == 0)
            return i;
    return -2;
}

int admin_subscribers(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    const char *q = request_query_arg(req, "q");
    int state = state_arg(request_query_arg(req, "state"));
    if (state == -2)
        return admin_error_page(ar, res, 400, "Unknown state.");
    int64_t counts[3];
    struct subscriber *v;
    size_t n;
    if (store_subscriber_counts(ar->ad->store, counts) != 0 ||
        store_subscribers_search(ar->ad->store, a, state, q, PAGE_ROWS, &v,
                                 &n) != 0)
        return 500;
    struct tval *c = admin_context(ar, "Subscribers");
    tv_set_int(a, c, "pending", counts[SUB_PENDING]);
    tv_set_int(a, c, "confirmed", counts[SUB_CONFIRMED]);
    tv_set_int(a, c, "unsubscribed", counts[SUB_UNSUBSCRIBED]);
    if (q)
        tv_set_str(a, c, "q", q);
    struct tval *list = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "email", v[i].email);
        tv_set_str(a, m, "state", state_name(v[i].state));
        tv_set_str(a, m, "csrf", ar->csrf);
        tv_push(a, list, m);
    }
    tv_set(a, c, "subscribers", list);
    tv_set_bool(a, c, "more", n == PAGE_ROWS);
    const char *ok = request_query_arg(req, "removed");
    if (ok)
        tv_set_str(a, c, "ok", arena_printf(a, "%s was removed.", ok));
    return admin_render(ar, res, "subscribers", c, 200);
}

int admin_subscriber_remove(struct request *req, struct response *res,
                            void *ctx)
{
    struct admin_req *ar = ctx;
    const char *email = admin_form(ar, "email");
    if (!email || !*email)
        return admin_error_page(ar, res, 400, "No address given.");
    int rc = store_subscriber_remove(ar->ad->store, email);
    if (rc == ERR_NOT_FOUND)
        return admin_error_page(ar, res, 404,
                                "That address is not on the list.");
    if (rc != 0)
        return 500;
    admin_audit(ar, "subscriber.remove", "%s", email);
    struct buf loc;
    buf_init_arena(&loc, req->arena, 2048);
    buf_append_cstr(&loc, "/admin/subscribers?removed=");
    for (const unsigned char *p = (const unsigned char *)email; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("@.-_", *p))
            buf_append_char(&loc, (char)*p);
        else
            buf_printf(&loc, "%%%02X", *p);
    }
    return admin_redirect(res, loc.ptr);
}

/* csv_field appends v as one RFC 4180 field; a leading = + - @ is quoted
 * behind a ' so a spreadsheet does not run it as a formula. */
static void csv_field(struct buf *b, const char *v)
{
    buf_append_char(b, '"');
    if (strchr("=+-@", *v) && *v)
        buf_append_char(b, '\'');
    for (; *v; v++) {
        if (*v == '"')
            buf_append_char(b, '"');
        buf_append_char(b, *v);
    }
    buf_append_char(b, '"');
}

int admin_subscribers_csv(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int state = state_arg(request_query_arg(req, "state"));
    if (state == -2)
        return 400;
    struct subscriber *v;
    size_t n;
    if (store_subscribers_list(ar->ad->store, req->arena, state, &v, &n) != 0)
        return 500;
    buf_init_arena(&res->body, req->arena, EXPORT_MAX);
    buf_append_cstr(&res->body, "email,state,created_at,confirmed_at\r\n");
    for (size_t i = 0; i < n; i++) {
        csv_field(&res->body, v[i].email);
        buf_printf(&res->body, ",%s,%lld,%lld\r\n", state_name(v[i].state),
                   (long long)v[i].created_at, (long long)v[i].confirmed_at);
    }
    if (buf_error(&res->body))
        return 500;
    res->content_type = "text/csv; charset=utf-8";
    response_header(res, "Content-Disposition",
                    "attachment; filename=\"subscribers.csv\"");
    res->cache_control = "no-store";
    admin_audit(ar, "subscriber.export", "%zu rows", n);
    return 200;
}

int admin_api_subscribers(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)ar;
    const char *q = request_query_arg(req, "q");
    int state = state_arg(request_query_arg(req, "state"));
    if (state == -2)
        return admin_json_error(res, 422, "invalid",
                                "state must be pending, "
                                "confirmed or unsubscribed");
    long long limit = 1000;
    const char *l = request_query_arg(req, "limit");
    if (l && str_to_i64(str_from(l), 1, 100000, &limit) != 0)
        return admin_json_error(res, 422, "invalid",
                                "limit must be 1 to 100000");
    if (q && strlen(q) > 320)
        return admin_json_error(res, 422, "invalid", "q is too long");
    int64_t counts[3];
    struct subscriber *v;
    size_t n;
    if (store_subscriber_counts(ar->ad->store, counts) != 0 ||
        store_subscribers_search(ar->ad->store, req->arena, state, q,
                                 (int)limit, &v, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot read the list");
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:I,s:I}", "email", v[i].email, "state",
                            state_name(v[i].state), "created_at",
                            (json_int_t)v[i].created_at, "confirmed_at",
                            (json_int_t)v[i].confirmed_at));
    return admin_json_reply(
        res, 200,
        json_pack("{s:{s:I,s:I,s:I},s:o}", "counts", "pending",
                  (json_int_t)counts[SUB_PENDING], "confirmed",
                  (json_int_t)counts[SUB_CONFIRMED], "unsubscribed",
                  (json_int_t)counts[SUB_UNSUBSCRIBED], "subscribers", list));
}

int admin_api_subscriber_remove(struct request *req, struct response *res,
                                void *ctx)
{
    struct admin_req *ar = ctx;
    char email[330];
    if (req->n_params < 1 || req->params[0].len >= sizeof(email))
        return admin_json_error(res, 404, "not_found", "no such subscriber");
    memcpy(email, req->params[0].ptr, req->params[0].len);
    email[req->params[0].len] = '\0';
    int rc = store_subscriber_remove(ar->ad->store, email);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such subscriber");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot remove");
    admin_audit(ar, "subscriber.remove", "%s", email);
    return admin_json_reply(
        res, 200, json_pack("{s:s,s:b}", "email", email, "removed", 1));
}
