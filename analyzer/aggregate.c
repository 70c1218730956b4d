/* aggregate.c: groups and per-label time series of trace events. */
#include "aggregate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "hmap.h"
#include "ocount.h"
#include "trace.h"
#include "util.h"

/* Bins kept while reading before the interval is coarsened. */
#define AGG_BINS_CAP 2048
/* Bins wanted in a series when the interval is chosen automatically. */
#define AGG_BINS_TARGET 300

/* Each width divides the next, so bins merge exactly when coarsening. */
static const double agg_ladder[] = {
	1, 2, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 86400,
	172800, 604800, 2419200, 29030400,
};

/* One label's bins while reading. */
struct agg_label {
	char *label;
	struct hmap *bins;	/* long long index -> struct hist */
	long long last_index;	/* cache of the last bin used */
	struct hist *last;
};

struct agg {
	enum agg_key keys[AGG_KEY_COUNT];
	size_t nkeys;
	struct hmap *groups;	/* encoded key -> struct agg_group */
	struct hmap *labels;	/* encoded label -> struct agg_label */
	struct ocount *oc;	/* per label, outcome and bin */
	struct topk keep;	/* the groups kept (agg_limit) */
	struct agg_group *over;	/* the events of the others, or NULL */
	double interval;
	int auto_interval;
	int label_in_key;
	int lo_in_key;		/* label and outcome both in the group key */
	int outcome_in_key;
	size_t ladder;		/* position in agg_ladder when automatic */
	size_t nbins;		/* bins over all labels */
	double first;
	double last;
	int any;
	struct strbuf key;	/* scratch */
	struct agg_group **sorted;
	struct agg_series *series;
	size_t nseries;
	struct agg_outcome *outcomes;
};

static const char *const agg_key_names[AGG_KEY_COUNT] = {
	"label", "handler", "outcome", "traced_type", "endpoint",
};

const char *
agg_key_name(enum agg_key k)
{
	return agg_key_names[k];
}

int
agg_key_parse(const char *name, enum agg_key *k)
{
	int i;

	for (i = 0; i < AGG_KEY_COUNT; i++) {
		if (strcmp(name, agg_key_names[i]) == 0) {
			*k = (enum agg_key)i;
			return 0;
		}
	}
	return -1;
}

struct agg *
agg_new(const enum agg_key *keys, size_t nkeys, double interval)
{
	struct agg *a = util_calloc(1, sizeof(*a));

	memcpy(a->keys, keys, nkeys * sizeof(*keys));
	a->nkeys = nkeys;
	for (size_t i = 0; i < nkeys; i++) {
		a->label_in_key |= keys[i] == AGG_KEY_LABEL;
		a->lo_in_key |= keys[i] == AGG_KEY_OUTCOME;
	}
	a->outcome_in_key = a->lo_in_key;
	a->lo_in_key &= a->label_in_key;
	a->groups = hmap_new();
	a->labels = hmap_new();
	a->oc = ocount_new(0);
	topk_init(&a->keep, 0);
	a->auto_interval = interval <= 0;
	a->interval = a->auto_interval ? agg_ladder[0] : interval;
	strbuf_init(&a->key, 0);
	return a;
}

/* Frees a group. */
static void
agg_group_free(void *p)
{
	struct agg_group *g = p;
	int i;

	if (g == NULL)
		return;
	for (i = 0; i < AGG_KEY_COUNT; i++)
		free(g->values[i]);
	free(g->k.key);
	hist_free(g->h);
	free(g);
}

/* Frees a histogram (hmap value). */
static void
agg_hist_free(void *p)
{
	hist_free(p);
}

/* Frees a label's bins. */
static void
agg_label_free(void *p)
{
	struct agg_label *l = p;

	hmap_free(l->bins, agg_hist_free);
	free(l->label);
	free(l);
}

/* Frees the series view. */
static void
agg_series_view_free(struct agg *a)
{
	size_t i;

	for (i = 0; i < a->nseries; i++)
		free(a->series[i].bins);
	free(a->series);
	a->series = NULL;
	a->nseries = 0;
}

/* Frees the sorted views. */
static void
agg_views_free(struct agg *a)
{
	free(a->sorted);
	a->sorted = NULL;
	agg_series_view_free(a);
}

void
agg_free(struct agg *a)
{
	if (a == NULL)
		return;
	agg_views_free(a);
	hmap_free(a->groups, agg_group_free);
	hmap_free(a->labels, agg_label_free);
	ocount_free(a->oc);
	topk_release(&a->keep);
	agg_group_free(a->over);
	free(a->outcomes);
	strbuf_release(&a->key);
	free(a);
}

