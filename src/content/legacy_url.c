/*
 * legacy_url.c - Joomla/K2 and WordPress URL forms to legacy-id keys.
 *
 * Called only for requests no route answered (the 404 path), so it may
 * scan the path a few times. The rules are tried from the most specific
 * (an item id) to the least (a bare "<alias>.html", which could be any
 * menu item: it becomes a category-alias key that only matches when an
 * import recorded that alias).
 */
#include "content/legacy_url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { ARGS_MAX = 16, ARG_MAX = 256 };

struct arg {
    char name[64];
    char value[ARG_MAX];
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* decode percent-decodes s (and '+' as space) into out; false if it does
 * not fit. */
static bool decode(struct str s, char *out, size_t outlen)
{
    size_t k = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && i + 2 < s.len && hexval(s.ptr[i + 1]) >= 0 &&
                   hexval(s.ptr[i + 2]) >= 0) {
            c = (char)(hexval(s.ptr[i + 1]) * 16 + hexval(s.ptr[i + 2]));
            i += 2;
        }
        if (k + 1 >= outlen)
            return false;
        out[k++] = c;
    }
    out[k] = 0;
    return true;
}

bool legacy_url_is_tracker(struct str name)
{
    return (name.len > 4 && strncasecmp(name.ptr, "utm_", 4) == 0) ||
           str_eq_cstr(name, "fbclid") || str_eq_cstr(name, "gclid") ||
           str_eq_cstr(name, "mc_cid") || str_eq_cstr(name, "mc_eid");
}

/* each calls fn for every name=value pair of a query. */
static size_t parse_args(struct str q, struct arg *args, size_t max)
{
    size_t n = 0;
    size_t i = 0;
    while (i < q.len && n < max) {
        size_t j = i;
        while (j < q.len && q.ptr[j] != '&' && q.ptr[j] != ';')
            j++;
        struct str pair = {q.ptr + i, j - i};
        const char *eq = memchr(pair.ptr, '=', pair.len);
        struct str name = {pair.ptr, eq ? (size_t)(eq - pair.ptr) : pair.len};
        struct str value = {eq ? eq + 1 : pair.ptr + pair.len,
                            eq ? pair.len - name.len - 1 : 0};
        if (name.len && !legacy_url_is_tracker(name) &&
            decode(name, args[n].name, sizeof(args[n].name)) &&
            decode(value, args[n].value, sizeof(args[n].value)))
            n++;
        i = j + 1;
    }
    return n;
}

static const char *arg(const struct arg *args, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(args[i].name, name) == 0)
            return args[i].value;
    return NULL;
}

size_t legacy_url_clean_query(struct str query, char *out, size_t outlen)
{
    size_t k = 0, i = 0;
    if (outlen == 0)
        return (size_t)-1;
    out[0] = 0;
    while (i < query.len) {
        size_t j = i;
        while (j < query.len && query.ptr[j] != '&')
            j++;
        struct str pair = {query.ptr + i, j - i};
        const char *eq = memchr(pair.ptr, '=', pair.len);
        struct str name = {pair.ptr, eq ? (size_t)(eq - pair.ptr) : pair.len};
        if (pair.len && !legacy_url_is_tracker(name)) {
            if (k + pair.len + 2 > outlen)
                return (size_t)-1;
            if (k)
                out[k++] = '&';
            memcpy(out + k, pair.ptr, pair.len);
            k += pair.len;
            out[k] = 0;
        }
        i = j + 1;
    }
    return k;
}

/* digits: the number at the start of s (at most 18 digits), or 0 chars. */
static size_t digits(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && k < 18 && s[k] >= '0' && s[k] <= '9')
        k++;
    return k;
}

static bool add(struct legacy_match *out, size_t max, size_t *n,
                const char *suffix, const char *kind, const char *id,
                size_t idlen)
{
    if (*n >= max || idlen == 0)
        return false;
    int w = snprintf(out[*n].key, sizeof(out[*n].key), "%s/%.*s", kind,
                     (int)idlen, id);
    if (w < 0 || (size_t)w >= sizeof(out[*n].key))
        return false;
    out[*n].suffix = suffix;
    (*n)++;
    return true;
}

/* strip_ext: s without a trailing ".html"/".htm"/".php"; *feed when it
 * ended in ".feed". */
static struct str strip_ext(struct str s, bool *feed)
{
    static const char *const exts[] = {".html", ".htm", ".php", ".feed"};
    *feed = false;
    for (size_t i = 0; i < 4; i++) {
        size_t e = strlen(exts[i]);
        if (s.len > e && strncasecmp(s.ptr + s.len - e, exts[i], e) == 0) {
            *feed = i == 3;
            s.len -= e;
            break;
        }
    }
    return s;
}

/* segment i of path (split on '/', empty ones skipped); false past the
 * end. */
static size_t segments(struct str path, struct str *seg, size_t max)
{
    size_t n = 0, i = 0;
    while (i < path.len && n < max) {
        while (i < path.len && path.ptr[i] == '/')
            i++;
        size_t j = i;
        while (j < path.len && path.ptr[j] != '/')
            j++;
        if (j > i)
            seg[n++] = (struct str){path.ptr + i, j - i};
        i = j;
    }
    return n;
}

