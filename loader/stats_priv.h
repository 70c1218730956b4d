/*
 * stats_priv.h: the insides of struct stats, shared by stats.c (recording,
 * the end table, results.json) and stats_csv.c (Locust's CSV files).
 * Nothing else includes it.
 */
#ifndef MEDLOAD_STATS_PRIV_H
#define MEDLOAD_STATS_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

struct hist;
struct hmap;
struct stats_steps;

#define STATS_MAX_SHARDS 64
#define STATS_NQ 11		/* Locust's percentile columns */
#define STATS_OPEN 4		/* a name's seconds kept open for late ends */
#define STATS_MAX_EXCEPTIONS 1000	/* texts kept; the rest are counted */

/* How often one error text was seen, and when first and last. */
struct stats_etext {
	uint64_t count;
	int64_t first_us, last_us;
};

/*
 * One closed second of a name's history: its counts, the percentiles of
 * the latencies (from the intended start) of the requests that ended in
 * it, and the totals up to it (median to 0.2%, mean, min, max), in
 * microseconds.
 */
struct stats_tick {
	uint32_t sec, reqs, fails;
	uint32_t p[STATS_NQ];
	uint32_t tot[4];
	uint64_t bytes;
};

/* A second still open: its requests' histograms until it closes. */
struct stats_open {
	int64_t sec;		/* -1: the slot is free */
	uint32_t reqs, fails;
	uint64_t bytes;
	struct hist *h;		/* microseconds */
	struct hist *q;		/* the same as the totals' median buckets */
};

/*
 * Every latency of a name's closed seconds: count, sum, min and max, and
 * for the median a histogram of buckets (values below 256 us exactly, then
 * 256 a power of two: under 0.2% off), a few thousand counters at most, so
 * the totals' median of each second costs little in a long run.
 */
struct stats_cumul {
	struct hist *q;
	uint64_t n;
	double sum, min, max;	/* microseconds */
};

/*
 * A name's per-second history for --csv-full-history: closed seconds are
 * kept as ticks only (counts and percentile columns, no histogram), so
 * memory grows by a few dozen bytes a second. A second closes when a
 * request of the name ends STATS_OPEN seconds later; a request recorded
 * after its second closed still counts in it, not in its percentiles
 * (nor, if the second had none, in more than its own), and joins the
 * totals' median, mean, min and max of the seconds that close after it.
 */
struct stats_timeline {
	struct stats_tick *ticks;	/* by second */
	size_t n, alloc;
	struct stats_open open[STATS_OPEN];
	struct stats_cumul closed;
};

/* One kind of exception: requests that could not start or be sent. */
struct stats_exc {
	uint64_t count;
	uint64_t shards;		/* bit i: shard i saw it */
	struct hmap *where;		/* "METHOD name" -> uint64_t * */
};

struct stats_entry {
	char *method, *name;
	struct hist *intended;	/* microseconds */
	struct hist *actual;	/* microseconds */
	uint64_t count, failures, bytes;
	uint64_t errs[STATS_ERR_COUNT];
	struct hmap *errors;	/* error text -> struct stats_etext */
	struct stats_timeline *timeline;	/* requests' history, or NULL */
};

struct stats_second {
	uint64_t reqs, fails;
	struct hist *ms;	/* latency from intended, ms (float buckets) */
	uint32_t *users;	/* [shard * 2] target+1, [.. + 1] actual+1 */
};

struct stats {
	int64_t start_us, end_us;
	struct hmap *map;	/* "method\0name" -> entry */
	struct stats_entry **list;
	size_t n, alloc;
	struct stats_entry total;	/* requests and waits */
	struct stats_entry total_req;	/* requests only */
	struct stats_entry total_wait;	/* waits only */
	struct stats_second *secs;
	size_t nsecs;
	unsigned nshards;
	struct hmap *exceptions;	/* text -> struct stats_exc */
	struct stats_steps *steps;	/* per load step, or NULL */
	int64_t stop_us;		/* work stopped starting; 0: not yet */
};

/* Locust's percentiles (50% .. 100%). */
extern const double stats_pct_q[STATS_NQ];

/* Whether e counts state waits (method WAIT). */
int stats_is_wait(const struct stats_entry *e);

/* The entries sorted by name, then method (caller frees the array). */
struct stats_entry **stats_sorted(const struct stats *st);

/* Seconds of the window (at least a microsecond). */
double stats_window(const struct stats *st);

/* Number of whole or partial seconds in the window. */
size_t stats_nseconds(const struct stats *st);

/*
 * The users at second upto, summed over the shards, carrying each
 * shard's last sample forward in last (2 * STATS_MAX_SHARDS, zeroed
 * before the first second).
 */
void stats_users_at(const struct stats *st, size_t upto, uint32_t *last,
    unsigned *target, unsigned *actual);

/*
 * Every second of t, the open ones closed as they would be (t is not
 * changed): *out (caller frees) gets *n ticks sorted by second.
 */
void stats_timeline_ticks(const struct stats_timeline *t,
    struct stats_tick **out, size_t *n);

/*
 * Where an exception happened: "METHOD name: count" lines, sorted
 * (caller frees).
 */
char *stats_exc_where(const struct stats_exc *x);

/* The processes that saw it: "local", or "shard 1, shard 3" after a merge
 * (caller frees). */
char *stats_exc_nodes(const struct stats *st, const struct stats_exc *x);

#endif
