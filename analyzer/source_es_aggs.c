/*
 * source_es_aggs.c: aggs mode: the server computes groups (composite
 * aggregation), their stats and percentiles (t-digest, or HDR), the
 * series and spectrum per label (date_histogram) and the outcomes over
 * time; this file merges the passes and writes the analysis document.
 */
#include "source_es_priv.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis.h"
#include "es.h"
#include "interrupt.h"
#include "jsub.h"
#include "jx.h"
#include "trace.h"
#include "util.h"

#define SOURCE_ES_AGGS_PAGE 500	/* groups per composite page */

/*
 * Old ACA-Py writes ellapsed_milli, new ACA-Py elapsed_milli. An index
 * holding both is aggregated once per field, each pass limited to the
 * documents that have it, and the passes are merged: counts, min, max,
 * mean and stddev exactly; percentiles by mixing the two distributions,
 * each known through a grid of server percentiles (an approximation, as
 * the server's percentiles themselves are).
 */
static const double source_es_aggs_grid[] = { 0.1, 1, 2, 5, 10, 15, 20,
    25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 92.5, 95, 97.5,
    98, 99, 99.5, 99.9 };
#define SOURCE_ES_AGGS_NGRID \
	(sizeof(source_es_aggs_grid) / sizeof(source_es_aggs_grid[0]))
#define SOURCE_ES_AGGS_GRID_MAX (SOURCE_ES_AGGS_NGRID + ANALYSIS_MAX_PCTS)

/* One pass's figures for a group or a series bin. */
struct source_es_aggs_side {
	double count, min, max, mean, std, first, last;
	double pv[SOURCE_ES_AGGS_GRID_MAX];	/* at the grid's percents */
};

/* One aggregation run: the server, the layout, the options, the query. */
struct source_es_aggs_run {
	struct es *es;
	const struct source_es_layout *l;
	const struct source_es_opts *o;
	struct json_object *query;	/* borrowed */
};

/* A group or series bin, from one or two passes. */
struct source_es_aggs_cell {
	struct json_object *key;	/* group key object or label */
	double ts;			/* series: bin start */
	struct source_es_aggs_side side[2];
	int nsides;
};

/* Merges percents: the grid plus the asked ones, sorted, unique. */
static size_t
source_es_aggs_grid_with(const double *q, size_t nq, double *out)
{
	size_t n = 0, i, j;
	double t;

	for (i = 0; i < SOURCE_ES_AGGS_NGRID; i++)
		out[n++] = source_es_aggs_grid[i];
	for (i = 0; i < nq; i++) {
		for (j = 0; j < n && out[j] != q[i]; j++)
			;
		if (j == n)
			out[n++] = q[i];
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1] > out[j]; j--) {
			t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* The share (0-100) of a side's values at or below v, interpolated. */
static double
source_es_aggs_cdf(const struct source_es_aggs_side *s, const double *g,
    size_t ng, double v)
{
	double x0 = s->min, y0 = 0, x1, y1;
	size_t i;

	if (v < s->min)
		return 0;
	if (v >= s->max)
		return 100;
	for (i = 0; i <= ng; i++) {
		x1 = i < ng ? s->pv[i] : s->max;
		y1 = i < ng ? g[i] : 100;
		if (v < x1)
			return x1 > x0 ? y0 + (y1 - y0) * (v - x0) / (x1 - x0) :
			    y1;
		x0 = x1;
		y0 = y1;
	}
	return 100;
}

/* The q-th percentile of the mixture of a cell's sides. */
static double
source_es_aggs_mix_pct(const struct source_es_aggs_cell *c, const double *g,
    size_t ng, double q)
{
	double lo, hi, mid, n = 0, f, base, span;
	int i, it;

	if (c->nsides == 1) {
		for (size_t k = 0; k < ng; k++)
			if (g[k] == q)
				return c->side[0].pv[k];
		return 0;
	}
	lo = c->side[0].min < c->side[1].min ? c->side[0].min : c->side[1].min;
	hi = c->side[0].max > c->side[1].max ? c->side[0].max : c->side[1].max;
	for (i = 0; i < 2; i++)
		n += c->side[i].count;
	base = lo;
	span = hi - lo;
	for (it = 0; it < 60; it++) {
		mid = lo + (hi - lo) / 2;
		f = 0;
		for (i = 0; i < 2; i++)
			f += c->side[i].count * source_es_aggs_cdf(&c->side[i],
			    g, ng, mid);
		if (f / n >= q)
			hi = mid;
		else
			lo = mid;
	}
	/* Bisection ends a hair above an exact minimum: snap it back. */
	return hi - base < 1e-9 * (span + 1) ? base : hi;
}

/* Count, min, max, mean and stddev of a cell over its sides. */
static struct source_es_aggs_side
source_es_aggs_mix_stats(const struct source_es_aggs_cell *c)
{
	struct source_es_aggs_side m = c->side[0];
	double n, d;

	if (c->nsides == 2) {
		const struct source_es_aggs_side *b = &c->side[1];

		n = m.count + b->count;
		d = b->mean - m.mean;
		m.std = sqrt((m.count * m.std * m.std + b->count * b->std *
		    b->std + d * d * m.count * b->count / n) / n);
		m.mean = (m.mean * m.count + b->mean * b->count) / n;
		m.count = n;
		if (b->min < m.min)
			m.min = b->min;
		if (b->max > m.max)
			m.max = b->max;
		if (b->first < m.first)
			m.first = b->first;
		if (b->last > m.last)
			m.last = b->last;
	}
	return m;
}

/* Finds or adds the cell for a key (by its JSON text). */
static struct source_es_aggs_cell *
source_es_aggs_cell_for(struct source_es_aggs_cell **cells, size_t *n,
    struct json_object *key, double ts)
{
	const char *k = json_object_to_json_string_ext(key,
	    JSON_C_TO_STRING_PLAIN);
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*cells)[i].ts == ts && strcmp(
		    json_object_to_json_string_ext((*cells)[i].key,
		    JSON_C_TO_STRING_PLAIN), k) == 0)
			return &(*cells)[i];
	*cells = util_realloc(*cells, (*n + 1) * sizeof(**cells));
	memset(&(*cells)[*n], 0, sizeof(**cells));
	(*cells)[*n].key = json_object_get(key);
	(*cells)[*n].ts = ts;
	return &(*cells)[(*n)++];
}

