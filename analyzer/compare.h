/*
 * compare.h: baseline analysis vs contender analysis -> the comparison
 * document (schema "medload.compare/1"); compare_render.h renders it.
 * Reads only analysis documents ("medload.analysis/1").
 *
 * Groups are matched by key. Per metric (count, rate, mean, p50, p95, p99,
 * max; per label count, rate and error_share) the comparison shows both
 * values, the difference and a verdict. How a change is read depends on
 * what the metric measures ("kind"):
 *   latency (mean, p50, p95, p99): "worse", "better" or "unchanged";
 *   share (a label's error share): "worse", "better" or "unchanged";
 *   load (count, rate): "more", "less" or "unchanged": traffic, never
 *     better or worse; the changes are listed apart ("load");
 *   extreme (max): shown, never judged.
 * A group is worse when a latency metric got worse, better when one got
 * better and none worse; a group at 0 ms on both sides (START events, or
 * any group whose max is 0 on both sides) is "not judged". A label is
 * worse when its error share rose or a group of it got worse. The
 * regressions are the worse groups and the error-share rises.
 *
 * A difference is a change only when (1) both sides have at
 * least min_samples events, (2) it exceeds the relative margin, (3) a
 * latency difference is at least min_delta ms, and (4) where a test
 * applies, it is significant at |z| >= z:
 *   percentiles: asymptotic normality of sample quantiles,
 *     se(q_p) = sqrt(p(1-p)/n) / f(q_p), the density f(q_p) estimated
 *     from the neighbouring percentiles the document holds;
 *   mean: Welch's z on count, mean and stddev;
 *   count and rate: the Poisson test z = (c-b)/sqrt(b+c);
 *   error share: the two-proportion z-test.
 * max is a single extreme value: margin only.
 */
#ifndef MEDLOAD_COMPARE_H
#define MEDLOAD_COMPARE_H

#include <stddef.h>

/*
 * compare_render and compare_charts, for callers
 * that include only this header.
 */
#include "compare_render.h"

struct json_object;

#define COMPARE_SCHEMA "medload.compare/1"
#define COMPARE_MAX_PCTS 40	/* the most quantiles compare_quantiles gives */

struct compare_opts {
	double margin;			/* relative, 0.05 = 5 % */
	double min_delta;		/* ms */
	unsigned long long min_samples;	/* per side */
	double z;			/* critical |z| */
};

/* Sets the defaults: 5 %, 1 ms, 20 samples, z 3. */
void compare_opts_init(struct compare_opts *o);

/*
 * Reads an analysis document from path ("-" = stdin) with jx_load.
 * Returns it (caller puts) or NULL with *cause: not JSON, not a
 * "medload.analysis/1" document (the message names the schema found), or
 * without a "groups" array.
 */
struct json_object *compare_load(const char *path, char **cause);

/*
 * Whether a group's key has an outcome marking a start (".START": the
 * event a handler writes when it begins). An error share counts the
 * other events only: a message handled gives a START and an END (or an
 * error), and counting both would halve the share.
 */
int compare_key_is_start(struct json_object *key);

/*
 * Adds a group's n events (key its key) to an error share: to *ops unless
 * they are START events, and to *errors too when they are errors.
 */
void compare_share_add(struct json_object *key, double n, double *ops,
    double *errors);

/*
 * Returns 1 when a group key (an object with label, handler, outcome,
 * traced_type members) names an error: its outcome contains "error",
 * "fail" or "problem_report", or its traced_type contains
 * "problem_report" (case-insensitive); else 0.
 */
int compare_key_is_error(struct json_object *key);

/* Returns 1 when the document's groups carry outcome or traced_type. */
int compare_doc_knows_errors(struct json_object *doc);

/*
 * A group's metric ("count", "rate", "mean", "min", "max", "stddev",
 * "p95", "p99.9"). Returns 0 and *out, or -1 when it is absent.
 */
int compare_group_metric(struct json_object *g, const char *metric,
    double *out);

/*
 * Returns 1 when group g carries no latency: its max is 0 ms (START
 * events, whose duration is always 0), or, without a max, its mean and
 * every percentile are 0; else 0.
 */
int compare_group_no_latency(struct json_object *g);

/*
 * The quantiles of group g (borrowed) as (p, q) pairs sorted by p in
 * [0, 1], its min (p 0) and max (p 1) included: at most COMPARE_MAX_PCTS
 * of them into p and q. Returns their number.
 */
size_t compare_quantiles(struct json_object *g, double *p, double *q);

/* A group key's values as "a / b / c" for display (caller frees). */
char *compare_key_title(struct json_object *key);

/*
 * Compares two analyses (both borrowed). base_name and cont_name name
 * them in the output. Returns the comparison document (caller puts), or
 * NULL with *cause when they cannot be matched (grouped differently).
 * Besides "labels" and "groups" (every matched group with its verdict,
 * regressions first, the largest first), it holds "load" ({"verdict":
 * "more"|"less"|"mixed"|"unchanged", "changes": [...]}) and a "summary"
 * whose "headline" is the verdict in a line ("worse: mediator.trace
 * Dispatcher.handle_message.END p95 44 -> 337 ms (+665.9%)", "no change
 * beyond noise") and "regressions" their number.
 */
struct json_object *compare_build(struct json_object *base,
    struct json_object *cont, const struct compare_opts *o,
    const char *base_name, const char *cont_name, char **cause);

/*
 * The number of regressions of a comparison: groups whose latency got
 * worse and labels whose error share rose.
 */
int compare_regressions(struct json_object *cmp);

#endif
