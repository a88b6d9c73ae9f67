/*
 * backup.c - online backup and restore of the database file.
 *
 * Backup uses SQLite's backup API rather than VACUUM INTO: it copies the
 * pages as they are (no rebuilding of every index, which costs CPU on a
 * large journal while the server runs) into a private temporary file. It
 * copies in chunks of BACKUP_STEP_PAGES inside one read transaction opened
 * by us on the source. In WAL mode a reader never blocks the writer, so
 * the server's hit flushes and CLI edits go on during the whole copy; and
 * because the read transaction spans every step, the copy is one snapshot
 * (everything committed before the backup began, nothing half-written)
 * and the backup never restarts when the server commits between two steps
 * (which, without the held snapshot, it would after every hit flush:
 * measured on a 36 MB journal with a commit every 20 ms, 1 MB steps
 * without the snapshot took 66,659 steps and 198 s; with it, 35 steps
 * and 0.3 s). The cost: checkpoints cannot pass the snapshot until the
 * copy ends, so the WAL grows meanwhile.
 *
 * Files are put in place the crash-safe way: write "<target>.tmp", verify
 * it (integrity_check, application_id, schema version), fsync it, rename
 * it over the target, fsync the directory. A crash or a full disk at any
 * point leaves either the old target or the new one, never a half file.
 *
 * Before the rename the target's -wal, -shm and -journal are removed: a
 * stale WAL beside the new file would be replayed into it on the next
 * open and corrupt it. Removing (not truncating) is safe even if some
 * process still had them open: it keeps the old inodes, the new file gets
 * new ones.
 *
 * Restore refuses while any quire process has the database open: it holds
 * the database's lock file exclusively (lock.c) from its first check to
 * the rename. It also opens the old database once and checkpoints it: if
 * the WAL is still there after we close, some other program (an sqlite3
 * shell) has the file open, and the restore refuses too.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BACKUP_STEP_PAGES 256 /* 1 MB of 4 KB pages per step */
#define BACKUP_BUSY_TRIES 500 /* x 10 ms: how long a lock may hold us up */

/* fail_db records "path: what: SQLite's message" and maps the code. */
static int fail_db(sqlite3 *db, int code, const char *path, const char *what)
{
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    int primary = code & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
        sdb_errorf("%s: not a usable Quire database (%s)", path, msg);
        return ERR_INVALID;
    }
    sdb_errorf("%s: %s: %s", path, what, msg);
    return primary == SQLITE_FULL || primary == SQLITE_IOERR ? ERR_IO : ERR_DB;
}

static int fail_errno(const char *path, const char *what)
{
    sdb_errorf("%s: %s: %s", path, what, strerror(errno));
    return ERR_IO;
}

static int open_db(const char *path, int flags, sqlite3 **db)
{
    int rc = sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = fail_db(*db, rc, path, "cannot open");
        sqlite3_close(*db);
        *db = NULL;
        return rc;
    }
    sqlite3_extended_result_codes(*db, 1);
    sqlite3_busy_timeout(*db, SDB_BUSY_MS);
    return 0;
}

static int exec(sqlite3 *db, const char *path, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail_db(db, rc, path, sql);
}

/* pragma_text runs sql and copies the first column of its first row. */
static int pragma_text(sqlite3 *db, const char *path, const char *sql,
                       char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = fail_db(db, rc, path, sql);
        sqlite3_finalize(st);
        return rc;
    }
    const unsigned char *v = sqlite3_column_text(st, 0);
    snprintf(out, cap, "%s", v ? (const char *)v : "");
    for (char *nl = strchr(out, '\n'); nl; nl = strchr(nl, '\n'))
        *nl = ' '; /* integrity_check's lines: our messages are one line */
    sqlite3_finalize(st);
    return 0;
}

/* identify checks that db is a Quire database of a schema we know. */
static int identify(sqlite3 *db, const char *name, int *version)
{
    char app[32], ver[32];
    long long a, v;
    int rc = pragma_text(db, name, "PRAGMA application_id", app, sizeof(app));
    if (rc == 0)
        rc = pragma_text(db, name, "PRAGMA user_version", ver, sizeof(ver));
    if (rc != 0)
        return rc;
    if (str_to_i64(str_from(app), INT32_MIN, INT32_MAX, &a) != 0 ||
        str_to_i64(str_from(ver), 0, INT32_MAX, &v) != 0 || a != SDB_APP_ID ||
        v < 1) {
        sdb_errorf("%s: not a Quire database", name);
        return ERR_INVALID;
    }
    if (v > store_schema_version()) {
        sdb_errorf("%s: schema version %lld is newer than this program's "
                   "(%d); use a newer quire",
                   name, v, store_schema_version());
        return ERR_INVALID;
    }
    *version = (int)v;
    return 0;
}

