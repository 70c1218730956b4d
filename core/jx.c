/* jx.c: json-c accessors that tolerate the wrong type. */
#include "jx.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "files.h"
#include "jscan.h"
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

struct json_object *
jx_get(const struct json_object *o, const char *path)
{
	struct json_object *cur = (struct json_object *)o, *v;
	const char *dot;
	char key[128];
	size_t n;

	while (cur != NULL) {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key) || !jx_is_object(cur))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(cur, key, &v))
			return NULL;
		cur = v;
		if (dot == NULL)
			return cur;
		path = dot + 1;
	}
	return NULL;
}

long long
jx_int(const struct json_object *o, const char *path, long long dflt)
{
	struct json_object *v = jx_get(o, path);

	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return dflt;
	return (long long)json_object_get_int64(v);
}

double
jx_num(const struct json_object *o, const char *path, double dflt)
{
	struct json_object *v = jx_get(o, path);

	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return dflt;
	return json_object_get_double(v);
}

struct json_object *
jx_parse_depth(const char *text, size_t len, int depth, char **cause)
{
	struct json_tokener *tok;
	struct json_object *doc;
	enum json_tokener_error e;
	size_t i, end;

	if (len > (size_t)INT32_MAX) {
		util_fail(cause, "not a JSON document (too large)");
		return NULL;
	}
	tok = json_tokener_new_ex(depth > 0 ? depth :
	    JSON_TOKENER_DEFAULT_DEPTH);
	doc = json_tokener_parse_ex(tok, text, (int)len);
	end = doc != NULL ? (size_t)json_tokener_get_parse_end(tok) : len;
	/* A number at the very end waits for a delimiter: give it one. */
	if (doc == NULL && json_tokener_get_error(tok) == json_tokener_continue)
		doc = json_tokener_parse_ex(tok, " ", 1);
	if (doc == NULL) {
		e = json_tokener_get_error(tok);
		if (e == json_tokener_continue)
			util_fail(cause, "not a JSON document (cut short)");
		else
			util_fail(cause, "not a JSON document: %s",
			    json_tokener_error_desc(e));
		json_tokener_free(tok);
		return NULL;
	}
	for (i = end; i < len; i++) {
		if (text[i] == '\0' || strchr(" \t\r\n", text[i]) == NULL) {
			util_fail(cause, "not a JSON document (text after "
			    "the end)");
			json_object_put(doc);
			doc = NULL;
			break;
		}
	}
	json_tokener_free(tok);
	return doc;
}

struct json_object *
jx_parse(const char *text, size_t len, const char *what, char **cause)
{
	struct json_object *doc = jx_parse_depth(text, len, 0, cause);
	char *m;

	if (doc == NULL && cause != NULL) {
		m = *cause;
		*cause = util_printf("%s: %s", what, m);
		free(m);
	}
	return doc;
}

struct json_object *
jx_load(const char *path, const char *schema, size_t max, char **cause)
{
	struct json_object *doc, *v;
	struct strbuf b;
	size_t len;
	char *text = files_read(path, max ? max : (size_t)256 << 20, &len,
	    cause);

	if (text == NULL)
		return NULL;
	doc = jx_parse(text, len, path, cause);
	free(text);
	if (doc == NULL || schema == NULL || jx_schema_is(doc, schema))
		return doc;
	v = jx_get(doc, "schema");
	strbuf_init(&b, 0);
	if (v == NULL)
		strbuf_adds(&b, "missing");
	else if (!json_object_is_type(v, json_type_string))
		strbuf_adds(&b, "not a string");
	else {
		strbuf_addc(&b, '"');
		util_safe_append(&b, json_object_get_string(v));
		strbuf_addc(&b, '"');
	}
	util_fail(cause, "%s: not a %s document (its schema is %.80s)", path,
	    schema, b.data);
	strbuf_release(&b);
	json_object_put(doc);
	return NULL;
}

struct json_object *
jx_lines(const char *s)
{
	struct json_object *a = json_object_new_array();
	const char *nl;

	while (*s != '\0') {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		json_object_array_add(a, json_object_new_string_len(s,
		    (int)(nl - s)));
		s = *nl != '\0' ? nl + 1 : nl;
	}
	return a;
}
