/*
 * fts-compare: the FTS5 side of the search engine comparison (issue 17;
 * bench/engines.py). A bench tool, not part of Quire.
 *
 *   fts-compare QUIRE.db ROUNDS QUERY...
 *
 * Each query, as the search box reads it (content/query.c), through
 * store_search in-process, the way /search calls it: the total up to
 * "10,000+", the facets, the first page of ten with snippets, on a store
 * opened once as the server keeps it. ROUNDS timings after one warm-up;
 * printed as xapian-compare prints, so bench/engines.py reads both alike.
 */
#include "content/query.h"
#include "core/arena.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* one runs text's search once: its time in ms, and its total. */
static double one(struct store *s, const char *text, long long *total)
{
    struct arena a;
    arena_init(&a, 16384);
    double t0 = now_ms();
    struct search_query q = {
        .match = query_to_fts(&a, (struct str){text, strlen(text)}),
        .limit = 10};
    struct search_result r;
    if (!q.match || store_search(s, &a, &q, &r) != 0) {
        fprintf(stderr, "fts-compare: %s: %s\n", text, store_last_error());
        exit(1);
    }
    double ms = now_ms() - t0;
    *total = r.total;
    arena_release(&a);
    return ms;
}

int main(int argc, char **argv)
{
    struct store *s;
    int rounds = argc > 2 ? atoi(argv[2]) : 0;
    if (argc < 4 || rounds < 1) {
        fprintf(stderr, "usage: fts-compare QUIRE.db ROUNDS QUERY...\n");
        return 2;
    }
    if (store_open(argv[1], 0, &s) != 0) {
        fprintf(stderr, "fts-compare: %s: %s\n", argv[1], store_last_error());
        return 1;
    }
    double *ms = calloc((size_t)rounds, sizeof(*ms));
    for (int i = 3; i < argc && ms; i++) {
        long long total;
        one(s, argv[i], &total); /* the first one warms SQLite's cache */
        for (int r = 0; r < rounds; r++)
            ms[r] = one(s, argv[i], &total);
        qsort(ms, (size_t)rounds, sizeof(*ms), by_value);
        size_t p95 = ((size_t)rounds * 95 + 99) / 100 - 1;
        printf("%-44.44s %-6s median %8.2f ms  p95 %8.2f ms  matches %lld\n",
               argv[i], "fts5", ms[rounds / 2], ms[p95], total);
        fflush(stdout);
    }
    free(ms);
    store_close(s);
    return 0;
}
