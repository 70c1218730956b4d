/* filter.c: glob and time-window filters over trace events. */
#include "filter.h"

#include <fnmatch.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "timeutil.h"
#include "trace.h"
#include "util.h"

/* Says whether s matches one of the patterns (or there are none). */
static int
filter_any(const char **pats, size_t n, const char *s)
{
	size_t i;

	if (n == 0)
		return 1;
	if (s == NULL)
		s = "";
	for (i = 0; i < n; i++)
		if (fnmatch(pats[i], s, 0) == 0)
			return 1;
	return 0;
}

int
filter_match(const struct filter *f, const struct trace_event *ev)
{
	if (f->has_since && ev->time < f->since)
		return 0;
	if (f->has_until && ev->time >= f->until)
		return 0;
	return filter_any(f->labels, f->nlabels, ev->label) &&
	    filter_any(f->outcomes, f->noutcomes, ev->outcome) &&
	    filter_any(f->types, f->ntypes, ev->traced_type);
}

void
filter_add(const char ***list, size_t *n, const char *pattern)
{
	*list = util_realloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = pattern;
}

void
filter_release(struct filter *f)
{
	free(f->labels);
	free(f->outcomes);
	free(f->types);
	f->labels = f->outcomes = f->types = NULL;
	f->nlabels = f->noutcomes = f->ntypes = 0;
}

/* Records a list of patterns in the filters object. */
static void
filter_doc_list(struct json_object *o, const char *name,
    const char **list, size_t n)
{
	struct json_object *arr;
	size_t i;

	if (n == 0)
		return;
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(list[i]));
	json_object_object_add(o, name, arr);
}

struct json_object *
filter_doc(const struct filter *f)
{
	struct json_object *o = json_object_new_object();
	char buf[TIME_BUF];

	filter_doc_list(o, "label", f->labels, f->nlabels);
	filter_doc_list(o, "outcome", f->outcomes, f->noutcomes);
	filter_doc_list(o, "traced_type", f->types, f->ntypes);
	if (f->has_since)
		json_object_object_add(o, "since",
		    json_object_new_string(time_format(f->since, buf)));
	if (f->has_until)
		json_object_object_add(o, "until",
		    json_object_new_string(time_format(f->until, buf)));
	return o;
}
