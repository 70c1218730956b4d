/*
 * schedule.h: when things happen in a load run. The spawner starts and
 * stops users to follow the load shape (one tick per user at the spawn
 * rate, skipping ticks while the target cannot change); tasks are paced
 * by think times per user or started at a rate (open model); once a
 * second the user counts are sampled and the progress line is printed.
 */
#ifndef MEDLOAD_SCHEDULE_H
#define MEDLOAD_SCHEDULE_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "run_private.h"

/* Arms the spawner, the second tick and open pacing at r->start. */
void schedule_start(struct run *r);

/* Stops starting work; requests in flight get the grace period. */
void schedule_stop(struct run *r);

/* A user left: the spawn tick due next on the grid runs (not later). */
void schedule_wake(struct run *r);

/*
 * Under think pacing, starts ready user t's next task a think time after
 * from (mono); nothing under open pacing.
 */
void schedule_think(struct tenant *t, int64_t from);

/* Think pacing: t's next task starts at at (no think before it). */
void schedule_task_at(struct tenant *t, int64_t at);

/* Prints the progress line at now (final: the last one, ends the line). */
void schedule_progress(struct run *r, int64_t now, int final);

/* Prints the planned schedule (steps, users, expected task rate). */
void schedule_print(const struct config *c, FILE *out);

#endif
