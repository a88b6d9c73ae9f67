/*
 * login.c - logging in and out, the dashboard, and GET /api/admin/me.
 *
 * Before login a form still needs a CSRF token: GET /admin/login sets a
 * random quire_login cookie (Path=/admin/login) and puts the same value in
 * the form; the POST must send both (double submit), and admin.c checks
 * them like a session's token.
 *
 * A wrong password and an unknown or disabled address get the same page,
 * and cost the same argon2id verification (against a dummy hash). Ten
 * failures for one address in 15 minutes, or thirty from one client
 * address, and the answer is 429 with Retry-After, before any hash is
 * checked.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"
#include "admin/limiter.h"

#include "core/arena.h"
#include "core/log.h"
#include "render/value.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { FAIL_ACCOUNT = 10, FAIL_ADDRESS = 30, EMAIL_MAX = 254 };

/* login_form renders the login page with an optional error. */
static int login_form(struct admin_req *ar, struct response *res,
                      const char *email, const char *error, int status)
{
    struct arena *a = ar->req->arena;
    const char *tok = admin_cookie(ar->req, ADMIN_LOGIN_COOKIE);
    if (!tok || strlen(tok) != AUTH_TOKEN_LEN) {
        char fresh[AUTH_TOKEN_LEN + 1];
        auth_random_token(fresh);
        tok = arena_strdup(a, fresh);
        admin_set_cookie(ar, res, ADMIN_LOGIN_COOKIE, tok, "/admin/login",
                         24 * 3600);
    }
    ar->csrf = tok;
    ar->logged_in = false; /* the form is the same for everyone */
    struct tval *ctx = admin_context(ar, "Log in");
    if (email)
        tv_set_str(a, ctx, "email", email);
    if (error)
        tv_set_str(a, ctx, "error", error);
    return admin_render(ar, res, "login", ctx, status);
}

int admin_login_page(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    if (ar->logged_in && !ar->sess.pending)
        return admin_redirect(res, "/admin/");
    return login_form(ar, res, NULL, NULL, 200);
}

/* lower_email: the limiter's key for an address, case-folded. */
static const char *account_key(struct arena *a, const char *email)
{
    char *k = arena_printf(a, "a:%s", email);
    for (char *p = k; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return k;
}

int admin_login_post(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct admin *ad = ar->ad;
    struct arena *a = req->arena;
    const char *email = admin_form(ar, "email");
    const char *pw = admin_form(ar, "password");
    if (!email || !*email || !pw || !*pw)
        return login_form(ar, res, email,
                          "Enter your email address and "
                          "password.",
                          400);
    if (strlen(email) > EMAIL_MAX)
        email = arena_strndup(a, email, EMAIL_MAX);
    const char *akey = account_key(a, email);
    const char *ikey = arena_printf(a, "i:%s", req->remote_addr);
    unsigned wait1 = 0, wait2 = 0;
    bool b1 = limiter_blocked(ad->limiter, akey, FAIL_ACCOUNT, ar->now, &wait1);
    bool b2 = limiter_blocked(ad->limiter, ikey, FAIL_ADDRESS, ar->now, &wait2);
    if (b1 || b2) {
        unsigned wait = wait1 > wait2 ? wait1 : wait2;
        response_header(res, "Retry-After", arena_printf(a, "%u", wait));
        log_warn("login refused for %s: too many failures", req->remote_addr);
        return login_form(ar, res, email,
                          "Too many failed attempts. Wait a few minutes, "
                          "then try again.",
                          429);
    }
    struct user u;
    int rc = store_user_by_email(ad->store, a, email, &u);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return 500;
    bool known = rc == 0 && !u.disabled;
    bool ok = auth_password_check(known ? u.pw_hash : NULL, pw);
    if (!ok) {
        limiter_fail(ad->limiter, akey, ar->now);
        limiter_fail(ad->limiter, ikey, ar->now);
        log_info("failed login from %s", req->remote_addr);
        return login_form(ar, res, email, "Wrong email address or password.",
                          200);
    }
    limiter_clear(ad->limiter, akey);
    bool pending = u.totp_secret != NULL;
    if (admin_session_start(ar, res, &u, pending) != 0)
        return 500;
    if (pending)
        return admin_redirect(res, "/admin/login/totp");
    audit_log(ad->store, u.email, "login", "");
    return admin_redirect(res, "/admin/");
}

int admin_logout(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    audit_log(ar->ad->store, ar->who, "logout", "");
    admin_session_end(ar, res);
    return admin_redirect(res, "/admin/login");
}

int admin_dashboard(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    struct tval *c = admin_context(ar, "Dashboard");
    return admin_render(ar, res, "dashboard", c, 200);
}

int admin_api_me(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    static const char *const names[] = {"none", "author", "editor", "admin"};
    return admin_json_reply(
        res, 200,
        json_pack("{s:s,s:s}", "who", ar->who, "role", names[ar->role]));
}