/* Frees cells. */
static void
source_es_aggs_cells_free(struct source_es_aggs_cell *cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_object_put(cells[i].key);
	free(cells);
}

/*
 * The next side of the cell for key at ts (its first or second pass), or
 * NULL when it has both: a server that repeats a bucket is not believed
 * past two.
 */
static struct source_es_aggs_side *
source_es_aggs_side_for(struct source_es_aggs_cell **cells, size_t *n,
    struct json_object *key, double ts)
{
	struct source_es_aggs_cell *c = source_es_aggs_cell_for(cells, n, key,
	    ts);

	return c->nsides < 2 ? &c->side[c->nsides++] : NULL;
}

/* The percentiles aggregation body for one elapsed field. */
static struct json_object *
source_es_aggs_percentiles(const char *field, const double *q, size_t n,
    int hdr)
{
	struct json_object *o = json_object_new_object(), *arr, *m;
	size_t i;

	json_object_object_add(o, "field", json_object_new_string(field));
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, analysis_num(q[i]));
	json_object_object_add(o, "percents", arr);
	json_object_object_add(o, "keyed", json_object_new_boolean(0));
	m = json_object_new_object();
	if (hdr) {
		json_object_object_add(m, "number_of_significant_value_digits",
		    json_object_new_int(3));
		json_object_object_add(o, "hdr", m);
	} else {
		json_object_object_add(m, "compression",
		    json_object_new_int(100));
		json_object_object_add(o, "tdigest", m);
	}
	return o;
}

/* {"field": name}. */
static struct json_object *
source_es_aggs_field(const char *name)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "field", json_object_new_string(name));
	return o;
}

/*
 * A number member of an aggregation result (0 when null or absent), held
 * to [0, 1e15] where every count, time in ms and latency fits, so that a
 * damaged answer's 1e19 or -1 casts to a count without undefined
 * behaviour (found by tests/fuzz/fuzz_es).
 */
static double
source_es_aggs_num(struct json_object *o, const char *k)
{
	struct json_object *v;
	double d;

	if (o == NULL || !json_object_object_get_ex(o, k, &v) || v == NULL)
		return 0;
	d = json_object_get_double(v);
	return d >= 0 && d <= 1e15 ? d : d > 1e15 ? 1e15 : 0;
}

/* The value of a {"value": ...} metric, converted to epoch seconds. */
static double
source_es_aggs_time(const struct source_es_layout *l,
    struct json_object *bucket, const char *name)
{
	struct json_object *m;

	if (!json_object_object_get_ex(bucket, name, &m))
		return 0;
	return source_es_aggs_num(m, "value") / (l->time_is_date ? 1000 : 1);
}

/* Server percentiles {"values": [{"key", "value"}]} into out[]. */
static void
source_es_aggs_pct_values(struct json_object *pct, size_t n, double *out)
{
	struct json_object *vals;
	size_t i;

	memset(out, 0, n * sizeof(*out));
	if (!json_object_object_get_ex(pct, "values", &vals))
		return;
	for (i = 0; i < n && i < jx_len(vals); i++)
		out[i] = source_es_aggs_num(jx_at(vals, i), "value");
}

/* Runs one aggregation query; NULL with *cause on failure. */
static struct json_object *
source_es_aggs_search(struct es *es, const char *index,
    struct json_object *body, char **cause)
{
	struct json_object *res = NULL;
	char *path = util_printf("/%s/_search", index);

