/* run_overhead.c: the same load traced and untraced, compared. */
#include "run_overhead.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "analysis.h"
#include "cli.h"
#include "collect.h"
#include "config.h"
#include "files.h"
#include "interrupt.h"
#include "jx.h"
#include "run.h"
#include "run_report.h"
#include "status.h"
#include "util.h"

/* The percentiles a run's results carry, in order. */
static const char *const run_overhead_pcts[] = { "p50", "p90", "p95", "p99",
    "p99.9" };

/*
 * Restarts the agents: the user's command through the shell, with
 * MEDLOAD_TRACE_TARGET set to target. 0, or -1 after a message.
 */
static int
run_overhead_restart(const char *cmd, const char *target)
{
	int st;

	if (setenv("MEDLOAD_TRACE_TARGET", target, 1) == -1) {
		cli_error("trace overhead: cannot set MEDLOAD_TRACE_TARGET");
		return -1;
	}
	fprintf(stderr, "medload run: restarting the agents with "
	    "MEDLOAD_TRACE_TARGET=%s\n", target);
	fflush(stdout);
	fflush(stderr);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		cli_error("trace overhead: the agents' restart command failed "
		    "(%s %d)", st != -1 && WIFEXITED(st) ? "exit status" :
		    "status", st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : st);
		return -1;
	}
	return 0;
}

/* The group of one request name from a results "stats" entry. */
static struct json_object *
run_overhead_group(struct json_object *s)
{
	struct json_object *g = json_object_new_object(), *key, *p, *lat, *v;
	size_t i;

	key = json_object_new_object();
	json_object_object_add(key, "label", json_object_new_string("client"));
	json_object_object_add(key, "handler", json_object_new_string(
	    jx_str(jx_get(s, "method"), "")));
	json_object_object_add(key, "outcome", json_object_new_string(
	    jx_str(jx_get(s, "name"), "")));
	json_object_object_add(g, "key", key);
	json_object_object_add(g, "count", json_object_new_int64(jx_int(s,
	    "count", 0)));
	if ((v = jx_get(s, "rps")) != NULL)
		json_object_object_add(g, "rate", json_object_get(v));
	lat = jx_get(s, "latency_intended_ms");
	if ((v = jx_get(lat, "min")) != NULL)
		json_object_object_add(g, "min", json_object_get(v));
	if ((v = jx_get(lat, "max")) != NULL)
		json_object_object_add(g, "max", json_object_get(v));
	p = json_object_new_object();
	for (i = 0; i < sizeof(run_overhead_pcts) /
	    sizeof(run_overhead_pcts[0]); i++) {
		v = NULL;	/* "p99.9" is a name, not a path */
		if (json_object_object_get_ex(lat, run_overhead_pcts[i], &v) &&
		    v != NULL)
			json_object_object_add(p, run_overhead_pcts[i],
			    json_object_get(v));
	}
	json_object_object_add(g, "percentiles", p);
	return g;
}

struct json_object *
run_overhead_client_doc(struct json_object *results)
{
	static const char *const keys[] = { "label", "handler", "outcome" };
	struct json_object *doc = json_object_new_object(), *by, *groups, *ev;
	struct json_object *stats = jx_get(results, "stats");
	size_t i;

	json_object_object_add(doc, "schema",
	    json_object_new_string(ANALYSIS_SCHEMA));
	json_object_object_add(doc, "generator", analysis_generator());
	by = json_object_new_array();
	for (i = 0; i < 3; i++)
		json_object_array_add(by, json_object_new_string(keys[i]));
	json_object_object_add(doc, "by", by);
	groups = json_object_new_array();
	for (i = 0; i < jx_len(stats); i++)
		json_object_array_add(groups, run_overhead_group(jx_at(stats,
		    i)));
	json_object_object_add(doc, "groups", groups);
	ev = json_object_new_object();
	json_object_object_add(ev, "read", json_object_new_int64(jx_int(
	    results, "total.count", 0)));
	json_object_object_add(ev, "accepted", json_object_new_int64(jx_int(
	    results, "total.count", 0)));
	json_object_object_add(doc, "events", ev);
	json_object_object_add(doc, "percentile_method", analysis_method(
	    "nearest-rank", 1, "client latency from the intended start, as "
	    "the run's results give it"));
	return doc;
}

/* Sets the run id for one pass: base-suffix. */
static int
run_overhead_id(struct config *c, const char *base, const char *suffix)
{
	char *id = util_printf("%s-%s", base, suffix), *cause = NULL;
	int rc = config_set(c, "run-id", id, "--trace-overhead", &cause);

	if (rc == -1) {
		cli_error("trace overhead: %s", cause);
		free(cause);
	}
	free(id);
	return rc;
}

/*
 * One pass: restart the agents (tracing to target), run the load with
 * the collector when col_opts is set, report or stop the collector.
 * *results gets the results document. Returns an exit status.
 */
