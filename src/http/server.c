/*
 * server.c - Quire's HTTP server on libmicrohttpd 0.9.75.
 *
 * Design. One daemon in epoll mode with an internal thread pool (the
 * single-thread epoll mode stalled under bursts after idle periods). Each
 * request gets a struct http_req carved from its own arena in the URI
 * callback, which libmicrohttpd calls once per request line and which sees
 * the raw request target (libmicrohttpd's own unescaping is switched off;
 * request.c decodes). The access handler then runs as libmicrohttpd
 * intends ("the two-call idiom"):
 *   1st call: headers are in; check limits, decode the path. Only a too
 *             large Content-Length is answered here (413), because a
 *             response queued on the first call turns keep-alive off and
 *             that connection must close anyway.
 *   upload calls: append the body to an arena buf capped at body_max.
 *   last call: run the application and queue its response.
 * libmicrohttpd's completion notice writes the access log line and
 * releases the arena: everything a response points into (an arena body,
 * header values) stays valid until then, since libmicrohttpd reads a
 * response's data only while sending it and notifies completion after.
 *
 * Page bodies (core/page.h) are sent from the page's own bytes; a page
 * with a read count is copied with the count spliced in, so the body is
 * one buffer (see page_response). The request holds its page reference
 * until the completion notice, like its arena. A page's response is kept
 * with the page and sent again while nothing in it changes (reuse.c).
 *
 * Limits (struct http_limits, defaults in core/limits.h). A request line
 * above request_line_max gets 414, line + headers above header_max or more
 * than header_count fields 431; the connection memory pool (pool_size) is
 * sized so everything up to those limits fits with room for the response
 * headers, and anything that overflows the pool gets libmicrohttpd's own
 * 431 (or 414). Bodies: a Content-Length above
 * body_max is refused at once; a chunked body that grows past body_max
 * stops being stored and gets its 413 when it ends, since libmicrohttpd
 * 0.9.75 will not queue a response in mid-upload (more than DISCARD_MAX of
 * it and the connection is dropped instead); an urlencoded body with more
 * than form_fields fields gets 413. Connections in total and per address
 * and the idle timeout are libmicrohttpd's; the request timeout is
 * guard.c's. Requests whose framing could be read two ways (validate.c)
 * are answered on the first call, which closes the connection.
 *
 * Every response gets the security headers of security.c, here, once.
 */
#define LOG_MODULE "http"
#include "http/http_int.h"

#include "core/limits.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "core/page.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQ_ARENA_BLOCK 8192
#define LISTEN_BACKLOG 1024
#define STOP_WAIT_MS 10000
#define RESPONSE_BODY_MAX ((size_t)256 << 20)
#define DISCARD_MAX ((uint64_t)8 << 20) /* of a refused body, then close */

static const char *const default_type = "text/html; charset=utf-8";

/* --- per-request state ------------------------------------------- */

static struct http_req *req_new(struct http_server *srv,
                                struct MHD_Connection *c, const char *target)
{
    struct arena a;
    arena_init(&a, REQ_ARENA_BLOCK);
    struct http_req *hr = ARENA_NEW(&a, struct http_req);
    hr->arena = a; /* from here on only hr->arena is used */
    hr->srv = srv;
    hr->conn = c;
    hr->target = arena_strdup(&hr->arena, target ? target : "");
    hr->res.fd = -1;
    clock_gettime(CLOCK_MONOTONIC, &hr->started);
    atomic_fetch_add(&srv->in_flight, 1);
    return hr;
}

static void req_free(struct http_req *hr)
{
    struct http_server *srv = hr->srv;
    if (hr->res.page)
        page_unref(hr->res.page);
    if (hr->res.fd >= 0)
        close(hr->res.fd);
    /* hr lives inside its own arena: release through a copy. */
    struct arena a = hr->arena;
    arena_release(&a);
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* --- access log ---------------------------------------------------- */

/* log_escape appends s so it cannot break the line or its quoting. */
static void log_escape(struct buf *b, const char *s, bool json)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            buf_append_char(b, '\\');
            buf_append_char(b, (char)*p);
        } else if (*p < 0x20 || *p >= 0x7f) {
            buf_printf(b, json ? "\\u%04x" : "\\x%02x", *p);
        } else {
            buf_append_char(b, (char)*p);
        }
    }
}

