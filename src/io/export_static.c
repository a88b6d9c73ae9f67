/*
 * export_static.c - the static export: a crawl of the site, in-process.
 *
 * Design. One struct exporter holds the visited set (an open hash table of
 * crawl keys, see io/linkmap.h) and, in the same array, the work queue:
 * every key is visited exactly once, so the list of visits in insertion
 * order doubles as a FIFO whose head is the next key to render. Workers
 * take a key under the one mutex, render it with site_app on a synthetic
 * request (its own arena, reset after each page), rewrite its links into
 * a reused buffer, write the file below the temporary folder (openat from
 * that folder's descriptor), and add the keys the page linked to under
 * the mutex again. The crawl ends when the queue is empty and no worker
 * is busy; a worker's failure stops the others at their next key.
 *
 * The site is opened with a page cache of 0 bytes (cache_put refuses every
 * page), so each page is rendered once and memory stays flat; the article
 * render times measured here are therefore cold renders.
 *
 * Invariants: nothing is written outside the temporary folder until the
 * final rename; keys are plain paths (linkmap), so file names derived from
 * them cannot climb out of it; files are opened O_NOFOLLOW.
 *
 * Test hook: QUIRE_EXPORT_FAIL_AFTER=N in the environment makes the export
 * fail after writing N files, to prove a failure leaves DIR untouched.
 */
#define LOG_MODULE "export"
#include "io/export_static.h"

#include "core/compress.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/http.h"
#include "io/linkmap.h"
#include "io/redirects_nginx.h"
#include "io/rmtree.h"
#include "core/page.h"
#include "site/site.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE_MAX_BYTES ((size_t)256 << 20)
#define SEED_BATCH 1000
#define BROKEN_SHOWN 5
#define NOT_FOUND_KEY "/404.html" /* the theme's 404 page, as 404.html */

struct visit {
    char *key;
    const char *from; /* the key of the page that linked here; NULL: seed */
    uint64_t hash;
    bool taken; /* rendered out of turn by the worker of its page (own) */
};

struct exporter {
    const struct export_opts *o;
    struct store *store;
    struct site *site;
    struct linkmap map;
    int dirfd; /* the temporary folder */
    FILE *err;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct visit **slots; /* hash set of visits */
    size_t cap;
    struct visit **list; /* every visit in order; [head, n) is the queue */
    size_t n, head, list_cap;
    unsigned active; /* workers rendering */
    unsigned idle;   /* workers waiting for a key */
    bool failed;
    int rc;
    char msg[512];
    size_t broken;
    char broken_text[BROKEN_SHOWN][LINKMAP_PATH_MAX * 2 + 32];
    uint32_t *times; /* article render times, us */
    size_t ntimes, times_cap;
    size_t articles;

