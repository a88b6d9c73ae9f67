/*
 * hooks.c - the webhook thread (libcurl for HTTP, libsodium for the
 * HMAC-SHA256 signature; see hooks.h).
 *
 * Every second it takes the deliveries that are due from the store and
 * POSTs them one after another; the write that queued them never waits
 * for this. A 2xx answer delivers; anything else (another status, no
 * answer, a refused address) is retried after retry_min_s, doubled each
 * time up to four hours, until 24 hours after the event, when the
 * delivery is marked failed. Every attempt is logged with its status and
 * the start of the response (`quire webhook log`).
 */
#define LOG_MODULE "hooks"
#include "hooks/hooks.h"

#include "core/priority.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum {
    HOOKS_BATCH = 16,
    HOOKS_RESPONSE_MAX = 1024,
    HOOKS_BACKOFF_MAX = 4 * 3600
};

struct hooks {
    struct hooks_opts o;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
};

const char *const hooks_events[HOOKS_NEVENTS] = {
    "article.published", "article.updated", "article.deleted",
    "issue.published"};

bool hooks_events_ok(const char *list)
{
    char buf[256];
    size_t len = strlen(list);
    if (len == 0 || len >= sizeof(buf) || list[len - 1] == ',' ||
        strstr(list, ",,"))
        return false;
    memcpy(buf, list, len + 1);
    bool seen[HOOKS_NEVENTS] = {false};
    char *save = NULL;
    for (char *e = strtok_r(buf, ",", &save); e;
         e = strtok_r(NULL, ",", &save)) {
        int k = -1;
        for (int i = 0; i < HOOKS_NEVENTS; i++)
            if (strcmp(e, hooks_events[i]) == 0)
                k = i;
        if (k < 0 || seen[k])
            return false;
        seen[k] = true;
    }
    return true;
}

bool hooks_url_ok(const char *url)
{
    size_t n = strlen(url);
    bool scheme = strncmp(url, "http://", 7) == 0 ||
                  strncmp(url, "https://", 8) == 0;
    return scheme && n > 8 && n <= 2048 && !strpbrk(url, " \t\r\n\"<>\\");
}

static bool v4_public(const unsigned char *a)
{
    if (a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224)
        return false; /* this network, private, loopback, multicast, 240/4 */
    if (a[0] == 100 && (a[1] & 0xc0) == 64)
        return false; /* 100.64/10 shared */
    if (a[0] == 169 && a[1] == 254)
        return false; /* link-local */
    if (a[0] == 172 && (a[1] & 0xf0) == 16)
        return false;
    if (a[0] == 192 && a[1] == 168)
        return false;
    if (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2))
        return false; /* IETF protocol assignments, TEST-NET-1 */
    if (a[0] == 198 && (a[1] & 0xfe) == 18)
        return false; /* benchmarking */
    if ((a[0] == 198 && a[1] == 51 && a[2] == 100) ||
        (a[0] == 203 && a[1] == 0 && a[2] == 113))
        return false; /* TEST-NET-2, -3 */
    return true;
}

static bool v6_public(const unsigned char *a)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0)
        return v4_public(a + 12);
    if ((a[0] & 0xe0) != 0x20)
        return false; /* only 2000::/3 is global unicast */
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
        return false; /* documentation */
    return true;
}

bool hooks_addr_public(const char *addr)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, addr, b) == 1)
        return v4_public(b);
    if (inet_pton(AF_INET6, addr, b) == 1)
        return v6_public(b);
    return false;
}

void hooks_sign(const char *secret, const char *body, size_t len, char out[72])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
                                strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
}

/* One attempt's state, shared with curl's callbacks. */
struct attempt {
    bool allow_private;
    char refused[INET6_ADDRSTRLEN]; /* the address refused, if any */
    char body[HOOKS_RESPONSE_MAX + 1];
    size_t body_len;
};

/* on_open: the address curl is about to connect to, after DNS: the SSRF
 * check is made here, on what is actually connected to. */
static curl_socket_t on_open(void *clientp, curlsocktype purpose,
                             struct curl_sockaddr *sa)
{
    struct attempt *at = clientp;
    (void)purpose;
    char text[INET6_ADDRSTRLEN] = "?";
    bool ok = false;
    if (sa->family == AF_INET) {
        const struct sockaddr_in *in = (const void *)&sa->addr;
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
        ok = v4_public((const unsigned char *)&in->sin_addr);
    } else if (sa->family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)&sa->addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
        ok = v6_public(in6->sin6_addr.s6_addr);
    }
    if (!ok && !at->allow_private) {
        snprintf(at->refused, sizeof(at->refused), "%s", text);
        return CURL_SOCKET_BAD;
    }
    return socket(sa->family, sa->socktype, sa->protocol);
}

