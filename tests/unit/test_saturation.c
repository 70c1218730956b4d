/* test_saturation.c: the knee and bottleneck of synthetic step series. */
#include "saturation.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "jx.h"
#include "util.h"

/* One synthetic step. */
struct step {
	unsigned users;
	double rps;
	int requests, failures;
	double ping_p95;	/* 022_ping_other, count = requests */
	double multi_p95, med_p95;	/* trace; 0: none */
	int complete;
};

/* Percentiles around p95 (in the shape of a latency distribution). */
static struct json_object *
figures(int count, double p95)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "count", json_object_new_int(count));
	json_object_object_add(o, "p25", json_object_new_double(p95 * .5));
	json_object_object_add(o, "p50", json_object_new_double(p95 * .6));
	json_object_object_add(o, "p75", json_object_new_double(p95 * .75));
	json_object_object_add(o, "p90", json_object_new_double(p95 * .9));
	json_object_object_add(o, "p95", json_object_new_double(p95));
	json_object_object_add(o, "p99", json_object_new_double(p95 * 1.3));
	return o;
}

/* A results document with steps s[0..n) and (traces) an analysis. */
static struct json_object *
make_run(const struct step *s, size_t n, struct json_object **analysis)
{
	struct json_object *run = json_object_new_object();
	struct json_object *steps = json_object_new_array(), *o, *c, *by, *b;
	struct json_object *l;
	size_t i;

	by = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "step", json_object_new_int(
		    (int)i + 1));
		json_object_object_add(o, "users_target",
		    json_object_new_int((int)s[i].users));
		json_object_object_add(o, "users_actual",
		    json_object_new_int((int)s[i].users));
		json_object_object_add(o, "start_s", json_object_new_double(
		    20.0 * i));
		json_object_object_add(o, "end_s", json_object_new_double(
		    20.0 * i + (s[i].complete ? 20 : 5)));
		json_object_object_add(o, "complete",
		    json_object_new_boolean(s[i].complete));
		json_object_object_add(o, "requests", json_object_new_int(
		    s[i].requests));
		json_object_object_add(o, "failures", json_object_new_int(
		    s[i].failures));
		json_object_object_add(o, "achieved_rps",
		    json_object_new_double(s[i].rps));
		c = json_object_new_object();
		json_object_object_add(c, "022_ping_other",
		    figures(s[i].requests, s[i].ping_p95));
		json_object_object_add(o, "client", c);
		json_object_array_add(steps, o);
		b = json_object_new_object();
		l = json_object_new_object();
		json_object_object_add(b, "step", json_object_new_int(
		    (int)i + 1));
		if (s[i].multi_p95 > 0)
			json_object_object_add(l, "multi.agent.trace",
			    figures(300, s[i].multi_p95));
		if (s[i].med_p95 > 0)
			json_object_object_add(l, "mediator.trace",
			    figures(300, s[i].med_p95));
		json_object_object_add(b, "labels", l);
		json_object_array_add(by, b);
	}
	json_object_object_add(run, "schema", json_object_new_string(
	    "medload.run/1"));
	json_object_object_add(run, "steps", steps);
	*analysis = json_object_new_object();
	json_object_object_add(*analysis, "by_step", by);
	return run;
}

/* The assessment of s (caller puts). */
static struct json_object *
assess(const struct step *s, size_t n)
{
	struct json_object *an, *run = make_run(s, n, &an), *a;
	char *cause = NULL;

	a = saturation_assess(run, an, &cause);
	CHECK(a != NULL);
	CHECK(cause == NULL);
	json_object_put(run);
	json_object_put(an);
	return a;
}

static void
test_flat(void)
{
	static const struct step s[] = {
		{ 10, 10, 200, 0, 58, 20, 10, 1 },
		{ 20, 20, 400, 0, 59, 21, 10, 1 },
		{ 30, 29, 600, 0, 58, 20, 11, 1 },
	};
	struct json_object *a = assess(s, 3);

	CHECK(jx_get(a, "knee") == NULL);
	CHECK(jx_get(a, "bottleneck") == NULL);
	CHECK_STR(jx_str(jx_get(a, "sentence"), NULL),
	    "no saturation within the run: raise --max-users");
	CHECK(jx_len(jx_get(a, "steps")) == 3);
	CHECK(jx_int(a, "steps.0.trace", -1) == -1);
	json_object_put(a);
}

