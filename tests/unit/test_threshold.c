/* test_threshold.c: threshold parsing and evaluation. */
#include "threshold.h"

#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "jx.h"

static const char doc_text[] =
    "{\"schema\":\"medload.analysis/1\",\"by\":[\"label\",\"handler\","
    "\"outcome\"],\"groups\":["
    "{\"key\":{\"label\":\"m\",\"handler\":\"m\",\"outcome\":\"A.END\"},"
    "\"count\":90,\"min\":1,\"max\":300,\"mean\":50,\"stddev\":10,"
    "\"percentiles\":{\"p50\":40,\"p95\":200,\"p99.9\":290},\"rate\":30},"
    "{\"key\":{\"label\":\"m\",\"handler\":\"m\",\"outcome\":\"B.error\"},"
    "\"count\":10,\"min\":1,\"max\":5,\"mean\":2,\"stddev\":1,"
    "\"percentiles\":{\"p50\":2,\"p95\":4,\"p99.9\":5},\"rate\":3},"
    "{\"key\":{\"label\":\"x\",\"handler\":\"x\",\"outcome\":\"A.END\"},"
    "\"count\":100,\"min\":0,\"max\":9,\"mean\":3,\"stddev\":1,"
    "\"percentiles\":{\"p50\":3,\"p95\":8,\"p99.9\":9},\"rate\":20}]}";

static const char base_text[] =
    "{\"schema\":\"medload.analysis/1\",\"by\":[\"label\",\"handler\","
    "\"outcome\"],\"groups\":["
    "{\"key\":{\"label\":\"m\",\"handler\":\"m\",\"outcome\":\"A.END\"},"
    "\"count\":90,\"min\":1,\"max\":300,\"mean\":50,\"stddev\":10,"
    "\"percentiles\":{\"p50\":40,\"p95\":150,\"p99.9\":290},\"rate\":30},"
    "{\"key\":{\"label\":\"x\",\"handler\":\"x\",\"outcome\":\"A.END\"},"
    "\"count\":100,\"min\":0,\"max\":9,\"mean\":3,\"stddev\":1,"
    "\"percentiles\":{\"p50\":3,\"p95\":8,\"p99.9\":9},\"rate\":20}]}";

/* Evaluates one expression; returns "pass", "fail" or "skip". */
static const char *
eval(const char *expr, int with_base, double *value)
{
	static char status[8];
	struct threshold_set s;
	struct json_object *doc = json_tokener_parse(doc_text);
	struct json_object *base = json_tokener_parse(base_text), *b, *r, *v;
	char *cause = NULL;

	threshold_set_init(&s);
	if (threshold_set_add(&s, expr, &cause) == -1) {
		fprintf(stderr, "parse %s: %s\n", expr, cause);
		free(cause);
		json_object_put(doc);
		json_object_put(base);
		return "error";
	}
	b = threshold_evaluate(&s, doc, with_base ? base : NULL, NULL);
	r = json_object_array_get_idx(json_object_object_get(b, "results"), 0);
	snprintf(status, sizeof(status), "%s", json_object_get_string(
	    json_object_object_get(r, "status")));
	if (value != NULL && json_object_object_get_ex(r, "value", &v))
		*value = json_object_get_double(v);
	json_object_put(b);
	json_object_put(doc);
	json_object_put(base);
	threshold_set_release(&s);
	return status;
}

