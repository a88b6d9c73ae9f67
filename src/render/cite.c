/*
 * cite.c - BibTeX, RIS, CSL-JSON and JSON-LD for one article.
 *
 * CSL-JSON and JSON-LD are written directly, by a small writer that gives
 * the bytes jansson's dump gave (see struct ld); no allocation but the
 * caller's arena and buffer.
 *
 * Text from the database is made plain first (cite_plain), so every format
 * below can rely on valid UTF-8 on one line without control characters;
 * what is left to escape is each format's own syntax. The paths of pages
 * (/articles/<slug>, /authors/<slug>, /issues/<date>) follow view.c's URL
 * scheme; slugs and dates are [a-z0-9-] and need no escaping in a path.
 */
#include "render/cite.h"

#include "content/date.h"
#include "content/name.h"
#include "content/slug.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool blank(const char *s)
{
    return !s || !*s;
}

/* --- plain text and URLs ------------------------------------------------ */

char *cite_plain(struct arena *a, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    /* Output is at most n bytes unless a bad byte becomes U+FFFD (3). */
    size_t cap = n + 1, o = 0;
    char *out = arena_alloc(a, cap);
    bool space = true; /* drops leading spaces */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c > 0x20 && c < 0x7F) { /* printable ASCII: the common case */
            out[o++] = (char)c;
            space = false;
            i++;
            continue;
        }
        uint32_t cp = c;
        size_t len = c < 0x80 ? 1 : utf8_decode(s + i, n - i, &cp);
        bool bad = len == 0;
        if (bad) {
            cp = 0xFFFD;
            len = 1;
        }
        bool is_space = cp == ' ' || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
                        cp == 0x2028 || cp == 0x2029;
        if (is_space) {
            if (!space)
                out[o++] = ' ';
            space = true;
        } else if (bad) {
            if (cap < n * 3 + 1) {
                char *big = arena_alloc(a, n * 3 + 1);
                memcpy(big, out, o);
                out = big;
                cap = n * 3 + 1;
            }
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            space = false;
        } else {
            memcpy(out + o, s + i, len);
            o += len;
            space = false;
        }
        i += len;
    }
    if (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return out;
}

const char *cite_base_url(struct arena *a, const char *setting)
{
    if (blank(setting))
        return NULL;
    size_t n = strlen(setting);
    size_t scheme;
    if (strncasecmp(setting, "https://", 8) == 0)
        scheme = 8;
    else if (strncasecmp(setting, "http://", 7) == 0)
        scheme = 7;
    else
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)setting[i];
        if (c <= ' ' || c >= 0x7F || c == '"' || c == '\'' || c == '<' ||
            c == '>' || c == '\\' || c == '{' || c == '}' || c == '`')
            return NULL;
    }
    while (n > scheme && setting[n - 1] == '/')
        n--;
    if (n == scheme || setting[scheme] == '/')
        return NULL; /* no host */
    return arena_strndup(a, setting, n);
}

char *cite_url(struct arena *a, const struct cite_journal *j, const char *path)
{
    if (!j->base_url)
        return NULL;
    return arena_cat(a, j->base_url, path);
}

static char *article_url(struct arena *a, const struct article *art,
                         const struct cite_journal *j)
{
    return cite_url(a, j, arena_cat(a, "/articles/", art->slug));
}

const char *cite_issue_label(const struct article *art)
{
    if (!art->issue.id)
        return NULL;
    return blank(art->issue.title) ? art->issue.date : art->issue.title;
}

/* ymd splits the article's UTC publication day. */
static void ymd(struct arena *a, int64_t t, int *y, int *m, int *d)
{
    const char *s = date_ymd(a, t); /* "YYYY-MM-DD" */
    int v[3] = {0, 0, 0}, k = 0;
    for (; *s && k < 3; s++) {
        if (*s == '-')
            k++;
        else
            v[k] = v[k] * 10 + (*s - '0');
    }
    *y = v[0];
    *m = v[1];
    *d = v[2];
}

/* --- names ------------------------------------------------------------ */

struct person {
    const char *name, *given, *family, *suffix; /* plain; "" when absent */
};

static char *dup_str(struct arena *a, struct str s)
{
    return arena_strndup(a, s.ptr ? s.ptr : "", s.len);
}

static struct person person(struct arena *a, const struct author *au)
{
    struct person p = {.name = cite_plain(a, au->name)};
    struct name_parts np;
    if (!p.name)
        p.name = "";
    name_split(str_from(p.name), &np);
    p.given = dup_str(a, np.given);
    p.family = dup_str(a, np.family);
    p.suffix = dup_str(a, np.suffix);
    return p;
}

