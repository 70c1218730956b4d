/* analysis.c: aggregate -> stats -> the analysis document. */
#include "analysis.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "hist.h"
#include "jx.h"
#include "timeutil.h"
#include "util.h"
#include "version.h"

struct json_object *
analysis_num(double v)
{
	char buf[32];

	return json_object_new_double_s(v, util_num(v, buf));
}

struct json_object *
analysis_time(double t)
{
	char buf[TIME_BUF];

	return json_object_new_string(time_format(t, buf));
}

const char *
analysis_pct_name(double q, char buf[32])
{
	char num[32];

	snprintf(buf, 32, "p%s", util_num(q, num));
	return buf;
}

int
analysis_parse_pcts(const char *s, double *out, size_t max, char **cause)
{
	char *copy = util_strdup(s), *tok, *save = NULL;
	size_t n = 0;
	double q;

	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (*tok == 'p')
			tok++;
		if (util_parse_double(tok, &q) == -1 || q <= 0 || q > 100) {
			util_fail(cause, "percentile \"%s\" is not a number in "
			    "(0, 100]", tok);
			free(copy);
			return -1;
		}
		if (n == max) {
			util_fail(cause, "more than %zu percentiles", max);
			free(copy);
			return -1;
		}
		out[n++] = q;
	}
	free(copy);
	if (n == 0)
		return util_fail(cause, "no percentiles in \"%s\"", s);
	return (int)n;
}

void
analysis_stats(struct json_object *o, const struct hist *h,
    const double *pcts, size_t npcts)
{
	struct json_object *p = json_object_new_object();
	double vals[ANALYSIS_MAX_PCTS];
	char name[32];
	size_t i;

	json_object_object_add(o, "count",
	    json_object_new_int64((int64_t)hist_count(h)));
	json_object_object_add(o, "min", analysis_num(hist_min(h)));
	json_object_object_add(o, "max", analysis_num(hist_max(h)));
	json_object_object_add(o, "mean", analysis_num(hist_mean(h)));
	json_object_object_add(o, "stddev", analysis_num(hist_stddev(h)));
	hist_percentiles(h, pcts, npcts, vals);
	for (i = 0; i < npcts; i++)
		json_object_object_add(p, analysis_pct_name(pcts[i], name),
		    analysis_num(vals[i]));
	json_object_object_add(o, "percentiles", p);
}

double
analysis_rate(unsigned long long n, double first, double last)
{
	double span = last - first;

	return (double)n / (span < 1 ? 1 : span);
}

/* The groups array. */
static struct json_object *
analysis_groups(struct agg *a, const struct analysis_request *r, int *exact)
{
	struct json_object *arr = json_object_new_array(), *g, *key;
	struct agg_group **groups;
	size_t n, i, k;

	groups = agg_groups(a, &n);
	for (i = 0; i < n; i++) {
		g = json_object_new_object();
		key = json_object_new_object();
		for (k = 0; k < r->nkeys; k++) {
			enum agg_key ak = r->keys[k];

			json_object_object_add(key, agg_key_name(ak),
			    groups[i]->present[ak] ? json_object_new_string(
			    groups[i]->values[ak]) : NULL);
		}
		json_object_object_add(g, "key", key);
		analysis_stats(g, groups[i]->h, r->pcts, r->npcts);
		json_object_object_add(g, "first",
		    analysis_time(groups[i]->first));
		json_object_object_add(g, "last",
		    analysis_time(groups[i]->last));
		json_object_object_add(g, "rate", analysis_num(analysis_rate(
		    hist_count(groups[i]->h), groups[i]->first,
		    groups[i]->last)));
		if (!hist_exact(groups[i]->h))
			*exact = 0;
		json_object_array_add(arr, g);
	}
	return arr;
}

/* The series object: one array of points per label. */
static struct json_object *
analysis_series(struct agg *a)
{
	static const double q[] = { 50, 95, 99 };
	struct json_object *o = json_object_new_object(), *labels, *s, *pts, *p;
	struct agg_series *series;
	double interval, v[3], t;
	size_t n, i, j;

	series = agg_series(a, &n, &interval);
	json_object_object_add(o, "interval_s", analysis_num(interval));
	labels = json_object_new_array();
	for (i = 0; i < n; i++) {
		s = json_object_new_object();
		json_object_object_add(s, "label", series[i].label ?
		    json_object_new_string(series[i].label) : NULL);
		pts = json_object_new_array();
		for (j = 0; j < series[i].nbins; j++) {
			const struct hist *h = series[i].bins[j].h;

			t = (double)series[i].bins[j].index * interval;
			hist_percentiles(h, q, 3, v);
			p = json_object_new_object();
			json_object_object_add(p, "t", analysis_time(t));
			json_object_object_add(p, "ts", analysis_num(t));
			json_object_object_add(p, "count",
			    json_object_new_int64((int64_t)hist_count(h)));
			json_object_object_add(p, "p50", analysis_num(v[0]));
			json_object_object_add(p, "p95", analysis_num(v[1]));
			json_object_object_add(p, "p99", analysis_num(v[2]));
			json_object_object_add(p, "max",
			    analysis_num(hist_max(h)));
			json_object_array_add(pts, p);
		}
		json_object_object_add(s, "points", pts);
		json_object_array_add(labels, s);
	}
	json_object_object_add(o, "labels", labels);
	return o;
}

