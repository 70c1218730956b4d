/* run_steps.c: a stepped run's traces, one analysis per step window. */
#include "run_steps.h"

#include <string.h>

#include <json-c/json.h>

#include "jx.h"
#include "saturation.h"
#include "timeutil.h"
#include "util.h"

/* The percentiles the assessment's noise test reads. */
static const double run_steps_pcts[] = { 25, 50, 75, 90, 95, 99 };

/* Copies member key of from to to, when there. */
static void
run_steps_copy(struct json_object *to, struct json_object *from,
    const char *key)
{
	struct json_object *v = json_object_object_get(from, key);

	if (v != NULL)
		json_object_object_add(to, key, json_object_get(v));
}

/* One label's figures from group g. */
static struct json_object *
run_steps_label(struct json_object *g)
{
	struct json_object *o = json_object_new_object();
	struct json_object *p = json_object_object_get(g, "percentiles");
	static const char *const q[] = { "p25", "p50", "p75", "p90", "p95",
		"p99" };
	size_t i;

	json_object_object_add(o, "group", json_object_new_string(
	    SATURATION_TRACE_GROUP));
	run_steps_copy(o, g, "count");
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if (p != NULL)
			run_steps_copy(o, p, q[i]);
	run_steps_copy(o, g, "mean");
	run_steps_copy(o, g, "max");
	return o;
}

/*
 * Each label's latency-carrying group of a step's analysis doc (the
 * largest when a label has several handlers).
 */
static struct json_object *
run_steps_labels(struct json_object *doc)
{
	struct json_object *labels = json_object_new_object(), *g, *old;
	struct json_object *groups = jx_get(doc, "groups");
	const char *label;
	size_t i;

	for (i = 0; i < jx_len(groups); i++) {
		g = jx_at(groups, i);
		if (strcmp(jx_str(jx_get(g, "key.outcome"), ""),
		    SATURATION_TRACE_GROUP) != 0)
			continue;
		label = jx_str(jx_get(g, "key.label"), NULL);
		if (label == NULL)
			continue;
		old = json_object_object_get(labels, label);
		if (old != NULL && jx_int(old, "count", 0) >= jx_int(g,
		    "count", 0))
			continue;
		json_object_object_add(labels, label, run_steps_label(g));
	}
	return labels;
}

/* Analyzes step s of a run that started at t0; its entry, or NULL. */
static struct json_object *
run_steps_one(const struct analyze_request *base, struct json_object *s,
    double t0, char **cause)
{
	struct analyze_request r = *base;
	struct analyze_result res;
	struct json_object *o;
	char buf[TIME_BUF];

	r.filter.since = t0 + json_object_get_double(jx_get(s, "start_s"));
	r.filter.until = t0 + json_object_get_double(jx_get(s, "end_s"));
	r.filter.has_since = r.filter.has_until = 1;
	r.flows = 0;
	memcpy(r.pcts, run_steps_pcts, sizeof(run_steps_pcts));
	r.npcts = sizeof(run_steps_pcts) / sizeof(run_steps_pcts[0]);
	r.show_rejects = 0;
	r.quiet_rejects = 1;	/* the whole run's analysis said them */
	memset(&res, 0, sizeof(res));
	if (analyze_run(&r, &res, cause) == -1)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "step", json_object_new_int64(jx_int(s,
	    "step", 0)));
	json_object_object_add(o, "start", json_object_new_string(
	    time_format(r.filter.since, buf)));
	json_object_object_add(o, "end", json_object_new_string(
	    time_format(r.filter.until, buf)));
	json_object_object_add(o, "labels", run_steps_labels(res.doc));
	analyze_result_release(&res);
	return o;
}

int
run_steps_trace(const struct analyze_request *base,
    struct json_object *results, struct json_object *analysis,
    char **cause)
{
	struct json_object *steps = jx_get(results, "steps"), *by, *o;
	double t0;
	size_t i;

	if (base->source == ANALYZE_NONE || jx_len(steps) == 0)
		return 0;
	if (time_parse(jx_str(jx_get(results, "window_start"), ""), &t0) ==
	    -1)
		return util_fail(cause, "the run's window is missing from its "
		    "results");
	by = json_object_new_array();
	for (i = 0; i < jx_len(steps); i++) {
		o = run_steps_one(base, jx_at(steps, i), t0, cause);
		if (o == NULL) {
			json_object_put(by);
			return -1;
		}
		json_object_array_add(by, o);
	}
	json_object_object_add(analysis, "by_step", by);
	return 0;
}
