/*
 * admin.c - the back office's route table and the one place its rules
 * are enforced.
 *
 * Every /admin/... and /api/admin/... request passes admin_app, which
 * matches the route, then, before any handler runs:
 * - API: needs "Authorization: Bearer TOKEN" (cookies are ignored, so no
 *   CSRF), the route's role, and a JSON content type where a body is
 *   taken; every refusal is a JSON error.
 * - Pages: reads the session cookie; a POST must come from our own origin
 *   (Origin, else Referer, when sent) and carry the CSRF token (form field
 *   csrf or header X-CSRF-Token: the session's, or before login the
 *   double-submit token of the login cookie); then the session and role.
 * So a handler only ever sees requests it may serve.
 *
 * To add a page or an endpoint: one line in routes[] below (and, for a
 * page in the menu, one in nav[]). See /work/wt/accounts.READY's guide or
 * docs/admin-api.md.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"
#include "admin/limiter.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/xalloc.h"
#include "http/router.h"
#include "http/static.h"
#include "render/mustache.h"
#include "render/value.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum { API_FAIL_ADDRESS = 30 }; /* bad tokens per address in 15 min */

static const struct route routes[] = {
    /* Pages */
    {HTTP_GET, "/admin", admin_dashboard, 0},
    {HTTP_GET, "/admin/", admin_dashboard, 0},
    {HTTP_GET, "/admin/login", admin_login_page, AR_PUBLIC},
    {HTTP_POST, "/admin/login", admin_login_post, AR_PUBLIC | ROUTE_FORM},
    {HTTP_POST, "/admin/logout", admin_logout, AR_PENDING | ROUTE_FORM},
    {HTTP_GET, "/admin/assets/*", admin_asset, AR_PUBLIC},
    {HTTP_GET, "/admin/login/totp", admin_login_totp_page, AR_PENDING},
    {HTTP_POST, "/admin/login/totp", admin_login_totp, AR_PENDING | ROUTE_FORM},
    {HTTP_GET, "/admin/account", admin_account, AR_ENROL},
    {HTTP_POST, "/admin/account/password", admin_account_password,
     AR_ENROL | ROUTE_FORM},
    {HTTP_GET, "/admin/account/totp", admin_account_totp_page, AR_ENROL},
    {HTTP_POST, "/admin/account/totp", admin_account_totp,
     AR_ENROL | ROUTE_FORM},
    {HTTP_POST, "/admin/account/totp/disable", admin_account_totp_disable,
     ROUTE_FORM},
    {HTTP_GET, "/admin/newsletter", admin_newsletter, AR_EDITOR},
    {HTTP_GET, "/admin/newsletter/preview", admin_newsletter_preview,
     AR_EDITOR},
    {HTTP_POST, "/admin/newsletter", admin_newsletter_queue,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_GET, "/admin/subscribers", admin_subscribers, AR_EDITOR},
    {HTTP_GET, "/admin/subscribers.csv", admin_subscribers_csv, AR_EDITOR},
    {HTTP_POST, "/admin/subscribers/remove", admin_subscriber_remove,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_GET, "/admin/users", admin_users, AR_ADMIN},
    {HTTP_POST, "/admin/users", admin_user_add, AR_ADMIN | ROUTE_FORM},
    {HTTP_POST, "/admin/users/require-totp", admin_require_totp,
     AR_ADMIN | ROUTE_FORM},
    {HTTP_POST, "/admin/users/{}/role", admin_user_role, AR_ADMIN | ROUTE_FORM},
    {HTTP_POST, "/admin/users/{}/disable", admin_user_disable,
     AR_ADMIN | ROUTE_FORM},
    {HTTP_POST, "/admin/users/{}/enable", admin_user_disable,
     AR_ADMIN | ROUTE_FORM},
    {HTTP_GET, "/admin/tokens", admin_tokens, AR_ADMIN},
    {HTTP_POST, "/admin/tokens", admin_token_add, AR_ADMIN | ROUTE_FORM},
    {HTTP_POST, "/admin/tokens/{}/revoke", admin_token_revoke,
     AR_ADMIN | ROUTE_FORM},
    {HTTP_GET, "/admin/audit", admin_audit_page, AR_ADMIN},
    {HTTP_GET, "/admin/webhooks", admin_webhooks, AR_ADMIN},
    {HTTP_POST, "/admin/webhooks", admin_webhook_add, AR_ADMIN | ROUTE_FORM},
    {HTTP_POST, "/admin/webhooks/{}/remove", admin_webhook_remove,
     AR_ADMIN | ROUTE_FORM},
    {HTTP_GET, "/api/admin/webhooks", admin_api_webhooks, AR_ADMIN},
    {HTTP_POST, "/api/admin/webhooks", admin_api_webhook_add,
     AR_ADMIN | AR_JSON},
    {HTTP_DELETE, "/api/admin/webhooks/{}", admin_api_webhook_remove, AR_ADMIN},
    {HTTP_GET, "/admin/issues", admin_issues, AR_EDITOR},
    {HTTP_POST, "/admin/issues", admin_issue_add, AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/issues/publish", admin_issue_publish,
     AR_EDITOR | ROUTE_FORM},
    /* issue assembly and authors (assembly.c, authors.c) */
    {HTTP_GET, "/admin/issues/{}", admin_issue_page, AR_EDITOR},
    {HTTP_POST, "/admin/issues/{}", admin_issue_save, AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/issues/{}/add", admin_issue_article_add,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/issues/{}/remove", admin_issue_article_remove,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/issues/{}/move", admin_issue_move,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/issues/{}/delete", admin_issue_delete,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_GET, "/admin/authors", admin_authors, AR_EDITOR},
    {HTTP_GET, "/admin/authors/{}", admin_author_edit, AR_EDITOR},
    {HTTP_POST, "/admin/authors/{}", admin_author_save, AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/authors/{}/delete", admin_author_delete,
     AR_EDITOR | ROUTE_FORM},
    /* sections and settings (sections.c) */
    {HTTP_GET, "/admin/sections", admin_sections, AR_EDITOR},
    {HTTP_POST, "/admin/sections", admin_section_add, AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/sections/{}", admin_section_save,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/sections/{}/delete", admin_section_delete,
     AR_EDITOR | ROUTE_FORM},
    /* the side modules (modules.c) */
    {HTTP_GET, "/admin/links", admin_links, AR_EDITOR},
    {HTTP_POST, "/admin/links", admin_link_add, AR_EDITOR | ROUTE_FORM},
    {HTTP_GET, "/admin/links/{}", admin_link_edit, AR_EDITOR},
    {HTTP_POST, "/admin/links/{}", admin_link_save, AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/links/{}/move", admin_link_move,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/links/{}/delete", admin_link_delete,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_GET, "/admin/publications", admin_publications, AR_EDITOR},
    {HTTP_POST, "/admin/publications", admin_publication_add,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_GET, "/admin/publications/{}", admin_publication_edit, AR_EDITOR},
    {HTTP_POST, "/admin/publications/{}", admin_publication_save,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_POST, "/admin/publications/{}/delete", admin_publication_delete,
     AR_EDITOR | ROUTE_FORM},
    {HTTP_GET, "/admin/settings", admin_settings, AR_ADMIN},
    {HTTP_POST, "/admin/settings", admin_settings_save, AR_ADMIN | ROUTE_FORM},
    {HTTP_GET, "/admin/articles", admin_articles, 0},
    {HTTP_POST, "/admin/articles", admin_article_create, ROUTE_FORM},
    {HTTP_GET, "/admin/articles/{}", admin_article_edit, 0},
    {HTTP_POST, "/admin/articles/{}", admin_article_save, ROUTE_FORM},
    {HTTP_POST, "/admin/articles/{}/delete", admin_article_delete, ROUTE_FORM},
    {HTTP_GET, "/admin/articles/{}/revisions", admin_article_revisions, 0},
    {HTTP_POST, "/admin/articles/{}/preview", admin_article_preview,
     ROUTE_FORM},
    {HTTP_POST, "/admin/articles/{}/revisions/{}/restore",
     admin_article_restore, ROUTE_FORM},
    /* The admin API */
    {HTTP_GET, "/api/admin/me", admin_api_me, 0},
    {HTTP_GET, "/api/admin/subscribers", admin_api_subscribers, AR_EDITOR},
    {HTTP_DELETE, "/api/admin/subscribers/{}", admin_api_subscriber_remove,
     AR_EDITOR},
    {HTTP_GET, "/api/admin/users", admin_api_users, AR_ADMIN},
    {HTTP_POST, "/api/admin/users", admin_api_user_add, AR_ADMIN | AR_JSON},
    {HTTP_GET, "/api/admin/tokens", admin_api_tokens, AR_ADMIN},
    {HTTP_POST, "/api/admin/tokens", admin_api_token_add, AR_ADMIN | AR_JSON},
    {HTTP_DELETE, "/api/admin/tokens/{}", admin_api_token_revoke, AR_ADMIN},
    {HTTP_GET, "/api/admin/articles", admin_api_articles, 0},
    {HTTP_POST, "/api/admin/articles", admin_api_article_add, AR_JSON},
    {HTTP_GET, "/api/admin/articles/{}", admin_api_article, 0},
    {HTTP_PUT, "/api/admin/articles/{}", admin_api_article_put, AR_JSON},
    {HTTP_DELETE, "/api/admin/articles/{}", admin_api_article_delete, 0},
    {HTTP_GET, "/api/admin/articles/{}/revisions", admin_api_article_revisions,
     0},
    {HTTP_POST, "/api/admin/articles/{}/revisions/{}/restore",
     admin_api_article_restore, 0},
    {HTTP_POST, "/api/admin/issues", admin_api_issue_add, AR_EDITOR | AR_JSON},
    {HTTP_POST, "/api/admin/issues/{}/publish", admin_api_issue_publish,
     AR_EDITOR},
    {HTTP_GET, "/api/admin/issues", admin_api_issues, 0},
    {HTTP_GET, "/api/admin/issues/{}", admin_api_issue, 0},
    {HTTP_PUT, "/api/admin/issues/{}", admin_api_issue_put,
     AR_EDITOR | AR_JSON},
    {HTTP_DELETE, "/api/admin/issues/{}", admin_api_issue_delete, AR_EDITOR},
    {HTTP_GET, "/api/admin/authors", admin_api_authors, 0},
    {HTTP_GET, "/api/admin/authors/{}", admin_api_author, 0},
    {HTTP_PUT, "/api/admin/authors/{}", admin_api_author_put,
     AR_EDITOR | AR_JSON},
    {HTTP_DELETE, "/api/admin/authors/{}", admin_api_author_delete, AR_EDITOR},
    {HTTP_GET, "/api/admin/sections", admin_api_sections, AR_EDITOR},
    {HTTP_POST, "/api/admin/sections", admin_api_section_add,
     AR_EDITOR | AR_JSON},
    {HTTP_GET, "/api/admin/sections/{}", admin_api_section, AR_EDITOR},
    {HTTP_PUT, "/api/admin/sections/{}", admin_api_section_put,
     AR_EDITOR | AR_JSON},
    {HTTP_DELETE, "/api/admin/sections/{}", admin_api_section_delete,
     AR_EDITOR},
    {HTTP_GET, "/api/admin/links", admin_api_links, AR_EDITOR},
    {HTTP_POST, "/api/admin/links", admin_api_link_add, AR_EDITOR | AR_JSON},
    {HTTP_GET, "/api/admin/links/{}", admin_api_link, AR_EDITOR},
    {HTTP_PUT, "/api/admin/links/{}", admin_api_link_put, AR_EDITOR | AR_JSON},
    {HTTP_DELETE, "/api/admin/links/{}", admin_api_link_delete, AR_EDITOR},
    {HTTP_GET, "/api/admin/publications", admin_api_publications, AR_EDITOR},
    {HTTP_POST, "/api/admin/publications", admin_api_publication_add,
     AR_EDITOR | AR_JSON},
    {HTTP_GET, "/api/admin/publications/{}", admin_api_publication, AR_EDITOR},
    {HTTP_PUT, "/api/admin/publications/{}", admin_api_publication_put,
     AR_EDITOR | AR_JSON},
    {HTTP_DELETE, "/api/admin/publications/{}", admin_api_publication_delete,
     AR_EDITOR},
    {HTTP_GET, "/api/admin/settings", admin_api_settings, AR_ADMIN},
    {HTTP_PUT, "/api/admin/settings", admin_api_settings_put,
     AR_ADMIN | AR_JSON},
    /* The media library (media.c): multipart uploads */
    {HTTP_GET, "/admin/media", admin_media_page, 0},
    {HTTP_POST, "/admin/media", admin_media_post, 0},
    {HTTP_POST, "/api/admin/media", admin_api_media_add, 0},
    {HTTP_GET, "/api/admin/media", admin_api_media, 0},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* The menu: a page appears to the roles that may open it. */
static const struct nav_entry {
    const char *href, *label;
    enum admin_role level;
} nav[] = {
    {"/admin/", "Dashboard", ROLE_AUTHOR},
    {"/admin/articles", "Articles", ROLE_AUTHOR},
    {"/admin/issues", "Issues", ROLE_EDITOR},
    {"/admin/authors", "Authors", ROLE_EDITOR},
    {"/admin/sections", "Sections", ROLE_EDITOR},
    {"/admin/links", "Visit also", ROLE_EDITOR},
    {"/admin/publications", "Publications", ROLE_EDITOR},
    {"/admin/newsletter", "Newsletter", ROLE_EDITOR},
    {"/admin/subscribers", "Subscribers", ROLE_EDITOR},
    {"/admin/users", "Users", ROLE_ADMIN},
    {"/admin/tokens", "API tokens", ROLE_ADMIN},
    {"/admin/audit", "Audit log", ROLE_ADMIN},
    {"/admin/webhooks", "Webhooks", ROLE_ADMIN},
    {"/admin/settings", "Settings", ROLE_ADMIN},
    {"/admin/account", "Account", ROLE_AUTHOR},
    {"/admin/media", "Media", ROLE_AUTHOR},
};

enum admin_role admin_role_of(const char *name)
{
    if (!name)
        return ROLE_NONE;
    if (strcmp(name, "admin") == 0)
        return ROLE_ADMIN;
    if (strcmp(name, "editor") == 0)
        return ROLE_EDITOR;
    if (strcmp(name, "author") == 0)
        return ROLE_AUTHOR;
    return ROLE_NONE;
}

bool admin_role_can(enum admin_role role, enum admin_role level)
{
    return role != ROLE_NONE && role >= level;
}

bool admin_claims(struct str path)
{
    static const struct str pre[] = {{"/admin", 6}, {"/api/admin", 10}};
    for (size_t i = 0; i < 2; i++)
        if (str_starts_with(path, pre[i]) &&
            (path.len == pre[i].len || path.ptr[pre[i].len] == '/'))
            return true;
    return false;
}

/* --- pages ---------------------------------------------------------- */

struct tval *admin_context(struct admin_req *ar, const char *title)
{
    struct arena *a = ar->req->arena;
    struct tval *ctx = tv_map(a);
    tv_set_str(a, ctx, "title", title);
    tv_set_str(a, ctx, "csrf", ar->csrf ? ar->csrf : "");
    if (ar->logged_in && !ar->sess.pending) {
        struct tval *u = tv_map(a);
        tv_set_str(a, u, "name", ar->user.name);
        tv_set_str(a, u, "email", ar->user.email);
        tv_set_str(a, u, "role", ar->user.role);
        tv_set(a, ctx, "user", u);
        tv_set_bool(a, ctx, "is_admin", ar->role == ROLE_ADMIN);
        tv_set_bool(a, ctx, "is_editor", ar->role >= ROLE_EDITOR);
        struct tval *list = tv_list(a);
        for (size_t i = 0; i < sizeof(nav) / sizeof(nav[0]); i++) {
            if (!admin_role_can(ar->role, nav[i].level))
                continue;
            struct tval *e = tv_map(a);
            tv_set_str(a, e, "href", nav[i].href);
            tv_set_str(a, e, "label", nav[i].label);
            /* the current page: its own path, or a page under it */
            size_t n = strlen(nav[i].href);
            bool here = strcmp(nav[i].href, "/admin/") == 0
                            ? str_eq_cstr(ar->req->path, "/admin/") ||
                                  str_eq_cstr(ar->req->path, "/admin")
                            : ar->req->path.len >= n &&
                                  memcmp(ar->req->path.ptr, nav[i].href, n) ==
                                      0;
            tv_set_bool(a, e, "current", here);
            tv_push(a, list, e);
        }
        tv_set(a, ctx, "nav", list);
    }
    return ctx;
}

int admin_render(struct admin_req *ar, struct response *res, const char *name,
                 struct tval *ctx, int status)
{
    buf_reset(&res->body);
    int rc = tpl_render(ar->ad->tpl, name, ctx, &res->body);
    if (rc == 0)
        rc = buf_error(&res->body);
    if (rc != 0) {
        log_error("rendering admin template '%s': %s", name, err_str(rc));
        buf_reset(&res->body);
        return 500;
    }
    res->content_type = "text/html; charset=utf-8";
    return status;
}

int admin_redirect(struct response *res, const char *location)
{
    response_header(res, "Location", location);
    return 303;
}

bool admin_param_id(struct admin_req *ar, int64_t *id)
{
    long long v;
    if (str_to_i64(ar->req->params[0], 1, INT64_MAX, &v) != 0)
        return false;
    *id = v;
    return true;
}

const char *admin_form(struct admin_req *ar, const char *name)
{
    return request_form_field(ar->req, name);
}

int admin_error_page(struct admin_req *ar, struct response *res, int status,
                     const char *message)
{
    struct tval *ctx = admin_context(ar, http_status_text(status));
    tv_set_int(ar->req->arena, ctx, "status", status);
    tv_set_str(ar->req->arena, ctx, "message",
               message ? message : http_status_text(status));
    int rc = admin_render(ar, res, "error", ctx, status);
    return rc == 500 && status != 500 ? 500 : status;
}

int admin_asset(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    return static_serve(req, res, ar->ad->assets_dir, req->params[0]);
}

/* --- the checks ---------------------------------------------------- */

/* host_of: the host[:port] of an absolute URL ("" if none). */
static struct str host_of(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return (struct str){"", 0};
    p += 3;
    size_t n = strcspn(p, "/?#");
    return (struct str){p, n};
}

/* same_origin: Origin, else Referer, names our Host (or neither sent). */
static bool same_origin(const struct request *req)
{
    const char *host = request_header(req, "Host");
    const char *origin = request_header(req, "Origin");
    const char *from = origin ? origin : request_header(req, "Referer");
    if (!from)
        return true;
    if (!host)
        return false;
    struct str h = host_of(from);
    return h.len == strlen(host) && strncasecmp(h.ptr, host, h.len) == 0;
}

/* csrf_ok: does the request carry the token forms must carry? */
static bool csrf_ok(struct admin_req *ar)
{
    const char *sent = request_header(ar->req, "X-CSRF-Token");
    if (!sent)
        sent = admin_form(ar, "csrf");
    if (!sent) /* an upload form (media.c) */
        sent = admin_multipart_field(ar, "csrf");
    return sent && ar->csrf && *ar->csrf && auth_equal(sent, ar->csrf);
}

static bool is_type(const struct request *req, const char *type)
{
    const char *ct = request_header(req, "Content-Type");
    size_t n = strlen(type);
    return ct && strncasecmp(ct, type, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* api_auth checks the bearer token; 0 or a JSON error's status. */
static int api_auth(struct admin_req *ar, struct response *res)
{
    /* Guessing tokens is as limited as guessing passwords. */
    const char *ikey =
        arena_printf(ar->req->arena, "t:%s", ar->req->remote_addr);
    unsigned wait;
    if (limiter_blocked(ar->ad->limiter, ikey, API_FAIL_ADDRESS, ar->now,
                        &wait)) {
        response_header(res, "Retry-After",
                        arena_printf(ar->req->arena, "%u", wait));
        return admin_json_error(res, 429, "too_many_requests",
                                "too many bad tokens; retry in %u s", wait);
    }
    const char *h = request_header(ar->req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        response_header(res, "WWW-Authenticate", "Bearer");
        return admin_json_error(res, 401, "unauthorized",
                                "send Authorization: Bearer TOKEN");
    }
    const char *tok = h + 7;
    while (*tok == ' ')
        tok++;
    char hash[AUTH_HEX_LEN + 1];
    auth_hash_hex(tok, strlen(tok), hash);
    struct api_token t;
    int rc =
        store_token_by_hash(ar->ad->store, ar->req->arena, hash, ar->now, &t);
    if (rc == ERR_NOT_FOUND) {
        limiter_fail(ar->ad->limiter, ikey, ar->now);
        response_header(res, "WWW-Authenticate",
                        "Bearer error=\"invalid_token\"");
        return admin_json_error(res, 401, "unauthorized",
                                "the token is unknown or revoked");
    }
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read tokens");
    ar->logged_in = true;
    ar->role = admin_role_of(t.role);
    ar->who = arena_printf(ar->req->arena, "token:%s", t.name);
    return 0;
}

static enum admin_role level_of(unsigned flags)
{
    return flags & AR_ADMIN    ? ROLE_ADMIN
           : flags & AR_EDITOR ? ROLE_EDITOR
                               : ROLE_AUTHOR;
}

static int api_app(struct admin_req *ar, struct request *req,
                   struct response *res)
{
    const struct route *r;
    const char *allow;
    res->cache_control = "no-store";
    int rc = router_match(routes, NROUTES, req, &r, &allow);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such endpoint");
    if (rc == ERR_PARSE)
        return admin_json_error(res, 415, "unsupported_media_type",
                                "send an urlencoded form");
    if (rc != 0) {
        res->allow = allow;
        return admin_json_error(res, 405, "method_not_allowed", "allowed: %s",
                                allow);
    }
    int status = api_auth(ar, res);
    if (status != 0)
        return status;
    if (!admin_role_can(ar->role, level_of(r->flags)))
        return admin_json_error(res, 403, "forbidden",
                                "this token's role may not do this");
    if ((r->flags & AR_JSON) && !is_type(req, "application/json"))
        return admin_json_error(res, 415, "unsupported_media_type",
                                "send Content-Type: application/json");
    status = r->handler(req, res, ar);
    if (status >= 400 && res->body.len == 0)
        return admin_json_error(res, status, "error", "%s",
                                http_status_text(status));
    return status;
}

static int page_app(struct admin_req *ar, struct request *req,
                    struct response *res)
{
    const struct route *r;
    const char *allow;
    int rc = router_match(routes, NROUTES, req, &r, &allow);
    if (rc == 0 && (r->flags & AR_PUBLIC) && req->method != HTTP_POST &&
        r->handler == admin_asset)
        return r->handler(req, res, ar); /* assets: no session lookup */
    res->cache_control = "no-store";
    admin_session_load(ar);
    if (rc == ERR_NOT_FOUND)
        return admin_error_page(ar, res, 404, "There is no such page.");
    if (rc == ERR_PARSE)
        return admin_error_page(ar, res, 415, NULL);
    if (rc != 0) {
        res->allow = allow;
        return admin_error_page(ar, res, 405, NULL);
    }
    if (req->method == HTTP_POST) {
        /* The login form carries the login cookie's token, even for a
         * browser holding a session (one awaiting its TOTP code). */
        if (!ar->logged_in || (r->flags & AR_PUBLIC))
            ar->csrf = admin_cookie(req, ADMIN_LOGIN_COOKIE);
        if (!same_origin(req))
            return admin_error_page(ar, res, 403,
                                    "This form was sent from another site.");
        if (!csrf_ok(ar))
            return admin_error_page(
                ar, res, 403,
                "This form has expired or was not sent from this site. "
                "Go back, reload the page and try again.");
        if ((r->flags & ROUTE_FORM) && req->body.len > 0 &&
            !is_type(req, "application/x-www-form-urlencoded"))
            return admin_error_page(ar, res, 415,
                                    "This form must be sent urlencoded.");
    }
    if (!(r->flags & AR_PUBLIC)) {
        if (!ar->logged_in) {
            if (req->method == HTTP_POST)
                return admin_error_page(ar, res, 403,
                                        "Your session has ended; log in.");
            return admin_redirect(res, "/admin/login");
        }
        if (ar->sess.pending && !(r->flags & AR_PENDING))
            return admin_redirect(res, "/admin/login/totp");
        /* An admin may require TOTP of all: enrol before anything else. */
        if (!ar->sess.pending && !ar->user.totp_secret &&
            !(r->flags & (AR_ENROL | AR_PENDING)) &&
            admin_totp_required(ar->ad, req->arena))
            return admin_redirect(res, "/admin/account/totp");
        if (!admin_role_can(ar->role, level_of(r->flags)))
            return admin_error_page(ar, res, 403,
                                    "Your role does not allow this page.");
    }
    int status = r->handler(req, res, ar);
    if (status >= 400 && res->body.len == 0 && res->fd < 0)
        return admin_error_page(ar, res, status, NULL);
    return status;
}

int admin_app(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = arena_zalloc(req->arena, sizeof(*ar));
    ar->ad = ctx;
    ar->req = req;
    ar->now = (int64_t)time(NULL);
    ar->api = str_starts_with(req->path, (struct str){"/api/admin", 10});
    return ar->api ? api_app(ar, req, res) : page_app(ar, req, res);
}

/* --- life ---------------------------------------------------------- */

int admin_open(const struct admin_opts *o, struct admin **out, char *err,
               size_t errlen)
{
    struct admin *ad = xcalloc(1, sizeof(*ad));
    char *dir = NULL;
    int rc = auth_init();
    if (rc != 0) {
        snprintf(err, errlen, "libsodium cannot start");
        goto out;
    }
    ad->store = o->store;
    ad->media_dir = o->media_dir ? xstrdup(o->media_dir) : NULL;
    ad->upload_max = o->upload_max;
    ad->is_https = o->is_https;
    ad->https_ctx = o->https_ctx;
    ad->preview = o->preview;
    ad->preview_ctx = o->preview_ctx;
    ad->theme_dir = o->theme_dir ? xstrdup(o->theme_dir) : NULL;
    ad->mail_from = o->mail_from;
    ad->tpl = tpl_set_new();
    size_t n = strlen(o->dir) + sizeof("/templates");
    dir = xmalloc(n);
    snprintf(dir, n, "%s/templates", o->dir);
    ad->assets_dir = xmalloc(n);
    snprintf(ad->assets_dir, n, "%s/assets", o->dir);
    rc = tpl_set_load_dir(ad->tpl, dir, err, errlen);
    if (rc != 0)
        goto out;
    static const char *const required[] = {"login", "dashboard", "error"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (!tpl_set_has(ad->tpl, required[i])) {
            snprintf(err, errlen, "%s/%s.mustache: missing", dir, required[i]);
            rc = ERR_NOT_FOUND;
            goto out;
        }
    }
    /* 4,096 counters (96 KB): accounts and addresses under attack. */
    ad->limiter = limiter_new(4096, 15 * 60);
    *out = ad;
    ad = NULL;
out:
    free(dir);
    admin_close(ad);
    return rc;
}

void admin_close(struct admin *ad)
{
    if (!ad)
        return;
    limiter_free(ad->limiter);
    tpl_set_free(ad->tpl);
    free(ad->assets_dir);
    free(ad->media_dir);
    free(ad->theme_dir);
    free(ad);
}
