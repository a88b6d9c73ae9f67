/*
 * media.c - the media library's rows (schema V_MEDIA).
 *
 * A file is known by the hash of the bytes uploaded: the hash is UNIQUE,
 * so a second upload of the same file finds the first row and writes
 * nothing. Variants are the derived files (sizes and formats); they are
 * read with their media row, narrowest first, because every caller
 * (srcset, the API's answer) wants them that way.
 */
#define LOG_MODULE "store"
#include "store/media.h"
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

static const char SQL_MEDIA_FIND[] = "SELECT id FROM media WHERE hash = ?1";
static const char SQL_MEDIA_ADD[] =
    "INSERT INTO media(hash, kind, mime, file, width, height, bytes, alt,"
    " decorative, caption, credit) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)";
static const char SQL_VARIANT_ADD[] =
    "INSERT INTO media_variants(media_id, file, mime, width, height)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
#define MEDIA_COLS                                                             \
    "SELECT id, hash, kind, mime, file, width, height, bytes, alt,"            \
    " decorative, caption, credit, created_at FROM media"
static const char SQL_MEDIA_GET[] = MEDIA_COLS " WHERE id = ?1";
/* A prefix match on the UNIQUE index; LIMIT 2 tells one from many. */
static const char SQL_MEDIA_HASH[] = MEDIA_COLS
    " WHERE hash >= ?1 AND hash < ?1 || 'g' ORDER BY hash LIMIT 2";
static const char SQL_MEDIA_LIST[] = MEDIA_COLS " ORDER BY id DESC";
static const char SQL_VARIANTS[] =
    "SELECT file, mime, width, height FROM media_variants"
    " WHERE media_id = ?1 ORDER BY width, mime";
static const char SQL_FILES[] =
    "SELECT file FROM media UNION SELECT file FROM media_variants"
    " ORDER BY 1";

static int bind_row(sqlite3_stmt *st, const struct media *m)
{
    int brc = sdb_bind_text(st, 1, m->hash);
    brc |= sdb_bind_text(st, 2, m->kind);
    brc |= sdb_bind_text(st, 3, m->mime);
    brc |= sdb_bind_text(st, 4, m->file);
    brc |= sqlite3_bind_int(st, 5, m->width);
    brc |= sqlite3_bind_int(st, 6, m->height);
    brc |= sqlite3_bind_int64(st, 7, m->bytes);
    brc |= sdb_bind_text(st, 8, m->alt && *m->alt ? m->alt : NULL);
    brc |= sqlite3_bind_int(st, 9, m->decorative ? 1 : 0);
    brc |= sdb_bind_text(st, 10, m->caption && *m->caption ? m->caption : NULL);
    brc |= sdb_bind_text(st, 11, m->credit && *m->credit ? m->credit : NULL);
    return brc;
}

int store_media_add(struct store *s, const struct media *m, int64_t *id,
                    bool *existed)
{
    if (!m || !m->hash || !*m->hash || !m->kind || !m->mime || !m->file)
        return sdb_invalid("media_add", "a media row needs hash, kind, "
                                        "type and file");
    *existed = false;
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_MEDIA_FIND);
    if (!st || sdb_bind_text(st, 1, m->hash) != SQLITE_OK) {
        rc = st ? sdb_fail(w, "media_add") : ERR_DB;
        goto out;
    }
    rc = sdb_step(w, st, "media_add");
    if (rc == 1) {
        *id = sqlite3_column_int64(st, 0);
        *existed = true;
        rc = 0;
        goto out;
    }
    if (rc != 0)
        goto out;
    sdb_done(st);
    st = sdb_stmt(w, SQL_MEDIA_ADD);
    if (!st || bind_row(st, m) != SQLITE_OK) {
        rc = st ? sdb_fail(w, "media_add") : ERR_DB;
        goto out;
    }
    rc = sdb_step(w, st, "media_add");
    if (rc != 0)
        goto out;
    *id = sqlite3_last_insert_rowid(w->db);
    for (size_t i = 0; rc == 0 && i < m->nvariants; i++) {
        const struct media_variant *v = &m->variants[i];
        sdb_done(st);
        st = sdb_stmt(w, SQL_VARIANT_ADD);
        if (!st) {
            rc = ERR_DB;
            goto out;
        }
        int brc = sqlite3_bind_int64(st, 1, *id);
        brc |= sdb_bind_text(st, 2, v->file);
        brc |= sdb_bind_text(st, 3, v->mime);
        brc |= sqlite3_bind_int(st, 4, v->width);
        brc |= sqlite3_bind_int(st, 5, v->height);
        rc = brc == SQLITE_OK ? sdb_step(w, st, "media_add")
                              : sdb_fail(w, "media_add");
    }
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}

static void media_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(struct media *)elem = (struct media){
        .id = sqlite3_column_int64(st, 0),
        .hash = sdb_col_text(a, st, 1),
        .kind = sdb_col_text(a, st, 2),
        .mime = sdb_col_text(a, st, 3),
        .file = sdb_col_text(a, st, 4),
        .width = sqlite3_column_int(st, 5),
        .height = sqlite3_column_int(st, 6),
        .bytes = sqlite3_column_int64(st, 7),
        .alt = sdb_col_text(a, st, 8),
        .decorative = sqlite3_column_int(st, 9) != 0,
        .caption = sdb_col_text(a, st, 10),
        .credit = sdb_col_text(a, st, 11),
        .created_at = sdb_col_text(a, st, 12),
    };
}