/*
 * verify runs integrity_check on the new copy at path (named `name` in
 * messages). It first turns the copy from WAL to a rollback journal, which
 * rewrites two bytes of its header: a backup is then one self-contained
 * file that any SQLite can open, even read-only, without making a -wal and
 * -shm beside it. The server turns it back to WAL when it opens it.
 */
static int verify(const char *path, const char *name, int *version)
{
    sqlite3 *db = NULL;
    char res[256];
    int rc = open_db(path, SQLITE_OPEN_READWRITE, &db);
    if (rc == 0)
        rc = pragma_text(db, name, "PRAGMA journal_mode=DELETE", res,
                         sizeof(res));
    if (rc == 0)
        rc = identify(db, name, version);
    if (rc == 0)
        rc = pragma_text(db, name, "PRAGMA integrity_check", res, sizeof(res));
    if (rc == 0 && strcmp(res, "ok") != 0) {
        sdb_errorf("%s: damaged (integrity_check: %s)", name, res);
        rc = ERR_INVALID;
    }
    if (db && sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = fail_errno(path, "close");
    return rc;
}

/*
 * new_search_token gives the restored copy a new search_index_id: the
 * Xapian index beside the database was built from a later state of it,
 * which the log cannot tell apart once new writes follow, so it is
 * rebuilt rather than followed (search_index.c). A backup from before the
 * table gets one when it is migrated.
 */
static int count_row(void *n, int ncols, char **vals, char **names)
{
    (void)ncols, (void)vals, (void)names;
    ++*(int *)n;
    return 0;
}

static int new_search_token(const char *path)
{
    sqlite3 *db = NULL;
    int n = 0;
    int rc = open_db(path, SQLITE_OPEN_READWRITE, &db);
    if (rc == 0 && (sqlite3_exec(db,
                                 "SELECT 1 FROM sqlite_schema"
                                 " WHERE name = 'search_index_id'",
                                 count_row, &n, NULL) != SQLITE_OK ||
                    (n > 0 && sqlite3_exec(db,
                                           "UPDATE search_index_id SET token ="
                                           " lower(hex(randomblob(16)))",
                                           NULL, NULL, NULL) != SQLITE_OK))) {
        sdb_errorf("%s: %s", path, sqlite3_errmsg(db));
        rc = ERR_DB;
    }
    if (db && sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = fail_errno(path, "close");
    return rc;
}

/* path_plus writes base + suffix into out (PATH_MAX). */
static int path_plus(char *out, const char *base, const char *suffix)
{
    int n = snprintf(out, PATH_MAX, "%s%s", base, suffix);
    if (n < 0 || n >= PATH_MAX) {
        sdb_errorf("%s: path too long", base);
        return ERR_INVALID;
    }
    return 0;
}

/* remove_sidecars unlinks path's -wal, -shm and -journal, if any. */
static int remove_sidecars(const char *path)
{
    static const char *const sfx[] = {"-wal", "-shm", "-journal"};
    char p[PATH_MAX];
    for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
        int rc = path_plus(p, path, sfx[i]);
        if (rc != 0)
            return rc;
        if (unlink(p) != 0 && errno != ENOENT)
            return fail_errno(p, "cannot remove");
    }
    return 0;
}

static int fsync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail_errno(path, "cannot open to sync");
    int rc = fsync(fd) == 0 ? 0 : fail_errno(path, "fsync");
    close(fd);
    return rc;
}

static int fsync_dir_of(const char *path)
{
    char copy[PATH_MAX];
    int rc = path_plus(copy, path, "");
    if (rc != 0)
        return rc;
    return fsync_path(dirname(copy), true);
}

/*
 * put_in_place renames the verified, synced tmp over target; without
 * replace an existing target is left alone (ERR_EXISTS), atomically.
 */
