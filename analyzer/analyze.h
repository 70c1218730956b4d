/*
 * analyze.h: the one way from a trace source to the analysis document.
 * `analyze`, `run --report` and `nightly` all describe what they want in a
 * struct analyze_request and get the document from analyze_run: files
 * (standard input, gzip) or Elasticsearch/OpenSearch, filtered and grouped
 * the same way, with the source block built here.
 */
#ifndef MEDLOAD_ANALYZE_H
#define MEDLOAD_ANALYZE_H

#include <stddef.h>

#include "aggregate.h"
#include "analysis.h"
#include "filter.h"
#include "source_es.h"

struct json_object;

enum analyze_source {
	ANALYZE_NONE,		/* no traces: an empty analysis */
	ANALYZE_FILES,		/* files; "-" is standard input */
	ANALYZE_ES,		/* Elasticsearch or OpenSearch */
};

struct analyze_request {
	enum analyze_source source;
	const char *const *files;	/* ANALYZE_FILES: borrowed paths */
	size_t nfiles;
	/*
	 * ANALYZE_ES: where and how (url, http, index, mode, slices, batch,
	 * hdr, auto_raw_max, progress). analyze_run fills in the rest from
	 * the fields below.
	 */
	struct source_es_opts es;
	struct filter filter;		/* borrowed patterns */
	enum agg_key keys[AGG_KEY_COUNT];
	size_t nkeys;
	double pcts[ANALYSIS_MAX_PCTS];
	size_t npcts;
	double interval;		/* series bins; 0: chosen from the span */
	unsigned long long show_rejects;	/* rejects printed at most */
	int quiet_rejects;	/* no summary of rejects (a re-read of input) */
	const char *run_id;		/* recorded; matched in the search engine */
	int raw;			/* types and outcomes as written */
	/* The run's own id: matched only where the index can (source_es.h). */
	int run_id_optional;
	int flows;			/* follow exchanges (flows.h) */
	double flow_timeout;		/* seconds; 0: the default */
	/*
	 * Files: parsing threads (0: one per online core; with flows and
	 * several files, merged by time, one) and the bytes of the chunks
	 * they take (0: the default).
	 */
	unsigned threads;
	size_t chunk;
	/* Files: groups kept (agg_limit; 0: all), default ANALYZE_MAX_GROUPS */
	size_t max_groups;
};

/* The default bound on the groups of trace files. */
#define ANALYZE_MAX_GROUPS 10000

/* What came of it. */
struct analyze_result {
	struct json_object *doc;	/* the analysis; caller puts */
	unsigned long long accepted;	/* events that passed the filters */
	int partial;			/* cut short: interrupted, server gone */
	int unreadable;			/* inputs that could not be read */
	char *hint;			/* why nothing was accepted, or NULL */
};

/*
 * Sets the defaults: no source, keys label, handler, outcome, percentiles
 * 50, 75, 90, 95, 99, 99.9, five rejects shown, and the search engine
 * defaults (the default index list, auto mode up to 200,000 events raw,
 * one slice, pages of 5,000 hits); threads from MEDLOAD_THREADS (else one
 * per core) and chunk bytes from MEDLOAD_CHUNK_BYTES (for tests), when
 * they hold a whole number in range.
 */
void analyze_request_init(struct analyze_request *r);

/* Releases what a result holds. */
void analyze_result_release(struct analyze_result *res);

/*
 * The exit status a result calls for (core/status.h): STATUS_PARTIAL when
 * cut short, STATUS_IO when an input could not be read, else STATUS_OK.
 */
int analyze_result_status(const struct analyze_result *res);

/*
 * Runs the analysis. Returns 0 with res->doc set (unreadable inputs and an
 * interrupted read are reported in the document's source block and in res;
 * messages about them are already on stderr), or -1 with *cause when
 * nothing could be computed (the search engine unreachable, say).
 */
int analyze_run(const struct analyze_request *r, struct analyze_result *res,
    char **cause);

#endif
