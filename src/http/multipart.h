/*
 * multipart.h - a multipart/form-data body (RFC 7578) split into parts.
 */
#ifndef QUIRE_MULTIPART_H
#define QUIRE_MULTIPART_H

#include "core/err.h"
#include "core/str.h"

#include <stddef.h>

struct multipart_part {
    struct str name;         /* the form field's name */
    struct str filename;     /* as sent (never trusted); empty if none */
    struct str content_type; /* as sent (never trusted); empty if none */
    struct str data;         /* the part's bytes, pointing into the body */
};

/*
 * multipart_parse splits body, whose Content-Type header is content_type
 * ("multipart/form-data; boundary=..."), into at most max parts. Slices
 * point into body and content_type; nothing is allocated. Returns 0,
 * ERR_PARSE for a malformed body or header (no boundary, a part without
 * Content-Disposition form-data and a name, no closing boundary), or
 * ERR_TOO_BIG for more than max parts.
 */
int multipart_parse(struct str content_type, struct str body,
                    struct multipart_part *parts, size_t max, size_t *n) WUR;

/* multipart_find returns the first part named name, or NULL. */
const struct multipart_part *multipart_find(const struct multipart_part *p,
                                            size_t n, const char *name);

#endif
