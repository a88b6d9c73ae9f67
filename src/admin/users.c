/*
 * users.c - accounts through the admin API (admin role):
 *   GET  /api/admin/users            the list
 *   POST /api/admin/users            {email, name, role, password} -> 201
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "content/email.h"
#include "core/arena.h"

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
                                "characters", AUTH_PASSWORD_MIN);
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
    admin_audit(ar, "user.add", "user:%lld %s role=%s", (long long)id,
                v[0].s, v[2].s);
    struct user u;
    if (store_user_by_id(ar->ad->store, req->arena, id, &u) != 0)
        return admin_json_error(res, 500, "internal", "cannot read the user");
    response_header(res, "Location",
                    arena_printf(req->arena, "/api/admin/users/%lld",
                                 (long long)id));
    return admin_json_reply(res, 201, user_json(&u));
}