static void access_log(struct http_req *hr, enum MHD_RequestTerminationCode toe)
{
    enum log_format fmt = hr->srv->opts.access_log;
    /* A load balancer's probes of /healthz only show at debug level. */
    if (fmt == ACCESS_LOG_OFF ||
        (http_metrics_is_health(hr->req.path) && log_level < LOG_DEBUG))
        return;
    struct buf line;
    buf_init_arena(&line, &hr->arena, 16384);
    const char *remote = hr->req.remote_addr ? hr->req.remote_addr : "-";
    const char *method = hr->req.method_name ? hr->req.method_name : "-";
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - hr->started.tv_sec) * 1e3 +
                (double)(now.tv_nsec - hr->started.tv_nsec) / 1e6;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[40];
    bool complete = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK;

    if (fmt == ACCESS_LOG_JSON) {
        strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
        buf_printf(&line, "{\"time\":\"%s\",\"remote\":\"", date);
        log_escape(&line, remote, true);
        buf_append_cstr(&line, "\",\"method\":\"");
        log_escape(&line, method, true);
        buf_append_cstr(&line, "\",\"target\":\"");
        log_escape(&line, hr->target, true);
        buf_printf(&line,
                   "\",\"status\":%d,\"bytes\":%llu,\"ms\":%.3f,"
                   "\"complete\":%s",
                   hr->status, (unsigned long long)hr->bytes, ms,
                   complete ? "true" : "false");
        if (hr->req.method_name) {
            const char *ua = request_header(&hr->req, "User-Agent");
            buf_append_cstr(&line, ",\"ua\":\"");
            log_escape(&line, ua ? ua : "", true);
            buf_append_char(&line, '"');
        }
        buf_append_cstr(&line, "}\n");
    } else {
        strftime(date, sizeof(date), "%d/%b/%Y:%H:%M:%S +0000", &tm);
        buf_printf(&line, "%s - - [%s] \"", remote, date);
        log_escape(&line, method, false);
        buf_append_char(&line, ' ');
        log_escape(&line, hr->target, false);
        buf_append_cstr(&line, " HTTP/1.1\" ");
        if (hr->status)
            buf_printf(&line, "%d ", hr->status);
        else
            buf_append_cstr(&line, "- ");
        if (complete)
            buf_printf(&line, "%llu\n", (unsigned long long)hr->bytes);
        else
            buf_append_cstr(&line, "-\n");
    }
    if (buf_error(&line) == 0)
        fwrite(line.ptr, 1, line.len, stderr); /* one write per line */
}

/* --- responses ----------------------------------------------------- */

/*
 * page_response makes the response for res->page as sent now; *size gets
 * the body's length. The page's bytes are not copied, unless a count is
 * spliced in: the request keeps its page reference until its completion
 * notice (req_free), and libmicrohttpd reads the body only before that.
 * The body goes out as one buffer: libmicrohttpd 0.9.75 sends headers and
 * body in one sendmsg only for a single-element body; with the splice as
 * three elements it sent the headers alone first (sendto, setsockopt,
 * sendmsg: two syscalls and two TCP segments per page). Copying a 21 KB
 * page costs less than that extra syscall, and reuse.c makes the copy
 * once per count, not per request (docs/benchmarks.md).
 */
static struct MHD_Response *page_response(const struct response *res,
                                          enum http_enc enc, uint64_t *size)
{
    const struct page *p = res->page;
    bool splice = p->splice_at != PAGE_NO_SPLICE && p->splice_at <= p->len;
    /* The cache's variants, sent from their own bytes like the body; with
     * a count, the count goes into a copy (compress_join). */
    const struct page_variants *v = page_variants(p);
    if (v && (enc == HTTP_ENC_GZIP || enc == HTTP_ENC_BR)) {
        bool br = enc == HTTP_ENC_BR;
        char *b = br ? v->br : v->gz;
        size_t n = br ? v->br_len : v->gz_len;
        if (!splice) {
            *size = n;
            return MHD_create_response_from_buffer(n, b,
                                                   MHD_RESPMEM_PERSISTENT);
        }
        size_t jn;
        char *j = compress_join(br, b, n, br ? &v->br_splice : &v->gz_splice,
                                res->splice.ptr, res->splice.len, &jn);
        if (!j)
            return NULL;
        *size = jn;
        struct MHD_Response *r =
            MHD_create_response_from_buffer_with_free_callback(jn, j, free);
        if (!r)
            free(j);
        return r;
    }
    if (!splice) {
        *size = p->len;
        return MHD_create_response_from_buffer(p->len, p->bytes,
                                               MHD_RESPMEM_PERSISTENT);
    }
    size_t slen = res->splice.len, n = p->len + slen;
    char *b = xmalloc(n);
    memcpy(b, p->bytes, p->splice_at);
    if (slen)
        memcpy(b + p->splice_at, res->splice.ptr, slen);
    memcpy(b + p->splice_at + slen, p->bytes + p->splice_at,
           p->len - p->splice_at);
    *size = n;
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(n, b, free);
    if (!r)
        free(b);
    return r;
}

