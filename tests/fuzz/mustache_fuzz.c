/*
 * mustache_fuzz.c - libFuzzer harness for the Mustache compiler and renderer.
 *
 * The input is up to three templates separated by \x01, added as "a", "b"
 * and "c" so partials and parents can refer to each other; "a" is rendered
 * against a small self-referencing context. Any crash, leak or hang is a bug.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "render/mustache.h"
#include "render/value.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[3] = {"a", "b", "c"};
    const char *p = (const char *)data, *end = p + size;
    struct tpl_set *set = tpl_set_new();
    char err[128];

    for (int i = 0; i < 3 && p <= end; i++) {
        const char *q = memchr(p, 1, (size_t)(end - p));
        size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
        (void)!tpl_set_add(set, names[i], p, n, err, sizeof(err));
        p += n + 1;
    }

    struct arena a;
    arena_init(&a, 4096);
    struct tval *m = tv_map(&a), *l = tv_list(&a);
    tv_push(&a, l, tv_str(&a, "b"));
    tv_push(&a, l, m);
    tv_push(&a, l, tv_int(&a, 3));
    tv_set(&a, m, "x", l);
    tv_set_str(&a, m, "y", "c");
    tv_set(&a, m, "z", m);
    tv_set(&a, m, "n", tv_num(&a, 0.5));
    tv_set_str(&a, m, "h", "<b>&\"'");

    struct buf out;
    buf_init(&out, 1 << 16);
    (void)!tpl_render(set, "a", m, &out);
    buf_release(&out);
    arena_release(&a);
    tpl_set_free(set);
    return 0;
}
