/*
 * live.h: the live view of a long-running command (`run --metrics`,
 * `collect --metrics`): an HTTP server on its own thread (libmicrohttpd)
 * that answers GET /metrics with Prometheus/OpenMetrics text and GET /
 * with a small HTML page that reloads itself every second (no script, no
 * external asset: the report's Content-Security-Policy). The command's own
 * loop publishes both texts once a second; the server only hands out the
 * last ones, so it never touches the command's data.
 */
#ifndef MEDLOAD_LIVE_H
#define MEDLOAD_LIVE_H

struct live;

/*
 * Parses ADDR:PORT and starts the server. Only a loopback address
 * (127.0.0.1, localhost, [::1]) is accepted unless allow_remote is set.
 * Returns 0 with *out, or -1 with *cause (a bad address, an address not
 * allowed, a port in use).
 */
int live_start(const char *listen, int allow_remote, struct live **out,
    char **cause);

/*
 * Checks ADDR:PORT as live_start would (its form, loopback unless
 * allow_remote), without listening. Returns 0, or -1 with *cause.
 */
int live_check(const char *listen, int allow_remote, char **cause);

/* The port bound (useful when 0 was asked). */
unsigned live_port(const struct live *l);

/*
 * Publishes the current texts (copied): metrics (text/plain; version=
 * 0.0.4) and page (an HTML document). Either may be NULL to keep the last.
 */
void live_publish(struct live *l, const char *metrics, const char *page);

/*
 * Waits up to seconds for /metrics to be fetched once after the last
 * live_publish, so that a scraper sees the final figures; returns at once
 * when it already was. Ctrl-C does not cut it short (it is short).
 */
void live_linger(struct live *l, double seconds);

/*
 * Stops the server (a scrape under way gets its whole answer) and frees
 * it. NULL is accepted.
 */
void live_stop(struct live *l);

#endif