	if (es_call(es, "POST", path, body, 0, &res, cause) == -1)
		res = NULL;
	free(path);
	return res;
}

/* Asks for one page of groups (after: the last key, taken, or NULL). */
static struct json_object *
source_es_aggs_groups_page(const struct source_es_aggs_run *r,
    struct json_object *q, const char *field, const double *g, size_t ng,
    struct json_object *after, char **cause)
{
	struct json_object *sources = json_object_new_array(), *src, *te, *k;
	struct json_object *body, *res;
	struct jsub_params *p;
	size_t i;

	for (i = 0; i < r->o->nkeys; i++) {
		te = json_object_new_object();
		json_object_object_add(te, "field", json_object_new_string(
		    r->l->key_field[r->o->keys[i]]));
		json_object_object_add(te, "missing_bucket",
		    json_object_new_boolean(1));
		k = json_object_new_object();
		json_object_object_add(k, "terms", te);
		src = json_object_new_object();
		json_object_object_add(src, agg_key_name(r->o->keys[i]), k);
		json_object_array_add(sources, src);
	}
	p = jsub_params_new();
	jsub_set(p, "query", json_object_get(q));
	jsub_set_number(p, "page", SOURCE_ES_AGGS_PAGE);
	jsub_set(p, "sources", sources);
	if (after != NULL)
		jsub_set(p, "after", after);
	jsub_set(p, "elapsed", source_es_aggs_field(field));
	jsub_set(p, "percentiles", source_es_aggs_percentiles(field, g, ng,
	    r->o->hdr));
	jsub_set_string(p, "time_field", r->l->time_field);
	body = source_es_query_template("aggs-groups.json", p, cause);
	jsub_params_free(p);
	res = body ? source_es_aggs_search(r->es, r->o->index, body,
	    cause) : NULL;
	json_object_put(body);
	return res;
}

/* Adds one composite bucket to the cell of its group. */
static void
source_es_aggs_group_bucket(const struct source_es_aggs_run *r,
    struct json_object *b, size_t ng, struct source_es_aggs_cell **cells,
    size_t *ncells)
{
	struct json_object *key = NULL, *stats = NULL, *k, *kv;
	struct source_es_aggs_side *sd;
	const char *kn;
	size_t j;

	json_object_object_get_ex(b, "key", &key);
	json_object_object_get_ex(b, "elapsed", &stats);
	k = json_object_new_object();
	for (j = 0; j < r->o->nkeys; j++) {
		kv = NULL;
		kn = agg_key_name(r->o->keys[j]);
		json_object_object_get_ex(key, kn, &kv);
		json_object_object_add(k, kn, kv ? json_object_get(kv) : NULL);
	}
	sd = source_es_aggs_side_for(cells, ncells, k, 0);
	json_object_put(k);
	if (sd == NULL)
		return;
	sd->count = source_es_aggs_num(stats, "count");
	sd->min = source_es_aggs_num(stats, "min");
	sd->max = source_es_aggs_num(stats, "max");
	sd->mean = source_es_aggs_num(stats, "avg");
	sd->std = source_es_aggs_num(stats, "std_deviation");
	sd->first = source_es_aggs_time(r->l, b, "first");
	sd->last = source_es_aggs_time(r->l, b, "last");
	source_es_aggs_pct_values(json_object_object_get(b, "pct"), ng,
	    sd->pv);
}

/* One composite pass over the documents holding field. */
static int
source_es_aggs_groups_pass(const struct source_es_aggs_run *r,
    const char *field, const double *g, size_t ng,
    struct source_es_aggs_cell **cells, size_t *ncells, char **cause)
{
	struct json_object *q, *after = NULL, *res, *aggs, *gr, *buckets, *ak;
	size_t i;
	int rc = -1;

	q = source_es_query_with(r->query, field);
	for (;;) {
		res = source_es_aggs_groups_page(r, q, field, g, ng, after,
		    cause);
		after = NULL;
		if (res == NULL)
			break;
		if (!json_object_object_get_ex(res, "aggregations", &aggs) ||
		    !json_object_object_get_ex(aggs, "groups", &gr) ||
		    !json_object_object_get_ex(gr, "buckets", &buckets)) {
			json_object_put(res);
			util_fail(cause, "composite aggregation: unexpected "
			    "answer");
			break;
		}
		for (i = 0; i < jx_len(buckets); i++)
			source_es_aggs_group_bucket(r, jx_at(buckets, i), ng,
			    cells, ncells);
		if (json_object_object_get_ex(gr, "after_key", &ak) &&
		    jx_len(buckets) > 0)
			after = json_object_get(ak);
		json_object_put(res);
		if (after == NULL) {
			rc = 0;
			break;
		}
		if (interrupt_pending()) {
			json_object_put(after);
			util_fail(cause, "interrupted");
			break;
		}
	}
	json_object_put(q);
	return rc;
}

