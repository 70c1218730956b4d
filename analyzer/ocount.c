/* ocount.c: event counts per (label, outcome) pair and time bin. */
#include "ocount.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "topk.h"
#include "util.h"

/* One bin's count. */
struct ocount_cell {
	long long idx;
	uint64_t n;
};

struct ocount_pair {
	struct topk_item k;		/* first: the encoded pair */
	struct ocount_cell *cells;	/* by bin index, ascending */
	size_t n, cap;
	size_t last;			/* the cell used last */
};

struct ocount {
	struct hmap *pairs;	/* key -> struct ocount_pair */
	struct topk keep;
	unsigned long gen;
	size_t ncells;
	unsigned long long over;
};

struct ocount *
ocount_new(size_t max)
{
	struct ocount *o = util_calloc(1, sizeof(*o));

	o->pairs = hmap_new();
	topk_init(&o->keep, max);
	return o;
}

/* Frees a pair. */
static void
ocount_pair_free(void *v)
{
	struct ocount_pair *p = v;

	free(p->k.key);
	free(p->cells);
	free(p);
}

void
ocount_free(struct ocount *o)
{
	if (o == NULL)
		return;
	hmap_free(o->pairs, ocount_pair_free);
	topk_release(&o->keep);
	free(o);
}

unsigned long
ocount_gen(const struct ocount *o)
{
	return o->gen;
}

size_t
ocount_cells(const struct ocount *o)
{
	return o->ncells;
}

unsigned long long
ocount_overflow(const struct ocount *o)
{
	return o->over;
}

/* Sends an evicted pair's events to the overflow and frees it. */
static void
ocount_evict(struct ocount *o, struct ocount_pair *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		o->over += p->cells[i].n;
	o->ncells -= p->n;
	hmap_del(o->pairs, p->k.key, p->k.klen);
	ocount_pair_free(p);
	o->gen++;
}

struct ocount_pair *
ocount_pair(struct ocount *o, const char *key, size_t klen)
{
	struct ocount_pair *p = hmap_get(o->pairs, key, klen);
	struct topk_item *ev;

	if (p != NULL)
		return p;
	if (!topk_admit(&o->keep, key, klen, &ev))
		return NULL;
	if (ev != NULL)
		ocount_evict(o, (struct ocount_pair *)ev);
	p = util_calloc(1, sizeof(*p));
	p->k.key = util_malloc(klen ? klen : 1);
	memcpy(p->k.key, key, klen);
	p->k.klen = klen;
	hmap_put(o->pairs, key, klen, p);
	topk_push(&o->keep, &p->k);
	return p;
}

/* The place of bin idx in p's cells: found, or where it goes. */
static size_t
ocount_find(const struct ocount_pair *p, long long idx)
{
	size_t lo = 0, hi = p->n, mid;

	if (p->n > 0 && p->cells[p->n - 1].idx < idx)
		return p->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (p->cells[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
ocount_add(struct ocount *o, struct ocount_pair *p, long long idx,
    uint64_t n)
{
	size_t i;

	if (p == NULL) {
		o->over += n;
		return;
	}
	if (p->last < p->n && p->cells[p->last].idx == idx) {
		p->cells[p->last].n += n;
		return;
	}
	i = ocount_find(p, idx);
	if (i == p->n || p->cells[i].idx != idx) {
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 4;
			p->cells = util_realloc(p->cells,
			    p->cap * sizeof(*p->cells));
		}
		memmove(&p->cells[i + 1], &p->cells[i],
		    (p->n - i) * sizeof(*p->cells));
		p->cells[i].idx = idx;
		p->cells[i].n = 0;
		p->n++;
		o->ncells++;
	}
	p->cells[i].n += n;
	p->last = i;
}

/* Divides one pair's bin indices by ratio, joining the cells that meet. */
static size_t
ocount_pair_rebin(struct ocount_pair *p, double ratio)
{
	size_t i, j = 0;
	long long idx;

	for (i = 0; i < p->n; i++) {
		idx = (long long)floor((double)p->cells[i].idx / ratio);
		if (j > 0 && p->cells[j - 1].idx == idx) {
			p->cells[j - 1].n += p->cells[i].n;
			continue;
		}
		p->cells[j].idx = idx;
		p->cells[j++].n = p->cells[i].n;
	}
	p->n = j;
	p->last = 0;
	return j;
}

void
ocount_rebin(struct ocount *o, double ratio)
{
	const void *k;
	size_t pos = 0, len;
	void *v;

	o->ncells = 0;
	while (hmap_next(o->pairs, &pos, &k, &len, &v))
		o->ncells += ocount_pair_rebin(v, ratio);
	o->gen++;
}

void
ocount_merge(struct ocount *dst, const struct ocount *src, double ratio)
{
	const struct ocount_pair *sp;
	struct ocount_pair *dp;
	const void *k;
	size_t pos = 0, len, i;
	void *v;

	while (hmap_next(src->pairs, &pos, &k, &len, &v)) {
		sp = v;
		dp = ocount_pair(dst, k, len);
		for (i = 0; i < sp->n; i++)
			ocount_add(dst, dp, (long long)floor(
			    (double)sp->cells[i].idx / ratio), sp->cells[i].n);
	}
	dst->over += src->over;
}

void
ocount_each(const struct ocount *o, void (*fn)(const char *key, size_t klen,
    long long idx, uint64_t n, void *arg), void *arg)
{
	const struct ocount_pair *p;
	const void *k;
	size_t pos = 0, len, i;
	void *v;

	while (hmap_next(o->pairs, &pos, &k, &len, &v)) {
		p = v;
		for (i = 0; i < p->n; i++)
			fn(p->k.key, p->k.klen, p->cells[i].idx,
			    p->cells[i].n, arg);
	}
}
