/*
 * audit.c - who did what to which object, for every write of the back
 * office, the admin API and the CLI (store_audit_add underneath).
 */
#define LOG_MODULE "admin"
#include "admin/admin_int.h"

#include "core/arena.h"
#include "core/log.h"

#include <stdarg.h>
#include <time.h>

void audit_log(struct store *s, const char *who, const char *action,
               const char *object)
{
    if (store_audit_add(s, who, action, object, (int64_t)time(NULL)) != 0)
        log_error("audit log: cannot record '%s' by %s", action,
                  who ? who : "?");
}

void admin_audit(struct admin_req *ar, const char *action, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char obj[512];
    vsnprintf(obj, sizeof(obj), fmt, ap);
    va_end(ap);
    audit_log(ar->ad->store, ar->who, action, obj);
}
