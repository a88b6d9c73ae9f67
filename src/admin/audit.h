/*
 * audit.h - the audit log's one writer function, for the back office,
 * the admin API and the CLI alike.
 */
#ifndef QUIRE_ADMIN_AUDIT_H
#define QUIRE_ADMIN_AUDIT_H

struct store;

/*
 * audit_log records that who (an email, "token:NAME" or "cli:USER") did
 * action ("user.add", "article.publish", ...) to object (free text naming
 * it, e.g. "user:3 ann@example.org"); every writer calls it after a
 * successful write. A failure is logged, never fatal to the write.
 */
void audit_log(struct store *s, const char *who, const char *action,
               const char *object);

#endif
