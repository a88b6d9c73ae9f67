/*
 * view_lists.c - view models of the list pages (see view_lists.h).
 *
 * Grouping (issues by year, a table of contents by section, months by
 * year) happens here on lists the store already sorted, in one pass: a
 * new group starts where the key changes. The store's order is the
 * page's order; nothing is re-sorted.
 */
#include "render/view_lists.h"

#include "content/date.h"
#include "core/arena.h"
#include "render/format.h"
#include "render/value.h"
#include "render/view.h"

#include <string.h>
#include <time.h>

static void set_count(struct arena *a, struct tval *m, const char *key,
                      const char *one_key, int64_t n)
{
    tv_set_int(a, m, key, n);
    tv_set_bool(a, m, one_key, n == 1);
}

struct tval *view_issue(struct arena *a, const struct issue *is)
{
    struct tval *m = tv_map(a);
    int64_t t;
    tv_set_str(a, m, "date", is->date);
    tv_set_str(a, m, "title", is->title);
    tv_set_str(a, m, "url", arena_cat(a, "/issues/", is->date));
    if (is->date && date_parse_ymd(is->date, strlen(is->date), &t) == 0) {
        tv_set_str(a, m, "date_long",
                   format_date(a, format_current(), FMT_DATE_LONG, t));
        tv_set_str(a, m, "date_us",
                   format_date(a, format_current(), FMT_DATE_SHORT, t));
    }
    return m;
}

struct tval *view_issues_by_year(struct arena *a, const struct issue_entry *v,
                                 size_t n)
{
    struct tval *years = tv_list(a), *issues = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *d = v[i].issue.date;
        if (!issues || strncmp(d, v[i - 1].issue.date, 4) != 0) {
            struct tval *y = tv_map(a);
            tv_set_str(a, y, "year", arena_strndup(a, d, 4));
            issues = tv_list(a);
            tv_set(a, y, "issues", issues);
            tv_push(a, years, y);
        }
        struct tval *m = view_issue(a, &v[i].issue);
        set_count(a, m, "articles", "articles_one", v[i].articles);
        tv_push(a, issues, m);
    }
    return years;
}

struct tval *view_toc(struct arena *a, const struct article *arts, size_t n)
{
    struct tval *groups = tv_list(a);
    size_t start = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i < n && arts[i].section.id == arts[start].section.id)
            continue;
        struct tval *g = tv_map(a);
        if (arts[start].section.id)
            tv_set(a, g, "section", view_section(a, &arts[start].section));
        tv_set_bool(a, g, "has_section", arts[start].section.id != 0);
        tv_set(a, g, "articles", view_article_list(a, &arts[start], i - start));
        tv_push(a, groups, g);
        start = i;
    }
    return groups;
}

struct tval *view_author(struct arena *a, const struct author *au)
{
    struct tval *m = tv_map(a);
    tv_set_str(a, m, "name", au->name);
    tv_set_str(a, m, "slug", au->slug);
    tv_set_str(a, m, "url", arena_cat(a, "/authors/", au->slug));
    return m;
}

struct tval *view_tag(struct arena *a, const struct tag *t)
{
    struct tval *m = tv_map(a);
    tv_set_str(a, m, "name", t->name);
    tv_set_str(a, m, "slug", t->slug);
    tv_set_str(a, m, "url", arena_cat(a, "/tags/", t->slug));
    return m;
}

struct tval *view_author_index(struct arena *a, const struct author_entry *v,
                               size_t n)
{
    struct tval *l = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *m = view_author(a, &v[i].author);
        set_count(a, m, "articles", "articles_one", v[i].articles);
        tv_push(a, l, m);
    }
    return l;
}

struct tval *view_tag_index(struct arena *a, const struct tag_entry *v,
                            size_t n)
{
    struct tval *l = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *m = view_tag(a, &v[i].tag);
        set_count(a, m, "articles", "articles_one", v[i].articles);
        tv_push(a, l, m);
    }
    return l;
}

const char *view_archive_url(struct arena *a, int year, int month)
{
    if (month == 0)
        return arena_printf(a, "/archive/%04d", year);
    return arena_printf(a, "/archive/%04d/%02d", year, month);
}

struct tval *view_archive_month(struct arena *a, const struct month_entry *m)
{
    struct tval *v = tv_map(a);
    struct tm tm = {
        .tm_year = m->year - 1900, .tm_mon = m->month - 1, .tm_mday = 1};
    tv_set_int(a, v, "year", m->year);
    tv_set_str(a, v, "month", arena_printf(a, "%02d", m->month));
    tv_set_str(
        a, v, "label",
        format_date(a, format_current(), FMT_MONTH_YEAR, (int64_t)timegm(&tm)));
    tv_set_str(a, v, "url", view_archive_url(a, m->year, m->month));
    set_count(a, v, "articles", "articles_one", m->articles);
    return v;
}

struct tval *view_archive_years(struct arena *a, const struct month_entry *v,
                                size_t n)
{
    struct tval *years = tv_list(a), *y = NULL, *months = NULL;
    int64_t sum = 0;
    for (size_t i = 0; i <= n; i++) {
        if (y && (i == n || v[i].year != v[i - 1].year)) {
            set_count(a, y, "articles", "articles_one", sum);
            tv_push(a, years, y);
            y = NULL;
        }
        if (i == n)
            break;
        if (!y) {
            y = tv_map(a);
            tv_set_int(a, y, "year", v[i].year);
            tv_set_str(a, y, "url", view_archive_url(a, v[i].year, 0));
            months = tv_list(a);
            tv_set(a, y, "months", months);
            sum = 0;
        }
        tv_push(a, months, view_archive_month(a, &v[i]));
        sum += v[i].articles;
    }
    return years;
}

struct tval *view_ranked(struct arena *a, const struct article *arts, size_t n,
                         int64_t first_rank)
{
    struct tval *l = view_article_list(a, arts, n);
    for (size_t i = 0; i < n; i++) {
        struct tval *m = l->u.list.items[i];
        tv_set_int(a, m, "rank", first_rank + (int64_t)i);
        set_count(a, m, "reads", "reads_one", arts[i].hits);
    }
    return l;
}
