/*
 * analysis.h: turns an aggregate into the analysis document, the JSON that
 * every renderer, `report`, `compare` and `nightly` read (schema
 * "medload.analysis/1").
 */
#ifndef MEDLOAD_ANALYSIS_H
#define MEDLOAD_ANALYSIS_H

#include <stddef.h>

#include "aggregate.h"
#include "trace.h"

#define ANALYSIS_SCHEMA "medload.analysis/1"
#define ANALYSIS_MAX_PCTS 32

struct hist;
struct json_object;

/* What happened to the records read. */
struct analysis_counts {
	unsigned long long read;	/* non-empty lines */
	unsigned long long accepted;	/* valid and kept by the filters */
	unsigned long long rejected;	/* invalid */
	unsigned long long filtered;	/* valid but outside the filters */
	unsigned long long skipped;	/* log text holding no trace event */
	unsigned long long agent_starts;	/* start-up probes set aside */
	unsigned long long by_reason[TRACE_REJ_COUNT];
	unsigned long long by_shape[5];
};

/* How the analysis was asked for, recorded in the document. */
struct analysis_request {
	const enum agg_key *keys;
	size_t nkeys;
	const double *pcts;		/* percentiles, e.g. 50, 99.9 */
	size_t npcts;
	struct json_object *source;	/* borrowed; copied into the doc */
	struct json_object *filters;	/* borrowed; copied into the doc */
};

/*
 * Builds the analysis document (caller releases with json_object_put).
 */
struct json_object *analysis_build(struct agg *a,
    const struct analysis_counts *c, const struct analysis_request *r);

/*
 * The parts every analysis document shares (schema, generator, source,
 * by, filters, events, window); sources that compute their own groups and
 * series (Elasticsearch aggregations) add "groups", "percentile_method"
 * and "series" to it. Caller puts.
 */
struct json_object *analysis_doc_new(const struct analysis_counts *c,
    const struct analysis_request *r, double first, double last);

/*
 * The "generator" member of the documents medload writes:
 * {"name": "medload", "version": ...} (caller puts).
 */
struct json_object *analysis_generator(void);

/* The "percentile_method" block. */
struct json_object *analysis_method(const char *method, int exact,
    const char *note);

/*
 * Adds the stats of h to object o: count, min, max, mean, stddev and
 * "percentiles" (one member per pcts entry, named as analysis_pct_name).
 */
void analysis_stats(struct json_object *o, const struct hist *h,
    const double *pcts, size_t npcts);

/* Events per second over a span; a span under a second counts as one. */
double analysis_rate(unsigned long long n, double first, double last);

/* A JSON string holding an RFC 3339 time. */
struct json_object *analysis_time(double t);

/*
 * Says whether an outcome reports a failure (it holds "error", "fail",
 * "problem", "exception", "abort" or "reject", in any case).
 */
int analysis_outcome_is_error(const char *outcome);

/* Writes the percentile's name ("p50", "p99.9") into buf. */
const char *analysis_pct_name(double q, char buf[32]);

/*
 * Parses a --percentiles list ("50,90,99.9") into out (at most max);
 * returns the number, or -1 with *cause set.
 */
int analysis_parse_pcts(const char *s, double *out, size_t max, char **cause);

/*
 * The group of analysis document doc whose key equals key (both
 * borrowed), borrowed; NULL when there is none.
 */
struct json_object *analysis_find_group(struct json_object *doc,
    const struct json_object *key);

/* A JSON number holding v as medload writes numbers. */
struct json_object *analysis_num(double v);

#endif
