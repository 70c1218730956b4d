/*
 * run_steps.h: the traces of a stepped load run, step by step: each load
 * step's window (the "steps" of the run's results) analyzed on its own
 * from the same source as the whole run, so the per-step percentiles are
 * as exact as the run's. The saturation assessment (analyzer/saturation.h)
 * reads the "by_step" array this adds.
 */
#ifndef MEDLOAD_RUN_STEPS_H
#define MEDLOAD_RUN_STEPS_H

#include "analyze.h"

struct json_object;

/*
 * Adds "by_step" to analysis (borrowed; it takes the array): for each
 * step of results (borrowed) { "step", "start", "end", "labels": {
 * LABEL: { "group", "count", "p25", "p50", "p75", "p90", "p95", "p99",
 * "mean", "max" } } } with each label's Dispatcher.handle_message.END
 * group read from base's source (borrowed; its window is replaced by
 * the step's). Nothing is added when results have no steps or base no
 * source. Returns 0, or -1 with *cause when a step's analysis failed.
 */
int run_steps_trace(const struct analyze_request *base,
    struct json_object *results, struct json_object *analysis,
    char **cause);

#endif
