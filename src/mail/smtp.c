/*
 * smtp.c - delivery over SMTP with libcurl (the only file that includes
 * curl.h). One handle per sender thread: curl keeps its connection open
 * between messages, so a campaign sends many messages per connection.
 * STARTTLS is used when the server offers it (smtp://), required for
 * smtps://. The server's last reply line is kept for the outbox's record.
 */
#include "mail/mail.h"

#include "core/xalloc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct smtp {
    CURL *h;
    const struct mail_config *cfg;
    char from[320];
    char reply[512];
    const char *data;
    size_t len, off;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t read_cb(char *out, size_t size, size_t nmemb, void *ud)
{
    struct smtp *c = ud;
    size_t n = size * nmemb, left = c->len - c->off;
    if (n > left)
        n = left;
    memcpy(out, c->data + c->off, n);
    c->off += n;
    return n;
}

/* debug_cb keeps the server's last reply line (never what we send, which
 * would hold AUTH secrets). */
static int debug_cb(CURL *h, curl_infotype t, char *data, size_t n, void *ud)
{
    (void)h;
    struct smtp *c = ud;
    if (t != CURLINFO_HEADER_IN || n < 3)
        return 0;
    if (c->reply[0] >= '4') /* keep the refusal, not the QUIT's "221" */
        return 0;
    while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    if (n >= sizeof(c->reply))
        n = sizeof(c->reply) - 1;
    memcpy(c->reply, data, n);
    c->reply[n] = '\0';
    return 0;
}

struct smtp *smtp_new(const struct mail_config *cfg)
{
    pthread_once(&curl_once, curl_init_once);
    struct smtp *c = xcalloc(1, sizeof(*c));
    c->cfg = cfg;
    if (!mail_addr_spec(cfg->from, c->from, sizeof(c->from)))
        c->from[0] = '\0';
    c->h = curl_easy_init();
    return c;
}

void smtp_free(struct smtp *c)
{
    if (!c)
        return;
    if (c->h)
        curl_easy_cleanup(c->h);
    free(c);
}

enum smtp_outcome smtp_send(struct smtp *c, const char *rcpt, const char *data,
                            size_t len, char *reply, size_t cap)
{
    char from[340], to[340];
    if (!c->h || !*c->cfg->smtp_url) {
        snprintf(reply, cap, "no SMTP server configured (mail.smtp_url)");
        return SMTP_TEMP;
    }
    snprintf(from, sizeof(from), "<%s>", c->from);
    snprintf(to, sizeof(to), "<%s>", rcpt);
    struct curl_slist *rcpts = curl_slist_append(NULL, to);
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h = c->h;
    c->data = data;
    c->len = len;
    c->off = 0;
    c->reply[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, c->cfg->smtp_url);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, c);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
    if (strncmp(c->cfg->smtp_url, "smtp://", 7) == 0)
        curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    if (c->cfg->smtp_user && *c->cfg->smtp_user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->cfg->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->cfg->smtp_password);
    }
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(rcpts);
    if (rc == CURLE_OK) {
        snprintf(reply, cap, "%s", c->reply);
        return SMTP_SENT;
    }
    if (c->reply[0] && code >= 400)
        snprintf(reply, cap, "%s", c->reply);
    else
        snprintf(reply, cap, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return code >= 500 && code < 600 ? SMTP_PERM : SMTP_TEMP;
}