int
analysis_outcome_is_error(const char *outcome)
{
	static const char *const words[] = { "error", "fail", "problem",
	    "exception", "abort", "reject" };
	size_t i, j, n;

	if (outcome == NULL)
		return 0;
	n = strlen(outcome);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t w = strlen(words[i]);

		for (j = 0; j + w <= n; j++)
			if (strncasecmp(outcome + j, words[i], w) == 0)
				return 1;
	}
	return 0;
}

/* Percentiles of the latency spectrum chart (HdrHistogram style). */
static const double analysis_spectrum_q[] = { 0, 10, 25, 50, 75, 90, 95, 99,
    99.5, 99.9, 99.99, 100 };
#define ANALYSIS_NSPEC (sizeof(analysis_spectrum_q) / \
	sizeof(analysis_spectrum_q[0]))

/* Per label: the whole distribution of timed (non-START) events. */
static struct json_object *
analysis_spectrum(struct agg *a)
{
	struct json_object *arr = json_object_new_array(), *s, *pts, *p;
	struct agg_series *series;
	double interval, v[ANALYSIS_NSPEC];
	size_t n, i, j;

	series = agg_series(a, &n, &interval);
	for (i = 0; i < n; i++) {
		struct hist *all = hist_new();

		for (j = 0; j < series[i].nbins; j++)
			hist_merge(all, series[i].bins[j].h);
		hist_percentiles(all, analysis_spectrum_q, ANALYSIS_NSPEC, v);
		v[0] = hist_min(all);
		s = json_object_new_object();
		json_object_object_add(s, "label", series[i].label ?
		    json_object_new_string(series[i].label) : NULL);
		json_object_object_add(s, "count",
		    json_object_new_int64((int64_t)hist_count(all)));
		pts = json_object_new_array();
		for (j = 0; j < ANALYSIS_NSPEC; j++) {
			p = json_object_new_object();
			json_object_object_add(p, "q",
			    analysis_num(analysis_spectrum_q[j]));
			json_object_object_add(p, "v", analysis_num(v[j]));
			json_object_array_add(pts, p);
		}
		json_object_object_add(s, "points", pts);
		json_object_array_add(arr, s);
		hist_free(all);
	}
	return arr;
}

/* Events per label and outcome over time. */
static struct json_object *
analysis_outcomes(struct agg *a)
{
	struct json_object *o = json_object_new_object(), *arr, *s = NULL;
	struct json_object *pts = NULL, *p;
	struct agg_outcome *oc;
	double interval;
	size_t n, i;

	agg_series(a, &n, &interval);
	oc = agg_outcomes(a, &n);
	json_object_object_add(o, "interval_s", analysis_num(interval));
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		if (i == 0 || (oc[i].label == NULL) != (oc[i - 1].label == NULL)
		    || (oc[i].label && strcmp(oc[i].label, oc[i - 1].label)) ||
		    (oc[i].outcome == NULL) != (oc[i - 1].outcome == NULL) ||
		    (oc[i].outcome && strcmp(oc[i].outcome,
		    oc[i - 1].outcome))) {
			s = json_object_new_object();
			json_object_object_add(s, "label", oc[i].label ?
			    json_object_new_string(oc[i].label) : NULL);
			json_object_object_add(s, "outcome", oc[i].outcome ?
			    json_object_new_string(oc[i].outcome) : NULL);
			json_object_object_add(s, "error",
			    json_object_new_boolean(analysis_outcome_is_error(
			    oc[i].outcome)));
			pts = json_object_new_array();
			json_object_object_add(s, "points", pts);
			json_object_array_add(arr, s);
		}
		p = json_object_new_object();
		json_object_object_add(p, "ts",
		    analysis_num((double)oc[i].index * interval));
		json_object_object_add(p, "count",
		    json_object_new_int64((int64_t)oc[i].count));
		json_object_array_add(pts, p);
	}
	json_object_object_add(o, "series", arr);
	return o;
}

/* A deep copy of a borrowed object, or an empty object. */
static struct json_object *
analysis_copy(struct json_object *src)
{
	struct json_object *dst = NULL;

	if (src == NULL || json_object_deep_copy(src, &dst, NULL) != 0)
		return json_object_new_object();
	return dst;
}

struct json_object *
analysis_generator(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string("medload"));
	json_object_object_add(o, "version",
	    json_object_new_string(MEDLOAD_VERSION));
	return o;
}

