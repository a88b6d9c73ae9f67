/*
 * auth.c - passwords, random ids and stored hashes (libsodium).
 *
 * Why BLAKE2b for sessions and tokens and not argon2id: they are 256-bit
 * random values, not guessable passwords, so a fast hash is enough to make
 * a stolen database useless, and every request can afford it.
 */
#define LOG_MODULE "admin"
#include "admin/auth.h"

#include "core/log.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

_Static_assert(AUTH_HASH_MAX >= crypto_pwhash_STRBYTES, "hash room");

/* make_dummy hashes a random password once: unknown accounts check it. */
static void make_dummy(void)
{
    char pw[AUTH_TOKEN_LEN + 1];
    auth_random_token(pw);
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        log_error("cannot compute the dummy password hash");
}

int auth_init(void)
{
    return sodium_init() < 0 ? ERR_IO : 0;
}

static void *dummy_thread(void *arg)
{
    (void)arg;
    pthread_once(&dummy_once, make_dummy);
    return NULL;
}

/* auth_warm_up makes the dummy hash in the background: argon2id takes a
 * tenth of a second or more, which the server's start-up need not wait
 * for (a login that comes first waits for it in pthread_once). */
void auth_warm_up(void)
{
    pthread_t t;
    pthread_attr_t at;
    if (pthread_attr_init(&at) != 0)
        return;
    if (pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED) == 0)
        (void)pthread_create(&t, &at, dummy_thread, NULL);
    pthread_attr_destroy(&at);
}

int auth_password_hash(const char *pw, char out[AUTH_HASH_MAX])
{
    size_t n = strlen(pw);
    if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX)
        return ERR_INVALID;
    if (crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ERR_IO;
    return 0;
}

bool auth_password_check(const char *hash, const char *pw)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n > AUTH_PASSWORD_MAX)
        n = AUTH_PASSWORD_MAX; /* still spend the time; cannot match */
    if (!hash) {
        pthread_once(&dummy_once, make_dummy);
        /* The same work as a real check; the answer is no regardless. */
        int rc = crypto_pwhash_str_verify(dummy_hash, pw ? pw : "", n);
        return rc == 0 && false;
    }
    return crypto_pwhash_str_verify(hash, pw ? pw : "", n) == 0;
}

void auth_random_bytes(void *buf, size_t n)
{
    randombytes_buf(buf, n);
}

void auth_random_token(char out[AUTH_TOKEN_LEN + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void auth_hash_hex(const char *secret, size_t len, char out[AUTH_HEX_LEN + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)secret, len, NULL,
                       0);
    sodium_bin2hex(out, AUTH_HEX_LEN + 1, h, sizeof(h));
}

bool auth_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b))
        return false;
    return sodium_memcmp(a, b, n) == 0;
}
