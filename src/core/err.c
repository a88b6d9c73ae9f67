/*
 * err.c - names for enum quire_err.
 */
#include "core/err.h"

const char *err_str(int rc)
{
    switch (rc) {
    case ERR_OK: return "success";
    case ERR_IO: return "input/output error";
    case ERR_PARSE: return "malformed input";
    case ERR_TOO_BIG: return "input too large";
    case ERR_NOT_FOUND: return "not found";
    case ERR_DB: return "database error";
    case ERR_EXISTS: return "already exists";
    case ERR_INVALID: return "invalid value";
    case ERR_BUSY: return "resource busy";
    case ERR_STATUS: return "error status from the server";
    case ERR_CONFLICT: return "changed meanwhile";
    }
    return "unknown error";
}