/*
 * page_key: everything a page's response holds besides the page's bytes,
 * as one string (reuse.c keeps the response under it). The security
 * headers follow from the app's headers and https.
 */
static struct str page_key(struct http_req *hr, bool https)
{
    const struct response *res = &hr->res;
    struct buf k;
    buf_init_arena(&k, &hr->arena, SIZE_MAX);
    buf_append_str(&k, res->splice);
    const char *const fixed[] = {res->content_type, res->etag,
                                 res->cache_control};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        buf_append_char(&k, '\0');
        if (fixed[i])
            buf_append_cstr(&k, fixed[i]);
    }
    for (size_t i = 0; i < res->n_headers; i++) {
        buf_append_char(&k, '\0');
        buf_append_cstr(&k, res->headers[i].name);
        buf_append_char(&k, '\0');
        if (res->headers[i].value)
            buf_append_cstr(&k, res->headers[i].value);
    }
    buf_append_char(&k, https ? '\1' : '\0');
    return buf_str(&k);
}

/* plain_page puts http/'s minimal error page into res->body. */
static void plain_page(struct response *res, int status)
{
    const char *text = http_status_text(status);
    buf_reset(&res->body);
    buf_printf(&res->body,
               "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
               "<title>%d %s</title></head>\n<body><h1>%d %s</h1></body>"
               "</html>\n",
               status, text, status, text);
    res->content_type = default_type;
}

static bool header_ok(const char *name, const char *value)
{
    return name && value && !strpbrk(name, "\r\n:") && !strpbrk(value, "\r\n");
}

static void add_header(struct MHD_Response *r, const char *name,
                       const char *value)
{
    if (!value)
        return;
    if (!header_ok(name, value) ||
        MHD_add_response_header(r, name, value) != MHD_YES)
        log_warn("response header '%s' refused", name ? name : "(null)");
}

/* drop_payload releases a page or file the response will not send. */
static void drop_payload(struct response *res)
{
    if (res->page) {
        page_unref(res->page);
        res->page = NULL;
    }
    if (res->fd >= 0) {
        close(res->fd);
        res->fd = -1;
    }
}

/* coded_etag is the ETag of a page's variant in coding enc. */
static const char *coded_etag(struct arena *a, const char *etag,
                              enum http_enc enc)
{
    if (enc == HTTP_ENC_IDENTITY)
        return etag;
    return arena_printf(a, "\"%.*s-%s\"", (int)strlen(etag) - 2, etag + 1,
                        enc == HTTP_ENC_GZIP ? "gz" : "br");
}

/*
 * coding_held picks, instead of the preferred coding enc, another coding
 * of this very page that the client holds (If-None-Match) and accepts, so
 * it gets a 304 rather than the page again: a page's first answer goes
 * out before its variants are made (cache.c), in identity.
 */
static enum http_enc coding_held(const struct request *req, struct arena *a,
                                 const char *etag, unsigned offered,
                                 enum http_enc enc)
{
    const char *inm = request_header(req, "If-None-Match");
    const char *accept = request_header(req, "Accept-Encoding");
    if (!inm || http_etag_list_matches(inm, coded_etag(a, etag, enc)))
        return enc;
    for (enum http_enc e = HTTP_ENC_IDENTITY; e <= HTTP_ENC_BR; e++) {
        bool accepted =
            e == HTTP_ENC_IDENTITY ||
            ((offered & (1u << e)) && http_pick_encoding(accept, 1u << e) == e);
        if (accepted && http_etag_list_matches(inm, coded_etag(a, etag, e)))
            return e;
    }
    return enc;
}

/* queued records what MHD_queue_response said, for the access log. */
static enum MHD_Result queued(struct http_req *hr, enum MHD_Result ret,
                              int status, uint64_t size)
{
    if (ret == MHD_YES) {
        hr->queued = true;
        hr->status = status;
        hr->bytes = hr->req.method == HTTP_HEAD ? 0 : size;
    }
    return ret;
}

