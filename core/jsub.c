/* jsub.c: JSON-aware substitution into query templates. */
#include "jsub.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hmap.h"
#include "jx.h"
#include "util.h"

struct jsub_params {
	struct hmap *m;		/* name -> struct json_object * (may be null) */
	struct hmap *set;	/* name -> marker, for null values */
};

/* Puts a json-c value (hmap value callback). */
static void
jsub_put(void *v)
{
	json_object_put(v);
}

struct jsub_params *
jsub_params_new(void)
{
	struct jsub_params *p = util_calloc(1, sizeof(*p));

	p->m = hmap_new();
	p->set = hmap_new();
	return p;
}

void
jsub_params_free(struct jsub_params *p)
{
	if (p == NULL)
		return;
	hmap_free(p->m, jsub_put);
	hmap_free(p->set, NULL);
	free(p);
}

void
jsub_set(struct jsub_params *p, const char *name, struct json_object *v)
{
	json_object_put(hmap_put(p->m, name, strlen(name), v));
	hmap_put(p->set, name, strlen(name), p);
}

void
jsub_set_string(struct jsub_params *p, const char *name, const char *s)
{
	jsub_set(p, name, json_object_new_string(s));
}

int
jsub_set_number(struct jsub_params *p, const char *name, double v)
{
	char buf[32];

	if (!isfinite(v))
		return -1;
	jsub_set(p, name, json_object_new_double_s(v, util_num(v, buf)));
	return 0;
}

/*
 * Says whether s is a placeholder; sets *name to its name span and
 * *optional when it ends with '?' ("${after?}": the member is dropped when
 * the parameter is not set).
 */
static int
jsub_placeholder(const char *s, size_t len, const char **name, size_t *nlen,
    int *optional)
{
	if (len < 4 || s[0] != '$' || s[1] != '{' || s[len - 1] != '}')
		return 0;
	*name = s + 2;
	*nlen = len - 3;
	*optional = s[len - 2] == '?';
	if (*optional)
		(*nlen)--;
	return *nlen > 0;
}

/* Says whether v is an optional placeholder whose parameter is unset. */
static int
jsub_absent(struct json_object *v, const struct jsub_params *p)
{
	const char *name;
	size_t nlen;
	int optional;

	return json_object_is_type(v, json_type_string) &&
	    jsub_placeholder(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), &name, &nlen, &optional) &&
	    optional && hmap_get(p->set, name, nlen) == NULL;
}

/* Replaces placeholders below o; returns the (possibly new) node. */
static struct json_object *
jsub_walk(struct json_object *o, const struct jsub_params *p,
    const char *tname, char **cause, int *failed)
{
	struct json_object *v, *copy = NULL, *n;
	const char *name;
	size_t nlen, i;
	int optional;

	if (o == NULL || *failed)
		return o;
	switch (json_object_get_type(o)) {
	case json_type_string:
		if (!jsub_placeholder(json_object_get_string(o),
		    (size_t)json_object_get_string_len(o), &name, &nlen,
		    &optional))
			return o;
		if (hmap_get(p->set, name, nlen) == NULL) {
			util_fail(cause, "%s: parameter \"%.*s\" has no value",
			    tname, (int)nlen, name);
			*failed = 1;
			return o;
		}
		v = hmap_get(p->m, name, nlen);
		if (v != NULL && json_object_deep_copy(v, &copy, NULL) != 0) {
			*failed = 1;
			return o;
		}
		json_object_put(o);
		return copy;
	case json_type_array:
		for (i = 0; i < jx_len(o); i++) {
			v = jx_at(o, i);
			json_object_get(v);
			n = jsub_walk(v, p, tname, cause, failed);
			json_object_array_put_idx(o, i, n);
		}
		return o;
	case json_type_object: {
		struct json_object_iterator it = json_object_iter_begin(o);
		struct json_object_iterator end = json_object_iter_end(o);

		while (!json_object_iter_equal(&it, &end)) {
			const char *k = json_object_iter_peek_name(&it);

			v = json_object_iter_peek_value(&it);
			json_object_iter_next(&it);
			if (jsub_absent(v, p)) {
				json_object_object_del(o, k);
				continue;
			}
			json_object_get(v);
			n = jsub_walk(v, p, tname, cause, failed);
			json_object_object_add(o, k, n);
		}
		return o;
	}
	default:
		return o;
	}
}

struct json_object *
jsub_fill(const char *name, const char *template_text,
    const struct jsub_params *p, char **cause)
{
	struct json_object *doc;
	enum json_tokener_error err;
	int failed = 0;

	doc = json_tokener_parse_verbose(template_text, &err);
	if (doc == NULL) {
		util_fail(cause, "%s: not JSON: %s", name,
		    json_tokener_error_desc(err));
		return NULL;
	}
	doc = jsub_walk(doc, p, name, cause, &failed);
	if (failed) {
		json_object_put(doc);
		return NULL;
	}
	return doc;
}
