/* failtable.c: the client's and the traces' failures in one table. */
#include "failtable.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis.h"
#include "jx.h"
#include "timeutil.h"
#include "ttable.h"
#include "util.h"

#define FAILTABLE_MAX 500	/* rows at most */

/* One row before sorting. */
struct failtable_row {
	char *name, *error, *first;
	double count;
};

/* Orders rows by count, the largest first. */
static int
failtable_cmp(const void *pa, const void *pb)
{
	const struct failtable_row *a = pa, *b = pb;

	return a->count < b->count ? 1 : a->count > b->count ? -1 : 0;
}

/* Adds a row (the strings taken) when there is room. */
static void
failtable_add(struct failtable_row *r, size_t *n, char *name, char *error,
    double count, char *first)
{
	if (*n >= FAILTABLE_MAX) {
		free(name);
		free(error);
		free(first);
		return;
	}
	r[(*n)++] = (struct failtable_row){ name, error, first, count };
}

/* The client's failed requests, one row per request and error text. */
static void
failtable_client(struct json_object *run, struct failtable_row *r, size_t *n)
{
	struct json_object *stats = jx_get(run, "stats"), *s, *first;
	size_t i;

	for (i = 0; i < jx_len(stats); i++) {
		s = jx_at(stats, i);
		first = jx_get(s, "error_first_s");
		if (!jx_is_object(jx_get(s, "error_texts")))
			continue;
		json_object_object_foreach(jx_get(s, "error_texts"), text, c) {
			struct json_object *f = json_object_object_get(first,
			    text);

			failtable_add(r, n, util_printf("%s %s", jx_str(
			    jx_get(s, "method"), ""), jx_str(jx_get(s, "name"),
			    "")), util_strdup(text), json_object_get_double(c),
			    f ? util_printf("%.1f s", json_object_get_double(f))
			    : util_strdup("-"));
		}
	}
}

/* When a trace group was first seen: seconds after start, or its time. */
static char *
failtable_first(const char *when, double start, int has_start)
{
	double t;

	if (when == NULL)
		return util_strdup("-");
	if (has_start && time_parse(when, &t) == 0)
		return util_printf("%.1f s", t - start);
	return util_strdup(when);
}

/* The trace groups whose outcome is an error. */
static void
failtable_traces(struct json_object *analysis, struct json_object *run,
    struct failtable_row *r, size_t *n)
{
	struct json_object *groups = jx_get(analysis, "groups"), *g;
	double start = 0;
	int has_start = run != NULL && time_parse(jx_str(jx_get(run,
	    "window_start"), ""), &start) == 0;
	size_t i;

	for (i = 0; i < jx_len(groups); i++) {
		g = jx_at(groups, i);
		if (!analysis_outcome_is_error(jx_str(jx_get(g,
		    "key.outcome"), NULL)))
			continue;
		failtable_add(r, n, util_strdup(jx_str(jx_get(g, "key.label"),
		    jx_str(jx_get(g, "key.handler"), "-"))),
		    util_strdup(jx_str(jx_get(g, "key.outcome"), "")),
		    (double)jx_int(g, "count", 0), failtable_first(jx_str(
		    jx_get(g, "first"), NULL), start, has_start));
	}
}

struct json_object *
failtable_build(struct json_object *analysis, struct json_object *run)
{
	static const char *const head[] = { "name", "error", "count",
	    "first seen" };
	struct failtable_row *r = util_calloc(FAILTABLE_MAX, sizeof(*r));
	struct json_object *out = NULL;
	struct ttable *t;
	size_t n = 0, i;

	failtable_client(run, r, &n);
	failtable_traces(analysis, run, r, &n);
	util_sort(r, n, sizeof(*r), failtable_cmp);
	t = ttable_new(4, 2);
	for (i = 0; i < 4; i++)
		ttable_head(t, i, head[i]);
	for (i = 0; i < n; i++) {
		ttable_row(t);
		ttable_cell(t, 0, r[i].name);
		ttable_cell(t, 1, r[i].error);
		ttable_cellf(t, 2, "%.0f", r[i].count);
		ttable_cell(t, 3, r[i].first);
		free(r[i].name);
		free(r[i].error);
		free(r[i].first);
	}
	if (n > 0)
		out = ttable_json(t);
	ttable_free(t);
	free(r);
	return out;
}
