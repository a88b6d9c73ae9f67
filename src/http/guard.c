/*
 * guard.c - open connections, the request timeout, and the descriptors
 * they need; and the one list of what Quire assumes of libmicrohttpd.
 *
 * WHAT WE ASSUME OF LIBMICROHTTPD. Each was verified on the versions in
 * MHD_VERIFIED below (Debian 12's 0.9.75); each has a test that fails if
 * the library stops doing it. A build against another version stops at
 * the #error below, and `quire serve` with another shared library refuses
 * to start (http_library_check), so a distribution upgrade fails loudly
 * instead of silently disabling the slowloris guard. To try a new version:
 * build with -DQUIRE_MHD_UNVERIFIED, run with QUIRE_MHD_UNVERIFIED=1, run
 * the tests named here, then add the version to MHD_VERIFIED.
 *
 *  A1 MHD_OPTION_CONNECTION_TIMEOUT counts silence only: a client sending
 *     a byte every few seconds is never timed out by it (why the watchdog
 *     here exists). test_slow_clients.py test_dribbling_request_gets_408,
 *     test_dribbling_second_request_gets_408.
 *  A2 A socket libmicrohttpd owns may be written to and shut down by us
 *     (the 408); libmicrohttpd then reads end-of-stream and closes the
 *     descriptor itself, after its "closed" notice. Same tests, and
 *     test_slowloris_does_not_starve_readers (no descriptor leaks).
 *  A3 A first request line it cannot parse ("GARBAGE") is dropped without
 *     an answer, and with MHD_USE_TURBO the socket stays open until after
 *     the "closed" notice, so the canned 400 below can still go out.
 *     test_hostile.py test_unparseable_first_line_gets_one_400.
 *  A4 The request target passed to the URI log callback and the version
 *     passed to the access handler point into one read buffer, the target
 *     ended by a NUL where the space before the version was, and the
 *     buffer is grown in place, so a raw NUL inside the target shows as a
 *     gap between the two (server.c target_has_nul). test_hostile.py
 *     test_malformed_targets_get_400 (the raw-NUL targets).
 *  A5 Notices come in order: "started" before the URI callback of the
 *     connection's first request, "closed" after its last completion
 *     notice (the list invariant below). server_test.c (every test stops
 *     a server with connections open under ASan: make check-asan).
 *  A6 Speed, not correctness: the connection pool comes from malloc up to
 *     32 KB (server.c POOL_MALLOC_MAX). A later version may change it; the
 *     bench (make bench) would show it.
 *
 * libmicrohttpd 0.9.75 has one timeout, MHD_OPTION_CONNECTION_TIMEOUT,
 * and it counts silence: a client that sends one header byte every few
 * seconds (slowloris) keeps its connection forever. So Quire keeps a
 * second clock itself. Every open connection is on a list; a watchdog
 * thread walks it twice a second and, for a connection whose current
 * request began more than request_timeout seconds ago and is still not
 * fully received, writes a 408 and shuts the socket down. libmicrohttpd
 * then sees the end of the stream and closes the connection itself; the
 * watchdog never closes a descriptor it does not own.
 *
 * When did a request begin? Its request line may arrive a byte at a time,
 * and libmicrohttpd says nothing until the line is complete, so the
 * watchdog asks the kernel: TCP_INFO's tcpi_bytes_received moving past
 * the count taken when the connection began waiting means the client is
 * sending (the start is then known to within one walk). The count is
 * taken at the connection's start, and after each request by the
 * watchdog's next walk rather than by the worker (a syscall per request
 * otherwise), so a keep-alive client dribbling its next request is
 * caught one walk and one byte later. A connection that sends nothing is
 * left to the idle timeout; one whose request line is parsed has begun
 * at the latest then.
 *
 * Invariant: a struct http_conn is on the list from libmicrohttpd's
 * "started" notice to its "closed" notice, and libmicrohttpd closes the
 * socket only after the latter; both the watchdog's writes and the unlink
 * take the list lock, so the watchdog only touches live descriptors.
 *
 * The "closed" notice also answers what libmicrohttpd drops without a
 * word: a first request line it cannot parse at all ("GARBAGE" has no
 * space) makes it close the connection silently. If nothing was parsed
 * and nothing sent (TCP_INFO again), a canned 400 goes out first
 * (MHD_USE_TURBO leaves the socket open until after the notice).
 */
#define LOG_MODULE "http"
#include "http/http_int.h"

#include "core/log.h"
#include "core/xalloc.h"

#include <microhttpd.h>

/* The libmicrohttpd versions A1-A6 were verified on (MHD_VERSION form). */
#define MHD_VERIFIED_MIN 0x00097500
#define MHD_VERIFIED_MAX 0x00097500
static const char *const MHD_VERIFIED[] = {"0.9.75"};
#if (MHD_VERSION < MHD_VERIFIED_MIN || MHD_VERSION > MHD_VERIFIED_MAX) &&      \
    !defined(QUIRE_MHD_UNVERIFIED)
