/*
 * fuzz_history.c: the nightly history file (JSON Lines, one night a
 * line; a team shares it, so any line may be damaged), read with
 * history_file_read, then what `nightly` draws from it: the last passing
 * night, the trend view and its Markdown page. Oracles: nights come back
 * as an array of objects, and each line skipped is reported.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "history.h"
#include "jx.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *nights = NULL, *warnings, *trend;
	char *path, *md, *cause = NULL;
	size_t i;

	path = fuzzlib_file("history.jsonl", data, size);
	warnings = json_object_new_array();
	if (history_file_read(path, &nights, warnings, &cause) == 0) {
		if (!json_object_is_type(nights, json_type_array))
			fuzzlib_fail("nights that are no array", NULL);
		for (i = 0; i < jx_len(nights); i++)
			if (!jx_is_object(jx_at(nights, i)))
				fuzzlib_fail("a night that is no object", NULL);
		(void)history_last_passing(nights);
		trend = history_trend(nights, 1 + size % 40);
		md = fuzzlib_file("nightly.md", NULL, 0);
		if (history_render_md_to(trend, NULL, md, FILES_OWN,
		    &cause) == -1 && cause == NULL)
			fuzzlib_fail("a nightly page refused without a reason",
			    NULL);
		free(md);
		json_object_put(trend);
	} else if (cause == NULL)
		fuzzlib_fail("a history refused without a reason", NULL);
	json_object_put(nights);
	json_object_put(warnings);
	free(cause);
	free(path);
	return 0;
}
