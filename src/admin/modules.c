/*
 * modules.c - the side modules in the back office and the admin API
 * (editors): "Visit also" links (a title, an http(s) URL, a logo, and
 * their order) and "Staff Publications" (a kind, a date, a title, an
 * optional URL and a cover), as `quire link` and `quire publication` edit
 * them.
 *
 * API: GET/POST /api/admin/links, GET/PUT/DELETE /api/admin/links/{id},
 * the same for /api/admin/publications. A picture is named as the media
 * library shows it (hash, id or /media/ URL) and answered as its hash;
 * one that names no image is 422 and changes nothing. In a PUT an absent
 * field keeps its value, null or "" takes the picture (or a
 * publication's URL) away. A link's "position" moves it (1 = first).
 *
 * Pages: /admin/links and /admin/publications list them with a form for
 * a new one; /admin/links/{id} and /admin/publications/{id} edit one,
 * the picture chosen from the library (partials/picture_picker).
 *
 * Every page shows the modules, so each write feeds the change log
 * ("site", schema.c's SITE_TRIGGERS) and the page cache drops them all.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "content/date.h"
#include "core/arena.h"
#include "core/str.h"
#include "render/value.h"
#include "store/store.h"

#include <inttypes.h>
#include <string.h>

enum {
    LINK_TITLE_MAX = 200,
    PUB_TITLE_MAX = 1000,
    KIND_MAX = 100,
    POSITION_MAX = 1000000,
};

/* one_line: 1 to max bytes without a line break. */
static bool one_line(const char *s, size_t max)
{
    return *s && strlen(s) <= max && !strpbrk(s, "\r\n");
}

/*
 * link_check and pub_check validate a whole entry (URL NULL: none);
 * NULL or the message naming the bad field.
 */
static const char *link_check(const struct link *l)
{
    if (!l->title || !one_line(l->title, LINK_TITLE_MAX))
        return "field 'title' must be one line of 1 to 200 bytes";
    if (!l->url || !str_http_url(l->url))
        return "field 'url' must be an http(s) URL";
    return NULL;
}

static const char *pub_check(const struct publication *p)
{
    if (!p->kind || !one_line(p->kind, KIND_MAX))
        return "field 'kind' must be one line of 1 to 100 bytes";
    if (!p->date || !date_valid_ymd(p->date))
        return "field 'date' must be a date YYYY-MM-DD";
    if (!p->title || !one_line(p->title, PUB_TITLE_MAX))
        return "field 'title' must be one line of 1 to 1000 bytes";
    if (p->url && !str_http_url(p->url))
        return "field 'url' must be an http(s) URL";
    return NULL;
}

/* --- the API ------------------------------------------------------- */

static json_t *link_json(const struct link *l)
{
    return json_pack("{s:I,s:s,s:s,s:i,s:s?}", "id", (json_int_t)l->id, "title",
                     l->title, "url", l->url, "position", l->position, "image",
                     l->image);
}

static json_t *pub_json(const struct publication *p)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?}", "id", (json_int_t)p->id,
                     "kind", p->kind, "date", p->date, "title", p->title, "url",
                     p->url, "image", p->image);
}

int admin_api_links(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct link *l;
    size_t n;
    if (store_links_list(ar->ad->store, req->arena, &l, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot list links");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, link_json(&l[i]));
    return admin_json_reply(res, 200, json_pack("{s:o}", "links", arr));
}

int admin_api_publications(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct publication *p;
    size_t n;
    if (store_publications_list(ar->ad->store, req->arena, &p, &n) != 0)
        return admin_json_error(res, 500, "internal",
                                "cannot list publications");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, pub_json(&p[i]));
    return admin_json_reply(res, 200, json_pack("{s:o}", "publications", arr));
}

/* link_reply and pub_reply answer with row id as GET gives it. */
static int link_reply(struct admin_req *ar, struct response *res, int64_t id,
                      int status)
{
    struct link l;
    int rc = store_link_get(ar->ad->store, ar->req->arena, id, &l);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such link");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read");
    return admin_json_reply(res, status, link_json(&l));
}

static int pub_reply(struct admin_req *ar, struct response *res, int64_t id,
                     int status)
{
    struct publication p;
    int rc = store_publication_get(ar->ad->store, ar->req->arena, id, &p);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such publication");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read");
    return admin_json_reply(res, status, pub_json(&p));
}

