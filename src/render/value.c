/*
 * value.c - the tagged value tree templates are rendered against.
 *
 * Every node, list array and map array comes from the caller's arena, so a
 * whole view model is released with the request in one step and nothing
 * here ever frees. Lists and maps grow by doubling into a fresh arena array
 * (the old one is simply abandoned: contexts are small and short-lived).
 * Maps keep insertion order and are searched linearly; keys and string
 * bytes are not copied, so they must live at least as long as the arena.
 */
#include "render/value.h"

#include "core/arena.h"

#include <assert.h>
#include <string.h>

static struct tval *tv_new(struct arena *a, enum tval_type type)
{
    struct tval *v = arena_alloc(a, sizeof(*v));
    *v = (struct tval){.type = type}; /* inline, cheaper than arena_zalloc */
    return v;
}

struct tval *tv_null(struct arena *a)
{
    return tv_new(a, TV_NULL);
}

struct tval *tv_bool(struct arena *a, bool b)
{
    struct tval *v = tv_new(a, TV_BOOL);
    v->u.b = b;
    return v;
}

struct tval *tv_int(struct arena *a, long long i)
{
    struct tval *v = tv_new(a, TV_INT);
    v->u.i = i;
    return v;
}

struct tval *tv_num(struct arena *a, double d)
{
    struct tval *v = tv_new(a, TV_NUM);
    v->u.num = d;
    return v;
}

struct tval *tv_str(struct arena *a, const char *s)
{
    /* NULL becomes "" so a missing optional field renders as nothing. */
    return tv_strn(a, str_from(s ? s : ""));
}

struct tval *tv_strn(struct arena *a, struct str s)
{
    struct tval *v = tv_new(a, TV_STR);
    v->u.s = s.ptr ? s : STR("");
    return v;
}

struct tval *tv_html(struct arena *a, const char *s)
{
    struct tval *v = tv_str(a, s);
    v->html = true;
    return v;
}

struct tval *tv_list(struct arena *a)
{
    return tv_new(a, TV_LIST);
}

struct tval *tv_map(struct arena *a)
{
    return tv_new(a, TV_MAP);
}

/* grow_array returns a copy of old (n elements of size sz) with room for
 * cap2 elements, taken from the arena. */
static void *grow_array(struct arena *a, const void *old, size_t n, size_t cap2,
                        size_t sz)
{
    void *p = arena_alloc(a, cap2 * sz);
    if (n)
        memcpy(p, old, n * sz);
    return p;
}

void tv_push(struct arena *a, struct tval *list, struct tval *v)
{
    assert(list && list->type == TV_LIST);
    if (!v)
        v = tv_null(a);
    if (list->u.list.n == list->u.list.cap) {
        size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 8;
        list->u.list.items = grow_array(a, list->u.list.items, list->u.list.n,
                                        cap, sizeof(*list->u.list.items));
        list->u.list.cap = cap;
    }
    list->u.list.items[list->u.list.n++] = v;
}

void tv_set(struct arena *a, struct tval *map, const char *key, struct tval *v)
{
    assert(map && map->type == TV_MAP && key);
    if (!v)
        v = tv_null(a);
    size_t klen = strlen(key);
    for (size_t i = 0; i < map->u.map.n; i++) {
        struct tkv *kv = &map->u.map.kv[i];
        if (kv->key == key ||
            (kv->klen == klen && memcmp(kv->key, key, klen) == 0)) {
            kv->val = v;
            return;
        }
    }
    if (map->u.map.n == map->u.map.cap) {
        size_t cap = map->u.map.cap ? map->u.map.cap * 2 : 8;
        map->u.map.kv = grow_array(a, map->u.map.kv, map->u.map.n, cap,
                                   sizeof(*map->u.map.kv));
        map->u.map.cap = cap;
    }
    map->u.map.kv[map->u.map.n++] = (struct tkv){key, klen, v};
}

void tv_set_str(struct arena *a, struct tval *map, const char *key,
                const char *s)
{
    if (s)
        tv_set(a, map, key, tv_str(a, s));
}

void tv_set_int(struct arena *a, struct tval *map, const char *key, long long i)
{
    tv_set(a, map, key, tv_int(a, i));
}

void tv_set_bool(struct arena *a, struct tval *map, const char *key, bool b)
{
    tv_set(a, map, key, tv_bool(a, b));
}

struct tval *tv_get(const struct tval *v, struct str key)
{
    if (!v || v->type != TV_MAP)
        return NULL;
    for (size_t i = 0; i < v->u.map.n; i++) {
        const struct tkv *kv = &v->u.map.kv[i];
        if (kv->klen == key.len &&
            (key.len == 0 || memcmp(kv->key, key.ptr, key.len) == 0))
            return kv->val;
    }
    return NULL;
}

bool tv_truthy(const struct tval *v)
{
    if (!v)
        return false;
    switch (v->type) {
    case TV_NULL: return false;
    case TV_BOOL: return v->u.b;
    case TV_STR: return v->u.s.len > 0;
    case TV_LIST: return v->u.list.n > 0;
    case TV_INT:
    case TV_NUM:
    case TV_MAP: return true;
    }
    return false;
}
