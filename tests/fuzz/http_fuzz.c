/*
 * http_fuzz.c - libFuzzer harness for Quire's side of the HTTP request path.
 *
 * libmicrohttpd parses the request line and headers; everything Quire does
 * with the bytes afterwards is driven here, in the order server.c and
 * site.c do it: split the target into path and query (server.c), decode
 * the path (request.c), match it against the real route table (site.c,
 * included so new routes are fuzzed as they land), the asset path check
 * (static.c), ?page=N, the urlencoded form body, If-None-Match, the bot
 * check, and the access log's escaping. Input, one field per line:
 *
 *   METHOD TARGET [VERSION]\n If-None-Match\n User-Agent\n Content-Type\n BODY
 *
 * Missing lines are absent headers. The header lookups go through
 * request.c's real functions: MHD_lookup_connection_value is defined below
 * (an executable's definition takes precedence over libmicrohttpd's) and
 * reads the fields above. Besides crashes, the invariants callers rely on
 * are asserted: a decoded path is '/'-rooted UTF-8 without control bytes,
 * captures lie inside it, an accepted asset path has no "."/".." segment.
 */
#include "http/server.c"
#include "http/static.c"
#undef LOG_MODULE
#include "site/site.c"

#include "core/utf8.h"
#include "content/email.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake_headers {
    const char *if_none_match;
    const char *user_agent;
    const char *content_type;
};

const char *MHD_lookup_connection_value(struct MHD_Connection *connection,
                                        enum MHD_ValueKind kind,
                                        const char *key)
{
    const struct fake_headers *h = (const void *)connection;
    if (!h || kind != MHD_HEADER_KIND)
        return NULL;
    if (strcasecmp(key, "If-None-Match") == 0)
        return h->if_none_match;
    if (strcasecmp(key, "User-Agent") == 0)
        return h->user_agent;
    if (strcasecmp(key, "Content-Type") == 0)
        return h->content_type;
    return NULL;
}

/* next_line cuts the next '\n'-ended line as a C string; NULL at the end. */
static const char *next_line(struct arena *a, const char **p, const char *end)
{
    if (*p >= end)
        return NULL;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    const char *line = arena_strndup(a, *p, (size_t)(stop - *p));
    *p = nl ? nl + 1 : end;
    return line;
}

static bool within(struct str inner, struct str outer)
{
    return inner.ptr >= outer.ptr &&
           inner.ptr + inner.len <= outer.ptr + outer.len;
}

/* check_relpath restates safe_relpath's promise segment by segment. */
static void check_relpath(struct str rel)
{
    assert(rel.len > 0 && rel.len <= MAX_REL && rel.ptr[0] != '/');
    assert(!memchr(rel.ptr, '\\', rel.len) && !memchr(rel.ptr, '\0', rel.len));
    size_t start = 0;
    for (size_t i = 0; i <= rel.len; i++) {
        if (i < rel.len && rel.ptr[i] != '/')
            continue;
        struct str seg = {rel.ptr + start, i - start};
        assert(seg.len > 0 && !str_eq_cstr(seg, ".") &&
               !str_eq_cstr(seg, ".."));
        start = i + 1;
    }
}

static void check_log_line(struct arena *a, const char *s, bool json)
{
    struct buf b;
    buf_init_arena(&b, a, 1 << 20);
    log_escape(&b, s, json);
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.ptr[i];
        assert(c >= 0x20 && c < 0x7f); /* nothing can break the log line */
        if (c == '\\') {
            i++; /* an escape: the next byte is its own */
            continue;
        }
        assert(c != '"');
    }
}

static void route(struct request *req)
{
    const struct route *r = NULL;
    const char *allow = NULL;
    int rc = router_match(routes, NROUTES, req, &r, &allow);
    if (rc == ERR_INVALID) {
        assert(allow && *allow);
        return;
    }
    if (rc != 0) {
        /* ERR_PARSE: a form route sent a body that is not a form (415) */
        assert(rc == ERR_NOT_FOUND || (rc == ERR_PARSE && r && req->form));
        return;
    }
    assert(req->n_params <= HTTP_MAX_PARAMS);
    for (size_t i = 0; i < req->n_params; i++)
        assert(within(req->params[i], req->path));

    if (r->handler == site_asset) {
        assert(req->n_params == 1);
        if (safe_relpath(req->params[0]))
            check_relpath(req->params[0]);
        assert(type_of(req->params[0]) != NULL);
    }
    int page = r->flags & SITE_PAGED ? site_page_arg(req) : 1;
    assert(page >= 0 && page <= SITE_MAX_PAGE);
    /* Absolute-URL pages key on the site's origin; no site here. */
    if (page > 0 && (r->flags & ROUTE_CACHED) && !(r->flags & SITE_ABSOLUTE)) {
        struct str key = cache_key(NULL, req, r, page);
        assert(key.len >= req->path.len);
    }
    if (r->flags & ROUTE_FORM) {
        const char *email = request_form_field(req, "email");
        if (email && email_valid(email))
            assert(strlen(email) <= 254 && strchr(email, '@'));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 4096);
    const char *p = (const char *)data, *end = p + size;

    const char *line = next_line(&a, &p, end);
    struct fake_headers h = {
        .if_none_match = next_line(&a, &p, end),
        .user_agent = next_line(&a, &p, end),
        .content_type = next_line(&a, &p, end),
    };
    if (!line)
        goto out;
    const char *sp = strchr(line, ' ');
    const char *method = sp ? arena_strndup(&a, line, (size_t)(sp - line))
                            : line;
    const char *target = sp ? sp + 1 : "/";
    const char *sp2 = strchr(target, ' ');
    if (sp2)
        target = arena_strndup(&a, target, (size_t)(sp2 - target));

    struct request req = {
        .arena = &a,
        .method_name = method,
        .method = http_method_of(method),
        .body = {p, (size_t)(end - p)},
        .conn = &h,
    };
    check_log_line(&a, target, false);
    check_log_line(&a, target, true);

    struct str raw_path;
    split_target(target, &raw_path, &req.query);
    /* Slices of the target, but for an absolute-form target without a
     * path, which is "/" (a literal). */
    assert(str_eq_cstr(raw_path, "/") || (within(raw_path, str_from(target)) &&
                                          within(req.query, str_from(target))));
    if (http_decode_path(&a, raw_path, &req.path) == 0) {
        assert(req.path.len > 0 && req.path.ptr[0] == '/');
        assert(req.path.ptr[req.path.len] == '\0');
        for (size_t i = 0; i < req.path.len; i++)
            assert((unsigned char)req.path.ptr[i] >= 0x20 &&
                   req.path.ptr[i] != 0x7f);
        assert(utf8_valid(req.path.ptr, req.path.len, NULL));
        route(&req);
    }
    (void)request_query_arg(&req, "q");
    (void)request_is_fresh(&req, "\"2a-5f3b1c.0\"");
    (void)request_is_fresh(&req, "W/\"x\"");
    if (h.if_none_match && *h.if_none_match)
        (void)http_etag_list_matches(h.if_none_match, h.if_none_match);
    (void)request_is_bot(&req);
out:
    arena_release(&a);
    return 0;
}
