/*
 * mustache.c - Mustache templates compiled to instruction arrays.
 *
 * Compiling a template takes three passes over its source:
 *
 *   1. tokenize: split the source into text and tags, following set-
 *      delimiter tags as they come, and pair every section, inverted
 *      section, parent and block with its closing tag (syntax errors are
 *      found here and reported as "NAME:LINE: reason");
 *   2. standalone: apply the spec's standalone-line rule on the raw source
 *      (a line holding only whitespace and one non-output tag disappears,
 *      indentation and newline included) by trimming the neighbouring text
 *      tokens. Inheritance adds pair rules: "{{<p}}{{/p}}", "{{$b}}{{/b}}",
 *      "{{<p}}{{$b}}" and "{{/b}}{{/p}}" on a line of their own count as one
 *      standalone tag (a lone block pair keeps its newline);
 *   3. build: emit the instruction array. Sections, parents and blocks
 *      store the index of their OP_END, so rendering skips or loops without
 *      searching. Text directly inside a parent, outside its blocks, is
 *      dropped here, as the spec says it is ignored.
 *
 * Rendering walks the array with a stack of contexts. Indentation of
 * standalone partials, parents and blocks is applied at render time, not by
 * re-parsing: each instruction carries TF_BOL when it starts a template line
 * and a text emits the current indentation after each of its own newlines
 * (empty lines are not indented, so no trailing blanks appear). Blocks
 * whose open tag is standalone have the common indentation of their lines
 * removed when compiled and get the indentation of the place they are
 * expanded when rendered, which is how the spec re-indents an override.
 *
 * Block overrides: a parent pushes a frame naming its instructions; a block
 * looks for an override of its name in every frame and takes the outermost
 * one, so the top-level template wins in multi-level inheritance.
 *
 * Invariants: a compiled set is never modified by rendering, so any number
 * of threads may render it at once (tpl_set_add/load_dir need exclusive
 * use). Every recursion is bounded: sections nest at most TPL_MAX_NEST deep
 * in one template, partials and parents at most TPL_MAX_DEPTH deep, all
 * render calls together TPL_MAX_RDEPTH deep, and a render runs at most
 * TPL_MAX_STEPS instructions, so hostile templates end with ERR_TOO_BIG
 * rather than a crash or a hang.
 */
#include "render/mustache.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "core/xalloc.h"
#include "render/value.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
    TPL_MAX_SRC = 4 << 20,  /* bytes of one template source */
    TPL_MAX_NEST = 100,     /* sections/blocks nested in one template */
    TPL_MAX_DEPTH = 64,     /* partials and parents nested at render time */
    TPL_MAX_RDEPTH = 256,   /* all nested render calls together */
    TPL_MAX_DELIM = 16,     /* bytes of a custom delimiter */
    TPL_MAX_NAME_SHOWN = 60 /* bytes of a tag name quoted in an error */
};
#define TPL_MAX_STEPS ((uint64_t)1 << 26) /* instructions run per render */

/* Instructions. */
enum op {
    OP_TEXT,     /* s: literal text */
    OP_VAR,      /* s: name; output HTML-escaped */
    OP_RAW,      /* s: name; output as is */
    OP_SECTION,  /* s: name; body is [i+1, end] */
    OP_INVERTED, /* s: name; body is [i+1, end] */
    OP_PARTIAL,  /* s: name (TF_DYNAMIC: a name to look up the name with) */
    OP_PARENT,   /* s: name; [i+1, end) holds only its blocks */
    OP_BLOCK,    /* s: name; body (the default) is [i+1, end] */
    OP_END,      /* closes the instruction at the matching index */
};

enum {
    TF_BOL = 1,        /* starts a template line: emit indentation first */
    TF_STANDALONE = 2, /* partial/parent/block alone on its line */
    TF_DYNAMIC = 4,    /* partial/parent name is looked up in the context */
};

struct tpl_ins {
    uint8_t op;
    uint8_t flags;
    uint32_t end; /* index of the matching OP_END */
    uint32_t line;
    uint32_t first;    /* tag names: length of the part before any '.' */
    struct str s;      /* text or tag name */
    struct str indent; /* standalone partial/parent/block: indentation */
};

struct tpl {
    char *name;
    struct arena arena; /* the source copy and re-indented texts */
    struct tpl_ins *ins;
    size_t n;
};

struct tpl_set {
    struct tpl **v; /* sorted by name for bsearch */
    size_t n, cap;
};

/* ---------------------------------------------------------------------- */
/* Compiling                                                              */
/* ---------------------------------------------------------------------- */

#define TK_TEXT 0
#define TK_VAR 'v'
#define NONE UINT32_MAX

/* A token: text, or a tag whose kind is its sigil ('#', '/', '>', ...). */
struct tok {
    char kind;
    bool dyn;        /* '>' or '<' with a '*' name */
    bool standalone; /* its line disappears (see pass 2) */
    uint32_t line;
    uint32_t start, end;   /* source span; text tokens are trimmed in place */
    uint32_t estart, eend; /* tags: span including what a standalone eats */
    struct str name;
    struct str before; /* whitespace before the tag on its line */
    uint32_t partner;  /* open <-> close */
    uint32_t parent;   /* enclosing open tag, or NONE */
};

