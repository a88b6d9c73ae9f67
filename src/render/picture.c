/*
 * picture.c - responsive images from the media library.
 *
 * Each image has derived files at a few widths in AVIF (when libvips
 * could encode it), WebP and JPEG; the browser picks the format from the
 * <source> types and the width from srcset and sizes. width and height
 * are the original's, so the browser reserves the box before a byte of
 * the image arrives (with CSS height:auto keeping the ratio).
 *
 * The Markdown reference is ![alt](media:HASH): cmark-gfm keeps the URL
 * as written (HTML-escaped; a hash is hex, so nothing to escape) and the
 * alt as escaped text, which is why alt travels here already escaped.
 */
#include "render/picture.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>

#define PICTURE_HTML_MAX (4u << 20)

static void srcset(struct buf *b, const struct media *m, const char *mime)
{
    bool first = true;
    for (size_t i = 0; i < m->nvariants; i++) {
        if (strcmp(m->variants[i].mime, mime) != 0)
            continue;
        buf_printf(b, "%s/media/%s %dw", first ? "" : ", ", m->variants[i].file,
                   m->variants[i].width);
        first = false;
    }
}

/* fallback names the JPEG closest to 960 px for the plain src. */
static const struct media_variant *fallback(const struct media *m)
{
    const struct media_variant *best = NULL;
    for (size_t i = 0; i < m->nvariants; i++) {
        const struct media_variant *v = &m->variants[i];
        if (strcmp(v->mime, "image/jpeg") != 0)
            continue;
        if (!best || (best->width < 960 && v->width > best->width))
            best = v;
    }
    return best;
}

static bool has_mime(const struct media *m, const char *mime)
{
    for (size_t i = 0; i < m->nvariants; i++)
        if (!strcmp(m->variants[i].mime, mime))
            return true;
    return false;
}

static void picture(struct buf *b, const struct media *m, const char *alt_html,
                    bool lazy, const char *sizes, const char *css)
{
    const struct media_variant *fb = fallback(m);
    buf_append_cstr(b, "<picture>");
    static const char *const types[] = {"image/avif", "image/webp"};
    for (size_t t = 0; t < 2; t++) {
        if (!has_mime(m, types[t]))
            continue;
        buf_printf(b, "<source type=\"%s\" srcset=\"", types[t]);
        srcset(b, m, types[t]);
        buf_printf(b, "\" sizes=\"%s\">", sizes);
    }
    buf_printf(b, "<img src=\"/media/%s\" srcset=\"", fb ? fb->file : m->file);
    srcset(b, m, "image/jpeg");
    buf_printf(b,
               "\" sizes=\"%s\" width=\"%d\" height=\"%d\" alt=\"%s\"%s%s%s"
               " decoding=\"async\"%s>",
               sizes, m->width, m->height, alt_html, css ? " class=\"" : "",
               css ? css : "", css ? "\"" : "",
               lazy ? " loading=\"lazy\"" : "");
    buf_append_cstr(b, "</picture>");
}

const char *picture_html(struct arena *a, const struct media *m,
                         const char *alt_html, bool lazy, const char *sizes,
                         const char *css)
{
    struct buf b;
    buf_init_arena(&b, a, PICTURE_HTML_MAX);
    picture(&b, m, alt_html, lazy, sizes, css);
    return buf_error(&b) ? "" : b.ptr;
}

/* attr finds name="..." inside the tag [p, end) and returns its value. */
static struct str attr(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    for (const char *q = p; q + n + 2 < end; q++) {
        if (q[-1] == ' ' && !strncmp(q, name, n) && q[n] == '=' &&
            q[n + 1] == '"') {
            const char *v = q + n + 2;
            const char *close = memchr(v, '"', (size_t)(end - v));
            if (close)
                return (struct str){v, (size_t)(close - v)};
        }
    }
    return STR_NULL;
}

const char *picture_rewrite(struct arena *a, const char *html,
                            picture_lookup_fn fn, void *ctx, int *missing)
{
    static const char needle[] = "<img src=\"media:";
    *missing = 0;
    if (!html || !strstr(html, needle))
        return html;
    struct buf b;
    buf_init_arena(&b, a, PICTURE_HTML_MAX);
    const char *p = html;
    bool first = true;
    for (;;) {
        const char *hit = strstr(p, needle);
        if (!hit) {
            buf_append_cstr(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(hit - p));
        const char *end = strchr(hit, '>');
        if (!end) {
            buf_append_cstr(&b, hit);
            break;
        }
        const char *h = hit + sizeof(needle) - 1;
        size_t hl = strspn(h, "0123456789abcdef");
        char hash[65];
        snprintf(hash, sizeof(hash), "%.*s", (int)(hl < 64 ? hl : 64), h);
        struct str alt = attr(hit + 1, end, "alt");
        struct media m;
        const char *alt_html = NULL;
        if (fn(ctx, hash, &m) == 0 && !strcmp(m.kind, "image")) {
            if (alt.len) {
                alt_html = arena_strndup(a, alt.ptr, alt.len);
            } else if (m.alt && *m.alt) {
                struct buf e;
                buf_init_arena(&e, a, 4096);
                buf_append_html(&e, m.alt, strlen(m.alt));
                alt_html = buf_error(&e) ? NULL : e.ptr;
            } else if (m.decorative) {
                alt_html = "";
            }
        }
        if (alt_html) {
            picture(&b, &m, alt_html, !first, PICTURE_SIZES, NULL);
            first = false;
        } else {
            (*missing)++;
        }
        p = end + 1;
    }
    return buf_error(&b) ? html : b.ptr;
}
