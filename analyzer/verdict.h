/*
 * verdict.h: the block every report starts with: did the run pass its
 * thresholds, what failed on the client, how much load it reached, how
 * the agents' latency compares, what the saturation assessment found, and
 * whether the run was interrupted. Built from the analysis document, the
 * run's results document and the assessment (each may be missing); the
 * report templates render it.
 */
#ifndef MEDLOAD_VERDICT_H
#define MEDLOAD_VERDICT_H

struct json_object;

/* How many END outcomes the latency comparison shows. */
#define VERDICT_OUTCOMES 4

/*
 * The verdict view (caller puts), all inputs borrowed, each may be NULL:
 *   "state": "pass" | "fail" | "none" (no thresholds judged),
 *   "word": "PASS", "FAIL" or "NO THRESHOLDS",
 *   "head": what follows it ("1 of 3 thresholds breached"),
 *   "breaches": [{"expr", "message"}] (failed thresholds) and
 *   "has_breaches",
 *   "interrupted": {"elapsed_s", "planned_s"} when the run was,
 *   "users": the users line (peak, planned, never connected or ready),
 *   "requests": the requests line (failures, throughput),
 *   "failed": whether the client saw failures or users never connected,
 *   "latency": a ttable (END outcome, label, count, p50, p95, p99) of
 *   the VERDICT_OUTCOMES slowest END outcomes, every label side by side,
 *   "sentences": [string] (the assessment's saturation and bottleneck
 *   sentences and advice) and "has_sentences",
 *   "steps": a ttable of the assessment's steps (step, users, seconds,
 *   offered and achieved req/s, failures, the client's p50/p95/p99 of
 *   each request it names, each label's trace p95/p99).
 * A member is left out when its inputs are missing.
 */
struct json_object *verdict_build(struct json_object *analysis,
    struct json_object *run, struct json_object *assessment);

#endif
