/*
 * meta.c - build the article page's metadata context (see meta.h).
 *
 * Canonical link without a base_url: a path-absolute URL. HTML resolves
 * it against the page's own address, which is right for whatever host
 * the reader used; the Host header is never used to make an absolute URL
 * because pages are cached and the header is the client's to forge.
 * og:url and the other fields that must be absolute are left out instead.
 */
#include "render/meta.h"

#include "content/date.h"
#include "core/arena.h"
#include "render/format.h"
#include "core/buf.h"
#include "render/value.h"

#include <string.h>

/* sentence ends s with a period unless it already ends in . ? or !. */
static const char *sentence(struct arena *a, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0)
        return s;
    char last = s[n - 1];
    if (last == '.' || last == '?' || last == '!')
        return s;
    return arena_cat(a, s, ".");
}

/* day_month_year is "30 June 2004": date_long without the weekday. */
static const char *day_month_year(struct arena *a, int64_t t)
{
    const char *s = format_date(a, format_current(), FMT_DATE_LONG,
                                t); /* "Wednesday, 30 June 2004" */
    const char *comma = strchr(s, ',');
    return comma ? comma + 2 : s;
}

static struct tval *scholar(struct arena *a, const struct article *art,
                            const struct cite_journal *j)
{
    struct tval *m = tv_map(a);
    tv_set_str(a, m, "title", cite_plain(a, art->title));
    struct tval *authors = tv_list(a);
    for (size_t i = 0; i < art->n_authors; i++) {
        struct tval *au = tv_map(a);
        tv_set_str(a, au, "name", cite_plain(a, art->authors[i].name));
        tv_push(a, authors, au);
    }
    tv_set(a, m, "authors", authors);
    /* Scholar asks for YYYY/MM/DD. */
    char *d = date_ymd(a, art->published_at);
    for (char *p = d; *p; p++)
        if (*p == '-')
            *p = '/';
    tv_set_str(a, m, "date", d);
    tv_set_str(a, m, "journal_title", cite_plain(a, j->name));
    tv_set_str(a, m, "issue", cite_plain(a, cite_issue_label(art)));
    return m;
}

static struct tval *cite(struct arena *a, const struct article *art,
                         const struct cite_journal *j, const char *path)
{
    struct tval *m = tv_map(a);
    tv_set_str(a, m, "authors", sentence(a, cite_authors_chicago(a, art)));
    tv_set_str(a, m, "title", sentence(a, cite_plain(a, art->title)));
    tv_set_str(a, m, "journal_title", cite_plain(a, j->name));
    tv_set_str(a, m, "date", day_month_year(a, art->published_at));
    tv_set_str(a, m, "url", cite_url(a, j, path));
    tv_set_str(a, m, "bib_url", arena_cat(a, path, ".bib"));
    tv_set_str(a, m, "ris_url", arena_cat(a, path, ".ris"));
    tv_set_str(a, m, "json_url", arena_cat(a, path, ".json"));
    return m;
}

struct tval *meta_article(struct arena *a, const struct article *art,
                          const struct cite_journal *j)
{
    struct tval *m = tv_map(a);
    const char *path = arena_cat(a, "/articles/", art->slug);
    const char *url = cite_url(a, j, path);
    tv_set_str(a, m, "canonical", url ? url : path);
    tv_set_str(a, m, "url", url);
    tv_set_str(a, m, "title", cite_plain(a, art->title));
    tv_set_str(a, m, "description", cite_plain(a, art->summary));
    tv_set_str(a, m, "site_name", cite_plain(a, j->name));
    tv_set_str(a, m, "published_time", date_rfc3339(a, art->published_at));
    if (art->updated_at > 0)
        tv_set_str(a, m, "modified_time", date_rfc3339(a, art->updated_at));
    if (art->section.id)
        tv_set_str(a, m, "section", cite_plain(a, art->section.name));
    struct tval *tags = tv_list(a);
    for (size_t i = 0; i < art->n_tags; i++) {
        struct tval *t = tv_map(a);
        tv_set_str(a, t, "name", cite_plain(a, art->tags[i].name));
        tv_push(a, tags, t);
    }
    tv_set(a, m, "tags", tags);

    struct buf ld;
    buf_init_arena(&ld, a, BUF_MAX_DEFAULT);
    if (cite_jsonld(&ld, a, art, j) == 0 && buf_error(&ld) == 0)
        tv_set_str(a, m, "jsonld", ld.ptr);

    tv_set(a, m, "scholar", scholar(a, art, j));
    tv_set(a, m, "cite", cite(a, art, j, path));
    return m;
}
