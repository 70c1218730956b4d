/* hist.c: exact-for-integers, log-linear-for-the-rest latency histogram. */
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HIST_PAGE_BITS 7
#define HIST_PAGE_SIZE (1u << HIST_PAGE_BITS)
#define HIST_SUB_BITS 10	/* mantissa bits kept for non-integers */

/* Counters for HIST_PAGE_SIZE consecutive values or buckets. */
struct hist_page {
	uint64_t n[HIST_PAGE_SIZE];
};

/* Open-addressing map from page number to page. */
struct hist_pages {
	uint32_t *keys;
	struct hist_page **pages;
	size_t used;
	size_t cap;		/* 0 or a power of two */
	uint32_t last_key;
	struct hist_page *last;	/* one-entry cache for runs of near values */
};

struct hist {
	uint64_t count;
	double min;
	double max;
	double mean;
	double m2;
	uint64_t inexact;	/* values counted in float buckets */
	struct hist_pages ints;
	struct hist_pages flts;
};

struct hist *
hist_new(void)
{
	return util_calloc(1, sizeof(struct hist));
}

/* Frees every page of a page map. */
static void
hist_pages_free(struct hist_pages *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->pages[i]);
	free(m->keys);
	free(m->pages);
	memset(m, 0, sizeof(*m));
}

void
hist_free(struct hist *h)
{
	if (h == NULL)
		return;
	hist_pages_free(&h->ints);
	hist_pages_free(&h->flts);
	free(h);
}

/* Spreads a page number over the table. */
static size_t
hist_slot(uint32_t key, size_t cap)
{
	return (size_t)((key * 2654435761u) & (uint32_t)(cap - 1));
}

/* Inserts a page without growing (the table has room). */
static void
hist_pages_put(struct hist_pages *m, uint32_t key, struct hist_page *p)
{
	size_t i = hist_slot(key, m->cap);

	while (m->pages[i] != NULL)
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = key;
	m->pages[i] = p;
	m->used++;
}

/* Doubles the table. */
static void
hist_pages_grow(struct hist_pages *m)
{
	struct hist_pages old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 8;
	m->keys = util_calloc(m->cap, sizeof(*m->keys));
	m->pages = util_calloc(m->cap, sizeof(*m->pages));
	m->used = 0;
	for (i = 0; i < old.cap; i++)
		if (old.pages[i] != NULL)
			hist_pages_put(m, old.keys[i], old.pages[i]);
	free(old.keys);
	free(old.pages);
}

/* Looks a page up without touching the cache; NULL when absent. */
static struct hist_page *
hist_pages_find(const struct hist_pages *m, uint32_t key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = hist_slot(key, m->cap);
	while (m->pages[i] != NULL) {
		if (m->keys[i] == key)
			return m->pages[i];
		i = (i + 1) & (m->cap - 1);
	}
	return NULL;
}

/* Finds the page for key, creating it when create is set. */
static struct hist_page *
hist_pages_get(struct hist_pages *m, uint32_t key, int create)
{
	struct hist_page *p;

	if (m->last != NULL && m->last_key == key)
		return m->last;
	p = hist_pages_find(m, key);
	if (p != NULL || !create) {
		if (p != NULL) {
			m->last = p;
			m->last_key = key;
		}
		return p;
	}
	if ((m->used + 1) * 4 > m->cap * 3)
		hist_pages_grow(m);
	p = util_calloc(1, sizeof(*p));
	hist_pages_put(m, key, p);
	m->last = p;
	m->last_key = key;
	return p;
}

/* Bucket index of a positive non-integer value: exponent and top bits. */
static uint32_t
hist_float_index(double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return (uint32_t)(bits >> (52 - HIST_SUB_BITS));
}

/* Midpoint of a float bucket. */
static double
hist_float_mid(uint32_t idx)
{
	uint64_t lo = (uint64_t)idx << (52 - HIST_SUB_BITS);
	uint64_t hi = (uint64_t)(idx + 1) << (52 - HIST_SUB_BITS);
	double a, b;

	memcpy(&a, &lo, sizeof(a));
	memcpy(&b, &hi, sizeof(b));
	return a + (b - a) / 2;
}

/* Adds n occurrences of v to the moments (Chan et al.'s combination). */
static void
hist_moments_add(struct hist *h, double mean, double m2, uint64_t n,
    double min, double max)
{
	double total, delta;

	if (n == 0)
		return;
	if (h->count == 0) {
		h->min = min;
		h->max = max;
	} else {
		if (min < h->min)
			h->min = min;
		if (max > h->max)
			h->max = max;
	}
	total = (double)h->count + (double)n;
	delta = mean - h->mean;
	h->mean += delta * (double)n / total;
	h->m2 += m2 + delta * delta * (double)h->count * (double)n / total;
	h->count += n;
}

