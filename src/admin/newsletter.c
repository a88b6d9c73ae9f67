/*
 * newsletter.c - the issue digest in the back office: pick an issue, see
 * the mail as subscribers will (preview), send a test to oneself, then
 * queue it for every confirmed subscriber; the campaigns' counts below.
 * Queueing is the same transaction `quire newsletter send` runs; the
 * server's sender (mail/sender.c) delivers.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "content/date.h"
#include "core/arena.h"
#include "mail/mail.h"
#include "render/mustache.h"
#include "render/value.h"
#include "store/store.h"

#include <string.h>
#include <time.h>

/* digest renders the issue's digest; 0, ERR_NOT_FOUND, or an error with
 * a message for the editor in *why. */
static int digest(struct admin_req *ar, const char *date, const char *subject,
                  struct mail_parts *p, const char **why)
{
    char err[512];
    *why = "The digest could not be built.";
    if (!date || !date_valid_ymd(date)) {
        *why = "Pick an issue.";
        return ERR_INVALID;
    }
    if (subject && (strlen(subject) > 500 || strpbrk(subject, "\r\n"))) {
        *why = "The subject must be one line of at most 500 characters.";
        return ERR_INVALID;
    }
    if (!ar->ad->theme_dir)
        return ERR_NOT_FOUND;
    struct tpl_set *tpl =
        mail_load_templates(ar->ad->theme_dir, err, sizeof(err));
    if (!tpl) {
        *why = arena_strdup(ar->req->arena, err);
        return ERR_PARSE;
    }
    struct arena *a = ar->req->arena;
    const char *base = mail_base_url(ar->ad->store, a, NULL);
    int rc = mail_compose_digest(ar->ad->store, tpl, a, date, base, subject, p);
    tpl_set_free(tpl);
    if (rc == ERR_NOT_FOUND)
        *why = "That issue has no published articles.";
    return rc;
}

int admin_newsletter(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    struct issue_entry *is;
    struct campaign_status *cs;
    size_t ni, nc;
    int64_t counts[3];
    if (store_issues_list(ar->ad->store, a, &is, &ni) != 0 ||
        store_campaigns_status(ar->ad->store, a, &cs, &nc) != 0 ||
        store_subscriber_counts(ar->ad->store, counts) != 0)
        return 500;
    struct tval *c = admin_context(ar, "Newsletter");
    tv_set_int(a, c, "confirmed", counts[SUB_CONFIRMED]);
    struct tval *issues = tv_list(a);
    for (size_t i = 0; i < ni; i++) {
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "date", is[i].issue.date);
        tv_push(a, issues, m);
    }
    tv_set(a, c, "issues", issues);
    struct tval *camps = tv_list(a);
    for (size_t i = nc; i-- > 0;) {
        struct tval *m = tv_map(a);
        tv_set_int(a, m, "id", cs[i].id);
        tv_set_str(a, m, "issue", cs[i].issue_date ? cs[i].issue_date : "-");
        tv_set_str(a, m, "subject", cs[i].subject);
        tv_set_int(a, m, "queued", cs[i].queued);
        tv_set_int(a, m, "sent", cs[i].sent);
        tv_set_int(a, m, "retrying", cs[i].retrying);
        tv_set_int(a, m, "failed", cs[i].failed);
        tv_set_int(a, m, "skipped", cs[i].skipped);
        tv_push(a, camps, m);
    }
    tv_set(a, c, "campaigns", camps);
    const char *ok = request_query_arg(req, "ok");
    if (ok && strcmp(ok, "test") == 0)
        tv_set_str(
            a, c, "ok",
            arena_printf(a, "A test is on its way to %s.", ar->user.email));
    else if (ok && strcmp(ok, "send") == 0)
        tv_set_str(a, c, "ok",
                   "The digest is queued for every confirmed "
                   "subscriber.");
    return admin_render(ar, res, "newsletter", c, 200);
}

int admin_newsletter_preview(struct request *req, struct response *res,
                             void *ctx)
{
    struct admin_req *ar = ctx;
    struct mail_parts p;
    const char *why;
    const char *subject = request_query_arg(req, "subject");
    int rc = digest(ar, request_query_arg(req, "issue"), subject, &p, &why);
    if (rc != 0)
        return admin_error_page(ar, res, rc == ERR_NOT_FOUND ? 404 : 400, why);
    buf_init_arena(&res->body, req->arena, 32 << 20);
    const char *h = p.html, *m;
    size_t ml = strlen(MAIL_UNSUB_MARK);
    while ((m = strstr(h, MAIL_UNSUB_MARK)) != NULL) { /* a dead link */
        buf_append(&res->body, h, (size_t)(m - h));
        buf_append_cstr(&res->body, "#unsubscribe");
        h = m + ml;
    }
    buf_append_cstr(&res->body, h);
    res->cache_control = "no-store";
    return buf_error(&res->body) ? 500 : 200;
}

int admin_newsletter_queue(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    struct admin_req *ar = ctx;
    const char *action = admin_form(ar, "action");
    const char *date = admin_form(ar, "issue");
    const char *subject = admin_form(ar, "subject");
    bool test = action && strcmp(action, "test") == 0;
    if (!test && !(action && strcmp(action, "send") == 0))
        return admin_error_page(ar, res, 400, "Unknown action.");
    char from[320];
    if (!ar->ad->mail_from ||
        !mail_addr_spec(ar->ad->mail_from, from, sizeof(from)))
        return admin_error_page(ar, res, 409,
                                "Set mail.mail_from in the "
                                "server's settings first.");
    struct mail_parts p;
    const char *why;
    int rc = digest(ar, date, subject, &p, &why);
    if (rc != 0)
        return admin_error_page(ar, res, rc == ERR_NOT_FOUND ? 404 : 400, why);
    struct campaign c = {.issue_date = date,
                         .subject = p.subject,
                         .text_body = p.text,
                         .html_body = p.html};
    int64_t id, n;
    rc = store_campaign_queue_to(ar->ad->store, &c, strchr(from, '@') + 1,
                                 test ? ar->user.email : NULL,
                                 (int64_t)time(NULL), &id, &n);
    if (rc != 0)
        return 500;
    admin_audit(ar, test ? "newsletter.test" : "newsletter.send",
                "issue %s, %lld messages", date, (long long)n);
    return admin_redirect(res, test ? "/admin/newsletter?ok=test"
                                    : "/admin/newsletter?ok=send");
}