int admin_api_link(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    (void)req;
    if (!admin_param_id(ar, &id))
        return admin_json_error(res, 404, "not_found", "no such link");
    return link_reply(ar, res, id, 200);
}

int admin_api_publication(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    (void)req;
    if (!admin_param_id(ar, &id))
        return admin_json_error(res, 404, "not_found", "no such publication");
    return pub_reply(ar, res, id, 200);
}

/*
 * json_picture applies the body's picture field v (named name) to *image:
 * kept when absent, none when null or "", else resolved in the library.
 * 0 or the status of the JSON error put in res.
 */
static int json_picture(struct admin_req *ar, struct response *res,
                        const char *name, const struct json_value *v,
                        const char **image)
{
    const char *why = NULL;
    if (!v->present) {
        if (admin_json_null(ar, name))
            *image = NULL;
        return 0;
    }
    int st = admin_picture(ar, v->s, image, &why);
    if (st != 0)
        return admin_json_error(res, st,
                                st == 422 ? "unknown_media" : "internal",
                                "field '%s': %s", name, why);
    return 0;
}

/* write_status turns a store write's rc into the API's answer (0: ok). */
static int write_status(struct response *res, int rc, const char *what)
{
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such %s", what);
    if (rc == ERR_INVALID) /* the picture left the library meanwhile */
        return admin_json_error(res, 422, "unknown_media",
                                "the picture is not an image in the media "
                                "library");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot save");
    return 0;
}

static const struct json_field link_fields[] = {
    {"title", JF_STRING, false, 0},
    {"url", JF_STRING, false, 0},
    {"image", JF_STRING, false, 0},
    {"position", JF_INT, false, 0},
};
#define NLINK_FIELDS (sizeof(link_fields) / sizeof(link_fields[0]))

/* link_write is POST (id 0) and PUT of the API. */
static int link_write(struct admin_req *ar, struct response *res, int64_t id)
{
    struct json_value v[NLINK_FIELDS];
    int st = admin_json_read(ar, res, link_fields, NLINK_FIELDS, v);
    if (st != 0)
        return st;
    struct link l = {0};
    if (id != 0) {
        int rc = store_link_get(ar->ad->store, ar->req->arena, id, &l);
        if (rc != 0)
            return write_status(res, rc, "link");
    }
    if (v[0].present)
        l.title = v[0].s;
    if (v[1].present)
        l.url = v[1].s;
    const char *why = link_check(&l);
    if (why)
        return admin_json_error(
            res, 400,
            id == 0 && (!l.title || !l.url) ? "missing_field" : "invalid", "%s",
            why);
    if (v[3].present && (v[3].i < 1 || v[3].i > POSITION_MAX))
        return admin_json_error(res, 400, "invalid",
                                "field 'position' must be from 1 to 1000000");
    st = json_picture(ar, res, "image", &v[2], &l.image);
    if (st != 0)
        return st;
    int64_t nid = id;
    int rc = id == 0 ? store_link_add_image(ar->ad->store, l.title, l.url,
                                            l.image, &nid)
                     : store_link_update(ar->ad->store, &l);
    if (rc == 0 && v[3].present)
        rc = store_link_move(ar->ad->store, nid, v[3].i);
    st = write_status(res, rc, "link");
    if (st != 0)
        return st;
    admin_audit(ar, id == 0 ? "link.create" : "link.update",
                "link:%" PRId64 " %s", nid, l.title);
    return link_reply(ar, res, nid, id == 0 ? 201 : 200);
}

static const struct json_field pub_fields[] = {
    {"kind", JF_STRING, false, 0},  {"date", JF_STRING, false, 0},
    {"title", JF_STRING, false, 0}, {"url", JF_STRING, false, 0},
    {"image", JF_STRING, false, 0},
};
#define NPUB_FIELDS (sizeof(pub_fields) / sizeof(pub_fields[0]))

