/*
 * sections.c - the journal's sections and settings in the back office
 * and the admin API.
 *
 * Sections (editors): GET/POST /api/admin/sections, GET/PUT/DELETE
 * /api/admin/sections/{id}, and /admin/sections (a list in the journal's
 * order with a form per section, and a form for a new one). A section
 * holding articles is not deleted (409): its articles would silently lose
 * their section.
 *
 * Settings (admins): GET/PUT /api/admin/settings and /admin/settings, over
 * exactly the keys `quire config` knows (core/config.c journal_keys),
 * checked by the same journal_key_check. A PUT or a form sets all its
 * keys or none (one transaction); null or an empty field unsets a key.
 * Every write feeds the change log ("site"), so every public page drops.
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "core/arena.h"
#include "core/config.h"
#include "core/str.h"
#include "render/value.h"
#include "store/editorial.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum {
    NAME_MAX_BYTES = 200,
    SLUG_MAX_BYTES = 100,
    DESC_MAX = 10000,
    POSITION_MAX = 1000000,
};

/* --- sections: checks shared by the API and the page --------------- */

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

/*
 * section_check validates what a write gives (NULL: not given); returns
 * NULL or the message naming the bad field. A new section needs a name.
 */
static const char *section_check(const char *name, const char *slug,
                                 const char *desc, long long position,
                                 bool is_new)
{
    if ((is_new && !name) || (name && (!*name || strpbrk(name, "\r\n") ||
                                       strlen(name) > NAME_MAX_BYTES)))
        return "field 'name' must be one line of 1 to 200 bytes";
    if (slug && !slug_ok(slug))
        return "field 'slug' must be 1 to 100 of a-z, 0-9 and -";
    if (desc && strlen(desc) > DESC_MAX)
        return "field 'description' is over 10000 bytes";
    if (position < 0 || position > POSITION_MAX)
        return "field 'position' must be from 1 to 1000000";
    return NULL;
}

/* --- sections: the API --------------------------------------------- */

static json_t *section_json(const struct edit_section *x)
{
    json_t *v = json_pack("{s:I,s:s,s:s,s:s?,s:I,s:I}", "id", (json_int_t)x->id,
                          "slug", x->slug, "name", x->name, "description",
                          x->description, "position", (json_int_t)x->position,
                          "articles", (json_int_t)x->articles);
    if (v)
        json_object_set_new(v, "url", json_sprintf("/sections/%s", x->slug));
    return v;
}

