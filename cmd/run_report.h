/*
 * oneshot.h: `medload run --report DIR`: the run's own traces, analyzed
 * for the run's window, and the report folder. The traces come from the
 * collector embedded in the run (agents tracing to medload), from a trace
 * file another collector writes, or from Elasticsearch.
 */
#ifndef MEDLOAD_ONESHOT_H
#define MEDLOAD_ONESHOT_H

#include "http.h"

struct collector;
struct json_object;
struct threshold_set;

struct oneshot_opts {
	const char *report_dir;
	const char *collect;		/* ADDR:PORT of the embedded collector */
	const char *traces;		/* a trace file (NDJSON, log, .gz) */
	const char *es_url;		/* or Elasticsearch */
	const char *es_index;
	const struct http_opts *http;
	const char *title;
	const char *templates;
	double wait_s;			/* for late traces after the run */
	const struct threshold_set *thresholds;	/* borrowed, or NULL */
	struct json_object *baseline;	/* borrowed analysis, or NULL */
	const char *junit;		/* JUnit XML of the thresholds */
};

/*
 * Starts the embedded collector (when o->collect is set), writing
 * run_dir/traces.ndjson with every event tagged with run_id. *out is NULL
 * when no collector was asked for. Returns 0 or -1 with *cause.
 */
int oneshot_collect_start(const struct oneshot_opts *o, const char *run_dir,
    const char *run_id, struct collector **out, char **cause);

/*
 * After the run: waits for late traces, stops the collector, analyzes the
 * run's traces for its window (from run_dir/results.json, which a run
 * writes even when interrupted), writes run_dir/analysis.json and the
 * report folder, and prints the text report on stdout. With thresholds,
 * evaluates them on the analysis (relative ones against o->baseline) and
 * puts the block in analysis.json ("thresholds"), the report and
 * DIR/thresholds.json, and the JUnit XML in o->junit. Returns an exit
 * status (0, STATUS_THRESHOLD on a breach, or STATUS_IO / STATUS_NO_EVENTS with
 * a message on stderr).
 */
int oneshot_report(const struct oneshot_opts *o, const char *run_dir,
    struct collector *col);

#endif