struct compiler {
    const char *name; /* for error messages */
    const char *src;
    size_t len;
    struct tok *tok;
    size_t ntok, captok;
    struct tpl *t;
    size_t capins;
    bool at_bol; /* the next instruction starts a template line */
    char *err;
    size_t errlen;
};

static int fail(struct compiler *c, int rc, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* fail writes "NAME:LINE: reason" into the caller's error buffer. */
static int fail(struct compiler *c, int rc, uint32_t line, const char *fmt, ...)
{
    if (!c->err || c->errlen == 0)
        return rc;
    int n = snprintf(c->err, c->errlen, "%s:%u: ", c->name, (unsigned)line);
    if (n >= 0 && (size_t)n < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Shows at most TPL_MAX_NAME_SHOWN bytes of a name in "%.*s". */
#define SHOWN(s)                                                               \
    (int)((s).len < TPL_MAX_NAME_SHOWN ? (s).len : TPL_MAX_NAME_SHOWN), (s).ptr

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' ||
           ch == '\f';
}

static bool has_space(struct str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (is_space(s.ptr[i]))
            return true;
    return false;
}

static struct str trim(struct str s)
{
    while (s.len && is_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && is_space(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

static struct tok *push_tok(struct compiler *c, char kind, uint32_t line,
                            size_t start, size_t end)
{
    if (c->ntok == c->captok) {
        c->captok = c->captok ? c->captok * 2 : 64;
        c->tok = xrealloc(c->tok, c->captok * sizeof(*c->tok));
    }
    struct tok *t = &c->tok[c->ntok++];
    *t = (struct tok){.kind = kind,
                      .line = line,
                      .start = (uint32_t)start,
                      .end = (uint32_t)end,
                      .estart = (uint32_t)start,
                      .eend = (uint32_t)end,
                      .partner = NONE,
                      .parent = NONE};
    return t;
}

/* set_delims parses the inside of "{{=<% %>=}}" into new delimiters. */
static int set_delims(struct compiler *c, uint32_t line, struct str in,
                      struct str *open, struct str *close)
{
    in = trim(in);
    size_t i = 0;
    while (i < in.len && !is_space(in.ptr[i]))
        i++;
    struct str o = {in.ptr, i};
    struct str cl = trim((struct str){in.ptr + i, in.len - i});
    if (o.len == 0 || cl.len == 0 || has_space(cl) || o.len > TPL_MAX_DELIM ||
        cl.len > TPL_MAX_DELIM || memchr(o.ptr, '=', o.len) ||
        memchr(cl.ptr, '=', cl.len))
        return fail(c, ERR_PARSE, line, "invalid delimiters '%.*s'", SHOWN(in));
    *open = o;
    *close = cl;
    return 0;
}

/* close_matches reports whether the name of a closing tag closes op. */
static bool close_matches(const struct tok *op, struct str name)
{
    if (op->dyn) {
        if (name.len == 0 || name.ptr[0] != '*')
            return false;
        name = trim((struct str){name.ptr + 1, name.len - 1});
    }
    return str_eq(op->name, name);
}

/*
 * Pass 1: tokens, with sections paired. The stack of open tags lives in
 * the tokens themselves: each open tag's parent field links to the one
 * enclosing it.
 */
static int tokenize(struct compiler *c)
{
    const char *src = c->src;
    size_t len = c->len, pos = 0, counted = 0;
    struct str open = STR("{{"), close = STR("}}");
    uint32_t line = 1, top = NONE, depth = 0;
    char term[TPL_MAX_DELIM + 2];

    while (pos < len) {
        const char *o = memmem(src + pos, len - pos, open.ptr, open.len);
        size_t tstart = o ? (size_t)(o - src) : len;
        if (tstart > pos)
            push_tok(c, TK_TEXT, line, pos, tstart)->parent = top;
        if (!o)
            break;
        /* Line numbers are counted lazily, up to each tag. */
        while (counted < tstart) {
            const char *nl = memchr(src + counted, '\n', tstart - counted);
            if (!nl)
                break;
            line++;
            counted = (size_t)(nl - src) + 1;
        }
        counted = tstart;

        size_t p = tstart + open.len, cstart = p, tl = 0;
        char kind = p < len ? src[p] : '\0';
        switch (kind) {
        case '!':
        case '=':
        case '#':
        case '^':
        case '/':
        case '>':
        case '<':
        case '$':
        case '&':
        case '{':
            cstart++; /* the close is searched after the sigil */
            break;
        default: kind = TK_VAR;
        }
        if (kind == '{' || kind == '=')
            term[tl++] = kind == '{' ? '}' : '=';
        memcpy(term + tl, close.ptr, close.len);
        tl += close.len;
        const char *f = memmem(src + cstart, len - cstart, term, tl);
        if (!f)
            return fail(c, ERR_PARSE, line, "unclosed tag");
        size_t cend = (size_t)(f - src), tend = cend + tl;
        struct str in = {src + cstart, cend - cstart};
        struct tok *t = push_tok(c, kind, line, tstart, tend);
        t->parent = top;
        pos = tend;
        if (kind == '!')
            continue;
        if (kind == '=') {
            int rc = set_delims(c, line, in, &open, &close);
            if (rc < 0)
                return rc;
            continue;
        }
        in = trim(in);
        if ((kind == '>' || kind == '<') && in.len && in.ptr[0] == '*') {
            t->dyn = true;
            in = trim((struct str){in.ptr + 1, in.len - 1});
        }
        t->name = in;
        if (in.len == 0)
            return fail(c, ERR_PARSE, line, "empty tag name");
        if (kind != '/' && has_space(in))
            return fail(c, ERR_PARSE, line, "invalid tag name '%.*s'",
                        SHOWN(in));

        uint32_t self = (uint32_t)(c->ntok - 1);
        if (kind == '#' || kind == '^' || kind == '<' || kind == '$') {
            if (++depth > TPL_MAX_NEST)
                return fail(c, ERR_TOO_BIG, line,
                            "sections nested more than %d deep", TPL_MAX_NEST);
            top = self;
        } else if (kind == '/') {
            if (top == NONE)
                return fail(c, ERR_PARSE, line,
                            "closing tag '%.*s' without an open section",
                            SHOWN(in));
            struct tok *op = &c->tok[top];
            if (!close_matches(op, in))
                return fail(c, ERR_PARSE, line,
                            "mismatched closing tag '%.*s' "
                            "(section '%.*s' opened at line %u)",
                            SHOWN(in), SHOWN(op->name), (unsigned)op->line);
            op->partner = self;
            c->tok[self].partner = top;
            c->tok[self].parent = op->parent;
            top = op->parent;
            depth--;
        }
    }
    if (top != NONE)
        return fail(c, ERR_PARSE, c->tok[top].line, "unclosed section '%.*s'",
                    SHOWN(c->tok[top].name));
    return 0;
}

/* line_start returns where the line holding pos begins. */
static size_t line_start(const char *src, size_t pos)
{
    while (pos > 0 && src[pos - 1] != '\n')
        pos--;
    return pos;
}

/* ws_before: only blanks between the start of its line and pos. */
static bool ws_before(const struct compiler *c, size_t pos, size_t *ls)
{
    *ls = line_start(c->src, pos);
    for (size_t i = *ls; i < pos; i++)
        if (!is_blank(c->src[i]))
            return false;
    return true;
}

/*
 * ws_after: only blanks from pos to the end of the line. *nl is where the
 * line ending ("\n" or "\r\n") starts and *le just past it (both are the
 * source length at the end of input).
 */
static bool ws_after(const struct compiler *c, size_t pos, size_t *nl,
                     size_t *le)
{
    size_t i = pos;
    while (i < c->len && is_blank(c->src[i]))
        i++;
    *nl = i;
    if (i == c->len) {
        *le = i;
        return true;
    }
    if (c->src[i] == '\r' && i + 1 < c->len && c->src[i + 1] == '\n') {
        *le = i + 2;
        return true;
    }
    if (c->src[i] == '\n') {
        *le = i + 1;
        return true;
    }
    return false;
}

/* Tags whose lines may disappear: the ones that print nothing in place. */
static bool can_stand_alone(char kind)
{
    return kind == '!' || kind == '=' || kind == '#' || kind == '^' ||
           kind == '/' || kind == '>' || kind == '<' || kind == '$';
}

/*
 * make_standalone marks tags a..b (b = a or a + 1) as one standalone unit
 * spanning [ls, cut) and trims the text tokens on either side.
 */
static void make_standalone(struct compiler *c, size_t a, size_t b, size_t ls,
                            size_t cut)
{
    struct tok *ta = &c->tok[a], *tb = &c->tok[b];
    ta->before = (struct str){c->src + ls, ta->start - ls};
    tb->before = ta->before;
    ta->standalone = tb->standalone = true;
    ta->estart = (uint32_t)ls;
    tb->eend = (uint32_t)cut;
    if (a > 0 && c->tok[a - 1].kind == TK_TEXT && c->tok[a - 1].end > ls)
        c->tok[a - 1].end = (uint32_t)ls;
    if (b + 1 < c->ntok && c->tok[b + 1].kind == TK_TEXT &&
        c->tok[b + 1].start < cut)
        c->tok[b + 1].start = (uint32_t)cut;
}

/* pair_kind: which inheritance pair rule tags i and i+1 follow, or 0. */
static int pair_kind(const struct compiler *c, size_t i)
{
    if (i + 1 >= c->ntok)
        return 0;
    const struct tok *a = &c->tok[i], *b = &c->tok[i + 1];
    if (a->end != b->start)
        return 0;
    if ((a->kind == '<' || a->kind == '$') && a->partner == i + 1)
        return a->kind; /* {{<p}}{{/p}} or {{$b}}{{/b}} */
    if (a->kind == '<' && b->kind == '$')
        return 'P'; /* {{<p}}{{$b}} */
    if (a->kind == '/' && b->kind == '/' && c->tok[a->partner].kind == '$' &&
        c->tok[b->partner].kind == '<')
        return 'E'; /* {{/b}}{{/p}} */
    return 0;
}

/* Pass 2: the standalone-line rule, decided on the raw source. */
static void standalone(struct compiler *c)
{
    for (size_t i = 0; i < c->ntok; i++) {
        struct tok *t = &c->tok[i];
        size_t ls, nl, le;
        if (t->kind == TK_TEXT || !can_stand_alone(t->kind))
            continue;
        int pk = pair_kind(c, i);
        if (pk && ws_before(c, t->start, &ls) &&
            ws_after(c, c->tok[i + 1].end, &nl, &le)) {
            /* A lone block pair keeps its newline: the block's content
             * usually does not end with one (spec PR #131). */
            make_standalone(c, i, i + 1, ls, pk == '$' ? nl : le);
            i++;
            continue;
        }
        if (ws_before(c, t->start, &ls) && ws_after(c, t->end, &nl, &le))
            make_standalone(c, i, i, ls, le);
    }
}

/* strip_prefix drops from s the longest prefix it shares with margin. */
static struct str strip_prefix(struct str s, struct str margin)
{
    size_t k = 0;
    while (k < s.len && k < margin.len && s.ptr[k] == margin.ptr[k])
        k++;
    return (struct str){s.ptr + k, s.len - k};
}

/*
 * margin_of returns the indentation shared by every non-blank line of
 * [from, to), which starts a line. Empty if there are no such lines.
 */
static struct str margin_of(const struct compiler *c, size_t from, size_t to)
{
    struct str m = STR_NULL;
    bool have = false;
    size_t p = from;
    while (p < to) {
        size_t q = p;
        while (q < to && is_blank(c->src[q]))
            q++;
        bool blank = q == to || c->src[q] == '\n' ||
                     (c->src[q] == '\r' && q + 1 < to && c->src[q + 1] == '\n');
        if (!blank) {
            struct str lead = {c->src + p, q - p};
            if (!have)
                m = lead;
            else
                m.len -= strip_prefix(m, lead).len;
            have = true;
        }
        const char *nl = memchr(c->src + q, '\n', to - q);
        if (!nl)
            break;
        p = (size_t)(nl - c->src) + 1;
    }
    return m;
}

static uint32_t emit(struct compiler *c, enum op op, uint8_t flags,
                     uint32_t line, struct str s)
{
    struct tpl *t = c->t;
    if (t->n == c->capins) {
        c->capins = c->capins ? c->capins * 2 : 32;
        t->ins = xrealloc(t->ins, c->capins * sizeof(*t->ins));
    }
    const char *dot = op == OP_TEXT ? NULL : memchr(s.ptr, '.', s.len);
    t->ins[t->n] = (struct tpl_ins){
        .op = (uint8_t)op,
        .flags = flags,
        .line = line,
        .s = s,
        .first = (uint32_t)(dot ? (size_t)(dot - s.ptr) : s.len)};
    return (uint32_t)t->n++;
}

/* bol_flag takes the pending line start for an instruction that prints. */
static uint8_t bol_flag(struct compiler *c)
{
    uint8_t f = c->at_bol ? TF_BOL : 0;
    c->at_bol = false;
    return f;
}

/*
 * emit_text emits a text token, removing margin from the start of each of
 * its lines (inside re-indented blocks only; margin is empty elsewhere).
 */
static void emit_text(struct compiler *c, const struct tok *t,
                      struct str margin)
{
    struct str s = {c->src + t->start, t->end - t->start};
    if (s.len == 0)
        return;
    if (margin.len) {
        char *out = arena_alloc(&c->t->arena, s.len);
        size_t n = 0, i = 0;
        bool sol = c->at_bol; /* at the start of a line */
        while (i < s.len) {
            if (sol) {
                struct str rest =
                    strip_prefix((struct str){s.ptr + i, s.len - i}, margin);
                i = s.len - rest.len;
                sol = false;
                continue;
            }
            out[n++] = s.ptr[i];
            sol = s.ptr[i++] == '\n';
        }
        s = (struct str){out, n};
        if (n == 0)
            return; /* only indentation: the next instruction starts the line */
    }
    emit(c, OP_TEXT, bol_flag(c), t->line, s);
    c->at_bol = s.ptr[s.len - 1] == '\n';
}

/* emit_end closes the instruction at index open with the close tag cl. */
static void emit_end(struct compiler *c, uint32_t open, const struct tok *cl,
                     bool quiet)
{
    uint8_t flags = 0;
    if (cl->standalone)
        c->at_bol = true;
    else if (!quiet)
        flags = bol_flag(c);
    else
        c->at_bol = false;
    uint32_t e = emit(c, OP_END, flags, cl->line, cl->name);
    c->t->ins[open].end = e;
}

/* A standalone tag's own indentation, relative to the enclosing block. */
static struct str rel_indent(const struct tok *t, struct str margin)
{
    return strip_prefix(t->before, margin);
}

static void build_range(struct compiler *c, size_t from, size_t to,
                        struct str margin);

/* build_block emits the block opened by token i and returns its close. */
static size_t build_block(struct compiler *c, size_t i, struct str margin)
{
    const struct tok *t = &c->tok[i], *cl = &c->tok[t->partner];
    struct str inner = margin, indent = STR_NULL;
    uint8_t flags = 0;
    if (t->standalone) {
        struct str m = margin_of(c, t->eend, cl->estart);
        if (m.len >= margin.len)
            inner = m;
        indent = strip_prefix(m.len ? m : t->before, margin);
        flags = TF_STANDALONE;
        c->at_bol = true;
    } else {
        flags = bol_flag(c);
    }
    uint32_t at = emit(c, OP_BLOCK, flags, t->line, t->name);
    c->t->ins[at].indent = indent;
    build_range(c, i + 1, t->partner, inner);
    emit_end(c, at, cl, false);
    return t->partner;
}

/*
 * emit_include emits a partial or parent tag: a standalone one is
 * indented by its own margin when rendered.
 */
static uint32_t emit_include(struct compiler *c, const struct tok *t,
                             enum op op, struct str margin)
{
    uint8_t flags = t->dyn ? TF_DYNAMIC : 0;
    if (t->standalone)
        flags |= TF_STANDALONE;
    else
        flags |= bol_flag(c);
    uint32_t at = emit(c, op, flags, t->line, t->name);
    c->t->ins[at].indent = t->standalone ? rel_indent(t, margin) : STR_NULL;
    return at;
}

/* build_parent emits the parent opened by token i: only its blocks count. */
static size_t build_parent(struct compiler *c, size_t i, struct str margin)
{
    const struct tok *t = &c->tok[i];
    uint32_t at = emit_include(c, t, OP_PARENT, margin);
    for (size_t j = i + 1; j < t->partner; j++) {
        const struct tok *u = &c->tok[j];
        if (u->kind == '$')
            j = build_block(c, j, margin);
        else if (u->partner != NONE)
            j = u->partner; /* a section here is ignored with its blocks */
    }
    emit_end(c, at, &c->tok[t->partner], true);
    c->at_bol = c->tok[t->partner].standalone;
    return t->partner;
}

/* Pass 3: instructions for tokens [from, to). */
static void build_range(struct compiler *c, size_t from, size_t to,
                        struct str margin)
{
    for (size_t i = from; i < to; i++) {
        const struct tok *t = &c->tok[i];
        switch (t->kind) {
        case TK_TEXT: emit_text(c, t, margin); break;
        case '!':
        case '=':
            /* Prints nothing; a line start stays pending for what follows. */
            if (t->standalone)
                c->at_bol = true;
            break;
        case TK_VAR: emit(c, OP_VAR, bol_flag(c), t->line, t->name); break;
        case '&':
        case '{': emit(c, OP_RAW, bol_flag(c), t->line, t->name); break;
        case '#':
        case '^': {
            uint8_t flags = 0;
            if (t->standalone)
                c->at_bol = true;
            else
                flags = bol_flag(c);
            uint32_t at = emit(c, t->kind == '#' ? OP_SECTION : OP_INVERTED,
                               flags, t->line, t->name);
            build_range(c, i + 1, t->partner, margin);
            emit_end(c, at, &c->tok[t->partner], false);
            i = t->partner;
            break;
        }
        case '>': {
            emit_include(c, t, OP_PARTIAL, margin);
            c->at_bol = t->standalone;
            break;
        }
        case '<': i = build_parent(c, i, margin); break;
        case '$': i = build_block(c, i, margin); break;
        default: assert(!"closing tags are consumed with their section");
        }
    }
}

static void tpl_free(struct tpl *t)
{
    if (!t)
        return;
    arena_release(&t->arena);
    free(t->ins);
    free(t->name);
    free(t);
}

/*
 * compile builds a template named name from src; errors name shown (the
 * template name, or its file when loading a directory).
 */
static int compile(const char *name, const char *shown, const char *src,
                   size_t len, struct tpl **out, char *err, size_t errlen)
{
    int rc = 0;
    struct tpl *t = xcalloc(1, sizeof(*t));
    struct compiler c = {
        .name = shown, .t = t, .at_bol = true, .err = err, .errlen = errlen};

    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    t->name = xstrdup(name);
    arena_init(&t->arena, 4096);
    if (len > TPL_MAX_SRC) {
        rc = fail(&c, ERR_TOO_BIG, 1, "template larger than %d bytes",
                  TPL_MAX_SRC);
        goto out;
    }
    c.src = len ? arena_strndup(&t->arena, src, len) : "";
    c.len = len;
    rc = tokenize(&c);
    if (rc < 0)
        goto out;
    standalone(&c);
    build_range(&c, 0, c.ntok, STR_NULL);
    *out = t;
    t = NULL;
out:
    free(c.tok);
    tpl_free(t);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* The set                                                                */
/* ---------------------------------------------------------------------- */

struct tpl_set *tpl_set_new(void)
{
    return xcalloc(1, sizeof(struct tpl_set));
}

void tpl_set_free(struct tpl_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        tpl_free(set->v[i]);
    free(set->v);
    free(set);
}

static int name_cmp(struct str a, const char *b)
{
    size_t bl = strlen(b);
    int r = memcmp(a.ptr, b, a.len < bl ? a.len : bl);
    if (r)
        return r;
    return a.len < bl ? -1 : a.len > bl;
}

/* find returns the index of name, or where it would be inserted. */
static size_t find(const struct tpl_set *set, struct str name, bool *found)
{
    size_t lo = 0, hi = set->n;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = name_cmp(name, set->v[mid]->name);
        if (r == 0) {
            *found = true;
            return mid;
        }
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static const struct tpl *lookup_tpl(const struct tpl_set *set, struct str name)
{
    bool found;
    size_t i = find(set, name, &found);
    return found ? set->v[i] : NULL;
}

/* insert puts t into the set, replacing a template of the same name. */
static void insert(struct tpl_set *set, struct tpl *t)
{
    bool found;
    size_t i = find(set, str_from(t->name), &found);
    if (found) {
        tpl_free(set->v[i]);
        set->v[i] = t;
        return;
    }
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->v = xrealloc(set->v, set->cap * sizeof(*set->v));
    }
    memmove(set->v + i + 1, set->v + i, (set->n - i) * sizeof(*set->v));
    set->v[i] = t;
    set->n++;
}

int tpl_set_add(struct tpl_set *set, const char *name, const char *src,
                size_t len, char *err, size_t errlen)
{
    struct tpl *t;
    int rc = compile(name, name, src, len, &t, err, errlen);
    if (rc < 0)
        return rc;
    insert(set, t);
    return 0;
}

int tpl_set_has(const struct tpl_set *set, const char *name)
{
    return lookup_tpl(set, str_from(name)) != NULL;
}

/* ---------------------------------------------------------------------- */
/* Loading a directory                                                    */
/* ---------------------------------------------------------------------- */

static const char TPL_EXT[] = ".mustache";

static void ioerr(char *err, size_t errlen, const char *path, const char *what)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s: %s", path, what, strerror(errno));
}

/* read_file reads all of path, at most TPL_MAX_SRC bytes. */
static int read_file(const char *path, char **data, size_t *len, char *err,
                     size_t errlen)
{
    int rc = 0;
    struct buf b;
    char chunk[8192];
    FILE *f = fopen(path, "rb");

    buf_init(&b, TPL_MAX_SRC);
    if (!f) {
        ioerr(err, errlen, path, "cannot open");
        rc = ERR_IO;
        goto out;
    }
    for (;;) {
        size_t n = fread(chunk, 1, sizeof(chunk), f);
        buf_append(&b, chunk, n);
        if (n < sizeof(chunk))
            break;
    }
    if (ferror(f)) {
        ioerr(err, errlen, path, "cannot read");
        rc = ERR_IO;
        goto out;
    }
    if (buf_error(&b)) {
        if (err && errlen)
            snprintf(err, errlen, "%s: template larger than %d bytes", path,
                     TPL_MAX_SRC);
        rc = ERR_TOO_BIG;
        goto out;
    }
    *data = buf_take(&b, len);
out:
    if (f)
        fclose(f);
    buf_release(&b);
    return rc;
}

/* A directory entry that is a visible file named *.mustache: its stem. */
static bool tpl_stem(const char *fname, size_t *stem)
{
    size_t n = strlen(fname), e = sizeof(TPL_EXT) - 1;
    if (fname[0] == '.' || n <= e || strcmp(fname + n - e, TPL_EXT) != 0)
        return false;
    *stem = n - e;
    return true;
}

struct loaded {
    struct tpl **v;
    size_t n, cap;
};

/*
 * load_one compiles DIR/[SUB/]FILE as [SUB/]STEM. sub may be NULL.
 */
static int load_one(struct loaded *l, const char *dir, const char *sub,
                    const char *fname, size_t stem, char *err, size_t errlen)
{
    int rc = 0;
    char *data = NULL, *path = NULL, *name = NULL;
    size_t len = 0;
    struct buf b;
    struct tpl *t = NULL;

    buf_init(&b, BUF_MAX_DEFAULT);
    if (sub)
        buf_printf(&b, "%s/%s/%s", dir, sub, fname);
    else
        buf_printf(&b, "%s/%s", dir, fname);
    path = buf_take(&b, NULL);
    if (sub)
        buf_printf(&b, "%s/%.*s", sub, (int)stem, fname);
    else
        buf_printf(&b, "%.*s", (int)stem, fname);
    name = buf_take(&b, NULL);

    rc = read_file(path, &data, &len, err, errlen);
    if (rc < 0)
        goto out;
    rc = compile(name, path, data, len, &t, err, errlen);
    if (rc < 0)
        goto out;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = t;
out:
    free(data);
    free(path);
    free(name);
    return rc;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* load_level compiles the templates of dir (sub == NULL) or dir/sub. */
static int load_level(struct loaded *l, const char *dir, const char *sub,
                      char *err, size_t errlen)
{
    int rc = 0, n;
    struct dirent **ents = NULL;
    char *path = NULL;
    struct buf b;

    buf_init(&b, BUF_MAX_DEFAULT);
    if (sub)
        buf_printf(&b, "%s/%s", dir, sub);
    else
        buf_append_cstr(&b, dir);
    path = buf_take(&b, NULL);
    /* Sorted, so a broken theme always reports the same first error. */
    n = scandir(path, &ents, NULL, alphasort);
    if (n < 0) {
        ioerr(err, errlen, path, "cannot read directory");
        rc = ERR_IO;
        n = 0;
        goto out;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        const char *fname = ents[i]->d_name;
        size_t stem;
        if (fname[0] == '.')
            continue;
        if (tpl_stem(fname, &stem)) {
            rc = load_one(l, dir, sub, fname, stem, err, errlen);
        } else if (!sub) {
            buf_printf(&b, "%s/%s", path, fname);
            bool d = is_dir(b.ptr);
            buf_reset(&b);
            if (d)
                rc = load_level(l, dir, fname, err, errlen);
        }
    }
out:
    for (int i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    free(path);
    buf_release(&b);
    return rc;
}

int tpl_set_load_dir(struct tpl_set *set, const char *dir, char *err,
                     size_t errlen)
{
    struct loaded l = {0};
    int rc = load_level(&l, dir, NULL, err, errlen);
    /* All or nothing: a theme with one broken file changes nothing. */
    for (size_t i = 0; i < l.n; i++) {
        if (rc == 0)
            insert(set, l.v[i]);
        else
            tpl_free(l.v[i]);
    }
    free(l.v);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Rendering                                                              */
/* ---------------------------------------------------------------------- */

/* Indentation in force: a list of pieces, outermost last. */
struct indent {
    struct str s;
    const struct indent *up;
};

/* A parent being expanded, whose blocks override those it reaches. */
struct frame {
    const struct tpl *t;
    uint32_t at; /* its OP_PARENT */
    const struct frame *up;
};

struct render {
    const struct tpl_set *set;
    struct buf *out;
    uint64_t steps;
    int depth;  /* nested render_range calls */
    int pdepth; /* nested partials and parents */
    size_t nctx;
    const struct tval *ctx[TPL_MAX_RDEPTH + 2];
};

static void put_indent(struct buf *out, const struct indent *ind)
{
    if (!ind)
        return;
    put_indent(out, ind->up);
    buf_append_str(out, ind->s);
}

/* An empty line gets no indentation. */
static bool empty_line(const char *p, size_t n)
{
    return n > 0 && (p[0] == '\n' || (p[0] == '\r' && n > 1 && p[1] == '\n'));
}

/*
 * indent_in returns the indentation inside a standalone tag indented by s
 * within ind. An empty piece adds nothing, so it is left out: with no
 * indentation at all (the common case: tags at the start of their line),
 * texts are copied whole instead of scanned for newlines.
 */
static const struct indent *indent_in(struct indent *here, struct str s,
                                      const struct indent *ind)
{
    if (s.len == 0)
        return ind;
    *here = (struct indent){s, ind};
    return here;
}

static void put_text(struct buf *out, const struct tpl_ins *in,
                     const struct indent *ind)
{
    const char *p = in->s.ptr, *end = p + in->s.len, *run = p, *nl;
    if (!ind) {
        buf_append(out, p, in->s.len);
        return;
    }
    if ((in->flags & TF_BOL) && !empty_line(p, in->s.len))
        put_indent(out, ind);
    for (; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1) {
        if (nl + 1 < end && !empty_line(nl + 1, (size_t)(end - nl - 1))) {
            buf_append(out, run, (size_t)(nl + 1 - run));
            put_indent(out, ind);
            run = nl + 1;
        }
    }
    buf_append(out, run, (size_t)(end - run));
}

/* Resolves the name of in against the context stack, following the spec. */
static const struct tval *lookup(const struct render *r,
                                 const struct tpl_ins *in)
{
    const struct tval *v = NULL;
    struct str name = in->s;
    if (name.len == 1 && name.ptr[0] == '.')
        return r->ctx[r->nctx - 1];
    const char *dot = in->first < name.len ? name.ptr + in->first : NULL;
    struct str first = {name.ptr, in->first};
    /* The first part is searched down the stack; the rest is not. */
    for (size_t i = r->nctx; i-- > 0;) {
        v = tv_get(r->ctx[i], first);
        if (v)
            break;
    }
    while (v && dot) {
        const char *p = dot + 1, *end = name.ptr + name.len;
        dot = memchr(p, '.', (size_t)(end - p));
        struct str part = {p, dot ? (size_t)(dot - p) : (size_t)(end - p)};
        v = tv_get(v, part);
    }
    return v;
}

static void put_num(struct buf *out, double d)
{
    char tmp[64];
    if (isfinite(d) && d == trunc(d) && fabs(d) < 1e15) {
        snprintf(tmp, sizeof(tmp), "%.0f", d);
    } else {
        /* The shortest form that reads back as the same double. */
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
            if (strtod(tmp, NULL) == d)
                break;
        }
    }
    buf_append_cstr(out, tmp);
}

static void put_value(struct buf *out, const struct tval *v, bool escape)
{
    if (!v)
        return;
    switch (v->type) {
    case TV_BOOL: buf_append_cstr(out, v->u.b ? "true" : "false"); break;
    case TV_INT: buf_printf(out, "%lld", v->u.i); break;
    case TV_NUM: put_num(out, v->u.num); break;
    case TV_STR:
        if (escape && !v->html)
            buf_append_html(out, v->u.s.ptr, v->u.s.len);
        else
            buf_append_str(out, v->u.s);
        break;
    case TV_NULL:
    case TV_LIST:
    case TV_MAP: break;
    }
}

static int render_range(struct render *r, const struct tpl *t, uint32_t from,
                        uint32_t to, const struct indent *ind,
                        const struct frame *fr);

/* Renders a section body once with v on top of the context stack. */
static int section_once(struct render *r, const struct tpl *t, uint32_t at,
                        const struct tval *v, const struct indent *ind,
                        const struct frame *fr)
{
    r->ctx[r->nctx++] = v;
    int rc = render_range(r, t, at + 1, t->ins[at].end + 1, ind, fr);
    r->nctx--;
    return rc;
}

static int run_section(struct render *r, const struct tpl *t, uint32_t at,
                       const struct indent *ind, const struct frame *fr)
{
    const struct tval *v = lookup(r, &t->ins[at]);
    if (!tv_truthy(v))
        return 0;
    if (v->type != TV_LIST)
        return section_once(r, t, at, v, ind, fr);
    for (size_t i = 0; i < v->u.list.n; i++) {
        int rc = section_once(r, t, at, v->u.list.items[i], ind, fr);
        if (rc < 0)
            return rc;
        if (buf_error(r->out))
            return buf_error(r->out);
    }
    return 0;
}

/* The template a partial or parent names, or NULL (renders as nothing). */
static const struct tpl *target(const struct render *r,
                                const struct tpl_ins *in)
{
    struct str name = in->s;
    if (in->flags & TF_DYNAMIC) {
        const struct tval *v = lookup(r, in);
        if (!v || v->type != TV_STR)
            return NULL;
        name = v->u.s;
    }
    return lookup_tpl(r->set, name);
}

/* Expands a partial (fr: outer overrides) or a parent (fr: with its own). */
static int expand(struct render *r, const struct tpl_ins *in,
                  const struct tpl *p, const struct indent *ind,
                  const struct frame *fr)
{
    if (r->pdepth >= TPL_MAX_DEPTH)
        return ERR_TOO_BIG;
    /* A standalone tag indents every line; an inline one starts afresh. */
    struct indent here;
    r->pdepth++;
    int rc = render_range(
        r, p, 0, (uint32_t)p->n,
        (in->flags & TF_STANDALONE) ? indent_in(&here, in->indent, ind) : NULL,
        fr);
    r->pdepth--;
    return rc;
}

/* Finds the outermost override of block name among the parents in fr. */
static bool find_override(const struct frame *fr, struct str name,
                          const struct tpl **ot, uint32_t *oat)
{
    bool found = false;
    for (; fr; fr = fr->up) {
        const struct tpl_ins *ins = fr->t->ins;
        /* A parent's body holds nothing but its blocks. */
        for (uint32_t j = fr->at + 1; j < ins[fr->at].end; j = ins[j].end + 1) {
            assert(ins[j].op == OP_BLOCK);
            if (str_eq(ins[j].s, name)) {
                *ot = fr->t;
                *oat = j;
                found = true;
                break;
            }
        }
    }
    return found;
}

static int run_block(struct render *r, const struct tpl *t, uint32_t at,
                     const struct indent *ind, const struct frame *fr)
{
    const struct tpl_ins *in = &t->ins[at];
    const struct tpl *bt = t;
    uint32_t bat = at;
    struct indent here;

    find_override(fr, in->s, &bt, &bat);
    if (in->flags & TF_STANDALONE) {
        ind = indent_in(&here, in->indent, ind);
        /* Even an inline override starts on an indented line. */
        uint32_t first = bat + 1;
        if (first < bt->ins[bat].end && !(bt->ins[first].flags & TF_BOL))
            put_indent(r->out, ind);
    }
    return render_range(r, bt, bat + 1, bt->ins[bat].end + 1, ind, fr);
}

static int render_range(struct render *r, const struct tpl *t, uint32_t from,
                        uint32_t to, const struct indent *ind,
                        const struct frame *fr)
{
    int rc = 0;
    if (r->depth >= TPL_MAX_RDEPTH)
        return ERR_TOO_BIG;
    r->depth++;
    for (uint32_t ip = from; ip < to && rc == 0;) {
        const struct tpl_ins *in = &t->ins[ip];
        if (++r->steps > TPL_MAX_STEPS || buf_error(r->out)) {
            rc = ERR_TOO_BIG;
            break;
        }
        if ((in->flags & TF_BOL) && in->op != OP_TEXT)
            put_indent(r->out, ind);
        switch ((enum op)in->op) {
        case OP_TEXT:
            put_text(r->out, in, ind);
            ip++;
            break;
        case OP_VAR:
        case OP_RAW:
            put_value(r->out, lookup(r, in), in->op == OP_VAR);
            ip++;
            break;
        case OP_SECTION:
            rc = run_section(r, t, ip, ind, fr);
            ip = in->end + 1;
            break;
        case OP_INVERTED:
            if (!tv_truthy(lookup(r, in)))
                rc = render_range(r, t, ip + 1, in->end + 1, ind, fr);
            ip = in->end + 1;
            break;
        case OP_PARTIAL: {
            const struct tpl *p = target(r, in);
            if (p)
                rc = expand(r, in, p, ind, fr);
            ip++;
            break;
        }
        case OP_PARENT: {
            const struct tpl *p = target(r, in);
            struct frame f = {t, ip, fr};
            if (p)
                rc = expand(r, in, p, ind, &f);
            ip = in->end + 1;
            break;
        }
        case OP_BLOCK:
            rc = run_block(r, t, ip, ind, fr);
            ip = in->end + 1;
            break;
        case OP_END: ip++; break;
        }
    }
    r->depth--;
    return rc;
}

int tpl_render(const struct tpl_set *set, const char *name,
               const struct tval *ctx, struct buf *out)
{
    const struct tpl *t = lookup_tpl(set, str_from(name));
    if (!t)
        return ERR_NOT_FOUND;
    /* The context stack takes 2 KB: keep it off small thread stacks. */
    struct render *r = xmalloc(sizeof(*r));
    r->set = set;
    r->out = out;
    r->steps = 0;
    r->depth = r->pdepth = 0;
    r->nctx = 1;
    r->ctx[0] = ctx;
    int rc = render_range(r, t, 0, (uint32_t)t->n, NULL, NULL);
    free(r);
    if (rc == 0)
        rc = buf_error(out);
    return rc;
}