/* Orders group keys by their values in key order, null first. */
static int
source_es_aggs_key_cmp(const void *pa, const void *pb)
{
	const struct source_es_aggs_cell *a = pa, *b = pb;
	struct json_object_iterator ia, ea, ib;
	const char *x, *y;
	int c;

	ia = json_object_iter_begin(a->key);
	ea = json_object_iter_end(a->key);
	ib = json_object_iter_begin(b->key);
	for (; !json_object_iter_equal(&ia, &ea); json_object_iter_next(&ia),
	    json_object_iter_next(&ib)) {
		struct json_object *va = json_object_iter_peek_value(&ia);
		struct json_object *vb = json_object_iter_peek_value(&ib);

		x = va ? json_object_get_string(va) : NULL;
		y = vb ? json_object_get_string(vb) : NULL;
		if (x == NULL || y == NULL) {
			c = (x != NULL) - (y != NULL);
		} else
			c = strcmp(x, y);
		if (c != 0)
			return c;
	}
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return 0;
}


/* The group of a merged cell, with the asked percentiles. */
static struct json_object *
source_es_aggs_group(const struct source_es_aggs_run *r,
    const struct source_es_aggs_cell *cell, const double *grid, size_t ng,
    const struct source_es_aggs_side *m)
{
	struct json_object *g = json_object_new_object(), *pcts;
	const struct source_es_opts *o = r->o;
	char name[32];
	size_t j;

	json_object_object_add(g, "key", json_object_get(cell->key));
	json_object_object_add(g, "count",
	    json_object_new_int64((int64_t)m->count));
	json_object_object_add(g, "min", analysis_num(m->min));
	json_object_object_add(g, "max", analysis_num(m->max));
	json_object_object_add(g, "mean", analysis_num(m->mean));
	json_object_object_add(g, "stddev", analysis_num(m->std));
	pcts = json_object_new_object();
	for (j = 0; j < o->npcts; j++)
		json_object_object_add(pcts, analysis_pct_name(o->pcts[j],
		    name), analysis_num(source_es_aggs_mix_pct(cell, grid, ng,
		    o->pcts[j])));
	json_object_object_add(g, "percentiles", pcts);
	json_object_object_add(g, "first", analysis_time(m->first));
	json_object_object_add(g, "last", analysis_time(m->last));
	json_object_object_add(g, "rate", analysis_num(analysis_rate(
	    (unsigned long long)m->count, m->first, m->last)));
	return g;
}

/* The groups array: one or two passes, merged. */
static int
source_es_aggs_groups(const struct source_es_aggs_run *r,
    struct json_object *groups, unsigned long long *accepted, double *first,
    double *last, char **cause)
{
	struct source_es_aggs_cell *cells = NULL;
	struct source_es_aggs_side m;
	double grid[SOURCE_ES_AGGS_GRID_MAX];
	size_t ng, n = 0, i;
	int rc = 0;

	ng = source_es_aggs_grid_with(r->o->pcts, r->o->npcts, grid);
	if (r->l->have_ellapsed)
		rc = source_es_aggs_groups_pass(r, "ellapsed_milli", grid, ng,
		    &cells, &n, cause);
	if (rc == 0 && r->l->have_elapsed)
		rc = source_es_aggs_groups_pass(r, "elapsed_milli", grid, ng,
		    &cells, &n, cause);
	if (rc == -1) {
		source_es_aggs_cells_free(cells, n);
		return -1;
	}
	if (n > 0)	/* cells is NULL when empty */
		qsort(cells, n, sizeof(*cells), source_es_aggs_key_cmp);
	for (i = 0; i < n; i++) {
		m = source_es_aggs_mix_stats(&cells[i]);
		json_object_array_add(groups, source_es_aggs_group(r, &cells[i],
		    grid, ng, &m));
		*accepted += (unsigned long long)m.count;
		if (i == 0 || m.first < *first)
			*first = m.first;
		if (i == 0 || m.last > *last)
			*last = m.last;
	}
	source_es_aggs_cells_free(cells, n);
	return 0;
}

/*
 * Sets the time-bucket parameter of a series query: date_histogram with
 * fixed_interval on a date field, histogram on epoch seconds.
 */
static void
source_es_aggs_time_buckets(const struct source_es_layout *l,
    double interval, struct jsub_params *p)
{
	struct json_object *h = json_object_new_object();
	char buf[32];

	json_object_object_add(h, "field",
	    json_object_new_string(l->time_field));
	json_object_object_add(h, "min_doc_count", json_object_new_int(1));
	if (l->time_is_date) {
		snprintf(buf, sizeof(buf), "%.0fs", interval);
		json_object_object_add(h, "fixed_interval",
		    json_object_new_string(buf));
		jsub_set(p, "date_histogram", h);
	} else {
		json_object_object_add(h, "interval", analysis_num(interval));
		jsub_set(p, "histogram", h);
	}
}

/* The spectrum's percentiles beyond the mixing grid. */
static const double source_es_aggs_spec_extra[] = { 99.99 };