    atomic_size_t done, files;
    atomic_uint_least64_t bytes;
    long fail_after; /* test hook; 0: off */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t hash_key(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* fail_locked records the first failure and wakes every worker. */
static void fail_locked(struct exporter *e, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_locked(struct exporter *e, int rc, const char *fmt, ...)
{
    if (!e->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        e->rc = rc;
        e->failed = true;
    }
    pthread_cond_broadcast(&e->cv);
}

static void grow_set(struct exporter *e)
{
    size_t cap = e->cap ? e->cap * 2 : 4096;
    struct visit **slots = xcalloc(cap, sizeof(*slots));
    for (size_t i = 0; i < e->cap; i++) {
        struct visit *v = e->slots[i];
        if (!v)
            continue;
        size_t j = v->hash & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = v;
    }
    free(e->slots);
    e->slots = slots;
    e->cap = cap;
}

/*
 * add_locked queues key unless it was seen and returns its new visit (NULL
 * if seen); from is NULL for seeds. It wakes no one: record_locked does,
 * once per page and only if a worker waits (a signal per key was a futex
 * call per key).
 */
static struct visit *add_locked(struct exporter *e, struct str key,
                                const char *from)
{
    if ((e->n + 1) * 2 > e->cap)
        grow_set(e);
    uint64_t h = hash_key(key.ptr, key.len);
    size_t i = h & (e->cap - 1);
    for (; e->slots[i]; i = (i + 1) & (e->cap - 1)) {
        struct visit *v = e->slots[i];
        if (v->hash == h && strlen(v->key) == key.len &&
            memcmp(v->key, key.ptr, key.len) == 0)
            return NULL;
    }
    struct visit *v = xmalloc(sizeof(*v));
    v->key = xstrndup(key.ptr, key.len);
    v->from = from;
    v->hash = h;
    v->taken = false;
    e->slots[i] = v;
    if (e->n == e->list_cap) {
        e->list_cap = e->list_cap ? e->list_cap * 2 : 4096;
        e->list = xrealloc(e->list, e->list_cap * sizeof(*e->list));
    }
    e->list[e->n++] = v;
    return v;
}

/* skip_taken_locked keeps the queue's head off visits a worker took out
 * of turn, so head == n still means that nothing is left to take. */
static void skip_taken_locked(struct exporter *e)
{
    while (e->head < e->n && e->list[e->head]->taken)
        e->head++;
}

/* --- one page ------------------------------------------------------- */

/*
 * A worker's own record of the keys it has handed over already. Every page
 * repeats the masthead's and sidebar's links; filtering them here keeps
 * them off the shared set's mutex (about a hundred links a page).
 *
 * It is only a filter: a key it calls new goes to the exact shared set.
 * Its lookups were cache misses (a third of the link rewriting), so it is
 * compact: 8-byte slots (part of the hash, offset of the key) and the keys
 * back to back in one buffer, each after its 2-byte length, so the links
 * every page repeats sit together, in the order the first page gave them.
 */
struct seen {
    struct seen_ent {
        uint32_t hash;
        uint32_t off; /* of the key's length in keys; 0: empty slot */
    } * v;
    size_t cap, n;
    char *keys;
    size_t keys_len, keys_cap;
};

static uint32_t seen_hash(struct str key)
{
    uint64_t h = hash_key(key.ptr, key.len);
    return (uint32_t)(h ^ (h >> 32));
}

/* seen_reserve makes room for extra more keys without a rehash. */
static void seen_reserve(struct seen *s, size_t extra)
{
    size_t cap = s->cap ? s->cap : 1024;
    while ((s->n + extra + 1) * 2 > cap)
        cap *= 2;
    if (cap == s->cap)
        return;
    struct seen_ent *v = xcalloc(cap, sizeof(*v));
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->v[i].off)
            continue;
        size_t j = s->v[i].hash & (cap - 1);
        while (v[j].off)
            j = (j + 1) & (cap - 1);
        v[j] = s->v[i];
    }
    free(s->v);
    s->v = v;
    s->cap = cap;
}

/* seen_add_hashed records key, whose seen_hash is h; false if this worker
 * had handed it over before. */
static bool seen_add_hashed(struct seen *s, struct str key, uint32_t h)
{
    if (key.len > UINT16_MAX || s->keys_len + 2 + key.len > UINT32_MAX)
        return true; /* not recorded: the shared set decides */
    seen_reserve(s, 1);
    size_t i = h & (s->cap - 1);
    for (; s->v[i].off; i = (i + 1) & (s->cap - 1)) {
        if (s->v[i].hash != h)
            continue;
        const char *k = s->keys + s->v[i].off;
        uint16_t len;
        memcpy(&len, k, sizeof(len));
        if (len == key.len && memcmp(k + 2, key.ptr, key.len) == 0)
            return false;
    }
    if (!s->keys_len)
        s->keys_len = 1; /* offset 0 marks an empty slot */
    if (s->keys_len + 2 + key.len > s->keys_cap) {
        s->keys_cap = s->keys_cap ? s->keys_cap * 2 : 64 * 1024;
        while (s->keys_len + 2 + key.len > s->keys_cap)
            s->keys_cap *= 2;
        s->keys = xrealloc(s->keys, s->keys_cap);
    }
    uint16_t len = (uint16_t)key.len;
    memcpy(s->keys + s->keys_len, &len, sizeof(len));
    memcpy(s->keys + s->keys_len + 2, key.ptr, key.len);
    s->v[i] = (struct seen_ent){h, (uint32_t)s->keys_len};
    s->keys_len += 2 + key.len;
    s->n++;
    return true;
}

/* seen_add records key; false if this worker had handed it over before. */
static bool seen_add(struct seen *s, struct str key)
{
    return seen_add_hashed(s, key, seen_hash(key));
}

/*
 * seen_filter keeps in keys[0, *n) those this worker had not handed over,
 * and records them. A page's hundred lookups were each a cache miss, one
 * after the other; hashing them all first and prefetching their slots
 * lets the misses overlap.
 */
static void seen_filter(struct seen *s, struct arena *a, struct str *keys,
                        size_t *n)
{
    if (!*n)
        return;
    uint32_t *h = arena_alloc(a, *n * sizeof(*h));
    seen_reserve(s, *n);
    for (size_t i = 0; i < *n; i++) {
        h[i] = seen_hash(keys[i]);
        __builtin_prefetch(&s->v[h[i] & (s->cap - 1)]);
    }
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++)
        if (seen_add_hashed(s, keys[i], h[i]))
            keys[kept++] = keys[i];
    *n = kept;
}

