/*
 * mustache_test.c - the official Mustache spec, then Quire's own cases.
 *
 * The spec cases come from the JSON files in $QUIRE_FIXTURES/mustache-spec
 * (default ../shared/fixtures, relative to the working directory): each
 * test's data becomes a tval tree, its partials join the set, and the
 * output must match "expected" byte for byte. Every failing case is
 * printed with its file and name; a missing fixture file fails too. The
 * own tests cover escaping, error messages, recursion bounds, directory
 * loading, indentation, hostile input and concurrent rendering.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "render/mustache.h"
#include "render/value.h"

#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* ---------------------------------------------------------------------- */
/* The spec                                                               */
/* ---------------------------------------------------------------------- */

static const char *fixtures(void)
{
    const char *f = getenv("QUIRE_FIXTURES");
    return f && *f ? f : "../shared/fixtures";
}

/* from_json turns JSON into a tval tree; strings and keys are copied. */
static struct tval *from_json(struct arena *a, json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        struct tval *m = tv_map(a);
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v)
            tv_set(a, m, arena_strdup(a, key), from_json(a, v));
        return m;
    }
    case JSON_ARRAY: {
        struct tval *l = tv_list(a);
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) tv_push(a, l, from_json(a, v));
        return l;
    }
    case JSON_STRING: {
        size_t n = json_string_length(j);
        return tv_strn(
            a, (struct str){arena_strndup(a, json_string_value(j), n), n});
    }
    case JSON_INTEGER: return tv_int(a, (long long)json_integer_value(j));
    case JSON_REAL: return tv_num(a, json_real_value(j));
    case JSON_TRUE: return tv_bool(a, true);
    case JSON_FALSE: return tv_bool(a, false);
    case JSON_NULL: break;
    }
    return tv_null(a);
}

#define MAIN "(spec template)"

/* run_case renders one spec test; prints and returns false on a mismatch. */
static bool run_case(const char *file, json_t *tc)
{
    const char *name = json_string_value(json_object_get(tc, "name"));
    json_t *tpl = json_object_get(tc, "template");
    json_t *want = json_object_get(tc, "expected");
    json_t *partials = json_object_get(tc, "partials");
    struct tpl_set *set = tpl_set_new();
    struct arena a;
    struct buf out;
    char err[256] = "";
    bool ok = false;
    int rc;

    arena_init(&a, 4096);
    buf_init(&out, 1 << 20);
    if (!name || !json_is_string(tpl) || !json_is_string(want)) {
        printf("FAIL %s: malformed test %s\n", file, name ? name : "?");
        goto out;
    }
    if (json_is_object(partials)) {
        const char *pn;
        json_t *pv;
        json_object_foreach(partials, pn, pv)
        {
            rc = tpl_set_add(set, pn, json_string_value(pv),
                             json_string_length(pv), err, sizeof(err));
            if (rc < 0) {
                printf("FAIL %s: %s: partial: %s\n", file, name, err);
                goto out;
            }
        }
    }
    rc = tpl_set_add(set, MAIN, json_string_value(tpl), json_string_length(tpl),
                     err, sizeof(err));
    if (rc < 0) {
        printf("FAIL %s: %s: %s\n", file, name, err);
        goto out;
    }
    rc =
        tpl_render(set, MAIN, from_json(&a, json_object_get(tc, "data")), &out);
    if (rc < 0) {
        printf("FAIL %s: %s: render: %s\n", file, name, err_str(rc));
        goto out;
    }
    if (out.len != json_string_length(want) ||
        memcmp(out.ptr, json_string_value(want), out.len) != 0) {
        char *w = json_dumps(want, JSON_ENCODE_ANY);
        json_t *gj = json_stringn(out.ptr, out.len);
        char *g = gj ? json_dumps(gj, JSON_ENCODE_ANY) : NULL;
        printf("FAIL %s: %s\n  expected %s\n  got      %s\n", file, name,
               w ? w : "?", g ? g : "(not UTF-8)");
        free(w);
        free(g);
        json_decref(gj);
        goto out;
    }
    ok = true;
out:
    buf_release(&out);
    arena_release(&a);
    tpl_set_free(set);
    return ok;
}

