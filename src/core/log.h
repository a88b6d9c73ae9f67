/*
 * log.h - leveled logging to stderr.
 *
 * Each .c that logs defines LOG_MODULE ("http", "store", ...) before
 * including this header; every line names its module. The level is checked
 * before the arguments are evaluated, so a debug line costs one compare.
 */
#ifndef QUIRE_LOG_H
#define QUIRE_LOG_H

#include <stdio.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_level;

#ifndef LOG_MODULE
#define LOG_MODULE "quire"
#endif

/* log_write prints one line "LEVEL module: message" with a timestamp. */
void log_write(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* log_parse_level maps "error|warn|info|debug" to a level; -1 if unknown. */
int log_parse_level(const char *s);
/* log_set_stream redirects log lines (default stderr); not thread-safe. */
void log_set_stream(FILE *f);

#define log_at(lvl, ...)                                                       \
    do {                                                                       \
        if (log_level >= (lvl))                                                \
            log_write((lvl), LOG_MODULE, __VA_ARGS__);                         \
    } while (0)
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

#endif