static size_t on_body(char *p, size_t size, size_t n, void *clientp)
{
    struct attempt *at = clientp;
    size_t len = size * n, room = HOOKS_RESPONSE_MAX - at->body_len;
    size_t take = len < room ? len : room;
    memcpy(at->body + at->body_len, p, take);
    at->body_len += take;
    at->body[at->body_len] = '\0';
    return len; /* the rest is read and dropped */
}

static void deliver(struct hooks *h, struct arena *a,
                    const struct webhook_delivery *d)
{
    struct attempt at = {.allow_private = h->o.allow_private};
    struct webhook_attempt rec = {.delivery_id = d->id};
    char err[CURL_ERROR_SIZE] = "";
    char sig[72];
    struct curl_slist *hdr = NULL;
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "User-Agent: Quire-Webhooks/1");
    hdr =
        curl_slist_append(hdr, arena_printf(a, "X-Quire-Event: %s", d->event));
    hdr = curl_slist_append(hdr,
                            arena_printf(a, "X-Quire-Delivery: %s", d->uuid));
    if (d->secret && *d->secret) {
        hooks_sign(d->secret, d->payload, strlen(d->payload), sig);
        hdr = curl_slist_append(hdr,
                                arena_printf(a, "X-Quire-Signature: %s", sig));
    }
    hdr = curl_slist_append(hdr, "Expect:");
    CURL *c = curl_easy_init();
    long status = 0;
    CURLcode cc = CURLE_FAILED_INIT;
    if (c && hdr) {
        curl_easy_setopt(c, CURLOPT_URL, d->url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_PROXY, ""); /* never via a proxy */
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)h->o.timeout_s);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->payload);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(d->payload));
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &at);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &at);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
        cc = curl_easy_perform(c);
        if (cc == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(hdr);

    int64_t now = (int64_t)time(NULL);
    rec.at = now;
    rec.status = (int)status;
    rec.response = at.body_len ? at.body : NULL;
    if (at.refused[0])
        rec.error = arena_printf(a,
                                 "refused: %s is not a public address "
                                 "(webhooks.allow_private = false)",
                                 at.refused);
    else if (cc != CURLE_OK)
        rec.error =
            arena_printf(a, "%s", err[0] ? err : curl_easy_strerror(cc));
    if (status >= 200 && status < 300) {
        rec.state = "delivered";
        rec.next_at = now;
    } else {
        int64_t delay = h->o.retry_min_s;
        for (int i = 0; i < d->attempts && delay < HOOKS_BACKOFF_MAX; i++)
            delay *= 2;
        if (delay > HOOKS_BACKOFF_MAX)
            delay = HOOKS_BACKOFF_MAX;
        int64_t end = d->created_at + HOOKS_GIVE_UP_S;
        rec.next_at = now + delay < end ? now + delay : end;
        rec.state = now >= end ? "failed" : "pending";
    }
    if (status >= 200 && status < 300)
        log_info("webhook %s %s delivered to %s (%ld)", d->event, d->uuid,
                 d->url, status);
    else
        log_warn("webhook %s %s to %s: %s%s", d->event, d->uuid, d->url,
                 rec.error ? rec.error : "status ",
                 rec.error ? "" : arena_printf(a, "%ld", status));
    if (store_webhook_attempt(h->o.store, &rec) != 0)
        log_error("cannot record a webhook attempt: %s", store_last_error());
}

static void *run(void *arg)
{
    struct hooks *h = arg;
    thread_background("quire-hooks");
    pthread_mutex_lock(&h->lock);
    while (!h->stop) {
        pthread_mutex_unlock(&h->lock);
        struct arena a;
        arena_init(&a, 16384);
        struct webhook_delivery *d;
        size_t n = 0;
        if (store_webhook_due(h->o.store, &a, (int64_t)time(NULL), HOOKS_BATCH,
                              &d, &n) != 0)
            log_warn("cannot read the webhook queue: %s", store_last_error());
        for (size_t i = 0; i < n; i++) {
            pthread_mutex_lock(&h->lock);
            bool stop = h->stop;
            pthread_mutex_unlock(&h->lock);
            if (stop)
                break;
            deliver(h, &a, &d[i]);
        }
        arena_release(&a);
        pthread_mutex_lock(&h->lock);
        if (n < HOOKS_BATCH && !h->stop) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            pthread_cond_timedwait(&h->wake, &h->lock, &until);
        }
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

int hooks_start(const struct hooks_opts *o, struct hooks **out)
{
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return ERR_IO;
    struct hooks *h = xcalloc(1, sizeof(*h));
    h->o = *o;
    if (!h->o.retry_min_s)
        h->o.retry_min_s = 30;
    if (!h->o.timeout_s)
        h->o.timeout_s = 15;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, NULL);
    if (pthread_create(&h->thread, NULL, run, h) != 0) {
        pthread_mutex_destroy(&h->lock);
        pthread_cond_destroy(&h->wake);
        free(h);
        return ERR_IO;
    }
    *out = h;
    return 0;
}

void hooks_stop(struct hooks *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->stop = true;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->wake);
    free(h);
    curl_global_cleanup();
}
