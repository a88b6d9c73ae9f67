/*
 * html_md.c - HTML to Markdown for imported archives, on libxml2's HTML
 * parser (the only module that includes libxml/HTMLparser.h; it parses
 * broken HTML the way browsers do and decodes every entity).
 *
 * The bytes are repaired first (text_repair): real K2 rows hold Latin-1 or
 * Windows-1252 bytes and UTF-8 that went through a Windows-1252 decoder
 * twice. Then the tree is walked once: block elements make blocks joined
 * by blank lines, inline elements make text. A container's blocks are
 * rendered into a buffer of their own and prefixed ("> ", "- ", "   ").
 * Every text character that could start Markdown markup or HTML is
 * escaped, so what comes out renders as the text that went in. The
 * Markdown writer is hand-written: no Debian library converts HTML to
 * Markdown.
 */
#include "content/html_md.h"

#include "core/utf8.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

enum { DEPTH_MAX = 64 }; /* deeper nesting is flattened into text */

/* Windows-1252 0x80-0x9F; 0: undefined (kept as the C1 code point). */
static const uint16_t cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0,
};

static void put_cp(struct buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append(b, u, n);
}

static uint32_t from_1252(unsigned char c)
{
    if (c >= 0x80 && c < 0xA0 && cp1252[c - 0x80])
        return cp1252[c - 0x80];
    return c;
}

/* to_1252 gives the Windows-1252 byte of cp, or -1. */
static int to_1252(uint32_t cp)
{
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (int)cp;
    for (int i = 0; i < 32; i++)
        if (cp1252[i] == cp)
            return 0x80 + i;
    if (cp >= 0x80 && cp < 0xA0 && !cp1252[cp - 0x80])
        return (int)cp;
    return -1;
}

/*
 * unmangle: at s (valid UTF-8), do 2-4 code points map to Windows-1252
 * bytes that are one UTF-8 sequence of a non-ASCII character? Then that
 * is mojibake: *len gets the bytes consumed and *cp the real character.
 */
static bool unmangle(const char *s, size_t n, size_t *len, uint32_t *cp)
{
    unsigned char bytes[4];
    uint32_t c;
    size_t k = utf8_decode(s, n, &c);
    int lead = k ? to_1252(c) : -1;
    int want = lead >= 0xC2 && lead <= 0xDF   ? 2
               : lead >= 0xE0 && lead <= 0xEF ? 3
               : lead >= 0xF0 && lead <= 0xF4 ? 4
                                              : 0;
    if (!want || c < 0x80)
        return false;
    bytes[0] = (unsigned char)lead;
    size_t off = k;
    for (int i = 1; i < want; i++) {
        k = utf8_decode(s + off, n - off, &c);
        int b = k ? to_1252(c) : -1;
        if (b < 0x80 || b > 0xBF)
            return false;
        bytes[i] = (unsigned char)b;
        off += k;
    }
    if (utf8_decode((const char *)bytes, (size_t)want, cp) != (size_t)want)
        return false;
    *len = off;
    return true;
}

void text_repair(const char *s, size_t n, struct buf *out,
                 struct html_md_report *rep)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (k == 0) {
            put_cp(out, from_1252((unsigned char)s[i]));
            if (rep)
                rep->bad_utf8++;
            i++;
            continue;
        }
        size_t len;
        if (k > 1 && unmangle(s + i, n - i, &len, &cp)) {
            put_cp(out, cp);
            if (rep)
                rep->mojibake++;
            i += len;
            continue;
        }
        if (cp == 0) { /* NUL would end the text early */
            i += k;
            continue;
        }
        buf_append(out, s + i, k);
        i += k;
    }
}

/* --- the tree walk ------------------------------------------------- */

struct md {
    struct html_md_report *rep;
    int depth;
};

static bool is(const xmlNode *n, const char *name)
{
    return n->name && strcasecmp((const char *)n->name, name) == 0;
}

static bool is_any(const xmlNode *n, const char *const *names)
{
    for (; *names; names++)
        if (is(n, *names))
            return true;
    return false;
}

