/*
 * replay.c - run a fuzz harness over files without libFuzzer.
 *
 * Linked with one tests/fuzz/<name>_fuzz.c by the ordinary compiler (gcc
 * in `make check`, clang with ASan+UBSan in `make check-asan`), so the
 * regression inputs in tests/fuzz/regressions/<name>/ are replayed on every
 * test run even where libFuzzer is not installed. Arguments are files or
 * folders (one level); each file is passed to LLVMFuzzerTestOneInput once.
 * A crash or sanitizer report is the failure; exit 0 means all passed.
 */
#include "core/xalloc.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, n = 0, r;
    uint8_t *data = xmalloc(cap);
    for (;;) {
        r = fread(data + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
        if (n == cap)
            data = xrealloc(data, cap *= 2);
    }
    fclose(f);
    /* An exact-size copy, so ASan sees reads one past the input's end. */
    uint8_t *exact = xmalloc(n ? n : 1);
    memcpy(exact, data, n);
    free(data);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        struct dirent *e = readdir(d);
        if (!e)
            break;
        if (e->d_name[0] == '.')
            continue;
        if (n == cap)
            names =
                xrealloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = xmalloc(len);
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            rc |= replay_file(names[i]);
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            rc |= replay_dir(argv[i], &count);
        } else {
            rc |= replay_file(argv[i]);
            count++;
        }
    }
    fprintf(stderr, "%s: %zu input%s replayed\n", argv[0], count,
            count == 1 ? "" : "s");
    return rc;
}