/* queue sends res with status; an fd passes to MHD, a page stays the
 * request's until its completion (req_free). */
static enum MHD_Result queue(struct http_req *hr, int status)
{
    struct request *req = &hr->req;
    struct response *res = &hr->res;
    struct MHD_Response *r = NULL;
    uint64_t size = 0;
    bool from_app = hr->early_status == 0;
    const struct http_server_opts *o = &hr->srv->opts;
    bool https = o->is_https && o->is_https(o->app_ctx);
    struct str key = {NULL, 0};
    bool keep = false; /* reuse.c keeps the response with the page */

    if (status < 200 || status > 599) { /* 1xx are not final answers */
        log_error("%s %.*s: handler returned status %d", req->method_name,
                  STR_FMT(req->path), status);
        status = 500;
        drop_payload(res);
        buf_reset(&res->body);
    }
    if (buf_error(&res->body)) {
        log_error("%s %.*s: response body over its limit", req->method_name,
                  STR_FMT(req->path));
        status = 500;
        drop_payload(res);
        buf_reset(&res->body);
    }
    /*
     * A page with gzip/brotli variants (page_compress) is sent in the
     * coding Accept-Encoding prefers, with its own ETag ("...-gz",
     * "...-br") so a 304 answers for the coding the client holds.
     */
    enum http_enc enc = HTTP_ENC_IDENTITY;
    bool varies = status == 200 && from_app && res->page &&
                  page_compressible(res->page);
    const struct page_variants *pv = varies ? page_variants(res->page) : NULL;
    if (varies) /* also before the variants are made (cache.c) */
        response_header(res, "Vary", "Accept-Encoding");
    if (pv) {
        /* With a count, only encodings made for its text's length. */
        bool counted = res->page->splice_at != PAGE_NO_SPLICE;
        bool gz_ok = pv->gz &&
                     (!counted || pv->gz_splice.text_len == res->splice.len);
        bool br_ok = pv->br &&
                     (!counted || pv->br_splice.text_len == res->splice.len);
        unsigned offered = (gz_ok ? 1u << HTTP_ENC_GZIP : 0) |
                           (br_ok ? 1u << HTTP_ENC_BR : 0);
        enc =
            http_pick_encoding(request_header(req, "Accept-Encoding"), offered);
        if (res->etag && res->etag[0] == '"' &&
            (req->method & (HTTP_GET | HTTP_HEAD)))
            enc = coding_held(req, &hr->arena, res->etag, offered, enc);
        if (enc != HTTP_ENC_IDENTITY) {
            response_header(res, "Content-Encoding",
                            enc == HTTP_ENC_GZIP ? "gzip" : "br");
            if (res->etag && res->etag[0] == '"')
                res->etag = coded_etag(&hr->arena, res->etag, enc);
        }
    }
    if (status == 200 && res->etag && (req->method & (HTTP_GET | HTTP_HEAD)) &&
        request_is_fresh(req, res->etag))
        status = 304;
    /* libmicrohttpd 0.9.75 adds "Content-Length: 0" to a 304 whatever we
     * do (a header of our own is sent besides it, not instead). */
    bool bodyless = status == 204 || status == 304;

    if (bodyless) {
        drop_payload(res);
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else if (res->page) {
        if (!res->content_type)
            res->content_type = res->page->content_type;
        if (status == 200 && from_app) {
            key = page_key(hr, https);
            bool ok;
            if (reuse_queue(hr->conn, res->page, key, &size, &ok))
                return queued(hr, ok ? MHD_YES : MHD_NO, status, size);
            keep = reuse_worth_keeping(res->page, key);
        }
        r = page_response(res, enc, &size);
    } else if (res->fd >= 0) {
        size = res->fd_size;
        r = MHD_create_response_from_fd64(res->fd_size, res->fd);
        if (!r)
            close(res->fd);
        res->fd = -1;
    } else {
        /* A raw 500 body could carry internals (an SQL error, a path):
         * only pages rendered by the theme are sent for a 500. */
        if (status >= 400 && (res->body.len == 0 || status == 500))
            plain_page(res, status);
        size = res->body.len;
        r = MHD_create_response_from_buffer(res->body.len, res->body.ptr,
                                            MHD_RESPMEM_PERSISTENT);
    }
    if (!r) {
        log_error("cannot create a response (out of memory?)");
        return MHD_NO;
    }
    if (!bodyless)
        add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                   res->content_type ? res->content_type : default_type);
    add_header(r, MHD_HTTP_HEADER_ETAG, res->etag);
    add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, res->cache_control);
    if (status == 405)
        add_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
    if (from_app)
        for (size_t i = 0; i < res->n_headers; i++)
            add_header(r, res->headers[i].name, res->headers[i].value);
    else if (hr->close_now || status == 413 || status == 414 || status == 431)
        add_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    http_security_headers(r, from_app ? res : NULL, https);

    enum MHD_Result ret = MHD_queue_response(hr->conn, (unsigned)status, r);
    if (keep)
        reuse_keep(res->page, key, r, size);
    else
        MHD_destroy_response(r);
    return queued(hr, ret, status, bodyless ? 0 : size);
}