static const char *const DROPPED[] = {
    "script", "style", "iframe", "object", "embed",  "noscript", "template",
    "svg",    "math",  "form",   "input",  "button", "select",   "textarea",
    "head",   "title", "meta",   "link",   "base",   "frame",    "frameset",
    "applet", "audio", "video",  "canvas", "map",    NULL};
static const char *const BLOCKS[] = {
    "p",      "div",     "h1",  "h2",      "h3",      "h4",
    "h5",     "h6",      "ul",  "ol",      "li",      "blockquote",
    "table",  "pre",     "hr",  "section", "article", "header",
    "footer", "aside",   "nav", "main",    "figure",  "figcaption",
    "dl",     "dt",      "dd",  "address", "center",  "body",
    "html",   "tr",      "td",  "th",      "thead",   "tbody",
    "tfoot",  "caption", NULL};

static bool is_block(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE && is_any(n, BLOCKS);
}

/* esc_text appends text with whitespace collapsed and markup escaped;
 * *space carries "a space is pending" across text nodes. */
enum { IN_CELL = 1, PLAIN = 2 };

static void esc_text(struct buf *b, const char *t, bool *space, int flags)
{
    bool cell = flags & IN_CELL;
    for (const char *p = t; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            *space = true;
            continue;
        }
        if (*space && b->len > 0 && b->ptr[b->len - 1] != '\n')
            buf_append_char(b, ' ');
        *space = false;
        if (flags & PLAIN) {
            buf_append_char(b, (char)c);
            continue;
        }
        switch (c) {
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '<':
        case '>':
        case '~': buf_append_char(b, '\\'); break;
        case '&':
            if ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') ||
                p[1] == '#')
                buf_append_char(b, '\\');
            break;
        case '|':
            if (cell)
                buf_append_char(b, '\\');
            break;
        default: break;
        }
        buf_append_char(b, (char)c);
    }
}

/* url_ok: http(s), mailto, or no scheme at all (relative). */
static bool url_ok(const char *u)
{
    while (*u && (unsigned char)*u <= ' ')
        u++;
    if (!*u)
        return false;
    const char *p = u;
    while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#')
        p++;
    if (*p != ':')
        return true; /* relative */
    size_t n = (size_t)(p - u);
    return (n == 4 && strncasecmp(u, "http", 4) == 0) ||
           (n == 5 && strncasecmp(u, "https", 5) == 0) ||
           (n == 6 && strncasecmp(u, "mailto", 6) == 0);
}

/* put_url writes a link destination: percent-encodes what would end it
 * or be read as markup, brackets too: a link nested in a link's text is
 * left as literal text by CommonMark, and "![" in its URL would then
 * open an image. */
static void put_url(struct buf *b, const char *u)
{
    static const char hex[] = "0123456789ABCDEF";
    while (*u && (unsigned char)*u <= ' ')
        u++;
    for (; *u; u++) {
        unsigned char c = (unsigned char)*u;
        if (c <= ' ' || c == '(' || c == ')' || c == '<' || c == '>' ||
            c == '\\' || c == '"' || c == '`' || c == '[' || c == ']' ||
            c == 0x7F) {
            buf_append_char(b, '%');
            buf_append_char(b, hex[c >> 4]);
            buf_append_char(b, hex[c & 15]);
        } else {
            buf_append_char(b, (char)c);
        }
    }
}

/* bang_guard escapes a '!' that ends b: a '[' next would make an image. */
static void bang_guard(struct buf *b)
{
    if (b->len && b->ptr[b->len - 1] == '!') {
        b->len--;
        buf_append_cstr(b, "\\!");
    }
}

static void open_link(struct buf *b)
{
    bang_guard(b);
    buf_append_char(b, '[');
}

static const char *attr(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && strcasecmp((const char *)a->name, name) == 0 &&
            a->children && a->children->content)
            return (const char *)a->children->content;
    return NULL;
}

static void inlines(struct md *m, const xmlNode *n, struct buf *b, bool *space,
                    int cell);

