/* oneshot.c: after `medload run`: the run's traces -> report folder. */
#include "run_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "aggregate.h"
#include "analysis.h"
#include "cli.h"
#include "collect.h"
#include "filter.h"
#include "interrupt.h"
#include "junit.h"
#include "pipeline.h"
#include "render.h"
#include "report.h"
#include "run.h"
#include "source_es.h"
#include "source_file.h"
#include "threshold.h"
#include "timeutil.h"
#include "util.h"

static const enum agg_key oneshot_keys[] = { AGG_KEY_LABEL, AGG_KEY_HANDLER,
    AGG_KEY_OUTCOME };
static const double oneshot_pcts[] = { 50, 75, 90, 95, 99, 99.9 };

int
oneshot_collect_start(const struct oneshot_opts *o, const char *run_dir,
    const char *run_id, struct collector **out, char **cause)
{
	struct collect_opts co;
	char *host = NULL, *file;
	int rc;

	*out = NULL;
	if (o->collect == NULL)
		return 0;
	memset(&co, 0, sizeof(co));
	if (collect_parse_listen(o->collect, &host, &co.port) == -1)
		return util_fail(cause, "--collect: \"%s\" is not ADDR:PORT",
		    o->collect);
	if (run_mkdirs(run_dir, cause) == -1) {
		free(host);
		return -1;
	}
	file = util_printf("%s/traces.ndjson", run_dir);
	co.host = host;
	co.out = file;
	co.fsync = COLLECT_FSYNC_INTERVAL;
	co.run_id = run_id;
	rc = collector_start(&co, out, cause);
	free(host);
	free(file);
	return rc;
}

/* Sleeps up to s seconds, less when a signal arrives. */
static void
oneshot_wait(double s)
{
	struct timespec ts = { 0, 100000000 };

	interrupt_rearm();
	while (s > 0 && !interrupt_pending()) {
		nanosleep(&ts, NULL);
		s -= 0.1;
	}
}

/* The run's window from its results document. */
static int
oneshot_window(struct json_object *run, double *start, double *end)
{
	struct json_object *v;

	if (!json_object_object_get_ex(run, "window_start", &v) ||
	    time_parse(json_object_get_string(v), start) == -1 ||
	    !json_object_object_get_ex(run, "window_end", &v) ||
	    time_parse(json_object_get_string(v), end) == -1)
		return -1;
	return 0;
}

/* Analysis of a trace file, limited to the window. */
static struct json_object *
oneshot_from_file(const char *path, const struct filter *f,
    const char *run_id, char **cause)
{
	struct analysis_request req;
	struct json_object *src, *in, *doc;
	struct pipeline p;

	pipeline_init(&p, oneshot_keys, 3, 0, f, 5);
	p.where = path;
	if (source_file_read(path, pipeline_line, &p, cause) == -1) {
		pipeline_release(&p);
		return NULL;
	}
	src = json_object_new_object();
	json_object_object_add(src, "kind", json_object_new_string("files"));
	in = json_object_new_array();
	json_object_array_add(in, json_object_new_string(path));
	json_object_object_add(src, "inputs", in);
	json_object_object_add(src, "run_id", json_object_new_string(run_id));
	memset(&req, 0, sizeof(req));
	req.keys = oneshot_keys;
	req.nkeys = 3;
	req.pcts = oneshot_pcts;
	req.npcts = 6;
	req.source = src;
	doc = analysis_build(p.agg, &p.counts, &req);
	json_object_put(src);
	pipeline_release(&p);
	return doc;
}

/* Writes DIR/thresholds.json and the JUnit XML; -1 after a message. */
static int
oneshot_thresholds(const struct oneshot_opts *o, struct json_object *tblock)
{
	char *path, *cause = NULL;
	FILE *out;
	int rc = 0;

	if (tblock != NULL) {
		path = util_printf("%s/thresholds.json", o->report_dir);
		out = fopen(path, "w");
		if (out == NULL || render_json(tblock, out) == -1) {
			cli_error("report: %s: cannot write", path);
			rc = -1;
		}
		if (out != NULL && fclose(out) != 0 && rc == 0) {
			cli_error("report: %s: cannot write", path);
			rc = -1;
		}
		free(path);
	}
	if (o->junit != NULL && junit_write_file(o->junit, "medload run",
	    tblock, NULL, &cause) == -1) {
		cli_error("report: %s", cause);
		free(cause);
		rc = -1;
	}
	return rc;
}

int
oneshot_report(const struct oneshot_opts *o, const char *run_dir,
    struct collector *col)
{
	struct report_input in;
	struct report_result res;
	struct collect_stats st;
	struct json_object *run = NULL, *doc = NULL, *tblock = NULL;
	struct filter f;
	char *cause = NULL, *path, *file = NULL, tb[TIME_BUF];
	double start, end;
	int partial = 0, status = STATUS_OK;
	FILE *out;