static int spec_total, spec_passed;

static void run_spec_file(const char *file)
{
    char path[4096];
    json_error_t jerr;

    snprintf(path, sizeof(path), "%s/mustache-spec/%s", fixtures(), file);
    if (access(path, F_OK) != 0) {
        /* The fixtures are not in the repository: absent, skip (a missing
         * file among present ones still fails, below). */
        char dirpath[4096];
        snprintf(dirpath, sizeof(dirpath), "%s/mustache-spec", fixtures());
        if (access(dirpath, F_OK) != 0) {
            printf("SKIP %s: no %s (set QUIRE_FIXTURES)\n", file, dirpath);
            skip();
        }
    }
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        printf("FAIL %s: cannot load: %s (line %d)\n", path, jerr.text,
               jerr.line);
        fail();
    }
    json_t *tests = json_object_get(root, "tests");
    assert_true(json_is_array(tests));
    assert_true(json_array_size(tests) > 0);
    int failed = 0;
    size_t i;
    json_t *tc;
    json_array_foreach(tests, i, tc)
    {
        spec_total++;
        if (run_case(file, tc))
            spec_passed++;
        else
            failed++;
    }
    printf("%s: %zu tests, %d failed\n", file, json_array_size(tests), failed);
    json_decref(root);
    assert_int_equal(failed, 0);
}

#define SPEC(fn, file)                                                         \
    static void fn(void **state)                                               \
    {                                                                          \
        (void)state;                                                           \
        run_spec_file(file);                                                   \
    }
SPEC(test_spec_comments, "comments.json")
SPEC(test_spec_delimiters, "delimiters.json")
SPEC(test_spec_interpolation, "interpolation.json")
SPEC(test_spec_inverted, "inverted.json")
SPEC(test_spec_partials, "partials.json")
SPEC(test_spec_sections, "sections.json")
SPEC(test_spec_dynamic_names, "~dynamic-names.json")
SPEC(test_spec_inheritance, "~inheritance.json")

/* ---------------------------------------------------------------------- */
/* Helpers for the own tests                                              */
/* ---------------------------------------------------------------------- */

#include "unit/test_arena.h"

static void add(struct tpl_set *set, const char *name, const char *src)
{
    char err[256] = "";
    int rc = tpl_set_add(set, name, src, strlen(src), err, sizeof(err));
    if (rc < 0)
        printf("tpl_set_add %s: %s\n", name, err);
    assert_int_equal(rc, 0);
}

/* render returns the output of name (freed by the caller) and its rc. */
static char *render(const struct tpl_set *set, const char *name,
                    const struct tval *ctx, int *rc)
{
    struct buf out;
    buf_init(&out, 1 << 24);
    *rc = tpl_render(set, name, ctx, &out);
    return buf_take(&out, NULL);
}

/* expect renders a one-off template against ctx. */
static void expect(const char *src, const struct tval *ctx, const char *want)
{
    struct tpl_set *set = tpl_set_new();
    int rc;
    add(set, "t", src);
    char *got = render(set, "t", ctx, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, want);
    free(got);
    tpl_set_free(set);
}

/* expect_error compiles src and checks rc and the start of the message. */
static void expect_error(const char *src, int want_rc, const char *prefix,
                         const char *reason)
{
    struct tpl_set *set = tpl_set_new();
    char err[256] = "";
    int rc = tpl_set_add(set, "page", src, strlen(src), err, sizeof(err));
    assert_int_equal(rc, want_rc);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, reason)) {
        printf("error %s, want %s...%s\n", err, prefix, reason);
        fail();
    }
    assert_false(tpl_set_has(set, "page"));
    tpl_set_free(set);
}

/* ---------------------------------------------------------------------- */
/* Own tests                                                              */
/* ---------------------------------------------------------------------- */

