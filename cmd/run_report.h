/*
 * run_report.h: `medload run --report DIR` (and `nightly --run-config`):
 * the settings of a load run from their sources, the run's own traces
 * (from the collector embedded in the run, trace files another collector
 * writes, or Elasticsearch) analyzed for the run's window, and the report
 * folder.
 */
#ifndef MEDLOAD_RUN_REPORT_H
#define MEDLOAD_RUN_REPORT_H

#include <stddef.h>

#include "http.h"

struct collector;
struct config;
struct json_object;
struct threshold_set;

struct run_report_opts {
	const char *report_dir;
	const char *collect;		/* ADDR:PORT of the embedded collector */
	const char *const *traces;	/* trace files (NDJSON, log, .gz) */
	size_t ntraces;
	const char *es_url;		/* or Elasticsearch */
	const char *es_index;
	const struct http_opts *http;
	const char *title;
	const char *templates;
	double wait_s;			/* for late traces after the run */
	const struct threshold_set *thresholds;	/* borrowed, or NULL */
	struct json_object *baseline;	/* borrowed analysis, or NULL */
	const char *junit;		/* JUnit XML of the thresholds */
	int quiet;			/* do not print the summary */
	int raw_groups;			/* report_input.raw_groups */
	const struct config *cfg;	/* the run's, to ask the agents why
					 * no trace came; may be NULL */
};

/*
 * Loads a run's settings in their order of precedence, lowest first: the
 * YAML file (NULL: none), the .env file (NULL: none), the environment.
 * Flags come after, through config_set. Returns 0 or -1 with *cause.
 */
int run_report_config(struct config *c, const char *yaml, const char *env_file,
    char **cause);

/*
 * Starts the embedded collector (when o->collect is set), writing
 * run_dir/traces.ndjson with every event tagged with run_id. *out is NULL
 * when no collector was asked for. Returns 0 or -1 with *cause.
 */
int run_report_start(const struct run_report_opts *o, const char *run_dir,
    const char *run_id, struct collector **out, char **cause);

/*
 * After the run: waits for late traces, stops the collector, analyzes the
 * run's traces for its window (from results, the run's results document),
 * writes run_dir/analysis.json and the report folder, and prints the text
 * report on stdout unless o->quiet. With thresholds, evaluates them on
 * the analysis and the run's results (relative ones against o->baseline;
 * error_rate counts the client's failures too) and puts the block in
 * the analysis ("thresholds"), the report and DIR/thresholds.json, and the
 * JUnit XML in o->junit. *analysis (when not NULL) gets the analysis
 * (caller puts). Returns an exit status (0, STATUS_THRESHOLD on a breach,
 * or STATUS_IO with a message on stderr).
 */
int run_report_finish(const struct run_report_opts *o, const char *run_dir,
    struct collector *col, struct json_object *results,
    struct json_object **analysis);

#endif
