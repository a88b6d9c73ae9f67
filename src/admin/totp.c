/*
 * totp.c - TOTP codes, the enrolment QR code and recovery codes.
 *
 * liboath computes and checks the codes (RFC 4226/6238); libqrencode
 * makes the QR matrix, drawn here as one SVG path (a dark module is
 * "M x y h1v1h-1z"), so it is an image with no script or style in it.
 */
#define LOG_MODULE "admin"
#include "admin/totp.h"

#include "admin/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"

#include <ctype.h>
#include <liboath/oath.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    if (oath_init() != OATH_OK)
        log_error("liboath cannot start");
}

/* RFC 4648 base32 alphabet; no padding for 20 bytes -> 32 characters. */
static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static void base32(const unsigned char *in, size_t n, char *out)
{
    unsigned buf = 0, bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        buf = (buf << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = b32[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits)
        out[o++] = b32[(buf << (5 - bits)) & 31];
    out[o] = '\0';
}

void totp_new_secret(char out[TOTP_SECRET_LEN + 1])
{
    unsigned char raw[20];
    auth_random_bytes(raw, sizeof(raw));
    base32(raw, sizeof(raw), out);
}

/* decode turns the base32 secret into bytes (malloc'd by liboath). */
static bool decode(const char *secret_b32, char **raw, size_t *n)
{
    pthread_once(&once, init);
    return oath_base32_decode(secret_b32, strlen(secret_b32), raw, n) ==
           OATH_OK;
}

bool totp_check_step(const char *secret_b32, const char *code, int64_t now,
                     int64_t *step)
{
    if (!secret_b32 || !code || strlen(code) != 6)
        return false;
    for (const char *p = code; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    char *raw = NULL;
    size_t n = 0;
    if (!decode(secret_b32, &raw, &n))
        return false;
    int pos = 0;
    int rc = oath_totp_validate2(raw, n, (time_t)now,
                                 OATH_TOTP_DEFAULT_TIME_STEP_SIZE, 0, 1, &pos,
                                 code);
    free(raw);
    if (rc < 0)
        return false;
    *step = now / OATH_TOTP_DEFAULT_TIME_STEP_SIZE + pos;
    return true;
}

bool totp_check(const char *secret_b32, const char *code, int64_t now)
{
    int64_t step;
    return totp_check_step(secret_b32, code, now, &step);
}

bool totp_code(const char *secret_b32, int64_t now, char out[7])
{
    char *raw = NULL;
    size_t n = 0;
    if (!decode(secret_b32, &raw, &n))
        return false;
    int rc = oath_totp_generate(raw, n, (time_t)now,
                                OATH_TOTP_DEFAULT_TIME_STEP_SIZE, 0, 6, out);
    free(raw);
    return rc == OATH_OK;
}

/* pct appends s percent-encoded for a URI component. */
static void pct(struct buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~@", *p))
            buf_append_char(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

const char *totp_uri(struct arena *a, const char *issuer, const char *account,
                     const char *secret_b32)
{
    struct buf b;
    buf_init_arena(&b, a, 4096);
    buf_append_cstr(&b, "otpauth://totp/");
    pct(&b, issuer);
    buf_append_cstr(&b, ":");
    pct(&b, account);
    buf_printf(&b, "?secret=%s&issuer=", secret_b32);
    pct(&b, issuer);
    buf_append_cstr(&b, "&algorithm=SHA1&digits=6&period=30");
    return buf_error(&b) ? NULL : b.ptr;
}

const char *totp_qr_svg(struct arena *a, const char *text)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return NULL;
    int w = q->width, quiet = 4, size = w + 2 * quiet;
    struct buf b;
    buf_init_arena(&b, a, 1 << 20);
    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d "
               "%d\" role=\"img\" aria-label=\"QR code for your "
               "authenticator app\" shape-rendering=\"crispEdges\">"
               "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
               "<path fill=\"#000\" d=\"",
               size, size, size, size);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (q->data[y * w + x] & 1)
                buf_printf(&b, "M%d %dh1v1h-1z", x + quiet, y + quiet);
    buf_append_cstr(&b, "\"/></svg>");
    QRcode_free(q);
    return buf_error(&b) ? NULL : b.ptr;
}

void totp_recovery_code(char out[TOTP_RECOVERY_LEN + 1])
{
    static const char lower[] = "abcdefghijkmnpqrstuvwxyz23456789";
    unsigned char raw[10];
    auth_random_bytes(raw, sizeof(raw));
    for (int i = 0, o = 0; i < 10; i++) {
        if (i == 5)
            out[o++] = '-';
        out[o++] = lower[raw[i] & 31];
    }
    out[TOTP_RECOVERY_LEN] = '\0';
}

bool totp_recovery_normal(const char *code, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = code; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        if (o + 1 >= n)
            return false;
        out[o++] = (char)tolower((unsigned char)*p);
    }
    out[o] = '\0';
    return true;
}