static void seen_release(struct seen *s)
{
    free(s->v);
    free(s->keys);
}

/* A page's outgoing links, gathered while rewriting, filtered by the
 * worker's seen set (seen_filter) and added after. */
struct found {
    struct arena *a;
    struct str *keys;
    size_t n, cap;
};

static void on_found(void *ctx, struct str key)
{
    struct found *f = ctx;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 128;
        struct str *keys = arena_alloc(f->a, cap * sizeof(*keys));
        if (f->n)
            memcpy(keys, f->keys, f->n * sizeof(*keys));
        f->keys = keys;
        f->cap = cap;
    }
    f->keys[f->n++] =
        (struct str){arena_strndup(f->a, key.ptr, key.len), key.len};
}

static enum linkmap_kind kind_of(const char *type)
{
    if (!type || strstr(type, "html"))
        return LINKMAP_HTML;
    if (strstr(type, "xml"))
        return LINKMAP_XML;
    return LINKMAP_TEXT;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return ERR_IO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/*
 * make_dir creates the folder path[0, len) below dirfd and its parents.
 * dirs remembers the folders this worker made or found: most files go
 * into a folder made before (articles/, articles/x/ for x.bib), so the
 * common case costs no system call, and a new page's folder costs one
 * mkdirat instead of one per component (a third of the export's system
 * calls were mkdirat answering EEXIST).
 */
static int make_dir(int dirfd, char *path, size_t len, struct seen *dirs)
{
    if (len == 0 || !seen_add(dirs, (struct str){path, len}))
        return 0; /* the export's folder itself, or made before */
    /* If this fails the export stops, so the early record is harmless. */
    path[len] = '\0';
    int rc = mkdirat(dirfd, path, 0755);
    if (rc != 0 && errno == ENOENT) {
        char *up = memrchr(path, '/', len);
        path[len] = '/';
        if (make_dir(dirfd, path, up ? (size_t)(up - path) : 0, dirs) != 0)
            return -1;
        path[len] = '\0';
        rc = mkdirat(dirfd, path, 0755);
    }
    path[len] = '/';
    return rc == 0 || errno == EEXIST ? 0 : -1;
}

/* open_file creates the folders of rel below dirfd and opens rel. */
static int open_file(int dirfd, const char *rel, struct seen *dirs)
{
    char path[LINKMAP_PATH_MAX + 64];
    size_t n = strlen(rel);
    if (n >= sizeof(path))
        return -1;
    memcpy(path, rel, n + 1);
    char *slash = memrchr(path, '/', n);
    if (slash && make_dir(dirfd, path, (size_t)(slash - path), dirs) != 0)
        return -1;
    return openat(dirfd, path,
                  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
}

/* is_text: does rel name a text file nginx may serve precompressed? */
static bool is_text(const char *rel)
{
    static const char *const exts[] = {".html", ".xml",  ".json", ".css",
                                       ".js",   ".svg",  ".txt",  ".bib",
                                       ".ris",  ".atom", ".rss"};
    size_t n = strlen(rel);
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t m = strlen(exts[i]);
        if (n > m && strcmp(rel + n - m, exts[i]) == 0)
            return true;
    }
    return false;
}

/*
 * write_variants writes rel.gz and rel.br beside a text file of at least
 * COMPRESS_MIN_BYTES, for nginx's gzip_static and brotli_static (or only
 * rel.gz, or neither, as mode says); the same encoders and levels as the
 * page cache's, so both serve equal bytes.
 */
static int write_variants(int dirfd, const char *rel, const char *p, size_t n,
                          struct seen *dirs, enum export_compress mode)
{
    if (mode == EXPORT_COMPRESS_NONE || n < COMPRESS_MIN_BYTES || !is_text(rel))
        return 0;
    int rc = 0;
    int kinds = mode == EXPORT_COMPRESS_GZIP ? 1 : 2;
    for (int k = 0; k < kinds && !rc; k++) {
        char *z = NULL;
        size_t zlen = 0;
        int zrc = k == 0 ? compress_gzip(p, n, &z, &zlen)
                         : compress_brotli(p, n, &z, &zlen);
        if (zrc != 0)
            continue; /* not smaller: nginx sends the file itself */
        char path[LINKMAP_PATH_MAX + 64];
        int m = snprintf(path, sizeof(path), "%s%s", rel, k ? ".br" : ".gz");
        int fd = m > 0 && (size_t)m < sizeof(path)
                     ? open_file(dirfd, path, dirs)
                     : -1;
        if (fd < 0 || write_all(fd, z, zlen) != 0)
            rc = ERR_IO;
        if (fd >= 0 && close(fd) != 0)
            rc = ERR_IO;
        free(z);
    }
    return rc;
}

/* copy_fd copies a static file (an asset) into out. */
static int copy_fd(int fd, struct buf *out)
{
    char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return ERR_IO;
        if (r == 0)
            return buf_error(out);
        buf_append(out, chunk, (size_t)r);
    }
}

