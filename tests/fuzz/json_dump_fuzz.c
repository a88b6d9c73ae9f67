/*
 * json_dump_fuzz.c - libFuzzer harness for the reader of Quire's JSON
 * export (io/json_dump.c, json_import_check: the layout and every row
 * parsed, without a store).
 *
 * The input is a file: any bytes. It must be accepted or refused with
 * "input:LINE: reason" (LINE at least 1), never crash or leak.
 */
#include "io/json_dump.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024] = "";
    int rc = json_import_check((const char *)data, size, err, sizeof(err));
    if (rc != 0) {
        assert(strncmp(err, "input:", 6) == 0);
        assert(err[6] >= '1' && err[6] <= '9');
    }
    return 0;
}
