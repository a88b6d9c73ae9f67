/*
 * mustache_fuzz.c - libFuzzer harness for the Mustache compiler and renderer.
 *
 * Input: templates separated by \x01, then optionally \x02 and a JSON
 * context. A template may be named with a "NAME\x03" prefix; unnamed ones
 * are called "a", "b", "c"... by position, so partials and parents can
 * refer to each other. The first template is rendered. The JSON (parsed
 * with jansson) becomes the context, with a few fixed keys added where
 * absent, among them "z", the context itself, so a self-referencing tree
 * is always reachable. seeds.py turns the Mustache spec and the theme into
 * inputs of this shape. Any crash, leak, hang or UB is a bug.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "render/mustache.h"
#include "render/value.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_TEMPLATES 8
#define MAX_DEPTH 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* from_json converts a jansson value to a template value (depth-capped). */
static struct tval *from_json(struct arena *a, json_t *j, int depth)
{
    if (depth > MAX_DEPTH)
        return tv_null(a);
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        struct tval *m = tv_map(a);
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v)
        {
            tv_set(a, m, arena_strdup(a, key), from_json(a, v, depth + 1));
        }
        return m;
    }
    case JSON_ARRAY: {
        struct tval *l = tv_list(a);
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            tv_push(a, l, from_json(a, v, depth + 1));
        }
        return l;
    }
    case JSON_STRING: /* copied: the JSON is freed before rendering */
        return tv_strn(a, (struct str){arena_strndup(a, json_string_value(j),
                                                     json_string_length(j)),
                                       json_string_length(j)});
    case JSON_INTEGER: return tv_int(a, (long long)json_integer_value(j));
    case JSON_REAL: return tv_num(a, json_real_value(j));
    case JSON_TRUE: return tv_bool(a, true);
    case JSON_FALSE: return tv_bool(a, false);
    default: return tv_null(a);
    }
}

static void set_default(struct arena *a, struct tval *m, const char *key,
                        struct tval *v)
{
    if (!tv_get(m, str_from(key)))
        tv_set(a, m, key, v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[MAX_TEMPLATES] = {"a", "b", "c", "d",
                                                     "e", "f", "g", "h"};
    const char *p = (const char *)data, *end = p + size;
    const char *json = memchr(p, 2, size);
    if (json)
        end = json++;
    struct tpl_set *set = tpl_set_new();
    struct arena a;
    arena_init(&a, 4096);
    const char *first = NULL;
    char err[128];

    for (int i = 0; i < MAX_TEMPLATES && p <= end; i++) {
        const char *q = memchr(p, 1, (size_t)(end - p));
        size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
        const char *name = names[i];
        const char *sep = memchr(p, 3, n);
        if (sep) {
            name = arena_strndup(&a, p, (size_t)(sep - p));
            n -= (size_t)(sep + 1 - p);
            p = sep + 1;
        }
        if (!first)
            first = name;
        (void)!tpl_set_add(set, name, p, n, err, sizeof(err));
        p += n + 1;
    }

    struct tval *m = NULL;
    if (json) {
        json_t *j = json_loadb(json, (size_t)((const char *)data + size - json),
                               JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (j) {
            m = from_json(&a, j, 0);
            json_decref(j);
        }
    }
    if (!m || m->type != TV_MAP) {
        struct tval *top = tv_map(&a);
        if (m)
            tv_set(&a, top, "json", m);
        m = top;
    }
    struct tval *l = tv_list(&a);
    tv_push(&a, l, tv_str(&a, "b"));
    tv_push(&a, l, m);
    tv_push(&a, l, tv_int(&a, 3));
    set_default(&a, m, "x", l);
    set_default(&a, m, "y", tv_str(&a, "c"));
    set_default(&a, m, "z", m);
    set_default(&a, m, "n", tv_num(&a, 0.5));
    set_default(&a, m, "h", tv_str(&a, "<b>&\"'"));

    struct buf out;
    buf_init(&out, 1 << 16);
    (void)!tpl_render(set, first, m, &out);
    buf_release(&out);
    arena_release(&a);
    tpl_set_free(set);
    return 0;
}