int admin_api_sections(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_section *l;
    size_t n;
    if (store_edit_sections(ar->ad->store, req->arena, &l, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot list sections");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, section_json(&l[i]));
    return admin_json_reply(res, 200, json_pack("{s:o}", "sections", arr));
}

/* section_reply answers with section id as GET gives it. */
static int section_reply(struct admin_req *ar, struct response *res, int64_t id,
                         int status)
{
    struct edit_section x;
    int rc = store_edit_section(ar->ad->store, ar->req->arena, id, &x);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such section");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot read");
    return admin_json_reply(res, status, section_json(&x));
}

int admin_api_section(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    (void)req;
    if (!admin_param_id(ar, &id))
        return admin_json_error(res, 404, "not_found", "no such section");
    return section_reply(ar, res, id, 200);
}

static const struct json_field section_fields[] = {
    {"name", JF_STRING, false, 0},
    {"slug", JF_STRING, false, 0},
    {"description", JF_STRING, false, 0},
    {"position", JF_INT, false, 0},
};
#define NSECTION_FIELDS (sizeof(section_fields) / sizeof(section_fields[0]))

/* section_write is POST (id 0) and PUT of the API. */
static int section_write(struct admin_req *ar, struct response *res, int64_t id)
{
    struct json_value v[NSECTION_FIELDS];
    int st = admin_json_read(ar, res, section_fields, NSECTION_FIELDS, v);
    if (st != 0)
        return st;
    if (v[3].present && v[3].i < 1)
        return admin_json_error(res, 400, "invalid",
                                "field 'position' must be from 1 to 1000000");
    struct edit_section in = {
        .name = v[0].present ? v[0].s : NULL,
        .slug = v[1].present ? v[1].s : NULL,
        .description = v[2].present ? v[2].s : NULL,
        .position = v[3].present ? v[3].i : 0,
    };
    const char *why =
        section_check(in.name, in.slug, in.description, in.position, id == 0);
    if (why)
        return admin_json_error(res, 400, "invalid", "%s", why);
    int64_t nid = id;
    int rc = id == 0 ? store_edit_section_add(ar->ad->store, &in, &nid)
                     : store_edit_section_set(ar->ad->store, id, &in);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such section");
    if (rc == ERR_EXISTS)
        return admin_json_error(res, 409, "exists",
                                "another section has this name or slug");
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot save");
    admin_audit(ar, id == 0 ? "section.create" : "section.update",
                "section:%" PRId64, nid);
    return section_reply(ar, res, nid, id == 0 ? 201 : 200);
}

int admin_api_section_add(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return section_write(ctx, res, 0);
}

int admin_api_section_put(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    (void)req;
    if (!admin_param_id(ar, &id))
        return admin_json_error(res, 404, "not_found", "no such section");
    return section_write(ar, res, id);
}

int admin_api_section_delete(struct request *req, struct response *res,
                             void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_section x;
    int64_t id;
    int rc = admin_param_id(ar, &id)
                 ? store_edit_section(ar->ad->store, req->arena, id, &x)
                 : ERR_NOT_FOUND;
    if (rc == 0)
        rc = store_edit_section_delete(ar->ad->store, id);
    if (rc == ERR_NOT_FOUND)
        return admin_json_error(res, 404, "not_found", "no such section");
    if (rc == ERR_CONFLICT)
        return admin_json_error(res, 409, "not_empty",
                                "the section still has %" PRId64
                                " articles; move them first",
                                x.articles);
    if (rc != 0)
        return admin_json_error(res, 500, "internal", "cannot delete");
    admin_audit(ar, "section.delete", "section:%" PRId64 " %s", id, x.name);
    return 204;
}

/* --- sections: the page -------------------------------------------- */

static int sections_page(struct admin_req *ar, struct response *res,
                         const char *error, int status)
{
    struct arena *a = ar->req->arena;
    struct edit_section *l;
    size_t n;
    if (store_edit_sections(ar->ad->store, a, &l, &n) != 0)
        return admin_error_page(ar, res, 500, "The sections cannot be read.");
    struct tval *c = admin_context(ar, "Sections");
    struct tval *rows = tv_list(a);
    for (size_t i = 0; i < n; i++) {
        struct tval *r = tv_map(a);
        tv_set_int(a, r, "id", l[i].id);
        tv_set_str(a, r, "name", l[i].name);
        tv_set_str(a, r, "slug", l[i].slug);
        tv_set_str(a, r, "description",
                   l[i].description ? l[i].description : "");
        tv_set_int(a, r, "position", l[i].position);
        tv_set_int(a, r, "articles", l[i].articles);
        tv_set_bool(a, r, "deletable", l[i].articles == 0);
        tv_push(a, rows, r);
    }
    tv_set(a, c, "sections", rows);
    tv_set_int(a, c, "next_position", n ? l[n - 1].position + 1 : 1);
    const char *done = request_query_arg(ar->req, "done");
    if (done && !error)
        tv_set_str(a, c, "ok",
                   strcmp(done, "deleted") == 0 ? "The section is deleted."
                                                : "The section is saved.");
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "sections", c, status);
}

int admin_sections(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return sections_page(ctx, res, NULL, 200);
}

/* section_form saves the page's form: a new section (id 0) or one. */
static int section_form(struct admin_req *ar, struct response *res, int64_t id)
{
    const char *name = admin_form(ar, "name");
    const char *slug = admin_form(ar, "slug");
    const char *desc = admin_form(ar, "description");
    const char *pos = admin_form(ar, "position");
    long long p = 0;
    if (pos && *pos && str_to_i64(str_from(pos), 1, POSITION_MAX, &p) != 0)
        return sections_page(ar, res,
                             "The position must be a number from 1 to "
                             "1000000.",
                             422);
    if (slug && !*slug)
        slug = NULL; /* a new section's slug is made from its name */
    const char *why =
        section_check(name ? name : (id ? NULL : ""), slug, desc, p, id == 0);
    if (why)
        return sections_page(
            ar, res, arena_printf(ar->req->arena, "Not saved: %s.", why), 422);
    struct edit_section in = {.name = name,
                              .slug = slug,
                              .description = desc ? desc : "",
                              .position = p};
    int64_t nid = id;
    int rc = id == 0 ? store_edit_section_add(ar->ad->store, &in, &nid)
                     : store_edit_section_set(ar->ad->store, id, &in);
    if (rc == ERR_NOT_FOUND)
        return sections_page(ar, res, "There is no such section.", 404);
    if (rc == ERR_EXISTS)
        return sections_page(ar, res, "Another section has this name or slug.",
                             409);
    if (rc != 0)
        return sections_page(ar, res, "The section cannot be saved.", 500);
    admin_audit(ar, id == 0 ? "section.create" : "section.update",
                "section:%" PRId64, nid);
    return admin_redirect(res, "/admin/sections?done=saved");
}

