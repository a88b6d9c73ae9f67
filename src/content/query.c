/*
 * query.c - the search box's text to an FTS5 MATCH expression.
 *
 * Design: a tiny scanner, not a parser. The input is cut into terms: a
 * double quote opens a phrase that runs to the next quote (or the end);
 * otherwise a term is a run of anything but spaces and quotes. A term
 * ending in '*' (outside a phrase) is a prefix, up to QUERY_PREFIXES_MAX
 * of them (query.h). Each term is emitted as
 * an FTS5 string, so no byte of the input is ever read by FTS5 as syntax:
 * a quote cannot occur inside a term (quotes only delimit), and inside an
 * FTS5 string everything else is literal text for the tokenizer.
 *
 * A term with no letter or digit (ASCII, or any non-ASCII byte, which
 * unicode61 may treat as a letter) is dropped: it would tokenize to
 * nothing. Bare uppercase AND is dropped too (terms are ANDed anyway);
 * OR and NOT stay words, since supporting them as operators is not worth
 * the surprises ("Or" the river, "NOT" in a title).
 */
#include "content/query.h"

#include "core/arena.h"
#include "core/buf.h"

#include <stdbool.h>
#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* searchable: does t hold anything the tokenizer keeps as a word? */
static bool searchable(struct str t)
{
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z'))
            return true;
    }
    return false;
}

/* emit appends `"t"` (t has no quote) with a trailing * for a prefix. */
static void emit(struct buf *b, struct str t, bool prefix)
{
    if (b->len)
        buf_append_char(b, ' ');
    buf_append_char(b, '"');
    for (size_t i = 0; i < t.len; i++) {
        char c = t.ptr[i];
        /* Control bytes become spaces: they separate words anyway. */
        buf_append_char(b, (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c);
    }
    buf_append_char(b, '"');
    if (prefix)
        buf_append_char(b, '*');
}

const char *query_to_fts(struct arena *a, struct str in)
{
    struct buf b;
    int terms = 0, prefixes = 0;
    size_t i = 0;

    /* Each input byte yields at most one, plus 4 per term ("", *, space). */
    buf_init_arena(&b, a, in.len + 4 * QUERY_TERMS_MAX + 1);
    while (i < in.len && terms < QUERY_TERMS_MAX) {
        if (is_space(in.ptr[i])) {
            i++;
            continue;
        }
        struct str t;
        bool prefix = false, phrase = in.ptr[i] == '"';
        if (phrase) {
            const char *end = memchr(in.ptr + i + 1, '"', in.len - i - 1);
            size_t stop = end ? (size_t)(end - in.ptr) : in.len;
            t = (struct str){in.ptr + i + 1, stop - i - 1};
            i = end ? stop + 1 : stop;
            /* "a phrase"* : a prefix on its last word, as FTS5 has it */
            while (i < in.len && in.ptr[i] == '*') {
                i++;
                prefix = true;
            }
        } else {
            size_t start = i;
            while (i < in.len && !is_space(in.ptr[i]) && in.ptr[i] != '"')
                i++;
            t = (struct str){in.ptr + start, i - start};
            while (t.len && t.ptr[t.len - 1] == '*') {
                t.len--;
                prefix = true;
            }
            if (str_eq_cstr(t, "AND"))
                continue;
        }
        if (!searchable(t))
            continue;
        if (prefix && prefixes++ >= QUERY_PREFIXES_MAX)
            prefix = false;
        emit(&b, t, prefix);
        terms++;
    }
    return b.ptr;
}

const char *query_display(struct arena *a, const char *fts)
{
    struct buf b;
    size_t len = strlen(fts);
    buf_init_arena(&b, a, len + 1);
    /* fts is `"t" "t"* ...` with no quote inside a term (see above). */
    for (const char *p = fts; *p;) {
        if (*p != '"') {
            p++;
            continue;
        }
        const char *end = strchr(p + 1, '"');
        if (!end)
            break;
        struct str t = {p + 1, (size_t)(end - p - 1)};
        /* Quoted where a bare word would read differently: a phrase, a
         * lone AND (dropped), a trailing '*' (a prefix). */
        bool phrase = memchr(t.ptr, ' ', t.len) != NULL ||
                      str_eq_cstr(t, "AND") ||
                      (t.len && t.ptr[t.len - 1] == '*');
        if (b.len)
            buf_append_char(&b, ' ');
        if (phrase)
            buf_append_char(&b, '"');
        buf_append_str(&b, t);
        if (phrase)
            buf_append_char(&b, '"');
        p = end + 1;
        if (*p == '*') {
            buf_append_char(&b, '*');
            p++;
        }
    }
    return b.ptr;
}
