/*
 * media.c - uploads in the back office (/admin/media) and the admin API
 * (POST /api/admin/media; GET lists the library, newest first, without
 * the variants: the hash or id is what a picture elsewhere is named by).
 *
 * Both take multipart/form-data with the file in field "file" and the
 * optional fields "alt", "decorative" (any non-empty value but "0"),
 * "caption" and "credit"; the API answers 201 with
 * {id, url, type, width, height, variants: [{url, type, width}]}.
 *
 * Decoding a 24-megapixel photo takes a second or more of CPU, so at
 * most MEDIA_JOBS_MAX uploads are processed at once; another one is
 * answered 503 with Retry-After at once instead of queueing behind them.
 * The server's other threads go on serving readers meanwhile (the page
 * cache answers without touching this code).
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "core/arena.h"
#include "core/log.h"
#include "http/multipart.h"
#include "media/media.h"
#include "render/value.h"
#include "store/media.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MEDIA_JOBS_MAX 2
#define MEDIA_PARTS_MAX 8

static atomic_int jobs;

struct upload {
    struct multipart_part parts[MEDIA_PARTS_MAX];
    size_t n;
};

static bool is_multipart(const struct request *req)
{
    const char *ct = request_header(req, "Content-Type");
    return ct && !strncasecmp(ct, "multipart/form-data", 19);
}

/* field returns a part's text (a NUL-terminated copy) or NULL. */
static const char *field(struct arena *a, const struct upload *u,
                         const char *name)
{
    const struct multipart_part *p = multipart_find(u->parts, u->n, name);
    return p ? arena_strndup(a, p->data.ptr, p->data.len) : NULL;
}

const char *admin_multipart_field(struct admin_req *ar, const char *name)
{
    struct request *req = ar->req;
    struct upload u;
    if (!is_multipart(req) ||
        multipart_parse(str_from(request_header(req, "Content-Type")),
                        req->body, u.parts, MEDIA_PARTS_MAX, &u.n) != 0)
        return NULL;
    return field(req->arena, &u, name);
}

/* ingest runs one upload; returns 0 or an HTTP status with err set. */
static int ingest(struct admin_req *ar, struct media *m, char *err,
                  size_t errlen)
{
    struct request *req = ar->req;
    struct arena *a = req->arena;
    struct upload u;
    if (!ar->ad->media_dir) {
        snprintf(err, errlen, "this server has no media folder");
        return 503;
    }
    if (!is_multipart(req)) {
        snprintf(err, errlen,
                 "send multipart/form-data with the file in "
                 "the field 'file'");
        return 415;
    }
    int rc = multipart_parse(str_from(request_header(req, "Content-Type")),
                             req->body, u.parts, MEDIA_PARTS_MAX, &u.n);
    if (rc != 0) {
        snprintf(err, errlen,
                 rc == ERR_TOO_BIG ? "more than %d fields in the form"
                                   : "the multipart body is malformed",
                 MEDIA_PARTS_MAX);
        return 400;
    }
    const struct multipart_part *file = multipart_find(u.parts, u.n, "file");
    if (!file || file->data.len == 0) {
        snprintf(err, errlen, "no file: send it in the field 'file'");
        return 422;
    }
    const char *alt = field(a, &u, "alt");
    const char *dec = field(a, &u, "decorative");
    bool decorative = dec && *dec && strcmp(dec, "0") != 0;
    if (decorative && alt && *alt) {
        snprintf(err, errlen,
                 "an image is either decorative or has alt "
                 "text, not both");
        return 422;
    }
    if (atomic_fetch_add(&jobs, 1) >= MEDIA_JOBS_MAX) {
        atomic_fetch_sub(&jobs, 1);
        snprintf(err, errlen,
                 "other uploads are being processed; retry "
                 "in a few seconds");
        return 503;
    }
    rc = media_ingest(ar->ad->media_dir, file->data.ptr, file->data.len,
                      ar->ad->upload_max, a, m, err, errlen);
    atomic_fetch_sub(&jobs, 1);
    if (rc != 0)
        return rc == ERR_TOO_BIG ? 413 : rc == ERR_IO ? 500 : 422;
    m->alt = alt && *alt ? alt : NULL;
    m->decorative = decorative;
    m->caption = field(a, &u, "caption");
    m->credit = field(a, &u, "credit");
    bool existed = false;
    if (store_media_add(ar->ad->store, m, &m->id, &existed) != 0) {
        snprintf(err, errlen, "%s", store_last_error());
        return 500;
    }
    if (!existed) {
        char obj[160];
        snprintf(obj, sizeof(obj), "media:%" PRId64 " %s", m->id, m->file);
        admin_audit(ar, "media.add", "%s", obj);
    }
    return 0;
}

static json_t *media_json(struct arena *a, const struct media *m)
{
    json_t *vars = json_array();
    for (size_t i = 0; i < m->nvariants; i++)
        json_array_append_new(
            vars,
            json_pack("{s:s,s:s,s:i}", "url",
                      arena_printf(a, "/media/%s", m->variants[i].file), "type",
                      m->variants[i].mime, "width", m->variants[i].width));
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:i,s:o,s:s?,s:b}", "id",
                     (json_int_t)m->id, "hash", m->hash, "kind", m->kind, "url",
                     arena_printf(a, "/media/%s", m->file), "type", m->mime,
                     "width", m->width, "height", m->height, "variants", vars,
                     "alt", m->alt, "decorative", m->decorative);
}

