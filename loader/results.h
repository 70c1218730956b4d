/*
 * results.h: the files of a run directory besides the journal: the
 * settings (config.yaml) and planned schedule (schedule.txt) written at the
 * start; at the end the table on stdout and in summary.txt, Locust's CSV
 * files and results.json with the run's meta block. Merging shards'
 * journals writes the same results for the whole run.
 */
#ifndef MEDLOAD_RESULTS_H
#define MEDLOAD_RESULTS_H

#include <stdio.h>

#include "config.h"
#include "run_private.h"

struct json_object;
struct stats;

/* Writes config.yaml and schedule.txt in r->dir. 0, or -1 with *cause. */
int results_start(const struct run *r, char **cause);

/*
 * The meta block of results.json for run r (caller puts). Call it before
 * the journal is closed: it counts the journal's lines.
 */
struct json_object *results_meta(const struct run *r);

/*
 * Prints the end table on out (NULL: nowhere; from the intended start
 * only, summary.txt has both timings) and writes summary.txt, the CSV files
 * (csv_prefix, a path the user named, or dir/medload) and results.json
 * (with meta, borrowed) in dir; *doc (when not NULL) gets the results
 * document (caller puts) once results.json is written. 0, or -1 with
 * *cause.
 */
int results_write(const struct stats *st, struct json_object *meta,
    const char *dir, const char *csv_prefix, FILE *out,
    struct json_object **doc, char **cause);

/*
 * Merges the journals of the run directories dirs into one result written
 * under c->out_dir/<run id>/. Returns an exit status.
 */
int results_merge(const struct config *c, char **dirs, int ndirs,
    FILE *out);

#endif
