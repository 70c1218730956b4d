/*
 * fuzz_threshold.c: threshold expressions (analyzer/threshold.c), as
 * --threshold, a thresholds file or a YAML "thresholds" list give them:
 * one a line, each parsed, then the set evaluated over an analysis and a
 * baseline and written as text and JUnit XML. Oracles: a refusal names
 * the expression; an accepted expression gives its text back; every
 * result is "pass", "fail" or "skip", and the counts add up.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "junit.h"
#include "jx.h"
#include "threshold.h"

/* An analysis with the keys, metrics and oddities thresholds meet. */
static const char fuzz_threshold_doc[] =
    "{\"schema\":\"medload.analysis/1\",\"by\":[\"label\",\"outcome\"],"
    "\"events\":{\"read\":300,\"accepted\":290,\"rejected\":10},"
    "\"window\":{\"seconds\":99.5},\"groups\":["
    "{\"key\":{\"label\":\"mediator.trace\",\"outcome\":"
    "\"Dispatcher.handle_message.END\"},\"count\":200,\"min\":1,"
    "\"max\":125,\"mean\":22.4,\"stddev\":11.9,\"rate\":2.01,"
    "\"percentiles\":{\"p50\":20,\"p95\":44,\"p99\":59,\"p99.9\":99}},"
    "{\"key\":{\"label\":\"multi.agent.trace\",\"outcome\":"
    "\"problem_report\"},\"count\":9,\"min\":0,\"max\":0,\"mean\":0,"
    "\"stddev\":null,\"rate\":0,\"percentiles\":{\"p95\":0}},"
    "{\"key\":{\"label\":null,\"outcome\":\"x*\"},\"count\":81,"
    "\"mean\":1e308,\"percentiles\":{}}]}";

/* Checks a thresholds block. */
static void
fuzz_threshold_block(struct json_object *block, size_t n)
{
	struct json_object *res = json_object_object_get(block, "results");
	const char *st;
	size_t i;

	if (jx_len(res) != n || (size_t)(jx_int(block, "passed", -1) +
	    jx_int(block, "failed", -1) + jx_int(block, "skipped", -1)) != n)
		fuzzlib_fail("the counts do not add up", NULL);
	for (i = 0; i < n; i++) {
		st = jx_str(jx_get(jx_at(res, i), "status"), "");
		if (strcmp(st, "pass") != 0 && strcmp(st, "fail") != 0 &&
		    strcmp(st, "skip") != 0)
			fuzzlib_fail("a result without a status", st);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_object *doc, *base;
	char *text = fuzzlib_cstr(data, size), *line, *save = NULL;
	char *cause = NULL;
	struct threshold_set s;
	struct json_object *block;

	if (doc == NULL) {
		doc = json_tokener_parse(fuzz_threshold_doc);
		base = json_tokener_parse(fuzz_threshold_doc);
		json_object_object_add(jx_at(json_object_object_get(base,
		    "groups"), 0), "mean", json_object_new_double(20));
	}
	threshold_set_init(&s);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (threshold_set_add(&s, line, &cause) == -1) {
			if (cause == NULL || strstr(cause, "threshold") == NULL)
				fuzzlib_fail("a refusal that does not name the "
				    "threshold", cause);
			free(cause);
			cause = NULL;
		} else if (strcmp(threshold_expr(s.v[s.n - 1]), line) != 0)
			fuzzlib_fail("an expression not given back", line);
	}
	block = threshold_evaluate(&s, doc, size % 2 ? base : NULL,
	    NULL);
	fuzz_threshold_block(block, s.n);
	threshold_print_text(block, fuzzlib_null());
	(void)threshold_block_failed(block);
	(void)junit_write(fuzzlib_null(), "fuzz", block, NULL);
	json_object_put(block);
	threshold_set_release(&s);
	free(text);
	return 0;
}