static void inline_node(struct md *m, const xmlNode *n, struct buf *b,
                        bool *space, int cell)
{
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content)
            esc_text(b, (const char *)n->content, space, cell);
        return;
    }
    if (n->type != XML_ELEMENT_NODE)
        return;
    if (is_any(n, DROPPED)) {
        if (m->rep)
            m->rep->dropped++;
        return;
    }
    if (m->depth >= DEPTH_MAX) {
        inlines(m, n->children, b, space, cell);
        return;
    }
    m->depth++;
    if (cell & PLAIN) {
        if (is_block(n) || is(n, "br"))
            *space = true;
        if (!is(n, "img"))
            inlines(m, n->children, b, space, cell);
        if (is_block(n))
            *space = true;
        m->depth--;
        return;
    }
    const char *mark = is(n, "em") || is(n, "i") || is(n, "cite") ? "*"
                       : is(n, "strong") || is(n, "b")            ? "**"
                                                                  : NULL;
    if (is(n, "br")) {
        if (cell)
            *space = true;
        else if (b->len > 0 && b->ptr[b->len - 1] != '\n')
            buf_append_cstr(b, "\\\n");
    } else if (is(n, "img")) {
        const char *src = attr(n, "src");
        const char *alt = attr(n, "alt");
        if (src && url_ok(src)) {
            if (*space && b->len > 0)
                buf_append_char(b, ' ');
            *space = false;
            open_link(b);
            bool sp = false;
            esc_text(b, alt && *alt ? alt : "image", &sp, cell);
            buf_append_cstr(b, "](");
            put_url(b, src);
            buf_append_char(b, ')');
        }
    } else if (is(n, "a") && attr(n, "href") && url_ok(attr(n, "href"))) {
        if (*space && b->len > 0)
            buf_append_char(b, ' ');
        *space = false;
        struct buf t;
        buf_init(&t, b->max);
        bool sp = false;
        inlines(m, n->children, &t, &sp, cell);
        open_link(b);
        if (t.len)
            buf_append(b, t.ptr, t.len);
        else
            esc_text(b, attr(n, "href"), &sp, cell);
        buf_append_cstr(b, "](");
        put_url(b, attr(n, "href"));
        buf_append_char(b, ')');
        buf_release(&t);
    } else if (mark) {
        struct buf t;
        buf_init(&t, b->max);
        bool sp = false;
        inlines(m, n->children, &t, &sp, cell);
        /* CommonMark only closes "**J.M.**R" if the mark is flanked
         * right: emphasis that starts or ends with punctuation or a space
         * could leak literal asterisks, so it keeps just its text. */
        if (t.len) {
            if (*space && b->len > 0)
                buf_append_char(b, ' ');
            *space = sp;
            unsigned char f = (unsigned char)t.ptr[0];
            unsigned char l = (unsigned char)t.ptr[t.len - 1];
            bool safe = (f >= 0x80 || isalnum(f)) && (l >= 0x80 || isalnum(l));
            if (safe)
                buf_append_cstr(b, mark);
            else if (t.ptr[0] == '[')
                bang_guard(b);
            buf_append(b, t.ptr, t.len);
            if (safe)
                buf_append_cstr(b, mark);
        }
        buf_release(&t);
    } else {
        inlines(m, n->children, b, space, cell);
    }
    m->depth--;
}

static void inlines(struct md *m, const xmlNode *n, struct buf *b, bool *space,
                    int cell)
{
    for (; n; n = n->next)
        inline_node(m, n, b, space, cell);
}

/* add_block appends a block, separated from the previous by a blank line;
 * a paragraph's line that Markdown would read as a block marker is
 * escaped. */
