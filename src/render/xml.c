/*
 * xml.c - XML documents through libxml2's xmlTextWriter.
 *
 * Why a library rather than printf and an escaper: a writer cannot leave
 * an element open or forget to escape an attribute, and libxml2 is the
 * XML library Debian ships everywhere. What it does not do is refuse
 * characters XML 1.0 forbids (it writes U+0001 through, which makes the
 * document unreadable to every parser), so every string passes through
 * xml_clean first.
 *
 * libxml2 is initialised once per process (xmlInitParser, required before
 * threads use it). A struct xml lives in the caller's arena and its
 * libxml2 objects are freed by an arena cleanup, so an early return on any
 * path leaks nothing.
 */
#include "render/xml.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "core/xalloc.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <string.h>

/* BAD_CAST drops const; every call here takes const xmlChar *. */
#define XC(s) ((const xmlChar *)(s))

struct xml {
    xmlBufferPtr out;
    xmlTextWriterPtr w;
    struct arena *a;
    bool failed;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    xmlInitParser();
}

static void xml_free(void *arg)
{
    struct xml *x = arg;
    if (x->w)
        xmlFreeTextWriter(x->w);
    if (x->out)
        xmlBufferFree(x->out);
}

bool xml_char_ok(uint32_t cp)
{
    /* XML 1.0 section 2.2, Char; surrogates never decode from UTF-8. */
    if (cp < 0x20)
        return cp == 0x9 || cp == 0xA || cp == 0xD;
    return cp != 0xFFFE && cp != 0xFFFF;
}

const char *xml_clean(struct arena *a, const char *text)
{
    if (!text)
        return NULL;
    size_t n = strlen(text), i = 0;
    /* Most text is clean: copy nothing then. */
    for (;;) {
        uint32_t cp;
        if (i == n)
            return text;
        size_t k = utf8_decode(text + i, n - i, &cp);
        if (k == 0 || !xml_char_ok(cp))
            break;
        i += k;
    }
    char *out = arena_alloc(a, n + 1);
    size_t o = i;
    memcpy(out, text, i);
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_decode(text + i, n - i, &cp);
        if (k == 0) {
            i++; /* not UTF-8: drop the byte */
            continue;
        }
        if (xml_char_ok(cp)) {
            memcpy(out + o, text + i, k);
            o += k;
        }
        i += k;
    }
    out[o] = '\0';
    return out;
}

struct xml *xml_new(struct arena *a)
{
    pthread_once(&init_once, init_libxml);
    struct xml *x = ARENA_NEW(a, struct xml);
    x->a = a;
    arena_defer(a, xml_free, x);
    x->out = xmlBufferCreate();
    if (x->out) {
        /* libxml2 2.9 grows buffers to the exact size by default, which
         * copies a 2 MB sitemap quadratically; doubling is linear. */
        xmlBufferSetAllocationScheme(x->out, XML_BUFFER_ALLOC_DOUBLEIT);
        x->w = xmlNewTextWriterMemory(x->out, 0);
    }
    /* Out of memory is libxml2's only failure here; writes become no-ops. */
    if (!x->w || xmlTextWriterSetIndent(x->w, 1) < 0 ||
        xmlTextWriterSetIndentString(x->w, XC("  ")) < 0 ||
        xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL) < 0)
        x->failed = true;
    return x;
}

static void check(struct xml *x, int rc)
{
    if (rc < 0)
        x->failed = true;
}

/* ok says whether writing may go on (no writer after a failed start). */
static bool ok(const struct xml *x)
{
    return x->w && !x->failed;
}

void xml_start(struct xml *x, const char *name)
{
    if (ok(x))
        check(x, xmlTextWriterStartElement(x->w, XC(name)));
}

void xml_end(struct xml *x)
{
    if (ok(x))
        check(x, xmlTextWriterEndElement(x->w));
}

void xml_attr(struct xml *x, const char *name, const char *value)
{
    if (!value || !ok(x))
        return;
    check(x, xmlTextWriterWriteAttribute(x->w, XC(name),
                                         XC(xml_clean(x->a, value))));
}

void xml_text(struct xml *x, const char *text)
{
    if (!text || !ok(x))
        return;
    check(x, xmlTextWriterWriteString(x->w, XC(xml_clean(x->a, text))));
}

void xml_elem(struct xml *x, const char *name, const char *text)
{
    if (!text)
        return;
    xml_start(x, name);
    xml_text(x, text);
    xml_end(x);
}

int xml_finish(struct xml *x, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!ok(x))
        return ERR_INVALID;
    check(x, xmlTextWriterEndDocument(x->w));
    /* Freeing the writer flushes it into the buffer. */
    xmlFreeTextWriter(x->w);
    x->w = NULL;
    if (x->failed)
        return ERR_INVALID;
    size_t n = (size_t)xmlBufferLength(x->out);
    char *bytes = xmalloc(n + 1);
    memcpy(bytes, xmlBufferContent(x->out), n);
    bytes[n] = '\0';
    *out = bytes;
    *len = n;
    return 0;
}

const char *xml_lib_version(void)
{
    return xmlParserVersion;
}

const char *xml_html_text(struct arena *a, const char *html)
{
    size_t n = strlen(html);
    if (n == 0 || n > INT32_MAX)
        return "";
    htmlDocPtr doc = htmlReadMemory(html, (int)n, NULL, "UTF-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET |
                                        HTML_PARSE_NOIMPLIED);
    if (!doc)
        return "";
    const char *out = "";
    xmlChar *text = xmlNodeGetContent((xmlNodePtr)doc);
    if (text) {
        out = arena_strdup(a, (const char *)text);
        xmlFree(text);
    }
    xmlFreeDoc(doc);
    return xml_clean(a, out);
}
