/*
 * linkmap.c - static-export URLs and the link rewriter (see linkmap.h).
 *
 * The rewriter is a small tokenizer, not an HTML parser: it only has to
 * find tags, their href/src/action attributes, <form> elements and the
 * text between tags, in pages Quire itself rendered (attribute values are
 * quoted and escaped by the Mustache engine; Markdown bodies come from
 * cmark, which escapes quotes and angle brackets in text). A parser that
 * rebuilds the tree (libxml2) would re-serialise every page and cost more
 * than the render it follows; this copies bytes and patches only values.
 * Unknown constructs are copied unchanged, so the worst a surprise can do
 * is leave a link as the server wrote it.
 */
#include "io/linkmap.h"

#include "core/arena.h"
#include "core/buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum url_kind { URL_PAGE, URL_SEARCH, URL_OTHER };

struct url {
    struct str path;  /* "/p" */
    long page;        /* 1 when there is no ?page=N */
    struct str query; /* raw query (for /search) */
    struct str frag;  /* "#..." or empty */
    struct str ver;   /* "v=HASH" of a fingerprinted asset, kept as is */
};

#define PAGE_MAX 1000000

static bool path_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' ||
           c == '-' || c == '/';
}

/* url_char: what may continue an absolute URL found in running text. */
static bool url_char(char c)
{
    return path_char(c) || c == '%' || c == '?' || c == '=' || c == '#';
}