static void add_block(struct buf *out, const char *t, size_t n, bool para)
{
    while (n && (t[n - 1] == '\n' || t[n - 1] == ' '))
        n--;
    if (!n)
        return;
    if (out->len)
        buf_append_cstr(out, "\n\n");
    if (!para) {
        buf_append(out, t, n);
        return;
    }
    bool start = true;
    for (size_t i = 0; i < n; i++) {
        if (start) {
            size_t d = i;
            while (d < n && t[d] >= '0' && t[d] <= '9')
                d++;
            if (t[i] == '#' || t[i] == '-' || t[i] == '+' || t[i] == '=')
                buf_append_char(out, '\\');
            else if (d > i && d < n && (t[d] == '.' || t[d] == ')')) {
                buf_append(out, t + i, d - i);
                buf_append_char(out, '\\');
                i = d;
            }
        }
        buf_append_char(out, t[i]);
        start = t[i] == '\n';
    }
}

/* prefix_lines appends t's lines to out, the first with first, the rest
 * with rest. */
static void prefix_lines(struct buf *out, const struct buf *t,
                         const char *first, const char *rest)
{
    const char *p = t->ptr, *end = t->ptr + t->len;
    bool one = true;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *pre = one ? first : rest;
        if (n || one)
            buf_append_cstr(out, pre);
        else if (*rest == '>')
            buf_append_cstr(out, ">");
        buf_append(out, p, n);
        if (nl)
            buf_append_char(out, '\n');
        p += n + (nl ? 1 : 0);
        one = false;
    }
}

static void blocks(struct md *m, const xmlNode *n, struct buf *out);

static void table(struct md *m, const xmlNode *t, struct buf *out);

static void list(struct md *m, const xmlNode *l, struct buf *out)
{
    bool ordered = is(l, "ol");
    int k = 0;
    struct buf item, whole;
    buf_init(&whole, out->max);
    for (const xmlNode *c = l->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !is(c, "li")) {
            if (c->type == XML_ELEMENT_NODE && (is(c, "ul") || is(c, "ol")))
                list(m, c, &whole);
            continue;
        }
        buf_init(&item, out->max);
        blocks(m, c->children, &item);
        char mark[16];
        snprintf(mark, sizeof(mark), ordered ? "%d. " : "- ", ++k);
        if (whole.len)
            buf_append_char(&whole, '\n');
        if (!item.len)
            buf_append_cstr(&item, "\\");
        prefix_lines(&whole, &item, mark, ordered ? "    " : "  ");
        buf_release(&item);
    }
    add_block(out, whole.ptr, whole.len, false);
    buf_release(&whole);
}

static void pre(const xmlNode *n, struct buf *out)
{
    xmlChar *text = xmlNodeGetContent(n);
    if (!text)
        return;
    size_t run = 0, longest = 0;
    for (const xmlChar *p = text; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    struct buf t;
    buf_init(&t, out->max);
    size_t fence = longest < 3 ? 3 : longest + 1;
    for (size_t i = 0; i < fence; i++)
        buf_append_char(&t, '`');
    buf_append_char(&t, '\n');
    /* CommonMark ends a line at CR too, and a line break the prefixes of
     * an enclosing quote or list do not see would end the fence early. */
    for (const xmlChar *p = text; *p; p++)
        if (*p != '\r')
            buf_append_char(&t, (char)*p);
        else if (p[1] != '\n')
            buf_append_char(&t, '\n');
    if (t.len && t.ptr[t.len - 1] != '\n')
        buf_append_char(&t, '\n');
    for (size_t i = 0; i < fence; i++)
        buf_append_char(&t, '`');
    add_block(out, t.ptr, t.len, false);
    buf_release(&t);
    xmlFree(text);
}

static void blocks(struct md *m, const xmlNode *n, struct buf *out)
{
    struct buf run;
    bool space = false;
    buf_init(&run, out->max);
    for (; n; n = n->next) {
        if (!is_block(n) || m->depth >= DEPTH_MAX) {
            inline_node(m, n, &run, &space, 0);
            continue;
        }
        add_block(out, run.ptr, run.len, true);
        buf_reset(&run);
        space = false;
        m->depth++;
        if (n->name[0] == 'h' && n->name[1] >= '1' && n->name[1] <= '6' &&
            !n->name[2]) {
            struct buf h;
            buf_init(&h, out->max);
            for (int i = 0; i < n->name[1] - '0'; i++)
                buf_append_char(&h, '#');
            buf_append_char(&h, ' ');
            size_t at = h.len;
            bool sp = false;
            inlines(m, n->children, &h, &sp, IN_CELL); /* one line */
            if (h.len > at)
                add_block(out, h.ptr, h.len, false);
            buf_release(&h);
        } else if (is(n, "ul") || is(n, "ol")) {
            list(m, n, out);
        } else if (is(n, "blockquote")) {
            struct buf q, p;
            buf_init(&q, out->max);
            buf_init(&p, out->max);
            blocks(m, n->children, &q);
            prefix_lines(&p, &q, "> ", "> ");
            add_block(out, p.ptr, p.len, false);
            buf_release(&q);
            buf_release(&p);
        } else if (is(n, "table")) {
            table(m, n, out);
        } else if (is(n, "pre")) {
            pre(n, out);
        } else if (is(n, "hr")) {
            add_block(out, "---", 3, false);
        } else {
            blocks(m, n->children, out);
        }
        m->depth--;
    }
    add_block(out, run.ptr, run.len, true);
    buf_release(&run);
}

/* rows collects a table's rows (tr under table, thead, tbody, tfoot). */
static void rows(const xmlNode *t, const xmlNode **r, size_t *n, size_t max)
{
    for (const xmlNode *c = t->children; c && *n < max; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is(c, "tr"))
            r[(*n)++] = c;
        else if (is(c, "thead") || is(c, "tbody") || is(c, "tfoot"))
            rows(c, r, n, max);
    }
}