/*
 * render_one renders v into out (rewritten) and returns the status; on
 * 200 *type is the content type. f receives the page's links.
 */
static int render_one(struct exporter *e, struct visit *v, struct arena *a,
                      struct buf *out, struct found *f, double *us)
{
    struct request req = {0};
    struct response res = {0};
    const char *q = strchr(v->key, '?');
    req.arena = a;
    req.method = HTTP_GET;
    req.method_name = "GET";
    req.path = q ? (struct str){v->key, (size_t)(q - v->key)}
                 : str_from(v->key);
    req.query = str_from(q ? q + 1 : "");
    req.body = STR("");
    req.remote_addr = "export";
    res.status = 200;
    res.fd = -1;
    buf_init_arena(&res.body, a, PAGE_MAX_BYTES);

    double t0 = now_s();
    int status = site_app(&req, &res, e->site);
    *us = (now_s() - t0) * 1e6;

    bool is404 = strcmp(v->key, NOT_FOUND_KEY) == 0;
    if (status == 404 && is404)
        status = 200;
    if (status == 200) {
        const char *type = res.content_type;
        if (!type && res.page)
            type = res.page->content_type;
        enum linkmap_kind kind = kind_of(type);
        if (res.fd >= 0) {
            if (copy_fd(res.fd, out) != 0)
                status = 500;
        } else if (res.page) {
            struct page *p = res.page;
            size_t cut = p->splice_at <= p->len ? p->splice_at : p->len;
            linkmap_rewrite(&e->map, kind, (struct str){p->bytes, cut}, out,
                            on_found, f);
            buf_append_str(out, res.splice);
            linkmap_rewrite(&e->map, kind,
                            (struct str){p->bytes + cut, p->len - cut}, out,
                            on_found, f);
        } else {
            linkmap_rewrite(&e->map, kind, buf_str(&res.body), out, on_found,
                            f);
        }
    }
    if (res.page)
        page_unref(res.page);
    if (res.fd >= 0)
        close(res.fd);
    return status;
}

/*
 * A page's own files: the keys it links to that are its key and an
 * extension (/articles/x.bib, .ris and .json of /articles/x). The worker
 * that rendered the page renders them next, out of the queue's turn, so
 * they find the article it read still in its store memo (store_read_memo)
 * instead of reading it again, each, a whole queue later.
 */
enum { OWN_MAX = 8 };
struct own {
    struct visit *v[OWN_MAX];
    size_t n, next; /* v[next, n) are still to render */
};