int admin_section_add(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return section_form(ctx, res, 0);
}

int admin_section_save(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    int64_t id;
    (void)req;
    if (!admin_param_id(ar, &id))
        return sections_page(ar, res, "There is no such section.", 404);
    return section_form(ar, res, id);
}

int admin_section_delete(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct edit_section x;
    int64_t id;
    int rc = admin_param_id(ar, &id)
                 ? store_edit_section(ar->ad->store, req->arena, id, &x)
                 : ERR_NOT_FOUND;
    if (rc == 0)
        rc = store_edit_section_delete(ar->ad->store, id);
    if (rc == ERR_NOT_FOUND)
        return sections_page(ar, res, "There is no such section.", 404);
    if (rc == ERR_CONFLICT)
        return sections_page(ar, res,
                             "This section still has articles: move them "
                             "to another section first.",
                             409);
    if (rc != 0)
        return sections_page(ar, res, "The section cannot be deleted.", 500);
    admin_audit(ar, "section.delete", "section:%" PRId64 " %s", id, x.name);
    return admin_redirect(res, "/admin/sections?done=deleted");
}

/* --- settings ------------------------------------------------------ */

/*
 * settings_check validates key = value (NULL: unset) as `quire config set`
 * does, plus: the journal's name may not be empty. Message into err.
 */
static bool settings_check(const char *key, const char *value, char *err,
                           size_t n)
{
    if (strcmp(key, "name") == 0 && (!value || !*value)) {
        snprintf(err, n, "name: the journal's name must not be empty");
        return false;
    }
    if (value && strpbrk(value, "\r\n") && strcmp(key, "about") != 0 &&
        strcmp(key, "newsletter") != 0) {
        snprintf(err, n, "%s: must be one line", key);
        return false;
    }
    return !value || journal_key_check(key, value, err, n) == 0;
}

/*
 * settings_write sets keys[i] = values[i] (NULL unsets) in one
 * transaction; 0 or a store error.
 */
static int settings_write(struct store *s, const char *const *keys,
                          const char *const *values, size_t n)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = store_setting_set(s, keys[i], values[i]);
    if (rc == 0)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

int admin_api_settings(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct setting *set;
    size_t n;
    if (store_settings_list(ar->ad->store, req->arena, &set, &n) != 0)
        return admin_json_error(res, 500, "internal", "cannot read settings");
    json_t *o = json_object();
    for (size_t i = 0; i < journal_keys_len; i++) {
        const char *v = NULL;
        for (size_t j = 0; j < n; j++)
            if (strcmp(set[j].key, journal_keys[i].name) == 0)
                v = set[j].value;
        json_object_set_new(o, journal_keys[i].name,
                            v ? json_string(v) : json_null());
    }
    return admin_json_reply(res, 200, json_pack("{s:o}", "settings", o));
}