#error                                                                         \
    "libmicrohttpd version not verified: see the list at the top of src/http/guard.c"
#endif

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <linux/tcp.h> /* struct tcp_info with the byte counters */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define GUARD_TICK_MS 500
#define RX_UNMARKED ULLONG_MAX /* rx_mark: the watchdog has yet to take it */
/* Descriptors kept beside the connections: database, WAL and journal
 * files, epoll and eventfds per worker, the listener, logs, templates. */
#define FD_RESERVE 256

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* tcp_counts reads the kernel's byte counters of a TCP socket. */
static bool tcp_counts(int fd, uint64_t *rx, uint64_t *tx)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
        return false;
    /* Older kernels return a shorter struct without the counters. */
    if (len <
        offsetof(struct tcp_info, tcpi_bytes_sent) + sizeof(ti.tcpi_bytes_sent))
        return false;
    *rx = ti.tcpi_bytes_received;
    *tx = ti.tcpi_bytes_sent + ti.tcpi_notsent_bytes;
    return true;
}

/* --- what the workers report ------------------------------------------ */

struct http_conn *guard_conn(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void guard_request_line(struct http_conn *hc)
{
    if (!hc)
        return;
    atomic_store(&hc->had_request, true);
    long long zero = 0;
    atomic_compare_exchange_strong(&hc->began_ms, &zero, mono_ms());
    atomic_store(&hc->phase, CONN_RECEIVING);
}

void guard_request_in(struct http_conn *hc)
{
    if (hc)
        atomic_store(&hc->phase, CONN_ANSWERING);
}

/* No syscall here: it would be one more per request (a quarter of them).
 * The watchdog takes the mark on its next walk instead. */
void guard_request_done(struct http_conn *hc)
{
    if (!hc)
        return;
    atomic_store(&hc->rx_mark, RX_UNMARKED);
    atomic_store(&hc->began_ms, 0);
    atomic_store(&hc->phase, CONN_WAITING);
}

/* --- the watchdog ----------------------------------------------------- */

static void answer_408(struct http_conn *hc)
{
    static const char msg[] = "HTTP/1.1 408 Request Timeout\r\n"
                              "Connection: close\r\n"
                              "Content-Type: text/plain\r\n"
                              "X-Content-Type-Options: nosniff\r\n"
                              "Content-Length: 16\r\n\r\n"
                              "Request Timeout\n";
    atomic_store(&hc->timed_out, true);
    (void)send(hc->fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    /* Not close(): the descriptor is libmicrohttpd's. */
    (void)shutdown(hc->fd, SHUT_RDWR);
}

/* check looks at one connection; called with the list locked. */
static unsigned check(struct http_guard *g, struct http_conn *hc, long long now)
{
    if (atomic_load(&hc->timed_out))
        return 0;
    int phase = atomic_load(&hc->phase);
    if (phase == CONN_ANSWERING)
        return 0;
    long long began = atomic_load(&hc->began_ms);
    if (began == 0 && phase == CONN_WAITING) {
        uint64_t rx, tx;
        if (!tcp_counts(hc->fd, &rx, &tx))
            return 0;
        unsigned long long mark = atomic_load(&hc->rx_mark);
        if (mark == RX_UNMARKED) { /* a request just ended: mark from here */
            atomic_compare_exchange_strong(&hc->rx_mark, &mark, rx);
        } else if (rx > mark) {
            long long zero = 0;
            atomic_compare_exchange_strong(&hc->began_ms, &zero, now);
        }
        return 0;
    }
    if (began == 0 || now - began < (long long)g->request_timeout_s * 1000)
        return 0;
    answer_408(hc);
    http_metrics_timeout();
    return 1;
}

static void *watchdog(void *arg)
{
    struct http_guard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += GUARD_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->wake, &g->lock, &until);
        if (g->stop)
            break;
        long long now = mono_ms();
        unsigned n = 0;
        for (struct http_conn *hc = g->head.next; hc != &g->head; hc = hc->next)
            n += check(g, hc, now);
        if (n)
            log_info("request timeout: closed %u connection%s slower than "
                     "%u s",
                     n, n == 1 ? "" : "s", g->request_timeout_s);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

int guard_start(struct http_guard *g, unsigned request_timeout_s,
                unsigned idle_timeout_s)
{
    memset(g, 0, sizeof(*g));
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->wake, NULL);
    g->head.next = g->head.prev = &g->head;
    g->request_timeout_s = request_timeout_s;
    g->idle_timeout_s = idle_timeout_s;
    if (pthread_create(&g->thread, NULL, watchdog, g) != 0) {
        log_error("cannot start the request-timeout thread");
        pthread_mutex_destroy(&g->lock);
        pthread_cond_destroy(&g->wake);
        return ERR_IO;
    }
    g->running = true;
    return 0;
}

void guard_stop(struct http_guard *g)
{
    if (!g->running)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    g->running = false;
}

void guard_release(struct http_guard *g)
{
    assert(g->head.next == &g->head); /* every connection said closed */
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->wake);
}

