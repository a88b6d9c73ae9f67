/*
 * json_dump.h - Quire's own lossless JSON format (docs/json-format.md):
 * `quire export json FILE` and `quire import json FILE`.
 */
#ifndef QUIRE_JSON_DUMP_H
#define QUIRE_JSON_DUMP_H

#include "core/err.h"

#include <stddef.h>
#include <stdio.h>

struct store;

enum { JSON_DUMP_VERSION = 1 };

/* json_export writes the whole journal to f, one row per line, streamed. */
int json_export(struct store *s, FILE *f, size_t *rows, char *err,
                size_t errlen) WUR;

/*
 * json_import reads a file written by json_export (path names it in
 * errors) into an empty journal, all or nothing: ERR_PARSE with
 * "FILE:LINE: reason" in err, ERR_EXISTS if the journal is not empty.
 */
int json_import(struct store *s, FILE *f, const char *path, size_t *rows,
                char *err, size_t errlen) WUR;

/* json_import_check parses a file without a store (the fuzz harness):
 * 0 or ERR_PARSE with the reason in err. */
int json_import_check(const char *data, size_t n, char *err, size_t errlen);

#endif
