/*
 * hooks.h - webhook delivery: the running server's background thread that
 * POSTs queued events (store: webhook_deliveries, filled by triggers) with
 * retries and backoff over 24 hours, logging every attempt.
 *
 * Each POST carries X-Quire-Event, X-Quire-Delivery (the delivery's unique
 * id, the same on every retry) and, when the webhook has a secret,
 * X-Quire-Signature: sha256=<hex HMAC-SHA256 of the body>. Only http(s);
 * never to loopback, private, link-local or otherwise non-public addresses
 * unless allow_private: the address checked is the one connected to
 * (after DNS), so a name cannot be re-pointed at the operator's network.
 */
#ifndef QUIRE_HOOKS_H
#define QUIRE_HOOKS_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct hooks;

struct hooks_opts {
    struct store *store;
    bool allow_private;   /* webhooks.allow_private */
    unsigned retry_min_s; /* first retry after this; doubles each time */
    unsigned timeout_s;   /* per attempt */
};

/* The delivery window: after it a delivery is given up as failed. */
enum { HOOKS_GIVE_UP_S = 24 * 3600 };

int hooks_start(const struct hooks_opts *o, struct hooks **out) WUR;
/* hooks_stop ends the thread (an attempt in progress is finished). */
void hooks_stop(struct hooks *h);

/* The events a webhook may subscribe to, in the order forms show them. */
enum { HOOKS_NEVENTS = 4 };
extern const char *const hooks_events[HOOKS_NEVENTS];
/* hooks_events_ok: is list a comma-separated list of known events, none
 * twice, no empty item? */
bool hooks_events_ok(const char *list);

/* hooks_url_ok: is url an http(s) URL a webhook may take? */
bool hooks_url_ok(const char *url);
/* hooks_addr_public: is the textual IPv4/IPv6 address a public one? */
bool hooks_addr_public(const char *addr);
/* hooks_sign writes "sha256=<64 hex>" of body with secret into out[72]. */
void hooks_sign(const char *secret, const char *body, size_t len, char out[72]);

#endif
