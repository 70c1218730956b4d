/*
 * fuzz_analyze.c: a trace file as `medload analyze FILE` reads it
 * (analyzer/source_file.c: plain or gzip, lines of any length), through
 * the pipeline (parse, reject, filter), the aggregation and the analysis
 * document, rendered as text. The first byte picks the group keys, the
 * filters and the series interval; the rest is the file. Oracles: the
 * document is an analysis, and its counts add up (read = accepted +
 * rejected + filtered out + skipped).
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analyze.h"
#include "jx.h"
#include "render.h"

/* Sets the keys, filters and interval the choice names. */
static void
fuzz_analyze_request(struct analyze_request *r, unsigned choice)
{
	static const enum agg_key keys[] = { AGG_KEY_TRACED_TYPE,
	    AGG_KEY_OUTCOME, AGG_KEY_LABEL, AGG_KEY_HANDLER };
	static const char *const labels[] = { "mediator.*" };
	static const char *const outcomes[] = { "*.END", "*[" };

	analyze_request_init(r);
	r->source = ANALYZE_FILES;
	r->show_rejects = 0;
	if (choice & 1) {
		memcpy(r->keys, keys, sizeof(keys));
		r->nkeys = 1 + (choice >> 1 & 3);
	}
	if (choice & 8) {
		r->filter.labels = (const char **)labels;
		r->filter.nlabels = 1;
	}
	if (choice & 0x10) {
		r->filter.outcomes = (const char **)outcomes;
		r->filter.noutcomes = 2;
	}
	if (choice & 0x20) {
		r->filter.since = 1795938957;
		r->filter.has_since = 1;
		r->filter.until = 1795939000;
		r->filter.has_until = 1;
	}
	r->interval = choice & 0x40 ? 0.001 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyze_request r;
	struct analyze_result res;
	const char *files[1];
	char *path, *cause = NULL;
	long long read, parts;

	if (size < 1)
		return 0;
	fuzz_analyze_request(&r, data[0]);
	path = fuzzlib_file("traces", data + 1, size - 1);
	files[0] = path;
	r.files = files;
	r.nfiles = 1;
	memset(&res, 0, sizeof(res));
	if (analyze_run(&r, &res, &cause) == 0) {
		if (!jx_schema_is(res.doc, "medload.analysis/1"))
			fuzzlib_fail("no analysis document", NULL);
		read = jx_int(res.doc, "events.read", -1);
		parts = jx_int(res.doc, "events.accepted", 0) +
		    jx_int(res.doc, "events.rejected", 0) +
		    jx_int(res.doc, "events.filtered_out", 0) +
		    jx_int(res.doc, "events.skipped", 0) +
		    jx_int(res.doc, "events.agent_starts", 0);
		if (read != parts)
			fuzzlib_fail("the counts do not add up",
			    json_object_to_json_string(json_object_object_get(
			    res.doc, "events")));
		free(cause);
		cause = NULL;
		(void)render(res.doc, RENDER_TEXT, NULL, fuzzlib_null(),
		    &cause);
	}
	analyze_result_release(&res);
	free(cause);
	free(path);
	return 0;
}
