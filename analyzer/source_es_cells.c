/*
 * source_es_cells.c: the cells of aggs mode. A group, a series bin or a
 * label's spectrum is made of the server's buckets that become one: the
 * passes over ellapsed_milli and elapsed_milli, and the raw values that
 * normalise to the same key (an endpoint cut from the outcome, an old
 * message type). Each bucket is a side of its cell; the sides are merged:
 * counts, min, max, mean and stddev exactly, percentiles by mixing the
 * distributions, each known through a grid of server percentiles (an
 * approximation, as the server's percentiles themselves are).
 */
#include "source_es_priv.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hmap.h"
#include "util.h"

const double source_es_cells_grid[SOURCE_ES_CELLS_NGRID] = { 0.1, 1, 2, 5,
    10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 92.5,
    95, 97.5, 98, 99, 99.5, 99.9 };
_Static_assert(sizeof(source_es_cells_grid) / sizeof(source_es_cells_grid[0])
    == SOURCE_ES_CELLS_NGRID, "SOURCE_ES_CELLS_NGRID counts the grid");

size_t
source_es_cells_grid_with(const double *q, size_t nq, double *out)
{
	size_t n = 0, i, j;
	double t;

	for (i = 0; i < SOURCE_ES_CELLS_NGRID; i++)
		out[n++] = source_es_cells_grid[i];
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

void
source_es_cells_init(struct source_es_cells *t)
{
	memset(t, 0, sizeof(*t));
	t->index = hmap_new();
	strbuf_init(&t->k, 0);
}

void
source_es_cells_release(struct source_es_cells *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		json_object_put(t->v[i].key);
		free(t->v[i].side);
	}
	free(t->v);
	hmap_free(t->index, NULL);
	strbuf_release(&t->k);
	memset(t, 0, sizeof(*t));
}

struct source_es_side *
source_es_cells_side(struct source_es_cells *t, struct json_object *key,
    double ts)
{
	const char *k = json_object_to_json_string_ext(key,
	    JSON_C_TO_STRING_PLAIN);
	struct source_es_cell *c;
	size_t at;

	strbuf_reset(&t->k);
	strbuf_add(&t->k, &ts, sizeof(ts));
	strbuf_adds(&t->k, k);
	at = (size_t)(uintptr_t)hmap_get(t->index, t->k.data, t->k.len);
	if (at == 0) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->v = util_realloc(t->v, t->cap * sizeof(*t->v));
		}
		c = &t->v[t->n++];
		memset(c, 0, sizeof(*c));
		c->key = json_object_get(key);
		c->ts = ts;
		hmap_put(t->index, t->k.data, t->k.len,
		    (void *)(uintptr_t)t->n);
	} else
		c = &t->v[at - 1];
	if (c->nsides == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1;
		c->side = util_realloc(c->side, c->cap * sizeof(*c->side));
	}
	memset(&c->side[c->nsides], 0, sizeof(*c->side));
	return &c->side[c->nsides++];
}

/*
 * Orders cells by their key's values in the order of enum agg_key (as
 * analysis_build orders groups; absent and null first), then by time.
 */
static int
source_es_cells_cmp(const void *pa, const void *pb)
{
	const struct source_es_cell *a = pa, *b = pb;
	struct json_object *va, *vb;
	const char *x, *y;
	int k, c;

	for (k = 0; k < AGG_KEY_COUNT; k++) {
		va = vb = NULL;
		json_object_object_get_ex(a->key, agg_key_name(k), &va);
		json_object_object_get_ex(b->key, agg_key_name(k), &vb);
		x = va ? json_object_get_string(va) : NULL;
		y = vb ? json_object_get_string(vb) : NULL;
		c = util_strcmp_null(x, y);
		if (c != 0)
			return c;
	}
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return 0;
}

void
source_es_cells_sort(struct source_es_cells *t)
{
	util_sort(t->v, t->n, sizeof(*t->v), source_es_cells_cmp);
	hmap_free(t->index, NULL);
	t->index = hmap_new();
}

/* The share (0-100) of a side's values at or below v, interpolated. */
static double
source_es_cells_cdf(const struct source_es_side *s, const double *g,
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

double
source_es_cells_pct(const struct source_es_cell *c, const double *g,
    size_t ng, double q)
{
	double lo, hi, mid, n = 0, f, base, span;
	size_t i, k;
	int it;

	if (c->nsides == 1) {
		for (k = 0; k < ng; k++)
			if (g[k] == q)
				return c->side[0].pv[k];
		return 0;
	}
	lo = c->side[0].min;
	hi = c->side[0].max;
	for (i = 0; i < c->nsides; i++) {
		if (c->side[i].min < lo)
			lo = c->side[i].min;
		if (c->side[i].max > hi)
			hi = c->side[i].max;
		n += c->side[i].count;
	}
	base = lo;
	span = hi - lo;
	for (it = 0; it < 60 && n > 0; it++) {
		mid = lo + (hi - lo) / 2;
		f = 0;
		for (i = 0; i < c->nsides; i++)
			f += c->side[i].count * source_es_cells_cdf(&c->side[i],
			    g, ng, mid);
		if (f / n >= q)
			hi = mid;
		else
			lo = mid;
	}
	/* Bisection ends a hair above an exact minimum: snap it back. */
	return hi - base < 1e-9 * (span + 1) ? base : hi;
}

struct source_es_side
source_es_cells_stats(const struct source_es_cell *c)
{
	struct source_es_side m = c->side[0];
	const struct source_es_side *b;
	double n, d;
	size_t i;

	for (i = 1; i < c->nsides; i++) {
		b = &c->side[i];
		n = m.count + b->count;
		if (n > 0) {
			d = b->mean - m.mean;
			m.std = sqrt((m.count * m.std * m.std + b->count *
			    b->std * b->std + d * d * m.count * b->count / n) /
			    n);
			m.mean = (m.mean * m.count + b->mean * b->count) / n;
		}
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