static void
test_operators(void)
{
	double v = -1;

	CHECK_STR(eval("label=m outcome=A.END p95<250", 0, &v), "pass");
	CHECK_NUM(v, 200, 0);
	CHECK_STR(eval("label=m outcome=A.END p95<200", 0, NULL), "fail");
	CHECK_STR(eval("label=m outcome=A.END p95<=200", 0, NULL), "pass");
	CHECK_STR(eval("label=m outcome=A.END p95>200", 0, NULL), "fail");
	CHECK_STR(eval("label=m outcome=A.END p95>=200", 0, NULL), "pass");
	CHECK_STR(eval("label=m outcome=A.END p95==200", 0, NULL), "pass");
	CHECK_STR(eval("label=m outcome=A.END p95!=200", 0, NULL), "fail");
	CHECK_STR(eval("label=m outcome=A.END p(95) < 0.25s", 0, NULL),
	    "pass");
	CHECK_STR(eval("label=m outcome=A.END p99.9<290ms", 0, NULL), "fail");
	CHECK_STR(eval("label=m outcome=A.END med<41", 0, NULL), "pass");
	CHECK_STR(eval("label=m outcome=A.END avg<50", 0, NULL), "fail");
}

static void
test_aggregates(void)
{
	double v = -1;

	/* worst group over the selection */
	CHECK_STR(eval("p95<100", 0, &v), "fail");
	CHECK_NUM(v, 200, 0);
	CHECK_STR(eval("label=x p95<100", 0, NULL), "pass");
	/* rates and counts add up */
	CHECK_STR(eval("rate>50", 0, &v), "pass");
	CHECK_NUM(v, 53, 1e-9);
	CHECK_STR(eval("label=m rate>50", 0, NULL), "fail");
	CHECK_STR(eval("count>=200", 0, &v), "pass");
	CHECK_NUM(v, 200, 0);
	/* error share: 10 of label m's 100 events */
	CHECK_STR(eval("label=m error_rate<10%", 0, &v), "fail");
	CHECK_NUM(v, 0.1, 1e-12);
	CHECK_STR(eval("label=m error_rate<=10%", 0, NULL), "pass");
	CHECK_STR(eval("label=x error_share<1%", 0, &v), "pass");
	CHECK_NUM(v, 0, 0);
	CHECK_STR(eval("error_rate<6%", 0, &v), "pass");
	CHECK_NUM(v, 0.05, 1e-12);
	/* nothing selected, metric missing: failures */
	CHECK_STR(eval("label=nope p95<1", 0, NULL), "fail");
	CHECK_STR(eval("p97<1000", 0, NULL), "fail");
	/* globs */
	CHECK_STR(eval("outcome=*END p95<=200", 0, NULL), "pass");
}

static void
test_relative(void)
{
	/* m/A.END p95 went 150 -> 200 */
	CHECK_STR(eval("p95 < baseline*1.10", 1, NULL), "fail");
	CHECK_STR(eval("p95 < baseline*1.5", 1, NULL), "pass");
	CHECK_STR(eval("p95 <= baseline+50", 1, NULL), "pass");
	CHECK_STR(eval("p95 <= baseline+49ms", 1, NULL), "fail");
	CHECK_STR(eval("label=x p95 <= baseline", 1, NULL), "pass");
	CHECK_STR(eval("rate >= baseline-4", 1, NULL), "pass");
	CHECK_STR(eval("rate >= baseline", 1, NULL), "pass");
	CHECK_STR(eval("rate > baseline*1.1", 1, NULL), "fail");
	/* without a baseline: skipped */
	CHECK_STR(eval("p95 < baseline*1.10", 0, NULL), "skip");
}

/* A run's results: 5 of 55 requests and waits failed, 2 users never ready. */
static const char run_text[] =
    "{\"schema\":\"medload.run/1\",\"total\":{\"count\":55,"
    "\"failures\":5},\"users_never_ready\":2,"
    "\"users_never_ready_by_step\":{\"connect_to_mediator\":2}}";

/* Two latency groups and a START group (0 ms throughout), then and now. */
static const char zero_base[] =
    "{\"schema\":\"medload.analysis/1\",\"by\":[\"label\",\"outcome\"],"
    "\"groups\":["
    "{\"key\":{\"label\":\"m\",\"outcome\":\"H.START\"},\"count\":50,"
    "\"min\":0,\"max\":0,\"mean\":0,\"percentiles\":{\"p95\":0}},"
    "{\"key\":{\"label\":\"m\",\"outcome\":\"A.END\"},\"count\":50,"
    "\"min\":1,\"max\":60,\"mean\":20,\"percentiles\":{\"p95\":44}},"
    "{\"key\":{\"label\":\"m\",\"outcome\":\"B.END\"},\"count\":50,"
    "\"min\":1,\"max\":90,\"mean\":30,\"percentiles\":{\"p95\":50}}]}";
