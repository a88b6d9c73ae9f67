/*
 * err.h - the error codes every fallible function returns.
 *
 * A fallible function returns 0 on success or a negative enum quire_err;
 * pointer-returning functions return NULL instead. WUR marks results that
 * must be checked.
 */
#ifndef QUIRE_ERR_H
#define QUIRE_ERR_H

enum quire_err {
    ERR_OK = 0,
    ERR_IO = -1,        /* a read, write or socket call failed */
    ERR_PARSE = -2,     /* input is malformed */
    ERR_TOO_BIG = -3,   /* input exceeds a configured limit */
    ERR_NOT_FOUND = -4, /* no such row, file or route */
    ERR_DB = -5,        /* SQLite reported an error */
    ERR_EXISTS = -6,    /* a unique key is already taken */
    ERR_INVALID = -7,   /* a value is out of range or of the wrong kind */
    ERR_BUSY = -8,      /* the resource is held by someone else */
    ERR_STATUS = -9,    /* a server (ours in process, or remote) answered
                         * an error status instead of the page */
    ERR_CONFLICT = -10, /* a stale revision: someone saved meanwhile */
};

#define WUR __attribute__((warn_unused_result))

/* err_str returns a short English description of rc (static storage). */
const char *err_str(int rc);

#endif