/* queue_error answers status with http/'s plain page, app not involved. */
static enum MHD_Result queue_error(struct http_req *hr, int status)
{
    drop_payload(&hr->res);
    buf_reset(&hr->res.body);
    hr->res.etag = NULL;
    hr->res.cache_control = NULL;
    return queue(hr, status);
}

/* --- request setup ------------------------------------------------- */

/* What setup learns from the header fields in one pass. */
struct header_walk {
    size_t bytes; /* as "name: value\r\n" */
    struct http_scan scan;
};

static enum MHD_Result walk_header(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value)
{
    struct header_walk *w = cls;
    (void)kind;
    w->bytes += strlen(key) + 2 + (value ? strlen(value) : 0) + 2;
    http_scan_header(&w->scan, key, value);
    return MHD_YES;
}

/*
 * target_has_nul: did a raw NUL byte cut the request target short?
 * libmicrohttpd ends the target with a NUL where the space before the
 * version was, so the version follows the target's terminating NUL
 * directly; a NUL inside the target leaves bytes in between. (libmicro-
 * httpd grows its read buffer in place, so the two pointers stay valid.)
 */
static bool target_has_nul(const struct http_req *hr, const char *version)
{
    return hr->uri_end && version && *version && version != hr->uri_end + 1;
}

static const char *peer_address(struct http_req *hr)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(hr->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char text[INET6_ADDRSTRLEN];
    if (!ci || !ci->client_addr)
        return "-";
    const struct sockaddr *sa = ci->client_addr;
    const void *src;
    if (sa->sa_family == AF_INET)
        src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        src = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    else
        return "-";
    if (!inet_ntop(sa->sa_family, src, text, sizeof(text)))
        return "-";
    return arena_strdup(&hr->arena, text);
}

/* split_target cuts the raw target into path and query; an absolute-form
 * target ("http://host/p") is reduced to its path. */
static void split_target(const char *t, struct str *path, struct str *query)
{
    if (strncasecmp(t, "http://", 7) == 0 ||
        strncasecmp(t, "https://", 8) == 0) {
        const char *p = strstr(t, "://") + 3;
        const char *slash = strpbrk(p, "/?");
        t = slash && *slash == '/' ? slash : "/";
    }
    const char *q = strchr(t, '?');
    if (q) {
        *path = (struct str){t, (size_t)(q - t)};
        *query = str_from(q + 1);
    } else {
        *path = str_from(t);
        *query = (struct str){t + path->len, 0};
    }
}

