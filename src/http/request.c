/*
 * request.c - what a handler may ask of a request, and the decoders behind.
 *
 * Paths are percent-decoded here, not by libmicrohttpd (its unescaper is
 * replaced by a no-op in server.c): libmicrohttpd would stop at an encoded
 * NUL and accepts any bytes, while Quire's invariant is that req->path is
 * valid UTF-8 without NUL or control bytes, starting with '/'. Query and
 * form values are decoded on demand into the request's arena; a value with
 * a broken escape is treated as absent rather than guessed at.
 */
#define LOG_MODULE "http"
#include "http/http_int.h"

#include "core/log.h"
#include "core/utf8.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_decode_path(struct arena *a, struct str raw, struct str *out)
{
    if (raw.len == 0 || raw.ptr[0] != '/')
        return ERR_PARSE;
    char *dst = arena_alloc(a, raw.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < raw.len; i++) {
        unsigned char c = (unsigned char)raw.ptr[i];
        if (c == '%') {
            int h1, h2;
            if (raw.len - i < 3)
                return ERR_PARSE;
            h1 = hexval(raw.ptr[i + 1]);
            h2 = hexval(raw.ptr[i + 2]);
            if (h1 < 0 || h2 < 0)
                return ERR_PARSE;
            c = (unsigned char)(h1 * 16 + h2);
            i += 2;
        }
        if (c < 0x20 || c == 0x7f)
            return ERR_PARSE; /* NUL and control bytes, raw or encoded */
        dst[n++] = (char)c;
    }
    dst[n] = '\0';
    if (!utf8_valid(dst, n, NULL))
        return ERR_PARSE;
    *out = (struct str){dst, n};
    return 0;
}

/*
 * form_decode decodes one urlencoded component ('+' is a space). Returns
 * NULL on a bad escape or an encoded NUL.
 */
static char *form_decode(struct arena *a, struct str s)
{
    char *dst = arena_alloc(a, s.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (s.len - i < 3)
                return NULL;
            int h1 = hexval(s.ptr[i + 1]), h2 = hexval(s.ptr[i + 2]);
            if (h1 < 0 || h2 < 0 || (h1 == 0 && h2 == 0))
                return NULL;
            c = (char)(h1 * 16 + h2);
            i += 2;
        } else if (c == '\0') {
            return NULL;
        }
        dst[n++] = c;
    }
    dst[n] = '\0';
    return dst;
}

/* key_equals compares an encoded key with a plain name without allocating
 * in the common case (no escapes). */
static bool key_equals(struct arena *a, struct str key, const char *name)
{
    if (!memchr(key.ptr, '%', key.len) && !memchr(key.ptr, '+', key.len))
        return str_eq_cstr(key, name);
    const char *k = form_decode(a, key);
    return k && strcmp(k, name) == 0;
}

const char *http_form_lookup(struct arena *a, struct str data, const char *name)
{
    size_t i = 0;
    while (i < data.len) {
        const char *amp = memchr(data.ptr + i, '&', data.len - i);
        size_t end = amp ? (size_t)(amp - data.ptr) : data.len;
        struct str pair = {data.ptr + i, end - i};
        i = end + 1;
        if (pair.len == 0)
            continue;
        const char *eq = memchr(pair.ptr, '=', pair.len);
        struct str key = pair, val = {pair.ptr + pair.len, 0};
        if (eq) {
            key.len = (size_t)(eq - pair.ptr);
            val = (struct str){eq + 1, pair.len - key.len - 1};
        }
        if (key_equals(a, key, name))
            return form_decode(a, val);
    }
    return NULL;
}

/* next_etag cuts the next entity tag out of an If-None-Match list. */
static bool next_etag(const char **cur, struct str *tag)
{
    const char *p = *cur;
    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    if (*p == '\0')
        return false;
    const char *start = p;
    if (p[0] == 'W' && p[1] == '/')
        p += 2;
    if (*p == '"') {
        const char *q = strchr(p + 1, '"');
        p = q ? q + 1 : p + strlen(p);
    } else {
        while (*p && *p != ',' && *p != ' ' && *p != '\t')
            p++;
    }
    *tag = (struct str){start, (size_t)(p - start)};
    while (*p && *p != ',')
        p++; /* ignore junk up to the next separator */
    *cur = p;
    return true;
}

static struct str strip_weak(struct str t)
{
    if (t.len >= 2 && t.ptr[0] == 'W' && t.ptr[1] == '/')
        return (struct str){t.ptr + 2, t.len - 2};
    return t;
}

bool http_etag_list_matches(const char *inm, const char *etag)
{
    if (!inm || !etag || !*etag)
        return false;
    struct str want = strip_weak(str_from(etag));
    struct str tag;
    const char *cur = inm;
    while (next_etag(&cur, &tag)) {
        if (str_eq_cstr(tag, "*"))
            return true;
        if (str_eq(strip_weak(tag), want))
            return true;
    }
    return false;
}

static bool name_is(struct str s, const char *name)
{
    return s.len == strlen(name) && strncasecmp(s.ptr, name, s.len) == 0;
}

