/*
 * multipart.c - multipart/form-data bodies, for uploads.
 *
 * Written by hand: libmicrohttpd's MHD_PostProcessor needs a live
 * connection and streams to callbacks, while an upload here is one
 * bounded body already in memory (server.c caps it at limits.upload_max)
 * that the back office and the API read as whole parts. The parser never
 * copies: parts are slices of the body. It is strict where laxness would
 * let one body mean two things: the boundary must be 1-70 characters, a
 * part must start with headers ending in CRLF CRLF, and the body must end
 * with the closing "--boundary--". Fuzzed by tests/fuzz/multipart_fuzz.c.
 */
#include "http/multipart.h"

#include <string.h>
#include <strings.h>

#define BOUNDARY_MAX 70 /* RFC 2046 */
#define PART_HEADERS_MAX 8192

/* find returns the offset of needle in hay at or after from, or -1. */
static long find(struct str hay, size_t from, const char *needle, size_t n)
{
    if (n == 0 || hay.len < n)
        return -1;
    for (size_t i = from; i + n <= hay.len; i++)
        if (hay.ptr[i] == needle[0] && !memcmp(hay.ptr + i, needle, n))
            return (long)i;
    return -1;
}

/* param reads ;name=value or ;name="value" from a header's value. */
static struct str param(struct str v, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] != ';')
            continue;
        size_t j = i + 1;
        while (j < v.len && (v.ptr[j] == ' ' || v.ptr[j] == '\t'))
            j++;
        if (j + nl + 1 > v.len || strncasecmp(v.ptr + j, name, nl) != 0 ||
            v.ptr[j + nl] != '=')
            continue;
        j += nl + 1;
        if (j < v.len && v.ptr[j] == '"') {
            size_t k = j + 1;
            while (k < v.len && v.ptr[k] != '"')
                k++;
            if (k == v.len)
                return STR_NULL;
            return (struct str){v.ptr + j + 1, k - j - 1};
        }
        size_t k = j;
        while (k < v.len && v.ptr[k] != ';' && v.ptr[k] != ' ')
            k++;
        return (struct str){v.ptr + j, k - j};
    }
    return STR_NULL;
}

/* headers reads one part's header block into p; ERR_PARSE if malformed. */
static int headers(struct str h, struct multipart_part *p)
{
    bool disposition = false;
    size_t i = 0;
    while (i < h.len) {
        long e = find(h, i, "\r\n", 2);
        size_t end = e < 0 ? h.len : (size_t)e;
        struct str line = {h.ptr + i, end - i};
        const char *colon = memchr(line.ptr, ':', line.len);
        if (!colon)
            return ERR_PARSE;
        struct str name = {line.ptr, (size_t)(colon - line.ptr)};
        struct str value =
            str_trim((struct str){colon + 1, line.len - name.len - 1});
        if (name.len == 19 &&
            !strncasecmp(name.ptr, "Content-Disposition", 19)) {
            if (value.len < 9 || strncasecmp(value.ptr, "form-data", 9))
                return ERR_PARSE;
            p->name = param(value, "name");
            p->filename = param(value, "filename");
            disposition = true;
        } else if (name.len == 12 &&
                   !strncasecmp(name.ptr, "Content-Type", 12)) {
            p->content_type = value;
        }
        i = end + 2;
    }
    return disposition && p->name.ptr && p->name.len ? 0 : ERR_PARSE;
}

int multipart_parse(struct str content_type, struct str body,
                    struct multipart_part *parts, size_t max, size_t *n)
{
    char delim[BOUNDARY_MAX + 4];
    *n = 0;
    if (content_type.len < 19 ||
        strncasecmp(content_type.ptr, "multipart/form-data", 19) != 0)
        return ERR_PARSE;
    struct str b = param(
        (struct str){content_type.ptr + 19, content_type.len - 19}, "boundary");
    if (!b.ptr || b.len == 0 || b.len > BOUNDARY_MAX)
        return ERR_PARSE;
    /* "\r\n--boundary": the first one may come without its CRLF. */
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, b.ptr, b.len);
    size_t dl = b.len + 4;
    size_t pos;
    if (body.len >= dl - 2 && !memcmp(body.ptr, delim + 2, dl - 2)) {
        pos = dl - 2;
    } else {
        long f = find(body, 0, delim, dl);
        if (f < 0)
            return ERR_PARSE;
        pos = (size_t)f + dl;
    }
    for (;;) {
        /* After a delimiter: "--" ends the body, CRLF starts a part. */
        if (pos + 2 <= body.len && !memcmp(body.ptr + pos, "--", 2))
            return 0;
        if (pos + 2 > body.len || memcmp(body.ptr + pos, "\r\n", 2))
            return ERR_PARSE;
        pos += 2;
        long he = find(body, pos, "\r\n\r\n", 4);
        /* A part with no headers at all is malformed (no name). */
        if (he < 0 || (size_t)he - pos > PART_HEADERS_MAX)
            return ERR_PARSE;
        if (*n == max)
            return ERR_TOO_BIG;
        struct multipart_part *p = &parts[*n];
        *p = (struct multipart_part){0};
        if (headers((struct str){body.ptr + pos, (size_t)he - pos}, p) != 0)
            return ERR_PARSE;
        size_t start = (size_t)he + 4;
        long next = find(body, start, delim, dl);
        if (next < 0)
            return ERR_PARSE;
        p->data = (struct str){body.ptr + start, (size_t)next - start};
        (*n)++;
        pos = (size_t)next + dl;
    }
}

const struct multipart_part *multipart_find(const struct multipart_part *p,
                                            size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq_cstr(p[i].name, name))
            return &p[i];
    return NULL;
}