static bool is_stop_word(struct str w)
{
    static const char *const stop[] = {"a",  "an", "the", "of",  "on", "in",
                                       "at", "to", "for", "and", "by"};
    for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
        if (str_eq_cstr(w, stop[i]))
            return true;
    return false;
}

char *cite_key(struct arena *a, const struct article *art)
{
    struct buf b;
    buf_init_arena(&b, a, 256);
    const char *who = "anon";
    if (art->n_authors > 0) {
        struct person p = person(a, &art->authors[0]);
        /* slug_from_title falls back to "article" when nothing is Latin. */
        const char *s = slug_from_title(a, p.family);
        if (strcmp(s, "article") != 0 ||
            strncasecmp(p.family, "article", 7) == 0)
            who = s;
    }
    for (const char *c = who; *c && b.len < 40; c++)
        if (*c != '-')
            buf_append_char(&b, *c);
    int y, m, d;
    ymd(a, art->published_at, &y, &m, &d);
    buf_printf(&b, "%d", y);
    /* The first word of the slug that says something. */
    const char *s = art->slug ? art->slug : "";
    while (*s) {
        const char *e = strchr(s, '-');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (!is_stop_word((struct str){s, len})) {
            buf_append(&b, s, len > 30 ? 30 : len);
            break;
        }
        s += len + (e ? 1 : 0);
    }
    return b.ptr;
}

char *cite_authors_chicago(struct arena *a, const struct article *art)
{
    if (art->n_authors == 0)
        return NULL;
    struct buf b;
    buf_init_arena(&b, a, BUF_MAX_DEFAULT);
    for (size_t i = 0; i < art->n_authors; i++) {
        struct person p = person(a, &art->authors[i]);
        if (i > 0)
            buf_append_cstr(&b, art->n_authors == 2 ? " and " : ", ");
        if (i > 0 && i + 1 == art->n_authors && art->n_authors > 2)
            buf_append_cstr(&b, "and ");
        if (i == 0) { /* the first is inverted: "King, Martin Luther, Jr." */
            buf_append_cstr(&b, p.family);
            if (*p.given)
                buf_printf(&b, ", %s", p.given);
            if (*p.suffix)
                buf_printf(&b, ", %s", p.suffix);
            if (art->n_authors == 2 && (*p.given || *p.suffix))
                buf_append_char(&b, ','); /* "Anwar, Zahid, and B" */
        } else {
            buf_append_cstr(&b, p.name);
        }
    }
    return b.ptr;
}

/* --- BibTeX ----------------------------------------------------------- */

/* tex appends s with LaTeX's special characters escaped; UTF-8 is kept. */
static void tex(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        size_t plain = strcspn(s, "\\~^{}#$%&_"); /* copied as one run */
        buf_append(b, s, plain);
        s += plain;
        if (!*s)
            break;
        switch (*s) {
        case '\\': buf_append_cstr(b, "\\textbackslash{}"); break;
        case '~': buf_append_cstr(b, "\\textasciitilde{}"); break;
        case '^': buf_append_cstr(b, "\\textasciicircum{}"); break;
        case '{':
        case '}':
        case '#':
        case '$':
        case '%':
        case '&':
        case '_':
            buf_append_char(b, '\\');
            buf_append_char(b, *s);
            break;
        default: buf_append_char(b, *s);
        }
    }
}

/* A name part that holds a comma or the word "and" must be one brace
 * group, or BibTeX would cut the list or the name there. */
static bool needs_group(const char *s)
{
    if (strchr(s, ','))
        return true;
    for (const char *p = s; (p = strcasestr(p, "and")); p += 3)
        if ((p == s || p[-1] == ' ') && (p[3] == '\0' || p[3] == ' '))
            return true;
    return false;
}

static void tex_part(struct buf *b, const char *s)
{
    bool group = needs_group(s);
    if (group)
        buf_append_char(b, '{');
    tex(b, s);
    if (group)
        buf_append_char(b, '}');
}

static void bib_field(struct buf *b, const char *name, const char *value)
{
    if (blank(value))
        return;
    buf_append_cstr(b, "  ");
    buf_append_cstr(b, name);
    buf_append_cstr(b, " = {");
    tex(b, value);
    buf_append_cstr(b, "},\n");
}

/* bib_url writes a URL as url fields want it (verbatim): only the bytes
 * that would unbalance the braces or end the value are %-encoded. */
