/*
 * session.c - server-side sessions behind the quire_session cookie.
 *
 * The cookie holds 256 random bits (base64url); the database holds only
 * their BLAKE2b hash, the user, the session's CSRF token and two times:
 * a session ends 12 hours after it was last seen or 14 days after login,
 * whichever comes first. seen_at is written at most once a minute so that
 * browsing the back office is not a stream of writes.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "core/arena.h"
#include "core/log.h"

#include <string.h>

const char *admin_cookie(const struct request *req, const char *name)
{
    return admin_cookie_find(req->arena, request_header(req, "Cookie"), name);
}

const char *admin_cookie_find(struct arena *a, const char *h, const char *name)
{
    size_t n = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';')
            h++;
        size_t len = strcspn(h, ";");
        if (len > n && strncmp(h, name, n) == 0 && h[n] == '=')
            return arena_strndup(a, h + n + 1, len - n - 1);
        h += len;
    }
    return NULL;
}

void admin_set_cookie(struct admin_req *ar, struct response *res,
                      const char *name, const char *value, const char *path,
                      long max_age)
{
    bool https = ar->ad->is_https && ar->ad->is_https(ar->ad->https_ctx);
    response_header(res, "Set-Cookie",
                    arena_printf(ar->req->arena,
                                 "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; "
                                 "SameSite=Strict%s",
                                 name, value, path, max_age,
                                 https ? "; Secure" : ""));
}

/* well_formed: shaped like one of our ids (so junk costs no query). */
static bool well_formed(const char *v)
{
    if (strlen(v) != AUTH_TOKEN_LEN)
        return false;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return false;
    return true;
}

bool admin_session_load(struct admin_req *ar)
{
    struct store *s = ar->ad->store;
    struct arena *a = ar->req->arena;
    const char *v = admin_cookie(ar->req, ADMIN_COOKIE);
    if (!v || !well_formed(v))
        return false;
    auth_hash_hex(v, strlen(v), ar->sid_hash);
    if (store_session_get(s, a, ar->sid_hash, &ar->sess) != 0)
        goto none;
    if (ar->now - ar->sess.seen_at >= ADMIN_IDLE_S ||
        ar->now - ar->sess.created_at >= ADMIN_ABSOLUTE_S) {
        if (store_session_delete(s, ar->sid_hash) != 0)
            log_warn("cannot delete an expired session");
        goto none;
    }
    if (store_user_by_id(s, a, ar->sess.user_id, &ar->user) != 0 ||
        ar->user.disabled)
        goto none;
    ar->role = admin_role_of(ar->user.role);
    if (ar->role == ROLE_NONE)
        goto none;
    if (ar->now - ar->sess.seen_at >= ADMIN_TOUCH_S &&
        store_session_touch(s, ar->sid_hash, ar->now, false) != 0)
        log_warn("cannot mark a session seen");
    ar->logged_in = true;
    ar->csrf = ar->sess.csrf;
    ar->who = ar->user.email;
    return true;
none:
    ar->sid_hash[0] = '\0';
    memset(&ar->sess, 0, sizeof(ar->sess));
    return false;
}

int admin_session_start(struct admin_req *ar, struct response *res,
                        const struct user *u, bool pending)
{
    struct store *s = ar->ad->store;
    char id[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1];
    auth_random_token(id);
    auth_random_token(csrf);
    auth_hash_hex(id, strlen(id), ar->sid_hash);
    /* Drop everyone's dead sessions now and then: at each login. */
    if (store_sessions_prune(s, ar->now - ADMIN_IDLE_S,
                             ar->now - ADMIN_ABSOLUTE_S) != 0)
        log_warn("cannot prune expired sessions");
    int rc = store_session_add(s, ar->sid_hash, u->id, csrf, pending, ar->now);
    if (rc != 0)
        return rc;
    ar->logged_in = true;
    ar->user = *u;
    ar->role = admin_role_of(u->role);
    ar->who = u->email;
    ar->csrf = arena_strdup(ar->req->arena, csrf);
    ar->sess = (struct session){.user_id = u->id,
                                .csrf = ar->csrf,
                                .created_at = ar->now,
                                .seen_at = ar->now,
                                .pending = pending};
    admin_set_cookie(ar, res, ADMIN_COOKIE, id, "/", ADMIN_ABSOLUTE_S);
    return 0;
}

void admin_session_end(struct admin_req *ar, struct response *res)
{
    if (ar->sid_hash[0] &&
        store_session_delete(ar->ad->store, ar->sid_hash) != 0)
        log_warn("cannot delete a session at logout");
    ar->sid_hash[0] = '\0';
    ar->logged_in = false;
    admin_set_cookie(ar, res, ADMIN_COOKIE, "", "/", 0);
}