/* setup fills the request on the first call; may set early_status. */
static void setup(struct http_req *hr, const char *method, const char *version)
{
    const struct http_limits *lim = &hr->srv->opts.limits;
    struct request *req = &hr->req;
    struct response *res = &hr->res;

    req->arena = &hr->arena;
    req->conn = hr->conn;
    req->method_name = arena_strdup(&hr->arena, method);
    req->method = http_method_of(method);
    req->remote_addr = peer_address(hr);
    /* A file upload (multipart) may be as large as upload_max; every other
     * body stays within body_max. */
    const char *ctype = MHD_lookup_connection_value(
        hr->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    bool upload = ctype && !strncasecmp(ctype, "multipart/form-data", 19) &&
                  (!strncmp(hr->target, "/admin/", 7) ||
                   !strncmp(hr->target, "/api/admin/", 11));
    size_t body_max = upload ? lim->upload_max : lim->body_max;
    buf_init_arena(&hr->body, &hr->arena, body_max);
    req->body = (struct str){"", 0};
    res->status = 200;
    res->fd = -1;
    buf_init_arena(&res->body, &hr->arena, RESPONSE_BODY_MAX);

    size_t line = strlen(method) + 1 + strlen(hr->target) + 1 +
                  strlen(version) + 2;
    if (line > lim->request_line_max || line > lim->header_max) {
        hr->early_status = 414;
        return;
    }
    struct header_walk w = {.bytes = line + 2};
    MHD_get_connection_values(hr->conn, MHD_HEADER_KIND, walk_header, &w);
    int verdict = http_scan_verdict(&w.scan, strcmp(version, "HTTP/1.0") == 0,
                                    lim->header_count);
    if (verdict == 400 || verdict == 501) {
        /* The body's extent is unknowable: answer now, then close. */
        hr->early_status = verdict;
        hr->close_now = true;
        return;
    }
    if (w.bytes > lim->header_max || verdict == 431) {
        hr->early_status = 431;
        return;
    }
    if (!http_is_token(method) || target_has_nul(hr, version)) {
        hr->early_status = 400;
        return;
    }
    const char *cl = MHD_lookup_connection_value(
        hr->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    long long n;
    if (cl && str_to_i64(str_trim(str_from(cl)), 0, LLONG_MAX, &n) == 0 &&
        (unsigned long long)n > body_max) {
        hr->early_status = 413;
        return;
    }
    if (!http_method_registered(method)) {
        hr->early_status = 501;
        return;
    }
    struct str raw_path;
    split_target(hr->target, &raw_path, &req->query);
    if (http_decode_path(&hr->arena, raw_path, &req->path) != 0) {
        hr->early_status = 400;
        req->path = raw_path; /* for log lines only */
    }
}

/* --- libmicrohttpd callbacks --------------------------------------- */

/* Connections are guard.c's business (request timeout, canned 400). */
static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    guard_notify(cls, c, socket_context, (int)toe);
    http_metrics_connection(toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct http_req *hr = req_new(cls, c, uri);
    hr->hc = guard_conn(c);
    guard_request_line(hr->hc);
    if (uri)
        hr->uri_end = uri + strlen(uri);
    return hr;
}

/* is_form_flood: an urlencoded body with more fields than allowed? */
static bool is_form_flood(struct http_req *hr)
{
    const char *ct = MHD_lookup_connection_value(hr->conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
    return http_is_urlencoded(ct) && http_form_field_count(buf_str(&hr->body)) >
                                         hr->srv->opts.limits.form_fields;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct http_req *hr = *con_cls;

    if (!hr) { /* the URI callback always runs first; be safe anyway */
        hr = req_new(srv, c, url);
        hr->hc = guard_conn(c);
        *con_cls = hr;
    }
    if (!hr->seen) {
        hr->seen = true;
        setup(hr, method, version);
        /* Answers given on the first call: the connection is to close
         * anyway, and waiting would mean reading the whole body (413), or
         * reading a body whose extent is unknowable (close_now). */
        if (hr->early_status == 413 || hr->close_now) {
            hr->close_now = true;
            guard_request_in(hr->hc);
            return queue_error(hr, hr->early_status);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (hr->queued)
            return MHD_YES;
        if (!hr->early_status) {
            buf_append(&hr->body, upload_data, n);
            if (!buf_error(&hr->body))
                return MHD_YES;
            /* libmicrohttpd 0.9.75 refuses a response in mid-upload, so
             * the 413 normally goes out once the body has been read. */
            hr->early_status = 413;
            if (queue_error(hr, 413) != MHD_YES)
                log_debug("body over body_max: 413 after the rest is read");
            return MHD_YES;
        }
        /* Refused already: drop the rest, up to a bound, then hang up. */
        hr->discarded += n;
        if (hr->discarded > DISCARD_MAX) {
            log_info("%s: dropping a connection that keeps sending a "
                     "refused body",
                     hr->req.remote_addr);
            return MHD_NO;
        }
        return MHD_YES;
    }
    guard_request_in(hr->hc);
    if (hr->queued)
        return MHD_YES;
    if (!hr->early_status && is_form_flood(hr))
        hr->early_status = 413;
    if (hr->early_status)
        return queue_error(hr, hr->early_status);

    hr->req.body = buf_str(&hr->body);
    int status = srv->opts.app(&hr->req, &hr->res, srv->opts.app_ctx);
    return queue(hr, status);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_req *hr = *con_cls;
    (void)cls;
    (void)c;
    if (!hr)
        return;
    *con_cls = NULL;
    guard_request_done(hr->hc);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    http_metrics_request(hr->req.path, hr->status, hr->bytes,
                         (double)(now.tv_sec - hr->started.tv_sec) +
                             (double)(now.tv_nsec - hr->started.tv_nsec) / 1e9);
    access_log(hr, toe);
    req_free(hr);
}

/* No unescaping by libmicrohttpd: request.c decodes the raw target. */
static size_t on_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

/*
 * libmicrohttpd's messages: while starting they explain a failure (a port
 * in use) and are errors; once serving they are about single clients
 * (resets, timeouts, malformed requests) and only interest a debugger.
 */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http_server *srv = cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    if (atomic_load(&srv->started))
        log_debug("libmicrohttpd: %s", msg);
    else
        log_error("libmicrohttpd: %s", msg);
}

/* --- start and stop ------------------------------------------------ */

/* parse_listen resolves "ADDR:PORT" or "[V6ADDR]:PORT" ("" or "*" as
 * ADDR: every IPv4 address). */
static int parse_listen(const char *listen, struct sockaddr_storage *ss)
{
    char host[256];
    const char *port_text;
    bool v6 = false;

    if (!listen)
        return ERR_PARSE;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':')
            return ERR_PARSE;
        size_t n = (size_t)(close - listen - 1);
        if (n == 0 || n >= sizeof(host))
            return ERR_PARSE;
        memcpy(host, listen + 1, n);
        host[n] = '\0';
        port_text = close + 2;
        v6 = true;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon || strchr(listen, ':') != colon)
            return ERR_PARSE;
        size_t n = (size_t)(colon - listen);
        if (n >= sizeof(host))
            return ERR_PARSE;
        memcpy(host, listen, n);
        host[n] = '\0';
        port_text = colon + 1;
    }
    long long port;
    if (str_to_i64(str_from(port_text), 0, 65535, &port) != 0)
        return ERR_PARSE;
    if (!v6 && (host[0] == '\0' || strcmp(host, "*") == 0)) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        memset(ss, 0, sizeof(*ss));
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        in->sin_port = htons((uint16_t)port);
        return 0;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_family = v6 ? AF_INET6 : AF_UNSPEC,
                             .ai_flags = v6 ? AI_NUMERICHOST : 0};
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(host, NULL, &hints, &ai);
    if (gai != 0 || !ai) {
        log_debug("listen address %s: %s", host, gai_strerror(gai));
        return ERR_PARSE;
    }
    memset(ss, 0, sizeof(*ss));
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    else if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    else
        return ERR_PARSE;
    return 0;
}