int admin_api_media(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct media *list;
    size_t n;
    if (store_media_list(ar->ad->store, req->arena, &list, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot list media");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *v = media_json(req->arena, &list[i]);
        json_object_del(v, "variants"); /* not read for a list */
        json_array_append_new(arr, v);
    }
    return admin_json_reply(res, 200, json_pack("{s:o}", "media", arr));
}

int admin_api_media_add(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct media m;
    char err[512];
    int status = ingest(ar, &m, err, sizeof(err));
    if (status == 503)
        response_header(res, "Retry-After", "5");
    if (status != 0) {
        const char *code = status == 413   ? "too_big"
                           : status == 415 ? "unsupported_media_type"
                           : status == 400 ? "malformed_multipart"
                           : status == 503 ? "busy"
                           : status == 500 ? "error"
                                           : "invalid";
        return admin_json_error(res, status, code, "%s", err);
    }
    return admin_json_reply(res, 201, media_json(req->arena, &m));
}

/* page renders the library with an upload form and a message. */
static int page(struct admin_req *ar, struct response *res, int status,
                const char *error, const char *ok)
{
    struct arena *a = ar->req->arena;
    struct tval *c = admin_context(ar, "Media");
    struct media *list;
    size_t n;
    if (store_media_list(ar->ad->store, a, &list, &n) != 0)
        return admin_error_page(ar, res, 500, "The library cannot be read.");
    struct tval *items = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *it = tv_map(a);
        tv_set_int(a, it, "id", list[i].id);
        tv_set_str(a, it, "url", arena_printf(a, "/media/%s", list[i].file));
        tv_set_str(a, it, "type", list[i].mime);
        tv_set_bool(a, it, "image", !strcmp(list[i].kind, "image"));
        tv_set_int(a, it, "width", list[i].width);
        tv_set_int(a, it, "height", list[i].height);
        tv_set_str(a, it, "alt", list[i].alt ? list[i].alt : "");
        tv_set_bool(a, it, "decorative", list[i].decorative);
        tv_push(a, items, it);
    }
    tv_set(a, c, "items", items);
    if (error)
        tv_set_str(a, c, "error", error);
    if (ok)
        tv_set_str(a, c, "ok", ok);
    return admin_render(ar, res, "media", c, status);
}

int admin_media_page(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    (void)req;
    return page(ar, res, 200, NULL, NULL);
}

int admin_media_post(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct media m;
    char err[512];
    int status = ingest(ar, &m, err, sizeof(err));
    if (status != 0)
        return page(ar, res, status,
                    arena_printf(req->arena, "Not added: %s.", err), NULL);
    return page(ar, res, 200, NULL,
                arena_printf(req->arena,
                             "Added as media %" PRId64 " "
                             "(%d x %d).",
                             m.id, m.width, m.height));
}

/* --- pictures for the side modules and authors --------------------- */

int admin_picture(struct admin_req *ar, const char *ref, const char **hash,
                  const char **why)
{
    struct arena *a = ar->req->arena;
    struct media m;
    *hash = NULL;
    if (!ref || !*ref)
        return 0;
    int rc = store_media_ref(ar->ad->store, a, ref, &m);
    if (rc == ERR_NOT_FOUND) {
        *why = arena_printf(a,
                            "no image '%.80s' in the media library "
                            "(/admin/media lists them)",
                            ref);
        return 422;
    }
    if (rc != 0) {
        *why = "cannot read the media library";
        return 500;
    }
    if (strcmp(m.kind, "image") != 0) {
        *why = arena_printf(a, "media %" PRId64 " is a %s (%s), not an image",
                            m.id, m.kind, m.mime);
        return 422;
    }
    *hash = m.hash;
    return 0;
}

const char *admin_picture_url(struct admin_req *ar, const char *hash)
{
    struct media m;
    if (!hash ||
        store_media_by_hash(ar->ad->store, ar->req->arena, hash, &m) != 0)
        return NULL;
    return arena_printf(ar->req->arena, "/media/%s", m.file);
}

int admin_picture_choices(struct admin_req *ar, struct tval *c,
                          const char *name, const char *legend,
                          const char *current)
{
    struct arena *a = ar->req->arena;
    struct media *list;
    size_t n;
    if (store_media_list(ar->ad->store, a, &list, &n) != 0)
        return ERR_DB;
    struct tval *items = tv_list(a);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].kind, "image") != 0 || list[i].width <= 0)
            continue;
        struct tval *it = tv_map(a);
        bool on = current && strcmp(current, list[i].hash) == 0;
        found |= on;
        tv_set_int(a, it, "id", list[i].id);
        tv_set_str(a, it, "hash", list[i].hash);
        tv_set_str(a, it, "url", arena_printf(a, "/media/%s", list[i].file));
        /* A thumbnail 96 pixels wide, its height in proportion. */
        tv_set_int(a, it, "th",
                   list[i].height * 96 / list[i].width > 0
                       ? list[i].height * 96 / list[i].width
                       : 1);
        tv_set_str(a, it, "label",
                   list[i].alt && *list[i].alt ? list[i].alt : list[i].file);
        tv_set_bool(a, it, "checked", on);
        tv_push(a, items, it);
    }
    tv_set(a, c, "pictures", items);
    tv_set_str(a, c, "pick_name", name);
    tv_set_str(a, c, "pick_legend", legend);
    tv_set_bool(a, c, "pick_none", !found);
    return 0;
}
