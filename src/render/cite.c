/*
 * cite.c - BibTeX, RIS, CSL-JSON and JSON-LD for one article.
 *
 * The only module that includes jansson: CSL-JSON is built as jansson
 * values and dumped (jansson allocates on the heap; the function frees its
 * values before it returns and copies the text into the caller's buffer).
 * JSON-LD, on every article page, is written directly by a small writer
 * that gives the same bytes (see cite_jsonld).
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

#include <jansson.h>
#include <stdbool.h>
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

char *cite_url(struct arena *a, const struct cite_journal *j,
               const char *path)
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
    static const char *const stop[] = {"a",  "an", "the", "of", "on", "in",
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
        if (strcmp(s, "article") != 0 || strncasecmp(p.family, "article", 7) == 0)
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
        case '{': case '}': case '#': case '$': case '%': case '&': case '_':
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

/* set puts a plain, non-empty string in o; absent or empty sets nothing. */
static void set(json_t *o, const char *key, const char *value)
{
    if (!blank(value))
        json_object_set_new(o, key, json_string(value));
}

/* dump appends v's text to b, then frees v. */
static int dump(struct buf *b, json_t *v, size_t flags, bool script_safe)
{
    char *text = v ? json_dumps(v, flags) : NULL;
    json_decref(v);
    if (!text)
        return ERR_INVALID;
    if (!script_safe) {
        buf_append_cstr(b, text);
        free(text);
        return 0;
    }
    for (const char *c = text; *c; c++) {
        /*
         * Inside <script> the HTML parser ends the element at "</script"
         * and treats "<!--" specially, and old JavaScript parsers end
         * strings at U+2028/2029; those characters only ever occur inside
         * JSON strings, where \uXXXX means the same thing, so replacing
         * them keeps the JSON identical and the script unbreakable.
         */
        if (script_safe && (*c == '<' || *c == '>' || *c == '&')) {
            buf_printf(b, "\\u%04x", (unsigned)*c);
        } else if (script_safe && c[0] == '\xE2' && c[1] == '\x80' &&
                   (c[2] == '\xA8' || c[2] == '\xA9')) {
            buf_append_cstr(b, c[2] == '\xA8' ? "\\u2028" : "\\u2029");
            c += 2;
        } else {
            buf_append_char(b, *c);
        }
    }
    free(text);
    return 0;
}

int cite_csl_json(struct buf *b, struct arena *a, const struct article *art,
                  const struct cite_journal *j)
{
    int y, m, d;
    ymd(a, art->published_at, &y, &m, &d);
    json_t *item = json_object();
    set(item, "id", cite_key(a, art));
    set(item, "type", "article-journal");
    set(item, "title", cite_plain(a, art->title));
    json_t *authors = json_array();
    for (size_t i = 0; i < art->n_authors; i++) {
        struct person p = person(a, &art->authors[i]);
        json_t *o = json_object();
        set(o, "family", p.family);
        set(o, "given", p.given);
        set(o, "suffix", p.suffix);
        json_array_append_new(authors, o);
    }
    json_object_set_new(item, "author", authors);
    json_object_set_new(
        item, "issued",
        json_pack("{s:[[i,i,i]]}", "date-parts", y, m, d));
    set(item, "container-title", cite_plain(a, j->name));
    set(item, "issue", cite_plain(a, cite_issue_label(art)));
    set(item, "URL", article_url(a, art, j));
    set(item, "abstract", cite_plain(a, art->summary));
    json_t *list = json_array();
    json_array_append_new(list, item);
    int rc = dump(b, list, JSON_INDENT(2), false);
    buf_append_char(b, '\n');
    return rc;
}

/*
 * JSON-LD is written directly rather than built with jansson: it is on
 * every article page, where building and dumping the tree cost about 25
 * allocations and 95,000 instructions, writing it 5,000. The bytes are
 * those jansson's JSON_COMPACT dump followed by dump()'s script-safe pass
 * would give (keys in insertion order, the same escapes), which
 * tests/unit/cite_test.c checks against jansson itself.
 */
struct ld {
    struct buf *b;
    bool first; /* no member written yet in the innermost object/array */
};

/* ld_string writes s as a script-safe JSON string: jansson's escapes
 * (\" \\ \b \f \n \r \t, other controls \u00XX) plus dump()'s. */
static void ld_string(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *run = s;
    buf_append_char(b, '"');
    for (const char *c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        const char *rep = NULL;
        char seq[7];
        if (u >= 0x20 && u != '"' && u != '\\' && u != '<' && u != '>' &&
            u != '&' && u != 0xE2)
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

/* ld_key starts a member (or, with key NULL, an array element). */
static void ld_key(struct ld *w, const char *key)
{
    if (!w->first)
        buf_append_char(w->b, ',');
    w->first = false;
    if (key) {
        ld_string(w->b, key);
        buf_append_char(w->b, ':');
    }
}

/* ld_open writes key (NULL in arrays) and opens '{' or '['. */
static void ld_open(struct ld *w, const char *key, char open)
{
    ld_key(w, key);
    buf_append_char(w->b, open);
    w->first = true;
}

static void ld_close(struct ld *w, char close)
{
    buf_append_char(w->b, close);
    w->first = false;
}

/* ld_set is set() above: absent, empty or (as jansson refuses it) invalid
 * UTF-8 writes nothing. */
static void ld_set(struct ld *w, const char *key, const char *value)
{
    if (blank(value) || !utf8_valid(value, strlen(value), NULL))
        return;
    ld_key(w, key);
    ld_string(w->b, value);
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
    struct ld w = {b, true};
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
        ld_set(&w, "url", cite_url(a, j, arena_cat(a, "/authors/",
                                                   art->authors[i].slug)));
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
        ld_set(&w, "url", cite_url(a, j, arena_cat(a, "/issues/",
                                                   art->issue.date)));
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
                ld_string(b, t);
            }
        }
        ld_close(&w, ']');
    }
    ld_close(&w, '}');
    return 0;
}
