/* report.c: analysis (+ run) -> text, Markdown, HTML and charts. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "chart.h"
#include "chart_knee.h"
#include "cli.h"
#include "failtable.h"
#include "files.h"
#include "flows_chart.h"
#include "jx.h"
#include "render.h"
#include "timeaxis.h"
#include "timeutil.h"
#include "tmpl.h"
#include "util.h"
#include "verdict.h"

#define REPORT_TOP_GROUPS 20
#define REPORT_TOP_OUTCOMES 10
#define REPORT_MAX_BINS 1000000	/* time bins of one chart curve */

/* A number by path, or dflt. */
static double
report_num(struct json_object *o, const char *path, double dflt)
{
	struct json_object *v = jx_get(o, path);

	if (v == NULL || !(json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)))
		return dflt;
	return json_object_get_double(v);
}

/* A string by path, or "". */
static const char *
report_str(struct json_object *o, const char *path)
{
	struct json_object *v = jx_get(o, path);

	return v && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
}

int
report_load(const char *path, const char *schema, struct json_object **out,
    char **cause)
{
	*out = jx_load(path, schema, 0, cause);
	return *out != NULL ? 0 : -1;
}

/* State while drawing the charts. */
struct report_charts {
	const struct report_input *in;
	char *dir;
	struct json_object *list;	/* [{title, file, svg}] */
	struct json_object *problems;	/* [string] */
	struct json_object *notes;	/* [string]: SVGs left out */
	struct timeaxis axis;		/* the run's, for every time chart */
	int drawn;
	int failed;
	int svg_left_out;
};

/* Renders one chart; records it or the problem. */
static void
report_chart_done(struct report_charts *rc, struct chart *c, const char *file,
    const char *title, const char *tmpl, struct json_object *params)
{
	struct json_object *entry;

	entry = chart_render_listed(c, file, title, tmpl, rc->in->templates,
	    params, rc->list, rc->problems);
	if (entry == NULL) {
		rc->failed++;
		return;
	}
	if (chart_svg(c) != NULL)
		json_object_object_add(entry, "svg",
		    json_object_new_string(chart_svg(c)));
	if (chart_svg_left_out(c) != NULL) {
		json_object_array_add(rc->notes, json_object_new_string(
		    chart_svg_left_out(c)));
		rc->svg_left_out++;
	}
	rc->drawn++;
}

/* Records a data file that could not be opened. */
static void
report_chart_fail(struct report_charts *rc, char *cause)
{
	json_object_array_add(rc->problems, json_object_new_string(cause ?
	    cause : "cannot write chart data"));
	rc->failed++;
	free(cause);
}

/* Chart 7: where each exchange's time goes (an analysis with flows). */
static void
report_chart_flows(struct report_charts *rc)
{
	struct json_object *params = json_object_new_object();
	struct chart *c = chart_new(rc->dir, "flows");
	char *cause = NULL;
	int n = flows_chart_data(rc->in->analysis, c, params, &cause);

	if (n == 1)
		report_chart_done(rc, c, "flows", FLOWS_CHART_TITLE,
		    FLOWS_CHART_TEMPLATE, params);
	else if (n == -1)
		report_chart_fail(rc, cause);
	json_object_put(params);
	chart_free(c);
}

/* Chart 8: throughput and p95 against users (a stepped run's assessment). */
static void
report_chart_knee(struct report_charts *rc)
{
	struct json_object *params = json_object_new_object();
	struct chart *c = chart_new(rc->dir, "knee");
	char *cause = NULL;
	int n = chart_knee_data(rc->in->assessment, c, params, &cause);

	if (n == 1)
		report_chart_done(rc, c, "knee", CHART_KNEE_TITLE,
		    CHART_KNEE_TEMPLATE, params);
	else if (n == -1)
		report_chart_fail(rc, cause);
	json_object_put(params);
	chart_free(c);
}

/* Chart 1: users and requests/s over time (needs a run). */
static void
report_chart_users(struct report_charts *rc)
{
	struct json_object *series = jx_get(rc->in->run, "series"), *p;
	struct chart *c;
	FILE *fs, *fst;
	char *cause = NULL;
	double prev = -1;
	size_t i, n;
	int has_target = 0;

	if (series == NULL || (n = jx_len(series)) == 0)
		return;
	c = chart_new(rc->dir, "users");
	fs = chart_data(c, "series", &cause);
	fst = fs ? chart_data(c, "steps", &cause) : NULL;
	if (fst == NULL) {
		report_chart_fail(rc, cause);
		chart_free(c);
		return;
	}
	fprintf(fs, "# t target actual rps fps\n");
	fprintf(fst, "# t users (a load step starts)\n");
	for (i = 0; i < n; i++) {
		double t, target;

		p = jx_at(series, i);
		t = report_num(p, "t", (double)i);
		if (jx_get(p, "target_users") != NULL)
			has_target = 1;
		target = report_num(p, "target_users", 0);
		fprintf(fs, "%g %g %g %g %g\n", t, target,
		    report_num(p, "actual_users", 0), report_num(p, "rps", 0),
		    report_num(p, "fps", 0));
		if (target != prev)
			fprintf(fst, "%g %g\n", t, target);
		prev = target;
	}
	p = json_object_new_object();
	/* a Locust run has no target: only the users it had */
	json_object_object_add(p, "has_target",
	    json_object_new_boolean(has_target));
	timeaxis_params(&rc->axis, p);
	report_chart_done(rc, c, "users", has_target ? "Users (target, actual)"
	    " and requests/s over time" : "Users and requests/s over time",
	    "report-templates/chart-users.gp.tmpl", p);
	json_object_put(p);
	chart_free(c);
}