	oneshot_wait(o->wait_s);
	if (col != NULL) {
		collector_stop(col, 0, &st);
		fprintf(stderr, "medload: collected %llu trace events during "
		    "the run\n", st.written);
	}
	path = util_printf("%s/results.json", run_dir);
	if (report_load(path, "medload.run/1", &run, &cause) == -1 ||
	    oneshot_window(run, &start, &end) == -1) {
		cli_error("report: %s", cause ? cause : "the run's window is "
		    "missing from results.json");
		free(cause);
		free(path);
		json_object_put(run);
		return STATUS_IO;
	}
	free(path);
	memset(&f, 0, sizeof(f));
	f.since = start - 1;
	f.until = end + o->wait_s + 1;
	f.has_since = f.has_until = 1;
	if (col != NULL || o->traces != NULL) {
		file = col ? util_printf("%s/traces.ndjson", run_dir) :
		    util_strdup(o->traces);
		doc = oneshot_from_file(file, &f, json_object_get_string(
		    json_object_object_get(run, "run_id")), &cause);
	} else if (o->es_url != NULL) {
		struct source_es_opts es;
		struct json_object *fd = json_object_new_object();

		memset(&es, 0, sizeof(es));
		es.url = o->es_url;
		es.http = o->http;
		es.index = o->es_index ? o->es_index : SOURCE_ES_DEFAULT_INDEX;
		es.mode = SOURCE_ES_AUTO;
		es.slices = 1;
		es.batch = 5000;
		es.auto_raw_max = 200000;
		es.filter = &f;
		es.keys = oneshot_keys;
		es.nkeys = 3;
		es.pcts = oneshot_pcts;
		es.npcts = 6;
		es.show_rejects = 5;
		es.filters_doc = fd;
		json_object_object_add(fd, "since", json_object_new_string(
		    time_format(f.since, tb)));
		json_object_object_add(fd, "until", json_object_new_string(
		    time_format(f.until, tb)));
		doc = source_es_analyze(&es, &partial, &cause);
		json_object_put(fd);
	} else {
		/* No traces asked for: the report covers the run alone. */
		file = util_printf("%s/no-traces.ndjson", run_dir);
		out = fopen(file, "w");
		if (out != NULL)
			fclose(out);
		doc = oneshot_from_file(file, &f, "", &cause);
	}
	free(file);
	if (doc == NULL) {
		cli_error("report: traces: %s", cause ? cause : "unreadable");
		free(cause);
		json_object_put(run);
		return STATUS_IO;
	}
	if (o->thresholds != NULL && o->thresholds->n > 0) {
		tblock = threshold_evaluate(o->thresholds, doc, o->baseline);
		json_object_object_add(doc, "thresholds",
		    json_object_get(tblock));
	}
	path = util_printf("%s/analysis.json", run_dir);
	out = fopen(path, "w");
	if (out == NULL || render_json(doc, out) == -1)
		cli_error("report: %s: cannot write", path);
	if (out != NULL)
		fclose(out);
	free(path);
	memset(&in, 0, sizeof(in));
	in.analysis = doc;
	in.run = run;
	in.out_dir = o->report_dir;
	in.templates = o->templates;
	in.title = o->title;
	if (report_write(&in, &res, &cause) == -1) {
		cli_error("report: %s", cause);
		free(cause);
		status = STATUS_IO;
	} else {
		char buf[8192];
		size_t n;

		path = util_printf("%s/report.txt", o->report_dir);
		out = fopen(path, "r");
		fputc('\n', stdout);
		while (out != NULL && (n = fread(buf, 1, sizeof(buf), out)) > 0)
			fwrite(buf, 1, n, stdout);
		if (out != NULL)
			fclose(out);
		free(path);
		fflush(stdout);
		fprintf(stderr, "medload: report written to %s/ (%d chart%s%s%s)"
		    "\n", o->report_dir, res.charts, res.charts == 1 ? "" : "s",
		    res.skipped ? "; charts skipped: " : "",
		    res.skipped ? res.skipped : "");
		free(res.skipped);
	}
	if (oneshot_thresholds(o, tblock) == -1 && status == STATUS_OK)
		status = STATUS_IO;
	if (threshold_block_failed(tblock) > 0) {
		cli_error("%d of %zu thresholds breached",
		    threshold_block_failed(tblock), o->thresholds->n);
		if (status == STATUS_OK)
			status = STATUS_THRESHOLD;
	}
	json_object_put(tblock);
	json_object_put(doc);
	json_object_put(run);
	return status;
}