/*
 * pool_size: the per-connection memory libmicrohttpd gets. It holds the
 * read buffer (the whole request head, up to head bytes), a record per
 * header field (about 56 bytes each), and the response's header lines
 * (about 1 KB with the security headers). Up to POOL_MALLOC_MAX
 * libmicrohttpd 0.9.75 takes the pool from malloc; above, it mmaps a fresh
 * one for every connection, which measured 4x slower per new connection
 * (1,700/s against 7,000/s on loopback). So the pool is what the limits
 * need and no more, and the default limits fit under the line.
 */
#define POOL_MALLOC_MAX 32768
#define POOL_SLACK 6144

static size_t pool_size(size_t head, unsigned header_count)
{
    /* Not rounded up: libmicrohttpd zeroes the whole pool after every
     * request (MHD_pool_reset), a tenth of a cached page's CPU. */
    size_t pool = head + (size_t)header_count * 64 + POOL_SLACK;
    if (pool > POOL_MALLOC_MAX)
        log_debug("connection pool %zu bytes: above %d libmicrohttpd "
                  "mmaps it per connection (slower)",
                  pool, POOL_MALLOC_MAX);
    return pool;
}

int http_server_start(const struct http_server_opts *opts,
                      struct http_server **out)
{
    assert(opts->app);
    struct sockaddr_storage ss = {.ss_family = AF_UNSPEC};
    int rc = opts->use_listen_fd ? 0 : parse_listen(opts->listen, &ss);
    if (rc != 0)
        return ERR_PARSE; /* the caller says so: one line */
    const char *unverified = http_library_check();
    if (unverified) {
        const char *env = getenv("QUIRE_MHD_UNVERIFIED");
        if (!env || strcmp(env, "1") != 0)
            return ERR_INVALID;
        log_warn("%s", unverified);
    }
    /* sendfile and writes on a closed socket must not kill the process. */
    signal(SIGPIPE, SIG_IGN);

