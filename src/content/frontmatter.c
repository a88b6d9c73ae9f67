/*
 * frontmatter.c - splitting a Markdown file and reading its YAML header.
 *
 * The split is ours (line by line, so the delimiter rules are exact and the
 * 64 KB limit stops the scan early); the YAML is libyaml's document loader,
 * whose nodes carry start marks we turn into file line numbers. Only the
 * first two levels of the document are visited (the mapping and the items
 * of list values), so aliases cannot make the walk expensive.
 *
 * Line numbers: libyaml counts lines from 0 at the start of the text it is
 * given, which is the line after the opening "---", i.e. file line 2.
 */
#include "content/frontmatter.h"

#include "content/date.h"
#include "content/slug.h"
#include "core/utf8.h"
#include "core/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define YAML_FIRST_LINE 2

struct ctx {
    struct arena *a;
    yaml_document_t *doc;
    int line;        /* error line */
    const char *msg; /* error message */
};

__attribute__((format(printf, 4, 5))) static int
fail(struct ctx *c, int rc, int line, const char *fmt, ...)
{
    va_list ap;
    char tmp[512];
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    c->line = line;
    c->msg = arena_strdup(c->a, tmp);
    return rc;
}

static int node_line(const yaml_node_t *n)
{
    return (int)n->start_mark.line + YAML_FIRST_LINE;
}

static const char *kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "a string";
    }
}

/* is_delim: the line [p, p+n) is `mark` followed only by blanks / CR. */
static bool is_delim(const char *p, size_t n, const char *mark)
{
    if (n < 3 || memcmp(p, mark, 3) != 0)
        return false;
    for (size_t i = 3; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

static bool is_null_scalar(const yaml_node_t *n, struct str v)
{
    if (v.len == 0)
        return true;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return str_eq_cstr(v, "~") || str_eq_cstr(v, "null") ||
           str_eq_cstr(v, "Null") || str_eq_cstr(v, "NULL");
}

/*
 * scalar reads a scalar node as a trimmed string; *out is NULL for null.
 * what names the value in messages; line is where errors point.
 */
static int scalar(struct ctx *c, const yaml_node_t *n, const char *what,
                  int line, const char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return fail(c, ERR_PARSE, line, "'%s' must be a string, not %s", what,
                    kind(n));
    struct str v = {(const char *)n->data.scalar.value, n->data.scalar.length};
    if (v.len > FRONTMATTER_VALUE_MAX)
        return fail(c, ERR_TOO_BIG, line, "'%s' is longer than %d bytes", what,
                    FRONTMATTER_VALUE_MAX);
    if (memchr(v.ptr, '\0', v.len))
        return fail(c, ERR_PARSE, line, "'%s' contains a NUL character", what);
    if (!utf8_valid(v.ptr, v.len, NULL))
        return fail(c, ERR_PARSE, line, "'%s' is not valid UTF-8", what);
    size_t ctl = utf8_find_control(v.ptr, v.len);
    if (ctl < v.len)
        return fail(c, ERR_PARSE, line,
                    "'%s' contains the control character U+%04X", what,
                    (unsigned)(unsigned char)v.ptr[ctl]);
    v = str_trim(v);
    *out = is_null_scalar(n, v) ? NULL : arena_strndup(c->a, v.ptr, v.len);
    return 0;
}

/* list reads a list of strings, or one string, dropping duplicates. */
static int list(struct ctx *c, const yaml_node_t *n, const char *what, int line,
                const char ***out, size_t *nout)
{
    int rc;
    const char *s;
    *out = NULL;
    *nout = 0;
    if (n->type == YAML_SCALAR_NODE) {
        rc = scalar(c, n, what, line, &s);
        if (rc != 0 || !s)
            return rc;
        *out = arena_alloc(c->a, sizeof(**out));
        (*out)[0] = s;
        *nout = 1;
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, ERR_PARSE, line,
                    "'%s' must be a string or a list of strings, not %s", what,
                    kind(n));
    size_t count =
        (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count > FRONTMATTER_LIST_MAX)
        return fail(c, ERR_TOO_BIG, line, "'%s' has more than %d items", what,
                    FRONTMATTER_LIST_MAX);
    const char **items = ARENA_NEW_ARRAY(c->a, const char *, count + 1);
    size_t k = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, *it);
        if (!item)
            continue;
        rc = scalar(c, item, what, node_line(item), &s);
        if (rc != 0)
            return rc;
        if (!s)
            continue;
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = strcmp(items[j], s) == 0;
        if (!dup)
            items[k++] = s;
    }
    *out = k ? items : NULL;
    *nout = k;
    return 0;
}