static void test_html_escaping(void **state)
{
    (void)state;
    struct tval *m = tv_map(&arena);
    tv_set_str(&arena, m, "x", "a&b <i> \"q\" 'p'");
    expect("{{x}}", m, "a&amp;b &lt;i&gt; &quot;q&quot; &#39;p&#39;");
    expect("{{{x}}}|{{& x}}", m, "a&b <i> \"q\" 'p'|a&b <i> \"q\" 'p'");
    expect("{{=<% %>=}}<%x%>|<%&x%>", m,
           "a&amp;b &lt;i&gt; &quot;q&quot; &#39;p&#39;|a&b <i> \"q\" 'p'");
    /* Text of the template itself is never escaped. */
    expect("<b>&amp;</b>", m, "<b>&amp;</b>");
}

static void test_values(void **state)
{
    (void)state;
    struct tval *m = tv_map(&arena);
    tv_set(&arena, m, "d", tv_num(&arena, 1.21));
    tv_set(&arena, m, "w", tv_num(&arena, 3.0));
    tv_set(&arena, m, "t", tv_num(&arena, 0.1));
    tv_set(&arena, m, "big", tv_num(&arena, 1e20));
    tv_set_int(&arena, m, "i", -42);
    tv_set_bool(&arena, m, "yes", true);
    tv_set(&arena, m, "nil", tv_null(&arena));
    expect("{{d}} {{w}} {{t}} {{big}} {{i}} {{yes}} [{{nil}}]", m,
           "1.21 3 0.1 1e+20 -42 true []");
    /* Zero is truthy; empty strings and lists are not. */
    tv_set_int(&arena, m, "zero", 0);
    tv_set_str(&arena, m, "empty", "");
    tv_set(&arena, m, "none", tv_list(&arena));
    expect("{{#zero}}z{{/zero}}{{#empty}}e{{/empty}}{{^none}}n{{/none}}", m,
           "zn");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_error("line one\n{{name", ERR_PARSE, "page:2: ", "unclosed tag");
    expect_error("a\n\n{{{raw}}", ERR_PARSE, "page:3: ", "unclosed tag");
    expect_error("<ul>\n{{#items}}\n<li>\n", ERR_PARSE,
                 "page:2: ", "unclosed section 'items'");
    expect_error("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}", ERR_PARSE,
                 "page:3: ", "mismatched closing tag 'a'");
    expect_error("x\n{{/a}}", ERR_PARSE, "page:2: ", "without an open");
    expect_error("{{}}", ERR_PARSE, "page:1: ", "empty tag name");
    expect_error("{{# }}", ERR_PARSE, "page:1: ", "empty tag name");
    expect_error("{{>*}}", ERR_PARSE, "page:1: ", "empty tag name");
    expect_error("{{a b}}", ERR_PARSE, "page:1: ", "invalid tag name");
    expect_error("{{=|=}}", ERR_PARSE, "page:1: ", "invalid delimiters");
    expect_error("{{=a= b=}}", ERR_PARSE, "page:1: ", "invalid delimiters");
    expect_error("{{=| | |=}}", ERR_PARSE, "page:1: ", "invalid delimiters");
    expect_error("{{<p}}{{$b}}{{/p}}{{/b}}", ERR_PARSE,
                 "page:1: ", "mismatched");
    /* A long name is cut short in the message, which still fits. */
    char big[600];
    memset(big, 'n', sizeof(big));
    memcpy(big, "{{#", 3);
    memcpy(big + sizeof(big) - 3, "}}", 3);
    expect_error(big, ERR_PARSE, "page:1: ", "unclosed section");
}

static void test_error_buffer_small(void **state)
{
    (void)state;
    struct tpl_set *set = tpl_set_new();
    char err[8];
    int rc = tpl_set_add(set, "page", "{{#a}}", 6, err, sizeof(err));
    assert_int_equal(rc, ERR_PARSE);
    assert_string_equal(err, "page:1:");
    rc = tpl_set_add(set, "page", "{{#a}}", 6, NULL, 0);
    assert_int_equal(rc, ERR_PARSE);
    tpl_set_free(set);
}

