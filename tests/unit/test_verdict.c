/*
 * test_verdict.c: the verdict block built from hand-made documents (a
 * judged analysis, an interrupted run with failures, a saturation
 * assessment) and rendered by report_write: report.txt against its
 * golden copy (tests/golden/report/verdict.txt; UPDATE_GOLDEN=1 rewrites
 * it), report.md and index.html by their content, and the same report
 * without an assessment.
 */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jx.h"
#include "report.h"
#include "util.h"

#include "check.h"

static const char analysis_json[] =
    "{\"schema\": \"medload.analysis/1\", \"by\": [\"label\", \"handler\","
    " \"outcome\"], \"events\": {\"read\": 10, \"accepted\": 10, "
    "\"rejected\": 0, \"filtered_out\": 0}, \"groups\": ["
    "{\"key\": {\"label\": \"mediator.trace\", \"handler\": "
    "\"mediator.trace\", \"outcome\": \"Dispatcher.handle_message.END\"},"
    " \"count\": 300, \"min\": 2, \"max\": 900, \"mean\": 40, "
    "\"percentiles\": {\"p50\": 12, \"p95\": 640, \"p99\": 812}},"
    "{\"key\": {\"label\": \"mediator.trace\", \"handler\": "
    "\"mediator.trace\", \"outcome\": \"Dispatcher.handle_message.START\"},"
    " \"count\": 300, \"min\": 0, \"max\": 0, \"mean\": 0, "
    "\"percentiles\": {\"p50\": 0, \"p95\": 0, \"p99\": 0}},"
    "{\"key\": {\"label\": \"multi.agent.trace\", \"handler\": "
    "\"multi.agent.trace\", \"outcome\": "
    "\"Dispatcher.handle_message.END\"}, \"count\": 310, \"min\": 3, "
    "\"max\": 2300, \"mean\": 90, \"percentiles\": {\"p50\": 25, "
    "\"p95\": 1410, \"p99\": 1995}},"
    "{\"key\": {\"label\": \"multi.agent.trace\", \"handler\": "
    "\"multi.agent.trace\", \"outcome\": "
    "\"OutboundTransportManager.DELIVER.END.http://127.0.0.1:3000\"}, "
    "\"count\": 310, \"min\": 0, \"max\": 9, \"mean\": 1, "
    "\"percentiles\": {\"p50\": 1, \"p95\": 3, \"p99\": 7}}],"
    "\"thresholds\": {\"passed\": 1, \"failed\": 1, \"skipped\": 0, "
    "\"results\": [{\"expr\": \"p95<500\", \"status\": \"fail\", "
    "\"message\": \"p95 = 1410 ms, breaks < 500 ms\"}, {\"expr\": "
    "\"error_rate<5%\", \"status\": \"pass\", \"message\": \"1.5%\"}]}}";

static const char run_json[] =
    "{\"schema\": \"medload.run/1\", \"run_id\": \"r1\", "
    "\"window_start\": \"2026-12-01T10:00:00Z\", \"window_end\": "
    "\"2026-12-01T10:01:00Z\", \"duration_s\": 41, \"interrupted\": true,"
    " \"elapsed_seconds\": 41, \"planned_seconds\": 60, "
    "\"users_started\": 30, \"users_never_connected\": 2, "
    "\"users_never_ready\": 1, \"users_never_ready_by_step\": "
    "{\"002_connections_list\": 1}, \"series\": [{\"t\": 0, \"target_users\": "
    "10, \"actual_users\": 10, \"rps\": 4}, {\"t\": 20, \"target_users\":"
    " 30, \"actual_users\": 28, \"rps\": 45}], \"stats\": [{\"method\": "
    "\"POST\", \"name\": \"022_ping_other\", \"count\": 200, "
    "\"failures\": 3, \"rps\": 4.9, \"latency_intended_ms\": {\"p50\": 58,"
    " \"mean\": 300, \"p90\": 900, \"p95\": 1408, \"p99\": 2000, "
    "\"p99.9\": 2100, \"max\": 2100}, \"error_texts\": {\"HTTP 500\": 3}}"
    "], \"total\": {\"method\": \"\", \"name\": \"Aggregated\", "
    "\"count\": 200, \"failures\": 3, \"rps\": 4.9, "
    "\"latency_intended_ms\": {\"p50\": 58, \"mean\": 300, \"p90\": 900,"
    " \"p95\": 1408, \"p99\": 2000, \"p99.9\": 2100, \"max\": 2100}}}";