static void bib_url(struct buf *b, const char *url)
{
    if (blank(url))
        return;
    buf_append_cstr(b, "  url = {");
    for (const char *c = url; *c; c++) {
        if (*c == '{' || *c == '}' || *c == '\\' || (unsigned char)*c <= ' ')
            buf_printf(b, "%%%02X", (unsigned char)*c);
        else
            buf_append_char(b, *c);
    }
    buf_append_cstr(b, "},\n");
}

void cite_bibtex(struct buf *b, struct arena *a, const struct article *art,
                 const struct cite_journal *j)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr",
                                         "may", "jun", "jul", "aug",
                                         "sep", "oct", "nov", "dec"};
    int y, m, d;
    ymd(a, art->published_at, &y, &m, &d);
    buf_printf(b, "@article{%s,\n", cite_key(a, art));
    if (art->n_authors > 0) {
        buf_append_cstr(b, "  author = {");
        for (size_t i = 0; i < art->n_authors; i++) {
            struct person p = person(a, &art->authors[i]);
            if (i > 0)
                buf_append_cstr(b, " and ");
            if (!*p.given && *p.suffix) { /* "{Smith Jr.}": one name */
                buf_append_char(b, '{');
                tex(b, p.family);
                buf_append_char(b, ' ');
                tex(b, p.suffix);
                buf_append_char(b, '}');
                continue;
            }
            if (!*p.given) { /* "Plato" */
                tex_part(b, p.family);
                continue;
            }
            tex_part(b, p.family); /* "Family, Suffix, Given" */
            if (*p.suffix) {
                buf_append_cstr(b, ", ");
                tex_part(b, p.suffix);
            }
            buf_append_cstr(b, ", ");
            tex_part(b, p.given);
        }
        buf_append_cstr(b, "},\n");
    }
    bib_field(b, "title", cite_plain(a, art->title));
    bib_field(b, "journal", cite_plain(a, j->name));
    buf_printf(b, "  year = {%d},\n", y);
    if (m >= 1 && m <= 12)
        buf_printf(b, "  month = %s,\n", months[m - 1]);
    bib_field(b, "issue", cite_plain(a, cite_issue_label(art)));
    bib_url(b, article_url(a, art, j));
    bib_field(b, "abstract", cite_plain(a, art->summary));
    if (art->n_tags > 0) {
        struct buf kw;
        buf_init_arena(&kw, a, BUF_MAX_DEFAULT);
        for (size_t i = 0; i < art->n_tags; i++)
            buf_printf(&kw, "%s%s", i ? ", " : "",
                       cite_plain(a, art->tags[i].name));
        bib_field(b, "keywords", kw.ptr);
    }
    buf_append_cstr(b, "}\n");
}

/* --- RIS -------------------------------------------------------------- */

static void ris(struct buf *b, const char *tag, const char *value)
{
    if (blank(value))
        return;
    buf_append_cstr(b, tag); /* appends: ten times cheaper than printf */
    buf_append_cstr(b, "  - ");
    buf_append_cstr(b, value);
    buf_append_cstr(b, "\r\n");
}

void cite_ris(struct buf *b, struct arena *a, const struct article *art,
              const struct cite_journal *j)
{
    int y, m, d;
    ymd(a, art->published_at, &y, &m, &d);
    const char *journal = cite_plain(a, j->name);
    ris(b, "TY", "JOUR");
    ris(b, "TI", cite_plain(a, art->title));
    for (size_t i = 0; i < art->n_authors; i++) {
        struct person p = person(a, &art->authors[i]);
        /* RIS names are "Family, Given, Suffix". */
        const char *v = p.family;
        if (*p.given || *p.suffix)
            v = arena_printf(a, "%s, %s%s%s", p.family, p.given,
                             *p.suffix ? ", " : "", p.suffix);
        ris(b, "AU", v);
    }
    ris(b, "PY", arena_printf(a, "%04d", y));
    ris(b, "DA", arena_printf(a, "%04d/%02d/%02d", y, m, d));
    ris(b, "JO", journal);
    ris(b, "T2", journal);
    ris(b, "IS", cite_plain(a, cite_issue_label(art)));
    ris(b, "UR", article_url(a, art, j));
    ris(b, "AB", cite_plain(a, art->summary));
    for (size_t i = 0; i < art->n_tags; i++)
        ris(b, "KW", cite_plain(a, art->tags[i].name));
    buf_append_cstr(b, "ER  - \r\n");
}

/* --- JSON ------------------------------------------------------------- */

