/*
 * lock.c - the database's lock file: who may replace the database.
 *
 * Every quire process that opens a database (the server, each CLI command,
 * a backup) holds a shared flock(2) on "<db>.lock" for as long as it has
 * the database open; `quire restore` takes it exclusively for the whole
 * replacement. So a restore refuses while anything of ours has the file
 * open, and a server cannot start in the middle of a restore.
 *
 * Why a separate file and flock: restore replaces the database file by
 * rename, so a lock on the database's own inode would be left behind on
 * the old file; and SQLite owns the POSIX (fcntl) locks on the database,
 * which a second descriptor of ours would silently drop on close. flock
 * locks belong to the open file description, never conflict with SQLite's
 * fcntl locks, and are released by the kernel when a process dies, even
 * by SIGKILL, so a crash never leaves a stale lock. The lock file itself
 * is never removed (removing it would let two processes lock two
 * different files of the same name); it is empty.
 *
 * The lock file's name comes from the database's resolved path, so two
 * spellings of one database (relative, absolute, through a symlink) share
 * one lock.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* lock_path writes "<resolved db>.lock" into out; false if too long. */
static bool lock_path(const char *db, char *out, size_t cap)
{
    char *real = realpath(db, NULL); /* NULL if db does not exist yet */
    int n = snprintf(out, cap, "%s.lock", real ? real : db);
    free(real);
    return n > 0 && (size_t)n < cap;
}

int sdb_lock(const char *db, int how, int *fd)
{
    char path[PATH_MAX + 8];
    bool exclusive = (how & SDB_LOCK_EXCLUSIVE) != 0;
    *fd = -1;
    if (!lock_path(db, path, sizeof(path))) {
        sdb_errorf("%s: path too long", db);
        return ERR_INVALID;
    }
    /* Read-only: flock needs no write access, so a lock file made by root
     * (a backup run from cron) can still be locked by the server's user. */
    int flags = O_RDONLY | O_CLOEXEC;
    if (!(how & SDB_LOCK_IF_EXISTS))
        flags |= O_CREAT;
    int f = open(path, flags, 0644);
    if (f < 0 && errno == ENOENT && (how & SDB_LOCK_IF_EXISTS))
        return 0; /* no quire process ever opened db */
    if (f < 0) {
        sdb_errorf("%s: cannot open the lock file: %s", path, strerror(errno));
        return ERR_IO;
    }
    int rc;
    do
        rc = flock(f, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        int e = errno;
        close(f);
        if (e == EWOULDBLOCK) {
            if (exclusive)
                sdb_errorf("%s is in use by another quire process (a "
                           "running server?); stop it first",
                           db);
            else
                sdb_errorf("%s is being restored by 'quire restore'; try "
                           "again when it has finished",
                           db);
            return ERR_BUSY;
        }
        sdb_errorf("%s: cannot lock: %s", path, strerror(e));
        return ERR_IO;
    }
    *fd = f;
    return 0;
}

void sdb_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the last descriptor drops the flock */
}
