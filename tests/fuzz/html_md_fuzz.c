/*
 * html_md_fuzz.c - libFuzzer harness for HTML to Markdown
 * (content/html_md.c), as the K2 and WordPress importers use it.
 *
 * The input is an old article body: any bytes. Whatever it is, the
 * Markdown must be valid UTF-8, and rendered by Quire's Markdown renderer
 * it must hold no HTML element the converter did not mean (only the tags
 * Markdown makes) and no link or image whose URL has a scheme other than
 * http, https or mailto (never javascript:), or ftp, which the GFM
 * autolinker makes of plain "ftp://" text.
 */
#include "content/html_md.h"
#include "content/markdown.h"
#include "core/buf.h"
#include "core/utf8.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ALLOWED[] = {
    "p",      "h1",  "h2",  "h3",      "h4",    "h5",         "h6",    "em",
    "strong", "a",   "ul",  "ol",      "li",    "blockquote", "table", "thead",
    "tbody",  "tr",  "th",  "td",      "pre",   "code",       "br",    "hr",
    "del",    "img", "sup", "section", "input", NULL};

static void check_html(const char *h)
{
    assert(!strstr(h, "<img"));
    for (const char *p = strchr(h, '<'); p; p = strchr(p + 1, '<')) {
        const char *n = p + 1 + (p[1] == '/');
        size_t k = 0;
        while (isalnum((unsigned char)n[k]))
            k++;
        bool ok = false;
        for (const char *const *a = ALLOWED; *a; a++)
            if (strlen(*a) == k && strncasecmp(n, *a, k) == 0)
                ok = true;
        assert(ok);
    }
    for (const char *p = strstr(h, "<a href=\""); p;
         p = strstr(p + 1, "<a href=\"")) {
        const char *u = p + 9;
        const char *colon = strpbrk(u, ":/?#\"");
        if (colon && *colon == ':')
            assert(strncasecmp(u, "http:", 5) == 0 ||
                   strncasecmp(u, "https:", 6) == 0 ||
                   strncasecmp(u, "mailto:", 7) == 0 ||
                   strncasecmp(u, "ftp:", 4) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf md, html;
    struct html_md_report rep = {0};
    buf_init(&md, 1 << 24);
    buf_init(&html, 1 << 26);
    if (html_to_markdown((const char *)data, size, &md, &rep) == 0) {
        assert(utf8_valid(md.ptr, md.len, NULL));
        if (markdown_to_html(md.ptr, md.len, &html) == 0)
            check_html(html.ptr);
    }
    buf_reset(&md);
    if (html_to_text((const char *)data, size, &md, NULL) == 0)
        assert(utf8_valid(md.ptr, md.len, NULL));
    buf_release(&md);
    buf_release(&html);
    return 0;
}
