/*
 * json.c - the admin API's JSON: a strict body reader and the error and
 * reply writers (jansson).
 *
 * The reader refuses, before any handler sees a value: a body that is not
 * application/json (415) or over ADMIN_JSON_MAX (413), bytes that are not
 * UTF-8 (400, with the offset), malformed JSON (400, with line and
 * column), duplicate keys, a top level that is not an object, fields the
 * endpoint does not declare, values of the wrong type or too long, and
 * missing required fields (400, naming the field). null counts as absent.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int admin_json_reply(struct response *res, int status, json_t *v)
{
    buf_reset(&res->body);
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(v);
    if (!text) {
        buf_append_cstr(&res->body, "{\"error\":{\"code\":\"internal\","
                                    "\"message\":\"cannot write JSON\"}}");
        status = 500;
    } else {
        buf_append_cstr(&res->body, text);
        free(text);
    }
    res->content_type = "application/json";
    return status;
}

int admin_json_error(struct response *res, int status, const char *code,
                     const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* A message quoting input may end in a cut UTF-8 sequence. */
    size_t bad;
    if (!utf8_valid(msg, strlen(msg), &bad))
        msg[bad] = '\0';
    json_t *v =
        json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    return admin_json_reply(res, status, v);
}

static const char *kind_name(enum json_kind k)
{
    switch (k) {
    case JF_STRING: return "a string";
    case JF_INT: return "an integer";
    case JF_BOOL: return "true or false";
    case JF_STRINGS: return "a list of strings";
    case JF_INTS: return "a list of integers";
    }
    return "?";
}

/* take checks one value against its field and copies it into out. */
static int take(struct arena *a, struct response *res,
                const struct json_field *f, json_t *v, struct json_value *o)
{
    if (json_is_null(v))
        return 0;
    switch (f->kind) {
    case JF_STRING:
        if (!json_is_string(v))
            break;
        if (f->max && json_string_length(v) > f->max)
            return admin_json_error(res, 400, "too_long",
                                    "field '%s' is longer than %zu bytes",
                                    f->name, f->max);
        o->s = arena_strndup(a, json_string_value(v), json_string_length(v));
        o->present = true;
        return 0;
    case JF_INT:
        if (!json_is_integer(v))
            break;
        o->i = (long long)json_integer_value(v);
        o->present = true;
        return 0;
    case JF_BOOL:
        if (!json_is_boolean(v))
            break;
        o->b = json_is_true(v);
        o->present = true;
        return 0;
    case JF_STRINGS: {
        if (!json_is_array(v))
            break;
        size_t n = json_array_size(v);
        if (f->max && n > f->max)
            return admin_json_error(res, 400, "too_long",
                                    "field '%s' has more than %zu items",
                                    f->name, f->max);
        o->list = arena_alloc(a, (n + 1) * sizeof(*o->list));
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(v, i);
            if (!json_is_string(e))
                return admin_json_error(res, 400, "wrong_type",
                                        "field '%s' item %zu must be a "
                                        "string",
                                        f->name, i);
            o->list[i] =
                arena_strndup(a, json_string_value(e), json_string_length(e));
        }
        o->list[n] = NULL;
        o->n = n;
        o->present = true;
        return 0;
    }
    case JF_INTS: {
        if (!json_is_array(v))
            break;
        size_t n = json_array_size(v);
        if (f->max && n > f->max)
            return admin_json_error(res, 400, "too_long",
                                    "field '%s' has more than %zu items",
                                    f->name, f->max);
        o->ints = arena_alloc(a, (n + 1) * sizeof(*o->ints));
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(v, i);
            if (!json_is_integer(e))
                return admin_json_error(res, 400, "wrong_type",
                                        "field '%s' item %zu must be an "
                                        "integer",
                                        f->name, i);
            o->ints[i] = (long long)json_integer_value(e);
        }
        o->n = n;
        o->present = true;
        return 0;
    }
    }
    return admin_json_error(res, 400, "wrong_type", "field '%s' must be %s",
                            f->name, kind_name(f->kind));
}

int admin_json_read(struct admin_req *ar, struct response *res,
                    const struct json_field *fields, size_t n,
                    struct json_value *out)
{
    memset(out, 0, n * sizeof(*out));
    const char *ct = request_header(ar->req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' '))
        return admin_json_error(res, 415, "unsupported_media_type",
                                "send Content-Type: application/json");
    return admin_json_parse(ar->req->arena, ar->req->body, res, fields, n, out);
}

int admin_json_parse(struct arena *a, struct str body, struct response *res,
                     const struct json_field *fields, size_t n,
                     struct json_value *out)
{
    json_t *root = NULL;
    int status = 0;
    memset(out, 0, n * sizeof(*out));
    if (body.len > ADMIN_JSON_MAX)
        return admin_json_error(res, 413, "too_big",
                                "the body is over %d bytes", ADMIN_JSON_MAX);
    size_t bad;
    if (!utf8_valid(body.ptr, body.len, &bad))
        return admin_json_error(res, 400, "invalid_utf8",
                                "the body is not valid UTF-8 (byte %zu)", bad);
    json_error_t e;
    root = json_loadb(body.ptr, body.len, JSON_REJECT_DUPLICATES, &e);
    if (!root)
        return admin_json_error(res, 400, "malformed_json",
                                "malformed JSON at line %d column %d: %s",
                                e.line, e.column, e.text);
    if (!json_is_object(root)) {
        status = admin_json_error(res, 400, "malformed_json",
                                  "the body must be a JSON object");
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(fields[i].name, key) != 0)
            i++;
        if (i == n) {
            status = admin_json_error(res, 400, "unknown_field",
                                      "unknown field '%.100s'", key);
            goto out;
        }
        status = take(a, res, &fields[i], v, &out[i]);
        if (status != 0)
            goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].required && !out[i].present) {
            status = admin_json_error(res, 400, "missing_field",
                                      "field '%s' is required", fields[i].name);
            goto out;
        }
    }
out:
    json_decref(root);
    return status;
}

bool admin_json_null(struct admin_req *ar, const char *name)
{
    json_t *root = json_loadb(ar->req->body.ptr, ar->req->body.len, 0, NULL);
    bool null = root && json_is_null(json_object_get(root, name));
    json_decref(root);
    return null;
}
