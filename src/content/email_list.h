/*
 * email_list.h - reading a list of addresses a journal moves to Quire:
 * one address a line, or a CSV (RFC 4180 quoting) whose header row has an
 * "email" column.
 */
#ifndef QUIRE_EMAIL_LIST_H
#define QUIRE_EMAIL_LIST_H

#include <stddef.h>

/* Called for each data line: email is the address (NUL-terminated, not yet
 * checked) or NULL with why. Return non-zero to stop. */
typedef int (*email_list_fn)(void *ud, size_t line, const char *email,
                             const char *why);

/*
 * email_list_parse walks data[0..len). Empty lines are skipped. Returns 0,
 * the callback's non-zero value, or ERR_PARSE (with a call carrying why)
 * when a CSV header has no email column.
 */
int email_list_parse(const char *data, size_t len, email_list_fn fn, void *ud);

#endif
