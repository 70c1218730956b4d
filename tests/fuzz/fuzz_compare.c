/*
 * fuzz_compare.c: analysis documents as `medload compare`, `report`,
 * `nightly` and --baseline read them (a file anyone may have edited):
 * the baseline, FUZZLIB_SEP, the contender (the baseline again when
 * absent), each loaded with compare_load (jx_load and the schema
 * checks). Then everything that reads a document: the renderers (text,
 * CSV, JSON), compare_build and its renderers (text, Markdown, JSON),
 * thresholds relative to the baseline, a night's summary and the trend
 * view with its Markdown page. Oracle: a refusal says why.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "compare.h"
#include "compare_render.h"
#include "history.h"
#include "render.h"
#include "threshold.h"

/* What reads one document alone. */
static void
fuzz_compare_one(struct json_object *doc)
{
	char *cause = NULL;

	if (render(doc, RENDER_TEXT, NULL, fuzzlib_null(), &cause) == -1 &&
	    cause == NULL)
		fuzzlib_fail("a text render refused without a reason", NULL);
	free(cause);
	cause = NULL;
	(void)render(doc, RENDER_CSV, NULL, fuzzlib_null(), &cause);
	free(cause);
	cause = NULL;
	(void)render(doc, RENDER_JSON, NULL, fuzzlib_null(), &cause);
	free(cause);
	json_object_put(render_view(doc));
}

/* A night from the comparison, the trend of two, its Markdown page. */
static void
fuzz_compare_night(struct json_object *cont, struct json_object *cmp,
    struct json_object *block)
{
	struct history_input in = { cont, "a.json", "report", 1795938957.5,
	    block, cmp, "base", cmp == NULL };
	struct json_object *nights = json_object_new_array(), *trend;
	char *path, *cause = NULL;

	json_object_array_add(nights, history_night(&in));
	in.when += 86400;
	json_object_array_add(nights, history_night(&in));
	(void)history_last_passing(nights);
	trend = history_trend(nights, 10);
	path = fuzzlib_file("nightly.md", NULL, 0);
	if (history_render_md_to(trend, NULL, path, FILES_OWN, &cause) == -1 &&
	    cause == NULL)
		fuzzlib_fail("a nightly page refused without a reason", NULL);
	free(cause);
	free(path);
	json_object_put(trend);
	json_object_put(nights);
}

/* Compares and renders; the thresholds against the baseline. */
static void
fuzz_compare_two(struct json_object *base, struct json_object *cont)
{
	static struct threshold_set ts;
	static const char *const exprs[] = { "p95 < baseline * 1.2",
	    "label=mediator.* mean <= baseline + 5ms", "error_rate < 1%",
	    "count > baseline - 10", "rate>=1/s" };
	struct json_object *cmp, *block;
	struct compare_opts o;
	char *cause = NULL;
	size_t i;

	if (ts.n == 0)
		for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++)
			threshold_set_add(&ts, exprs[i], NULL);
	compare_opts_init(&o);
	cmp = compare_build(base, cont, &o, "base.json", "new.json", &cause);
	if (cmp == NULL && cause == NULL)
		fuzzlib_fail("a comparison refused without a reason", NULL);
	free(cause);
	cause = NULL;
	if (cmp != NULL) {
		(void)compare_regressions(cmp);
		if (compare_render(cmp, COMPARE_TEXT, NULL, fuzzlib_null(),
		    &cause) == -1 && cause == NULL)
			fuzzlib_fail("a comparison render refused without a "
			    "reason", NULL);
		free(cause);
		cause = NULL;
		(void)compare_render(cmp, COMPARE_MARKDOWN, NULL,
		    fuzzlib_null(), &cause);
		free(cause);
		cause = NULL;
		(void)compare_render(cmp, COMPARE_JSON, NULL, fuzzlib_null(),
		    &cause);
		free(cause);
	}
	block = threshold_evaluate(&ts, cont, base, NULL);
	fuzz_compare_night(cont, cmp, block);
	json_object_put(block);
	json_object_put(cmp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest = data, *part;
	size_t rlen = size, len;
	struct json_object *base, *cont = NULL;
	char *path, *cause = NULL;

	fuzzlib_next(&rest, &rlen, &part, &len);
	path = fuzzlib_file("base.json", part, len);
	base = compare_load(path, &cause);
	free(path);
	if (base != NULL && rest != NULL) {
		path = fuzzlib_file("new.json", rest, rlen);
		cont = compare_load(path, &cause);
		free(path);
	} else if (base != NULL)
		cont = json_object_get(base);
	if ((base == NULL || cont == NULL) && cause == NULL)
		fuzzlib_fail("a document refused without a reason", NULL);
	if (base != NULL && cont != NULL) {
		fuzz_compare_one(cont);
		fuzz_compare_two(base, cont);
	}
	json_object_put(base);
	json_object_put(cont);
	free(cause);
	return 0;
}
