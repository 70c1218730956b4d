/*
 * source_es.h: trace events where they live, in Elasticsearch or
 * OpenSearch. Two modes give the same analysis document: "raw" streams
 * every matching event (sliced scroll, slices in parallel) through the
 * local pipeline, so figures are exact; "aggs" lets the server compute
 * groups (composite aggregation), stats, percentiles (t-digest, or HDR)
 * and the series (date_histogram).
 */
#ifndef MEDLOAD_SOURCE_ES_H
#define MEDLOAD_SOURCE_ES_H

#include <signal.h>
#include <stddef.h>

#include "aggregate.h"
#include "filter.h"
#include "http.h"

struct flows;
struct json_object;

enum source_es_mode { SOURCE_ES_AUTO, SOURCE_ES_RAW, SOURCE_ES_AGGS };

struct source_es_opts {
	const char *url;
	const struct http_opts *http;
	const char *index;
	enum source_es_mode mode;
	int slices;		/* raw: parallel scroll slices (>= 1) */
	int hdr;		/* aggs: HDR percentiles instead of t-digest */
	size_t batch;		/* raw: hits per scroll page */
	size_t auto_raw_max;	/* auto: raw up to this many events */
	const struct filter *filter;
	int raw;		/* types and outcomes as written: no
				 * normal forms (trace_normal_value) */
	const char *run_id;	/* matched on medload.run_id */
	int run_id_optional;	/* the run's own id: matched only when the
				 * index can (else "run_id_ignored" says
				 * why); without it, an id that cannot be
				 * matched is an error */
	const enum agg_key *keys;
	size_t nkeys;
	const double *pcts;
	size_t npcts;
	double interval;	/* 0: automatic */
	unsigned long long show_rejects;
	int quiet_rejects;		/* no summary of rejects */
	int progress;		/* progress line on stderr */
	struct json_object *filters_doc;	/* borrowed, for the document */
	/*
	 * Borrowed; when set, raw mode feeds it every accepted event in
	 * event-time order (one slice, the scroll sorted by time).
	 */
	struct flows *flows;
};

/*
 * Runs the analysis. Returns the document (caller puts) and sets *partial
 * when the result was cut short (server gone, interrupted, a server that
 * sends more than it counted); the document then says so in
 * source.partial. When no event was accepted, *hint says what the indices
 * hold (caller frees; NULL when the server could not say). Returns NULL
 * with *cause when nothing could be computed.
 */
struct json_object *source_es_analyze(const struct source_es_opts *o,
    int *partial, char **hint, char **cause);

/* The default index pattern: Logstash's data stream, logstash-*, ours. */
#define SOURCE_ES_DEFAULT_INDEX "logs-generic-default,logstash-*,medload-traces*"

#endif