/* parse_q reads a qvalue ("0", "0.5", "1.000"); -1 if malformed. */
static int parse_q(struct str v)
{
    v = str_trim(v);
    if (v.len == 0 || v.len > 5 || (v.ptr[0] != '0' && v.ptr[0] != '1'))
        return -1;
    int q = (v.ptr[0] - '0') * 1000, scale = 100;
    if (v.len > 1 && v.ptr[1] != '.')
        return -1;
    for (size_t i = 2; i < v.len; i++, scale /= 10) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9')
            return -1;
        q += (v.ptr[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

enum http_enc http_pick_encoding(const char *accept, unsigned offered)
{
    if (!accept)
        return HTTP_ENC_IDENTITY;
    /* q per coding in thousandths; -1 = not named. */
    int q_gzip = -1, q_br = -1, q_id = -1, q_star = -1;
    struct str rest = str_from(accept);
    while (rest.len) {
        const char *comma = memchr(rest.ptr, ',', rest.len);
        size_t n = comma ? (size_t)(comma - rest.ptr) : rest.len;
        struct str item = {rest.ptr, n};
        rest = comma ? (struct str){comma + 1, rest.len - n - 1}
                     : (struct str){rest.ptr + n, 0};
        const char *semi = memchr(item.ptr, ';', item.len);
        struct str name = str_trim(
            semi ? (struct str){item.ptr, (size_t)(semi - item.ptr)} : item);
        int q = 1000;
        if (semi) {
            struct str par = str_trim((struct str){
                semi + 1, item.len - (size_t)(semi - item.ptr) - 1});
            if (par.len < 2 || (par.ptr[0] != 'q' && par.ptr[0] != 'Q') ||
                par.ptr[1] != '=')
                continue; /* an unknown parameter: ignore the item */
            q = parse_q((struct str){par.ptr + 2, par.len - 2});
            if (q < 0)
                continue;
        }
        int *slot = NULL;
        if (name_is(name, "gzip") || name_is(name, "x-gzip"))
            slot = &q_gzip;
        else if (name_is(name, "br"))
            slot = &q_br;
        else if (name_is(name, "identity"))
            slot = &q_id;
        else if (str_eq_cstr(name, "*"))
            slot = &q_star;
        if (slot && q > *slot)
            *slot = q;
    }
    if (q_gzip < 0)
        q_gzip = q_star < 0 ? 0 : q_star;
    if (q_br < 0)
        q_br = q_star < 0 ? 0 : q_star;
    /* Unnamed identity is acceptable unless "*;q=0" excludes it, but at
     * the lowest q, so that any coding the client names is preferred. */
    if (q_id < 0)
        q_id = q_star == 0 ? 0 : 1;
    if (!(offered & (1u << HTTP_ENC_GZIP)))
        q_gzip = 0;
    if (!(offered & (1u << HTTP_ENC_BR)))
        q_br = 0;
    if (q_br > 0 && q_br >= q_gzip && q_br >= q_id)
        return HTTP_ENC_BR;
    if (q_gzip > 0 && q_gzip >= q_id)
        return HTTP_ENC_GZIP;
    return HTTP_ENC_IDENTITY; /* even at q=0: see http_int.h */
}

bool http_ua_is_bot(const char *ua)
{
    struct str s = str_trim(str_from(ua));
    return s.len == 0 || str_casestr(s, "bot") || str_casestr(s, "crawler") ||
           str_casestr(s, "spider");
}

enum http_method http_method_of(const char *name)
{
    static const struct {
        const char *name;
        enum http_method m;
    } methods[] = {
        {"GET", HTTP_GET}, {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
        {"PUT", HTTP_PUT}, {"DELETE", HTTP_DELETE},
    };
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(name, methods[i].name) == 0) /* methods are case-sensitive */
            return methods[i].m;
    return HTTP_OTHER;
}

const char *request_header(const struct request *req, const char *name)
{
    if (!req->conn)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *request_query_arg(const struct request *req, const char *name)
{
    return http_form_lookup(req->arena, req->query, name);
}

const char *request_form_field(const struct request *req, const char *name)
{
    if (!req->form || !http_is_urlencoded(request_header(req, "Content-Type")))
        return NULL;
    return http_form_lookup(req->arena, req->body, name);
}

bool request_is_fresh(const struct request *req, const char *etag)
{
    return http_etag_list_matches(request_header(req, "If-None-Match"), etag);
}

bool request_is_bot(const struct request *req)
{
    return http_ua_is_bot(request_header(req, "User-Agent"));
}

bool request_takes_compressed(const struct request *req)
{
    return http_pick_encoding(request_header(req, "Accept-Encoding"),
                              1u << HTTP_ENC_GZIP | 1u << HTTP_ENC_BR) !=
           HTTP_ENC_IDENTITY;
}

void response_header(struct response *res, const char *name, const char *value)
{
    if (res->n_headers == HTTP_MAX_HEADERS) {
        log_warn("response header '%s' dropped: more than %d", name,
                 HTTP_MAX_HEADERS);
        return;
    }
    res->headers[res->n_headers++] = (struct http_header){name, value};
}