static void
test_knee(void)
{
	static const struct step s[] = {
		{ 10, 10, 200, 0, 58, 20, 10, 1 },
		{ 20, 20, 400, 0, 60, 22, 11, 1 },
		{ 30, 21, 420, 0, 1408, 400, 12, 1 },
		{ 40, 21, 420, 0, 2900, 900, 12, 1 },
	};
	struct json_object *a = assess(s, 4), *k = jx_get(a, "knee");
	struct json_object *b = jx_get(a, "bottleneck");

	CHECK(k != NULL);
	CHECK(jx_int(k, "step", 0) == 3);
	CHECK(jx_int(k, "users", 0) == 30);
	CHECK_STR(jx_str(jx_get(k, "metric"), NULL), "022_ping_other");
	CHECK_STR(jx_str(jx_get(k, "quantile"), NULL), "p95");
	CHECK(jx_int(k, "throughput_change_pct", 0) == 5);
	CHECK_STR(jx_str(jx_get(a, "sentence"), NULL),
	    "saturation at step 3 (30 users, 21 req/s): p95 of "
	    "022_ping_other rose from 60 to 1,408 ms while throughput rose "
	    "5%");
	CHECK(b != NULL);
	CHECK_STR(jx_str(jx_get(b, "agent"), NULL), "multi.agent.trace");
	CHECK_STR(jx_str(jx_get(b, "role"), NULL), "load platform");
	CHECK(jx_int(b, "step", 0) == 3);
	CHECK(strstr(jx_str(jx_get(b, "sentence"), ""), "measured the load "
	    "platform more than the mediator") != NULL);
	CHECK(strstr(jx_str(jx_get(b, "advice"), ""), "--scenario edge") !=
	    NULL);
	json_object_put(a);
}

static void
test_mediator_first(void)
{
	static const struct step s[] = {
		{ 10, 10, 200, 0, 58, 20, 10, 1 },
		{ 20, 19, 400, 0, 60, 21, 40, 1 },
		{ 30, 20, 400, 0, 900, 22, 300, 1 },
	};
	struct json_object *a = assess(s, 3), *b = jx_get(a, "bottleneck");

	CHECK(jx_int(a, "knee.step", 0) == 3);
	CHECK_STR(jx_str(jx_get(b, "agent"), NULL), "mediator.trace");
	CHECK_STR(jx_str(jx_get(b, "role"), NULL), "mediator");
	CHECK(jx_int(b, "step", 0) == 2);
	CHECK(strstr(jx_str(jx_get(b, "sentence"), ""), "load platform") ==
	    NULL);
	json_object_put(a);
}

static void
test_noisy(void)
{
	/* throughput stalls, latency moves within the noise */
	static const struct step s[] = {
		{ 10, 10, 200, 0, 58, 20, 10, 1 },
		{ 20, 11, 220, 0, 60, 20, 10, 1 },
		{ 30, 11, 15, 0, 600, 20, 10, 1 },	/* too few */
	};
	struct json_object *a = assess(s, 3);

	CHECK(jx_get(a, "knee") == NULL);
	CHECK_STR(jx_str(jx_get(a, "sentence"), NULL),
	    "no saturation within the run: raise --max-users");
	json_object_put(a);
}

static void
test_interrupted(void)
{
	static const struct step s[] = {
		{ 10, 10, 200, 0, 58, 20, 10, 1 },
		{ 20, 20, 400, 0, 58, 20, 10, 1 },
		{ 30, 5, 100, 0, 5000, 900, 10, 0 },	/* cut short */
	};
	struct json_object *a = assess(s, 3), *notes;

	CHECK(jx_get(a, "knee") == NULL);
	notes = jx_get(a, "notes");
	CHECK(jx_len(notes) == 1);
	CHECK(strstr(jx_str(jx_at(notes, 0), ""), "step 3 was cut short") !=
	    NULL);
	json_object_put(a);
}

