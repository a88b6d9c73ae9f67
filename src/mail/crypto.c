/*
 * crypto.c - the HMAC tokens of confirm and unsubscribe links, and base64,
 * with OpenSSL's libcrypto (the only file of Quire that includes it).
 *
 * A token is "<kind><id>.<expires>.<mac>", mac the first 16 bytes of
 * HMAC-SHA256(secret, "<kind>:<id>:<expires>") in hex: the link names the
 * subscriber without a lookup table and cannot be forged or altered. The
 * secret is 32 random bytes kept in the database (newsletter_secret).
 */
#include "mail/mail.h"

#include "core/str.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

static void mac_hex(const unsigned char key[32], char kind, int64_t id,
                    int64_t expires, char hex[33])
{
    char msg[64];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    int n = snprintf(msg, sizeof(msg), "%c:%" PRId64 ":%" PRId64, kind, id,
                     expires);
    HMAC(EVP_sha256(), key, 32, (const unsigned char *)msg, (size_t)n, md,
         &mdlen);
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

void mail_token_make(const unsigned char key[32], char kind, int64_t id,
                     int64_t expires, char out[MAIL_TOKEN_MAX])
{
    char hex[33];
    mac_hex(key, kind, id, expires, hex);
    snprintf(out, MAIL_TOKEN_MAX, "%c%" PRId64 ".%" PRId64 ".%s", kind, id,
             expires, hex);
}

int mail_token_check(const unsigned char key[32], char kind, const char *tok,
                     int64_t now, int64_t *id)
{
    if (!tok || tok[0] != kind || strlen(tok) >= MAIL_TOKEN_MAX)
        return ERR_INVALID;
    const char *d1 = strchr(tok, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d2 || strlen(d2 + 1) != 32)
        return ERR_INVALID;
    long long v, e;
    if (str_to_i64((struct str){tok + 1, (size_t)(d1 - tok - 1)}, 1, INT64_MAX,
                   &v) != 0 ||
        str_to_i64((struct str){d1 + 1, (size_t)(d2 - d1 - 1)}, 0, INT64_MAX,
                   &e) != 0)
        return ERR_INVALID;
    char hex[33];
    mac_hex(key, kind, v, e, hex);
    if (CRYPTO_memcmp(hex, d2 + 1, 32) != 0)
        return ERR_INVALID;
    if (e != 0 && now > e)
        return ERR_NOT_FOUND;
    *id = v;
    return 0;
}

void mail_base64(struct buf *out, const unsigned char *p, size_t n)
{
    unsigned char chunk[4 * 48 / 3 + 1];
    while (n > 0) {
        size_t k = n < 48 ? n : 48;
        int m = EVP_EncodeBlock(chunk, p, (int)k);
        buf_append(out, chunk, (size_t)m);
        p += k;
        n -= k;
    }
}

/* Declared in mail.h (DKIM). */
#include <openssl/pem.h>
#include <openssl/x509.h>

/* no_passphrase: an encrypted key is refused, never asked for on a tty. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

int mail_dkim_public_key(const char *pem, enum mail_dkim_alg alg,
                         struct buf *out)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL)
                    : NULL;
    BIO_free(b);
    if (!k)
        return ERR_PARSE;
    int rc = ERR_INVALID;
    if (alg == MAIL_DKIM_RSA && EVP_PKEY_base_id(k) == EVP_PKEY_RSA) {
        /* p= is the SubjectPublicKeyInfo (RFC 6376, 3.6.1). */
        unsigned char *der = NULL;
        int n = i2d_PUBKEY(k, &der);
        if (n > 0) {
            mail_base64(out, der, (size_t)n);
            rc = 0;
        }
        OPENSSL_free(der);
    } else if (alg == MAIL_DKIM_ED25519 &&
               EVP_PKEY_base_id(k) == EVP_PKEY_ED25519) {
        /* p= is the raw 32-byte public key (RFC 8463, 4.2). */
        unsigned char raw[32];
        size_t n = sizeof(raw);
        if (EVP_PKEY_get_raw_public_key(k, raw, &n) == 1 && n == 32) {
            mail_base64(out, raw, n);
            rc = 0;
        }
    }
    EVP_PKEY_free(k);
    return rc;
}

int mail_ed25519_seed(const char *pem, unsigned char seed[32])
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL)
                    : NULL;
    BIO_free(b);
    size_t n = 32;
    int rc = k && EVP_PKEY_base_id(k) == EVP_PKEY_ED25519 &&
                     EVP_PKEY_get_raw_private_key(k, seed, &n) == 1 && n == 32
                 ? 0
                 : ERR_PARSE;
    EVP_PKEY_free(k);
    return rc;
}