static void table(struct md *m, const xmlNode *t, struct buf *out)
{
    enum { ROWS_MAX = 4096 };
    static const xmlNode *none;
    const xmlNode **r = calloc(ROWS_MAX, sizeof(*r));
    if (!r)
        return;
    size_t n = 0, cols = 0;
    rows(t, r, &n, ROWS_MAX);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (const xmlNode *c = r[i]->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && (is(c, "td") || is(c, "th")))
                k++;
        if (k > cols)
            cols = k;
    }
    (void)none;
    if (cols == 0) {
        free(r);
        return;
    }
    struct buf tb;
    buf_init(&tb, out->max);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        buf_append_char(&tb, '|');
        for (const xmlNode *c = r[i]->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE || !(is(c, "td") || is(c, "th")))
                continue;
            bool sp = false;
            buf_append_char(&tb, ' ');
            inlines(m, c->children, &tb, &sp, IN_CELL);
            buf_append_cstr(&tb, " |");
            k++;
        }
        for (; k < cols; k++)
            buf_append_cstr(&tb, "  |");
        buf_append_char(&tb, '\n');
        if (i == 0) {
            buf_append_char(&tb, '|');
            for (k = 0; k < cols; k++)
                buf_append_cstr(&tb, " --- |");
            buf_append_char(&tb, '\n');
        }
    }
    add_block(out, tb.ptr, tb.len, false);
    buf_release(&tb);
    free(r);
}

static bool entity_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '#';
}

/*
 * mend appends s with character references that an old editor cut by a
 * tag ("&lt;PAC&g</strong>t;") put back together before the tag, when the
 * two halves make a known reference.
 */
static void mend(const char *s, size_t n, struct buf *out)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] != '&') {
            buf_append_char(out, s[i++]);
            continue;
        }
        size_t a = i + 1;
        while (a < n && a - i < 10 && entity_char(s[a]))
            a++;
        const char *gt = a < n && s[a] == '<' && a > i + 1
                             ? memchr(s + a, '>', n - a)
                             : NULL;
        size_t b = gt ? (size_t)(gt - s) + 1 : 0;
        size_t c = b;
        while (gt && c < n && c - b < 10 && entity_char(s[c]))
            c++;
        char name[24];
        if (gt && c < n && s[c] == ';' && c > b &&
            (a - i - 1) + (c - b) < sizeof(name)) {
            size_t k = a - i - 1;
            memcpy(name, s + i + 1, k);
            memcpy(name + k, s + b, c - b);
            name[k + c - b] = 0;
            if (name[0] == '#' || htmlEntityLookup((const xmlChar *)name)) {
                buf_printf(out, "&%s;", name);
                buf_append(out, s + a, b - a); /* the tag */
                i = c + 1;
                continue;
            }
        }
        buf_append_char(out, s[i++]);
    }
}

