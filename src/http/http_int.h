/*
 * http_int.h - state shared by the files of http/ (not for other modules).
 *
 * server.c owns the daemon and the per-request state (struct http_req);
 * request.c holds the parsing helpers, pure functions on bytes so the unit
 * tests can reach them without a socket.
 */
#ifndef QUIRE_HTTP_INT_H
#define QUIRE_HTTP_INT_H

#include "core/arena.h"
#include "http/http.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct MHD_Connection;
struct MHD_Daemon;
struct MHD_Response;

/* Where a connection is between requests, as guard.c sees it. */
enum conn_phase {
    CONN_WAITING,   /* for a request (first or next): idle timeout only */
    CONN_RECEIVING, /* a request began: request_timeout runs */
    CONN_ANSWERING, /* the request is in: sending is idle-timed only */
};

/*
 * One open connection (guard.c). Linked into the guard's list from
 * libmicrohttpd's "started" notice to its "closed" notice, which comes
 * before libmicrohttpd closes the socket: while linked, fd is valid.
 */
struct http_conn {
    struct http_conn *prev, *next; /* under guard.lock */
    int fd;
    time_t opened;           /* CLOCK_MONOTONIC seconds */
    atomic_ullong rx_mark;   /* bytes received when waiting began */
    atomic_int phase;        /* enum conn_phase */
    atomic_llong began_ms;   /* first byte of the current request, or 0 */
    atomic_bool had_request; /* a request line was parsed, ever */
    atomic_bool timed_out;   /* guard.c answered 408 and shut it down */
};

/* The watchdog of request_timeout and the list of connections. */
struct http_guard {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    struct http_conn head; /* list sentinel */
    unsigned request_timeout_s;
    unsigned idle_timeout_s;
    bool running, stop; /* under lock */
};

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_server_opts opts;
    struct http_guard guard;
    uint16_t port;
    atomic_int in_flight; /* requests between URI and completion */
    atomic_bool started;  /* MHD_start_daemon returned */
    atomic_bool stopping; /* http_server_stop began */
};

/*
 * One request, from its request line to libmicrohttpd's completion notice.
 * It lives in its own arena (the arena struct is copied out before the
 * release, see server.c), so a request costs one block allocation.
 */
struct http_req {
    struct arena arena;
    struct http_server *srv;
    struct MHD_Connection *conn;
    struct http_conn *hc; /* its connection (guard.c), or NULL */
    struct request req;
    struct response res;
    struct buf body;         /* upload accumulated here, max body_max */
    const char *target;      /* raw request target as sent (for the log) */
    struct timespec started; /* CLOCK_MONOTONIC, for the JSON log */
    const char *uri_end;     /* the NUL ending the target in libmicro-
                                httpd's buffer (raw NUL check) */
    int early_status;        /* 400/413/431 decided before the app runs */
    bool close_now;          /* answer early_status at once and close */
    int status;              /* the status queued, 0 if none */
    uint64_t bytes;          /* body bytes of the queued response */
    uint64_t discarded;      /* body bytes dropped after a refusal */
    bool seen;               /* the access handler has run once */
    bool queued;             /* a response was queued */
};

/* http_decode_path percent-decodes a raw path (before '?') into the arena.
 * ERR_PARSE for a bad escape, an encoded or raw NUL or control byte,
 * invalid UTF-8 (overlong forms, surrogates, > U+10FFFF included), or a
 * path not starting with '/'. */
int http_decode_path(struct arena *a, struct str raw, struct str *out) WUR;

/* http_form_lookup finds name in an application/x-www-form-urlencoded
 * string and returns its decoded value from the arena ("" for a bare key),
 * or NULL if absent or badly encoded (a bad escape or %00). */
const char *http_form_lookup(struct arena *a, struct str data,
                             const char *name);

/* Content codings a page may be sent in (http_pick_encoding's result). */
enum http_enc { HTTP_ENC_IDENTITY, HTTP_ENC_GZIP, HTTP_ENC_BR };
/*
 * http_pick_encoding chooses from an Accept-Encoding value (NULL: none
 * sent) the coding to send, among identity and those set in offered (bit
 * 1 << HTTP_ENC_GZIP, 1 << HTTP_ENC_BR): highest q-value wins, ties go to
 * br, then gzip, then identity. RFC 9110 12.5.3 lets a server answer 406
 * or send identity when nothing is acceptable (identity;q=0 with no coding
 * offered): Quire sends identity, as nginx does, since a body the client
 * may not like is more useful than an error page it certainly cannot use.
 */
enum http_enc http_pick_encoding(const char *accept, unsigned offered);
/* http_etag_list_matches: does an If-None-Match value match etag? Handles
 * "*", comma-separated lists and W/ (weak comparison, RFC 9110 13.1.2). */