static const char zero_cont[] =
    "{\"schema\":\"medload.analysis/1\",\"by\":[\"label\",\"outcome\"],"
    "\"groups\":["
    "{\"key\":{\"label\":\"m\",\"outcome\":\"H.START\"},\"count\":90,"
    "\"min\":0,\"max\":0,\"mean\":0,\"percentiles\":{\"p95\":0}},"
    "{\"key\":{\"label\":\"m\",\"outcome\":\"A.END\"},\"count\":90,"
    "\"min\":1,\"max\":400,\"mean\":90,\"percentiles\":{\"p95\":337}},"
    "{\"key\":{\"label\":\"m\",\"outcome\":\"B.END\"},\"count\":90,"
    "\"min\":1,\"max\":900,\"mean\":99,\"percentiles\":{\"p95\":711}}]}";

/* One evaluation's outcome. */
struct outcome {
	char status[8];
	char message[512];
	double value;
	struct json_object *result;	/* the result object (caller puts) */
};

/* Evaluates expr over the documents given as text (base, run: NULL). */
static void
eval_docs(const char *expr, const char *doc_json, const char *base_json,
    const char *run_json, struct outcome *o)
{
	struct json_object *doc = json_tokener_parse(doc_json);
	struct json_object *base = base_json ? json_tokener_parse(base_json) :
	    NULL;
	struct json_object *run = run_json ? json_tokener_parse(run_json) :
	    NULL;
	struct json_object *b, *r, *v;
	struct threshold_set s;
	char *cause = NULL;

	memset(o, 0, sizeof(*o));
	o->value = -1;
	threshold_set_init(&s);
	if (threshold_set_add(&s, expr, &cause) == -1) {
		fprintf(stderr, "parse %s: %s\n", expr, cause);
		snprintf(o->status, sizeof(o->status), "error");
		free(cause);
	} else {
		b = threshold_evaluate(&s, doc, base, run);
		r = json_object_array_get_idx(json_object_object_get(b,
		    "results"), 0);
		snprintf(o->status, sizeof(o->status), "%s",
		    json_object_get_string(json_object_object_get(r,
		    "status")));
		snprintf(o->message, sizeof(o->message), "%s",
		    json_object_get_string(json_object_object_get(r,
		    "message")));
		if (json_object_object_get_ex(r, "value", &v))
			o->value = json_object_get_double(v);
		o->result = json_object_get(r);
		json_object_put(b);
	}
	threshold_set_release(&s);
	json_object_put(doc);
	json_object_put(base);
	json_object_put(run);
}

/* Checks that the message of o holds want. */
#define CHECK_MSG(o, want)						\
	do {								\
		if (strstr((o).message, (want)) == NULL) {		\
			fprintf(stderr, "%s:%d: want \"%s\" in \"%s\"\n", \
			    __FILE__, __LINE__, (want), (o).message);	\
			check_failed = 1;				\
		}							\
	} while (0)

