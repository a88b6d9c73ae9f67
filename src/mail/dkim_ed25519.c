/*
 * dkim_ed25519.c - the Ed25519-SHA256 DKIM signature (RFC 8463) with
 * libsodium: relaxed/relaxed canonicalization (RFC 6376 3.4.2 and 3.4.4),
 * SHA-256 of the body (bh=) and of the signed headers, and Ed25519
 * (PureEdDSA) over that 32-byte hash (b=).
 *
 * Not libopendkim: Debian 12's libopendkim 2.11.0~beta2 signs Ed25519 but
 * leaks about 470 bytes per signature (dkim_free frees the key data of RSA
 * signatures only), which a server sending 100,000 messages cannot take.
 * The RSA signature stays with libopendkim (dkim.c).
 */
#include "mail/mail.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* canon_header appends the relaxed form of one header field [p, p+n)
 * (name, colon, folded value; no final CRLF) to out, with CRLF if crlf:
 * name lowercased, the value unfolded, runs of WSP made one space, WSP
 * around the colon and at the end deleted. */
static void canon_header(struct buf *out, const char *p, size_t n, bool crlf)
{
    const char *colon = memchr(p, ':', n);
    size_t nl = colon ? (size_t)(colon - p) : n;
    while (nl && wsp(p[nl - 1]))
        nl--;
    for (size_t i = 0; i < nl; i++)
        buf_append_char(out,
                        (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]));
    buf_append_char(out, ':');
    bool space = false, started = false;
    for (const char *v = colon ? colon + 1 : p + n; v < p + n; v++) {
        if (*v == '\r' || *v == '\n')
            continue;
        if (wsp(*v)) {
            space = started;
            continue;
        }
        if (space)
            buf_append_char(out, ' ');
        space = false;
        started = true;
        buf_append_char(out, *v);
    }
    if (crlf)
        buf_append(out, "\r\n", 2);
}

/* body_hash: SHA-256 of the relaxed body: WSP runs one space, WSP at line
 * ends deleted, empty lines at the end dropped, a final CRLF if not empty. */
static void body_hash(const char *b, size_t n, unsigned char out[32])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    char chunk[4096];
    size_t k = 0, empty = 0; /* CRLFs held back: maybe trailing lines */
#define PUT(c)                                                                 \
    do {                                                                       \
        if (k == sizeof(chunk)) {                                              \
            crypto_hash_sha256_update(&st, (unsigned char *)chunk, k);         \
            k = 0;                                                             \
        }                                                                      \
        chunk[k++] = (c);                                                      \
    } while (0)
    size_t i = 0;
    while (i < n) {
        bool space = false, text = false;
        for (; i < n && !(b[i] == '\r' && i + 1 < n && b[i + 1] == '\n'); i++) {
            if (wsp(b[i])) {
                space = true; /* leading WSP too: one space (3.4.4) */
                continue;
            }
            for (; !text && empty; empty--) {
                PUT('\r');
                PUT('\n');
            }
            if (space)
                PUT(' ');
            space = false;
            text = true;
            PUT(b[i]);
        }
        empty++; /* this line's CRLF (or the one a last line lacks) */
        if (text) {
            PUT('\r');
            PUT('\n');
            empty = 0;
        }
        i += 2;
    }
#undef PUT
    crypto_hash_sha256_update(&st, (unsigned char *)chunk, k);
    crypto_hash_sha256_final(&st, out);
}

/* field finds the last header field called name in [h, h+n); its extent
 * (without the final CRLF) in *p, *len. */
static bool field(const char *h, size_t n, const char *name, const char **p,
                  size_t *len)
{
    size_t nl = strlen(name);
    bool found = false;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        /* a field runs to a CRLF not followed by WSP */
        while (j < n && !(h[j] == '\r' && j + 2 < n && h[j + 1] == '\n' &&
                          !wsp(h[j + 2])))
            j++;
        if (j - i > nl && strncasecmp(h + i, name, nl) == 0) {
            size_t c = i + nl;
            while (c < j && wsp(h[c]))
                c++;
            if (c < j && h[c] == ':') {
                *p = h + i;
                *len = j - i;
                found = true;
            }
        }
        i = j + 2;
    }
    return found;
}

