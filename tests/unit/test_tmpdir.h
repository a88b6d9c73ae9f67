/*
 * test_tmpdir.h - one temporary folder per test program, for cmocka tests
 * that need real files (SQLite databases): pass tmpdir_setup and
 * tmpdir_teardown to cmocka_run_group_tests, or call them from your own.
 * path_of names a file in it; it rotates four buffers, so up to four paths can
 * be used at once. Define TMPDIR_NAME
 * ("/tmp/quire-x-XXXXXX") before including; include after <cmocka.h>.
 */
#ifndef QUIRE_TEST_TMPDIR_H
#define QUIRE_TEST_TMPDIR_H

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>

static char dir[] = TMPDIR_NAME;

static const char *path_of(const char *name)
{
    static char paths[4][700];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
    return p;
}

static int tmpdir_setup(void **state)
{
    (void)state;
    log_level = LOG_ERROR; /* expected failures are tested, not shown */
    return mkdtemp(dir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
    (void)state;
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