static bool is_own(const char *page, struct str key)
{
    size_t n = strlen(page);
    if (key.len <= n + 1 || memcmp(key.ptr, page, n) != 0 || key.ptr[n] != '.')
        return false;
    struct str ext = {key.ptr + n + 1, key.len - n - 1};
    return !memchr(ext.ptr, '/', ext.len) && !memchr(ext.ptr, '?', ext.len) &&
           !memchr(page, '?', n);
}

static bool is_article(const char *key)
{
    static const char pre[] = "/articles/";
    return strncmp(key, pre, sizeof(pre) - 1) == 0 &&
           !strpbrk(key + sizeof(pre) - 1, "./?");
}

/* record_locked adds what v linked to, taking v's own files into own. */
static void record_locked(struct exporter *e, struct visit *v, int status,
                          double us, struct found *f, struct own *own)
{
    if (status == 200) {
        size_t before = e->n;
        if (own->next == own->n)
            own->n = own->next = 0;
        for (size_t i = 0; i < f->n; i++) {
            struct visit *nv = add_locked(e, f->keys[i], v->key);
            if (nv && own->n < OWN_MAX && is_own(v->key, f->keys[i])) {
                nv->taken = true;
                own->v[own->n++] = nv;
            }
        }
        skip_taken_locked(e);
        if (e->n > before && e->idle)
            pthread_cond_broadcast(&e->cv);
        if (is_article(v->key)) {
            e->articles++;
            if (e->ntimes == e->times_cap) {
                e->times_cap = e->times_cap ? e->times_cap * 2 : 4096;
                e->times = xrealloc(e->times, e->times_cap * sizeof(*e->times));
            }
            e->times[e->ntimes++] = (uint32_t)(us + 0.5);
        }
    } else if (status >= 300 && status < 500) {
        /* A redirect has no file to be: on a static server its link is
         * as broken as a 404, and reported the same way. */
        if (!v->from)
            return; /* a seed the site does not have (no feeds yet) */
        if (e->broken < BROKEN_SHOWN)
            snprintf(e->broken_text[e->broken], sizeof(e->broken_text[0]),
                     "%s (%d, linked from %s)", v->key, status, v->from);
        e->broken++;
    } else {
        fail_locked(e, ERR_STATUS, "%s: the site answered %d", v->key, status);
    }
}

static void *worker(void *arg)
{
    struct exporter *e = arg;
    struct arena a;
    struct buf out;
    struct seen seen = {0}, dirs = {0};
    arena_init(&a, 64 * 1024);
    buf_init(&out, PAGE_MAX_BYTES);
    /* One read transaction for all this worker renders: no BEGIN and
     * COMMIT per page (5 % of the export), and no page sees a write that
     * came after the first. */
    store_read_hold(e->store);
    store_read_memo(e->store);

    struct own own = {0};
    pthread_mutex_lock(&e->mu);
    for (;;) {
        struct visit *v;
        if (own.next < own.n) {
            v = own.v[own.next++]; /* still counted in active */
        } else {
            while (!e->failed && e->head == e->n && e->active > 0) {
                e->idle++;
                pthread_cond_wait(&e->cv, &e->mu);
                e->idle--;
            }
            if (e->failed || e->head == e->n)
                break;
            v = e->list[e->head++];
            skip_taken_locked(e);
            e->active++;
        }
        pthread_mutex_unlock(&e->mu);

        struct found f = {.a = &a};
        double us = 0;
        buf_reset(&out);
        int status = render_one(e, v, &a, &out, &f, &us);
        if (status == 200)
            seen_filter(&seen, &a, f.keys, &f.n);
        int rc = 0;
        const char *why = NULL;
        if (status == 200 && buf_error(&out)) {
            rc = ERR_TOO_BIG;
            why = "page too large";
        } else if (status == 200) {
            const char *rel = linkmap_file(&a, v->key);
            int fd = rel ? open_file(e->dirfd, rel, &dirs) : -1;
            if (fd < 0 || write_all(fd, out.ptr, out.len) != 0) {
                rc = ERR_IO;
                why = strerror(errno);
            }
            if (fd >= 0 && close(fd) != 0 && !rc) {
                rc = ERR_IO;
                why = strerror(errno);
            }
            if (!rc && write_variants(e->dirfd, rel, out.ptr, out.len, &dirs,
                                      e->o->compress) != 0) {
                rc = ERR_IO;
                why = strerror(errno);
            }
            size_t files = atomic_fetch_add(&e->files, 1) + 1;
            atomic_fetch_add(&e->bytes, out.len);
            if (!rc && e->fail_after && files >= (size_t)e->fail_after) {
                rc = ERR_IO;
                why = "injected failure (QUIRE_EXPORT_FAIL_AFTER)";
            }
        }
        atomic_fetch_add(&e->done, 1);

        pthread_mutex_lock(&e->mu);
        if (rc)
            fail_locked(e, rc, "%s: cannot write: %s", v->key, why);
        else
            record_locked(e, v, status, us, &f, &own);
        if (e->failed)
            own.next = own.n; /* dropped: the export stops */
        if (own.next == own.n)
            e->active--;
        if (e->active == 0 && e->head == e->n)
            pthread_cond_broadcast(&e->cv);
        arena_release(&a);
    }
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    store_read_release(e->store);
    buf_release(&out);
    arena_release(&a);
    seen_release(&seen);
    seen_release(&dirs);
    return NULL;
}