static void test_recursion_bounded(void **state)
{
    (void)state;
    struct tpl_set *set = tpl_set_new();
    int rc;
    add(set, "self", "x{{>self}}");
    add(set, "twice", "{{>twice}}{{>twice}}");
    add(set, "parent", "{{<parent}}{{/parent}}");
    add(set, "dyn", "{{>*me}}");
    add(set, "block", "{{<b}}{{$x}}{{$x}}{{/x}}{{/x}}{{/b}}");
    add(set, "b", "{{$x}}{{/x}}");
    add(set, "node", "<{{#kids}}{{>node}}{{/kids}}>");

    char *got = render(set, "self", NULL, &rc);
    assert_int_equal(rc, ERR_TOO_BIG);
    free(got);
    got = render(set, "twice", NULL, &rc); /* 2^64 calls: work is bounded */
    assert_int_equal(rc, ERR_TOO_BIG);
    free(got);
    got = render(set, "parent", NULL, &rc);
    assert_int_equal(rc, ERR_TOO_BIG);
    free(got);
    struct tval *m = tv_map(&arena);
    tv_set_str(&arena, m, "me", "dyn");
    got = render(set, "dyn", m, &rc);
    assert_int_equal(rc, ERR_TOO_BIG);
    free(got);
    got = render(set, "block", NULL, &rc); /* an override using itself */
    assert_int_equal(rc, ERR_TOO_BIG);
    free(got);

    /* 100^5 loop turns that print nothing: the step budget stops them. */
    struct tval *hundred = tv_list(&arena);
    for (int i = 0; i < 100; i++)
        tv_push(&arena, hundred, tv_int(&arena, i));
    tv_set(&arena, m, "l", hundred);
    add(set, "loops",
        "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}"
        "{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}");
    got = render(set, "loops", m, &rc);
    assert_int_equal(rc, ERR_TOO_BIG);
    free(got);

    /* Data-driven recursion: fine while shallow, bounded when deep. */
    struct tval *root = tv_map(&arena), *cur = root;
    for (int i = 0; i < 1000; i++) {
        struct tval *kid = tv_map(&arena), *kids = tv_list(&arena);
        /* The leaf needs its own empty list, or lookup finds its parent's. */
        tv_set(&arena, kid, "kids", tv_list(&arena));
        tv_push(&arena, kids, kid);
        tv_set(&arena, cur, "kids", kids);
        cur = kid;
        if (i == 9) {
            got = render(set, "node", root, &rc);
            assert_int_equal(rc, 0);
            assert_string_equal(got, "<<<<<<<<<<<>>>>>>>>>>>");
            free(got);
        }
    }
    got = render(set, "node", root, &rc);
    assert_int_equal(rc, ERR_TOO_BIG);
    free(got);

    /* Deep nesting in one template is refused when compiling. */
    struct buf src;
    char err[256];
    buf_init(&src, 1 << 20);
    for (int i = 0; i < 1000; i++)
        buf_append_cstr(&src, "{{#a}}");
    for (int i = 0; i < 1000; i++)
        buf_append_cstr(&src, "{{/a}}");
    rc = tpl_set_add(set, "deep", src.ptr, src.len, err, sizeof(err));
    assert_int_equal(rc, ERR_TOO_BIG);
    assert_non_null(strstr(err, "deep:1: "));
    buf_release(&src);
    tpl_set_free(set);
}

static void test_output_limit(void **state)
{
    (void)state;
    struct tpl_set *set = tpl_set_new();
    struct tval *m = tv_map(&arena), *l = tv_list(&arena);
    for (int i = 0; i < 1000; i++)
        tv_push(&arena, l, tv_int(&arena, i));
    tv_set(&arena, m, "l", l);
    add(set, "t", "{{#l}}{{.}},{{/l}}");
    struct buf out;
    buf_init(&out, 100);
    assert_int_equal(tpl_render(set, "t", m, &out), ERR_TOO_BIG);
    buf_release(&out);
    buf_init(&out, 1 << 20);
    assert_int_equal(tpl_render(set, "missing", m, &out), ERR_NOT_FOUND);
    assert_int_equal(tpl_render(set, "t", m, &out), 0);
    assert_int_equal(out.len, 3890);
    buf_release(&out);
    tpl_set_free(set);
}

