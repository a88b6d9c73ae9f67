/*
 * router_test.c - patterns, captures, table order, 404 vs 405 and Allow,
 * HEAD implied by GET.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/arena.h"
#include "http/router.h"

#include <string.h>

static int h_a(struct request *req, struct response *res, void *ctx)
{
    (void)req, (void)res, (void)ctx;
    return 200;
}

static int h_b(struct request *req, struct response *res, void *ctx)
{
    (void)req, (void)res, (void)ctx;
    return 201;
}

static const struct route routes[] = {
    {HTTP_GET, "/", h_a, 0},
    {HTTP_GET, "/articles/{}", h_a, 0},
    {HTTP_GET, "/articles/special", h_b, 0}, /* shadowed by the line above */
    {HTTP_GET, "/issues/{}/{}", h_b, 0},
    {HTTP_POST, "/newsletter", h_a, ROUTE_FORM},
    {HTTP_PUT | HTTP_DELETE, "/admin/articles/{}", h_a, 0},
    {HTTP_GET, "/admin/articles/{}", h_b, 0},
    {HTTP_GET, "/assets/*", h_a, 0},
    {HTTP_POST, "/x/{}.json", h_b, 0},
};
#define N (sizeof(routes) / sizeof(routes[0]))

struct t {
    struct arena a;
    struct request req;
};

static int match(struct t *t, enum http_method m, const char *path,
                 const struct route **r, const char **allow)
{
    arena_release(&t->a);
    arena_init(&t->a, 0);
    memset(&t->req, 0, sizeof(t->req));
    t->req.arena = &t->a;
    t->req.method = m;
    t->req.path = str_from(path);
    *r = NULL;
    *allow = NULL;
    return router_match(routes, N, &t->req, r, allow);
}

static void literal_and_captures(void **state)
{
    (void)state;
    struct t t;
    arena_init(&t.a, 0);
    const struct route *r;
    const char *allow;

    assert_int_equal(match(&t, HTTP_GET, "/", &r, &allow), 0);
    assert_ptr_equal(r, &routes[0]);
    assert_int_equal(t.req.n_params, 0);

    assert_int_equal(match(&t, HTTP_GET, "/articles/hello-world", &r, &allow),
                     0);
    assert_ptr_equal(r, &routes[1]);
    assert_int_equal(t.req.n_params, 1);
    assert_true(str_eq_cstr(t.req.params[0], "hello-world"));

    /* Table order: the capture route comes first and wins. */
    assert_int_equal(match(&t, HTTP_GET, "/articles/special", &r, &allow), 0);
    assert_ptr_equal(r, &routes[1]);

    assert_int_equal(match(&t, HTTP_GET, "/issues/2004/06", &r, &allow), 0);
    assert_ptr_equal(r, &routes[3]);
    assert_int_equal(t.req.n_params, 2);
    assert_true(str_eq_cstr(t.req.params[0], "2004"));
    assert_true(str_eq_cstr(t.req.params[1], "06"));

    /* "{}" inside a segment stops at '/', text after it must match. */
    assert_int_equal(match(&t, HTTP_POST, "/x/abc.json", &r, &allow),
                     ERR_NOT_FOUND);
    assert_int_equal(match(&t, HTTP_POST, "/x/abc", &r, &allow), ERR_NOT_FOUND);
    arena_release(&t.a);
}

static void segment_rules(void **state)
{
    (void)state;
    struct t t;
    arena_init(&t.a, 0);
    const struct route *r;
    const char *allow;
    /* "{}" is exactly one non-empty segment. */
    assert_int_equal(match(&t, HTTP_GET, "/articles/", &r, &allow),
                     ERR_NOT_FOUND);
    assert_int_equal(match(&t, HTTP_GET, "/articles", &r, &allow),
                     ERR_NOT_FOUND);
    assert_int_equal(match(&t, HTTP_GET, "/articles/a/b", &r, &allow),
                     ERR_NOT_FOUND);
    assert_int_equal(match(&t, HTTP_GET, "/articles/a/", &r, &allow),
                     ERR_NOT_FOUND);
    assert_int_equal(match(&t, HTTP_GET, "/issues/2004", &r, &allow),
                     ERR_NOT_FOUND);
    assert_int_equal(match(&t, HTTP_GET, "", &r, &allow), ERR_NOT_FOUND);
    assert_int_equal(match(&t, HTTP_GET, "/nothing", &r, &allow),
                     ERR_NOT_FOUND);
    assert_null(allow);

    /* "*" takes the rest, slashes included, possibly empty. */
    assert_int_equal(match(&t, HTTP_GET, "/assets/css/site.css", &r, &allow),
                     0);
    assert_true(str_eq_cstr(t.req.params[0], "css/site.css"));
    assert_int_equal(match(&t, HTTP_GET, "/assets/", &r, &allow), 0);
    assert_int_equal(t.req.params[0].len, 0);
    assert_int_equal(match(&t, HTTP_GET, "/assets", &r, &allow), ERR_NOT_FOUND);
    assert_int_equal(match(&t, HTTP_GET, "/assetsx/y", &r, &allow),
                     ERR_NOT_FOUND);
    arena_release(&t.a);
}