/* --- seeds ---------------------------------------------------------- */

static void seed_assets(struct exporter *e, char *rel, size_t len, size_t cap,
                        int depth)
{
    if (depth > 8)
        return;
    DIR *d = opendir(rel);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        size_t n = strlen(de->d_name);
        if (len + 1 + n + 1 > cap)
            continue;
        rel[len] = '/';
        memcpy(rel + len + 1, de->d_name, n + 1);
        struct stat st;
        if (lstat(rel, &st) != 0)
            continue; /* gone since readdir: st would be garbage */
        if (S_ISDIR(st.st_mode)) {
            seed_assets(e, rel, len + 1 + n, cap, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            /* the key is /assets/ + the part below the assets folder */
            const char *below = strstr(rel, "/assets/");
            char key[LINKMAP_PATH_MAX + 32];
            struct arena a;
            arena_init(&a, 1024);
            if (below) {
                snprintf(key, sizeof(key), "%s", below);
                if (linkmap_key(&a, str_from(key)))
                    add_locked(e, str_from(key), NULL);
            }
            arena_release(&a);
        }
        rel[len] = '\0';
    }
    closedir(d);
}

static int seed(struct exporter *e, struct store *s)
{
    static const char *const fixed[] = {"/",
                                        NOT_FOUND_KEY,
                                        "/robots.txt",
                                        "/sitemap.xml",
                                        "/feed.atom",
                                        "/feed.rss",
                                        "/feed.json",
                                        "/countries",
                                        "/organizations",
                                        "/relations"};
    struct arena a;
    int rc = 0;
    arena_init(&a, 64 * 1024);
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        add_locked(e, str_from(fixed[i]), NULL);

    struct section *sec;
    size_t nsec;
    if (store_sections_list(s, &a, &sec, &nsec) != 0) {
        rc = ERR_DB;
        goto out;
    }
    for (size_t i = 0; i < nsec; i++) {
        char key[LINKMAP_PATH_MAX];
        snprintf(key, sizeof(key), "/sections/%s", sec[i].slug);
        add_locked(e, str_from(key), NULL);
    }
    for (int off = 0;; off += SEED_BATCH) {
        struct article *arts;
        size_t n;
        struct list_query q = {
            .kind = LIST_ALL, .limit = SEED_BATCH, .offset = off};
        arena_release(&a);
        if (store_articles_list(s, &a, &q, &arts, &n, NULL) != 0) {
            rc = ERR_DB;
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            char key[LINKMAP_PATH_MAX];
            snprintf(key, sizeof(key), "/articles/%s", arts[i].slug);
            add_locked(e, str_from(key), NULL);
        }
        if (n < SEED_BATCH)
            break;
    }
    char rel[4096];
    int n = snprintf(rel, sizeof(rel), "%s/assets", e->o->theme_dir);
    if (n > 0 && (size_t)n < sizeof(rel))
        seed_assets(e, rel, (size_t)n, sizeof(rel), 0);
out:
    pthread_mutex_unlock(&e->mu);
    arena_release(&a);
    return rc;
}

