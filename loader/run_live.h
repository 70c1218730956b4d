/*
 * run_live.h: `medload run --metrics ADDR:PORT`: the run's figures, live.
 * Once a second the run publishes Prometheus text on /metrics (users,
 * step, requests and failures by request name, client latency histograms
 * by request name with cumulative buckets, users never ready) and a page
 * on / that redraws users, requests per second and p95 per request name
 * every second, without script (core/live.h serves them).
 */
#ifndef MEDLOAD_RUN_LIVE_H
#define MEDLOAD_RUN_LIVE_H

#include <stdint.h>

#include "run_private.h"

/*
 * Starts the server of r's live view on listen (ADDR:PORT; loopback only
 * unless r's config allows remote hosts). Returns 0, or -1 with *cause.
 */
int run_live_start(struct run *r, const char *listen, char **cause);

/* Publishes the run's figures at mono time now (a second tick). */
void run_live_tick(struct run *r, int64_t now);

/* Publishes the last figures and stops the server; r->live may be NULL. */
void run_live_stop(struct run *r);

#endif
