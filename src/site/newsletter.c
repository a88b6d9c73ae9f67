/*
 * newsletter.c - the reader's side of the newsletter: POST /newsletter
 * (double opt-in sign-up), /newsletter/confirm/<token> and
 * /newsletter/unsubscribe/<token>.
 *
 * Sign-up: the answer is the same whether the address is new, pending or
 * confirmed (no enumeration); the store decides whether a confirmation is
 * due (never twice within an hour to a confirmed address). Rate limits per
 * client and per target address live in fixed tables (bounded memory). A
 * post whose Origin or Referer names another site is refused.
 * Confirm: GET shows a button, only POST confirms (mail scanners prefetch
 * links). Unsubscribe: GET shows a button; POST unsubscribes at once, as
 * RFC 8058's one-click "List-Unsubscribe=One-Click" does.
 */
#define LOG_MODULE "site"
#include "content/email.h"
#include "core/arena.h"
#include "core/page.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "mail/mail.h"
#include "render/value.h"
#include "site/site_int.h"
#include "store/store.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum {
    ECHO_MAX = 100, /* bytes of a refused address shown back */
};

/* host_of gives the "host[:port]" of an absolute URL, into out. */
static bool host_of(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    if (!p)
        return false;
    p += 3;
    size_t n = strcspn(p, "/?#");
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

/* same_site: does the Origin (or else Referer) name this site? Absent
 * both, yes: privacy settings strip them, and a browser sends Origin
 * with every cross-site POST. */
static bool same_site(struct site *s, const struct request *req)
{
    const char *o = request_header(req, "Origin");
    if (!o || !*o)
        o = request_header(req, "Referer");
    if (!o || !*o)
        return true;
    char h[256], mine[256];
    if (!host_of(o, h, sizeof(h)))
        return false;
    const char *host = request_header(req, "Host");
    if (host && strcasecmp(h, host) == 0)
        return true;
    const char *origin = site_origin(s, req);
    return origin && host_of(origin, mine, sizeof(mine)) &&
           strcasecmp(h, mine) == 0;
}

/* echo cuts a refused address to ECHO_MAX bytes on a character boundary. */
static const char *echo(struct arena *a, const char *v)
{
    size_t n = strlen(v);
    if (n <= ECHO_MAX)
        return v;
    n = ECHO_MAX;
    while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
        n--;
    return arena_printf(a, "%.*s...", (int)n, v);
}

static int page(struct site *s, struct arena *a, struct response *res,
                struct tval *c, int status)
{
    if (status >= 400) /* the sign-up form again, to correct or retry */
        tv_set_bool(a, c, "form", true);
    int rc = site_render(s, res, "newsletter", c, NULL);
    if (rc != 200)
        return rc;
    res->content_type = res->page->content_type;
    res->cache_control = "no-store";
    return status;
}

int site_newsletter(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    const char *email = request_form_field(req, "email");
    char domain[320];

    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    tv_set_str(a, c, "page_title", "Newsletter");
    if (!same_site(s, req)) {
        tv_set_str(a, c, "error",
                   "This form can only be sent from this "
                   "site's own pages.");
        return page(s, req->arena, res, c, 403);
    }
    if (!email || !*email) {
        tv_set_str(a, c, "error", "Please enter your e-mail address.");
        return page(s, req->arena, res, c, 400);
    }
    if (!email_valid(email)) {
        tv_set_str(a, c, "error", "That does not look like an e-mail address.");
        tv_set_str(a, c, "email", echo(a, email));
        return page(s, req->arena, res, c, 400);
    }
    double now = (double)time(NULL);
    if (!ratelimit_take(s->signup_client, req->remote_addr, now, NULL) ||
        !ratelimit_take(s->signup_target, email, now, NULL)) {
        tv_set_str(a, c, "error",
                   "Too many sign-ups from here just now; "
                   "please try again in a while.");
        tv_set_str(a, c, "email", email);
        response_header(res, "Retry-After", "600");
        return page(s, req->arena, res, c, 429);
    }
    if (!s->mail_from || !mail_addr_spec(s->mail_from, domain, sizeof(domain)))
        snprintf(domain, sizeof(domain), "quire@localhost");
    bool queued;
    int rc = store_subscriber_signup(s->store, email, strchr(domain, '@') + 1,
                                     (int64_t)time(NULL), &queued);
    if (rc != 0)
        return 500;
    tv_set_str(a, c, "subscribed", email);
    return page(s, req->arena, res, c, 200);
}

/* token_page checks the route's token; 0 with *id, else a status. */
static int token_arg(struct site *s, struct request *req, char kind,
                     struct tval *c, int64_t *id)
{
    unsigned char key[32];
    if (store_newsletter_secret(s->store, key) != 0)
        return 500;
    char tok[MAIL_TOKEN_MAX];
    if (req->n_params < 1 || req->params[0].len >= sizeof(tok))
        goto bad;
    memcpy(tok, req->params[0].ptr, req->params[0].len);
    tok[req->params[0].len] = '\0';
    int rc = mail_token_check(key, kind, tok, (int64_t)time(NULL), id);
    if (rc == ERR_NOT_FOUND) {
        tv_set_str(req->arena, c, "error",
                   "This confirmation link has expired. Please sign up again.");
        return 410;
    }
    if (rc == 0)
        return 0;
bad:
    tv_set_str(req->arena, c, "error", "This link is not valid.");
    return 404;
}

int site_newsletter_confirm(struct request *req, struct response *res,
                            void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    tv_set_str(a, c, "page_title", "Confirm your subscription");
    int64_t id;
    int st = token_arg(s, req, 'c', c, &id);
    if (st != 0)
        return page(s, req->arena, res, c, st);
    if (req->method != HTTP_POST) {
        tv_set_str(a, c, "confirm_action",
                   arena_printf(a, "%.*s", STR_FMT(req->path)));
        return page(s, req->arena, res, c, 200);
    }
    int rc = store_subscriber_set_state(s->store, id, SUB_CONFIRMED,
                                        (int64_t)time(NULL));
    if (rc == ERR_NOT_FOUND) {
        tv_set_str(a, c, "error",
                   "This address is no longer on the list. "
                   "Please sign up again.");
        return page(s, req->arena, res, c, 404);
    }
    if (rc != 0)
        return 500;
    tv_set_bool(a, c, "confirmed", true);
    return page(s, req->arena, res, c, 200);
}

int site_newsletter_unsubscribe(struct request *req, struct response *res,
                                void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    tv_set_str(a, c, "page_title", "Unsubscribe");
    int64_t id;
    int st = token_arg(s, req, 'u', c, &id);
    if (st != 0)
        return page(s, req->arena, res, c, st);
    if (req->method != HTTP_POST) {
        tv_set_str(a, c, "unsubscribe_action",
                   arena_printf(a, "%.*s", STR_FMT(req->path)));
        return page(s, req->arena, res, c, 200);
    }
    int rc = store_subscriber_set_state(s->store, id, SUB_UNSUBSCRIBED,
                                        (int64_t)time(NULL));
    if (rc != 0 && rc != ERR_NOT_FOUND) /* removed: already off the list */
        return 500;
    tv_set_bool(a, c, "unsubscribed", true);
    return page(s, req->arena, res, c, 200);
}