/*
 * CSL-JSON and JSON-LD are written directly rather than built with jansson
 * and dumped: JSON-LD is on every article page, where the tree cost about
 * 25 allocations and 95,000 instructions, writing it 5,000; CSL-JSON was
 * half the cost of an article's three citation files in the static export
 * (54,000 instructions each). The bytes are those jansson gave: JSON-LD
 * as JSON_COMPACT followed by a script-safe pass (<, >, &, U+2028 and
 * U+2029 as \uXXXX, so it can sit inside <script>), CSL-JSON as
 * JSON_INDENT(2); keys in insertion order, jansson's escapes.
 * tests/unit/cite_test.c checks both against jansson itself.
 */
struct ld {
    struct buf *b;
    bool first;  /* no member written yet in the innermost object/array */
    bool indent; /* JSON_INDENT(2) layout (CSL-JSON); else compact */
    bool script; /* script-safe escapes (JSON-LD) */
    int depth;   /* open objects and arrays, for the indent */
};

/* ld_string writes s as a JSON string: jansson's escapes (\" \\ \b \f \n
 * \r \t, other controls \u00XX), plus, if script, the script-safe ones. */
static void ld_string(const struct ld *w, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    struct buf *b = w->b;
    const char *run = s;
    buf_append_char(b, '"');
    for (const char *c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        const char *rep = NULL;
        char seq[7];
        if (u >= 0x20 && u != '"' && u != '\\' &&
            (!w->script || (u != '<' && u != '>' && u != '&' && u != 0xE2)))
            continue;
        switch (u) {
        case '"': rep = "\\\""; break;
        case '\\': rep = "\\\\"; break;
        case '\b': rep = "\\b"; break;
        case '\f': rep = "\\f"; break;
        case '\n': rep = "\\n"; break;
        case '\r': rep = "\\r"; break;
        case '\t': rep = "\\t"; break;
        case '<': rep = "\\u003c"; break;
        case '>': rep = "\\u003e"; break;
        case '&': rep = "\\u0026"; break;
        case 0xE2: /* U+2028 and U+2029 end old JavaScript strings */
            if (c[1] == '\x80' && (c[2] == '\xA8' || c[2] == '\xA9'))
                rep = c[2] == '\xA8' ? "\\u2028" : "\\u2029";
            break;
        default:
            memcpy(seq, "\\u00", 4);
            seq[4] = hex[u >> 4];
            seq[5] = hex[u & 15];
            seq[6] = '\0';
            rep = seq;
        }
        if (!rep)
            continue;
        buf_append(b, run, (size_t)(c - run));
        buf_append_cstr(b, rep);
        if (u == 0xE2)
            c += 2;
        run = c + 1;
    }
    buf_append_cstr(b, run);
    buf_append_char(b, '"');
}

/* ld_newline starts a line at the current depth (indented layout only). */
static void ld_newline(const struct ld *w)
{
    static const char spaces[] = "                "; /* 16 */
    if (!w->indent)
        return;
    buf_append_char(w->b, '\n');
    for (int n = 2 * w->depth; n > 0; n -= 16)
        buf_append(w->b, spaces, n < 16 ? (size_t)n : 16);
}

/* ld_key starts a member (or, with key NULL, an array element). */
static void ld_key(struct ld *w, const char *key)
{
    if (!w->first)
        buf_append_char(w->b, ',');
    w->first = false;
    if (w->depth > 0) /* the root value starts the text */
        ld_newline(w);
    if (key) {
        ld_string(w, key);
        buf_append_cstr(w->b, w->indent ? ": " : ":");
    }
}

/* ld_open writes key (NULL in arrays) and opens '{' or '['. */
static void ld_open(struct ld *w, const char *key, char open)
{
    ld_key(w, key);
    buf_append_char(w->b, open);
    w->first = true;
    w->depth++;
}

/* ld_close closes '}' or ']': on a line of its own unless empty ("[]"). */
static void ld_close(struct ld *w, char close)
{
    w->depth--;
    if (!w->first)
        ld_newline(w);
    buf_append_char(w->b, close);
    w->first = false;
}

/* ld_set puts a string member: absent, empty or (as jansson refuses it)
 * invalid UTF-8 writes nothing, as json_object_set_new of json_string. */
static void ld_set(struct ld *w, const char *key, const char *value)
{
    if (blank(value) || !utf8_valid(value, strlen(value), NULL))
        return;
    ld_key(w, key);
    ld_string(w, value);
}

/* ld_int writes an array element n. */
static void ld_int(struct ld *w, int n)
{
    char text[16];
    int len = snprintf(text, sizeof(text), "%d", n);
    ld_key(w, NULL);
    buf_append(w->b, text, (size_t)len);
}