/* --- connection notices ----------------------------------------------- */

static time_t mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* closed_unparsed: libmicrohttpd dropped an unparseable first request
 * line without answering; say 400 on the way out (see the file comment). */
static void closed_unparsed(struct http_server *srv, struct http_conn *hc)
{
    if (atomic_load(&hc->had_request) || atomic_load(&hc->timed_out) ||
        atomic_load(&srv->stopping))
        return;
    time_t age = mono_seconds() - hc->opened;
    unsigned idle = srv->guard.idle_timeout_s;
    if (idle && age + 1 >= (time_t)idle)
        return; /* closed for its silence, not for what it sent */
    uint64_t rx = 0, tx = 0;
    if (tcp_counts(hc->fd, &rx, &tx) && (tx > 0 || rx == 0))
        return; /* libmicrohttpd answered already, or nothing came */
    static const char bad[] = "HTTP/1.1 400 Bad Request\r\n"
                              "Connection: close\r\n"
                              "Content-Type: text/plain\r\n"
                              "X-Content-Type-Options: nosniff\r\n"
                              "Content-Length: 12\r\n\r\n"
                              "Bad Request\n";
    (void)send(hc->fd, bad, sizeof(bad) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

void guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                  int toe)
{
    struct http_server *srv = cls;
    struct http_guard *g = &srv->guard;
    struct http_conn *hc = *socket_context;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci)
            return;
        int one = 1;
        if (setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_NODELAY, &one,
                       sizeof(one)) != 0)
            log_debug("TCP_NODELAY: %s", strerror(errno));
        hc = xcalloc(1, sizeof(*hc));
        hc->fd = ci->connect_fd;
        hc->opened = mono_seconds();
        atomic_init(&hc->phase, CONN_WAITING);
        atomic_init(&hc->began_ms, 0);
        atomic_init(&hc->had_request, false);
        atomic_init(&hc->timed_out, false);
        atomic_init(&hc->rx_mark, 0);
        pthread_mutex_lock(&g->lock);
        hc->next = &g->head;
        hc->prev = g->head.prev;
        g->head.prev->next = hc;
        g->head.prev = hc;
        pthread_mutex_unlock(&g->lock);
        *socket_context = hc;
        return;
    }
    if (!hc)
        return;
    *socket_context = NULL;
    pthread_mutex_lock(&g->lock);
    hc->prev->next = hc->next;
    hc->next->prev = hc->prev;
    pthread_mutex_unlock(&g->lock);
    closed_unparsed(srv, hc);
    free(hc);
}

/* --- descriptors ------------------------------------------------------ */

void guard_fd_limit(unsigned *connections)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)*connections + FD_RESERVE;
    if (rl.rlim_cur < want) {
        rlim_t old = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want
                          ? want
                          : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            rl.rlim_cur = old;
    }
    if (rl.rlim_cur >= want)
        return;
    unsigned fit = rl.rlim_cur > 2 * FD_RESERVE
                       ? (unsigned)(rl.rlim_cur - FD_RESERVE)
                       : (unsigned)(rl.rlim_cur / 2);
    log_warn("open files limited to %llu (ulimit -n): serving at most %u "
             "connections instead of %u",
             (unsigned long long)rl.rlim_cur, fit, *connections);
    *connections = fit;
}

/* --- the library's version ----------------------------------------- */

bool http_library_verified(const char *version)
{
    if (!version)
        return false;
    for (size_t i = 0; i < sizeof(MHD_VERIFIED) / sizeof(MHD_VERIFIED[0]); i++)
        if (strcmp(version, MHD_VERIFIED[i]) == 0)
            return true;
    return false;
}

const char *http_library_check(void)
{
    static char msg[256];
    const char *v = MHD_get_version();
    if (http_library_verified(v))
        return NULL;
    const char *env = getenv("QUIRE_MHD_UNVERIFIED");
    snprintf(msg, sizeof(msg),
             "libmicrohttpd %s is not a version Quire was verified with "
             "(%s); see the list at the top of src/http/guard.c%s",
             v ? v : "(unknown)", MHD_VERIFIED[0],
             env && strcmp(env, "1") == 0
                 ? ""
                 : " (QUIRE_MHD_UNVERIFIED=1 starts anyway)");
    return msg;
}
