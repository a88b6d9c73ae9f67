/*
 * users.c - accounts, for admins: the admin API and the /admin/users page.
 *   GET  /api/admin/users            the list
 *   POST /api/admin/users            {email, name, role, password} -> 201
 *   GET  /admin/users                list, add form, roles, require TOTP
 *   POST /admin/users                add
 *   POST /admin/users/{id}/role      role
 *   POST /admin/users/{id}/disable   (and /enable); disabling ends sessions
 *   POST /admin/users/require-totp   require=1 or not
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "content/email.h"
#include "core/arena.h"
#include "render/value.h"
#include "store/store.h"

#include <stdint.h>
#include <string.h>

static json_t *user_json(const struct user *u)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:I}", "id", (json_int_t)u->id,
                     "email", u->email, "name", u->name, "role", u->role,
                     "disabled", u->disabled, "totp", u->totp_secret != NULL,
                     "created_at", (json_int_t)u->created_at);
}

int admin_api_users(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct user *u;
    size_t n;
    if (store_users_list(ar->ad->store, req->arena, &u, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot read users");
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, user_json(&u[i]));
    return admin_json_reply(res, 200, json_pack("{s:o}", "users", list));
}

int admin_api_user_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    static const struct json_field fields[] = {
        {"email", JF_STRING, true, 254},
        {"name", JF_STRING, true, 200},
        {"role", JF_STRING, true, 16},
        {"password", JF_STRING, true, AUTH_PASSWORD_MAX},
    };
    struct json_value v[4];
    int status = admin_json_read(ar, res, fields, 4, v);
    if (status != 0)
        return status;
    if (!email_valid(v[0].s))
        return admin_json_error(res, 422, "invalid",
                                "field 'email' is not an email address");
    if (!*v[1].s)
        return admin_json_error(res, 422, "invalid",
                                "field 'name' must not be empty");
    if (admin_role_of(v[2].s) == ROLE_NONE)
        return admin_json_error(res, 422, "invalid",
                                "field 'role' must be admin, editor or "
                                "author");
    if (strlen(v[3].s) < AUTH_PASSWORD_MIN)
        return admin_json_error(res, 422, "invalid",
                                "field 'password' must have at least %d "
                                "characters",
                                AUTH_PASSWORD_MIN);
    char hash[AUTH_HASH_MAX];
    if (auth_password_hash(v[3].s, hash) != 0)
        return admin_json_error(res, 422, "invalid",
                                "field 'password' is too long");
    int64_t id;
    int rc = store_user_add(ar->ad->store, v[0].s, v[1].s, v[2].s, hash,
                            ar->now, &id);
    if (rc == ERR_EXISTS)
        return admin_json_error(res, 409, "exists",
                                "a user with this email address exists");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot add the user");
    admin_audit(ar, "user.add", "user:%lld %s role=%s", (long long)id, v[0].s,
                v[2].s);
    struct user u;
    if (store_user_by_id(ar->ad->store, req->arena, id, &u) != 0)
        return admin_json_error(res, 500, "internal", "cannot read the user");
    response_header(
        res, "Location",
        arena_printf(req->arena, "/api/admin/users/%lld", (long long)id));
    return admin_json_reply(res, 201, user_json(&u));
}

/* --- the pages (admin) --------------------------------------------- */

static int users_page(struct admin_req *ar, struct response *res,
                      const char *ok, const char *error, int status)
{
    struct arena *a = ar->req->arena;
    struct user *u;
    size_t n;
    if (store_users_list(ar->ad->store, a, &u, &n) != 0)
        return 500;
    struct tval *c = admin_context(ar, "Users");
    struct tval *list = tv_list(a);
    static const char *const roles[] = {"admin", "editor", "author"};
    for (size_t i = 0; i < n; i++) {
        struct tval *e = tv_map(a);
        tv_set_int(a, e, "id", u[i].id);
        tv_set_str(a, e, "email", u[i].email);
        tv_set_str(a, e, "name", u[i].name);
        tv_set_str(a, e, "role", u[i].role);
        tv_set_bool(a, e, "disabled", u[i].disabled);
        tv_set_bool(a, e, "totp", u[i].totp_secret != NULL);
        tv_set_bool(a, e, "self", u[i].id == ar->user.id);
        struct tval *opts = tv_list(a);
        for (size_t k = 0; k < 3; k++) {
            struct tval *o = tv_map(a);
            tv_set_str(a, o, "value", roles[k]);
            tv_set_bool(a, o, "selected", strcmp(roles[k], u[i].role) == 0);
            tv_push(a, opts, o);
        }
        tv_set(a, e, "roles", opts);
        tv_push(a, list, e);
    }
    tv_set(a, c, "users", list);
    tv_set_bool(a, c, "totp_required", admin_totp_required(ar->ad, a));
    if (ok)
        tv_set_str(a, c, "ok", ok);
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "users", c, status);
}