static int put_in_place(const char *tmp, const char *target, bool replace)
{
    int rc = remove_sidecars(target);
    if (rc != 0)
        return rc;
    if (replace) {
        if (rename(tmp, target) != 0)
            return fail_errno(target, "cannot rename into place");
    } else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_NOREPLACE) !=
               0) {
        if (errno == EEXIST) {
            sdb_errorf("%s exists; pass --force to replace it", target);
            return ERR_EXISTS;
        }
        if (errno != EINVAL && errno != ENOSYS)
            return fail_errno(target, "cannot rename into place");
        /* A file system without RENAME_NOREPLACE: link() refuses too. */
        if (link(tmp, target) != 0) {
            if (errno == EEXIST) {
                sdb_errorf("%s exists; pass --force to replace it", target);
                return ERR_EXISTS;
            }
            return fail_errno(target, "cannot link into place");
        }
        (void)unlink(tmp);
    }
    return fsync_dir_of(target);
}

/* discard removes a temporary copy and whatever SQLite left beside it. */
static void discard(const char *tmp)
{
    (void)unlink(tmp);
    (void)remove_sidecars(tmp);
}

/*
 * copy writes the snapshot of src's main database into a new file tmp
 * (see the top of the file for why one read transaction spans the steps).
 */
static int copy(sqlite3 *src, const char *src_name, const char *tmp,
                struct backup_stats *st)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    bool in_read = false;
    discard(tmp); /* a stale copy from an interrupted run */
    int rc = open_db(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &dst);
    /* The copy is private until renamed, and synced by us before: no
     * journal, no syncs of SQLite's own. */
    if (rc == 0)
        rc = exec(dst, tmp, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF");
    if (rc == 0)
        rc = exec(src, src_name, "BEGIN; SELECT count(*) FROM sqlite_schema");
    if (rc != 0)
        goto out;
    in_read = true;
    b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        rc = fail_db(dst, sqlite3_extended_errcode(dst), tmp, "backup");
        goto out;
    }
    int tries = 0, src_rc;
    for (;;) {
        src_rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
        st->steps++;
        if (src_rc == SQLITE_DONE)
            break;
        if (src_rc == SQLITE_OK)
            continue;
        if ((src_rc == SQLITE_BUSY || src_rc == SQLITE_LOCKED) &&
            ++tries < BACKUP_BUSY_TRIES) {
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
            continue;
        }
        break;
    }
    st->pages = sqlite3_backup_pagecount(b);
    int frc = sqlite3_backup_finish(b); /* the step's error, if any */
    if (src_rc != SQLITE_DONE || frc != SQLITE_OK) {
        rc = fail_db(dst, src_rc != SQLITE_DONE ? src_rc : frc, tmp, "copying");
        goto out;
    }
out:
    if (in_read)
        (void)sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
    if (dst && sqlite3_close(dst) != SQLITE_OK && rc == 0)
        rc = fail_db(dst, sqlite3_extended_errcode(dst), tmp, "close");
    return rc;
}

/* same_file tells whether a and b name one existing file. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static int must_exist(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0)
        return S_ISREG(sb.st_mode) ? 0 : sdb_invalid(path, "not a file");
    if (errno == ENOENT) {
        sdb_errorf("%s: no such file", path);
        return ERR_NOT_FOUND;
    }
    return fail_errno(path, "cannot read");
}

int store_backup(const char *db, const char *dest, bool force,
                 struct backup_stats *st)
{
    char tmp[PATH_MAX];
    sqlite3 *src = NULL;
    int lock = -1, dest_lock = -1;
    bool made = false;
    struct stat sb;

    *st = (struct backup_stats){0};
    int rc = path_plus(tmp, dest, ".tmp");
    if (rc != 0)
        return rc;
    rc = must_exist(db);
    if (rc != 0)
        return rc;
    if (same_file(db, dest)) {
        sdb_errorf("%s is the database itself", dest);
        return ERR_INVALID;
    }
    if (!force && access(dest, F_OK) == 0) { /* early; the rename checks */
        sdb_errorf("%s exists; pass --force to replace it", dest);
        return ERR_EXISTS;
    }
    rc = sdb_lock(db, SDB_LOCK_SHARED, &lock);
    if (rc == 0)
        rc = open_db(db, SQLITE_OPEN_READWRITE, &src);
    if (rc == 0)
        rc = identify(src, db, &st->schema);
    if (rc != 0)
        goto out;
    made = true;
    rc = copy(src, db, tmp, st);
    if (rc == 0)
        rc = verify(tmp, tmp, &st->schema);
    if (rc == 0)
        rc = fsync_path(tmp, false);
    /* Replacing a database some quire process still uses: refuse. */
    if (rc == 0 && force)
        rc =
            sdb_lock(dest, SDB_LOCK_EXCLUSIVE | SDB_LOCK_IF_EXISTS, &dest_lock);
    if (rc == 0)
        rc = put_in_place(tmp, dest, force);
    if (rc == 0) {
        made = false;
        st->bytes = stat(dest, &sb) == 0 ? (int64_t)sb.st_size : 0;
    }
