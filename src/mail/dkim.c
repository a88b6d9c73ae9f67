/*
 * dkim.c - DKIM signatures: RSA-SHA256 with Debian's libopendkim (the only
 * file that includes it), and Ed25519-SHA256 (RFC 8463) alongside when
 * dkim_ed25519_key_file is set, with libsodium (dkim_ed25519.c: Debian
 * 12's libopendkim signs Ed25519 but leaks per signature). Headers are
 * signed relaxed/relaxed, and the
 * list names List-Unsubscribe and List-Unsubscribe-Post so a relay cannot
 * swap the unsubscribe link. Keys are read and checked once at start (a
 * bad file is an error naming it). The sender threads sign at once, with
 * no lock: one DKIM_LIB "can be used by several threads at once" and each
 * message has its own DKIM handle (libopendkim's dkim_lib.html, dkim.html).
 */
#define LOG_MODULE "mail"
#include "mail/mail.h"

#include "core/xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <opendkim/dkim.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One key: RSA first, then Ed25519 when configured. */
struct dkim_key {
    enum mail_dkim_alg alg;
    char *pem, *selector;
    unsigned char sk[64]; /* Ed25519: libsodium's secret key */
};

struct mail_dkim {
    DKIM_LIB *lib;
    char *domain;
    struct dkim_key keys[2];
    int nkeys;
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
    int e = ferror(f) ? errno : n > max ? EFBIG : 0; /* EISDIR for a dir */
    fclose(f);
    if (e) {
        free(b);
        errno = e;
        return NULL;
    }
    b[n] = '\0';
    return b;
}

/* load_key reads and checks the PEM key of alg in path; NULL with err. */
static char *load_key(const char *path, enum mail_dkim_alg alg,
                      const char *setting, char *err, size_t errlen)
{
    const char *what = alg == MAIL_DKIM_RSA ? "RSA" : "Ed25519";
    const char *gen = alg == MAIL_DKIM_RSA
                          ? "openssl genpkey -algorithm RSA -pkeyopt "
                            "rsa_keygen_bits:2048"
                          : "openssl genpkey -algorithm ed25519";
    errno = 0;
    char *pem = mail_read_small_file(path, 64 << 10);
    if (!pem) {
        snprintf(err, errlen, "%s: cannot read the DKIM key (mail.%s): %s",
                 path, setting,
                 errno == EFBIG ? "over 64 KB" : strerror(errno));
        return NULL;
    }
    struct buf pub;
    buf_init(&pub, 4096);
    int rc = mail_dkim_public_key(pem, alg, &pub);
    buf_release(&pub);
    if (rc == ERR_PARSE)
        snprintf(err, errlen,
                 "%s: not a private key in PEM without a passphrase "
                 "(mail.%s wants an %s key: %s)",
                 path, setting, what, gen);
    else if (rc != 0)
        snprintf(err, errlen, "%s: not an %s private key (mail.%s; %s)", path,
                 what, setting, gen);
    if (rc != 0) {
        free(pem);
        return NULL;
    }
    return pem;
}

