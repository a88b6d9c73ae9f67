/*
 * view_search.c - hits, snippets and facets for the search page.
 *
 * The snippet is the one piece of text on the page that is HTML made from
 * outside input, so it is built here and nowhere else: SQLite's snippet()
 * wraps matched words in the bytes \x01 and \x02, which never occur in
 * stored text (the importer refuses control characters); we escape the
 * text between them and only then write <mark> tags for the markers. A
 * stray marker (a row written around the importer) cannot unbalance the
 * tags: an open only opens when closed, a close only closes when open.
 */
#include "render/view_search.h"

#include "core/arena.h"
#include "core/buf.h"
#include "render/value.h"
#include "render/view.h"

#include <string.h>

const char *view_search_snippet(struct arena *a, const char *snippet)
{
    struct buf b;
    bool open = false;
    if (!snippet)
        return "";
    size_t len = strlen(snippet);
    buf_init_arena(&b, a, len * 6 + 32);
    const char *p = snippet, *end = snippet + len;
    while (p < end) {
        size_t run = strcspn(p, STORE_MARK_OPEN STORE_MARK_CLOSE);
        buf_append_html(&b, p, run);
        p += run;
        if (p == end)
            break;
        if (*p == STORE_MARK_OPEN[0] && !open)
            buf_append_cstr(&b, "<mark>");
        else if (*p == STORE_MARK_CLOSE[0] && open)
            buf_append_cstr(&b, "</mark>");
        else {
            p++;
            continue; /* stray marker: dropped */
        }
        open = !open;
        p++;
    }
    if (open)
        buf_append_cstr(&b, "</mark>");
    return buf_error(&b) ? "" : b.ptr;
}

struct tval *view_search_hits(struct arena *a, const struct search_hit *h,
                              size_t n)
{
    struct tval *list = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *m = view_article(a, &h[i].article);
        tv_set(a, m, "snippet",
               tv_html(a, view_search_snippet(a, h[i].snippet)));
        tv_push(a, list, m);
    }
    return list;
}

/* Hand-written: libmicrohttpd only decodes, and a dozen lines do not
 * justify libcurl for curl_easy_escape. RFC 3986 unreserved pass. */
void view_url_encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            buf_append_char(b, (char)c);
        } else {
            buf_append_char(b, '%');
            buf_append_char(b, hex[c >> 4]);
            buf_append_char(b, hex[c & 15]);
        }
    }
}

struct tval *view_facets(struct arena *a, const struct facet *f, size_t n,
                         const char *base, const char *param,
                         const char *selected)
{
    struct tval *list = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct buf url;
        buf_init_arena(&url, a, BUF_MAX_DEFAULT);
        buf_printf(&url, "%s&%s=", base, param);
        view_url_encode(&url, f[i].key ? f[i].key : "");
        struct tval *m = tv_map(a);
        tv_set_str(a, m, "name", f[i].name ? f[i].name : "");
        tv_set_int(a, m, "count", f[i].count);
        tv_set_str(a, m, "url", url.ptr);
        tv_set_bool(a, m, "current",
                    selected && f[i].key && strcmp(selected, f[i].key) == 0);
        tv_push(a, list, m);
    }
    return list;
}
