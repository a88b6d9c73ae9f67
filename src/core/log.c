/*
 * log.c - one line per event, written with a single fputs so lines from
 * worker threads do not interleave.
 */
#include "core/log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

enum log_level log_level = LOG_INFO;
static FILE *stream;

static const char *const names[] = {"error", "warn", "info", "debug"};

void log_set_stream(FILE *f)
{
    stream = f;
}

int log_parse_level(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

void log_write(enum log_level level, const char *module, const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
    int m =
        snprintf(line + n, sizeof(line) - n, "%s %s: ", names[level], module);
    if (m > 0)
        n += (size_t)m;
    va_list ap;
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (m > 0)
        n += (size_t)m < sizeof(line) - n - 2 ? (size_t)m
                                              : sizeof(line) - n - 2;
    line[n++] = '\n';
    line[n] = '\0';
    fputs(line, stream ? stream : stderr);
}
