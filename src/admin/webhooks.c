/*
 * webhooks.c - webhooks in the back office, for admins (what
 * `quire webhook` does from a shell):
 *   GET  /admin/webhooks               the list, the delivery log, an add form
 *   POST /admin/webhooks               url, one checkbox per event, secret
 *   POST /admin/webhooks/{id}/remove
 *   GET    /api/admin/webhooks         the same list as JSON
 *   POST   /api/admin/webhooks         {url, events: [...], secret?} -> 201
 *   DELETE /api/admin/webhooks/{id}
 * A webhook added without a secret gets a generated one, shown once, so
 * every delivery is signed unless a script asks otherwise through the API.
 * The server's delivery thread (hooks/) picks new webhooks up by itself.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "core/arena.h"
#include "core/buf.h"
#include "hooks/hooks.h"
#include "render/value.h"
#include "store/store.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

enum { LOG_ROWS = 50, SECRET_MIN = 8, SECRET_MAX = 256 };

static const char *when(struct arena *a, int64_t t)
{
    char s[32];
    time_t tt = (time_t)t;
    struct tm tm;
    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&tt, &tm));
    return arena_strdup(a, s);
}

static int webhooks_page(struct admin_req *ar, struct response *res,
                         const char *secret, const char *ok, const char *error,
                         int status)
{
    struct arena *a = ar->req->arena;
    struct webhook *w;
    struct webhook_log *l;
    size_t n, nl;
    if (store_webhooks_list(ar->ad->store, a, &w, &n) != 0 ||
        store_webhook_log(ar->ad->store, a, 0, LOG_ROWS, &l, &nl) != 0)
        return 500;
    struct tval *c = admin_context(ar, "Webhooks");
    struct tval *list = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *e = tv_map(a);
        tv_set_int(a, e, "id", w[i].id);
        tv_set_str(a, e, "url", w[i].url);
        tv_set_str(a, e, "events", w[i].events);
        tv_set_bool(a, e, "signed", w[i].has_secret);
        tv_set_int(a, e, "pending", w[i].pending);
        tv_set_int(a, e, "delivered", w[i].delivered);
        tv_set_int(a, e, "failed", w[i].failed);
        tv_push(a, list, e);
    }
    tv_set(a, c, "webhooks", list);
    struct tval *log = tv_list(a);
    for (size_t i = 0; i < nl; i++) {
        struct tval *e = tv_map(a);
        tv_set_str(a, e, "at", when(a, l[i].at));
        tv_set_str(a, e, "uuid", l[i].uuid);
        tv_set_str(a, e, "event", l[i].event);
        tv_set_str(a, e, "state", l[i].state);
        tv_set_int(a, e, "attempts", l[i].attempts);
        if (l[i].status)
            tv_set_int(a, e, "status", l[i].status);
        if (l[i].response)
            tv_set_str(a, e, "response", l[i].response);
        tv_push(a, log, e);
    }
    tv_set(a, c, "log", log);
    struct tval *events = tv_list(a);
    for (int i = 0; i < HOOKS_NEVENTS; i++) {
        struct tval *e = tv_map(a);
        tv_set_str(a, e, "name", hooks_events[i]);
        tv_push(a, events, e);
    }
    tv_set(a, c, "events", events);
    if (secret)
        tv_set_str(a, c, "secret", secret);
    if (ok)
        tv_set_str(a, c, "ok", ok);
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "webhooks", c, status);
}

int admin_webhooks(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return webhooks_page(ctx, res, NULL, NULL, NULL, 200);
}

/* checked_events joins the events whose checkbox is on, or NULL if none. */
static const char *checked_events(struct admin_req *ar)
{
    struct buf b;
    buf_init_arena(&b, ar->req->arena, 256);
    for (int i = 0; i < HOOKS_NEVENTS; i++) {
        const char *v = admin_form(ar, hooks_events[i]);
        if (!v || !*v)
            continue;
        if (b.len)
            buf_append_char(&b, ',');
        buf_append_cstr(&b, hooks_events[i]);
    }
    return b.len && !buf_error(&b) ? b.ptr : NULL;
}