/* The earliest series time of the analysis (0 when none). */
static double
report_series_start(struct json_object *labels)
{
	double start = 0, ts;
	size_t i;
	int any = 0;

	for (i = 0; i < jx_len(labels); i++) {
		struct json_object *pts = jx_get(
		    jx_at(labels, i), "points");

		if (pts == NULL || jx_len(pts) == 0)
			continue;
		ts = report_num(jx_at(pts, 0), "ts", 0);
		if (!any || ts < start)
			start = ts;
		any = 1;
	}
	return start;
}

/* Sets "file" to the data file name chart_data gave NAME-suffix. */
static void
report_add_file(struct json_object *e, const char *name, const char *suffix)
{
	char *file = util_printf("%s-%s.dat", name, suffix);

	json_object_object_add(e, "file", json_object_new_string(file));
	free(file);
}

/* Adds one label's curve {file, label, color} to a chart's list. */
static void
report_label_entry(struct json_object *arr, const char *chart,
    const char *suffix, const char *label, int color)
{
	struct json_object *e = json_object_new_object();

	report_add_file(e, chart, suffix);
	json_object_object_add(e, "label", json_object_new_string(label));
	json_object_object_add(e, "color", json_object_new_int(color));
	json_object_array_add(arr, e);
}

/* A series' total count. */
static double
report_series_total(struct json_object *s)
{
	struct json_object *pts = jx_get(s, "points");
	double t = 0;
	size_t i;

	for (i = 0; pts && i < jx_len(pts); i++)
		t += report_num(jx_at(pts, i), "count", 0);
	return t;
}

/* A spectrum's event count. */
static double
report_spectrum_count(struct json_object *s)
{
	return report_num(s, "count", 0);
}

/* The labels (or series) of a chart: the busiest first, then the rest. */
struct report_top {
	struct json_object **sel;	/* n, the keep shown first */
	size_t n, keep;
};

/* Ranks the items of arr by count and keeps CHART_TOP_LABELS of them. */
static void
report_top(struct report_top *t, struct json_object *arr,
    double (*count)(struct json_object *))
{
	double *counts;
	size_t i;

	t->n = jx_len(arr);
	t->sel = util_calloc(t->n ? t->n : 1, sizeof(*t->sel));
	counts = util_calloc(t->n ? t->n : 1, sizeof(*counts));
	for (i = 0; i < t->n; i++) {
		t->sel[i] = jx_at(arr, i);
		counts[i] = count(t->sel[i]);
	}
	t->keep = chart_top(t->sel, counts, t->n, CHART_TOP_LABELS);
	free(counts);
}

/* A time bin of a merged line. */
struct report_point {
	double ts, count, p50, p95, p99, max;
};

/* Orders points by time. */
static int
report_point_cmp(const void *pa, const void *pb)
{
	const struct report_point *a = pa, *b = pb;

	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

/* Appends the merged points pt[0..n), sorted, to arr (one per time). */
static void
report_points_json(struct report_point *pt, size_t n, struct json_object *arr)
{
	static const char *const names[] = { "count", "p50", "p95", "p99",
	    "max" };
	struct json_object *o;
	size_t i, k;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "ts", json_object_new_double(
		    pt[i].ts));
		for (k = 0; k < 5; k++)
			json_object_object_add(o, names[k],
			    json_object_new_double((&pt[i].count)[k]));
		json_object_array_add(arr, o);
	}
}

/*
 * The points of the series sel[0..n) merged by time bin (caller puts):
 * counts add up; p50, p95, p99 and max are the highest among the series,
 * an upper bound of the merged figures (the analysis document has no
 * per-label histograms to merge).
 */
static struct json_object *
report_merge_points(struct json_object **sel, size_t n)
{
	struct json_object *pts, *p, *arr = json_object_new_array();
	struct report_point *pt = NULL, *m;
	size_t np = 0, i, j, k, out = 0;

	for (i = 0; i < n; i++)
		np += jx_len(jx_get(sel[i], "points"));
	pt = util_calloc(np ? np : 1, sizeof(*pt));
	for (i = 0, k = 0; i < n; i++) {
		pts = jx_get(sel[i], "points");
		for (j = 0; j < jx_len(pts); j++, k++) {
			p = jx_at(pts, j);
			pt[k] = (struct report_point){ report_num(p, "ts", 0),
			    report_num(p, "count", 0), report_num(p, "p50", 0),
			    report_num(p, "p95", 0), report_num(p, "p99", 0),
			    report_num(p, "max", 0) };
		}
	}
	util_sort(pt, np, sizeof(*pt), report_point_cmp);
	for (k = 0; k < np; k++) {
		if (out == 0 || pt[out - 1].ts != pt[k].ts) {
			pt[out++] = pt[k];
			continue;
		}
		m = &pt[out - 1];
		m->count += pt[k].count;
		m->p50 = fmax(m->p50, pt[k].p50);
		m->p95 = fmax(m->p95, pt[k].p95);
		m->p99 = fmax(m->p99, pt[k].p99);
		m->max = fmax(m->max, pt[k].max);
	}
	report_points_json(pt, out, arr);
	free(pt);
	return arr;
}