/* The event's value for a key. */
static const char *
agg_value(const struct trace_event *ev, enum agg_key k)
{
	switch (k) {
	case AGG_KEY_LABEL:
		return ev->label;
	case AGG_KEY_HANDLER:
		return ev->handler;
	case AGG_KEY_OUTCOME:
		return ev->outcome;
	case AGG_KEY_TRACED_TYPE:
		return ev->traced_type;
	case AGG_KEY_ENDPOINT:
		return ev->endpoint;
	case AGG_KEY_COUNT:
		break;
	}
	return NULL;
}

/* Appends one value to an encoded key: absent and "" stay distinct. */
static void
agg_key_append(struct strbuf *b, const char *v)
{
	if (v == NULL) {
		strbuf_addc(b, '\0');
		return;
	}
	strbuf_addc(b, '\1');
	strbuf_add(b, v, strlen(v) + 1);
}

/* Bin index of a time at a width. */
static long long
agg_bin_index(double t, double width)
{
	double q = floor(t / width);

	/* within long long, whatever a damaged source said */
	return q > -4e18 ? (q < 4e18 ? (long long)q : (long long)4e18) :
	    (long long)-4e18;
}

/* Re-bins every label at a wider interval (a multiple of the old one). */
static void
agg_coarsen(struct agg *a, double width)
{
	struct agg_label *l;
	struct hmap *nb;
	struct hist *h, *dst;
	const void *k, *lk;
	size_t pos, lpos, klen, lklen;
	long long idx;
	void *v, *lv;
	double ratio = width / a->interval;

	a->nbins = 0;
	lpos = 0;
	while (hmap_next(a->labels, &lpos, &lk, &lklen, &lv)) {
		l = lv;
		nb = hmap_new();
		pos = 0;
		while (hmap_next(l->bins, &pos, &k, &klen, &v)) {
			h = v;
			memcpy(&idx, k, sizeof(idx));
			idx = (long long)floor((double)idx / ratio);
			dst = hmap_get(nb, &idx, sizeof(idx));
			if (dst == NULL) {
				hmap_put(nb, &idx, sizeof(idx), h);
				a->nbins++;
				continue;
			}
			hist_merge(dst, h);
			hist_free(h);
		}
		hmap_free(l->bins, NULL);
		l->bins = nb;
		l->last = NULL;
	}
	ocount_rebin(a->oc, ratio);
	a->interval = width;
}

/* Moves to the next width of the ladder. */
static void
agg_coarsen_step(struct agg *a)
{
	double w;

	if (a->ladder + 1 < sizeof(agg_ladder) / sizeof(agg_ladder[0]))
		w = agg_ladder[++a->ladder];
	else
		w = a->interval * 2;
	agg_coarsen(a, w);
}

static struct agg_label *agg_label_by_key(struct agg *a, const void *k,
    size_t klen, const char *label);

/* Finds or creates the series of the event's label. */
static struct agg_label *
agg_label_of(struct agg *a, const struct trace_event *ev)
{
	strbuf_reset(&a->key);
	agg_key_append(&a->key, ev->label);
	return agg_label_by_key(a, a->key.data, a->key.len, ev->label);
}

/* Adds the event to its label's series. */
static void
agg_series_add(struct agg *a, struct agg_label *l,
    const struct trace_event *ev)
{
	struct hist *h;
	long long idx;

	idx = agg_bin_index(ev->time, a->interval);
	if (l->last != NULL && l->last_index == idx) {
		hist_record(l->last, ev->elapsed_ms);
		return;
	}
	h = hmap_get(l->bins, &idx, sizeof(idx));
	if (h == NULL) {
		h = hist_new();
		hmap_put(l->bins, &idx, sizeof(idx), h);
		a->nbins++;
	}
	hist_record(h, ev->elapsed_ms);
	l->last = h;
	l->last_index = idx;
	if (a->auto_interval && a->nbins > AGG_BINS_CAP)
		agg_coarsen_step(a);
}

void
agg_limit(struct agg *a, size_t max)
{
	ocount_free(a->oc);
	a->oc = ocount_new(max);
	topk_release(&a->keep);
	topk_init(&a->keep, max);
}

const struct agg_group *
agg_overflow(const struct agg *a, size_t *max, unsigned long long *outcomes)
{
	*max = a->keep.max;
	*outcomes = ocount_overflow(a->oc);
	return a->over;
}

