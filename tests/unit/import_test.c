/*
 * import_test.c - the Markdown importer against a real store in a temp dir.
 */
#include "core/arena.h"
#include "io/import_markdown.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

static char dir[] = "/tmp/quire-import-XXXXXX";
static char root[600]; /* dir/journal: the tree to import */
static char dbpath[600];
static struct store *store;

static void put(const char *rel, const char *text)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void mkdir_in(const char *rel)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(root, sizeof(root), "%s/journal", dir);
    snprintf(dbpath, sizeof(dbpath), "%s/quire.db", dir);
    if (mkdir(root, 0755) != 0)
        return -1;
    return store_open(dbpath, STORE_CREATE, &store) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    store_close(store);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* run imports paths, capturing the error report into *errors (free it). */
static int run(const char *const *paths, size_t n, struct import_report *rep,
               char **errors)
{
    size_t len;
    FILE *f = open_memstream(errors, &len);
    assert_non_null(f);
    *rep = (struct import_report){.errors = f};
    int rc = import_markdown_paths(store, paths, n, rep);
    fclose(f);
    return rc;
}

static void has_line(const char *errors, const char *rel, const char *rest)
{
    char want[800];
    snprintf(want, sizeof(want), "%s/%s%s", root, rel, rest);
    if (!strstr(errors, want))
        fail_msg("'%s' not reported in:\n%s", want, errors);
}

static void build_tree(void)
{
    mkdir_in("sub");
    mkdir_in("sub/deeper");
    mkdir_in(".git");
    put("a.md",
        "---\n"
        "title: \"Pipelines: the next decade\"\n"
        "date: 2004-06-30T09:00:00Z\n"
        "authors: [Zahid Anwar, S. Frederick Starr]\n"
        "section: Analytical Articles\n"
        "issue: 2004-06-30\n"
        "tags: [energy, caspian]\n"
        "summary: Oil and gas.\n"
        "slug: alpha\n"
        "hits: 3093\n"
        "---\n"
        "Body with a [link](https://example.org) and <script>x</script>.\n");
    put("b.markdown", "---\n"
                      "title: Caf\xC3\xA9 Society, a Review\n"
                      "author: Svante E. Cornell\n"
                      "issue: 2004-06-30\n"
                      "draft: true\n"
                      "---\n"
                      "Draft body.\n");
    put("sub/c.md", "---\ntitle: Deep Thought\n---\nNo date at all.\n");
    put("sub/deeper/d.MD", "---\ntitle: Upper Case Extension\n"
                           "date: 1987-02-26\n---\nd\n");
    /* Bad ones. */
    put("sub/bad-date.md", "---\ntitle: T\ndate: 2004-02-30\n---\nx\n");
    put("bad-utf8.md", "---\ntitle: T\n---\nline four \xC0\xAF bad\n");
    put("notitle.md", "---\nsection: S\n---\nbody\n");
    put("badyaml.md", "---\ntitle: T\ntags: [a\n---\n");
    put("nul.md", "---\ntitle: T\n---\n\nok\n\n");
    {
        char path[700]; /* a NUL on line 7, which put() cannot write */
        snprintf(path, sizeof(path), "%s/nul.md", root);
        FILE *f = fopen(path, "ab");
        assert_non_null(f);
        assert_int_equal(fwrite("a\0b\n", 1, 4, f), 4);
        fclose(f);
    }
    /* Skipped without a report. */
    put(".hidden.md", "no front matter");
    put(".git/x.md", "no front matter");
    put("readme.txt", "no front matter");
    put("sub/notes.mdx", "no front matter");
    /* A link loop and a dangling link must not trap or break the walk. */
    char path[700];
    snprintf(path, sizeof(path), "%s/sub/loop", root);
    assert_int_equal(symlink("..", path), 0);
    snprintf(path, sizeof(path), "%s/sub/dangling.txt", root);
    assert_int_equal(symlink("nowhere", path), 0);
    /* A known mtime for the file without a date. */
    struct timeval tv[2] = {{1100000000, 0}, {1100000000, 0}};
    snprintf(path, sizeof(path), "%s/sub/c.md", root);
    assert_int_equal(utimes(path, tv), 0);
}

