/*
 * lists.c - the frame every list page shares (see lists.h).
 *
 * The handlers of list pages differ in what they list; they agree on the
 * rest: the page number comes from ?page=N (site.c already turned a
 * malformed one into a 404), an empty page past the first is a 404, and
 * the pager links stay on the list's own URL.
 */
#include "site/lists.h"
#include "site/pictures.h"

#include "core/arena.h"
#include "render/value.h"
#include "render/view.h"
#include "site/site_int.h"

int list_offset(int page, int per_page)
{
    /* page <= SITE_MAX_PAGE, per_page <= LIST_INDEX_PER_PAGE: no overflow */
    return (page - 1) * per_page;
}

struct tval *list_context(struct site *s, struct arena *a, const char *title,
                          const char *base_url, int page, int per_page,
                          int64_t total)
{
    struct tval *c = site_context(s, a);
    if (!c)
        return NULL;
    tv_set_str(a, c, "page_title", title);
    struct tval *pager = view_pager(a, base_url, page, total, per_page);
    if (pager)
        tv_set(a, c, "pager", pager);
    return c;
}

int list_set_articles(struct site *s, struct arena *a, struct tval *c,
                      const struct article *arts, size_t n)
{
    struct tval *list = view_article_list(a, arts, n);
    tv_set(a, c, "articles", list);
    tv_set_bool(a, c, "has_articles", n > 0);
    return site_cards(s, a, arts, n, list);
}

int list_number(struct str s, size_t width, int min, int max)
{
    int v = 0;
    if (s.len != width)
        return -1;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return -1;
        v = v * 10 + (s.ptr[i] - '0');
    }
    return v >= min && v <= max ? v : -1;
}