/* The series query of the documents holding field (caller puts). */
static struct json_object *
source_es_aggs_series_body(const struct source_es_aggs_run *r,
    const char *field, double interval, char **cause)
{
	struct json_object *q, *body;
	struct jsub_params *p;
	double sgrid[SOURCE_ES_AGGS_GRID_MAX];
	size_t sg;

	q = source_es_query_with(r->query, field);
	source_es_query_not_start(q, r->l);
	p = jsub_params_new();
	jsub_set(p, "query", q);
	jsub_set_string(p, "label_field", r->l->key_field[AGG_KEY_LABEL]);
	sg = source_es_aggs_grid_with(source_es_aggs_spec_extra, 1, sgrid);
	jsub_set(p, "spectrum", source_es_aggs_percentiles(field, sgrid, sg,
	    r->o->hdr));
	source_es_aggs_time_buckets(r->l, interval, p);
	jsub_set(p, "percentiles", source_es_aggs_percentiles(field,
	    source_es_aggs_grid, SOURCE_ES_AGGS_NGRID, r->o->hdr));
	jsub_set(p, "elapsed", source_es_aggs_field(field));
	body = source_es_query_template("aggs-series.json", p, cause);
	jsub_params_free(p);
	return body;
}

/* A {"label": lk} key (caller puts). */
static struct json_object *
source_es_aggs_label_key(struct json_object *lk)
{
	struct json_object *key = json_object_new_object();

	json_object_object_add(key, "label", json_object_get(lk));
	return key;
}

/* Adds a label bucket's spectrum (sg percents) to the label's cell. */
static void
source_es_aggs_spectrum_bucket(struct json_object *lb, struct json_object *lk,
    size_t sg, struct source_es_aggs_cell **spec, size_t *nspec)
{
	struct json_object *key = source_es_aggs_label_key(lk), *sp = NULL;
	struct source_es_aggs_side *sd;

	sd = source_es_aggs_side_for(spec, nspec, key, 0);
	json_object_put(key);
	if (sd == NULL)
		return;
	sd->count = source_es_aggs_num(lb, "doc_count");
	json_object_object_get_ex(lb, "smin", &sp);
	sd->min = source_es_aggs_num(sp, "value");
	json_object_object_get_ex(lb, "smax", &sp);
	sd->max = source_es_aggs_num(sp, "value");
	if (json_object_object_get_ex(lb, "spec", &sp))
		source_es_aggs_pct_values(sp, sg, sd->pv);
}

/* Adds a label bucket's time bins to the series cells. */
static void
source_es_aggs_series_bins(const struct source_es_layout *l,
    struct json_object *lb, struct json_object *lk,
    struct source_es_aggs_cell **cells, size_t *n)
{
	struct json_object *t, *tb, *x, *key;
	struct source_es_aggs_side *sd;
	size_t j;

	if (!json_object_object_get_ex(lb, "t", &t) ||
	    !json_object_object_get_ex(t, "buckets", &tb))
		return;
	for (j = 0; j < jx_len(tb); j++) {
		x = jx_at(tb, j);
		key = source_es_aggs_label_key(lk);
		sd = source_es_aggs_side_for(cells, n, key,
		    source_es_aggs_num(x, "key") /
		    (l->time_is_date ? 1000 : 1));
		json_object_put(key);
		if (sd == NULL)
			continue;
		sd->count = source_es_aggs_num(x, "doc_count");
		sd->max = source_es_aggs_num(json_object_object_get(x, "max"),
		    "value");
		source_es_aggs_pct_values(json_object_object_get(x, "pct"),
		    SOURCE_ES_AGGS_NGRID, sd->pv);
		sd->min = sd->pv[0];
	}
}

/* One series pass over the documents holding field. */
static int
source_es_aggs_series_pass(const struct source_es_aggs_run *r,
    const char *field, double interval, struct source_es_aggs_cell **cells,
    size_t *n, struct source_es_aggs_cell **spec, size_t *nspec,
    char **cause)
{
	struct json_object *body, *res, *aggs, *labs, *buckets, *lb, *lk;
	double sgrid[SOURCE_ES_AGGS_GRID_MAX];
	size_t i, sg;

	body = source_es_aggs_series_body(r, field, interval, cause);
	if (body == NULL)
		return -1;
	res = source_es_aggs_search(r->es, r->o->index, body, cause);
	json_object_put(body);
	if (res == NULL)
		return -1;
	sg = source_es_aggs_grid_with(source_es_aggs_spec_extra, 1, sgrid);
	if (json_object_object_get_ex(res, "aggregations", &aggs) &&
	    json_object_object_get_ex(aggs, "labels", &labs) &&
	    json_object_object_get_ex(labs, "buckets", &buckets)) {
		for (i = 0; i < jx_len(buckets); i++) {
			lb = jx_at(buckets, i);
			lk = NULL;
			json_object_object_get_ex(lb, "key", &lk);
			source_es_aggs_spectrum_bucket(lb, lk, sg, spec, nspec);
			source_es_aggs_series_bins(r->l, lb, lk, cells, n);
		}
	}
	json_object_put(res);
	return 0;
}

