/*
 * aggregate.h: folds trace events into groups (one histogram per group key)
 * and into a time series per trace label. Memory depends on the number of
 * groups and time bins, never on the number of events.
 */
#ifndef MEDLOAD_AGGREGATE_H
#define MEDLOAD_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "topk.h"

struct agg_label;
struct hist;
struct ocount_pair;
struct trace_event;

enum agg_key {
	AGG_KEY_LABEL,
	AGG_KEY_HANDLER,
	AGG_KEY_OUTCOME,
	AGG_KEY_TRACED_TYPE,
	AGG_KEY_ENDPOINT,	/* where DELIVER outcomes went */
	AGG_KEY_COUNT
};

/* The field name of a key ("label", "handler", ...). */
const char *agg_key_name(enum agg_key k);

/* Parses a key name; returns 0 and sets *k, or -1. */
int agg_key_parse(const char *name, enum agg_key *k);

/* One group: the values of the chosen keys and their distribution. */
struct agg_group {
	struct topk_item k;		/* internal: the encoded key */
	char *values[AGG_KEY_COUNT];	/* NULL: not chosen or absent */
	int present[AGG_KEY_COUNT];	/* 1 when the event had the field */
	struct hist *h;
	double first;
	double last;
	struct agg_label *series;	/* internal: the label's series */
	struct ocount_pair *opair;	/* internal: outcome count cache */
	unsigned long ogen;		/* internal: when it was cached */
	int oaway;			/* internal: pair turned away */
	int start;			/* internal: 1 START, -1 not */
};

/* One time bin of one label's series. */
struct agg_bin {
	long long index;	/* start = index * interval */
	struct hist *h;
};

/* One label's series, bins in time order. */
struct agg_series {
	char *label;		/* NULL for events without a label */
	struct agg_bin *bins;
	size_t nbins;
};

/* How many events of one label had one outcome in one time bin. */
struct agg_outcome {
	const char *label;	/* borrowed; NULL when absent */
	const char *outcome;
	long long index;	/* bin start = index * interval */
	unsigned long long count;
};

struct agg;

/*
 * Creates an aggregator grouping by keys[0..nkeys). interval is the series
 * bin width in seconds, or 0 to choose one from the data's span.
 * Caller frees with agg_free.
 */
struct agg *agg_new(const enum agg_key *keys, size_t nkeys, double interval);

/* Frees everything; NULL is accepted. */
void agg_free(struct agg *a);

/*
 * Keeps at most max groups (0: all; call before the first agg_add): the
 * first max in bytewise order of their encoded keys, which is about the
 * order agg_groups lists them in. The events of the others are counted
 * together in one overflow group (agg_overflow). The same bound holds
 * the (label, outcome) pairs counted over time. Which groups are kept
 * does not depend on the order of the events or of merges.
 */
void agg_limit(struct agg *a, size_t max);

/*
 * The overflow group (values all NULL; borrowed) or NULL when every group
 * was kept; *max receives the bound (0: none), *outcomes the events whose
 * (label, outcome) pair was not kept in the outcome counts.
 */
const struct agg_group *agg_overflow(const struct agg *a, size_t *max,
    unsigned long long *outcomes);

/* Adds one event (its strings are copied when they start a group). */
void agg_add(struct agg *a, const struct trace_event *ev);

/*
 * Returns the groups sorted by key (borrowed; valid until agg_free or the
 * next agg_add) and their number in *n.
 */
struct agg_group **agg_groups(struct agg *a, size_t *n);

/*
 * Settles the series interval and returns the series sorted by label
 * (borrowed, as above); *interval receives the bin width in seconds. The
 * series leave START events out: they always carry 0 ms.
 */
struct agg_series *agg_series(struct agg *a, size_t *n, double *interval);

/*
 * Settles the interval (as agg_series) and returns the outcome counts per
 * label and bin, sorted (borrowed, valid until the next call or agg_free).
 */
struct agg_outcome *agg_outcomes(struct agg *a, size_t *n);

/*
 * Adds everything src holds into dst. Both must group by the same keys;
 * the finer series interval is widened to the coarser one (src may be
 * re-binned for that; its figures do not change).
 */
void agg_merge(struct agg *dst, struct agg *src);

/* Time of the earliest and latest event added; 0 when none. */
void agg_span(const struct agg *a, double *first, double *last);

#endif
