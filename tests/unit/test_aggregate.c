/* test_aggregate.c: groups, series intervals, outcome counts, merging. */
#include "aggregate.h"

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

int
main(void)
{
	RUN(test_groups);
	RUN(test_series_interval_and_start_events);
	RUN(test_fixed_interval);
	RUN(test_merge);
	return CHECK_EXIT();
}
