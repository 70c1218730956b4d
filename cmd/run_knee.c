/* run_knee.c: run --find-knee: steps until the knee, an SLO or the cap. */
#include "run_knee.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "jx.h"
#include "saturation.h"
#include "util.h"

/* Adds the group of one request name's figures f to groups. */
static void
run_knee_group(struct json_object *groups, const char *handler,
    const char *name, struct json_object *f)
{
	static const char *const q[] = { "p50", "p75", "p90", "p95", "p99" };
	struct json_object *g = json_object_new_object();
	struct json_object *key = json_object_new_object();
	struct json_object *p = json_object_new_object(), *v;
	size_t i;

	json_object_object_add(key, "label", json_object_new_string("client"));
	json_object_object_add(key, "handler", json_object_new_string(
	    handler));
	json_object_object_add(key, "outcome", json_object_new_string(name));
	json_object_object_add(g, "key", key);
	json_object_object_add(g, "count", json_object_get(
	    json_object_object_get(f, "count")));
	if ((v = json_object_object_get(f, "mean")) != NULL)
		json_object_object_add(g, "mean", json_object_get(v));
	if ((v = json_object_object_get(f, "max")) != NULL)
		json_object_object_add(g, "max", json_object_get(v));
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if ((v = json_object_object_get(f, q[i])) != NULL)
			json_object_object_add(p, q[i], json_object_get(v));
	json_object_object_add(g, "percentiles", p);
	json_object_array_add(groups, g);
}

struct json_object *
run_knee_step_doc(struct json_object *step)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *groups = json_object_new_array(), *by, *o;

	json_object_object_add(doc, "schema", json_object_new_string(
	    "medload.analysis/1"));
	by = json_object_new_array();
	json_object_array_add(by, json_object_new_string("label"));
	json_object_array_add(by, json_object_new_string("handler"));
	json_object_array_add(by, json_object_new_string("outcome"));
	json_object_object_add(doc, "by", by);
	o = jx_get(step, "client");
	if (jx_is_object(o)) {
		json_object_object_foreach(o, name, f)
			run_knee_group(groups, "request", name, f);
	}
	o = jx_get(step, "waits");
	if (jx_is_object(o)) {
		json_object_object_foreach(o, wname, wf)
			run_knee_group(groups, "wait", wname, wf);
	}
	json_object_object_add(doc, "groups", groups);
	return doc;
}

/* The step's requests and failures as a results document (caller puts). */
static struct json_object *
run_knee_step_run(struct json_object *step)
{
	struct json_object *run = json_object_new_object();
	struct json_object *total = json_object_new_object();
	struct json_object *w = jx_get(step, "waits");
	long long n = jx_int(step, "requests", 0);

	if (jx_is_object(w)) {
		json_object_object_foreach(w, name, f) {
			(void)name;
			n += jx_int(f, "count", 0);
		}
	}
	json_object_object_add(run, "schema", json_object_new_string(
	    "medload.run/1"));
	json_object_object_add(total, "count", json_object_new_int64(n));
	json_object_object_add(total, "failures", json_object_new_int64(
	    jx_int(step, "failures", 0)));
	json_object_object_add(run, "total", total);
	return run;
}

/* The first failed SLO's message for step s (caller frees), or NULL. */
static char *
run_knee_slo(const struct run_knee *k, struct json_object *s)
{
	struct json_object *doc, *run, *block, *res, *r;
	char *why = NULL;
	size_t i;

	if (k->slo == NULL || k->slo->n == 0)
		return NULL;
	doc = run_knee_step_doc(s);
	run = run_knee_step_run(s);
	block = threshold_evaluate(k->slo, doc, NULL, run);
	res = jx_get(block, "results");
	for (i = 0; i < jx_len(res) && why == NULL; i++) {
		r = jx_at(res, i);
		/* a request the step did not make yet is no breach */
		if (jx_int(r, "groups", 0) == 0 && jx_get(r, "client") ==
		    NULL)
			continue;
		if (strcmp(jx_str(jx_get(r, "status"), ""), "fail") == 0)
			why = util_printf("SLO %s failed at step %lld (%lld "
			    "users): %s", jx_str(jx_get(r, "expr"), "?"),
			    jx_int(s, "step", 0), jx_int(s, "users_target", 0),
			    jx_str(jx_get(r, "message"), ""));
	}
	json_object_put(block);
	json_object_put(doc);
	json_object_put(run);
	return why;
}

/* The judge of each step (config's step_judge). */
static int
run_knee_judge(void *arg, struct json_object *steps, unsigned step,
    char **why)
{
	const struct run_knee *k = arg;
	struct json_object *run, *a, *upto, *s = jx_at(steps, step - 1);
	char *cause = NULL;
	int stop = 0;
	size_t i;

	if (s == NULL)
		return 0;
	/* the knee among the steps judged so far, the ones after left out */
	upto = json_object_new_array();
	for (i = 0; i < step; i++)
		json_object_array_add(upto, json_object_get(jx_at(steps, i)));
	run = json_object_new_object();
	json_object_object_add(run, "steps", upto);
	a = saturation_assess(run, NULL, &cause);
	if (a != NULL && jx_get(a, "knee") != NULL) {
		*why = util_printf("knee: %s", jx_str(jx_get(a, "sentence"),
		    ""));
		stop = 1;
	} else if ((*why = run_knee_slo(k, s)) != NULL)
		stop = 1;
	json_object_put(a);
	json_object_put(run);
	free(cause);
	return stop;
}

int
run_knee_setup(struct config *c, struct run_knee *k, FILE *err,
    char **cause)
{
	struct shape *s = &c->shape;
	unsigned n;

	if (s->nstages > 0)
		return util_fail(cause, "--find-knee adds steps of the step "
		    "shape (step_time, step_load), not stages");
	if (s->max_users == 0)
		return util_fail(cause, "--find-knee needs --max-users (where "
		    "it stops when no knee comes first)");
	n = (s->max_users + s->step_load - 1) / s->step_load;
	if (n > RUN_KNEE_MAX_STEPS)
		return util_fail(cause, "--find-knee: --max-users %u at "
		    "--step-load %u makes %u steps, more than %d: raise "
		    "--step-load", s->max_users, s->step_load, n,
		    RUN_KNEE_MAX_STEPS);
	if (n < 2)
		return util_fail(cause, "--find-knee: --max-users %u at "
		    "--step-load %u makes one step: a knee takes two",
		    s->max_users, s->step_load);
	s->time_limit = n * s->step_time;
	c->step_judge = run_knee_judge;
	c->step_judge_arg = k;
	fprintf(err, "medload run: --find-knee: up to %u steps of %u users "
	    "(%g s each, at most %g s), judged half a step after each "
	    "ends\n", n, s->step_load, s->step_time, s->time_limit);
	return 0;
}