static bool path_ok(struct str p)
{
    if (p.len == 0 || p.len > LINKMAP_PATH_MAX || p.ptr[0] != '/')
        return false;
    for (size_t i = 0; i < p.len; i++)
        if (!path_char(p.ptr[i]))
            return false;
    /* segments: none empty (but a trailing slash), none "." or ".." */
    size_t start = 1;
    for (size_t i = 1; i <= p.len; i++) {
        if (i < p.len && p.ptr[i] != '/')
            continue;
        size_t len = i - start;
        const char *seg = p.ptr + start;
        if (len == 0 && i < p.len)
            return false;
        if ((len == 1 && seg[0] == '.') ||
            (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        start = i + 1;
    }
    return true;
}

/* last_is_file: the last segment names a file (it has a dot). */
static bool last_is_file(struct str p)
{
    for (size_t i = p.len; i-- > 0;) {
        if (p.ptr[i] == '/')
            return false;
        if (p.ptr[i] == '.')
            return true;
    }
    return false;
}

static long page_number(struct str q)
{
    static const char key[] = "page=";
    if (q.len <= sizeof(key) - 1 || memcmp(q.ptr, key, sizeof(key) - 1) != 0)
        return -1;
    long n = 0;
    for (size_t i = sizeof(key) - 1; i < q.len; i++) {
        char c = q.ptr[i];
        if (c < '0' || c > '9' || (n == 0 && c == '0'))
            return -1;
        n = n * 10 + (c - '0');
        if (n > PAGE_MAX)
            return -1;
    }
    return n;
}

/* parse_url classifies a site URL rel ("/p?q#f"; "" or "?q" mean "/"). */
static enum url_kind parse_url(struct str rel, struct url *u)
{
    size_t i = 0;
    while (i < rel.len && rel.ptr[i] != '?' && rel.ptr[i] != '#')
        i++;
    u->path = i ? (struct str){rel.ptr, i} : STR("/");
    u->query = STR_NULL;
    u->frag = STR_NULL;
    u->ver = STR_NULL;
    u->page = 1;
    if (i < rel.len && rel.ptr[i] == '?') {
        size_t q = ++i;
        while (i < rel.len && rel.ptr[i] != '#')
            i++;
        u->query = (struct str){rel.ptr + q, i - q};
    }
    if (i < rel.len)
        u->frag = (struct str){rel.ptr + i, rel.len - i};
    if (str_eq_cstr(u->path, "/search"))
        return URL_SEARCH;
    if (!path_ok(u->path))
        return URL_OTHER;
    /* /assets/style.css?v=HASH: the file, its fingerprint kept (any web
     * server ignores the query when serving a file). */
    if (u->query.len > 2 && !memcmp(u->query.ptr, "v=", 2) &&
        last_is_file(u->path)) {
        u->ver = u->query;
        u->query = STR_NULL;
    }
    if (u->query.len) {
        u->page = page_number(u->query);
        if (u->page < 1 || (u->page > 1 && last_is_file(u->path)))
            return URL_OTHER;
    }
    return URL_PAGE;
}

/* fmt_page writes n (1..PAGE_MAX) in decimal; returns the length. A page
 * has dozens of links: printf here was a tenth of an export's time. */
static size_t fmt_page(char *out, long n)
{
    char tmp[24];
    size_t len = 0;
    do {
        tmp[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    for (size_t i = 0; i < len; i++)
        out[i] = tmp[len - 1 - i];
    return len;
}

/* append_mapped writes the export's path for u (without prefix or frag). */
static void append_mapped(struct buf *b, const struct url *u)
{
    buf_append_str(b, u->path);
    bool dir = u->path.ptr[u->path.len - 1] == '/';
    if (!dir && !last_is_file(u->path)) {
        buf_append_char(b, '/');
        dir = true;
    }
    if (dir && u->page > 1) {
        char num[24];
        buf_append_cstr(b, "page/");
        buf_append(b, num, fmt_page(num, u->page));
        buf_append_char(b, '/');
    }
}

/* make_key writes u's crawl key into key (LINKMAP_PATH_MAX + 32 bytes). */
static size_t make_key(char *key, const struct url *u)
{
    size_t n = u->path.len;
    memcpy(key, u->path.ptr, n);
    if (u->page > 1) {
        memcpy(key + n, "?page=", 6);
        n += 6;
        n += fmt_page(key + n, u->page);
    }
    key[n] = '\0';
    return n;
}

void linkmap_init(struct linkmap *m, const char *site_base,
                  const char *out_base, const char *search_url)
{
    memset(m, 0, sizeof(*m));
    m->site_base = str_from(site_base ? site_base : "");
    m->out_base = out_base && *out_base ? str_from(out_base) : m->site_base;
    while (m->site_base.len && m->site_base.ptr[m->site_base.len - 1] == '/')
        m->site_base.len--;
    while (m->out_base.len && m->out_base.ptr[m->out_base.len - 1] == '/')
        m->out_base.len--;
    /* the path of out_base: after "scheme://host" */
    const char *p = memmem(m->out_base.ptr ? m->out_base.ptr : "",
                           m->out_base.len, "://", 3);
    if (p) {
        p += 3;
        const char *end = m->out_base.ptr + m->out_base.len;
        const char *slash = memchr(p, '/', (size_t)(end - p));
        if (slash)
            m->out_prefix = (struct str){slash, (size_t)(end - slash)};
    }
    m->search_url = str_from(search_url ? search_url : "");
}

const char *linkmap_key(struct arena *a, struct str url)
{
    struct url u;
    if (url.len == 0 || url.ptr[0] != '/' || parse_url(url, &u) != URL_PAGE)
        return NULL;
    char key[LINKMAP_PATH_MAX + 32];
    size_t n = make_key(key, &u);
    return arena_strndup(a, key, n);
}

const char *linkmap_file(struct arena *a, const char *key)
{
    struct url u;
    struct buf b;
    buf_init_arena(&b, a, LINKMAP_PATH_MAX + 64);
    if (parse_url(str_from(key), &u) != URL_PAGE)
        return NULL;
    append_mapped(&b, &u);
    if (b.ptr[b.len - 1] == '/')
        buf_append_cstr(&b, "index.html");
    return buf_error(&b) ? NULL : b.ptr + 1; /* relative: drop the '/' */
}

/* --- rewriting ------------------------------------------------------ */

struct rw {
    const struct linkmap *m;
    enum linkmap_kind kind;
    struct buf *out;
    linkmap_found_fn found;
    void *ctx;
    const char *end; /* of the document */
    const char *hit; /* the next occurrence of site_base, or NULL */
    bool hit_known;  /* hit is valid from wherever the last search began */
};

/* next_base finds the next site_base at or after from: one search per
 * occurrence for the whole document, not one per text between tags. */
static const char *next_base(struct rw *w, const char *from)
{
    if (w->hit_known && (!w->hit || w->hit >= from))
        return w->hit;
    w->hit = memmem(from, (size_t)(w->end - from), w->m->site_base.ptr,
                    w->m->site_base.len);
    w->hit_known = true;
    return w->hit;
}

/*
 * internal: is v a link into the site? *rel receives the site path part
 * and *absolute whether v started with site_base.
 */
static bool internal(const struct rw *w, struct str v, struct str *rel,
                     bool *absolute)
{
    if (v.len && v.ptr[0] == '/' && !(v.len > 1 && v.ptr[1] == '/')) {
        *rel = v;
        *absolute = false;
        return true;
    }
    struct str base = w->m->site_base;
    if (base.len && str_starts_with(v, base) &&
        (v.len == base.len || strchr("/?#", v.ptr[base.len]))) {
        *rel = (struct str){v.ptr + base.len, v.len - base.len};
        *absolute = true;
        return true;
    }
    return false;
}

static void append_value(struct rw *w, struct str s)
{
    if (w->kind == LINKMAP_TEXT)
        buf_append_str(w->out, s);
    else
        buf_append_html(w->out, s.ptr, s.len);
}

/*
 * emit_url writes the new form of internal URL rel; returns false (and
 * writes nothing) when it must be dropped: a search link with no search
 * URL configured. Links that are not crawlable are written unchanged.
 */
static bool emit_url(struct rw *w, struct str orig, struct str rel,
                     bool absolute)
{
    struct url u;
    enum url_kind k = parse_url(rel, &u);
    if (k == URL_SEARCH) {
        if (!w->m->search_url.len)
            return false;
        append_value(w, w->m->search_url);
        if (u.query.len) {
            bool has_q =
                memchr(w->m->search_url.ptr, '?', w->m->search_url.len) != NULL;
            buf_append_cstr(w->out,
                            has_q ? (w->kind == LINKMAP_TEXT ? "&" : "&amp;")
                                  : "?");
            buf_append_str(w->out, u.query);
        }
        buf_append_str(w->out, u.frag);
        return true;
    }
    if (k != URL_PAGE) {
        buf_append_str(w->out, orig);
        return true;
    }
    if (absolute)
        buf_append_str(w->out, w->m->out_base);
    else
        buf_append_str(w->out, w->m->out_prefix);
    append_mapped(w->out, &u);
    if (u.ver.len) {
        buf_append_char(w->out, '?');
        buf_append_str(w->out, u.ver);
    }
    buf_append_str(w->out, u.frag);
    if (w->found) {
        char key[LINKMAP_PATH_MAX + 32];
        size_t n = make_key(key, &u);
        w->found(w->ctx, (struct str){key, n});
    }
    return true;
}

/* rewrite_text rewrites absolute site URLs in running text. */
static void rewrite_text(struct rw *w, const char *p, size_t n)
{
    struct str base = w->m->site_base;
    size_t i = 0;
    while (base.len && i < n) {
        const char *hit = next_base(w, p + i);
        if (!hit || hit + base.len > p + n)
            break;
        size_t at = (size_t)(hit - p), end = at + base.len;
        if (end < n && url_char(p[end]) && !strchr("/?#", p[end])) {
            /* a longer host name, not ours */
            buf_append(w->out, p + i, end - i);
            i = end;
            continue;
        }
        while (end < n && url_char(p[end]))
            end++;
        buf_append(w->out, p + i, at - i);
        struct str orig = {p + at, end - at};
        struct str rel = {p + at + base.len, end - at - base.len};
        struct url u;
        if (parse_url(rel, &u) == URL_SEARCH && !w->m->search_url.len)
            buf_append_str(w->out, orig); /* the live site's search */
        else
            emit_url(w, orig, rel, true);
        i = end;
    }
    buf_append(w->out, p + i, n - i);
}

/* lower: ASCII lower case; tag and attribute names are ASCII. */
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* name_is: does name equal the lower-case literal lit, ignoring case?
 * Inline, not strncasecmp: it runs for every tag and attribute. */
static bool name_is(struct str name, const char *lit, size_t len)
{
    if (name.len != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (lower(name.ptr[i]) != lit[i])
            return false;
    return true;
}

#define NAME_IS(name, lit) name_is(name, lit, sizeof(lit) - 1)

/* find_ci finds "</name" (lower-case needle), ignoring case: it steps
 * from '<' to '<' with memchr instead of comparing at every byte. */
static const char *find_ci(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    const char *end = p + n;
    while ((size_t)(end - p) >= k) {
        const char *lt = memchr(p, '<', (size_t)(end - p) - k + 1);
        if (!lt)
            return NULL;
        if (name_is((struct str){lt, k}, needle, k))
            return lt;
        p = lt + 1;
    }
    return NULL;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* tag_end returns the index after the '>' closing the tag at i. One pass:
 * quoted values are skipped with memchr, so a '>' in a value is no end. */
static size_t tag_end(const char *p, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        char c = p[i];
        if (c == '>')
            return i + 1;
        if (c == '"' || c == '\'') {
            const char *close = memchr(p + i + 1, c, n - i - 1);
            if (!close)
                return n;
            i = (size_t)(close - p);
        }
    }
    return n;
}

struct attr {
    struct str name;
    size_t start;        /* of the name */
    size_t val, val_len; /* the value's bytes (inside quotes) */
    size_t end;          /* after the value and its closing quote */
    bool has_value;
};

/* next_attr reads the attribute at *j within the tag [.., e); false at
 * the end of the tag. */
static bool next_attr(const char *p, size_t e, size_t *j, struct attr *a)
{
    size_t i = *j;
    while (i < e && (is_space(p[i]) || p[i] == '/'))
        i++;
    if (i >= e || p[i] == '>')
        return false;
    a->start = i;
    while (i < e && !is_space(p[i]) && p[i] != '=' && p[i] != '>' &&
           p[i] != '/')
        i++;
    a->name = (struct str){p + a->start, i - a->start};
    if (a->name.len == 0) { /* a stray character: step over it */
        i++;
        a->name = (struct str){p + a->start, 1};
    }
    size_t k = i;
    while (k < e && is_space(p[k]))
        k++;
    a->has_value = k < e && p[k] == '=';
    if (!a->has_value) {
        a->end = i;
        *j = i;
        return true;
    }
    k++;
    while (k < e && is_space(p[k]))
        k++;
    if (k < e && (p[k] == '"' || p[k] == '\'')) {
        char q = p[k];
        a->val = k + 1;
        const char *close = memchr(p + a->val, q, e - a->val);
        size_t c = close ? (size_t)(close - p) : e;
        a->val_len = c - a->val;
        a->end = close ? c + 1 : e;
    } else {
        a->val = k;
        while (k < e && !is_space(p[k]) && p[k] != '>')
            k++;
        a->val_len = k - a->val;
        a->end = k;
    }
    *j = a->end;
    return true;
}

static bool content_attr(struct str name)
{
    return NAME_IS(name, "content");
}

/* link_attr: href, src, action, or a <meta>'s content (og:url...). */
static bool link_attr(struct str name)
{
    return NAME_IS(name, "href") || NAME_IS(name, "src") ||
           content_attr(name) || NAME_IS(name, "action");
}

/* link_tag: an HTML element that may carry href, src or action. */
static bool link_tag(struct str name)
{
#define NAME(lit)                                                              \
    {                                                                          \
        lit, sizeof(lit) - 1                                                   \
    }
    static const struct str names[] = {
        NAME("a"),     NAME("link"),   NAME("img"),    NAME("script"),
        NAME("form"),  NAME("iframe"), NAME("source"), NAME("area"),
        NAME("embed"), NAME("video"),  NAME("audio"),  NAME("track"),
        NAME("input"), NAME("button"), NAME("base"),   NAME("object"),
        NAME("frame"), NAME("meta"),
    };
#undef NAME
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (name_is(name, names[i].ptr, names[i].len))
            return true;
    return false;
}

/* rewrite_srcset copies a srcset's candidates ("URL 480w, URL 960w")
 * from p[s, e), each internal URL moved and crawled as an href is: a
 * responsive image's other widths are files the export must carry. */
static void rewrite_srcset(struct rw *w, const char *p, size_t s, size_t e)
{
    size_t i = s;
    while (i < e) {
        size_t st = i;
        while (i < e && (is_space(p[i]) || p[i] == ','))
            i++;
        buf_append(w->out, p + st, i - st);
        size_t u = i;
        while (i < e && !is_space(p[i]) && p[i] != ',')
            i++;
        struct str v = {p + u, i - u}, rel;
        bool absolute;
        if (!v.len || !internal(w, v, &rel, &absolute) ||
            !emit_url(w, v, rel, absolute))
            buf_append_str(w->out, v);
        st = i; /* the descriptor, up to the next candidate */
        while (i < e && p[i] != ',')
            i++;
        buf_append(w->out, p + st, i - st);
    }
}

/* rewrite_tag copies the tag p[s, e) with its link attributes rewritten. */
static void rewrite_tag(struct rw *w, const char *p, size_t s, size_t e,
                        size_t after_name)
{
    size_t copied = s, j = after_name;
    struct attr a;
    while (next_attr(p, e, &j, &a)) {
        if (a.has_value && NAME_IS(a.name, "srcset")) {
            buf_append(w->out, p + copied, a.val - copied);
            rewrite_srcset(w, p, a.val, a.val + a.val_len);
            copied = a.val + a.val_len;
            continue;
        }
        if (!a.has_value || !link_attr(a.name))
            continue;
        struct str v = {p + a.val, a.val_len}, rel;
        bool absolute;
        if (!internal(w, v, &rel, &absolute))
            continue;
        if (content_attr(a.name) && !absolute)
            continue; /* a description, not a URL */
        size_t mark = w->out->len;
        buf_append(w->out, p + copied, a.val - copied);
        if (emit_url(w, v, rel, absolute)) {
            copied = a.val + a.val_len;
        } else { /* drop the whole attribute */
            w->out->len = mark;
            w->out->ptr[mark] = '\0';
            size_t st = a.start;
            while (st > copied && is_space(p[st - 1]))
                st--;
            buf_append(w->out, p + copied, st - copied);
            copied = a.end;
        }
    }
    buf_append(w->out, p + copied, e - copied);
}

/*
 * form_stays: a form that posts to the site is removed (no server to
 * answer it), except a search form when a search URL is configured.
 */
static bool form_stays(struct rw *w, const char *p, size_t e, size_t after_name)
{
    size_t j = after_name;
    struct attr a;
    while (next_attr(p, e, &j, &a)) {
        if (!a.has_value || !NAME_IS(a.name, "action"))
            continue;
        struct str v = {p + a.val, a.val_len}, rel;
        bool absolute;
        if (!internal(w, v, &rel, &absolute))
            return true;
        struct url u;
        return parse_url(rel, &u) == URL_SEARCH && w->m->search_url.len;
    }
    return false; /* no action: it posts to the page itself */
}

static void rewrite_markup(struct rw *w, const char *p, size_t n)
{
    bool html = w->kind == LINKMAP_HTML;
    size_t i = 0;
    while (i < n) {
        const char *lt = memchr(p + i, '<', n - i);
        size_t at = lt ? (size_t)(lt - p) : n;
        rewrite_text(w, p + i, at - i);
        i = at;
        if (i >= n)
            break;
        size_t rest = n - i;
        if (rest >= 4 && memcmp(p + i, "<!--", 4) == 0) {
            const char *e = memmem(p + i + 4, rest - 4, "-->", 3);
            size_t end = e ? (size_t)(e - p) + 3 : n;
            buf_append(w->out, p + i, end - i);
            i = end;
            continue;
        }
        if (rest >= 9 && memcmp(p + i, "<![CDATA[", 9) == 0) {
            const char *e = memmem(p + i + 9, rest - 9, "]]>", 3);
            size_t end = e ? (size_t)(e - p) + 3 : n;
            rewrite_text(w, p + i, end - i);
            i = end;
            continue;
        }
        if (rest >= 2 && (p[i + 1] == '!' || p[i + 1] == '?')) {
            size_t end = tag_end(p, n, i);
            rewrite_text(w, p + i, end - i);
            i = end;
            continue;
        }
        size_t k = i + 1;
        bool closing = k < n && p[k] == '/';
        if (closing)
            k++;
        size_t name = k;
        while (k < n &&
               ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z') ||
                (p[k] >= '0' && p[k] <= '9') || p[k] == ':' || p[k] == '-'))
            k++;
        if (k == name) { /* "<" that starts no tag */
            buf_append_char(w->out, '<');
            i++;
            continue;
        }
        struct str tname = {p + name, k - name};
        size_t e = tag_end(p, n, i);
        if (html && !closing && NAME_IS(tname, "form") &&
            !form_stays(w, p, e, k)) {
            const char *close = find_ci(p + e, n - e, "</form");
            i = close ? tag_end(p, n, (size_t)(close - p)) : e;
            continue;
        }
        if (closing || (html && !link_tag(tname)))
            buf_append(w->out, p + i, e - i);
        else
            rewrite_tag(w, p, i, e, k);
        i = e;
        if (html && !closing &&
            (NAME_IS(tname, "script") || NAME_IS(tname, "style"))) {
            const char *close =
                find_ci(p + i, n - i, tname.len == 6 ? "</script" : "</style");
            size_t end = close ? (size_t)(close - p) : n;
            rewrite_text(w, p + i, end - i);
            i = end;
        }
    }
}

void linkmap_rewrite(const struct linkmap *m, enum linkmap_kind kind,
                     struct str in, struct buf *out, linkmap_found_fn found,
                     void *ctx)
{
    struct rw w = {m, kind, out, found, ctx, in.ptr + in.len, NULL, false};
    if (kind == LINKMAP_TEXT)
        rewrite_text(&w, in.ptr, in.len);
    else
        rewrite_markup(&w, in.ptr, in.len);
}