/* The spectrum of each label from its merged cell (sorted by label). */
static struct json_object *
source_es_aggs_spectrum(struct source_es_aggs_cell *spec, size_t nspec)
{
	static const double sq[] = { 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9,
	    99.99 };
	static const size_t nsq = sizeof(sq) / sizeof(sq[0]);
	struct json_object *out = json_object_new_array(), *sp, *sa, *p, *lab;
	struct source_es_aggs_side m;
	double sgrid[SOURCE_ES_AGGS_GRID_MAX], q;
	size_t i, k, sg;

	sg = source_es_aggs_grid_with(source_es_aggs_spec_extra, 1, sgrid);
	if (nspec > 0)	/* spec is NULL when empty */
		qsort(spec, nspec, sizeof(*spec), source_es_aggs_key_cmp);
	for (i = 0; i < nspec; i++) {
		m = source_es_aggs_mix_stats(&spec[i]);
		sp = json_object_new_object();
		json_object_object_get_ex(spec[i].key, "label", &lab);
		json_object_object_add(sp, "label", json_object_get(lab));
		json_object_object_add(sp, "count",
		    json_object_new_int64((int64_t)m.count));
		sa = json_object_new_array();
		for (k = 0; k < nsq + 2; k++) {
			q = k == 0 ? 0 : k <= nsq ? sq[k - 1] : 100;
			p = json_object_new_object();
			json_object_object_add(p, "q", analysis_num(q));
			json_object_object_add(p, "v", analysis_num(q == 0 ?
			    m.min : q == 100 ? m.max : source_es_aggs_mix_pct(
			    &spec[i], sgrid, sg, q)));
			json_object_array_add(sa, p);
		}
		json_object_object_add(sp, "points", sa);
		json_object_array_add(out, sp);
	}
	return out;
}

/* One series point from a merged time bin. */
static struct json_object *
source_es_aggs_point(const struct source_es_aggs_cell *cell)
{
	struct source_es_aggs_side m = source_es_aggs_mix_stats(cell);
	struct json_object *pt = json_object_new_object();
	static const double q[] = { 50, 95, 99 };
	static const char *const name[] = { "p50", "p95", "p99" };
	size_t i;

	json_object_object_add(pt, "t", analysis_time(cell->ts));
	json_object_object_add(pt, "ts", analysis_num(cell->ts));
	json_object_object_add(pt, "count",
	    json_object_new_int64((int64_t)m.count));
	for (i = 0; i < 3; i++)
		json_object_object_add(pt, name[i], analysis_num(
		    source_es_aggs_mix_pct(cell, source_es_aggs_grid,
		    SOURCE_ES_AGGS_NGRID, q[i])));
	json_object_object_add(pt, "max", analysis_num(m.max));
	return pt;
}

/* The series of each label from the merged time bins (sorted). */
static struct json_object *
source_es_aggs_series_labels(struct source_es_aggs_cell *cells, size_t n)
{
	struct json_object *arr = json_object_new_array(), *s, *pts = NULL;
	struct json_object *lab;
	const char *cur = NULL, *name;
	size_t i;

	if (n > 0)	/* cells is NULL when empty */
		qsort(cells, n, sizeof(*cells), source_es_aggs_key_cmp);
	for (i = 0; i < n; i++) {
		json_object_object_get_ex(cells[i].key, "label", &lab);
		name = jx_str(lab, "");
		if (cur == NULL || strcmp(cur, name) != 0) {
			s = json_object_new_object();
			json_object_object_add(s, "label",
			    json_object_get(lab));
			pts = json_object_new_array();
			json_object_object_add(s, "points", pts);
			json_object_array_add(arr, s);
			cur = name;
		}
		json_object_array_add(pts, source_es_aggs_point(&cells[i]));
	}
	return arr;
}

/* Series per label from date_histogram (or histogram on seconds). */
static struct json_object *
source_es_aggs_series(const struct source_es_aggs_run *r, double interval,
    struct json_object **spectrum, char **cause)
{
	struct json_object *series;
	struct source_es_aggs_cell *cells = NULL, *spec = NULL;
	size_t n = 0, nspec = 0;
	int rc = 0;

	if (r->l->have_ellapsed)
		rc = source_es_aggs_series_pass(r, "ellapsed_milli", interval,
		    &cells, &n, &spec, &nspec, cause);
	if (rc == 0 && r->l->have_elapsed)
		rc = source_es_aggs_series_pass(r, "elapsed_milli", interval,
		    &cells, &n, &spec, &nspec, cause);
	if (rc == -1) {
		source_es_aggs_cells_free(cells, n);
		source_es_aggs_cells_free(spec, nspec);
		return NULL;
	}
	*spectrum = source_es_aggs_spectrum(spec, nspec);
	source_es_aggs_cells_free(spec, nspec);
	series = json_object_new_object();
	json_object_object_add(series, "interval_s", analysis_num(interval));
	json_object_object_add(series, "labels",
	    source_es_aggs_series_labels(cells, n));
	source_es_aggs_cells_free(cells, n);
	return series;
}

