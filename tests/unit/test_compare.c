/* test_compare.c: verdicts of medload compare and JUnit escaping. */
#include "compare.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "junit.h"
#include "jx.h"
#include "check.h"
#include "util.h"

/* An analysis with one group "m/m/A.END" of n events. */
static struct json_object *
doc(double n, double mean, double sd, double p50, double p95, double p99,
    double max, double rate, double errors)
{
	char *s = util_printf(
	    "{\"schema\":\"medload.analysis/1\",\"by\":[\"label\",\"handler\","
	    "\"outcome\"],\"events\":{\"accepted\":%g},\"groups\":["
	    "{\"key\":{\"label\":\"m\",\"handler\":\"m\",\"outcome\":\"A.END\"},"
	    "\"count\":%g,\"min\":0,\"max\":%g,\"mean\":%g,\"stddev\":%g,"
	    "\"percentiles\":{\"p50\":%g,\"p75\":%g,\"p90\":%g,\"p95\":%g,"
	    "\"p99\":%g,\"p99.9\":%g},\"rate\":%g},"
	    "{\"key\":{\"label\":\"m\",\"handler\":\"m\",\"outcome\":"
	    "\"problem_report\"},\"count\":%g,\"min\":0,\"max\":1,\"mean\":1,"
	    "\"stddev\":0,\"percentiles\":{\"p50\":1,\"p75\":1,\"p90\":1,"
	    "\"p95\":1,\"p99\":1,\"p99.9\":1},\"rate\":1}]}",
	    n + errors, n, max, mean, sd, p50, p50 * 1.3, p95 * 0.8, p95,
	    p99, (p99 + max) / 2, rate, errors);
	struct json_object *o = json_tokener_parse(s);

	free(s);
	return o;
}

/* The verdict of metric in the first group (by key outcome). */
static const char *
verdict(struct json_object *cmp, const char *outcome, const char *metric)
{
	struct json_object *groups, *g, *m;
	size_t i, j;

	json_object_object_get_ex(cmp, "groups", &groups);
	for (i = 0; i < json_object_array_length(groups); i++) {
		g = json_object_array_get_idx(groups, i);
		if (strcmp(json_object_get_string(json_object_object_get(
		    json_object_object_get(g, "key"), "outcome")), outcome) != 0)
			continue;
		if (metric == NULL)
			return json_object_get_string(json_object_object_get(g,
			    "verdict"));
		m = json_object_object_get(g, "metrics");
		for (j = 0; j < json_object_array_length(m); j++)
			if (strcmp(json_object_get_string(json_object_object_get(
			    json_object_array_get_idx(m, j), "metric")),
			    metric) == 0)
				return json_object_get_string(
				    json_object_object_get(
				    json_object_array_get_idx(m, j), "verdict"));
	}
	return "absent";
}

/* Compares and returns the document (caller puts). */
static struct json_object *
cmp_docs(struct json_object *b, struct json_object *c)
{
	struct compare_opts o;
	struct json_object *r;
	char *cause = NULL;

	compare_opts_init(&o);
	r = compare_build(b, c, &o, "b", "c", &cause);
	CHECK(r != NULL);
	free(cause);
	json_object_put(b);
	json_object_put(c);
	return r;
}

static void
test_regression_flagged(void)
{
	struct json_object *r = cmp_docs(
	    doc(5000, 20, 10, 18, 40, 60, 200, 50, 10),
	    doc(5000, 26, 13, 23, 52, 78, 260, 50, 10));

	CHECK_STR(verdict(r, "A.END", "p50"), "worse");
	CHECK_STR(verdict(r, "A.END", "p95"), "worse");
	CHECK_STR(verdict(r, "A.END", "mean"), "worse");
	CHECK_STR(verdict(r, "A.END", "max"), "unchanged");
	CHECK_STR(verdict(r, "A.END", "count"), "unchanged");
	CHECK_STR(verdict(r, "A.END", NULL), "worse");
	CHECK(compare_regressions(r) >= 1);
	json_object_put(r);
}

