/*
 * test_collect.c: the line the collector stores for a request body
 * (collector_line), on both of its paths: the fast one that splices text
 * and json-c for odd bodies.
 */
#include "collect.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"

/* The stored line for body, parsed back (caller puts), or NULL. */
static struct json_object *
stored(const char *body, const char *run_id)
{
	struct json_object *doc;
	struct json_tokener *tok;
	char *line = collector_line(body, strlen(body), "/acapy.events",
	    run_id);

	if (line == NULL)
		return NULL;
	CHECK(line[strlen(line) - 1] == '\n');
	CHECK(strchr(line, '\n') == line + strlen(line) - 1);
	tok = json_tokener_new_ex(64);
	doc = json_tokener_parse_ex(tok, line, (int)strlen(line));
	json_tokener_free(tok);
	CHECK(doc != NULL);
	free(line);
	return doc;
}

/* The fast path: the event with @timestamp and medload added. */
static void
test_fast_path(void)
{
	struct json_object *doc = stored("{\"ellapsed_milli\": 3, "
	    "\"timestamp\": 1795938957.5, \"handler\": \"m\"}", "r1"), *m;

	CHECK(doc != NULL);
	CHECK_STR(json_object_get_string(json_object_object_get(doc,
	    "@timestamp")), "2026-11-29T07:55:57.500000Z");
	CHECK(json_object_object_get_ex(doc, "medload", &m));
	CHECK_STR(json_object_get_string(json_object_object_get(m, "path")),
	    "/acapy.events");
	CHECK_STR(json_object_get_string(json_object_object_get(m, "run_id")),
	    "r1");
	CHECK_STR(json_object_get_string(json_object_object_get(doc,
	    "handler")), "m");
	json_object_put(doc);
	CHECK(stored("[1]", NULL) == NULL);
	CHECK(stored("{\"a\": 1} x", NULL) == NULL);
	CHECK(stored("{\"a\": ", NULL) == NULL);
}

/*
 * The json-c path (a newline in the body) takes every object the fast
 * path takes, nested as deep as the scanner allows (found by
 * tests/fuzz/fuzz_collect: such a body got 400).
 */
static void
test_tree_path_depth(void)
{
	struct json_object *doc;
	char body[200];
	int i, n;

	doc = stored("{\"a\":\n1, \"medload\": 5}", NULL);
	CHECK(doc != NULL);
	CHECK(json_object_is_type(json_object_object_get(doc, "medload"),
	    json_type_object));
	json_object_put(doc);
	n = snprintf(body, sizeof(body), "{\"a\":\n");
	for (i = 0; i < 40; i++)
		body[n++] = '[';
	for (i = 0; i < 40; i++)
		body[n++] = ']';
	body[n++] = '}';
	body[n] = '\0';
	doc = stored(body, NULL);
	CHECK(doc != NULL);
	json_object_put(doc);
}

/*
 * Blanks before the body's '{' are not spliced into the line (found by
 * tests/fuzz/fuzz_collect: "\t{...}" was stored as "{...},{...}").
 */
static void
test_leading_blanks(void)
{
	struct json_object *doc = stored(" \t {\"a\": 7, \"b\": [1]}", NULL);

	CHECK(doc != NULL);
	CHECK(json_object_get_int(json_object_object_get(doc, "a")) == 7);
	CHECK(json_object_object_get_ex(doc, "medload", NULL));
	json_object_put(doc);
	doc = stored("\t{}", NULL);
	CHECK(doc != NULL);
	json_object_put(doc);
}

int
main(void)
{
	RUN(test_fast_path);
	RUN(test_tree_path_depth);
	RUN(test_leading_blanks);
	return CHECK_EXIT();
}