/* variants reads m's derived files, narrowest first. */
static int variants(struct store *s, struct arena *a, struct media *m)
{
    struct conn *c;
    size_t cap = 0;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_VARIANTS);
    if (!st || sqlite3_bind_int64(st, 1, m->id) != SQLITE_OK) {
        rc = st ? sdb_fail(c, "media_variants") : ERR_DB;
        goto out;
    }
    m->variants = NULL;
    m->nvariants = 0;
    while ((rc = sdb_step(c, st, "media_variants")) == 1) {
        m->variants =
            sdb_grow(a, m->variants, m->nvariants, &cap, sizeof(*m->variants));
        m->variants[m->nvariants++] = (struct media_variant){
            .file = sdb_col_text(a, st, 0),
            .mime = sdb_col_text(a, st, 1),
            .width = sqlite3_column_int(st, 2),
            .height = sqlite3_column_int(st, 3),
        };
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc;
}

int store_media_get(struct store *s, struct arena *a, int64_t id,
                    struct media *m)
{
    int rc =
        sdb_one(s, a, SQL_MEDIA_GET, "media_get", SDB_INT(id), media_row, m);
    return rc == 0 ? variants(s, a, m) : rc;
}

int store_media_by_hash(struct store *s, struct arena *a, const char *hash,
                        struct media *m)
{
    size_t n = hash ? strlen(hash) : 0;
    if (n < 8 || n > 64 || strspn(hash, "0123456789abcdef") != n) {
        sdb_errorf("media: '%s' is not a media hash", hash ? hash : "");
        return ERR_NOT_FOUND;
    }
    struct conn *c;
    int rc = sdb_read_begin(s, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sdb_stmt(c, SQL_MEDIA_HASH);
    if (!st || sdb_bind_text(st, 1, hash) != SQLITE_OK) {
        rc = st ? sdb_fail(c, "media_by_hash") : ERR_DB;
        goto out;
    }
    rc = sdb_step(c, st, "media_by_hash");
    if (rc == 1) {
        media_row(a, st, m);
        rc = sdb_step(c, st, "media_by_hash");
        if (rc == 1) {
            sdb_errorf("media: '%s' names more than one file", hash);
            rc = ERR_NOT_FOUND;
        }
    } else if (rc == 0) {
        sdb_errorf("media: no file '%s' in the library", hash);
        rc = ERR_NOT_FOUND;
    }
out:
    sdb_done(st);
    sdb_read_end(s, c);
    return rc == 0 ? variants(s, a, m) : rc;
}

int store_media_ref(struct store *s, struct arena *a, const char *ref,
                    struct media *m)
{
    if (!ref || !*ref) {
        sdb_errorf("media: no file named");
        return ERR_NOT_FOUND;
    }
    /* The URL or file name `quire media list` shows names its hash too:
     * /media/HASH.jpg, HASH-480.webp. */
    if (strncmp(ref, "/media/", 7) == 0)
        ref += 7;
    size_t n = strspn(ref, "0123456789");
    /* A hash is hex of 8+ characters: a short number is an id. */
    if (ref[n] == '\0' && n > 0 && n < 8) {
        int64_t id = 0;
        for (size_t i = 0; i < n; i++)
            id = id * 10 + (ref[i] - '0');
        return store_media_get(s, a, id, m);
    }
    size_t h = strspn(ref, "0123456789abcdef");
    if (h >= 8 && h <= 64 && (ref[h] == '.' || ref[h] == '-')) {
        char hash[65];
        memcpy(hash, ref, h);
        hash[h] = '\0';
        return store_media_by_hash(s, a, hash, m);
    }
    return store_media_by_hash(s, a, ref, m);
}

int store_media_list(struct store *s, struct arena *a, struct media **out,
                     size_t *n)
{
    return sdb_list(s, a, SQL_MEDIA_LIST, "media_list", sizeof(**out),
                    media_row, (void **)out, n);
}

static void file_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    *(const char **)elem = sdb_col_text(a, st, 0);
}

int store_media_files(struct store *s, struct arena *a, const char ***out,
                      size_t *n)
{
    return sdb_list(s, a, SQL_FILES, "media_files", sizeof(**out), file_row,
                    (void **)out, n);
}

static const char SQL_FEATURE_SET[] =
    "UPDATE articles SET feature_image = ?2, feature_image_alt = ?3"
    " WHERE id = ?1 AND (feature_image IS NOT ?2"
    " OR feature_image_alt IS NOT ?3)";
static const char SQL_FEATURE_GET[] =
    "SELECT feature_image, feature_image_alt FROM articles WHERE id = ?1";

int store_article_feature_set(struct store *s, int64_t id, const char *ref,
                              const char *alt)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    struct conn *w = &s->writer;
    sqlite3_stmt *st = sdb_stmt(w, SQL_FEATURE_SET);
    if (!st) {
        rc = ERR_DB;
        goto out;
    }
    int brc = sqlite3_bind_int64(st, 1, id);
    brc |= sdb_bind_text(st, 2, ref && *ref ? ref : NULL);
    brc |= sdb_bind_text(st, 3, alt && *alt ? alt : NULL);
    rc = brc == SQLITE_OK ? sdb_step(w, st, "article_feature_set")
                          : sdb_fail(w, "article_feature_set");
out:
    sdb_done(st);
    return sdb_write_end(s, rc);
}

struct feature {
    const char *ref, *alt;
};

static void feature_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    struct feature *f = elem;
    f->ref = sdb_col_text(a, st, 0);
    f->alt = sdb_col_text(a, st, 1);
}

int store_article_feature(struct store *s, struct arena *a, int64_t id,
                          const char **ref, const char **alt)
{
    struct feature f = {0};
    int rc = sdb_one(s, a, SQL_FEATURE_GET, "article_feature", SDB_INT(id),
                     feature_row, &f);
    *ref = f.ref;
    *alt = f.alt;
    return rc;
}
