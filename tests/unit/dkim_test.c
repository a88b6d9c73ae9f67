/* dkim_test.c - the Ed25519-SHA256 DKIM signature of dkim_ed25519.c: the
 * relaxed body hash against RFC 8463's example and python3-dkim's values,
 * the header's shape, and the signature over the relaxed header hash. */
#include "mail/mail.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

static const char *const HDRS[] = {"from", "to", "subject", "date", NULL};

/* sign signs "headers CRLF body" and returns the header in out. */
static void sign(const char *headers, const char *body, struct buf *out,
                 unsigned char pk[32])
{
    /* RFC 8463 A.2's private key (its seed) */
    static const char seed64[] = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
    unsigned char seed[32], sk[64];
    size_t n = 0;
    assert_int_equal(sodium_base642bin(seed, sizeof(seed), seed64,
                                       strlen(seed64), NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(n, 32);
    crypto_sign_seed_keypair(pk, sk, seed);
    struct buf m;
    buf_init(&m, 1 << 16);
    buf_append_cstr(&m, headers);
    buf_append_cstr(&m, "\r\n");
    buf_append_cstr(&m, body);
    assert_int_equal(mail_dkim_ed25519(sk, "football.example.com", "brisbane",
                                       HDRS, 1528637909, &m, out),
                     0);
    buf_release(&m);
}

static void check_bh(const char *body, const char *bh)
{
    struct buf out;
    unsigned char pk[32];
    buf_init(&out, 1 << 16);
    sign("From: Joe SixPack <joe@football.example.com>\r\n", body, &out, pk);
    char want[64];
    snprintf(want, sizeof(want), "bh=%s;", bh);
    assert_non_null(strstr(out.ptr, want));
    buf_release(&out);
}

static void body_hash(void **state)
{
    (void)state;
    /* RFC 8463 A.3: the same bh= as its example */
    check_bh("Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\n"
             "Joe.\r\n",
             "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
    /* leading WSP kept as one space, trailing WSP and blank lines at the
     * end dropped (python3-dkim's Relaxed.canonicalize_body) */
    check_bh("  lead\t \tand  trail \t\r\n \t \r\n\r\nx\r\n\r\n \r\n\t\r\n",
             "chnImsGNyKPSruriGeNg3fKuA7/eNWLVZfkq42mzhtU=");
    check_bh("", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    check_bh("\r\n\r\n", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

static void header_and_signature(void **state)
{
    (void)state;
    struct buf out;
    unsigned char pk[32];
    buf_init(&out, 1 << 16);
    const char *hdrs = "From: Joe SixPack <joe@football.example.com>\r\n"
                       "To: Suzie Q <suzie@shopping.example.net>\r\n"
                       "Subject: Is dinner ready?\r\n"
                       "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
                       "Message-ID: <20030712040037.46341.5F8J@football."
                       "example.com>\r\n";
    sign(hdrs, "Hi.\r\n", &out, pk);
    const char *s = out.ptr;
    assert_int_equal(strncmp(s, "DKIM-Signature: v=1; a=ed25519-sha256;", 38),
                     0);
    assert_non_null(strstr(s, "h=From:To:Subject:Date;"));
    assert_non_null(strstr(s, " t=1528637909;"));
    /* every line within 78 columns, CRLF ends, folded with a tab */
    for (const char *l = s; *l;) {
        const char *e = strstr(l, "\r\n");
        assert_non_null(e);
        assert_true(e - l <= 78);
        l = e + 2;
        assert_true(!*l || *l == '\t');
    }
    /* b= is Ed25519 over SHA-256 of the relaxed signed headers and this
     * header with an empty b= (RFC 6376 3.7, RFC 8463 3) */
    const char *b = strstr(s, "\tb=");
    assert_non_null(b);
    char b64[128];
    size_t k = 0;
    for (const char *p = b + 3; *p && k < sizeof(b64) - 1; p++)
        if (*p != '\r' && *p != '\n' && *p != '\t' && *p != ' ')
            b64[k++] = *p;
    b64[k] = 0;
    unsigned char sig[64];
    size_t n = 0;
    assert_int_equal(sodium_base642bin(sig, sizeof(sig), b64, k, NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(n, 64);
    struct buf data;
    buf_init(&data, 1 << 16);
    buf_append_cstr(&data, "from:Joe SixPack <joe@football.example.com>\r\n"
                           "to:Suzie Q <suzie@shopping.example.net>\r\n"
                           "subject:Is dinner ready?\r\n"
                           "date:Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n");
    /* this header relaxed: unfolded, runs of WSP one space */
    buf_append_cstr(&data, "dkim-signature:");
    bool space = false;
    for (const char *p = s + strlen("DKIM-Signature: "); p < b + 3; p++) {
        if (*p == '\r' || *p == '\n')
            continue;
        if (*p == ' ' || *p == '\t') {
            space = true;
            continue;
        }
        if (space)
            buf_append_char(&data, ' ');
        space = false;
        buf_append_char(&data, *p);
    }
    unsigned char hash[32];
    crypto_hash_sha256(hash, (unsigned char *)data.ptr, data.len);
    assert_int_equal(crypto_sign_verify_detached(sig, hash, 32, pk), 0);
    hash[0] ^= 1;
    assert_int_not_equal(crypto_sign_verify_detached(sig, hash, 32, pk), 0);
    buf_release(&data);
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(body_hash),
        cmocka_unit_test(header_and_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
