/*
 * rmtree_test.c - removing a folder tree: everything below it goes, deep
 * chains too, and a symbolic link is removed, never followed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define TMPDIR_NAME "/tmp/quire-rmtree-XXXXXX"
#include "test_tmpdir.h"

#include "io/rmtree.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void removes_tree_not_link_targets(void **state)
{
    (void)state;
    assert_int_equal(mkdir(path_of("keep"), 0755), 0);
    put(path_of("keep/precious"), "do not delete");
    assert_int_equal(mkdir(path_of("site"), 0755), 0);
    assert_int_equal(mkdir(path_of("site/articles"), 0755), 0);
    assert_int_equal(mkdir(path_of("site/articles/x"), 0755), 0);
    put(path_of("site/articles/x/index.html"), "<p>x</p>");
    put(path_of("site/articles/x.bib"), "@article{x}");
    put(path_of("site/index.html"), "home");
    assert_int_equal(mkdir(path_of("site/empty"), 0755), 0);
    /* links to a folder and to a file outside: the links go, not them */
    assert_int_equal(symlink(path_of("keep"), path_of("site/dirlink")), 0);
    assert_int_equal(
        symlink(path_of("keep/precious"), path_of("site/articles/flink")), 0);
    /* a chain deeper than any recursion should go */
    char deep[4096];
    snprintf(deep, sizeof(deep), "%s", path_of("site/d"));
    for (int i = 0; i < 100; i++) {
        assert_int_equal(mkdir(deep, 0755), 0);
        strncat(deep, "/d", sizeof(deep) - strlen(deep) - 1);
    }
    put(deep, "bottom");

    assert_int_equal(rmtree(path_of("site")), 0);
    assert_false(exists(path_of("site")));
    assert_true(exists(path_of("keep/precious")));
}

static void a_file_or_nothing(void **state)
{
    (void)state;
    put(path_of("plain"), "x");
    assert_int_equal(rmtree(path_of("plain")), 0);
    assert_false(exists(path_of("plain")));
    assert_int_equal(rmtree(path_of("never-was")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(removes_tree_not_link_targets),
        cmocka_unit_test(a_file_or_nothing),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
