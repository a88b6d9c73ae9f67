/*
 * totp.h - the optional second factor: RFC 6238 codes (30 s, 6 digits,
 * HMAC-SHA1, one step of drift either way) through liboath, the enrolment
 * QR code as inline SVG through libqrencode, and recovery codes.
 * totp.c is the only file that includes oath.h and qrencode.h.
 */
#ifndef QUIRE_ADMIN_TOTP_H
#define QUIRE_ADMIN_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum {
    TOTP_SECRET_LEN = 32,   /* base32 characters of a 160-bit secret */
    TOTP_RECOVERY_N = 10,   /* recovery codes made at enrolment */
    TOTP_RECOVERY_LEN = 11, /* "xxxxx-xxxxx" */
};

/* totp_new_secret writes a new random secret in base32 (NUL-ended). */
void totp_new_secret(char out[TOTP_SECRET_LEN + 1]);
/* totp_check: is code (6 digits) valid for secret at now, ±1 step? */
bool totp_check(const char *secret_b32, const char *code, int64_t now);
/* totp_check_step is totp_check that also gives the 30-second step the
 * code belongs to (now / 30 - 1, + 0 or + 1), to refuse it a second time
 * (store_user_totp_use). */
bool totp_check_step(const char *secret_b32, const char *code, int64_t now,
                     int64_t *step);
/* totp_code computes the code for secret at now (tests, 7 bytes). */
bool totp_code(const char *secret_b32, int64_t now, char out[7]);
/* totp_uri: the otpauth:// URI an authenticator app reads. */
const char *totp_uri(struct arena *a, const char *issuer, const char *account,
                     const char *secret_b32);
/* totp_qr_svg draws text as a QR code in an <svg> element (arena); NULL
 * if libqrencode cannot encode it. */
const char *totp_qr_svg(struct arena *a, const char *text);
/* totp_recovery_code writes a random recovery code (lower-case base32,
 * "xxxxx-xxxxx"). */
void totp_recovery_code(char out[TOTP_RECOVERY_LEN + 1]);
/* totp_recovery_normal copies code without spaces and dashes, lower
 * case, into out (for hashing what the user typed); false if too long. */
bool totp_recovery_normal(const char *code, char *out, size_t n);

#endif
