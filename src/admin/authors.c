/*
 * authors.c - authors in the back office (a list, and a page to edit
 * one's name, slug, Markdown bio and photo, chosen from the media
 * library, or delete one in no byline) and the
 * admin API's GET and DELETE /api/admin/authors/{id} (the list and PUT
 * are in issues_api.c). An author is created by naming them in an
 * article's byline; one with articles cannot be deleted (409), so no
 * article loses its byline silently.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "core/arena.h"
#include "core/str.h"
#include "render/value.h"
#include "store/editorial.h"
#include "store/store.h"

#include <inttypes.h>
#include <string.h>

enum { NAME_MAX_BYTES = 200, SLUG_MAX_BYTES = 100, BIO_MAX = 100000 };

json_t *admin_author_json(const struct edit_author *au)
{
    json_t *v = json_pack("{s:I,s:s,s:s,s:s?,s:I,s:s?}", "id",
                          (json_int_t)au->id, "slug", au->slug, "name",
                          au->name, "bio", au->bio, "articles",
                          (json_int_t)au->articles, "photo", au->photo);
    if (v)
        json_object_set_new(v, "url", json_sprintf("/authors/%s", au->slug));
    return v;
}

int admin_api_author(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_author au;
    int64_t id;
    int rc = admin_param_id(ar, &id)
                 ? store_edit_author(ar->ad->store, req->arena, id, &au)
                 : ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such author");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read");
    return admin_json_reply(res, 200, admin_author_json(&au));
}

int admin_api_author_delete(struct request *req, struct response *res,
                            void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_author au;
    int64_t id;
    int rc = admin_param_id(ar, &id)
                 ? store_edit_author(ar->ad->store, req->arena, id, &au)
                 : ERR_NOT_FOUND;
    if (rc == 0)
        rc = store_edit_author_delete(ar->ad->store, id);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such author");
    if (rc == ERR_CONFLICT)
        return admin_json_error(res, 409, "not_empty",
                                "the author still has %" PRId64
                                " articles; take them out of their "
                                "bylines first",
                                au.articles);
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot delete");
    admin_audit(ar, "author.delete", "author:%" PRId64 " %s", id, au.name);
    return 204;
}

/* --- pages --------------------------------------------------------- */

int admin_authors(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    struct edit_author *l;
    size_t n;
    if (store_edit_authors(ar->ad->store, a, &l, &n) != 0)
        return admin_error_page(ar, res, 500, "The authors cannot be read.");
    struct tval *c = admin_context(ar, "Authors");
    struct tval *rows = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *r = tv_map(a);
        tv_set_int(a, r, "id", l[i].id);
        tv_set_str(a, r, "name", l[i].name);
        tv_set_str(a, r, "slug", l[i].slug);
        tv_set_int(a, r, "articles", l[i].articles);
        tv_set_bool(a, r, "has_bio", l[i].bio && *l[i].bio);
        tv_set_bool(a, r, "has_photo", l[i].photo != NULL);
        tv_push(a, rows, r);
    }
    tv_set(a, c, "authors", rows);
    if (request_query_arg(req, "deleted"))
        tv_set_str(a, c, "ok", "The author is deleted.");
    return admin_render(ar, res, "authors", c, 200);
}

/* author_page renders the editor of au (fields as given) with a message. */
static int author_page(struct admin_req *ar, struct response *res,
                       const struct edit_author *au, const char *error,
                       int status)
{
    struct arena *a = ar->req->arena;
    struct tval *c = admin_context(ar, arena_printf(a, "Author %s", au->name));
    tv_set_int(a, c, "author_id", au->id);
    tv_set_str(a, c, "name", au->name ? au->name : "");
    tv_set_str(a, c, "slug", au->slug ? au->slug : "");
    tv_set_str(a, c, "bio", au->bio ? au->bio : "");
    tv_set_int(a, c, "articles", au->articles);
    tv_set_bool(a, c, "deletable", au->articles == 0);
    if (admin_picture_choices(ar, c, "photo", "Photo", au->photo) != 0)
        return admin_error_page(ar, res, 500, "The library cannot be read.");
    if (request_query_arg(ar->req, "saved") && !error)
        tv_set_str(a, c, "ok", "The author is saved.");
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "author_edit", c, status);
}

