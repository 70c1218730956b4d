/*
 * source_es_walk.c: reading large search answers without building them
 * whole. json-c makes a tree some 70 times the size of the text, so an
 * aggregation answer stays text (core/jscan walks it) and only its
 * buckets, one at a time, become trees.
 */
#include "source_es_priv.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "es.h"
#include "jscan.h"
#include "jx.h"
#include "strbuf.h"
#include "util.h"

#define SOURCE_ES_WALK_MEMBERS 32	/* members of an object kept */

/* One walk over the elements of an array. */
struct source_es_walk {
	int (*text_fn)(const char *item, size_t len, void *arg, char **cause);
	int (*tree_fn)(struct json_object *item, void *arg, char **cause);
	void *arg;
	char **cause;
	int failed;
};

int
source_es_walk_search(struct es *es, const char *index,
    struct json_object *body, struct http_response *r, char **cause)
{
	char *path = util_printf("/%s/_search", index);
	int rc;

	rc = es_call_text(es, "POST", path, body, SOURCE_ES_WALK_ANSWER_MAX,
	    r, cause);
	free(path);
	return rc;
}

/* Parses one element and hands it to the walk's function. */
static int
source_es_walk_parse(const char *item, size_t n, void *arg, char **cause)
{
	struct source_es_walk *w = arg;
	struct json_object *o;
	int rc;

	if (n > SOURCE_ES_WALK_ITEM_MAX)
		return util_fail(cause, "an aggregation bucket of %zu bytes "
		    "(more than %zu KiB): try a larger --interval", n,
		    SOURCE_ES_WALK_ITEM_MAX >> 10);
	o = jx_parse(item, n, "an aggregation bucket", cause);
	if (o == NULL)
		return -1;
	rc = w->tree_fn(o, w->arg, cause);
	json_object_put(o);
	return rc;
}

/* Hands one element's text to the walk's function; 1 stops the walk. */
static int
source_es_walk_item(const char *item, size_t n, void *arg)
{
	struct source_es_walk *w = arg;

	if (w->text_fn(item, n, w->tree_fn ? w : w->arg, w->cause) == 0)
		return 0;
	w->failed = 1;
	return 1;
}

/* Walks the array at path with w; 0, or -1 with *w->cause. */
static int
source_es_walk_run(const char *text, size_t len, const char *const *path,
    size_t n, struct source_es_walk *w)
{
	const char *err;

	if (jscan_path_each(text, len, path, n, source_es_walk_item, w,
	    &err) == -1)
		return util_fail(w->cause, "the aggregation answer is not as "
		    "asked (%s: %s)", path[n - 1], err);
	return w->failed ? -1 : 0;
}

int
source_es_walk_text(const char *text, size_t len, const char *const *path,
    size_t n, int (*fn)(const char *item, size_t len, void *arg,
    char **cause), void *arg, char **cause)
{
	struct source_es_walk w = { fn, NULL, arg, cause, 0 };

	return source_es_walk_run(text, len, path, n, &w);
}

int
source_es_walk(const char *text, size_t len, const char *const *path,
    size_t n, int (*fn)(struct json_object *item, void *arg, char **cause),
    void *arg, char **cause)
{
	struct source_es_walk w = { source_es_walk_parse, fn, arg, cause, 0 };

	return source_es_walk_run(text, len, path, n, &w);
}

/* One member's value as a tree (*out NULL for null); 0 or -1. */
static int
source_es_walk_value(const struct jscan_member *m, struct json_object **out,
    char **cause)
{
	struct strbuf b;

	*out = NULL;
	if (m->vlen > SOURCE_ES_WALK_ITEM_MAX)
		return util_fail(cause, "an aggregation value of %zu bytes "
		    "(more than %zu KiB)", m->vlen,
		    SOURCE_ES_WALK_ITEM_MAX >> 10);
	if (m->type == JSCAN_NULL)
		return 0;
	if (m->type == JSCAN_STRING) {
		strbuf_init(&b, 0);
		jscan_unescape(m->val, m->vlen, &b);
		*out = json_object_new_string_len(b.data ? b.data : "",
		    (int)b.len);
		strbuf_release(&b);
		return 0;
	}
	*out = jx_parse(m->val, m->vlen, "an aggregation value", cause);
	return *out == NULL ? -1 : 0;
}

struct json_object *
source_es_walk_member(const char *text, size_t len, const char *const *path,
    size_t n, char **cause)
{
	struct jscan_member m;
	struct json_object *v;
	size_t i;

	m.val = text;
	m.vlen = len;
	for (i = 0; i < n; i++) {
		if (i > 0 && m.type != JSCAN_OBJECT)
			return NULL;
		if (jscan_member(m.val, m.vlen, path[i], &m) != 1)
			return NULL;
	}
	if (source_es_walk_value(&m, &v, cause) == -1)
		return NULL;
	return v;
}

struct json_object *
source_es_walk_head(const char *text, size_t len, const char *skip,
    struct jscan_member *rest, char **cause)
{
	struct jscan_member m[SOURCE_ES_WALK_MEMBERS];
	struct json_object *head, *v;
	enum jscan_type t;
	size_t end, n, i;
	const char *err;
	char *key;

	memset(rest, 0, sizeof(*rest));
	if (jscan_value(text, len, &t, &end, m, SOURCE_ES_WALK_MEMBERS, &n,
	    &err) == -1 || t != JSCAN_OBJECT) {
		util_fail(cause, "an aggregation bucket is not an object");
		return NULL;
	}
	if (n > SOURCE_ES_WALK_MEMBERS)
		n = SOURCE_ES_WALK_MEMBERS;
	head = json_object_new_object();
	for (i = 0; i < n; i++) {
		if (m[i].kescaped)
			continue;
		if (jscan_key_is(&m[i], skip)) {
			*rest = m[i];
			continue;
		}
		if (source_es_walk_value(&m[i], &v, cause) == -1) {
			json_object_put(head);
			return NULL;
		}
		key = util_printf("%.*s", (int)m[i].klen, m[i].key);
		json_object_object_add(head, key, v);
		free(key);
	}
	return head;
}
