/*
 * signup_fuzz.c - libFuzzer harness for what the sign-up form and its
 * links take from strangers: the address (content/email.c) and the confirm
 * and unsubscribe tokens of /newsletter/confirm|unsubscribe/<token>
 * (mail/crypto.c).
 *
 * Input: the first byte picks the target ('c' or 'u': a token of that
 * kind; anything else: an address), the rest is the text. Besides crashes
 * it checks that no input but a genuine token verifies: a token that
 * passes must be byte for byte the one mail_token_make writes.
 */
#include "content/email.h"
#include "mail/mail.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char key[32] = "quire-fuzz-key-quire-fuzz-key-!";
    if (size == 0)
        return 0;
    char *s = strndup((const char *)data + 1, size - 1);
    if (data[0] == 'c' || data[0] == 'u') {
        int64_t id = 0;
        if (mail_token_check(key, (char)data[0], s, 1000, &id) == 0) {
            char again[MAIL_TOKEN_MAX];
            const char *d = strchr(s, '.');
            long long exp = strtoll(d + 1, NULL, 10);
            mail_token_make(key, (char)data[0], id, exp, again);
            assert(strcmp(again, s) == 0);
        }
    } else {
        (void)email_valid(s);
    }
    free(s);
    return 0;
}