static const char assessment_json[] =
    "{\"steps\": [{\"step\": 1, \"users_target\": 10, \"users_actual\": "
    "10, \"start_s\": 0, \"end_s\": 20, \"offered_rps\": 4.1, "
    "\"achieved_rps\": 3.9, \"failures\": 0, \"client\": "
    "{\"022_ping_other\": {\"p50\": 20, \"p95\": 58, \"p99\": 70}}, "
    "\"trace\": {\"mediator.trace\": {\"p95\": 30, \"p99\": 51}, "
    "\"multi.agent.trace\": {\"p95\": 35, \"p99\": 60}}}, {\"step\": 2, "
    "\"users_target\": 30, \"users_actual\": 28, \"start_s\": 20, "
    "\"end_s\": 41, \"offered_rps\": 44, \"achieved_rps\": 41, "
    "\"failures\": 3, \"client\": {\"022_ping_other\": {\"p50\": 300, "
    "\"p95\": 1408, \"p99\": 2000}}, \"trace\": {\"mediator.trace\": "
    "{\"p95\": 640, \"p99\": 812}}}], \"knee\": {\"step\": 2, \"users\":"
    " 30, \"rps\": 41.0, \"metric\": \"022_ping_other\", \"from_ms\": 58,"
    " \"to_ms\": 1408, \"throughput_change_pct\": 4}, \"sentence\": "
    "\"saturation at step 2 (30 users, 41 req/s): p95 of 022_ping_other "
    "rose from 58 to 1,408 ms while throughput rose 4%\", \"bottleneck\":"
    " {\"agent\": \"multi.agent.trace\", \"sentence\": \"the multi-agent "
    "saturated first\", \"advice\": \"run more multi-agent instances\"}}";

/* A document from text; the test fails when it does not parse. */
static struct json_object *
doc(const char *s)
{
	struct json_object *o = json_tokener_parse(s);

	CHECK(o != NULL);
	return o;
}