/* error_rate counts the client's failures with the trace's errors. */
static void
test_client_errors(void)
{
	struct outcome o;

	/* (5 client failures + 10 trace errors) / (55 + 200) */
	eval_docs("error_rate<1%", doc_text, NULL, run_text, &o);
	CHECK_STR(o.status, "fail");
	CHECK_NUM(o.value, 15.0 / 255, 1e-12);
	CHECK_MSG(o, "client: 5 failed of 55 requests and waits");
	CHECK_MSG(o, "trace: 10 errors of 200 non-START events");
	CHECK_NUM(jx_int(o.result, "client.failures", -1), 5, 0);
	json_object_put(o.result);
	/* a run reported without traces: the client's share alone */
	eval_docs("error_rate<1%", "{\"by\":[\"label\",\"outcome\"],"
	    "\"groups\":[]}", NULL, run_text, &o);
	CHECK_STR(o.status, "fail");
	CHECK_NUM(o.value, 5.0 / 55, 1e-12);
	CHECK_MSG(o, "trace: 0 errors of 0 non-START events");
	json_object_put(o.result);
	/* START events are no operations of their own: 10 of 100, not 200 */
	eval_docs("trace_error_rate<1%", "{\"by\":[\"label\",\"outcome\"],"
	    "\"groups\":[{\"key\":{\"label\":\"m\",\"outcome\":\"A.START\"},"
	    "\"count\":100,\"mean\":0,\"max\":0},{\"key\":{\"label\":\"m\","
	    "\"outcome\":\"A.END\"},\"count\":90,\"mean\":5,\"max\":9},"
	    "{\"key\":{\"label\":\"m\",\"outcome\":\"A.error\"},"
	    "\"count\":10,\"mean\":5,\"max\":9}]}", NULL, NULL, &o);
	CHECK_NUM(o.value, 0.1, 1e-12);
	CHECK_MSG(o, "trace: 10 errors of 100 non-START events");
	json_object_put(o.result);
	/* without the run's results: the traces' share, and says so */
	eval_docs("error_rate<6%", doc_text, NULL, NULL, &o);
	CHECK_STR(o.status, "pass");
	CHECK_NUM(o.value, 0.05, 1e-12);
	CHECK_MSG(o, "trace events only: no run results here");
	json_object_put(o.result);
	/* a clean trace does not hide the client's failures */
	eval_docs("label=x trace_error_rate<1%", doc_text, NULL, run_text, &o);
	CHECK_STR(o.status, "pass");
	json_object_put(o.result);
	eval_docs("client_error_rate<1%", doc_text, NULL, run_text, &o);
	CHECK_STR(o.status, "fail");
	CHECK_NUM(o.value, 5.0 / 55, 1e-12);
	CHECK_MSG(o, "client_error_rate = 9.0909");
	CHECK_MSG(o, "(5 failed of 55 requests and waits), breaks < 1%");
	json_object_put(o.result);
	eval_docs("trace_error_rate<6%", doc_text, NULL, run_text, &o);
	CHECK_STR(o.status, "pass");
	CHECK_NUM(o.value, 0.05, 1e-12);
	json_object_put(o.result);
	/* a selector picks trace groups: the client is not in */
	eval_docs("label=m error_rate<=10%", doc_text, NULL, run_text, &o);
	CHECK_STR(o.status, "pass");
	CHECK_NUM(o.value, 0.1, 1e-12);
	CHECK_MSG(o, "a selector picks trace groups");
	json_object_put(o.result);
	/* no run: client metrics are skipped, saying why, never passed */
	eval_docs("client_error_rate<1%", doc_text, NULL, NULL, &o);
	CHECK_STR(o.status, "skip");
	CHECK_MSG(o, "needs the run's results");
	json_object_put(o.result);
	/* a run without requests is nothing to judge */
	eval_docs("client_error_rate<1%", doc_text, NULL, "{\"total\":"
	    "{\"count\":0,\"failures\":0}}", &o);
	CHECK_STR(o.status, "fail");
	CHECK_MSG(o, "no request");
	json_object_put(o.result);
	/* relative: both sides are analyses, the traces' share is compared */
	eval_docs("error_rate < baseline+4%", doc_text, base_text, run_text,
	    &o);
	CHECK_STR(o.status, "fail");
	CHECK_NUM(o.value, 0.05, 1e-12);
	json_object_put(o.result);
}