bool http_etag_list_matches(const char *inm, const char *etag);

/* http_ua_is_bot: empty/absent, or naming a bot, crawler or spider. */
bool http_ua_is_bot(const char *ua);

/* http_method_of maps a method name to enum http_method (HTTP_OTHER). */
enum http_method http_method_of(const char *name);

/* --- reuse.c: a page's response, sent again while unchanged ---------- */

struct page;
/*
 * reuse_queue queues p's kept response if it was made under key (all a
 * response holds besides the page's bytes): true, with *ok saying whether
 * libmicrohttpd took it and *size the body's. False if there is none or
 * its key differs.
 */
bool reuse_queue(struct MHD_Connection *c, struct page *p, struct str key,
                 uint64_t *size, bool *ok);
/*
 * reuse_worth_keeping: is this the second time p goes out under key (then
 * keep the response)? The first time only the key is remembered.
 */
bool reuse_worth_keeping(struct page *p, struct str key);
/* reuse_keep keeps r with p under key, taking the caller's reference. */
void reuse_keep(struct page *p, struct str key, struct MHD_Response *r,
                uint64_t size);

/* --- validate.c: request sanity before the application runs ---------- */

/* What http_scan_header learnt from the header fields of a request. */
struct http_scan {
    unsigned count;      /* header fields seen */
    unsigned n_length;   /* Content-Length fields */
    unsigned n_coding;   /* Transfer-Encoding fields */
    unsigned n_host;     /* Host fields */
    bool unknown_coding; /* a Transfer-Encoding other than "chunked" */
    bool malformed;      /* a name not a token, a CTL in a value, a
                            Content-Length not all digits */
};

/* http_is_token: is s a non-empty RFC 9110 token? */
bool http_is_token(const char *s);
/* http_method_registered: a standard method (so 405, not 501, when a
 * route does not take it)? Case-sensitive. */
bool http_method_registered(const char *m);
/* http_scan_header adds one header field (name, value as received). */
void http_scan_header(struct http_scan *sc, const char *name,
                      const char *value);
/*
 * http_scan_verdict: 0 if the headers are acceptable, else the status to
 * refuse with: 400 (malformed field, no Host in HTTP/1.1 or several Host
 * in any version (RFC 9112 3.2), several Content-Length, Transfer-
 * Encoding with Content-Length or in HTTP/1.0 or repeated), 431 (more than
 * header_count_max fields; 0 = no limit), 501 (a transfer coding other
 * than chunked). A 400 or 501 leaves the body's length unknowable, so the
 * connection must close after the answer.
 */
int http_scan_verdict(const struct http_scan *sc, bool http10,
                      unsigned header_count_max);
/* http_is_urlencoded: is this Content-Type an urlencoded form? */
bool http_is_urlencoded(const char *content_type);
/* http_form_field_count counts the non-empty fields of an urlencoded
 * string (what http_form_lookup may have to walk). */
size_t http_form_field_count(struct str data);

/* --- security.c: headers every response carries ----------------------- */

/*
 * http_security_headers adds the security headers (CSP, nosniff,
 * Referrer-Policy, X-Frame-Options, and HSTS when https) to r, except any
 * the application set itself in res->headers.
 */
void http_security_headers(struct MHD_Response *r, const struct response *res,
                           bool https);

/* --- guard.c: connections, request timeout, fd limit ------------------- */

/* http_library_verified: is version (MHD_get_version's form, "0.9.75")
 * one that guard.c's assumptions were verified on? */
bool http_library_verified(const char *version);

/* guard_start starts the watchdog thread; ERR_IO if it cannot. */
int guard_start(struct http_guard *g, unsigned request_timeout_s,
                unsigned idle_timeout_s) WUR;
/* guard_stop stops the watchdog (before the daemon stops); the list
 * keeps taking notices until guard_release, after the daemon stopped. */
void guard_stop(struct http_guard *g);
void guard_release(struct http_guard *g);
/* guard_notify is libmicrohttpd's connection notice (started/closed);
 * srv is passed as its closure. */
void guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                  int toe);
/* guard_conn finds the struct http_conn of c, or NULL. */
struct http_conn *guard_conn(struct MHD_Connection *c);
/* guard_request_line: a request line was parsed on hc (its request
 * began, at the latest now). */
void guard_request_line(struct http_conn *hc);
/* guard_request_in: the whole request arrived; stop its clock. */
void guard_request_in(struct http_conn *hc);
/* guard_request_done: the response was sent; wait for the next one. */
void guard_request_done(struct http_conn *hc);
/*
 * guard_fd_limit raises RLIMIT_NOFILE so *connections fit beside the
 * descriptors the rest of the process needs; if the hard limit is too
 * low, lowers *connections to what fits and says so.
 */
void guard_fd_limit(unsigned *connections);

#endif