/* The contents of dir/name (caller frees), or NULL. */
static char *
slurp(const char *dir, const char *name)
{
	char *path = util_printf("%s/%s", dir, name), *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m;
	int c;

	free(path);
	if (f == NULL)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

static void
test_verdict_fields(void)
{
	struct json_object *an = doc(analysis_json), *run = doc(run_json);
	struct json_object *as = doc(assessment_json);
	struct json_object *v = verdict_build(an, run, as), *lat;

	CHECK_STR(jx_str(jx_get(v, "state"), ""), "fail");
	CHECK_STR(jx_str(jx_get(v, "head"), ""), "1 of 2 thresholds breached");
	CHECK_STR(jx_str(jx_get(jx_at(jx_get(v, "breaches"), 0), "expr"),
	    ""), "p95<500");
	CHECK(jx_len(jx_get(v, "breaches")) == 1);
	CHECK_NUM(jx_int(v, "interrupted.planned_s", 0), 60, 0);
	CHECK(json_object_get_boolean(jx_get(v, "failed")));
	CHECK_STR(jx_str(jx_get(v, "users"), ""), "users: peak 28 of 30 "
	    "planned, 30 started, 2 never connected to the mediator, 1 never "
	    "finished their setup (002_connections_list: 1)");
	/* the handler's END first, START left out, DELIVER's endpoint cut */
	lat = jx_get(v, "latency.rows");
	CHECK(jx_len(lat) == 3);
	CHECK_STR(jx_str(jx_get(jx_at(jx_get(jx_at(lat, 0), "cells"), 0),
	    "v"), ""), "Dispatcher.handle_message.END");
	CHECK_STR(jx_str(jx_get(jx_at(jx_get(jx_at(lat, 1), "cells"), 4),
	    "v"), ""), "1410");
	CHECK_STR(jx_str(jx_get(jx_at(jx_get(jx_at(lat, 2), "cells"), 0),
	    "v"), ""), "OutboundTransportManager.DELIVER.END");
	CHECK(jx_len(jx_get(v, "sentences")) == 3);
	CHECK(jx_len(jx_get(v, "steps.rows")) == 2);
	/* a label missing from a step is "-" */
	CHECK_STR(jx_str(jx_get(jx_at(jx_get(jx_at(jx_get(v, "steps.rows"),
	    1), "cells"), 8), "v"), ""), "-");
	json_object_put(v);
	v = verdict_build(an, NULL, NULL);
	CHECK(jx_get(v, "sentences") == NULL && jx_get(v, "steps") == NULL);
	CHECK(jx_get(v, "users") == NULL && jx_get(v, "latency") != NULL);
	json_object_put(v);
	v = verdict_build(NULL, NULL, NULL);
	CHECK_STR(jx_str(jx_get(v, "word"), ""), "NO THRESHOLDS");
	json_object_put(v);
	json_object_put(an);
	json_object_put(run);
	json_object_put(as);
}

/* Writes the report of the documents into dir; 0 or -1. */
static int
write_report(const char *dir, struct json_object *an, struct json_object *run,
    struct json_object *as)
{
	struct report_input in;
	struct report_result res;
	char *cause = NULL;
	int rc;

	memset(&in, 0, sizeof(in));
	in.analysis = an;
	in.run = run;
	in.assessment = as;
	in.out_dir = dir;
	in.title = "verdict";
	rc = report_write(&in, &res, &cause);
	if (rc == -1)
		fprintf(stderr, "report_write: %s\n", cause);
	free(cause);
	report_result_release(&res);
	return rc;
}

/* Removes a report folder the test made under /tmp. */
static void
remove_dir(const char *dir)
{
	char *cmd;

	if (dir == NULL || strncmp(dir, "/tmp/test_verdict.", 18) != 0)
		return;
	cmd = util_printf("rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	free(cmd);
}

/* Compares text with the golden file (or rewrites it). */
static void
check_golden(const char *text, const char *name)
{
	const char *repo = getenv("REPO") ? getenv("REPO") : ".";
	char *path = util_printf("%s/tests/golden/report/%s", repo, name);
	char *want;
	FILE *f;

	if (getenv("UPDATE_GOLDEN") != NULL && (f = fopen(path, "w"))) {
		fputs(text, f);
		fclose(f);
	}
	want = slurp(repo, path + strlen(repo) + 1);
	CHECK(want != NULL);
	if (want != NULL && strcmp(want, text) != 0)
		fprintf(stderr, "%s differs; got:\n%s\n", path, text);
	CHECK(want != NULL && strcmp(want, text) == 0);
	free(want);
	free(path);
}

static void
test_report_with_assessment(void)
{
	struct json_object *an = doc(analysis_json), *run = doc(run_json);
	struct json_object *as = doc(assessment_json);
	char tmpl[] = "/tmp/test_verdict.XXXXXX", *dir = mkdtemp(tmpl), *s;

	CHECK(dir != NULL && write_report(dir, an, run, as) == 0);
	s = slurp(dir, "report.txt");
	CHECK(s != NULL);
	if (s != NULL)
		check_golden(s, "verdict.txt");
	free(s);
	s = slurp(dir, "report.md");
	CHECK(s && strstr(s, "## ❌ FAIL: 1 of 2 thresholds breached"));
	CHECK(s && strstr(s, "**saturation at step 2 (30 users, 41 req/s)"));
	CHECK(s && strstr(s, "| 2 | 30/28 | 20-41 | 44.0 | 41.0 | 3 | "
	    "300/1408/2000 | 640/812 | - |"));
	CHECK(s && strstr(s, "> **INTERRUPTED** at 41 s of 60 s planned"));
	free(s);
	s = slurp(dir, "index.html");
	CHECK(s && strstr(s, "<section class=\"verdict fail\" id=\"verdict\">"));
	CHECK(s && strstr(s, "id=\"interrupted\""));
	CHECK(s && strstr(s, "<p class=\"sentence\">the multi-agent "
	    "saturated first</p>"));
	CHECK(s && strstr(s, "<table class=\"steps\">"));
	free(s);
	remove_dir(dir);
	json_object_put(an);
	json_object_put(run);
	json_object_put(as);
}

static void
test_report_without_assessment(void)
{
	struct json_object *an = doc(analysis_json), *run = doc(run_json);
	char tmpl[] = "/tmp/test_verdict.XXXXXX", *dir = mkdtemp(tmpl), *s;

	CHECK(dir != NULL && write_report(dir, an, run, NULL) == 0);
	s = slurp(dir, "report.txt");
	CHECK(s && strstr(s, "== FAIL: 1 of 2 thresholds breached"));
	CHECK(s && strstr(s, "INTERRUPTED at 41 s of 60 s planned"));
	CHECK(s && strstr(s, "requests: 200, 3 failed (1.5%)"));
	CHECK(s && strstr(s, "saturation") == NULL);
	CHECK(s && strstr(s, "load steps") == NULL);
	free(s);
	s = slurp(dir, "index.html");
	CHECK(s && strstr(s, "class=\"steps\"") == NULL);
	CHECK(s && strstr(s, "class=\"sentence\"") == NULL);
	free(s);
	remove_dir(dir);
	json_object_put(an);
	json_object_put(run);
}

int
main(void)
{
	setenv("GNUPLOT", "/nonexistent/gnuplot", 1);
	setenv("SOURCE_DATE_EPOCH", "0", 1);
	RUN(test_verdict_fields);
	RUN(test_report_with_assessment);
	RUN(test_report_without_assessment);
	return CHECK_EXIT();
}
