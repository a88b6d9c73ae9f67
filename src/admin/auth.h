/*
 * auth.h - the secrets of the back office, all through libsodium:
 * argon2id password hashes, random session ids, tokens and CSRF tokens,
 * and the BLAKE2b hashes under which those are stored.
 *
 * auth.c is the only file that includes sodium.h.
 */
#ifndef QUIRE_ADMIN_AUTH_H
#define QUIRE_ADMIN_AUTH_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    AUTH_PASSWORD_MIN = 10, /* characters (bytes) of a password */
    AUTH_PASSWORD_MAX = 1024,
    AUTH_HASH_MAX = 128, /* >= crypto_pwhash_STRBYTES */
    AUTH_TOKEN_LEN = 43, /* 32 random bytes, base64url, no padding */
    AUTH_HEX_LEN = 64,   /* a stored hash: 32 bytes in hex */
};

/* auth_init starts libsodium; ERR_IO if it cannot. Safe to call again. */
int auth_init(void) WUR;
/*
 * auth_password_hash hashes pw with argon2id (interactive limits) into
 * out (AUTH_HASH_MAX bytes). ERR_INVALID if pw is shorter than
 * AUTH_PASSWORD_MIN or longer than AUTH_PASSWORD_MAX; ERR_IO if out of
 * memory for the hash.
 */
int auth_password_hash(const char *pw, char out[AUTH_HASH_MAX]) WUR;
/*
 * auth_password_check: does pw match hash? A NULL hash checks against a
 * dummy hash, so an unknown account costs the same time, and fails.
 */
bool auth_password_check(const char *hash, const char *pw);
/* auth_random_token writes 32 random bytes as base64url (NUL-ended). */
void auth_random_token(char out[AUTH_TOKEN_LEN + 1]);
/* auth_hash_hex writes the hex of a keyless BLAKE2b-256 of secret. */
void auth_hash_hex(const char *secret, size_t len, char out[AUTH_HEX_LEN + 1]);
/* auth_equal compares two strings in time independent of their bytes. */
bool auth_equal(const char *a, const char *b);
/* auth_random_bytes fills buf with n random bytes. */
void auth_random_bytes(void *buf, size_t n);

#endif