static void test_import_tree(void **state)
{
    (void)state;
    build_tree();
    const char *paths[] = {root};
    struct import_report rep;
    char *errors = NULL;

    assert_int_equal(run(paths, 1, &rep, &errors), ERR_PARSE);
    assert_int_equal(rep.imported, 4);
    assert_int_equal(rep.updated, 0);
    assert_int_equal(rep.failed, 5);
    has_line(errors, "nul.md", ":7: NUL byte");
    has_line(errors, "sub/bad-date.md", ":3: 'date'");
    has_line(errors, "bad-utf8.md", ":4: invalid UTF-8");
    has_line(errors, "notitle.md", ":1: ");
    has_line(errors, "badyaml.md", ":4: invalid YAML");
    assert_null(strstr(errors, "hidden"));
    assert_null(strstr(errors, ".git"));
    assert_null(strstr(errors, "loop"));
    free(errors);

    struct arena a;
    arena_init(&a, 8192);
    struct article art;
    assert_int_equal(
        store_article_by_slug(store, &a, STR("alpha"), false, &art), 0);
    assert_string_equal(art.title, "Pipelines: the next decade");
    assert_int_equal(art.published_at, 1088586000);
    assert_int_equal(art.status, ARTICLE_PUBLISHED);
    assert_int_equal(art.hits, 3093);
    assert_string_equal(art.summary, "Oil and gas.");
    assert_string_equal(art.section.name, "Analytical Articles");
    assert_string_equal(art.issue.date, "2004-06-30");
    assert_int_equal(art.n_authors, 2);
    assert_string_equal(art.authors[0].name, "Zahid Anwar");
    assert_string_equal(art.authors[1].name, "S. Frederick Starr");
    assert_int_equal(art.n_tags, 2);
    assert_non_null(strstr(art.body_html, "<a href=\"https://example.org\">"));
    assert_null(strstr(art.body_html, "<script"));
    assert_non_null(strstr(art.body_md, "<script>")); /* source kept as is */

    /* Slug derived from the title; a draft dated by its issue. */
    assert_int_equal(store_article_by_slug(
                         store, &a, STR("cafe-society-a-review"), false, &art),
                     ERR_NOT_FOUND);
    assert_int_equal(store_article_by_slug(
                         store, &a, STR("cafe-society-a-review"), true, &art),
                     0);
    assert_int_equal(art.status, ARTICLE_DRAFT);
    assert_int_equal(art.published_at, 1088553600);
    assert_int_equal(art.n_authors, 1);
    assert_string_equal(art.authors[0].name, "Svante E. Cornell");

    /* No date, no issue: the file's modification time. */
    assert_int_equal(
        store_article_by_slug(store, &a, STR("deep-thought"), true, &art), 0);
    assert_int_equal(art.published_at, 1100000000);
    assert_int_equal(store_article_by_slug(
                         store, &a, STR("upper-case-extension"), true, &art),
                     0);
    assert_int_equal(art.published_at, 541296000);

    /* Importing again updates; nothing is duplicated. */
    assert_int_equal(run(paths, 1, &rep, &errors), ERR_PARSE);
    free(errors);
    assert_int_equal(rep.imported, 0);
    assert_int_equal(rep.updated, 4);
    assert_int_equal(rep.failed, 5);
    int64_t count = 0;
    assert_int_equal(store_article_count(store, &count), 0);
    assert_int_equal(count, 4);

    /* An edited file, given by itself, updates its article; so does one
     * whose title (and so derived slug) changed: it is matched by source. */
    put("a.md", "---\ntitle: Pipelines revisited\nslug: alpha\n---\nNew.\n");
    put("sub/c.md", "---\ntitle: Deeper Thought\n---\nChanged.\n");
    char a_path[700], c_path[700];
    snprintf(a_path, sizeof(a_path), "%s/a.md", root);
    snprintf(c_path, sizeof(c_path), "%s/sub/c.md", root);
    const char *two[] = {a_path, c_path};
    assert_int_equal(run(two, 2, &rep, &errors), 0);
    assert_string_equal(errors, "");
    free(errors);
    assert_int_equal(rep.imported, 0);
    assert_int_equal(rep.updated, 2);
    assert_int_equal(store_article_count(store, &count), 0);
    assert_int_equal(count, 4);
    assert_int_equal(
        store_article_by_slug(store, &a, STR("alpha"), false, &art), 0);
    assert_string_equal(art.title, "Pipelines revisited");
    assert_string_equal(art.body_md, "New.\n");
    arena_release(&a);
}

static void test_bad_paths(void **state)
{
    (void)state;
    char missing[700], big[700];
    snprintf(missing, sizeof(missing), "%s/no-such-dir", root);
    snprintf(big, sizeof(big), "%s/big.md", root);
    FILE *f = fopen(big, "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), (off_t)IMPORT_FILE_MAX + 1), 0);
    fclose(f);
    const char *paths[] = {missing, big};
    struct import_report rep;
    char *errors = NULL;
    assert_int_equal(run(paths, 2, &rep, &errors), ERR_PARSE);
    assert_int_equal(rep.failed, 2);
    assert_int_equal(rep.imported, 0);
    has_line(errors, "no-such-dir", ": No such file");
    has_line(errors, "big.md", ":1: file is larger than 8 MB");
    free(errors);
    unlink(big);
}

/*
 * The Reuters corpus (15,055 files) into a fresh database. Slow-ish, so it
 * runs only with QUIRE_CORPUS=1 (and QUIRE_FIXTURES pointing at the
 * fixtures, as `make check-unit` sets it).
 */
static void test_corpus(void **state)
{
    (void)state;
    const char *fx = getenv("QUIRE_FIXTURES");
    if (!getenv("QUIRE_CORPUS") || !fx)
        skip();
    char corpus[700], db[700];
    snprintf(corpus, sizeof(corpus), "%s/corpus-reuters21578-md", fx);
    snprintf(db, sizeof(db), "%s/corpus.db", dir);
    struct store *cs;
    assert_int_equal(store_open(db, STORE_CREATE, &cs), 0);
    struct import_report rep = {0};
    const char *paths[] = {corpus};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = import_markdown_paths(cs, paths, 1, &rep);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("corpus: imported %zu, updated %zu, failed %zu in %.2f s\n",
           rep.imported, rep.updated, rep.failed,
           (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    assert_int_equal(rc, 0);
    assert_int_equal(rep.failed, 0);
    assert_int_equal(rep.imported, 15055);
    int64_t count = 0;
    assert_int_equal(store_article_count(cs, &count), 0);
    assert_int_equal(count, 15055);
    store_close(cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_tree),
        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
