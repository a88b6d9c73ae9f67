/*
 * import_fuzz.c - libFuzzer harness for importing one Markdown file:
 * front matter (content/frontmatter.c, libyaml), Markdown (content/
 * markdown.c, cmark-gfm), and the importer's per-file path (io/
 * import_markdown.c, included for its static import_file) saving into a
 * real SQLite database.
 *
 * The input is the file. It lives in a memfd, imported through its
 * /proc/self/fd path exactly as `quire import markdown` reads a file. The
 * database is created once per process on tmpfs (/dev/shm, else $TMPDIR);
 * each input is imported three times inside one transaction that is then
 * rolled back, so the database never grows and every input behaves the
 * same whatever ran before it (a crash reproduces from its input alone):
 * once as a new article, again from the same path (the update path), and
 * from a second path (a new article whose slug must be made unique, or
 * an update when the front matter names the slug).
 */
#include "io/import_markdown.c"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *store;
static FILE *devnull;
static int memfd = -1, memfd2 = -1;
static char dir[256], path1[64], path2[64];

static void cleanup(void)
{
    char p[300];
    store_close(store);
    fclose(devnull);
    close(memfd);
    close(memfd2);
    static const char *const files[] = {"fuzz.db", "fuzz.db-wal", "fuzz.db-shm",
                                        "fuzz.db.lock"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void init(void)
{
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
    if (!tmp)
        tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof(dir), "%s/quire-import-fuzz-XXXXXX", tmp);
    char db[300];
    if (!mkdtemp(dir))
        abort();
    snprintf(db, sizeof(db), "%s/fuzz.db", dir);
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    /* Every log line is formatted (hostile strings in it), none shown. */
    log_set_stream(devnull);
    log_level = LOG_DEBUG;
    if (store_open(db, STORE_CREATE, &store) != 0)
        abort();
    memfd = memfd_create("import-fuzz.md", MFD_CLOEXEC);
    memfd2 = dup(memfd);
    if (memfd < 0 || memfd2 < 0)
        abort();
    snprintf(path1, sizeof(path1), "/proc/self/fd/%d", memfd);
    snprintf(path2, sizeof(path2), "/proc/self/fd/%d", memfd2);
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store)
        init();
    if (ftruncate(memfd, 0) != 0 ||
        (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
        abort();

    struct import_report rep = {.errors = devnull};
    struct importer im = {.s = store, .rep = &rep, .errs = devnull};
    arena_init(&im.arena, 64 * 1024);
    buf_init(&im.html, HTML_MAX);
    if (store_begin(store) != 0)
        abort();
    import_file(&im, path1);
    import_file(&im, path1);
    import_file(&im, path2);
    store_rollback(store);
    free(im.data);
    buf_release(&im.html);
    arena_release(&im.arena);

    /* One file, three times: all fail alike, or all are saved (counted
     * in the batch: the report counts only committed batches). */
    if (rep.failed == 0)
        assert(im.batch_new >= 1 && im.batch_updated >= 1 &&
               im.batch_new + im.batch_updated == 3);
    else
        assert(rep.failed == 3);
    return 0;
}