static void
test_noise_not_flagged(void)
{
	/* +4 % is within the 5 % margin; +8 % on p95 is not significant */
	struct json_object *r = cmp_docs(
	    doc(5000, 20, 10, 18, 40, 60, 200, 50, 10),
	    doc(5000, 20.8, 10, 18.7, 43.2, 62, 230, 51, 10));

	CHECK_STR(verdict(r, "A.END", "p50"), "unchanged");
	CHECK_STR(verdict(r, "A.END", "mean"), "unchanged");
	CHECK_STR(verdict(r, "A.END", "p95"), "unchanged");
	CHECK_STR(verdict(r, "A.END", NULL), "unchanged");
	CHECK(compare_regressions(r) == 0);
	json_object_put(r);
}

static void
test_better_and_small(void)
{
	struct json_object *r = cmp_docs(
	    doc(5000, 26, 13, 23, 52, 78, 260, 50, 3),
	    doc(5000, 20, 10, 18, 40, 60, 200, 50, 3));

	CHECK_STR(verdict(r, "A.END", "p95"), "better");
	CHECK_STR(verdict(r, "A.END", NULL), "better");
	/* 3 events per side: never flagged */
	CHECK_STR(verdict(r, "problem_report", NULL), "unchanged");
	json_object_put(r);
	/* a tiny group tripling is still not flagged */
	r = cmp_docs(doc(12, 20, 10, 18, 40, 60, 200, 5, 0),
	    doc(12, 60, 30, 54, 120, 180, 600, 5, 0));
	CHECK_STR(verdict(r, "A.END", NULL), "unchanged");
	json_object_put(r);
}

static void
test_error_share(void)
{
	struct json_object *r = cmp_docs(
	    doc(5000, 20, 10, 18, 40, 60, 200, 50, 10),
	    doc(5000, 20, 10, 18, 40, 60, 200, 50, 100)), *l, *m;
	size_t j;
	int seen = 0;

	l = json_object_array_get_idx(json_object_object_get(r, "labels"), 0);
	m = json_object_object_get(l, "metrics");
	for (j = 0; j < json_object_array_length(m); j++) {
		struct json_object *x = json_object_array_get_idx(m, j);

		if (strcmp(json_object_get_string(json_object_object_get(x,
		    "metric")), "error_share") != 0)
			continue;
		seen = 1;
		CHECK_STR(json_object_get_string(json_object_object_get(x,
		    "verdict")), "worse");
	}
	CHECK(seen);
	json_object_put(r);
}

/* One group "m/m/OUTCOME" as JSON text (caller frees). */
static char *
group_json(const char *outcome, double n, double mean, double sd,
    double p50, double p95, double p99, double max, double rate)
{
	return util_printf("{\"key\":{\"label\":\"m\",\"handler\":\"m\","
	    "\"outcome\":\"%s\"},\"count\":%g,\"min\":0,\"max\":%g,"
	    "\"mean\":%g,\"stddev\":%g,\"percentiles\":{\"p50\":%g,"
	    "\"p75\":%g,\"p90\":%g,\"p95\":%g,\"p99\":%g,\"p99.9\":%g},"
	    "\"rate\":%g}", outcome, n, max, mean, sd, p50, p50 * 1.3,
	    p95 * 0.8, p95, p99, (p99 + max) / 2, rate);
}

/*
 * A night of load times the baseline's traffic whose A.END p95 is p95:
 * A.END (the latency that moves), B.START (0 ms throughout) and C.END
 * (a latency that stays), grouped by label, handler and outcome.
 */
static struct json_object *
night(double load, double p95)
{
	char *a = group_json("A.END", 2000 * load, p95 / 2, p95 / 4,
	    p95 * 0.45, p95, p95 * 1.3, p95 * 3, 20 * load);
	char *b = group_json("B.START", 2000 * load, 0, 0, 0, 0, 0, 0,
	    20 * load);
	char *c = group_json("C.END", 1000 * load, 14, 7, 12, 32, 46, 90,
	    10 * load);
	char *s = util_printf("{\"schema\":\"medload.analysis/1\",\"by\":"
	    "[\"label\",\"handler\",\"outcome\"],\"events\":{\"accepted\":"
	    "%g},\"groups\":[%s,%s,%s]}", 5000 * load, b, a, c);
	struct json_object *o = json_tokener_parse(s);

	free(a);
	free(b);
	free(c);
	free(s);
	return o;
}