/* fold appends " " + text to the header, or CRLF TAB + text past 76. */
static void fold(struct buf *s, size_t *col, const char *text, size_t n)
{
    if (*col + 1 + n > 76) {
        buf_append(s, "\r\n\t", 3);
        *col = 1;
    } else {
        buf_append_char(s, ' ');
        (*col)++;
    }
    buf_append(s, text, n);
    *col += n;
}

int mail_dkim_ed25519(const unsigned char sk[64], const char *domain,
                      const char *selector, const char *const *sign_headers,
                      int64_t now, const struct buf *msg, struct buf *out)
{
    const char *m = msg->ptr;
    const char *end = memmem(m, msg->len, "\r\n\r\n", 4);
    if (!end)
        return ERR_INVALID;
    size_t hlen = (size_t)(end - m) + 2;
    const char *body = end + 4;
    unsigned char bh[32], hash[32], sig[64];
    body_hash(body, msg->len - (size_t)(body - m), bh);

    /* The signed headers, canonicalized, and their names for h=. */
    struct buf data, s, tag;
    buf_init(&data, msg->max);
    buf_init(&s, 1 << 13);
    buf_init(&tag, 1 << 12);
    struct {
        const char *p;
        size_t n;
    } names[32];
    size_t nn = 0;
    for (size_t i = 0; sign_headers[i] && nn < 32; i++) {
        const char *p;
        size_t n;
        if (!field(m, hlen, sign_headers[i], &p, &n))
            continue;
        canon_header(&data, p, n, true);
        names[nn].p = p;
        names[nn++].n = strlen(sign_headers[i]);
    }
    /* The header with an empty b=, folded within 78 columns. */
    buf_append_cstr(&s, "DKIM-Signature: v=1; a=ed25519-sha256;");
    size_t col = s.len;
    buf_printf(&tag, "c=relaxed/relaxed;");
    fold(&s, &col, tag.ptr, tag.len);
    buf_reset(&tag);
    buf_printf(&tag, "d=%s;", domain);
    fold(&s, &col, tag.ptr, tag.len);
    buf_reset(&tag);
    buf_printf(&tag, "s=%s;", selector);
    fold(&s, &col, tag.ptr, tag.len);
    buf_reset(&tag);
    buf_printf(&tag, "t=%lld;", (long long)now);
    fold(&s, &col, tag.ptr, tag.len);
    buf_reset(&tag);
    buf_append_cstr(&tag, "bh=");
    mail_base64(&tag, bh, sizeof(bh));
    buf_append_char(&tag, ';');
    fold(&s, &col, tag.ptr, tag.len);
    /* h= on lines of its own, broken after a colon */
    buf_append(&s, "\r\n\th=", 5);
    col = 3;
    for (size_t i = 0; i < nn; i++) {
        if (i && col + names[i].n + 1 > 76) {
            buf_append(&s, "\r\n\t", 3);
            col = 1;
        }
        buf_append(&s, names[i].p, names[i].n);
        buf_append_char(&s, i + 1 < nn ? ':' : ';');
        col += names[i].n + 1;
    }
    buf_append(&s, "\r\n\tb=", 5);
    canon_header(&data, s.ptr, s.len, false);
    int rc = buf_error(&data) || buf_error(&s) ? ERR_TOO_BIG : 0;
    if (rc == 0) {
        crypto_hash_sha256(hash, (unsigned char *)data.ptr, data.len);
        crypto_sign_detached(sig, NULL, hash, sizeof(hash), sk);
        buf_reset(&tag);
        mail_base64(&tag, sig, sizeof(sig));
        /* 88 characters: 64 on the b= line, the rest on the next */
        buf_append(&s, tag.ptr, 64);
        buf_append(&s, "\r\n\t", 3);
        buf_append(&s, tag.ptr + 64, tag.len - 64);
        buf_append(&s, "\r\n", 2);
        buf_append(out, s.ptr, s.len);
    }
    buf_release(&data);
    buf_release(&s);
    buf_release(&tag);
    return rc;
}
