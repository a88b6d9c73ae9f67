/*
 * markdown.c - the only user of cmark-gfm.
 *
 * Safety comes from cmark-gfm's default ("safe") rendering: we never pass
 * CMARK_OPT_UNSAFE, so raw HTML blocks and inline tags are omitted and
 * unsafe link destinations are blanked by the renderer itself rather than
 * by a sanitiser of ours that could drift from the parser.
 *
 * Threads: the extension registry is process-global and filled once under
 * pthread_once. Parsing itself is NOT independent between parsers in
 * cmark-gfm 0.29.0.gfm.6 (Debian 12): every parse switches the extensions'
 * trigger characters on and off in global tables (inlines.c SPECIAL_CHARS,
 * via cmark_manage_extensions_special_characters), so two threads parsing
 * at once lose each other's '~' and autolinks; 4 threads x 20,000 renders
 * produced ~1,400 wrong outputs. Parsing is therefore serialised by
 * parse_lock; rendering the finished tree reads no such state and runs
 * outside it. A typical article parses in tens of microseconds.
 */
#include "content/markdown.h"

#include "core/buf.h"

#include <assert.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>

static pthread_once_t registered = PTHREAD_ONCE_INIT;
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

static const char *const extensions[] = {"table", "strikethrough", "autolink",
                                         "tasklist"};

/* No CMARK_OPT_UNSAFE: see the top of this file. */
/* SMART: typographic quotes and dashes (" -> “ ”, -- -> –) in text
 * rendered from now on; bodies already stored keep their HTML. */
#define MD_OPTIONS                                                             \
    (CMARK_OPT_FOOTNOTES | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SMART)

int markdown_to_html(const char *md, size_t len, struct buf *out)
{
    int rc = 0;
    char *html = NULL;
    cmark_node *doc = NULL;
    cmark_mem *mem = cmark_get_default_mem_allocator();

    pthread_once(&registered, register_extensions);
    pthread_mutex_lock(&parse_lock);
    cmark_parser *parser = cmark_parser_new_with_mem(MD_OPTIONS, mem);
    for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
        cmark_syntax_extension *ext =
            cmark_find_syntax_extension(extensions[i]);
        assert(ext); /* all four are core extensions */
        cmark_parser_attach_syntax_extension(parser, ext);
    }
    cmark_parser_feed(parser, md, len);
    doc = cmark_parser_finish(parser);
    pthread_mutex_unlock(&parse_lock);
    html = cmark_render_html_with_mem(
        doc, MD_OPTIONS, cmark_parser_get_syntax_extensions(parser), mem);
    buf_append_cstr(out, html);
    rc = buf_error(out);

    mem->free(html);
    cmark_node_free(doc);
    cmark_parser_free(parser);
    return rc;
}

const char *markdown_lib_version(void)
{
    return cmark_version_string();
}