    struct http_server *srv = xcalloc(1, sizeof(*srv));
    srv->opts = *opts;
    struct http_limits *lim = &srv->opts.limits;
#define DEFAULT_TO(field, value)                                               \
    do {                                                                       \
        if (!lim->field)                                                       \
            lim->field = (value);                                              \
    } while (0)
    DEFAULT_TO(request_line_max, LIMIT_REQUEST_LINE_MAX);
    DEFAULT_TO(header_max, LIMIT_HEADER_MAX);
    DEFAULT_TO(header_count, LIMIT_HEADER_COUNT);
    DEFAULT_TO(body_max, LIMIT_BODY_MAX);
    DEFAULT_TO(form_fields, LIMIT_FORM_FIELDS);
    DEFAULT_TO(upload_max, LIMIT_UPLOAD_MAX);
    DEFAULT_TO(connections_max, LIMIT_CONNECTIONS);
    DEFAULT_TO(request_timeout_s, LIMIT_REQUEST_TIMEOUT);
    DEFAULT_TO(timeout_s, LIMIT_IDLE_TIMEOUT);
#undef DEFAULT_TO
    unsigned threads = lim->threads;
    if (!threads) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 ? (unsigned)cores : 2;
    }
    if (threads < 2)
        threads = 2;
    unsigned conns = lim->connections_max;
    guard_fd_limit(&conns);
    if (conns < threads)
        conns = threads; /* libmicrohttpd splits the limit over workers */
    size_t head = lim->header_max > lim->request_line_max
                      ? lim->header_max
                      : lim->request_line_max;
    size_t pool = pool_size(head, lim->header_count);
    atomic_init(&srv->in_flight, 0);
    atomic_init(&srv->started, false);
    atomic_init(&srv->stopping, false);

    if (guard_start(&srv->guard, lim->request_timeout_s, lim->timeout_s) != 0) {
        free(srv);
        return ERR_IO;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC | MHD_USE_TURBO;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* Where to listen: an address, or a socket already listening. */
    struct MHD_OptionItem where[] = {
        opts->use_listen_fd
            ? (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, opts->listen_fd,
                                      NULL}
            : (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_END, 0, NULL}};
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, srv, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, srv, /* first, or unused */
        MHD_OPTION_ARRAY, where, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, MHD_OPTION_CONNECTION_LIMIT,
        conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT, lim->connections_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, lim->timeout_s,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)LISTEN_BACKLOG,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_UNESCAPE_CALLBACK,
        on_unescape, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_END);
    if (!srv->daemon) {
        /* libmicrohttpd logged why (on_mhd_log); the caller reports. */
        guard_stop(&srv->guard);
        guard_release(&srv->guard);
        free(srv);
        return ERR_IO;
    }
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : 0;
    atomic_store(&srv->started, true);
    log_debug("listening on %s (port %u, %u threads, %u connections)",
              opts->listen, (unsigned)srv->port, threads, conns);
    *out = srv;
    return 0;
}

bool http_listen_is_loopback(const char *listen)
{
    struct sockaddr_storage ss;
    if (parse_listen(listen, &ss) != 0)
        return false;
    if (ss.ss_family == AF_INET) {
        uint32_t a = ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr);
        return (a >> 24) == 127;
    }
    if (ss.ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
    return false;
}

uint16_t http_server_port(const struct http_server *srv)
{
    return srv->port;
}

void http_server_stop(struct http_server *srv)
{
    if (!srv)
        return;
    /* Stop accepting; requests already started may finish (bounded). */
    atomic_store(&srv->stopping, true);
    MHD_socket ls = MHD_quiesce_daemon(srv->daemon);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int waited = 0;
         atomic_load(&srv->in_flight) > 0 && waited < STOP_WAIT_MS;
         waited += 10)
        nanosleep(&tick, NULL);
    if (atomic_load(&srv->in_flight) > 0)
        log_warn("stopping with %d requests unfinished",
                 atomic_load(&srv->in_flight));
    guard_stop(&srv->guard);
    MHD_stop_daemon(srv->daemon); /* closes the rest; guard.c hears it */
    guard_release(&srv->guard);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    free(srv);
}
