/*
 * sender.c - the outbox worker threads of `quire serve`.
 *
 * mail_workers threads each own an SMTP connection and the outbox rows
 * whose id % workers is theirs, so no row is ever in two hands. A row is
 * marked sent only after the server accepted it; a kill before that leaves
 * it queued and it goes again (same Message-ID) after a restart. Temporary
 * failures back off 20 s, 40 s, ... capped at 30 min, for 3 days; a 5xx
 * fails the row with the server's reply. A subscriber who left (or was
 * removed) before their row's turn is skipped. Stopping lets each thread
 * finish the message in flight.
 */
#define LOG_MODULE "mail"
#include "mail/mail.h"

#include "core/priority.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "render/mustache.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    BATCH = 50,
    BACKOFF_FIRST_S = 20,
    BACKOFF_MAX_S = 1800,
    GIVE_UP_S = 3 * 86400,
};

struct mail_sender {
    struct store *store;
    struct mail_config cfg;
    struct tpl_set *tpl;
    struct mail_dkim *dkim; /* NULL: not signing */
    unsigned char key[32];
    char domain[256];
    pthread_t *threads;
    unsigned n;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    double next_slot; /* mail_rate: when the next message may go */
};

struct worker {
    struct mail_sender *ms;
    unsigned index;
};

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* wait_s sleeps up to s seconds; false if stopping. */
static bool wait_s(struct mail_sender *ms, double s)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    long long ns = (long long)(s * 1e9) + until.tv_nsec;
    until.tv_sec += (time_t)(ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&ms->lock);
    if (!ms->stopping)
        pthread_cond_timedwait(&ms->wake, &ms->lock, &until);
    bool go = !ms->stopping;
    pthread_mutex_unlock(&ms->lock);
    return go;
}

static bool throttle(struct mail_sender *ms)
{
    if (ms->cfg.rate == 0)
        return true;
    pthread_mutex_lock(&ms->lock);
    double t = now_mono();
    if (ms->next_slot < t)
        ms->next_slot = t;
    double at = ms->next_slot;
    ms->next_slot += 60.0 / ms->cfg.rate;
    pthread_mutex_unlock(&ms->lock);
    return at <= t || wait_s(ms, at - t);
}

/* replace_all returns s with every MAIL_UNSUB_MARK replaced by url. */
static const char *replace_all(struct arena *a, const char *s, const char *url)
{
    struct buf b;
    buf_init_arena(&b, a, 16 << 20);
    size_t ml = strlen(MAIL_UNSUB_MARK);
    const char *p;
    while ((p = strstr(s, MAIL_UNSUB_MARK)) != NULL) {
        buf_append(&b, s, (size_t)(p - s));
        buf_append_cstr(&b, url);
        s = p + ml;
    }
    buf_append_cstr(&b, s);
    return b.ptr;
}

