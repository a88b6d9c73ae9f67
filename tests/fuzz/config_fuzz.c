/*
 * config_fuzz.c - libFuzzer harness for the INI reader (core/config.c,
 * inih) and the settings checks behind `quire config`.
 *
 * The input is a quire.ini, loaded by config_load through a memfd's
 * /proc/self/fd path, as the server loads its file. Every key is then read
 * back and printed. The input's first line, split at the first '=', is
 * also given to config_set (as a command-line flag would be) and to
 * journal_key_check. The config must stay usable whatever failed: every
 * key formats, string keys are never NULL or empty.
 */
#include "core/config.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const all_keys[] = {
    "server.listen",
    "server.threads",
    "server.theme",
    "server.access_log",
    "server.log_level",
    "server.hits_flush",
    "limits.request_line_max",
    "limits.header_max",
    "limits.header_count",
    "limits.body_max",
    "limits.form_fields",
    "limits.upload_max",
    "limits.connections",
    "limits.connections_per_ip",
    "limits.request_timeout",
    "limits.idle_timeout",
    "limits.search_query_max",
    "cache.max_bytes",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static FILE *devnull;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("config-fuzz.ini", MFD_CLOEXEC);
        devnull = fopen("/dev/null", "w");
        if (fd < 0 || !devnull)
            abort();
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 ||
        (size && pwrite(fd, data, size, 0) != (ssize_t)size))
        abort();

    struct config c;
    char err[512], out[512];
    config_init(&c);
    (void)!config_load(&c, path, err, sizeof(err));

    const char *nl = memchr(data, '\n', size);
    size_t n = nl ? (size_t)(nl - (const char *)data) : size;
    char *line = strndup((const char *)data, n);
    char *eq = strchr(line, '=');
    if (eq) {
        *eq = '\0';
        (void)!config_set(&c, line, eq + 1, err, sizeof(err));
        (void)!journal_key_check(line, eq + 1, err, sizeof(err));
    }
    (void)!config_get(&c, line, out, sizeof(out));
    free(line);

    for (size_t i = 0; i < sizeof(all_keys) / sizeof(all_keys[0]); i++) {
        int rc = config_get(&c, all_keys[i], out, sizeof(out));
        assert(rc == 0 && out[0] != '\0');
    }
    assert(c.listen && c.theme && c.access_log && c.log_level);
    config_print(&c, devnull);
    config_release(&c);
    return 0;
}