/* Returns 1 when a metric of any group or label has verdict v. */
static int
any_metric(struct json_object *cmp, const char *v)
{
	static const char *const arrays[] = { "groups", "labels" };
	struct json_object *a, *m;
	size_t k, i, j;

	for (k = 0; k < 2; k++) {
		a = json_object_object_get(cmp, arrays[k]);
		for (i = 0; i < json_object_array_length(a); i++) {
			m = json_object_object_get(json_object_array_get_idx(
			    a, i), "metrics");
			for (j = 0; j < json_object_array_length(m); j++)
				if (strcmp(json_object_get_string(
				    json_object_object_get(
				    json_object_array_get_idx(m, j),
				    "verdict")), v) == 0)
					return 1;
		}
	}
	return 0;
}

/* A member at a dotted path as a string ("" when absent). */
static const char *
at(struct json_object *o, const char *path)
{
	char *copy = util_strdup(path), *p = copy, *dot;
	const char *r;

	while (o != NULL && (dot = strchr(p, '.')) != NULL) {
		*dot = '\0';
		o = json_object_object_get(o, p);
		p = dot + 1;
	}
	o = o != NULL ? json_object_object_get(o, p) : NULL;
	r = o != NULL ? json_object_get_string(o) : "";
	free(copy);
	return r;
}

/* Twice the load and a slower mediator: latency leads, load is load. */
static void
test_load_is_not_a_verdict(void)
{
	struct json_object *r = cmp_docs(night(1, 44), night(2, 337));

	CHECK_STR(verdict(r, "A.END", NULL), "worse");
	CHECK_STR(verdict(r, "A.END", "count"), "more");
	CHECK_STR(verdict(r, "A.END", "rate"), "more");
	CHECK_STR(verdict(r, "B.START", NULL), "not judged");
	CHECK_STR(verdict(r, "B.START", "count"), "more");
	CHECK_STR(verdict(r, "C.END", NULL), "unchanged");
	CHECK(!any_metric(r, "better"));
	CHECK_STR(at(r, "summary.headline"),
	    "worse: m A.END p95 44 -> 337 ms (+665.9%)");
	CHECK_STR(at(r, "summary.verdict"), "worse");
	CHECK_STR(at(r, "summary.worse"), "1");
	CHECK_STR(at(r, "summary.better"), "0");
	CHECK_STR(at(r, "summary.not_judged"), "1");
	CHECK_STR(at(r, "summary.load"), "more");
	CHECK_STR(at(r, "load.verdict"), "more");
	CHECK(jx_len(jx_get(r, "load.changes")) == 8);
	CHECK_STR(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(json_object_object_get(r, "labels"), 0),
	    "verdict")), "worse");
	CHECK(compare_regressions(r) == 1);
	/* regressions first; the START group last */
	CHECK_STR(at(json_object_array_get_idx(json_object_object_get(r,
	    "groups"), 0), "key.outcome"), "A.END");
	CHECK_STR(at(json_object_array_get_idx(json_object_object_get(r,
	    "groups"), 2), "key.outcome"), "B.START");
	json_object_put(r);
	/* the way back: faster under less load is better, not a regression */
	r = cmp_docs(night(2, 337), night(1, 44));
	CHECK_STR(at(r, "summary.headline"),
	    "better: m A.END p95 337 -> 44 ms (-86.9%)");
	CHECK_STR(at(r, "summary.load"), "less");
	CHECK_STR(verdict(r, "C.END", NULL), "unchanged");
	CHECK(compare_regressions(r) == 0);
	json_object_put(r);
	/* more load alone: no verdict beyond noise */
	r = cmp_docs(night(1, 44), night(2, 44));
	CHECK_STR(at(r, "summary.headline"), "no change beyond noise");
	CHECK_STR(at(r, "summary.verdict"), "unchanged");
	CHECK(compare_regressions(r) == 0);
	json_object_put(r);
}

