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

/*
 * What a login for an unknown account checks its password against, so it
 * costs what a real check does: the argon2id hash, at the interactive
 * limits, of a random password thrown away when it was made. A constant,
 * not made at start-up: making one took a tenth of a second and 64 MB
 * (the peak RSS of every server). Should libsodium's interactive limits
 * change, a hash with the new ones is made once instead (dummy()).
 */
static const char DUMMY_HASH[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$QqROo52XJygb1T/jieXbIA$"
    "0NaFHCHd9AWREEQhn5UGhBmqenlMDN0s63iKidpRuzY";
static char made_hash[crypto_pwhash_STRBYTES];
static pthread_once_t made_once = PTHREAD_ONCE_INIT;

_Static_assert(AUTH_HASH_MAX >= crypto_pwhash_STRBYTES, "hash room");

static void make_dummy(void)
{
    char pw[AUTH_TOKEN_LEN + 1];
    auth_random_token(pw);
    if (crypto_pwhash_str(made_hash, pw, strlen(pw),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        log_error("cannot compute the dummy password hash");
}

static const char *dummy(void)
{
    if (crypto_pwhash_str_needs_rehash(DUMMY_HASH,
                                       crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
        return DUMMY_HASH;
    pthread_once(&made_once, make_dummy);
    return made_hash;
}

int auth_init(void)
{
    return sodium_init() < 0 ? ERR_IO : 0;
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
        /* The same work as a real check; the answer is no regardless. */
        int rc = crypto_pwhash_str_verify(dummy(), pw ? pw : "", n);
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
