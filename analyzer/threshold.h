/*
 * threshold.h: k6-like pass/fail thresholds over an analysis document
 * (schema "medload.analysis/1"), optionally relative to a baseline one.
 *
 *   [KEY=GLOB ...] METRIC OP LIMIT
 *
 * KEY is label, handler, outcome or traced_type (fnmatch globs; values may
 * be double-quoted). METRIC is count, rate, mean (avg), min, max, stddev,
 * a percentile (p95, p99.9, k6's p(95), med), error_rate (error_share),
 * trace_error_rate, client_error_rate or users_never_ready. OP is <, <=,
 * >, >=, == or !=. LIMIT is a number with an optional unit (ms, s, %, /s)
 * or "baseline" optionally followed by *N, +N or -N.
 *
 * Evaluation: count and rate are summed over the matching groups; a
 * latency (mean, min, max, stddev, a percentile) must hold for each
 * matching group and the worst group is reported; groups whose max is
 * 0 ms (START events carry no duration) are left out of a latency when
 * other matching groups carry one. trace_error_rate is the share of the
 * matching groups' events whose outcome or traced_type is an error (see
 * compare_key_is_error). With the run's results (medload.run/1) and no
 * selector, error_rate is (the client's failed requests and waits + the
 * trace's error events) / (the client's requests and waits + the trace's
 * events), like k6's http_req_failed with the traces' errors added; else
 * it is trace_error_rate. client_error_rate is total.failures /
 * total.count of the run's results and users_never_ready their count;
 * both take no selector and no baseline, and are skipped, saying why,
 * without run results. No matching group is a failure; a relative
 * threshold without a baseline value is skipped.
 */
#ifndef MEDLOAD_THRESHOLD_H
#define MEDLOAD_THRESHOLD_H

#include <stddef.h>
#include <stdio.h>

struct json_object;

struct threshold;

/* A list of thresholds in declaration order. */
struct threshold_set {
	struct threshold **v;
	size_t n;
};

/*
 * Parses one expression. Returns 0 and *out (caller frees with
 * threshold_free), or -1 with *cause naming the expression and the column
 * ("threshold \"p95<<1\": column 5: expected a number or \"baseline\"").
 */
int threshold_parse(const char *expr, struct threshold **out, char **cause);

/* Frees a threshold; NULL is accepted. */
void threshold_free(struct threshold *t);

/* The expression as given (borrowed from t). */
const char *threshold_expr(const struct threshold *t);

/* Returns 1 when the limit refers to the baseline. */
int threshold_relative(const struct threshold *t);

/* Starts an empty set. */
void threshold_set_init(struct threshold_set *s);

/* Frees every threshold of the set. */
void threshold_set_release(struct threshold_set *s);

/* Parses expr and appends it; 0 or -1 with *cause. */
int threshold_set_add(struct threshold_set *s, const char *expr,
    char **cause);

/*
 * Reads thresholds from a file: YAML (name ending in .yaml or .yml: a
 * top-level "thresholds" sequence of strings, other keys ignored, or a
 * top-level sequence) or text (one expression a line, # comments and blank
 * lines skipped). Errors name the file, line and column. 0 or -1.
 */
int threshold_set_load(struct threshold_set *s, const char *path,
    char **cause);

/*
 * Reads the "thresholds" sequence of a YAML settings file whatever its
 * name (medload run --config); a file without one adds nothing. Errors
 * name the file, line and column. 0 or -1.
 */
int threshold_set_load_config(struct threshold_set *s, const char *path,
    char **cause);

/* Returns 1 when any threshold of the set is relative. */
int threshold_set_relative(const struct threshold_set *s);

/*
 * Evaluates every threshold over doc (an analysis, borrowed), baseline
 * (an analysis, borrowed, may be NULL) and run (the run's results,
 * schema "medload.run/1", borrowed, NULL where there is no run: analyze,
 * compare). Returns the "thresholds" block (caller puts):
 *   { "passed": N, "failed": N, "skipped": N, "ok": bool,
 *     "results": [ { "expr", "metric", "op", "selector", "limit",
 *     "baseline", "value", "group", "groups", "groups_at_zero",
 *     "client": {"requests", "failures"}, "trace": {"events", "errors"},
 *     "by_step", "status", "message" } ] }
 * status is "pass", "fail" or "skip"; message says what was measured
 * and which group decided.
 */
struct json_object *threshold_evaluate(const struct threshold_set *s,
    struct json_object *doc, struct json_object *baseline,
    struct json_object *run);

/* The number of failed thresholds in a block (0 for NULL). */
int threshold_block_failed(struct json_object *block);

/*
 * Writes a block as text lines ("PASS  p95<250: p95 = 69 ms ..."),
 * control characters made visible.
 */
void threshold_print_text(struct json_object *block, FILE *out);

#endif
