/*
 * issue.c - the issues: /issues, every issue by year, and
 * /issues/<YYYY-MM-DD>, one issue's table of contents by section.
 */
#include "content/date.h"
#include "core/arena.h"
#include "render/format.h"
#include "render/value.h"
#include "render/view.h"
#include "render/view_lists.h"
#include "site/lists.h"
#include "site/site_int.h"
#include "store/store.h"

int site_issues(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    struct issue_entry *v;
    size_t n;

    if (store_issues_list(s->store, a, &v, &n) != 0)
        return 500;
    struct tval *c = list_context(s, a, "Issues", "/issues", 1, 1, 0);
    if (!c)
        return 500;
    tv_set(a, c, "years", view_issues_by_year(a, v, n));
    tv_set_bool(a, c, "has_issues", n > 0);
    return site_render_showing(s, res, "issues", c, "list", -1);
}

int site_issue(struct request *req, struct response *res, void *ctx)
{
    struct site *s = ctx;
    struct arena *a = req->arena;
    int page = site_page_arg(req);
    struct str date = req->params[0];
    struct issue is;
    struct article *arts;
    size_t n;
    int64_t total;

    /* Only a real day can name an issue; anything else is not here. */
    if (date.len != 10 || !date_valid_ymd(arena_strndup(a, date.ptr, 10)))
        return 404;
    int rc = store_issue_by_date(s->store, a, date, &is);
    if (rc == ERR_NOT_FOUND)
        return 404;
    if (rc != 0)
        return 500;
    if (store_issue_toc(s->store, a, is.id, LIST_TOC_PER_PAGE,
                        list_offset(page, LIST_TOC_PER_PAGE), &arts, &n,
                        &total) != 0)
        return 500;
    if (n == 0)
        return 404; /* drafts only, or a page past the end */
    int64_t t;
    if (date_parse_ymd(date.ptr, date.len, &t) != 0)
        return 404; /* cannot happen: checked above */
    struct tval *im = view_issue(a, &is);
    const char *title = arena_printf(
        a, "Issue of %s", format_date(a, format_current(), FMT_DATE_LONG, t));
    struct tval *c = list_context(s, a, title, tv_get(im, STR("url"))->u.s.ptr,
                                  page, LIST_TOC_PER_PAGE, total);
    if (!c)
        return 500;
    tv_set_int(a, im, "articles", total);
    tv_set_bool(a, im, "articles_one", total == 1);
    tv_set(a, c, "issue", im);
    tv_set(a, c, "toc", view_toc(a, arts, n));
    return site_render_showing(s, res, "issue", c, "issue", is.id);
}