static int
run_overhead_pass(struct config *c, const struct run_overhead_opts *o,
    int traced, struct json_object **results)
{
	const struct run_report_opts *rep = traced ? o->rep : NULL;
	struct collector *col = NULL;
	char *dir = util_printf("%s/%s", c->out_dir, c->run_id), *cause = NULL;
	char *target = traced ? util_printf("http://%s/", rep->collect) :
	    util_strdup("none");
	int status = STATUS_OK;

	*results = NULL;
	if (rep != NULL && run_report_start(rep, dir, c->run_id, &col,
	    &cause) == -1) {
		cli_error("run: %s", cause);
		status = STATUS_IO;
	} else if (run_overhead_restart(o->restart, target) == -1)
		status = STATUS_IO;
	else
		status = run_execute(c, stdout, stderr, results);
	fflush(stdout);
	if (col != NULL && rep->report_dir != NULL && (status == STATUS_OK ||
	    status == STATUS_PARTIAL)) {
		int rs = run_report_finish(rep, dir, col, *results, NULL);

		status = status == STATUS_OK ? rs : status;
	} else if (col != NULL)
		collector_stop(col, 0, NULL);
	if (status == STATUS_OK && interrupt_seen() > 0)
		status = STATUS_INTERRUPTED;
	free(cause);
	free(dir);
	free(target);
	return status;
}

/* Writes cmp in format f to path; 0, or -1 with *cause. */
static int
run_overhead_file(const char *path, struct json_object *cmp,
    enum compare_format f, char **cause)
{
	struct files_out fo;
	int rc;

	if (files_open(&fo, path, FILES_OWN, cause) == -1)
		return -1;
	rc = compare_render(cmp, f, NULL, fo.f, cause);
	if (files_close(&fo, rc == 0, rc == 0 ? cause : NULL) == -1)
		rc = -1;
	return rc;
}

/* Writes the comparison as OUT_DIR/BASE-trace-overhead.{json,txt}. */
static int
run_overhead_write(const struct config *c, const char *base,
    struct json_object *cmp, FILE *out)
{
	char *json = util_printf("%s/%s-trace-overhead.json", c->out_dir, base);
	char *txt = util_printf("%s/%s-trace-overhead.txt", c->out_dir, base);
	char *cause = NULL;
	int rc;

	rc = run_overhead_file(json, cmp, COMPARE_JSON, &cause);
	if (rc == 0)
		rc = run_overhead_file(txt, cmp, COMPARE_TEXT, &cause);
	if (rc == 0) {
		fprintf(out, "\n== Trace overhead: client latency with the "
		    "agents tracing (traced) against not tracing (untraced); "
		    "%s\n", txt);
		rc = compare_render(cmp, COMPARE_TEXT, NULL, out, &cause);
	}
	if (rc == -1)
		cli_error("trace overhead: %s", cause ? cause : "write error");
	free(cause);
	free(json);
	free(txt);
	return rc;
}

/* Compares the passes' client latencies and writes the outcome. */
static int
run_overhead_compare(const struct config *c, const struct run_overhead_opts *o,
    const char *base, struct json_object *traced, struct json_object *plain,
    FILE *out)
{
	struct json_object *bt = run_overhead_client_doc(traced);
	struct json_object *bp = run_overhead_client_doc(plain), *cmp;
	char *cause = NULL;
	int rc = STATUS_OK;

	cmp = compare_build(bp, bt, &o->cmp, "untraced", "traced", &cause);
	if (cmp == NULL) {
		cli_error("trace overhead: %s", cause);
		rc = STATUS_IO;
	} else if (run_overhead_write(c, base, cmp, out) == -1)
		rc = STATUS_IO;
	json_object_put(cmp);
	json_object_put(bt);
	json_object_put(bp);
	free(cause);
	return rc;
}

int
run_overhead_execute(struct config *c, const struct run_overhead_opts *o,
    FILE *out)
{
	struct json_object *traced = NULL, *plain = NULL;
	char *base = c->run_id != NULL ? util_strdup(c->run_id) : run_new_id();
	int status;

	interrupt_catch();
	status = run_overhead_id(c, base, "traced") == -1 ? STATUS_USAGE :
	    run_overhead_pass(c, o, 1, &traced);
	if (status == STATUS_OK || status == STATUS_THRESHOLD)
		status = run_overhead_id(c, base, "untraced") == -1 ?
		    STATUS_USAGE : run_overhead_pass(c, o, 0, &plain);
	if ((status == STATUS_OK || status == STATUS_THRESHOLD) &&
	    traced != NULL && plain != NULL)
		status = run_overhead_compare(c, o, base, traced, plain, out);
	else if (status == STATUS_OK)
		status = STATUS_NO_EVENTS;
	json_object_put(traced);
	json_object_put(plain);
	free(base);
	return status;
}