int admin_api_settings_put(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    size_t nk = journal_keys_len;
    struct json_field *f = arena_alloc(a, nk * sizeof(*f));
    struct json_value *v = arena_alloc(a, nk * sizeof(*v));
    for (size_t i = 0; i < nk; i++)
        f[i] = (struct json_field){journal_keys[i].name, JF_STRING, false, 0};
    /* null unsets a key, so it must be told from absent: read it raw. */
    json_t *root = json_loadb(req->body.ptr, req->body.len, 0, NULL);
    int st = admin_json_read(ar, res, f, nk, v);
    if (st != 0) {
        json_decref(root);
        return st;
    }
    const char **keys = arena_alloc(a, nk * sizeof(*keys));
    const char **vals = arena_alloc(a, nk * sizeof(*vals));
    size_t n = 0;
    char err[300];
    for (size_t i = 0; i < nk; i++) {
        bool unset = !v[i].present && root &&
                     json_is_null(json_object_get(root, f[i].name));
        if (!v[i].present && !unset)
            continue;
        const char *val = unset || !*v[i].s ? NULL : v[i].s;
        if (!settings_check(f[i].name, val, err, sizeof(err))) {
            json_decref(root);
            return admin_json_error(res, 422, "invalid", "field %s", err);
        }
        keys[n] = f[i].name;
        vals[n++] = val;
    }
    json_decref(root);
    if (n == 0)
        return admin_json_error(res, 400, "empty",
                                "the body names no setting to change");
    if (settings_write(ar->ad->store, keys, vals, n) != 0)
        return admin_json_error(res, 500, "internal", "cannot save");
    for (size_t i = 0; i < n; i++)
        admin_audit(ar, "settings.update", "setting:%s", keys[i]);
    return admin_api_settings(req, res, ctx);
}

static int settings_page(struct admin_req *ar, struct response *res,
                         const char *const *typed, const char *error,
                         int status)
{
    struct arena *a = ar->req->arena;
    struct setting *set;
    size_t n;
    if (store_settings_list(ar->ad->store, a, &set, &n) != 0)
        return admin_error_page(ar, res, 500, "The settings cannot be read.");
    struct tval *c = admin_context(ar, "Settings");
    struct tval *rows = tv_list(a);
    for (size_t i = 0; i < journal_keys_len; i++) {
        const char *v = NULL;
        for (size_t j = 0; j < n; j++)
            if (strcmp(set[j].key, journal_keys[i].name) == 0)
                v = set[j].value;
        if (typed && typed[i])
            v = typed[i];
        struct tval *r = tv_map(a);
        const char *key = journal_keys[i].name;
        tv_set_str(a, r, "key", key);
        tv_set_str(a, r, "help", journal_keys[i].help);
        tv_set_str(a, r, "value", v ? v : "");
        tv_set_str(a, r, "placeholder",
                   journal_keys[i].def ? journal_keys[i].def : "");
        tv_set_bool(a, r, "long",
                    strcmp(key, "about") == 0 ||
                        strcmp(key, "newsletter") == 0);
        tv_push(a, rows, r);
    }
    tv_set(a, c, "settings", rows);
    if (request_query_arg(ar->req, "saved") && !error)
        tv_set_str(a, c, "ok", "The settings are saved.");
    if (error)
        tv_set_str(a, c, "error", error);
    return admin_render(ar, res, "settings", c, status);
}

int admin_settings(struct request *req, struct response *res, void *ctx)
{
    (void)req;
    return settings_page(ctx, res, NULL, NULL, 200);
}

int admin_settings_save(struct request *req, struct response *res, void *ctx)
{
    struct admin_req *ar = ctx;
    struct arena *a = req->arena;
    size_t nk = journal_keys_len;
    const char **keys = arena_alloc(a, nk * sizeof(*keys));
    const char **vals = arena_alloc(a, nk * sizeof(*vals));
    const char **typed = arena_alloc(a, nk * sizeof(*typed));
    size_t n = 0;
    char err[300];
    for (size_t i = 0; i < nk; i++)
        typed[i] = admin_form(ar, journal_keys[i].name);
    for (size_t i = 0; i < nk; i++) {
        const char *v = typed[i];
        if (!v) /* a field not in the form stays as it is */
            continue;
        if (!settings_check(journal_keys[i].name, *v ? v : NULL, err,
                            sizeof(err)))
            return settings_page(ar, res, typed,
                                 arena_printf(a, "Not saved: %s.", err), 422);
        keys[n] = journal_keys[i].name;
        vals[n++] = *v ? v : NULL;
    }
    if (n > 0 && settings_write(ar->ad->store, keys, vals, n) != 0)
        return settings_page(ar, res, typed, "The settings cannot be saved.",
                             500);
    for (size_t i = 0; i < n; i++)
        admin_audit(ar, "settings.update", "setting:%s", keys[i]);
    return admin_redirect(res, "/admin/settings?saved=1");
}
