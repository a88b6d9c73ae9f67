/*
 * limits.h - the default of every limit Quire puts on what clients send.
 *
 * One named constant per limit; the config table (config.c, keys under
 * [limits]) takes its defaults from here and http/ falls back to them when
 * a field of struct http_limits is left 0. Plain decimal literals, so
 * config.c can turn them into its default strings. docs/security.md lists
 * them with their keys and the reasons for each value.
 */
#ifndef QUIRE_LIMITS_H
#define QUIRE_LIMITS_H

/* Bytes of the request line alone (method, target, version): 414 above. */
#define LIMIT_REQUEST_LINE_MAX 8192
/* Bytes of request line and headers together: 431 above. */
#define LIMIT_HEADER_MAX 16384
/* Header fields in one request: 431 above. */
#define LIMIT_HEADER_COUNT 100
/* Bytes of a request body: 413 above (the connection then closes). */
#define LIMIT_BODY_MAX 1048576
/* Fields in an application/x-www-form-urlencoded body: 413 above. */
#define LIMIT_FORM_FIELDS 256
/* Bytes of a multipart file upload (for the back office's media). */
#define LIMIT_UPLOAD_MAX 33554432
/* Open connections in total; further ones wait in the listen queue. */
#define LIMIT_CONNECTIONS 4096
/* Open connections per client address; 0 = no limit (see security.md:
 * behind a reverse proxy every client has the proxy's address). */
#define LIMIT_CONNECTIONS_PER_IP 0
/* Seconds a client has to send one whole request (line, headers, body)
 * once its first byte arrived: 408 and close above. */
#define LIMIT_REQUEST_TIMEOUT 20
/* Seconds of silence after which any connection is closed (waiting for a
 * kept-alive client's next request, or for a reader to take more bytes). */
#define LIMIT_IDLE_TIMEOUT 15
/* limits.search_query_max: bytes of a search query (a friendly 400). */
#define LIMIT_SEARCH_QUERY_MAX 256
/* limits.search_per_minute: searches one client address may have run
 * without the cache's help (a burst of as many, then that rate; 429). */
#define LIMIT_SEARCH_PER_MINUTE 120
/* limits.search_concurrent: searches run at once without the cache's
 * help, all clients together (503 above), so searches cannot take every
 * core from the readers of cached pages. */
#define LIMIT_SEARCH_CONCURRENT 2

#endif
