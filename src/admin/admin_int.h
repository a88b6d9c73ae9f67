/*
 * admin_int.h - what the back office's files share: the admin's state,
 * the per-request context every handler gets, route flags, and helpers
 * for pages (templates, forms, CSRF), JSON (the API) and the audit log.
 *
 * A handler is an ordinary http handler whose ctx is a struct admin_req:
 *     int h(struct request *req, struct response *res, void *ctx)
 * By the time it runs, admin.c has enforced its route's flags: the
 * session or bearer token (ar->user / ar->role), the role, the CSRF token
 * and same origin of a POST, and the body's content type.
 */
#ifndef QUIRE_ADMIN_INT_H
#define QUIRE_ADMIN_INT_H

#include "admin/admin.h"
#include "admin/audit.h"
#include "admin/auth.h"
#include "store/accounts.h"

#include <jansson.h>
#include <stdarg.h>

struct tpl_set;
struct tval;
struct limiter;

struct admin {
    struct store *store;
    struct tpl_set *tpl;
    char *assets_dir;
    http_flag_fn is_https;
    void *https_ctx;
    struct limiter *limiter;
    admin_preview_fn preview;
    void *preview_ctx;
    char *media_dir; /* NULL: uploads answer 503 */
    size_t upload_max;
    char *theme_dir;       /* the journal's theme (newsletter.c) */
    const char *mail_from; /* admin_opts.mail_from */
};

/*
 * Route flags (router.h's flags field; bits 8+ are ours). Roles are a
 * ladder: author < editor < admin; AR_EDITOR lets editors and admins in.
 */
enum admin_route_flag {
    AR_PUBLIC = 1 << 8,   /* no session needed (login, assets) */
    AR_EDITOR = 1 << 9,   /* role editor or admin */
    AR_ADMIN = 1 << 10,   /* role admin */
    AR_JSON = 1 << 11,    /* API: takes a JSON body (415 otherwise) */
    AR_PENDING = 1 << 12, /* reachable by a session awaiting its TOTP code */
    AR_ENROL = 1 << 13,   /* reachable while TOTP is required, not set up */
};

enum admin_role { ROLE_NONE = 0, ROLE_AUTHOR, ROLE_EDITOR, ROLE_ADMIN };

/* The request's context, given to every handler as ctx. */
struct admin_req {
    struct admin *ad;
    struct request *req;
    bool api;         /* /api/admin/...: JSON errors, bearer auth */
    bool logged_in;   /* a valid session (or token) */
    struct user user; /* the session's user (HTML side) */
    struct session sess;
    char sid_hash[AUTH_HEX_LEN + 1]; /* the session's stored key, or "" */
    enum admin_role role;
    const char *who;  /* for the audit log: email or "token:NAME" */
    const char *csrf; /* the token forms must carry */
    int64_t now;      /* the request's clock (Unix seconds) */
};

/* admin_role_of: "editor" -> ROLE_EDITOR; ROLE_NONE if unknown. */
enum admin_role admin_role_of(const char *name);
/* admin_role_can: may role reach the level (ROLE_AUTHOR ... ROLE_ADMIN)? */
bool admin_role_can(enum admin_role role, enum admin_role level);

/* --- pages (admin.c) --- */

/*
 * admin_context returns a page's base context: title, the user, the
 * navigation for their role, csrf (put it in every form as
 * <input type="hidden" name="csrf" value="{{csrf}}">). Add keys to it.
 */
struct tval *admin_context(struct admin_req *ar, const char *title);
/* admin_render renders template name (from the admin folder) into res
 * with status; returns status, or 500 on a template error. */
int admin_render(struct admin_req *ar, struct response *res, const char *name,
                 struct tval *ctx, int status);
/* admin_redirect answers 303 See Other to location (a local path). */
int admin_redirect(struct response *res, const char *location);
/* admin_form returns a field of the urlencoded body, or NULL. */
const char *admin_form(struct admin_req *ar, const char *name);
/* admin_error_page answers status with the back office's error page. */
int admin_error_page(struct admin_req *ar, struct response *res, int status,
                     const char *message);

/* --- the audit log (audit.c) --- */

