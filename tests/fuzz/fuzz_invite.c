/*
 * fuzz_invite.c: invitation URLs (loader/invite.c), as a mediator's admin
 * API or a user hands them: the c_i= or oob= parameter found, percent-
 * and base64-decoded (URL-safe and standard alphabets). Oracles: a decoded
 * invitation is a JSON object, and a refusal says why.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "invite.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = fuzzlib_cstr(data, size), *json = NULL, *cause = NULL;
	char *raw;
	struct json_object *doc;
	enum invite_kind kind;
	size_t n;

	if (invite_decode(url, &kind, &json, &cause) == 0) {
		doc = json_tokener_parse(json);
		if (doc == NULL || !json_object_is_type(doc, json_type_object))
			fuzzlib_fail("a decoded invitation that is no JSON "
			    "object", json);
		json_object_put(doc);
	} else if (cause == NULL)
		fuzzlib_fail("a refused invitation without a reason", url);
	free(json);
	free(cause);
	raw = invite_b64_decode(url, size, &n);
	free(raw);
	raw = invite_b64_decode_std(url, size, &n);
	free(raw);
	free(url);
	return 0;
}