static void test_set(void **state)
{
    (void)state;
    struct tpl_set *set = tpl_set_new();
    int rc;
    assert_false(tpl_set_has(set, "a"));
    add(set, "b", "B{{>a}}");
    add(set, "a", "A1");
    add(set, "c", "C");
    assert_true(tpl_set_has(set, "a"));
    char *got = render(set, "b", NULL, &rc);
    assert_string_equal(got, "BA1");
    free(got);
    add(set, "a", "A2"); /* replaces */
    got = render(set, "b", NULL, &rc);
    assert_string_equal(got, "BA2");
    free(got);
    /* A failed compile leaves the old template in place. */
    assert_int_equal(tpl_set_add(set, "a", "{{#x}}", 6, NULL, 0), ERR_PARSE);
    got = render(set, "b", NULL, &rc);
    assert_string_equal(got, "BA2");
    free(got);
    add(set, "empty", "");
    got = render(set, "empty", NULL, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "");
    free(got);
    tpl_set_free(set);
    tpl_set_free(NULL);
}

/* A layout the way a theme uses it: nested partials and blocks. */
static void test_layout(void **state)
{
    (void)state;
    struct tpl_set *set = tpl_set_new();
    int rc;
    add(set, "layout",
        "<html>\n"
        "  <head>\n"
        "    <title>{{$title}}Quire{{/title}}</title>\n"
        "  </head>\n"
        "  <body>\n"
        "    {{>nav}}\n"
        "    {{$content}}\n"
        "    <p>nothing</p>\n"
        "    {{/content}}\n"
        "  </body>\n"
        "</html>\n");
    add(set, "nav", "<ul>\n{{#links}}\n  <li>{{.}}</li>\n{{/links}}\n</ul>\n");
    add(set, "article",
        "{{<layout}}\n"
        "{{$title}}{{title}} | Quire{{/title}}\n"
        "{{$content}}\n"
        "<h1>{{title}}</h1>\n"
        "{{{body}}}\n"
        "{{/content}}\n"
        "{{/layout}}\n");
    struct tval *m = tv_map(&arena), *links = tv_list(&arena);
    tv_push(&arena, links, tv_str(&arena, "Home"));
    tv_push(&arena, links, tv_str(&arena, "A & B"));
    tv_set(&arena, m, "links", links);
    tv_set_str(&arena, m, "title", "Oil <prices>");
    tv_set_str(&arena, m, "body", "<p>one</p>\n<p>two</p>");
    char *got = render(set, "article", m, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "<html>\n"
                             "  <head>\n"
                             "    <title>Oil &lt;prices&gt; | Quire</title>\n"
                             "  </head>\n"
                             "  <body>\n"
                             "    <ul>\n"
                             "      <li>Home</li>\n"
                             "      <li>A &amp; B</li>\n"
                             "    </ul>\n"
                             "    <h1>Oil &lt;prices&gt;</h1>\n"
                             "    <p>one</p>\n"
                             "<p>two</p>\n"
                             "  </body>\n"
                             "</html>\n");
    free(got);
    got = render(set, "layout", NULL, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(got, "    <p>nothing</p>\n  </body>"));
    free(got);
    tpl_set_free(set);
}

