/* run_report.c: a load run's settings, its traces, and its report. */
#include "run_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "analyze.h"
#include "cli.h"
#include "collect.h"
#include "config.h"
#include "files.h"
#include "interrupt.h"
#include "junit.h"
#include "preflight.h"
#include "render.h"
#include "report.h"
#include "run_steps.h"
#include "run_window.h"
#include "saturation.h"
#include "status.h"
#include "threshold.h"
#include "util.h"

/* getenv for config_load_env. */
static const char *
run_report_getenv(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

int
run_report_config(struct config *c, const char *yaml, const char *env_file,
    char **cause)
{
	if (yaml != NULL && config_load_yaml(c, yaml, cause) == -1)
		return -1;
	if (env_file != NULL && config_load_env_file(c, env_file, cause) == -1)
		return -1;
	return config_load_env(c, run_report_getenv, NULL, "env", cause);
}

int
run_report_start(const struct run_report_opts *o, const char *run_dir,
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
	if (files_mkdirs(run_dir, cause) == -1) {
		free(host);
		return -1;
	}
	file = util_printf("%s/traces.ndjson", run_dir);
	co.host = host;
	co.out = file;
	co.fsync = COLLECT_FSYNC_INTERVAL;
	co.run_id = run_id;
	rc = collector_start(&co, out, cause);
	if (rc == 0 && collector_note(*out) != NULL)
		cli_error_safe(collector_note(*out));
	free(host);
	free(file);
	return rc;
}

/* Sleeps up to s seconds, less when a (further) signal arrives. */
static void
run_report_wait(double s)
{
	interrupt_rearm();
	(void)interrupt_sleep(s * 1e3);
}

/* The analysis request for the run's window and traces. */
static int
run_report_request(const struct run_report_opts *o, const char *run_dir,
    struct json_object *results, struct analyze_request *r, char **own,
    char **cause)
{
	struct run_window_traces t = { o->traces, o->ntraces, o->es_url,
	    o->es_index, o->http };

	*own = NULL;
	if (o->collect != NULL) {
		*own = util_printf("%s/traces.ndjson", run_dir);
		t.files = (const char *const *)own;
		t.nfiles = 1;
	}
	if (run_window_request(results, &t, o->wait_s, r, cause) == -1)
		return -1;
	r->flows = 1;		/* exchanges across the agents, when raw */
	return 0;
}

/* Writes a JSON document under a name of ours; -1 after a message. */
static int
run_report_json(const char *dir, const char *name, struct json_object *doc)
{
	char *path = util_printf("%s/%s", dir, name), *cause = NULL;
	struct files_out o;
	int rc = files_open(&o, path, FILES_OWN, &cause);

	if (rc == 0) {
		rc = render_json(doc, o.f);
		rc = files_close(&o, rc == 0, &cause);
	}
	if (rc == -1)
		cli_error("report: %s", cause ? cause : path);
	free(cause);
	free(path);
	return rc;
}

/*
 * Evaluates the thresholds over the analysis doc and the run's results
 * into doc; returns the block or NULL.
 */
static struct json_object *
run_report_judge(const struct run_report_opts *o, struct json_object *doc,
    struct json_object *results)
{
	struct json_object *tblock;

	if (o->thresholds == NULL || o->thresholds->n == 0)
		return NULL;
	tblock = threshold_evaluate(o->thresholds, doc, o->baseline,
	    results);
	json_object_object_add(doc, "thresholds", json_object_get(tblock));
	return tblock;
}

/* Writes DIR/thresholds.json and the JUnit XML; -1 after a message. */
static int
run_report_verdict(const struct run_report_opts *o, struct json_object *tb)
{
	char *cause = NULL;
	int rc = 0;

	if (tb != NULL && run_report_json(o->report_dir, "thresholds.json",
	    tb) == -1)
		rc = -1;
	if (o->junit != NULL && junit_write_file(o->junit, "medload run", tb,
	    NULL, &cause) == -1) {
		cli_error("report: %s", cause);
		rc = -1;
	}
	free(cause);
	return rc;
}

/* Writes the report folder and says where it went; -1 after a message. */
static int
run_report_folder(const struct run_report_opts *o, struct json_object *doc,
    struct json_object *results, struct json_object *assessment)
{
	struct report_input in;
	struct report_result res;
	char *cause = NULL;

	memset(&in, 0, sizeof(in));
	in.analysis = doc;
	in.run = results;
	in.assessment = assessment;
	in.out_dir = o->report_dir;
	in.templates = o->templates;
	in.title = o->title;
	in.raw_groups = o->raw_groups;
	if (!o->quiet) {
		fputc('\n', stdout);
		in.echo = stdout;
	}
	if (report_write(&in, &res, &cause) == -1) {
		cli_error("report: %s", cause);
		free(cause);
		report_result_release(&res);
		return -1;
	}
	fflush(stdout);
	report_print_done(o->report_dir, &res);
	report_result_release(&res);
	return 0;
}

/*
 * Says where the agents send their traces when none reached us: the
 * mediator, and the multi-tenant agent unless the run had none (edge).
 */
static void
run_report_no_traces(const struct run_report_opts *o)
{
	char *multi = NULL, *med = NULL;
	struct strbuf where;

	if (o->cfg == NULL)
		return;
	strbuf_init(&where, 0);
	if (o->cfg->scenario != CONFIG_SCENARIO_EDGE) {
		multi = preflight_trace_target(o->cfg, 0);
		strbuf_addf(&where, "the multi-tenant agent %s", multi);
	}
	if (o->cfg->mediator_admin_url != NULL) {
		med = preflight_trace_target(o->cfg, 1);
		strbuf_addf(&where, "%sthe mediator %s", where.len ? ", " : "",
		    med);
	}
	cli_error("hint: no agent sent a trace to --collect %s: %s; start the "
	    "agents with --trace --trace-target http://%s/ (stack/up "
	    "--trace-to http://%s/)", o->collect, where.len ? where.data :
	    "no admin URL to ask the agents", o->collect, o->collect);
	strbuf_release(&where);
	free(multi);
	free(med);
}

/* Analyzes the run's traces; the document, or NULL after a message. */
static struct json_object *
run_report_analysis(const struct run_report_opts *o, const char *run_dir,
    struct json_object *results)
{
	struct analyze_request r;
	struct analyze_result res;
	char *cause = NULL, *own = NULL;

	if (run_report_request(o, run_dir, results, &r, &own, &cause) == -1 ||
	    analyze_run(&r, &res, &cause) == -1) {
		cli_error("report: traces: %s", cause ? cause : "unreadable");
		free(cause);
		free(own);
		return NULL;
	}
	if (run_steps_trace(&r, results, res.doc, &cause) == -1) {
		cli_error("report: traces by load step: %s", cause);
		free(cause);
	}
	free(own);
	return res.doc;
}

/*
 * The saturation assessment of the run (caller puts), written as
 * assessment.json in run_dir; NULL after a message.
 */
static struct json_object *
run_report_assess(const char *run_dir, struct json_object *doc,
    struct json_object *results)
{
	struct json_object *a;
	char *cause = NULL;

	a = saturation_assess(results, doc, &cause);
	if (a == NULL) {
		cli_error("report: saturation: %s", cause);
		free(cause);
		return NULL;
	}
	run_report_json(run_dir, "assessment.json", a);
	return a;
}

int
run_report_finish(const struct run_report_opts *o, const char *run_dir,
    struct collector *col, struct json_object *results,
    struct json_object **analysis)
{
	struct collect_stats st;
	struct json_object *doc, *tblock, *assessment;
	int status = STATUS_OK;

	run_report_wait(o->wait_s);
	if (col != NULL) {
		collector_stop(col, 0, &st);
		fprintf(stderr, "medload: collected %llu trace events during "
		    "the run\n", st.written);
		if (st.written == 0)
			run_report_no_traces(o);
	}
	doc = run_report_analysis(o, run_dir, results);
	if (doc == NULL)
		return STATUS_IO;
	tblock = run_report_judge(o, doc, results);
	run_report_json(run_dir, "analysis.json", doc);
	assessment = run_report_assess(run_dir, doc, results);
	if (run_report_folder(o, doc, results, assessment) == -1 ||
	    run_report_verdict(o, tblock) == -1 || (assessment != NULL &&
	    run_report_json(o->report_dir, "assessment.json", assessment) ==
	    -1))
		status = STATUS_IO;
	if (assessment != NULL && !o->quiet)
		saturation_print(assessment, stderr);
	json_object_put(assessment);
	if (threshold_block_failed(tblock) > 0) {
		cli_error("%d of %zu thresholds breached",
		    threshold_block_failed(tblock), o->thresholds->n);
		if (status == STATUS_OK)
			status = STATUS_THRESHOLD;
	}
	json_object_put(tblock);
	if (analysis != NULL)
		*analysis = doc;
	else
		json_object_put(doc);
	return status;
}
