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

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct MHD_Connection;
struct MHD_Daemon;

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_server_opts opts;
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
    struct request req;
    struct response res;
    struct buf body;          /* upload accumulated here, max body_max */
    const char *target;       /* raw request target as sent (for the log) */
    struct timespec started;  /* CLOCK_MONOTONIC, for the JSON log */
    int early_status;         /* 400/413/431 decided before the app runs */
    int status;               /* the status queued, 0 if none */
    uint64_t bytes;           /* body bytes of the queued response */
    uint64_t discarded;       /* body bytes dropped after a refusal */
    bool seen;                /* the access handler has run once */
    bool queued;              /* a response was queued */
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

/* http_etag_list_matches: does an If-None-Match value match etag? Handles
 * "*", comma-separated lists and W/ (weak comparison, RFC 9110 13.1.2). */
bool http_etag_list_matches(const char *inm, const char *etag);

/* http_ua_is_bot: empty/absent, or naming a bot, crawler or spider. */
bool http_ua_is_bot(const char *ua);

/* http_method_of maps a method name to enum http_method (HTTP_OTHER). */
enum http_method http_method_of(const char *name);

#endif
