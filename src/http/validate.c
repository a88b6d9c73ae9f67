/*
 * validate.c - is a request well-formed enough to be answered at all?
 *
 * libmicrohttpd 0.9.75 is lenient where leniency lets a request be read
 * two ways, which is what request smuggling feeds on: it takes the first
 * of several Content-Length headers, lets Transfer-Encoding win over
 * Content-Length without closing afterwards, reads a body of unknown
 * length for any Transfer-Encoding other than "chunked", and keeps header
 * names with spaces in them ("Transfer-Encoding : chunked" is then no
 * Transfer-Encoding to it, while a proxy may read one). Folded header lines
 * come out of it as names containing spaces and colons. server.c feeds
 * every header through http_scan_header before the application runs and
 * refuses (and closes) what http_scan_verdict rejects, per RFC 9112 6.1
 * and 6.3: the message framing is then unknowable, so the connection
 * cannot be reused.
 *
 * All functions are pure, on bytes, so the unit tests reach them directly.
 */
#include "http/http_int.h"

#include <string.h>
#include <strings.h>

/* RFC 9110 5.6.2: tchar = "!#$%&'*+-.^_`|~" / DIGIT / ALPHA */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

bool http_is_token(const char *s)
{
    if (!s || !*s)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!is_tchar(*p))
            return false;
    return true;
}

bool http_method_registered(const char *m)
{
    /* RFC 9110 9.3 and PATCH (RFC 5789): a server that knows of a method
     * but does not allow it on a resource answers 405, any other is 501.
     * Method names are case-sensitive. */
    static const char *const known[] = {"GET",     "HEAD",   "POST",
                                        "PUT",     "DELETE", "CONNECT",
                                        "OPTIONS", "TRACE",  "PATCH"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(m, known[i]) == 0)
            return true;
    return false;
}

/* A field value may hold HTAB, visible ASCII, SP and obs-text; no CTL. */
static bool value_ok(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return false;
    return true;
}

static bool all_digits(struct str s)
{
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
    return true;
}

void http_scan_header(struct http_scan *sc, const char *name, const char *value)
{
    sc->count++;
    if (!http_is_token(name) || !value || !value_ok(value)) {
        sc->malformed = true;
        return;
    }
    if (strcasecmp(name, "Content-Length") == 0) {
        sc->n_length++;
        if (!all_digits(str_trim(str_from(value))))
            sc->malformed = true;
    } else if (strcasecmp(name, "Host") == 0) {
        sc->n_host++;
    } else if (strcasecmp(name, "Transfer-Encoding") == 0) {
        sc->n_coding++;
        struct str v = str_trim(str_from(value));
        if (v.len != 7 || strncasecmp(v.ptr, "chunked", 7) != 0)
            sc->unknown_coding = true;
    }
}

int http_scan_verdict(const struct http_scan *sc, bool http10,
                      unsigned header_count_max)
{
    if (sc->malformed)
        return 400;
    if (header_count_max && sc->count > header_count_max)
        return 431;
    if (sc->n_length > 1)
        return 400; /* even equal copies: one reading only */
    /* RFC 9112 6.1: Transfer-Encoding with Content-Length, or in
     * HTTP/1.0, may be a smuggling attempt; either way, refuse. */
    if (sc->n_coding && (sc->n_length || http10 || sc->n_coding > 1))
        return 400;
    if (sc->n_coding && sc->unknown_coding)
        return 501;
    /* RFC 9112 3.2: an HTTP/1.1 request without Host, or any with two,
     * is a 400 (a proxy and this server could each pick another one). */
    if (sc->n_host > 1 || (!http10 && sc->n_host == 0))
        return 400;
    return 0;
}

bool http_is_urlencoded(const char *content_type)
{
    static const char urlenc[] = "application/x-www-form-urlencoded";
    const size_t n = sizeof(urlenc) - 1;
    if (!content_type || strncasecmp(content_type, urlenc, n) != 0)
        return false;
    char next = content_type[n];
    return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

size_t http_form_field_count(struct str data)
{
    size_t n = 0, i = 0;
    while (i < data.len) {
        const char *amp = memchr(data.ptr + i, '&', data.len - i);
        size_t end = amp ? (size_t)(amp - data.ptr) : data.len;
        if (end > i)
            n++; /* empty pairs ("a=1&&b=2") are skipped by the lookup */
        i = end + 1;
    }
    return n;
}
