/*
 * hist.h: a mergeable latency histogram.
 *
 * Integer values in [0, 2^32) are counted exactly, one counter per value.
 * Any other non-negative finite value falls in a log-linear bucket whose
 * width is 2^-10 of its magnitude (1024 buckets per power of two, as in
 * HdrHistogram with three significant digits), reported at the bucket's
 * midpoint, so its relative error is below 0.05%. Counters live in pages of
 * 128 allocated on first use: memory grows with the spread of the values,
 * never with their number.
 *
 * Alongside the distribution it keeps the exact count, min, max, mean and
 * variance (Welford; merged with Chan et al.'s formula).
 */
#ifndef MEDLOAD_HIST_H
#define MEDLOAD_HIST_H

#include <stddef.h>
#include <stdint.h>

struct hist;

/* Creates an empty histogram. Caller frees with hist_free. */
struct hist *hist_new(void);

/* Frees h; NULL is accepted. */
void hist_free(struct hist *h);

/*
 * Records one value. Returns 0, or -1 (and records nothing) when v is
 * negative, NaN or infinite.
 */
int hist_record(struct hist *h, double v);

/*
 * Records n occurrences of v, as n calls of hist_record would. Returns 0,
 * or -1 (and records nothing) when v is negative, NaN or infinite.
 */
int hist_record_n(struct hist *h, double v, uint64_t n);

/* Adds every value of src to dst. src is unchanged. */
void hist_merge(struct hist *dst, const struct hist *src);

/* Number of values recorded. */
uint64_t hist_count(const struct hist *h);
/*
 * Exact minimum / maximum / mean / population standard deviation; 0 if
 * empty. When every value was an integer, the mean and deviation are
 * computed from the counters, so histograms holding the same values give
 * the same figures whatever the order of the values and merges.
 */
double hist_min(const struct hist *h);
double hist_max(const struct hist *h);
double hist_mean(const struct hist *h);
double hist_stddev(const struct hist *h);

/* Says whether every value recorded was counted exactly (integers). */
int hist_exact(const struct hist *h);

/*
 * Nearest-rank percentiles: for each q in qs (0 < q <= 100), the smallest
 * recorded value v with at least ceil(q/100 * n) values <= v. q is read to
 * 1/1000 of a percent. Writes nq results to out; 0 for an empty histogram.
 */
void hist_percentiles(const struct hist *h, const double *qs, size_t nq,
    double *out);

/*
 * Calls fn(value, count, arg) for every distinct recorded value (or float
 * bucket midpoint) in ascending order. Stops early when fn returns non-zero.
 */
void hist_foreach(const struct hist *h,
    int (*fn)(double value, uint64_t count, void *arg), void *arg);

/* Bytes of memory the histogram holds (for benchmarks and limits). */
size_t hist_memory(const struct hist *h);

#endif
