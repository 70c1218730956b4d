/*
 * stats.h: what `medload run` measured: per request name (method + name,
 * as Locust keys them) counts, failures by kind and two exact latency
 * histograms in microseconds (from the intended start, free of coordinated
 * omission, and from the actual start), plus a per-second time series.
 * Fed live by the driver or replayed from journals (merge); rendered as
 * the end table and results.json here, as Locust's CSV files by
 * stats_csv.h.
 */
#ifndef MEDLOAD_STATS_H
#define MEDLOAD_STATS_H

#include <stdint.h>
#include <stdio.h>

struct hist;
struct json_object;
struct shape_step;

enum stats_err {
	STATS_OK,
	STATS_ERR_HTTP,		/* an unexpected HTTP status */
	STATS_ERR_TIMEOUT,	/* request or wait deadline passed */
	STATS_ERR_CONNECTION,	/* connect/send/receive failed */
	STATS_ERR_BODY,		/* 2xx with an unexpected body */
	STATS_ERR_OTHER,
	STATS_ERR_COUNT
};

/* One finished request (or wait), times in microseconds since the epoch. */
struct stats_rec {
	const char *method;	/* GET, POST, ...; WAIT for a state wait */
	const char *name;	/* 000_create_wallet, ... */
	const char *tenant;	/* wallet name, or "-" */
	int64_t sched_us;	/* when the schedule said it should start */
	int64_t start_us;	/* when it was handed to the transport */
	int64_t end_us;
	int status;		/* HTTP status, 0 if none */
	enum stats_err err;
	const char *error;	/* failure text (Locust's "Error"), or NULL */
	const char *detail;	/* e.g. the ping's thread id, or NULL */
	uint64_t bytes;		/* response body size */
	unsigned shard;		/* the process (0-based) that sent it */
};

struct stats;

/* Creates empty stats for a run starting at start_us. Caller frees. */
struct stats *stats_new(int64_t start_us);

/* Frees st; NULL is accepted. */
void stats_free(struct stats *st);

/* Adds one finished request. */
void stats_record(struct stats *st, const struct stats_rec *r);

/*
 * Records the user counts at time t_us; the last sample of each second
 * is the second's value. shard says which process (0-based) sent it, so
 * merged shards add up.
 */
void stats_users(struct stats *st, int64_t t_us, unsigned target,
    unsigned actual, unsigned shard);

/*
 * Counts requests per load step too (stats_steps.h), the n steps copied:
 * results.json then has a "steps" array. Call it before recording.
 */
void stats_set_steps(struct stats *st, const struct shape_step *steps,
    size_t n);

/*
 * For a merge of shards (after stats_set_steps): shard's requests count
 * in the steps from its own start, start_us, and it lasted end_s seconds
 * (< 0: unknown) (stats_steps_align).
 */
void stats_align_shard(struct stats *st, unsigned shard, int64_t start_us,
    double end_s);

/*
 * The "steps" array as results.json will have it, for a window ending
 * at now_us (caller puts), or NULL without stats_set_steps.
 */
struct json_object *stats_steps_now(const struct stats *st, int64_t now_us);

/*
 * Notes when the run stopped starting work (the end, an interrupt, a
 * judge): a load step still running then is not complete.
 */
void stats_set_stop(struct stats *st, int64_t stop_us);

/* Sets the end of the measured window. */
void stats_set_end(struct stats *st, int64_t end_us);

/* Totals so far (for progress lines). */
uint64_t stats_count(const struct stats *st);
uint64_t stats_failures(const struct stats *st);
/* p95 in ms of requests that ended in the last complete seconds. */
double stats_recent_p95(const struct stats *st, int64_t now_us);
/* Requests per second over the last complete seconds. */
double stats_recent_rate(const struct stats *st, int64_t now_us);

/* Human name of an error kind ("timeout"). */
const char *stats_err_name(enum stats_err e);

/*
 * Prints the end table (Locust's columns plus more percentiles) from the
 * intended start, then, with actual_too, the same from the actual start,
 * then the failures by kind, each name's with its most frequent reason
 * (escaped: it may quote a server).
 */
void stats_print_table(const struct stats *st, int actual_too, FILE *out);

/*
 * The results document (schema "medload.run/1"). meta (borrowed; its
 * members are copied in) holds run id, config summary and so on.
 */
struct json_object *stats_json(const struct stats *st,
    struct json_object *meta);

/* One request name's figures, for live views (borrowed). */
struct stats_view {
	const char *method;	/* GET, POST, ...; WAIT */
	const char *name;
	uint64_t count, failures;
	const struct hist *intended_us;	/* latency from the intended start */
};

/*
 * Calls fn for every request name, in the order first seen; the views
 * are valid during the call only.
 */
void stats_each(const struct stats *st,
    void (*fn)(const struct stats_view *v, void *arg), void *arg);

#endif