/* admin_audit is audit_log for the request's user or token. */
void admin_audit(struct admin_req *ar, const char *action, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- JSON for the API (json.c) --- */

enum json_kind { JF_STRING, JF_INT, JF_BOOL, JF_STRINGS, JF_INTS };

/* One field an endpoint accepts; any other field is refused (400). */
struct json_field {
    const char *name;
    enum json_kind kind;
    bool required;
    size_t max; /* strings: bytes; lists: items; 0: no limit */
};

/* What the reader found for a field (parallel to the fields array). */
struct json_value {
    bool present;      /* in the body (null counts as absent) */
    const char *s;     /* JF_STRING, arena copy, valid UTF-8 */
    long long i;       /* JF_INT */
    bool b;            /* JF_BOOL */
    const char **list; /* JF_STRINGS */
    long long *ints;   /* JF_INTS */
    size_t n;
};

enum { ADMIN_JSON_MAX = 4 << 20 }; /* bytes of an API request body */

/*
 * admin_json_read parses the request's body against fields into out.
 * Returns 0, or the HTTP status of a JSON error it has already put in res
 * (413 too big, 415 not JSON, 400 malformed, invalid UTF-8, unknown field,
 * wrong type, missing required field: each message names the field).
 */
int admin_json_read(struct admin_req *ar, struct response *res,
                    const struct json_field *fields, size_t n,
                    struct json_value *out);
/* admin_json_parse is admin_json_read's body check and parse, on bytes
 * (for the fuzz harness); strings come from a. */
int admin_json_parse(struct arena *a, struct str body, struct response *res,
                     const struct json_field *fields, size_t n,
                     struct json_value *out);
/* admin_json_error puts {"error":{"code":code,"message":...}} in res and
 * returns status. */
int admin_json_error(struct response *res, int status, const char *code,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* admin_json_reply sends v (and drops the caller's reference) with
 * status; returns status (500 if v cannot be written). */
int admin_json_reply(struct response *res, int status, json_t *v);

/* --- handlers (login.c, dashboard.c, ...) --- */

int admin_login_page(struct request *req, struct response *res, void *ctx);
int admin_login_post(struct request *req, struct response *res, void *ctx);
int admin_logout(struct request *req, struct response *res, void *ctx);
int admin_dashboard(struct request *req, struct response *res, void *ctx);
int admin_asset(struct request *req, struct response *res, void *ctx);
/* articles_api.c (editorial) */
struct edit_article;
/*
 * admin_article_parse reads an article's JSON body (the API's fields) into
 * e, checking every field; returns 0 or the status of the JSON error put
 * in res (400, 403 author publishing, 413, 422). *revision: -1 if absent;
 * *present has bit i set when article_fields[i] was in the body.
 */
int admin_article_parse(struct arena *a, struct str body, struct response *res,
                        int64_t now, bool editor, struct edit_article *e,
                        long long *revision, unsigned *present);
int admin_api_articles(struct request *req, struct response *res, void *ctx);
int admin_api_article_add(struct request *req, struct response *res, void *ctx);
int admin_api_article(struct request *req, struct response *res, void *ctx);
int admin_api_article_put(struct request *req, struct response *res, void *ctx);
int admin_api_article_delete(struct request *req, struct response *res,
                             void *ctx);
int admin_api_article_revisions(struct request *req, struct response *res,
                                void *ctx);
int admin_api_article_restore(struct request *req, struct response *res,
                              void *ctx);
/* articles.c (editorial): the back office's articles */
int admin_articles(struct request *req, struct response *res, void *ctx);
int admin_article_new(struct request *req, struct response *res, void *ctx);
int admin_article_edit(struct request *req, struct response *res, void *ctx);
int admin_article_create(struct request *req, struct response *res, void *ctx);
int admin_article_save(struct request *req, struct response *res, void *ctx);
int admin_article_delete(struct request *req, struct response *res, void *ctx);
int admin_article_revisions(struct request *req, struct response *res,
                            void *ctx);
int admin_article_restore(struct request *req, struct response *res, void *ctx);
int admin_article_preview(struct request *req, struct response *res, void *ctx);
/* issues_api.c (editorial) */
int admin_api_issue_add(struct request *req, struct response *res, void *ctx);
int admin_api_issue_publish(struct request *req, struct response *res,
                            void *ctx);
int admin_api_authors(struct request *req, struct response *res, void *ctx);
int admin_issues(struct request *req, struct response *res, void *ctx);
int admin_issue_add(struct request *req, struct response *res, void *ctx);
int admin_issue_publish(struct request *req, struct response *res, void *ctx);
int admin_api_author_put(struct request *req, struct response *res, void *ctx);
int admin_api_me(struct request *req, struct response *res, void *ctx);
int admin_api_users(struct request *req, struct response *res, void *ctx);
int admin_api_user_add(struct request *req, struct response *res, void *ctx);
/* assembly.c: an issue's page and its assembly; the issues API */
int admin_issue_page(struct request *req, struct response *res, void *ctx);
int admin_issue_save(struct request *req, struct response *res, void *ctx);
int admin_issue_article_add(struct request *req, struct response *res,
                            void *ctx);
int admin_issue_article_remove(struct request *req, struct response *res,
                               void *ctx);
int admin_issue_move(struct request *req, struct response *res, void *ctx);
int admin_issue_delete(struct request *req, struct response *res, void *ctx);
int admin_api_issues(struct request *req, struct response *res, void *ctx);
int admin_api_issue(struct request *req, struct response *res, void *ctx);
int admin_api_issue_put(struct request *req, struct response *res, void *ctx);
int admin_api_issue_delete(struct request *req, struct response *res,
                           void *ctx);
/* authors.c: the authors' pages; GET/DELETE /api/admin/authors/{id} */
int admin_authors(struct request *req, struct response *res, void *ctx);
int admin_author_edit(struct request *req, struct response *res, void *ctx);
int admin_author_save(struct request *req, struct response *res, void *ctx);
int admin_author_delete(struct request *req, struct response *res, void *ctx);
int admin_api_author(struct request *req, struct response *res, void *ctx);
struct edit_author;
/* admin_author_json: an author as the API gives it (NULL on no memory). */
json_t *admin_author_json(const struct edit_author *au);
int admin_api_author_delete(struct request *req, struct response *res,
                            void *ctx);
/* sections.c: sections (editors) and settings (admins), pages and API */
int admin_sections(struct request *req, struct response *res, void *ctx);
int admin_section_add(struct request *req, struct response *res, void *ctx);
int admin_section_save(struct request *req, struct response *res, void *ctx);
int admin_section_delete(struct request *req, struct response *res, void *ctx);
int admin_api_sections(struct request *req, struct response *res, void *ctx);
int admin_api_section(struct request *req, struct response *res, void *ctx);
int admin_api_section_add(struct request *req, struct response *res, void *ctx);
int admin_api_section_put(struct request *req, struct response *res, void *ctx);
int admin_api_section_delete(struct request *req, struct response *res,
                             void *ctx);
int admin_settings(struct request *req, struct response *res, void *ctx);
int admin_settings_save(struct request *req, struct response *res, void *ctx);
int admin_api_settings(struct request *req, struct response *res, void *ctx);
int admin_api_settings_put(struct request *req, struct response *res,
                           void *ctx);
/* modules.c: "Visit also" links and staff publications (pages, API) */
int admin_links(struct request *req, struct response *res, void *ctx);
int admin_link_add(struct request *req, struct response *res, void *ctx);
int admin_link_edit(struct request *req, struct response *res, void *ctx);
int admin_link_save(struct request *req, struct response *res, void *ctx);
int admin_link_move(struct request *req, struct response *res, void *ctx);
int admin_link_delete(struct request *req, struct response *res, void *ctx);
int admin_api_links(struct request *req, struct response *res, void *ctx);
int admin_api_link(struct request *req, struct response *res, void *ctx);
int admin_api_link_add(struct request *req, struct response *res, void *ctx);
int admin_api_link_put(struct request *req, struct response *res, void *ctx);
int admin_api_link_delete(struct request *req, struct response *res, void *ctx);
int admin_publications(struct request *req, struct response *res, void *ctx);
int admin_publication_add(struct request *req, struct response *res, void *ctx);
int admin_publication_edit(struct request *req, struct response *res,
                           void *ctx);
int admin_publication_save(struct request *req, struct response *res,
                           void *ctx);
int admin_publication_delete(struct request *req, struct response *res,
                             void *ctx);
int admin_api_publications(struct request *req, struct response *res,
                           void *ctx);
int admin_api_publication(struct request *req, struct response *res, void *ctx);
int admin_api_publication_add(struct request *req, struct response *res,
                              void *ctx);
int admin_api_publication_put(struct request *req, struct response *res,
                              void *ctx);
int admin_api_publication_delete(struct request *req, struct response *res,
                                 void *ctx);
/* media.c: the library page, its upload form, POST /api/admin/media */
int admin_media_page(struct request *req, struct response *res, void *ctx);
int admin_media_post(struct request *req, struct response *res, void *ctx);
int admin_api_media_add(struct request *req, struct response *res, void *ctx);
int admin_api_media(struct request *req, struct response *res, void *ctx);
/*
 * admin_picture resolves ref, what an editor names a picture by (a media
 * hash, a media id, or the /media/ URL the library shows; NULL or "" is
 * none: *hash NULL), to the hash of an image in the library. Returns 0,
 * 422 (no such file, or not an image) or 500, with *why the message.
 */
int admin_picture(struct admin_req *ar, const char *ref, const char **hash,
                  const char **why);
/* admin_picture_url: the URL of the library's file of hash (a thumbnail
 * for a list), NULL if none or hash is NULL. */
const char *admin_picture_url(struct admin_req *ar, const char *hash);
/*
 * admin_picture_choices puts in c what partials/picture_picker needs to
 * choose an image of the library by radio button: the field's name, its
 * legend, every image (current, a hash or NULL, checked). 0 or ERR_DB.
 */
int admin_picture_choices(struct admin_req *ar, struct tval *c,
                          const char *name, const char *legend,
                          const char *current);
/* admin_param_id reads the route's first {} as a row id (1...). */
bool admin_param_id(struct admin_req *ar, int64_t *id);
/* admin_json_null: is field name null in the request's JSON body (which
 * admin_json_read, where null counts as absent, has accepted)? */
bool admin_json_null(struct admin_req *ar, const char *name);
/* admin_multipart_field: a field of a multipart/form-data body, or NULL. */
const char *admin_multipart_field(struct admin_req *ar, const char *name);

int admin_login_totp_page(struct request *req, struct response *res, void *ctx);
int admin_login_totp(struct request *req, struct response *res, void *ctx);
int admin_account(struct request *req, struct response *res, void *ctx);
int admin_account_password(struct request *req, struct response *res,
                           void *ctx);
int admin_account_totp_page(struct request *req, struct response *res,
                            void *ctx);
int admin_account_totp(struct request *req, struct response *res, void *ctx);
int admin_account_totp_disable(struct request *req, struct response *res,
                               void *ctx);
int admin_users(struct request *req, struct response *res, void *ctx);
int admin_user_add(struct request *req, struct response *res, void *ctx);
int admin_user_role(struct request *req, struct response *res, void *ctx);
int admin_user_disable(struct request *req, struct response *res, void *ctx);
int admin_require_totp(struct request *req, struct response *res, void *ctx);
int admin_tokens(struct request *req, struct response *res, void *ctx);
int admin_token_add(struct request *req, struct response *res, void *ctx);
int admin_token_revoke(struct request *req, struct response *res, void *ctx);
int admin_api_tokens(struct request *req, struct response *res, void *ctx);
int admin_api_token_add(struct request *req, struct response *res, void *ctx);
int admin_api_token_revoke(struct request *req, struct response *res,
                           void *ctx);
int admin_audit_page(struct request *req, struct response *res, void *ctx);
/* webhooks.c: webhooks and their delivery log (pages and API). */
int admin_webhooks(struct request *req, struct response *res, void *ctx);
int admin_webhook_add(struct request *req, struct response *res, void *ctx);
int admin_webhook_remove(struct request *req, struct response *res, void *ctx);
int admin_api_webhooks(struct request *req, struct response *res, void *ctx);
int admin_api_webhook_add(struct request *req, struct response *res, void *ctx);
int admin_api_webhook_remove(struct request *req, struct response *res,
                             void *ctx);
/* newsletter.c: the issue digest (preview, test send, send). */
int admin_newsletter(struct request *req, struct response *res, void *ctx);
int admin_newsletter_preview(struct request *req, struct response *res,
                             void *ctx);
int admin_newsletter_queue(struct request *req, struct response *res,
                           void *ctx);
/* subscribers.c: the newsletter's list (pages and API). */
int admin_subscribers(struct request *req, struct response *res, void *ctx);
int admin_subscribers_csv(struct request *req, struct response *res, void *ctx);
int admin_subscriber_remove(struct request *req, struct response *res,
                            void *ctx);
int admin_api_subscribers(struct request *req, struct response *res, void *ctx);
int admin_api_subscriber_remove(struct request *req, struct response *res,
                                void *ctx);
/* admin_totp_required: has an admin required TOTP of every account? */
bool admin_totp_required(struct admin *ad, struct arena *a);
/* admin_token_name_ok: 1-64 of [A-Za-z0-9._-]. */
bool admin_token_name_ok(const char *name);

/* Cookies (session.c). */
#define ADMIN_COOKIE "quire_session"
#define ADMIN_LOGIN_COOKIE "quire_login"
enum {
    ADMIN_IDLE_S = 12 * 3600,
    ADMIN_ABSOLUTE_S = 14 * 24 * 3600,
    ADMIN_TOUCH_S = 60, /* seen_at is written at most once a minute */
};
/* admin_cookie returns the value of cookie name in the request, or NULL. */
const char *admin_cookie(const struct request *req, const char *name);
/* admin_cookie_find: the same in a Cookie header's text h (may be NULL). */
const char *admin_cookie_find(struct arena *a, const char *h, const char *name);
/* admin_session_load reads and checks the request's session cookie;
 * fills ar->user/sess/role; true when a valid session is found. */
bool admin_session_load(struct admin_req *ar);
/* admin_session_start makes a session for user and sets its cookie. */
int admin_session_start(struct admin_req *ar, struct response *res,
                        const struct user *u, bool pending) WUR;
/* admin_session_end deletes the request's session and clears its cookie. */
void admin_session_end(struct admin_req *ar, struct response *res);
/* admin_set_cookie adds a Set-Cookie header with our flags. */
void admin_set_cookie(struct admin_req *ar, struct response *res,
                      const char *name, const char *value, const char *path,
                      long max_age);

#endif
