/*
 * edge_steps.h: what holding sessions costs, sampled every 5 s of an edge
 * run with sessions: users, sessions held, medload's CPU share (of one
 * core) and resident memory, and the same for the mediator's process when
 * --mediator-pid names it (/proc/PID/stat and statm; a process that is
 * gone reads as absent). results.json gets the samples and, per load step,
 * the last users and sessions, the mean CPU shares, the largest RSS,
 * medload's bytes per held session (RSS growth since the first sample over
 * the sessions held) and which process was the limit (a CPU share of 0.9
 * or more: "medload", "mediator", or null).
 *
 * Also raises the open files limit to what the run's largest user count
 * needs (a socket per session, plus HTTP connections and files).
 */
#ifndef MEDLOAD_EDGE_STEPS_H
#define MEDLOAD_EDGE_STEPS_H

#include "run_private.h"

struct edge_steps;
struct json_object;

/*
 * Raises RLIMIT_NOFILE for the run's largest user count. Returns 0, or -1
 * with *cause when the hard limit is too low.
 */
int edge_steps_limit(struct run *r, char **cause);

/* Starts the sampling (r->eng and r->start set); only with sessions. */
void edge_steps_start(struct run *r);

/* The samples and steps as JSON (caller puts), or NULL when none. */
struct json_object *edge_steps_results(const struct run *r);

/* Prints the steps table from results object o ("edge_steps") on out. */
void edge_steps_print(struct json_object *o, FILE *out);

/* Frees the samples; NULL accepted. */
void edge_steps_free(struct edge_steps *s);

#endif