enum key {
    K_TITLE,
    K_DATE,
    K_AUTHORS,
    K_SECTION,
    K_ISSUE,
    K_TAGS,
    K_SUMMARY,
    K_SLUG,
    K_HITS,
    K_DRAFT,
    K_FEATURE,
    K_FEATURE_ALT,
    K_UNKNOWN
};

static enum key key_of(struct str k)
{
    static const struct {
        const char *name;
        enum key key;
    } keys[] = {
        {"title", K_TITLE},
        {"date", K_DATE},
        {"author", K_AUTHORS},
        {"authors", K_AUTHORS},
        {"section", K_SECTION},
        {"issue", K_ISSUE},
        {"tags", K_TAGS},
        {"summary", K_SUMMARY},
        {"slug", K_SLUG},
        {"hits", K_HITS},
        {"draft", K_DRAFT},
        {"feature_image", K_FEATURE},
        {"feature_image_alt", K_FEATURE_ALT},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (str_eq_cstr(k, keys[i].name))
            return keys[i].key;
    return K_UNKNOWN;
}

/* field handles one recognised key; name is the key as written. */
static int field(struct ctx *c, enum key key, const char *name, int line,
                 const yaml_node_t *v, struct frontmatter *fm)
{
    int rc = 0;
    const char *s = NULL;
    switch (key) {
    case K_AUTHORS: return list(c, v, name, line, &fm->authors, &fm->n_authors);
    case K_TAGS: return list(c, v, name, line, &fm->tags, &fm->n_tags);
    default: break;
    }
    rc = scalar(c, v, name, line, &s);
    if (rc != 0)
        return rc;
    switch (key) {
    case K_TITLE:
        if (!s)
            return fail(c, ERR_PARSE, line, "'title' is empty");
        fm->title = s;
        break;
    case K_DATE: {
        int64_t t;
        if (s && date_parse(s, strlen(s), &t) != 0)
            return fail(c, ERR_PARSE, line,
                        "'date' is not a date (YYYY-MM-DD or RFC 3339): "
                        "'%.40s'",
                        s);
        fm->date = s;
        break;
    }
    case K_ISSUE:
        if (s && !date_valid_ymd(s))
            return fail(c, ERR_PARSE, line,
                        "'issue' is not a date (YYYY-MM-DD): '%.40s'", s);
        fm->issue = s;
        break;
    case K_SLUG:
        if (s && !slug_valid(s))
            return fail(c, ERR_PARSE, line,
                        "'slug' must be 1-%d characters of a-z, 0-9 and "
                        "single '-' inside: '%.40s'",
                        SLUG_MAX, s);
        fm->slug = s;
        break;
    case K_SECTION: fm->section = s; break;
    case K_SUMMARY: fm->summary = s; break;
    case K_FEATURE:
        if (s && strncmp(s, "https://", 8) && strncmp(s, "http://", 7) &&
            (strlen(s) < 8 || strlen(s) > 64 ||
             strspn(s, "0123456789abcdef") != strlen(s)))
            return fail(c, ERR_PARSE, line,
                        "'feature_image' must be a media hash (quire media "
                        "list) or an http(s) URL: '%.40s'",
                        s);
        fm->feature_image = s;
        break;
    case K_FEATURE_ALT: fm->feature_image_alt = s; break;
    case K_HITS:
        fm->hits = -1;
        if (s && str_to_i64(str_from(s), 0, INT64_MAX, &fm->hits) != 0) {
            fm->hits = -1;
            return fail(c, ERR_PARSE, line,
                        "'hits' must be a non-negative integer: '%.40s'", s);
        }
        break;
    case K_DRAFT:
        if (!s || strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0)
            fm->draft = false;
        else if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0)
            fm->draft = true;
        else
            return fail(c, ERR_PARSE, line,
                        "'draft' must be true, false, yes or no: '%.40s'", s);
        break;
    default: break;
    }
    return 0;
}

/* yaml_error turns the parser's error into a message and a file line. */
static int yaml_error(struct ctx *c, const yaml_parser_t *p, const char *y,
                      size_t ylen)
{
    int line;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a mark. */
        size_t off = p->problem_offset < ylen ? p->problem_offset : ylen;
        line = YAML_FIRST_LINE;
        for (size_t i = 0; i < off; i++)
            line += y[i] == '\n';
        return fail(c, ERR_PARSE, line, "invalid YAML: %s", problem);
    }
    if (p->error == YAML_MEMORY_ERROR)
        return fail(c, ERR_TOO_BIG, 1, "YAML: out of memory");
    line = (int)p->problem_mark.line + YAML_FIRST_LINE;
    if (p->context)
        return fail(c, ERR_PARSE, line, "invalid YAML: %s (%s at line %d)",
                    problem, p->context,
                    (int)p->context_mark.line + YAML_FIRST_LINE);
    return fail(c, ERR_PARSE, line, "invalid YAML: %s", problem);
}

