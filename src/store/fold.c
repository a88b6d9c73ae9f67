/*
 * fold.c - text as FTS5 cuts it into words, for the Xapian index: SQLite's
 * own unicode61 tokenizer with diacritics removed ("São" is "sao"), the one
 * articles_fts uses less its porter stemmer (Xapian stems). Both engines
 * then see the same words: a reader who types "Sao Paulo" or "u.s*" finds
 * what FTS5 would find. Each connection keeps one tokenizer (fts5_api,
 * found with SELECT fts5(?1) as SQLite documents).
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"
#include "core/buf.h"

#include <string.h>

struct sdb_fold {
    fts5_tokenizer api;
    Fts5Tokenizer *tok;
};

static fts5_api *fts5_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

static int tokenizer(struct conn *c, struct sdb_fold **out)
{
    if (c->fold) {
        *out = c->fold;
        return 0;
    }
    fts5_api *api = fts5_of(c->db);
    struct sdb_fold f = {0};
    void *ud = NULL;
    const char *args[] = {"remove_diacritics", "2"};
    if (!api ||
        api->xFindTokenizer(api, "unicode61", &ud, &f.api) != SQLITE_OK ||
        f.api.xCreate(ud, args, 2, &f.tok) != SQLITE_OK) {
        sdb_errorf("search index: no unicode61 tokenizer");
        return ERR_DB;
    }
    c->fold = sqlite3_malloc(sizeof(f));
    if (!c->fold) {
        f.api.xDelete(f.tok);
        sdb_errorf("search index: out of memory");
        return ERR_DB;
    }
    *c->fold = f;
    *out = c->fold;
    return 0;
}

void sdb_fold_free(struct conn *c)
{
    if (c->fold) {
        c->fold->api.xDelete(c->fold->tok);
        sqlite3_free(c->fold);
        c->fold = NULL;
    }
}

static int add_word(void *ctx, int flags, const char *w, int n, int start,
                    int end)
{
    (void)flags, (void)start, (void)end;
    struct buf *b = ctx;
    if (b->len && b->ptr[b->len - 1] != ' ' && b->ptr[b->len - 1] != '"')
        buf_append_char(b, ' ');
    buf_append(b, w, (size_t)n);
    return buf_error(b) ? SQLITE_NOMEM : SQLITE_OK;
}

int sdb_fold(struct conn *c, const char *text, struct buf *b)
{
    struct sdb_fold *f;
    int rc = tokenizer(c, &f);
    if (rc != 0 || !text)
        return rc;
    if (f->api.xTokenize(f->tok, b, FTS5_TOKENIZE_DOCUMENT, text,
                         (int)strlen(text), add_word) != SQLITE_OK) {
        sdb_errorf("search index: cannot cut the text into words");
        return ERR_DB;
    }
    return 0;
}

const char *sdb_fold_match(struct conn *c, struct arena *a, const char *match)
{
    struct buf b;
    buf_init_arena(&b, a, 4 * strlen(match) + 64);
    for (const char *p = match; (p = strchr(p, '"'));) {
        const char *end = strchr(p + 1, '"');
        if (!end)
            break;
        char *text = arena_alloc(a, (size_t)(end - p));
        memcpy(text, p + 1, (size_t)(end - p - 1));
        text[end - p - 1] = '\0';
        if (b.len)
            buf_append_char(&b, ' ');
        buf_append_char(&b, '"');
        if (sdb_fold(c, text, &b) != 0)
            return NULL;
        buf_append_char(&b, '"');
        p = end + 1;
        if (*p == '*')
            buf_append_char(&b, *p++);
    }
    return buf_error(&b) ? NULL : b.ptr;
}