size_t legacy_url_match(struct str path, struct str query,
                        struct legacy_match *out, size_t max)
{
    struct arg args[ARGS_MAX];
    struct str seg[32];
    size_t n = 0;
    size_t na = parse_args(query, args, ARGS_MAX);
    size_t ns = segments(path, seg, 32);
    bool feed;

    /* index.php?option=com_k2&... and WordPress's /?p=N */
    const char *option = arg(args, na, "option");
    if (option && strcmp(option, "com_k2") == 0) {
        const char *view = arg(args, na, "view");
        const char *task = arg(args, na, "task");
        const char *id = arg(args, na, "id");
        size_t d = id ? digits(id, strlen(id)) : 0;
        if (view && strcmp(view, "item") == 0 && d)
            add(out, max, &n, "", "k2/item", id, d);
        else if (task && strcmp(task, "category") == 0 && d)
            add(out, max, &n, "", "k2/category", id, d);
        else if (task && strcmp(task, "tag") == 0 && arg(args, na, "tag"))
            add(out, max, &n, "", "k2/tag", arg(args, na, "tag"),
                strlen(arg(args, na, "tag")));
        return n;
    }
    if (ns == 0 || (ns == 1 && str_eq_cstr(seg[0], "index.php"))) {
        static const char *const wp[][2] = {
            {"p", "wp/post"},
            {"page_id", "wp/post"},
            {"cat", "wp/category"},
            {"tag", "wp/tag-slug"},
            {"category_name", "wp/category-slug"}};
        for (size_t i = 0; i < sizeof(wp) / sizeof(wp[0]); i++) {
            const char *v = arg(args, na, wp[i][0]);
            if (v && *v)
                add(out, max, &n, "", wp[i][1], v, strlen(v));
        }
        return n;
    }

    for (size_t i = 0; i + 1 < ns; i++) {
        /* .../item/<id>[-<alias>][.html]: the last two segments */
        if (i + 2 == ns && str_eq_cstr(seg[i], "item")) {
            struct str last = strip_ext(seg[i + 1], &feed);
            size_t d = digits(last.ptr, last.len);
            if (d && (d == last.len || last.ptr[d] == '-'))
                add(out, max, &n, "", "k2/item", last.ptr, d);
        }
        /* .../itemlist/category/<id>[-<alias>] and .../itemlist/tag/<T> */
        if (i + 3 == ns && str_eq_cstr(seg[i], "itemlist")) {
            struct str last = strip_ext(seg[i + 2], &feed);
            const char *suffix = feed ? "/feed.rss" : "";
            if (str_eq_cstr(seg[i + 1], "category")) {
                size_t d = digits(last.ptr, last.len);
                if (d && (d == last.len || last.ptr[d] == '-'))
                    add(out, max, &n, suffix, "k2/category", last.ptr, d);
            } else if (str_eq_cstr(seg[i + 1], "tag")) {
                add(out, max, &n, suffix, "k2/tag", last.ptr, last.len);
            }
        }
    }
    if (n)
        return n;
    /* WordPress archives: /category/<slug>/ and /tag/<slug>/ */
    if (ns >= 2 && (str_eq_cstr(seg[ns - 2], "category") ||
                    str_eq_cstr(seg[ns - 2], "tag"))) {
        bool cat = str_eq_cstr(seg[ns - 2], "category");
        add(out, max, &n, "", cat ? "wp/category-slug" : "wp/tag-slug",
            seg[ns - 1].ptr, seg[ns - 1].len);
    }
    /* /<path>/<category-alias>.html or .feed: first as a nested
     * category's <parent-alias>/<alias> (categories under different
     * parents may share an alias), then as the alias alone. */
    struct str last = strip_ext(seg[ns - 1], &feed);
    if (last.len < seg[ns - 1].len) {
        char pair[LEGACY_KEY_MAX];
        int w = ns >= 2 ? snprintf(pair, sizeof(pair), "%.*s/%.*s",
                                   (int)seg[ns - 2].len, seg[ns - 2].ptr,
                                   (int)last.len, last.ptr)
                        : -1;
        if (w > 0 && (size_t)w < sizeof(pair))
            add(out, max, &n, feed ? "/feed.rss" : "", "k2/category-alias",
                pair, (size_t)w);
        add(out, max, &n, feed ? "/feed.rss" : "", "k2/category-alias",
            last.ptr, last.len);
    }
    return n;
}

bool legacy_url_home_query(struct str query)
{
    static const char *const names[] = {"p",   "page_id",       "cat",
                                        "tag", "category_name", "option"};
    size_t i = 0;
    while (i < query.len) {
        size_t j = i;
        while (j < query.len && query.ptr[j] != '&' && query.ptr[j] != '=')
            j++;
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
            if (strlen(names[k]) == j - i &&
                memcmp(query.ptr + i, names[k], j - i) == 0)
                return true;
        while (j < query.len && query.ptr[j] != '&')
            j++;
        i = j + 1;
    }
    return false;
}