/* --- the folder ----------------------------------------------------- */

static void remove_tree(const char *path)
{
    if (rmtree(path) != 0)
        log_warn("%s: not entirely removed", path);
}

/* check_target: DIR may be absent, empty, or a previous export. */
static int check_target(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return ERR_IO;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a folder", dir);
        return ERR_EXISTS;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return ERR_IO;
    }
    bool empty = true, marked = false;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        empty = false;
        if (strcmp(de->d_name, EXPORT_MARKER) == 0)
            marked = true;
    }
    closedir(d);
    if (empty || marked)
        return 0;
    snprintf(err, errlen,
             "%s is not a Quire export (no %s in it); refusing to replace "
             "it: remove it or choose another folder",
             dir, EXPORT_MARKER);
    return ERR_EXISTS;
}

/* publish swaps the finished tmp folder into dir and removes the old one. */
static int publish(const char *tmp, const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (rename(tmp, dir) == 0)
            return 0;
    } else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
        remove_tree(tmp); /* now the previous export */
        return 0;
    } else {
        /* No atomic exchange on this file system: two renames. */
        size_t n = strlen(dir) + 16;
        char *old = xmalloc(n);
        snprintf(old, n, "%s.old-XXXXXX", dir);
        int rc = -1;
        if (mkdtemp(old) && rename(dir, old) == 0) {
            rc = rename(tmp, dir);
            if (rc != 0 && rename(old, dir) != 0)
                log_error("%s: could not be put back from %s", dir, old);
            else if (rc == 0)
                remove_tree(old);
        }
        free(old);
        if (rc == 0)
            return 0;
    }
    snprintf(err, errlen, "cannot move %s to %s: %s", tmp, dir,
             strerror(errno));
    return ERR_IO;
}

/* --- progress ------------------------------------------------------- */