static int pub_write(struct admin_req *ar, struct response *res, int64_t id)
{
    struct json_value v[NPUB_FIELDS];
    int st = admin_json_read(ar, res, pub_fields, NPUB_FIELDS, v);
    if (st != 0)
        return st;
    struct publication p = {0};
    if (id != 0) {
        int rc = store_publication_get(ar->ad->store, ar->req->arena, id, &p);
        if (rc != 0)
            return write_status(res, rc, "publication");
    }
    if (v[0].present)
        p.kind = v[0].s;
    if (v[1].present)
        p.date = v[1].s;
    if (v[2].present)
        p.title = v[2].s;
    if (v[3].present)
        p.url = *v[3].s ? v[3].s : NULL;
    else if (admin_json_null(ar, "url"))
        p.url = NULL;
    const char *why = pub_check(&p);
    if (why)
        return admin_json_error(res, 400,
                                id == 0 && (!p.kind || !p.date || !p.title)
                                    ? "missing_field"
                                    : "invalid",
                                "%s", why);
    st = json_picture(ar, res, "image", &v[4], &p.image);
    if (st != 0)
        return st;
    int64_t nid = id;
    int rc = id == 0 ? store_publication_add(ar->ad->store, &p, &nid)
                     : store_publication_update(ar->ad->store, &p);
    st = write_status(res, rc, "publication");
    if (st != 0)
        return st;
    admin_audit(ar, id == 0 ? "publication.create" : "publication.update",
                "publication:%" PRId64 " %s", nid, p.title);
    return pub_reply(ar, res, nid, id == 0 ? 201 : 200);
}

int admin_api_link_add(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return link_write(ctx, res, 0);
}

int admin_api_publication_add(struct request *req, struct response *res,
                              void *ctx)
{
    (void)req;
    return pub_write(ctx, res, 0);
}

int admin_api_link_put(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    (void)req;
    if (!admin_param_id(ar, &id))
        return admin_json_error(res, 404, "not_found", "no such link");
    return link_write(ar, res, id);
}

int admin_api_publication_put(struct request *req, struct response *res,
                              void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    (void)req;
    if (!admin_param_id(ar, &id))
        return admin_json_error(res, 404, "not_found", "no such publication");
    return pub_write(ar, res, id);
}

/*
 * remove_row deletes the link or publication of the route's id, audited
 * as action; 0 or ERR_NOT_FOUND / a store error.
 */
static int remove_row(struct admin_req *ar, bool link, const char *action)
{
    int64_t id;
    if (!admin_param_id(ar, &id))
        return ERR_NOT_FOUND;
    int rc = link ? store_link_remove(ar->ad->store, id)
                  : store_publication_remove(ar->ad->store, id);
    if (rc == 0)
        admin_audit(ar, action, "%s:%" PRId64, link ? "link" : "publication",
                    id);
    return rc;
}

int admin_api_link_delete(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    int st = write_status(res, remove_row(ctx, true, "link.delete"), "link");
    return st ? st : 204;
}

int admin_api_publication_delete(struct request *req, struct response *res,
                                 void *ctx)
{
    (void)req;
    int st = write_status(res, remove_row(ctx, false, "publication.delete"),
                          "publication");
    return st ? st : 204;
}

/* --- the pages ----------------------------------------------------- */

/* done_message: the ?done= of a redirect after a write, in words. */
static const char *done_message(struct admin_req *ar, const char *what)
{
    const char *done = request_query_arg(ar->req, "done");
    if (!done)
        return NULL;
    const char *verb = strcmp(done, "deleted") == 0 ? "deleted"
                       : strcmp(done, "moved") == 0 ? "moved"
                                                    : "saved";
    return arena_printf(ar->req->arena, "The %s is %s.", what, verb);
}

/*
 * page_end adds the picker (field "image", current picture cur) and the
 * messages to c and renders tpl.
 */
static int page_end(struct admin_req *ar, struct response *res, struct tval *c,
                    const char *tpl, const char *legend, const char *cur,
                    const char *what, const char *error, int status)
{
    struct arena *a = ar->req->arena;
    if (admin_picture_choices(ar, c, "image", legend, cur) != 0)
        return admin_error_page(ar, res, 500, "The library cannot be read.");
    const char *ok = error ? NULL : done_message(ar, what);
    if (ok)
        tv_set_str(a, c, "ok", ok);
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, tpl, c, status);
}

