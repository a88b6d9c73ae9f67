/*
 * newsletter.c - the sign-up form's handler: POST /newsletter.
 *
 * Checks the address and records the subscriber; sending belongs to mail/.
 * The answer is a themed page, 200 when subscribed (or already were, so
 * the form does not reveal who is on the list), 400 with the reason else.
 */
#include "content/email.h"
#include "core/arena.h"
#include "core/page.h"
#include "render/value.h"
#include "site/site_int.h"
#include "store/store.h"

#include <string.h>

int site_newsletter(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    const char *email = request_form_field(req, "email");
    int status = 200;

    struct tval *c = site_context(s, a);
    if (!c)
        return 500;
    tv_set_str(a, c, "page_title", "Newsletter");
    if (!email || !*email) {
        tv_set_str(a, c, "error", "Please enter your e-mail address.");
        status = 400;
    } else if (!email_valid(email)) {
        tv_set_str(a, c, "error",
                   "That does not look like an e-mail address.");
        tv_set_str(a, c, "email", email);
        status = 400;
    } else {
        int rc = store_subscriber_add(s->store, email, NULL);
        if (rc != 0 && rc != ERR_EXISTS)
            return 500;
        tv_set_str(a, c, "subscribed", email);
    }
    int rc = site_render(s, res, "newsletter", c, NULL);
    if (rc != 200)
        return rc;
    res->content_type = res->page->content_type;
    return status;
}