static void draw_progress(struct exporter *e, size_t known, bool last)
{
    enum { WIDTH = 30 };
    size_t done = atomic_load(&e->done);
    size_t fill = known ? done * WIDTH / known : 0;
    char bar[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(e->err, "\rexporting [%s] %zu/%zu pages%s", bar, done, known,
            last ? "\n" : "");
    fflush(e->err);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* --- entry point ---------------------------------------------------- */

int export_static(struct store *s, const struct export_opts *o,
                  struct export_report *rep, char *err, size_t errlen)
{
    struct exporter e = {.o = o, .store = s, .dirfd = -1};
    struct site *site = NULL;
    struct arena a;
    pthread_t *tids = NULL;
    unsigned nt = 0;
    char *tmp = NULL;
    double t0 = now_s();
    int rc;

    memset(rep, 0, sizeof(*rep));
    arena_init(&a, 4096);
    e.err = o->err ? o->err : stderr;
    pthread_mutex_init(&e.mu, NULL);
    pthread_cond_init(&e.cv, NULL);
    const char *fa = getenv("QUIRE_EXPORT_FAIL_AFTER");
    e.fail_after = fa ? strtol(fa, NULL, 10) : 0;

    /* DIR without trailing slashes, so DIR.tmp-X sits beside it. */
    char *dir = arena_strdup(&a, o->dir);
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dir[--dl] = '\0';
    rc = check_target(dir, err, errlen);
    if (rc != 0)
        goto out;

    const char *site_base = NULL, *search = NULL;
    if (store_setting_get(s, &a, "base_url", &site_base) != 0)
        site_base = NULL;
    if (store_setting_get(s, &a, "static_search_url", &search) != 0)
        search = NULL;
    linkmap_init(&e.map, site_base, o->base_url, search);

    char serr[512];
    struct site_opts so = {.store = s,
                           .theme_dir = o->theme_dir,
                           .media_dir = o->media_dir,
                           .cache_max = 0,
                           .hits_flush = 3600,
                           .no_etags = true};
    rc = site_open(&so, &site, serr, sizeof(serr));
    if (rc != 0) {
        snprintf(err, errlen, "theme: %s", serr);
        goto out;
    }
    e.site = site;

    tmp = arena_printf(&a, "%s.tmp-XXXXXX", dir);
    if (!mkdtemp(tmp)) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        tmp = NULL;
        rc = ERR_IO;
        goto out;
    }
    chmod(tmp, 0755); /* mkdtemp makes it 0700; a web server must read it */
    e.dirfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (e.dirfd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        rc = ERR_IO;
        goto out;
    }
    rc = seed(&e, s);
    if (rc != 0) {
        snprintf(err, errlen, "cannot list the articles: %s",
                 store_last_error());
        goto out;
    }

    nt = o->threads;
    if (!nt) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        nt = cores > 0 ? (unsigned)cores : 2;
    }
    if (nt < 2)
        nt = 2;
    tids = xcalloc(nt, sizeof(*tids));
    unsigned started = 0;
    for (; started < nt; started++)
        if (pthread_create(&tids[started], NULL, worker, &e) != 0)
            break;
    if (started == 0) {
        snprintf(err, errlen, "cannot start a worker thread");
        rc = ERR_IO;
        goto out;
    }
    /* Progress: redraw every 100 ms until the workers are done. */
    pthread_mutex_lock(&e.mu);
    while (!e.failed && !(e.head == e.n && e.active == 0)) {
        if (o->stop && *o->stop) {
            fail_locked(&e, ERR_IO, "interrupted");
            break;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&e.cv, &e.mu, &until);
        size_t known = e.n;
        if (o->progress) {
            pthread_mutex_unlock(&e.mu);
            draw_progress(&e, known, false);
            pthread_mutex_lock(&e.mu);
        }
    }
    pthread_mutex_unlock(&e.mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    if (o->progress)
        draw_progress(&e, e.n, true);

    if (e.failed) {
        rc = e.rc;
        snprintf(err, errlen, "%s", e.msg);
        goto out;
    }
    /* The imported archive's old URLs, as maps nginx can include. */
    struct buf conf;
    buf_init(&conf, (size_t)256 << 20);
    rc = redirects_nginx(s, &conf);
    int cfd = rc == 0 ? openat(e.dirfd, "redirects.nginx.conf",
                               O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                      : -1;
    if (cfd < 0 || write_all(cfd, conf.ptr, conf.len) != 0 || close(cfd) != 0) {
        snprintf(err, errlen, "%s/redirects.nginx.conf: %s", tmp,
                 rc ? store_last_error() : strerror(errno));
        buf_release(&conf);
        rc = ERR_IO;
        goto out;
    }
    buf_release(&conf);
    int mfd = openat(e.dirfd, EXPORT_MARKER,
                     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (mfd < 0 || close(mfd) != 0) {
        snprintf(err, errlen, "%s/%s: %s", tmp, EXPORT_MARKER, strerror(errno));
        rc = ERR_IO;
        goto out;
    }
    close(e.dirfd);
    e.dirfd = -1;
    rc = publish(tmp, dir, err, errlen);
    if (rc != 0)
        goto out;
    tmp = NULL;

    rep->files = atomic_load(&e.files);
    rep->bytes = atomic_load(&e.bytes);
    rep->broken = e.broken;
    rep->articles = e.articles;
    rep->seconds = now_s() - t0;
    if (e.ntimes) {
        if (e.ntimes > 1) /* qsort wants a non-NULL base, even for none */
            qsort(e.times, e.ntimes, sizeof(*e.times), cmp_u32);
        rep->render_p50_us = e.times[e.ntimes / 2];
        rep->render_p95_us = e.times[e.ntimes * 95 / 100];
    }
    for (size_t i = 0; i < e.broken && i < BROKEN_SHOWN; i++)
        fprintf(e.err, "quire: export: broken link %s\n", e.broken_text[i]);
    if (e.broken > BROKEN_SHOWN)
        fprintf(e.err, "quire: export: ... and %zu more broken links\n",
                e.broken - BROKEN_SHOWN);
out:
    if (e.dirfd >= 0)
        close(e.dirfd);
    if (tmp)
        remove_tree(tmp);
    if (site)
        site_close(site);
    free(tids);
    for (size_t i = 0; i < e.n; i++) {
        free(e.list[i]->key);
        free(e.list[i]);
    }
    free(e.list);
    free(e.slots);
    free(e.times);
    pthread_mutex_destroy(&e.mu);
    pthread_cond_destroy(&e.cv);
    arena_release(&a);
    return rc;
}
