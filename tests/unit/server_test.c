/*
 * server_test.c - the real server on 127.0.0.1:0, driven over plain sockets.
 *
 * Checks what a browser and a proxy rely on: Date/Content-Length/ETag,
 * HEAD without a body, 304, keep-alive, 404/405 pages, 413, 431, 400 for
 * bad paths, page splicing without a copy (and the page reference dropped
 * after sending), a 500 that leaks nothing, a burst of 256 connections
 * after idling, the access log line, and a stop that lets an in-flight
 * request finish.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/xalloc.h"
#include "http/http.h"
#include "http/http_int.h"
#include "http/router.h"
#include "http/static.h"
#include "core/page.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX 4096
#define HEADER_MAX 16384

static struct http_server *srv;
static uint16_t port;
static struct page *shared_page; /* plays the page cache's reference */

/* --- the application ---------------------------------------------- */

static int h_root(struct request *req, struct response *res, void *ctx)
{
    (void)ctx;
    buf_append_cstr(&res->body, "hello world\n");
    res->etag = "\"abc\"";
    res->cache_control = "no-cache";
    response_header(res, "X-Test", "yes");
    (void)req;
    return 200;
}

static int h_page(struct request *req, struct response *res, void *ctx)
{
    (void)ctx;
    page_ref(shared_page);
    res->page = shared_page;
    res->splice = str_from(arena_printf(req->arena, "%d", 42));
    return 200;
}

static int h_slow(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    struct timespec ts = {0, 800 * 1000 * 1000};
    nanosleep(&ts, NULL);
    buf_append_cstr(&res->body, "done");
    return 200;
}

static int h_secret500(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    buf_append_cstr(&res->body, "sqlite3_step: disk I/O error in /srv/db");
    return 500;
}

static int h_echo(struct request *req, struct response *res, void *ctx)
{
    (void)ctx;
    const char *a = request_form_field(req, "a");
    const char *q = request_query_arg(req, "q");
    buf_printf(&res->body, "a=%s q=%s len=%zu", a ? a : "(null)",
               q ? q : "(null)", req->body.len);
    res->content_type = "text/plain";
    return 200;
}

static int h_path(struct request *req, struct response *res, void *ctx)
{
    (void)ctx;
    buf_printf(&res->body, "[%.*s] [%.*s]", STR_FMT(req->params[0]),
               STR_FMT(req->query));
    res->content_type = "text/plain";
    return 200;
}

static char assets[64]; /* a temporary assets folder */

static int h_asset(struct request *req, struct response *res, void *ctx)
{
    (void)ctx;
    return static_serve(req, res, assets, req->params[0]);
}

static const struct route routes[] = {
    {HTTP_GET, "/assets/*", h_asset, 0},
    {HTTP_GET, "/", h_root, 0},
    {HTTP_GET, "/page", h_page, 0},
    {HTTP_GET, "/slow", h_slow, 0},
    {HTTP_GET, "/secret500", h_secret500, 0},
    {HTTP_POST, "/echo", h_echo, ROUTE_FORM},
    {HTTP_GET, "/p/*", h_path, 0},
};

static int app(struct request *req, struct response *res, void *ctx)
{
    const struct route *r;
    const char *allow;
    int rc = router_match(routes, sizeof(routes) / sizeof(routes[0]), req, &r,
                          &allow);
    if (rc == ERR_NOT_FOUND)
        return 404;
    if (rc != 0) {
        res->allow = allow;
        return 405;
    }
    return r->handler(req, res, ctx);
}

/* --- a tiny HTTP client -------------------------------------------- */

struct reply {
    int status;
    char head[8192];
    char *body;
    size_t body_len;
};

static int connect_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* the server may close early (413, 431) */
        p += w;
        n -= (size_t)w;
    }
}

static void send_str(int fd, const char *s)
{
    send_all(fd, s, strlen(s));
}

static const char *header_of(const struct reply *r, const char *name)
{
    static __thread char val[1024];
    size_t n = strlen(name);
    const char *p = strstr(r->head, "\r\n");
    while (p && p[2] != '\r' && p[2] != '\0') {
        p += 2;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t len = e ? (size_t)(e - v) : strlen(v);
            if (len >= sizeof(val))
                len = sizeof(val) - 1;
            memcpy(val, v, len);
            val[len] = '\0';
            return val;
        }
        p = strstr(p, "\r\n");
    }
    return NULL;
}

