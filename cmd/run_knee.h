/*
 * run_knee.h: `medload run --find-knee [--slo EXPR]...`: the step shape
 * run up to --max-users, each step judged live (loader config's
 * step_judge) half a step after it ends: the run stops at the first knee
 * (analyzer/saturation.h on the client's figures), at the first step an
 * SLO (threshold syntax) fails, or when the last step, at --max-users,
 * is done.
 */
#ifndef MEDLOAD_RUN_KNEE_H
#define MEDLOAD_RUN_KNEE_H

#include "threshold.h"

struct config;
struct json_object;

/* The most steps --find-knee runs. */
#define RUN_KNEE_MAX_STEPS 40

/* What the judge needs (the caller's; borrowed while the run lasts). */
struct run_knee {
	const struct threshold_set *slo;	/* may be empty */
};

/*
 * Sets c (config_finish done) up for --find-knee: the step formula (no
 * stages) with --max-users set; the time limit becomes the steps up to
 * max_users (at most RUN_KNEE_MAX_STEPS) and the judge k. Says the plan
 * on err. Returns 0, or -1 with *cause naming the setting.
 */
int run_knee_setup(struct config *c, struct run_knee *k, FILE *err,
    char **cause);

/*
 * The client's figures of one step (an element of the results' "steps")
 * as an analysis document (caller puts), for thresholds: one group per
 * request name (label "client", handler "request" or "wait", outcome the
 * name) with count, mean, max and the percentiles.
 */
struct json_object *run_knee_step_doc(struct json_object *step);

#endif