static void
test_failures_only(void)
{
	static const struct step s[] = {
		{ 10, 10, 200, 0, 58, 20, 10, 1 },
		{ 20, 20, 400, 2, 58, 20, 10, 1 },
		{ 30, 20, 600, 180, 58, 20, 10, 1 },
	};
	struct json_object *a = assess(s, 3), *k = jx_get(a, "knee");

	CHECK(jx_int(k, "step", 0) == 3);
	CHECK_STR(jx_str(jx_get(k, "metric"), NULL), "failures");
	CHECK_NUM(json_object_get_double(jx_get(k, "to_pct")), 30, 0.01);
	CHECK(strstr(jx_str(jx_get(a, "sentence"), ""), "failures rose from "
	    "0.5% to 30.0% of requests") != NULL);
	/* no agent's latency grew: the client's failures name the
	 * multi-agent, whose admin API answered them */
	CHECK_STR(jx_str(jx_get(a, "bottleneck.evidence"), NULL), "client");
	json_object_put(a);
}

static void
test_failed_from_start(void)
{
	static const struct step s[] = {
		{ 20, 0.5, 140, 134, 20000, 0, 0, 1 },
		{ 40, 0.4, 41, 34, 20000, 0, 0, 1 },
	};
	struct json_object *a = assess(s, 2), *k = jx_get(a, "knee");

	CHECK(jx_int(k, "step", 0) == 1);
	CHECK(json_object_get_boolean(jx_get(k, "first_step")));
	CHECK_STR(jx_str(jx_get(a, "sentence"), NULL), "saturation at step 1 "
	    "(20 users, 0.5 req/s): 96% of its requests failed from the "
	    "start; lower --step-load to find the knee");
	json_object_put(a);
}

static void
test_never_ready(void)
{
	static const struct step s[] = {
		{ 10, 0, 10, 0, 30000, 0, 0, 1 },
		{ 20, 0, 12, 2, 30000, 0, 0, 0 },
	};
	struct json_object *an, *run = make_run(s, 2, &an), *a;
	char *cause = NULL;

	json_object_object_add(run, "users_started", json_object_new_int(20));
	json_object_object_add(run, "users_never_ready",
	    json_object_new_int(20));
	a = saturation_assess(run, an, &cause);
	CHECK(jx_int(a, "knee.step", 0) == 1);
	CHECK_STR(jx_str(jx_get(a, "knee.metric"), NULL), "setup");
	CHECK(strstr(jx_str(jx_get(a, "sentence"), ""), "no user finished "
	    "its setup") != NULL);
	CHECK_STR(jx_str(jx_get(a, "bottleneck.agent"), NULL), "multi-agent");
	CHECK_STR(jx_str(jx_get(a, "bottleneck.sentence"), NULL), "the "
	    "multi-agent saturated first: no user finished the "
	    "setup its admin API serves (wallets, connections); the run "
	    "measured the load platform more than the mediator");
	json_object_put(a);
	json_object_put(run);
	json_object_put(an);
}

static void
test_transient(void)
{
	static const struct step s[] = {
		{ 10, 10, 200, 0, 58, 20, 10, 1 },
		{ 20, 11, 220, 0, 900, 20, 10, 1 },
		{ 30, 30, 600, 0, 60, 20, 10, 1 },
	};
	struct json_object *a = assess(s, 3);

	CHECK(jx_get(a, "knee") == NULL);
	CHECK(strstr(jx_str(jx_at(jx_get(a, "notes"), 0), ""),
	    "step 2: throughput stalled, then rose again") != NULL);
	json_object_put(a);
}

static void
test_no_steps(void)
{
	struct json_object *run = json_object_new_object(), *a;
	char *cause = NULL;

	a = saturation_assess(run, NULL, &cause);
	CHECK(a != NULL);
	CHECK_STR(jx_str(jx_get(a, "sentence"), NULL), "saturation not "
	    "assessed: the run's results have no per-step figures");
	CHECK(jx_len(jx_get(a, "steps")) == 0);
	json_object_put(a);
	json_object_put(run);
	CHECK(saturation_assess(NULL, NULL, &cause) == NULL);
	CHECK(cause != NULL);
	free(cause);
}

int
main(void)
{
	RUN(test_flat);
	RUN(test_knee);
	RUN(test_mediator_first);
	RUN(test_noisy);
	RUN(test_interrupted);
	RUN(test_failures_only);
	RUN(test_failed_from_start);
	RUN(test_never_ready);
	RUN(test_transient);
	RUN(test_no_steps);
	return CHECK_EXIT();
}