/* The overflow group, made on first use. */
static struct agg_group *
agg_over(struct agg *a)
{
	if (a->over == NULL) {
		a->over = util_calloc(1, sizeof(*a->over));
		a->over->h = hist_new();
	}
	return a->over;
}

/* Adds src's events (histogram, first and last) to g. */
static void
agg_group_add(struct agg_group *g, const struct agg_group *src)
{
	if (hist_count(g->h) == 0) {
		g->first = src->first;
		g->last = src->last;
	}
	hist_merge(g->h, src->h);
	if (src->first < g->first)
		g->first = src->first;
	if (src->last > g->last)
		g->last = src->last;
}

/* Moves an evicted group's events to the overflow and frees it. */
static void
agg_evict(struct agg *a, struct agg_group *g)
{
	agg_group_add(agg_over(a), g);
	hmap_del(a->groups, g->k.key, g->k.klen);
	agg_group_free(g);
}

/*
 * The new group under key (klen bytes), made and kept, or the overflow
 * group when it sorts after the max groups kept.
 */
static struct agg_group *
agg_group_make(struct agg *a, const char *key, size_t klen)
{
	struct topk_item *ev;
	struct agg_group *g;

	if (!topk_admit(&a->keep, key, klen, &ev))
		return agg_over(a);
	if (ev != NULL)
		agg_evict(a, (struct agg_group *)ev);
	g = util_calloc(1, sizeof(*g));
	g->k.key = util_malloc(klen ? klen : 1);
	memcpy(g->k.key, key, klen);
	g->k.klen = klen;
	g->h = hist_new();
	hmap_put(a->groups, key, klen, g);
	topk_push(&a->keep, &g->k);
	return g;
}

/* The event's group (a->key holds its key), made when new. */
static struct agg_group *
agg_group_of(struct agg *a, const struct trace_event *ev)
{
	struct agg_group *g = hmap_get(a->groups, a->key.data, a->key.len);
	const char *v;
	size_t i;

	if (g != NULL)
		return g;
	g = agg_group_make(a, a->key.data, a->key.len);
	if (g == a->over)
		return g;
	for (i = 0; i < a->nkeys; i++) {
		enum agg_key k = a->keys[i];

		if (k >= AGG_KEY_COUNT)
			continue;
		v = agg_value(ev, k);
		g->present[k] = v != NULL;
		g->values[k] = util_strdup(v ? v : "");
	}
	return g;
}

/* Counts the event's outcome in its bin, through g's cache. */
static void
agg_outcome_add(struct agg *a, struct agg_group *g,
    const struct trace_event *ev)
{
	long long idx = agg_bin_index(ev->time, a->interval);
	struct ocount_pair *p;

	/* A group keyed by label and outcome counts into one pair. */
	if (a->lo_in_key && g != a->over && g->ogen == ocount_gen(a->oc) &&
	    (g->opair != NULL || g->oaway)) {
		ocount_add(a->oc, g->opair, idx, 1);
		return;
	}
	strbuf_reset(&a->key);
	agg_key_append(&a->key, ev->label);
	agg_key_append(&a->key, ev->outcome);
	p = ocount_pair(a->oc, a->key.data, a->key.len);
	ocount_add(a->oc, p, idx, 1);
	g->opair = p;
	g->oaway = p == NULL;
	g->ogen = ocount_gen(a->oc);
}

/*
 * Says whether ev's outcome is a START one: once per group when the
 * group's key holds the outcome.
 */
static int
agg_is_start(const struct agg *a, struct agg_group *g,
    const struct trace_event *ev)
{
	int start;

	if (a->outcome_in_key && g != a->over && g->start != 0)
		return g->start == 1;
	start = ev->outcome != NULL && strstr(ev->outcome, ".START") != NULL;
	if (a->outcome_in_key && g != a->over)
		g->start = start ? 1 : -1;
	return start;
}

void
agg_add(struct agg *a, const struct trace_event *ev)
{
	struct agg_group *g;
	size_t i;

	if (a->sorted != NULL || a->series != NULL)
		agg_views_free(a);
	strbuf_reset(&a->key);
	for (i = 0; i < a->nkeys; i++)
		agg_key_append(&a->key, agg_value(ev, a->keys[i]));
	g = agg_group_of(a, ev);
	if (hist_count(g->h) == 0)
		g->first = g->last = ev->time;
	hist_record(g->h, ev->elapsed_ms);
	if (ev->time < g->first)
		g->first = ev->time;
	if (ev->time > g->last)
		g->last = ev->time;
	if (!a->any || ev->time < a->first)
		a->first = ev->time;
	if (!a->any || ev->time > a->last)
		a->last = ev->time;
	a->any = 1;
	/* A group whose key holds the label always feeds one series. */
	if (g->series == NULL || !a->label_in_key || g == a->over)
		g->series = agg_label_of(a, ev);
	/* START events always carry 0 ms: the series times the rest. */
	if (!agg_is_start(a, g, ev))
		agg_series_add(a, g->series, ev);
	agg_outcome_add(a, g, ev);
}