/* thumb sets "thumb" on a list's row r: its picture's URL, if any. */
static void thumb(struct admin_req *ar, struct tval *r, const char *hash)
{
    const char *url = admin_picture_url(ar, hash);
    if (url)
        tv_set_str(ar->req->arena, r, "thumb", url);
}

/* links_page lists the links, with typed (may be NULL) in the new form. */
static int links_page(struct admin_req *ar, struct response *res,
                      const struct link *typed, const char *error, int status)
{
    struct arena *a = ar->req->arena;
    struct link *l;
    size_t n;
    if (store_links_list(ar->ad->store, a, &l, &n) != 0)
        return admin_error_page(ar, res, 500, "The links cannot be read.");
    struct tval *c = admin_context(ar, "Visit also");
    struct tval *rows = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *r = tv_map(a);
        tv_set_int(a, r, "id", l[i].id);
        tv_set_str(a, r, "title", l[i].title);
        tv_set_str(a, r, "url", l[i].url);
        tv_set_int(a, r, "place", (long long)i + 1);
        tv_set_bool(a, r, "can_up", i > 0);
        tv_set_bool(a, r, "can_down", i + 1 < n);
        thumb(ar, r, l[i].image);
        tv_push(a, rows, r);
    }
    tv_set(a, c, "links", rows);
    tv_set_str(a, c, "new_title", typed && typed->title ? typed->title : "");
    tv_set_str(a, c, "new_url", typed && typed->url ? typed->url : "");
    return page_end(ar, res, c, "links", "Logo (optional)",
                    typed ? typed->image : NULL, "link", error, status);
}

static int link_page(struct admin_req *ar, struct response *res,
                     const struct link *l, const char *error, int status)
{
    struct arena *a = ar->req->arena;
    struct tval *c = admin_context(ar, arena_printf(a, "Link %s", l->title));
    tv_set_int(a, c, "link_id", l->id);
    tv_set_str(a, c, "link_title", l->title ? l->title : "");
    tv_set_str(a, c, "url", l->url ? l->url : "");
    return page_end(ar, res, c, "link_edit", "Logo", l->image, "link", error,
                    status);
}

int admin_links(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return links_page(ctx, res, NULL, NULL, 200);
}

/*
 * form_link reads the page's form over l; 0, or 422 (500: the library
 * cannot be read) with *error the message.
 */
static int form_link(struct admin_req *ar, struct link *l, const char **error)
{
    const char *t = admin_form(ar, "title");
    const char *u = admin_form(ar, "url");
    const char *img = admin_form(ar, "image");
    l->title = t ? t : l->title;
    l->url = u ? u : l->url;
    const char *why = link_check(l);
    int st = why ? 422 : img ? admin_picture(ar, img, &l->image, &why) : 0;
    if (st != 0)
        *error = arena_printf(ar->req->arena, "Not saved: %s.", why);
    return st;
}

int admin_link_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct link l = {0};
    const char *error;
    (void)req;
    int st = form_link(ar, &l, &error);
    if (st != 0)
        return links_page(ar, res, &l, error, st);
    int64_t id;
    int rc = store_link_add_image(ar->ad->store, l.title, l.url, l.image, &id);
    if (rc != 0)
        return links_page(ar, res, &l, "The link cannot be saved.",
                          rc == ERR_INVALID ? 422 : 500);
    admin_audit(ar, "link.create", "link:%" PRId64 " %s", id, l.title);
    return admin_redirect(res, "/admin/links?done=saved");
}

/* load_link reads the route's link; false with the error page sent. */
static bool load_link(struct admin_req *ar, struct response *res,
                      struct link *l, int *status)
{
    int64_t id;
    int rc = admin_param_id(ar, &id)
                 ? store_link_get(ar->ad->store, ar->req->arena, id, l)
                 : ERR_NOT_FOUND;
    if (rc == 0)
        return true;
    *status = rc == ERR_NOT_FOUND
                  ? admin_error_page(ar, res, 404, "There is no such link.")
                  : admin_error_page(ar, res, 500, "The link cannot be read.");
    return false;
}

int admin_link_edit(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct link l;
    int status;
    (void)req;
    if (!load_link(ar, res, &l, &status))
        return status;
    return link_page(ar, res, &l, NULL, 200);
}

