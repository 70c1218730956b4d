/*
 * fuzz_collect.c: request bodies POSTed to the collector (`medload
 * collect`, `run --collect`), through collector_line, the code that turns
 * a body into the stored NDJSON line (a fast path splicing text, json-c
 * for odd bodies). Input: the URL path, FUZZLIB_SEP, the body (a body
 * alone goes to /acapy.events). Oracles: a stored line is exactly one
 * JSON object and a newline, carries the medload member (received, path,
 * run_id) and @timestamp, and a body refused is not one JSON object.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "collect.h"
#include "jscan.h"
#include "jx.h"

/* Checks one stored line. */
static void
fuzz_collect_check(const char *line, const char *run_id)
{
	struct json_object *doc, *v;
	struct json_tokener *tok;
	size_t n = strlen(line);

	if (n == 0 || line[n - 1] != '\n' || memchr(line, '\n', n - 1))
		fuzzlib_fail("a stored line is not one line", line);
	tok = json_tokener_new_ex(JSCAN_MAX_DEPTH);
	doc = json_tokener_parse_ex(tok, line, (int)n);
	if (doc == NULL || json_tokener_get_parse_end(tok) < n - 1 ||
	    !json_object_is_type(doc, json_type_object))
		fuzzlib_fail("a stored line is not one JSON object", line);
	if (!json_object_object_get_ex(doc, "@timestamp", NULL) ||
	    jx_get(doc, "medload.received") == NULL ||
	    jx_get(doc, "medload.path") == NULL ||
	    (run_id != NULL && jx_get(doc, "medload.run_id") == NULL))
		fuzzlib_fail("a stored line without its medload member", line);
	v = jx_get(doc, "medload.run_id");
	if (run_id != NULL && strcmp(jx_str(v, ""), run_id) != 0)
		fuzzlib_fail("a stored line with another run id", line);
	json_object_put(doc);
	json_tokener_free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest = data, *part, *bpart;
	size_t rlen = size, len, blen;
	char *path, *body, *line;
	const char *run_id;
	enum jscan_type t;
	size_t end;
	const char *err;

	fuzzlib_next(&rest, &rlen, &part, &len);
	if (rest != NULL) {
		path = fuzzlib_cstr(part, len);
		fuzzlib_next(&rest, &rlen, &bpart, &blen);
	} else {
		path = fuzzlib_cstr((const uint8_t *)"/acapy.events", 13);
		bpart = part;
		blen = len;
	}
	body = fuzzlib_cstr(bpart, blen);
	run_id = size % 2 ? "run-\"1\"\\\xc3\xa9" : NULL;
	line = collector_line(body, blen, path, run_id);
	if (line != NULL)
		fuzz_collect_check(line, run_id);
	else if (jscan_value(body, blen, &t, &end, NULL, 0, NULL, &err) == 0 &&
	    t == JSCAN_OBJECT && strspn(body + end, " \t\r\n") == blen - end)
		fuzzlib_fail("a JSON object refused", body);
	free(line);
	free(body);
	free(path);
	return 0;
}
