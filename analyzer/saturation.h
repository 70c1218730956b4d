/*
 * saturation.h: where a stepped load run saturated and which agent broke
 * first, from the figures of each load step: the client's (the "steps"
 * array of a run's results, loader/stats_steps.h) and the traces' (the
 * "by_step" array an analysis gets from the run's step windows).
 *
 * Knee: the first complete step k, with more target users than step k-1,
 * where the users added stopped adding throughput (achieved requests per
 * second rose by less than half the users' relative rise, or fell) while
 * the client's latency of some request rose beyond the noise, or its
 * failures did. "Beyond the noise" is what `compare` calls a change: at
 * least 20 requests on both sides, at least 1 ms and more than 5%, and
 * |z| >= 3 with the standard error of a sample quantile, sqrt(p(1-p)/n)
 * times the spread of the neighbouring percentiles over their
 * probability gap (p95 from p90 and p99; the median, from p25 and p75,
 * when fewer than 5 requests lie beyond p95); failures: a rise of the
 * failure share by the two-proportion z-test, |z| >= 3, and by more than
 * 5% of the requests' share. A first step that failed more than half of
 * its requests (at least 20) is the knee itself: saturated from the
 * start; so is the first step of a run none of whose users finished
 * its setup (metric "setup").
 *
 * Bottleneck: for each trace label, the p95 of its latency-carrying
 * group (Dispatcher.handle_message.END) per step; a label saturated at
 * the first step where that p95 rose beyond the noise and reached twice
 * its first step's. The label saturating at the earliest step (ties: the
 * larger growth) broke first; a label naming "mediator" is the mediator,
 * any other the load platform (the multi-tenant agent).
 */
#ifndef MEDLOAD_SATURATION_H
#define MEDLOAD_SATURATION_H

#include <stddef.h>
#include <stdio.h>

struct json_object;

/* The trace group whose latency a step's trace figures hold. */
#define SATURATION_TRACE_GROUP "Dispatcher.handle_message.END"

/*
 * The assessment block (caller puts) of run (a results document, schema
 * medload.run/1, borrowed) and analysis (borrowed, may be NULL or lack
 * "by_step"):
 *   { "steps": [ { "step", "users_target", "users_actual", "start_s",
 *       "end_s", "complete", "requests", "offered_rps", "achieved_rps",
 *       "failures", "client": { NAME: { "count", "p50", "p95", "p99" } },
 *       "waits": { ... }, "trace": { LABEL: { "count", "p95", "p99" } }
 *     } ],
 *     "knee": null | { "step", "users", "rps", "metric", "quantile",
 *       "from_ms", "to_ms", "throughput_change_pct",
 *       "users_change_pct", "z" } (a failures knee has metric
 *       "failures" and "from_pct", "to_pct" instead of the ms; one at
 *       the first step "first_step": true and "to_pct" only),
 *     "sentence": "saturation at step 3 (30 users, 41 req/s): ..." or
 *       "no saturation within the run: raise --max-users" or why it was
 *       not assessed,
 *     "bottleneck": null | { "agent", "step", "from_ms", "to_ms",
 *       "sentence", "advice" },
 *     "notes": [ string ] }
 * A run without per-step figures gets empty steps and a sentence saying
 * so. Returns NULL with *cause only when run is not an object.
 */
struct json_object *saturation_assess(struct json_object *run,
    struct json_object *analysis, char **cause);

/*
 * The trace labels of an assessment's steps (its "steps" array,
 * borrowed), in the order first seen: at most max of them go to out
 * (borrowed from steps). Returns how many.
 */
size_t saturation_labels(struct json_object *steps, const char **out,
    size_t max);

/*
 * Prints an assessment's sentences on out: "saturation: ...", then
 * "bottleneck: ..." and its advice when there is one, and each note;
 * outside text (labels, names) made safe for terminals.
 */
void saturation_print(struct json_object *assessment, FILE *out);

#endif