/* How a chart of labels writes one label's data and merges the rest. */
struct report_lines {
	const char *chart;	/* its name: "latency", "spectrum" */
	double start, interval;	/* of the time axis, when it has one */
	const struct timeaxis *axis;	/* points off it left out, or NULL */
	void (*write)(FILE *f, struct json_object *pts,
	    const struct report_lines *l);
	struct json_object *(*merge)(struct json_object **sel, size_t n);
};

/* Writes one label's latency points: seconds count p50 p95 p99 max. */
static void
report_latency_data(FILE *f, struct json_object *pts,
    const struct report_lines *l)
{
	struct json_object *p;
	size_t j;

	fprintf(f, "# seconds count p50 p95 p99 max\n");
	for (j = 0; pts && j < jx_len(pts); j++) {
		p = jx_at(pts, j);
		if (l->axis != NULL && timeaxis_where(l->axis, report_num(p,
		    "ts", 0)) != 0)
			continue;	/* before the run or after it */
		/* A blank line breaks the curve over empty bins. */
		if (j > 0 && report_num(p, "ts", 0) - report_num(
		    jx_at(pts, j - 1), "ts", 0) > l->interval * 1.5)
			fputc('\n', f);
		fprintf(f, "%g %g %g %g %g %g\n",
		    report_num(p, "ts", 0) - l->start,
		    report_num(p, "count", 0), report_num(p, "p50", 0),
		    report_num(p, "p95", 0), report_num(p, "p99", 0),
		    report_num(p, "max", 0));
	}
}

/*
 * Opens the data file of line i of t: suffix PREFIX<i>, or "others" for
 * the rest merged (i == t->keep). NULL with *cause.
 */
static FILE *
report_line_data(struct chart *c, const struct report_top *t, size_t i,
    const char *prefix, char suffix[32], char **cause)
{
	if (i == t->keep)
		snprintf(suffix, 32, "others");
	else
		snprintf(suffix, 32, "%s%zu", prefix, i);
	return chart_data(c, suffix, cause);
}

/*
 * Writes the data of label i of t (i == t->keep: the others merged) and
 * adds its entry to arr. -1 with *cause when the file cannot be opened.
 */
static int
report_label_line(struct chart *c, const struct report_top *t, size_t i,
    const struct report_lines *l, struct json_object *arr, char **cause)
{
	struct json_object *others = NULL;
	char suffix[32], *name;
	FILE *f;

	if ((f = report_line_data(c, t, i, "label", suffix, cause)) == NULL)
		return -1;
	if (i == t->keep)
		others = l->merge(t->sel + i, t->n - i);
	l->write(f, others ? others : jx_get(t->sel[i], "points"), l);
	name = others ? util_printf("others (highest of %zu labels)",
	    t->n - t->keep) : util_strdup(report_str(t->sel[i], "label"));
	report_label_entry(arr, l->chart, suffix, name, others ? 10 :
	    (int)(i % 8) + 1);
	free(name);
	json_object_put(others);
	return 0;
}

/*
 * The lines of a chart of labels (the busiest, then the others) into a
 * new array (caller puts), or NULL when a data file cannot be opened
 * (recorded as the chart's failure).
 */
