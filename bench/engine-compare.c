/*
 * engine-compare: one side of the search engine comparison (issue 17;
 * bench/engines.py). A bench tool, not part of Quire.
 *
 *   engine-compare fts5|xapian QUIRE.db ROUNDS QUERY...
 *
 * Each query, as the search box reads it (content/query.c), through
 * store_search in-process, the way /search calls it: the total up to
 * "10,000+", the facets, the first page of ten with snippets, on a store
 * opened once as the server keeps it. With xapian, the store keeps its
 * Xapian index (built or brought up to date first, its time printed) and
 * every search must be answered from it. ROUNDS timings after one
 * warm-up, one line per query.
 */
#include "content/query.h"
#include "core/arena.h"
#include "store/store.h"

#include <stdbool.h>
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
static double one(struct store *s, bool xapian, const char *text,
                  long long *total)
{
    struct arena a;
    arena_init(&a, 16384);
    double t0 = now_ms();
    struct search_query q = {
        .match = query_to_fts(&a, (struct str){text, strlen(text)}),
        .limit = 10};
    struct search_result r;
    if (!q.match || store_search(s, &a, &q, &r) != 0) {
        fprintf(stderr, "engine-compare: %s: %s\n", text, store_last_error());
        exit(1);
    }
    if (r.xapian != xapian) {
        fprintf(stderr, "engine-compare: %s: not answered by %s\n", text,
                xapian ? "xapian" : "fts5");
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
    int rounds = argc > 3 ? atoi(argv[3]) : 0;
    bool xapian = argc > 1 && strcmp(argv[1], "xapian") == 0;
    if (argc < 5 || rounds < 1 || (!xapian && strcmp(argv[1], "fts5") != 0)) {
        fprintf(stderr,
                "usage: engine-compare fts5|xapian QUIRE.db ROUNDS QUERY...\n");
        return 2;
    }
    if (store_open(argv[2], 0, &s) != 0) {
        fprintf(stderr, "engine-compare: %s: %s\n", argv[2],
                store_last_error());
        return 1;
    }
    if (xapian) {
        store_search_engine_set(s, STORE_SEARCH_XAPIAN);
        double t0 = now_ms();
        bool more = true;
        while (more)
            if (store_search_index_step(s, &more) != 0) {
                fprintf(stderr, "engine-compare: %s\n", store_last_error());
                return 1;
            }
        printf("xapian index ready in %.1f s\n", (now_ms() - t0) / 1e3);
    }
    double *ms = calloc((size_t)rounds, sizeof(*ms));
    for (int i = 4; i < argc && ms; i++) {
        long long total;
        one(s, xapian, argv[i], &total); /* the first one warms the caches */
        for (int r = 0; r < rounds; r++)
            ms[r] = one(s, xapian, argv[i], &total);
        qsort(ms, (size_t)rounds, sizeof(*ms), by_value);
        size_t p95 = ((size_t)rounds * 95 + 99) / 100 - 1;
        printf("%-44.44s %-6s median %8.2f ms  p95 %8.2f ms  matches %lld\n",
               argv[i], argv[1], ms[rounds / 2], ms[p95], total);
        fflush(stdout);
    }
    free(ms);
    store_close(s);
    return 0;
}
