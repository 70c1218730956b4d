/* chart_knee.c: throughput and latency against users, the knee marked. */
#include "chart_knee.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jx.h"
#include "saturation.h"
#include "util.h"

#define CHART_KNEE_LABELS 4	/* trace labels drawn */

/* The number at key of o, or NAN. */
static double
chart_knee_num(struct json_object *o, const char *key)
{
	struct json_object *v = o ? json_object_object_get(o, key) : NULL;

	return v != NULL && (json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int)) ?
	    json_object_get_double(v) : NAN;
}

/*
 * The client request to draw: the knee's, else the one with the most
 * requests over the steps (borrowed from steps).
 */
static const char *
chart_knee_request(struct json_object *a, struct json_object *steps)
{
	const char *m = jx_str(jx_get(a, "knee.metric"), NULL), *best = NULL;
	struct json_object *c;
	long long most = 0, n;
	size_t i;

	if (m != NULL && strcmp(m, "failures") != 0)
		return m;
	for (i = 0; i < jx_len(steps); i++) {
		c = jx_get(jx_at(steps, i), "client");
		if (!jx_is_object(c))
			continue;
		json_object_object_foreach(c, name, f) {
			n = jx_int(f, "count", 0);
			if (n > most) {
				most = n;
				best = name;
			}
		}
	}
	return best;
}

/* Writes a number cell, "NaN" when missing (gnuplot skips it). */
static void
chart_knee_cell(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.6g", v);
	else
		fputs(" NaN", f);
}

/* The header row: quoted column titles. */
static void
chart_knee_header(FILE *f, const char *req, const char **labels, size_t n)
{
	char *t;
	size_t i;

	chart_data_string(f, "users");
	fputc(' ', f);
	chart_data_string(f, "achieved req/s");
	fputc(' ', f);
	chart_data_string(f, "offered req/s");
	fputc(' ', f);
	t = util_printf("p95 %s (client)", req ? req : "-");
	chart_data_string(f, t);
	free(t);
	for (i = 0; i < n; i++) {
		fputc(' ', f);
		t = util_printf("p95 %s (trace)", labels[i]);
		chart_data_string(f, t);
		free(t);
	}
	fputc('\n', f);
}

/* One row per step with users. */
static void
chart_knee_rows(FILE *f, struct json_object *steps, const char *req,
    const char **labels, size_t n)
{
	struct json_object *s, *c, *t;
	size_t i, j;

	for (i = 0; i < jx_len(steps); i++) {
		s = jx_at(steps, i);
		/* a step cut short has partial rates: left out */
		if (!json_object_get_boolean(jx_get(s, "complete")))
			continue;
		c = jx_get(s, "client");
		t = jx_get(s, "trace");
		/* the users running, as the assessment judges them */
		fprintf(f, "%lld", jx_int(s, "users_actual", 0) > 0 ?
		    jx_int(s, "users_actual", 0) : jx_int(s, "users_target",
		    0));
		chart_knee_cell(f, chart_knee_num(s, "achieved_rps"));
		chart_knee_cell(f, chart_knee_num(s, "offered_rps"));
		chart_knee_cell(f, chart_knee_num(req && jx_is_object(c) ?
		    json_object_object_get(c, req) : NULL, "p95"));
		for (j = 0; j < n; j++)
			chart_knee_cell(f, chart_knee_num(jx_is_object(t) ?
			    json_object_object_get(t, labels[j]) : NULL,
			    "p95"));
		fputc('\n', f);
	}
}

int
chart_knee_data(struct json_object *assessment, struct chart *c,
    struct json_object *params, char **cause)
{
	struct json_object *steps = jx_get(assessment, "steps");
	struct json_object *knee = jx_get(assessment, "knee");
	const char *labels[CHART_KNEE_LABELS], *req;
	size_t n, i;
	FILE *f;
	char *label;

	for (i = 0, n = 0; i < jx_len(steps); i++)
		n += json_object_get_boolean(jx_get(jx_at(steps, i),
		    "complete"));
	if (n < 2)
		return 0;
	req = chart_knee_request(assessment, steps);
	n = saturation_labels(steps, labels, CHART_KNEE_LABELS);
	if ((f = chart_data(c, "steps", cause)) == NULL)
		return -1;
	chart_knee_header(f, req, labels, n);
	chart_knee_rows(f, steps, req, labels, n);
	json_object_object_add(params, "ncols", json_object_new_int(
	    4 + (int)n));
	json_object_object_add(params, "knee", json_object_new_boolean(
	    knee != NULL));
	if (knee != NULL) {
		json_object_object_add(params, "knee_users",
		    json_object_new_int64(jx_int(knee, "users", 0)));
		label = util_printf("knee: step %lld", jx_int(knee, "step",
		    0));
		json_object_object_add(params, "knee_label",
		    json_object_new_string(label));
		free(label);
	}
	return 1;
}