int admin_users(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return users_page(ctx, res, NULL, NULL, 200);
}

int admin_user_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    const char *email = admin_form(ar, "email");
    const char *name = admin_form(ar, "name");
    const char *role = admin_form(ar, "role");
    const char *pw = admin_form(ar, "password");
    if (!email || !email_valid(email))
        return users_page(ar, res, NULL, "Enter a valid email address.", 400);
    if (!name || !*name || strlen(name) > 200)
        return users_page(ar, res, NULL,
                          "Enter a name (up to 200 "
                          "characters).",
                          400);
    if (admin_role_of(role) == ROLE_NONE)
        return users_page(ar, res, NULL, "Choose a role.", 400);
    char hash[AUTH_HASH_MAX];
    if (!pw || strlen(pw) < AUTH_PASSWORD_MIN ||
        auth_password_hash(pw, hash) != 0)
        return users_page(ar, res, NULL,
                          "A password needs at least 10 characters.", 400);
    int64_t id;
    int rc =
        store_user_add(ar->ad->store, email, name, role, hash, ar->now, &id);
    if (rc == ERR_EXISTS)
        return users_page(ar, res, NULL,
                          "A user with this email address exists.", 409);
    if (rc != 0)
        return 500;
    admin_audit(ar, "user.add", "user:%lld %s role=%s", (long long)id, email,
                role);
    return users_page(ar, res, "User added.", NULL, 200);
}

/* target reads the {id} of /admin/users/{id}/... */
static int target(struct admin_req *ar, struct user *u)
{
    long long id;
    if (str_to_i64(ar->req->params[0], 1, INT64_MAX, &id) != 0)
        return 404;
    int rc = store_user_by_id(ar->ad->store, ar->req->arena, id, u);
    return rc == ERR_NOT_FOUND ? 404 : rc != 0 ? 500 : 0;
}

int admin_user_role(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    struct user u;
    int st = target(ar, &u);
    if (st)
        return st;
    const char *role = admin_form(ar, "role");
    if (admin_role_of(role) == ROLE_NONE)
        return users_page(ar, res, NULL, "Choose a role.", 400);
    if (u.id == ar->user.id && strcmp(role, "admin") != 0)
        return users_page(ar, res, NULL,
                          "You cannot take away your own admin role.", 409);
    if (store_user_set_role(ar->ad->store, u.id, role, ar->now) != 0)
        return 500;
    admin_audit(ar, "user.role", "user:%lld %s role=%s", (long long)u.id,
                u.email, role);
    return users_page(ar, res, "Role changed.", NULL, 200);
}

int admin_user_disable(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct user u;
    int st = target(ar, &u);
    if (st)
        return st;
    /* One handler for .../disable and .../enable (the router matched). */
    bool off = req->path.len >= 8 &&
               str_eq_cstr((struct str){req->path.ptr + req->path.len - 8, 8},
                           "/disable");
    if (u.id == ar->user.id && off)
        return users_page(ar, res, NULL, "You cannot disable yourself.", 409);
    if (store_user_set_disabled(ar->ad->store, u.id, off, ar->now) != 0)
        return 500;
    admin_audit(ar, off ? "user.disable" : "user.enable", "user:%lld %s",
                (long long)u.id, u.email);
    return users_page(
        ar, res, off ? "User disabled; their sessions ended." : "User enabled.",
        NULL, 200);
}

int admin_require_totp(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    const char *on = admin_form(ar, "require");
    bool yes = on && strcmp(on, "1") == 0;
    if (yes && !ar->user.totp_secret)
        return users_page(ar, res, NULL,
                          "Set up two-factor authentication for your own "
                          "account first.",
                          409);
    if (store_setting_set(ar->ad->store, "admin.require_totp",
                          yes ? "1" : NULL) != 0)
        return 500;
    admin_audit(ar, "settings.require_totp", "%s", yes ? "on" : "off");
    return users_page(ar, res,
                      yes ? "Two-factor authentication is now required."
                          : "Two-factor authentication is now optional.",
                      NULL, 200);
}