static struct json_object *
report_label_lines(struct report_charts *rc, struct chart *c,
    const struct report_top *t, const struct report_lines *l)
{
	struct json_object *arr = json_object_new_array();
	char *cause = NULL;
	size_t i;

	for (i = 0; i < t->n && i <= t->keep; i++) {
		if (report_label_line(c, t, i, l, arr, &cause) == -1) {
			report_chart_fail(rc, cause);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

/* The title of a chart of labels: says which labels it shows. */
static char *
report_labels_title(const char *what, const struct report_top *t,
    const char *rest)
{
	if (t->keep == t->n)
		return util_printf("%s per label%s", what, rest);
	return util_printf("%s: the %zu busiest of %zu labels, others as the "
	    "highest of the rest%s", what, t->keep, t->n, rest);
}

/* A chart of labels: its name, lines, ranking, title and template. */
struct report_labels_chart {
	struct report_lines lines;	/* interval 0: no time axis */
	double (*count)(struct json_object *);
	const char *what, *rest, *tmpl;
};

/* Draws the chart lc says over labels (one line each, then others). */
static void
report_chart_labels(struct report_charts *rc, struct json_object *labels,
    const struct report_labels_chart *lc)
{
	struct json_object *params, *arr;
	struct report_top t;
	struct chart *c;
	char tbuf[TIME_BUF], *title;

	report_top(&t, labels, lc->count);
	c = chart_new(rc->dir, lc->lines.chart);
	arr = report_label_lines(rc, c, &t, &lc->lines);
	if (arr != NULL) {
		params = json_object_new_object();
		json_object_object_add(params, "labels", arr);
		if (lc->lines.axis != NULL)
			timeaxis_params(lc->lines.axis, params);
		if (lc->lines.interval > 0) {
			json_object_object_add(params, "start",
			    json_object_new_string(time_format(
			    lc->lines.start, tbuf)));
			json_object_object_add(params, "interval",
			    json_object_new_double(lc->lines.interval));
		}
		title = report_labels_title(lc->what, &t, lc->rest);
		report_chart_done(rc, c, lc->lines.chart, title, lc->tmpl,
		    params);
		free(title);
		json_object_put(params);
	}
	free(t.sel);
	chart_free(c);
}

/* Chart 2: latency percentiles over time per label. */
static void
report_chart_latency(struct report_charts *rc)
{
	struct json_object *labels = jx_get(rc->in->analysis,
	    "series.labels");
	struct report_labels_chart lc = { { "latency", 0, 1,
	    timeaxis_traces(&rc->axis),
	    report_latency_data, report_merge_points }, report_series_total,
	    "Trace latency over time", ": p50, p95 (bold), p99 (dashed)",
	    "report-templates/chart-latency-time.gp.tmpl" };

	if (labels == NULL || jx_len(labels) == 0)
		return;
	lc.lines.interval = report_num(rc->in->analysis, "series.interval_s",
	    1);
	lc.lines.start = lc.lines.axis != NULL ? rc->axis.start :
	    report_series_start(labels);
	report_chart_labels(rc, labels, &lc);
}

/* Adds a note under the chart named file, when it was drawn. */
static void
report_chart_note(struct report_charts *rc, const char *file,
    const char *note)
{
	struct json_object *e;
	size_t i;

	for (i = 0; i < jx_len(rc->list); i++) {
		e = jx_at(rc->list, i);
		if (strcmp(report_str(e, "file"), file) == 0)
			json_object_object_add(e, "note",
			    json_object_new_string(note));
	}
}

/*
 * The notes under the time charts: what a break in a latency line means,
 * and the trace events left out before and after the run.
 */
static void
report_chart_gaps(struct report_charts *rc)
{
	char *out = timeaxis_note(&rc->axis);
	char *note = util_printf("A break in a line: no events of that label "
	    "in that %g s (the series' interval).%s%s", report_num(
	    rc->in->analysis, "series.interval_s", 1), out ? " " : "",
	    out ? out : "");

	report_chart_note(rc, "latency", note);
	if (out != NULL)
		report_chart_note(rc, "outcomes", out);
	free(note);
	free(out);
}

/* A group's display name: its key values but the label, joined. */
static char *
report_group_name(struct json_object *g)
{
	struct json_object *key = jx_get(g, "key");
	struct strbuf b;
	const char *label = report_str(key, "label");

	strbuf_init(&b, 0);
	if (jx_is_object(key)) {
		json_object_object_foreach(key, k, v) {
			const char *s = jx_str(v, "-");

			/* The handler repeats the label in ACA-Py traces. */
			if (strcmp(k, "handler") == 0 &&
			    strcmp(s, label) == 0 &&
			    json_object_object_get_ex(key, "label", NULL))
				continue;
			strbuf_addf(&b, "%s%s", b.len ? " " : "", s);
		}
	}
	if (b.len > 60) {
		b.data[57] = '.';
		b.data[58] = '.';
		b.data[59] = '.';
		b.data[60] = '\0';
		b.len = 60;
	}
	return strbuf_detach(&b);
}

/* Orders groups by p95, slowest first. */
static int
report_p95_cmp(const void *pa, const void *pb)
{
	struct json_object *a = *(struct json_object *const *)pa;
	struct json_object *b = *(struct json_object *const *)pb;
	double x = report_num(a, "percentiles.p95", 0);
	double y = report_num(b, "percentiles.p95", 0);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Chart 3: p50/p95/p99 of the slowest groups. */
static void
report_chart_groups(struct report_charts *rc)
{
	struct json_object *groups = jx_get(rc->in->analysis, "groups");
	struct json_object **sel, *params;
	struct chart *c;
	char *cause = NULL, *name;
	size_t i, n = 0, total;
	FILE *f;

	if (groups == NULL || (total = jx_len(groups)) == 0)
		return;
	sel = util_calloc(total, sizeof(*sel));
	for (i = 0; i < total; i++) {
		struct json_object *g = jx_at(groups, i);
		const char *o = report_str(g, "key.outcome");

		if (strstr(o, ".START") != NULL ||
		    jx_get(g, "percentiles.p95") == NULL)
			continue;
		sel[n++] = g;
	}
	if (n == 0) {
		free(sel);
		return;
	}
	util_sort(sel, n, sizeof(*sel), report_p95_cmp);
	if (n > REPORT_TOP_GROUPS)
		n = REPORT_TOP_GROUPS;
	c = chart_new(rc->dir, "groups");
	f = chart_data(c, "groups", &cause);
	if (f == NULL) {
		report_chart_fail(rc, cause);
		chart_free(c);
		free(sel);
		return;
	}
	fprintf(f, "# group p50 p95 p99\n");
	for (i = 0; i < n; i++) {
		name = report_group_name(sel[i]);
		chart_data_string(f, name);
		free(name);
		fprintf(f, " %g %g %g\n",
		    report_num(sel[i], "percentiles.p50", 0),
		    report_num(sel[i], "percentiles.p95", 0),
		    report_num(sel[i], "percentiles.p99", 0));
	}
	free(sel);
	params = json_object_new_object();
	report_chart_done(rc, c, "groups", "Latency per handler and outcome: "
	    "p50, p95, p99 (the slowest groups by p95; START events left out)",
	    "report-templates/chart-groups.gp.tmpl", params);
	json_object_put(params);
	chart_free(c);
}

/* Writes one label's spectrum: percentile 1/(1-q) ms. */
static void
report_spectrum_data(FILE *f, struct json_object *pts,
    const struct report_lines *l)
{
	struct json_object *p;
	size_t j;
	double q;

	(void)l;
	fprintf(f, "# percentile 1/(1-q) ms\n");
	for (j = 0; pts && j < jx_len(pts); j++) {
		p = jx_at(pts, j);
		q = report_num(p, "q", 0);
		if (q >= 100)
			continue;
		fprintf(f, "%g %.10g %g\n", q, 1 / (1 - q / 100),
		    report_num(p, "v", 0));
	}
}

/*
 * The spectra of sel[0..n) as one line (caller puts): at each percentile
 * of the first the highest value among them, an upper bound of the merged
 * distribution's.
 */
static struct json_object *
report_spectrum_merge(struct json_object **sel, size_t n)
{
	struct json_object *arr = json_object_new_array(), *first, *pts, *p, *o;
	size_t i, j, k;
	double q, v;

	first = jx_get(sel[0], "points");
	for (j = 0; j < jx_len(first); j++) {
		q = report_num(jx_at(first, j), "q", 0);
		v = report_num(jx_at(first, j), "v", 0);
		for (i = 1; i < n; i++) {
			pts = jx_get(sel[i], "points");
			for (k = 0; k < jx_len(pts); k++) {
				p = jx_at(pts, k);
				if (report_num(p, "q", -1) == q)
					v = fmax(v, report_num(p, "v", 0));
			}
		}
		o = json_object_new_object();
		json_object_object_add(o, "q", json_object_new_double(q));
		json_object_object_add(o, "v", json_object_new_double(v));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Chart 4: the percentile spectrum per label. */
static void
report_chart_spectrum(struct report_charts *rc)
{
	struct json_object *spec = jx_get(rc->in->analysis, "spectrum");
	struct report_labels_chart lc = { { "spectrum", 0, 0, NULL,
	    report_spectrum_data, report_spectrum_merge },
	    report_spectrum_count, "Latency distribution",
	    " (percentile spectrum, timed events)",
	    "report-templates/chart-spectrum.gp.tmpl" };

	if (spec != NULL && jx_len(spec) > 0)
		report_chart_labels(rc, spec, &lc);
}

/* Orders outcome series: errors first, then by total count. */
static int
report_outcome_cmp(const void *pa, const void *pb)
{
	struct json_object *a = *(struct json_object *const *)pa;
	struct json_object *b = *(struct json_object *const *)pb;
	int ea = json_object_get_boolean(jx_get(a, "error"));
	int eb = json_object_get_boolean(jx_get(b, "error"));
	double x, y;

	if (ea != eb)
		return eb - ea;
	x = report_series_total(a);
	y = report_series_total(b);
	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * The outcome series chart 5 shows (END outcomes and errors; each START
 * has its END) into sel; their time window into *start and *end. Returns
 * their number.
 */
static size_t
report_outcomes_select(struct json_object *ser, struct json_object **sel,
    double *start, double *end)
{
	struct json_object *x, *pts;
	size_t i, n = 0;
	double ts, te;
	int any = 0;

	for (i = 0; i < jx_len(ser); i++) {
		x = jx_at(ser, i);
		if (strstr(report_str(x, "outcome"), ".START") != NULL &&
		    !json_object_get_boolean(jx_get(x, "error")))
			continue;
		sel[n++] = x;
		pts = jx_get(x, "points");
		if (pts == NULL || jx_len(pts) == 0)
			continue;
		ts = report_num(jx_at(pts, 0), "ts", 0);
		te = report_num(jx_at(pts, jx_len(pts) - 1), "ts", 0);
		if (!any || ts < *start)
			*start = ts;
		if (!any || te > *end)
			*end = te;
		any = 1;
	}
	return n;
}

/* The time bins of the outcomes chart. */
struct report_bins {
	double start, interval;
	size_t n;
};

/* Writes one outcome's events/s in every bin of the window. */
static void
report_outcomes_data(FILE *f, struct json_object *pts,
    const struct report_bins *b)
{
	size_t j = 0, k;
	double t, cnt;

	fprintf(f, "# seconds events/s\n");
	while (pts && j < jx_len(pts) && report_num(jx_at(pts, j), "ts", 0) <
	    b->start - b->interval / 2)
		j++;		/* before the run: left out */
	for (k = 0; k < b->n; k++) {
		cnt = 0;
		t = b->start + (double)k * b->interval;
		while (pts && j < jx_len(pts) && report_num(jx_at(pts, j),
		    "ts", 0) < t + b->interval / 2) {
			cnt += report_num(jx_at(pts, j), "count", 0);
			j++;
		}
		fprintf(f, "%g %g\n", t - b->start, cnt / b->interval);
	}
}

/* The chart's entry for outcome series x: file, title, color, width. */
static struct json_object *
report_outcome_entry(struct json_object *x, const char *suffix, int *color)
{
	struct json_object *e = json_object_new_object();
	int err = json_object_get_boolean(jx_get(x, "error"));
	char *title;

	report_add_file(e, "outcomes", suffix);
	title = util_printf("%s%s %.60s", err ? "ERROR " : "",
	    report_str(x, "label"), report_str(x, "outcome"));
	json_object_object_add(e, "title", json_object_new_string(title));
	free(title);
	json_object_object_add(e, "color", json_object_new_int(err ? 9 :
	    ((*color)++ % 8) + 1));
	json_object_object_add(e, "width", json_object_new_double(err ?
	    3 : 1.5));
	return e;
}

/* The entry of the others' line: the series sel[0..n) added up. */
static struct json_object *
report_outcome_others(struct json_object **sel, size_t n)
{
	struct json_object *e = json_object_new_object();
	size_t i, errors = 0;
	char *title;

	for (i = 0; i < n; i++)
		errors += json_object_get_boolean(jx_get(sel[i], "error"));
	report_add_file(e, "outcomes", "others");
	title = errors > 0 ? util_printf("others: %zu more series added up "
	    "(%zu of them errors)", n, errors) : util_printf("others: %zu "
	    "more series added up", n);
	json_object_object_add(e, "title", json_object_new_string(title));
	free(title);
	json_object_object_add(e, "color", json_object_new_int(10));
	json_object_object_add(e, "width", json_object_new_double(1.5));
	return e;
}

/*
 * Writes the line of series i of t (i == t->keep: the rest added up) and
 * adds its entry to arr. -1 with *cause when the file cannot be opened.
 */
static int
report_outcome_line(struct chart *c, const struct report_top *t, size_t i,
    const struct report_bins *b, int *color, struct json_object *arr,
    char **cause)
{
	struct json_object *sum;
	char suffix[32];
	FILE *f;

	if ((f = report_line_data(c, t, i, "s", suffix, cause)) == NULL)
		return -1;
	if (i < t->keep) {
		report_outcomes_data(f, jx_get(t->sel[i], "points"), b);
		json_object_array_add(arr, report_outcome_entry(t->sel[i],
		    suffix, color));
		return 0;
	}
	sum = report_merge_points(t->sel + i, t->n - i);
	report_outcomes_data(f, sum, b);
	json_object_put(sum);
	json_object_array_add(arr, report_outcome_others(t->sel + i,
	    t->n - i));
	return 0;
}

/*
 * The outcome series chart 5 shows, errors first, then the busiest, into
 * t; their time bins into b. Returns 0, or -1 when there is nothing to
 * draw or (recorded as the chart's failure) the bins are out of bounds.
 */
static int
report_outcomes_top(struct report_charts *rc, struct json_object *ser,
    struct report_top *t, struct report_bins *b)
{
	double end = 0;

	b->start = 0;
	b->interval = report_num(rc->in->analysis, "outcomes.interval_s", 1);
	t->sel = util_calloc(jx_len(ser), sizeof(*t->sel));
	t->n = report_outcomes_select(ser, t->sel, &b->start, &end);
	if (t->n == 0) {
		free(t->sel);
		return -1;
	}
	if (timeaxis_traces(&rc->axis) != NULL) {	/* the run's window */
		b->start = rc->axis.start;
		end = rc->axis.start + rc->axis.end_s;
	}
	/* a damaged analysis may claim any span: the bins are bounded */
	if (!(b->interval > 0) || !isfinite(end - b->start) ||
	    (end - b->start) / b->interval > REPORT_MAX_BINS) {
		report_chart_fail(rc, util_printf("outcomes: a series of %g s "
		    "in bins of %g s is not a time series this chart can "
		    "draw", end - b->start, b->interval));
		free(t->sel);
		return -1;
	}
	b->n = (size_t)((end - b->start) / b->interval + 0.5) + 1;
	util_sort(t->sel, t->n, sizeof(*t->sel), report_outcome_cmp);
	t->keep = t->n > REPORT_TOP_OUTCOMES ? REPORT_TOP_OUTCOMES : t->n;
	return 0;
}

/* Chart 5: events per second by label and outcome; errors in red. */
static void
report_chart_outcomes(struct report_charts *rc)
{
	struct json_object *ser = jx_get(rc->in->analysis,
	    "outcomes.series"), *arr, *params;
	struct report_top t;
	struct report_bins b;
	struct chart *c;
	char *cause = NULL, tbuf[TIME_BUF];
	size_t i;
	int color = 0;

	if (ser == NULL || jx_len(ser) == 0 ||
	    report_outcomes_top(rc, ser, &t, &b) == -1)
		return;
	c = chart_new(rc->dir, "outcomes");
	arr = json_object_new_array();
	for (i = 0; i < t.n && i <= t.keep; i++) {
		if (report_outcome_line(c, &t, i, &b, &color, arr,
		    &cause) == -1) {
			report_chart_fail(rc, cause);
			json_object_put(arr);
			chart_free(c);
			free(t.sel);
			return;
		}
	}
	free(t.sel);
	params = json_object_new_object();
	json_object_object_add(params, "series", arr);
	json_object_object_add(params, "start",
	    json_object_new_string(time_format(b.start, tbuf)));
	json_object_object_add(params, "interval", json_object_new_double(
	    b.interval));
	if (timeaxis_traces(&rc->axis) != NULL)
		timeaxis_params(&rc->axis, params);
	report_chart_done(rc, c, "outcomes", "Outcomes over time (events/s; "
	    "END outcomes, each START has one; errors in red)",
	    "report-templates/chart-outcomes.gp.tmpl", params);
	json_object_put(params);
	chart_free(c);
}

/* Writes " p50 p95 p99" of a latency object (0 when missing). */
static void
report_latency_row(FILE *f, struct json_object *lat)
{
	fprintf(f, " %g %g %g\n", report_num(lat, "p50", 0),
	    report_num(lat, "p95", 0), report_num(lat, "p99", 0));
}

/* Chart 6: client latency per request name (needs a run). */
static void
report_chart_requests(struct report_charts *rc)
{
	struct json_object *stats = jx_get(rc->in->run, "stats"), *params;
	const char *field;
	struct chart *c;
	char *cause = NULL;
	size_t i, n;
	FILE *f;

	if (stats == NULL || (n = jx_len(stats)) == 0)
		return;
	c = chart_new(rc->dir, "requests");
	f = chart_data(c, "requests", &cause);
	if (f == NULL) {
		report_chart_fail(rc, cause);
		chart_free(c);
		return;
	}
	field = jx_get(jx_at(stats, 0), "latency_intended_ms") != NULL ?
	    "latency_intended_ms" : "latency_actual_ms";
	fprintf(f, "# request p50 p95 p99 (ms, %s)\n", field);
	for (i = 0; i < n; i++) {
		struct json_object *s = jx_at(stats, i);
		char *name = strcmp(report_str(s, "method"), "WAIT") == 0 ?
		    util_printf("%s (wait)", report_str(s, "name")) :
		    util_strdup(report_str(s, "name"));

		chart_data_string(f, name);
		free(name);
		report_latency_row(f, jx_get(s, field));
	}
	params = json_object_new_object();
	report_chart_done(rc, c, "requests", field[8] == 'i' ? "Client latency"
	    " per request (from the intended start): p50, p95, p99" :
	    "Client latency per request (from the actual start, as Locust "
	    "times it): p50, p95, p99",
	    "report-templates/chart-requests.gp.tmpl", params);
	json_object_put(params);
	chart_free(c);
}

/* Renders one template over ctx into dir/file. */
static int
report_file(const struct report_input *in, const char *tmpl_path,
    enum tmpl_escape esc, struct json_object *ctx, const char *file,
    char **cause)
{
	struct strbuf b;
	char *path;
	int rc;

	strbuf_init(&b, 0);
	rc = tmpl_render_asset(in->templates, tmpl_path, esc, ctx, &b, cause);
	if (rc == 0) {
		path = util_printf("%s/%s", in->out_dir, file);
		rc = files_write(path, FILES_OWN, b.data, b.len, cause);
		free(path);
	}
	strbuf_release(&b);
	return rc;
}

/* The chart problems, then the notes, in one new array. */
static struct json_object *
report_notes(struct json_object *problems, struct json_object *notes)
{
	struct json_object *all = json_object_new_array();
	size_t i;

	for (i = 0; i < jx_len(problems); i++)
		json_object_array_add(all, json_object_get(jx_at(problems, i)));
	for (i = 0; i < jx_len(notes); i++)
		json_object_array_add(all, json_object_get(jx_at(notes, i)));
	return all;
}

/* Whether f is a terminal that takes colours (NO_COLOR unset). */
static int
report_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	return f != NULL && isatty(fileno(f)) && (nc == NULL || *nc == '\0');
}

/* Sets ctx's "c": terminal colours, or empty strings when !on. */
static void
report_colors(struct json_object *ctx, int on)
{
	static const char *const names[] = { "red", "green", "yellow",
	    "bold", "off" };
	static const char *const codes[] = { "\033[1;31m", "\033[1;32m",
	    "\033[1;33m", "\033[1m", "\033[0m" };
	struct json_object *c = json_object_new_object();
	const char *state = jx_str(jx_get(ctx, "verdict.state"), "none");
	size_t i;

	for (i = 0; i < 5; i++)
		json_object_object_add(c, names[i], json_object_new_string(
		    on ? codes[i] : ""));
	json_object_object_add(c, "state", json_object_new_string(!on ? "" :
	    strcmp(state, "pass") == 0 ? codes[1] : strcmp(state, "fail") ==
	    0 ? codes[0] : codes[3]));
	json_object_object_add(ctx, "c", c);
}

/*
 * Renders the summary into ctx's "summary" (for report.txt) and, when
 * in->echo is set, prints it there (in colour on a terminal).
 */
static int
report_summary(const struct report_input *in, struct json_object *ctx,
    char **cause)
{
	static const char path[] = "report-templates/summary.txt.tmpl";
	struct strbuf b;
	int rc;

	strbuf_init(&b, 0);
	report_colors(ctx, 0);
	rc = tmpl_render_asset(in->templates, path, TMPL_TEXT, ctx, &b,
	    cause);
	if (rc == 0)
		json_object_object_add(ctx, "summary", json_object_new_string(
		    b.data ? b.data : ""));
	if (rc == 0 && in->echo != NULL && report_color(in->echo)) {
		strbuf_reset(&b);
		report_colors(ctx, 1);
		rc = tmpl_render_asset(in->templates, path, TMPL_TEXT, ctx,
		    &b, cause);
		report_colors(ctx, 0);
	}
	if (rc == 0 && in->echo != NULL)
		fwrite(b.data ? b.data : "", 1, b.len, in->echo);
	strbuf_release(&b);
	return rc;
}

/* The verdict block's view and the failures table into ctx. */
static void
report_verdict(const struct report_input *in, struct json_object *ctx)
{
	struct json_object *f = failtable_build(in->analysis, in->run);

	json_object_object_add(ctx, "verdict", verdict_build(in->analysis,
	    in->run, in->assessment));
	if (f != NULL)
		json_object_object_add(ctx, "failures", f);
}

void
report_result_release(struct report_result *res)
{
	free(res->skipped);
	res->skipped = NULL;
	json_object_put(res->notes);
	res->notes = NULL;
}

void
report_print_done(const char *dir, const struct report_result *res)
{
	size_t i;

	fprintf(stderr, "medload: report written to ");
	util_fput_safe(dir, stderr);
	fprintf(stderr, "/ (%d chart%s", res->charts,
	    res->charts == 1 ? "" : "s");
	if (res->failed > 0)
		fprintf(stderr, ", %d could not be drawn", res->failed);
	if (res->svg_left_out > 0)
		fprintf(stderr, ", %d without SVG in index.html",
		    res->svg_left_out);
	if (res->skipped != NULL) {
		fprintf(stderr, "; charts skipped: ");
		util_fput_safe(res->skipped, stderr);
	}
	fprintf(stderr, ")\n");
	for (i = 0; i < jx_len(res->notes); i++)
		cli_error("chart: %s", jx_str(jx_at(res->notes, i), ""));
}

int
report_write(const struct report_input *in, struct report_result *res,
    char **cause)
{
	struct report_charts rc;
	struct json_object *ctx;
	FILE *mem;
	char *buf = NULL, tbuf[TIME_BUF], *outside;
	size_t len = 0;
	int status = 0;

	memset(res, 0, sizeof(*res));
	if (files_mkdirs(in->out_dir, cause) == -1 ||
	    files_check_dir(in->out_dir, cause) == -1)
		return -1;
	memset(&rc, 0, sizeof(rc));
	rc.in = in;
	rc.dir = util_printf("%s/charts", in->out_dir);
	if (files_mkdirs(rc.dir, cause) == -1 ||
	    files_check_dir(rc.dir, cause) == -1) {
		free(rc.dir);
		return -1;
	}
	rc.list = json_object_new_array();
	rc.problems = json_object_new_array();
	rc.notes = json_object_new_array();
	timeaxis_init(&rc.axis, in->run, in->analysis);
	outside = timeaxis_note(&rc.axis);
	if (chart_available(&res->skipped)) {
		if (in->run != NULL)
			report_chart_users(&rc);
		report_chart_latency(&rc);
		report_chart_groups(&rc);
		report_chart_spectrum(&rc);
		report_chart_outcomes(&rc);
		report_chart_gaps(&rc);
		if (in->run != NULL)
			report_chart_requests(&rc);
		report_chart_flows(&rc);
		report_chart_knee(&rc);
	}
	timeaxis_release(&rc.axis);
	res->charts = rc.drawn;
	res->failed = rc.failed;
	res->svg_left_out = rc.svg_left_out;
	res->notes = report_notes(rc.problems, rc.notes);
	json_object_put(rc.notes);

	/* The analysis' own text report, embedded in report.txt. */
	mem = open_memstream(&buf, &len);
	if (mem == NULL || render_text_flags(in->analysis, in->templates,
	    in->raw_groups ? 0 : RENDER_FOLD, mem, cause) == -1) {
		if (mem != NULL)
			fclose(mem);
		free(buf);
		free(rc.dir);
		free(outside);
		json_object_put(rc.list);
		json_object_put(rc.problems);
		return -1;
	}
	fclose(mem);
	ctx = render_view_flags(in->analysis, in->raw_groups ? 0 :
	    RENDER_FOLD);
	json_object_object_add(ctx, "analysis", json_object_get(in->analysis));
	if (in->run != NULL)
		json_object_object_add(ctx, "run", json_object_get(in->run));
	json_object_object_add(ctx, "has_run",
	    json_object_new_boolean(in->run != NULL));
	json_object_object_add(ctx, "title", json_object_new_string(
	    in->title ? in->title : "medload report"));
	json_object_object_add(ctx, "generated", json_object_new_string(
	    time_format(time_generated(), tbuf)));
	json_object_object_add(ctx, "text", json_object_new_string(buf));
	json_object_object_add(ctx, "charts", rc.list);
	json_object_object_add(ctx, "chart_problems", rc.problems);
	if (res->skipped != NULL)
		json_object_object_add(ctx, "charts_skipped",
		    json_object_new_string(res->skipped));
	free(buf);
	if (outside != NULL)
		json_object_object_add(ctx, "outside", json_object_new_string(
		    outside));
	free(outside);
	report_verdict(in, ctx);
	if (report_summary(in, ctx, cause) == -1 || report_file(in,
	    "report-templates/report.txt.tmpl", TMPL_TEXT, ctx,
	    "report.txt", cause) == -1 || report_file(in,
	    "report-templates/report.md.tmpl", TMPL_MARKDOWN, ctx, "report.md",
	    cause) == -1 || report_file(in, "report-templates/report.html.tmpl",
	    TMPL_HTML, ctx, "index.html", cause) == -1)
		status = -1;
	json_object_put(ctx);
	free(rc.dir);
	return status;
}
