/* timeaxis.c: seconds since the run's start, its steps, what is outside. */
#include "timeaxis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jx.h"
#include "timeutil.h"
#include "util.h"

/* The load steps: where the series' target users change. */
static struct json_object *
timeaxis_steps(struct json_object *series)
{
	struct json_object *steps = json_object_new_array(), *p, *s;
	double prev = -1, target;
	char *label;
	size_t i;
	int n = 0;

	for (i = 0; i < jx_len(series); i++) {
		p = jx_at(series, i);
		if (jx_get(p, "target_users") == NULL)
			continue;
		target = jx_num(p, "target_users", 0);
		if (target == prev)
			continue;
		prev = target;
		if (target == 0 && i > 0)
			continue;	/* the ramp down: no step */
		s = json_object_new_object();
		json_object_object_add(s, "t", json_object_new_double(
		    jx_num(p, "t", (double)i)));
		label = util_printf("step %d: %.0f users", ++n, target);
		json_object_object_add(s, "label", json_object_new_string(
		    label));
		free(label);
		json_object_array_add(steps, s);
	}
	return steps;
}

/* Counts the analysis' series events outside the window. */
static void
timeaxis_count(struct timeaxis *a, struct json_object *analysis)
{
	struct json_object *labels = jx_get(analysis, "series.labels"), *pts;
	size_t i, j;
	int w;

	for (i = 0; i < jx_len(labels); i++) {
		pts = jx_get(jx_at(labels, i), "points");
		for (j = 0; j < jx_len(pts); j++) {
			w = timeaxis_where(a, jx_num(jx_at(pts, j), "ts",
			    0));
			if (w < 0)
				a->before += jx_num(jx_at(pts, j),
				    "count", 0);
			else if (w > 0)
				a->after += jx_num(jx_at(pts, j),
				    "count", 0);
			else
				a->inside += jx_num(jx_at(pts, j),
				    "count", 0);
		}
	}
}

void
timeaxis_init(struct timeaxis *a, struct json_object *run,
    struct json_object *analysis)
{
	memset(a, 0, sizeof(*a));
	if (run == NULL || time_parse(jx_str(jx_get(run, "window_start"), ""),
	    &a->start) == -1)
		return;
	a->end_s = jx_num(run, "duration_s", 0);
	if (!(a->end_s > 0) || !isfinite(a->end_s))
		return;
	a->on = 1;
	a->steps = timeaxis_steps(jx_get(run, "series"));
	timeaxis_count(a, analysis);
}

void
timeaxis_release(struct timeaxis *a)
{
	json_object_put(a->steps);
	a->steps = NULL;
}

const struct timeaxis *
timeaxis_traces(const struct timeaxis *a)
{
	if (!a->on || (a->inside == 0 && a->before + a->after > 0))
		return NULL;
	return a;
}

int
timeaxis_where(const struct timeaxis *a, double ts)
{
	if (!a->on)
		return 0;
	if (ts < a->start - 0.5)
		return -1;	/* half a bin of slack at each end */
	if (ts > a->start + a->end_s + 0.5)
		return 1;
	return 0;
}

void
timeaxis_params(const struct timeaxis *a, struct json_object *params)
{
	if (!a->on)
		return;
	json_object_object_add(params, "has_axis", json_object_new_boolean(1));
	json_object_object_add(params, "xmax", json_object_new_double(
	    a->end_s));
	json_object_object_add(params, "steps", json_object_get(a->steps));
}

char *
timeaxis_note(const struct timeaxis *a)
{
	if (!a->on || (a->before == 0 && a->after == 0))
		return NULL;
	if (a->inside == 0)
		return util_printf("No trace event falls within the run's "
		    "window (%.0f before it, %.0f after it): the trace charts "
		    "keep their own time axis.", a->before, a->after);
	return util_printf("%.0f trace events before the run's start and "
	    "%.0f after its end are left out of the time charts.",
	    a->before, a->after);
}
