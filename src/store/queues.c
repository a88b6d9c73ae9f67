/*
 * queues.c - how full the two durable queues are, for GET /metrics: the
 * mail outbox (newsletter.c) and the webhook deliveries (webhooks.c),
 * rows counted by state. Both tables have an index led by state, so each
 * count reads an index, not the rows.
 */
#define LOG_MODULE "store"
#include "store/store_int.h"

#include "core/arena.h"

// clang-format off
static const char SQL_DEPTHS[] =
    "SELECT 0, state, count(*) FROM outbox GROUP BY state"
    " UNION ALL"
    " SELECT 1, CASE state WHEN 'pending' THEN 0 WHEN 'delivered' THEN 1"
    "  ELSE 2 END, count(*) FROM webhook_deliveries GROUP BY state";
// clang-format on

struct depth_row {
    int queue, state;
    int64_t n;
};

static void depth_row(struct arena *a, sqlite3_stmt *st, void *elem)
{
    (void)a;
    *(struct depth_row *)elem = (struct depth_row){
        .queue = sqlite3_column_int(st, 0),
        .state = sqlite3_column_int(st, 1),
        .n = sqlite3_column_int64(st, 2),
    };
}

int store_queue_depths(struct store *s, struct queue_depths *out)
{
    struct arena a;
    struct depth_row *rows;
    size_t n;
    *out = (struct queue_depths){0};
    arena_init(&a, 512);
    int rc = sdb_list(s, &a, SQL_DEPTHS, "queue_depths", sizeof(*rows),
                      depth_row, (void **)&rows, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int st = rows[i].state;
        if (rows[i].queue == 0 && st >= 0 && st < OUTBOX_NSTATES)
            out->mail[st] += rows[i].n;
        else if (rows[i].queue == 1 && st >= 0 && st < 3)
            out->hooks[st] += rows[i].n;
    }
    arena_release(&a);
    return rc;
}