/* users_never_ready counts the run's users that never became ready. */
static void
test_never_ready(void)
{
	struct outcome o;

	eval_docs("users_never_ready<1", doc_text, NULL, run_text, &o);
	CHECK_STR(o.status, "fail");
	CHECK_NUM(o.value, 2, 0);
	CHECK_MSG(o, "users_never_ready = 2 (at connect_to_mediator: 2)");
	json_object_put(o.result);
	eval_docs("users_never_ready<=2", doc_text, NULL, run_text, &o);
	CHECK_STR(o.status, "pass");
	json_object_put(o.result);
	eval_docs("users_never_ready<1", doc_text, NULL, NULL, &o);
	CHECK_STR(o.status, "skip");
	json_object_put(o.result);
	eval_docs("users_never_ready<1", doc_text, NULL, "{\"total\":{}}",
	    &o);
	CHECK_STR(o.status, "skip");
	CHECK_MSG(o, "do not count the users never ready");
	json_object_put(o.result);
}

/* The worst group decides and is named; START groups are left out. */
static void
test_worst_group(void)
{
	struct outcome o;

	/* both break p95 < baseline*1.10: 711 ms is the worst, not 337 */
	eval_docs("p95 < baseline*1.10", zero_cont, zero_base, NULL, &o);
	CHECK_STR(o.status, "fail");
	CHECK_NUM(o.value, 711, 0);
	CHECK_MSG(o, "m/B.END");
	CHECK_MSG(o, "2 of 2 groups break it; 1 group at 0 ms on both sides "
	    "left out");
	json_object_put(o.result);
	/* passing: the closest to its limit, never the START group */
	eval_docs("p95 < baseline*20", zero_cont, zero_base, NULL, &o);
	CHECK_STR(o.status, "pass");
	CHECK_NUM(o.value, 711, 0);
	CHECK_MSG(o, "p95 = 711 ms (closest: m/B.END), within < 1000 ms");
	if (strstr(o.message, "START") != NULL ||
	    strstr(o.message, "within < 0 ms") != NULL) {
		fprintf(stderr, "a START group decided: %s\n", o.message);
		check_failed = 1;
	}
	json_object_put(o.result);
	/* absolute: the START group is left out, and that is said */
	eval_docs("label=m p95 > 40", zero_cont, NULL, NULL, &o);
	CHECK_STR(o.status, "pass");
	CHECK_NUM(o.value, 337, 0);
	CHECK_MSG(o, "(worst of 2 groups: m/A.END; 1 group at 0 ms left out)");
	CHECK_NUM(jx_int(o.result, "groups_at_zero", -1), 1, 0);
	json_object_put(o.result);
	/* a selection of START groups only: judged, not called a latency */
	eval_docs("outcome=*START p95<1", zero_cont, NULL, NULL, &o);
	CHECK_STR(o.status, "pass");
	CHECK_MSG(o, "no latency: the selected group is 0 ms throughout");
	json_object_put(o.result);
	eval_docs("outcome=*START p95 < baseline", zero_cont, zero_base, NULL,
	    &o);
	CHECK_STR(o.status, "pass");
	CHECK_MSG(o, "no latency");
	json_object_put(o.result);
	/* counts still add the START groups: they are traffic */
	eval_docs("count>=270", zero_cont, NULL, NULL, &o);
	CHECK_STR(o.status, "pass");
	json_object_put(o.result);
}

/* Checks that expr fails to parse with a message containing want. */
static void
parse_fails(const char *expr, const char *want)
{
	struct threshold *t = NULL;
	char *cause = NULL;

	CHECK(threshold_parse(expr, &t, &cause) == -1);
	CHECK(t == NULL);
	if (cause == NULL || strstr(cause, want) == NULL) {
		fprintf(stderr, "%s: want \"%s\" in \"%s\"\n", expr, want,
		    cause ? cause : "(null)");
		check_failed = 1;
	}
	free(cause);
}

