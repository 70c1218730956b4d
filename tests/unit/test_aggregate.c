/* test_aggregate.c: groups, series intervals, outcome counts, merging. */
#include "aggregate.h"

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "hist.h"
#include "trace.h"

/* An event with the given fields. */
static struct trace_event
ev(const char *label, const char *outcome, double t, double ms)
{
	struct trace_event e;

	memset(&e, 0, sizeof(e));
	e.label = label;
	e.handler = label;
	e.outcome = outcome;
	e.time = t;
	e.elapsed_ms = ms;
	return e;
}

static const enum agg_key keys[] = { AGG_KEY_LABEL, AGG_KEY_OUTCOME };

static void
test_groups(void)
{
	struct agg *a = agg_new(keys, 2, 0);
	struct agg_group **g;
	struct trace_event e;
	size_t n;

	e = ev("m", "X.END", 100, 5);
	agg_add(a, &e);
	e = ev("m", "X.END", 101, 7);
	agg_add(a, &e);
	e = ev("a", "X.END", 102, 1);
	agg_add(a, &e);
	e = ev(NULL, NULL, 103, 2);
	agg_add(a, &e);
	g = agg_groups(a, &n);
	CHECK(n == 3);
	/* Absent values sort first and stay absent. */
	CHECK(g[0]->values[AGG_KEY_LABEL] != NULL && !g[0]->present[AGG_KEY_LABEL]);
	CHECK_STR(g[1]->values[AGG_KEY_LABEL], "a");
	CHECK_STR(g[2]->values[AGG_KEY_LABEL], "m");
	CHECK(hist_count(g[2]->h) == 2);
	CHECK_NUM(g[2]->first, 100, 0);
	CHECK_NUM(g[2]->last, 101, 0);
	agg_free(a);
}

static void
test_series_interval_and_start_events(void)
{
	struct agg *a = agg_new(keys, 2, 0);
	struct agg_series *s;
	struct agg_outcome *o;
	struct trace_event e;
	double interval;
	size_t n, i, total = 0, no;

	/* Two hours of events: the automatic interval must give <= 300 bins. */
	for (i = 0; i < 7200; i++) {
		e = ev("m", i % 2 ? "D.START" : "D.END", 1000000 + (double)i,
		    i % 2 ? 0 : 10);
		agg_add(a, &e);
	}
	s = agg_series(a, &n, &interval);
	CHECK(n == 1);
	CHECK(interval == 30);
	CHECK(s[0].nbins <= 300 && s[0].nbins >= 200);
	for (i = 0; i < s[0].nbins; i++)
		total += hist_count(s[0].bins[i].h);
	/* START events are left out of the series. */
	CHECK(total == 3600);
	o = agg_outcomes(a, &no);
	total = 0;
	for (i = 0; i < no; i++)
		total += o[i].count;
	CHECK(total == 7200);
	CHECK_STR(o[0].outcome, "D.END");
	agg_free(a);
}

static void
test_fixed_interval(void)
{
	struct agg *a = agg_new(keys, 2, 10);
	struct trace_event e;
	double interval;
	size_t n;

	e = ev("m", "E", 95, 1);
	agg_add(a, &e);
	e = ev("m", "E", 105, 1);
	agg_add(a, &e);
	e = ev("m", "E", 109.9, 1);
	agg_add(a, &e);
	agg_series(a, &n, &interval);
	CHECK(interval == 10);
	CHECK(agg_series(a, &n, &interval)[0].nbins == 2);
	CHECK(agg_series(a, &n, &interval)[0].bins[1].index == 10);
	agg_free(a);
}

