/*
 * meta.h - the article page's metadata as a template context.
 *
 * What an article page says about itself to machines and to citers: the
 * canonical URL, OpenGraph and Twitter card fields, Google Scholar's
 * citation_* fields, the JSON-LD text, and the parts of the "Cite this"
 * reference with the download links. Text is made plain by render/cite;
 * the template escapes it as usual.
 */
#ifndef QUIRE_META_H
#define QUIRE_META_H

#include "render/cite.h"

struct arena;
struct tval;

/*
 * meta_article returns {canonical, url, title, description, site_name,
 * published_time, modified_time, section, tags[{name}], jsonld, scholar{
 * title, authors[{name}], date, journal_title, issue}, cite{authors,
 * title, journal_title, date, url, bib_url, ris_url, json_url}} for art, from
 * a. canonical is absolute with a base URL, else path-absolute; url and the
 * other absolute URLs are absent without one. jsonld is safe to print raw
 * inside <script type="application/ld+json">.
 */
struct tval *meta_article(struct arena *a, const struct article *art,
                          const struct cite_journal *j);

#endif