int admin_webhook_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    const char *url = admin_form(ar, "url");
    const char *secret = admin_form(ar, "secret");
    const char *events = checked_events(ar);
    if (!url || !hooks_url_ok(url))
        return webhooks_page(ar, res, NULL, NULL,
                             "The URL must be an http:// or https:// URL.",
                             400);
    if (!events)
        return webhooks_page(ar, res, NULL, NULL, "Choose at least one event.",
                             400);
    bool generated = !secret || !*secret;
    char tok[AUTH_TOKEN_LEN + 1];
    if (generated) {
        auth_random_token(tok);
        secret = tok;
    } else if (strlen(secret) < SECRET_MIN || strlen(secret) > SECRET_MAX) {
        return webhooks_page(ar, res, NULL, NULL,
                             "A secret has 8 to 256 characters.", 400);
    }
    int64_t id;
    if (store_webhook_add(ar->ad->store, url, events, secret, &id) != 0)
        return 500;
    admin_audit(ar, "webhook.add", "webhook:%" PRId64 " %s for %s", id, url,
                events);
    return webhooks_page(ar, res,
                         generated ? arena_strdup(req->arena, tok) : NULL,
                         "Webhook added.", NULL, 200);
}

/* param_id reads the route's {id}; false if it is not a positive number. */
static bool param_id(struct request *req, int64_t *id)
{
    long long v;
    if (req->n_params < 1 || str_to_i64(req->params[0], 1, INT64_MAX, &v) != 0)
        return false;
    *id = v;
    return true;
}

int admin_webhook_remove(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    if (!param_id(req, &id))
        return admin_error_page(ar, res, 404, "No such webhook.");
    int rc = store_webhook_remove(ar->ad->store, id);
    if (rc == ERR_NOT_FOUND)
        return admin_error_page(ar, res, 404, "No such webhook.");
    if (rc != 0)
        return 500;
    admin_audit(ar, "webhook.remove", "webhook:%" PRId64, id);
    return webhooks_page(ar, res, NULL, "Webhook removed.", NULL, 200);
}

static json_t *webhook_json(const struct webhook *w)
{
    json_t *ev = json_array();
    const char *p = w->events;
    while (*p) {
        size_t k = strcspn(p, ",");
        json_array_append_new(ev, json_stringn(p, k));
        p += k + (p[k] == ',');
    }
    return json_pack("{s:I,s:s,s:o,s:b,s:{s:I,s:I,s:I}}", "id",
                     (json_int_t)w->id, "url", w->url, "events", ev, "signed",
                     w->has_secret, "deliveries", "pending",
                     (json_int_t)w->pending, "delivered",
                     (json_int_t)w->delivered, "failed", (json_int_t)w->failed);
}

int admin_api_webhooks(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct webhook *w;
    size_t n;
    if (store_webhooks_list(ar->ad->store, req->arena, &w, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot read webhooks");
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, webhook_json(&w[i]));
    return admin_json_reply(res, 200, json_pack("{s:o}", "webhooks", list));
}

int admin_api_webhook_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    static const struct json_field fields[] = {
        {"url", JF_STRING, true, 2048},
        {"events", JF_STRINGS, true, HOOKS_NEVENTS},
        {"secret", JF_STRING, false, SECRET_MAX},
    };
    struct json_value v[3];
    int rc = admin_json_read(ar, res, fields, 3, v);
    if (rc != 0)
        return rc;
    if (!hooks_url_ok(v[0].s))
        return admin_json_error(res, 422, "invalid",
                                "url must be an http(s) URL");
    struct buf ev;
    buf_init_arena(&ev, req->arena, 256);
    for (size_t i = 0; i < v[1].n; i++) {
        if (i)
            buf_append_char(&ev, ',');
        buf_append_cstr(&ev, v[1].list[i]);
    }
    if (buf_error(&ev) || !ev.len || !hooks_events_ok(ev.ptr))
        return admin_json_error(res, 422, "invalid",
                                "events must be some of article.published, "
                                "article.updated, article.deleted, "
                                "issue.published, none twice");
    const char *secret = v[2].present ? v[2].s : NULL;
    if (secret && strlen(secret) < SECRET_MIN)
        return admin_json_error(res, 422, "invalid",
                                "secret must have 8 to 256 characters");
    int64_t id;
    if (store_webhook_add(ar->ad->store, v[0].s, ev.ptr, secret, &id) != 0)
        return admin_json_error(res, 500, "internal", "cannot add it");
    admin_audit(ar, "webhook.add", "webhook:%" PRId64 " %s for %s", id, v[0].s,
                ev.ptr);
    struct webhook w = {.id = id,
                        .url = v[0].s,
                        .events = ev.ptr,
                        .has_secret = secret != NULL};
    return admin_json_reply(res, 201, webhook_json(&w));
}

int admin_api_webhook_remove(struct request *req, struct response *res,
                             void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    if (!param_id(req, &id))
        return admin_json_error(res, 404, "not_found", "no such webhook");
    int rc = store_webhook_remove(ar->ad->store, id);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such webhook");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot remove it");
    admin_audit(ar, "webhook.remove", "webhook:%" PRId64, id);
    res->content_type = "application/json";
    return 204;
}
