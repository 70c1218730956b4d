/* render_fold.c: START groups into their END group, a repeated handler. */
#include "render_fold.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hmap.h"
#include "jx.h"
#include "strbuf.h"
#include "util.h"

/*
 * The key of group g for matching (caller releases b): every "by" value
 * but the outcome, then the outcome with its first ".START" read as
 * ".END" when start is set. Returns 0, or -1 when there is no such
 * ".START" or no outcome.
 */
static int
render_fold_key(struct json_object *by, struct json_object *g, int start,
    struct strbuf *b)
{
	struct json_object *key = jx_get(g, "key");
	const char *o = NULL, *name, *p;
	size_t i;

	strbuf_init(b, 0);
	for (i = 0; i < jx_len(by); i++) {
		name = jx_str(jx_at(by, i), "");
		if (strcmp(name, "outcome") == 0) {
			o = jx_str(json_object_object_get(key, name), NULL);
			continue;
		}
		strbuf_adds(b, jx_str(json_object_object_get(key, name), ""));
		strbuf_addc(b, '\x1f');
	}
	if (o == NULL)
		return -1;
	if (!start) {
		strbuf_adds(b, o);
		return 0;
	}
	if ((p = strstr(o, ".START")) == NULL)
		return -1;
	strbuf_add(b, o, (size_t)(p - o));
	strbuf_adds(b, ".END");
	strbuf_adds(b, p + 6);
	return 0;
}

/* Folds every START group of doc that has an END group. */
static void
render_fold_starts(struct json_object *by, struct json_object *groups,
    struct render_fold *f)
{
	struct hmap *ends = hmap_new();
	struct strbuf b;
	size_t j;
	void *v;

	for (j = 0; j < f->n; j++) {
		if (render_fold_key(by, jx_at(groups, j), 0, &b) == 0 &&
		    hmap_get(ends, b.data, b.len) == NULL)
			hmap_put(ends, b.data, b.len, (void *)(j + 1));
		strbuf_release(&b);
	}
	for (j = 0; j < f->n; j++) {
		if (render_fold_key(by, jx_at(groups, j), 1, &b) == 0 &&
		    (v = hmap_get(ends, b.data, b.len)) != NULL) {
			f->into[j] = (long)((size_t)v - 1);
			f->starts[f->into[j]] = (f->starts[f->into[j]] < 0 ?
			    0 : f->starts[f->into[j]]) + (double)jx_int(
			    jx_at(groups, j), "count", 0);
			f->folded = 1;
		}
		strbuf_release(&b);
	}
	hmap_free(ends, NULL);
}

/* The "by" index of a handler that repeats the label everywhere, or -1. */
static long
render_fold_handler(struct json_object *by, struct json_object *groups)
{
	struct json_object *key;
	long h = -1, l = -1;
	size_t i;

	for (i = 0; i < jx_len(by); i++) {
		if (strcmp(jx_str(jx_at(by, i), ""), "handler") == 0)
			h = (long)i;
		if (strcmp(jx_str(jx_at(by, i), ""), "label") == 0)
			l = (long)i;
	}
	if (h < 0 || l < 0)
		return -1;
	for (i = 0; i < jx_len(groups); i++) {
		key = jx_get(jx_at(groups, i), "key");
		if (strcmp(jx_str(jx_get(key, "handler"), ""),
		    jx_str(jx_get(key, "label"), "")) != 0)
			return -1;
	}
	return h;
}

void
render_fold_plan(struct json_object *doc, int fold, struct render_fold *f)
{
	struct json_object *by = jx_get(doc, "by");
	struct json_object *groups = jx_get(doc, "groups");
	size_t j;

	memset(f, 0, sizeof(*f));
	f->n = jx_len(groups);
	f->into = util_calloc(f->n ? f->n : 1, sizeof(*f->into));
	f->starts = util_calloc(f->n ? f->n : 1, sizeof(*f->starts));
	for (j = 0; j < f->n; j++) {
		f->into[j] = -1;
		f->starts[j] = -1;
	}
	f->hide = -1;
	if (!fold)
		return;
	render_fold_starts(by, groups, f);
	f->hide = render_fold_handler(by, groups);
}

void
render_fold_release(struct render_fold *f)
{
	free(f->into);
	free(f->starts);
	f->into = NULL;
	f->starts = NULL;
}