/* The events/s points of one outcome bucket. */
static struct json_object *
source_es_aggs_outcome_points(const struct source_es_layout *l,
    struct json_object *x)
{
	struct json_object *pts = json_object_new_array(), *t, *tb, *y, *pt;
	size_t k;

	if (!json_object_object_get_ex(x, "t", &t) ||
	    !json_object_object_get_ex(t, "buckets", &tb))
		return pts;
	for (k = 0; k < jx_len(tb); k++) {
		y = jx_at(tb, k);
		pt = json_object_new_object();
		json_object_object_add(pt, "ts", analysis_num(
		    source_es_aggs_num(y, "key") /
		    (l->time_is_date ? 1000 : 1)));
		json_object_object_add(pt, "count", json_object_new_int64(
		    (int64_t)source_es_aggs_num(y, "doc_count")));
		json_object_array_add(pts, pt);
	}
	return pts;
}

/* Adds the series of one label bucket's outcomes to arr. */
static void
source_es_aggs_outcome_label(const struct source_es_layout *l,
    struct json_object *b, struct json_object *arr)
{
	struct json_object *lk = NULL, *ob, *obs, *x, *ok, *s;
	size_t j;

	json_object_object_get_ex(b, "key", &lk);
	if (!json_object_object_get_ex(b, "outcomes", &ob) ||
	    !json_object_object_get_ex(ob, "buckets", &obs))
		return;
	for (j = 0; j < jx_len(obs); j++) {
		x = jx_at(obs, j);
		ok = NULL;
		json_object_object_get_ex(x, "key", &ok);
		s = json_object_new_object();
		json_object_object_add(s, "label", json_object_get(lk));
		json_object_object_add(s, "outcome", json_object_get(ok));
		json_object_object_add(s, "error", json_object_new_boolean(
		    analysis_outcome_is_error(json_object_get_string(ok))));
		json_object_object_add(s, "points",
		    source_es_aggs_outcome_points(l, x));
		json_object_array_add(arr, s);
	}
}

/* Events per label and outcome over time (all events, START included). */
static struct json_object *
source_es_aggs_outcomes(const struct source_es_aggs_run *r, double interval,
    char **cause)
{
	struct json_object *body, *res, *aggs, *labs, *lb, *out, *arr;
	struct jsub_params *p;
	size_t i;

	out = json_object_new_object();
	json_object_object_add(out, "interval_s", analysis_num(interval));
	arr = json_object_new_array();
	json_object_object_add(out, "series", arr);
	if (r->l->key_field[AGG_KEY_OUTCOME] == NULL)
		return out;
	p = jsub_params_new();
	jsub_set(p, "query", json_object_get(r->query));
	jsub_set_string(p, "label_field", r->l->key_field[AGG_KEY_LABEL]);
	jsub_set_string(p, "outcome_field", r->l->key_field[AGG_KEY_OUTCOME]);
	source_es_aggs_time_buckets(r->l, interval, p);
	body = source_es_query_template("aggs-outcomes.json", p, cause);
	jsub_params_free(p);
	res = body ? source_es_aggs_search(r->es, r->o->index, body, cause) :
	    NULL;
	json_object_put(body);
	if (res == NULL) {
		json_object_put(out);
		return NULL;
	}
	if (json_object_object_get_ex(res, "aggregations", &aggs) &&
	    json_object_object_get_ex(aggs, "labels", &labs) &&
	    json_object_object_get_ex(labs, "buckets", &lb)) {
		for (i = 0; i < jx_len(lb); i++)
			source_es_aggs_outcome_label(r->l, jx_at(lb, i), arr);
	}
	json_object_put(res);
	return out;
}

int
source_es_aggs_count(struct es *es, const struct source_es_layout *l,
    const struct source_es_opts *o, struct json_object *query,
    unsigned long long *total, double *first, double *last, char **cause)
{
	struct json_object *body, *res, *hits, *tot, *aggs;
	struct jsub_params *p = jsub_params_new(), *w;

	jsub_set(p, "query", json_object_get(query));
	if (l->time_field != NULL) {
		w = jsub_params_new();
		jsub_set_string(w, "time_field", l->time_field);
		jsub_set(p, "window_aggs", source_es_query_template(
		    "window-aggs.json", w, cause));
		jsub_params_free(w);
	}
	body = source_es_query_template("count.json", p, cause);
	jsub_params_free(p);
	if (body == NULL)
		return -1;
	res = source_es_aggs_search(es, o->index, body, cause);
	json_object_put(body);
	if (res == NULL)
		return -1;
	*total = 0;
	if (json_object_object_get_ex(res, "hits", &hits) &&
	    json_object_object_get_ex(hits, "total", &tot))
		*total = json_object_is_type(tot, json_type_object) ?
		    (unsigned long long)source_es_aggs_num(tot, "value") :
		    (unsigned long long)json_object_get_int64(tot);
	*first = *last = 0;
	if (json_object_object_get_ex(res, "aggregations", &aggs)) {
		*first = source_es_aggs_time(l, aggs, "first");
		*last = source_es_aggs_time(l, aggs, "last");
	}
	json_object_put(res);
	return 0;
}