static void test_indentation(void **state)
{
    (void)state;
    struct tpl_set *set = tpl_set_new();
    int rc;
    struct tval *m = tv_map(&arena);
    tv_set_str(&arena, m, "layout", "frame");
    tv_set_str(&arena, m, "v", "1\n2");
    add(set, "inner", "a\n\nb {{v}}\n");
    add(set, "outer", "<div>\n  {{>inner}}\n</div>\n");
    add(set, "page", "<body>\n  {{>outer}}\n</body>\n");
    add(set, "frame", "[{{$b}}{{/b}}]");
    add(set, "child", "{{<*layout}}{{$b}}X{{/b}}{{/*layout}}");
    /* Indentation adds up; empty lines and data stay as they are. */
    char *got = render(set, "page", m, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "<body>\n  <div>\n    a\n\n    b 1\n2\n"
                             "  </div>\n</body>\n");
    free(got);
    /* Parents may be named dynamically, like partials. */
    got = render(set, "child", m, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "[X]");
    free(got);
    tpl_set_free(set);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    char path[4096];
    struct stat st;
    if (!d)
        return;
    for (;;) {
        struct dirent *e = readdir(d);
        if (!e)
            break;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void test_load_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/quire-tpl-XXXXXX", sub[4096];
    char err[512] = "";
    int rc;
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof(sub), "%s/partials", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(dir, "page.mustache", "<main>\n  {{>partials/head}}\n</main>\n");
    write_file(dir, "notes.txt", "{{#not a template");
    write_file(dir, ".hidden.mustache", "{{#broken");
    write_file(sub, "head.mustache", "<h1>{{title}}</h1>\n<hr>\n");

    struct tpl_set *set = tpl_set_new();
    rc = tpl_set_load_dir(set, dir, err, sizeof(err));
    if (rc < 0)
        printf("load: %s\n", err);
    assert_int_equal(rc, 0);
    assert_true(tpl_set_has(set, "page"));
    assert_true(tpl_set_has(set, "partials/head"));
    assert_false(tpl_set_has(set, "notes"));
    assert_false(tpl_set_has(set, ".hidden"));
    struct tval *m = tv_map(&arena);
    tv_set_str(&arena, m, "title", "T");
    char *got = render(set, "page", m, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "<main>\n  <h1>T</h1>\n  <hr>\n</main>\n");
    free(got);
    tpl_set_free(set);

    /* A broken file: its path and line, and nothing is loaded. */
    write_file(sub, "bad.mustache", "ok\n{{#items}}\n");
    set = tpl_set_new();
    rc = tpl_set_load_dir(set, dir, err, sizeof(err));
    assert_int_equal(rc, ERR_PARSE);
    char want[4200];
    snprintf(want, sizeof(want), "%s/partials/bad.mustache:2: ", dir);
    if (strncmp(err, want, strlen(want)) != 0) {
        printf("error %s, want %s...\n", err, want);
        fail();
    }
    assert_false(tpl_set_has(set, "page"));
    tpl_set_free(set);

    set = tpl_set_new();
    snprintf(sub, sizeof(sub), "%s/does-not-exist", dir);
    assert_int_equal(tpl_set_load_dir(set, sub, err, sizeof(err)), ERR_IO);
    assert_non_null(strstr(err, "does-not-exist"));
    tpl_set_free(set);
    remove_tree(dir);
}

/* Hostile templates: compile or fail cleanly, render without crashing. */
static void test_hostile(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "{{",
        "{{{",
        "}}",
        "{{{x}}",
        "{{{x}}}}",
        "{{!",
        "{{! x }",
        "{{=",
        "{{=| |=}}|x|",
        "{{=| |=}}|#a||/a|",
        "{{=| |=}}|",
        "{{=| |=}}||",
        "{{=| |=}}|=<% %>=|<%x%>",
        "{{= =}}",
        "{{==}}",
        "{{=a b=}}ab",
        "{{#a}}{{/a}}{{/a}}",
        "{{>}}",
        "{{<}}",
        "{{$}}",
        "{{ }}",
        "{{&}}",
        "{{#.}}{{.}}{{/.}}",
        "{{..}}{{a..b}}{{.a}}{{a.}}",
        "{{>*a.b}}",
        "{{<*a}}{{/*a}}",
        "{{<*a}}{{/a}}",
        "{{$a}}{{$a}}{{/a}}{{/a}}",
        "{{<a}}x{{#b}}{{$c}}{{/c}}{{/b}}{{/a}}",
        "  {{$a}}{{/a}}",
        "{{<a}}{{$b}}",
        "\r\n{{#a}}\r\n{{/a}}\r",
        "\r{{!x}}\r",
        "{{!}}",
        "{{{}}}",
        "{{=<< >>=}}<<={{ }}=>>{{x}}",
        /* Found by fuzzing: a close delimiter starting with the sigil. */
        "{{=| #|=}}|#|",
        "{{=| /|=}}|/|",
        "{{=| !|=}}|!|",
        "{{=| {|=}}|{{|",
    };
    struct tval *m = tv_map(&arena), *l = tv_list(&arena);
    tv_push(&arena, l, tv_str(&arena, "a"));
    tv_push(&arena, l, tv_int(&arena, 2));
    tv_set(&arena, m, "a", l);
    tv_set_str(&arena, m, "x", "<x>");
    tv_set(&arena, m, "b", m);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tpl_set *set = tpl_set_new();
        char err[128];
        int rc =
            tpl_set_add(set, "a", cases[i], strlen(cases[i]), err, sizeof(err));
        if (rc == 0) {
            char *got = render(set, "a", m, &rc);
            free(got);
        } else {
            assert_int_equal(strncmp(err, "a:", 2), 0);
        }
        tpl_set_free(set);
    }

    /* Random soup of template syntax, reproducible. */
    static const char alphabet[] = "{{}}{}#^/!&=<>$*.| \n\rxab";
    uint32_t seed = 12345;
    char src[96];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % sizeof(src);
        for (; n < len; n++) {
            seed = seed * 1103515245u + 12345u;
            src[n] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        struct tpl_set *set = tpl_set_new();
        char err[128];
        if (tpl_set_add(set, "a", src, n, err, sizeof(err)) == 0 &&
            tpl_set_add(set, "b", src, n / 2, err, sizeof(err)) == 0) {
            int rc;
            char *got = render(set, "a", m, &rc);
            free(got);
        }
        tpl_set_free(set);
    }
}

