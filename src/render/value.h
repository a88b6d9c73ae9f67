/*
 * value.h - the data a template is rendered against.
 *
 * View models build a small tree of tagged values (null, bool, integer,
 * number, string, list, map), every node allocated from an arena, and the
 * Mustache renderer walks it. Maps keep insertion order and are searched
 * linearly: template contexts are small.
 */
#ifndef QUIRE_VALUE_H
#define QUIRE_VALUE_H

#include "core/str.h"

#include <stdbool.h>
#include <stddef.h>

struct arena;

enum tval_type { TV_NULL, TV_BOOL, TV_INT, TV_NUM, TV_STR, TV_LIST, TV_MAP };

struct tval;

struct tkv {
    const char *key;
    size_t klen; /* strlen(key), so a lookup compares lengths first */
    struct tval *val;
};

struct tval {
    enum tval_type type;
    bool html; /* TV_STR already HTML (tv_html): {{x}} prints it as is */
    union {
        bool b;
        long long i;
        double num;
        struct str s;
        struct {
            struct tval **items;
            size_t n, cap;
        } list;
        struct {
            struct tkv *kv;
            size_t n, cap;
        } map;
    } u;
};

struct tval *tv_null(struct arena *a);
struct tval *tv_bool(struct arena *a, bool b);
struct tval *tv_int(struct arena *a, long long i);
struct tval *tv_num(struct arena *a, double d);
/* tv_str does not copy: s must outlive the value (use the same arena). */
struct tval *tv_str(struct arena *a, const char *s);
struct tval *tv_strn(struct arena *a, struct str s);
/*
 * tv_html is a string of trusted HTML made by Quire itself (never from
 * outside input): templates print it unescaped even with {{x}}.
 */
struct tval *tv_html(struct arena *a, const char *s);
struct tval *tv_list(struct arena *a);
struct tval *tv_map(struct arena *a);

/* tv_push appends v to a list. */
void tv_push(struct arena *a, struct tval *list, struct tval *v);
/* tv_set sets key (not copied) in a map, replacing an existing entry. */
void tv_set(struct arena *a, struct tval *map, const char *key, struct tval *v);
/* Shorthands: tv_set with a string (NULL sets nothing), int or bool. */
void tv_set_str(struct arena *a, struct tval *map, const char *key,
                const char *s);
void tv_set_int(struct arena *a, struct tval *map, const char *key,
                long long i);
void tv_set_bool(struct arena *a, struct tval *map, const char *key, bool b);

/* tv_get looks up key in a map; NULL if absent or v is not a map. */
struct tval *tv_get(const struct tval *v, struct str key);
/* tv_truthy follows Mustache: false, null, empty list and "" are falsey. */
bool tv_truthy(const struct tval *v);

#endif