/* deliver sends one row; returns false when the thread should stop. */
static void deliver(struct mail_sender *ms, struct smtp *c, struct arena *a,
                    const struct outbox_row *r)
{
    int64_t now = (int64_t)time(NULL);
    int want = r->kind == OUTBOX_CAMPAIGN ? SUB_CONFIRMED : -2;
    bool skip = r->kind != OUTBOX_TEST &&
                (r->subscriber_id == 0 || r->sub_state < 0 ||
                 r->sub_state == SUB_UNSUBSCRIBED ||
                 (want != -2 && r->sub_state != want));
    if (skip) {
        if (store_outbox_mark(ms->store, r->id, OUTBOX_SKIPPED, r->attempts,
                              now, "skipped: not subscribed", now) != 0)
            log_warn("outbox %lld: cannot mark skipped", (long long)r->id);
        return;
    }
    const char *base = mail_base_url(ms->store, a, ms->cfg.fallback_base);
    char tok[MAIL_TOKEN_MAX];
    mail_token_make(ms->key, 'u', r->subscriber_id, 0, tok);
    const char *unsub =
        r->kind == OUTBOX_TEST /* an editor, not a subscriber */
            ? arena_printf(a, "%s/newsletter/unsubscribe/test", base)
            : arena_printf(a, "%s/newsletter/unsubscribe/%s", base, tok);
    struct mail_parts parts;
    int rc;
    if (r->kind == OUTBOX_CONFIRM) {
        mail_token_make(ms->key, 'c', r->subscriber_id,
                        now + MAIL_CONFIRM_TTL_S, tok);
        rc = mail_compose_confirm(
            ms->store, ms->tpl, a,
            arena_printf(a, "%s/newsletter/confirm/%s", base, tok), unsub,
            &parts);
    } else {
        struct campaign cm;
        rc = store_campaign_get(ms->store, a, r->campaign_id, &cm);
        if (rc == 0) {
            parts.subject = cm.subject;
            parts.text = replace_all(a, cm.text_body, unsub);
            parts.html = replace_all(a, cm.html_body, unsub);
        }
    }
    if (rc != 0) {
        log_warn("outbox %lld: cannot build the message: %s", (long long)r->id,
                 err_str(rc));
        if (store_outbox_mark(ms->store, r->id, OUTBOX_QUEUED, r->attempts + 1,
                              now + BACKOFF_MAX_S, "cannot build the message",
                              now) != 0)
            log_warn("outbox %lld: cannot record the failure",
                     (long long)r->id);
        return;
    }
    struct mail_msg m = {
        .from = ms->cfg.from,
        .reply_to = ms->cfg.reply_to,
        .to = r->rcpt,
        .subject = parts.subject,
        .message_id = r->message_id,
        .unsubscribe_url = unsub,
        .text = parts.text,
        .html = parts.html,
        .date = now,
    };
    struct buf msg;
    buf_init_arena(&msg, a, 32 << 20);
    mail_build(&msg, &m);
    char reply[512];
    if (mail_dkim_sign(ms->dkim, &msg, reply, sizeof(reply)) != 0)
        log_error("outbox %lld: sent unsigned: %s", (long long)r->id, reply);
    enum smtp_outcome o =
        smtp_send(c, r->rcpt, msg.ptr, msg.len, reply, sizeof(reply));
    now = (int64_t)time(NULL);
    int64_t tries = r->attempts + 1;
    int state = OUTBOX_SENT;
    int64_t next = now;
    if (o == SMTP_PERM) {
        state = OUTBOX_FAILED;
        log_info("outbox %lld: refused: %s", (long long)r->id, reply);
    } else if (o == SMTP_TEMP) {
        int64_t d = BACKOFF_FIRST_S;
        for (int64_t i = 1; i < tries && d < BACKOFF_MAX_S; i++)
            d *= 2;
        if (d > BACKOFF_MAX_S)
            d = BACKOFF_MAX_S;
        state = now - r->created_at > GIVE_UP_S ? OUTBOX_FAILED : OUTBOX_QUEUED;
        next = now + d;
        log_info("outbox %lld: try %lld failed (%s); next in %lld s",
                 (long long)r->id, (long long)tries, reply, (long long)d);
    }
    /* Retry the record: the server accepted the message, so losing this
     * write would only send it again, but try hard not to. */
    for (int i = 0; i < 50; i++) {
        if (store_outbox_mark(ms->store, r->id, state, tries, next,
                              o == SMTP_SENT ? NULL : reply, now) == 0)
            return;
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    log_error("outbox %lld: outcome not recorded", (long long)r->id);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct mail_sender *ms = w->ms;
    thread_background("quire-mail");
    struct smtp *c = smtp_new(&ms->cfg);
    struct arena a;
    arena_init(&a, 64 << 10);
    for (;;) {
        pthread_mutex_lock(&ms->lock);
        bool stop = ms->stopping;
        pthread_mutex_unlock(&ms->lock);
        if (stop)
            break;
        struct outbox_row *rows;
        size_t n = 0;
        arena_release(&a);
        int rc = store_outbox_due(ms->store, &a, (int64_t)time(NULL),
                                  (int)ms->n, (int)w->index, BATCH, &rows, &n);
        if (rc != 0 || n == 0) {
            if (!wait_s(ms, 1.0))
                break;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (!throttle(ms))
                break;
            struct arena ra;
            arena_init(&ra, 64 << 10);
            deliver(ms, c, &ra, &rows[i]);
            arena_release(&ra);
            pthread_mutex_lock(&ms->lock);
            stop = ms->stopping;
            pthread_mutex_unlock(&ms->lock);
            if (stop)
                break;
        }
    }
    arena_release(&a);
    smtp_free(c);
    free(w);
    return NULL;
}

int mail_sender_start(struct store *s, const struct mail_config *cfg,
                      struct mail_sender **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!cfg->smtp_url || !*cfg->smtp_url) {
        log_info("mail.smtp_url is not set: the newsletter outbox waits");
        return 0;
    }
    char addr[320];
    if (!cfg->from || !mail_addr_spec(cfg->from, addr, sizeof(addr))) {
        snprintf(err, errlen, "mail.mail_from must be set to an address");
        return ERR_INVALID;
    }
    struct mail_sender *ms = xcalloc(1, sizeof(*ms));
    ms->store = s;
    ms->cfg = *cfg;
    ms->n = cfg->workers ? cfg->workers : 1;
    if (store_newsletter_secret(s, ms->key) != 0) {
        snprintf(err, errlen, "cannot read the newsletter secret");
        free(ms);
        return ERR_DB;
    }
    ms->tpl = mail_load_templates(cfg->theme_dir, err, errlen);
    if (!ms->tpl) {
        free(ms);
        return ERR_PARSE;
    }
    if (cfg->dkim_domain && *cfg->dkim_domain) {
        ms->dkim = mail_dkim_new(cfg, err, errlen);
        if (!ms->dkim) {
            tpl_set_free(ms->tpl);
            free(ms);
            return ERR_INVALID;
        }
    }
    pthread_mutex_init(&ms->lock, NULL);
    pthread_cond_init(&ms->wake, NULL);
    ms->threads = xcalloc(ms->n, sizeof(*ms->threads));
    for (unsigned i = 0; i < ms->n; i++) {
        struct worker *w = xmalloc(sizeof(*w));
        w->ms = ms;
        w->index = i;
        if (pthread_create(&ms->threads[i], NULL, worker_main, w) != 0) {
            free(w);
            ms->n = i;
            mail_sender_stop(ms);
            snprintf(err, errlen, "cannot start the mail sender");
            return ERR_IO;
        }
    }
    log_info("mail sender: %u connection(s) to %s", ms->n, cfg->smtp_url);
    *out = ms;
    return 0;
}

void mail_sender_stop(struct mail_sender *ms)
{
    if (!ms)
        return;
    pthread_mutex_lock(&ms->lock);
    ms->stopping = true;
    pthread_cond_broadcast(&ms->wake);
    pthread_mutex_unlock(&ms->lock);
    for (unsigned i = 0; i < ms->n; i++)
        pthread_join(ms->threads[i], NULL);
    tpl_set_free(ms->tpl);
    mail_dkim_free(ms->dkim);
    pthread_mutex_destroy(&ms->lock);
    pthread_cond_destroy(&ms->wake);
    free(ms->threads);
    free(ms);
}