/* Orders groups by their key values in key order. */
static int
agg_group_cmp(const void *pa, const void *pb)
{
	const struct agg_group *x = *(struct agg_group *const *)pa;
	const struct agg_group *y = *(struct agg_group *const *)pb;
	int i, c;

	for (i = 0; i < AGG_KEY_COUNT; i++) {
		c = util_strcmp_null(x->values[i], y->values[i]);
		if (c != 0)
			return c;
	}
	return 0;
}

struct agg_group **
agg_groups(struct agg *a, size_t *n)
{
	const void *k;
	size_t pos = 0, klen, i = 0;
	void *v;

	free(a->sorted);
	a->sorted = util_calloc(hmap_size(a->groups) + 1, sizeof(*a->sorted));
	while (hmap_next(a->groups, &pos, &k, &klen, &v))
		a->sorted[i++] = v;
	util_sort(a->sorted, i, sizeof(*a->sorted), agg_group_cmp);
	*n = i;
	return a->sorted;
}

/* Orders bins by time. */
static int
agg_bin_cmp(const void *pa, const void *pb)
{
	const struct agg_bin *x = pa, *y = pb;

	return x->index < y->index ? -1 : x->index > y->index;
}

/* Orders series by label. */
static int
agg_series_cmp(const void *pa, const void *pb)
{
	const struct agg_series *x = pa, *y = pb;

	return util_strcmp_null(x->label, y->label);
}

/*
 * Widens the automatic interval until the bins are no more than
 * AGG_BINS_CAP (as reading does; after merges too, so the interval does
 * not depend on how the events were split) and the span fits the target.
 */
static void
agg_series_interval(struct agg *a)
{
	if (a->auto_interval && a->any) {
		while (a->nbins > AGG_BINS_CAP)
			agg_coarsen_step(a);
		while (agg_bin_index(a->last, a->interval) -
		    agg_bin_index(a->first, a->interval) + 1 > AGG_BINS_TARGET)
			agg_coarsen_step(a);
	}
}

struct agg_series *
agg_series(struct agg *a, size_t *n, double *interval)
{
	struct agg_label *l;
	struct agg_series *s;
	const void *k, *bk;
	size_t pos = 0, bpos, klen, bklen, i = 0;
	void *v, *bv;

	agg_series_interval(a);
	agg_series_view_free(a);
	a->series = util_calloc(hmap_size(a->labels) + 1, sizeof(*a->series));
	while (hmap_next(a->labels, &pos, &k, &klen, &v)) {
		l = v;
		s = &a->series[i++];
		s->label = l->label;
		s->bins = util_calloc(hmap_size(l->bins) + 1, sizeof(*s->bins));
		bpos = 0;
		while (hmap_next(l->bins, &bpos, &bk, &bklen, &bv)) {
			memcpy(&s->bins[s->nbins].index, bk, sizeof(long long));
			s->bins[s->nbins++].h = bv;
		}
		util_sort(s->bins, s->nbins, sizeof(*s->bins), agg_bin_cmp);
	}
	util_sort(a->series, i, sizeof(*a->series), agg_series_cmp);
	a->nseries = i;
	*n = i;
	*interval = a->interval;
	return a->series;
}

/* Finds or creates a label's series by its encoded key. */
static struct agg_label *
agg_label_by_key(struct agg *a, const void *k, size_t klen, const char *label)
{
	struct agg_label *l = hmap_get(a->labels, k, klen);

	if (l == NULL) {
		l = util_calloc(1, sizeof(*l));
		l->label = label ? util_strdup(label) : NULL;
		l->bins = hmap_new();
		hmap_put(a->labels, k, klen, l);
	}
	return l;
}

