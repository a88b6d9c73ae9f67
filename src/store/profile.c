/*
 * profile.c - where the store's time goes, statement by statement.
 *
 * With QUIRE_SQL_PROFILE=1 in the environment, every sqlite3_step the
 * store makes is timed, and when the process exits the statements are
 * printed to stderr by total time: total ms, steps, us per step, SQL.
 * This is how docs/benchmarks.md found the export's slow queries. Off, it
 * costs one predictable branch per step. SQLite's own profile callback
 * times a statement from its first step to its reset, with the caller's
 * work in between, so the store times the steps itself.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SLOTS = 512 }; /* the store has ~80 statements; a full table stops */

struct entry {
    char *sql; /* NULL: empty */
    uint64_t ns, steps;
};

static struct entry table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
bool sdb_profiling;

static int by_total(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    return (a->ns < b->ns) - (a->ns > b->ns);
}

static void report(void)
{
    pthread_mutex_lock(&lock);
    qsort(table, SLOTS, sizeof(table[0]), by_total);
    fprintf(stderr, "SQL profile (QUIRE_SQL_PROFILE): total ms, steps, "
                    "us per step, statement\n");
    for (size_t i = 0; i < SLOTS && table[i].sql; i++)
        fprintf(stderr, "%10.1f %9llu %8.2f  %s\n", table[i].ns / 1e6,
                (unsigned long long)table[i].steps,
                table[i].ns / 1e3 / (double)table[i].steps, table[i].sql);
    pthread_mutex_unlock(&lock);
}

static void start(void)
{
    const char *v = getenv("QUIRE_SQL_PROFILE");
    sdb_profiling = v && *v && strcmp(v, "0") != 0;
    if (sdb_profiling)
        atexit(report);
}

void sdb_profile_init(void)
{
    pthread_once(&once, start);
}

uint64_t sdb_profile_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sdb_profile_add(sqlite3_stmt *st, uint64_t ns)
{
    const char *sql = sqlite3_sql(st);
    if (!sql)
        return;
    /* FNV-1a over the text picks the first slot to look at. */
    uint64_t h = 1469598103934665603u;
    for (const char *p = sql; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < SLOTS; i++) {
        struct entry *e = &table[(h + i) % SLOTS];
        if (!e->sql)
            e->sql = xstrdup(sql);
        if (strcmp(e->sql, sql) == 0) {
            e->ns += ns;
            e->steps++;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}