/* The counter of v (created when missing); counts n inexact ones. */
static uint64_t *
hist_counter(struct hist *h, double v, uint64_t n)
{
	struct hist_page *p;
	uint32_t idx;

	if (v < 4294967296.0 && v == floor(v)) {
		idx = (uint32_t)v;
		p = hist_pages_get(&h->ints, idx >> HIST_PAGE_BITS, 1);
	} else {
		idx = hist_float_index(v);
		p = hist_pages_get(&h->flts, idx >> HIST_PAGE_BITS, 1);
		h->inexact += n;
	}
	return &p->n[idx & (HIST_PAGE_SIZE - 1)];
}

int
hist_record(struct hist *h, double v)
{
	double delta;

	if (!(v >= 0) || isinf(v))
		return -1;
	(*hist_counter(h, v, 1))++;
	/* Welford's update, the hot path of hist_moments_add for n = 1. */
	if (h->count == 0) {
		h->min = h->max = v;
	} else {
		if (v < h->min)
			h->min = v;
		if (v > h->max)
			h->max = v;
	}
	h->count++;
	delta = v - h->mean;
	h->mean += delta / (double)h->count;
	h->m2 += delta * (v - h->mean);
	return 0;
}

int
hist_record_n(struct hist *h, double v, uint64_t n)
{
	if (!(v >= 0) || isinf(v))
		return -1;
	if (n == 0)
		return 0;
	*hist_counter(h, v, n) += n;
	hist_moments_add(h, v, 0, n, v, v);
	return 0;
}

/* Adds src's pages to dst's. */
static void
hist_pages_merge(struct hist_pages *dst, const struct hist_pages *src)
{
	struct hist_page *p;
	size_t i, j;

	for (i = 0; i < src->cap; i++) {
		if (src->pages[i] == NULL)
			continue;
		p = hist_pages_get(dst, src->keys[i], 1);
		for (j = 0; j < HIST_PAGE_SIZE; j++)
			p->n[j] += src->pages[i]->n[j];
	}
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	hist_pages_merge(&dst->ints, &src->ints);
	hist_pages_merge(&dst->flts, &src->flts);
	dst->inexact += src->inexact;
	hist_moments_add(dst, src->mean, src->m2, src->count, src->min,
	    src->max);
}

uint64_t
hist_count(const struct hist *h)
{
	return h->count;
}

double
hist_min(const struct hist *h)
{
	return h->count ? h->min : 0;
}

double
hist_max(const struct hist *h)
{
	return h->count ? h->max : 0;
}

/* State of a moments walk over the distinct values. */
struct hist_mwalk {
	double mean;
	double acc;
};

/* Adds value * count to the sum. */
static int
hist_sum_step(double value, uint64_t count, void *arg)
{
	struct hist_mwalk *w = arg;

	w->acc += value * (double)count;
	return 0;
}

/* Adds count * (value - mean)^2 to the sum of squares. */
static int
hist_sq_step(double value, uint64_t count, void *arg)
{
	struct hist_mwalk *w = arg;
	double d = value - w->mean;

	w->acc += d * d * (double)count;
	return 0;
}

/*
 * The mean and the sum of squared deviations. When every value was an
 * integer, they come from the counters in ascending order, so they do
 * not depend on the order the values came in (or were merged in); else
 * from the running moments.
 */
static void
hist_moments(const struct hist *h, double *mean, double *m2)
{
	struct hist_mwalk w = { 0, 0 };

	if (h->inexact != 0) {
		*mean = h->mean;
		*m2 = h->m2;
		return;
	}
	hist_foreach(h, hist_sum_step, &w);
	w.mean = w.acc / (double)h->count;
	w.acc = 0;
	hist_foreach(h, hist_sq_step, &w);
	*mean = w.mean;
	*m2 = w.acc;
}

double
hist_mean(const struct hist *h)
{
	double mean, m2;

	if (h->count == 0)
		return 0;
	hist_moments(h, &mean, &m2);
	return mean;
}

double
hist_stddev(const struct hist *h)
{
	double mean, m2;

	if (h->count == 0)
		return 0;
	hist_moments(h, &mean, &m2);
	return sqrt(m2 / (double)h->count);
}

int
hist_exact(const struct hist *h)
{
	return h->inexact == 0;
}

