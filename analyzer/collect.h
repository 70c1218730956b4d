/*
 * collect.h: a trace sink that speaks the way ACA-Py posts trace events
 * (one JSON object per POST to trace-target + trace-tag), so agents can
 * point --trace-target at medload instead of Logstash.
 *
 * Every accepted event is appended to an NDJSON file (with the receive
 * time and the URL path, which carries ACA-Py's tag) before the answer
 * goes out: an event that got 200 is in the file even if medload is then
 * killed with SIGKILL (write(2) before the answer; --fsync always also
 * syncs to disk before answering, for power loss). An event the file
 * cannot take (a full disk) gets 503 and leaves nothing in it; a torn last
 * line found at start is cut off. The file is also the spool of the
 * optional forwarder, which sends it to Elasticsearch in _bulk batches
 * from a persisted offset, retrying while the server is down.
 */
#ifndef MEDLOAD_COLLECT_H
#define MEDLOAD_COLLECT_H

#include <stddef.h>

#include "http.h"

struct live;

enum collect_fsync { COLLECT_FSYNC_NONE, COLLECT_FSYNC_INTERVAL,
    COLLECT_FSYNC_ALWAYS };

/* Strings are copied by collector_start. */
struct collect_opts {
	const char *host;		/* listen address, "127.0.0.1" */
	unsigned port;			/* 9700 */
	const char *out;		/* NDJSON file (also the spool) */
	enum collect_fsync fsync;
	size_t max_body;		/* bytes; larger bodies get 413 */
	unsigned max_connections;
	const char *run_id;		/* added as medload.run_id */
	const char *es_url;		/* forward when set */
	const struct http_opts *http;
	const char *index;
	size_t batch_bytes;
	struct live *live;		/* --metrics: publish the figures
					 * there (borrowed), or NULL */
};

/* Counters (a snapshot). */
struct collect_stats {
	unsigned long long received;	/* POST requests */
	unsigned long long written;	/* events appended */
	unsigned long long bad_json;	/* 400 */
	unsigned long long too_large;	/* 413 */
	unsigned long long refused;	/* 404/405 */
	unsigned long long failed;	/* 503: could not write */
	unsigned long long forwarded;	/* indexed by the server */
	unsigned long long forward_failed;
	unsigned long long pending;	/* bytes not yet forwarded */
	int write_errno;		/* why the last store failed, while
					 * the file refuses events; else 0 */
};

struct collector;

/* Parses ADDR:PORT, :PORT or PORT (*host: caller frees). 0 or -1. */
int collect_parse_listen(const char *s, char **host, unsigned *port);

/*
 * Opens the file, cuts a torn last line off it (see collector_note),
 * starts the HTTP listener and the forwarder. Returns 0 or -1 with *cause
 * (port in use, file not writable, server unreachable is NOT an error:
 * events wait in the spool).
 */
int collector_start(const struct collect_opts *o, struct collector **out,
    char **cause);

/* The port actually bound (when 0 was asked). */
unsigned collector_port(const struct collector *c);

/*
 * What collector_start repaired in an existing file (a torn last line
 * cut off), as a message to show; NULL when nothing. Borrowed.
 */
const char *collector_note(const struct collector *c);

/* Copies the counters. */
void collector_stats(struct collector *c, struct collect_stats *s);

/*
 * With o->live: publishes the figures by trace label (analyzer/
 * collect_metrics.h) as Prometheus text and a page. The caller does so
 * once a second; collector_stop does while it drains, and once at last.
 */
void collector_publish(struct collector *c);

/*
 * Stops listening, forwards what is pending for at most drain_s seconds,
 * syncs the file, stores the final counters in *final (when not NULL) and
 * frees everything (o->live stays the caller's, with the final figures
 * published). NULL is accepted.
 */
void collector_stop(struct collector *c, double drain_s,
    struct collect_stats *final);

/*
 * The line the collector stores for a request body (len bytes, NUL after
 * them) POSTed to path, with run_id (may be NULL) as medload.run_id:
 * the event object with @timestamp and the medload member added, and a
 * newline. Returns it (caller frees), or NULL when the body is not one
 * JSON object (the collector's 400). For tests and the fuzz harness.
 */
char *collector_line(const char *body, size_t len, const char *path,
    const char *run_id);

#endif