static void
test_parse_errors(void)
{
	parse_fails("p95<<250", "column 5: expected a number");
	parse_fails("p95 250", "column 5: expected an operator");
	parse_fails("p42x<1", "column 1: unknown metric");
	parse_fails("colour=red p95<1", "column 1: unknown selector key");
	parse_fails("label=\"open p95<1", "unterminated quote");
	parse_fails("p95<250 ms extra", "column 9: unexpected text");
	parse_fails("", "column 1: expected a metric");
	parse_fails("label=m", "column 8: expected a metric");
	parse_fails("p95 < baseline*x", "column 16: expected a number");
	parse_fails("p95<1\n", "control character");
	parse_fails("label=m client_error_rate<1%", "column 9: this metric "
	    "takes no selector");
	parse_fails("users_never_ready < baseline", "column 21: this metric "
	    "cannot refer to a baseline");
}

static void
test_file(void)
{
	struct threshold_set s;
	char path[] = "/tmp/medload-thr-XXXXXX", *cause = NULL;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("# comment\n\np95<250\n  rate>1  \nlabel=m p95<<1\n", f);
	fclose(f);
	threshold_set_init(&s);
	CHECK(threshold_set_load(&s, path, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, ":5:1: threshold") != NULL &&
	    strstr(cause, "column 13") != NULL);
	CHECK(s.n == 2);
	free(cause);
	cause = NULL;
	threshold_set_release(&s);
	unlink(path);
}

static void
test_yaml(void)
{
	struct threshold_set s;
	char path[] = "/tmp/medload-thr-XXXXXX.yaml", *cause = NULL;
	int fd = mkstemps(path, 5);
	FILE *f = fdopen(fd, "w");

	fputs("step_time: 30s\nthresholds:\n  - p95<250\n"
	    "  - \"label=m error_rate<1%\"\n  - p95 < baseline*1.10\n"
	    "other: [1, 2]\n", f);
	fclose(f);
	threshold_set_init(&s);
	CHECK(threshold_set_load(&s, path, &cause) == 0);
	CHECK(s.n == 3);
	CHECK(threshold_set_relative(&s));
	if (s.n == 3)
		CHECK_STR(threshold_expr(s.v[1]), "label=m error_rate<1%");
	threshold_set_release(&s);
	f = fopen(path, "w");
	fputs("thresholds:\n  - p95<250\n  - p95 <> 3\n", f);
	fclose(f);
	CHECK(threshold_set_load(&s, path, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, ":3:5:") != NULL);
	free(cause);
	threshold_set_release(&s);
	unlink(path);
}

/*
 * A group key with a null value (the search engine's missing_bucket) is
 * selected by no KEY=GLOB; it crashed fnmatch (tests/fuzz/fuzz_threshold).
 */
static void
test_null_key(void)
{
	struct json_object *doc = json_tokener_parse(
	    "{\"schema\":\"medload.analysis/1\",\"groups\":[{\"key\":"
	    "{\"label\":null},\"count\":3,\"percentiles\":{\"p95\":9}},"
	    "{\"key\":{\"label\":\"m\"},\"count\":2,\"percentiles\":"
	    "{\"p95\":4}}]}"), *b;
	struct threshold_set s;

	threshold_set_init(&s);
	CHECK(threshold_set_add(&s, "label=* p95<5", NULL) == 0);
	CHECK(threshold_set_add(&s, "label=x* p95<5", NULL) == 0);
	b = threshold_evaluate(&s, doc, NULL, NULL);
	CHECK(threshold_block_failed(b) == 1);
	CHECK_STR(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(json_object_object_get(b, "results"),
	    0), "status")), "pass");
	json_object_put(b);
	threshold_set_release(&s);
	json_object_put(doc);
}

int
main(void)
{
	RUN(test_operators);
	RUN(test_aggregates);
	RUN(test_relative);
	RUN(test_client_errors);
	RUN(test_never_ready);
	RUN(test_worst_group);
	RUN(test_parse_errors);
	RUN(test_file);
	RUN(test_yaml);
	RUN(test_null_key);
	return CHECK_EXIT();
}
