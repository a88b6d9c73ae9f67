/*
 * article_json_fuzz.c - libFuzzer harness for the admin API's article
 * body (POST/PUT /api/admin/articles): admin_article_parse on any bytes,
 * as an editor and as an author. Promises checked: the answer is 0 or a
 * documented status with a JSON error body of the documented shape; an
 * accepted article has a one-line non-empty title of valid UTF-8, a valid
 * status, names without line breaks, a slug of [a-z0-9-], and an author
 * never gets a non-draft through.
 */
#include "admin/admin_int.h"
#include "core/arena.h"
#include "core/utf8.h"
#include "store/editorial.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(struct arena *a, struct str body, bool editor)
{
    struct response res = {0};
    struct edit_article e;
    long long rev;
    unsigned present;
    buf_init_arena(&res.body, a, 1 << 20);
    int st = admin_article_parse(a, body, &res, 1700000000, editor, &e, &rev,
                                 &present);
    assert(st == 0 || st == 400 || st == 403 || st == 413 || st == 422);
    if (st != 0) {
        json_error_t je;
        json_t *err = json_loadb(res.body.ptr, res.body.len, 0, &je);
        assert(err);
        json_t *o = json_object_get(err, "error");
        assert(json_is_string(json_object_get(o, "code")));
        assert(json_is_string(json_object_get(o, "message")));
        json_decref(err);
        return;
    }
    assert(present & 1u); /* the title is required */
    assert(e.title && *e.title && !strpbrk(e.title, "\r\n"));
    assert(utf8_valid(e.title, strlen(e.title), NULL));
    assert((unsigned)e.status <= EDIT_PUBLISHED);
    assert(editor || e.status == EDIT_DRAFT);
    for (size_t i = 0; i < e.n_authors; i++)
        assert(*e.authors[i] && !strpbrk(e.authors[i], "\r\n"));
    for (size_t i = 0; i < e.n_tags; i++)
        assert(*e.tags[i] && !strpbrk(e.tags[i], "\r\n"));
    if (e.slug)
        assert(strspn(e.slug, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
               strlen(e.slug));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 4096);
    struct str body = {(const char *)data, size};
    check(&a, body, true);
    check(&a, body, false);
    arena_release(&a);
    return 0;
}
