/* test_threshold.c: threshold parsing and evaluation. */
#include "threshold.h"

#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"

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
	b = threshold_evaluate(&s, doc, with_base ? base : NULL);
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
	b = threshold_evaluate(&s, doc, NULL);
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
	RUN(test_parse_errors);
	RUN(test_file);
	RUN(test_yaml);
	RUN(test_null_key);
	return CHECK_EXIT();
}
