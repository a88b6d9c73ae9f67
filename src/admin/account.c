/*
 * account.c - one's own account: password change and the TOTP second
 * factor (enrolment, recovery codes, turning it off), and the login's
 * second step.
 *
 *   GET  /admin/account                 the page
 *   POST /admin/account/password        current, password, again
 *   GET  /admin/account/totp            a new secret: QR code + form
 *   POST /admin/account/totp            secret, code -> recovery codes
 *   POST /admin/account/totp/disable    password
 *   GET|POST /admin/login/totp          code (or a recovery code)
 *
 * Enrolment keeps no state on the server until it succeeds: the secret
 * travels in the form (to its owner only, over the session), and is
 * stored once a code computed from it proves the app has it.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"
#include "admin/limiter.h"
#include "admin/totp.h"

#include "core/arena.h"
#include "core/log.h"
#include "render/value.h"
#include "store/store.h"

#include <string.h>

enum { FAIL_ACCOUNT = 10 };

bool admin_totp_required(struct admin *ad, struct arena *a)
{
    const char *v = NULL;
    return store_setting_get(ad->store, a, "admin.require_totp", &v) == 0 &&
           v && strcmp(v, "1") == 0;
}

static int account_page(struct admin_req *ar, struct response *res,
                        const char *ok, const char *error, int status)
{
    struct arena *a = ar->req->arena;
    struct tval *c = admin_context(ar, "Your account");
    tv_set_bool(a, c, "totp_on", ar->user.totp_secret != NULL);
    tv_set_bool(a, c, "totp_required", admin_totp_required(ar->ad, a));
    if (ar->user.totp_secret) {
        int64_t left = 0;
        if (store_recovery_count(ar->ad->store, ar->user.id, &left) == 0)
            tv_set_int(a, c, "recovery_left", left);
    }
    if (ok)
        tv_set_str(a, c, "ok", ok);
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "account", c, status);
}

int admin_account(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return account_page(ctx, res, NULL, NULL, 200);
}

int admin_account_password(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    const char *cur = admin_form(ar, "current");
    const char *pw = admin_form(ar, "password");
    const char *again = admin_form(ar, "again");
    if (!cur || !auth_password_check(ar->user.pw_hash, cur))
        return account_page(ar, res, NULL,
                            "Your current password is not right.", 400);
    if (!pw || !again || strcmp(pw, again) != 0)
        return account_page(ar, res, NULL, "The two new passwords differ.",
                            400);
    char hash[AUTH_HASH_MAX];
    if (strlen(pw) < AUTH_PASSWORD_MIN || auth_password_hash(pw, hash) != 0)
        return account_page(ar, res, NULL,
                            "A password needs at least 10 characters.", 400);
    if (store_user_set_password(ar->ad->store, ar->user.id, hash, ar->sid_hash,
                                ar->now) != 0)
        return 500;
    admin_audit(ar, "user.passwd", "user:%lld %s", (long long)ar->user.id,
                ar->user.email);
    return account_page(ar, res,
                        "Password changed. Your other sessions have ended.",
                        NULL, 200);
}

/* enrol_page shows the QR code and the form for secret. */
static int enrol_page(struct admin_req *ar, struct response *res,
                      const char *secret, const char *error, int status)
{
    struct arena *a = ar->req->arena;
    struct tval *c = admin_context(ar, "Two-factor authentication");
    const char *uri = totp_uri(a, "Quire", ar->user.email, secret);
    const char *svg = uri ? totp_qr_svg(a, uri) : NULL;
    tv_set_str(a, c, "secret", secret);
    /* Our own SVG markup: digits and fixed text only. */
    if (svg)
        tv_set(a, c, "qr", tv_html(a, svg));
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "totp_enrol", c, status);
}

int admin_account_totp_page(struct request *req, struct response *res,
                            void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    char secret[TOTP_SECRET_LEN + 1];
    totp_new_secret(secret);
    return enrol_page(ar, res, secret, NULL, 200);
}

