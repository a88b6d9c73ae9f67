/*
 * admin_fuzz.c - libFuzzer harness for what the back office reads from
 * clients before anyone is logged in or any handler runs: the Cookie
 * header (admin_cookie_find), login form bodies (http_form_lookup on the
 * fields the login and TOTP forms read, then the recovery-code
 * normaliser and the TOTP check), and the admin API's JSON bodies
 * (admin_json_parse against a field list with every kind).
 *
 * Input: the Cookie header up to the first '\n'; everything is also the
 * form body and the JSON body. Promises checked: a cookie value never
 * holds ';'; the JSON reader answers 0, 400 or 413, with an error body
 * that is itself JSON of the documented shape; accepted strings are
 * valid UTF-8 and within their limits.
 */
#include "admin/admin_int.h"
#include "admin/totp.h"
#include "core/arena.h"
#include "core/utf8.h"
#include "http/http_int.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct json_field fields[] = {
    {"title", JF_STRING, true, 64}, {"tags", JF_STRINGS, false, 8},
    {"revision", JF_INT, false, 0}, {"draft", JF_BOOL, false, 0},
    {"body", JF_STRING, false, 0},
};
#define NF (sizeof(fields) / sizeof(fields[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 4096);
    const char *in = (const char *)data;

    /* the Cookie header: NUL-free text up to '\n' */
    const char *nl = memchr(in, '\n', size);
    size_t hlen = nl ? (size_t)(nl - in) : size;
    char *header = arena_strndup(&a, in, hlen);
    if (strlen(header) == hlen) {
        static const char *const names[] = {ADMIN_COOKIE, ADMIN_LOGIN_COOKIE,
                                            "q", ""};
        for (size_t i = 0; i < 4; i++) {
            const char *v = admin_cookie_find(&a, header, names[i]);
            assert(!v || !strchr(v, ';'));
        }
    }

    /* the login and TOTP forms */
    struct str body = {in, size};
    static const char *const form[] = {"email",  "password", "csrf", "code",
                                       "secret", "role",     "name"};
    for (size_t i = 0; i < sizeof(form) / sizeof(form[0]); i++) {
        const char *v = http_form_lookup(&a, body, form[i]);
        if (v && strcmp(form[i], "code") == 0) {
            char norm[16];
            (void)totp_recovery_normal(v, norm, sizeof(norm));
            (void)totp_check("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", v, 0);
        }
    }

    /* the API's JSON */
    struct response res = {0};
    buf_init_arena(&res.body, &a, 1 << 20);
    struct json_value out[NF];
    int status = admin_json_parse(&a, body, &res, fields, NF, out);
    assert(status == 0 || status == 400 || status == 413);
    if (status == 0) {
        assert(out[0].present && strlen(out[0].s) <= 64);
        assert(utf8_valid(out[0].s, strlen(out[0].s), NULL));
        assert(!out[1].present || out[1].n <= 8);
    } else {
        json_error_t e;
        json_t *err = json_loadb(res.body.ptr, res.body.len, 0, &e);
        assert(err);
        json_t *code = json_object_get(json_object_get(err, "error"), "code");
        assert(json_is_string(code));
        json_decref(err);
    }
    arena_release(&a);
    return 0;
}