/* Adds src's groups (kept as agg_limit says) and overflow into dst. */
static void
agg_merge_groups(struct agg *dst, const struct agg *src)
{
	struct agg_group *g, *d;
	const void *k;
	size_t pos = 0, klen;
	void *v;
	int i;

	while (hmap_next(src->groups, &pos, &k, &klen, &v)) {
		g = v;
		d = hmap_get(dst->groups, k, klen);
		if (d == NULL) {
			d = agg_group_make(dst, k, klen);
			for (i = 0; d != dst->over && i < AGG_KEY_COUNT; i++) {
				d->present[i] = g->present[i];
				d->values[i] = g->values[i] ?
				    util_strdup(g->values[i]) : NULL;
			}
		}
		agg_group_add(d, g);
	}
	if (src->over != NULL)
		agg_group_add(agg_over(dst), src->over);
}

void
agg_merge(struct agg *dst, struct agg *src)
{
	struct agg_label *sl, *dl;
	struct hist *h, *dh;
	const void *k, *bk;
	size_t pos = 0, klen, bpos, bklen;
	void *v, *bv;

	if (!src->any)
		return;
	if (dst->auto_interval && src->interval > dst->interval) {
		while (dst->interval < src->interval)
			agg_coarsen_step(dst);
	} else if (src->auto_interval && dst->interval > src->interval) {
		while (src->interval < dst->interval)
			agg_coarsen_step(src);
	}
	if (dst->sorted != NULL || dst->series != NULL)
		agg_views_free(dst);
	agg_merge_groups(dst, src);
	while (hmap_next(src->labels, &pos, &k, &klen, &v)) {
		sl = v;
		dl = agg_label_by_key(dst, k, klen, sl->label);
		bpos = 0;
		while (hmap_next(sl->bins, &bpos, &bk, &bklen, &bv)) {
			long long idx;

			h = bv;
			memcpy(&idx, bk, sizeof(idx));
			idx = agg_bin_index((double)idx * src->interval,
			    dst->interval);
			dh = hmap_get(dl->bins, &idx, sizeof(idx));
			if (dh == NULL) {
				dh = hist_new();
				hmap_put(dl->bins, &idx, sizeof(idx), dh);
				dst->nbins++;
			}
			hist_merge(dh, h);
		}
		dl->last = NULL;
	}
	ocount_merge(dst->oc, src->oc, dst->interval / src->interval);
	/* Groups point at their series; refresh them lazily. */
	pos = 0;
	while (hmap_next(dst->groups, &pos, &k, &klen, &v))
		((struct agg_group *)v)->series = NULL;
	if (dst->over != NULL)
		dst->over->series = NULL;
	if (!dst->any || src->first < dst->first)
		dst->first = src->first;
	if (!dst->any || src->last > dst->last)
		dst->last = src->last;
	dst->any = 1;
}

/* Reads one encoded value (see agg_key_append); advances *p. */
static const char *
agg_key_read(const char **p)
{
	const char *v;

	if (**p == '\0') {
		(*p)++;
		return NULL;
	}
	v = *p + 1;
	*p = v + strlen(v) + 1;
	return v;
}

/* Orders outcome counts by label, outcome, time. */
static int
agg_outcome_cmp(const void *pa, const void *pb)
{
	const struct agg_outcome *x = pa, *y = pb;
	int c = util_strcmp_null(x->label, y->label);

	if (c == 0)
		c = util_strcmp_null(x->outcome, y->outcome);
	if (c == 0)
		c = x->index < y->index ? -1 : x->index > y->index;
	return c;
}

/* State of agg_outcomes' walk. */
struct agg_owalk {
	struct agg_outcome *out;
	size_t n;
};

/* Adds one cell of the outcome counts to the view. */
static void
agg_outcome_cell(const char *key, size_t klen, long long idx, uint64_t n,
    void *arg)
{
	struct agg_owalk *w = arg;
	const char *p = key;

	(void)klen;
	w->out[w->n].label = agg_key_read(&p);
	w->out[w->n].outcome = agg_key_read(&p);
	w->out[w->n].index = idx;
	w->out[w->n++].count = n;
}

struct agg_outcome *
agg_outcomes(struct agg *a, size_t *n)
{
	struct agg_owalk w;

	agg_series_interval(a);
	free(a->outcomes);
	a->outcomes = util_calloc(ocount_cells(a->oc) + 1,
	    sizeof(*a->outcomes));
	w.out = a->outcomes;
	w.n = 0;
	ocount_each(a->oc, agg_outcome_cell, &w);
	util_sort(a->outcomes, w.n, sizeof(*a->outcomes), agg_outcome_cmp);
	*n = w.n;
	return a->outcomes;
}

void
agg_span(const struct agg *a, double *first, double *last)
{
	*first = a->any ? a->first : 0;
	*last = a->any ? a->last : 0;
}