/* Checks that the index has what aggs mode needs; 0 or -1 with *cause. */
static int
source_es_aggs_check(const struct source_es_layout *l,
    const struct source_es_opts *o, char **cause)
{
	size_t k;

	for (k = 0; k < o->nkeys; k++)
		if (l->key_field[o->keys[k]] == NULL)
			return util_fail(cause, "--by %s: the index has no "
			    "aggregatable %s field (keyword, or text with "
			    ".keyword); try --mode raw", agg_key_name(
			    o->keys[k]), agg_key_name(o->keys[k]));
	if (!l->have_ellapsed && !l->have_elapsed)
		return util_fail(cause, "the index has no numeric "
		    "ellapsed_milli or elapsed_milli field; try --mode raw");
	if (l->time_field == NULL)
		return util_fail(cause, "the index has no time field "
		    "(@timestamp, str_time as a date, or timestamp as a "
		    "double); try --mode raw");
	return 0;
}

/* The asked interval, or the first of the ladder giving <= 300 bins. */
static double
source_es_aggs_interval(double interval, double first, double last)
{
	static const double ladder[] = { 1, 2, 10, 30, 60, 300, 600, 1800,
	    3600, 7200, 21600, 86400 };
	double span = last - first;
	size_t i;

	if (!(interval <= 0))
		return interval;
	interval = ladder[0];
	for (i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++) {
		interval = ladder[i];
		if (span / interval <= 300)
			break;
	}
	return interval;
}

/* The document from the server's figures (groups, series and so on). */
static struct json_object *
source_es_aggs_doc(const struct source_es_opts *o, struct json_object *source,
    const struct analysis_counts *c, double gf, double gl,
    struct json_object *groups, struct json_object *series,
    struct json_object *spectrum, struct json_object *outcomes)
{
	struct analysis_request req;
	struct json_object *doc;

	source_es_request(o, source, &req);
	doc = analysis_doc_new(c, &req, gf, gl);
	json_object_object_add(doc, "groups", groups);
	json_object_object_add(doc, "percentile_method", analysis_method(
	    o->hdr ? "hdr" : "tdigest", 0, o->hdr ?
	    "the server's approximation: HDR histogram, 3 significant digits" :
	    "the server's approximation: t-digest, compression 100"));
	json_object_object_add(doc, "series", series);
	json_object_object_add(doc, "spectrum", spectrum);
	json_object_object_add(doc, "outcomes", outcomes);
	return doc;
}

struct json_object *
source_es_aggs(struct es *es, const struct source_es_layout *l,
    const struct source_es_opts *o, struct json_object *source,
    unsigned long long total, double first, double last, int *partial,
    char **cause)
{
	struct source_es_aggs_run r = { es, l, o, NULL };
	struct analysis_counts c;
	struct json_object *groups, *series, *outcomes, *spectrum = NULL;
	double interval, gf = 0, gl = 0;

	if (source_es_aggs_check(l, o, cause) == -1)
		return NULL;
	r.query = source_es_query(l, o, 1, 1, cause);
	if (r.query == NULL)
		return NULL;
	memset(&c, 0, sizeof(c));
	groups = json_object_new_array();
	if (source_es_aggs_groups(&r, groups, &c.accepted, &gf, &gl,
	    cause) == -1) {
		json_object_put(groups);
		json_object_put(r.query);
		return NULL;
	}
	c.read = total > c.accepted ? total : c.accepted;
	c.rejected = c.read - c.accepted;
	c.by_reason[TRACE_REJ_NO_ELAPSED] = c.rejected;
	c.by_shape[TRACE_SHAPE_HIT] = c.accepted;
	interval = source_es_aggs_interval(o->interval, first, last);
	series = source_es_aggs_series(&r, interval, &spectrum, cause);
	outcomes = series ? source_es_aggs_outcomes(&r, interval, cause) :
	    NULL;
	json_object_put(r.query);
	if (series == NULL || outcomes == NULL) {
		json_object_put(groups);
		json_object_put(series);
		json_object_put(spectrum);
		return NULL;
	}
	*partial = 0;
	json_object_object_add(source, "partial", json_object_new_boolean(0));
	return source_es_aggs_doc(o, source, &c, gf, gl, groups, series,
	    spectrum, outcomes);
}
