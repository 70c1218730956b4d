/* test_hist.c: the histogram against a sort-based reference. */
#include "hist.h"

#include <stdlib.h>

#include "check.h"

/* Nearest rank on a sorted array: smallest v with >= ceil(q/100 n) <= v. */
static double
ref_pct(const double *sorted, size_t n, double q)
{
	double r = ceil(q / 100.0 * (double)n - 1e-9);
	size_t rank = r < 1 ? 1 : (size_t)r;

	return sorted[rank - 1];
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* xorshift: a deterministic generator so failures reproduce. */
static unsigned long long rng_state = 88172645463325252ULL;

static unsigned long long
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const double qs[] = { 0.1, 1, 25, 50, 75, 90, 95, 99, 99.9, 99.99,
    100 };
#define NQ (sizeof(qs) / sizeof(qs[0]))

/* Records vals, checks every percentile, mean and stddev. */
static void
check_against_reference(double *vals, size_t n, int exact)
{
	struct hist *h = hist_new();
	double out[NQ], mean = 0, var = 0;
	size_t i;

	for (i = 0; i < n; i++)
		CHECK(hist_record(h, vals[i]) == 0);
	qsort(vals, n, sizeof(*vals), cmp_double);
	hist_percentiles(h, qs, NQ, out);
	for (i = 0; i < NQ; i++) {
		double want = ref_pct(vals, n, qs[i]);

		if (exact)
			CHECK_NUM(out[i], want, 0);
		else
			CHECK_NUM(out[i], want, want * 0.001);
	}
	for (i = 0; i < n; i++)
		mean += vals[i];
	mean /= (double)n;
	for (i = 0; i < n; i++)
		var += (vals[i] - mean) * (vals[i] - mean);
	var /= (double)n;
	CHECK(hist_count(h) == n);
	CHECK_NUM(hist_min(h), vals[0], 0);
	CHECK_NUM(hist_max(h), vals[n - 1], 0);
	CHECK_NUM(hist_mean(h), mean, fabs(mean) * 1e-9 + 1e-9);
	CHECK_NUM(hist_stddev(h), sqrt(var), sqrt(var) * 1e-6 + 1e-9);
	CHECK(hist_exact(h) == exact);
	hist_free(h);
}

static void
test_integers_exact(void)
{
	size_t n = 100000, i, round;
	double *v = malloc(n * sizeof(*v));

	for (round = 0; round < 5; round++) {
		for (i = 0; i < n; i++) {
			/* Long-tailed like latencies: mostly small, some huge. */
			unsigned long long r = rng();
			v[i] = (double)(r % 8 == 0 ? r % 5000000 : r % 300);
		}
		check_against_reference(v, n, 1);
	}
	free(v);
}

static void
test_floats_within_tenth_of_percent(void)
{
	size_t n = 100000, i, round;
	double *v = malloc(n * sizeof(*v));

	for (round = 0; round < 5; round++) {
		for (i = 0; i < n; i++)
			v[i] = exp((double)(rng() % 2000000) / 100000.0 - 5) +
			    0.25;
		check_against_reference(v, n, 0);
	}
	free(v);
}

static void
test_small_samples(void)
{
	double v[] = { 5 };
	double w[] = { 3, 1, 2 };
	double out[3];
	double q3[] = { 50, 66.667, 100 };
	struct hist *h;

	check_against_reference(v, 1, 1);
	check_against_reference(w, 3, 1);
	/* nearest rank of 3 values: p50 -> 2nd, p66.667 -> 3rd. */
	h = hist_new();
	hist_record(h, 10);
	hist_record(h, 20);
	hist_record(h, 30);
	hist_percentiles(h, q3, 3, out);
	CHECK_NUM(out[0], 20, 0);
	CHECK_NUM(out[1], 30, 0);
	CHECK_NUM(out[2], 30, 0);
	hist_free(h);
}

static void
test_rank_arithmetic_is_exact(void)
{
	/* 0.95 * 100 in floating point is 95.00000000000001: rank must be 95. */
	struct hist *h = hist_new();
	double q = 95, out;
	int i;

	for (i = 1; i <= 100; i++)
		hist_record(h, i);
	hist_percentiles(h, &q, 1, &out);
	CHECK_NUM(out, 95, 0);
	q = 99.9;
	hist_percentiles(h, &q, 1, &out);
	CHECK_NUM(out, 100, 0);
	hist_free(h);
}

static void
test_rejects_bad_values(void)
{
	struct hist *h = hist_new();

	CHECK(hist_record(h, -1) == -1);
	CHECK(hist_record(h, NAN) == -1);
	CHECK(hist_record(h, INFINITY) == -1);
	CHECK(hist_count(h) == 0);
	CHECK_NUM(hist_mean(h), 0, 0);
	hist_free(h);
}

static void
test_merge_equals_union(void)
{
	struct hist *a = hist_new(), *b = hist_new(), *all = hist_new();
	double oa[NQ], ob[NQ];
	size_t i;

	for (i = 0; i < 20000; i++) {
		double v = (double)(rng() % 100000) / (i % 3 ? 1 : 7.0);

		hist_record(i % 2 ? a : b, v);
		hist_record(all, v);
	}
	hist_merge(a, b);
	hist_percentiles(a, qs, NQ, oa);
	hist_percentiles(all, qs, NQ, ob);
	for (i = 0; i < NQ; i++)
		CHECK_NUM(oa[i], ob[i], 0);
	CHECK(hist_count(a) == hist_count(all));
	CHECK_NUM(hist_mean(a), hist_mean(all), 1e-6);
	CHECK_NUM(hist_stddev(a), hist_stddev(all), 1e-6);
	CHECK_NUM(hist_max(a), hist_max(all), 0);
	hist_free(a);
	hist_free(b);
	hist_free(all);
}

/* n occurrences at once equal n single records, floats and integers. */
static void
test_record_n_equals_repeats(void)
{
	struct hist *a = hist_new(), *b = hist_new();
	double oa[NQ], ob[NQ];
	size_t i, k;

	for (i = 0; i < 500; i++) {
		double v = (double)(rng() % 5000) / (i % 2 ? 1 : 3.0);
		uint64_t n = rng() % 7;

		CHECK(hist_record_n(a, v, n) == 0);
		for (k = 0; k < n; k++)
			hist_record(b, v);
	}
	hist_percentiles(a, qs, NQ, oa);
	hist_percentiles(b, qs, NQ, ob);
	for (i = 0; i < NQ; i++)
		CHECK_NUM(oa[i], ob[i], 0);
	CHECK(hist_count(a) == hist_count(b));
	CHECK(hist_exact(a) == hist_exact(b));
	CHECK_NUM(hist_mean(a), hist_mean(b), 1e-6);
	CHECK_NUM(hist_stddev(a), hist_stddev(b), 1e-6);
	CHECK_NUM(hist_min(a), hist_min(b), 0);
	CHECK_NUM(hist_max(a), hist_max(b), 0);
	CHECK(hist_record_n(a, -1, 3) == -1);
	CHECK(hist_count(a) == hist_count(b));
	hist_free(a);
	hist_free(b);
}

static void
test_memory_flat(void)
{
	struct hist *h = hist_new();
	size_t i, m1;

	for (i = 0; i < 100000; i++)
		hist_record(h, (double)(rng() % 2000));
	m1 = hist_memory(h);
	for (i = 0; i < 1000000; i++)
		hist_record(h, (double)(rng() % 2000));
	CHECK(hist_memory(h) == m1);
	CHECK(m1 < 64 * 1024);
	hist_free(h);
}

/*
 * Integer values give the same mean and deviation, to the bit, however
 * they were split and merged and in whatever order they came.
 */
static void
test_moments_order_free(void)
{
	struct hist *a = hist_new(), *b = hist_new(), *c = hist_new();
	unsigned v, seed = 7;
	int i;

	for (i = 0; i < 100000; i++) {
		seed = seed * 1103515245u + 12345u;
		v = (seed >> 8) % 100000;
		hist_record(a, v);
		hist_record(i % 3 ? b : c, v);
	}
	hist_merge(c, b);
	CHECK(hist_count(a) == hist_count(c));
	CHECK(hist_mean(a) == hist_mean(c));
	CHECK(hist_stddev(a) == hist_stddev(c));
	CHECK(hist_mean(a) > 40000 && hist_mean(a) < 60000);
	hist_free(a);
	hist_free(b);
	hist_free(c);
	a = hist_new();
	hist_record(a, 1);
	hist_record(a, 2);
	hist_record(a, 4);
	CHECK(hist_mean(a) == 7.0 / 3);
	CHECK_NUM(hist_stddev(a), sqrt(14.0 / 9), 1e-15);
	hist_free(a);
}

int
main(void)
{
	RUN(test_integers_exact);
	RUN(test_floats_within_tenth_of_percent);
	RUN(test_small_samples);
	RUN(test_rank_arithmetic_is_exact);
	RUN(test_rejects_bad_values);
	RUN(test_merge_equals_union);
	RUN(test_record_n_equals_repeats);
	RUN(test_memory_flat);
	RUN(test_moments_order_free);
	return CHECK_EXIT();
}