/* Compares page numbers for qsort. */
static int
hist_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Returns the sorted page numbers of a map (caller frees). */
static uint32_t *
hist_sorted_keys(const struct hist_pages *m)
{
	uint32_t *k = util_malloc((m->used ? m->used : 1) * sizeof(*k));
	size_t i, n = 0;

	for (i = 0; i < m->cap; i++)
		if (m->pages[i] != NULL)
			k[n++] = m->keys[i];
	util_sort(k, n, sizeof(*k), hist_cmp_u32);
	return k;
}

/* A cursor over one page map in ascending value order. */
struct hist_cursor {
	const struct hist_pages *m;
	uint32_t *keys;
	size_t ki;
	struct hist_page *page;
	uint32_t slot;
	int is_float;
};

/* Moves the cursor to the next non-zero counter; 0 when exhausted. */
static int
hist_cursor_next(struct hist_cursor *c)
{
	for (;;) {
		if (c->page != NULL) {
			while (++c->slot < HIST_PAGE_SIZE)
				if (c->page->n[c->slot] != 0)
					return 1;
			c->ki++;
		}
		if (c->ki >= c->m->used)
			return 0;
		c->page = hist_pages_find(c->m, c->keys[c->ki]);
		c->slot = (uint32_t)-1;
	}
}

/* The value the cursor stands on. */
static double
hist_cursor_value(const struct hist_cursor *c)
{
	uint32_t idx = (c->keys[c->ki] << HIST_PAGE_BITS) | c->slot;

	return c->is_float ? hist_float_mid(idx) : (double)idx;
}

void
hist_foreach(const struct hist *h,
    int (*fn)(double value, uint64_t count, void *arg), void *arg)
{
	struct hist_cursor a = { &h->ints, NULL, 0, NULL, 0, 0 };
	struct hist_cursor b = { &h->flts, NULL, 0, NULL, 0, 1 };
	int ha, hb;
	double va = 0, vb = 0, v;
	uint64_t n;

	a.keys = hist_sorted_keys(&h->ints);
	b.keys = hist_sorted_keys(&h->flts);
	ha = hist_cursor_next(&a);
	hb = hist_cursor_next(&b);
	while (ha || hb) {
		if (ha)
			va = hist_cursor_value(&a);
		if (hb)
			vb = hist_cursor_value(&b);
		if (ha && (!hb || va <= vb)) {
			v = va;
			n = a.page->n[a.slot];
			ha = hist_cursor_next(&a);
		} else {
			/* A bucket's midpoint never lies outside the data. */
			v = vb < h->min ? h->min : vb > h->max ? h->max : vb;
			n = b.page->n[b.slot];
			hb = hist_cursor_next(&b);
		}
		if (fn(v, n, arg) != 0)
			break;
	}
	free(a.keys);
	free(b.keys);
}

/* State of a percentile walk. */
struct hist_pwalk {
	uint64_t *ranks;
	double *out;
	size_t nq;
	size_t done;
	uint64_t seen;
};

/* Fills every percentile whose rank the running count has reached. */
static int
hist_pwalk_step(double value, uint64_t count, void *arg)
{
	struct hist_pwalk *w = arg;
	size_t i;

	w->seen += count;
	for (i = 0; i < w->nq; i++) {
		if (w->ranks[i] != 0 && w->ranks[i] <= w->seen) {
			w->out[i] = value;
			w->ranks[i] = 0;
			w->done++;
		}
	}
	return w->done == w->nq;
}

void
hist_percentiles(const struct hist *h, const double *qs, size_t nq,
    double *out)
{
	struct hist_pwalk w;
	uint64_t *ranks;
	unsigned long long qm;
	size_t i;

	for (i = 0; i < nq; i++)
		out[i] = 0;
	if (h->count == 0 || nq == 0)
		return;
	ranks = util_malloc(nq * sizeof(*ranks));
	for (i = 0; i < nq; i++) {
		/* q in thousandths of a percent: exact integer arithmetic. */
		qm = (unsigned long long)llround(qs[i] * 1000.0);
		if (qm > 100000)
			qm = 100000;
		/* ceil(qm * n / 100000) without overflow for any n. */
		ranks[i] = (h->count / 100000) * qm +
		    ((h->count % 100000) * qm + 99999) / 100000;
		if (ranks[i] == 0)
			ranks[i] = 1;
	}
	w.ranks = ranks;
	w.out = out;
	w.nq = nq;
	w.done = 0;
	w.seen = 0;
	hist_foreach(h, hist_pwalk_step, &w);
	free(ranks);
}

size_t
hist_memory(const struct hist *h)
{
	return sizeof(*h) + (h->ints.used + h->flts.used) *
	    sizeof(struct hist_page) + (h->ints.cap + h->flts.cap) *
	    (sizeof(uint32_t) + sizeof(void *));
}