static void
test_merge(void)
{
	struct agg *a = agg_new(keys, 2, 0), *b = agg_new(keys, 2, 0);
	struct agg *all = agg_new(keys, 2, 0);
	struct agg_group **ga, **gall;
	struct trace_event e;
	size_t na, nall, i;
	double q = 50, va, vall;

	for (i = 0; i < 5000; i++) {
		e = ev(i % 3 ? "m" : "a", "E", 1000 + (double)i * 3,
		    (double)(i % 97));
		agg_add(i % 2 ? a : b, &e);
		agg_add(all, &e);
	}
	agg_merge(a, b);
	ga = agg_groups(a, &na);
	gall = agg_groups(all, &nall);
	CHECK(na == nall);
	for (i = 0; i < na && i < nall; i++) {
		CHECK(hist_count(ga[i]->h) == hist_count(gall[i]->h));
		hist_percentiles(ga[i]->h, &q, 1, &va);
		hist_percentiles(gall[i]->h, &q, 1, &vall);
		CHECK_NUM(va, vall, 0);
	}
	agg_free(a);
	agg_free(b);
	agg_free(all);
}

/* Adds event i of a stream of 3000 events over 400 outcomes to a. */
static void
add_nth(struct agg *a, size_t i)
{
	char out[32];
	struct trace_event e;

	snprintf(out, sizeof(out), "o%03zu", (i * 7919) % 400);
	e = ev("m", out, 1000 + (double)(i % 50), (double)(i % 13));
	agg_add(a, &e);
}

/*
 * --max-groups keeps the first groups in key order and counts the rest
 * together, the same whether the events came in order, backwards, or
 * split in three and merged.
 */
static void
test_limit_order_free(void)
{
	struct agg *fwd = agg_new(keys, 2, 0), *back = agg_new(keys, 2, 0);
	struct agg *part[3];
	struct agg_group **gf, **gb;
	const struct agg_group *of, *ob;
	unsigned long long ocf, ocb;
	size_t nf, nb, i, max;

	agg_limit(fwd, 25);
	agg_limit(back, 25);
	for (i = 0; i < 3; i++) {
		part[i] = agg_new(keys, 2, 0);
		agg_limit(part[i], 25);
	}
	for (i = 0; i < 3000; i++) {
		add_nth(fwd, i);
		add_nth(back, 2999 - i);
		add_nth(part[i % 3], i);
	}
	agg_merge(part[1], part[2]);
	agg_merge(part[0], part[1]);
	gf = agg_groups(fwd, &nf);
	CHECK(nf == 25);
	CHECK_STR(gf[0]->values[AGG_KEY_OUTCOME], "o000");
	CHECK_STR(gf[24]->values[AGG_KEY_OUTCOME], "o024");
	of = agg_overflow(fwd, &max, &ocf);
	for (i = 0, nb = 0; i < nf; i++)
		nb += hist_count(gf[i]->h);
	CHECK(max == 25 && of != NULL && hist_count(of->h) + nb == 3000);
	CHECK(nb > 100 && ocf == hist_count(of->h));
	for (i = 0; i < 2; i++) {
		struct agg *x = i ? part[0] : back;

		gb = agg_groups(x, &nb);
		CHECK(nb == nf);
		for (size_t j = 0; j < nb && j < nf; j++) {
			CHECK_STR(gb[j]->values[AGG_KEY_OUTCOME],
			    gf[j]->values[AGG_KEY_OUTCOME]);
			CHECK(hist_count(gb[j]->h) == hist_count(gf[j]->h));
		}
		ob = agg_overflow(x, &max, &ocb);
		CHECK(ob != NULL && hist_count(ob->h) == hist_count(of->h));
		CHECK(ocb == ocf);
		CHECK(hist_mean(ob->h) == hist_mean(of->h));
	}
	agg_free(fwd);
	agg_free(back);
	for (i = 0; i < 3; i++)
		agg_free(part[i]);
}

int
main(void)
{
	RUN(test_groups);
	RUN(test_series_interval_and_start_events);
	RUN(test_fixed_interval);
	RUN(test_merge);
	RUN(test_limit_order_free);
	return CHECK_EXIT();
}