/* The groups that got worse come largest first. */
static void
test_regressions_by_size(void)
{
	char *a = group_json("A.END", 2000, 20, 10, 18, 40, 60, 200, 20);
	char *b = group_json("B.END", 2000, 20, 10, 18, 40, 60, 200, 20);
	char *a2 = group_json("A.END", 2000, 26, 13, 23, 52, 78, 260, 20);
	char *b2 = group_json("B.END", 2000, 60, 30, 54, 120, 180, 600, 20);
	char *s1 = util_printf("{\"schema\":\"medload.analysis/1\",\"by\":"
	    "[\"label\",\"handler\",\"outcome\"],\"groups\":[%s,%s]}", a, b);
	char *s2 = util_printf("{\"schema\":\"medload.analysis/1\",\"by\":"
	    "[\"label\",\"handler\",\"outcome\"],\"groups\":[%s,%s]}", a2,
	    b2);
	struct json_object *r = cmp_docs(json_tokener_parse(s1),
	    json_tokener_parse(s2));

	CHECK_STR(at(json_object_array_get_idx(json_object_object_get(r,
	    "groups"), 0), "key.outcome"), "B.END");
	CHECK_STR(at(r, "summary.headline"),
	    "worse: m B.END p95 40 -> 120 ms (+200.0%); 1 more regression");
	CHECK(compare_regressions(r) == 2);
	json_object_put(r);
	free(a);
	free(b);
	free(a2);
	free(b2);
	free(s1);
	free(s2);
}

static void
test_grouped_differently(void)
{
	struct json_object *a = doc(10, 1, 1, 1, 1, 1, 1, 1, 0);
	struct json_object *b = doc(10, 1, 1, 1, 1, 1, 1, 1, 0), *by, *r;
	struct compare_opts o;
	char *cause = NULL;

	by = json_object_new_array();
	json_object_array_add(by, json_object_new_string("label"));
	json_object_object_add(b, "by", by);
	compare_opts_init(&o);
	r = compare_build(a, b, &o, "a", "b", &cause);
	CHECK(r == NULL);
	CHECK(cause != NULL && strstr(cause, "grouped differently") != NULL);
	free(cause);
	json_object_put(a);
	json_object_put(b);
}

static void
test_junit_escape(void)
{
	struct strbuf b;

	strbuf_init(&b, 0);
	junit_escape(&b, "a&<b>\"c'\x01\x1b[2J\n\xef\xbf\xbe\xff\xc3\xa9");
	CHECK_STR(b.data, "a&amp;&lt;b&gt;&quot;c&apos;[2J&#10;\xc3\xa9");
	strbuf_release(&b);
}

/* What f says of the key written as JSON text. */
static int
key_is(int (*f)(struct json_object *), const char *text)
{
	struct json_object *k = json_tokener_parse(text);
	int r = f(k);

	json_object_put(k);
	return r;
}

static void
test_error_keys(void)
{
	CHECK(!key_is(compare_key_is_error,
	    "{\"outcome\":\"Dispatcher.handle_message.END\"}"));
	CHECK(key_is(compare_key_is_error, "{\"outcome\":\"x\",\"traced_type\":"
	    "\"https://didcomm.org/notification/1.0/problem-report\"}"));
	CHECK(key_is(compare_key_is_error, "{\"outcome\":\"Handler.FAILED\"}"));
	CHECK(!key_is(compare_key_is_start, "{\"outcome\":\"Handler.FAILED\"}"));
	/* a START is no operation of its own in an error share */
	CHECK(key_is(compare_key_is_start, "{\"outcome\":"
	    "\"OutboundTransportManager.DELIVER.START.http://a\"}"));
	CHECK(!key_is(compare_key_is_start, "{\"handler\":\"x.START\"}"));
}

/* A document without "by" is refused with a message, never a crash. */
static void
test_missing_by(void)
{
	struct json_object *a = json_tokener_parse("{\"schema\":"
	    "\"medload.analysis/1\",\"groups\":[]}");
	struct json_object *b = json_tokener_parse("{\"schema\":"
	    "\"medload.analysis/1\",\"by\":[\"label\"],\"groups\":[]}");
	struct compare_opts o;
	char *cause = NULL;

	compare_opts_init(&o);
	CHECK(compare_build(a, b, &o, "a", "b", &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "grouped differently") != NULL);
	CHECK(compare_build(b, a, &o, "b", "a", &cause) == NULL);
	json_object_put(a);
	json_object_put(b);
	free(cause);
}

int
main(void)
{
	RUN(test_regression_flagged);
	RUN(test_noise_not_flagged);
	RUN(test_better_and_small);
	RUN(test_error_share);
	RUN(test_load_is_not_a_verdict);
	RUN(test_regressions_by_size);
	RUN(test_grouped_differently);
	RUN(test_junit_escape);
	RUN(test_error_keys);
	RUN(test_missing_by);
	return CHECK_EXIT();
}
