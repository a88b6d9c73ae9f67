/*
 * xml.h - writing XML documents (feeds, sitemaps) that are well-formed
 * whatever text goes in.
 *
 * A thin layer over libxml2's xmlTextWriter (the only module that includes
 * libxml2): the library balances elements and escapes text and attribute
 * values; this layer first drops what XML 1.0 cannot carry at all (C0
 * control characters other than tab, LF and CR, U+FFFE, U+FFFF) and any
 * bytes that are not UTF-8, which libxml2 would otherwise write through or
 * refuse. Errors are sticky: write freely, check once in xml_finish.
 */
#ifndef QUIRE_XML_H
#define QUIRE_XML_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct xml;

/*
 * xml_new starts a document (<?xml version="1.0" encoding="UTF-8"?>). Its
 * memory is freed when a is released, whether or not it was finished.
 */
struct xml *xml_new(struct arena *a);
/* xml_start opens element name; xml_end closes the innermost one. */
void xml_start(struct xml *x, const char *name);
void xml_end(struct xml *x);
/* xml_attr adds an attribute to the element just opened (NULL: none). */
void xml_attr(struct xml *x, const char *name, const char *value);
/* xml_text writes character data, escaped (NULL writes nothing). */
void xml_text(struct xml *x, const char *text);
/* xml_elem writes <name>text</name>; NULL text writes nothing at all. */
void xml_elem(struct xml *x, const char *name, const char *text);
/*
 * xml_finish closes every open element and ends the document; on success
 * *out is a malloc'd copy of the bytes (free() it) of *len bytes.
 * ERR_INVALID if any write failed.
 */
int xml_finish(struct xml *x, char **out, size_t *len) WUR;

/* xml_char_ok reports whether XML 1.0 allows code point cp in a document. */
bool xml_char_ok(uint32_t cp);
/*
 * xml_clean copies text into a with invalid UTF-8 bytes and characters
 * XML 1.0 forbids dropped. The same cleaning serves every feed format, so
 * the three carry the same text. NULL stays NULL.
 */
const char *xml_clean(struct arena *a, const char *text);

/* xml_lib_version: libxml2 in use, for quire --version. */
const char *xml_lib_version(void);

/* xml_html_text: the text of an HTML fragment, tags dropped and entities
 * decoded (libxml2's HTML parser), copied into a; "" if it has none. */
const char *xml_html_text(struct arena *a, const char *html);

#endif