int admin_link_save(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct link l;
    int status;
    if (!load_link(ar, res, &l, &status))
        return status;
    const char *error;
    int st = form_link(ar, &l, &error);
    if (st != 0)
        return link_page(ar, res, &l, error, st);
    int rc = store_link_update(ar->ad->store, &l);
    if (rc != 0)
        return link_page(ar, res, &l, "The link cannot be saved.",
                         rc == ERR_INVALID ? 422 : 500);
    admin_audit(ar, "link.update", "link:%" PRId64 " %s", l.id, l.title);
    return admin_redirect(
        res,
        arena_printf(req->arena, "/admin/links/%" PRId64 "?done=saved", l.id));
}

int admin_link_move(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct link l;
    int status;
    (void)req;
    if (!load_link(ar, res, &l, &status))
        return status;
    const char *dir = admin_form(ar, "dir");
    bool up = dir && strcmp(dir, "up") == 0;
    if (!dir || (!up && strcmp(dir, "down") != 0))
        return links_page(ar, res, NULL, "Choose up or down.", 422);
    /* Its place in the list, not its stored position (they may differ). */
    struct link *all;
    size_t n, k = 0;
    if (store_links_list(ar->ad->store, req->arena, &all, &n) != 0)
        return links_page(ar, res, NULL, "The links cannot be read.", 500);
    while (k < n && all[k].id != l.id)
        k++;
    int64_t to = up ? (int64_t)k : (int64_t)k + 2;
    if (to < 1 || store_link_move(ar->ad->store, l.id, to) != 0)
        return links_page(ar, res, NULL, "The link cannot be moved.",
                          to < 1 ? 422 : 500);
    admin_audit(ar, "link.order", "link:%" PRId64 " %s", l.id,
                up ? "up" : "down");
    return admin_redirect(res, "/admin/links?done=moved");
}

int admin_link_delete(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    int rc = remove_row(ctx, true, "link.delete");
    if (rc == ERR_NOT_FOUND)
        return admin_error_page(ctx, res, 404, "There is no such link.");
    if (rc != 0)
        return links_page(ctx, res, NULL, "The link cannot be deleted.", 500);
    return admin_redirect(res, "/admin/links?done=deleted");
}

/* kinds sets "kinds" on c: the kinds p[n] use, once each, to offer
 * while typing one (Silk Road Paper, Op-ed, ...). */
static void kinds(struct arena *a, struct tval *c, const struct publication *p,
                  size_t n)
{
    struct tval *l = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && strcmp(p[j].kind, p[i].kind) != 0)
            j++;
        if (j == i)
            tv_push(a, l, tv_str(a, p[i].kind));
    }
    tv_set(a, c, "kinds", l);
}

/* pubs_page lists the publications, with typed (or NULL) in the form. */
static int pubs_page(struct admin_req *ar, struct response *res,
                     const struct publication *typed, const char *error,
                     int status)
{
    struct arena *a = ar->req->arena;
    struct publication *p;
    size_t n;
    if (store_publications_list(ar->ad->store, a, &p, &n) != 0)
        return admin_error_page(ar, res, 500,
                                "The publications cannot be read.");
    struct tval *c = admin_context(ar, "Staff publications");
    struct tval *rows = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *r = tv_map(a);
        tv_set_int(a, r, "id", p[i].id);
        tv_set_str(a, r, "kind", p[i].kind);
        tv_set_str(a, r, "date", p[i].date);
        tv_set_str(a, r, "title", p[i].title);
        if (p[i].url)
            tv_set_str(a, r, "url", p[i].url);
        thumb(ar, r, p[i].image);
        tv_push(a, rows, r);
    }
    tv_set(a, c, "publications", rows);
    kinds(a, c, p, n);
    struct publication none = {0};
    if (!typed)
        typed = &none;
    tv_set_str(a, c, "new_kind", typed->kind ? typed->kind : "");
    tv_set_str(a, c, "new_date", typed->date ? typed->date : "");
    tv_set_str(a, c, "new_title", typed->title ? typed->title : "");
    tv_set_str(a, c, "new_url", typed->url ? typed->url : "");
    return page_end(ar, res, c, "publications", "Cover (optional)",
                    typed->image, "publication", error, status);
}