struct json_object *
analysis_doc_new(const struct analysis_counts *c,
    const struct analysis_request *r, double first, double last)
{
	struct json_object *doc = json_object_new_object(), *o, *by, *w;
	size_t k;
	int i;

	json_object_object_add(doc, "schema",
	    json_object_new_string(ANALYSIS_SCHEMA));
	json_object_object_add(doc, "generator", analysis_generator());
	json_object_object_add(doc, "generated",
	    analysis_time(time_generated()));
	json_object_object_add(doc, "source", analysis_copy(r->source));
	by = json_object_new_array();
	for (k = 0; k < r->nkeys; k++)
		json_object_array_add(by,
		    json_object_new_string(agg_key_name(r->keys[k])));
	json_object_object_add(doc, "by", by);
	json_object_object_add(doc, "filters", analysis_copy(r->filters));

	o = json_object_new_object();
	json_object_object_add(o, "read", json_object_new_int64(
	    (int64_t)c->read));
	json_object_object_add(o, "accepted", json_object_new_int64(
	    (int64_t)c->accepted));
	json_object_object_add(o, "rejected", json_object_new_int64(
	    (int64_t)c->rejected));
	json_object_object_add(o, "filtered_out", json_object_new_int64(
	    (int64_t)c->filtered));
	json_object_object_add(o, "skipped", json_object_new_int64(
	    (int64_t)c->skipped));
	json_object_object_add(o, "agent_starts", json_object_new_int64(
	    (int64_t)c->agent_starts));
	w = json_object_new_object();
	for (i = 1; i < TRACE_REJ_COUNT; i++)
		if (c->by_reason[i] > 0)
			json_object_object_add(w, trace_reject_name(
			    (enum trace_reject)i), json_object_new_int64(
			    (int64_t)c->by_reason[i]));
	json_object_object_add(o, "rejected_by_reason", w);
	w = json_object_new_object();
	for (i = 1; i <= 4; i++)
		if (c->by_shape[i] > 0)
			json_object_object_add(w, trace_shape_name(
			    (enum trace_shape)i), json_object_new_int64(
			    (int64_t)c->by_shape[i]));
	json_object_object_add(o, "by_shape", w);
	json_object_object_add(doc, "events", o);

	w = json_object_new_object();
	json_object_object_add(w, "first", c->accepted ?
	    analysis_time(first) : NULL);
	json_object_object_add(w, "last", c->accepted ?
	    analysis_time(last) : NULL);
	json_object_object_add(w, "seconds", analysis_num(c->accepted ?
	    last - first : 0));
	json_object_object_add(doc, "window", w);
	return doc;
}

struct json_object *
analysis_method(const char *method, int exact, const char *note)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "exact", json_object_new_boolean(exact));
	json_object_object_add(o, "note", json_object_new_string(note));
	return o;
}

/*
 * "groups_overflow": the events of the groups beyond --max-groups, as
 * one group without a key, and the events left out of the outcome
 * counts; nothing when every group was kept.
 */
static void
analysis_overflow(struct json_object *doc, struct agg *a,
    const struct analysis_request *r)
{
	const struct agg_group *g;
	struct json_object *o;
	unsigned long long oc;
	size_t max;

	g = agg_overflow(a, &max, &oc);
	if (g == NULL && oc == 0)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "max_groups", json_object_new_int64(
	    (int64_t)max));
	json_object_object_add(o, "outcome_events", json_object_new_int64(
	    (int64_t)oc));
	if (g != NULL) {
		analysis_stats(o, g->h, r->pcts, r->npcts);
		json_object_object_add(o, "first", analysis_time(g->first));
		json_object_object_add(o, "last", analysis_time(g->last));
	} else
		json_object_object_add(o, "count", json_object_new_int64(0));
	json_object_object_add(doc, "groups_overflow", o);
}

struct json_object *
analysis_build(struct agg *a, const struct analysis_counts *c,
    const struct analysis_request *r)
{
	struct json_object *doc;
	double first, last;
	int exact = 1;

	agg_span(a, &first, &last);
	doc = analysis_doc_new(c, r, first, last);
	json_object_object_add(doc, "groups", analysis_groups(a, r, &exact));
	json_object_object_add(doc, "percentile_method", analysis_method(
	    "nearest-rank", exact, exact ?
	    "every value was an integer: all figures are exact" :
	    "non-integer values: percentiles within 0.05% relative error"));
	json_object_object_add(doc, "series", analysis_series(a));
	json_object_object_add(doc, "spectrum", analysis_spectrum(a));
	json_object_object_add(doc, "outcomes", analysis_outcomes(a));
	analysis_overflow(doc, a, r);
	return doc;
}

struct json_object *
analysis_find_group(struct json_object *doc, const struct json_object *key)
{
	struct json_object *groups, *g, *k;
	size_t i;

	if (!json_object_object_get_ex(doc, "groups", &groups))
		return NULL;
	for (i = 0; i < jx_len(groups); i++) {
		g = jx_at(groups, i);
		if (json_object_object_get_ex(g, "key", &k) &&
		    json_object_equal(k, (struct json_object *)key))
			return g;
	}
	return NULL;
}
