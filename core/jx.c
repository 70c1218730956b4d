/* jx.c: json-c accessors that tolerate the wrong type. */
#include "jx.h"

#include <string.h>

#include <json-c/json.h>

#include "util.h"

size_t
jx_len(const struct json_object *a)
{
	return json_object_is_type(a, json_type_array) ?
	    json_object_array_length(a) : 0;
}

struct json_object *
jx_at(const struct json_object *a, size_t i)
{
	return i < jx_len(a) ? json_object_array_get_idx(a, i) : NULL;
}

size_t
jx_members(const struct json_object *o)
{
	return jx_is_object(o) ? (size_t)json_object_object_length(o) : 0;
}

const char *
jx_str(const struct json_object *o, const char *dflt)
{
	const char *s = o != NULL ? json_object_get_string(
	    (struct json_object *)o) : NULL;

	return s != NULL ? s : dflt;
}

void
jx_join_values(struct strbuf *b, const struct json_object *o,
    const char *sep)
{
	struct json_object *obj = (struct json_object *)o;
	int first = 1;

	if (!jx_is_object(obj)) {
		strbuf_addc(b, '-');
		return;
	}
	json_object_object_foreach(obj, k, v) {
		(void)k;
		if (!first)
			strbuf_adds(b, sep);
		strbuf_adds(b, jx_str(v, "-"));
		first = 0;
	}
}

int
jx_schema_is(const struct json_object *o, const char *name)
{
	struct json_object *v;

	return jx_is_object(o) && json_object_object_get_ex(o, "schema", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), name) == 0;
}

int
jx_is_object(const struct json_object *o)
{
	return json_object_is_type(o, json_type_object);
}
