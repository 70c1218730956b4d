/*
 * stats_steps.h: the client's figures per load step, for the saturation
 * assessment: each request (or wait) counts in the step in which it was
 * due (its intended start), with an exact histogram per request name and
 * step (latency from the intended start); the successful requests that
 * ended in a step give its achieved rate; the users samples its highest
 * actual user count. Rendered as the "steps" array of results.json.
 */
#ifndef MEDLOAD_STATS_STEPS_H
#define MEDLOAD_STATS_STEPS_H

#include <stddef.h>
#include <stdint.h>

#include "shape.h"
#include "stats.h"

struct json_object;
struct stats_steps;

/*
 * The steps of a run starting at start_us (epoch microseconds): the n
 * spans of steps (copied; seconds from the start, in order). Caller frees
 * with stats_steps_free.
 */
struct stats_steps *stats_steps_new(int64_t start_us,
    const struct shape_step *steps, size_t n);

/* Frees ss; NULL is accepted. */
void stats_steps_free(struct stats_steps *ss);

/* Counts one finished request or wait (r->method "WAIT"). */
void stats_steps_record(struct stats_steps *ss, const struct stats_rec *r);

/*
 * Notes shard's actual user count sampled at t_us; a step's users_actual
 * is the sum over shards of each one's highest in it.
 */
void stats_steps_users(struct stats_steps *ss, int64_t t_us,
    unsigned actual, unsigned shard);

/*
 * For a merge of shards: shard's requests and samples are timed from its
 * own start, start_us (the shards of a run start at different moments),
 * and the steps reported are those every aligned shard lasted through,
 * the last one cut there: end_s seconds from its start when its results
 * say (where its last step ended: a stop cuts it), else (end_s < 0, a
 * shard killed before writing them) its latest time seen.
 */
void stats_steps_align(struct stats_steps *ss, unsigned shard,
    int64_t start_us, double end_s);

/*
 * The "steps" array (caller puts) for a run whose window ended at end_us
 * and that stopped starting work at stop_us (0: it did not): steps that
 * began before both, the last one cut there and marked "complete": false
 * when the run stopped inside it. Each step: "step"
 * (1-based), "users_target", "users_actual", "start_s", "end_s",
 * "complete", "requests" and "failures" (due in the step; failures count
 * waits too), "offered_rps" (requests due / seconds), "achieved_rps"
 * (successful requests ended in the step / seconds), "client" and
 * "waits" (by name: count, failures, p25, p50, p75, p90, p95, p99,
 * mean and max in ms).
 */
struct json_object *stats_steps_json(const struct stats_steps *ss,
    int64_t end_us, int64_t stop_us);

#endif