static int pub_page(struct admin_req *ar, struct response *res,
                    const struct publication *p, const char *error, int status)
{
    struct arena *a = ar->req->arena;
    struct tval *c =
        admin_context(ar, arena_printf(a, "Publication %s", p->title));
    tv_set_int(a, c, "pub_id", p->id);
    tv_set_str(a, c, "kind", p->kind ? p->kind : "");
    tv_set_str(a, c, "date", p->date ? p->date : "");
    tv_set_str(a, c, "pub_title", p->title ? p->title : "");
    tv_set_str(a, c, "url", p->url ? p->url : "");
    struct publication *all;
    size_t n;
    if (store_publications_list(ar->ad->store, a, &all, &n) == 0)
        kinds(a, c, all, n);
    return page_end(ar, res, c, "publication_edit", "Cover", p->image,
                    "publication", error, status);
}

int admin_publications(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return pubs_page(ctx, res, NULL, NULL, 200);
}

/* form_pub is form_link for a publication. */
static int form_pub(struct admin_req *ar, struct publication *p,
                    const char **error)
{
    const char *f[4] = {admin_form(ar, "kind"), admin_form(ar, "date"),
                        admin_form(ar, "title"), admin_form(ar, "url")};
    const char *img = admin_form(ar, "image");
    p->kind = f[0] ? f[0] : p->kind;
    p->date = f[1] ? f[1] : p->date;
    p->title = f[2] ? f[2] : p->title;
    if (f[3])
        p->url = *f[3] ? f[3] : NULL;
    const char *why = pub_check(p);
    int st = why ? 422 : img ? admin_picture(ar, img, &p->image, &why) : 0;
    if (st != 0)
        *error = arena_printf(ar->req->arena, "Not saved: %s.", why);
    return st;
}

int admin_publication_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct publication p = {0};
    const char *error;
    (void)req;
    int st = form_pub(ar, &p, &error);
    if (st != 0)
        return pubs_page(ar, res, &p, error, st);
    int64_t id;
    int rc = store_publication_add(ar->ad->store, &p, &id);
    if (rc != 0)
        return pubs_page(ar, res, &p, "The publication cannot be saved.",
                         rc == ERR_INVALID ? 422 : 500);
    admin_audit(ar, "publication.create", "publication:%" PRId64 " %s", id,
                p.title);
    return admin_redirect(res, "/admin/publications?done=saved");
}

static bool load_pub(struct admin_req *ar, struct response *res,
                     struct publication *p, int *status)
{
    int64_t id;
    int rc = admin_param_id(ar, &id)
                 ? store_publication_get(ar->ad->store, ar->req->arena, id, p)
                 : ERR_NOT_FOUND;
    if (rc == 0)
        return true;
    *status =
        rc == ERR_NOT_FOUND
            ? admin_error_page(ar, res, 404, "There is no such publication.")
            : admin_error_page(ar, res, 500, "The publication cannot be read.");
    return false;
}

int admin_publication_edit(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct publication p;
    int status;
    (void)req;
    if (!load_pub(ar, res, &p, &status))
        return status;
    return pub_page(ar, res, &p, NULL, 200);
}

int admin_publication_save(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct publication p;
    int status;
    if (!load_pub(ar, res, &p, &status))
        return status;
    const char *error;
    int st = form_pub(ar, &p, &error);
    if (st != 0)
        return pub_page(ar, res, &p, error, st);
    int rc = store_publication_update(ar->ad->store, &p);
    if (rc != 0)
        return pub_page(ar, res, &p, "The publication cannot be saved.",
                        rc == ERR_INVALID ? 422 : 500);
    admin_audit(ar, "publication.update", "publication:%" PRId64 " %s", p.id,
                p.title);
    return admin_redirect(
        res, arena_printf(req->arena,
                          "/admin/publications/%" PRId64 "?done=saved", p.id));
}

int admin_publication_delete(struct request *req, struct response *res,
                             void *ctx)
{
    (void)req;
    int rc = remove_row(ctx, false, "publication.delete");
    if (rc == ERR_NOT_FOUND)
        return admin_error_page(ctx, res, 404, "There is no such publication.");
    if (rc != 0)
        return pubs_page(ctx, res, NULL, "The publication cannot be deleted.",
                         500);
    return admin_redirect(res, "/admin/publications?done=deleted");
}