out:
    if (made)
        discard(tmp);
    sdb_unlock(dest_lock);
    if (src)
        sqlite3_close(src);
    sdb_unlock(lock);
    return rc;
}

/*
 * check_unused closes the old database cleanly (checkpointing its WAL into
 * it) and tells whether another program still has it open: SQLite deletes
 * the WAL when the last connection closes, so a WAL that survives our
 * close belongs to someone else. A database too damaged to open is not
 * checked: there is nothing in it to save.
 */
static int check_unused(const char *db)
{
    char wal[PATH_MAX];
    sqlite3 *old = NULL;
    char res[64];
    int rc = path_plus(wal, db, "-wal");
    if (rc != 0 || access(db, F_OK) != 0)
        return rc;
    if (open_db(db, SQLITE_OPEN_READWRITE, &old) != 0)
        return 0;
    /* The first column is 1 when a reader or writer blocked it. */
    rc = pragma_text(old, db, "PRAGMA wal_checkpoint(TRUNCATE)", res,
                     sizeof(res));
    bool clean = rc == 0 && strcmp(res, "0") == 0;
    sqlite3_close(old);
    if (rc == ERR_INVALID)
        return 0;
    if (!clean || access(wal, F_OK) == 0) {
        sdb_errorf("%s is in use by another program; close it first", db);
        return ERR_BUSY;
    }
    return 0;
}

/*
 * keep_owner gives tmp the old database's owner and mode, so that a
 * restore run as root does not leave a file the server's user cannot
 * write. Without the right to chown (not root) the file stays ours.
 */
static int keep_owner(const char *tmp, const char *db)
{
    struct stat old;
    if (stat(db, &old) != 0)
        return 0; /* restoring where there was nothing */
    if (chown(tmp, old.st_uid, old.st_gid) != 0 && errno != EPERM)
        return fail_errno(tmp, "cannot set the owner");
    if (chmod(tmp, old.st_mode & 07777) != 0)
        return fail_errno(tmp, "cannot set the mode");
    return 0;
}

int store_restore(const char *db, const char *from, struct backup_stats *st)
{
    char tmp[PATH_MAX];
    sqlite3 *src = NULL;
    int lock = -1;
    bool made = false;
    struct stat sb;

    *st = (struct backup_stats){0};
    int rc = path_plus(tmp, db, ".tmp");
    if (rc == 0)
        rc = must_exist(from);
    if (rc != 0)
        return rc;
    if (same_file(db, from)) {
        sdb_errorf("%s is the database itself", from);
        return ERR_INVALID;
    }
    /* Read-write, though only read: a read-only connection to a WAL file
     * (a copy made with sqlite3's .backup) would leave a -wal and -shm
     * beside it that only a read-write close removes. */
    rc = open_db(from, SQLITE_OPEN_READWRITE, &src);
    if (rc == 0)
        rc = identify(src, from, &st->schema);
    if (rc == 0)
        rc = sdb_lock(db, SDB_LOCK_EXCLUSIVE, &lock);
    if (rc == 0)
        rc = check_unused(db);
    if (rc != 0)
        goto out;
    made = true;
    rc = copy(src, from, tmp, st);
    if (rc == 0)
        rc = verify(tmp, from, &st->schema);
    if (rc == 0)
        rc = new_search_token(tmp);
    if (rc == 0)
        rc = keep_owner(tmp, db);
    if (rc == 0)
        rc = fsync_path(tmp, false);
    if (rc == 0)
        rc = put_in_place(tmp, db, true);
    if (rc == 0) {
        made = false;
        st->bytes = stat(db, &sb) == 0 ? (int64_t)sb.st_size : 0;
    }
out:
    if (made)
        discard(tmp);
    if (src)
        sqlite3_close(src);
    sdb_unlock(lock); /* after the rename: no one opened the old file */
    return rc;
}
