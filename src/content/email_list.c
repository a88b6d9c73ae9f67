/*
 * email_list.c - addresses from a file, one a line or a CSV with an email
 * column (hand-written: a row reader for one column needs no CSV library).
 *
 * A file is CSV when its first line has a comma or is exactly "email"; that
 * line is the header. A quoted field may hold commas, "" and line breaks.
 */
#include "content/email_list.h"

#include "core/err.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

enum { FIELD_MAX = 1024, COLS_MAX = 1000 };

struct cursor {
    const char *p, *end;
    size_t line;
};

/* field reads one field into out (cut at FIELD_MAX-1); *eol at row end. */
static void field(struct cursor *c, char *out, bool *eol, bool *too_long)
{
    size_t n = 0;
    *eol = false;
    bool quoted = c->p < c->end && *c->p == '"';
    if (quoted)
        c->p++;
    while (c->p < c->end) {
        char ch = *c->p;
        if (quoted) {
            if (ch == '"') {
                if (c->p + 1 < c->end && c->p[1] == '"') {
                    c->p++;
                } else {
                    quoted = false;
                    c->p++;
                    continue;
                }
            } else if (ch == '\n') {
                c->line++;
            }
        } else if (ch == ',') {
            c->p++;
            goto done;
        } else if (ch == '\n' || ch == '\r') {
            if (ch == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
                c->p++;
            c->p++;
            *eol = true;
            goto done;
        }
        if (n < FIELD_MAX - 1)
            out[n++] = ch;
        else
            *too_long = true;
        c->p++;
    }
    *eol = true;
done:
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    size_t lead = 0;
    while (lead < n && (out[lead] == ' ' || out[lead] == '\t'))
        lead++;
    memmove(out, out + lead, n - lead);
    out[n - lead] = '\0';
}

int email_list_parse(const char *data, size_t len, email_list_fn fn, void *ud)
{
    struct cursor c = {data, data + len, 1};
    char buf[FIELD_MAX];
    size_t first = strcspn(data, "\r\n");
    if (first > len)
        first = len;
    const char *nl = memchr(data, '\n', len);
    size_t l1 = nl ? (size_t)(nl - data) : len;
    if (first < l1)
        l1 = first;
    bool csv = memchr(data, ',', l1) != NULL ||
               (l1 >= 5 && strncasecmp(data, "email", 5) == 0 &&
                (l1 == 5 || data[5] == '"' || data[5] == ' '));
    if (l1 == 7 && strncasecmp(data, "\"email\"", 7) == 0)
        csv = true;
    long col = 0;
    if (csv) {
        bool eol = false, tl = false;
        long i = 0;
        col = -1;
        while (!eol && c.p < c.end && i < COLS_MAX) {
            field(&c, buf, &eol, &tl);
            if (col < 0 && (strcasecmp(buf, "email") == 0 ||
                            strcasecmp(buf, "e-mail") == 0 ||
                            strcasecmp(buf, "email address") == 0))
                col = i;
            i++;
        }
        c.line++;
        if (col < 0) {
            fn(ud, 1, NULL, "the CSV header has no 'email' column");
            return ERR_PARSE;
        }
    }
    while (c.p < c.end) {
        size_t line = c.line;
        bool eol = false, tl = false, got = false, any = false;
        long i = 0;
        char email[FIELD_MAX] = "";
        while (!eol && c.p < c.end) {
            field(&c, buf, &eol, &tl);
            if (buf[0])
                any = true;
            if (i == col) {
                memcpy(email, buf, strlen(buf) + 1);
                got = true;
            }
            i++;
        }
        c.line++;
        if (!any)
            continue;
        int rc;
        if (tl)
            rc = fn(ud, line, NULL, "field too long");
        else if (!got || !email[0])
            rc = fn(ud, line, NULL, "no address");
        else
            rc = fn(ud, line, email, NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}
