/* test_jsub.c: query templates are filled with values, never text. */
#include "jsub.h"

#include <stdlib.h>

#include <json-c/json.h>

#include "check.h"
#include "util.h"

/* Fills a template and returns the compact JSON (caller frees), or NULL. */
static char *
fill(const char *tmpl, struct jsub_params *p)
{
	struct json_object *o;
	char *cause = NULL, *s;

	o = jsub_fill("t", tmpl, p, &cause);
	if (o == NULL) {
		free(cause);
		return NULL;
	}
	s = util_strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

static void
test_values(void)
{
	struct jsub_params *p = jsub_params_new();
	char *s;

	jsub_set_string(p, "label", "mediator.trace");
	CHECK(jsub_set_number(p, "size", 500) == 0);
	s = fill("{\"size\":\"${size}\",\"q\":{\"term\":{\"handler\":"
	    "\"${label}\"}},\"keep\":\"$notaparam\"}", p);
	CHECK_STR(s, "{\"size\":500,\"q\":{\"term\":{\"handler\":"
	    "\"mediator.trace\"}},\"keep\":\"$notaparam\"}");
	free(s);
	jsub_params_free(p);
}

static void
test_injection_stays_a_value(void)
{
	static const char *const hostile[] = {
		"x\"}},\"must_not\":{\"match_all\":{}}}}",
		"a\\\"b\\\\",
		"\"}}",
		"${label}",
	};
	struct json_object *o, *q, *t, *h;
	struct jsub_params *p;
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		p = jsub_params_new();
		jsub_set_string(p, "label", hostile[i]);
		o = jsub_fill("t", "{\"query\":{\"term\":{\"handler\":"
		    "\"${label}\"}},\"size\":0}", p, NULL);
		CHECK(o != NULL);
		/* Same structure: one member "query" -> "term" -> "handler". */
		CHECK(json_object_object_length(o) == 2);
		CHECK(json_object_object_get_ex(o, "query", &q));
		CHECK(json_object_object_length(q) == 1);
		CHECK(json_object_object_get_ex(q, "term", &t));
		CHECK(json_object_object_length(t) == 1);
		CHECK(json_object_object_get_ex(t, "handler", &h));
		CHECK_STR(json_object_get_string(h), hostile[i]);
		json_object_put(o);
		jsub_params_free(p);
	}
}

static void
test_optional_and_missing(void)
{
	struct jsub_params *p = jsub_params_new();
	char *cause = NULL, *s;

	s = fill("{\"a\":1,\"after\":\"${after?}\"}", p);
	CHECK_STR(s, "{\"a\":1}");
	free(s);
	jsub_set(p, "after", json_tokener_parse("{\"k\":\"v\"}"));
	s = fill("{\"a\":1,\"after\":\"${after?}\"}", p);
	CHECK_STR(s, "{\"a\":1,\"after\":{\"k\":\"v\"}}");
	free(s);
	CHECK(jsub_fill("t", "{\"a\":\"${nope}\"}", p, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "\"nope\" has no value") != NULL);
	free(cause);
	cause = NULL;
	CHECK(jsub_fill("t", "{\"a\":", p, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "not JSON") != NULL);
	free(cause);
	CHECK(jsub_set_number(p, "n", NAN) == -1);
	jsub_params_free(p);
}

int
main(void)
{
	RUN(test_values);
	RUN(test_injection_stays_a_value);
	RUN(test_optional_and_missing);
	return CHECK_EXIT();
}