static htmlDocPtr parse(const char *s, size_t n, struct buf *fixed,
                        struct html_md_report *rep)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, xmlInitParser);
    struct buf raw;
    buf_init(&raw, fixed->max);
    text_repair(s, n, &raw, rep);
    mend(raw.ptr, raw.len, fixed);
    buf_release(&raw);
    if (fixed->err || fixed->len > INT32_MAX)
        return NULL;
    return htmlReadMemory(fixed->ptr, (int)fixed->len, NULL, "UTF-8",
                          HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                              HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
}

int html_to_markdown(const char *s, size_t n, struct buf *out,
                     struct html_md_report *rep)
{
    struct buf fixed;
    struct md m = {.rep = rep};
    int rc = 0;
    buf_init(&fixed, out->max);
    if (n == 0)
        goto out;
    htmlDocPtr doc = parse(s, n, &fixed, rep);
    if (!doc) {
        rc = fixed.err ? ERR_TOO_BIG : ERR_PARSE;
        goto out;
    }
    blocks(&m, doc->children, out);
    xmlFreeDoc(doc);
    if (out->err)
        rc = ERR_TOO_BIG;
out:
    buf_release(&fixed);
    return rc;
}

int html_to_text(const char *s, size_t n, struct buf *out,
                 struct html_md_report *rep)
{
    struct buf fixed;
    buf_init(&fixed, out->max);
    text_repair(s, n, &fixed, rep);
    bool space = false;
    for (size_t i = 0; i < fixed.len; i++) {
        char c = fixed.ptr[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            continue;
        }
        if (space && out->len)
            buf_append_char(out, ' ');
        space = false;
        const char *semi = c == '&'
                               ? memchr(fixed.ptr + i, ';',
                                        fixed.len - i < 12 ? fixed.len - i : 12)
                               : NULL;
        if (semi) {
            char name[12];
            size_t k = (size_t)(semi - fixed.ptr) - i - 1;
            memcpy(name, fixed.ptr + i + 1, k);
            name[k] = 0;
            uint32_t cp = 0;
            if (name[0] == '#') {
                char *end;
                bool x = name[1] == 'x' || name[1] == 'X';
                unsigned long v = strtoul(name + 1 + x, &end, x ? 16 : 10);
                if (*end == 0 && end != name + 1 + x && v > 0 &&
                    v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF))
                    cp = v >= 0x80 && v < 0xA0 ? from_1252((unsigned char)v)
                                               : (uint32_t)v;
            } else {
                const htmlEntityDesc *e = htmlEntityLookup((xmlChar *)name);
                if (e)
                    cp = e->value;
            }
            if (cp) {
                put_cp(out, cp);
                i = (size_t)(semi - fixed.ptr);
                continue;
            }
        }
        buf_append_char(out, c);
    }
    buf_release(&fixed);
    return out->err ? ERR_TOO_BIG : 0;
}

int html_to_plain(const char *s, size_t n, struct buf *out,
                  struct html_md_report *rep)
{
    struct buf fixed;
    struct md m = {.rep = rep};
    int rc = 0;
    bool space = false;
    buf_init(&fixed, out->max);
    if (n == 0)
        goto out;
    htmlDocPtr doc = parse(s, n, &fixed, rep);
    if (!doc) {
        rc = fixed.err ? ERR_TOO_BIG : ERR_PARSE;
        goto out;
    }
    inlines(&m, doc->children, out, &space, PLAIN);
    xmlFreeDoc(doc);
    if (out->err)
        rc = ERR_TOO_BIG;
out:
    buf_release(&fixed);
    return rc;
}