static void test_huge(void **state)
{
    (void)state;
    struct tpl_set *set = tpl_set_new();
    struct buf src;
    char err[128];
    int rc;

    buf_init(&src, 1 << 26);
    while (src.len < (1 << 20))
        buf_append_cstr(&src, "{{x}} text {{#a}}{{.}}{{/a}}\n");
    assert_int_equal(
        tpl_set_add(set, "big", src.ptr, src.len, err, sizeof(err)), 0);
    struct tval *m = tv_map(&arena);
    tv_set_str(&arena, m, "x", "X");
    char *got = render(set, "big", m, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(strncmp(got, "X text \nX text \n", 16), 0);
    free(got);
    while (src.len < (5 << 20))
        buf_append_cstr(&src, "plain text, more than a template may hold\n");
    rc = tpl_set_add(set, "huge", src.ptr, src.len, err, sizeof(err));
    assert_int_equal(rc, ERR_TOO_BIG);
    /* A huge unterminated tag. */
    buf_reset(&src);
    buf_append_cstr(&src, "{{");
    while (src.len < (1 << 20))
        buf_append_cstr(&src, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    rc = tpl_set_add(set, "open", src.ptr, src.len, err, sizeof(err));
    assert_int_equal(rc, ERR_PARSE);
    buf_release(&src);
    tpl_set_free(set);
}

struct job {
    const struct tpl_set *set;
    const struct tval *ctx;
    int ok;
};

static void *render_many(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < 500; i++) {
        struct buf out;
        buf_init(&out, 1 << 20);
        int rc = tpl_render(j->set, "list", j->ctx, &out);
        if (rc == 0 && strcmp(out.ptr, "  - 1\n  - 2\n  - 3\n") == 0)
            j->ok++;
        buf_release(&out);
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    struct tpl_set *set = tpl_set_new();
    add(set, "list", "  {{>item}}\n");
    add(set, "item", "{{#n}}\n- {{.}}\n{{/n}}\n");
    struct tval *m = tv_map(&arena), *l = tv_list(&arena);
    for (int i = 1; i <= 3; i++)
        tv_push(&arena, l, tv_int(&arena, i));
    tv_set(&arena, m, "n", l);
    pthread_t th[4];
    struct job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (struct job){set, m, 0};
        assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]),
                         0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].ok, 500);
    }
    tpl_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_comments),
        cmocka_unit_test(test_spec_delimiters),
        cmocka_unit_test(test_spec_interpolation),
        cmocka_unit_test(test_spec_inverted),
        cmocka_unit_test(test_spec_partials),
        cmocka_unit_test(test_spec_sections),
        cmocka_unit_test(test_spec_dynamic_names),
        cmocka_unit_test(test_spec_inheritance),
        cmocka_unit_test_setup_teardown(test_html_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_error_buffer_small),
        cmocka_unit_test_setup_teardown(test_recursion_bounded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_output_limit, setup, teardown),
        cmocka_unit_test(test_set),
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indentation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    printf("mustache spec: %d of %d tests pass\n", spec_passed, spec_total);
    return failed ? 1 : 0;
}