static void not_found_vs_not_allowed(void **state)
{
    (void)state;
    struct t t;
    arena_init(&t.a, 0);
    const struct route *r;
    const char *allow;

    assert_int_equal(match(&t, HTTP_POST, "/", &r, &allow), ERR_INVALID);
    assert_string_equal(allow, "GET, HEAD");
    assert_null(r);
    assert_int_equal(t.req.n_params, 0);

    assert_int_equal(match(&t, HTTP_GET, "/newsletter", &r, &allow),
                     ERR_INVALID);
    assert_string_equal(allow, "POST");
    assert_int_equal(match(&t, HTTP_HEAD, "/newsletter", &r, &allow),
                     ERR_INVALID);
    assert_int_equal(match(&t, HTTP_OTHER, "/newsletter", &r, &allow),
                     ERR_INVALID);
    assert_string_equal(allow, "POST");

    /* The union over every route whose pattern matches. */
    assert_int_equal(match(&t, HTTP_POST, "/admin/articles/7", &r, &allow),
                     ERR_INVALID);
    assert_string_equal(allow, "GET, HEAD, PUT, DELETE");
    assert_int_equal(match(&t, HTTP_DELETE, "/admin/articles/7", &r, &allow),
                     0);
    assert_ptr_equal(r, &routes[5]);
    assert_int_equal(match(&t, HTTP_GET, "/admin/articles/7", &r, &allow), 0);
    assert_ptr_equal(r, &routes[6]);
    assert_true(str_eq_cstr(t.req.params[0], "7"));
    arena_release(&t.a);
}

/* ROUTE_FORM: only a form route's handler reads form fields, and a body of
 * another type sent to one is refused (ERR_PARSE, answered 415). */
static void forms_declared_per_route(void **state)
{
    (void)state;
    struct t t;
    arena_init(&t.a, 0);
    const struct route *r;
    const char *allow;
    assert_int_equal(match(&t, HTTP_POST, "/newsletter", &r, &allow), 0);
    assert_true(t.req.form);
    assert_int_equal(match(&t, HTTP_GET, "/admin/articles/7", &r, &allow), 0);
    assert_false(t.req.form);
    /* A body without an urlencoded Content-Type (here: none at all). */
    arena_release(&t.a);
    t.req = (struct request){.arena = &t.a,
                             .method = HTTP_POST,
                             .path = STR("/newsletter"),
                             .body = STR("{\"email\": 1}")};
    assert_int_equal(router_match(routes, sizeof(routes) / sizeof(routes[0]),
                                  &t.req, &r, &allow),
                     ERR_PARSE);
    assert_null(request_form_field(&t.req, "email"));
    /* The same body to a route without ROUTE_FORM is the handler's. */
    t.req.path = STR("/admin/articles/7");
    t.req.method = HTTP_PUT;
    assert_int_equal(router_match(routes, sizeof(routes) / sizeof(routes[0]),
                                  &t.req, &r, &allow),
                     0);
    assert_false(t.req.form);
    arena_release(&t.a);
}

static void head_implied_by_get(void **state)
{
    (void)state;
    struct t t;
    arena_init(&t.a, 0);
    const struct route *r;
    const char *allow;
    assert_int_equal(match(&t, HTTP_HEAD, "/articles/x", &r, &allow), 0);
    assert_ptr_equal(r, &routes[1]);
    assert_true(str_eq_cstr(t.req.params[0], "x"));
    assert_int_equal(match(&t, HTTP_HEAD, "/", &r, &allow), 0);
    arena_release(&t.a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_and_captures),
        cmocka_unit_test(segment_rules),
        cmocka_unit_test(not_found_vs_not_allowed),
        cmocka_unit_test(head_implied_by_get),
        cmocka_unit_test(forms_declared_per_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
