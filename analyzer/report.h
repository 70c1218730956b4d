/*
 * report.h: the report folder a person reads in a minute and a CI job can
 * publish: report.txt, report.md, index.html (tables, charts inline as
 * SVG, no external assets) and charts/ (PNG, SVG, gnuplot script and data
 * of every chart). Inputs are an analysis document and, when there was a
 * load run, its results document.
 */
#ifndef MEDLOAD_REPORT_H
#define MEDLOAD_REPORT_H

#include <stdio.h>

struct json_object;

struct report_input {
	struct json_object *analysis;	/* borrowed; required */
	struct json_object *run;	/* borrowed; NULL without a run */
	struct json_object *assessment;	/* borrowed; NULL when none: the
					   saturation assessment (steps,
					   knee, sentence, bottleneck) */
	const char *out_dir;
	const char *templates;		/* NULL: the built-in templates */
	const char *title;		/* NULL: a default */
	int raw_groups;			/* every group a row of its own: no
					   START folded, every column */
	FILE *echo;			/* the summary (the verdict and the
					   client's table) also here, or
					   NULL; coloured on a terminal
					   unless NO_COLOR is set */
};

struct report_result {
	int charts;		/* drawn */
	int failed;		/* could not be drawn */
	int svg_left_out;	/* drawn, but their SVG left out (svg.h) */
	char *skipped;		/* why no chart was drawn, or NULL */
	struct json_object *notes;	/* [string]: why each chart not
					   drawn, and each SVG left out,
					   is missing (caller puts) */
};

/*
 * Writes the folder (created when missing; refused, as files_check_dir
 * says, when every user may write in it). Every file goes through
 * core/files.h, so a link planted under one of its names is replaced,
 * never followed. Charts that cannot be drawn are reported in the outputs
 * and in res, not as an error; so is an SVG svg_clean leaves out (the
 * page says so where the chart would be). Returns 0, or -1 with *cause
 * when the folder or a file cannot be written. Caller releases res with
 * report_result_release.
 */
int report_write(const struct report_input *in, struct report_result *res,
    char **cause);

/* Frees what res holds (skipped, notes); res itself is the caller's. */
void report_result_release(struct report_result *res);

/*
 * Says on stderr where the report went and what it lacks: "medload:
 * report written to DIR/ (N charts, M could not be drawn, K without SVG
 * in index.html; charts skipped: WHY)", then a "chart:" line for each of
 * res's notes.
 */
void report_print_done(const char *dir, const struct report_result *res);

/*
 * Reads a JSON document with jx_load and checks its "schema" member
 * equals schema. Returns 0 and *out (caller puts), or -1 with *cause
 * naming the file (and, for another document, the schema it has).
 */
int report_load(const char *path, const char *schema, struct json_object **out,
    char **cause);

#endif
