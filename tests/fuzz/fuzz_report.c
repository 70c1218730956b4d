/*
 * fuzz_report.c: the report folder (analyzer/report.c) written from an
 * analysis document and, after FUZZLIB_SEP, a run's results document,
 * both loaded as `medload report` loads them (report_load: jx_load and
 * the schema). Charts are left out (GNUPLOT names no program), so the
 * text, Markdown and HTML reports are what is exercised. Oracle: a
 * folder refused or a document refused says why.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *out;
	const uint8_t *rest = data, *part;
	size_t rlen = size, len;
	struct json_object *doc = NULL, *run = NULL;
	struct report_input in;
	struct report_result res;
	char *path, *cause = NULL;

	if (out == NULL) {
		setenv("GNUPLOT", "/nonexistent/gnuplot", 1);
		out = malloc(strlen(fuzzlib_dir()) + 8);
		strcpy(out, fuzzlib_dir());
		strcat(out, "/report");
	}
	fuzzlib_next(&rest, &rlen, &part, &len);
	path = fuzzlib_file("analysis.json", part, len);
	if (report_load(path, "medload.analysis/1", &doc, &cause) == -1) {
		if (cause == NULL)
			fuzzlib_fail("a document refused without a reason",
			    NULL);
		goto out;
	}
	if (rest != NULL) {
		free(path);
		path = fuzzlib_file("results.json", rest, rlen);
		if (report_load(path, "medload.run/1", &run, &cause) == -1)
			goto out;
	}
	memset(&in, 0, sizeof(in));
	in.analysis = doc;
	in.run = run;
	in.out_dir = out;
	in.title = size % 2 ? "fuzz <report> & \"title\"" : NULL;
	if (report_write(&in, &res, &cause) == -1 && cause == NULL)
		fuzzlib_fail("a report refused without a reason", NULL);
	report_result_release(&res);
out:
	json_object_put(doc);
	json_object_put(run);
	free(cause);
	free(path);
	return 0;
}
