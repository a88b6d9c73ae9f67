/*
 * cite_fuzz.c - libFuzzer harness for the citation formats (render/cite)
 * and name splitting (content/name).
 *
 * The input is cut at \x02 into a title, an intro, a tag and up to three
 * author names, which go through BibTeX, RIS, CSL-JSON and JSON-LD. Besides
 * crashes and leaks, it aborts when an output breaks its format's promise:
 * JSON that does not parse, JSON-LD with a raw < > & or U+2028/9, BibTeX
 * braces out of balance, or an RIS line split by a stray CR or LF.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "render/cite.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_json(const struct buf *b)
{
    json_error_t err;
    json_t *v = json_loadb(b->ptr, b->len, 0, &err);
    if (!v)
        abort();
    json_decref(v);
}

static void check_bibtex(const struct buf *b)
{
    int depth = 0;
    for (size_t i = 0; i < b->len; i++) {
        char c = b->ptr[i];
        if (c == '\\') {
            i++;
            continue;
        }
        depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        if (depth < 0)
            abort();
    }
    if (depth != 0)
        abort();
}

static void check_ris(const struct buf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        if (b->ptr[i] == '\n' && (i == 0 || b->ptr[i - 1] != '\r'))
            abort();
        if (b->ptr[i] == '\r' && (i + 1 == b->len || b->ptr[i + 1] != '\n'))
            abort();
        /* Every line starts with "XX  - ". */
        if ((i == 0 || b->ptr[i - 1] == '\n') &&
            (b->len - i < 6 || memcmp(b->ptr + i + 2, "  - ", 4) != 0))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    char *field[6] = {0};
    arena_init(&a, 4096);
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < 6 && p <= end; i++) {
        const char *q = memchr(p, 2, (size_t)(end - p));
        size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
        field[i] =
            arena_strndup(&a, p, n); /* stops at a NUL, like SQLite text */
        p += n + 1;
    }
    struct author au[3];
    size_t nau = 0;
    for (int i = 3; i < 6; i++)
        if (field[i])
            au[nau++] = (struct author){i, "x", field[i], NULL};
    struct tag tag = {1, "t", field[2] ? field[2] : "t"};
    struct article art = {
        .id = 1,
        .slug = "a-fuzzed-article",
        .title = field[0] ? field[0] : "",
        .summary = field[1],
        .published_at = 1089763200,
        .updated_at = 1089763200,
        .issue = {1, "2004-07-14", field[2]},
        .authors = au,
        .n_authors = nau,
        .tags = &tag,
        .n_tags = 1,
    };
    struct cite_journal j = {field[1], "https://j.example"};
    struct buf b;

    buf_init_arena(&b, &a, 1 << 22);
    cite_bibtex(&b, &a, &art, &j);
    check_bibtex(&b);

    buf_init_arena(&b, &a, 1 << 22);
    cite_ris(&b, &a, &art, &j);
    check_ris(&b);

    buf_init_arena(&b, &a, 1 << 22);
    if (cite_csl_json(&b, &a, &art, &j) != 0)
        abort();
    check_json(&b);

    buf_init_arena(&b, &a, 1 << 22);
    if (cite_jsonld(&b, &a, &art, &j) != 0)
        abort();
    check_json(&b);
    if (memchr(b.ptr, '<', b.len) || memchr(b.ptr, '>', b.len) ||
        memchr(b.ptr, '&', b.len) || memmem(b.ptr, b.len, "\xE2\x80\xA8", 3) ||
        memmem(b.ptr, b.len, "\xE2\x80\xA9", 3))
        abort();

    (void)!cite_key(&a, &art);
    (void)!cite_authors_chicago(&a, &art);
    arena_release(&a);
    return 0;
}
