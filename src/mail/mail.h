/*
 * mail.h - the newsletter's mail: tokens, messages, SMTP and the sender.
 *
 * mail/ builds RFC 5322 messages (multipart/alternative, RFC 2047 subject,
 * quoted-printable bodies within the 78-column line limit), sends them over
 * SMTP with libcurl (only smtp.c includes curl.h; only crypto.c includes
 * OpenSSL) and runs the outbox sender thread of `quire serve`.
 */
#ifndef QUIRE_MAIL_H
#define QUIRE_MAIL_H

#include "core/buf.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct store;
struct tpl_set;

/* Where each campaign message's own unsubscribe URL goes: rendered into a
 * campaign once, replaced per recipient at send time. */
#define MAIL_UNSUB_MARK "https://quire.invalid/unsubscribe-link"

enum { MAIL_TOKEN_MAX = 96, MAIL_CONFIRM_TTL_S = 7 * 86400 };

/* mail_token_make writes a token for subscriber id ('c' confirm with an
 * expiry, 'u' unsubscribe, never expires) signed with key into out. */
void mail_token_make(const unsigned char key[32], char kind, int64_t id,
                     int64_t expires, char out[MAIL_TOKEN_MAX]);
/* mail_token_check verifies tok for kind at now; 0 with *id, ERR_INVALID
 * if forged or malformed, ERR_NOT_FOUND if expired. */
int mail_token_check(const unsigned char key[32], char kind, const char *tok,
                     int64_t now, int64_t *id) WUR;

/* crypto.c: base64 of n bytes appended to out. */
void mail_base64(struct buf *out, const unsigned char *p, size_t n);

struct mail_msg {
    const char *from, *reply_to, *to; /* reply_to may be NULL or "" */
    const char *subject;              /* UTF-8; CR/LF dropped */
    const char *message_id;           /* "<...@...>" */
    const char *unsubscribe_url;      /* List-Unsubscribe; may be NULL */
    const char *text, *html;          /* UTF-8 bodies */
    int64_t date;                     /* unix seconds */
};
/* mail_build writes the whole message with CRLF line ends to out. */
void mail_build(struct buf *out, const struct mail_msg *m);
/* mail_addr_spec copies the bare address of "Name <a@b>" or "a@b" into
 * out; false if there is none. mail_domain points at its domain. */
bool mail_addr_spec(const char *from, char *out, size_t cap);

/* dkim.c: DKIM signing with libopendkim: RSA-SHA256, and Ed25519-SHA256
 * (RFC 8463) alongside when dkim_ed25519_key_file is set. */
struct mail_config;
struct mail_dkim;
/* mail_dkim_new reads and checks the PEM keys of cfg (and signs a test
 * message with each); NULL with err naming the file if one is bad. Only
 * call it when cfg->dkim_domain is set. */
struct mail_dkim *mail_dkim_new(const struct mail_config *cfg, char *err,
                                size_t errlen);
void mail_dkim_free(struct mail_dkim *d);
/* mail_dkim_sign puts one DKIM-Signature header per key on top of msg
 * (RSA first; no-op for a NULL d); ERR_INVALID with err if signing failed. */
int mail_dkim_sign(struct mail_dkim *d, struct buf *msg, char *err,
                   size_t errlen) WUR;
enum mail_dkim_alg { MAIL_DKIM_RSA, MAIL_DKIM_ED25519 };
/* mail_dkim_public_key appends the p= of the DNS record of a private key
 * in PEM: the base64 SubjectPublicKeyInfo for RSA, the base64 of the raw
 * 32-byte public key for Ed25519. ERR_PARSE if not a PEM private key,
 * ERR_INVALID if a key of another algorithm. */
int mail_dkim_public_key(const char *pem, enum mail_dkim_alg alg,
                         struct buf *out) WUR;
/* dkim_ed25519.c: mail_dkim_ed25519 appends the DKIM-Signature header
 * (a=ed25519-sha256, c=relaxed/relaxed, h= the sign_headers present in
 * msg) of msg, signed with the libsodium secret key sk, to out. */
int mail_dkim_ed25519(const unsigned char sk[64], const char *domain,
                      const char *selector, const char *const *sign_headers,
                      int64_t now, const struct buf *msg, struct buf *out) WUR;
/* crypto.c: mail_ed25519_seed copies the 32-byte seed of an Ed25519
 * private key in PEM; ERR_PARSE if it is not one. */
int mail_ed25519_seed(const char *pem, unsigned char seed[32]) WUR;
/* mail_read_small_file reads a file of at most max bytes (malloc'd). */
char *mail_read_small_file(const char *path, size_t max);

struct mail_config {
    const char *smtp_url, *smtp_user, *smtp_password;
    const char *from, *reply_to;
    unsigned rate;    /* messages per minute; 0 unlimited */
    unsigned workers; /* parallel SMTP connections */
    const char *theme_dir;
    const char *fallback_base; /* used when base_url is unset */
    const char *dkim_domain, *dkim_selector, *dkim_key_file;   /* "": none */
    const char *dkim_ed25519_selector, *dkim_ed25519_key_file; /* "": none */
};

/* smtp.c. The outcome of one delivery attempt. */
enum smtp_outcome { SMTP_SENT = 0, SMTP_TEMP = 1, SMTP_PERM = 2 };
struct smtp;
struct smtp *smtp_new(const struct mail_config *cfg);
void smtp_free(struct smtp *c);
/* smtp_send sends data to rcpt, reusing the open connection; reply gets
 * the server's last answer (or curl's error). */
enum smtp_outcome smtp_send(struct smtp *c, const char *rcpt, const char *data,
                            size_t len, char *reply, size_t cap);

/* compose.c: the theme's mail templates rendered into bodies. */
struct mail_parts {
    const char *subject, *text, *html;
};
/* mail_compose_digest renders issue date's digest (links under base) with
 * MAIL_UNSUB_MARK for the unsubscribe link. ERR_NOT_FOUND: no issue. */
int mail_compose_digest(struct store *s, const struct tpl_set *tpl,
                        struct arena *a, const char *date, const char *base,
                        const char *subject, struct mail_parts *out) WUR;
/* mail_compose_confirm renders the confirmation mail. */
int mail_compose_confirm(struct store *s, const struct tpl_set *tpl,
                         struct arena *a, const char *confirm_url,
                         const char *unsub_url, struct mail_parts *out) WUR;
/* mail_base_url: the base_url setting, else fallback, from a. */
const char *mail_base_url(struct store *s, struct arena *a,
                          const char *fallback);
/* mail_load_templates loads theme_dir/templates; NULL with err on error. */
struct tpl_set *mail_load_templates(const char *theme_dir, char *err,
                                    size_t errlen);

/* sender.c: the outbox worker threads of `quire serve`. */
struct mail_sender;
int mail_sender_start(struct store *s, const struct mail_config *cfg,
                      struct mail_sender **out, char *err, size_t errlen) WUR;
/* mail_sender_stop lets each thread finish the message in flight. */
void mail_sender_stop(struct mail_sender *ms);

#endif
