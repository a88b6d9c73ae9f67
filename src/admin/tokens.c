/*
 * tokens.c - the admin API's bearer tokens, for admins:
 *   GET  /admin/tokens               list and add form
 *   POST /admin/tokens               name, role: shows the token once
 *   POST /admin/tokens/{name}/revoke
 *   GET    /api/admin/tokens         the list (never the tokens)
 *   POST   /api/admin/tokens         {name, role} -> 201 with "token"
 *   DELETE /api/admin/tokens/{name}  204
 * The token is shown in the answer to the POST only; the database keeps
 * its BLAKE2b hash.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "core/arena.h"
#include "render/value.h"

#include <string.h>
#include <time.h>

static const char *when(struct arena *a, int64_t t)
{
    if (!t)
        return "never";
    char s[32];
    time_t tt = (time_t)t;
    struct tm tm;
    strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", gmtime_r(&tt, &tm));
    return arena_strdup(a, s);
}

static int tokens_page(struct admin_req *ar, struct response *res,
                       const char *token, const char *ok, const char *error,
                       int status)
{
    struct arena *a = ar->req->arena;
    struct api_token *t;
    size_t n;
    if (store_tokens_list(ar->ad->store, a, &t, &n) != 0)
        return 500;
    struct tval *c = admin_context(ar, "API tokens");
    struct tval *list = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *e = tv_map(a);
        tv_set_str(a, e, "name", t[i].name);
        tv_set_str(a, e, "role", t[i].role);
        tv_set_str(a, e, "created", when(a, t[i].created_at));
        tv_set_str(a, e, "used", when(a, t[i].last_used_at));
        tv_push(a, list, e);
    }
    tv_set(a, c, "tokens", list);
    if (token)
        tv_set_str(a, c, "token", token);
    if (ok)
        tv_set_str(a, c, "ok", ok);
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "tokens", c, status);
}

int admin_tokens(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return tokens_page(ctx, res, NULL, NULL, NULL, 200);
}

bool admin_token_name_ok(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len == 0 || len > 64)
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

int admin_token_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    const char *name = admin_form(ar, "name");
    const char *role = admin_form(ar, "role");
    if (!admin_token_name_ok(name))
        return tokens_page(ar, res, NULL, NULL,
                           "A name has 1 to 64 letters, digits, '-', '_' "
                           "or '.'.",
                           400);
    if (admin_role_of(role) == ROLE_NONE)
        return tokens_page(ar, res, NULL, NULL, "Choose a role.", 400);
    char tok[AUTH_TOKEN_LEN + 1], hash[AUTH_HEX_LEN + 1];
    auth_random_token(tok);
    auth_hash_hex(tok, strlen(tok), hash);
    int rc = store_token_add(ar->ad->store, name, role, hash, ar->now);
    if (rc == ERR_EXISTS)
        return tokens_page(ar, res, NULL, NULL,
                           "A token with this name exists.", 409);
    if (rc != 0)
        return 500;
    admin_audit(ar, "token.add", "token:%s role=%s", name, role);
    return tokens_page(ar, res, arena_strdup(ar->req->arena, tok), NULL, NULL,
                       200);
}

int admin_token_revoke(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    const char *name =
        arena_strndup(req->arena, req->params[0].ptr, req->params[0].len);
    int rc = store_token_revoke(ar->ad->store, name);
    if (rc == ERR_NOT_FOUND)
        return 404;
    if (rc != 0)
        return 500;
    admin_audit(ar, "token.revoke", "token:%s", name);
    return tokens_page(ar, res, NULL, "Token revoked.", NULL, 200);
}

int admin_audit_page(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    struct audit_entry *e;
    size_t n;
    if (store_audit_list(ar->ad->store, a, 500, &e, &n) != 0)
        return 500;
    struct tval *c = admin_context(ar, "Audit log");
    struct tval *list = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *m = tv_map(a);
        char s[32];
        time_t t = (time_t)e[i].at;
        struct tm tm;
        strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        tv_set_str(a, m, "at", arena_strdup(a, s)); /* tv_ keeps pointers */
        tv_set_str(a, m, "who", e[i].who);
        tv_set_str(a, m, "action", e[i].action);
        tv_set_str(a, m, "object", e[i].object);
        tv_push(a, list, m);
    }
    tv_set(a, c, "entries", list);
    return admin_render(ar, res, "audit", c, 200);
}

/* --- the API (admin) ----------------------------------------------- */

int admin_api_tokens(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct api_token *t;
    size_t n;
    if (store_tokens_list(ar->ad->store, req->arena, &t, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot read tokens");
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_pack("{s:s,s:s,s:I}", "name", t[i].name, "role",
                              t[i].role, "created_at",
                              (json_int_t)t[i].created_at);
        json_object_set_new(e, "last_used_at",
                            t[i].last_used_at ? json_integer(t[i].last_used_at)
                                              : json_null());
        json_array_append_new(list, e);
    }
    return admin_json_reply(res, 200, json_pack("{s:o}", "tokens", list));
}

int admin_api_token_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    static const struct json_field fields[] = {
        {"name", JF_STRING, true, 64},
        {"role", JF_STRING, true, 16},
    };
    struct json_value v[2];
    int status = admin_json_read(ar, res, fields, 2, v);
    if (status != 0)
        return status;
    if (!admin_token_name_ok(v[0].s))
        return admin_json_error(res, 422, "invalid",
                                "field 'name' must have 1 to 64 letters, "
                                "digits, '-', '_' or '.'");
    if (admin_role_of(v[1].s) == ROLE_NONE)
        return admin_json_error(res, 422, "invalid",
                                "field 'role' must be admin, editor or "
                                "author");
    char tok[AUTH_TOKEN_LEN + 1], hash[AUTH_HEX_LEN + 1];
    auth_random_token(tok);
    auth_hash_hex(tok, strlen(tok), hash);
    int rc = store_token_add(ar->ad->store, v[0].s, v[1].s, hash, ar->now);
    if (rc == ERR_EXISTS)
        return admin_json_error(res, 409, "exists",
                                "a token with this name exists");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot add the token");
    admin_audit(ar, "token.add", "token:%s role=%s", v[0].s, v[1].s);
    return admin_json_reply(res, 201,
                            json_pack("{s:s,s:s,s:s}", "name", v[0].s, "role",
                                      v[1].s, "token", tok));
}

int admin_api_token_revoke(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    const char *name =
        arena_strndup(req->arena, req->params[0].ptr, req->params[0].len);
    int rc = store_token_revoke(ar->ad->store, name);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such token");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot revoke");
    admin_audit(ar, "token.revoke", "token:%s", name);
    res->content_type = "application/json";
    return 204;
}