static bool load_author(struct admin_req *ar, struct response *res,
                        struct edit_author *au, int *status)
{
    int64_t id;
    int rc = admin_param_id(ar, &id)
                 ? store_edit_author(ar->ad->store, ar->req->arena, id, au)
                 : ERR_NOT_FOUND;
    if (rc == 0)
        return true;
    *status =
        rc == ERR_NOT_FOUND
            ? admin_error_page(ar, res, 404, "There is no such author.")
            : admin_error_page(ar, res, 500, "The author cannot be read.");
    return false;
}

int admin_author_edit(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_author au;
    int status;
    (void)req;
    if (!load_author(ar, res, &au, &status))
        return status;
    return author_page(ar, res, &au, NULL, 200);
}

static bool slug_ok(const char *s)
{
    if (!*s || strlen(s) > SLUG_MAX_BYTES)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            return false;
    return true;
}

int admin_author_save(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_author au;
    int status;
    (void)req;
    if (!load_author(ar, res, &au, &status))
        return status;
    const char *name = admin_form(ar, "name");
    const char *slug = admin_form(ar, "slug");
    const char *bio = admin_form(ar, "bio");
    const char *photo = admin_form(ar, "photo");
    /* What was typed goes back into the form with the message. */
    struct edit_author typed = au;
    typed.name = name ? name : au.name;
    typed.slug = slug ? slug : au.slug;
    typed.bio = bio ? bio : au.bio;
    const char *why = NULL;
    if (photo && admin_picture(ar, photo, &typed.photo, &why) != 0)
        return author_page(ar, res, &typed,
                           arena_printf(req->arena, "Not saved: %s.", why),
                           422);
    if (!name || !*name || strpbrk(name, "\r\n") ||
        strlen(name) > NAME_MAX_BYTES)
        return author_page(ar, res, &typed,
                           "The name must be one line of 1 to 200 bytes.", 422);
    if (!slug || !slug_ok(slug))
        return author_page(ar, res, &typed,
                           "The slug may hold only a-z, 0-9 and - (1 to 100).",
                           422);
    if (bio && strlen(bio) > BIO_MAX)
        return author_page(ar, res, &typed, "The bio is over 100,000 bytes.",
                           413);
    int rc =
        store_edit_author_set(ar->ad->store, au.id, name, slug, bio ? bio : "");
    if (rc == 0 && photo)
        rc = store_author_photo_set(ar->ad->store, au.id, typed.photo);
    if (rc == ERR_INVALID)
        return author_page(ar, res, &typed,
                           "The photo is not an image in the media library.",
                           422);
    if (rc == ERR_EXISTS)
        return author_page(ar, res, &typed,
                           "Another author has this name or slug.", 409);
    if (rc != 0)
        return author_page(ar, res, &typed, "The author cannot be saved.", 500);
    admin_audit(ar, "author.update", "author:%" PRId64, au.id);
    return admin_redirect(
        res,
        arena_printf(req->arena, "/admin/authors/%" PRId64 "?saved=1", au.id));
}

int admin_author_delete(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_author au;
    int status;
    (void)req;
    if (!load_author(ar, res, &au, &status))
        return status;
    int rc = store_edit_author_delete(ar->ad->store, au.id);
    if (rc == ERR_CONFLICT)
        return author_page(ar, res, &au,
                           "This author still has articles: take them out "
                           "of their bylines first.",
                           409);
    if (rc != 0)
        return author_page(ar, res, &au, "The author cannot be deleted.", 500);
    admin_audit(ar, "author.delete", "author:%" PRId64 " %s", au.id, au.name);
    return admin_redirect(res, "/admin/authors?deleted=1");
}
