/*
 * cite.c - an article's citation downloads: /articles/<slug>.bib, .ris
 * and .json (CSL-JSON).
 *
 * The router's "{}" takes the whole last segment, so /articles/{} sees
 * "<slug>.bib" too; site_article hands any segment with a dot here (a slug
 * never has one). The downloads are cached pages like any other, keyed by
 * their path, with their own Content-Type; they count no reads.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "render/cite.h"
#include "core/page.h"
#include "site/site_int.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

enum cite_format { CITE_BIBTEX, CITE_RIS, CITE_CSL };

static const struct {
    const char *ext;
    const char *content_type;
} formats[] = {
    [CITE_BIBTEX] = {"bib", "text/x-bibtex; charset=utf-8"},
    [CITE_RIS] = {"ris", "application/x-research-info-systems; charset=utf-8"},
    [CITE_CSL] = {"json", "application/vnd.citationstyles.csl+json"},
};

enum { CITE_MAX_BYTES = 16 << 20 };

int site_article_cite(struct request *req, struct response *res, struct site *s,
                      struct str slug, struct str ext)
{
    struct arena *a = req->arena;
    size_t f;
    for (f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
        if (str_eq_cstr(ext, formats[f].ext))
            break;
    if (f == sizeof(formats) / sizeof(formats[0]))
        return 404;
    struct article art;
    int rc = store_article_by_slug(s->store, a, slug, false, &art);
    if (rc == ERR_NOT_FOUND)
        return 404;
    if (rc != 0)
        return 500;
    struct cite_journal j;
    if (site_cite_journal(s, a, &j) != 0)
        return 500;

    struct buf b;
    buf_init(&b, CITE_MAX_BYTES);
    switch ((enum cite_format)f) {
    case CITE_BIBTEX: cite_bibtex(&b, a, &art, &j); break;
    case CITE_RIS: cite_ris(&b, a, &art, &j); break;
    case CITE_CSL: rc = cite_csl_json(&b, a, &art, &j); break;
    }
    if (rc == 0)
        rc = buf_error(&b);
    if (rc != 0) {
        buf_release(&b);
        return 500;
    }
    size_t len;
    char *bytes = buf_take(&b, &len);
    res->page = page_new(bytes, len, formats[f].content_type, PAGE_NO_SPLICE);
    page_depend(res->page, "article", art.id);
    return 200;
}