static bool secret_shape(const char *s)
{
    if (!s || strlen(s) != TOTP_SECRET_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7')))
            return false;
    return true;
}

int admin_account_totp(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    const char *secret = admin_form(ar, "secret");
    const char *code = admin_form(ar, "code");
    if (!secret_shape(secret))
        return admin_error_page(ar, res, 400,
                                "The enrolment form is "
                                "damaged; start again.");
    int64_t step;
    if (!totp_check_step(secret, code, ar->now, &step))
        return enrol_page(ar, res, secret,
                          "That code is not right. Check your device's "
                          "clock and enter the current code.",
                          400);
    const char *codes[TOTP_RECOVERY_N], *hashes[TOTP_RECOVERY_N];
    for (int i = 0; i < TOTP_RECOVERY_N; i++) {
        char c[TOTP_RECOVERY_LEN + 1], norm[16];
        char h[AUTH_HEX_LEN + 1];
        totp_recovery_code(c);
        if (!totp_recovery_normal(c, norm, sizeof(norm)))
            return 500;
        auth_hash_hex(norm, strlen(norm), h);
        codes[i] = arena_strdup(a, c);
        hashes[i] = arena_strdup(a, h);
    }
    if (store_user_set_totp(ar->ad->store, ar->user.id, secret, hashes,
                            TOTP_RECOVERY_N, ar->now) != 0)
        return 500;
    /* The code that proved the enrolment is used: it cannot log in. */
    if (store_user_totp_use(ar->ad->store, ar->user.id, step) != 0)
        return 500;
    admin_audit(ar, "totp.enable", "user:%lld %s", (long long)ar->user.id,
                ar->user.email);
    struct tval *c = admin_context(ar, "Recovery codes");
    struct tval *list = tv_list(a);
    for (int i = 0; i < TOTP_RECOVERY_N; i++)
        tv_push(a, list, tv_str(a, codes[i]));
    tv_set(a, c, "codes", list);
    return admin_render(ar, res, "totp_codes", c, 200);
}

int admin_account_totp_disable(struct request *req, struct response *res,
                               void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    const char *pw = admin_form(ar, "password");
    if (!pw || !auth_password_check(ar->user.pw_hash, pw))
        return account_page(ar, res, NULL, "Your password is not right.", 400);
    if (admin_totp_required(ar->ad, req->arena))
        return account_page(ar, res, NULL,
                            "Two-factor authentication is required for "
                            "every account here.",
                            403);
    if (store_user_set_totp(ar->ad->store, ar->user.id, NULL, NULL, 0,
                            ar->now) != 0)
        return 500;
    ar->user.totp_secret = NULL;
    admin_audit(ar, "totp.disable", "user:%lld %s", (long long)ar->user.id,
                ar->user.email);
    return account_page(ar, res, "Two-factor authentication is off.", NULL,
                        200);
}

/* --- the login's second step --------------------------------------- */

static int code_page(struct admin_req *ar, struct response *res,
                     const char *error, int status)
{
    struct tval *c = admin_context(ar, "Two-factor authentication");
    if (error)
        tv_set_str(ar->req->arena, c, "error", error);
    return admin_render(ar, res, "login_totp", c, status);
}

int admin_login_totp_page(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    if (!ar->sess.pending)
        return admin_redirect(res, "/admin/");
    return code_page(ar, res, NULL, 200);
}

int admin_login_totp(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    if (!ar->sess.pending)
        return admin_redirect(res, "/admin/");
    char *key = arena_printf(a, "a:%s", ar->user.email);
    for (char *p = key; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    unsigned wait;
    if (limiter_blocked(ar->ad->limiter, key, FAIL_ACCOUNT, ar->now, &wait)) {
        response_header(res, "Retry-After", arena_printf(a, "%u", wait));
        return code_page(ar, res,
                         "Too many wrong codes. Wait a few "
                         "minutes, then try again.",
                         429);
    }
    const char *code = admin_form(ar, "code");
    bool ok = false, replay = false;
    int64_t step;
    if (code && strlen(code) == 6) {
        ok = totp_check_step(ar->user.totp_secret, code, ar->now, &step);
        int rc = ok ? store_user_totp_use(ar->ad->store, ar->user.id, step) : 0;
        if (rc == ERR_CONFLICT) {
            /* Seen over someone's shoulder or replayed from a log. */
            log_warn("TOTP code replayed for user %lld from %s",
                     (long long)ar->user.id, req->remote_addr);
            ok = false;
            replay = true;
        } else if (rc != 0) {
            return 500;
        }
    } else if (code) {
        char norm[16], h[AUTH_HEX_LEN + 1];
        if (totp_recovery_normal(code, norm, sizeof(norm))) {
            auth_hash_hex(norm, strlen(norm), h);
            ok = store_recovery_use(ar->ad->store, ar->user.id, h) == 0;
            if (ok)
                admin_audit(ar, "totp.recovery_used", "user:%lld %s",
                            (long long)ar->user.id, ar->user.email);
        }
    }
    if (!ok) {
        limiter_fail(ar->ad->limiter, key, ar->now);
        return code_page(ar, res,
                         replay ? "That code was already used. Wait for "
                                  "the next one from your app."
                                : "That code is not right.",
                         200);
    }
    limiter_clear(ar->ad->limiter, key);
    if (store_session_touch(ar->ad->store, ar->sid_hash, ar->now, true) != 0)
        return 500;
    admin_audit(ar, "login", "totp");
    return admin_redirect(res, "/admin/");
}
