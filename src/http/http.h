/*
 * http.h - the HTTP server as the rest of Quire sees it.
 *
 * http/ wraps libmicrohttpd (the only module that includes microhttpd.h):
 * an epoll listener with an internal thread pool, hard limits, keep-alive,
 * HEAD, Date, Content-Length, ETag/If-None-Match, and an access log. For
 * each request it builds a struct request whose memory comes from a
 * per-request arena, calls the application callback once the whole request
 * (and any body) has arrived, and sends the struct response it filled in.
 * The arena is released when libmicrohttpd reports the request completed,
 * so anything in the response may point into it.
 */
#ifndef QUIRE_HTTP_H
#define QUIRE_HTTP_H

#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct page;

enum http_method {
    HTTP_GET = 1,
    HTTP_HEAD = 2,
    HTTP_POST = 4,
    HTTP_PUT = 8,
    HTTP_DELETE = 16,
    HTTP_OTHER = 32,
};

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8

struct request {
    struct arena *arena; /* freed after the response is sent */
    enum http_method method;
    const char *method_name; /* as sent */
    struct str path;         /* percent-decoded, starts with '/', no NUL */
    struct str query;        /* raw query string after '?', may be empty */
    struct str body;         /* request body (bounded by body_max) */
    const char *remote_addr; /* textual peer address */
    struct str params[HTTP_MAX_PARAMS]; /* captures of the matched route */
    size_t n_params;
    bool form;  /* the matched route takes a form (ROUTE_FORM):
                   only then does request_form_field read the
                   body */
    void *conn; /* private to http/ */
};

struct http_header {
    const char *name;
    const char *value;
};

struct response {
    int status;               /* 200 unless set */
    const char *content_type; /* default "text/html; charset=utf-8" */
    struct buf body;          /* arena-backed; sent unless page or fd */
    struct page *page;        /* a cached page; one reference is dropped
                                 after sending (see core/page.h) */
    struct str splice;        /* inserted at page->splice_at, if any */
    int fd;                   /* -1, or a file to send (closed by http/) */
    uint64_t fd_size;
    const char *etag;          /* quoted strong validator, or NULL */
    const char *cache_control; /* or NULL */
    const char *allow;         /* for 405: "GET, HEAD" */
    struct http_header headers[HTTP_MAX_HEADERS];
    size_t n_headers;
};

/* request_header returns a header's value (case-insensitive name) or NULL. */
const char *request_header(const struct request *req, const char *name);
/* request_query_arg returns a decoded query argument or NULL. */
const char *request_query_arg(const struct request *req, const char *name);
/*
 * request_form_field returns a decoded field of an
 * application/x-www-form-urlencoded body, or NULL; always NULL unless the
 * matched route is declared ROUTE_FORM (http/router.h).
 */
const char *request_form_field(const struct request *req, const char *name);
/* request_is_fresh: does If-None-Match match etag (so 304 is due)? */
bool request_is_fresh(const struct request *req, const char *etag);
/* request_is_bot: User-Agent absent or naming a bot, crawler or spider. */
bool request_is_bot(const struct request *req);
/* request_takes_compressed: would Accept-Encoding take gzip or brotli? */
bool request_takes_compressed(const struct request *req);

/* response_header adds a header (strings must outlive the request). */
void response_header(struct response *res, const char *name, const char *value);

/*
 * The application callback: fill res and return the HTTP status. A status
 * >= 400 with an empty body gets a short plain page from http/.
 */
typedef int (*http_app_fn)(struct request *req, struct response *res,
                           void *ctx);

enum log_format { ACCESS_LOG_OFF, ACCESS_LOG_COMMON, ACCESS_LOG_JSON };

/*
 * Every limit on what clients send; a 0 field takes its default from
 * core/limits.h. Enforced in server.c (sizes, counts, framing), guard.c
 * (request timeout) and by libmicrohttpd (connections, idle timeout).
 */
struct http_limits {
    size_t request_line_max;     /* request line, bytes (414 above) */
    size_t header_max;           /* request line + headers, bytes (431 above) */
    unsigned header_count;       /* header fields (431 above) */
    size_t body_max;             /* request body, bytes (413 above) */
    unsigned form_fields;        /* fields of an urlencoded body (413 above) */
    size_t upload_max;           /* a multipart upload, bytes; no route takes
                                    one yet, so body_max caps every body */
    unsigned connections_max;    /* open connections in total */
    unsigned connections_per_ip; /* 0 = no limit */
    unsigned request_timeout_s;  /* a whole request, from its first byte */
    unsigned timeout_s;          /* idle connection timeout */
    unsigned threads;            /* worker pool size; 0: number of cores */
};

/* A yes/no question http/ asks the application (see is_https). */
typedef bool (*http_flag_fn)(void *ctx);

struct http_server_opts {
    const char *listen; /* "ADDR:PORT"; port 0 picks a free port */
    bool use_listen_fd; /* serve listen_fd (a listening socket from
                           http_listen_unix or systemd) instead */
    int listen_fd;
    struct http_limits limits;
    enum log_format access_log;
    http_app_fn app;
    void *app_ctx;
    /* Is the site public over https (so HSTS is due)? Asked for every
     * response with app_ctx; NULL means no. */
    http_flag_fn is_https;
};

struct http_server;

/*
 * http_server_start binds and starts serving. ERR_PARSE if opts->listen is
 * not ADDR:PORT or [ADDR]:PORT (or ADDR does not resolve), ERR_IO if the
 * bind or the server's start fails (libmicrohttpd logs why), ERR_INVALID
 * if the library is unverified (http_library_check). It does not
 * report either: the caller does, once.
 */
int http_server_start(const struct http_server_opts *opts,
                      struct http_server **out) WUR;
/*
 * http_library_check: NULL if the running libmicrohttpd is a version the
 * server's assumptions were verified on (src/http/guard.c), else why not
 * (static). http_server_start refuses such a library with ERR_INVALID
 * unless QUIRE_MHD_UNVERIFIED=1 is set.
 */
const char *http_library_check(void);
/* http_listen_is_loopback: listen parses and names a loopback address. */
bool http_listen_is_loopback(const char *listen);
/* http_server_port is the bound port (useful with port 0). */
uint16_t http_server_port(const struct http_server *srv);
/* http_server_stop stops accepting, lets in-flight requests finish, frees. */
void http_server_stop(struct http_server *srv);

/* http_status_text: "Not Found" for 404 and so on. */
const char *http_status_text(int status);

/* http_lib_version: libmicrohttpd in use, for quire --version. */
const char *http_lib_version(void);

/*
 * Metrics (metrics.c), process-wide: http/ records every answered request
 * (but /healthz), connections and 408 drops; http_metrics_write appends
 * them in the Prometheus text format for the /metrics route.
 */
bool http_metrics_is_health(struct str path);
void http_metrics_request(struct str path, int status, uint64_t bytes,
                          double seconds);
void http_metrics_connection(int delta);
void http_metrics_timeout(void);
void http_metrics_write(struct buf *b);

/* listen.c: "unix:/PATH" listens on a Unix socket (mode 0660; a stale
 * socket file is replaced). */
bool http_listen_is_unix(const char *listen);
int http_listen_unix(const char *listen, int *fd) WUR;

#endif