/* parse_yaml fills fm from the YAML text [y, y+ylen). */
static int parse_yaml(struct ctx *c, const char *y, size_t ylen,
                      struct frontmatter *fm)
{
    int rc = 0;
    yaml_parser_t parser;
    yaml_document_t doc;
    bool have_doc = false;
    unsigned seen = 0;

    if (!yaml_parser_initialize(&parser))
        return fail(c, ERR_TOO_BIG, 1, "YAML: out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)y, ylen);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = yaml_error(c, &parser, y, ylen);
        goto out;
    }
    have_doc = true;
    c->doc = &doc;

    /* An empty front matter has no root: it only lacks a title. */
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type != YAML_MAPPING_NODE) {
        rc = fail(c, ERR_PARSE, node_line(root),
                  "front matter must be a mapping of keys to values, not %s",
                  kind(root));
        goto out;
    }
    for (yaml_node_pair_t *pair = root ? root->data.mapping.pairs.start : NULL;
         root && pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(&doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(&doc, pair->value);
        if (!k || !v)
            continue;
        int line = node_line(k);
        if (k->type != YAML_SCALAR_NODE) {
            rc = fail(c, ERR_PARSE, line, "keys must be strings, not %s",
                      kind(k));
            goto out;
        }
        struct str name = {(const char *)k->data.scalar.value,
                           k->data.scalar.length};
        enum key key = key_of(name);
        if (key == K_UNKNOWN)
            continue;
        if (seen & (1u << key)) {
            rc = fail(
                c, ERR_PARSE, line, "'%.*s' is given twice%s", STR_FMT(name),
                key == K_AUTHORS ? " (author and authors are one key)" : "");
            goto out;
        }
        seen |= 1u << key;
        /* name is a known key, so it is short and NUL-free. */
        char kname[16];
        snprintf(kname, sizeof(kname), "%.*s", STR_FMT(name));
        rc = field(c, key, kname, line, v, fm);
        if (rc != 0)
            goto out;
    }
    if (!fm->title)
        rc = fail(c, ERR_PARSE, 1, "front matter has no 'title'");
out:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    c->doc = NULL;
    return rc;
}

int frontmatter_parse(struct arena *a, const char *text, size_t len,
                      struct frontmatter *out, struct str *body, int *err_line,
                      const char **err_msg)
{
    struct ctx c = {.a = a};
    const char *end = text + len;
    const char *p = text;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->hits = -1;
    *body = (struct str){text, len};
    *err_line = 0;
    *err_msg = NULL;

    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    const char *e = line_end(p, end);
    if (!is_delim(p, (size_t)(e - p), "---")) {
        rc = fail(&c, ERR_PARSE, 1,
                  "no front matter (the file must start with a '---' line "
                  "and a title)");
        goto out;
    }
    /* Scan for the closing line; the size check comes first so a huge
     * unclosed header stops the scan at the limit. */
    const char *yaml = e < end ? e + 1 : end;
    const char *yaml_end = NULL;
    for (p = yaml; p < end; p = e + 1) {
        if ((size_t)(p - yaml) > FRONTMATTER_MAX) {
            rc = fail(&c, ERR_TOO_BIG, 1, "front matter is longer than %d KB",
                      FRONTMATTER_MAX / 1024);
            goto out;
        }
        e = line_end(p, end);
        if (is_delim(p, (size_t)(e - p), "---") ||
            is_delim(p, (size_t)(e - p), "...")) {
            yaml_end = p;
            break;
        }
        if (e == end)
            break;
    }
    if (!yaml_end) {
        rc = fail(&c, ERR_PARSE, 1,
                  "front matter is not closed by a '---' line");
        goto out;
    }
    const char *body_start = e < end ? e + 1 : end;
    *body = (struct str){body_start, (size_t)(end - body_start)};
    rc = parse_yaml(&c, yaml, (size_t)(yaml_end - yaml), out);
out:
    if (rc != 0) {
        *err_line = c.line;
        *err_msg = c.msg;
    }
    return rc;
}

const char *frontmatter_lib_version(void)
{
    return yaml_get_version_string();
}
