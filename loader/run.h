/*
 * run.h: one load run: simulated tenants as small state machines on the
 * engine's event loop, the spawner following the shape, task pacing (think
 * times or open-model starts), the journal, progress output and results.
 */
#ifndef MEDLOAD_RUN_H
#define MEDLOAD_RUN_H

#include <signal.h>
#include <stdio.h>

#include "config.h"

struct json_object;
#include "status.h"


/*
 * Runs the load described by c (finished with config_finish). Writes the
 * run directory, prints the end table on out and progress on err; when
 * results is not NULL, *results gets the results document (what
 * results.json holds; caller puts), or NULL when the run never started.
 * Returns an exit status (0, STATUS_IO, STATUS_UNREACHABLE, STATUS_USAGE)
 * and prints its own error messages.
 */
int run_execute(struct config *c, FILE *out, FILE *err,
    struct json_object **results);

/* Prints the planned schedule (steps, users, expected task rate). */
void run_print_schedule(const struct config *c, FILE *out);

/*
 * Users of shard (0-based) out of n when the whole run has total users:
 * users go to shards by pairs ((user-1)/2 mod n), so peers stay together.
 */
unsigned run_shard_share(unsigned total, unsigned n, unsigned shard);

/*
 * Merges the journals of the run directories dirs into one result written
 * under c->out_dir/<run id>/. Returns an exit status.
 */
int run_merge(const struct config *c, char **dirs, int ndirs, FILE *out);

/* A new run id: UTC time and a random suffix (caller frees). */
char *run_new_id(void);

/* mkdir -p (files_mkdirs); 0, or -1 with *cause. */
int run_mkdirs(const char *path, char **cause);

#endif