struct mail_dkim *mail_dkim_new(const struct mail_config *cfg, char *err,
                                size_t errlen)
{
    const char *sel = cfg->dkim_selector ? cfg->dkim_selector : "";
    const char *file = cfg->dkim_key_file ? cfg->dkim_key_file : "";
    const char *esel = cfg->dkim_ed25519_selector ? cfg->dkim_ed25519_selector
                                                  : "";
    const char *efile = cfg->dkim_ed25519_key_file ? cfg->dkim_ed25519_key_file
                                                   : "";
    if (!*sel || !*file) {
        snprintf(err, errlen,
                 "mail.dkim_domain needs mail.dkim_selector and "
                 "mail.dkim_key_file (an RSA key)");
        return NULL;
    }
    if (!*esel != !*efile) {
        snprintf(err, errlen,
                 "mail.dkim_ed25519_selector and mail.dkim_ed25519_key_file "
                 "go together");
        return NULL;
    }
    if (*esel && strcmp(esel, sel) == 0) {
        snprintf(err, errlen,
                 "mail.dkim_ed25519_selector must differ from "
                 "mail.dkim_selector (each key has its own DNS record)");
        return NULL;
    }
    struct mail_dkim *d = xcalloc(1, sizeof(*d));
    d->domain = xstrdup(cfg->dkim_domain);
    d->keys[0].alg = MAIL_DKIM_RSA;
    d->keys[0].selector = xstrdup(sel);
    d->keys[0].pem =
        load_key(file, MAIL_DKIM_RSA, "dkim_key_file", err, errlen);
    d->nkeys = 1;
    if (d->keys[0].pem && *efile) {
        struct dkim_key *k = &d->keys[1];
        k->alg = MAIL_DKIM_ED25519;
        k->selector = xstrdup(esel);
        k->pem = load_key(efile, MAIL_DKIM_ED25519, "dkim_ed25519_key_file",
                          err, errlen);
        d->nkeys = 2;
        unsigned char seed[32], pk[32];
        if (k->pem &&
            (sodium_init() < 0 || mail_ed25519_seed(k->pem, seed) != 0 ||
             crypto_sign_seed_keypair(pk, k->sk, seed) != 0)) {
            snprintf(err, errlen, "%s: cannot use the Ed25519 key", efile);
            free(k->pem);
            k->pem = NULL;
        }
        sodium_memzero(seed, sizeof(seed));
    }
    if (!d->keys[0].pem || (d->nkeys == 2 && !d->keys[1].pem)) {
        mail_dkim_free(d);
        return NULL;
    }
    d->lib = dkim_init(NULL, NULL);
    if (!d->lib ||
        dkim_options(d->lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, sign_headers,
                     sizeof(char **)) != DKIM_STAT_OK) {
        snprintf(err, errlen, "cannot start libopendkim");
        mail_dkim_free(d);
        return NULL;
    }
    /* A test signature now, so a bad key stops the sender at start. */
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
    for (int i = 0; i < 2; i++) {
        free(d->keys[i].pem);
        free(d->keys[i].selector);
        sodium_memzero(d->keys[i].sk, sizeof(d->keys[i].sk));
    }
    free(d->domain);
    free(d);
}

/* sign_one appends the DKIM-Signature header of key k over msg to h (with
 * CRLF line ends: libopendkim folds with bare LF). */
static int sign_one(struct mail_dkim *d, const struct dkim_key *k,
                    const struct buf *msg, struct buf *h, char *err,
                    size_t errlen)
{
    if (k->alg == MAIL_DKIM_ED25519) {
        int rc = mail_dkim_ed25519(k->sk, d->domain, k->selector, sign_headers,
                                   (int64_t)time(NULL), msg, h);
        if (rc != 0)
            snprintf(err, errlen, "DKIM: cannot sign with Ed25519 (%s)",
                     err_str(rc));
        return rc;
    }
    DKIM_STAT st;
    unsigned char sig[8192];
    int rc = 0;
    DKIM *s = dkim_sign(
        d->lib, (const unsigned char *)"quire", NULL, (dkim_sigkey_t)k->pem,
        (const unsigned char *)k->selector, (const unsigned char *)d->domain,
        DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
    if (!s) {
        snprintf(err, errlen, "DKIM: cannot sign (status %d)", (int)st);
        return ERR_INVALID;
    }
    st = dkim_chunk(s, (unsigned char *)msg->ptr, msg->len);
    if (st == DKIM_STAT_OK)
        st = dkim_chunk(s, NULL, 0);
    if (st == DKIM_STAT_OK)
        st = dkim_eom(s, NULL);
    if (st == DKIM_STAT_OK)
        st = dkim_getsighdr(s, sig, sizeof(sig), strlen("DKIM-Signature: "));
    if (st != DKIM_STAT_OK) {
        const char *e = dkim_geterror(s);
        snprintf(err, errlen, "DKIM: %s", e ? e : "signing failed");
        rc = ERR_INVALID;
    }
    dkim_free(s);
    if (rc != 0)
        return rc;
    buf_append_cstr(h, "DKIM-Signature: ");
    for (const unsigned char *p = sig; *p; p++) {
        if (*p == '\n' && (p == sig || p[-1] != '\r'))
            buf_append_char(h, '\r');
        buf_append_char(h, (char)*p);
    }
    buf_append(h, "\r\n", 2);
    return 0;
}

int mail_dkim_sign(struct mail_dkim *d, struct buf *msg, char *err,
                   size_t errlen)
{
    if (!d)
        return 0;
    /* Each signature covers the message as built (neither signs the other:
     * DKIM-Signature is not in sign_headers), so their order is free. */
    struct buf h;
    buf_init(&h, msg->max);
    int rc = 0;
    for (int i = 0; i < d->nkeys && rc == 0; i++)
        rc = sign_one(d, &d->keys[i], msg, &h, err, errlen);
    if (rc != 0) {
        buf_release(&h);
        return rc;
    }
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
