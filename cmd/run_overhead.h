/*
 * run_overhead.h: `medload run --trace-overhead`: tracing's own cost. The
 * same load runs twice on agents medload restarts (the user's restart
 * command, run by the shell with MEDLOAD_TRACE_TARGET set): first with the
 * agents tracing to the run's embedded collector, then not tracing. The
 * client-side latencies (from the intended start) of the two runs are
 * then compared per request name with compare's noise rules (compare.h:
 * margin, least difference, least samples, |z| of the percentiles),
 * untraced as the baseline: "worse" means tracing made it slower.
 */
#ifndef MEDLOAD_RUN_OVERHEAD_H
#define MEDLOAD_RUN_OVERHEAD_H

#include <stdio.h>

#include "compare.h"

struct config;
struct run_report_opts;

struct run_overhead_opts {
	const char *restart;	/* shell command restarting the agents */
	const struct run_report_opts *rep;	/* collect set; report_dir
						 * (for the traced run) may
						 * be NULL */
	struct compare_opts cmp;
};

/*
 * Runs both passes with c (run ids RUN_ID-traced and RUN_ID-untraced;
 * RUN_ID generated when unset), prints each run's end table and the
 * comparison on out, and writes OUT_DIR/RUN_ID-trace-overhead.json (the
 * comparison document) and .txt. Returns an exit status: 0, or STATUS_IO,
 * STATUS_UNREACHABLE, STATUS_NO_EVENTS (a pass measured nothing) or
 * STATUS_INTERRUPTED after a message on stderr.
 */
int run_overhead_execute(struct config *c, const struct run_overhead_opts *o,
    FILE *out);

/*
 * An analysis document (schema "medload.analysis/1", keys label, handler,
 * outcome) holding a run's client-side latencies from its results
 * document: per request name a group {label "client", handler the
 * method, outcome the name} with count, rate, min, max and percentiles
 * (no mean: the results carry no spread for it). Caller puts.
 */
struct json_object *run_overhead_client_doc(struct json_object *results);

#endif
