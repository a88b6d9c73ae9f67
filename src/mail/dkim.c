/*
 * dkim.c - DKIM signatures (RSA-SHA256) with Debian's libopendkim, the
 * only file that includes it. Headers are signed relaxed/relaxed, and the
 * list names List-Unsubscribe and List-Unsubscribe-Post so a relay cannot
 * swap the unsubscribe link. The key is read once at start; signing runs
 * under a mutex (one library handle shared by the sender threads).
 */
#define LOG_MODULE "mail"
#include "mail/mail.h"

#include "core/xalloc.h"

#include <stdbool.h>
#include <sys/types.h>
#include <opendkim/dkim.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mail_dkim {
    DKIM_LIB *lib;
    char *key, *selector, *domain;
    pthread_mutex_t lock;
};

static const char *sign_headers[] = {"from",
                                     "to",
                                     "subject",
                                     "date",
                                     "message-id",
                                     "reply-to",
                                     "mime-version",
                                     "content-type",
                                     "list-unsubscribe",
                                     "list-unsubscribe-post",
                                     NULL};

char *mail_read_small_file(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = xmalloc(max + 1);
    size_t n = fread(b, 1, max + 1, f);
    fclose(f);
    if (n > max) {
        free(b);
        return NULL;
    }
    b[n] = '\0';
    return b;
}

struct mail_dkim *mail_dkim_new(const char *domain, const char *selector,
                                const char *key_file, char *err, size_t errlen)
{
    char *key = mail_read_small_file(key_file, 64 << 10);
    if (!key) {
        snprintf(err, errlen, "%s: cannot read the DKIM key", key_file);
        return NULL;
    }
    struct mail_dkim *d = xcalloc(1, sizeof(*d));
    d->lib = dkim_init(NULL, NULL);
    d->key = key;
    d->selector = xstrdup(selector);
    d->domain = xstrdup(domain);
    pthread_mutex_init(&d->lock, NULL);
    if (!d->lib ||
        dkim_options(d->lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, sign_headers,
                     sizeof(char **)) != DKIM_STAT_OK) {
        snprintf(err, errlen, "cannot start libopendkim");
        mail_dkim_free(d);
        return NULL;
    }
    /* A test signature now, so a bad key stops `quire serve` at start. */
    struct buf t;
    buf_init(&t, 1 << 16);
    buf_append_cstr(&t, "From: a@b.example\r\nSubject: t\r\n\r\nt\r\n");
    int rc = mail_dkim_sign(d, &t, err, errlen);
    buf_release(&t);
    if (rc != 0) {
        mail_dkim_free(d);
        return NULL;
    }
    return d;
}

void mail_dkim_free(struct mail_dkim *d)
{
    if (!d)
        return;
    if (d->lib)
        dkim_close(d->lib);
    pthread_mutex_destroy(&d->lock);
    free(d->key);
    free(d->selector);
    free(d->domain);
    free(d);
}

int mail_dkim_sign(struct mail_dkim *d, struct buf *msg, char *err,
                   size_t errlen)
{
    if (!d)
        return 0;
    DKIM_STAT st;
    unsigned char sig[8192];
    int rc = 0;
    pthread_mutex_lock(&d->lock);
    DKIM *k = dkim_sign(
        d->lib, (const unsigned char *)"quire", NULL, (dkim_sigkey_t)d->key,
        (const unsigned char *)d->selector, (const unsigned char *)d->domain,
        DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
    if (!k) {
        snprintf(err, errlen, "DKIM: cannot sign (status %d)", (int)st);
        rc = ERR_INVALID;
        goto out;
    }
    st = dkim_chunk(k, (unsigned char *)msg->ptr, msg->len);
    if (st == DKIM_STAT_OK)
        st = dkim_chunk(k, NULL, 0);
    if (st == DKIM_STAT_OK)
        st = dkim_eom(k, NULL);
    if (st == DKIM_STAT_OK)
        st = dkim_getsighdr(k, sig, sizeof(sig), strlen("DKIM-Signature: "));
    if (st != DKIM_STAT_OK) {
        const char *e = dkim_geterror(k);
        snprintf(err, errlen, "DKIM: %s", e ? e : "signing failed");
        rc = ERR_INVALID;
    }
    dkim_free(k);
out:
    pthread_mutex_unlock(&d->lock);
    if (rc != 0)
        return rc;
    /* Prepend the header; libopendkim folds with bare LF: make it CRLF. */
    struct buf h;
    buf_init(&h, msg->max);
    buf_append_cstr(&h, "DKIM-Signature: ");
    for (const unsigned char *p = sig; *p; p++) {
        if (*p == '\n' && (p == sig || p[-1] != '\r'))
            buf_append_char(&h, '\r');
        buf_append_char(&h, (char)*p);
    }
    buf_append(&h, "\r\n", 2);
    buf_append(&h, msg->ptr, msg->len);
    if (buf_error(&h)) {
        buf_release(&h);
        return ERR_TOO_BIG;
    }
    buf_reset(msg);
    buf_append(msg, h.ptr, h.len);
    buf_release(&h);
    return buf_error(msg);
}