/*
 * read_reply reads one response from fd. Bodies are delimited by
 * Content-Length; head_only skips the body (HEAD, 304). Returns -1 if the
 * connection closed before a full head arrived.
 */
static int read_reply(int fd, struct reply *r, bool head_only)
{
    size_t n = 0;
    memset(r, 0, sizeof(*r));
    for (;;) { /* byte by byte so a pipelined next reply stays unread */
        if (n + 1 >= sizeof(r->head))
            return -1;
        ssize_t got = recv(fd, r->head + n, 1, 0);
        if (got <= 0)
            return -1;
        n++;
        r->head[n] = '\0';
        if (n >= 4 && memcmp(r->head + n - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
        return -1;
    const char *cl = header_of(r, "Content-Length");
    size_t len = cl ? strtoul(cl, NULL, 10) : 0;
    r->body = xmalloc(len + 1);
    if (!head_only) {
        size_t have = 0;
        while (have < len) {
            ssize_t got = recv(fd, r->body + have, len - have, 0);
            if (got <= 0)
                return -1;
            have += (size_t)got;
        }
        r->body_len = len;
    }
    r->body[r->body_len] = '\0';
    return 0;
}

static void reply_free(struct reply *r)
{
    free(r->body);
    r->body = NULL;
}

/* roundtrip sends raw on a new connection and reads one reply. */
static int roundtrip(const char *raw, size_t n, struct reply *r, bool head_only)
{
    int fd = connect_server();
    send_all(fd, raw, n);
    int rc = read_reply(fd, r, head_only);
    close(fd);
    return rc;
}

static int get(const char *path, struct reply *r)
{
    char req[1024];
    int n =
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
    return roundtrip(req, (size_t)n, r, false);
}

/* peer_closed: does the server close fd within ms? */
static bool peer_closed(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) <= 0)
        return false;
    char c;
    return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

/* --- tests --------------------------------------------------------- */

static void basic_get_has_date_length_etag(void **state)
{
    (void)state;
    struct reply r;
    assert_int_equal(get("/", &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(header_of(&r, "Date"));
    assert_string_equal(header_of(&r, "Content-Length"), "12");
    assert_string_equal(header_of(&r, "ETag"), "\"abc\"");
    assert_string_equal(header_of(&r, "Cache-Control"), "no-cache");
    assert_string_equal(header_of(&r, "X-Test"), "yes");
    assert_string_equal(header_of(&r, "Content-Type"),
                        "text/html; charset=utf-8");
    assert_string_equal(r.body, "hello world\n");
    reply_free(&r);
}

static void head_and_keep_alive(void **state)
{
    (void)state;
    int fd = connect_server();
    struct reply r;
    const char *reqs = "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fd, reqs, strlen(reqs));
    assert_int_equal(read_reply(fd, &r, true), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(header_of(&r, "Content-Length"), "12");
    assert_string_equal(header_of(&r, "ETag"), "\"abc\"");
    assert_null(header_of(&r, "Connection"));
    reply_free(&r);
    /* Had HEAD sent a body, this reply would not parse. */
    reqs = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fd, reqs, strlen(reqs));
    assert_int_equal(read_reply(fd, &r, false), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "hello world\n");
    reply_free(&r);
    /* A third request on the same socket: keep-alive after a body too. */
    send_all(fd, reqs, strlen(reqs));
    assert_int_equal(read_reply(fd, &r, false), 0);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    assert_false(peer_closed(fd, 50));
    /* HEAD of an error page: status and length, no body. */
    reqs = "HEAD /nothing HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fd, reqs, strlen(reqs));
    assert_int_equal(read_reply(fd, &r, true), 0);
    assert_int_equal(r.status, 404);
    assert_true(strtoul(header_of(&r, "Content-Length"), NULL, 10) > 0);
    reply_free(&r);
    send_str(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(read_reply(fd, &r, false), 0);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    close(fd);
}

static void conditional_get(void **state)
{
    (void)state;
    static const char *const fresh[] = {"\"abc\"", "W/\"abc\"",
                                        "\"x\", \"abc\"", "*"};
    for (size_t i = 0; i < sizeof(fresh) / sizeof(fresh[0]); i++) {
        char req[256];
        int n = snprintf(req, sizeof(req),
                         "GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: %s\r\n"
                         "\r\n",
                         fresh[i]);
        int fd = connect_server();
        send_all(fd, req, (size_t)n);
        struct reply r;
        assert_int_equal(read_reply(fd, &r, true), 0);
        assert_int_equal(r.status, 304);
        assert_string_equal(header_of(&r, "ETag"), "\"abc\"");
        reply_free(&r);
        /* No body follows a 304: the next reply parses cleanly. */
        send_str(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_int_equal(read_reply(fd, &r, false), 0);
        assert_int_equal(r.status, 200);
        reply_free(&r);
        close(fd);
    }
    const char *stale = "GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: "
                        "\"other\"\r\n\r\n";
    struct reply r;
    assert_int_equal(roundtrip(stale, strlen(stale), &r, false), 0);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

static void errors_404_405_500(void **state)
{
    (void)state;
    struct reply r;
    assert_int_equal(get("/no/such", &r), 0);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "404 Not Found"));
    reply_free(&r);

    const char *del = "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(roundtrip(del, strlen(del), &r, false), 0);
    assert_int_equal(r.status, 405);
    assert_string_equal(header_of(&r, "Allow"), "GET, HEAD");
    reply_free(&r);

    const char *opt = "OPTIONS /echo HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(roundtrip(opt, strlen(opt), &r, false), 0);
    assert_int_equal(r.status, 405);
    assert_string_equal(header_of(&r, "Allow"), "POST");
    reply_free(&r);

    assert_int_equal(get("/secret500", &r), 0);
    assert_int_equal(r.status, 500);
    assert_null(strstr(r.body, "sqlite"));
    assert_null(strstr(r.body, "/srv"));
    assert_non_null(strstr(r.body, "500 Internal Server Error"));
    reply_free(&r);
}

static void bad_requests(void **state)
{
    (void)state;
    static const struct {
        const char *raw;
        int want;
    } cases[] = {
        {"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /%c0%af HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /%e0%80%af HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /%ed%a0%80 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /a%2 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /%0a HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET nopath HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GARBAGE\r\n\r\n", 400},
        {"GET /\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nBadHeader\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct reply r;
        if (roundtrip(cases[i].raw, strlen(cases[i].raw), &r, false) != 0)
            fail_msg("%s: no reply", cases[i].raw);
        if (r.status != cases[i].want)
            fail_msg("%s -> %d", cases[i].raw, r.status);
        reply_free(&r);
    }
    /* Decoding and raw query, through a "*" capture. */
    struct reply r;
    assert_int_equal(get("/p/caf%C3%A9/x%2Fy?a=%20b&c", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[caf\xc3\xa9/x/y] [a=%20b&c]");
    reply_free(&r);
    assert_int_equal(get("http://example.org/p/abs?z", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[abs] [z]");
    reply_free(&r);
}

static void post_form_and_limits(void **state)
{
    (void)state;
    struct reply r;
    const char *post = "POST /echo?q=x+y HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: 13\r\n\r\na=h%C3%A9+llo";
    assert_int_equal(roundtrip(post, strlen(post), &r, false), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "a=h\xc3\xa9 llo q=x y len=13");
    reply_free(&r);

    /* 413 at once for a Content-Length over body_max, body never sent. */
    const char *big = "POST /echo HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 10000000\r\n\r\n";
    int fd = connect_server();
    send_all(fd, big, strlen(big));
    assert_int_equal(read_reply(fd, &r, false), 0);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "413"));
    reply_free(&r);
    close(fd);

    /* A chunked body growing past body_max. */
    fd = connect_server();
    const char *chunked = "POST /echo HTTP/1.1\r\nHost: x\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n";
    send_all(fd, chunked, strlen(chunked));
    char chunk[3000 + 16];
    int n = snprintf(chunk, sizeof(chunk), "%x\r\n", 3000);
    memset(chunk + n, 'a', 3000);
    memcpy(chunk + n + 3000, "\r\n", 2);
    for (int i = 0; i < 3; i++)
        send_all(fd, chunk, (size_t)n + 3002);
    send_all(fd, "0\r\n\r\n", 5);
    assert_int_equal(read_reply(fd, &r, false), 0);
    assert_int_equal(r.status, 413);
    reply_free(&r);
    close(fd);

    /* 431: over header_max (ours) and over the whole pool (libmicrohttpd's). */
    size_t sizes[] = {HEADER_MAX + 100, HEADER_MAX * 6};
    for (size_t i = 0; i < 2; i++) {
        size_t len = sizes[i] + 64;
        char *req = xmalloc(len);
        int h = snprintf(req, len, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
        memset(req + h, 'a', sizes[i]);
        memcpy(req + h + sizes[i], "\r\n\r\n", 4);
        assert_int_equal(roundtrip(req, (size_t)h + sizes[i] + 4, &r, false),
                         0);
        if (r.status != 431)
            fail_msg("header of %zu bytes -> %d", sizes[i], r.status);
        reply_free(&r);
        free(req);
    }
    /* A request line over header_max is 414, ours or libmicrohttpd's. */
    for (size_t i = 0; i < 2; i++) {
        size_t len = sizes[i] + 64;
        char *req = xmalloc(len);
        memcpy(req, "GET /", 5);
        memset(req + 5, 'u', sizes[i]);
        int h =
            snprintf(req + 5 + sizes[i], 64, " HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_int_equal(roundtrip(req, 5 + sizes[i] + (size_t)h, &r, false),
                         0);
        if (r.status != 414)
            fail_msg("request line of %zu bytes -> %d", sizes[i], r.status);
        reply_free(&r);
        free(req);
    }
    /* Just under header_max is fine. */
    size_t ok = HEADER_MAX - 200;
    char *req = xmalloc(ok + 64);
    int h = snprintf(req, ok + 64, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + h, 'a', ok);
    memcpy(req + h + ok, "\r\n\r\n", 4);
    assert_int_equal(roundtrip(req, (size_t)h + ok + 4, &r, false), 0);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    free(req);
}

static void page_with_splice(void **state)
{
    (void)state;
    struct reply r;
    assert_int_equal(get("/page", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "<p>Read 42 times</p>");
    assert_string_equal(header_of(&r, "Content-Length"), "20");
    reply_free(&r);
    /* HEAD: the spliced length, no body. */
    const char *head = "HEAD /page HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(roundtrip(head, strlen(head), &r, true), 0);
    assert_string_equal(header_of(&r, "Content-Length"), "20");
    reply_free(&r);
    /* Every send dropped its reference once the response was freed. */
    for (int i = 0; i < 100 && atomic_load(&shared_page->refs) != 1; i++)
        usleep(10000);
    assert_int_equal(atomic_load(&shared_page->refs), 1);
}

/* log_of starts a server with format fmt, sends one request with stderr
 * sent to a file, and returns the first line written. */
static void log_of(enum log_format fmt, char *line, size_t cap)
{
    struct http_server_opts o = {
        .listen = "127.0.0.1:0", .access_log = fmt, .app = app};
    struct http_server *s;
    assert_int_equal(http_server_start(&o, &s), 0);
    uint16_t main_port = port;
    port = http_server_port(s);
    char path[] = "/tmp/quire-accesslog-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(tmp, 2);
    struct reply r;
    const char *req = "GET /p/log%22me?x=1 HTTP/1.1\r\nHost: x\r\n"
                      "User-Agent: t\"1\r\n\r\n";
    assert_int_equal(roundtrip(req, strlen(req), &r, false), 0);
    reply_free(&r);
    http_server_stop(s); /* waits for completion, so the line is out */
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    port = main_port;
    memset(line, 0, cap);
    ssize_t n = pread(tmp, line, cap - 1, 0);
    close(tmp);
    unlink(path);
    assert_true(n > 0);
    assert_int_equal(line[n - 1], '\n');
    assert_ptr_equal(strchr(line, '\n'), line + n - 1); /* one line */
}

static void access_log_lines(void **state)
{
    (void)state;
    char line[1024];
    log_of(ACCESS_LOG_COMMON, line, sizeof(line));
    assert_non_null(strstr(line, "127.0.0.1 - - ["));
    assert_non_null(strstr(line, "] \"GET /p/log%22me?x=1 HTTP/1.1\" 200 "));
    log_of(ACCESS_LOG_JSON, line, sizeof(line));
    assert_true(line[0] == '{');
    assert_non_null(strstr(line, "\"remote\":\"127.0.0.1\""));
    assert_non_null(strstr(line, "\"method\":\"GET\""));
    assert_non_null(strstr(line, "\"target\":\"/p/log%22me?x=1\""));
    assert_non_null(strstr(line, "\"status\":200"));
    assert_non_null(strstr(line, "\"ua\":\"t\\\"1\""));
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_assets(void)
{
    char path[256];
    snprintf(assets, sizeof(assets), "/tmp/quire-assets-XXXXXX");
    assert_non_null(mkdtemp(assets));
    write_file(assets, "style.css", "body{}");
    write_file(assets, ".hidden", "secret");
    snprintf(path, sizeof(path), "%s/sub", assets);
    assert_int_equal(mkdir(path, 0755), 0);
    write_file(path, "x.js", "1;");
    snprintf(path, sizeof(path), "%s/d.css", assets);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/link.css", assets);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    snprintf(path, sizeof(path), "%s/linkdir", assets);
    assert_int_equal(symlink("/etc", path), 0);
}

static void remove_assets(void)
{
    static const char *const names[] = {"style.css", ".hidden", "sub/x.js",
                                        "sub",       "d.css",   "link.css",
                                        "linkdir",   ""};
    char path[256];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", assets, names[i]);
        if (unlink(path) != 0)
            rmdir(path);
    }
}

static void static_files(void **state)
{
    (void)state;
    struct reply r;
    assert_int_equal(get("/assets/style.css", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "body{}");
    assert_string_equal(header_of(&r, "Content-Type"),
                        "text/css; charset=utf-8");
    assert_string_equal(header_of(&r, "Cache-Control"),
                        "public, max-age=31536000, immutable");
    assert_string_equal(header_of(&r, "Content-Length"), "6");
    char etag[128];
    snprintf(etag, sizeof(etag), "%s", header_of(&r, "ETag"));
    assert_true(etag[0] == '"');
    reply_free(&r);

    char req[256];
    int n = snprintf(req, sizeof(req),
                     "GET /assets/style.css HTTP/1.1\r\nHost: x\r\n"
                     "If-None-Match: %s\r\n\r\n",
                     etag);
    assert_int_equal(roundtrip(req, (size_t)n, &r, true), 0);
    assert_int_equal(r.status, 304);
    assert_string_equal(header_of(&r, "ETag"), etag);
    reply_free(&r);

    const char *head = "HEAD /assets/style.css HTTP/1.1\r\nHost: x\r\n\r\n";
    int fd = connect_server();
    send_all(fd, head, strlen(head));
    assert_int_equal(read_reply(fd, &r, true), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(header_of(&r, "Content-Length"), "6");
    reply_free(&r);
    send_str(fd, "GET /assets/sub/x.js HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(read_reply(fd, &r, false), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "1;");
    assert_string_equal(header_of(&r, "Content-Type"),
                        "text/javascript; charset=utf-8");
    reply_free(&r);
    close(fd);

    static const char *const refused[] = {
        "/assets/../../etc/passwd",
        "/assets/%2e%2e/%2e%2e/etc/passwd",
        "/assets/..%2f..%2fetc/passwd",
        "/assets/..\\..\\etc\\passwd",
        "/assets//etc/passwd",
        "/assets/%2fetc/passwd",
        "/assets/nothing.css",
        "/assets/link.css",
        "/assets/linkdir/passwd",
        "/assets/d.css",
        "/assets/.hidden",
        "/assets/sub/../style.css",
        "/assets/./style.css",
        "/assets/",
        "/assets/sub/",
        "/assets/style.css%00.png",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        assert_int_equal(get(refused[i], &r), 0);
        if (r.status != 404 && r.status != 400)
            fail_msg("%s -> %d", refused[i], r.status);
        assert_null(strstr(r.body, "root:"));
        assert_null(strstr(r.body, "secret"));
        reply_free(&r);
    }
}

static void burst(int fds[256], bool connect_first)
{
    const char *req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (!connect_first)
        for (int i = 0; i < 256; i++)
            fds[i] = connect_server();
    for (int i = 0; i < 256; i++) {
        if (connect_first)
            fds[i] = connect_server();
        send_all(fds[i], req, strlen(req));
    }
    int ok = 0;
    for (int i = 0; i < 256; i++) {
        struct reply r;
        if (read_reply(fds[i], &r, false) == 0 && r.status == 200)
            ok++;
        reply_free(&r);
        close(fds[i]);
    }
    assert_int_equal(ok, 256);
}

static void burst_after_idle(void **state)
{
    (void)state;
    int fds[256];
    sleep(2);
    burst(fds, true); /* idle server, then 256 new connections at once */
    for (int i = 0; i < 256; i++)
        fds[i] = connect_server();
    sleep(2); /* 256 idle connections, then all speak at once */
    burst(fds, false);
}

static void stop_lets_in_flight_finish(void **state)
{
    (void)state;
    int fd = connect_server();
    const char *req = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fd, req, strlen(req));
    usleep(200000); /* the handler is running now */
    http_server_stop(srv);
    srv = NULL;
    struct reply r;
    assert_int_equal(read_reply(fd, &r, false), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "done");
    reply_free(&r);
    close(fd);
    /* Nobody is listening any more. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_not_equal(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(s);
}

/* The libmicrohttpd here is one guard.c's assumptions were verified on,
 * and another version is refused (guard.c's list, A1-A6). */
static void library_version_pinned(void **state)
{
    (void)state;
    assert_true(http_library_verified("0.9.75"));
    assert_false(http_library_verified("0.9.76"));
    assert_false(http_library_verified("1.0.1"));
    assert_false(http_library_verified(""));
    assert_false(http_library_verified(NULL));
    assert_null(http_library_check());
}

static void listen_addresses(void **state)
{
    (void)state;
    static const char *const bad[] = {"nonsense", "127.0.0.1",
                                      "127.0.0.1:99999", "[::1:80", "::1:80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct http_server_opts o = {.listen = bad[i], .app = app};
        struct http_server *s = NULL;
        assert_int_equal(http_server_start(&o, &s), ERR_PARSE);
    }
    /* A good address that cannot be bound is an I/O error, not a parse
     * one: here, a port already taken. */
    struct http_server_opts taken = {.listen = "127.0.0.1:0", .app = app};
    struct http_server *first = NULL, *second = NULL;
    assert_int_equal(http_server_start(&taken, &first), 0);
    char addr[32];
    snprintf(addr, sizeof(addr), "127.0.0.1:%u",
             (unsigned)http_server_port(first));
    taken.listen = addr;
    assert_int_equal(http_server_start(&taken, &second), ERR_IO);
    http_server_stop(first);
    assert_true(http_listen_is_loopback("127.0.0.1:80"));
    assert_true(http_listen_is_loopback("[::1]:80"));
    assert_false(http_listen_is_loopback("0.0.0.0:80"));
    assert_false(http_listen_is_loopback(":80"));
    assert_false(http_listen_is_loopback("nonsense"));
    struct http_server_opts o = {.listen = "[::1]:0", .app = app};
    struct http_server *s = NULL;
    if (http_server_start(&o, &s) == 0) { /* no IPv6 in some sandboxes */
        assert_int_not_equal(http_server_port(s), 0);
        http_server_stop(s);
    }
}

static int setup(void **state)
{
    (void)state;
    const char *text = "<p>Read  times</p>";
    shared_page = page_new(xstrdup(text), strlen(text), "text/html", 8);
    make_assets();
    struct http_server_opts o = {
        .listen = "127.0.0.1:0",
        .limits = {.header_max = HEADER_MAX,
                   .body_max = BODY_MAX,
                   .connections_max = 1024,
                   .timeout_s = 30},
        .access_log = ACCESS_LOG_OFF,
        .app = app,
    };
    assert_int_equal(http_server_start(&o, &srv), 0);
    port = http_server_port(srv);
    assert_int_not_equal(port, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_server_stop(srv);
    page_unref(shared_page);
    remove_assets();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(basic_get_has_date_length_etag),
        cmocka_unit_test(head_and_keep_alive),
        cmocka_unit_test(conditional_get),
        cmocka_unit_test(errors_404_405_500),
        cmocka_unit_test(bad_requests),
        cmocka_unit_test(post_form_and_limits),
        cmocka_unit_test(page_with_splice),
        cmocka_unit_test(static_files),
        cmocka_unit_test(access_log_lines),
        cmocka_unit_test(burst_after_idle),
        cmocka_unit_test(stop_lets_in_flight_finish),
        cmocka_unit_test(listen_addresses),
        cmocka_unit_test(library_version_pinned),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
