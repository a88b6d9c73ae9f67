/*
 * accounts.h - the store's side of the back office: users, sessions, API
 * tokens, TOTP recovery codes and the audit log (schema V_ACCOUNTS).
 *
 * The store sees no secrets: sessions, tokens and recovery codes arrive
 * already hashed (hex text, from admin/auth.c), passwords as argon2id
 * strings. Times are Unix seconds chosen by the caller, so tests can move
 * the clock. Strings returned come from the caller's arena.
 */
#ifndef QUIRE_STORE_ACCOUNTS_H
#define QUIRE_STORE_ACCOUNTS_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct store;

struct user {
    int64_t id;
    const char *email;
    const char *name;
    const char *role;        /* "admin", "editor" or "author" */
    const char *pw_hash;     /* argon2id string */
    const char *totp_secret; /* base32, or NULL when TOTP is off */
    bool disabled;
    int64_t created_at;
};

struct session {
    int64_t user_id;
    const char *csrf;
    int64_t created_at, seen_at;
    bool pending; /* password given, TOTP code still due */
};

struct api_token {
    int64_t id;
    const char *name;
    const char *role;
    int64_t created_at;
    int64_t last_used_at; /* 0: never */
};

struct audit_entry {
    int64_t id;
    int64_t at;
    const char *who, *action, *object;
};

/* Users. email is unique ignoring case: ERR_EXISTS if taken. */
int store_user_add(struct store *s, const char *email, const char *name,
                   const char *role, const char *pw_hash, int64_t now,
                   int64_t *id) WUR;
/* ERR_NOT_FOUND when there is no such user. */
int store_user_by_email(struct store *s, struct arena *a, const char *email,
                        struct user *u) WUR;
int store_user_by_id(struct store *s, struct arena *a, int64_t id,
                     struct user *u) WUR;
int store_users_list(struct store *s, struct arena *a, struct user **out,
                     size_t *n) WUR;
int store_users_count(struct store *s, int64_t *n) WUR;
/*
 * store_user_set_password stores a new hash and ends every session of the
 * user but keep (a session id hash, or NULL to end them all), in one
 * transaction.
 */
int store_user_set_password(struct store *s, int64_t id, const char *pw_hash,
                            const char *keep, int64_t now) WUR;
int store_user_set_role(struct store *s, int64_t id, const char *role,
                        int64_t now) WUR;
int store_user_set_name(struct store *s, int64_t id, const char *name,
                        int64_t now) WUR;
/* store_user_set_disabled: disabling also ends all the user's sessions. */
int store_user_set_disabled(struct store *s, int64_t id, bool disabled,
                            int64_t now) WUR;
/* store_user_set_totp sets (secret) or clears (NULL) the TOTP secret and
 * replaces the recovery codes with the n hashes given. */
int store_user_set_totp(struct store *s, int64_t id, const char *secret,
                        const char *const *code_hashes, size_t n,
                        int64_t now) WUR;
/*
 * store_user_totp_use records that the code of 30-second step (Unix time
 * / 30) logged the user in: 0, or ERR_CONFLICT when that step or a later
 * one was already used (a replayed code; RFC 6238 section 5.2), checked
 * and written in one statement so two requests cannot both pass.
 * Setting a new secret starts again from step 0.
 */
int store_user_totp_use(struct store *s, int64_t user_id, int64_t step) WUR;
/* store_recovery_use consumes a recovery code: 0, or ERR_NOT_FOUND. */
int store_recovery_use(struct store *s, int64_t user_id,
                       const char *code_hash) WUR;
int store_recovery_count(struct store *s, int64_t user_id, int64_t *n) WUR;

/* Sessions, keyed by the hex hash of their id. */
int store_session_add(struct store *s, const char *id_hash, int64_t user_id,
                      const char *csrf, bool pending, int64_t now) WUR;
int store_session_get(struct store *s, struct arena *a, const char *id_hash,
                      struct session *out) WUR;
/* store_session_touch sets seen_at (and clears pending if asked). */
int store_session_touch(struct store *s, const char *id_hash, int64_t now,
                        bool clear_pending) WUR;
int store_session_delete(struct store *s, const char *id_hash) WUR;
/* store_sessions_prune drops sessions seen before idle_before or created
 * before created_before. */
int store_sessions_prune(struct store *s, int64_t idle_before,
                         int64_t created_before) WUR;

/* API tokens: name unique (ERR_EXISTS). */
int store_token_add(struct store *s, const char *name, const char *role,
                    const char *hash, int64_t now) WUR;
/* store_token_by_hash finds a token and marks it used at now. */
int store_token_by_hash(struct store *s, struct arena *a, const char *hash,
                        int64_t now, struct api_token *t) WUR;
int store_tokens_list(struct store *s, struct arena *a, struct api_token **out,
                      size_t *n) WUR;
/* store_token_revoke deletes the token: ERR_NOT_FOUND if none. */
int store_token_revoke(struct store *s, const char *name) WUR;

/* The audit log. who/action/object are free text (object may be ""). */
int store_audit_add(struct store *s, const char *who, const char *action,
                    const char *object, int64_t now) WUR;
/* store_audit_list: the newest limit entries, newest first. */
int store_audit_list(struct store *s, struct arena *a, int64_t limit,
                     struct audit_entry **out, size_t *n) WUR;

#endif