int cite_csl_json(struct buf *b, struct arena *a, const struct article *art,
                  const struct cite_journal *j)
{
    int y, m, d;
    ymd(a, art->published_at, &y, &m, &d);
    struct ld w = {.b = b, .first = true, .indent = true};
    ld_open(&w, NULL, '[');
    ld_open(&w, NULL, '{');
    ld_set(&w, "id", cite_key(a, art));
    ld_set(&w, "type", "article-journal");
    ld_set(&w, "title", cite_plain(a, art->title));
    ld_open(&w, "author", '[');
    for (size_t i = 0; i < art->n_authors; i++) {
        struct person p = person(a, &art->authors[i]);
        ld_open(&w, NULL, '{');
        ld_set(&w, "family", p.family);
        ld_set(&w, "given", p.given);
        ld_set(&w, "suffix", p.suffix);
        ld_close(&w, '}');
    }
    ld_close(&w, ']');
    ld_open(&w, "issued", '{');
    ld_open(&w, "date-parts", '[');
    ld_open(&w, NULL, '[');
    ld_int(&w, y);
    ld_int(&w, m);
    ld_int(&w, d);
    ld_close(&w, ']');
    ld_close(&w, ']');
    ld_close(&w, '}');
    ld_set(&w, "container-title", cite_plain(a, j->name));
    ld_set(&w, "issue", cite_plain(a, cite_issue_label(art)));
    ld_set(&w, "URL", article_url(a, art, j));
    ld_set(&w, "abstract", cite_plain(a, art->summary));
    ld_close(&w, '}');
    ld_close(&w, ']');
    buf_append_char(b, '\n');
    return 0;
}

/* ld_typed opens an object whose first member is its @type. */
static void ld_typed(struct ld *w, const char *key, const char *type)
{
    ld_open(w, key, '{');
    ld_set(w, "@type", type);
}

/* ld_periodical writes the journal as a Periodical under key. */
static void ld_periodical(struct ld *w, struct arena *a, const char *key,
                          const char *type, const char *journal,
                          const struct cite_journal *j)
{
    ld_typed(w, key, type);
    ld_set(w, "name", journal);
    ld_set(w, "url", j->base_url ? cite_url(a, j, "/") : NULL);
    ld_close(w, '}');
}

int cite_jsonld(struct buf *b, struct arena *a, const struct article *art,
                const struct cite_journal *j)
{
    const char *journal = cite_plain(a, j->name);
    struct ld w = {.b = b, .first = true, .script = true};
    ld_open(&w, NULL, '{');
    ld_set(&w, "@context", "https://schema.org");
    ld_set(&w, "@type", "ScholarlyArticle");
    ld_set(&w, "headline", cite_plain(a, art->title));
    ld_set(&w, "description", cite_plain(a, art->summary));
    ld_set(&w, "url", article_url(a, art, j));
    ld_open(&w, "author", '[');
    for (size_t i = 0; i < art->n_authors; i++) {
        ld_typed(&w, NULL, "Person");
        ld_set(&w, "name", cite_plain(a, art->authors[i].name));
        ld_set(&w, "url",
               cite_url(a, j, arena_cat(a, "/authors/", art->authors[i].slug)));
        ld_close(&w, '}');
    }
    ld_close(&w, ']');
    ld_set(&w, "datePublished", date_rfc3339(a, art->published_at));
    if (art->updated_at > 0)
        ld_set(&w, "dateModified", date_rfc3339(a, art->updated_at));
    ld_periodical(&w, a, "publisher", "Organization", journal, j);
    if (art->issue.id) {
        ld_typed(&w, "isPartOf", "PublicationIssue");
        ld_set(&w, "datePublished", art->issue.date);
        ld_set(&w, "name", cite_plain(a, art->issue.title));
        ld_set(&w, "url",
               cite_url(a, j, arena_cat(a, "/issues/", art->issue.date)));
        ld_periodical(&w, a, "isPartOf", "Periodical", journal, j);
        ld_close(&w, '}');
    } else {
        ld_periodical(&w, a, "isPartOf", "Periodical", journal, j);
    }
    if (art->section.id)
        ld_set(&w, "articleSection", cite_plain(a, art->section.name));
    if (art->n_tags > 0) {
        ld_open(&w, "keywords", '[');
        for (size_t i = 0; i < art->n_tags; i++) {
            const char *t = cite_plain(a, art->tags[i].name);
            if (t) { /* jansson keeps "" in an array, drops only NULL */
                ld_key(&w, NULL);
                ld_string(&w, t);
            }
        }
        ld_close(&w, ']');
    }
    ld_close(&w, '}');
    return 0;
}
